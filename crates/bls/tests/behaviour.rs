//! Round trips and every way verification must fail (wrong message, key,
//! tag, flipped bytes, points off the curve or outside the subgroup,
//! non-canonical coordinates), always as an error value, never a panic.

use ark_bn254::{Fq, Fq2, G2Affine};
use ark_ec::{AffineRepr, CurveGroup};
use snode_bls::{
    aggregate_public_keys, aggregate_signatures, decode_g1, decode_g2, encode_g2, hash,
    pop_message, proof_of_possession, public_key, sign, verify, verify_proof_of_possession, Error,
    Network, Tag,
};

const P_HEX: &str = "30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47";
const R_HEX: &str = "30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001";

fn secret(n: u8) -> [u8; 32] {
    let mut s = [0u8; 32];
    s[0] = 0x11;
    s[31] = n;
    s
}

fn h32(s: &str) -> [u8; 32] {
    hex::decode(s).unwrap().try_into().unwrap()
}

/// A different chain (Arbitrum One, 42161) with the current stagenet address.
const OTHER_CHAIN: Network = Network::new(42_161, Network::STAGENET.rewards_contract);

#[test]
fn sign_verify_round_trip_on_each_network() {
    for (i, net) in [Network::STAGENET, Network::STAGENET3, OTHER_CHAIN]
        .iter()
        .enumerate()
    {
        let sk = secret(i as u8 + 1);
        let pk = public_key(&sk);
        for msg in [&b""[..], b"x", &[0xffu8; 300]] {
            let sig = sign(&sk, msg, net).unwrap();
            assert_eq!(verify(&pk, msg, &sig, net), Ok(()));
        }
    }
}

#[test]
fn wrong_message_key_or_tag_is_rejected() {
    let sk = secret(7);
    let pk = public_key(&sk);
    let net = Network::STAGENET;
    let sig = sign(&sk, b"message", &net).unwrap();
    assert_eq!(verify(&pk, b"message", &sig, &net), Ok(()));
    assert_eq!(
        verify(&pk, b"messagf", &sig, &net),
        Err(Error::InvalidSignature)
    );
    assert_eq!(
        verify(&pk, b"message\0", &sig, &net),
        Err(Error::InvalidSignature)
    );
    let other_pk = public_key(&secret(8));
    assert_eq!(
        verify(&other_pk, b"message", &sig, &net),
        Err(Error::InvalidSignature)
    );
    // Different contract address, and different chain: different HASH_TO_G2 tag.
    assert_eq!(
        verify(&pk, b"message", &sig, &Network::STAGENET3),
        Err(Error::InvalidSignature)
    );
    assert_eq!(
        verify(&pk, b"message", &sig, &OTHER_CHAIN),
        Err(Error::InvalidSignature)
    );
}

#[test]
fn pop_binds_key_operator_ed25519_and_network() {
    let sk = secret(9);
    let pk = public_key(&sk);
    let op = [0xab; 20];
    let ed = [0xcd; 32];
    let net = Network::STAGENET;
    let pop = proof_of_possession(&sk, &op, &ed, &net).unwrap();
    assert_eq!(
        verify_proof_of_possession(&pk, &op, &ed, &pop, &net),
        Ok(())
    );

    let msg = pop_message(&pk, &op, &ed, &net);
    assert_eq!(msg.len(), 148);
    assert_eq!(msg[..32], net.tag(Tag::ProofOfPossession));
    assert_eq!(msg[32..96], pk);
    assert_eq!(msg[96..116], op);
    assert_eq!(msg[116..], ed);
    assert_eq!(sign(&sk, &msg, &net).unwrap(), pop);

    let mut op2 = op;
    op2[19] ^= 1;
    let mut ed2 = ed;
    ed2[0] ^= 0x80;
    let bad = Err(Error::InvalidSignature);
    assert_eq!(verify_proof_of_possession(&pk, &op2, &ed, &pop, &net), bad);
    assert_eq!(verify_proof_of_possession(&pk, &op, &ed2, &pop, &net), bad);
    assert_eq!(
        verify_proof_of_possession(&pk, &op, &ed, &pop, &Network::STAGENET3),
        bad
    );
    let pk2 = public_key(&secret(10));
    assert_eq!(verify_proof_of_possession(&pk2, &op, &ed, &pop, &net), bad);
    // A plain signature over the same bytes minus the tag is not a PoP.
    let plain = sign(&sk, &msg[32..], &net).unwrap();
    assert_eq!(verify_proof_of_possession(&pk, &op, &ed, &plain, &net), bad);
}

