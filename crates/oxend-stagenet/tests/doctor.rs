//! `oxend-stagenet doctor` (issue 15 point 4): against a healthy running
//! daemon on anvil it reports no problem; against each broken fixture it
//! reports the matching finding with its fix; a provider's API key never
//! appears in its output. Everything on loopback: the IP sources are stubs,
//! `systemctl` and `timedatectl` are scripts first in `PATH`, ufw's directory
//! is a fixture.

use crate::common;

use crate::l2::l2common;

use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::{closed_port, rpc_call as call, wait_for, Node, BIN};
use l2common::anvil::Anvil;
use l2common::events;
use l2common::stub::{Chain, Stub};
use serde_json::Value;
use snode_testkit::http::{self, Connection};

/// The API key of the providers of these tests.
const API_KEY: &str = "SECRETKEY123";

/// An IP source on loopback answering `ip` as text.
fn ip_source(ip: &'static str) -> String {
    let port = http::serve(Connection::Close, move |_| Some((200, format!("{ip}\n"))));
    format!("http://127.0.0.1:{port}/")
}

/// A host as doctor sees it: fake `systemctl`/`timedatectl` in `bin`, ufw's
/// directory, IP sources; healthy until a test breaks something.
struct Host {
    dir: tempfile::TempDir,
    sources: Vec<String>,
}

impl Host {
    fn new() -> Host {
        let h = Host {
            dir: tempfile::tempdir().unwrap(),
            sources: vec![ip_source("1.2.3.4"), ip_source("1.2.3.4")],
        };
        fs::create_dir_all(h.bin()).unwrap();
        fs::create_dir_all(h.ufw().join("applications.d")).unwrap();
        let profile = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../debian/ufw/oxend-stagenet");
        fs::copy(profile, h.ufw().join("applications.d/oxend-stagenet")).unwrap();
        fs::write(h.ufw().join("ufw.conf"), "ENABLED=yes\nLOGLEVEL=low\n").unwrap();
        fs::write(
            h.ufw().join("user.rules"),
            "### tuple ### allow tcp 11022,11025 0.0.0.0/0 any 0.0.0.0/0 oxend-stagenet - in\n",
        )
        .unwrap();
        h.systemctl(&[
            "LoadState=loaded",
            "ActiveState=active",
            "SubState=running",
            "Result=success",
            "ExecMainStatus=0",
            "NRestarts=0",
        ]);
        h.script("timedatectl", &["NTPSynchronized=yes"]);
        h
    }

    fn bin(&self) -> PathBuf {
        self.dir.path().join("bin")
    }
    fn ufw(&self) -> PathBuf {
        self.dir.path().join("ufw")
    }

    /// A fake command printing `lines` (shell builtins only: PATH is `bin`).
    fn script(&self, name: &str, lines: &[&str]) {
        let path = self.bin().join(name);
        let body: String = lines
            .iter()
            .map(|l| format!("printf '%s\\n' '{l}'\n"))
            .collect();
        fs::write(&path, format!("#!/bin/sh\n{body}")).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
    }

    fn systemctl(&self, lines: &[&str]) {
        self.script("systemctl", lines);
    }

    /// `oxend-stagenet [--rpc-admin ADDR] --config-file CONF doctor <args>`:
    /// (exit status, stdout).
    fn doctor(&self, node: &Node, rpc: Option<&str>, args: &[&str]) -> (i32, String) {
        let owner = fs::metadata(node.dir.path()).unwrap().uid().to_string();
        let closed = format!("127.0.0.1:{}", closed_port());
        let mut c = Command::new(BIN);
        c.arg("--config-file")
            .arg(node.config())
            .args(["--rpc-admin", rpc.unwrap_or(&closed)])
            .arg("doctor")
            .arg("--ufw-dir")
            .arg(self.ufw())
            .args(["--key-owner", &owner, "--min-free", "1", "--timeout", "20"]);
        for s in &self.sources {
            c.args(["--ip-source", s]);
        }
        let out = c
            .args(args)
            .env("PATH", self.bin())
            .env_remove(oxen_sn_public_ip_env())
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.stderr.is_empty(),
            "doctor wrote to stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.code().unwrap_or(-1), text)
    }

    /// `doctor --json`: (exit status, the report).
    fn json(&self, node: &Node, rpc: Option<&str>, args: &[&str]) -> (i32, Value) {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let (code, text) = self.doctor(node, rpc, &all);
        let v: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
        assert_eq!(v["exit_status"], code, "{v:#}");
        (code, v)
    }
}

fn oxen_sn_public_ip_env() -> &'static str {
    oxen_sn_public_ip::SOURCES_ENV
}

/// The finding `id` of a JSON report.
fn finding(v: &Value, id: &str) -> Value {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == id)
        .cloned()
        .unwrap_or_else(|| panic!("no finding {id}: {v:#}"))
}

