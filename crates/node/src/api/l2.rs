//! `get_l2_status` (alias `l2_status`) and the `l2` object of `get_info`:
//! the L2 tracker's status. On the wire it is snode-l2's `L2Status` as
//! serialised (provider URLs redacted), plus what the daemon adds: the
//! one-line `summary`, `recent_events`, the own node's `record`, and the
//! facts the client shows that need computing ([`L2Report::sync_incomplete`],
//! [`ProviderReport::failures`], [`ProviderReport::nonzero_counters`]).
//!
//! Fields the client does not read are carried verbatim in `rest`, so the
//! reply keeps every field snode-l2 serialises.

use alloy_primitives::U256;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use snode_l2::{NodeContractState, NodeRecord};

/// The `get_l2_status` result.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct L2StatusReply {
    /// `OK`.
    pub status: String,
    /// The one-line summary (as in `STATUS=`).
    pub summary: String,
    /// The status.
    pub l2: L2Report,
}

/// The tracker's status.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct L2Report {
    /// Required chain id.
    #[serde(default)]
    pub chain_id: u64,
    /// ServiceNodeRewards address followed (`0x` + 40 hex).
    #[serde(default)]
    pub rewards_contract: String,
    /// Latest L2 height reported by a provider.
    #[serde(default)]
    pub l2_height: Option<u64>,
    /// When (Unix seconds).
    #[serde(default)]
    pub l2_height_at: Option<u64>,
    /// Highest block whose logs are all applied.
    #[serde(default)]
    pub synced_height: Option<u64>,
    /// Provider in use.
    #[serde(default)]
    pub provider_in_use: ProviderRef,
    /// Every provider in configured order.
    #[serde(default)]
    pub providers: Vec<ProviderReport>,
    /// Set while the L2 is stalled.
    #[serde(default)]
    pub stalled: Option<StallReport>,
    /// Staking requirement (atomic SESH), `0x` hex; left out while unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub staking_requirement: Option<U256>,
    /// Nodes in the contract known to the tracker.
    #[serde(default)]
    pub registered_nodes: u64,
    /// Events kept (the history window).
    #[serde(default)]
    pub events_stored: Option<u64>,
    /// This node, when its keys were given.
    #[serde(default)]
    pub own_node: Option<OwnNodeReport>,
    /// The last cycle's report.
    #[serde(default)]
    pub last_cycle: Option<CycleReport>,
    /// While a cycle syncs contract logs: where from, to which L2 head.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_sync: Option<LogSyncReport>,
    /// Computed by the daemon: a log sync is running and has not reached its
    /// target, so "not registered" cannot be told yet.
    #[serde(default)]
    pub sync_incomplete: bool,
    /// The one-line summary (as in `STATUS=`). Added by the daemon.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// The latest contract events, newest first. Added by the daemon.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recent_events: Option<RecentEvents>,
    /// Other fields, carried verbatim.
    #[serde(flatten)]
    pub rest: Map<String, Value>,
}

/// A provider's name and redacted URL.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderRef {
    /// `Primary L2 provider`, `Backup L2 provider #N`.
    pub name: String,
    /// Redacted URL.
    pub url: String,
}

/// One provider.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProviderReport {
    /// `Primary L2 provider`, `Backup L2 provider #N`.
    pub name: String,
    /// Redacted URL.
    pub url: String,
    /// Whether requests go to it first now.
    #[serde(default)]
    pub in_use: bool,
    /// `unknown`, `good`, `lagging` or `failing`.
    pub health: String,
    /// Height it last reported.
    #[serde(default)]
    pub last_height: Option<u64>,
    /// When (Unix seconds).
    #[serde(default)]
    pub last_height_at: Option<u64>,
    /// Blocks per `eth_getLogs` now.
    #[serde(default)]
    pub max_logs: Option<u64>,
    /// Its last failure.
    #[serde(default)]
    pub last_error: Option<FailureReport>,
    /// Counters since start.
    #[serde(default)]
    pub counters: Counters,
    /// Computed by the daemon: failed requests (connection, timeout, HTTP
    /// status, JSON-RPC error, malformed, null result).
    #[serde(default)]
    pub failures: u64,
    /// Computed by the daemon: the counters that are not zero, with their
    /// names for output, in a fixed order.
    #[serde(default)]
    pub nonzero_counters: Vec<NamedCount>,
    /// Other fields, carried verbatim.
    #[serde(flatten)]
    pub rest: Map<String, Value>,
}

