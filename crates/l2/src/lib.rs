//! L2 tracker for Session stagenet service nodes: follows the
//! ServiceNodeRewards contract on Arbitrum Sepolia through the configured
//! JSON-RPC providers, with failover, and keeps a crash-safe view of it.
//!
//! Implements `shared/spec/oxend-compat.md` §5 (constants, tracked events,
//! polling algorithm, JSON-RPC transport and failover) with the `l2-*`
//! options of §3.2 and the chain-id check of §3.3; the event and call ABI of
//! `shared/spec/bls-contract.md` §5; and the decisions of
//! `shared/spec/README.md` (`l2-timeout` in seconds, range shrinking on
//! range-limit errors, JSON-RPC errors with HTTP 200 as provider failures,
//! "L2 stalled" instead of a failover storm, contract addresses as
//! configuration).
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
//! # Modules
//!
//! * `url`: provider URLs, shown only redacted (`scheme://host[:port]/…`);
//! * `rpc`: one JSON-RPC request to one provider, classified into a [`FailureKind`];
//! * `pool`: failover, the provider check and reordering, counters, `eth_getLogs` range shrinking;
//! * [`abi`]: events and calls (`sol!`), decoding with oxend's layout checks;
//! * `registry`: nodes by contract id, BLS and Ed25519 pubkey, and their [`NodeContractState`];
//! * `store`: SQLite (WAL) persistence, one transaction per log batch;
//! * `tracker`: the cycle; `progress`: where a running cycle is; `status`: the snapshot.

pub mod abi;
mod config;
mod error;
mod pool;
mod progress;
pub mod query;
mod registry;
mod rpc;
mod status;
mod store;
mod time;
mod tracker;
mod url;

/// The 20-byte contract address type of [`L2Config`].
pub use alloy_primitives::Address;
pub use config::{
    Deployment, L2Config, HIST_SIZE, NODE_LIST_PURGE_BLOCKS, REWARD_POOL_UPDATE_BLOCKS,
    SAFE_BLOCKS, STAGENET_CHAIN_ID,
};
pub use error::{L2Error, ProviderFailure};
pub use pool::{ProviderCounters, ProviderHealth, ProviderStatus};
pub use progress::{LogSync, Progress};
pub use registry::{NodeContractState, NodeQuery, NodeRecord, Registry};
pub use rpc::{Failure, FailureKind};
pub use status::{L2Status, OwnNodeStatus, ProviderInUse, RewardRate, Stall};
pub use store::{EventRecord, DB_FILE};
pub use time::{format_utc, unix_secs};
pub use tracker::{CycleReport, L2Tracker};
pub use url::ProviderUrl;
