//! Where a tracking cycle is, as told to the caller's callback of
//! [`L2Tracker::step_with_progress`]: the L2 head this cycle works towards,
//! the block whose logs are committed so far, and, right after a committed
//! `eth_getLogs` batch, the tracker itself for a status snapshot. Every
//! number is an L2 (Arbitrum Sepolia) block the tracker really has.

use serde::Serialize;

use crate::tracker::L2Tracker;

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

/// What the cycle has done when the callback is called: before every
/// request, and after every committed log batch ([`Progress::tracker`]).
#[derive(Clone, Copy)]
pub struct Progress<'a> {
    pub(crate) counts: Counts,
    pub(crate) tracker: Option<&'a L2Tracker>,
}

impl std::fmt::Debug for Progress<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Progress")
            .field("head", &self.counts.head)
            .field("synced", &self.counts.synced)
            .field("log_sync", &self.counts.log_sync)
            .field("batch_committed", &self.tracker.is_some())
            .finish()
    }
}

impl<'a> Progress<'a> {
    /// The L2 head a provider reported this cycle; `None` until one has.
    pub fn head(&self) -> Option<u64> {
        self.counts.head
    }

    /// Highest L2 block whose contract logs are committed (stored and
    /// applied), as [`L2Tracker::synced_height`].
    pub fn synced(&self) -> Option<u64> {
        self.counts.synced
    }

    /// The contract-log sync of this cycle, while it runs.
    pub fn log_sync(&self) -> Option<LogSync> {
        self.counts.log_sync
    }

    /// The block the log sync works towards (this cycle's head), while it runs.
    pub fn target(&self) -> Option<u64> {
        self.counts.log_sync.map(|s| s.target)
    }

    /// Whether this call comes right after a committed log batch.
    pub fn batch_committed(&self) -> bool {
        self.tracker.is_some()
    }

    /// Right after a committed log batch: the tracker, to take
    /// [`L2Tracker::status`] (with [`crate::L2Status::log_sync`] set) or
    /// other queries from. `None` before a request, when the tracker is in
    /// the middle of it.
    pub fn tracker(&self) -> Option<&'a L2Tracker> {
        self.tracker
    }
}
