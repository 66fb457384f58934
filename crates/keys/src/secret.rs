//! Secret key types. Each holds its bytes in a `Zeroizing` buffer, and none
//! implements `Debug`, `Display`, `Clone` or `Serialize`.

use curve25519_dalek::{EdwardsPoint, Scalar};
use ed25519_dalek::{Signer, SigningKey};
use sha2::digest::generic_array::GenericArray;
use sha2::{Digest, Sha512};
use zeroize::Zeroizing;

use crate::{format, zbase32, KeyError, KeyKind};

fn random_32() -> Result<Zeroizing<[u8; 32]>, KeyError> {
    let mut bytes = Zeroizing::new([0u8; 32]);
    getrandom::fill(bytes.as_mut()).map_err(|e| KeyError::Random(e.to_string()))?;
    Ok(bytes)
}

/// libsodium's `crypto_sign_ed25519_sk_to_curve25519`: SHA-512 of the seed,
/// first half, clamped. It is also the legacy primary secret (docs/compat/keys.md).
fn clamped_hash_of_seed(seed: &[u8; 32]) -> Zeroizing<[u8; 32]> {
    let mut digest = Zeroizing::new([0u8; 64]);
    let mut hasher = Sha512::new();
    hasher.update(seed);
    hasher.finalize_into(GenericArray::from_mut_slice(&mut digest[..]));
    let mut out = Zeroizing::new([0u8; 32]);
    out.copy_from_slice(&digest[..32]);
    out[0] &= 248;
    out[31] &= 63;
    out[31] |= 64;
    out
}

/// `crypto_scalarmult_ed25519_base_noclamp`: the top bit is cleared, nothing
/// else; the scalar is then used as an integer (reducing it mod ℓ gives the
/// same point because the base point has order ℓ).
fn scalarmult_base_noclamp(scalar: &[u8; 32]) -> [u8; 32] {
    let mut t = Zeroizing::new(*scalar);
    t[31] &= 127;
    let s = Scalar::from_bytes_mod_order(*t);
    EdwardsPoint::mul_base(&s).compress().to_bytes()
}

/// `bytes` as an array of exactly `N` bytes.
fn exact<'a, const N: usize>(
    bytes: &'a [u8],
    expected: &'static str,
) -> Result<&'a [u8; N], KeyError> {
    bytes
        .try_into()
        .map_err(|_| KeyError::InvalidInput { expected })
}

/// What every secret type can do: say what it is, show its public key and
/// render its canonical file contents.
pub trait SecretKey: Sized {
    const KIND: KeyKind;
    /// Builds the key from the decoded secret bytes of a file (their length
    /// is [`KeyKind::secret_len`]).
    fn from_file_bytes(bytes: &[u8]) -> Result<Self, KeyError>;
    /// The public key, hex encoded (64 or 128 characters, lowercase).
    fn public_hex(&self) -> String;
    /// The canonical file contents (docs/compat/keys.md, "Generation writes").
    fn file_contents(&self) -> Zeroizing<Vec<u8>>;
}

/// An Ed25519 service node key: the 32-byte seed and the 64-byte
/// `seed ‖ pubkey` form oxend stores in `key_ed25519`.
pub struct Ed25519Secret {
    keypair: Zeroizing<[u8; 64]>,
}

impl Ed25519Secret {
    /// Generates a new key from the system RNG and runs upstream's
    /// self-check (docs/compat/keys.md).
    pub fn generate() -> Result<Self, KeyError> {
        let seed = random_32()?;
        let key = Self::from_seed(&seed);
        key.self_check()?;
        Ok(key)
    }

    /// The key for a 32-byte seed.
    pub fn from_seed(seed: &[u8; 32]) -> Self {
        let signing = SigningKey::from_bytes(seed);
        let mut keypair = Zeroizing::new([0u8; 64]);
        keypair[..32].copy_from_slice(seed);
        keypair[32..].copy_from_slice(signing.verifying_key().as_bytes());
        Self { keypair }
    }

    /// The key for 64 bytes `seed ‖ pubkey`; the embedded pubkey must be the
    /// one the seed derives.
    pub fn from_keypair(bytes: &[u8; 64]) -> Result<Self, KeyError> {
        let mut seed = Zeroizing::new([0u8; 32]);
        seed.copy_from_slice(&bytes[..32]);
        let key = Self::from_seed(&seed);
        if key.public_key()[..] != bytes[32..] {
            return Err(KeyError::EmbeddedPubkeyMismatch {
                path: std::path::PathBuf::new(),
                derived: hex::encode(key.public_key()),
                embedded: hex::encode(&bytes[32..]),
            });
        }
        Ok(key)
    }

    /// Upstream's generation check: the clamped SHA-512 of the seed times
    /// the base point must be the public key.
    pub fn self_check(&self) -> Result<(), KeyError> {
        let clamped = clamped_hash_of_seed(self.seed());
        if scalarmult_base_noclamp(&clamped) != self.public_key() {
            return Err(KeyError::SelfCheck);
        }
        Ok(())
    }

    pub fn seed(&self) -> &[u8; 32] {
        self.keypair[..32]
            .try_into()
            .expect("32-byte half of a 64-byte array")
    }

    /// `seed ‖ pubkey`, the 64 bytes oxend stores.
    pub fn keypair_bytes(&self) -> &[u8; 64] {
        &self.keypair
    }

