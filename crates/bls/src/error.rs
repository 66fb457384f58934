//! Typed errors of the crate. None of them carries secret bytes.

use thiserror::Error;

/// Everything that can go wrong in this crate. Every public function returns
/// one of these instead of panicking, whatever its input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum Error {
    /// A 32-byte coordinate read big-endian is not below the field modulus p
    /// (the EIP-197 precompile rejects these too).
    #[error("a point coordinate is not below the BN254 field modulus p")]
    CoordinateOutOfRange,
    /// The coordinates are canonical but do not satisfy the curve equation.
    #[error("the point is not on the curve")]
    NotOnCurve,
    /// A G2 point is on the twist but not in the order-r subgroup.
    #[error("the G2 point is not in the order-r subgroup")]
    NotInSubgroup,
    /// The public key is the point at infinity (64 zero bytes); the contract
    /// rejects it (`NullBLSPubkey`) and it would make any signature "verify".
    #[error("the BLS public key is the point at infinity")]
    PublicKeyAtInfinity,
    /// The secret key is 0 mod r, so its public key is the point at infinity.
    #[error("the BLS secret key is zero modulo the group order; generate a new key")]
    ZeroSecretKey,
    /// Try-and-increment found no square root for any counter 0..=255
    /// (probability about 2^-256; the contract would fail as well).
    #[error("hash to G2 found no point for any counter byte 0..=255")]
    HashToCurveFailed,
    /// The pairing check failed: wrong message, key, tag or signature.
    #[error("the BLS signature does not verify for this key, message and network")]
    InvalidSignature,
    /// Aggregation was asked to combine nothing.
    #[error("nothing to aggregate: the list is empty")]
    EmptyAggregate,
    /// An Ethereum address is not `0x` followed by 40 hex digits.
    #[error("an Ethereum address must be 0x followed by 40 hex digits")]
    AddressFormat,
    /// An Ethereum address starts with `0X`; the staking backend accepts only `0x`.
    #[error("an Ethereum address must start with a lowercase 0x, not 0X")]
    AddressPrefix,
    /// A mixed-case Ethereum address fails its EIP-55 checksum (probably a typo).
    #[error("the Ethereum address has mixed case but a wrong EIP-55 checksum; check it for typos")]
    AddressChecksum,
}
