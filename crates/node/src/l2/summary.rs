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
    pub fn due(&mut self, status: &L2Status, own: &str, now: Instant) -> Option<String> {
        let key = Key {
            bucket: status.l2_height.map(|h| h / HEIGHT_BUCKET),
            provider: status.provider_in_use.name.clone(),
            nodes: status.registered_nodes,
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
        Some(line(status, own))
    }
}

/// `L2 summary: height 1234 (synced 1230) via Primary L2 provider
/// [https://host/…]; 12 nodes in the contract; this node: registered`.
pub fn line(status: &L2Status, own: &str) -> String {
    let height = match (&status.stalled, status.l2_height) {
        (Some(stall), _) => format!("stalled at {} since {}", stall.height, stall.since_utc),
        (None, Some(h)) => format!("height {h}"),
        (None, None) => "height unknown".to_string(),
    };
    let synced = status
        .synced_height
        .map_or("nothing synced yet".to_string(), |h| format!("synced {h}"));
    format!(
        "L2 summary: {height} ({synced}) via {} [{}]; {} nodes in the contract; this node: {own}",
        status.provider_in_use.name, status.provider_in_use.url, status.registered_nodes
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use snode_l2::{Deployment, ProviderInUse, ProviderUrl};

    fn status(height: u64, provider: &str, nodes: usize) -> L2Status {
        L2Status {
            chain_id: 421_614,
            rewards_contract: Deployment::Current.rewards_contract(),
            l2_height: Some(height),
            l2_height_at: None,
            l2_height_age_secs: None,
            synced_height: Some(height),
            provider_in_use: ProviderInUse {
                name: provider.to_string(),
                url: ProviderUrl::new("https://arb.example/v2/SECRETKEY"),
            },
            providers: Vec::new(),
            stalled: None,
            staking_requirement: None,
            registered_nodes: nodes,
            events_stored: 0,
            own_node: None,
            reward_rate: None,
            last_cycle: None,
            log_sync: None,
        }
    }

    #[test]
    fn the_line_has_height_provider_nodes_and_state_and_no_secret() {
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
