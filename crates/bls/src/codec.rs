//! Byte encodings of field elements and points (docs/compat/bls.md).
//!
//! * Fp: 32 bytes big-endian, must be below p.
//! * G1: X ‖ Y (64 bytes); infinity is 64 zero bytes.
//! * G2: X.re ‖ X.im ‖ Y.re ‖ Y.im (128 bytes), the contract's
//!   `sigs0..sigs3` order (not the EIP-197 imaginary-first order); infinity is
//!   128 zero bytes.
//!
//! Decoders check canonical coordinates, the curve equation and, for G2, the
//! order-r subgroup (G1 has cofactor 1). They never panic.

use ark_bn254::{Fq, Fq2, G1Affine, G2Affine};
use ark_ec::AffineRepr;
use ark_ff::{BigInt, BigInteger, PrimeField, Zero};

use crate::Error;

/// Length of an encoded G1 point (public key).
pub const G1_LEN: usize = 64;
/// Length of an encoded G2 point (signature, hashed message).
pub const G2_LEN: usize = 128;

/// An Fp element as 32 bytes big-endian.
pub fn fq_to_be(v: &Fq) -> [u8; 32] {
    let bytes = v.into_bigint().to_bytes_be();
    let mut out = [0u8; 32];
    out[32 - bytes.len()..].copy_from_slice(&bytes);
    out
}

/// Reads 32 big-endian bytes as an Fp element; values ≥ p are rejected, not reduced.
pub fn fq_from_be(bytes: &[u8; 32]) -> Result<Fq, Error> {
    let mut limbs = [0u64; 4];
    for (i, limb) in limbs.iter_mut().enumerate() {
        let start = 24 - 8 * i;
        let mut word = [0u8; 8];
        word.copy_from_slice(&bytes[start..start + 8]);
        *limb = u64::from_be_bytes(word);
    }
    Fq::from_bigint(BigInt::new(limbs)).ok_or(Error::CoordinateOutOfRange)
}

/// Encodes a G1 point as X ‖ Y, 32 bytes big-endian each; infinity is all zeros.
pub fn encode_g1(point: &G1Affine) -> [u8; G1_LEN] {
    let mut out = [0u8; G1_LEN];
    if let Some((x, y)) = point.xy() {
        out[..32].copy_from_slice(&fq_to_be(&x));
        out[32..].copy_from_slice(&fq_to_be(&y));
    }
    out
}

/// Decodes X ‖ Y. 64 zero bytes decode to the point at infinity (as bn256's
/// `unmarshal` does); callers that must refuse infinity check for it.
pub fn decode_g1(bytes: &[u8; G1_LEN]) -> Result<G1Affine, Error> {
    let x = fq_from_be(&word(bytes, 0))?;
    let y = fq_from_be(&word(bytes, 1))?;
    if x.is_zero() && y.is_zero() {
        return Ok(G1Affine::identity());
    }
    let point = G1Affine::new_unchecked(x, y);
    if !point.is_on_curve() {
        return Err(Error::NotOnCurve);
    }
    Ok(point)
}

/// Encodes a G2 point as X.re ‖ X.im ‖ Y.re ‖ Y.im; infinity is all zeros.
pub fn encode_g2(point: &G2Affine) -> [u8; G2_LEN] {
    let mut out = [0u8; G2_LEN];
    if let Some((x, y)) = point.xy() {
        out[..32].copy_from_slice(&fq_to_be(&x.c0));
        out[32..64].copy_from_slice(&fq_to_be(&x.c1));
        out[64..96].copy_from_slice(&fq_to_be(&y.c0));
        out[96..].copy_from_slice(&fq_to_be(&y.c1));
    }
    out
}

/// Decodes X.re ‖ X.im ‖ Y.re ‖ Y.im, checking canonical coordinates, the
/// twist equation and membership of the order-r subgroup. 128 zero bytes
/// decode to the point at infinity.
pub fn decode_g2(bytes: &[u8; G2_LEN]) -> Result<G2Affine, Error> {
    let x = Fq2::new(fq_from_be(&word(bytes, 0))?, fq_from_be(&word(bytes, 1))?);
    let y = Fq2::new(fq_from_be(&word(bytes, 2))?, fq_from_be(&word(bytes, 3))?);
    if x.is_zero() && y.is_zero() {
        return Ok(G2Affine::identity());
    }
    let point = G2Affine::new_unchecked(x, y);
    if !point.is_on_curve() {
        return Err(Error::NotOnCurve);
    }
    if !point.is_in_correct_subgroup_assuming_on_curve() {
        return Err(Error::NotInSubgroup);
    }
    Ok(point)
}

/// The `index`-th 32-byte word of `bytes` (which holds at least that many).
fn word(bytes: &[u8], index: usize) -> [u8; 32] {
    let mut w = [0u8; 32];
    w.copy_from_slice(&bytes[32 * index..32 * (index + 1)]);
    w
}
