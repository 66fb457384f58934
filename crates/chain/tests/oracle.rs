//! The follower against upstream oxend v11.0.6 (the oracle in ../shared/oracles), loopback only.
//!
//! Each test re-runs itself inside a private network namespace (`unshare --net`, loopback up)
//! when it can, so neither oxend nor the follower can reach anything else; without `unshare`
//! it still runs with 127.0.0.1 binds and exclusive 127.0.0.1 peers only. Tests skip with a
//! message when ../shared/oracles is absent.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use snode_chain::{Follower, FollowerConfig, FollowerStatus, Network, Store};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

fn oracle_present() -> bool {
    let p = repo().join("../shared/oracles/install-oxend-oracle");
    if !p.exists() {
        eprintln!(
            "SKIPPED: {} is absent, so upstream oxend is not available for this test",
            p.display()
        );
    }
    p.exists()
}

/// Re-runs `test` inside `unshare --net`; returns false when the caller should run the test
/// body itself (already inside, or unshare is unavailable).
fn ran_in_netns(test: &str) -> bool {
    if std::env::var_os("SNODE_IN_NETNS").is_some() {
        return false;
    }
    let probe = Command::new("unshare")
        .args(["--net", "true"])
        .stderr(Stdio::null())
        .status();
    if !probe.is_ok_and(|s| s.success()) {
        eprintln!(
            "note: unshare --net unavailable; running with loopback-only binds and exclusive peers"
        );
        return false;
    }
    let exe = std::env::current_exe().unwrap();
    let status = Command::new("unshare")
        .args([
            "--net",
            "sh",
            "-c",
            "ip link set lo up && exec \"$0\" \"$@\"",
        ])
        .arg(exe)
        .args(["--exact", test, "--nocapture", "--test-threads", "1"])
        .env("SNODE_IN_NETNS", "1")
        .status()
        .unwrap();
    assert!(
        status.success(),
        "{test} failed inside its network namespace"
    );
    true
}

