//! End-to-end tests of the real `oxend-stagenet` binary: keys at first start, the
//! client commands, stopping, systemd notifications, startup checks, logs.

use crate::common;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::UnixDatagram;
use std::time::{Duration, Instant};

use common::*;
use snode_keys::SecretKey;

fn key_bytes(node: &Node) -> (Vec<u8>, Vec<u8>) {
    (
        fs::read(node.data_dir().join("key_ed25519")).unwrap(),
        fs::read(node.data_dir().join("key_bls")).unwrap(),
    )
}

#[test]
fn first_start_creates_keys_second_start_reuses_them() {
    let mut node = Node::new("");
    let addr = node.start(&[], &[]);
    for (name, len) in [("key_ed25519", 131), ("key_bls", 67)] {
        let meta = fs::metadata(node.data_dir().join(name)).unwrap();
        assert_eq!(meta.permissions().mode() & 0o777, 0o400, "{name}");
        assert_eq!(meta.len(), len, "{name}");
    }
    let first = key_bytes(&node);
    let keys1 = node.client(&addr, &["print_sn_key"]);
    assert!(keys1.status.success(), "{}", stderr(&keys1));
    // The startup log lines of docs/compat/keys.md §7.1 show the same keys.
    let ed_line = stdout(&keys1).lines().next().unwrap().to_string();
    let ed = ed_line.strip_prefix("Ed25519 Public Key: ").unwrap();
    assert!(node.stderr().contains(&format!("- ed25519: {ed}")));
    assert!(node.stderr().contains("Service node public keys:"));

    let stop = node.client(&addr, &["stop_daemon"]);
    assert!(stop.status.success(), "{}", stderr(&stop));
    assert!(stdout(&stop).contains("Stop signal sent"));
    assert!(node.wait().success());

    let addr = node.start(&[], &[]);
    assert_eq!(key_bytes(&node), first, "keys changed on the second start");
    let keys2 = node.client(&addr, &["print_sn_key"]);
    assert_eq!(stdout(&keys1), stdout(&keys2));
    node.signal("-TERM");
    assert!(node.wait().success(), "SIGTERM: {}", node.stderr());
    assert!(node.stderr().contains("Stopping (SIGTERM)"));
}

#[test]
fn keys_in_other_oxend_formats_are_loaded_unchanged() {
    let node0 = Node::new("");
    fs::create_dir_all(node0.data_dir()).unwrap();
    // Raw 64-byte key_ed25519 (pre-11 oxend), BLS hex without 0x or newline.
    let ed = snode_keys::Ed25519Secret::from_seed(&[7u8; 32]);
    let bls = snode_keys::BlsSecret::from_bytes(&[0x11u8; 32]);
    fs::write(node0.data_dir().join("key_ed25519"), ed.keypair_bytes()).unwrap();
    fs::write(
        node0.data_dir().join("key_bls"),
        hex::encode(bls.expose_bytes()).to_uppercase(),
    )
    .unwrap();
    let before = key_bytes(&node0);
    let mut node = node0;
    let addr = node.start(&[], &[]);
    let out = node.client(&addr, &["print_sn_key"]);
    let text = stdout(&out);
    assert!(
        text.contains(&format!("Ed25519 Public Key: {}", ed.public_hex())),
        "{text}"
    );
    assert!(
        text.contains(&format!("    BLS Public Key: {}", bls.public_hex())),
        "{text}"
    );
    assert_eq!(key_bytes(&node), before);
    node.signal("-INT");
    assert!(node.wait().success());
}

/// The lowercase hex keys of `get_service_keys` (no `0x`).
fn service_keys(addr: &str) -> serde_json::Value {
    let r = rpc_call(addr, "get_service_keys")["result"].clone();
    for (k, len) in [
        ("service_node_ed25519_pubkey", 64),
        ("service_node_x25519_pubkey", 64),
    ] {
        let v = r[k].as_str().unwrap_or_else(|| panic!("{k}: {r}"));
        assert_eq!(v.len(), len, "{k}");
        assert!(
            v.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
            "{k} is lowercase hex without 0x: {v}"
        );
    }
    r
}

fn key(keys: &serde_json::Value, name: &str) -> String {
    keys[name].as_str().unwrap().to_string()
}

/// `friendly_duration` text: `5s`, `1m5s`, `2h0m3s`, `1d0h0m0s`.
fn is_friendly_duration(t: &str) -> bool {
    let mut rest = t;
    let mut units = vec![];
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let Some(unit) = rest[digits..].chars().next() else {
            return false;
        };
        if digits == 0 {
            return false;
        }
        units.push(unit);
        rest = &rest[digits + 1..];
    }
    ["s", "ms", "hms", "dhms"]
        .iter()
        .any(|u| units.iter().collect::<String>() == *u)
}

