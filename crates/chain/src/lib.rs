//! `snode-chain`: stage 1 of the Oxen chain layer — a *follower* that downloads, checks and
//! stores the chain of an Oxen network (stagenet by default) from oxend peers over `snode-p2p`,
//! and serves what it holds to peers that ask (oxend itself syncs from it in the tests).
//!
//! What it checks: the block wire format of every hard fork (Pulse, HF19 batching, HF20/HF21
//! Ethereum fields), block ids computed exactly as oxend's `get_block_hash` (tested against
//! upstream oxend for the stagenet, mainnet and regtest genesis blocks and for every block of
//! synced regtest chains up to HF19), prev-id linkage, consecutive heights, the timestamp
//! rules (not below the median of the last 11 blocks, at most 10 minutes in the future), the
//! hard-coded checkpoints (mainnet only carries any), and that the delivered tx blobs hash to
//! the block's tx ids.
//!
//! What it does NOT check (out of scope for stage 1, said plainly): RingCT signatures, range
//! proofs and key images — **no full RingCT verification** —, proof of work and difficulty (it
//! takes the peer's claimed cumulative difficulty when choosing between forks), Pulse quorum
//! signatures, service-node checkpoints and state, L2 events. A node following a dishonest peer
//! can therefore be fed a well-formed but invalid chain; call it a follower, never "verified".
//! HF20/HF21 block parsing follows oxen-core's serialisation but could not be compared with
//! oxend here (a regtest chain stops at HF19 and no stagenet peer is reachable from tests).
//!
//! Daemon integration: [`FollowerConfig::new`] (network, data dir), peer options through
//! `cfg.p2p.apply_option(key, value, network.default_p2p_port())`, [`Follower::new`], then
//! [`Follower::run`] on a worker thread with a shutdown flag, and [`Follower::status`]
//! (height, target height, top block id, connection counts and list, peer list sizes) from
//! any thread.

pub mod block;
pub mod follower;

pub mod hash;
pub mod network;
pub mod store;

pub mod tx;
pub mod wire;

pub use block::Block;
pub use follower::{Follower, FollowerConfig, FollowerError, FollowerStatus};

pub use hash::Hash;
pub use network::Network;
pub use store::{Store, StoreError};

pub use tx::Transaction;

/// A blob that is not a valid Oxen block or transaction.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("blob ends inside `{field}` (at byte {offset})")]
    Truncated { field: &'static str, offset: usize },
    #[error("malformed varint in `{field}` at byte {offset}")]
    BadVarint { field: &'static str, offset: usize },
    #[error("count of `{field}` at byte {offset} exceeds what the blob can hold")]
    BadCount { field: &'static str, offset: usize },
    #[error("invalid value of `{field}` at byte {offset}")]
    BadValue { field: &'static str, offset: usize },
    #[error("{extra} unexpected bytes after the {what}")]
    TrailingBytes { what: &'static str, extra: usize },
    #[error("unsupported: {0}")]
    Unsupported(&'static str),
}

/// Renders a 32-byte id as oxend prints it (lower-case hex).
pub fn hex_id(h: &Hash) -> String {
    hex::encode(h)
}
