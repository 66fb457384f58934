//! A fault-injecting L2 JSON-RPC provider on [`crate::http`] (keep-alive):
//! it serves a fake chain (head, chain id, logs) or the fault it is told to
//! inject.

use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use serde_json::{json, Value};

use crate::http::{self, Connection};

/// The "API key" in every stub URL; never to appear in output.
pub const SECRET: &str = "SECRETKEY";

/// What the stub does instead of answering.
#[derive(Clone, Debug)]
pub enum Fault {
    /// Sleep this long, then close without answering.
    Hang(Duration),
    /// Answer with this HTTP status and a plain body.
    Http(u16),
    /// HTTP 200 with a JSON-RPC error.
    RpcError(i64, String),
    /// HTTP 200 with a body that is not JSON.
    Garbage,
    /// HTTP 200 with `"result": null`.
    NullResult,
    /// Hold the request open (counted in [`Chain::holding`]) until
    /// [`Chain::release`] is set, then close without answering.
    Hold,
}

/// The fake chain behind a stub.
#[derive(Debug)]
pub struct Chain {
    pub chain_id: u64,
    pub head: u64,
    /// (block, log JSON) pairs.
    pub logs: Vec<(u64, Value)>,
    /// When set, every request gets this fault (if `fault_methods` allows).
    pub fault: Option<Fault>,
    /// Methods the fault applies to; `None` = all.
    pub fault_methods: Option<Vec<&'static str>>,
    /// `eth_getLogs` over more blocks than this is refused as too large.
    pub max_range: Option<u64>,
    /// The refusal's message; `None` = "eth_getLogs is limited to a N range".
    pub range_message: Option<String>,
    /// Answer of `allServiceNodeIDs()` (hex without 0x); `None` = "0x".
    pub node_list: Option<String>,
    /// Answer of `stakingRequirement()`; `None` = "0x" (as a revert).
    pub staking_requirement: Option<u64>,
    /// Extra delay before answering each `eth_getLogs` of the fake chain.
    pub logs_delay: Duration,
    /// Requests held open right now by [`Fault::Hold`].
    pub holding: usize,
    /// Lets every held request go (closed without an answer).
    pub release: bool,
    /// Holds every `eth_getLogs` from this block on (counted in
    /// [`Chain::holding`]) while it is set; set it to `None` and the held
    /// requests are answered normally. Pauses a sync at a known block.
    pub hold_logs_from: Option<u64>,
    /// Methods received, in order.
    pub requests: Vec<String>,
    /// `eth_call` selectors received (`0x` + 8 hex), in order.
    pub call_selectors: Vec<String>,
    /// eth_getLogs ranges received.
    pub log_ranges: Vec<(u64, u64)>,
    /// `eth_getCode` answers `0x`: no contract at the address.
    pub no_contract: bool,
    /// Ids whose `serviceNodes(id)` record has an exit request.
    pub leaving: Vec<u64>,
    /// Forward every request to this upstream instead of the fake chain,
    /// sleeping this long before each `eth_getLogs` (a slow provider).
    pub forward: Option<(String, Duration)>,
}

impl Chain {
    pub fn new(head: u64) -> Self {
        Self {
            chain_id: 421_614,
            head,
            logs: Vec::new(),
            fault: None,
            fault_methods: None,
            max_range: None,
            range_message: None,
            node_list: None,
            staking_requirement: None,
            logs_delay: Duration::ZERO,
            holding: 0,
            release: false,
            hold_logs_from: None,
            requests: Vec::new(),
            call_selectors: Vec::new(),
            log_ranges: Vec::new(),
            forward: None,
            no_contract: false,
            leaving: Vec::new(),
        }
    }
}

/// A running stub provider.
#[derive(Clone)]
pub struct Stub {
    pub port: u16,
    pub chain: Arc<Mutex<Chain>>,
}

