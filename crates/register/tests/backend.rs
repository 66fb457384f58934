//! Registration against the local staking-backend stub (`snode_testkit::staking`),
//! which applies the real backend's validation with an independent Ed25519
//! implementation.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::time::Duration;

use snode_bls::Network;
use snode_keys::{BlsSecret, Ed25519Secret};
use snode_register::{submit, OperatorAddress, RegistrationInfo, SubmitError};
use snode_testkit::staking::{start as backend, start_with, Mode};

const SEED: &str = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
const BLS_SK: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const OPERATOR: &str = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
// docs/compat/bls.md (accepted by the real contract bytecode there).
const ED_SIG: &str = "4441245b60f99bdfa5a766ebfe558b0212a439feafc9595dbba00cc3d65b392040d42c6d94e8713b85e2cbce61fb2fc5cc01726106e7a2bbb39b08007c8d3e09";
const POP_STAGENET4: &str = "00504d76d451af5d275221c0d1d3e455dc45a8f2fab2f4ab221b60504c8f8e1a17f97b458afb6b5a0f73b7f2c311d129012d3aff14fe85baeac57938c266affa217c0f38dff7b99740c2e8dafb7f58532549ae99b27ed8c8aadec8e0910c279629020f3f2ced3f670935fe415718cddd6d5b43aafc0a90f363e723c1a484630b";

fn keys() -> (Ed25519Secret, BlsSecret) {
    let seed: [u8; 32] = hex::decode(SEED).unwrap().try_into().unwrap();
    let sk: [u8; 32] = hex::decode(BLS_SK).unwrap().try_into().unwrap();
    (Ed25519Secret::from_seed(&seed), BlsSecret::from_bytes(&sk))
}

fn registration() -> RegistrationInfo {
    let (ed, bls) = keys();
    let op = OperatorAddress::parse(OPERATOR).unwrap();
    RegistrationInfo::create(&ed, &bls, &op, &Network::STAGENET).unwrap()
}

// ---- the tests ----------------------------------------------------------------

#[test]
fn registration_matches_contract_accepted_vectors() {
    let info = registration();
    assert_eq!(info.service_node_signature, ED_SIG);
    assert_eq!(info.proof_of_possession, POP_STAGENET4);
    assert_eq!(info.address, OPERATOR);
    // The PoP verifies with snode-bls's pairing check for this contract only.
    info.verify(&Network::STAGENET).unwrap();
    assert!(info.verify(&Network::STAGENET3).is_err());
}

#[test]
fn ed25519_signature_verifies_with_an_independent_implementation() {
    let info = registration();
    let pk = hex::decode(&info.service_node_pubkey).unwrap();
    let mut msg = pk.clone();
    msg.extend(hex::decode(&info.bls_pubkey).unwrap());
    let pk = ed25519_compact::PublicKey::from_slice(&pk).unwrap();
    let sig =
        ed25519_compact::Signature::from_slice(&hex::decode(&info.service_node_signature).unwrap())
            .unwrap();
    pk.verify(&msg, &sig).unwrap();
}

#[test]
fn valid_registration_is_accepted() {
    let (url, seen) = backend();
    let info = registration();
    let done = submit(&url, &info, OPERATOR, Duration::from_secs(10)).unwrap();
    assert_eq!(
        done.view_url,
        format!("{url}/register/{}", info.service_node_pubkey)
    );
    let fields = seen.recv().unwrap();
    let names: Vec<&str> = fields.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["sig_ed25519", "pubkey_bls", "sig_bls", "operator"]);
    assert!(fields.contains(&("operator".to_string(), OPERATOR.to_string())));
}

#[test]
fn tampered_signature_is_rejected_with_the_reason() {
    let (url, _seen) = backend();
    let mut info = registration();
    info.service_node_signature.replace_range(0..2, "00");
    let err = submit(&url, &info, OPERATOR, Duration::from_secs(10)).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, SubmitError::Rejected { .. }), "{msg}");
    assert!(
        msg.contains("Invalid registration: Ed25519 signature is invalid"),
        "{msg}"
    );
    assert!(msg.contains("127.0.0.1"), "names the host: {msg}");
}

#[test]
fn bad_checksum_operator_is_rejected_by_backend_too() {
    let (url, _seen) = backend();
    let info = registration();
    let wrong_case = OPERATOR.replace("f39F", "F39f");
    let err = submit(&url, &info, &wrong_case, Duration::from_secs(10)).unwrap_err();
    assert!(err.to_string().contains("checksum failed"), "{err}");
}

#[test]
fn silent_backend_times_out_with_a_clear_message() {
    // Reads the whole request, never answers, holds the connection until the
    // client closes it.
    let (url, seen) = start_with(Mode::Silent);
    let err = submit(&url, &registration(), OPERATOR, Duration::from_millis(500)).unwrap_err();
    assert!(matches!(err, SubmitError::Timeout { .. }), "{err}");
    let host = url.trim_start_matches("http://");
    assert!(
        err.to_string()
            .contains(&format!("no answer from {host} within 0.5 s")),
        "{err}"
    );
    assert!(seen.try_recv().is_err(), "silent mode records nothing");
}