fn problems(v: &Value) -> Vec<Value> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["level"] == "problem")
        .cloned()
        .collect()
}

/// Asserts finding `id` has `level`, its text contains `what` and its fix `fix`.
fn assert_finding(v: &Value, id: &str, level: &str, what: &str, fix: &str) {
    let f = finding(v, id);
    assert_eq!(f["level"], level, "{f:#}");
    assert!(f["what"].as_str().unwrap().contains(what), "{f:#}");
    assert!(f["fix"].as_str().unwrap_or("").contains(fix), "{f:#}");
}

/// A node whose daemon ran once (its keys exist) and is stopped, then given
/// `providers` (comma-separated) as its providers.
fn stopped_node(providers: &str) -> Node {
    let conf = |provider: &str| {
        format!(
            "data-dir={{DIR}}/data\nlog-file={{DIR}}/log/node.log\nservice-node=1\nstagenet=1\n\
             service-node-public-ip=1.2.3.4\nrpc-admin=127.0.0.1:0\nl2-provider={provider}\n\
             chain-follower=0\n"
        )
    };
    let mut node = Node::with_config(&conf(&format!("http://127.0.0.1:{}/", closed_port())));
    node.start(&[], &[]);
    node.signal("-TERM");
    assert!(node.wait().success(), "{}", node.stderr());
    node.write_config(&conf(providers).replace("{DIR}", &node.dir.path().display().to_string()));
    node
}

/// A stub provider on the stagenet chain id, behind an API key in the path.
fn stub(chain: Chain) -> (Stub, String) {
    let s = Stub::start(chain);
    let url = format!("http://127.0.0.1:{}/v2/{API_KEY}", s.port);
    (s, url)
}

