//! The serialisable snapshot of the tracker for the admin RPC, `status`,
//! `print_sn_status` and the systemd `STATUS=` line (issue 5 item 5).

use std::fmt;

use alloy_primitives::{Address, U256};
use serde::Serialize;

use snode_eth::abi::{BlsPubkey, Ed25519Pubkey};
use snode_eth::{ProviderStatus, ProviderUrl};

use crate::progress::LogSync;
use crate::registry::NodeContractState;

/// The best L2 head has not moved for longer than `stall_after`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Stall {
    /// The head every provider reports.
    pub height: u64,
    /// Since when (Unix seconds): when that head was first seen.
    pub since: u64,
    /// The same as UTC text.
    pub since_utc: String,
}

impl fmt::Display for Stall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "L2 stalled at block {} since {}",
            self.height, self.since_utc
        )
    }
}

/// The provider requests go to first.
#[derive(Debug, Clone, Serialize)]
pub struct ProviderInUse {
    /// `Primary L2 provider`, `Backup L2 provider #N`.
    pub name: String,
    /// Redacted URL.
    pub url: ProviderUrl,
}

/// This node's registration as the contract sees it.
#[derive(Debug, Clone, Serialize)]
pub struct OwnNodeStatus {
    /// Not registered / registered / exit requested / exited.
    pub state: NodeContractState,
    /// Its contract id, when known.
    pub service_node_id: Option<u64>,
    /// The BLS pubkey asked about.
    pub bls_pubkey: Option<BlsPubkey>,
    /// The Ed25519 pubkey asked about.
    pub ed25519_pubkey: Option<Ed25519Pubkey>,
    /// The L2 block of its registration, or where the daemon first saw it
    /// when `registered_before` is set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub registered_block: Option<u64>,
    /// `registered_block` is only where the daemon first saw the node (in
    /// the contract's node list): say "registered before L2 block N".
    #[serde(default)]
    pub registered_before: bool,
    /// `leaveRequestTimestamp` of the contract's record when it was read
    /// (Unix seconds, 0: none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub leave_request_timestamp: Option<u64>,
}

impl OwnNodeStatus {
    /// Where the registration is known from: `registered at L2 block N`,
    /// or `registered before L2 block N` when the daemon only saw the node in
    /// the contract's node list; `None` when not registered.
    pub fn registration(&self) -> Option<String> {
        let block = self.registered_block?;
        Some(if self.registered_before {
            format!("registered before L2 block {block}")
        } else {
            format!("registered at L2 block {block}")
        })
    }
}

/// `rewardRate()` of the reward pool at a reward height.
#[derive(Debug, Clone, Serialize)]
pub struct RewardRate {
    /// The multiple of 600 it was read at.
    pub height: u64,
    /// The rate (atomic SESH per block).
    pub rate: U256,
}

/// Everything the tracker knows, for output. URLs are redacted.
#[derive(Debug, Clone, Serialize)]
pub struct L2Status {
    /// Required chain id.
    pub chain_id: u64,
    /// ServiceNodeRewards address followed.
    pub rewards_contract: Address,
    /// Latest L2 height reported by a provider.
    pub l2_height: Option<u64>,
    /// When (Unix seconds).
    pub l2_height_at: Option<u64>,
    /// Seconds since then.
    pub l2_height_age_secs: Option<u64>,
    /// Highest block whose logs are all applied.
    pub synced_height: Option<u64>,
    /// Provider in use.
    pub provider_in_use: ProviderInUse,
    /// Every provider in configured order, with health and counters.
    pub providers: Vec<ProviderStatus>,
    /// Set while the L2 is stalled.
    pub stalled: Option<Stall>,
    /// Staking requirement (atomic SESH) as the contract last told it; left
    /// out while unknown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub staking_requirement: Option<U256>,
    /// Nodes in the contract (registered or exit requested) known to the tracker.
    pub registered_nodes: usize,
    /// Events kept (the history window).
    pub events_stored: u64,
    /// This node, when its keys were given.
    pub own_node: Option<OwnNodeStatus>,
    /// Latest reward rate read.
    pub reward_rate: Option<RewardRate>,
    /// The last cycle's report.
    pub last_cycle: Option<CycleReport>,
    /// While a cycle is fetching contract logs (an intermediate status,
    /// taken after a committed batch): where that sync started and the L2
    /// head it goes to; `synced_height` is how far it got. Left out between
    /// cycles.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_sync: Option<LogSync>,
    /// From the start check: "no ServiceNodeRewards contract at 0x… on
    /// <provider> [<url>]" for each provider that has no code at
    /// `l2-rewards-contract`. Left out when empty.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub contract_missing: Vec<String>,
}

