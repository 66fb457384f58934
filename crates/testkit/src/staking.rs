//! A local staking-backend stub for tests, applying the real backend's
//! validation (session-staking-backend `src/registration/app.py` and
//! `src/util/parse.py`; docs/compat/rpc-and-client.md, "Registration"):
//!
//! - `POST /api/store/<64 hex>` (the Ed25519 pubkey the signature is checked
//!   against); another path is a 404, another method a 405. (The real
//!   backend also answers GET with the fields in the query string; our client
//!   never sends that, so the stub refuses it.)
//! - The fields are the query string plus a `multipart/form-data` body, which
//!   is parsed strictly: `--boundary` delimiters each preceded by CRLF, part
//!   headers with `Content-Disposition: form-data; name="…"`, and the closing
//!   `--boundary--`. A malformed body is answered with HTTP 400.
//! - Exactly the fields `sig_ed25519`, `pubkey_bls`, `sig_bls`, `operator`,
//!   each once; an unknown, repeated or missing field is rejected.
//! - `sig_ed25519` (64 bytes), `pubkey_bls` (64 bytes) and `sig_bls` (128
//!   bytes) are hex or base64 (standard or URL-safe, padding optional; the
//!   `base64` crate), as the backend's `byte_decoder` reads all three.
//! - `operator` must match `0x[0-9a-fA-F]{40}` and pass EIP-55 when mixed
//!   case (snode-eth's address check).
//! - The Ed25519 signature over `pubkey_ed25519 ‖ pubkey_bls` is checked
//!   with `ed25519-compact`, an implementation independent of the one that
//!   signs. (The backend does not check the BLS signature: a FIXME there.)
//!
//! Rejections are HTTP 200 with `{"error": "Invalid registration: …"}`, as
//! the real backend sends them. Serves on 127.0.0.1 only.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc;
use std::thread;

use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine;

/// The form fields of one received registration, in order.
pub type Fields = Vec<(String, String)>;

/// How the stub answers.
#[derive(Debug, Clone)]
pub enum Mode {
    /// Validate like the real backend.
    Validate,
    /// Read the request fully, then reject it with HTTP 200 and
    /// `{"error": "<reason>"}` whatever it holds (e.g. a backend policy).
    Reject(String),
    /// Read the request fully and never answer; the connection is held
    /// until the client closes it.
    Silent,
}

const FIELDS: [&str; 4] = ["sig_ed25519", "pubkey_bls", "sig_bls", "operator"];

fn eip55_ok(addr: &str) -> bool {
    snode_eth::parse_address(addr).is_ok()
}

/// Standard or URL-safe base64, padding optional; `None` if it is not.
fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let config = GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(false);
    [alphabet::STANDARD, alphabet::URL_SAFE]
        .iter()
        .find_map(|a| GeneralPurpose::new(a, config).decode(text).ok())
}

/// The backend's `decode_bytes`: `len` bytes as hex, or as base64.
fn decode_bytes(name: &str, value: &str, len: usize) -> Result<Vec<u8>, String> {
    let hex_len = len * 2;
    let b64_unpadded = (len * 4).div_ceil(3);
    let b64_padded = len.div_ceil(3) * 4;
    if value.len() == hex_len && value.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(hex::decode(value).unwrap());
    }
    if value.len() == b64_unpadded || value.len() == b64_padded {
        if let Some(raw) = base64_decode(value).filter(|r| r.len() == len) {
            return Ok(raw);
        }
    }
    Err(format!(
        "{name}: expected {hex_len} hex or {b64_unpadded} base64 characters"
    ))
}

fn validate(pubkey_hex: &str, fields: &[(String, String)]) -> Result<(), String> {
    let mut seen: Vec<&str> = Vec::new();
    for (name, _) in fields {
        if !FIELDS.contains(&name.as_str()) {
            return Err(format!("{name}: unknown parameter"));
        }
        if seen.contains(&name.as_str()) {
            return Err(format!("{name}: cannot be specified multiple times"));
        }
        seen.push(name);
    }
    let get = |name: &str| {
        fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .ok_or(format!("{name}: required parameter is missing"))
    };
    let pk_bls = decode_bytes("pubkey_bls", get("pubkey_bls")?, 64)?;
    let sig_ed = decode_bytes("sig_ed25519", get("sig_ed25519")?, 64)?;
    decode_bytes("sig_bls", get("sig_bls")?, 128)?;
    let operator = get("operator")?;
    let shaped = operator.len() == 42
        && operator.starts_with("0x")
        && operator[2..].bytes().all(|b| b.is_ascii_hexdigit());
    if !shaped {
        return Err("operator: not an ETH address".into());
    }
    if !eip55_ok(operator) {
        return Err("operator: ETH address checksum failed".into());
    }
    let pk_ed = hex::decode(pubkey_hex).unwrap();
    let pk = ed25519_compact::PublicKey::from_slice(&pk_ed)
        .map_err(|_| "Ed25519 pubkey is invalid".to_string())?;
    let sig = ed25519_compact::Signature::from_slice(&sig_ed)
        .map_err(|_| "Ed25519 signature is invalid".to_string())?;
    let mut msg = pk_ed.clone();
    msg.extend_from_slice(&pk_bls);
    pk.verify(&msg, &sig)
        .map_err(|_| "Ed25519 signature is invalid".to_string())
}

