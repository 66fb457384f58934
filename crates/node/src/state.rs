//! What the running daemon knows, shared between the main loop, the admin RPC and
//! whoever fills in more (the L2 tracker).
//!
//! The daemon itself knows its keys, its configuration and its uptime. Everything
//! that needs the L2 contract view (registration state, L2 heights, providers) is
//! set by the tracker through [`NodeState::set_l2`]; until then it is reported as
//! not tracked, never guessed.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::api::chain::{ChainReport, Connection};
use crate::api::l2::L2Report;
use crate::api::sn_status::TrackedNodeState;
use crate::keys::PublicKeys;

/// The L2 tracker's view, as the daemon shows it.
#[derive(Clone, Debug, Default)]
pub struct L2View {
    /// One short line for systemd's `STATUS=` and `status`, e.g.
    /// `L2: height 123456 via Primary L2 provider` (provider URLs redacted).
    pub summary: String,
    /// The full status section: `get_info` returns it as `l2` (provider URLs redacted).
    pub status: L2Report,
    /// This node's registration as the contract sees it.
    pub registration: Registration,
    /// The fields merged into `get_service_node_status`'s `service_node_state`
    /// (e.g. `registration_height`, `operator_address`), named as oxend names
    /// them.
    pub service_node_state: TrackedNodeState,
    /// The figures `/metrics` exports ([`crate::metrics`]).
    pub metrics: L2Metrics,
}

/// The L2 tracker's figures for the Prometheus metrics: what the tracker
/// knows, typed; absent values stay `None` and are not exported.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct L2Metrics {
    /// The latest L2 height a provider reported.
    pub head_height: Option<u64>,
    /// When it was reported (Unix seconds).
    pub head_at: Option<u64>,
    /// The highest block whose contract logs are all applied.
    pub synced_height: Option<u64>,
    /// The L2 head has not moved for `l2-stall-after`.
    pub stalled: bool,
    /// The tracker's view is incomplete (logs not yet synced to the head).
    pub sync_incomplete: bool,
    /// Nodes in the contract known to the tracker.
    pub contract_nodes: u64,
    /// The contract's staking requirement (atomic units, 9 decimals), when known.
    pub staking_requirement: Option<f64>,
    /// This node's state in the contract (`None` without keys to look for).
    pub own_state: Option<&'static str>,
    /// No contract code at `l2-rewards-contract` on some provider.
    pub contract_missing: bool,
    /// Every provider, in configured order.
    pub providers: Vec<ProviderMetrics>,
    /// The last finished tracker cycle.
    pub last_cycle: Option<CycleMetrics>,
}

/// One provider's figures. The URL is reduced to its host.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ProviderMetrics {
    /// `Primary L2 provider`, `Backup L2 provider #N`.
    pub name: String,
    /// `host[:port]` of its URL (never the path, query or credentials).
    pub host: String,
    /// Health: `unknown`, `good`, `lagging` or `failing`.
    pub health: &'static str,
    /// Requests go to it first now.
    pub in_use: bool,
    /// Requests sent.
    pub requests: u64,
    /// Failures by kind (`connection`, `timeout`, `http_status`,
    /// `jsonrpc_error`, `malformed`, `null_result`), zeros included.
    pub failures: Vec<(&'static str, u64)>,
    /// Height checks that found it behind.
    pub lagging: u64,
    /// `eth_getLogs` ranges it refused as too large.
    pub range_limited: u64,
    /// Blocks per `eth_getLogs` used for it now.
    pub max_logs: u64,
    /// When it last reported a height (Unix seconds).
    pub last_success_at: Option<u64>,
}

/// The last tracker cycle.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CycleMetrics {
    /// When it ran (Unix seconds).
    pub at: u64,
    /// How long it took (seconds).
    pub duration_secs: f64,
    /// It ended without errors.
    pub ok: bool,
}

