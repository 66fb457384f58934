//! Test support: running the binary, and a JSON-RPC stub on 127.0.0.1 (one
//! request per connection, `Connection: close`) on snode-testkit's HTTP server.
#![allow(dead_code)]

use serde_json::Value;
use snode_testkit::http::{serve, Connection};

/// Starts a stub (snode-testkit's HTTP server) answering each JSON-RPC request body
/// with `reply(request) -> (status, body)`. Returns its base URL; the server lives
/// until the test process ends.
pub fn stub<F>(reply: F) -> String
where
    F: Fn(&Value) -> (u16, String) + Send + Sync + 'static,
{
    let port = serve(Connection::Close, move |body| {
        let request: Value = serde_json::from_str(body).unwrap_or(Value::Null);
        Some(reply(&request))
    });
    format!("http://127.0.0.1:{port}")
}

/// A JSON-RPC success reply.
pub fn ok(result: Value) -> (u16, String) {
    (
        200,
        serde_json::json!({"jsonrpc": "2.0", "id": 1, "result": result}).to_string(),
    )
}

/// Parses a `0x…` quantity in a request.
pub fn q(v: &Value) -> u64 {
    u64::from_str_radix(v.as_str().unwrap().trim_start_matches("0x"), 16).unwrap()
}

/// Runs `oxen-sn-config` with `args`: (exit code, stdout, stderr).
pub fn run(args: &[&str]) -> (i32, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_oxen-sn-config"))
        .args(args)
        .output()
        .unwrap();
    let code = out.status.code().expect("exited normally");
    (
        code,
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}
