//! Hash to G2 exactly as the contract's `BN256G2.hashToG2` and oxen-core's
//! `bls_crypto.cpp` do it (docs/compat/bls.md):
//!
//! 1. [`expand_message_xmd`] with Keccak-256 (136-byte Z_pad, 128 output bytes);
//! 2. [`hash_to_field`]: u0 = E[0..48] mod p is the real part, u1 = E[48..96]
//!    mod p the imaginary part, the sign bit is E[127] & 1;
//! 3. [`map_to_twist`]: try-and-increment with a counter byte appended to the
//!    message, the contract's Fp2 square root ([`fq2_sqrt`]) and sign rule;
//! 4. [`clear_cofactor`]: u·P + ψ(3u·P) + ψ²(u·P) + ψ³(P), which is NOT
//!    `[h]P` (arkworks' `clear_cofactor`) and gives a different point.

use ark_bn254::{g2::Config as G2Config, Fq, Fq2, G2Affine, G2Projective};
use ark_ec::{short_weierstrass::SWCurveConfig, AffineRepr, CurveGroup};
use ark_ff::{AdditiveGroup, BigInt, Field, PrimeField, Zero};
use sha3::{Digest, Keccak256};

use crate::tag::hex_value;
use crate::Error;

/// Bytes produced by [`expand_message_xmd`].
pub const EXPANDED_LEN: usize = 128;

/// Keccak-256 rate in bytes: the length of Z_pad.
const KECCAK_RATE: usize = 136;

/// The BN parameter u = 4965661367192848881.
pub const BN_U: u64 = 0x44e9_92b4_4a69_09f1;

/// (p + 1) / 4: v^E is a square root of v in Fp when one exists (p ≡ 3 mod 4).
const SQRT_EXP: [u64; 4] =
    be_hex_limbs("0c19139cb84c680a6e14116da060561765e05aa45a1c72a34f082305b61f3f52");

/// γx = ξ^((p−1)/3), ξ = 9 + i: ψ's x multiplier (the contract's FROBENIUS_COEFF_X).
pub const PSI_X: Fq2 = Fq2::new(
    Fq::new(BigInt::new(be_hex_limbs(
        "2fb347984f7911f74c0bec3cf559b143b78cc310c2c3330c99e39557176f553d",
    ))),
    Fq::new(BigInt::new(be_hex_limbs(
        "16c9e55061ebae204ba4cc8bd75a079432ae2a1d0b7c9dce1665d51c640fcba2",
    ))),
);

/// γy = ξ^((p−1)/2): ψ's y multiplier (the contract's FROBENIUS_COEFF_Y).
pub const PSI_Y: Fq2 = Fq2::new(
    Fq::new(BigInt::new(be_hex_limbs(
        "063cf305489af5dcdc5ec698b6e2f9b9dbaae0eda9c95998dc54014671a0135a",
    ))),
    Fq::new(BigInt::new(be_hex_limbs(
        "07c03cbcac41049a0704b5a7ec796f2b21807dc98fa25bd282d37f632623b0e3",
    ))),
);

/// RFC 9380 §5.3.1 expand_message_xmd with H = Keccak-256, a 32-byte DST and
/// 128 output bytes (ell = 4), as the contract's assembly computes it.
pub fn expand_message_xmd(message: &[u8], dst: &[u8; 32]) -> [u8; EXPANDED_LEN] {
    let dst_prime = |h: &mut Keccak256| {
        h.update(dst);
        h.update([32u8]);
    };
    let mut h = Keccak256::new();
    h.update([0u8; KECCAK_RATE]);
    h.update(message);
    h.update([0x00, 0x80, 0x00]); // I2OSP(128, 2) ‖ I2OSP(0, 1)
    dst_prime(&mut h);
    let b0: [u8; 32] = h.finalize().into();

    let mut out = [0u8; EXPANDED_LEN];
    let mut prev = [0u8; 32];
    for (i, block) in out.chunks_exact_mut(32).enumerate() {
        let mut chained = b0;
        if i > 0 {
            for (c, p) in chained.iter_mut().zip(prev.iter()) {
                *c ^= p;
            }
        }
        let mut h = Keccak256::new();
        h.update(chained);
        h.update([i as u8 + 1]);
        dst_prime(&mut h);
        prev = h.finalize().into();
        block.copy_from_slice(&prev);
    }
    out
}