impl Stub {
    pub fn start(chain: Chain) -> Self {
        let chain = Arc::new(Mutex::new(chain));
        let c = chain.clone();
        let port = http::serve(Connection::KeepAlive, move |body| {
            let req: Value = serde_json::from_str(body).unwrap_or(Value::Null);
            if let Value::Array(calls) = &req {
                return Some(answer_batch(calls, &c));
            }
            // status 0: the hang fault, close without answering
            Some(answer(&req, &c)).filter(|(status, _)| *status != 0)
        });
        Self { port, chain }
    }

    /// The provider URL, with an "API key" in path and query.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/v2/{SECRET}?key={SECRET}", self.port)
    }

    pub fn with<R>(&self, f: impl FnOnce(&mut Chain) -> R) -> R {
        f(&mut self.chain.lock().unwrap())
    }

    pub fn set_fault(&self, fault: Option<Fault>) {
        self.with(|c| c.fault = fault);
    }

    /// How many `eth_call`s of this selector (`0x…`) were received.
    pub fn calls_of(&self, selector: &str) -> usize {
        self.with(|c| c.call_selectors.iter().filter(|s| *s == selector).count())
    }

    pub fn count(&self, method: &str) -> usize {
        self.with(|c| c.requests.iter().filter(|m| *m == method).count())
    }
}

/// A URL whose port nothing listens on (connection refused).
pub fn refused_url() -> String {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    drop(l);
    format!("http://127.0.0.1:{port}/v2/{SECRET}")
}

fn ok(result: Value) -> (u16, String) {
    (
        200,
        json!({"jsonrpc": "2.0", "id": 1, "result": result}).to_string(),
    )
}

fn rpc_error(code: i64, message: &str) -> (u16, String) {
    (
        200,
        json!({"jsonrpc": "2.0", "id": 1, "error": {"code": code, "message": message}}).to_string(),
    )
}

fn quantity(v: &Value) -> u64 {
    u64::from_str_radix(v.as_str().unwrap().trim_start_matches("0x"), 16).unwrap()
}

/// A JSON-RPC batch (counted as one `batch` request): each call answered
/// as alone, with its id.
fn answer_batch(calls: &[Value], chain: &Mutex<Chain>) -> (u16, String) {
    let before = chain.lock().unwrap().requests.len();
    let answers: Vec<Value> = calls
        .iter()
        .map(|call| {
            let (_, text) = answer(call, chain);
            let mut v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
            v["id"] = call["id"].clone();
            v
        })
        .collect();
    // one HTTP request: counted once, as `batch`, not per call
    let mut c = chain.lock().unwrap();
    c.requests.truncate(before);
    c.requests.push("batch".into());
    (200, Value::Array(answers).to_string())
}

/// The record `serviceNodes(id)` answers: node `id` of the node list,
/// registered at time 1000 + id, with an exit requested when `id` is in
/// `Chain::leaving`.
fn service_node(id: u64, c: &Chain) -> String {
    use snode_eth::abi::{encode_service_node, ServiceNodeRecord};
    let mut ed = [0u8; 32];
    ed[24..].copy_from_slice(&id.to_be_bytes());
    ed[0] = 0xed;
    let record = ServiceNodeRecord {
        operator: snode_eth::Address::repeat_byte(0x11),
        bls_pubkey: Default::default(), // not what the tracker reads the record for
        ed25519_pubkey: ed.into(),
        added_timestamp: 1000 + id,
        leave_request_timestamp: if c.leaving.contains(&id) {
            5000 + id
        } else {
            0
        },
        deposit: alloy_primitives::U256::from(25_000u64),
    };
    format!("0x{}", hex::encode(encode_service_node(&record)))
}