/// This node's registration state as far as the daemon knows it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Registration {
    /// Nobody has looked: the L2 tracker is not running.
    #[default]
    Unknown,
    /// The contract has no entry for this node's keys.
    NotRegistered,
    /// Registered and waiting for contributions.
    Awaiting,
    /// Registered in the contract.
    Registered,
    /// The operator asked to leave; the node is leaving the network.
    Exiting,
    /// The node has left the contract (exit or liquidation).
    Exited,
}

impl Registration {
    /// The words oxend's status line uses where they apply (`not registered`,
    /// `awaiting contr.`), and plain words otherwise.
    pub fn status_word(&self) -> &'static str {
        match self {
            Registration::Unknown => "registration unknown",
            Registration::NotRegistered => "not registered",
            Registration::Awaiting => "awaiting contr.",
            Registration::Registered => "registered",
            Registration::Exiting => "exit requested",
            Registration::Exited => "exited",
        }
    }
}

/// The chain follower's view (published by the chain extension,
/// `chain::extension`, about once a second).
#[derive(Clone, Debug, Default)]
pub struct ChainView {
    /// Height, target, top block, connection counts, ...
    pub report: ChainReport,
    /// The open P2P connections, for `get_connections`.
    pub connections: Vec<Connection>,
}

/// Summary used while nobody has called [`NodeState::set_l2`].
pub const L2_NOT_TRACKED: &str = "L2: not tracked yet";

/// Everything the daemon knows, shared by all threads.
#[derive(Debug)]
pub struct NodeState {
    /// `service-node=1`.
    pub service_node: bool,
    /// This node's public keys.
    pub keys: PublicKeys,
    /// `service-node-public-ip`, when it parses.
    pub public_ip: Option<Ipv4Addr>,
    /// `quorumnet-port`.
    pub quorumnet_port: u16,
    /// When the daemon started (monotonic).
    pub started: Instant,
    /// When the daemon started (unix seconds), oxend's `start_time`.
    pub start_time: u64,
    l2: RwLock<Option<L2View>>,
    chain: RwLock<Option<ChainView>>,
    heartbeats: Mutex<BTreeMap<String, Instant>>,
    registrations: Mutex<BTreeMap<&'static str, u64>>,
}

/// A shared handle to the node state.
pub type SharedState = Arc<NodeState>;

