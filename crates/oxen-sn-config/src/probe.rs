//! `probe-l2`: qualify an L2 provider before the node depends on it: the chain id as
//! the debconf check and oxend do, eth_getLogs ranges as the tracker requests them
//! (docs/compat/l2-contract.md). Requests go through snode-eth's JSON-RPC client and
//! its classifier of refusals (range limit, rate limit).

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde::Serialize;
use serde_json::{json, Value};
use snode_conf::{redact_url, STAGENET_CHAIN_ID};

use crate::rpc::{Endpoint, Failure, FailureKind, LimitKind, ProviderUrl};

/// How a refusal reads (the classifier is snode-eth's).
pub type Limit = LimitKind;

/// A `0x…` quantity.
fn quantity(v: &Value) -> Option<u64> {
    crate::rpc::parse_quantity(v).ok()
}

/// A failed request in the probe's words.
fn describe(f: &Failure) -> String {
    match &f.kind {
        FailureKind::Connection => format!("no answer: {}", f.message),
        FailureKind::Timeout => "no answer within the timeout".to_string(),
        FailureKind::HttpStatus { status, .. } if f.message.is_empty() => {
            format!("HTTP status {status}")
        }
        FailureKind::HttpStatus { status, .. } => format!("HTTP status {status}: {:?}", f.message),
        FailureKind::JsonRpc { code } if f.message.is_empty() => {
            format!("JSON-RPC error {code} (with HTTP 200)")
        }
        FailureKind::JsonRpc { code } => {
            format!("JSON-RPC error {code} (with HTTP 200): {:?}", f.message)
        }
        FailureKind::Malformed => f.message.clone(),
        FailureKind::NullResult => {
            "not a JSON-RPC answer: the result is null or missing".to_string()
        }
    }
}

/// eth_getLogs ranges tried, in blocks, smallest first.
pub const RANGES: [u64; 5] = [5, 100, 500, 1000, 10000];
/// oxend's default `l2-max-logs` (docs/compat/config.md); larger accepted ranges recommend this.
pub const DEFAULT_MAX_LOGS: u64 = 1000;
/// A head older than this is reported as stale.
pub const STALE_HEAD_SECS: u64 = 120;

/// What to probe with.
#[derive(Clone, Debug)]
pub struct ProbeOptions {
    /// Per-request timeout.
    pub timeout: Duration,
    /// Address whose logs are requested (the ServiceNodeRewards contract).
    pub contract: String,
}

/// One eth_getLogs attempt.
#[derive(Clone, Debug, Serialize)]
pub struct RangeResult {
    /// Blocks requested (`toBlock - fromBlock + 1`).
    pub blocks: u64,
    /// Whether the provider answered with logs.
    pub accepted: bool,
    /// How a refusal reads.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<Limit>,
    /// The refusal, scrubbed of secrets.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Everything learnt about one provider.
#[derive(Clone, Debug, Serialize)]
pub struct ProbeReport {
    /// The URL, redacted.
    pub url: String,
    /// True when the node can use this provider.
    pub ok: bool,
    /// `eth_chainId` exactly as returned.
    pub chain_id: Option<String>,
    /// Whether `eth_getCode` found code at the contract address (unknown
    /// when the provider did not answer it).
    pub contract_code: Option<bool>,
    /// `eth_blockNumber`.
    pub head: Option<u64>,
    /// Seconds since the head block's timestamp.
    pub head_age_secs: Option<u64>,
    /// Round trip of `eth_chainId`, milliseconds.
    pub latency_ms: Option<u64>,
    /// eth_getLogs attempts, smallest first.
    pub ranges: Vec<RangeResult>,
    /// Largest eth_getLogs range accepted.
    pub max_log_range: Option<u64>,
    /// The `l2-max-logs` to configure.
    pub recommended_l2_max_logs: Option<u64>,
    /// Whether the provider rate limited the probe.
    pub rate_limited: bool,
    /// Why the provider is not usable (empty when `ok`).
    pub problems: Vec<String>,
    /// Things worth knowing that do not make it unusable.
    pub warnings: Vec<String>,
}

/// A readable name for chain ids that show up by mistake.
fn chain_name(id: u64) -> &'static str {
    match id {
        1 => "Ethereum mainnet",
        42161 => "Arbitrum One, the mainnet L2",
        421_614 => "Arbitrum Sepolia",
        11_155_111 => "Ethereum Sepolia, the L1 testnet",
        31337 => "a local development chain",
        _ => "an unknown chain",
    }
}

fn rpc_problem(what: &str, e: &Failure, report: &mut ProbeReport) -> String {
    if e.limit() == LimitKind::RateLimit {
        report.rate_limited = true;
        format!(
            "{what}: the provider is rate limiting ({}); use a plan with more throughput, \
             another provider, or add backups",
            describe(e)
        )
    } else {
        format!("{what}: {}", describe(e))
    }
}

