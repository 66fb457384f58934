//! Registration against a local staking-backend stub that applies the real
//! backend's validation (session-staking-backend `src/registration/app.py`,
//! spec §2.6 "Server side"): exact field names, hex lengths, operator format
//! and EIP-55 checksum, and the Ed25519 signature over
//! `pubkey_ed25519 ‖ pubkey_bls` — checked here with `ed25519-compact`, an
//! implementation independent of the one that signed. Rejections are HTTP 200
//! with `{"error": …}`, as the real backend sends them.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use sha3::{Digest, Keccak256};
use snode_bls::Network;
use snode_keys::{BlsSecret, Ed25519Secret};
use snode_register::{submit, OperatorAddress, RegistrationInfo, SubmitError};

const SEED: &str = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
const BLS_SK: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const OPERATOR: &str = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
// bls-contract.md §7.4 (accepted by the real contract bytecode there).
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

// ---- the stub backend -------------------------------------------------------

fn eip55_ok(addr: &str) -> bool {
    let Some(digits) = addr.strip_prefix("0x") else {
        return false;
    };
    if digits.len() != 40 || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return false;
    }
    let lower = digits.to_ascii_lowercase();
    if digits == lower || digits == digits.to_ascii_uppercase() {
        return true;
    }
    let hash = Keccak256::digest(lower.as_bytes());
    digits
        .bytes()
        .zip(lower.bytes())
        .enumerate()
        .all(|(i, (c, l))| {
            let nibble = (hash[i / 2] >> (if i % 2 == 0 { 4 } else { 0 })) & 0xf;
            let want_upper = l.is_ascii_alphabetic() && nibble >= 8;
            c == if want_upper {
                l.to_ascii_uppercase()
            } else {
                l
            }
        })
}

fn hex_len(fields: &[(String, String)], name: &str, bytes: usize) -> Result<Vec<u8>, String> {
    let value = fields
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v)
        .ok_or(format!("missing {name}"))?;
    let raw = hex::decode(value).map_err(|_| format!("{name} is not hex"))?;
    if raw.len() != bytes {
        return Err(format!("{name} must be {bytes} bytes"));
    }
    Ok(raw)
}

fn validate(pubkey_hex: &str, fields: &[(String, String)]) -> Result<(), String> {
    for (name, _) in fields {
        if !["sig_ed25519", "pubkey_bls", "sig_bls", "operator"].contains(&name.as_str()) {
            return Err(format!("unknown field {name}"));
        }
    }
    let pk_ed = hex::decode(pubkey_hex).map_err(|_| "bad pubkey".to_string())?;
    let sig_ed = hex_len(fields, "sig_ed25519", 64)?;
    let pk_bls = hex_len(fields, "pubkey_bls", 64)?;
    hex_len(fields, "sig_bls", 128)?;
    let operator = &fields
        .iter()
        .find(|(n, _)| n == "operator")
        .ok_or("missing operator")?
        .1;
    if !eip55_ok(operator) {
        return Err("operator is not a valid checksummed address".into());
    }
    let pk = ed25519_compact::PublicKey::from_slice(&pk_ed).map_err(|_| "bad pubkey")?;
    let sig = ed25519_compact::Signature::from_slice(&sig_ed).map_err(|_| "bad sig")?;
    let mut msg = pk_ed.clone();
    msg.extend_from_slice(&pk_bls);
    pk.verify(&msg, &sig)
        .map_err(|_| "Ed25519 signature verification failed".to_string())
}

fn parse_multipart(content_type: &str, body: &str) -> Vec<(String, String)> {
    let boundary = content_type.split("boundary=").nth(1).unwrap_or("").trim();
    body.split(&format!("--{boundary}"))
        .filter_map(|part| {
            let (head, value) = part.split_once("\r\n\r\n")?;
            let name = head.split("name=\"").nth(1)?.split('"').next()?;
            Some((name.to_string(), value.trim_end_matches("\r\n").to_string()))
        })
        .collect()
}

fn handle(mut stream: TcpStream, seen: &mpsc::Sender<Vec<(String, String)>>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut request_line = String::new();
    reader.read_line(&mut request_line).unwrap();
    let (mut length, mut content_type) = (0usize, String::new());
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        if line.trim().is_empty() {
            break;
        }
        let (k, v) = line.split_once(':').unwrap();
        match k.to_ascii_lowercase().as_str() {
            "content-length" => length = v.trim().parse().unwrap(),
            "content-type" => content_type = v.trim().to_string(),
            _ => {}
        }
    }
    let mut body = vec![0u8; length];
    reader.read_exact(&mut body).unwrap();
    let path = request_line.split_whitespace().nth(1).unwrap_or("");
    let answer = match path.strip_prefix("/api/store/") {
        Some(pk) if pk.len() == 64 => {
            let fields = parse_multipart(&content_type, &String::from_utf8_lossy(&body));
            seen.send(fields.clone()).unwrap();
            match validate(pk, &fields) {
                Ok(()) => format!(
                    r#"{{"success": true, "registration": {{"pubkey_ed25519": "{pk}"}}, "t": 1}}"#
                ),
                Err(e) => format!(r#"{{"error": "Invalid registration: {e}", "t": 1}}"#),
            }
        }
        _ => r#"{"error": "not found"}"#.to_string(),
    };
    let response = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
        answer.len()
    );
    stream.write_all(response.as_bytes()).unwrap();
}

/// Starts the stub; returns its base URL and what it received.
fn backend() -> (String, mpsc::Receiver<Vec<(String, String)>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            handle(stream, &tx);
        }
    });
    (url, rx)
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
        msg.contains("Ed25519 signature verification failed"),
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
    assert!(err.to_string().contains("checksummed"), "{err}");
}

#[test]
fn silent_backend_times_out_with_a_clear_message() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let hold = thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        thread::sleep(Duration::from_secs(3));
        drop(stream);
    });
    let err = submit(&url, &registration(), OPERATOR, Duration::from_secs(1)).unwrap_err();
    assert!(matches!(err, SubmitError::Timeout { .. }), "{err}");
    assert!(
        err.to_string().contains("no answer from 127.0.0.1"),
        "{err}"
    );
    hold.join().unwrap();
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