#[test]
fn every_flipped_signature_byte_is_rejected() {
    let sk = secret(3);
    let pk = public_key(&sk);
    let net = Network::STAGENET;
    let sig = sign(&sk, b"flip", &net).unwrap();
    for i in 0..128 {
        for mask in [0x01u8, 0x80] {
            let mut bad = sig;
            bad[i] ^= mask;
            let got = verify(&pk, b"flip", &bad, &net);
            assert!(got.is_err(), "byte {i} mask {mask:#x} still verifies");
            assert_ne!(got, Err(Error::PublicKeyAtInfinity));
        }
    }
}

#[test]
fn every_flipped_public_key_byte_is_rejected() {
    let sk = secret(4);
    let pk = public_key(&sk);
    let net = Network::STAGENET;
    let sig = sign(&sk, b"flip", &net).unwrap();
    for i in 0..64 {
        let mut bad = pk;
        bad[i] ^= 0x01;
        assert!(verify(&bad, b"flip", &sig, &net).is_err(), "byte {i}");
    }
}

#[test]
fn points_off_the_curve_are_rejected() {
    let sk = secret(5);
    let pk = public_key(&sk);
    let net = Network::STAGENET;
    let sig = sign(&sk, b"curve", &net).unwrap();
    // Y.re + 1 (still below p): off the twist.
    let point = decode_g2(&sig).unwrap();
    let (x, y) = point.xy().unwrap();
    let moved = G2Affine::new_unchecked(x, y + Fq2::new(Fq::from(1u64), Fq::from(0u64)));
    assert_eq!(
        verify(&pk, b"curve", &encode_g2(&moved), &net),
        Err(Error::NotOnCurve)
    );
    // The EIP-197 (imaginary-first) byte order is a different, off-curve point.
    let mut eip197 = [0u8; 128];
    for (dst, src) in [(0, 32), (32, 0), (64, 96), (96, 64)] {
        eip197[dst..dst + 32].copy_from_slice(&sig[src..src + 32]);
    }
    assert_eq!(verify(&pk, b"curve", &eip197, &net), Err(Error::NotOnCurve));
    // G1 (1, 3) is not on y² = x³ + 3.
    let mut off = [0u8; 64];
    off[31] = 1;
    off[63] = 3;
    assert_eq!(decode_g1(&off), Err(Error::NotOnCurve));
    assert_eq!(verify(&off, b"curve", &sig, &net), Err(Error::NotOnCurve));
}

#[test]
fn points_outside_the_subgroup_are_rejected() {
    let sk = secret(6);
    let pk = public_key(&sk);
    let net = Network::STAGENET;
    let dst = net.tag(Tag::HashToG2);
    // The mapped point before cofactor clearing is on the twist but not in G2.
    let (_, p) = hash::map_to_twist(b"subgroup", &dst).unwrap();
    assert!(p.is_on_curve());
    assert_eq!(decode_g2(&encode_g2(&p)), Err(Error::NotInSubgroup));
    // A "signature" made from it: sk·P.
    let forged = (p * ark_bn254::Fr::from(1234u64)).into_affine();
    assert_eq!(
        verify(&pk, b"subgroup", &encode_g2(&forged), &net),
        Err(Error::NotInSubgroup)
    );
    assert_eq!(
        aggregate_signatures(&[encode_g2(&p)]),
        Err(Error::NotInSubgroup)
    );
}

#[test]
fn coordinates_at_or_above_p_are_rejected() {
    let sk = secret(2);
    let pk = public_key(&sk);
    let net = Network::STAGENET;
    let sig = sign(&sk, b"range", &net).unwrap();
    for word in 0..4 {
        for value in [h32(P_HEX), [0xff; 32]] {
            let mut bad = sig;
            bad[32 * word..32 * word + 32].copy_from_slice(&value);
            assert_eq!(
                verify(&pk, b"range", &bad, &net),
                Err(Error::CoordinateOutOfRange)
            );
        }
    }
    for word in 0..2 {
        let mut bad = pk;
        bad[32 * word..32 * word + 32].copy_from_slice(&h32(P_HEX));
        assert_eq!(
            verify(&bad, b"range", &sig, &net),
            Err(Error::CoordinateOutOfRange)
        );
    }
    // x + p encodes the same residue but is not canonical: rejected, not reduced.
    assert_eq!(
        snode_bls::fq_from_be(&h32(P_HEX)),
        Err(Error::CoordinateOutOfRange)
    );
}

