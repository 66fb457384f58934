//! Known-answer vectors (tests/vectors/keys.txt, sources noted there).

use crate::common::{bytes32, v};

use snode_keys::{BlsSecret, Ed25519Secret, LegacySecret, SecretKey};

#[test]
fn rfc8032_seed_gives_spec_identities() {
    let key = Ed25519Secret::from_seed(&bytes32("ed_seed"));
    assert_eq!(hex::encode(key.public_key()), v("ed_pub"));
    assert_eq!(hex::encode(key.x25519_public().unwrap()), v("x25519_pub"));
    assert_eq!(hex::encode(*key.x25519_secret()), v("x25519_sec"));
    assert_eq!(key.lokinet_address(), v("lokinet"));
    assert_eq!(key.lokinet_address().len(), 52 + ".snode".len());
    key.self_check().unwrap();
}

#[test]
fn ed25519_file_is_131_bytes_of_0x_hex_newline() {
    let key = Ed25519Secret::from_seed(&bytes32("ed_seed"));
    let file = key.file_contents();
    assert_eq!(file.len(), 131);
    assert_eq!(
        String::from_utf8(file.to_vec()).unwrap(),
        format!("0x{}{}\n", v("ed_seed"), v("ed_pub"))
    );
}

#[test]
fn legacy_scalar_and_pubkey_from_seed() {
    let ed = Ed25519Secret::from_seed(&bytes32("ed_seed"));
    let legacy = LegacySecret::from_ed25519(&ed);
    assert_eq!(hex::encode(legacy.expose_bytes()), v("x25519_sec"));
    // The legacy pubkey equals the Ed25519 pubkey (docs/compat/keys.md).
    assert_eq!(hex::encode(legacy.public_key()), v("ed_pub"));
    assert_eq!(legacy.file_contents().len(), 32);
}

#[test]
fn bls_public_keys() {
    for n in ["1", "2", "max"] {
        let sk = BlsSecret::from_bytes(&bytes32(&format!("bls_sk_{n}")));
        assert_eq!(sk.public_hex(), v(&format!("bls_pk_{n}")), "bls vector {n}");
    }
}

#[test]
fn bls_file_keeps_unreduced_bytes() {
    // 0x7fff…ff is larger than the group order r; the file must hold the
    // original bytes, not the reduced scalar.
    let sk = BlsSecret::from_bytes(&bytes32("bls_sk_max"));
    assert_eq!(
        String::from_utf8(sk.file_contents().to_vec()).unwrap(),
        format!("0x{}\n", v("bls_sk_max"))
    );
}

#[test]
fn registration_signature_matches_independent_implementations() {
    let key = Ed25519Secret::from_seed(&bytes32("ed_seed"));
    let mut msg = key.public_key().to_vec();
    msg.extend(hex::decode(v("reg_bls_pk")).unwrap());
    assert_eq!(msg.len(), 96);
    assert_eq!(hex::encode(key.sign(&msg)), v("reg_sig"));
}

#[test]
fn generated_keys_have_upstream_shape() {
    let ed = Ed25519Secret::generate().unwrap();
    ed.self_check().unwrap();
    let bls = BlsSecret::generate().unwrap();
    assert_eq!(bls.expose_bytes()[0] & 0x80, 0, "top bit cleared");
    // The legacy scalar is reduced mod ℓ, as oxend requires of a `key` file
    // (issue 12 point 4; upstream's own `legacy` wrote 16 bytes of garbage).
    for _ in 0..64 {
        let legacy = LegacySecret::generate().unwrap();
        let b = legacy.expose_bytes();
        assert!(below_l(b), "scalar {} is not below l", hex::encode(b));
        assert!(b.iter().any(|&x| x != 0));
        assert_eq!(legacy.file_contents().len(), 32);
    }
}

/// The order ℓ of the Ed25519 base point, 2^252 + 27742317777372353535851937790883648493,
/// big-endian.
const L_BE: &str = "1000000000000000000000000000000014def9dea2f79cd65812631a5cf5d3ed";

/// Whether the little-endian `scalar` is below ℓ.
pub fn below_l(scalar: &[u8; 32]) -> bool {
    let l = hex::decode(L_BE).unwrap();
    let mut be = *scalar;
    be.reverse();
    be.as_slice() < l.as_slice()
}

#[test]
fn below_l_is_a_real_bound() {
    let mut l_le: [u8; 32] = hex::decode(L_BE).unwrap().try_into().unwrap();
    l_le.reverse();
    assert!(!below_l(&l_le));
    let mut l_minus_1 = l_le;
    l_minus_1[0] -= 1;
    assert!(below_l(&l_minus_1));
    // A clamped hash (bit 254 set) is never below ℓ.
    let mut clamped = [0u8; 32];
    clamped[31] = 0x40;
    assert!(!below_l(&clamped));
}
