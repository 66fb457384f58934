//! The chain follower in the real daemon: on with no peers (genesis height,
//! `no peers`, the L2 tracker unaffected), switched off, a bad peer option,
//! and against upstream oxend (the oracle of ../shared/oracles) in a private
//! network namespace. Every P2P listener binds 127.0.0.1; every peer is on
//! 127.0.0.1.

use std::net::TcpStream;
use std::os::unix::net::UnixDatagram;
use std::process::Command;
use std::time::Duration;

use serde_json::{json, Value};
use snode_testkit::oracle::{oracle_net, oracle_present, ran_in_netns, Oracle};

use crate::common::*;

/// The stagenet genesis block id (oxend's `get_block_hash` of height 0 on
/// `--stagenet`, checked against the oracle in snode-chain's tests).
const STAGENET_GENESIS: &str = "93228e506979e2159af05ff19a06dd35ac27a54b9b9feee76db14b534d739fe2";

fn info(addr: &str) -> Value {
    rpc_call(addr, "get_info")["result"].clone()
}

/// Waits until the follower has published its view (the worker starts
/// right after the RPC listens).
fn wait_for_chain(node: &Node, addr: &str) -> Value {
    until("the chain follower's first report", || {
        // published, with the P2P listener bound
        let i = info(addr);
        match i["chain"].get("p2p_bind") {
            Some(_) => Ok(i),
            None => Err(format!("{i}\n{}", node.stderr())),
        }
    })
}

#[test]
fn follower_without_peers_shows_genesis_and_no_peers() {
    let (file_port, cli_port) = (closed_port(), closed_port());
    let mut node = Node::with_follower(file_port, "");
    // The command line overrides the file, as for every option.
    let addr = node.start(&["--p2p-bind-port", &cli_port.to_string()], &[]);
    let i = wait_for_chain(&node, &addr);
    assert_eq!(i["chain_follower"], true, "{i}");
    assert_eq!(i["height"], 1, "the genesis block only: {i}");
    assert_eq!(i["target_height"], 0, "{i}");
    assert_eq!(i["top_block_hash"], STAGENET_GENESIS, "{i}");
    assert_eq!(i["outgoing_connections_count"], 0, "{i}");
    assert_eq!(i["incoming_connections_count"], 0, "{i}");
    assert_eq!(i["synchronized"], false, "no peers: not synchronized: {i}");
    assert_eq!(i["chain"]["state"], "running", "{i}");
    assert_eq!(
        i["chain"]["p2p_bind"],
        format!("127.0.0.1:{cli_port}"),
        "{i}"
    );
    assert_eq!(i["note"], snode_node::api::FOLLOWER_NOTE);
    assert!(
        i["status_line"]
            .as_str()
            .unwrap()
            .contains("; Height: 1, peers: 0; L2 height unknown"),
        "{i}"
    );
    // The P2P listener is really there, on the command line's port.
    TcpStream::connect(("127.0.0.1", cli_port)).expect("the P2P listener accepts");
    assert!(TcpStream::connect(("127.0.0.1", file_port)).is_err());

    let st = node.client(&addr, &["status"]);
    assert!(st.status.success(), "{}", stderr(&st));
    let s = stdout(&st);
    let lines: Vec<&str> = s.lines().collect();
    let version = env!("CARGO_PKG_VERSION");
    assert!(
        lines[0].starts_with(&format!(
            "Height: 1 ON STAGENET, v{version}, 0(out)+0(in) connections, uptime "
        )),
        "{s}"
    );
    // The L2 tracker still runs beside it.
    assert!(lines[1].starts_with("L2 height: unknown"), "{s}");
    assert!(
        lines.contains(&format!("Top block id: {STAGENET_GENESIS}").as_str()),
        "{s}"
    );
    assert!(
        lines.contains(
            &format!("Chain: following stagenet over P2P on 127.0.0.1:{cli_port}; no peers")
                .as_str()
        ),
        "{s}"
    );
    assert_eq!(
        lines.last().copied(),
        Some(format!("Note: {}", snode_node::api::FOLLOWER_NOTE).as_str()),
        "still no service-node state, uptime proofs or quorums: {s}"
    );
    assert!(!s.contains("proof:"), "{s}");

    let sn = stdout(&node.client(&addr, &["print_sn_status"]));
    assert!(sn.contains(snode_node::api::FOLLOWER_NOTE), "{sn}");
    assert!(!sn.contains(snode_node::api::NO_CHAIN_NOTE), "{sn}");

    let cn = node.client(&addr, &["print_cn"]);
    assert!(cn.status.success(), "{}", stderr(&cn));
    assert_eq!(
        stdout(&cn),
        format!("{}\n", snode_node::client::chain::connections_header())
    );
    let conns = rpc_call(&addr, "get_connections");
    assert_eq!(conns["result"]["status"], "OK", "{conns}");
    assert_eq!(conns["result"]["connections"], json!([]), "{conns}");

    // The journal's progress line, once (rate-limited, on changes only).
    until("the no-peers progress line", || {
        let log = node.log();
        let want = format!("Chain: no peers; holding 1 block(s), top {STAGENET_GENESIS}");
        if log.contains(&want) {
            Ok(())
        } else {
            Err(log)
        }
    });
    // The database is where the follower keeps it.
    assert!(node.data_dir().join("chain/chain.sqlite").is_file());
    node.signal("-TERM");
    assert!(node.wait().success(), "{}", node.stderr());
}

