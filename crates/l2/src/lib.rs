//! L2 tracker for Session stagenet service nodes: follows the
//! ServiceNodeRewards contract on Arbitrum Sepolia through the configured
//! JSON-RPC providers, with failover, and keeps a crash-safe view of it.
//!
//! Implements the tracker of docs/compat/l2-contract.md (constants, tracked
//! events, polling, the `l2-*` options, the chain-id check) with the
//! decisions of docs/compat/decisions.md (`l2-timeout` in seconds, "L2
//! stalled" instead of a failover storm, contract addresses as
//! configuration). The transport, the provider pool, the ABI and the
//! deployments are snode-eth's.
//!
//! # Driving it
//!
//! One [`L2Tracker`] per daemon, used from one thread:
//!
//! 1. [`L2Tracker::open`] with an [`L2Config`] and the state directory
//!    (creates `l2-state.sqlite` there; resumes from what is stored);
//! 2. [`L2Tracker::set_own_node`] with this node's BLS and Ed25519 pubkeys;
//! 3. [`L2Tracker::verify_chain_id`]: [`L2Error::WrongChainId`] means stop
//!    with a configuration error; unreachable providers are only warnings;
//! 4. [`L2Tracker::step`]`(now)` every [`L2Config::refresh`]. It never
//!    fails: problems are logged (`tracing`), counted per provider and listed
//!    in the returned [`CycleReport`]. [`L2Tracker::step_with`] takes a
//!    callback asked before every request and after every stored batch: a
//!    heartbeat for the caller's watchdog and a cancel check for shutdown;
//!    [`L2Tracker::step_with_progress`] gives that callback the cycle's
//!    [`Progress`] (L2 head, block synced to, target) and, after each stored
//!    batch, the tracker for an intermediate [`L2Tracker::status`];
//! 5. [`L2Tracker::status`]`(now)` for the admin RPC (`serde::Serialize`) and
//!    [`L2Status::summary`] for `status` and the systemd `STATUS=` line.
//!
//! ```no_run
//! use std::time::SystemTime;
//! use snode_l2::{Deployment, L2Config, L2Tracker, NodeQuery};
//!
//! let cfg = L2Config::new(&["https://arb-sepolia.example/v2/KEY"], Deployment::Current);
//! let mut tracker = L2Tracker::open(cfg.clone(), "/var/lib/oxen/stagenet/l2".as_ref())?;
//! tracker.set_own_node(NodeQuery { bls_pubkey: None, ed25519_pubkey: None });
//! tracker.verify_chain_id()?; // a wrong chain id is fatal
//! loop {
//!     let _report = tracker.step(SystemTime::now());
//!     println!("{}", tracker.status(SystemTime::now()).summary());
//!     # break;
//!     std::thread::sleep(cfg.refresh);
//! }
//! # Ok::<(), snode_l2::L2Error>(())
//! ```
//!
//! # Modules (a DAG: each uses only those listed before it)
//!
//! * `time`: Unix seconds and UTC text;
//! * `config`: [`L2Config`] and the tracker's constants;
//! * `error`: [`L2Error`];
//! * `registry`: nodes by contract id, BLS and Ed25519 pubkey, and their [`NodeContractState`];
//! * `store`: SQLite (WAL) persistence, one transaction per log batch (uses `error`, `registry`);
//! * `progress`: where a running cycle is ([`LogSync`]);
//! * `status`: the snapshot and the cycle report (uses `progress`, `registry`, `time`);
//! * `tracker`: the cycle and [`Progress`] (uses all of the above);
//! * [`query`]: one-off contract reads (uses `config`, `error`).

// shim: remove when callers move to snode_eth
pub use snode_eth::abi;
mod config;
mod error;
mod progress;
pub mod query;
mod registry;
mod status;
mod store;
mod time;
mod tracker;

/// The 20-byte contract address type of [`L2Config`].
pub use alloy_primitives::Address;
pub use config::{
    L2Config, SettingError, HIST_SIZE, NODE_LIST_PURGE_BLOCKS, REWARD_POOL_UPDATE_BLOCKS,
    SAFE_BLOCKS,
};
pub use error::L2Error;
pub use progress::LogSync;
// shim: remove when callers move to snode_eth
pub use registry::{NodeContractState, NodeQuery, NodeRecord, Registry};
pub use snode_eth::{
    Deployment, Failure, FailureKind, ProviderCounters, ProviderFailure, ProviderHealth,
    ProviderStatus, ProviderUrl, STAGENET_CHAIN_ID,
};
pub use status::{CycleReport, L2Status, OwnNodeStatus, ProviderInUse, RewardRate, Stall};
pub use store::{EventRecord, DB_FILE};
pub use time::{format_utc, unix_secs};
pub use tracker::{L2Tracker, Progress, RECORD_BATCH};
