//! The L2 tracker in the running daemon (issue 5 acceptance, daemon level):
//! anvil with ServiceNodeRewards events → the daemon's view of the registered
//! nodes and of its own node, across a restart; SIGKILL during a sync; provider
//! faults visible in the admin RPC's counters; switching back to the primary.
//!
//! The anvil runner, event encoders and the fault-injecting stub provider are
//! snode-l2's test helpers, shared rather than copied.

use crate::common;

#[path = "../../l2/tests/common/mod.rs"]
mod l2common;

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use common::{rpc_call as call, stderr, stdout, wait_for, Node, DEADLINE};
use l2common::anvil::Anvil;
use l2common::events::{self, RawLog};
use l2common::stub::{refused_url, Chain, Fault, Stub};
use l2common::SECRET;
use serde_json::Value;
use snode_l2::{Deployment, L2Config, L2Tracker};

fn contract() -> String {
    format!("0x{}", hex::encode(Deployment::Current.rewards_contract()))
}

/// The tracker's status from `get_l2_status` (null while not published).
fn l2(addr: &str) -> Value {
    call(addr, "get_l2_status")["result"]["l2"].clone()
}

/// Polls `get_l2_status` until `done` holds (generous deadline, no timing assertion).
fn wait_l2(node: &mut Node, addr: &str, what: &str, done: impl Fn(&Value) -> bool) -> Value {
    let start = Instant::now();
    loop {
        let v = l2(addr);
        if done(&v) {
            return v;
        }
        if let Some(status) = node.child.as_mut().unwrap().try_wait().unwrap() {
            panic!(
                "daemon exited with {status} waiting for {what}: {}",
                node.stderr()
            );
        }
        assert!(
            start.elapsed() < DEADLINE,
            "timed out waiting for {what}; last status: {v:#}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// This node's keys as event encoders want them.
fn own_keys(addr: &str) -> ([u8; 32], [u8; 64]) {
    let keys = call(addr, "get_service_keys")["result"].clone();
    let ed = hex::decode(keys["service_node_ed25519_pubkey"].as_str().unwrap()).unwrap();
    let bls = hex::decode(keys["service_node_bls_pubkey"].as_str().unwrap()).unwrap();
    (ed.try_into().unwrap(), bls.try_into().unwrap())
}

/// `NewServiceNodeV2` for arbitrary keys (the encoder's layout, these keys).
fn new_node_with(id: u64, ed: &[u8; 32], bls: &[u8; 64]) -> RawLog {
    let mut log = events::new_node(id, 1);
    log.data[32..96].copy_from_slice(bls);
    log.data[96..128].copy_from_slice(ed);
    log
}

fn exit_request_with(id: u64, bls: &[u8; 64]) -> RawLog {
    let mut log = events::exit_request(id, 1);
    log.data[32..96].copy_from_slice(bls);
    log
}

fn config(providers: &[String], extra: &str) -> String {
    let lines: String = providers
        .iter()
        .map(|p| format!("l2-provider={p}\n"))
        .collect();
    format!(
        "data-dir={{DIR}}/data\nlog-file={{DIR}}/log/node.log\nservice-node=1\nstagenet=1\n\
         service-node-public-ip=1.2.3.4\nrpc-admin=127.0.0.1:0\n{lines}\
         l2-refresh=0.2\n{extra}"
    )
}

fn assert_no_secret(node: &Node, texts: &[&str]) {
    let logs = format!("{}\n{}", node.stderr(), node.log());
    assert!(
        !logs.contains(SECRET),
        "provider secret in the logs: {logs}"
    );
    for t in texts {
        assert!(!t.contains(SECRET), "provider secret in output: {t}");
    }
}

#[test]
fn registered_nodes_and_own_state_match_the_contract_across_a_restart() {
    let anvil = Anvil::start();
    let url = format!("{}/?apikey={SECRET}", anvil.url);
    let mut node = Node::with_config(&config(std::slice::from_ref(&url), ""));
    let addr = node.start(&[], &[]);
    let (ed, bls) = own_keys(&addr);

    let c = contract();
    anvil.emit(&c, &new_node_with(1, &ed, &bls));
    // what the emitter answers to stakingRequirement() (not the deploy-time 20,000)
    anvil.set_staking_requirement(&c, 25_000_000_000_000);
    anvil.emit(&c, &events::new_node(2, 2));
    anvil.emit(&c, &events::exit_request(2, 2));
    anvil.emit(&c, &events::new_node(3, 3));
    anvil.emit(&c, &events::exit(3, 3));
    // another contract's log is not followed
    anvil.emit(
        "0x00000000000000000000000000000000000000aa",
        &events::new_node(8, 8),
    );
    let head = anvil.block_number();

    let v = wait_l2(&mut node, &addr, "the sync", |v| {
        v["synced_height"].as_u64() >= Some(head) && !v["staking_requirement"].is_null()
    });
    assert_eq!(v["registered_nodes"], 2, "{v:#}");
    assert_eq!(v["events_stored"], 5, "{v:#}");
    assert_eq!(v["own_node"]["state"], "registered");
    assert_eq!(v["own_node"]["service_node_id"], 1);
    assert_eq!(v["provider_in_use"]["name"], "Primary L2 provider");
    assert_eq!(v["l2_height"].as_u64(), Some(head));
    let st = call(&addr, "get_service_node_status")["result"]["service_node_state"].clone();
    assert_eq!(st["registration_state"], "registered", "{st:#}");
    assert_eq!(st["l2_service_node_id"], 1);
    assert_eq!(st["l2_contract_state"], "registered");
    assert!(st.get("registration_height").is_none(), "no Oxen height");
    let info = call(&addr, "get_info")["result"].clone();
    let line = info["status_line"].as_str().unwrap();
    assert!(
        line.contains(&format!(
            "L2 height {head} via Primary L2 provider [http://127.0.0.1:"
        )),
        "{line}"
    );
    assert!(line.ends_with("SN: registered"), "{line}");

    let status = node.client(&addr, &["status"]);
    assert!(status.status.success(), "{}", stderr(&status));
    let s = stdout(&status);
    assert!(s.contains(&format!("\nL2 height: {head} (")), "{s}");
    assert!(
        s.contains(&format!("synced to L2 block {head}; 2 nodes registered")),
        "{s}"
    );
    assert!(
        s.contains("\nL2 provider in use: Primary L2 provider [http://127.0.0.1:"),
        "{s}"
    );
    assert!(
        s.contains("\n  Primary L2 provider [http://127.0.0.1:"),
        "{s}"
    );
    assert!(s.contains(" registered\n"), "{s}");
    assert!(
        s.contains("\nSN in the L2 contract: registered (contract id 1"),
        "{s}"
    );
    assert!(!s.contains("Height:"), "no invented Oxen height: {s}");
    let sn = node.client(&addr, &["print_sn_status", "+detail"]);
    let t = stdout(&sn);
    assert!(
        t.starts_with("Service Node Registration State [1]\n  [0] Service Node: "),
        "{t}"
    );
    assert!(
        t.contains("    Registration: ServiceNodeRewards 0x9d8a"),
        "{t}"
    );
    assert!(
        t.contains("    Current Status: registered (L2 contract)"),
        "{t}"
    );
    assert!(t.contains("    Operator Address: 0x7070"), "{t}");
    assert!(
        t.contains("    Staking Requirement: 25000.000000000 SESH"),
        "read from the contract: {t}"
    );
    let l2s = node.client(&addr, &["l2_status"]);
    let l2t = stdout(&l2s);
    assert!(
        l2t.contains("This node in the contract: registered (contract id 1"),
        "{l2t}"
    );
    assert!(l2t.contains("(contract id 2)"), "{l2t}");
    let raw = serde_json::to_string(&call(&addr, "get_l2_status")).unwrap()
        + &serde_json::to_string(&info).unwrap();
    assert_no_secret(&node, &[&s, &t, &l2t, &raw]);
    node.signal("-TERM");
    assert!(node.wait().success());

    // While the daemon is down: this node asks to leave, node 4 joins.
    anvil.emit(&c, &exit_request_with(1, &bls));
    anvil.emit(&c, &events::new_node(4, 4));
    let head2 = anvil.block_number();
    let addr = node.start(&[], &[]);
    // The first view published (the stored one, or one after a cycle) never
    // goes back to "not registered" or before what was synced.
    let first = wait_l2(&mut node, &addr, "the first view", |v| !v.is_null());
    assert_ne!(first["own_node"]["state"], "not_registered", "{first:#}");
    assert!(first["synced_height"].as_u64() >= Some(head), "{first:#}");
    let v = wait_l2(&mut node, &addr, "the second sync", |v| {
        v["synced_height"].as_u64() >= Some(head2)
    });
    assert_eq!(v["own_node"]["state"], "exit_requested", "{v:#}");
    assert_eq!(v["registered_nodes"], 3, "1 and 2 leaving, 4 new: {v:#}");
    assert_eq!(v["events_stored"], 7, "only the two new events: {v:#}");
    assert_eq!(v["last_cycle"]["events_duplicate"], 0);
    let st = call(&addr, "get_service_node_status")["result"]["service_node_state"].clone();
    assert_eq!(st["registration_state"], "exit requested");
    let info = call(&addr, "get_info")["result"].clone();
    assert!(info["status_line"]
        .as_str()
        .unwrap()
        .ends_with("SN: exit requested"));
    node.signal("-TERM");
    assert!(node.wait().success());
    assert_no_secret(&node, &[]);
}

#[test]
fn sigkill_during_sync_then_restart_loses_and_duplicates_no_event() {
    let anvil = Anvil::start();
    let c = contract();
    let mut emitted = BTreeSet::new();
    for n in 1..=20u8 {
        emitted.insert(anvil.emit(&c, &events::new_node(n.into(), n)));
    }
    for n in 1..=6u8 {
        emitted.insert(anvil.emit(&c, &events::exit_request(n.into(), n)));
    }
    let head = anvil.block_number();
    // A slow provider in front of anvil: one block per eth_getLogs, 100 ms each.
    let proxy = Stub::start(Chain::new(0));
    proxy.with(|ch| ch.forward = Some((anvil.url.clone(), Duration::from_millis(100))));
    let conf = config(
        &[proxy.url()],
        "l2-max-logs=1\nlog-level=warning,l2_tracker=debug\n",
    );
    let mut node = Node::with_config(&conf);
    node.start(&[], &[]);
    wait_for(
        "sync progress",
        || node.log(),
        || node.log().matches("L2 logs synced up to block").count() >= 5,
    );
    node.signal("-KILL");
    let status = node.wait();
    assert!(!status.success());

    // Killed in the middle: something, not everything, is stored.
    let state_dir = node.data_dir().join("l2");
    {
        let t = L2Tracker::open(
            L2Config::new(&[&anvil.url], Deployment::Current),
            &state_dir,
        )
        .unwrap();
        let synced = t
            .synced_height()
            .expect("batches were committed before the kill");
        assert!(synced < head, "the kill came after the sync ended");
    }

    // Restart straight against anvil.
    node.write_config(
        &config(std::slice::from_ref(&anvil.url), "")
            .replace("{DIR}", &node.dir.path().display().to_string()),
    );
    let addr = node.start(&[], &[]);
    let v = wait_l2(&mut node, &addr, "the sync after the kill", |v| {
        v["synced_height"].as_u64() >= Some(head)
    });
    assert_eq!(v["events_stored"], 26, "{v:#}");
    assert_eq!(v["registered_nodes"], 20, "{v:#}");
    node.signal("-TERM");
    assert!(node.wait().success());
    let t = L2Tracker::open(
        L2Config::new(&[&anvil.url], Deployment::Current),
        &state_dir,
    )
    .unwrap();
    let events = t.recent_events(1000).unwrap();
    assert_eq!(events.len(), 26, "none lost, none duplicated");
    let keys: BTreeSet<_> = events.iter().map(|e| e.key()).collect();
    assert_eq!(keys.len(), 26);
    let blocks: BTreeSet<u64> = events.iter().map(|e| e.block).collect();
    assert_eq!(blocks, emitted);
}

/// A fault-injecting primary, a good backup and a refused third provider: for
/// each fault the daemon keeps running and serving, fails over or adapts, and
/// `get_l2_status` shows the counter.
#[test]
fn provider_faults_keep_the_daemon_running_and_show_in_the_counters() {
    const HEAD: u64 = 5000;
    let chain = |head| {
        let mut ch = Chain::new(head);
        ch.logs.push((
            HEAD - 10,
            events::new_node(1, 1).to_json(&contract(), HEAD - 10, 0),
        ));
        ch
    };
    let primary = Stub::start(chain(HEAD));
    let backup = Stub::start(chain(HEAD));
    let providers = [primary.url(), backup.url(), refused_url()];
    let conf = config(
        &providers,
        "l2-timeout=1\nl2-check-interval=0.5\nl2-check-threshold=100\nl2-max-logs=5000\n",
    );
    let mut node = Node::with_config(&conf);
    let addr = node.start(&[], &[]);
    wait_l2(&mut node, &addr, "the first sync", |v| {
        v["synced_height"].as_u64() >= Some(HEAD)
    });

    let cases: Vec<(&str, Option<Fault>, &str)> = vec![
        (
            "timeout",
            Some(Fault::Hang(Duration::from_secs(3))),
            "timeout",
        ),
        ("HTTP 429", Some(Fault::Http(429)), "http_status"),
        ("HTTP 500", Some(Fault::Http(500)), "http_status"),
        (
            "JSON-RPC -32005",
            Some(Fault::RpcError(
                -32005,
                "daily request count exceeded".into(),
            )),
            "jsonrpc_error",
        ),
        ("garbage", Some(Fault::Garbage), "malformed"),
        ("null result", Some(Fault::NullResult), "null_result"),
    ];
    let counter =
        |v: &Value, i: usize, k: &str| v["providers"][i]["counters"][k].as_u64().unwrap_or(0);
    for (name, fault, kind) in cases {
        let before = counter(&l2(&addr), 0, kind);
        primary.set_fault(fault);
        let v = wait_l2(&mut node, &addr, name, |v| counter(v, 0, kind) > before);
        assert_eq!(v["providers"][0]["health"], "failing", "{name}: {v:#}");
        primary.set_fault(None);
        // back to the primary at a later check
        wait_l2(&mut node, &addr, name, |v| {
            v["provider_in_use"]["name"] == "Primary L2 provider"
                && v["providers"][0]["health"] == "good"
        });
        assert!(
            call(&addr, "get_info").get("result").is_some(),
            "still answering"
        );
    }
    // Connection refused: the third provider at every check.
    wait_l2(&mut node, &addr, "connection refused", |v| {
        counter(v, 2, "connection") > 0
    });
    // A primary lagging by more than l2-check-threshold is demoted.
    primary.with(|ch| ch.head = HEAD - 500);
    backup.with(|ch| ch.head = HEAD + 1);
    let v = wait_l2(&mut node, &addr, "lagging", |v| {
        counter(v, 0, "lagging") > 0 && v["provider_in_use"]["name"] == "Backup L2 provider #1"
    });
    assert_eq!(v["providers"][0]["health"], "lagging");
    // A range limit on the provider in use: the range shrinks.
    backup.with(|ch| {
        ch.max_range = Some(2);
        ch.head = HEAD + 10;
    });
    let v = wait_l2(&mut node, &addr, "range limit", |v| {
        counter(v, 1, "range_limited") > 0 && v["synced_height"].as_u64() >= Some(HEAD + 10)
    });
    assert!(
        v["providers"][1]["max_logs"].as_u64().unwrap() <= 2,
        "{v:#}"
    );

    let status = node.client(&addr, &["status"]);
    assert!(status.status.success());
    let s = stdout(&status);
    assert!(
        s.contains("\n  Primary L2 provider [http://127.0.0.1:"),
        "{s}"
    );
    assert!(s.contains("range limited"), "{s}");
    assert!(
        s.contains("Backup L2 provider #2 [http://127.0.0.1:"),
        "{s}"
    );
    let l2s = stdout(&node.client(&addr, &["l2_status", "+json"]));
    assert!(l2s.contains("\"range_limited\""), "{l2s}");
    assert_no_secret(&node, &[&s, &l2s]);
    node.signal("-TERM");
    assert!(node.wait().success(), "the daemon ran through every fault");
}

#[test]
fn two_providers_switch_back_to_the_primary_at_the_next_check() {
    const HEAD: u64 = 900;
    let primary = Stub::start(Chain::new(HEAD));
    let backup = Stub::start(Chain::new(HEAD));
    primary.set_fault(Some(Fault::Http(503)));
    let conf = config(
        &[primary.url(), backup.url()],
        "l2-check-interval=0.5\nlog-level=warning,l2_tracker=info\n",
    );
    let mut node = Node::with_config(&conf);
    let addr = node.start(&[], &[]);
    let v = wait_l2(&mut node, &addr, "failover to the backup", |v| {
        v["provider_in_use"]["name"] == "Backup L2 provider #1"
            && v["synced_height"].as_u64() >= Some(HEAD)
    });
    assert!(v["providers"][0]["counters"]["http_status"].as_u64() > Some(0));
    let status = stdout(&node.client(&addr, &["status"]));
    assert!(
        status.contains("\nL2 provider in use: Backup L2 provider #1 [http://127.0.0.1:"),
        "{status}"
    );

    primary.set_fault(None);
    primary.with(|c| c.head = HEAD + 5);
    backup.with(|c| c.head = HEAD + 5);
    wait_l2(&mut node, &addr, "the switch back", |v| {
        v["provider_in_use"]["name"] == "Primary L2 provider"
    });
    wait_for(
        "the switch back in the log",
        || node.log(),
        || {
            node.log()
                .contains("is available again; switching back to it")
        },
    );
    node.signal("-TERM");
    assert!(node.wait().success());
    assert_no_secret(&node, &[&status]);
}

/// Datagrams received on a test NOTIFY_SOCKET, read by a background thread.
struct NotifySocket {
    path: std::path::PathBuf,
    messages: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl NotifySocket {
    fn bind(path: std::path::PathBuf) -> NotifySocket {
        let sock = std::os::unix::net::UnixDatagram::bind(&path).unwrap();
        let messages = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let m = messages.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = sock.recv(&mut buf) {
                m.lock()
                    .unwrap()
                    .push(String::from_utf8_lossy(&buf[..n]).into_owned());
            }
        });
        NotifySocket { path, messages }
    }

    fn messages(&self) -> Vec<String> {
        self.messages.lock().unwrap().clone()
    }

    /// Waits until `done` holds for the messages so far (generous deadline).
    fn wait_for(&self, what: &str, done: impl Fn(&[String]) -> bool) -> Vec<String> {
        let start = Instant::now();
        loop {
            let m = self.messages();
            if done(&m) {
                return m;
            }
            assert!(
                start.elapsed() < DEADLINE,
                "no {what}; notifications: {m:?}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

fn settings_for(dir: &std::path::Path, provider: &str, extra: &str) -> snode_conf::Settings {
    let conf = format!(
        "data-dir={}\nservice-node=1\nstagenet=1\nservice-node-public-ip=1.2.3.4\n\
         l2-provider={provider}\nl2-skip-chainid=1\n{extra}",
        dir.display(),
    );
    let doc = snode_conf::parse(&conf, "test.conf").unwrap();
    snode_conf::Settings::from_sources(Some(&doc), &[]).unwrap()
}

/// A tracker cycle stuck on a provider that does not answer stops the daemon's
/// `WATCHDOG=1` (the worker's heartbeat is overdue), so systemd would restart
/// it: after the first `STATUS=…; STUCK: L2 tracker` no `WATCHDOG=1` arrives
/// while the request is held.
#[test]
fn a_stuck_tracker_withholds_watchdog_and_says_so_in_status() {
    let _one_daemon = common::in_process_daemon();
    use snode_node::daemon::{self, DaemonOptions};
    use snode_node::notify::Notifier;
    use snode_node::shutdown::Shutdown;

    let hanging = Stub::start(Chain::new(100));
    let dir = tempfile::tempdir().unwrap();
    let settings = settings_for(dir.path(), &hanging.url(), "l2-timeout=3600\n");
    let tracker = snode_node::l2::open(&settings).unwrap().unwrap();
    hanging.set_fault(Some(Fault::Hold));
    let notify = NotifySocket::bind(dir.path().join("notify.sock"));

    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let shutdown = Shutdown::new();
    let mut opts = DaemonOptions::new(shutdown.clone());
    opts.listeners = Some(vec![listener]);
    opts.watchdog_interval = Duration::from_millis(50);
    opts.notifier = Notifier::to(&notify.path);
    opts.join_within = Duration::from_millis(200);
    // no snode_node::l2::extension(): this test runs the tracker worker itself,
    // with a short heartbeat
    opts.workers.push(snode_node::l2::worker(
        tracker,
        Duration::from_secs(1),
        Duration::from_millis(300),
    ));
    let runner = std::thread::spawn(move || daemon::run(settings, opts));
    let stuck = |m: &String| m.contains("; STUCK: L2 tracker");
    // three STUCK statuses in a row after the stall began
    let m = notify.wait_for("STUCK status", |m| {
        m.iter().filter(|m| stuck(m)).count() >= 3
    });
    assert!(hanging.with(|c| c.holding) > 0, "the request is still held");
    let first = m.iter().position(stuck).unwrap();
    for later in &m[first..] {
        assert!(
            !later.contains("WATCHDOG=1"),
            "watchdog pinged while stuck: {m:?}"
        );
    }
    assert!(m[first].contains("STATUS=v"), "{m:?}");
    shutdown.trigger("test");
    runner.join().unwrap().unwrap();
    let m = notify.messages();
    assert!(m.iter().any(|m| m.contains("STOPPING=1")), "{m:?}");
    hanging.with(|c| c.release = true);
}

/// A cold sync of many slow but answered requests takes longer than the
/// heartbeat allows, yet the tracker is never stuck: it reports after every
/// request, not once per cycle.
///
/// By construction, not by the clock: the stub delays each of the
/// `BATCHES` `eth_getLogs` answers by `DELAY`, so the one cycle lasts at
/// least `BATCHES × DELAY`, more than `WITHIN` (checked below on the
/// constants): a heartbeat once per cycle would be overdue. One request
/// (`DELAY` plus a batch commit) stays far inside `WITHIN` even on a loaded
/// machine.
#[test]
fn a_slow_but_progressing_sync_keeps_the_watchdog_fed() {
    let _one_daemon = common::in_process_daemon();
    use snode_node::daemon::{self, DaemonOptions};
    use snode_node::notify::Notifier;
    use snode_node::shutdown::Shutdown;

    const BATCHES: u64 = 50;
    const BLOCKS: u64 = 100; // l2-max-logs
    const HEAD: u64 = BATCHES * BLOCKS;
    const DELAY: Duration = Duration::from_millis(250);
    const WITHIN: Duration = Duration::from_secs(10);
    assert!(
        DELAY * BATCHES as u32 > WITHIN,
        "the cycle must outlast one heartbeat period for this test to mean anything"
    );
    let slow = Stub::start(Chain::new(HEAD));
    slow.with(|c| c.logs_delay = DELAY);
    let dir = tempfile::tempdir().unwrap();
    let settings = settings_for(
        dir.path(),
        &slow.url(),
        &format!("l2-max-logs={BLOCKS}\nl2-timeout=30\n"),
    );
    let tracker = snode_node::l2::open(&settings).unwrap().unwrap();
    let notify = NotifySocket::bind(dir.path().join("notify.sock"));

    let shutdown = Shutdown::new();
    let mut opts = DaemonOptions::new(shutdown.clone());
    opts.listeners = Some(vec![std::net::TcpListener::bind("127.0.0.1:0").unwrap()]);
    opts.watchdog_interval = Duration::from_millis(50);
    opts.notifier = Notifier::to(&notify.path);
    // a refresh far beyond the test: every batch belongs to the first cycle
    opts.workers.push(snode_node::l2::worker(
        tracker,
        Duration::from_secs(3600),
        WITHIN,
    ));
    let (tx, rx) = std::sync::mpsc::channel();
    opts.workers.push(Box::new(
        move |ctx: std::sync::Arc<snode_node::server::Ctx>| {
            let start = Instant::now();
            let mut ever_stuck = Vec::new();
            while start.elapsed() < DEADLINE {
                ever_stuck.extend(ctx.state.stuck_workers());
                let synced = ctx.state.l2().and_then(|v| v.status.synced_height);
                if synced >= Some(HEAD) {
                    break;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = tx.send(ever_stuck);
        },
    ));
    let runner = std::thread::spawn(move || daemon::run(settings, opts));
    let ever_stuck = rx.recv().unwrap();
    assert!(ever_stuck.is_empty(), "reported stuck: {ever_stuck:?}");
    // all of them, each once, in the one cycle
    assert_eq!(slow.count("eth_getLogs") as u64, BATCHES);
    let m = notify.messages();
    assert!(!m.iter().any(|m| m.contains("STUCK")), "{m:?}");
    assert!(m.iter().any(|m| m.contains("WATCHDOG=1")), "{m:?}");
    shutdown.trigger("test");
    runner.join().unwrap().unwrap();
}

/// SIGTERM while the provider holds a request open (l2-timeout of an hour):
/// the daemon sends STOPPING=1 and exits 0 at once, while the stub still
/// holds the request.
#[test]
fn sigterm_while_a_provider_hangs_exits_cleanly() {
    let stub = Stub::start(Chain::new(100));
    stub.with(|c| {
        c.fault = Some(Fault::Hold);
        c.fault_methods = Some(vec!["eth_getLogs"]);
    });
    let conf = config(&[stub.url()], "l2-timeout=3600\n");
    let mut node = Node::with_config(&conf);
    let notify = NotifySocket::bind(node.path("notify.sock"));
    let sock = notify.path.display().to_string();
    node.start(&[], &[("NOTIFY_SOCKET", sock.as_str())]);
    wait_for(
        "an eth_getLogs held",
        || node.log(),
        || stub.with(|c| c.holding) > 0,
    );
    node.signal("-TERM");
    let status = node.wait();
    assert!(status.success(), "{status}: {}", node.stderr());
    assert!(
        stub.with(|c| c.holding) > 0,
        "the daemon exited while the stub still held the request"
    );
    let m = notify.wait_for("STOPPING=1", |m| m.iter().any(|m| m.contains("STOPPING=1")));
    assert!(m[0].contains("READY=1"), "{m:?}");
    let log = node.log();
    assert!(log.contains("oxend-stagenet stopped"), "{log}");
    assert!(log.contains("exiting without it"), "{log}");
    stub.with(|c| c.release = true);
}

/// SIGTERM during a long sync of answered requests: the tracker stops at the
/// next request, is joined (no "exiting without it"), and what it stored stays.
/// The daemon's join limit is raised to ten minutes (`OXEND_STAGENET_JOIN_WITHIN`),
/// so only a tracker that does not stop could miss it, not a slow machine.
#[test]
fn sigterm_during_a_long_sync_stops_the_tracker_between_requests() {
    const HEAD: u64 = 100_000;
    let stub = Stub::start(Chain::new(HEAD));
    stub.with(|c| c.logs_delay = Duration::from_millis(20));
    // 16,800 blocks one at a time: far more requests than the test waits for
    let conf = config(
        &[stub.url()],
        "l2-max-logs=1\nl2-timeout=30\nlog-level=warning,l2_tracker=debug,global=info\n",
    );
    let mut node = Node::with_config(&conf);
    node.start(&[], &[(snode_node::daemon::JOIN_WITHIN_ENV, "600")]);
    wait_for(
        "sync progress",
        || node.log(),
        || stub.count("eth_getLogs") >= 5,
    );
    node.signal("-TERM");
    assert!(node.wait().success(), "{}", node.stderr());
    let log = node.log();
    assert!(log.contains("L2 cycle stopped for shutdown"), "{log}");
    assert!(!log.contains("exiting without it"), "joined: {log}");
    assert!(stub.count("eth_getLogs") < 16_800, "stopped mid-sync");
}

/// A cold sync in many `eth_getLogs` batches shows how far it is while it
/// runs: `get_l2_status`, `get_info`'s status line, `status`, `l2_status`
/// and systemd's `STATUS=` say `synced to block S of N` with the block the
/// tracker has committed, not the old view until the cycle ends. Paused by
/// construction: the stub holds the request for the blocks after `SYNCED`
/// until the test lets it go, so the view is read while the sync stands
/// there (the view is published before the next request is sent).
#[test]
fn a_long_sync_shows_the_block_synced_to_while_it_runs() {
    const HEAD: u64 = 1000;
    const SYNCED: u64 = 500; // 5 batches of l2-max-logs=100, then held
    let stub = Stub::start(Chain::new(HEAD));
    stub.with(|c| {
        c.hold_logs_from = Some(SYNCED + 1);
        c.staking_requirement = Some(20_000_000_000_000);
    });
    let conf = config(&[stub.url()], "l2-max-logs=100\nl2-timeout=3600\n");
    let mut node = Node::with_config(&conf);
    let notify = NotifySocket::bind(node.path("notify.sock"));
    let sock = notify.path.display().to_string();
    let addr = node.start(
        &["--watchdog-interval", "0.1"],
        &[("NOTIFY_SOCKET", sock.as_str())],
    );
    wait_for(
        "an eth_getLogs held",
        || node.log(),
        || stub.with(|c| c.holding) > 0,
    );
    assert_eq!(
        stub.with(|c| c.log_ranges.last().copied()),
        Some((SYNCED - 99, SYNCED)),
        "five batches answered (the held one is recorded once answered)"
    );

    // the view while the sync is held
    let r = call(&addr, "get_l2_status")["result"].clone();
    let v = &r["l2"];
    let synced = v["synced_height"].as_u64().expect("batches were committed");
    assert!(0 < synced && synced < HEAD, "{v:#}");
    assert_eq!(synced, SYNCED, "{v:#}");
    assert_eq!(v["l2_height"].as_u64(), Some(HEAD), "{v:#}");
    assert_eq!(v["log_sync"]["from"], 1, "{v:#}");
    assert_eq!(v["log_sync"]["target"], HEAD, "{v:#}");
    assert_eq!(v["log_sync"]["batches"], 5, "{v:#}");
    let syncing = format!(", syncing contract logs: synced to block {SYNCED} of {HEAD}, 0 nodes");
    let summary = r["summary"].as_str().unwrap();
    assert!(
        summary.starts_with(&format!(
            "L2 height {HEAD} via Primary L2 provider [http://127.0.0.1:"
        )),
        "{summary}"
    );
    assert!(summary.ends_with(&syncing), "{summary}");
    let line = call(&addr, "get_info")["result"]["status_line"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(line.contains(&syncing), "{line}");
    // "not registered" is not claimed before the rest of the logs are read
    assert!(line.ends_with("; SN: registration unknown"), "{line}");
    let s = stdout(&node.client(&addr, &["status"]));
    assert!(s.contains(&format!("\nL2 height: {HEAD} (")), "{s}");
    assert!(
        s.contains(&format!(
            ", syncing contract logs: synced to L2 block {SYNCED} of {HEAD}; 0 nodes registered"
        )),
        "{s}"
    );
    assert!(!s.contains("Height:"), "no Oxen height: {s}");
    let l2t = stdout(&node.client(&addr, &["l2_status"]));
    assert!(
        l2t.contains(&format!(
            "This node in the contract: unknown until the contract logs are synced \
             (synced to L2 block {SYNCED} of {HEAD})"
        )),
        "{l2t}"
    );
    notify.wait_for("STATUS= with the sync", |m| {
        m.iter()
            .any(|m| m.contains("STATUS=") && m.contains(&syncing))
    });

    // This node registers in a block not read yet; the sync goes on.
    let (ed, bls) = own_keys(&addr);
    stub.with(|c| {
        c.logs.push((
            HEAD - 100,
            new_node_with(1, &ed, &bls).to_json(&contract(), HEAD - 100, 0),
        ));
        c.hold_logs_from = None;
    });
    let v = wait_l2(&mut node, &addr, "the end of the sync", |v| {
        v["synced_height"].as_u64() >= Some(HEAD) && v.get("log_sync").is_none()
    });
    assert_eq!(v["own_node"]["state"], "registered", "{v:#}");
    let r = call(&addr, "get_l2_status")["result"].clone();
    let summary = r["summary"].as_str().unwrap();
    assert!(
        summary.ends_with(&format!(", synced {HEAD}, 1 nodes")),
        "{summary}"
    );
    let line = call(&addr, "get_info")["result"]["status_line"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(!line.contains("syncing"), "{line}");
    assert!(line.ends_with("; SN: registered"), "{line}");
    let s = stdout(&node.client(&addr, &["status"]));
    assert!(
        s.contains(&format!("synced to L2 block {HEAD}; 1 nodes registered")),
        "{s}"
    );
    assert!(!s.contains("syncing"), "{s}");
    node.signal("-TERM");
    assert!(node.wait().success());
    assert_no_secret(&node, &[&s, &l2t, summary]);
}

/// The daemon's summary lines in its log file (what `journalctl -f` shows).
fn summary_lines(node: &Node) -> Vec<String> {
    node.log()
        .lines()
        .filter(|l| l.contains("L2 summary: "))
        .map(str::to_string)
        .collect()
}

/// Waits until the log's summary lines satisfy `done`; returns them.
fn wait_summary(node: &Node, what: &str, done: impl Fn(&[String]) -> bool) -> Vec<String> {
    wait_for(what, || node.log(), || done(&summary_lines(node)));
    summary_lines(node)
}

/// (height bucket of 10,000 blocks, provider, node count, own state) of a summary line.
fn summary_key(line: &str) -> (u64, String, String, String) {
    let rest = &line[line.find("L2 summary: height ").expect(line) + 19..];
    let height: u64 = rest.split(' ').next().unwrap().parse().expect(line);
    let via = &rest[rest.find(" via ").expect(line) + 5..];
    let provider = via[..via.find(" [").expect(line)].to_string();
    let nodes = via[via.find("]; ").expect(line) + 3..]
        .split(' ')
        .next()
        .unwrap()
        .to_string();
    let state = line[line.find("this node: ").expect(line) + 11..].to_string();
    (height / 10_000, provider, nodes, state)
}

/// `journalctl -u oxen-stagenet-node -f` shows life (issue 12.12): at the
/// default log level the daemon logs an L2 summary line (height, provider
/// redacted, node count, own state) every OXEND_STAGENET_SUMMARY_INTERVAL,
/// and at once when the node count changes.
#[test]
fn the_log_shows_an_l2_summary_periodically_and_on_changes() {
    const HEAD: u64 = 5000;
    let chain = || {
        let mut ch = Chain::new(HEAD);
        ch.logs.push((
            HEAD - 10,
            events::new_node(1, 1).to_json(&contract(), HEAD - 10, 0),
        ));
        ch
    };
    let interval = snode_node::l2::summary::SUMMARY_EVERY_ENV;

    // every period (a short one for the test), with nothing changing
    let stub = Stub::start(chain());
    let mut node = Node::with_config(&config(&[stub.url()], ""));
    node.start(&[], &[(interval, "0.1")]);
    let lines = wait_summary(&node, "three summary lines", |l| l.len() >= 3);
    let port = stub
        .url()
        .split(':')
        .nth(2)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_string();
    for l in &lines {
        assert!(l.contains("[global:info]"), "{l}");
        assert!(
            l.contains(&format!(
                " via Primary L2 provider [http://127.0.0.1:{port}/…]; "
            )),
            "{l}"
        );
        assert!(l.contains(" nodes in the contract; this node: "), "{l}");
    }
    let last = wait_summary(&node, "the synced head", |l| {
        l.last()
            .is_some_and(|l| l.contains(&format!("height {HEAD} (synced {HEAD})")))
    });
    assert!(
        last.last()
            .unwrap()
            .ends_with("; 1 nodes in the contract; this node: not registered"),
        "{last:?}"
    );
    assert_no_secret(&node, &[]);
    drop(node);

    // on a change, at once: the period is an hour
    let stub = Stub::start(chain());
    let mut node = Node::with_config(&config(&[stub.url()], ""));
    node.start(&[], &[(interval, "3600")]);
    wait_summary(&node, "the first sync", |l| {
        l.last()
            .is_some_and(|l| l.contains("1 nodes in the contract"))
    });
    stub.with(|c| {
        c.head = HEAD + 20;
        c.logs.push((
            HEAD + 10,
            events::new_node(2, 2).to_json(&contract(), HEAD + 10, 0),
        ));
    });
    let lines = wait_summary(&node, "the new node", |l| {
        l.last()
            .is_some_and(|l| l.contains("; 2 nodes in the contract;"))
    });
    // within the hour, a line only when something changed
    for pair in lines.windows(2) {
        assert_ne!(summary_key(&pair[0]), summary_key(&pair[1]), "{lines:#?}");
    }
}