#[test]
fn signature_is_checked_against_the_pubkey_in_the_path() {
    let (url, _seen) = backend();
    let mut info = registration();
    // Another valid Ed25519 pubkey in the path: the signature no longer
    // belongs to it.
    info.service_node_pubkey = hex::encode(Ed25519Secret::from_seed(&[7u8; 32]).public_key());
    let err = submit(&url, &info, OPERATOR, Duration::from_secs(10)).unwrap_err();
    assert!(
        err.to_string().contains("Ed25519 signature is invalid"),
        "{err}"
    );
}

#[test]
fn a_rejecting_backend_is_reported_with_its_reason() {
    let (url, seen) = start_with(Mode::Reject("Invalid registration: not today".into()));
    let err = submit(&url, &registration(), OPERATOR, Duration::from_secs(10)).unwrap_err();
    assert!(matches!(err, SubmitError::Rejected { .. }), "{err}");
    assert!(err.to_string().contains("not today"), "{err}");
    // The whole, well-formed request was read before the answer.
    assert_eq!(seen.recv().unwrap().len(), 4);
}

#[test]
fn a_staking_url_with_a_query_is_refused_before_sending() {
    let (url, seen) = backend();
    for bad in [format!("{url}?key=1"), format!("{url}/#x")] {
        let err = submit(&bad, &registration(), OPERATOR, Duration::from_secs(10)).unwrap_err();
        assert!(matches!(err, SubmitError::BadUrl(_)), "{err}");
    }
    assert!(seen.try_recv().is_err());
}

/// A backend that reads the request, sends the status line and headers
/// promising a 100-byte body, 10 bytes of it, and then either closes
/// (`close`) or holds the connection until the client closes it.
fn half_answer(close: bool) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut length = 0;
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            if line == "\r\n" {
                break;
            }
            if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = v.trim().parse().unwrap();
            }
        }
        let mut body = vec![0u8; length];
        reader.read_exact(&mut body).unwrap();
        let mut stream = stream;
        stream
            .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"success\"")
            .unwrap();
        if !close {
            let _ = reader.read_to_end(&mut Vec::new());
        }
    });
    url
}

#[test]
fn an_answer_cut_short_is_a_transport_failure_not_an_empty_answer() {
    let url = half_answer(true);
    let err = submit(&url, &registration(), OPERATOR, Duration::from_secs(10)).unwrap_err();
    assert!(matches!(err, SubmitError::Connect { .. }), "{err}");
    let host = url.trim_start_matches("http://");
    assert!(
        err.to_string().contains(&format!(
            "cannot reach {host}: the answer could not be read"
        )),
        "{err}"
    );
}

#[test]
fn an_answer_that_stalls_times_out() {
    let url = half_answer(false);
    let err = submit(&url, &registration(), OPERATOR, Duration::from_millis(700)).unwrap_err();
    assert!(matches!(err, SubmitError::Timeout { .. }), "{err}");
    assert!(err.to_string().contains("within 0.7 s"), "{err}");
}

#[test]
fn refused_connection_names_the_host() {
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{port}");
    let err = submit(&url, &registration(), OPERATOR, Duration::from_secs(5)).unwrap_err();
    assert!(matches!(err, SubmitError::Connect { .. }), "{err}");
    assert!(
        err.to_string().contains(&format!("127.0.0.1:{port}")),
        "{err}"
    );
}

#[test]
fn operator_addresses_are_checked_before_signing() {
    assert!(OperatorAddress::parse(OPERATOR).is_ok());
    assert!(OperatorAddress::parse(&OPERATOR.to_lowercase()).is_ok());
    let err = OperatorAddress::parse(&OPERATOR.replace("f39F", "F39f")).unwrap_err();
    assert!(err.to_string().contains("checksum"), "{err}");
    for bad in [
        "",
        "0x1234",
        "f39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
        "0xg39fd6e51aad88f6f4ce6ab8827279cfffb92266",
    ] {
        let err = OperatorAddress::parse(bad).unwrap_err();
        assert!(err.to_string().contains("40 hex digits"), "{bad}: {err}");
    }
}

#[test]
fn upper_case_0x_prefix_is_refused_because_the_backend_refuses_it() {
    let upper_prefix = OPERATOR.replacen("0x", "0X", 1);
    let err = OperatorAddress::parse(&upper_prefix).unwrap_err();
    assert!(err.to_string().contains("lowercase 0x"), "{err}");
    let err = OperatorAddress::parse(&upper_prefix.to_uppercase()).unwrap_err();
    assert!(err.to_string().contains("lowercase 0x"), "{err}");
    // Why: the backend (and the stub, which validates like it) rejects an
    // operator sent as `0X…`, while the same address with `0x` is accepted.
    let (url, _seen) = backend();
    let info = registration();
    let err = submit(&url, &info, &upper_prefix, Duration::from_secs(10)).unwrap_err();
    assert!(matches!(err, SubmitError::Rejected { .. }), "{err}");
    assert!(err.to_string().contains("operator"), "{err}");
    submit(&url, &info, OPERATOR, Duration::from_secs(10)).unwrap();
}
