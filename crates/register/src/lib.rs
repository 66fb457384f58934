//! Registering a service node for staking (docs/compat/rpc-and-client.md,
//! "Registration", and docs/compat/bls.md). Staking URLs are snode-eth's
//! [`snode_eth::SecretUrl`]: their password and query are never shown.
//!
//! - [`RegistrationInfo`]: what oxend's `bls_registration_request` admin RPC
//!   returns — the service node (Ed25519) pubkey, the BLS pubkey, the Ed25519
//!   signature over `ed25519_pubkey ‖ bls_pubkey` and the BLS proof of
//!   possession for the operator address and the rewards contract.
//! - [`OperatorAddress`]: the operator's Ethereum address, checked by
//!   snode-eth (40 hex digits, EIP-55 checksum when mixed case), remembered
//!   as typed.
//! - [`submit`]: the multipart POST to `<URL>/api/store/<pubkey>` whose JSON
//!   answer is read — `{"success": true}` is success, `{"error": …}` (sent
//!   with HTTP 200 by the real backend) or anything else is a failure.

mod info;
mod submit;

pub use info::{OperatorAddress, RegistrationInfo};
pub use submit::{
    check_url, has_userinfo, host_of, redact_userinfo, submit, view_url, SubmitError, Submitted,
};

/// Errors building or checking registration data.
#[derive(Debug, thiserror::Error)]
pub enum RegisterError {
    #[error(
        "'{0}' is not an Ethereum address: expected 0x followed by 40 hex digits \
         (copy it from your wallet)"
    )]
    AddressFormat(String),
    #[error(
        "'{0}' has a wrong EIP-55 checksum (its upper/lower case letters do not match); \
         it is probably mistyped, copy it again from your wallet"
    )]
    AddressChecksum(String),
    #[error(
        "'{0}' starts with 0X: the staking backend accepts only a lowercase 0x prefix; \
         type it as 0x followed by the 40 hex digits"
    )]
    AddressPrefix(String),
    #[error("cannot make the BLS proof of possession: {0}")]
    Bls(#[from] snode_bls::Error),
    #[error("the registration data does not verify: {0}")]
    SelfCheck(&'static str),
}
