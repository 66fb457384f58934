//! Reading every format oxend accepts, rejecting everything else, and never
//! putting secret bytes in an error.

use crate::common::{bytes32, v};

use std::path::Path;

use proptest::prelude::*;
use snode_keys::format::{self, AnyKey};
use snode_keys::{BlsSecret, Ed25519Secret, KeyError, KeyKind, SecretKey};

fn p() -> &'static Path {
    Path::new("key_test")
}

#[test]
fn ed25519_every_accepted_form_decodes_to_the_same_key() {
    let seed = v("ed_seed");
    let keypair_hex = format!("{seed}{}", v("ed_pub"));
    let raw = hex::decode(&keypair_hex).unwrap();
    let forms: Vec<Vec<u8>> = vec![
        raw.clone(),
        format!("0x{keypair_hex}\n").into_bytes(),
        format!("0x{keypair_hex}").into_bytes(),
        format!("{keypair_hex}\n").into_bytes(),
        keypair_hex.clone().into_bytes(),
        format!("0x{}\n", keypair_hex.to_uppercase()).into_bytes(),
    ];
    for form in forms {
        let kind = KeyKind::detect(&form).expect("detectable");
        assert_eq!(kind, KeyKind::Ed25519, "{} bytes", form.len());
        let key = AnyKey::decode(kind, &form, p()).unwrap();
        assert_eq!(key.public_hex(), v("ed_pub"));
    }
}

#[test]
fn bls_every_accepted_form_decodes_to_the_same_key() {
    let sk = v("bls_sk_2");
    let forms: Vec<Vec<u8>> = vec![
        format!("0x{sk}\n").into_bytes(),
        format!("0x{sk}").into_bytes(),
        format!("{sk}\n").into_bytes(),
        sk.clone().into_bytes(),
        format!("0x{}", sk.to_uppercase()).into_bytes(),
    ];
    for form in forms {
        assert_eq!(
            KeyKind::detect(&form),
            Some(KeyKind::Bls),
            "{} bytes",
            form.len()
        );
        let key = AnyKey::decode(KeyKind::Bls, &form, p()).unwrap();
        assert_eq!(key.public_hex(), v("bls_pk_2"));
    }
    // Raw 32 bytes load as BLS when the kind is known (oxend's loader).
    let raw = bytes32("bls_sk_2");
    let key = AnyKey::decode(KeyKind::Bls, &raw, p()).unwrap();
    assert_eq!(key.public_hex(), v("bls_pk_2"));
    // …and are detected as legacy by size, as upstream's `show` does.
    assert_eq!(KeyKind::detect(&raw), Some(KeyKind::Legacy));
}

#[test]
fn canonical_files_round_trip() {
    let ed = Ed25519Secret::from_seed(&bytes32("ed_seed"));
    let again = AnyKey::decode(KeyKind::Ed25519, &ed.file_contents(), p()).unwrap();
    assert_eq!(again.public_hex(), ed.public_hex());
    let bls = BlsSecret::from_bytes(&bytes32("bls_sk_max"));
    let file = bls.file_contents();
    assert_eq!(file.len(), 67);
    let again = AnyKey::decode(KeyKind::Bls, &file, p()).unwrap();
    assert_eq!(again.public_hex(), bls.public_hex());
}

#[test]
fn wrong_sizes_are_rejected_with_the_file_named() {
    for len in [0usize, 1, 31, 33, 63, 65, 100, 132, 200] {
        let data = vec![b'a'; len];
        let err = AnyKey::decode(KeyKind::Ed25519, &data, p()).err().unwrap();
        let msg = err.to_string();
        assert!(matches!(err, KeyError::InvalidFile { .. }), "{len}: {msg}");
        assert!(
            msg.contains("key_test")
                && msg.contains(&format!(
                    "File size ({len} bytes) is invalid for an Ed25519 secret key"
                )),
            "{msg}"
        );
    }
    let err = AnyKey::load(Path::new("/nonexistent/dir/key_bls"), None)
        .err()
        .unwrap();
    assert!(matches!(err, KeyError::Read { .. }));
    let msg = err.to_string();
    assert!(msg.contains("'/nonexistent/dir/key_bls'"), "{msg}");
    assert!(
        msg.contains("check the file name") && msg.contains("data-dir"),
        "says what to do: {msg}"
    );
}

