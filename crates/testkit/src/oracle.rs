//! Upstream oxend (the oracle of ../shared/oracles) as a test peer, on
//! loopback only, through `scripts/oracle-net`: whether it is there (a test
//! skips with a message when it is not), the re-run of a test inside a
//! private network namespace, and [`Oracle`], one oxend with its admin RPC.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// The workspace root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("the workspace root")
}

/// Whether ../shared/oracles is there; prints `SKIPPED: …` when it is not.
pub fn oracle_present() -> bool {
    let p = repo().join("../shared/oracles/install-oxend-oracle");
    if !p.exists() {
        eprintln!(
            "SKIPPED: {} is absent, so upstream oxend is not available for this test",
            p.display()
        );
    }
    p.exists()
}

/// Re-runs `test` (its full name in this test binary) inside `unshare --net`
/// with loopback up; returns false when the caller should run the test body
/// itself (already inside, or `unshare` is unavailable: then it still runs
/// with 127.0.0.1 binds and exclusive 127.0.0.1 peers only).
pub fn ran_in_netns(test: &str) -> bool {
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
    let exe = std::env::current_exe().expect("the test binary");
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
        .expect("unshare runs");
    assert!(
        status.success(),
        "{test} failed inside its network namespace"
    );
    true
}

/// Runs `scripts/oracle-net ARGS` to completion; its stdout, trimmed.
pub fn oracle_net(args: &[&str]) -> String {
    let out = Command::new(repo().join("scripts/oracle-net"))
        .args(args)
        .output()
        .expect("scripts/oracle-net runs");
    assert!(
        out.status.success(),
        "oracle-net {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// One upstream oxend (`scripts/oracle-net MODE DIR P2P RPC PEER`): P2P on
/// 127.0.0.1:`p2p`, connecting only to 127.0.0.1:`peer`, admin RPC on
/// 127.0.0.1:[`Oracle::rpc`]. Killed when dropped.
pub struct Oracle {
    child: Child,
    /// The admin RPC port.
    pub rpc: u16,
}

impl Oracle {
    /// Starts it (`mode` is `serve` for a regtest chain, `stagenet` for an
    /// empty stagenet one) and waits for its RPC.
    pub fn serve(mode: &str, dir: &Path, p2p: u16, peer: u16) -> Oracle {
        let rpc = crate::free_port();
        let child = Command::new(repo().join("scripts/oracle-net"))
            .args([
                mode,
                dir.to_str().expect("a UTF-8 path"),
                &p2p.to_string(),
                &rpc.to_string(),
                &peer.to_string(),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("scripts/oracle-net runs");
        let o = Oracle { child, rpc };
        for _ in 0..600 {
            if o.try_call("get_info", json!({})).is_some() {
                return o;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("oxend RPC on 127.0.0.1:{rpc} did not come up");
    }

    /// `method` with `params`: its result, or `None` when it failed.
    pub fn try_call(&self, method: &str, params: Value) -> Option<Value> {
        let body = json!({"jsonrpc": "2.0", "id": "0", "method": method, "params": params});
        let mut r = ureq::post(format!("http://127.0.0.1:{}/json_rpc", self.rpc))
            .send_json(&body)
            .ok()?;
        let v: Value = r.body_mut().read_json().ok()?;
        v.get("result").cloned()
    }

    /// `method` with `params`: its result; panics when it failed.
    pub fn call(&self, method: &str, params: Value) -> Value {
        self.try_call(method, params.clone())
            .unwrap_or_else(|| panic!("oxend {method} {params} failed"))
    }

    /// The ids of blocks 0..n (`get_block_hash`).
    pub fn block_hashes(&self, n: u64) -> Vec<String> {
        let heights: Vec<u64> = (0..n).collect();
        let r = self.call("get_block_hash", json!({ "heights": heights }));
        (0..n)
            .map(|h| r[h.to_string()].as_str().unwrap_or_default().to_string())
            .collect()
    }

    /// `stop_daemon`, then waits for it to exit (killed after 30 s).
    pub fn stop(mut self) {
        let _ = self.try_call("stop_daemon", json!({}));
        let end = Instant::now() + Duration::from_secs(30);
        while Instant::now() < end {
            if let Ok(Some(_)) = self.child.try_wait() {
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
