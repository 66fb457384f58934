//! Cold sync of the history window against anvil (issue 5 item 7).
//!
//! `cargo bench -p snode-l2 --bench cold_sync` (with `SNODE_ANVIL` set, as
//! `scripts/bench` does). Without `--bench` (`cargo test --all-targets`) it
//! only says so and exits: nothing here is timed in tests.
//!
//! Setup (timed separately): anvil on 127.0.0.1, chain id 421614, genesis at
//! block `GENESIS`; 2,600 `NewServiceNodeV2`, 900 `ServiceNodeExitRequest`,
//! 600 `ServiceNodeExit` and one `StakingRequirementUpdated` at the rewards
//! contract, `PER_TX` logs per transaction (one block each) with `GAP` empty
//! blocks between, all inside the last `HIST_SIZE` blocks. 2,000 nodes stay
//! in the contract (300 of them with an exit requested).
//!
//! Each sync runs in a child process (this binary with `sync URL MAX_LOGS`)
//! with a fresh state directory, so its peak RSS (`VmHWM`) is the tracker's
//! alone: open, `verify_chain_id`, one `step`.

#[path = "../tests/common/mod.rs"]
mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use common::anvil::Anvil;
use common::events::{self, RawLog};
use serde_json::{json, Value};
use snode_eth::Deployment;
use snode_l2::{L2Config, L2Tracker, HIST_SIZE};

/// Nodes registered, of which `EXITED` exit and `EXIT_REQUESTED` (the first
/// ones) ask to exit.
const NODES: u64 = 2_600;
const EXIT_REQUESTED: u64 = 900;
const EXITED: u64 = 600;
/// Logs per transaction (one block) and empty blocks after each.
const PER_TX: usize = 40;
const GAP: u64 = 15;
/// anvil's genesis block number. `anvil_mine` gets slower with every block
/// (foundry-rs/foundry#5499), so the window's first blocks are below genesis:
/// they do not exist, and anvil answers `[]` for them.
const GENESIS: u64 = 100_000;
const MAX_LOGS: [u64; 3] = [1000, 100, 10];

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("sync") {
        sync(&args[1], args[2].parse().expect("MAX_LOGS"));
        return;
    }
    if !args.iter().any(|a| a == "--bench") {
        println!("cold_sync: benchmark only; run scripts/bench (or cargo bench -p snode-l2 --bench cold_sync)");
        return;
    }

    let setup = Instant::now();
    let anvil = Anvil::start_with(&["--number", &GENESIS.to_string()]);
    let contract = format!("0x{}", hex::encode(Deployment::Current.rewards_contract()));
    let mut logs: Vec<RawLog> = (1..=NODES)
        .map(|id| events::new_node_keys(id, events::bls_wide(id), events::ed_wide(id)))
        .collect();
    logs.extend((1..=EXIT_REQUESTED).map(|id| events::exit_request_key(id, events::bls_wide(id))));
    logs.extend((1..=EXITED).map(|id| events::exit_key(id, events::bls_wide(id))));
    let first = anvil.block_number() + 1;
    for chunk in logs.chunks(PER_TX) {
        anvil.emit_batch(&contract, chunk);
        anvil.mine(GAP);
    }
    anvil.emit(&contract, &events::staking_requirement(25_000_000_000_000));
    let head = anvil.block_number();
    assert!(head - first < HIST_SIZE, "events must be in the window");
    let emitted = logs.len() + 1;
    let setup = setup.elapsed();
    println!(
        "setup: {emitted} events in blocks {first}..={head} ({} transactions, window {}..={head}) in {:.1} s",
        logs.len().div_ceil(PER_TX) + 1,
        head + 1 - HIST_SIZE,
        setup.as_secs_f64()
    );

    let exe = std::env::current_exe().unwrap();
    let mut rows = Vec::new();
    for max_logs in MAX_LOGS {
        let out = Command::new(&exe)
            .args(["sync", &anvil.url, &max_logs.to_string()])
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        let r: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(r["events"], emitted, "{r}");
        rows.push(r);
    }
    println!();
    println!("| l2-max-logs | requests | eth_getLogs | eth_call | eth_chainId + eth_blockNumber | sync wall time | events/s | peak RSS (VmHWM) | registered nodes (all known) |");
    println!("|---|---|---|---|---|---|---|---|---|");
    for r in &rows {
        let secs = r["wall_secs"].as_f64().unwrap();
        let requests = r["requests"].as_u64().unwrap();
        let get_logs = r["get_logs"].as_u64().unwrap();
        println!(
            "| {} | {requests} | {get_logs} | {} | 1 + 1 | {:.2} s | {:.0} | {:.1} MiB | {} ({}) |",
            r["max_logs"],
            // one provider: one eth_chainId (start), one eth_blockNumber (no check)
            requests - get_logs - 2,
            secs,
            r["events"].as_f64().unwrap() / secs,
            r["vm_hwm_kib"].as_f64().unwrap() / 1024.0,
            r["registered"],
            r["known"],
        );
    }
}

/// The child: one cold sync, printed as one JSON object.
fn sync(url: &str, max_logs: u64) {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = L2Config::new(&[url], Deployment::Current);
    cfg.max_logs = max_logs;
    cfg.timeout = Duration::from_secs(30);
    let rss_before = proc_status_kib("VmRSS");
    let start = Instant::now();
    let mut t = L2Tracker::open(cfg, dir.path()).unwrap();
    t.verify_chain_id().unwrap();
    let r = t.step(common::t0());
    let wall = start.elapsed();
    assert!(r.logs_complete, "{r:?}");
    let st = t.status(common::t0());
    let c = &st.providers[0].counters;
    assert_eq!(c.failures(), 0, "{c:?}");
    let out = json!({
        "max_logs": max_logs,
        "requests": c.requests,
        // one eth_getLogs per stored batch: no failures, no range refusals
        "get_logs": r.log_batches,
        "range_limited": c.range_limited,
        "wall_secs": wall.as_secs_f64(),
        "events": r.events_applied + r.malformed_logs + r.ignored_logs,
        "registered": st.registered_nodes,
        "known": t.registry().all().count(),
        "events_stored": st.events_stored,
        "vm_rss_before_kib": rss_before,
        "vm_hwm_kib": proc_status_kib("VmHWM"),
    });
    println!("{out}");
}

/// A `kB` field of `/proc/self/status`.
fn proc_status_kib(field: &str) -> u64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap();
    s.lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or_else(|| panic!("no {field} in /proc/self/status"))
}
