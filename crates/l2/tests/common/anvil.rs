//! Runs anvil (from `scripts/install-anvil`, path in `SNODE_ANVIL`) on
//! 127.0.0.1 with chain id 421614, and emits real logs at a contract address
//! with the `anvil_setCode` log-emitter trick (ecosystem.md §7).

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::Duration;

use serde_json::{json, Value};

use super::events::RawLog;

/// Emits `LOG2(topic0 = cd[0..32], topic1 = cd[32..64], data = cd[64..])`.
/// Calldata shorter than 64 bytes (an `eth_call` of a view) goes to the
/// view part shared by all three emitters: `stakingRequirement()`
/// (selector `0x56d399e8`, bls-contract.md §5.2) returns storage slot 0 as
/// one word when it is not zero; everything else (and slot 0 = 0) returns
/// nothing, as a revert would:
/// `view: if cd[0..4] == 0x56d399e8 { v = sload(0); if v != 0 { mstore(0, v);
/// return(0, 32) } } stop`.
const EMIT_LOG2: &str = "0x60403610601b57366000600037602051600051604036036040a2005b60003560e01c6356d399e814602c57005b60005480603557005b60005260206000f3";
/// Emits `LOG1(topic0 = cd[0..32], data = cd[32..])`, for events without an
/// indexed field (`StakingRequirementUpdated`), and then, as that event's
/// contract does, keeps data word 0 in storage slot 0, the value
/// `stakingRequirement()` answers (the view part of [`EMIT_LOG2`]).
const EMIT_LOG1: &str = "0x60203610601e57366000600037600051602036036020a1602051600055005b60003560e01c6356d399e814602f57005b60005480603857005b60005260206000f3";
/// Emits one LOG2 per record of the calldata, records being
/// `[data length][topic0][topic1][data]` (32-byte words, then the data);
/// stops when fewer than 96 bytes are left (so an `eth_call` of a view just
/// stops). Loop: `ptr = 0; while ptr + 96 <= calldatasize { len =
/// cd[ptr]; calldatacopy(0, ptr + 96, len); log2(0, len, cd[ptr + 32],
/// cd[ptr + 64]); ptr += 96 + len }`, then the view part of [`EMIT_LOG2`].
const EMIT_LOG2_BATCH: &str =
    "0x60005b806060013610602b578035808260600160003781604001358260200135826000a2606001016002565b60003560e01c6356d399e814603c57005b60005480604557005b60005260206000f3";

pub struct Anvil {
    child: Child,
    pub url: String,
    agent: ureq::Agent,
    from: String,
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

impl Anvil {
    pub fn start() -> Self {
        Self::start_with(&[])
    }

    /// Like [`Anvil::start`], with more anvil arguments (e.g. `--number`).
    pub fn start_with(extra: &[&str]) -> Self {
        let bin = anvil_bin();
        for _attempt in 0..3 {
            let port = {
                let l = TcpListener::bind("127.0.0.1:0").unwrap();
                l.local_addr().unwrap().port()
            };
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
            for _ in 0..300 {
                if child.try_wait().unwrap().is_some() {
                    break; // port taken? try another
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
                    let accounts = a.rpc("eth_accounts", json!([]));
                    a.from = accounts[0].as_str().unwrap().to_string();
                    return a;
                }
                thread::sleep(Duration::from_millis(100));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        panic!("anvil did not start on 127.0.0.1");
    }

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

    /// Emits `log` from `address` in a new block; returns the block number.
    pub fn emit(&self, address: &str, log: &RawLog) -> u64 {
        let code = if log.topics.len() == 1 {
            EMIT_LOG1
        } else {
            EMIT_LOG2
        };
        self.rpc("anvil_setCode", json!([address, code]));
        let tx = self.rpc(
            "eth_sendTransaction",
            json!([{"from": self.from, "to": address, "data": log.calldata(), "gas": "0x100000"}]),
        );
        let receipt = self.receipt(&tx);
        assert_eq!(receipt["status"], "0x1", "{receipt}");
        assert_eq!(receipt["logs"].as_array().unwrap().len(), 1, "{receipt}");
        let b = receipt["blockNumber"].as_str().unwrap();
        u64::from_str_radix(b.trim_start_matches("0x"), 16).unwrap()
    }

    /// Emits all `logs` (two topics each) from `address` in one transaction,
    /// in a new block; returns the block number.
    pub fn emit_batch(&self, address: &str, logs: &[RawLog]) -> u64 {
        let mut data = String::from("0x");
        for log in logs {
            assert_eq!(log.topics.len(), 2, "emit_batch takes LOG2 events only");
            data.push_str(&hex::encode(super::events::word_u64(log.data.len() as u64)));
            data.push_str(&log.calldata()[2..]);
        }
        self.rpc("anvil_setCode", json!([address, EMIT_LOG2_BATCH]));
        let tx = self.rpc(
            "eth_sendTransaction",
            json!([{"from": self.from, "to": address, "data": data, "gas": "0x1000000"}]),
        );
        let receipt = self.receipt(&tx);
        assert_eq!(receipt["status"], "0x1", "{receipt}");
        assert_eq!(
            receipt["logs"].as_array().unwrap().len(),
            logs.len(),
            "{receipt}"
        );
        let b = receipt["blockNumber"].as_str().unwrap();
        u64::from_str_radix(b.trim_start_matches("0x"), 16).unwrap()
    }

    /// The receipt of `tx`; automine may answer before the block is in.
    fn receipt(&self, tx: &Value) -> Value {
        let mut receipt = Value::Null;
        for _ in 0..500 {
            receipt = self.rpc("eth_getTransactionReceipt", json!([tx]));
            if !receipt.is_null() {
                break;
            }
            thread::sleep(Duration::from_millis(20));
        }
        receipt
    }

    /// Sets what `stakingRequirement()` of the emitter at `address` answers
    /// (its storage slot 0; 0 = no answer), without an event.
    pub fn set_staking_requirement(&self, address: &str, amount: u64) {
        let word = format!("0x{:064x}", amount);
        self.rpc("anvil_setStorageAt", json!([address, "0x0", word]));
        self.mine(1);
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