/// The contract's `hashToField`: x = u0 + u1·i and the sign bit.
pub fn hash_to_field(message: &[u8], dst: &[u8; 32]) -> (Fq2, bool) {
    let e = expand_message_xmd(message, dst);
    let u0 = Fq::from_be_bytes_mod_order(&e[..48]);
    let u1 = Fq::from_be_bytes_mod_order(&e[48..96]);
    (Fq2::new(u0, u1), e[127] & 1 == 1)
}

/// The square root in Fp: v^((p+1)/4), if it squares back to v.
fn fp_sqrt(v: Fq) -> Option<Fq> {
    let r = v.pow(SQRT_EXP);
    (r.square() == v).then_some(r)
}

/// The contract's (and herumi/mcl's) deterministic square root in Fp2.
///
/// For w = c + d·i with d ≠ 0: s = √(c² + d²); a = √((c + s)/2), or
/// √((c − s)/2) if the former is not a square; b = d / (2a); root a + b·i.
/// Returns `None` when w is not a square, and also when either component of
/// the root would be zero (d = 0), because the contract rejects such roots
/// and moves to the next counter.
pub fn fq2_sqrt(w: &Fq2) -> Option<Fq2> {
    let (c, d) = (w.c0, w.c1);
    if d.is_zero() {
        return None;
    }
    let s = fp_sqrt(c.square() + d.square())?;
    let half = Fq::from(2u64).inverse()?;
    let a = fp_sqrt((c + s) * half).or_else(|| fp_sqrt((c - s) * half))?;
    let b = d * a.double().inverse()?;
    let root = Fq2::new(a, b);
    (root.square() == *w && !a.is_zero() && !b.is_zero()).then_some(root)
}

/// ψ, the untwist–Frobenius–twist endomorphism: (conj(x)·γx, conj(y)·γy).
pub fn psi(point: &G2Affine) -> G2Affine {
    match point.xy() {
        None => G2Affine::identity(),
        Some((x, y)) => {
            let conj = |v: Fq2| Fq2::new(v.c0, -v.c1);
            G2Affine::new_unchecked(conj(x) * PSI_X, conj(y) * PSI_Y)
        }
    }
}

/// Cofactor clearing by Fuentes-Castañeda–Knapp–Rodríguez-Henríquez:
/// u·P + ψ(3u·P) + ψ²(u·P) + ψ³(P). Plain double-and-add (no GLV), because P
/// is not yet in the order-r subgroup.
pub fn clear_cofactor(point: &G2Affine) -> G2Affine {
    let u_p: G2Projective = point.mul_bigint([BN_U]);
    let u_p_affine = u_p.into_affine();
    let three_u_p = (u_p + u_p + u_p).into_affine();
    let sum = u_p + psi(&three_u_p) + psi(&psi(&u_p_affine)) + psi(&psi(&psi(point)));
    sum.into_affine()
}

/// The try-and-increment map: for counter = 0, 1, … 255, hash message ‖
/// counter to x, take the contract's square root of x³ + b′ and negate it
/// when the sign bit is 1. Returns the first counter that gives a point and
/// that point (on the twist, not yet in the subgroup).
pub fn map_to_twist(message: &[u8], dst: &[u8; 32]) -> Result<(u8, G2Affine), Error> {
    let mut input = Vec::with_capacity(message.len() + 1);
    input.extend_from_slice(message);
    input.push(0);
    let last = message.len();
    for counter in 0..=u8::MAX {
        input[last] = counter;
        let (x, negate) = hash_to_field(&input, dst);
        let rhs = x.square() * x + G2Config::COEFF_B;
        if let Some(root) = fq2_sqrt(&rhs) {
            let y = if negate { -root } else { root };
            let point = G2Affine::new_unchecked(x, y);
            if point.is_on_curve() {
                return Ok((counter, point));
            }
        }
    }
    Err(Error::HashToCurveFailed)
}

