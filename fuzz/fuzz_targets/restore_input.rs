//! Restore input: the line an operator pastes into `restore`, `restore-bls`
//! or `restore-legacy` (hex, `0x` optional, or a whole `Secret key:` line of
//! `show`), read as the tool reads stdin (one line, at most 256 bytes, line
//! ending removed).
//!
//! Checked: no panic; an accepted key is of the kind asked for and carries the
//! exit code of bad input when refused; a refusal never echoes the secret
//! (the first 64 hex digits of the input).
#![no_main]

use libfuzzer_sys::fuzz_target;
use oxen_sn_keys::parse_restore_line;
use snode_keys::KeyKind;

/// The exit codes a refused input ends with: `Exit::BadInput` (7), and
/// `Exit::Failed` (2) for an appended public key that does not match.
const INPUT_CODES: [i32; 2] = [7, 2];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let kind = match pick % 3 {
        0 => KeyKind::Ed25519,
        1 => KeyKind::Bls,
        _ => KeyKind::Legacy,
    };
    // input::read_line: up to the first newline, at most 256 bytes, CR/LF trimmed
    let mut line = match rest.iter().position(|&b| b == b'\n') {
        Some(i) => &rest[..=i],
        None => rest,
    };
    if line.len() > 256 {
        return;
    }
    while let Some((b'\n' | b'\r', head)) = line.split_last() {
        line = head;
    }
    match parse_restore_line(kind, line) {
        Ok(key) => assert_eq!(key.kind(), kind),
        Err((code, message)) => {
            assert!(
                INPUT_CODES.contains(&code),
                "refused with exit code {code}: {message}"
            );
            // (a refused appended public key is shown: when it is written
            // like the secret, its text is in the message)
            if let Some(secret) = first_hex_run(line, 64).filter(|s| {
                let rest = String::from_utf8_lossy(line).to_ascii_lowercase();
                rest.matches(s.as_str()).count() < 2
            }) {
                assert!(
                    !message.to_ascii_lowercase().contains(&secret),
                    "the refusal echoes the secret: {message}"
                );
            }
        }
    }
});

/// The first `n` hex digits of the first run of at least `n` hex digits,
/// lowercased.
fn first_hex_run(line: &[u8], n: usize) -> Option<String> {
    line.split(|b| !b.is_ascii_hexdigit())
        .find(|run| run.len() >= n)
        .map(|run| String::from_utf8_lossy(&run[..n]).to_ascii_lowercase())
}