/// A mainnet-format address (regtest uses them), from oxen-core's tests.
const MINER: &str = "L5dkQUgpdssQubjyfnkLTh9fHx2ScppAQ71Kv3jdn7rL5wBvMZ4GQWxQEH9QPcn8bLgEebMZqSeZF8pppfi2FGWbTPeQFoL";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn oracle_net(args: &[&str]) -> String {
    let out = Command::new(repo().join("scripts/oracle-net"))
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "oracle-net {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

struct Oracle {
    child: Child,
    rpc: u16,
}

impl Oracle {
    fn serve(mode: &str, dir: &Path, p2p: u16, peer: u16) -> Self {
        let rpc = free_port();
        let child = Command::new(repo().join("scripts/oracle-net"))
            .args([
                mode,
                dir.to_str().unwrap(),
                &p2p.to_string(),
                &rpc.to_string(),
                &peer.to_string(),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let o = Oracle { child, rpc };
        for _ in 0..600 {
            if o.try_call("get_info", json!({})).is_some() {
                return o;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("oxend RPC on 127.0.0.1:{rpc} did not come up");
    }

    fn try_call(&self, method: &str, params: Value) -> Option<Value> {
        let body = json!({"jsonrpc": "2.0", "id": "0", "method": method, "params": params});
        let mut r = ureq::post(&format!("http://127.0.0.1:{}/json_rpc", self.rpc))
            .send_json(&body)
            .ok()?;
        let v: Value = r.body_mut().read_json().ok()?;
        v.get("result").cloned()
    }

    fn call(&self, method: &str, params: Value) -> Value {
        self.try_call(method, params.clone())
            .unwrap_or_else(|| panic!("oxend {method} {params} failed"))
    }

    fn block_hashes(&self, n: u64) -> Vec<String> {
        let heights: Vec<u64> = (0..n).collect();
        let r = self.call("get_block_hash", json!({ "heights": heights }));
        (0..n)
            .map(|h| r[h.to_string()].as_str().unwrap().to_string())
            .collect()
    }

    fn stop(mut self) {
        let _ = self.try_call("stop_daemon", json!({}));
        let end = Instant::now() + Duration::from_secs(30);
        while Instant::now() < end {
            if self.child.try_wait().unwrap().is_some() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Oracle {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Running {
    f: Arc<Follower>,
    stop: Arc<AtomicBool>,
    worker: Option<std::thread::JoinHandle<Result<(), snode_chain::FollowerError>>>,
}

impl Running {
    fn start(network: Network, dir: &Path, bind: u16, peer: u16) -> Self {
        let mut cfg = FollowerConfig::new(network, dir.to_path_buf());
        cfg.p2p.bind = Some(([127, 0, 0, 1], bind).into());
        cfg.p2p.exclusive_nodes = vec![([127, 0, 0, 1], peer).into()];
        cfg.p2p.reconnect_interval = Duration::from_millis(300);
        let f = Arc::new(Follower::new(cfg).unwrap());
        let stop = Arc::new(AtomicBool::new(false));
        let (f2, s2) = (f.clone(), stop.clone());
        let worker = Some(std::thread::spawn(move || f2.run(&s2)));
        Running { f, stop, worker }
    }

    /// Waits (up to a generous bound, not a timed assertion) for `cond`.
    fn wait_for(&self, what: &str, cond: impl Fn(&FollowerStatus) -> bool) -> FollowerStatus {
        let end = Instant::now() + Duration::from_secs(180);
        loop {
            let st = self.f.status();
            if cond(&st) {
                return st;
            }
            assert!(
                Instant::now() < end,
                "gave up waiting for {what}; status: {st:?}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn stop(mut self) {
        self.stop.store(true, Ordering::SeqCst);
        self.worker.take().unwrap().join().unwrap().unwrap();
    }
}

fn stored_ids(dir: &Path, network: Network) -> Vec<String> {
    let s = Store::open(&dir.join("chain.sqlite"), network).unwrap();
    (0..s.height().unwrap())
        .map(|h| hex::encode(s.id_at(h).unwrap().unwrap()))
        .collect()
}

#[test]
fn stagenet_genesis_and_handshakes_both_ways() {
    if !oracle_present() || ran_in_netns("stagenet_genesis_and_handshakes_both_ways") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let (oracle_p2p, our_p2p) = (free_port(), free_port());
    let oracle = Oracle::serve("stagenet", &tmp.path().join("oxend"), oracle_p2p, our_p2p);
    let h0 = oracle.call("get_block_header_by_height", json!({"height": 0}));
    assert_eq!(
        h0["block_header"]["hash"].as_str().unwrap(),
        hex::encode(Network::Stagenet.genesis().unwrap().id),
        "our stagenet genesis id differs from oxend's"
    );
    let run = Running::start(
        Network::Stagenet,
        &tmp.path().join("ours"),
        our_p2p,
        oracle_p2p,
    );
    // Our outbound connection, and oxend's inbound one to our listener (it has us as exclusive node).
    let st = run.wait_for("an outgoing and an incoming connection", |s| {
        s.outgoing_connections_count >= 1 && s.incoming_connections_count >= 1
    });
    assert_eq!(st.height, 1);
    assert_eq!(
        st.top_block_hash,
        "93228e506979e2159af05ff19a06dd35ac27a54b9b9feee76db14b534d739fe2"
    );
    // oxend lists us, in both directions, in normal (post-handshake) state.
    let end = Instant::now() + Duration::from_secs(60);
    let conns = loop {
        let c = oracle.call("get_connections", json!({}));
        let list = c["connections"].as_array().cloned().unwrap_or_default();
        let normal: Vec<&Value> = list.iter().filter(|x| x["state"] == "normal").collect();
        if normal.iter().any(|x| x["incoming"] == true)
            && normal.iter().any(|x| x["incoming"] == false)
        {
            break list;
        }
        assert!(
            Instant::now() < end,
            "oxend does not list our peer both ways: {c}"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    let ours = run.f.status();
    assert!(conns.iter().all(|c| c["ip"] == "127.0.0.1"), "{conns:?}");
    let oxend_sees_port = conns
        .iter()
        .any(|c| c["incoming"] == false && c["port"] == our_p2p);
    assert!(
        oxend_sees_port,
        "oxend's outgoing connection is not to our listener: {conns:?}"
    );
    assert!(
        ours.connections
            .iter()
            .all(|c| c.height == 1 && c.ip == "127.0.0.1"),
        "{:?}",
        ours.connections
    );
    run.stop();
    oracle.stop();
}

/// Follower child process for the kill -9 test: follows until killed, printing heights.
#[test]
#[ignore = "run by regtest_sync_kill9_resume_and_reorg as a child process"]
fn child_follower() {
    let Some(dir) = std::env::var_os("SNODE_CHILD_DIR").map(PathBuf::from) else {
        eprintln!("child_follower only runs as the child of regtest_sync_kill9_resume_and_reorg");
        return;
    };
    let bind: u16 = std::env::var("SNODE_CHILD_BIND").unwrap().parse().unwrap();
    let peer: u16 = std::env::var("SNODE_CHILD_PEER").unwrap().parse().unwrap();
    let mut cfg = FollowerConfig::new(Network::Regtest, dir);
    cfg.p2p.bind = Some(([127, 0, 0, 1], bind).into());
    cfg.p2p.exclusive_nodes = vec![([127, 0, 0, 1], peer).into()];
    cfg.blocks_per_request = 1;
    let f = Arc::new(Follower::new(cfg).unwrap());
    let f2 = f.clone();
    std::thread::spawn(move || f2.run(&AtomicBool::new(false)));
    let mut last = 0;
    loop {
        let h = f.status().height;
        if h != last {
            println!("height {h}");
            last = h;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

#[test]
fn regtest_sync_kill9_resume_and_reorg() {
    if !oracle_present() || ran_in_netns("regtest_sync_kill9_resume_and_reorg") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("chain-a"), tmp.path().join("chain-b"));
    // Chain A: 1 + 150 + 60 = 211 blocks (216 after step 2b). Chain B forks from A after
    // block 150 and is heavier (1 + 150 + 100 = 251 blocks at fixed difficulty 1).
    assert_eq!(oracle_net(&["mine", a.to_str().unwrap(), "150"]), "151");
    let cp = Command::new("cp")
        .args(["-a", a.to_str().unwrap(), b.to_str().unwrap()])
        .status()
        .unwrap();
    assert!(cp.success());
    assert_eq!(oracle_net(&["mine", a.to_str().unwrap(), "60"]), "211");
    assert_eq!(oracle_net(&["mine", b.to_str().unwrap(), "100"]), "251");

    let (oracle_p2p, our_p2p) = (free_port(), free_port());
    let ours = tmp.path().join("ours");
    let oracle = Oracle::serve("serve", &a, oracle_p2p, our_p2p);
    let a_ids = oracle.block_hashes(211);

    // 1. A child follower syncs one block per request; we kill -9 it mid-way.
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "child_follower",
            "--ignored",
            "--nocapture",
            "--test-threads",
            "1",
        ])
        .env("SNODE_CHILD_DIR", &ours)
        .env("SNODE_CHILD_BIND", our_p2p.to_string())
        .env("SNODE_CHILD_PEER", oracle_p2p.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    loop {
        let l = lines.next().expect("child follower ended").unwrap();
        if let Some(h) = l.strip_prefix("height ").map(|h| h.parse::<u64>().unwrap()) {
            if h >= 60 {
                break;
            }
        }
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let kept = stored_ids(&ours, Network::Regtest);
    assert!(
        kept.len() >= 60,
        "the store lost committed blocks: {}",
        kept.len()
    );
    assert_eq!(
        kept[..],
        a_ids[..kept.len()],
        "blocks stored before the kill differ from oxend's"
    );
    eprintln!("killed the follower with {} blocks stored", kept.len());

    // 2. Restarted, it resumes where it was and downloads only the rest.
    let run = Running::start(Network::Regtest, &ours, our_p2p, oracle_p2p);
    let st = run.wait_for("height 211", |s| s.height == 211 && s.synchronized);
    assert_eq!(
        st.blocks_downloaded,
        211 - kept.len() as u64,
        "re-downloaded blocks it had stored"
    );
    assert_eq!(st.top_block_hash, a_ids[210]);
    assert_eq!(st.target_height, 211);
    assert_eq!(
        stored_ids(&ours, Network::Regtest),
        a_ids,
        "a stored block id differs from oxend's get_block_hash"
    );

    // 2b. New blocks on the peer reach us (oxend announces them; we fetch them).
    // oxend answers BUSY until it considers itself synchronised with its peers.
    let end = Instant::now() + Duration::from_secs(120);
    loop {
        let params = json!({"miner_address": MINER, "threads_count": 1, "num_blocks": 5});
        let r = oracle.call("start_mining", params);
        if r["status"] == "OK" {
            break;
        }
        assert!(Instant::now() < end, "oxend does not mine: {r}");
        std::thread::sleep(Duration::from_millis(200));
    }
    let st = run.wait_for("the 5 new blocks", |s| s.height == 216 && s.synchronized);
    let a_ids = oracle.block_hashes(216);
    assert_eq!(st.top_block_hash, a_ids[215]);
    assert_eq!(stored_ids(&ours, Network::Regtest), a_ids);

    // 3. The oracle's chain is replaced by the heavier fork B: we reorganise to it.
    oracle.stop();
    let oracle_b = Oracle::serve("serve", &b, oracle_p2p, our_p2p);
    let b_ids = oracle_b.block_hashes(251);
    assert_eq!(a_ids[..151], b_ids[..151]);
    assert_ne!(a_ids[151], b_ids[151]);
    let st = run.wait_for("the reorg to fork B", |s| s.height == 251 && s.synchronized);
    assert_eq!(st.top_block_hash, b_ids[250]);
    assert_eq!(
        stored_ids(&ours, Network::Regtest),
        b_ids,
        "after the reorg a stored id differs from oxend's"
    );
    oracle_b.stop();

    // 4. A fresh oxend with an empty chain syncs all 251 blocks from us.
    let fresh = tmp.path().join("fresh");
    let oracle_c = Oracle::serve("serve", &fresh, oracle_p2p, our_p2p);
    let end = Instant::now() + Duration::from_secs(180);
    while oracle_c.call("get_info", json!({}))["height"] != 251 {
        let info = oracle_c.call("get_info", json!({}));
        assert!(Instant::now() < end, "oxend did not sync from us: {info}");
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(
        oracle_c.block_hashes(251),
        b_ids,
        "oxend synced other blocks than we hold"
    );
    run.stop();
    oracle_c.stop();
}