/// Strict `multipart/form-data` (RFC 7578 / RFC 2046 §5.1.1): the body
/// starts with `--boundary`, every later delimiter is preceded by CRLF, the
/// last one is `--boundary--`.
fn parse_multipart(content_type: &str, body: &[u8]) -> Result<Fields, String> {
    let (kind, params) = content_type
        .split_once(';')
        .ok_or("Content-Type has no boundary")?;
    if !kind.trim().eq_ignore_ascii_case("multipart/form-data") {
        return Err(format!("Content-Type is {kind}, not multipart/form-data"));
    }
    let boundary = params
        .split(';')
        .find_map(|p| p.trim().strip_prefix("boundary="))
        .map(|b| b.trim_matches('"'))
        .filter(|b| !b.is_empty() && b.len() <= 70)
        .ok_or("Content-Type has no usable boundary")?;
    let body = std::str::from_utf8(body).map_err(|_| "body is not UTF-8")?;
    let first = format!("--{boundary}\r\n");
    let delimiter = format!("\r\n--{boundary}");
    let mut rest = body
        .strip_prefix(&first)
        .ok_or("body does not start with --boundary CRLF")?;
    let mut fields = Vec::new();
    loop {
        let end = rest
            .find(&delimiter)
            .ok_or("a part is not followed by CRLF --boundary (no closing delimiter)")?;
        let part = &rest[..end];
        let (head, value) = part
            .split_once("\r\n\r\n")
            .ok_or("a part has no blank line after its headers")?;
        let mut name = None;
        for header in head.split("\r\n") {
            let (k, v) = header
                .split_once(':')
                .ok_or(format!("bad part header {header:?}"))?;
            if k.trim().eq_ignore_ascii_case("content-disposition") {
                let mut items = v.split(';').map(str::trim);
                if items.next() != Some("form-data") {
                    return Err(format!("part is not form-data: {v:?}"));
                }
                name = items.find_map(|i| {
                    i.strip_prefix("name=\"")
                        .and_then(|n| n.strip_suffix('"'))
                        .map(str::to_string)
                });
            }
        }
        let name = name.ok_or("a part has no Content-Disposition name")?;
        fields.push((name, value.to_string()));
        let after = &rest[end + delimiter.len()..];
        if let Some(epilogue) = after.strip_prefix("--") {
            if !(epilogue.is_empty() || epilogue.starts_with("\r\n")) {
                return Err("junk after the closing --boundary--".into());
            }
            return Ok(fields);
        }
        rest = after
            .strip_prefix("\r\n")
            .ok_or("a delimiter is not followed by CRLF")?;
    }
}

/// `a=1&b=2`, percent-decoding `%XX` and `+`.
fn parse_query(query: &str) -> Fields {
    let decode = |s: &str| {
        let s = s.replace('+', " ");
        let mut out = Vec::new();
        let b = s.as_bytes();
        let mut i = 0;
        while i < b.len() {
            match (b[i], b.get(i + 1..i + 3)) {
                (b'%', Some(h)) if std::str::from_utf8(h).is_ok_and(|h| hex::decode(h).is_ok()) => {
                    out.extend(hex::decode(h).unwrap());
                    i += 3;
                }
                (c, _) => {
                    out.push(c);
                    i += 1;
                }
            }
        }
        String::from_utf8_lossy(&out).into_owned()
    };
    query
        .split('&')
        .filter(|kv| !kv.is_empty())
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            (decode(k), decode(v))
        })
        .collect()
}

fn respond(stream: &mut TcpStream, status: &str, content_type: &str, body: &str) -> io::Result<()> {
    write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    )
}

