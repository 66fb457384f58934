//! Progress of a running cycle (`step_with_progress`): during a sync of many
//! `eth_getLogs` batches the callback sees the L2 head of the cycle, the
//! block committed so far and the target, growing batch by batch up to the
//! head, and after each committed batch a status snapshot that says so.

use crate::common;

use std::time::Duration;

use common::events;
use common::stub::{Chain, Stub};
use common::{at, put};
use snode_l2::{Deployment, L2Config, L2Tracker, LogSync};

const HEAD: u64 = 1000;

/// A chain at HEAD: node 1 at block 300, node 2 at block 700.
fn chain() -> Chain {
    let mut c = Chain::new(HEAD);
    put(&mut c, 300, events::new_node(1, 1));
    put(&mut c, 700, events::new_node(2, 2));
    c.staking_requirement = Some(20_000_000_000_000);
    c
}

fn cfg(url: &str, max_logs: u64) -> L2Config {
    let mut c = L2Config::new(&[url], Deployment::Current);
    c.timeout = Duration::from_secs(30);
    c.max_logs = max_logs;
    c
}

/// One call of the callback, as seen.
#[derive(Debug, Clone)]
struct Seen {
    head: Option<u64>,
    synced: Option<u64>,
    target: Option<u64>,
    log_sync: Option<LogSync>,
    /// After a committed batch: the status snapshot.
    status: Option<Snapshot>,
}

/// The numbers and summary of a status snapshot.
#[derive(Debug, Clone)]
struct Snapshot {
    l2_height: Option<u64>,
    synced: Option<u64>,
    log_sync: Option<LogSync>,
    registered_nodes: usize,
    summary: String,
}

fn run(t: &mut L2Tracker, secs: u64, stop: impl Fn(&Seen) -> bool) -> (Vec<Seen>, bool) {
    let mut seen = Vec::new();
    let r = t.step_with_progress(at(secs), &mut |p| {
        let status = p.tracker().map(|t| {
            let st = t.status(at(secs));
            Snapshot {
                l2_height: st.l2_height,
                synced: st.synced_height,
                log_sync: st.log_sync,
                registered_nodes: st.registered_nodes,
                summary: st.summary(),
            }
        });
        assert_eq!(p.batch_committed(), status.is_some());
        let s = Seen {
            head: p.head(),
            synced: p.synced(),
            target: p.target(),
            log_sync: p.log_sync(),
            status,
        };
        let go = !stop(&s);
        seen.push(s);
        go
    });
    // the stub has no node list ("0x"): the only error expected
    let unexpected: Vec<_> = r
        .errors
        .iter()
        .filter(|e| !e.starts_with("allServiceNodeIDs() gave no node list"))
        .collect();
    assert!(unexpected.is_empty(), "{r:?}");
    (seen, r.logs_complete)
}

/// The checks every cycle's progress must pass: synced never goes back, each
/// committed batch moves it forward, numbers agree with the snapshot.
fn check_monotonic(seen: &[Seen]) -> Vec<u64> {
    let mut last = None;
    let mut committed = Vec::new();
    for s in seen {
        assert!(s.synced >= last, "synced went back: {seen:#?}");
        if let Some(Snapshot {
            l2_height: height,
            synced,
            log_sync,
            summary,
            ..
        }) = &s.status
        {
            let now = s.synced.expect("a committed batch has a synced block");
            assert!(Some(now) > last, "a batch that moved nothing: {s:?}");
            assert_eq!(s.head, Some(HEAD), "{s:?}");
            assert_eq!(s.target, Some(HEAD), "{s:?}");
            assert_eq!(*height, Some(HEAD), "the snapshot has the cycle's head");
            assert_eq!(*synced, s.synced, "the snapshot agrees");
            assert_eq!(*log_sync, s.log_sync, "the snapshot agrees");
            assert_eq!(log_sync.unwrap().batches, committed.len() as u64 + 1);
            assert!(
                summary.contains(&format!(
                    ", syncing contract logs: synced to block {now} of {HEAD}, "
                )),
                "{summary}"
            );
            committed.push(now);
        }
        if s.target.is_some() {
            assert_eq!(s.head, Some(HEAD), "a target only with a head: {s:?}");
        }
        last = s.synced;
    }
    committed
}

