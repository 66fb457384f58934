//! `snode-node`: the Session stagenet service node as a library — the daemon
//! core, its admin JSON-RPC server, the typed API the server and the client
//! share, the L2 tracker plug-in and the command client. The `oxend-stagenet`
//! binary is a thin command line over it. docs/ARCHITECTURE.md has the map;
//! the compatibility facts are in docs/compat/ (rpc-and-client.md for the
//! admin RPC and the client, config.md, keys.md, systemd-and-package.md,
//! l2-contract.md).
//!
//! This daemon does not run the Oxen blockchain: chain fields (height, sync,
//! quorums, uptime proofs) are absent from every output, never invented.
//!
//! # Modules
//!
//! Imports form a DAG (an arrow reads "uses"):
//!
//! ```text
//! api                       (reply types; uses no module of this crate)
//! version, logging, shutdown, notify, keys
//! config      -> logging
//! state       -> api, keys, version
//! server      -> api, state, keys, shutdown, version
//! daemon      -> server, state, config, keys, notify, shutdown
//! l2          -> daemon, server, state, api, config, keys      (the plug-in;
//!                l2::summary, the log's summary line, uses none)
//! client      -> api, config, version
//! ```
//!
//! Inside [`server`]: `methods` (registry, [`server::Ctx`],
//! [`server::RpcError`]) <- `info`, `keys`, `register`, `l2`, `http` <-
//! `mod.rs` ([`server::Methods::standard`]). Inside [`client`]: `transport`,
//! `output`, `text` <- `session` <- `l2` <- `info`, `sn_status`; `keys` <-
//! `info`; `register`; all of them <- `commands`.
//!
//! # Extending
//!
//! The daemon core ([`daemon::run`]) names no feature. A plug-in is an
//! [`daemon::Extension`] in [`daemon::DaemonOptions::extensions`]: it runs
//! after the startup checks and before the keys, and may add RPC methods
//! ([`server::Methods::add`]) and workers (run after `READY=1`; they stop on
//! `ctx.shutdown`). The L2 tracker ([`l2::extension`]) is one: its worker
//! publishes its view with [`state::NodeState::set_l2`]; the view's summary
//! goes into `STATUS=` and `status`, its status into `get_info.l2`, its
//! registration into the SN state, and its fields into
//! `get_service_node_status`. A worker that calls
//! [`state::NodeState::heartbeat`] is watched: while it is overdue the daemon
//! withholds `WATCHDOG=1`, so systemd restarts a stuck worker. New client
//! commands are entries of [`client::COMMANDS`]; new replies are types in
//! [`api`].

pub mod api;
pub mod client;
pub mod config;
pub mod daemon;
pub mod keys;
pub mod l2;
pub mod logging;
pub mod notify;
pub mod server;
pub mod shutdown;
pub mod state;

pub mod version;

pub use version::{banner, VERSION};