fn handle(mut stream: TcpStream, mode: &Mode, seen: &mpsc::Sender<Fields>) -> io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let (mut length, mut content_type) = (None, String::new());
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        if line == "\r\n" || line == "\n" {
            break;
        }
        let Some((k, v)) = line.split_once(':') else {
            return respond(&mut stream, "400 Bad Request", "text/plain", "bad header");
        };
        match k.to_ascii_lowercase().as_str() {
            "content-length" => length = v.trim().parse::<usize>().ok(),
            "content-type" => content_type = v.trim().to_string(),
            _ => {}
        }
    }
    let mut body = vec![0u8; length.unwrap_or(0).min(1 << 20)];
    reader.read_exact(&mut body)?;
    let mut words = request_line.split_whitespace();
    let (method, target) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
    if let Mode::Silent = mode {
        // Hold the connection until the client gives up and closes it.
        let mut sink = Vec::new();
        let _ = reader.read_to_end(&mut sink);
        return Ok(());
    }
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let pk = path
        .strip_prefix("/api/store/")
        .filter(|pk| pk.len() == 64 && pk.bytes().all(|b| b.is_ascii_hexdigit()));
    let Some(pk) = pk else {
        return respond(&mut stream, "404 NOT FOUND", "text/plain", "not found");
    };
    if method != "POST" {
        return respond(
            &mut stream,
            "405 METHOD NOT ALLOWED",
            "text/plain",
            "the stub takes POST only",
        );
    }
    if length.is_none() {
        return respond(
            &mut stream,
            "411 LENGTH REQUIRED",
            "text/plain",
            "no Content-Length",
        );
    }
    let mut fields = parse_query(query);
    match parse_multipart(&content_type, &body) {
        Ok(form) => fields.extend(form),
        Err(e) => {
            let text = format!("malformed multipart/form-data: {e}");
            return respond(&mut stream, "400 BAD REQUEST", "text/plain", &text);
        }
    }
    let _ = seen.send(fields.clone());
    let verdict = match mode {
        Mode::Reject(reason) => Err(reason.clone()),
        _ => validate(pk, &fields).map_err(|e| format!("Invalid registration: {e}")),
    };
    let answer = match verdict {
        Ok(()) => {
            format!(r#"{{"success": true, "registration": {{"pubkey_ed25519": "{pk}"}}, "t": 1}}"#)
        }
        Err(e) => format!(r#"{{"error": {}, "t": 1}}"#, json_string(&e)),
    };
    respond(&mut stream, "200 OK", "application/json", &answer)
}

fn json_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Starts a validating stub on 127.0.0.1; returns its base URL and a
/// channel of the fields it received.
pub fn start() -> (String, mpsc::Receiver<Fields>) {
    start_with(Mode::Validate)
}

/// Starts a stub answering as `mode` says.
pub fn start_with(mode: Mode) -> (String, mpsc::Receiver<Fields>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let (tx, mode) = (tx.clone(), mode.clone());
            thread::spawn(move || {
                let _ = handle(stream, &mode, &tx);
            });
        }
    });
    (url, rx)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_like_the_backend() {
        let raw: Vec<u8> = (0u8..64).collect();
        let std_b64 = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+Pw==";
        assert_eq!(decode_bytes("f", std_b64, 64).unwrap(), raw);
        assert_eq!(
            decode_bytes("f", std_b64.trim_end_matches('='), 64).unwrap(),
            raw
        );
        let url_safe = std_b64.replace('+', "-").replace('/', "_");
        assert_eq!(decode_bytes("f", &url_safe, 64).unwrap(), raw);
        assert_eq!(decode_bytes("f", &hex::encode(&raw), 64).unwrap(), raw);
        let err = decode_bytes("f", &hex::encode(&raw[..63]), 64).unwrap_err();
        assert_eq!(err, "f: expected 128 hex or 86 base64 characters");
        assert!(decode_bytes("f", &std_b64.replace('A', "*"), 64).is_err());
    }

    #[test]
    fn multipart_is_parsed_strictly() {
        let ct = "multipart/form-data; boundary=XyZ";
        let good = "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n\
                    --XyZ\r\nContent-Disposition: form-data; name=\"b\"\r\n\r\n2\r\n--XyZ--\r\n";
        assert_eq!(
            parse_multipart(ct, good.as_bytes()).unwrap(),
            vec![("a".into(), "1".into()), ("b".into(), "2".into())]
        );
        for bad in [
            // no closing delimiter
            "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n",
            "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--XyZ\r\n",
            // delimiter without the CRLF before it
            "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1--XyZ--\r\n",
            // no blank line
            "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n1\r\n--XyZ--\r\n",
            // no name
            "--XyZ\r\nContent-Disposition: form-data\r\n\r\n1\r\n--XyZ--\r\n",
            // bare LF line ends
            "--XyZ\nContent-Disposition: form-data; name=\"a\"\n\n1\n--XyZ--\n",
        ] {
            assert!(parse_multipart(ct, bad.as_bytes()).is_err(), "{bad:?}");
        }
        assert!(parse_multipart("application/json", good.as_bytes()).is_err());
        assert!(parse_multipart("multipart/form-data; boundary=Other", good.as_bytes()).is_err());
    }
}
