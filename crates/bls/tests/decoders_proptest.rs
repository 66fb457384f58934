//! Property tests: real points k·G of G1 and G2 survive encode → decode
//! unchanged; no decoder or verifier panics on any 32/64/128-byte input, and
//! whatever a decoder accepts re-encodes to the same bytes.

use ark_bn254::{Fq, Fq2, Fr, G1Affine, G1Projective, G2Affine, G2Projective};
use ark_ec::short_weierstrass::SWCurveConfig;
use ark_ec::{AffineRepr, CurveGroup, PrimeGroup};
use ark_ff::{Field, PrimeField, Zero};
use proptest::prelude::*;
use snode_bls::{decode_g1, decode_g2, encode_g1, encode_g2, fq_from_be, fq_to_be, Error, Network};

/// Bytes whose top byte is small, so most 32-byte words are below p and the
/// decoders get past the range check to the curve and subgroup checks.
fn mostly_canonical<const N: usize>() -> impl Strategy<Value = [u8; N]> {
    any::<[u8; N]>().prop_map(|mut b| {
        for word in b.chunks_mut(32) {
            word[0] %= 0x30;
        }
        b
    })
}

/// A scalar k from 32 random bytes (reduced mod r), never zero.
fn scalar(bytes: &[u8; 32]) -> Fr {
    let k = Fr::from_be_bytes_mod_order(bytes);
    if k.is_zero() {
        Fr::from(1u64)
    } else {
        k
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// k·G1: a point of the group, which the decoder must accept and give
    /// back exactly, and whose encoding is two canonical coordinates.
    #[test]
    fn g1_round_trip_of_real_points(k in any::<[u8; 32]>()) {
        let p: G1Affine = (G1Projective::generator() * scalar(&k)).into_affine();
        prop_assert!(p.is_on_curve() && !p.is_zero());
        let bytes = encode_g1(&p);
        prop_assert_eq!(decode_g1(&bytes), Ok(p));
        prop_assert_eq!(encode_g1(&decode_g1(&bytes).unwrap()), bytes);
    }

    /// k·G2: the same for the twist's order-r subgroup.
    #[test]
    fn g2_round_trip_of_real_points(k in any::<[u8; 32]>()) {
        let p: G2Affine = (G2Projective::generator() * scalar(&k)).into_affine();
        prop_assert!(p.is_on_curve() && p.is_in_correct_subgroup_assuming_on_curve());
        let bytes = encode_g2(&p);
        prop_assert_eq!(decode_g2(&bytes), Ok(p));
        prop_assert_eq!(encode_g2(&decode_g2(&bytes).unwrap()), bytes);
    }

    /// A real G1 point with one coordinate bit flipped is (almost always)
    /// off the curve, and then the decoder refuses it.
    #[test]
    fn g1_decoder_refuses_damaged_real_points(k in any::<[u8; 32]>(), bit in 0usize..512) {
        let p: G1Affine = (G1Projective::generator() * scalar(&k)).into_affine();
        let mut bytes = encode_g1(&p);
        bytes[bit / 8] ^= 1 << (bit % 8);
        if let Ok(q) = decode_g1(&bytes) {
            prop_assert!(q.is_on_curve());
            prop_assert_eq!(encode_g1(&q), bytes);
        }
    }

    #[test]
    fn fq_decoder_total(bytes in any::<[u8; 32]>()) {
        if let Ok(v) = fq_from_be(&bytes) {
            prop_assert_eq!(fq_to_be(&v), bytes);
        }
    }

    #[test]
    fn g1_decoder_total(bytes in prop_oneof![any::<[u8; 64]>(), mostly_canonical::<64>()]) {
        if let Ok(p) = decode_g1(&bytes) {
            prop_assert_eq!(encode_g1(&p), bytes);
        }
    }

    #[test]
    fn g2_decoder_total(bytes in prop_oneof![any::<[u8; 128]>(), mostly_canonical::<128>()]) {
        if let Ok(p) = decode_g2(&bytes) {
            prop_assert_eq!(encode_g2(&p), bytes);
        }
    }

    /// Points on the twist built from a random x: nearly all lie outside the
    /// order-r subgroup, and the decoder must say so.
    #[test]
    fn g2_decoder_rejects_twist_points_outside_subgroup(x in mostly_canonical::<64>()) {
        let (Ok(re), Ok(im)) = (fq_from_be(&x[..32].try_into().unwrap()), fq_from_be(&x[32..].try_into().unwrap())) else {
            return Ok(());
        };
        let x = Fq2::new(re, im);
        let rhs = x.square() * x + ark_bn254::g2::Config::COEFF_B;
        if let Some(y) = rhs.sqrt() {
            let p = G2Affine::new_unchecked(x, y);
            prop_assert!(p.is_on_curve());
            let got = decode_g2(&encode_g2(&p));
            if p.is_in_correct_subgroup_assuming_on_curve() {
                prop_assert_eq!(got, Ok(p));
            } else {
                prop_assert_eq!(got, Err(Error::NotInSubgroup));
            }
        }
    }

    /// The contract's square root (ours) equals arkworks' `Fq2::sqrt` on
    /// every input with a non-zero imaginary part (the notes in
    /// docs/compat/bls.md say so; this keeps checking it).
    #[test]
    fn contract_sqrt_matches_arkworks(w in mostly_canonical::<64>()) {
        let (Ok(re), Ok(im)) = (fq_from_be(&w[..32].try_into().unwrap()), fq_from_be(&w[32..].try_into().unwrap())) else {
            return Ok(());
        };
        let w = Fq2::new(re, im);
        prop_assume!(!im.is_zero());
        prop_assert_eq!(snode_bls::hash::fq2_sqrt(&w), w.sqrt());
        // And on a certain square.
        let sq = w.square();
        prop_assume!(!sq.c1.is_zero());
        prop_assert_eq!(snode_bls::hash::fq2_sqrt(&sq), sq.sqrt());
    }

    #[test]
    fn verify_total(pk in any::<[u8; 64]>(), sig in mostly_canonical::<128>(), msg in any::<Vec<u8>>()) {
        prop_assert!(snode_bls::verify(&pk, &msg, &sig, &Network::STAGENET).is_err());
    }

    #[test]
    fn aggregate_total(a in mostly_canonical::<128>(), b in any::<[u8; 64]>()) {
        let _ = snode_bls::aggregate_signatures(&[a, a]);
        let _ = snode_bls::aggregate_public_keys(&[b]);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Any 32 bytes work as a secret: a key, a signature that verifies, or
    /// ZeroSecretKey for multiples of r.
    #[test]
    fn any_secret_signs_and_verifies(sk in any::<[u8; 32]>(), msg in any::<Vec<u8>>()) {
        let pk = snode_bls::public_key(&sk);
        match snode_bls::sign(&sk, &msg, &Network::STAGENET3) {
            Ok(sig) => prop_assert_eq!(snode_bls::verify(&pk, &msg, &sig, &Network::STAGENET3), Ok(())),
            Err(e) => prop_assert_eq!(e, Error::ZeroSecretKey),
        }
    }
}

#[test]
fn fq_decoder_boundaries() {
    let mut p_minus_1 = [0u8; 32];
    p_minus_1.copy_from_slice(
        &hex::decode("30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd46").unwrap(),
    );
    assert_eq!(fq_from_be(&p_minus_1), Ok(-Fq::from(1u64)));
    let mut p = p_minus_1;
    p[31] += 1;
    assert_eq!(fq_from_be(&p), Err(Error::CoordinateOutOfRange));
}