/// A key file the user may not read: the message says how to read it.
#[test]
fn unreadable_file_error_says_to_use_the_owner_or_sudo() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("key_bls");
    std::fs::write(&path, format!("0x{}\n", v("bls_sk_2"))).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).unwrap();
    let err = if std::fs::read(&path).is_ok() {
        // root reads it anyway: the same error as a non-root user gets.
        KeyError::Read {
            path: path.clone(),
            source: std::io::Error::from(std::io::ErrorKind::PermissionDenied),
        }
    } else {
        AnyKey::load(&path, None).err().unwrap()
    };
    let msg = err.to_string();
    assert!(msg.contains(&format!("'{}'", path.display())), "{msg}");
    assert!(msg.contains("with sudo"), "{msg}");
}

#[test]
fn autodetect_refuses_unknown_sizes() {
    for len in [0usize, 31, 33, 63, 68, 127, 132] {
        assert_eq!(KeyKind::detect(&vec![0u8; len]), None, "{len}");
    }
}

#[test]
fn non_hex_is_rejected() {
    let mut text = format!("0x{}\n", v("bls_sk_2")).into_bytes();
    text[10] = b'g';
    let err = AnyKey::decode(KeyKind::Bls, &text, p()).err().unwrap();
    assert!(matches!(err, KeyError::NonHex { .. }), "{err}");
}

#[test]
fn embedded_pubkey_mismatch_is_detected() {
    let mut raw = hex::decode(format!("{}{}", v("ed_seed"), v("ed_pub"))).unwrap();
    raw[63] ^= 1;
    let err = AnyKey::decode(KeyKind::Ed25519, &raw, p()).err().unwrap();
    assert!(
        matches!(err, KeyError::EmbeddedPubkeyMismatch { .. }),
        "{err}"
    );
    let msg = err.to_string();
    assert!(msg.contains("in 'key_test'"), "names the file: {msg}");
    assert!(
        msg.contains("Restore the key from your backup") && msg.contains("`restore`"),
        "says what to do: {msg}"
    );
    // The same through a real file.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("key_ed25519");
    std::fs::write(&path, &raw).unwrap();
    let err = format::load::<Ed25519Secret>(&path).err().unwrap();
    assert!(
        err.to_string()
            .contains(&format!("in '{}'", path.display())),
        "{err}"
    );
}

#[test]
fn errors_never_contain_secret_bytes() {
    let seed = v("ed_seed");
    let sk = v("bls_sk_2");
    let mut bad_hex = format!("0x{sk}").into_bytes();
    bad_hex[40] = b'z';
    let mut mismatch = hex::decode(format!("{seed}{}", v("ed_pub"))).unwrap();
    mismatch[40] ^= 0xff;
    // The real raw keypair with the seed's last byte changed: the derived
    // pubkey no longer matches, and the seed's first 16 hex digits are still
    // the secret's, so a leak of the seed would show.
    let mut altered_seed = hex::decode(format!("{seed}{}", v("ed_pub"))).unwrap();
    altered_seed[31] ^= 1;
    let cases: Vec<(KeyKind, Vec<u8>)> = vec![
        (KeyKind::Bls, bad_hex),
        (KeyKind::Bls, format!("0x{sk}\n\n").into_bytes()),
        (KeyKind::Ed25519, altered_seed),
        (KeyKind::Ed25519, mismatch),
        (KeyKind::Legacy, format!("{seed}\n\n").into_bytes()),
    ];
    for (kind, data) in cases {
        let err = AnyKey::decode(kind, &data, p()).err().expect("must fail");
        let shown = format!("{err} {err:?}").to_lowercase();
        for secret in [&seed, &sk, &seed[..16].to_string(), &sk[..16].to_string()] {
            assert!(!shown.contains(secret.as_str()), "secret in error: {shown}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]
    #[test]
    fn decoding_never_panics(data in proptest::collection::vec(any::<u8>(), 0..200)) {
        for kind in [KeyKind::Ed25519, KeyKind::Bls, KeyKind::Legacy] {
            let _ = AnyKey::decode(kind, &data, p());
        }
        if let Some(kind) = KeyKind::detect(&data) {
            let _ = format::decode(kind, &data, p());
        }
    }

    #[test]
    fn hex_files_round_trip(secret in any::<[u8; 32]>()) {
        let bls = BlsSecret::from_bytes(&secret);
        let file = bls.file_contents();
        let back = format::decode(KeyKind::Bls, &file, p()).unwrap();
        prop_assert_eq!(&back[..], &secret[..]);
    }
}