/// Probes one provider: chain id, head and its age, latency, and the largest
/// eth_getLogs range it serves on `opts.contract`.
pub fn probe(url: &str, opts: &ProbeOptions) -> ProbeReport {
    let mut r = ProbeReport {
        url: redact_url(url),
        ok: false,
        chain_id: None,
        contract_code: None,
        head: None,
        head_age_secs: None,
        latency_ms: None,
        ranges: Vec::new(),
        max_log_range: None,
        recommended_l2_max_logs: None,
        rate_limited: false,
        problems: Vec::new(),
        warnings: Vec::new(),
    };
    // The syntax first: a URL that cannot be one is named, not sent.
    let url = match ProviderUrl::parse(url) {
        Ok(u) => u,
        Err(e) => {
            r.url = e.shown.clone();
            r.problems.push(e.to_string());
            return r;
        }
    };
    let client = Endpoint::probing(
        url,
        opts.timeout,
        concat!("oxen-sn-config/", env!("CARGO_PKG_VERSION")),
    );

    let start = Instant::now();
    let chain = client.call("eth_chainId", &json!([]));
    r.latency_ms = Some(start.elapsed().as_millis() as u64);
    match chain {
        Err(e) => {
            r.latency_ms = None;
            let p = rpc_problem("eth_chainId failed", &e, &mut r);
            r.problems.push(p);
            return r;
        }
        Ok(v) => {
            // Provider text: scrubbed of the URL's secrets and clipped, like error texts.
            let shown = client.scrub(&v.as_str().map_or_else(|| v.to_string(), str::to_string));
            r.chain_id = Some(shown.clone());
            match quantity(&v) {
                Some(STAGENET_CHAIN_ID) => {}
                Some(id) => {
                    r.problems.push(format!(
                        "wrong network: eth_chainId returned \"{shown}\" ({id}, {}); chainId 0x66eee \
                         (421614, Arbitrum Sepolia) is required: use an Arbitrum Sepolia endpoint",
                        chain_name(id)
                    ));
                    return r;
                }
                None => {
                    r.problems.push(format!(
                        "eth_chainId returned {shown:?}, not a 0x… quantity"
                    ));
                    return r;
                }
            }
        }
    }

    // the contract the node follows must be there
    match client
        .call("eth_getCode", &json!([opts.contract, "latest"]))
        .and_then(|v| {
            // a shape error quotes the provider's answer: scrub it too
            crate::rpc::parse_data(&v).map_err(|mut f| {
                f.message = client.scrub(&f.message);
                f
            })
        }) {
        Ok(code) if code.is_empty() => {
            r.contract_code = Some(false);
            r.problems.push(format!(
                "no ServiceNodeRewards contract at {} on {}: check l2-rewards-contract (or \
                 --contract) and that the provider serves Arbitrum Sepolia",
                opts.contract, r.url
            ));
        }
        Ok(_) => r.contract_code = Some(true),
        Err(e) if e.limit() == LimitKind::RateLimit => {
            let p = rpc_problem("eth_getCode failed", &e, &mut r);
            r.problems.push(p);
            return r;
        }
        Err(e) => r.warnings.push(format!(
            "could not check the contract's code: {}",
            describe(&e)
        )),
    }

    let head = match client
        .call("eth_blockNumber", &json!([]))
        .map(|v| quantity(&v).ok_or(v))
    {
        Ok(Ok(h)) => h,
        Ok(Err(v)) => {
            r.problems.push(format!(
                "eth_blockNumber returned {}, not a 0x… quantity",
                client.scrub(&v.to_string())
            ));
            return r;
        }
        Err(e) => {
            let p = rpc_problem("eth_blockNumber failed", &e, &mut r);
            r.problems.push(p);
            return r;
        }
    };
    r.head = Some(head);
    match client.call(
        "eth_getBlockByNumber",
        &json!([format!("{head:#x}"), false]),
    ) {
        Ok(block) => {
            if let Some(ts) = block.get("timestamp").and_then(quantity) {
                let now = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map_or(0, |d| d.as_secs());
                let age = now.saturating_sub(ts);
                r.head_age_secs = Some(age);
                if age > STALE_HEAD_SECS {
                    r.warnings.push(format!(
                        "the head block is {age} s old: the provider (or the chain) may be stalled"
                    ));
                }
            }
        }
        Err(e) => {
            if e.limit() == LimitKind::RateLimit {
                let p = rpc_problem("eth_getBlockByNumber failed", &e, &mut r);
                r.problems.push(p);
                return r;
            }
            r.warnings.push(format!(
                "could not read the head block's age: {}",
                describe(&e)
            ));
        }
    }

    for blocks in RANGES {
        if head + 1 < blocks {
            r.warnings.push(format!(
                "the chain has only {} blocks; ranges above that were not tried",
                head + 1
            ));
            break;
        }
        let from = head + 1 - blocks;
        let filter = json!([{
            "fromBlock": format!("{from:#x}"),
            "toBlock": format!("{head:#x}"),
            "address": opts.contract,
        }]);
        match client.call("eth_getLogs", &filter) {
            Ok(v) if v.is_array() => {
                r.max_log_range = Some(blocks);
                r.ranges.push(RangeResult {
                    blocks,
                    accepted: true,
                    failure: None,
                    error: None,
                });
            }
            outcome => {
                let e = match outcome {
                    Ok(v) => Failure {
                        kind: FailureKind::Malformed,
                        message: format!(
                            "not a JSON-RPC answer: expected a list of logs, got {}",
                            client.scrub(&v.to_string())
                        ),
                    },
                    Err(e) => e,
                };
                let failure = e.limit();
                if failure == LimitKind::RateLimit {
                    let p = rpc_problem(
                        &format!("eth_getLogs over {blocks} blocks failed"),
                        &e,
                        &mut r,
                    );
                    r.problems.push(p);
                } else if failure == LimitKind::Other && r.max_log_range.is_none() {
                    r.problems.push(format!(
                        "eth_getLogs over {blocks} blocks failed: {}",
                        describe(&e)
                    ));
                }
                r.ranges.push(RangeResult {
                    blocks,
                    accepted: false,
                    failure: Some(failure),
                    error: Some(describe(&e)),
                });
                break;
            }
        }
    }

    match r.max_log_range {
        Some(max) => {
            let rec = max.min(DEFAULT_MAX_LOGS);
            r.recommended_l2_max_logs = Some(rec);
            if max <= 5 {
                r.problems.push(format!(
                    "eth_getLogs is limited to {max} blocks: catching up the 16800-block window would \
                     take thousands of requests; use a provider (or plan) that serves at least 100"
                ));
            }
        }
        None if r.problems.is_empty() && !r.ranges.is_empty() => {
            r.problems.push(format!(
                "eth_getLogs was refused even for {} blocks; this provider cannot serve the node",
                RANGES[0]
            ));
        }
        None => {}
    }
    r.ok = r.problems.is_empty();
    r
}

