//! A local staking-backend stub for tests (feature `stub-backend`), applying
//! the real backend's validation (session-staking-backend
//! `src/registration/app.py`, spec §2.6 "Server side"): exact field names,
//! hex lengths, operator format and EIP-55 checksum, and the Ed25519
//! signature over `pubkey_ed25519 ‖ pubkey_bls` — checked with
//! `ed25519-compact`, an implementation independent of the one that signs.
//! Rejections are HTTP 200 with `{"error": …}`, as the real backend sends
//! them. Serves on 127.0.0.1 only.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc;
use std::thread;

use sha3::{Digest, Keccak256};

/// The form fields of one received registration, in order.
pub type Fields = Vec<(String, String)>;

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

fn handle(mut stream: TcpStream, seen: &mpsc::Sender<Fields>) {
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
            let _ = seen.send(fields.clone());
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

/// Starts the stub on 127.0.0.1; returns its base URL and a channel of what
/// it received.
pub fn start() -> (String, mpsc::Receiver<Fields>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let tx = tx.clone();
            thread::spawn(move || handle(stream, &tx));
        }
    });
    (url, rx)
}
