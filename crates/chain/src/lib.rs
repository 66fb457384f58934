//! `snode-chain`: stage 1 of the Oxen chain layer — a *follower* that downloads and stores the
//! header chain of an Oxen network (stagenet by default) from oxend peers over `snode-p2p`.
//!
//! What it checks: the block wire format of every hard fork (Pulse, HF19 batching, HF20/HF21
//! Ethereum fields), block ids computed exactly as oxend's `get_block_hash` (tested against the
//! upstream oxend for the stagenet, mainnet and regtest genesis blocks and for every block of a
//! synced regtest chain), prev-id linkage, the timestamp rules (median of the last 11 blocks,
//! at most 10 minutes in the future), the hard-coded checkpoints, that the delivered txs match
//! the block's tx ids, and that heights are consecutive.
//!
//! What it does NOT check (out of scope for stage 1, said plainly): RingCT signatures, range
//! proofs and key images (no full RingCT verification), proof of work / difficulty (it takes the
//! peer's claimed cumulative difficulty when choosing between forks), Pulse quorum signatures,
//! service-node state, L2 events. A node following a dishonest peer can therefore be fed a
//! well-formed but invalid chain; the follower says "follower", never "verified".

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