#[test]
fn client_commands_against_a_running_daemon() {
    let mut node = Node::new("");
    let addr = node.start(&[], &[]);
    let keys = service_keys(&addr);
    let (pk, ed, x, bls) = (
        key(&keys, "service_node_pubkey"),
        key(&keys, "service_node_ed25519_pubkey"),
        key(&keys, "service_node_x25519_pubkey"),
        key(&keys, "service_node_bls_pubkey"),
    );
    let version = env!("CARGO_PKG_VERSION");

    let status = node.client(&addr, &["status"]);
    assert!(status.status.success(), "{}", stderr(&status));
    assert_eq!(stderr(&status), "");
    let s = stdout(&status);
    let lines: Vec<&str> = s.lines().collect();
    // oxend's first line with what this daemon has (docs/compat/rpc-and-client.md §5.2): ` ON STAGENET`,
    // `, v<version>`, `, uptime <friendly>`; no height, hard fork or connections.
    let uptime = lines[0]
        .strip_prefix(&format!("oxend-stagenet ON STAGENET, v{version}, uptime "))
        .unwrap_or_else(|| panic!("first line: {s}"));
    assert!(is_friendly_duration(uptime), "{uptime:?}");
    // The tracker runs; its provider (a closed port) has not answered.
    assert_eq!(
        lines[1],
        "L2 height: unknown (no provider has answered yet), nothing synced yet; 0 nodes \
         registered in the contract"
    );
    assert!(
        lines[2].starts_with("L2 provider in use: Primary L2 provider [http://127.0.0.1:"),
        "{s}"
    );
    assert!(
        s.contains("(connection "),
        "connection failures counted: {s}"
    );
    assert!(!s.contains(FAKE_API_KEY), "{s}");
    // `SN: <pk> <state>` without `, proof: …` (no uptime proofs here)
    assert!(
        lines.contains(&format!("SN: {pk} registration unknown").as_str()),
        "{s}"
    );
    let bls_line = lines.iter().position(|l| *l == format!("BLS pk: {bls}"));
    let bls_line = bls_line.unwrap_or_else(|| panic!("BLS pk line: {s}"));
    assert_eq!(
        lines[bls_line + 1..],
        [format!("Note: {}", snode_node::api::NO_CHAIN_NOTE)],
        "{s}"
    );
    assert!(!s.contains("Height"), "no invented height: {s}");
    assert!(!s.contains("synchronized"), "{s}");
    assert!(!s.contains("proof:"), "no invented uptime proof: {s}");

    // print_sn_key: upstream's block, labels right-aligned to 18, the writer's
    // final newline after the last line's own (docs/compat/rpc-and-client.md §5.3).
    let k = node.client(&addr, &["print_sn_key"]);
    assert!(k.status.success(), "{}", stderr(&k));
    assert_eq!(
        stdout(&k),
        format!("Ed25519 Public Key: {ed}\n X25519 Public Key: {x}\n    BLS Public Key: {bls}\n\n")
    );
    assert_eq!(pk, ed, "the primary key is the Ed25519 key: no Legacy line");

    let sn = node.client(&addr, &["print_sn_status"]);
    assert!(sn.status.success(), "{}", stderr(&sn));
    let t = stdout(&sn);
    let tl: Vec<&str> = t.lines().collect();
    assert_eq!(
        tl[0],
        format!(
            "Service node {pk}: registration unknown (the L2 tracker has not synced the \
             contract yet)"
        )
    );
    assert_eq!(
        tl[1],
        "  IP Address & Ports: 1.2.3.4 : 11025 (oxen quorums)"
    );
    assert!(
        !t.contains("Auxiliary Public Keys"),
        "only with +detail, as upstream: {t}"
    );
    assert_eq!(
        tl.last().copied(),
        Some(format!("Note: {}", snode_node::api::NO_CHAIN_NOTE).as_str())
    );
    let detail = node.client(&addr, &["print_sn_status", "+detail"]);
    assert!(detail.status.success());
    let d = stdout(&detail);
    let want = format!(
        "\n  IP Address & Ports: 1.2.3.4 : 11025 (oxen quorums)\n  Auxiliary Public Keys:\n    \
         {ed} (Ed25519)\n    {x} (X25519)\n    {bls} (BLS)\n"
    );
    assert!(d.contains(&want), "{d}");
    assert!(
        d.contains("\n  Staking Requirement: unknown (not read from the contract yet)\n"),
        "{d}"
    );

    // +json: upstream's error, and the status anyway (exit 0)
    let json = node.client(&addr, &["print_sn_status", "+json"]);
    assert_eq!(json.status.code(), Some(0));
    assert_eq!(stderr(&json), "Error: +json is no longer supported\n");
    assert_eq!(stdout(&json).lines().next(), Some(tl[0]));
    // anything else: upstream's error, nothing printed, exit 1
    let bad = node.client(&addr, &["print_sn_status", "abcd"]);
    assert_eq!(bad.status.code(), Some(1));
    assert_eq!(
        stderr(&bad),
        "Error: print_sn_status takes no pubkey arguments\n"
    );
    assert_eq!(stdout(&bad), "");
    let both = node.client(&addr, &["print_sn_status", "+json", "abcd"]);
    assert_eq!(both.status.code(), Some(1));
    assert_eq!(
        stderr(&both),
        "Error: +json is no longer supported\nError: print_sn_status takes no pubkey arguments\n"
    );

    // version: get_info.version; upstream's `version` ignores arguments
    for args in [&["version"][..], &["version", "extra"]] {
        let v = node.client(&addr, args);
        assert_eq!(v.status.code(), Some(0), "{args:?}");
        assert_eq!(stdout(&v), format!("{version}\n"));
    }

    // Commands that take no arguments fail silently with them, as upstream.
    for args in [
        &["status", "foo"][..],
        &["print_sn_key", "foo"],
        &["stop_daemon", "now"],
        &["exit", "now"],
    ] {
        let extra = node.client(&addr, args);
        assert_eq!(extra.status.code(), Some(1), "{args:?}");
        assert_eq!(stdout(&extra), "", "{args:?}");
        assert_eq!(stderr(&extra), "", "{args:?}");
    }

    // help (docs/compat/rpc-and-client.md §5.1): banner, Commands:, one usage per command, blank line
    let help = node.client(&addr, &["help"]);
    assert!(help.status.success());
    let h = stdout(&help);
    assert!(
        h.starts_with(&format!("oxend-stagenet (v{version})\nCommands:\n")),
        "{h}"
    );
    assert!(h.ends_with("\n\n"), "{h:?}");
    for c in [
        "exit",
        "print_sn_key",
        "print_sn_status [+json|+detail]",
        "prepare_eth_registration <operator address> [\"print\"]",
        "status",
        "stop_daemon",
        "version",
    ] {
        assert!(h.contains(&format!("\n  {c}\n")), "{c}: {h}");
    }
    for (cmd, description) in [
        ("status", "Show the current status."),
        ("version", "Print version information."),
        ("stop_daemon", "Stop the daemon."),
        (
            "print_sn_status",
            "Print service node registration info for this service node",
        ),
    ] {
        let usage = if cmd == "print_sn_status" {
            "print_sn_status [+json|+detail]"
        } else {
            cmd
        };
        let hs = node.client(&addr, &["help", cmd]);
        assert_eq!(hs.status.code(), Some(0));
        assert_eq!(
            stdout(&hs),
            format!("Command usage: \n  {usage}\n\nCommand description:\n  {description}\n")
        );
    }
    // `help` for an unknown command fails, naming it (issue 12.11; oxend's
    // `help` succeeds here: this expectation was changed on purpose).
    let hu = node.client(&addr, &["help", "frobnicate"]);
    assert_eq!(hu.status.code(), Some(1));
    assert_eq!(stdout(&hu), "");
    assert_eq!(
        stderr(&hu),
        "Error: unknown command 'frobnicate'; `oxend-stagenet help` lists the commands\n"
    );
    let hc = node.client(&addr, &["help", "print_height"]);
    assert_eq!(hc.status.code(), Some(1));
    assert!(stderr(&hc).contains("needs the Oxen blockchain"), "{hc:?}");

    let unknown = node.client(&addr, &["frobnicate"]);
    assert_eq!(unknown.status.code(), Some(1));
    assert_eq!(
        stdout(&unknown),
        "Unknown command: frobnicate. Try 'help' for available commands\n"
    );
    let chain = node.client(&addr, &["print_height"]);
    assert_eq!(chain.status.code(), Some(1));
    assert!(stderr(&chain).contains("needs the Oxen blockchain"));

    assert!(
        node.client(&addr, &["version"]).status.success(),
        "still running after `stop_daemon now` and `exit now`"
    );
    let exit = node.client(&addr, &["exit"]);
    assert!(exit.status.success());
    assert_eq!(stdout(&exit), "Stop signal sent\n");
    assert!(node.wait().success());
}

