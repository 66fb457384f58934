//! `register` / `prepare_eth_registration` against the real daemon and a local
//! staking-backend stub that validates like the real backend.

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::thread;

use common::*;
use snode_bls::Network;

const OPERATOR: &str = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";

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
    let (url, received) = snode_register::stub::start();
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
    let (url, _received) = snode_register::stub::start();
    let mut node = Node::new(&format!("staking-url=http://127.0.0.1:{}\n", closed_port()));
    let addr = node.start(&[], &[]);
    let out = node.client(&addr, &["register", OPERATOR, &url]);
    assert!(out.status.success(), "{}", stderr(&out));
}

/// A backend that rejects every registration with HTTP 200 + `{"error": …}`.
fn rejecting_backend() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut buf = [0u8; 65536];
            let _ = stream.read(&mut buf);
            let body = r#"{"error": "Invalid registration: operator not whitelisted", "t": 1}"#;
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
                 Connection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    url
}

#[test]
fn backend_rejection_is_a_failure_with_its_reason() {
    let url = rejecting_backend();
    let mut node = Node::new("");
    let addr = node.start(&[], &[]);
    let out = node.client(&addr, &["register", OPERATOR, &url]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("rejected the registration"), "{err}");
    assert!(err.contains("operator not whitelisted"), "{err}");
    assert!(!stdout(&out).contains("successfully"));
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
    assert!(
        stderr(&out).contains("not running as a service node"),
        "{}",
        stderr(&out)
    );
}
