//! Session service node keys, as oxen-core's `oxend` and `oxen-sn-keys` keep
//! them (docs/compat/keys.md).
//!
//! - [`Ed25519Secret`], [`BlsSecret`], [`LegacySecret`]: secret key material
//!   that is zeroized on drop and has no `Debug`, `Display`, `Clone` or
//!   `Serialize`.
//! - [`format`]: readers for every file format oxend loads (raw bytes; hex with
//!   or without `0x` and a trailing newline, either case) and writers for the
//!   canonical ones (`key_ed25519`: `0x` + 128 hex + `\n`; `key_bls`: `0x` +
//!   64 hex + `\n`; legacy `key`: 32 raw bytes).
//! - Derivations: Ed25519 and X25519 public keys, the Lokinet `.snode`
//!   address (z-base-32), the legacy scalar and public key, the BN254 BLS
//!   public key (through `snode-bls`).
//! - [`write`]: the atomic secret-file writer (mode 0400 at creation, temp
//!   file + fsync + rename + directory fsync, `.bak` of a replaced key, read
//!   back and re-derived before success is reported).

mod error;
pub mod format;
mod secret;
pub mod write;
pub mod zbase32;

pub use error::KeyError;
pub use format::KeyKind;
pub use secret::{BlsSecret, Ed25519Secret, LegacySecret, SecretKey};