#[test]
fn client_on_a_node_that_is_not_a_service_node() {
    let mut node = Node::new("");
    let conf = fs::read_to_string(node.config()).unwrap();
    node.write_config(&conf.replace("service-node=1\n", ""));
    let addr = node.start(&[], &[]);
    let keys = service_keys(&addr);
    assert_eq!(keys["is_service_node"], false);
    for absent in ["service_node_pubkey", "service_node_bls_pubkey"] {
        assert!(keys.get(absent).is_none(), "{absent}: {keys}");
    }
    let k = node.client(&addr, &["print_sn_key"]);
    assert!(k.status.success(), "{}", stderr(&k));
    assert_eq!(
        stdout(&k),
        format!(
            "Ed25519 Public Key: {}\n X25519 Public Key: {}\n\
             Note: this oxend is NOT configured as a service node\n",
            key(&keys, "service_node_ed25519_pubkey"),
            key(&keys, "service_node_x25519_pubkey")
        )
    );
    // status: no `SN:` line (oxend prints none), and no BLS pk.
    let st = node.client(&addr, &["status"]);
    assert!(st.status.success(), "{}", stderr(&st));
    let s = stdout(&st);
    assert!(!s.lines().any(|l| l.starts_with("SN:")), "{s}");
    assert!(!s.contains("BLS pk"), "{s}");
    assert!(
        s.lines()
            .any(|l| l == "Note: this oxend is NOT configured as a service node"),
        "{s}"
    );
    // print_sn_status: upstream's "Failed to retrieve service node status: …", exit 1
    let sn = node.client(&addr, &["print_sn_status"]);
    assert_eq!(sn.status.code(), Some(1));
    assert_eq!(stdout(&sn), "");
    let e = stderr(&sn);
    assert!(
        e.starts_with("Error: Failed to retrieve service node status: "),
        "{e}"
    );
    assert!(e.contains("Not a service node"), "{e}");
    assert_eq!(e.lines().count(), 1, "{e}");
    node.signal("-TERM");
    assert!(node.wait().success());
}