#[test]
fn status_line_to_systemd_carries_the_height() {
    let mut node = Node::with_follower(closed_port(), "");
    let sock_path = node.path("notify.sock");
    let sock = UnixDatagram::bind(&sock_path).unwrap();
    sock.set_read_timeout(Some(Duration::from_millis(500)))
        .unwrap();
    let sock_env = sock_path.display().to_string();
    node.start(
        &["--watchdog-interval", "0.1"],
        &[("NOTIFY_SOCKET", sock_env.as_str())],
    );
    let mut buf = [0u8; 4096];
    let mut seen = Vec::new();
    until("a WATCHDOG=1 with the height", || {
        if let Ok(n) = sock.recv(&mut buf) {
            seen.push(String::from_utf8_lossy(&buf[..n]).into_owned());
        }
        let found = seen
            .iter()
            .any(|m| m.contains("WATCHDOG=1") && m.contains("; Height: 1, peers: 0; "));
        if found {
            Ok(())
        } else {
            Err(format!("{seen:?}"))
        }
    });
    node.signal("-TERM");
    assert!(node.wait().success());
}

#[test]
fn chain_follower_switched_off() {
    // In the file (the harness's default) ...
    let mut node = Node::new("");
    let addr = node.start(&[], &[]);
    let i = info(&addr);
    assert_eq!(i["chain_follower"], false, "{i}");
    for absent in ["height", "target_height", "top_block_hash", "chain"] {
        assert!(i.get(absent).is_none(), "{absent}: {i}");
    }
    assert_eq!(i["note"], snode_node::api::NO_CHAIN_NOTE);
    let st = node.client(&addr, &["status"]);
    let s = stdout(&st);
    assert!(
        s.lines()
            .any(|l| l == "Chain: off (chain-follower=0): the Oxen chain is not followed, no P2P"),
        "{s}"
    );
    assert!(!s.contains("Height"), "{s}");
    let cn = node.client(&addr, &["print_cn"]);
    assert_eq!(cn.status.code(), Some(1));
    assert!(
        stderr(&cn).contains("the chain follower is off (chain-follower=0)"),
        "{}",
        stderr(&cn)
    );
    assert!(!node.data_dir().join("chain").exists(), "nothing created");
    node.signal("-TERM");
    assert!(node.wait().success());

    // ... and on the command line, over a file that turns it on.
    let port = closed_port();
    let mut node = Node::with_follower(port, "");
    let addr = node.start(&["--chain-follower=0"], &[]);
    assert_eq!(info(&addr)["chain_follower"], false);
    assert!(
        TcpStream::connect(("127.0.0.1", port)).is_err(),
        "no listener"
    );
    node.signal("-TERM");
    assert!(node.wait().success());
}

#[test]
fn a_peer_that_is_not_an_address_is_a_configuration_error() {
    let node = Node::with_follower(closed_port(), "add-peer=seed.example.org\n");
    let (status, err) = node.run_to_exit(&[]);
    assert_eq!(status.code(), Some(EXIT_CONFIG), "{err}");
    assert!(
        err.contains("add-peer 'seed.example.org' is not IP or IP:PORT"),
        "{err}"
    );
    assert!(!node.data_dir().join("key_ed25519").exists(), "no keys");
}

