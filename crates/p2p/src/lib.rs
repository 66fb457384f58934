//! `snode-p2p`: the Oxen p2p wire as oxend v11 speaks it — levin framing ([`levin`]), epee
//! portable storage ([`epee`]), the p2p and cryptonote-protocol messages ([`messages`]) and a
//! node ([`node::P2p`]) that handshakes (network id, peer id, port, core sync data), answers
//! timed syncs, pings and support-flag requests, keeps bounded peer lists, bans and times out
//! peers, and runs inbound and outbound connections on blocking threads.
//!
//! No existing crate was used for epee/levin: the crates.io index was not reachable from the
//! build machine to evaluate them, and the formats are small; both are covered by round-trip
//! property tests here and by live handshakes against upstream oxend in `snode-chain`'s tests.

pub mod epee;
pub mod levin;
pub mod messages;
pub mod node;
pub mod peerlist;

pub use node::{ConnId, ConnectionInfo, Event, OptionError, P2p, P2pConfig};

/// Errors of the wire formats and of the node.
#[derive(Debug, thiserror::Error)]
pub enum WireError {
    #[error("malformed message: {0}")]
    Decode(&'static str),
    #[error("cannot encode message: {0}")]
    Encode(&'static str),
    #[error("message field `{0}` is missing or has the wrong type")]
    Field(&'static str),
    #[error("levin packet of {size} bytes exceeds the limit of {max} bytes")]
    TooLarge { size: u64, max: u64 },
    #[error("socket error: {0}")]
    Io(#[source] std::io::Error),
}

/// Errors starting or using the node.
#[derive(Debug, thiserror::Error)]
pub enum P2pError {
    #[error("cannot listen for p2p connections on {addr}: {source} (is another oxend running? choose another --p2p-bind-port)")]
    Bind {
        addr: std::net::SocketAddr,
        source: std::io::Error,
    },
    #[error("peer {addr}: {reason}")]
    Peer {
        addr: std::net::SocketAddr,
        reason: String,
    },
    #[error("connection {0} is closed")]
    Closed(ConnId),
    #[error(transparent)]
    Wire(#[from] WireError),
}