#[test]
fn admin_rpc_shapes() {
    let mut node = Node::new("");
    let addr = node.start(&[], &[]);
    let call = |method: &str| rpc_call(&addr, method);
    let keys = call("get_service_keys");
    assert_eq!(keys["id"], 7);
    let r = &keys["result"];
    assert_eq!(r["status"], "OK");
    assert_eq!(r["is_service_node"], true);
    assert_eq!(r["service_node_pubkey"], r["service_node_ed25519_pubkey"]);
    assert_eq!(r["service_node_bls_pubkey"].as_str().unwrap().len(), 128);
    assert_eq!(call("get_service_node_key")["result"], *r);
    let info = call("get_info")["result"].clone();
    assert_eq!(info["status"], "OK");
    assert_eq!(info["nettype"], "stagenet");
    assert_eq!(info["mainnet"], false);
    assert_eq!(info["service_node"], true);
    assert!(info["start_time"].as_u64() > Some(0), "{info}");
    assert_eq!(info["version"], env!("CARGO_PKG_VERSION"));
    // oxend's alias
    let alias = call("getinfo");
    assert_eq!(alias["result"]["version"], info["version"], "{alias}");
    assert_eq!(alias["result"]["start_time"], info["start_time"]);
    for absent in [
        "height",
        "target_height",
        "hard_fork",
        "synchronized",
        "difficulty",
        "l2_height",
        "top_block_hash",
        "outgoing_connections_count",
        "untrusted",
    ] {
        assert!(
            info.get(absent).is_none(),
            "{absent} must be absent: {info}"
        );
    }
    assert!(info["status_line"]
        .as_str()
        .unwrap()
        .contains("L2 height unknown (no provider has answered yet)"));
    let st = call("get_service_node_status")["result"].clone();
    assert_eq!(st["status"], "OK");
    let sn = &st["service_node_state"];
    assert_eq!(sn["public_ip"], "1.2.3.4");
    assert_eq!(sn["quorumnet_port"], 11025);
    assert_eq!(sn["service_node_pubkey"], r["service_node_pubkey"]);
    assert_eq!(sn["pubkey_ed25519"], r["service_node_ed25519_pubkey"]);
    assert_eq!(sn["pubkey_x25519"], r["service_node_x25519_pubkey"]);
    assert_eq!(sn["pubkey_bls"], r["service_node_bls_pubkey"]);
    // oxend's [major, minor, patch] of this daemon
    let v: Vec<String> = env!("CARGO_PKG_VERSION")
        .split('.')
        .map(|p| p.split('-').next().unwrap().to_string())
        .collect();
    let want: Vec<u64> = v.iter().map(|p| p.parse().unwrap()).collect();
    assert_eq!(sn["service_node_version"], serde_json::json!(want));
    for absent in ["registration_height", "height", "block_hash"] {
        assert!(
            sn.get(absent).is_none() && st.get(absent).is_none(),
            "{absent}: {st}"
        );
    }
    // oxend's error words; the method name in `data`
    let missing = call("no_such_method");
    assert_eq!(
        missing,
        serde_json::json!({"jsonrpc": "2.0", "id": 7, "error": {
            "code": -32601, "message": "Method not found", "data": "no_such_method"}})
    );

    // HTTP-level refusals.
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let url = format!("http://{addr}/json_rpc");
    let body = r#"{"jsonrpc":"2.0","id":1,"method":"stop_daemon"}"#;
    let status =
        |r: Result<ureq::http::Response<ureq::Body>, ureq::Error>| r.unwrap().status().as_u16();
    assert_eq!(
        status(
            agent
                .post(&url)
                .header("Content-Type", "text/plain")
                .send(body)
        ),
        415,
        "a browser's simple POST cannot stop the daemon"
    );
    assert_eq!(
        status(
            agent
                .post(&url)
                .header("Origin", "https://evil.example")
                .header("Content-Type", "application/json")
                .send(body)
        ),
        403
    );
    assert_eq!(status(agent.get(&url).call()), 405);
    assert_eq!(
        status(
            agent
                .post(format!("http://{addr}/other"))
                .header("Content-Type", "application/json")
                .send(body)
        ),
        404
    );
    let bad_json: serde_json::Value = agent
        .post(&url)
        .header("Content-Type", "application/json")
        .send("{not json")
        .unwrap()
        .body_mut()
        .read_json()
        .unwrap();
    assert_eq!(bad_json["error"]["code"], -32700);
    assert_eq!(bad_json["error"]["message"], "Parse error");
    assert_eq!(bad_json["id"], serde_json::Value::Null);
    // JSON-RPC 2.0: a notification (no id) gets no answer body
    let post = |text: &str| {
        let mut r = agent
            .post(&url)
            .header("Content-Type", "application/json")
            .send(text)
            .unwrap();
        let code = r.status().as_u16();
        (code, r.body_mut().read_to_string().unwrap())
    };
    let (code, text) = post(r#"{"jsonrpc":"2.0","method":"get_info"}"#);
    assert_eq!((code, text.as_str()), (204, ""));
    // a batch gets an array of the answers, notifications left out
    let (code, text) = post(
        r#"[{"jsonrpc":"2.0","id":1,"method":"get_info"},
            {"jsonrpc":"2.0","method":"get_info"},
            {"jsonrpc":"2.0","id":"b","method":"no_such_method"}]"#,
    );
    assert_eq!(code, 200);
    let batch: serde_json::Value = serde_json::from_str(&text).unwrap();
    let batch = batch.as_array().expect("an array");
    assert_eq!(batch.len(), 2, "{text}");
    assert_eq!(batch[0]["id"], 1);
    assert_eq!(batch[0]["result"]["status"], "OK");
    assert_eq!(batch[1]["id"], "b");
    assert_eq!(batch[1]["error"]["code"], -32601);
    let (_, text) = post("[]");
    assert!(text.contains("-32600"), "{text}");
    let (_, text) = post(r#"{"jsonrpc":"1.0","id":3,"method":"get_info"}"#);
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["error"]["code"], -32600, "{v}");
    assert_eq!(v["error"]["message"], "Invalid Request", "{v}");
    assert_eq!(v["id"], 3);
    assert!(
        node.client(&addr, &["version"]).status.success(),
        "still running"
    );
    let stop = call("stop_daemon");
    assert_eq!(
        stop,
        serde_json::json!({"jsonrpc": "2.0", "id": 7, "result": {"status": "OK"}})
    );
    assert!(node.wait().success());
}

