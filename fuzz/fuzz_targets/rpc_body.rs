//! The admin JSON-RPC request path without sockets: HTTP framing
//! (`http::frame_request`, the steps a connection takes on received bytes)
//! and the body (a single request, a batch, notifications, or anything else)
//! through `Methods::handle_body` of a daemon set up as a service node (real
//! keys in a temporary directory, the standard methods and `get_l2_status`).
//!
//! Input: when it starts with an ASCII letter or an empty line, the bytes a
//! client sent (one or more pipelined requests, each body of a `POST
//! /json_rpc` handed on); otherwise one body.
//!
//! Checked: no panic; a refused request gets one of the documented statuses
//! (400, 411, 413, 431, 505) and a framed one has exactly `Content-Length`
//! bytes of body; unparseable JSON is answered with -32700; every answer
//! is a JSON-RPC 2.0 response with exactly one of `result` and `error`; a
//! batch gets at most one answer per element, in request order; a request
//! with an `id` is always answered; no answer carries a secret key.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use snode_node::server::http::{frame_request, Limits};
use snode_node::server::{Ctx, Methods};
use snode_node::shutdown::Shutdown;

struct Daemon {
    ctx: Ctx,
    methods: Methods,
    secrets: Vec<String>,
}

fn daemon() -> &'static Daemon {
    static DAEMON: OnceLock<Daemon> = OnceLock::new();
    DAEMON.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir").keep();
        let conf = format!(
            "data-dir={}\nservice-node=1\nstagenet=1\nservice-node-public-ip=1.2.3.4\n\
             l2-provider=http://127.0.0.1:9/v2/SECRETKEY\nl2-skip-chainid=1\n",
            dir.display()
        );
        let doc = snode_conf::parse(&conf, "fuzz.conf").expect("config");
        let settings = snode_conf::Settings::from_sources(Some(&doc), &[]).expect("settings");
        let (keys, _) = snode_node::keys::load_or_create_keys(&dir, true).expect("keys");
        let secrets = vec![
            hex::encode(keys.ed25519.seed()),
            hex::encode(keys.bls.as_ref().expect("bls").expose_bytes()),
            "SECRETKEY".to_string(),
        ];
        let mut methods = Methods::standard();
        snode_node::server::l2::add_methods(&mut methods);
        let ctx = Ctx::new(settings, keys, Shutdown::new());
        Daemon {
            ctx,
            methods,
            secrets,
        }
    })
}

fn check_response(r: &Value) {
    let obj = r.as_object().expect("a response is an object");
    assert_eq!(obj.get("jsonrpc"), Some(&Value::from("2.0")), "{r}");
    assert!(obj.contains_key("id"), "{r}");
    assert!(
        obj.contains_key("result") != obj.contains_key("error"),
        "exactly one of result and error: {r}"
    );
    if let Some(e) = obj.get("error") {
        assert!(e["code"].is_i64() && e["message"].is_string(), "{r}");
    }
}

fn ids(requests: &[Value]) -> Vec<&Value> {
    requests.iter().filter_map(|r| r.get("id")).collect()
}

fuzz_target!(|data: &[u8]| {
    if !data
        .first()
        .is_some_and(|b| b.is_ascii_alphabetic() || matches!(b, b'\r' | b'\n'))
    {
        check_body(data);
        return;
    }
    let max_body = Limits::default().max_body;
    let mut rest = data;
    while !rest.is_empty() {
        match frame_request(rest, max_body) {
            Ok(Some(rq)) => {
                assert!(rq.used <= rest.len());
                assert!(rq.body.len() as u64 <= max_body);
                assert!(!rq.method.is_empty() && !rq.path.contains('?'));
                if rq.method == "POST" && rq.path == "/json_rpc" {
                    check_body(&rq.body);
                }
                if !rq.keep_alive {
                    break;
                }
                rest = &rest[rq.used..];
            }
            Ok(None) => break,
            Err(status) => {
                assert!(
                    [400, 411, 413, 431, 505].contains(&status),
                    "refused with {status}"
                );
                break;
            }
        }
    }
});

/// One body through `handle_body`, and the answer checked.
fn check_body(body: &[u8]) {
    let d = daemon();
    let answer = d.methods.handle_body(&d.ctx, body);
    if let Some(a) = &answer {
        let text = a.to_string();
        for s in &d.secrets {
            assert!(!text.contains(s.as_str()), "a secret in the answer: {text}");
        }
    }
    let request: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(_) => {
            let a = answer.expect("a parse error is answered");
            check_response(&a);
            assert_eq!(a["error"]["code"], -32700);
            return;
        }
    };
    match (&request, answer) {
        (Value::Array(batch), Some(Value::Array(out))) => {
            assert!(!batch.is_empty());
            assert!(out.len() <= batch.len());
            out.iter().for_each(check_response);
            // answered ids are the requests' ids, in order
            let asked = ids(batch);
            let mut asked = asked.iter();
            for r in &out {
                if r["id"].is_null() {
                    continue;
                }
                assert!(asked.any(|id| **id == r["id"]), "answer out of order: {r}");
            }
            let with_id = batch.iter().filter(|r| r.get("id").is_some()).count();
            assert!(out.len() >= with_id, "a request with an id went unanswered");
        }
        (Value::Array(batch), Some(one)) => {
            assert!(batch.is_empty(), "a batch answered with a single response");
            check_response(&one);
        }
        (Value::Array(batch), None) => {
            assert!(batch.iter().all(|r| r.is_object() && r.get("id").is_none()));
        }
        (_, Some(one)) => check_response(&one),
        (one, None) => assert!(one.is_object() && one.get("id").is_none()),
    }
}