fn answer(req: &Value, chain: &Mutex<Chain>) -> (u16, String) {
    let method = req["method"].as_str().unwrap_or("").to_string();
    let fault = {
        let mut c = chain.lock().unwrap();
        c.requests.push(method.clone());
        let applies = c
            .fault_methods
            .as_ref()
            .is_none_or(|m| m.contains(&method.as_str()));
        c.fault.clone().filter(|_| applies)
    };
    match fault {
        Some(Fault::Hang(d)) => {
            thread::sleep(d);
            return (0, String::new());
        }
        // as a proxy in front of a provider answers: an HTML error page
        Some(Fault::Http(status)) => {
            let title = format!("{status} {}", http::reason(status));
            return (
                status,
                format!(
                    "<html><head><title>{title}</title></head><body><h1>{title}</h1></body></html>"
                ),
            );
        }
        Some(Fault::RpcError(code, msg)) => return rpc_error(code, &msg),
        Some(Fault::Garbage) => return (200, "<html>this is not json".into()),
        Some(Fault::NullResult) => return ok(Value::Null),
        Some(Fault::Hold) => {
            chain.lock().unwrap().holding += 1;
            while !chain.lock().unwrap().release {
                thread::sleep(Duration::from_millis(10));
            }
            chain.lock().unwrap().holding -= 1;
            return (0, String::new());
        }
        None => {}
    }
    let forward = chain.lock().unwrap().forward.clone();
    if let Some((upstream, delay)) = forward {
        if method == "eth_getLogs" {
            thread::sleep(delay);
        }
        let text = ureq::post(&upstream)
            .header("Content-Type", "application/json")
            .send(req.to_string())
            .map(|mut r| r.body_mut().read_to_string().unwrap_or_default());
        return match text {
            Ok(t) => (200, t),
            Err(_) => (502, "upstream failed".into()),
        };
    }
    if method == "eth_getLogs" {
        let delay = chain.lock().unwrap().logs_delay;
        thread::sleep(delay);
        let from = req["params"][0]
            .get("fromBlock")
            .filter(|v| v.is_string())
            .map(quantity);
        let held = |c: &Chain| c.hold_logs_from.is_some_and(|h| from >= Some(h));
        if held(&chain.lock().unwrap()) {
            chain.lock().unwrap().holding += 1;
            while held(&chain.lock().unwrap()) {
                thread::sleep(Duration::from_millis(10));
            }
            chain.lock().unwrap().holding -= 1;
        }
    }
    let mut c = chain.lock().unwrap();
    match method.as_str() {
        "eth_chainId" => ok(json!(format!("0x{:x}", c.chain_id))),
        "eth_blockNumber" => ok(json!(format!("0x{:x}", c.head))),
        "eth_getLogs" => {
            let f = &req["params"][0];
            let (from, to) = (quantity(&f["fromBlock"]), quantity(&f["toBlock"]));
            c.log_ranges.push((from, to));
            if let Some(max) = c.max_range {
                if to - from + 1 > max {
                    let msg = c
                        .range_message
                        .clone()
                        .unwrap_or_else(|| format!("eth_getLogs is limited to a {max} range"));
                    return rpc_error(-32600, &msg);
                }
            }
            let logs: Vec<Value> = c
                .logs
                .iter()
                .filter(|(b, _)| *b >= from && *b <= to && *b <= c.head)
                .map(|(_, l)| l.clone())
                .collect();
            ok(Value::Array(logs))
        }
        "eth_call" => {
            let data = req["params"][0]["data"].as_str().unwrap_or("");
            c.call_selectors
                .push(data.chars().take(10).collect::<String>());
            if let Some(id) = data.strip_prefix("0x040f9853") {
                let id = u64::from_str_radix(id.trim_start_matches('0'), 16).unwrap_or(0);
                ok(json!(service_node(id, &c)))
            } else if data.starts_with("0xabf2c503") {
                ok(json!(format!(
                    "0x{}",
                    c.node_list.clone().unwrap_or_default()
                )))
            } else if data.starts_with("0x56d399e8") {
                ok(json!(c
                    .staking_requirement
                    .map_or("0x".to_string(), |v| format!("0x{v:064x}"))))
            } else {
                // rewardRate() = 7
                ok(json!(format!("0x{:064x}", 7)))
            }
        }
        // the contract is there unless the chain says it is not
        "eth_getCode" if c.no_contract => ok(json!("0x")),
        "eth_getCode" => ok(json!("0x6080604052")),
        _ => rpc_error(-32601, "method not found"),
    }
}
