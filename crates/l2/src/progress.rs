//! Where a tracking cycle is: the L2 head this cycle works towards and the
//! block whose logs are committed so far (told to the caller's callback of
//! [`crate::L2Tracker::step_with_progress`] through [`crate::Progress`]).
//! Every number is an L2 (Arbitrum Sepolia) block the tracker really has.

use serde::Serialize;

/// The contract-log sync of the cycle in progress (`log_sync` in
/// [`crate::L2Status`], present only while a cycle is syncing logs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LogSync {
    /// First L2 block this cycle's sync asked for.
    pub from: u64,
    /// The L2 head of this cycle: the sync ends when its logs are committed.
    pub target: u64,
    /// `eth_getLogs` batches committed this cycle so far.
    pub batches: u64,
}

/// The numbers a cycle has at one point; see [`Progress`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Counts {
    pub(crate) head: Option<u64>,
    pub(crate) synced: Option<u64>,
    pub(crate) log_sync: Option<LogSync>,
}
