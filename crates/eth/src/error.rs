//! Errors of requests through the provider pool. Provider URLs in them are
//! always redacted.

use crate::redact::ProviderUrl;
use crate::rpc::Failure;

/// One provider's failure inside an [`EthError::AllProvidersFailed`].
#[derive(Debug, Clone)]
pub struct ProviderFailure {
    /// `Primary L2 provider`, `Backup L2 provider #1`, ….
    pub provider: String,
    /// Its (redacted) URL.
    pub url: ProviderUrl,
    /// What happened.
    pub failure: Failure,
}

impl std::fmt::Display for ProviderFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} [{}]: {}", self.provider, self.url, self.failure)
    }
}

/// The failures of every provider, `; `-separated.
pub fn join_failures(failures: &[ProviderFailure]) -> String {
    failures
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// Errors of a request with failover.
#[derive(Debug, thiserror::Error)]
pub enum EthError {
    /// Every provider failed one request.
    #[error("{method} failed on every L2 provider: {}", join_failures(.failures))]
    AllProvidersFailed {
        /// The JSON-RPC method.
        method: String,
        /// Each provider's failure, in the order tried.
        failures: Vec<ProviderFailure>,
    },
    /// The caller's gate ended the sequence before this request.
    #[error("the L2 cycle was stopped before it finished")]
    Cancelled,
    /// A provider answered, but not with what the contract returns.
    #[error("{what} cannot be decoded: {reason}")]
    Malformed {
        /// What was being read.
        what: String,
        /// Why it cannot be decoded.
        reason: String,
    },
}