/// The full hash of `message` into the order-r subgroup of G2 with `dst`
/// (the network's HASH_TO_G2 tag).
pub fn hash_to_g2(message: &[u8], dst: &[u8; 32]) -> Result<G2Affine, Error> {
    let (_, point) = map_to_twist(message, dst)?;
    Ok(clear_cofactor(&point))
}

/// Little-endian u64 limbs of a 64-digit big-endian hex literal (compile time).
const fn be_hex_limbs(digits: &str) -> [u64; 4] {
    let d = digits.as_bytes();
    assert!(d.len() == 64, "field literal must have 64 hex digits");
    let mut limbs = [0u64; 4];
    let mut i = 0;
    while i < 64 {
        let Some(v) = hex_value(d[i]) else {
            panic!("field literal is not hex");
        };
        let limb = 3 - i / 16;
        limbs[limb] = (limbs[limb] << 4) | v as u64;
        i += 1;
    }
    limbs
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ff::BigInteger;

    #[test]
    fn constants_match_their_definitions() {
        // (p + 1) / 4
        let mut e = Fq::MODULUS;
        e.add_with_carry(&BigInt::from(1u64));
        e.div2();
        e.div2();
        assert_eq!(e.0, SQRT_EXP);
        // γx = ξ^((p−1)/3), γy = ξ^((p−1)/2) with ξ = 9 + i
        let xi = Fq2::new(Fq::from(9u64), Fq::from(1u64));
        let mut pm1 = Fq::MODULUS;
        pm1.sub_with_borrow(&BigInt::from(1u64));
        let mut half = pm1;
        half.div2();
        assert_eq!(xi.pow(half), PSI_Y);
        let third = {
            // (p − 1) / 3 by schoolbook division on limbs, high to low
            let mut out = [0u64; 4];
            let mut rem: u128 = 0;
            for i in (0..4).rev() {
                let cur = (rem << 64) | u128::from(pm1.0[i]);
                out[i] = (cur / 3) as u64;
                rem = cur % 3;
            }
            assert_eq!(rem, 0);
            out
        };
        assert_eq!(xi.pow(third), PSI_X);
        // b′ = 3 / ξ, docs/compat/bls.md
        assert_eq!(G2Config::COEFF_B, Fq2::from(3u64) * xi.inverse().unwrap());
    }

    #[test]
    fn sqrt_rejects_non_squares_and_zero_imaginary() {
        // A real w has its root with a zero component: the contract rejects it.
        assert_eq!(fq2_sqrt(&Fq2::new(Fq::from(4u64), Fq::zero())), None);
        assert_eq!(fq2_sqrt(&Fq2::zero()), None);
        // A square with d ≠ 0 gives one of its two roots.
        let r = Fq2::new(Fq::from(5u64), Fq::from(7u64));
        let got = fq2_sqrt(&r.square()).unwrap();
        assert!(got == r || got == -r);
        // ξ = 9 + i is a non-square in Fp2 (it defines the sextic twist).
        assert_eq!(fq2_sqrt(&Fq2::new(Fq::from(9u64), Fq::from(1u64))), None);
    }

    #[test]
    fn cofactor_clearing_lands_in_subgroup_and_differs_from_plain_cofactor() {
        let (_, p) = map_to_twist(b"cofactor", &[7u8; 32]).unwrap();
        assert!(p.is_on_curve());
        assert!(!p.is_in_correct_subgroup_assuming_on_curve());
        let h = clear_cofactor(&p);
        assert!(h.is_in_correct_subgroup_assuming_on_curve());
        assert!(!h.is_zero());
        assert_ne!(h, p.clear_cofactor());
    }

    #[test]
    fn psi_preserves_the_twist() {
        let g = G2Affine::generator();
        let q = psi(&g);
        assert!(q.is_on_curve());
        assert_ne!(q, g);
        assert!(psi(&G2Affine::identity()).is_zero());
    }
}
