//! Key files: the three kinds (`key_ed25519`, `key_bls`, legacy `key`) in every
//! encoding oxend loads (raw bytes; hex with or without `0x`, with or without
//! a newline, either case), and size-based kind detection.
//!
//! Input: the first byte picks the kind (0 Ed25519, 1 BLS, 2 legacy, else
//! detect from the size, as `show` does without a kind); the rest is the file.
//! Checked: no panic; a decoded secret has the kind's length, a raw-size file
//! decodes to itself, and the canonical hex form of a decoded secret decodes
//! back to the same bytes and the same public key.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use snode_keys::format::{decode, hex_file, AnyKey};
use snode_keys::KeyKind;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, contents)) = data.split_first() else {
        return;
    };
    let path = Path::new("/fuzz/key");
    let kind = match pick % 4 {
        0 => Some(KeyKind::Ed25519),
        1 => Some(KeyKind::Bls),
        2 => Some(KeyKind::Legacy),
        _ => KeyKind::detect(contents),
    };
    let Some(kind) = kind else {
        return;
    };
    let Ok(secret) = decode(kind, contents, path) else {
        // AnyKey::decode must refuse it too
        assert!(AnyKey::decode(kind, contents, path).is_err());
        return;
    };
    assert_eq!(secret.len(), kind.secret_len());
    if contents.len() == kind.secret_len() {
        assert_eq!(&secret[..], contents);
    }
    let canonical = hex_file(&secret);
    let again = decode(kind, &canonical, path).expect("the canonical form decodes");
    assert_eq!(&again[..], &secret[..]);
    match (
        AnyKey::decode(kind, contents, path),
        AnyKey::decode(kind, &canonical, path),
    ) {
        (Ok(a), Ok(b)) => {
            assert_eq!(a.kind(), kind);
            assert_eq!(a.public_hex(), b.public_hex());
        }
        // an Ed25519 file whose embedded public key does not match its seed
        (Err(_), Err(_)) => {}
        (a, b) => panic!(
            "raw and canonical forms disagree: {:?} vs {:?}",
            a.map(|k| k.public_hex()).map_err(|e| e.to_string()),
            b.map(|k| k.public_hex()).map_err(|e| e.to_string())
        ),
    }
});
