//! `get_info` (alias `getinfo`): what the daemon is, its chain follower's
//! view and its L2 view.

use serde::{Deserialize, Serialize};

use super::chain::ChainReport;
use super::l2::L2Report;

/// The `get_info` result: oxend's field names for what this daemon has. The
/// chain fields (`height`, `target_height`, `top_block_hash`, connection
/// counts, `synchronized`) only while the chain follower runs and has
/// reported; never invented.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InfoReply {
    /// `OK`.
    pub status: String,
    /// The daemon's version.
    pub version: String,
    /// The systemd `STATUS=` line: `v<version>; <L2 summary>; SN: <state>`.
    pub status_line: String,
    /// The L2 part of the status line (`L2: not tracked yet` while no
    /// tracker has published a view). Our extension.
    #[serde(default)]
    pub l2_summary: String,
    /// `stagenet`.
    pub nettype: String,
    /// `false`.
    pub mainnet: bool,
    /// `service-node=1`.
    pub service_node: bool,
    /// When the daemon started (Unix seconds).
    pub start_time: u64,
    /// What this daemon does not report ([`super::NO_CHAIN_NOTE`]).
    pub note: String,
    /// `chain-follower=1`: the chain follower is configured (our extension).
    #[serde(default)]
    pub chain_follower: bool,
    /// Blocks held (top height + 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u64>,
    /// The best height a connected peer claims (0 with no peers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_height: Option<u64>,
    /// The id of the top block held.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub top_block_hash: Option<String>,
    /// P2P connections we opened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outgoing_connections_count: Option<u64>,
    /// P2P connections peers opened to us.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incoming_connections_count: Option<u64>,
    /// Peers in the white list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub white_peerlist_size: Option<u64>,
    /// Peers in the grey list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grey_peerlist_size: Option<u64>,
    /// We hold at least what every connected peer claims (false with no peers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub synchronized: Option<bool>,
    /// The chain follower's full report (our extension).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chain: Option<ChainReport>,
    /// The L2 tracker's status, while it runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub l2: Option<L2Report>,
}
