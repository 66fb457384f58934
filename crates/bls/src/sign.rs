//! Sign, verify, proof of possession and aggregation (docs/compat/bls.md,
//! §2.7, §3).
//!
//! A signature on `message` for a [`Network`] is `[sk]·H(message)`, with H the
//! contract's hash to G2 under the network's HASH_TO_G2 tag. Verification is
//! the pairing check e(pk, H) = e(G1, σ). The PoP signs the 148-byte message
//! POP_tag ‖ pk.X ‖ pk.Y ‖ operator address ‖ Ed25519 pubkey.

use ark_bn254::{Bn254, G1Affine, G1Projective, G2Affine, G2Projective};
use ark_ec::{pairing::Pairing, AffineRepr, CurveGroup};
use ark_ff::Zero;
use zeroize::Zeroize;

use crate::codec::{decode_g1, decode_g2, encode_g1, encode_g2};
use crate::{hash, public_key, secret_scalar, Error, Network, Tag, PUBLIC_KEY_LEN};

/// Length of an encoded signature: X.re ‖ X.im ‖ Y.re ‖ Y.im.
pub const SIGNATURE_LEN: usize = 128;

/// Length of the proof-of-possession message.
pub const POP_MESSAGE_LEN: usize = 32 + PUBLIC_KEY_LEN + 20 + 32;

fn message_point(message: &[u8], network: &Network) -> Result<G2Affine, Error> {
    hash::hash_to_g2(message, &network.tag(Tag::HashToG2))
}

/// H(message) for `network`, encoded as a G2 point (X.re ‖ X.im ‖ Y.re ‖ Y.im).
pub fn hash_message_to_g2(message: &[u8], network: &Network) -> Result<[u8; 128], Error> {
    Ok(encode_g2(&message_point(message, network)?))
}

/// Signs `message` (hashed whole, no pre-hash) with the 32-byte big-endian
/// secret for `network`. Fails with [`Error::ZeroSecretKey`] for a secret
/// that is 0 mod r, whose signatures would be the point at infinity.
pub fn sign(
    secret: &[u8; 32],
    message: &[u8],
    network: &Network,
) -> Result<[u8; SIGNATURE_LEN], Error> {
    let mut sk = secret_scalar(secret);
    if sk.is_zero() {
        return Err(Error::ZeroSecretKey);
    }
    let point = match message_point(message, network) {
        Ok(h) => (h * sk).into_affine(),
        Err(e) => {
            sk.zeroize();
            return Err(e);
        }
    };
    sk.zeroize();
    Ok(encode_g2(&point))
}

/// Verifies `signature` on `message` under `public_key` for `network`.
///
/// Errors: decoding errors for malformed points (coordinates ≥ p, off the
/// curve, G2 outside the subgroup), [`Error::PublicKeyAtInfinity`], and
/// [`Error::InvalidSignature`] when the pairing check fails.
pub fn verify(
    public_key: &[u8; PUBLIC_KEY_LEN],
    message: &[u8],
    signature: &[u8; SIGNATURE_LEN],
    network: &Network,
) -> Result<(), Error> {
    let pk = decode_g1(public_key)?;
    if pk.is_zero() {
        return Err(Error::PublicKeyAtInfinity);
    }
    let sig = decode_g2(signature)?;
    let h = message_point(message, network)?;
    let minus_g1 = -G1Affine::generator();
    if Bn254::multi_pairing([pk, minus_g1], [h, sig]).is_zero() {
        Ok(())
    } else {
        Err(Error::InvalidSignature)
    }
}

/// The 148-byte PoP message: POP_tag(network) ‖ pk.X ‖ pk.Y ‖ operator ‖
/// Ed25519 pubkey (the contract's `abi.encodePacked(proofOfPossessionTag, X,
/// Y, operator, serviceNodePubkey)`).
pub fn pop_message(
    public_key: &[u8; PUBLIC_KEY_LEN],
    operator: &[u8; 20],
    ed25519_pubkey: &[u8; 32],
    network: &Network,
) -> [u8; POP_MESSAGE_LEN] {
    let mut out = [0u8; POP_MESSAGE_LEN];
    out[..32].copy_from_slice(&network.tag(Tag::ProofOfPossession));
    out[32..96].copy_from_slice(public_key);
    out[96..116].copy_from_slice(operator);
    out[116..].copy_from_slice(ed25519_pubkey);
    out
}

/// The BLS proof of possession for registering a node with `network`'s
/// rewards contract: a signature by `secret` over [`pop_message`] of its own
/// public key, the operator's wallet address and the node's Ed25519 pubkey.
pub fn proof_of_possession(
    secret: &[u8; 32],
    operator: &[u8; 20],
    ed25519_pubkey: &[u8; 32],
    network: &Network,
) -> Result<[u8; SIGNATURE_LEN], Error> {
    let pk = public_key(secret);
    sign(
        secret,
        &pop_message(&pk, operator, ed25519_pubkey, network),
        network,
    )
}

/// Checks a proof of possession the way the contract's
/// `validateProofOfPossession` does.
pub fn verify_proof_of_possession(
    public_key: &[u8; PUBLIC_KEY_LEN],
    operator: &[u8; 20],
    ed25519_pubkey: &[u8; 32],
    signature: &[u8; SIGNATURE_LEN],
    network: &Network,
) -> Result<(), Error> {
    let message = pop_message(public_key, operator, ed25519_pubkey, network);
    verify(public_key, &message, signature, network)
}

/// The sum of G1 public keys (each decoded and checked). Only sound for keys
/// whose proofs of possession were checked (rogue-key attacks otherwise).
pub fn aggregate_public_keys(keys: &[[u8; PUBLIC_KEY_LEN]]) -> Result<[u8; PUBLIC_KEY_LEN], Error> {
    if keys.is_empty() {
        return Err(Error::EmptyAggregate);
    }
    let mut sum = G1Projective::zero();
    for key in keys {
        sum += decode_g1(key)?;
    }
    Ok(encode_g1(&sum.into_affine()))
}

/// The sum of G2 signatures (each decoded and subgroup-checked). The sum of
/// signatures on one message verifies under [`aggregate_public_keys`].
pub fn aggregate_signatures(
    signatures: &[[u8; SIGNATURE_LEN]],
) -> Result<[u8; SIGNATURE_LEN], Error> {
    if signatures.is_empty() {
        return Err(Error::EmptyAggregate);
    }
    let mut sum = G2Projective::zero();
    for sig in signatures {
        sum += decode_g2(sig)?;
    }
    Ok(encode_g2(&sum.into_affine()))
}
