//! `register` / `prepare_eth_registration` against the real daemon and a local
//! staking-backend stub that validates like the real backend.

use crate::common;

use std::process::{Command, Output, Stdio};

use common::*;
use snode_bls::Network;
use snode_testkit::staking::{self as stub, Mode};

const OPERATOR: &str = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";

/// The client with extra environment variables.
fn client_env(node: &Node, addr: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(BIN)
        .arg("--config-file")
        .arg(node.config())
        .arg("--rpc-admin")
        .arg(addr)
        .args(args)
        .envs(env.iter().copied())
        .env_remove("NOTIFY_SOCKET")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

/// An admin-RPC proxy in front of the daemon at `daemon` that flips the
/// first byte of `service_node_signature` in every reply: a tampered
/// signature reaches the client as if the daemon had sent it.
fn tampering_proxy(daemon: &str) -> String {
    let upstream = format!("http://{daemon}/json_rpc");
    let port = snode_testkit::serve_json(move |request| {
        let mut reply: serde_json::Value = ureq::post(&upstream)
            .header("Content-Type", "application/json")
            .send(request)
            .unwrap()
            .body_mut()
            .read_json()
            .unwrap();
        if let Some(sig) = reply["result"]["service_node_signature"].as_str() {
            let flipped = format!(
                "{:02x}{}",
                u8::from_str_radix(&sig[..2], 16).unwrap() ^ 1,
                &sig[2..]
            );
            reply["result"]["service_node_signature"] = flipped.into();
        }
        reply.to_string()
    });
    format!("127.0.0.1:{port}")
}

/// The value after `label: ` in `text`.
fn field(text: &str, label: &str) -> String {
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{label}: ")))
        .unwrap_or_else(|| panic!("no {label} in {text}"))
        .to_string()
}

fn arr<const N: usize>(hex_text: &str) -> [u8; N] {
    hex::decode(hex_text).unwrap().try_into().unwrap()
}

#[test]
fn print_gives_signatures_that_verify_independently() {
    let mut node = Node::new("");
    let addr = node.start(&[], &[]);
    let out = node.client(&addr, &["register", OPERATOR, "print"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.starts_with("Printing info for L2 staking\n\ned25519_pubkey: "),
        "{text}"
    );
    assert_eq!(field(&text, "operator_address"), OPERATOR);
    let ed_pub: [u8; 32] = arr(&field(&text, "ed25519_pubkey"));
    let bls_pub: [u8; 64] = arr(&field(&text, "bls_pubkey"));
    let ed_sig: [u8; 64] = arr(&field(&text, "ed25519_signature"));
    let pop: [u8; 128] = arr(&field(&text, "bls_signature"));

    // Ed25519 with an implementation other than the daemon's (ed25519-dalek).
    let mut msg = ed_pub.to_vec();
    msg.extend_from_slice(&bls_pub);
    ed25519_compact::PublicKey::new(ed_pub)
        .verify(&msg, &ed25519_compact::Signature::new(ed_sig))
        .expect("Ed25519 registration signature verifies");
    // The PoP verifies for the default (current stagenet) contract only.
    let op = snode_bls::parse_address(OPERATOR).unwrap();
    snode_bls::verify_proof_of_possession(&bls_pub, &op, &ed_pub, &pop, &Network::STAGENET)
        .expect("PoP verifies for the current stagenet contract");
    assert!(snode_bls::verify_proof_of_possession(
        &bls_pub,
        &op,
        &ed_pub,
        &pop,
        &Network::STAGENET3
    )
    .is_err());
    // The keys are the node's own.
    let keys = stdout(&node.client(&addr, &["print_sn_key"]));
    assert!(keys.contains(&hex::encode(ed_pub)), "{keys}");
    assert!(keys.contains(&hex::encode(bls_pub)), "{keys}");

    // The older name gives the same data.
    let old = node.client(&addr, &["prepare_eth_registration", OPERATOR, "print"]);
    assert!(old.status.success());
    assert_eq!(stdout(&old), text);
}

#[test]
fn earlier_contract_is_selectable_through_the_config() {
    let mut node = Node::new("l2-rewards-contract=0x4abfFB7f922767f22c7aa6524823d93FDDaB54b1\n");
    let addr = node.start(&[], &[]);
    let text = stdout(&node.client(&addr, &["register", OPERATOR, "print"]));
    let op = snode_bls::parse_address(OPERATOR).unwrap();
    let (ed, bls, pop) = (
        arr::<32>(&field(&text, "ed25519_pubkey")),
        arr::<64>(&field(&text, "bls_pubkey")),
        arr::<128>(&field(&text, "bls_signature")),
    );
    snode_bls::verify_proof_of_possession(&bls, &op, &ed, &pop, &Network::STAGENET3).unwrap();
    assert!(
        snode_bls::verify_proof_of_possession(&bls, &op, &ed, &pop, &Network::STAGENET).is_err()
    );
}

#[test]
fn submission_to_the_configured_backend_succeeds() {
    let (url, received) = snode_testkit::staking::start();
    let mut node = Node::new(&format!("staking-url={url}\n"));
    let addr = node.start(&[], &[]);
    let out = node.client(&addr, &["register", OPERATOR]);
    let text = stdout(&out);
    assert!(out.status.success(), "{text}{}", stderr(&out));
    let host = url.trim_start_matches("http://");
    assert!(text.contains(&format!("to {host}, please wait.")), "{text}");
    assert!(text.contains("successfully!"), "{text}");
    let pk = text
        .lines()
        .find_map(|l| l.strip_prefix("View your registration at: "))
        .expect("view line");
    assert!(pk.starts_with(&format!("{url}/register/")), "{pk}");
    let fields = received.recv().unwrap();
    assert!(fields.contains(&("operator".into(), OPERATOR.into())));
}

#[test]
fn url_argument_overrides_the_config() {
    let (url, _received) = snode_testkit::staking::start();
    let mut node = Node::new(&format!("staking-url=http://127.0.0.1:{}\n", closed_port()));
    let addr = node.start(&[], &[]);
    let out = node.client(&addr, &["register", OPERATOR, &url]);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn backend_rejection_is_a_failure_with_its_reason() {
    let (url, received) = stub::start_with(Mode::Reject(
        "Invalid registration: operator not whitelisted".into(),
    ));
    let mut node = Node::new("");
    let addr = node.start(&[], &[]);
    let out = node.client(&addr, &["register", OPERATOR, &url]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("rejected the registration"), "{err}");
    assert!(err.contains("operator not whitelisted"), "{err}");
    assert!(!stdout(&out).contains("successfully"));
    // The stub read the whole, well-formed request before answering.
    assert_eq!(received.recv().unwrap().len(), 4);
}

#[test]
fn tampered_signature_is_rejected_and_the_client_exits_non_zero_with_the_reason() {
    let (url, received) = stub::start();
    let mut node = Node::new(&format!("staking-url={url}\n"));
    let daemon = node.start(&[], &[]);
    let proxy = tampering_proxy(&daemon);
    let out = node.client(&proxy, &["register", OPERATOR]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let host = url.trim_start_matches("http://");
    assert_eq!(
        stderr(&out),
        format!(
            "Error: registration was not accepted: {host} rejected the registration: \
             Invalid registration: Ed25519 signature is invalid\n"
        )
    );
    assert!(!stdout(&out).contains("successfully"), "{}", stdout(&out));
    // It was the tampered signature that the backend got.
    let fields = received.recv().unwrap();
    let sent = &fields.iter().find(|(n, _)| n == "sig_ed25519").unwrap().1;
    let good = stdout(&node.client(&daemon, &["register", OPERATOR, "print"]));
    assert_ne!(*sent, field(&good, "ed25519_signature"));
    assert_eq!(sent[2..], field(&good, "ed25519_signature")[2..]);
}

#[test]
fn a_backend_that_never_answers_times_out_with_a_clear_message() {
    let (url, _received) = stub::start_with(Mode::Silent);
    let mut node = Node::new(&format!("staking-url={url}\n"));
    let addr = node.start(&[], &[]);
    let out = client_env(
        &node,
        &addr,
        &["register", OPERATOR],
        &[("OXEND_STAGENET_SUBMIT_TIMEOUT", "0.5")],
    );
    assert_eq!(out.status.code(), Some(1));
    let host = url.trim_start_matches("http://");
    assert_eq!(
        stderr(&out),
        format!(
            "Error: registration was not accepted: no answer from {host} within 0.5 s; check \
             your network and try again later\n"
        )
    );
    let bad = client_env(
        &node,
        &addr,
        &["register", OPERATOR],
        &[("OXEND_STAGENET_SUBMIT_TIMEOUT", "soon")],
    );
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        stderr(&bad).contains("OXEND_STAGENET_SUBMIT_TIMEOUT='soon' is not a positive number"),
        "{}",
        stderr(&bad)
    );
}

#[test]
fn credentials_in_staking_urls_are_never_printed() {
    let (url, received) = stub::start();
    let host = url.trim_start_matches("http://").to_string();
    let with_login = format!("http://operator:hunter2@{host}");
    let mut node = Node::new(&format!("staking-url={with_login}\n"));
    let addr = node.start(&[], &[]);
    // Given on the command line: used, and printed without the password.
    let out = node.client(&addr, &["register", OPERATOR, &with_login]);
    let text = stdout(&out);
    assert!(out.status.success(), "{text}{}", stderr(&out));
    assert!(
        !text.contains("hunter2") && !text.contains("operator:"),
        "{text}"
    );
    assert!(text.contains(&format!("to {host}, please wait.")), "{text}");
    let view = text
        .lines()
        .find_map(|l| l.strip_prefix("View your registration at: "))
        .expect("view line");
    assert!(
        view.starts_with(&format!("http://***@{host}/register/")),
        "{view}"
    );
    received.recv().unwrap();
    // From the config: the admin RPC does not hand the credentials out, so
    // the client says how to give the URL instead of posting without them.
    let out = node.client(&addr, &["register", OPERATOR]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("carries credentials"), "{err}");
    assert!(err.contains(&format!("http://***@{host}")), "{err}");
    assert!(!err.contains("hunter2") && !stdout(&out).contains("hunter2"));
    // A query or fragment in the URL is refused before anything is sent.
    for bad in [format!("{url}/?key=1"), format!("{url}#top")] {
        let out = node.client(&addr, &["register", OPERATOR, &bad]);
        assert_eq!(out.status.code(), Some(1), "{bad}");
        assert!(
            stderr(&out).contains("no ?query or #fragment"),
            "{}",
            stderr(&out)
        );
    }
    assert!(received.try_recv().is_err(), "nothing else was sent");
}

#[test]
fn unreachable_backend_fails_naming_the_host() {
    let mut node = Node::new("");
    let addr = node.start(&[], &[]);
    let port = closed_port();
    let out = node.client(
        &addr,
        &["register", OPERATOR, &format!("http://127.0.0.1:{port}")],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains(&format!("127.0.0.1:{port}")),
        "{}",
        stderr(&out)
    );
}

#[test]
fn bad_addresses_are_refused_before_signing() {
    let mut node = Node::new("");
    let addr = node.start(&[], &[]);
    let wrong_case = OPERATOR.replace("C8", "c8");
    for (bad, why) in [
        ("0x1234", "40 hex digits"),
        ("70997970C51812dc3A010C7d01b50e0d17dc79C8", "40 hex digits"),
        (wrong_case.as_str(), "checksum"),
    ] {
        let out = node.client(&addr, &["register", bad]);
        assert_eq!(out.status.code(), Some(1), "{bad}");
        assert!(stderr(&out).contains(why), "{bad}: {}", stderr(&out));
    }
    // `0X` is refused (the backend would refuse it), before anything is sent.
    let (url, received) = stub::start();
    let upper_prefix = OPERATOR.replacen("0x", "0X", 1);
    let out = node.client(&addr, &["register", &upper_prefix, &url]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        format!(
            "Error: '{upper_prefix}' starts with 0X: the staking backend accepts only a \
             lowercase 0x prefix; type it as 0x followed by the 40 hex digits\n"
        )
    );
    assert!(received.try_recv().is_err());
    let extra = node.client(&addr, &["register", OPERATOR, "print", "more"]);
    assert_eq!(extra.status.code(), Some(1));
    assert!(stderr(&extra).contains("usage: register"));
}

#[test]
fn a_node_that_is_not_a_service_node_cannot_register() {
    let mut node = Node::new("");
    let conf = std::fs::read_to_string(node.config()).unwrap();
    node.write_config(&conf.replace("service-node=1\n", ""));
    let addr = node.start(&[], &[]);
    let out = node.client(&addr, &["register", OPERATOR, "print"]);
    assert_eq!(out.status.code(), Some(1));
    // docs/compat/rpc-and-client.md §5.5 step 2, with the client's rendering of a JSON-RPC error.
    assert_eq!(
        stderr(&out),
        "Error: Failed to generate the service node registration info: JSON RPC returned an \
         error response: this daemon is not running as a service node (service-node=1 is not \
         set), so it has no BLS key to register with\n"
    );
    assert_eq!(stdout(&out), "");
}

#[test]
fn a_daemon_that_is_not_running_gets_the_start_hint_without_prefixes() {
    let node = Node::new("");
    let addr = format!("127.0.0.1:{}", closed_port());
    let out = node.client(&addr, &["register", OPERATOR]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.starts_with("Error: oxend-stagenet is not running (nothing answers at "),
        "{err}"
    );
    assert!(
        err.trim_end()
            .ends_with("start it with: sudo systemctl start oxen-stagenet-node"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(!err.contains("HTTP request failed"), "{err}");
    assert!(!err.contains("Failed to generate"), "{err}");
}