#[test]
fn daemon_follows_upstream_oxend_and_oxend_lists_it() {
    let test = "chain::daemon_follows_upstream_oxend_and_oxend_lists_it";
    if !oracle_present() || ran_in_netns(test) {
        return;
    }
    let (oracle_p2p, our_p2p) = (closed_port(), closed_port());
    let mut node = Node::with_follower(
        our_p2p,
        &format!("add-exclusive-node=127.0.0.1:{oracle_p2p}\n"),
    );
    let oracle = Oracle::serve("stagenet", &node.path("oxend"), oracle_p2p, our_p2p);
    let addr = node.start(&[], &[]);

    // Our outbound connection and oxend's inbound one to our listener.
    until("a connection each way", || {
        let i = info(&addr);
        let both = i["outgoing_connections_count"].as_u64() >= Some(1)
            && i["incoming_connections_count"].as_u64() >= Some(1);
        if both {
            Ok(())
        } else {
            Err(i.to_string())
        }
    });
    let theirs = oracle.call("get_info", json!({}));
    let i = info(&addr);
    assert_eq!(i["height"], theirs["height"], "ours {i}\noracle {theirs}");
    assert_eq!(
        i["top_block_hash"], theirs["top_block_hash"],
        "{i}\n{theirs}"
    );

    let st = node.client(&addr, &["status"]);
    let s = stdout(&st);
    assert!(
        s.starts_with(&format!("Height: {} ON STAGENET, v", theirs["height"])),
        "status shows the oracle's height {}: {s}",
        theirs["height"]
    );
    assert!(
        s.contains(&format!(
            "Top block id: {}",
            theirs["top_block_hash"].as_str().unwrap()
        )),
        "{s}"
    );

    // oxend lists our peer, after the handshake, including its connection to our port.
    until("oxend listing our peer", || {
        let conns = oracle.call("get_connections", json!({}));
        let listed = conns["connections"].as_array().is_some_and(|l| {
            l.iter().any(|c| {
                c["incoming"] == false
                    && c["port"].to_string().trim_matches('"') == our_p2p.to_string()
                    && c["state"] == "normal"
            })
        });
        if listed {
            Ok(())
        } else {
            Err(conns.to_string())
        }
    });
    // The journal says the follower caught up with its peers.
    until("the synchronized line", || {
        let log = node.log();
        if log.contains(&format!(
            "Chain synchronized at height {}, top ",
            theirs["height"]
        )) {
            Ok(())
        } else {
            Err(log)
        }
    });
    // And print_cn lists the oracle both ways, under upstream's own header.
    let cn = stdout(&node.client(&addr, &["print_cn"]));
    let upstream = Command::new(oracle_net(&["oxend"]))
        .args([
            "--stagenet",
            "--rpc-admin",
            &format!("127.0.0.1:{}", oracle.rpc),
        ])
        .arg("print_cn")
        .output()
        .unwrap();
    let upstream = String::from_utf8_lossy(&upstream.stdout).into_owned();
    let header = upstream
        .lines()
        .map(|l| l.replace("\x1b[0m", "").replace("\x1b[32m", ""))
        .find(|l| l.starts_with("Remote Host"))
        .unwrap_or_else(|| panic!("no header in upstream's print_cn: {upstream}"));
    assert_eq!(
        cn.lines().next(),
        Some(header.as_str()),
        "ours:\n{cn}\nupstream:\n{upstream}"
    );
    assert!(cn.contains(&format!("OUT 127.0.0.1:{oracle_p2p}")), "{cn}");
    assert!(cn.lines().any(|l| l.starts_with("INC 127.0.0.1:")), "{cn}");
    node.signal("-TERM");
    assert!(node.wait().success(), "{}", node.stderr());
    oracle.stop();
}

#[test]
fn a_taken_p2p_port_stops_only_the_follower() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let mut node = Node::with_follower(port, "");
    let addr = node.start(&[], &[]);
    let i = until("the follower to report its failure", || {
        let i = info(&addr);
        if i["chain"]["state"] == "failed" {
            Ok(i)
        } else {
            Err(format!("{i}\n{}", node.stderr()))
        }
    });
    let why = i["chain"]["last_error"].as_str().unwrap_or_default();
    assert!(
        why.starts_with(&format!(
            "cannot listen for p2p connections on 127.0.0.1:{port}: "
        )),
        "{i}"
    );
    // What it stored is still true: the genesis block.
    assert_eq!(i["height"], 1, "{i}");
    let s = stdout(&node.client(&addr, &["status"]));
    assert!(
        s.lines()
            .any(|l| l.starts_with("Chain: the follower stopped (")
                && l.ends_with("it is restarted every minute")),
        "{s}"
    );
    // The daemon and the L2 tracker go on.
    assert!(
        s.lines().any(|l| l.starts_with("L2 height: unknown")),
        "{s}"
    );
    assert!(
        node.stderr().contains("the chain follower stopped: "),
        "{}",
        node.stderr()
    );
    node.signal("-TERM");
    assert!(node.wait().success(), "{}", node.stderr());
    drop(taken);
}

#[test]
fn offline_keeps_the_stored_chain_without_p2p() {
    let port = closed_port();
    let mut node = Node::with_follower(port, "add-peer=127.0.0.1:9\n");
    let addr = node.start(&["--offline"], &[]);
    let i = until("the follower's first report", || {
        let i = info(&addr);
        match i.get("chain") {
            Some(_) => Ok(i),
            None => Err(i.to_string()),
        }
    });
    assert_eq!(i["height"], 1, "{i}");
    assert_eq!(i["chain"]["offline"], true, "{i}");
    assert!(i["chain"].get("p2p_bind").is_none(), "no listener: {i}");
    assert!(
        TcpStream::connect(("127.0.0.1", port)).is_err(),
        "no listener"
    );
    let s = stdout(&node.client(&addr, &["status"]));
    assert!(
        s.lines().any(|l| l
            == "Chain: offline (offline=1): the stored stagenet chain only, no P2P listener or peers"),
        "{s}"
    );
    node.signal("-TERM");
    assert!(node.wait().success(), "{}", node.stderr());
}