#[test]
fn systemd_notifications() {
    let mut node = Node::new("");
    let sock_path = node.path("notify.sock");
    let sock = UnixDatagram::bind(&sock_path).unwrap();
    sock.set_read_timeout(Some(Duration::from_millis(500)))
        .unwrap();
    let sock_env = sock_path.display().to_string();
    node.start(
        &["--watchdog-interval", "0.1"],
        &[("NOTIFY_SOCKET", sock_env.as_str())],
    );
    let mut messages: Vec<String> = Vec::new();
    let mut buf = [0u8; 4096];
    let mut recv_until = |messages: &mut Vec<String>, done: &dyn Fn(&[String]) -> bool| {
        let start = Instant::now();
        while !done(messages) {
            assert!(
                start.elapsed() < DEADLINE,
                "notifications so far: {messages:?}"
            );
            if let Ok(n) = sock.recv(&mut buf) {
                messages.push(String::from_utf8_lossy(&buf[..n]).into_owned());
            }
        }
    };
    let watchdogs = |m: &[String]| m.iter().filter(|m| m.contains("WATCHDOG=1")).count();
    recv_until(&mut messages, &|m| watchdogs(m) >= 2);
    assert!(messages[0].contains("READY=1\n"), "{messages:?}");
    assert!(messages[0].contains("STATUS=v"), "{messages:?}");
    for w in messages.iter().filter(|m| m.contains("WATCHDOG=1")) {
        assert!(w.contains("STATUS=v"), "{w}");
        assert!(w.contains("L2 height unknown"), "{w}");
        assert!(w.contains("SN: registration unknown"), "{w}");
        assert!(!w.contains("Height"), "{w}");
    }
    node.signal("-TERM");
    recv_until(&mut messages, &|m| {
        m.iter().any(|m| m.contains("STOPPING=1"))
    });
    let stopping = messages.iter().find(|m| m.contains("STOPPING=1")).unwrap();
    assert!(stopping.contains("STATUS=Shutting down"));
    assert!(node.wait().success());
}

