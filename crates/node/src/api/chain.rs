//! The chain follower's replies: [`ChainReport`] (in `get_info.chain`) and
//! `get_connections` ([`ConnectionsReply`]), with oxend's field names where
//! oxend has the field (docs/compat/rpc-and-client.md).

use serde::{Deserialize, Serialize};

/// `chain.state` while the follower runs.
pub const STATE_RUNNING: &str = "running";
/// `chain.state` after the follower stopped on an error (it is retried).
pub const STATE_FAILED: &str = "failed";

/// oxend's sync percentage: `100 * height / target`, at most 99.9 while behind.
pub fn sync_percent(height: u64, target: u64) -> f64 {
    if target == 0 {
        return 100.0;
    }
    let pct = 100.0 * height as f64 / target as f64;
    if height < target && pct > 99.9 {
        99.9
    } else {
        pct.min(100.0)
    }
}

/// What the chain follower knows (snode-chain stage 1: a header chain; no
/// RingCT verification, service-node list, uptime proofs or quorums).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainReport {
    /// [`STATE_RUNNING`] or [`STATE_FAILED`].
    pub state: String,
    /// `stagenet`.
    pub nettype: String,
    /// Blocks held (top height + 1), oxend's `height`.
    pub height: u64,
    /// The best height a connected peer claims (0 with no peers), oxend's
    /// `target_height`.
    pub target_height: u64,
    /// The id of our top block, oxend's `top_block_hash`.
    pub top_block_hash: String,
    /// We hold at least what every connected peer claims (false with no
    /// peers), oxend's `synchronized`.
    pub synchronized: bool,
    /// oxend's `outgoing_connections_count`.
    pub outgoing_connections_count: u64,
    /// oxend's `incoming_connections_count`.
    pub incoming_connections_count: u64,
    /// oxend's `white_peerlist_size`.
    pub white_peerlist_size: u64,
    /// oxend's `grey_peerlist_size`.
    pub grey_peerlist_size: u64,
    /// The P2P listener (`IP:PORT`), while it is bound.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p2p_bind: Option<String>,
    /// Blocks downloaded and stored since the daemon started.
    pub blocks_downloaded: u64,
    /// Their bytes (block and transaction blobs).
    pub bytes_downloaded: u64,
    /// The last refused peer or block, or why the follower stopped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    /// `offline=1`: no P2P listener and no peers; the stored chain only.
    #[serde(default)]
    pub offline: bool,
}

/// One connection of `get_connections`, named as oxend names them: the P2P layer's own
/// record, which already has oxend's names, order and units.
pub use snode_p2p::ConnectionInfo as Connection;

/// The `get_connections` result.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionsReply {
    /// `OK`.
    pub status: String,
    /// The open P2P connections.
    pub connections: Vec<Connection>,
}
