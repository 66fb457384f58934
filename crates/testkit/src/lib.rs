//! Test support shared by the workspace's integration tests (a dev-dependency
//! only): a real anvil node (Foundry's local Ethereum node, installed by
//! `scripts/install-anvil`, path in `SNODE_ANVIL`) on 127.0.0.1 with the
//! Arbitrum Sepolia chain id 421614, and the JSON-RPC calls the tests make of
//! it. The one place for the tests' stand-ins:
//!
//! * [`files`]: directory listings, a dead pid and planted secret files for
//!   the key-writing tests;
//! * [`http`]: the one minimal HTTP/1.1 server on loopback every stub uses;
//! * [`serve_json`]: a JSON answer per request;
//! * [`provider`]: a fault-injecting L2 JSON-RPC provider with a fake chain;
//! * [`contracts`]: EVM contract stand-ins (hand-assembled bytecode set with
//!   `anvil_setCode`): log emitters and a ServiceNodeRewards stand-in;
//! * [`staking`]: the staking-backend stub, validating like the real backend;
//! * [`oracle`]: upstream oxend from ../shared/oracles as a loopback test
//!   peer, and the re-run of a test in a private network namespace.

pub mod contracts;
pub mod files;
pub mod http;
pub mod oracle;
pub mod provider;
pub mod staking;

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::Duration;

use serde_json::{json, Value};

/// A free TCP port on 127.0.0.1 (free when asked; a server started on it
/// later may still lose a race, which [`Anvil::start`] retries).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Serves every HTTP request on 127.0.0.1 (on a port of its own, returned)
/// with `answer(request body)`: HTTP 200, `application/json`, then the
/// connection is closed. The whole request (headers, then `Content-Length`
/// bytes) is read before answering, so the client never sees a reset.
pub fn serve_json(answer: impl Fn(&str) -> String + Send + Sync + 'static) -> u16 {
    http::serve(http::Connection::Close, move |body| {
        Some((200, answer(body)))
    })
}

/// The anvil binary, or a failure that says how to get it.
pub fn anvil_bin() -> String {
    let bin = std::env::var("SNODE_ANVIL").unwrap_or_else(|_| {
        panic!(
            "SNODE_ANVIL is not set. These tests need anvil: run scripts/test, \
             or export SNODE_ANVIL=\"$(scripts/install-anvil)\" before cargo test"
        )
    });
    assert!(
        Path::new(&bin).is_file(),
        "SNODE_ANVIL={bin} does not exist: run scripts/install-anvil"
    );
    bin
}

/// A running anvil; killed when dropped.
pub struct Anvil {
    child: Child,
    /// `http://127.0.0.1:<port>`
    pub url: String,
    agent: ureq::Agent,
    /// anvil's first (unlocked) account, the sender of [`Anvil::send`].
    pub from: String,
}

impl Anvil {
    pub fn start() -> Self {
        Self::start_with(&[])
    }

    /// Like [`Anvil::start`], with more anvil arguments (e.g. `--number`).
    pub fn start_with(extra: &[&str]) -> Self {
        let bin = anvil_bin();
        for _attempt in 0..3 {
            let port = free_port();
            let mut child = Command::new(&bin)
                .args(["--host", "127.0.0.1", "--port", &port.to_string()])
                .args(["--chain-id", "421614", "--silent"])
                .args(extra)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap_or_else(|e| panic!("cannot run {bin}: {e}"));
            let url = format!("http://127.0.0.1:{port}");
            let agent: ureq::Agent = ureq::Agent::config_builder()
                .timeout_global(Some(Duration::from_secs(10)))
                .build()
                .new_agent();
            // Readiness, not a timing assertion: until it answers, or exits
            // because the port was taken meanwhile.
            for _ in 0..600 {
                if child.try_wait().unwrap().is_some() {
                    break;
                }
                let up = agent
                    .post(&url)
                    .send_json(json!({"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}))
                    .is_ok();
                if up {
                    let mut a = Self {
                        child,
                        url,
                        agent,
                        from: String::new(),
                    };
                    assert_eq!(a.rpc("eth_chainId", json!([])), "0x66eee");
                    a.from = a.rpc("eth_accounts", json!([]))[0]
                        .as_str()
                        .unwrap()
                        .to_string();
                    return a;
                }
                thread::sleep(Duration::from_millis(100));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        panic!("anvil did not start on 127.0.0.1");
    }

    /// The `result` of a JSON-RPC call; fails the test on a JSON-RPC error.
    pub fn rpc(&self, method: &str, params: Value) -> Value {
        let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});
        let v: Value = self
            .agent
            .post(&self.url)
            .send_json(body)
            .unwrap()
            .body_mut()
            .read_json()
            .unwrap();
        assert!(v.get("error").is_none(), "{method}: {v}");
        v["result"].clone()
    }

    pub fn block_number(&self) -> u64 {
        let v = self.rpc("eth_blockNumber", json!([]));
        u64::from_str_radix(v.as_str().unwrap().trim_start_matches("0x"), 16).unwrap()
    }

    /// Gives `address` this bytecode (`0x…`).
    pub fn set_code(&self, address: &str, code: &str) {
        self.rpc("anvil_setCode", json!([address, code]));
    }

    /// Sends a transaction with `data` (`0x…`) to `to` and returns its
    /// receipt, which must report success.
    pub fn send(&self, to: &str, data: &str, gas: &str) -> Value {
        let tx = self.rpc(
            "eth_sendTransaction",
            json!([{"from": self.from, "to": to, "data": data, "gas": gas}]),
        );
        // automine may answer before the block is in
        let mut receipt = Value::Null;
        for _ in 0..500 {
            receipt = self.rpc("eth_getTransactionReceipt", json!([tx]));
            if !receipt.is_null() {
                break;
            }
            thread::sleep(Duration::from_millis(20));
        }
        assert_eq!(receipt["status"], "0x1", "{receipt}");
        receipt
    }

    /// Mines `n` empty blocks.
    pub fn mine(&self, n: u64) {
        self.rpc("anvil_mine", json!([format!("0x{n:x}")]));
    }
}

impl Drop for Anvil {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
