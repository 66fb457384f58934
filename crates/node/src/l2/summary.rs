//! The L2 tracker's summary line in the log (so `journalctl -u
//! oxen-stagenet-node -f` shows life): L2 height, the provider in use
//! (URL redacted), the number of nodes in the contract and this node's
//! state. Logged every [`SUMMARY_EVERY`] (the daemon's
//! `OXEND_STAGENET_SUMMARY_INTERVAL` overrides it) and at once when one of
//! them changes: the height by [`HEIGHT_BUCKET`] blocks, the provider, the
//! node count or the node's state.

use std::time::{Duration, Instant};

use snode_l2::L2Status;

/// How often the summary line is logged when nothing changes.
pub const SUMMARY_EVERY: Duration = Duration::from_secs(300);

/// Environment variable overriding [`SUMMARY_EVERY`], in seconds (decimals
/// allowed, > 0). Read by the daemon at start.
pub const SUMMARY_EVERY_ENV: &str = "OXEND_STAGENET_SUMMARY_INTERVAL";

/// A new height bucket of this many L2 blocks (about 40 minutes of Arbitrum
/// Sepolia) counts as a change.
pub const HEIGHT_BUCKET: u64 = 10_000;

/// What the summary line says, taken from the tracker's status.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Facts {
    /// The L2 head, when a provider told it.
    pub height: Option<u64>,
    /// The highest block whose logs are applied.
    pub synced: Option<u64>,
    /// `stalled at 123 since <UTC>` while the head does not move.
    pub stalled: Option<String>,
    /// The provider in use: its name and redacted URL.
    pub provider: (String, String),
    /// Nodes in the contract.
    pub nodes: usize,
}

impl Facts {
    /// The facts of this status.
    pub fn of(status: &L2Status) -> Facts {
        Facts {
            height: status.l2_height,
            synced: status.synced_height,
            stalled: status
                .stalled
                .as_ref()
                .map(|s| format!("stalled at {} since {}", s.height, s.since_utc)),
            provider: (
                status.provider_in_use.name.clone(),
                status.provider_in_use.url.to_string(),
            ),
            nodes: status.registered_nodes,
        }
    }
}

/// What, when it changes, is logged at once.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Key {
    bucket: Option<u64>,
    provider: String,
    nodes: usize,
    own: String,
}

/// When the summary line is due.
#[derive(Debug)]
pub struct SummaryLog {
    every: Duration,
    last: Option<(Instant, Key)>,
}

impl SummaryLog {
    /// Every `every`, and on every change.
    pub fn new(every: Duration) -> SummaryLog {
        SummaryLog { every, last: None }
    }

    /// The line to log at `now` for this status and this node's state in
    /// words (`registered`, `not a service node`, ...), if one is due: the
    /// first time, when [`SummaryLog::new`]'s period has passed since the
    /// last one, or when the height bucket, the provider in use, the node
    /// count or the node's state changed.
    pub fn due(&mut self, facts: &Facts, own: &str, now: Instant) -> Option<String> {
        let key = Key {
            bucket: facts.height.map(|h| h / HEIGHT_BUCKET),
            provider: facts.provider.0.clone(),
            nodes: facts.nodes,
            own: own.to_string(),
        };
        let due = match &self.last {
            None => true,
            Some((at, last)) => *last != key || now.duration_since(*at) >= self.every,
        };
        if !due {
            return None;
        }
        self.last = Some((now, key));
        Some(line(facts, own))
    }
}

/// `L2 summary: height 1234 (synced 1230) via Primary L2 provider
/// [https://host/…]; 12 nodes in the contract; this node: registered`.
pub fn line(facts: &Facts, own: &str) -> String {
    let height = match (&facts.stalled, facts.height) {
        (Some(stall), _) => stall.clone(),
        (None, Some(h)) => format!("height {h}"),
        (None, None) => "height unknown".to_string(),
    };
    let synced = facts
        .synced
        .map_or("nothing synced yet".to_string(), |h| format!("synced {h}"));
    let (name, url) = &facts.provider;
    format!(
        "L2 summary: {height} ({synced}) via {name} [{url}]; {} nodes in the contract; \
         this node: {own}",
        facts.nodes
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(height: u64, provider: &str, nodes: usize) -> Facts {
        Facts {
            height: Some(height),
            synced: Some(height),
            stalled: None,
            provider: (provider.to_string(), "https://arb.example/…".to_string()),
            nodes,
        }
    }

    #[test]
    fn the_line_has_height_provider_nodes_and_state() {
        let l = line(&status(123_456, "Primary L2 provider", 12), "registered");
        assert_eq!(
            l,
            "L2 summary: height 123456 (synced 123456) via Primary L2 provider \
             [https://arb.example/…]; 12 nodes in the contract; this node: registered"
        );
    }

    #[test]
    fn logged_first_then_every_period_and_on_every_change() {
        let every = Duration::from_secs(300);
        let mut log = SummaryLog::new(every);
        let t0 = Instant::now();
        let s = status(20_000, "Primary L2 provider", 5);
        assert!(log.due(&s, "registered", t0).is_some(), "first");
        // nothing changed, period not over: nothing; the height within its bucket
        assert!(log.due(&s, "registered", t0 + every / 2).is_none());
        let s2 = status(20_500, "Primary L2 provider", 5);
        assert!(log.due(&s2, "registered", t0 + every / 2).is_none());
        // period over: again
        assert!(log.due(&s2, "registered", t0 + every).is_some());
        let t1 = t0 + every;
        // each change at once
        let bucket = status(30_000, "Primary L2 provider", 5);
        assert!(
            log.due(&bucket, "registered", t1).is_some(),
            "height bucket"
        );
        let provider = status(30_000, "Backup L2 provider #1", 5);
        assert!(log.due(&provider, "registered", t1).is_some(), "provider");
        let nodes = status(30_000, "Backup L2 provider #1", 6);
        assert!(log.due(&nodes, "registered", t1).is_some(), "node count");
        assert!(log.due(&nodes, "exit requested", t1).is_some(), "own state");
        assert!(log.due(&nodes, "exit requested", t1).is_none(), "no change");
    }
}
