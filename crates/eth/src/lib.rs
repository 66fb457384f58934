//! The Ethereum layer of the Session stagenet node: everything that talks to,
//! or names things on, Arbitrum Sepolia. The L2 tracker (snode-l2), the key
//! tool's guard (through snode-l2's `query`) and `oxen-sn-config probe-l2` all
//! use it; compatibility facts are in docs/compat/l2-contract.md.
//!
//! # Modules (a DAG: each uses only those listed before it)
//!
//! * `deploy`: the chain id and the contract addresses of both stagenet
//!   deployments, defined once for the workspace;
//! * `address`: addresses as operators type them, EIP-55 via alloy-primitives;
//! * `redact`: [`SecretUrl`], the one redacting URL type, for provider and
//!   staking URLs;
//! * `rpc`: the one JSON-RPC client ([`Endpoint`]) and the one classifier of
//!   provider refusals ([`classify`], [`Failure::limit`]);
//! * `error`: [`EthError`] (uses `redact`, `rpc`);
//! * `pool`: the provider pool with failover (uses `error`, `redact`, `rpc`);
//! * [`abi`]: the ServiceNodeRewards / RewardRatePool ABI;
//! * [`query`]: one-off contract reads (uses `abi`, `error`, `pool`, `rpc`).
//!
//! # Why the ServiceNodeRewards ABI lives here and not in snode-l2
//!
//! The ABI is the contract's interface, not the tracker's state: the tracker
//! decodes events and calls with it, the key guard asks
//! `allServiceNodeIDs()` / `ed25519ToServiceNodeID()` with it, and the start
//! check looks for the contract's code. Keeping it next to the transport lets
//! every one of them ask the contract without the tracker's SQLite store;
//! snode-l2 keeps what it builds from the answers (registry, store, status).

pub mod abi;
mod address;
mod deploy;
mod error;
mod pool;
pub mod query;
mod redact;
mod rpc;

pub use address::{checksummed, parse_address, AddressError};
pub use alloy_primitives::Address;
pub use deploy::{
    Deployment, CURRENT_POOL_CONTRACT, CURRENT_REWARDS_CONTRACT, EARLIER_POOL_CONTRACT,
    EARLIER_REWARDS_CONTRACT, STAGENET_CHAIN_ID,
};
pub use error::{join_failures, EthError, ProviderFailure};
pub use pool::{
    provider_name, unix_secs, Always, CheckOutcome, Gate, PoolConfig, Provider, ProviderCounters,
    ProviderHealth, ProviderPool, ProviderStatus,
};
pub use redact::{redact_url, scrub_secrets, ProviderUrl, SecretUrl, UrlError, UrlFault};
pub use rpc::{
    classify, http_reason, parse_data, parse_quantity, Endpoint, Failure, FailureKind, LimitKind,
};