#[test]
fn a_sync_in_batches_reports_growing_progress_up_to_the_head() {
    let stub = Stub::start(chain());
    let dir = tempfile::tempdir().unwrap();
    let mut t = L2Tracker::open(cfg(&stub.url(), 100), dir.path()).unwrap();
    let (seen, complete) = run(&mut t, 0, |_| false);
    assert!(complete);
    // before the height request nothing is known; the head is never invented
    assert_eq!(seen[0].head, None, "{:?}", seen[0]);
    assert_eq!(seen[0].synced, None);
    assert_eq!(seen[0].target, None);
    let committed = check_monotonic(&seen);
    let batches: Vec<u64> = (1..=10).map(|k| k * 100).collect();
    assert_eq!(committed, batches, "one report per batch, up to the head");
    assert_eq!(stub.count("eth_getLogs"), 10);
    let first = seen.iter().find_map(|s| s.log_sync).unwrap();
    assert_eq!((first.from, first.target), (1, HEAD));
    // the snapshot's registry is what the committed batches applied
    let nodes_at = |b: u64| {
        seen.iter()
            .find(|s| s.status.is_some() && s.synced == Some(b))
            .map(|s| s.status.as_ref().unwrap().registered_nodes)
            .unwrap()
    };
    assert_eq!(nodes_at(200), 0);
    assert_eq!(nodes_at(300), 1);
    assert_eq!(nodes_at(600), 1);
    assert_eq!(nodes_at(700), 2);

    // the cycle is over: the finished view, unchanged
    let st = t.status(at(0));
    assert_eq!(st.log_sync, None);
    assert_eq!(t.log_sync(), None);
    assert_eq!(st.synced_height, Some(HEAD));
    let summary = st.summary();
    assert!(
        summary.contains(&format!(", synced {HEAD}, 2 nodes")),
        "{summary}"
    );
    assert!(!summary.contains("syncing"), "{summary}");
    let json = serde_json::to_value(&st).unwrap();
    assert!(json.get("log_sync").is_none(), "{json:#}");

    // a cycle with nothing new to fetch reports no batch and no target
    let (seen, complete) = run(&mut t, 60, |_| false);
    assert!(complete);
    assert!(seen
        .iter()
        .all(|s| s.status.is_none() && s.target.is_none()));
    assert!(seen.iter().all(|s| s.synced == Some(HEAD)), "{seen:?}");
}

#[test]
fn a_range_limited_provider_reports_progress_of_every_small_batch() {
    let stub = Stub::start(chain());
    stub.with(|c| c.max_range = Some(40));
    let dir = tempfile::tempdir().unwrap();
    let mut t = L2Tracker::open(cfg(&stub.url(), 1000), dir.path()).unwrap();
    let (seen, complete) = run(&mut t, 0, |_| false);
    assert!(complete);
    let committed = check_monotonic(&seen);
    // 1000 → 500 → … → 31 blocks a batch once refused
    assert!(committed.len() > 10, "many small batches: {committed:?}");
    assert_eq!(committed.last(), Some(&HEAD), "ends at the head");
    let refused = stub.with(|c| c.log_ranges.iter().filter(|(f, t)| t - f + 1 > 40).count());
    assert!(refused > 0, "the range limit was hit");
}

#[test]
fn a_cycle_stopped_mid_sync_leaves_no_sync_in_progress_and_the_next_resumes() {
    let stub = Stub::start(chain());
    let dir = tempfile::tempdir().unwrap();
    let mut t = L2Tracker::open(cfg(&stub.url(), 100), dir.path()).unwrap();
    let (seen, complete) = run(&mut t, 0, |s| s.status.is_some() && s.synced >= Some(500));
    assert!(!complete);
    assert_eq!(check_monotonic(&seen), [100, 200, 300, 400, 500]);
    let st = t.status(at(0));
    assert_eq!(st.log_sync, None, "no sync in progress after the cycle");
    assert_eq!(st.synced_height, Some(500));
    assert!(st.summary().contains(", synced 500, "), "{}", st.summary());

    stub.with(|c| c.head = HEAD + 50);
    let (seen, complete) = run(&mut t, 60, |_| false);
    assert!(complete);
    assert_eq!(seen[0].synced, Some(500), "the stored block from the start");
    let first = seen.iter().find_map(|s| s.log_sync).unwrap();
    assert_eq!((first.from, first.target), (501, HEAD + 50));
    let committed: Vec<u64> = seen
        .iter()
        .filter(|s| s.status.is_some())
        .map(|s| s.synced.unwrap())
        .collect();
    assert_eq!(committed, [600, 700, 800, 900, 1000, HEAD + 50]);
}
