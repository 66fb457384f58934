//! The L2 tracker in the running daemon (issue 5 acceptance, daemon level):
//! anvil with ServiceNodeRewards events → the daemon's view of the registered
//! nodes and of its own node, across a restart; SIGKILL during a sync; provider
//! faults visible in the admin RPC's counters; switching back to the primary.
//!
//! The anvil runner, event encoders and the fault-injecting stub provider are
//! snode-l2's test helpers, shared rather than copied.

mod common;

#[path = "../../l2/tests/common/mod.rs"]
mod l2common;

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use common::{rpc_call as call, stderr, stdout, Node, DEADLINE};
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
        v["synced_height"].as_u64() >= Some(head)
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
        t.contains("    Staking Requirement: 20000.000000000 SESH"),
        "{t}"
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
    // The stored view is published before the first request completes or not;
    // either way it never goes back to "not registered".
    let first = l2(&addr);
    if !first.is_null() {
        assert_ne!(first["own_node"]["state"], "not_registered", "{first:#}");
        assert!(first["synced_height"].as_u64() >= Some(head), "{first:#}");
    }
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
    let start = Instant::now();
    while node.log().matches("L2 logs synced up to block").count() < 5 {
        assert!(
            start.elapsed() < DEADLINE,
            "no sync progress: {}",
            node.log()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
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
    let start = Instant::now();
    while !node
        .log()
        .contains("is available again; switching back to it")
    {
        assert!(start.elapsed() < DEADLINE, "{}", node.log());
        std::thread::sleep(Duration::from_millis(50));
    }
    node.signal("-TERM");
    assert!(node.wait().success());
    assert_no_secret(&node, &[&status]);
}

/// A tracker cycle stuck on a provider that does not answer stops the daemon's
/// `WATCHDOG=1` (the worker's heartbeat is overdue), so systemd would restart it.
#[test]
fn a_stuck_tracker_is_seen_by_the_watchdog_check() {
    use oxend_stagenet::daemon::{self, DaemonOptions};
    use oxend_stagenet::rpc::Ctx;
    use oxend_stagenet::shutdown::Shutdown;
    use std::sync::Arc;

    let hanging = Stub::start(Chain::new(100));
    let dir = tempfile::tempdir().unwrap();
    let conf = format!(
        "data-dir={}\nservice-node=1\nstagenet=1\nservice-node-public-ip=1.2.3.4\n\
         l2-provider={}\nl2-timeout=30\nl2-skip-chainid=1\n",
        dir.path().display(),
        hanging.url()
    );
    let doc = snode_conf::parse(&conf, "test.conf").unwrap();
    let settings = snode_conf::Settings::from_sources(Some(&doc), &[]).unwrap();
    let tracker = oxend_stagenet::l2::open(&settings).unwrap().unwrap();
    hanging.set_fault(Some(Fault::Hang(Duration::from_secs(2))));

    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let shutdown = Shutdown::new();
    let mut opts = DaemonOptions::new(shutdown.clone());
    opts.listeners = Some(vec![listener]);
    opts.watchdog_interval = Duration::from_millis(50);
    opts.track_l2 = false; // this test runs the tracker worker itself, with a short heartbeat
    opts.workers.push(oxend_stagenet::l2::worker(
        tracker,
        Duration::from_secs(1),
        Duration::from_millis(200),
    ));
    let (tx, rx) = std::sync::mpsc::channel();
    opts.workers.push(Box::new(move |ctx: Arc<Ctx>| {
        let start = Instant::now();
        while start.elapsed() < DEADLINE {
            let stuck = ctx.state.stuck_workers();
            if !stuck.is_empty() {
                tx.send(stuck).unwrap();
                return;
            }
            if ctx
                .shutdown
                .wait_timeout(Duration::from_millis(20))
                .is_some()
            {
                return;
            }
        }
    }));
    let runner = std::thread::spawn(move || daemon::run(settings, opts));
    let stuck = rx
        .recv_timeout(DEADLINE)
        .expect("the stuck tracker was noticed");
    assert_eq!(stuck, [oxend_stagenet::l2::WORKER_NAME]);
    shutdown.trigger("test");
    runner.join().unwrap().unwrap();
}