#[test]
fn a_healthy_running_node_has_no_problem() {
    let anvil = Anvil::start_with(&["--number", "20000"]);
    // anvil serves "/" only: the key is in the query here (the stub tests put it in the path)
    let url = format!("{}/?apikey={API_KEY}", anvil.url);
    let mut node = Node::with_config(&format!(
        "data-dir={{DIR}}/data\nlog-file={{DIR}}/log/node.log\nservice-node=1\nstagenet=1\n\
         service-node-public-ip=1.2.3.4\nrpc-admin=127.0.0.1:0\nl2-provider={url}\n\
         l2-refresh=0.2\nchain-follower=0\n"
    ));
    let addr = node.start(&[], &[]);
    let keys = call(&addr, "get_service_keys")["result"].clone();
    let ed: [u8; 32] = hex::decode(keys["service_node_ed25519_pubkey"].as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap();
    let bls: [u8; 64] = hex::decode(keys["service_node_bls_pubkey"].as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap();
    let contract = l2common::contract();
    anvil.emit(&contract, &events::new_node_keys(1, bls, ed));
    wait_for(
        "the node registered in the daemon's view",
        || node.stderr(),
        || {
            call(&addr, "get_service_node_status")["result"]["service_node_state"]
                ["l2_contract_state"]
                == "registered"
        },
    );

    let host = Host::new();
    let (code, v) = host.json(&node, Some(&addr), &[]);
    assert!(problems(&v).is_empty(), "{v:#}");
    assert_eq!(code, 0, "{v:#}");
    for id in ["key_ed25519", "key_bls"] {
        assert_finding(&v, id, "ok", "matches the daemon", "");
    }
    assert_finding(&v, "l2_provider_1", "ok", "chain id 0x66eee", "");
    assert_finding(&v, "l2_provider_1", "ok", "contract code present", "");
    assert_finding(&v, "l2_provider_1", "ok", "eth_getLogs up to", "");
    assert_finding(&v, "public_ip", "ok", "1.2.3.4", "");
    let pubkey = keys["service_node_pubkey"].as_str().unwrap();
    assert_finding(
        &v,
        "contract_state",
        "ok",
        &format!("https://testnet.stake.getsession.org/register/{pubkey}"),
        "",
    );
    for id in [
        "config",
        "unit",
        "admin_rpc",
        "ufw_profile",
        "ufw_active",
        "clock",
        "disk",
    ] {
        assert_eq!(finding(&v, id)["level"], "ok", "{id}: {v:#}");
    }

    // The text form: one line per finding, and no API key in either.
    let (code, text) = host.doctor(&node, Some(&addr), &[]);
    assert_eq!(code, 0, "{text}");
    assert_eq!(
        text.lines().count(),
        v["findings"].as_array().unwrap().len()
    );
    assert!(text.contains("ok      key_bls: present, 0400 "), "{text}");
    assert!(
        !text.contains(API_KEY) && !v.to_string().contains(API_KEY),
        "{text}"
    );

    // The worst finding is the exit status: a warning…
    let (code, v) = host.json(&node, Some(&addr), &["--min-free", "999999999"]);
    assert_eq!(code, 1, "{v:#}");
    assert_finding(
        &v,
        "disk",
        "warning",
        "less than 999999999 MiB",
        "journalctl --vacuum",
    );
    // … and a problem: the unit failed on its configuration last time.
    host.systemctl(&[
        "LoadState=loaded",
        "ActiveState=failed",
        "SubState=failed",
        "Result=exit-code",
        "ExecMainStatus=78",
        "NRestarts=0",
    ]);
    let (code, v) = host.json(&node, Some(&addr), &[]);
    assert_eq!(code, 2, "{v:#}");
    assert_finding(&v, "unit", "problem", "failed", "configuration error");
    // A key file replaced under the running daemon.
    let key = node.data_dir().join("key_ed25519");
    fs::set_permissions(&key, fs::Permissions::from_mode(0o600)).unwrap();
    fs::write(&key, [7u8; 64]).unwrap();
    fs::set_permissions(&key, fs::Permissions::from_mode(0o400)).unwrap();
    let (_, v) = host.json(&node, Some(&addr), &[]);
    let f = finding(&v, "key_ed25519");
    assert_eq!(f["level"], "problem", "{f:#}");
    assert!(
        f["what"].as_str().unwrap().contains("another key")
            || f["what"].as_str().unwrap().contains("not a valid key"),
        "{f:#}"
    );
}

#[test]
fn a_stopped_daemon_is_a_problem_and_the_rest_is_still_checked() {
    let (_stub, url) = stub(Chain::new(50_000));
    let node = stopped_node(&url);
    let host = Host::new();
    let (code, v) = host.json(&node, None, &[]);
    assert_eq!(code, 2, "{v:#}");
    assert_finding(
        &v,
        "admin_rpc",
        "problem",
        "the daemon is not running",
        "sudo systemctl start oxen-stagenet-node",
    );
    assert_finding(
        &v,
        "contract_state",
        "warning",
        "daemon does not answer",
        "systemctl start",
    );
    assert_finding(&v, "key_ed25519", "ok", "present, 0400", "");
    assert_finding(&v, "config", "ok", "is valid", "");
    assert_finding(
        &v,
        "l2_provider_1",
        "warning",
        "chain id 0x66eee",
        "probe-l2",
    );
}

#[test]
fn key_file_missing_wrong_mode_and_wrong_owner() {
    let node = stopped_node(&common::fake_provider("0x66eee"));
    let host = Host::new();
    fs::remove_file(node.data_dir().join("key_bls")).unwrap();
    let ed = node.data_dir().join("key_ed25519");
    fs::set_permissions(&ed, fs::Permissions::from_mode(0o644)).unwrap();
    let (code, v) = host.json(&node, None, &["--offline"]);
    assert_eq!(code, 2);
    assert_finding(
        &v,
        "key_bls",
        "problem",
        "is missing",
        "oxen-sn-keys-snapshot restore-bls",
    );
    assert_finding(
        &v,
        "key_ed25519",
        "problem",
        "mode 0644, not 0400",
        &format!("sudo chmod 0400 {}", ed.display()),
    );
    let (_, text) = host.doctor(&node, None, &["--offline"]);
    assert!(
        text.contains(&format!(
            "PROBLEM key_ed25519: {}: mode 0644, not 0400 (fix: sudo chmod 0400 {})",
            ed.display(),
            ed.display()
        )),
        "{text}"
    );

    // Another owner than the daemon's user: no root needed, the expected user changes.
    fs::set_permissions(&ed, fs::Permissions::from_mode(0o400)).unwrap();
    let uid = fs::metadata(&ed).unwrap().uid();
    let other = if uid == 0 { "65534" } else { "0" };
    let (_, v) = host.json(&node, None, &["--offline", "--key-owner", other]);
    assert_finding(&v, "key_ed25519", "problem", "owned by", "sudo chown ");
}

#[test]
fn an_invalid_config_is_a_problem_with_its_fix() {
    let node = Node::with_config(
        "data-dir={DIR}/data\nservice-node=1\nservice-node-public-ip=10.0.0.1\nl2-max-logs=lots\n",
    );
    let host = Host::new();
    let (code, v) = host.json(&node, None, &["--offline"]);
    assert_eq!(code, 2);
    assert_finding(
        &v,
        "config",
        "problem",
        "is not valid",
        "oxen-sn-config validate",
    );
    assert_finding(&v, "key_ed25519", "problem", "is missing", "restore");
}

#[test]
fn providers_on_the_wrong_chain_or_without_the_contract() {
    let mut wrong = Chain::new(50_000);
    wrong.chain_id = 1;
    let (_w, wrong_url) = stub(wrong);
    let mut empty = Chain::new(50_000);
    empty.no_contract = true;
    let (_e, empty_url) = stub(empty);
    let node = stopped_node(&format!("{wrong_url},{empty_url}"));
    let host = Host::new();
    let (code, v) = host.json(&node, None, &[]);
    assert_eq!(code, 2);
    assert_finding(
        &v,
        "l2_provider_1",
        "problem",
        "wrong network",
        "Arbitrum Sepolia endpoint (chain id 0x66eee)",
    );
    assert_finding(
        &v,
        "l2_provider_2",
        "problem",
        "no contract code at 0x",
        "l2-rewards-contract",
    );
}

#[test]
fn no_api_key_in_the_output_text_or_json() {
    let mut wrong = Chain::new(50_000);
    wrong.chain_id = 1;
    let (_w, wrong_url) = stub(wrong);
    let (_ok, ok_url) = stub(Chain::new(50_000));
    let refused = format!("http://127.0.0.1:{}/v2/{API_KEY}", closed_port());
    let node = stopped_node(&format!("{ok_url},{wrong_url},{refused}"));
    let host = Host::new();
    let (_, text) = host.doctor(&node, None, &[]);
    let (_, json) = host.doctor(&node, None, &["--json"]);
    for out in [&text, &json] {
        assert!(out.contains("http://127.0.0.1:"), "{out}");
        assert!(!out.contains(API_KEY), "API key in doctor output: {out}");
    }
    let v: Value = serde_json::from_str(&json).unwrap();
    assert_finding(
        &v,
        "l2_provider_3",
        "problem",
        "eth_chainId failed",
        "probe-l2",
    );
}

#[test]
fn a_public_ip_other_than_the_sources_see() {
    let node = stopped_node(&common::fake_provider("0x66eee"));
    let mut host = Host::new();
    host.sources = vec![ip_source("5.6.7.8"), ip_source("5.6.7.8")];
    let (_, v) = host.json(&node, None, &[]);
    assert_finding(
        &v,
        "public_ip",
        "problem",
        "see this host as 5.6.7.8",
        "oxen-sn-config set --public-ip 5.6.7.8",
    );
    // No source answers: a warning, not a verdict.
    host.sources = vec![format!("http://127.0.0.1:{}/", closed_port())];
    let (_, v) = host.json(&node, None, &[]);
    assert_finding(
        &v,
        "public_ip",
        "warning",
        "could not be checked",
        "oxen-sn-public-ip",
    );
}

#[test]
fn host_fixtures_ufw_clock_disk_and_unit() {
    let node = stopped_node(&common::fake_provider("0x66eee"));
    let host = Host::new();
    fs::remove_file(host.ufw().join("applications.d/oxend-stagenet")).unwrap();
    fs::write(host.ufw().join("ufw.conf"), "ENABLED=no\n").unwrap();
    host.script("timedatectl", &["NTPSynchronized=no"]);
    host.systemctl(&[
        "LoadState=not-found",
        "ActiveState=inactive",
        "SubState=dead",
    ]);
    let (_, v) = host.json(&node, None, &["--offline", "--min-free", "999999999"]);
    assert_finding(
        &v,
        "ufw_profile",
        "warning",
        "cannot be read",
        "apt-get install --reinstall session-stagenet-node",
    );
    assert_finding(
        &v,
        "ufw_active",
        "warning",
        "not enabled",
        "sudo ufw allow oxend-stagenet",
    );
    assert_finding(
        &v,
        "clock",
        "warning",
        "not synchronised",
        "timedatectl set-ntp true",
    );
    assert_finding(
        &v,
        "disk",
        "warning",
        "MiB free under",
        "journalctl --vacuum-size",
    );
    assert_finding(
        &v,
        "unit",
        "problem",
        "not installed",
        "apt-get install session-stagenet-node",
    );

    // ufw enabled without the profile allowed.
    fs::write(host.ufw().join("ufw.conf"), "ENABLED=yes\n").unwrap();
    fs::write(host.ufw().join("user.rules"), "*filter\n").unwrap();
    let (_, v) = host.json(&node, None, &["--offline"]);
    assert_finding(
        &v,
        "ufw_active",
        "problem",
        "does not allow",
        "sudo ufw allow oxend-stagenet",
    );

    // No systemctl, no timedatectl: findings of their own, not a crash.
    fs::remove_file(host.bin().join("systemctl")).unwrap();
    fs::remove_file(host.bin().join("timedatectl")).unwrap();
    let (_, v) = host.json(&node, None, &["--offline"]);
    assert_finding(&v, "unit", "warning", "systemctl not found", "systemd");
    assert_finding(&v, "clock", "warning", "timedatectl not found", "NTP");
}
