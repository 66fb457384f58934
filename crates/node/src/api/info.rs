//! `get_info` (alias `getinfo`): what the daemon is, and its L2 view.

use serde::{Deserialize, Serialize};

use super::l2::L2Report;

/// The `get_info` result: oxend's field names for what this daemon has; no
/// chain fields (height, sync, ...), never invented.
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
    /// The L2 tracker's status, while it runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub l2: Option<L2Report>,
}