#[test]
fn infinity_public_key_never_verifies() {
    // e(O, H) = e(G1, O) = 1: without the check, a zero key and a zero
    // signature would "verify" for any message.
    let zeros_pk = [0u8; 64];
    let zeros_sig = [0u8; 128];
    assert!(decode_g1(&zeros_pk).unwrap().is_zero());
    assert!(decode_g2(&zeros_sig).unwrap().is_zero());
    let net = Network::STAGENET;
    assert_eq!(
        verify(&zeros_pk, b"any", &zeros_sig, &net),
        Err(Error::PublicKeyAtInfinity)
    );
    // A real key with the zero signature fails the pairing check.
    let pk = public_key(&secret(1));
    assert_eq!(
        verify(&pk, b"any", &zeros_sig, &net),
        Err(Error::InvalidSignature)
    );
}

#[test]
fn secrets_are_reduced_mod_r_and_zero_is_refused() {
    let net = Network::STAGENET;
    let r = h32(R_HEX);
    assert_eq!(public_key(&r), [0u8; 64]);
    assert_eq!(public_key(&[0u8; 32]), [0u8; 64]);
    assert_eq!(sign(&r, b"m", &net), Err(Error::ZeroSecretKey));
    assert_eq!(sign(&[0u8; 32], b"m", &net), Err(Error::ZeroSecretKey));
    assert_eq!(
        proof_of_possession(&r, &[0; 20], &[0; 32], &net),
        Err(Error::ZeroSecretKey)
    );
    // r + 12345 acts exactly as 12345 (docs/compat/bls.md).
    let big = h32("30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f000303a");
    let mut small = [0u8; 32];
    small[30..].copy_from_slice(&12345u16.to_be_bytes());
    assert_eq!(public_key(&big), public_key(&small));
    assert_eq!(sign(&big, b"m", &net), sign(&small, b"m", &net));
}

#[test]
fn aggregation_of_keys_and_signatures() {
    let net = Network::STAGENET;
    let msg = b"aggregate me";
    let secrets: Vec<_> = (1..=4).map(secret).collect();
    let pks: Vec<_> = secrets.iter().map(public_key).collect();
    let sigs: Vec<_> = secrets
        .iter()
        .map(|s| sign(s, msg, &net).unwrap())
        .collect();
    let agg_pk = aggregate_public_keys(&pks).unwrap();
    let agg_sig = aggregate_signatures(&sigs).unwrap();
    assert_eq!(verify(&agg_pk, msg, &agg_sig, &net), Ok(()));
    // Missing one signature: fails.
    let partial = aggregate_signatures(&sigs[..3]).unwrap();
    assert_eq!(
        verify(&agg_pk, msg, &partial, &net),
        Err(Error::InvalidSignature)
    );
    // One element is itself.
    assert_eq!(aggregate_public_keys(&pks[..1]).unwrap(), pks[0]);
    assert_eq!(aggregate_signatures(&sigs[..1]).unwrap(), sigs[0]);
    // Order does not matter.
    let mut rev = sigs.clone();
    rev.reverse();
    assert_eq!(aggregate_signatures(&rev).unwrap(), agg_sig);
    // Empty input and a malformed member are errors.
    assert_eq!(aggregate_public_keys(&[]), Err(Error::EmptyAggregate));
    assert_eq!(aggregate_signatures(&[]), Err(Error::EmptyAggregate));
    let mut bad = pks.clone();
    bad[2][63] ^= 1;
    assert_eq!(aggregate_public_keys(&bad), Err(Error::NotOnCurve));
    // pk + (−pk) is infinity, which verify refuses.
    let neg = {
        let p = decode_g1(&pks[0]).unwrap();
        snode_bls::encode_g1(&(-p))
    };
    let zero = aggregate_public_keys(&[pks[0], neg]).unwrap();
    assert_eq!(zero, [0u8; 64]);
    assert_eq!(
        verify(&zero, msg, &[0u8; 128], &net),
        Err(Error::PublicKeyAtInfinity)
    );
}

#[test]
fn g2_encoding_round_trips_in_contract_order() {
    let g = G2Affine::generator();
    let bytes = encode_g2(&g);
    // The EIP-197 generator's X.re starts 0x1800deef…, X.im 0x198e9393….
    assert_eq!(&bytes[..4], &[0x18, 0x00, 0xde, 0xef]);
    assert_eq!(&bytes[32..36], &[0x19, 0x8e, 0x93, 0x93]);
    assert_eq!(decode_g2(&bytes), Ok(g));
    assert_eq!(encode_g2(&G2Affine::identity()), [0u8; 128]);
}
