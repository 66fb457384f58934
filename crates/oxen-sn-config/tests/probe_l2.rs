//! `oxen-sn-config probe-l2` against anvil and against loopback stubs.

use crate::support;

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};
use snode_testkit::{free_port, Anvil};
use support::{ok, q, run, stub};

const KEY: &str = "abcdEFGH1234ijklMNOP5678qrst";
const QUERY_SECRET: &str = "sekrit-token-99";

/// The stub's URL dressed like a provider URL with an API key in the path and query.
fn with_key(base: &str) -> String {
    format!("{base}/v2/{KEY}?apikey={QUERY_SECRET}")
}

fn assert_no_secret(out: &str) {
    assert!(
        !out.contains(KEY) && !out.contains(QUERY_SECRET),
        "a secret leaked:\n{out}"
    );
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// A healthy Arbitrum Sepolia lookalike whose eth_getLogs refuses more than `limit` blocks.
fn sepolia_stub(limit: u64) -> String {
    stub(move |req| match req["method"].as_str().unwrap() {
        "eth_chainId" => ok(json!("0x66eee")),
        "eth_blockNumber" => ok(json!("0x5f5e100")),
        "eth_getBlockByNumber" => {
            ok(json!({"number": "0x5f5e100", "timestamp": format!("{:#x}", now())}))
        }
        "eth_getCode" => ok(json!("0x6080604052")),
        "eth_getLogs" => {
            let f = &req["params"][0];
            assert_eq!(f["address"], "0x9d8aB00880CBBdc2Dcd29C179779469A82E7be35");
            let blocks = q(&f["toBlock"]) - q(&f["fromBlock"]) + 1;
            if blocks > limit {
                (200, json!({"jsonrpc": "2.0", "id": 1, "error": {"code": -32602, "message":
                    format!("Log response size exceeded. You can make eth_getLogs requests with up to a {limit} block range.")}}).to_string())
            } else {
                ok(json!([]))
            }
        }
        m => panic!("unexpected method {m}"),
    })
}

#[test]
fn wrong_chain_is_rejected_quoting_the_chain_id() {
    let url = stub(|_| ok(json!("0xa4b1")));
    let (code, out, err) = run(&["probe-l2", &with_key(&url)]);
    assert_eq!(code, 4, "{out}{err}");
    assert!(
        out.contains("\"0xa4b1\"") && out.contains("Arbitrum One"),
        "{out}"
    );
    assert!(out.contains("0x66eee"), "{out}");
    assert_no_secret(&(out + &err));
}

#[test]
fn range_limit_of_500_is_measured_and_recommended() {
    let url = sepolia_stub(500);
    let (code, out, err) = run(&["probe-l2", &with_key(&url)]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("5 ok, 100 ok, 500 ok, 1000 refused (range limit)"),
        "{out}"
    );
    assert!(out.contains("largest range  500 blocks"), "{out}");
    assert!(out.contains("l2-max-logs=500"), "{out}");
    assert!(out.contains("head           100000000"), "{out}");
    assert_no_secret(&(out + &err));

    let (code, out, _) = run(&["probe-l2", "--json", &with_key(&url)]);
    assert_eq!(code, 0);
    let v: Value = serde_json::from_str(&out).unwrap();
    let p = &v["providers"][0];
    assert_eq!(v["ok"], true);
    assert_eq!(p["max_log_range"], 500);
    assert_eq!(p["recommended_l2_max_logs"], 500);
    assert_eq!(p["ranges"][3]["failure"], "range-limit");
    assert_eq!(p["url"], format!("{url}/…"));
    assert_no_secret(&out);
}

#[test]
fn json_rpc_rate_limit_with_http_200_is_reported() {
    let url = stub(|_| {
        (
            200,
            r#"{"jsonrpc":"2.0","id":1,"error":{"code":-32005}}"#.to_string(),
        )
    });
    let (code, out, err) = run(&["probe-l2", &with_key(&url)]);
    assert_eq!(code, 4, "{out}{err}");
    assert!(
        out.contains("rate limiting") && out.contains("-32005"),
        "{out}"
    );
    assert!(out.contains("rate limit     yes"), "{out}");
    let (_, out, _) = run(&["probe-l2", "--json", &url]);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["providers"][0]["rate_limited"], true);
    assert_eq!(v["ok"], false);
}

/// An HTTP status and body a stub answers with.
type Reply = fn() -> (u16, String);