#[test]
fn client_against_stopped_daemon_says_how_to_start_it() {
    let node = Node::new("");
    let addr = format!("127.0.0.1:{}", closed_port());
    for cmd in [
        "status",
        "print_sn_key",
        "print_sn_status",
        "version",
        "stop_daemon",
    ] {
        let out = node.client(&addr, &[cmd]);
        assert_eq!(out.status.code(), Some(1), "{cmd}");
        assert_eq!(stdout(&out), "", "{cmd}");
        let e = stderr(&out);
        assert!(
            e.starts_with(&format!(
                "Error: oxend-stagenet is not running (nothing answers at http://{addr}/json_rpc: "
            )),
            "{cmd}: {e}"
        );
        assert!(
            e.ends_with("); start it with: sudo systemctl start oxen-stagenet-node\n"),
            "{cmd}: {e}"
        );
        assert_eq!(e.lines().count(), 1, "{cmd}: {e}");
    }
    // The client creates nothing.
    assert!(!node.data_dir().exists());
    assert!(!node.log_file().exists());
}

#[test]
fn client_with_rpc_admin_none() {
    let node = Node::new("");
    let out = node.client("none", &["status"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("Cannot invoke oxend command: --rpc-admin is disabled"));
}

#[test]
fn no_secret_in_any_log_line() {
    let mut node = Node::new("log-level=trace\n");
    let addr = node.start(&["--watchdog-interval", "0.1"], &[]);
    for cmd in ["status", "print_sn_key", "print_sn_status"] {
        assert!(node.client(&addr, &[cmd]).status.success());
    }
    node.signal("-TERM");
    assert!(node.wait().success());
    let (ed, bls) = key_bytes(&node);
    let ed_hex = String::from_utf8(ed).unwrap();
    let bls_hex = String::from_utf8(bls).unwrap();
    let seed = &ed_hex[2..66];
    let bls_secret = &bls_hex[2..66];
    let logs = format!("{}\n{}", node.stderr(), node.log());
    assert!(
        logs.contains("[l2_tracker:warning] Failed to retrieve L2 chain ID"),
        "{logs}"
    );
    assert!(
        logs.contains("Primary L2 provider [http://127.0.0.1:") && logs.contains("/…]"),
        "provider shown redacted: {logs}"
    );
    assert!(!logs.contains(FAKE_API_KEY), "API key leaked: {logs}");
    assert!(!logs.contains(seed), "Ed25519 seed leaked");
    assert!(!logs.contains(bls_secret), "BLS secret leaked");
    assert!(logs.lines().count() > 10, "trace logging produced lines");
}

#[test]
fn log_file_rotation_honours_max_log_settings() {
    let mut node = Node::new("log-level=debug\nmax-log-file-size=700\nmax-log-files=3\n");
    node.start(&["--watchdog-interval", "0.02"], &[]);
    let rotated2 = node.path("log/node.log.2");
    let start = Instant::now();
    // Wait until the files have rotated past the limit a few times.
    while !(rotated2.exists()
        && node.log().contains("watchdog")
        && start.elapsed() > Duration::from_millis(300))
    {
        assert!(start.elapsed() < DEADLINE, "no rotation: {}", node.log());
        std::thread::sleep(Duration::from_millis(50));
    }
    node.signal("-TERM");
    assert!(node.wait().success());
    let files: Vec<_> = fs::read_dir(node.path("log"))
        .unwrap()
        .map(|e| e.unwrap())
        .collect();
    assert!(files.len() <= 3, "{files:?}");
    for f in &files {
        assert!(f.metadata().unwrap().len() <= 700, "{:?}", f.path());
    }
}

// ---- startup checks (docs/compat/config.md §6): message + configuration exit code ----

const IMPORTANT: &str = "IMPORTANT: One or more required service node-related configuration settings/options were omitted or invalid please fix them and restart oxend.";

fn base_config(ip: &str, providers: &str, extra: &str) -> String {
    format!(
        "data-dir={{DIR}}/data\nlog-file={{DIR}}/node.log\nservice-node=1\nstagenet=1\n\
         {ip}{providers}rpc-admin=127.0.0.1:0\n{extra}"
    )
}

fn assert_config_error(conf: &str, args: &[&str], message: &str) {
    let node = Node::with_config(conf);
    let (status, err) = node.run_to_exit(args);
    assert_eq!(status.code(), Some(EXIT_CONFIG), "{conf}\n{err}");
    assert!(err.contains(message), "want {message:?} in:\n{err}");
    assert!(
        !node.data_dir().join("key_ed25519").exists(),
        "no keys on a config error"
    );
}

#[test]
fn startup_validation_failures_exit_with_the_config_code() {
    let provider = format!("l2-provider=http://127.0.0.1:{}/\n", closed_port());
    let ip = "service-node-public-ip=1.2.3.4\n";
    let cases: Vec<(String, &str)> = vec![
        (
            base_config(ip, &provider, "quorumnet-port=0\n"),
            "Quorumnet port cannot be 0; please specify a valid port to listen on with: '--quorumnet-port <port>'",
        ),
        (
            base_config("", &provider, ""),
            "Please specify an IPv4 public address which the service node & storage server is accessible from with: '--service-node-public-ip <ip address>'",
        ),
        (
            base_config("service-node-public-ip=1.2.3\n", &provider, ""),
            "Unable to parse IPv4 public address from: 1.2.3",
        ),
        (
            base_config("service-node-public-ip=10.0.0.1\n", &provider, ""),
            "Address given for public-ip is not public: 10.0.0.1",
        ),
        (
            base_config(ip, "", ""),
            "At least one ethereum L2 provider must be specified for a service node",
        ),
        (
            base_config(ip, "l2-provider=\n", ""),
            "At least one ethereum L2 provider must be specified for a service node",
        ),
    ];
    for (conf, message) in &cases {
        assert_config_error(conf, &[], message);
        assert_config_error(conf, &[], IMPORTANT);
    }
}

#[test]
fn other_configuration_errors_exit_with_the_config_code() {
    let provider = format!("l2-provider=http://127.0.0.1:{}/\n", closed_port());
    let ip = "service-node-public-ip=1.2.3.4\n";
    // Unknown option in the file.
    assert_config_error(
        &base_config(ip, &provider, "no-such-option=1\n"),
        &[],
        "Error parsing config file",
    );
    // Non-loopback admin RPC without confirmation.
    assert_config_error(
        &base_config(ip, &provider, "").replace("rpc-admin=127.0.0.1:0", "rpc-admin=0.0.0.0:0"),
        &[],
        "confirm-external-bind",
    );
    // A bad log-level.
    assert_config_error(
        &base_config(ip, &provider, "log-level=loud\n"),
        &[],
        "invalid log-level 'loud'",
    );
    // A command-line override wins over the file, and is checked too.
    assert_config_error(
        &base_config(ip, &provider, ""),
        &["--service-node-public-ip", "192.168.1.1"],
        "Address given for public-ip is not public: 192.168.1.1",
    );
    // A provider on the wrong chain.
    let wrong = fake_provider("0x1");
    assert_config_error(
        &base_config(ip, &format!("l2-provider={wrong}\n"), ""),
        &[],
        "has invalid chain ID 0x1 (chainId 0x66eee is required)",
    );
    // A missing config file.
    let out = std::process::Command::new(BIN)
        .args([
            "--config-file",
            "/nonexistent/stagenet.conf",
            "--non-interactive",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(EXIT_CONFIG));
    assert!(stderr(&out).contains("Can't find config file \"/nonexistent/stagenet.conf\""));
}

#[test]
fn invalid_key_file_is_a_config_error() {
    let node = Node::new("");
    fs::create_dir_all(node.data_dir()).unwrap();
    fs::write(node.data_dir().join("key_ed25519"), "0xnot-a-key\n").unwrap();
    let (status, err) = node.run_to_exit(&[]);
    assert_eq!(status.code(), Some(EXIT_CONFIG), "{err}");
    assert!(err.contains("service node key file"), "{err}");
    assert!(err.contains("is invalid"), "{err}");
    assert!(
        err.contains("Failed to create or load service keys"),
        "{err}"
    );
}

/// Moving an invalid key away creates a new node identity: the advice says
/// that this is only for a node that was never registered, and how to check.
#[test]
fn invalid_key_advice_limits_a_new_key_to_a_never_registered_node() {
    let node = Node::new("");
    fs::create_dir_all(node.data_dir()).unwrap();
    let key = node.data_dir().join("key_ed25519");
    fs::write(&key, "0xnot-a-key\n").unwrap();
    let (status, err) = node.run_to_exit(&[]);
    assert_eq!(status.code(), Some(EXIT_CONFIG), "{err}");
    let line = err
        .lines()
        .find(|l| l.contains("is invalid"))
        .unwrap_or_else(|| panic!("no 'is invalid' line: {err}"));
    assert!(line.contains(&key.display().to_string()), "{line}");
    assert!(line.contains("oxen-sn-keys-snapshot restore"), "{line}");
    assert!(
        line.contains("only safe for a node that was never registered"),
        "{line}"
    );
    assert!(line.contains("staking website"), "{line}");
    assert!(line.contains("oxen-sn-keys-snapshot show"), "{line}");
    // the file is left as it was
    assert_eq!(fs::read_to_string(&key).unwrap(), "0xnot-a-key\n");
}

#[test]
fn dev_allow_local_ips_turns_the_ip_error_into_a_warning_and_right_chain_passes() {
    let good = fake_provider("0x66eee");
    let conf = base_config(
        "service-node-public-ip=10.0.0.1\n",
        &format!("l2-provider={good}\n"),
        "dev-allow-local-ips=1\n",
    );
    let mut node = Node::with_config(&conf);
    node.start(&[], &[]);
    node.signal("-TERM");
    assert!(node.wait().success());
    let err = node.stderr();
    assert!(
        err.contains("allowing it because dev-allow-local-ips was specified"),
        "{err}"
    );
}

#[test]
fn version_and_help_flags() {
    let out = std::process::Command::new(BIN)
        .arg("--version")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(stdout(&out).starts_with("oxend-stagenet (v"));
    let help = std::process::Command::new(BIN)
        .arg("--help")
        .output()
        .unwrap();
    assert!(help.status.success());
    let h = stdout(&help);
    for want in [
        "--config-file",
        "--non-interactive",
        "--l2-provider",
        "78",
        "RestartPreventExitStatus=78",
    ] {
        assert!(h.contains(want), "{want}");
    }
    assert!(!h.contains("--rpc-address-file"), "test options are hidden");
    let bad = std::process::Command::new(BIN)
        .arg("--no-such-flag")
        .output()
        .unwrap();
    assert_eq!(
        bad.status.code(),
        Some(EXIT_CONFIG),
        "daemon mode: config error"
    );
    // the same bad option on a client command line is a client failure (docs/compat/rpc-and-client.md §4)
    let bad = std::process::Command::new(BIN)
        .args(["--no-such-flag", "status"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(1), "{}", stderr(&bad));
}

#[test]
fn client_config_errors_are_not_called_http_failures() {
    let node = Node::with_config("this line is not an option\n");
    let out = std::process::Command::new(BIN)
        .arg("--config-file")
        .arg(node.config())
        .arg("status")
        .env_remove("NOTIFY_SOCKET")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let e = stderr(&out);
    assert!(!e.contains("HTTP request failed"), "{e}");
    assert!(e.contains("Error: "), "{e}");
}

#[test]
fn rpc_login_is_required_and_used_by_the_client() {
    let mut node = Node::new("rpc-login=operator:s3cretPassw0rd\n");
    let addr = node.start(&[], &[]);
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let r = agent
        .post(format!("http://{addr}/json_rpc"))
        .send_json(serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": "get_info"}))
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    // The client reads rpc-login from the same config file.
    let out = node.client(&addr, &["print_sn_key"]);
    assert!(out.status.success(), "{}", stderr(&out));
    // Without the config file the client has no login.
    let anon = std::process::Command::new(BIN)
        .args([
            "--rpc-admin",
            &addr,
            "--data-dir",
            "/nonexistent",
            "version",
        ])
        .output()
        .unwrap();
    assert_eq!(anon.status.code(), Some(1));
    // oxend's words: what the command did, then curl's status line
    assert_eq!(
        stderr(&anon),
        "Error: Failed to retrieve node info: HTTP request failed; server returned HTTP/1.1 \
         401 Unauthorized\n"
    );
    node.signal("-TERM");
    assert!(node.wait().success());
    assert!(!format!("{}{}", node.stderr(), node.log()).contains("s3cretPassw0rd"));
}