impl L2Status {
    /// One line for `status` and systemd `STATUS=`, e.g.
    /// `L2 height 1234 via Primary L2 provider [https://host/…], synced 1234, 12 nodes; node registered`.
    /// While a cycle syncs contract logs, `synced 1234` reads
    /// `syncing contract logs: synced to block 1000 of 1234`.
    pub fn summary(&self) -> String {
        // a cycle syncing logs has a height from this cycle
        let answered =
            self.log_sync.is_some() || self.last_cycle.as_ref().is_none_or(|c| c.height.is_some());
        let mut s = match (&self.stalled, self.l2_height) {
            (Some(stall), _) => stall.to_string(),
            (None, Some(h)) if !answered => format!(
                "L2 providers not answering; last height {h}, {} s ago",
                self.l2_height_age_secs.unwrap_or(0)
            ),
            (None, Some(h)) => format!(
                "L2 height {h} via {} [{}]",
                self.provider_in_use.name, self.provider_in_use.url
            ),
            (None, None) => "L2 height unknown (no provider has answered yet)".to_string(),
        };
        match (self.log_sync, self.synced_height) {
            (Some(sync), Some(synced)) => s.push_str(&format!(
                ", syncing contract logs: synced to block {synced} of {}",
                sync.target
            )),
            (Some(sync), None) => s.push_str(&format!(
                ", syncing contract logs: blocks {} to {}, none synced yet",
                sync.from, sync.target
            )),
            (None, Some(synced)) => s.push_str(&format!(", synced {synced}")),
            (None, None) => {}
        }
        s.push_str(&format!(", {} nodes", self.registered_nodes));
        match (&self.own_node, self.contract_missing.first()) {
            // what the node's state is cannot be told from a contract that is not there
            (Some(own), Some(missing)) if own.state == NodeContractState::NotRegistered => {
                s.push_str(&format!("; {missing}"));
            }
            (Some(own), _) => s.push_str(&format!("; node {}", own.state.describe())),
            (None, Some(missing)) => s.push_str(&format!("; {missing}")),
            (None, None) => {}
        }
        s
    }
}

impl fmt::Display for L2Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.summary())
    }
}

/// What one [`L2Tracker::step`] did. Serialisable for logs and status.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CycleReport {
    /// When the cycle ran (Unix seconds).
    pub at: u64,
    /// L2 height used this cycle, if any provider answered.
    pub height: Option<u64>,
    /// `eth_getLogs` batches stored.
    pub log_batches: u64,
    /// Whether the logs reached `height` (the purge step runs only then).
    pub logs_complete: bool,
    /// New events stored and applied.
    pub events_applied: u64,
    /// Logs skipped because they were stored already.
    pub events_duplicate: u64,
    /// Logs of tracked events that did not decode (reported and skipped).
    pub malformed_logs: u64,
    /// Logs of other events of the contract.
    pub ignored_logs: u64,
    /// `rewardRate()` values fetched.
    pub reward_rates_fetched: u64,
    /// Height of the `allServiceNodeIDs()` list applied this cycle.
    pub node_list_height: Option<u64>,
    /// The stall, when the L2 head has not moved for `stall_after`.
    pub stalled: Option<Stall>,
    /// The caller ended the cycle early (the daemon is stopping); what was
    /// committed before stays.
    pub cancelled: bool,
    /// What went wrong (redacted).
    pub errors: Vec<String>,
}