/// A healthy Arbitrum Sepolia lookalike that rate limits eth_getLogs alone (the
/// free-tier case) with `refusal`.
fn logs_rate_limited_stub(refusal: Reply) -> String {
    stub(move |req| match req["method"].as_str().unwrap() {
        "eth_chainId" => ok(json!("0x66eee")),
        "eth_blockNumber" => ok(json!("0x5f5e100")),
        "eth_getBlockByNumber" => {
            ok(json!({"number": "0x5f5e100", "timestamp": format!("{:#x}", now())}))
        }
        "eth_getCode" => ok(json!("0x6080604052")),
        "eth_getLogs" => refusal(),
        m => panic!("unexpected method {m}"),
    })
}

#[test]
fn a_rate_limit_on_eth_get_logs_alone_is_reported() {
    let refusals: [(Reply, &str); 3] = [
        (
            || {
                (
                    200,
                    json!({"jsonrpc": "2.0", "id": 1, "error": {"code": -32007,
                        "message": "100/second request limit reached - reduce calls per second"}})
                    .to_string(),
                )
            },
            "-32007",
        ),
        (
            || {
                (
                    200,
                    json!({"jsonrpc": "2.0", "id": 1, "error": {"code": -32000,
                        "message": "daily request limit reached for eth_getLogs"}})
                    .to_string(),
                )
            },
            "daily request limit reached",
        ),
        // Not 429, no telling words: only the JSON-RPC code in the body says it.
        (
            || {
                (
                    503,
                    json!({"jsonrpc": "2.0", "id": 1, "error": {"code": -32005}}).to_string(),
                )
            },
            "HTTP status 503",
        ),
    ];
    for (refusal, said) in refusals {
        let url = logs_rate_limited_stub(refusal);
        let (code, out, err) = run(&["probe-l2", &with_key(&url)]);
        assert_eq!(code, 4, "{said}: {out}{err}");
        assert!(
            out.contains("chain id       0x66eee (Arbitrum Sepolia) ok"),
            "{out}"
        );
        assert!(out.contains("5 refused (rate limit)"), "{said}: {out}");
        assert!(
            out.contains("eth_getLogs over 5 blocks failed: the provider is rate limiting"),
            "{said}: {out}"
        );
        assert!(out.contains(said), "{said}: {out}");
        assert!(out.contains("rate limit     yes"), "{said}: {out}");
        assert!(
            !out.contains("l2-max-logs="),
            "no range was measured: {out}"
        );
        assert_no_secret(&(out + &err));

        let (_, out, _) = run(&["probe-l2", "--json", &with_key(&url)]);
        let v: Value = serde_json::from_str(&out).unwrap();
        let p = &v["providers"][0];
        assert_eq!(p["rate_limited"], true, "{said}");
        assert_eq!(p["ranges"][0]["failure"], "rate-limit", "{said}");
        assert_eq!(p["max_log_range"], Value::Null);
        assert_eq!(v["ok"], false);
    }
}

#[test]
fn provider_text_in_messages_is_scrubbed_and_clipped() {
    // Providers that echo the request URL (and so its key) back in odd places.
    let echo = format!("/v2/{KEY}?apikey={QUERY_SECRET} {}", "x".repeat(5000));
    let e = echo.clone();
    let url = stub(move |_| ok(json!(e.clone())));
    let (code, out, err) = run(&["probe-l2", "--json", &with_key(&url)]);
    assert_eq!(code, 4, "{out}{err}");
    assert_no_secret(&(out.clone() + &err));
    let v: Value = serde_json::from_str(&out).unwrap();
    let problem = v["providers"][0]["problems"][0].as_str().unwrap();
    assert!(problem.starts_with("eth_chainId returned"), "{problem}");
    assert!(problem.len() < 400, "not clipped: {} bytes", problem.len());
    assert!(
        v["providers"][0]["chain_id"].as_str().unwrap().len() < 400,
        "{out}"
    );

    let e = echo.clone();
    let url = stub(move |req| match req["method"].as_str().unwrap() {
        "eth_chainId" => ok(json!("0x66eee")),
        _ => ok(json!({"echo": e.clone()})),
    });
    let (code, out, err) = run(&["probe-l2", &with_key(&url)]);
    assert_eq!(code, 4, "{out}{err}");
    assert!(out.contains("eth_blockNumber returned"), "{out}");
    assert!(out.len() < 2000, "not clipped: {} bytes", out.len());
    assert_no_secret(&(out + &err));

    let e = echo;
    let url = stub(move |req| match req["method"].as_str().unwrap() {
        "eth_chainId" => ok(json!("0x66eee")),
        "eth_blockNumber" => ok(json!("0x5f5e100")),
        "eth_getBlockByNumber" => {
            ok(json!({"number": "0x5f5e100", "timestamp": format!("{:#x}", now())}))
        }
        _ => ok(json!({"echo": e.clone()})),
    });
    let (code, out, err) = run(&["probe-l2", &with_key(&url)]);
    assert_eq!(code, 4, "{out}{err}");
    assert!(out.contains("expected a list of logs, got"), "{out}");
    assert!(out.len() < 3000, "not clipped: {} bytes", out.len());
    assert_no_secret(&(out + &err));
}

