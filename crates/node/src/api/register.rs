//! `bls_registration_request`: the signed registration for an operator.

use serde::{Deserialize, Serialize};
use snode_register::RegistrationInfo;

/// The params: the operator's address, 40 hex digits (`0x` optional).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistrationRequest {
    /// The operator address.
    pub address: String,
}

/// The result: oxend's registration fields, plus `staking_url` (the
/// daemon's `staking-url`, credentials shown as `***@`; our extension) so
/// the client posts where the daemon is configured to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistrationReply {
    /// The signed registration.
    #[serde(flatten)]
    pub info: RegistrationInfo,
    /// The configured staking website, redacted.
    pub staking_url: String,
    /// `OK`.
    pub status: String,
}