impl NodeState {
    /// A fresh state, started now, with no L2 view.
    pub fn new(
        service_node: bool,
        keys: PublicKeys,
        public_ip: Option<Ipv4Addr>,
        quorumnet_port: u16,
    ) -> NodeState {
        NodeState {
            service_node,
            keys,
            public_ip,
            quorumnet_port,
            started: Instant::now(),
            start_time: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0),
            l2: RwLock::new(None),
            chain: RwLock::new(None),
            heartbeats: Mutex::new(BTreeMap::new()),
            registrations: Mutex::new(BTreeMap::new()),
        }
    }

    /// A worker (e.g. the L2 tracker loop) reports that it is alive and promises
    /// to report again within `within`. While any worker is overdue, the main loop
    /// stops sending `WATCHDOG=1`, so systemd's `WatchdogSec=` catches a stuck
    /// worker as well as a stuck main loop.
    pub fn heartbeat(&self, worker: &str, within: Duration) {
        let deadline = Instant::now() + within;
        self.heartbeats
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(worker.to_string(), deadline);
    }

    /// A worker that stops on purpose withdraws its heartbeat.
    pub fn heartbeat_done(&self, worker: &str) {
        self.heartbeats
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(worker);
    }

    /// Workers whose heartbeat is overdue.
    pub fn stuck_workers(&self) -> Vec<String> {
        let now = Instant::now();
        self.heartbeats
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .filter(|(_, deadline)| **deadline < now)
            .map(|(name, _)| name.clone())
            .collect()
    }

    /// Counts one registration request by its outcome (`signed`,
    /// `refused`), for the metrics.
    pub fn count_registration(&self, outcome: &'static str) {
        *self
            .registrations
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(outcome)
            .or_default() += 1;
    }

    /// Registration requests by outcome since start.
    pub fn registrations(&self) -> BTreeMap<&'static str, u64> {
        self.registrations
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Replaces the L2 view (called by the tracker after each cycle, and after
    /// each committed log batch while a cycle syncs).
    pub fn set_l2(&self, view: L2View) {
        *self.l2.write().unwrap_or_else(|e| e.into_inner()) = Some(view);
    }

    /// The current L2 view, if a tracker has set one.
    pub fn l2(&self) -> Option<L2View> {
        self.l2.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Replaces the chain follower's view.
    pub fn set_chain(&self, view: ChainView) {
        *self.chain.write().unwrap_or_else(|e| e.into_inner()) = Some(view);
    }

    /// The chain follower's view, once it has published one.
    pub fn chain(&self) -> Option<ChainView> {
        self.chain.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The report of [`NodeState::chain`] without its connection list.
    pub fn chain_report(&self) -> Option<ChainReport> {
        self.chain
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            .map(|v| v.report.clone())
    }

    /// The registration state (unknown while L2 is not tracked).
    pub fn registration(&self) -> Registration {
        self.l2().map(|v| v.registration).unwrap_or_default()
    }

    /// The L2 part of the status line: the view's summary, or
    /// [`L2_NOT_TRACKED`].
    pub fn l2_summary(&self) -> String {
        self.l2()
            .map(|v| v.summary)
            .unwrap_or_else(|| L2_NOT_TRACKED.to_string())
    }

    /// The systemd status line (also `status_line` in `get_info`):
    /// `v<version>; [Height: <h>[/<target>], peers: <n>; ]<L2 summary>; SN: <no |
    /// registration state>`. The height only while the chain follower has
    /// published one (oxend's `Height: <h>`), never otherwise.
    pub fn status_line(&self) -> String {
        let l2 = self.l2_summary();
        let sn = if self.service_node {
            self.registration().status_word()
        } else {
            "no"
        };
        let chain = self
            .chain_report()
            .map(|r| {
                let mut h = format!("Height: {}", r.height);
                if r.target_height > r.height {
                    h.push_str(&format!("/{}", r.target_height));
                }
                let peers = r.outgoing_connections_count + r.incoming_connections_count;
                format!("{h}, peers: {peers}; ")
            })
            .unwrap_or_default();
        format!("v{}; {chain}{l2}; SN: {sn}", crate::version::VERSION)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(service_node: bool) -> NodeState {
        let keys = PublicKeys {
            primary: "aa".into(),
            ed25519: "aa".into(),
            x25519: "bb".into(),
            lokinet: "x.snode".into(),
            bls: None,
        };
        NodeState::new(service_node, keys, None, 11025)
    }

    #[test]
    fn status_line_never_invents_chain_state() {
        let s = state(true);
        let line = s.status_line();
        assert_eq!(
            line,
            format!(
                "v{}; L2: not tracked yet; SN: registration unknown",
                crate::version::VERSION
            )
        );
        assert_eq!(
            state(false).status_line(),
            format!("v{}; L2: not tracked yet; SN: no", crate::version::VERSION)
        );
        s.set_l2(L2View {
            summary: "L2: height 7".into(),
            registration: Registration::NotRegistered,
            ..L2View::default()
        });
        assert!(s
            .status_line()
            .ends_with("; L2: height 7; SN: not registered"));
        s.set_chain(ChainView {
            report: ChainReport {
                height: 5,
                target_height: 9,
                outgoing_connections_count: 1,
                ..ChainReport::default()
            },
            connections: Vec::new(),
        });
        assert_eq!(
            s.status_line(),
            format!(
                "v{}; Height: 5/9, peers: 1; L2: height 7; SN: not registered",
                crate::version::VERSION
            )
        );
    }

    #[test]
    fn overdue_heartbeats_are_reported() {
        let s = state(true);
        s.heartbeat("l2", Duration::from_secs(3600));
        assert!(s.stuck_workers().is_empty());
        s.heartbeat("l2", Duration::ZERO);
        std::thread::sleep(Duration::from_millis(2));
        assert_eq!(s.stuck_workers(), ["l2"]);
        s.heartbeat_done("l2");
        assert!(s.stuck_workers().is_empty());
    }
}
