//! BN254 (alt_bn128) BLS exactly as Session service nodes and the
//! ServiceNodeRewards contract use it: keys, hash to G2, signing,
//! verification, proof of possession and aggregation. It implements
//! docs/compat/bls.md (curve and encodings, the signing
//! algorithm, proof of possession); its known-answer vectors (§7) are the
//! crate's regression tests.
//!
//! Modules: [`tag`] (networks, tag hashes, addresses), [`hash`] (xmd, hash to
//! field, Fp2 square root, try-and-increment, cofactor clearing), [`codec`]
//! (byte encodings, checked decoders), [`sign`] (sign, verify, PoP,
//! aggregation).
//!
//! Secret keys are handled as their 32 big-endian bytes, the form they have in
//! `key_bls`; callers own those bytes (and zeroize them). Scalars derived from
//! them here are wiped before returning. Nothing here is constant-time:
//! arkworks' scalar multiplication is variable-time, which is acceptable for
//! one-shot PoP signing and offline key generation but not for a signing oracle.

pub mod codec;
mod error;
pub mod hash;
pub mod sign;
pub mod tag;

use ark_bn254::{Fr, G1Affine};
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::PrimeField;
use zeroize::Zeroize;

pub use codec::{decode_g1, decode_g2, encode_g1, encode_g2, fq_from_be, fq_to_be, G2_LEN};
pub use error::Error;
pub use sign::{
    aggregate_public_keys, aggregate_signatures, hash_message_to_g2, pop_message,
    proof_of_possession, sign, verify, verify_proof_of_possession, POP_MESSAGE_LEN, SIGNATURE_LEN,
};
pub use tag::{keccak256, parse_address, to_checksum_address, Network, Tag};

/// Length of an encoded G1 public key: X ‖ Y, each 32 bytes big-endian.
pub const PUBLIC_KEY_LEN: usize = 64;

/// Reads a 32-byte big-endian secret the way oxen's `load_u256` does and
/// reduces it mod r. The key file holds a 255-bit value that may exceed r;
/// every point it multiplies has order r, so the reduction does not change
/// any result (docs/compat/bls.md).
pub(crate) fn secret_scalar(secret: &[u8; 32]) -> Fr {
    Fr::from_be_bytes_mod_order(secret)
}

/// The BLS public key `[sk]·G1`, encoded as X ‖ Y big-endian (bn256
/// `g1::marshal`); the point at infinity encodes as 64 zero bytes.
pub fn public_key(secret: &[u8; 32]) -> [u8; PUBLIC_KEY_LEN] {
    let mut sk = secret_scalar(secret);
    let point = (G1Affine::generator() * sk).into_affine();
    sk.zeroize();
    encode_g1(&point)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex32(s: &str) -> [u8; 32] {
        hex::decode(s).unwrap().try_into().unwrap()
    }

    #[test]
    fn generator_for_one() {
        let mut sk = [0u8; 32];
        sk[31] = 1;
        let pk = public_key(&sk);
        let mut want = [0u8; 64];
        want[31] = 1;
        want[63] = 2;
        assert_eq!(pk, want);
    }

    #[test]
    fn spec_vector_1234567890abcdef() {
        let sk = hex32(&"1234567890abcdef".repeat(4));
        assert_eq!(
            hex::encode(public_key(&sk)),
            "19c1e4e5202ab724d766a7dd7534562e225d0e33c8ce19b697eb719d39954fdb\
             1c16dbebb5e86b0d5a9a8454af8c4faad6dea7d798144bbdd01631c592073b3b"
        );
    }
}