#[test]
fn unreachable_provider_fails_without_leaking() {
    // A port nobody listens on: bind, learn it, close.
    let port = free_port();
    let url = format!("http://user:hunter22@127.0.0.1:{port}/v2/{KEY}");
    let (code, out, err) = run(&["probe-l2", "--timeout", "5", &url]);
    assert_eq!(code, 4, "{out}{err}");
    assert!(out.contains("eth_chainId failed: no answer"), "{out}");
    assert!(!out.contains("hunter22"));
    assert_no_secret(&(out + &err));
}

#[test]
fn providers_from_a_config_file() {
    let good = sepolia_stub(100_000);
    let bad = stub(|_| ok(json!("0x1")));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("stagenet.conf");
    std::fs::write(&file, format!("l2-provider={good}, {bad}\n")).unwrap();
    let (code, out, err) = run(&["probe-l2", "--config", file.to_str().unwrap()]);
    assert_eq!(code, 4, "{out}{err}");
    let sections: Vec<&str> = out.split("\n\n").collect();
    assert_eq!(sections.len(), 2, "{out}");
    assert!(
        sections[0].contains("l2-max-logs=1000 (the default)")
            && sections[0].contains("result         usable")
    );
    assert!(sections[1].contains("Ethereum mainnet") && sections[1].contains("NOT USABLE"));
}

/// anvil with its genesis at block 20000, so 10000-block ranges exist
/// without mining (slow here).
fn start_anvil() -> (Anvil, String) {
    let anvil = Anvil::start_with(&["--number", "20000"]);
    // a contract at the default l2-rewards-contract (any code will do)
    anvil.set_code("0x9d8aB00880CBBdc2Dcd29C179779469A82E7be35", "0x6080604052");
    let url = anvil.url.clone();
    (anvil, url)
}

#[test]
fn anvil_on_arbitrum_sepolia_chain_id_passes() {
    let (_anvil, url) = start_anvil();
    let (code, out, err) = run(&["probe-l2", &url]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("chain id       0x66eee (Arbitrum Sepolia) ok"),
        "{out}"
    );
    assert!(out.contains("head           20000"), "{out}");
    assert!(
        out.contains("5 ok, 100 ok, 500 ok, 1000 ok, 10000 ok"),
        "{out}"
    );
    assert!(out.contains("l2-max-logs=1000 (the default)"), "{out}");
    assert!(out.contains("result         usable"), "{out}");
}

#[test]
fn url_syntax_is_checked_before_probing_and_the_fault_named() {
    let asked = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let seen = asked.clone();
    let url = stub(move |_| {
        seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        ok(json!("0x66eee"))
    });
    let no_scheme = format!("{}/v2/{KEY}", url.trim_start_matches("http://"));
    let host = url.trim_start_matches("http://").to_string();
    let (code, out, err) = run(&["probe-l2", &no_scheme]);
    assert_eq!(code, 4, "{out}{err}");
    assert!(
        out.contains(&format!(
            "invalid URL {host}/…: the URL has no scheme: start it with https:// (or http://)"
        )),
        "{out}"
    );
    assert_eq!(
        asked.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "probed anyway"
    );
    assert_no_secret(&(out + &err));

    let (code, out, err) = run(&["probe-l2", &format!("ftp://{host}/{KEY}")]);
    assert_eq!(code, 4, "{out}{err}");
    assert!(
        out.contains("only http:// and https:// JSON-RPC URLs are supported, not ftp://"),
        "{out}"
    );
    assert_no_secret(&(out + &err));
}

#[test]
fn a_provider_without_the_contract_is_not_usable() {
    let anvil = Anvil::start_with(&["--number", "20000"]);
    let (code, out, err) = run(&["probe-l2", &anvil.url]);
    assert_eq!(code, 4, "{out}{err}");
    assert!(
        out.contains(&format!(
            "problem        no ServiceNodeRewards contract at 0x9d8aB00880CBBdc2Dcd29C179779469A82E7be35 on {}",
            anvil.url
        )),
        "{out}"
    );
    assert!(out.contains("result         NOT USABLE"), "{out}");
    let (code, out, _) = run(&["probe-l2", "--json", &anvil.url]);
    assert_eq!(code, 4);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["providers"][0]["contract_code"], false, "{out}");
}