/// A provider's counters (snode-l2's `ProviderCounters`): the two the client
/// reads; the others are carried verbatim (their sum and names come computed,
/// [`ProviderReport::failures`], [`ProviderReport::nonzero_counters`]).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Counters {
    /// Requests sent.
    #[serde(default)]
    pub requests: u64,
    /// `eth_getLogs` ranges refused as too large.
    #[serde(default)]
    pub range_limited: u64,
    /// The other counters, carried verbatim.
    #[serde(flatten)]
    pub rest: Map<String, Value>,
}

/// A counter with its name for output.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamedCount {
    /// e.g. `HTTP status`.
    pub name: String,
    /// How many.
    pub count: u64,
}

/// A failed request: its kind (`http_status`, ...) and message, plus the
/// kind's details (`status`, `code`) carried verbatim.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FailureReport {
    /// `connection`, `timeout`, `http_status`, `json_rpc`, `malformed`,
    /// `null_result`.
    pub kind: String,
    /// Detail, possibly empty.
    #[serde(default)]
    pub message: String,
    /// The kind's fields.
    #[serde(flatten)]
    pub rest: Map<String, Value>,
}

/// The L2 head has not moved for too long.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StallReport {
    /// The head every provider reports.
    pub height: u64,
    /// Since when, UTC text.
    pub since_utc: String,
    /// Other fields, carried verbatim.
    #[serde(flatten)]
    pub rest: Map<String, Value>,
}

/// This node in the contract.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OwnNodeReport {
    /// Its state.
    pub state: NodeContractState,
    /// Its contract id, when known.
    #[serde(default)]
    pub service_node_id: Option<u64>,
    /// The tracker's record of it. Added by the daemon.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record: Option<NodeRecord>,
    /// Other fields (the keys asked about), carried verbatim.
    #[serde(flatten)]
    pub rest: Map<String, Value>,
}

/// The last cycle.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CycleReport {
    /// Its errors, first first.
    #[serde(default)]
    pub errors: Vec<String>,
    /// Other fields, carried verbatim.
    #[serde(flatten)]
    pub rest: Map<String, Value>,
}

/// A log sync in progress.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogSyncReport {
    /// First L2 block asked for.
    pub from: u64,
    /// The L2 head it goes to.
    pub target: u64,
    /// Batches committed so far.
    pub batches: u64,
}

/// One contract event and where it was logged (snode-l2's `EventRecord`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EventReport {
    /// L2 block number.
    pub block: u64,
    /// The event.
    pub event: EventBody,
    /// Other fields (transaction hash, indexes), carried verbatim.
    #[serde(flatten)]
    pub rest: Map<String, Value>,
}

/// A decoded contract event: its snake_case name in `event`, and its fields.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EventBody {
    /// `new_service_node`, `exit_request`, `staking_requirement_updated`, ...
    pub event: String,
    /// The node's contract id, for node events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_node_id: Option<u64>,
    /// The new staking requirement (atomic SESH), for
    /// `staking_requirement_updated`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_requirement: Option<U256>,
    /// Other fields, carried verbatim.
    #[serde(flatten)]
    pub rest: Map<String, Value>,
}

/// The latest contract events, or why they could not be read.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum RecentEvents {
    /// Newest first.
    Events(Vec<EventReport>),
    /// The store could not be read.
    Unavailable {
        /// Why.
        error: String,
    },
}

impl L2Report {
    /// The events, empty when they could not be read.
    pub fn events(&self) -> &[EventReport] {
        match &self.recent_events {
            Some(RecentEvents::Events(e)) => e,
            _ => &[],
        }
    }
}