    /// The Ed25519 public key, which is also the service node pubkey.
    pub fn public_key(&self) -> [u8; 32] {
        self.keypair[32..]
            .try_into()
            .expect("32-byte half of a 64-byte array")
    }

    /// `crypto_sign_ed25519_pk_to_curve25519`: the Montgomery u-coordinate of
    /// the public key.
    pub fn x25519_public(&self) -> Result<[u8; 32], KeyError> {
        let vk = ed25519_dalek::VerifyingKey::from_bytes(&self.public_key())
            .map_err(|_| KeyError::X25519Conversion)?;
        Ok(vk.to_montgomery().to_bytes())
    }

    /// `crypto_sign_ed25519_sk_to_curve25519`, the X25519 secret oxend uses.
    pub fn x25519_secret(&self) -> Zeroizing<[u8; 32]> {
        clamped_hash_of_seed(self.seed())
    }

    /// The Lokinet address: z-base-32 of the Ed25519 pubkey + `.snode`.
    pub fn lokinet_address(&self) -> String {
        format!("{}.snode", zbase32::encode(&self.public_key()))
    }

    /// A standard Ed25519 signature (RFC 8032) over `message`.
    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        SigningKey::from_bytes(self.seed()).sign(message).to_bytes()
    }
}

impl SecretKey for Ed25519Secret {
    const KIND: KeyKind = KeyKind::Ed25519;

    fn from_file_bytes(bytes: &[u8]) -> Result<Self, KeyError> {
        Self::from_keypair(exact(bytes, "64 bytes (seed and pubkey)")?)
    }

    fn public_hex(&self) -> String {
        hex::encode(self.public_key())
    }

    fn file_contents(&self) -> Zeroizing<Vec<u8>> {
        format::hex_file(&self.keypair[..])
    }
}

/// A BN254 BLS secret: the 32 big-endian bytes of a 255-bit scalar, kept as
/// they are (never reduced, so the file is written back byte for byte).
pub struct BlsSecret {
    bytes: Zeroizing<[u8; 32]>,
}

impl BlsSecret {
    /// 32 random bytes with the top bit cleared, as oxend generates them.
    pub fn generate() -> Result<Self, KeyError> {
        let mut bytes = random_32()?;
        bytes[0] &= 0x7f;
        Ok(Self { bytes })
    }

    pub fn from_bytes(bytes: &[u8; 32]) -> Self {
        Self {
            bytes: Zeroizing::new(*bytes),
        }
    }

    /// The secret's 32 big-endian bytes, for signing.
    pub fn expose_bytes(&self) -> &[u8; 32] {
        &self.bytes
    }

    /// The BN254 G1 public key, X ‖ Y big-endian.
    pub fn public_key(&self) -> [u8; 64] {
        snode_bls::public_key(&self.bytes)
    }
}

impl SecretKey for BlsSecret {
    const KIND: KeyKind = KeyKind::Bls;

    fn from_file_bytes(bytes: &[u8]) -> Result<Self, KeyError> {
        Ok(Self::from_bytes(exact(bytes, "32 bytes")?))
    }

    fn public_hex(&self) -> String {
        hex::encode(self.public_key())
    }

    fn file_contents(&self) -> Zeroizing<Vec<u8>> {
        format::hex_file(&self.bytes[..])
    }
}

/// A legacy (pre-Oxen 8) primary key: a raw 32-byte scalar.
pub struct LegacySecret {
    scalar: Zeroizing<[u8; 32]>,
}

impl LegacySecret {
    /// A fresh Ed25519 seed's clamped SHA-512, reduced mod ℓ: oxend refuses a
    /// `key` whose scalar is not reduced ("failed to generate pubkey from
    /// secret key", docs/compat/keys.md). The reduction keeps the public key,
    /// which equals that seed's Ed25519 pubkey (the base point has order ℓ).
    pub fn generate() -> Result<Self, KeyError> {
        let ed = Ed25519Secret::generate()?;
        let clamped = clamped_hash_of_seed(ed.seed());
        let mut reduced = Scalar::from_bytes_mod_order(*clamped);
        let key = Self::from_bytes(reduced.as_bytes());
        zeroize::Zeroize::zeroize(&mut reduced);
        Ok(key)
    }

    /// The legacy scalar oxend derives from an Ed25519 key.
    pub fn from_ed25519(ed: &Ed25519Secret) -> Self {
        Self {
            scalar: clamped_hash_of_seed(ed.seed()),
        }
    }

    pub fn from_bytes(bytes: &[u8; 32]) -> Self {
        Self {
            scalar: Zeroizing::new(*bytes),
        }
    }

    pub fn expose_bytes(&self) -> &[u8; 32] {
        &self.scalar
    }

    /// `crypto_scalarmult_ed25519_base_noclamp(scalar)`.
    pub fn public_key(&self) -> [u8; 32] {
        scalarmult_base_noclamp(&self.scalar)
    }
}

impl SecretKey for LegacySecret {
    const KIND: KeyKind = KeyKind::Legacy;

    fn from_file_bytes(bytes: &[u8]) -> Result<Self, KeyError> {
        Ok(Self::from_bytes(exact(bytes, "32 bytes")?))
    }

    fn public_hex(&self) -> String {
        hex::encode(self.public_key())
    }

    fn file_contents(&self) -> Zeroizing<Vec<u8>> {
        Zeroizing::new(self.scalar.to_vec())
    }
}
