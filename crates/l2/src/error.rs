//! Errors of the tracker. Provider URLs in them are always redacted.

use std::path::PathBuf;

use snode_eth::{join_failures as join, EthError, ProviderFailure, ProviderUrl};

/// Errors the daemon sees from [`crate::L2Tracker`].
#[derive(Debug, thiserror::Error)]
pub enum L2Error {
    /// No `l2-provider` was configured (or all were empty).
    #[error("At least one ethereum L2 provider must be specified for a service node")]
    NoProviders,
    /// Every provider failed one request.
    #[error("{method} failed on every L2 provider: {}", join(.failures))]
    AllProvidersFailed {
        /// The JSON-RPC method.
        method: String,
        /// Each provider's failure, in the order tried.
        failures: Vec<ProviderFailure>,
    },
    /// The caller ended the cycle (the daemon is stopping) before this request.
    #[error("the L2 cycle was stopped before it finished")]
    Cancelled,
    /// A provider serves another chain: fatal at start (docs/compat/config.md).
    #[error("L2 provider {provider} [{url}] has invalid chain ID 0x{got:x} (chainId 0x{expected:x} is required)")]
    WrongChainId {
        /// Provider name.
        provider: String,
        /// Redacted URL.
        url: ProviderUrl,
        /// The chain id it reported.
        got: u64,
        /// The configured chain id.
        expected: u64,
    },
    /// A provider answered, but not with what the contract returns.
    #[error("{what} cannot be decoded: {reason}")]
    Malformed {
        /// What was being read.
        what: String,
        /// Why it cannot be decoded.
        reason: String,
    },
    /// The state database could not be opened, read or written.
    #[error("L2 state database {}: {source}", .path.display())]
    Store {
        /// The database file.
        path: PathBuf,
        /// The SQLite error.
        #[source]
        source: rusqlite::Error,
    },
    /// The state directory could not be created.
    #[error("cannot create the L2 state directory {}: {source}", .path.display())]
    StateDir {
        /// The directory.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The state database holds something this version cannot read.
    #[error("L2 state database {}: {detail}", .path.display())]
    Corrupt {
        /// The database file.
        path: PathBuf,
        /// What was wrong.
        detail: String,
    },
}

impl From<EthError> for L2Error {
    fn from(e: EthError) -> Self {
        match e {
            EthError::AllProvidersFailed { method, failures } => {
                L2Error::AllProvidersFailed { method, failures }
            }
            EthError::Cancelled => L2Error::Cancelled,
            EthError::Malformed { what, reason } => L2Error::Malformed { what, reason },
        }
    }
}