/// The human-readable report.
pub fn render_text(r: &ProbeReport) -> String {
    let mut out = format!("{}\n", r.url);
    let mut line = |k: &str, v: String| out.push_str(&format!("  {k:<14} {v}\n"));
    if let Some(id) = &r.chain_id {
        let ok = if quantity(&Value::from(id.as_str())) == Some(STAGENET_CHAIN_ID) {
            "(Arbitrum Sepolia) ok"
        } else {
            "WRONG"
        };
        line("chain id", format!("{id} {ok}"));
    }
    if let Some(h) = r.head {
        let age = r
            .head_age_secs
            .map_or_else(|| "age unknown".to_string(), |a| format!("{a} s old"));
        line("head", format!("{h} ({age})"));
    }
    if let Some(ms) = r.latency_ms {
        line("latency", format!("{ms} ms (eth_chainId)"));
    }
    if !r.ranges.is_empty() {
        let tried: Vec<String> = r
            .ranges
            .iter()
            .map(|t| match (&t.error, t.failure) {
                (None, _) => format!("{} ok", t.blocks),
                (Some(_), Some(LimitKind::RangeLimit)) => {
                    format!("{} refused (range limit)", t.blocks)
                }
                (Some(_), Some(LimitKind::RateLimit)) => {
                    format!("{} refused (rate limit)", t.blocks)
                }
                (Some(_), _) => format!("{} failed", t.blocks),
            })
            .collect();
        line("eth_getLogs", tried.join(", "));
        if let Some(e) = r.ranges.iter().find_map(|t| t.error.as_ref()) {
            line("", format!("provider said: {e}"));
        }
    }
    if let Some(max) = r.max_log_range {
        line("largest range", format!("{max} blocks"));
    }
    if let Some(rec) = r.recommended_l2_max_logs {
        let note = if rec == DEFAULT_MAX_LOGS {
            " (the default)"
        } else {
            ""
        };
        line("recommend", format!("l2-max-logs={rec}{note}"));
    }
    if r.rate_limited {
        line(
            "rate limit",
            "yes: the provider refused requests for throughput".to_string(),
        );
    }
    for w in &r.warnings {
        line("warning", w.clone());
    }
    for p in &r.problems {
        line("problem", p.clone());
    }
    line(
        "result",
        if r.ok {
            "usable".to_string()
        } else {
            "NOT USABLE".to_string()
        },
    );
    out
}
