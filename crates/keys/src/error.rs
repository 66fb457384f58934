use std::path::PathBuf;

use crate::KeyKind;

/// Errors of key handling. None of them carries secret bytes: only paths,
/// sizes, kinds and public keys.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("cannot read '{path}': {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write '{path}': {source}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "'{path}' already exists; pass `--overwrite' if you want to replace it \
         (the old key is kept as a .bak copy)"
    )]
    Exists { path: PathBuf },
    #[error(
        "{size}-byte file '{path}' is not a valid {kind} secret key: expected {expected}; \
         check that this is the right file"
    )]
    InvalidFile {
        path: PathBuf,
        kind: KeyKind,
        size: usize,
        expected: &'static str,
    },
    #[error(
        "file is invalid: expected 0x[hexdata], but found non-hex in '{path}'; \
         check that this is the right file"
    )]
    NonHex { path: PathBuf },
    #[error(
        "could not autodetect key type from {size}-byte file '{path}'; check the file or pass \
         one of the --ed25519/--bls/--legacy arguments"
    )]
    Autodetect { path: PathBuf, size: usize },
    #[error("derived pubkey ({derived}) != embedded pubkey ({embedded})")]
    EmbeddedPubkeyMismatch { derived: String, embedded: String },
    #[error(
        "Derived pubkey ({derived}) doesn't match provided pubkey ({provided}); \
         check that you copied the whole key"
    )]
    ProvidedPubkeyMismatch { derived: String, provided: String },
    #[error("Invalid input: provide the secret key as {expected}")]
    InvalidInput { expected: &'static str },
    #[error(
        "unable to convert Ed25519 pubkey to X25519 pubkey; is this really a valid secret key?"
    )]
    X25519Conversion,
    #[error("internal error: pubkey check failed")]
    SelfCheck,
    #[error(
        "'{path}' was written but reading it back gave a different key; the previous key \
         (if any) is in the .bak file next to it. Check the disk and try again"
    )]
    ReadBack { path: PathBuf },
    #[error("the system random number generator failed: {0}")]
    Random(String),
}
