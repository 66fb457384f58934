//! Key file formats (docs/compat/keys.md).
//!
//! Reading accepts everything oxend's loader accepts: a file of exactly the
//! secret's size is raw bytes; otherwise an optional leading `0x` and one
//! optional trailing newline are stripped and the rest must be hex of twice
//! the secret's size, in either case. Writing produces the canonical form:
//! `0x` + lowercase hex + `\n` for Ed25519 and BLS, 32 raw bytes for legacy.

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

use crate::{BlsSecret, Ed25519Secret, KeyError, LegacySecret, SecretKey};

/// Key files are tiny; anything larger than this is not a key and is not
/// read into memory.
const MAX_KEY_FILE: u64 = 4096;

/// The three kinds of service node key file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// `key_ed25519`: 64 bytes `seed ‖ pubkey`.
    Ed25519,
    /// `key_bls`: a 32-byte big-endian BN254 scalar.
    Bls,
    /// `key` (legacy, pre-Oxen 8): a raw 32-byte scalar.
    Legacy,
}

impl KeyKind {
    /// Length of the decoded secret.
    pub fn secret_len(self) -> usize {
        match self {
            KeyKind::Ed25519 => 64,
            KeyKind::Bls | KeyKind::Legacy => 32,
        }
    }

    /// The file name oxend uses in its data directory.
    pub fn file_name(self) -> &'static str {
        match self {
            KeyKind::Ed25519 => "key_ed25519",
            KeyKind::Bls => "key_bls",
            KeyKind::Legacy => "key",
        }
    }

    fn expected(self) -> &'static str {
        match self {
            KeyKind::Ed25519 => "64 raw bytes or 0x + 128 hex digits (131 bytes with newline)",
            KeyKind::Bls => "32 raw bytes or 0x + 64 hex digits (67 bytes with newline)",
            KeyKind::Legacy => "32 raw bytes or 64 hex digits",
        }
    }

    /// Guesses the kind from a file's size (docs/compat/keys.md, autodetection,
    /// extended to every hex form oxend loads). A 64-byte file is a raw
    /// Ed25519 key unless it is entirely hex digits (BLS hex without `0x`).
    pub fn detect(contents: &[u8]) -> Option<KeyKind> {
        match contents.len() {
            32 => Some(KeyKind::Legacy),
            64 if contents.iter().all(u8::is_ascii_hexdigit) => Some(KeyKind::Bls),
            64 | 128..=131 => Some(KeyKind::Ed25519),
            65..=67 => Some(KeyKind::Bls),
            _ => None,
        }
    }
}

impl fmt::Display for KeyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            KeyKind::Ed25519 => "Ed25519",
            KeyKind::Bls => "BLS",
            KeyKind::Legacy => "legacy",
        })
    }
}

/// `0x` + lowercase hex + `\n`.
pub fn hex_file(secret: &[u8]) -> Zeroizing<Vec<u8>> {
    let mut out = Zeroizing::new(Vec::with_capacity(secret.len() * 2 + 3));
    out.extend_from_slice(b"0x");
    let digits = Zeroizing::new(hex::encode(secret));
    out.extend_from_slice(digits.as_bytes());
    out.push(b'\n');
    out
}

/// Decodes the contents of a key file of the given kind into the secret's
/// bytes. `path` only names the file in errors.
pub fn decode(kind: KeyKind, contents: &[u8], path: &Path) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    let n = kind.secret_len();
    if contents.len() == n {
        return Ok(Zeroizing::new(contents.to_vec()));
    }
    let invalid = || KeyError::InvalidFile {
        path: path.to_path_buf(),
        kind,
        size: contents.len(),
        expected: kind.expected(),
    };
    if has_crlf_ending(contents) {
        return Err(KeyError::CrLf {
            path: path.to_path_buf(),
            size: contents.len(),
        });
    }
    let mut text = contents;
    if let Some(rest) = text.strip_prefix(b"0x") {
        text = rest;
    }
    if let Some(rest) = text.strip_suffix(b"\n") {
        text = rest;
    }
    if text.len() != 2 * n {
        return Err(invalid());
    }
    let mut out = Zeroizing::new(vec![0u8; n]);
    hex::decode_to_slice(text, &mut out[..]).map_err(|_| KeyError::NonHex {
        path: path.to_path_buf(),
    })?;
    Ok(out)
}

/// Whether `contents`, not a raw key (32 or 64 bytes), is text ending in CR
/// LF: a hex key file saved with Windows line endings.
fn has_crlf_ending(contents: &[u8]) -> bool {
    !matches!(contents.len(), 32 | 64) && contents.ends_with(b"\r\n")
}

/// Reads a key file (at most 4 KiB) into a zeroizing buffer.
pub fn read_file(path: &Path) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    let read_err = |source| KeyError::Read {
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::File::open(path).map_err(read_err)?;
    let mut buf = Zeroizing::new(Vec::with_capacity(256));
    file.take(MAX_KEY_FILE + 1)
        .read_to_end(&mut buf)
        .map_err(read_err)?;
    Ok(buf)
}

/// Loads a key of type `K` from `path`, in any format oxend accepts.
pub fn load<K: SecretKey>(path: &Path) -> Result<K, KeyError> {
    let contents = read_file(path)?;
    let secret = decode(K::KIND, &contents, path)?;
    K::from_file_bytes(&secret).map_err(|e| e.in_file(path))
}

/// A loaded key of any kind.
pub enum AnyKey {
    Ed25519(Ed25519Secret),
    Bls(BlsSecret),
    Legacy(LegacySecret),
}

impl AnyKey {
    pub fn kind(&self) -> KeyKind {
        match self {
            AnyKey::Ed25519(_) => KeyKind::Ed25519,
            AnyKey::Bls(_) => KeyKind::Bls,
            AnyKey::Legacy(_) => KeyKind::Legacy,
        }
    }

    pub fn public_hex(&self) -> String {
        match self {
            AnyKey::Ed25519(k) => k.public_hex(),
            AnyKey::Bls(k) => k.public_hex(),
            AnyKey::Legacy(k) => k.public_hex(),
        }
    }

    /// Decodes already-read file contents as `kind`.
    pub fn decode(kind: KeyKind, contents: &[u8], path: &Path) -> Result<Self, KeyError> {
        let secret = decode(kind, contents, path)?;
        let key = match kind {
            KeyKind::Ed25519 => Ed25519Secret::from_file_bytes(&secret).map(AnyKey::Ed25519),
            KeyKind::Bls => BlsSecret::from_file_bytes(&secret).map(AnyKey::Bls),
            KeyKind::Legacy => LegacySecret::from_file_bytes(&secret).map(AnyKey::Legacy),
        };
        key.map_err(|e| e.in_file(path))
    }

    /// Loads `path` as `kind`, or as the kind its size suggests when `kind`
    /// is `None`.
    pub fn load(path: &Path, kind: Option<KeyKind>) -> Result<Self, KeyError> {
        let contents = read_file(path)?;
        if kind.is_none() && has_crlf_ending(&contents) {
            return Err(KeyError::CrLf {
                path: PathBuf::from(path),
                size: contents.len(),
            });
        }
        let kind = match kind.or_else(|| KeyKind::detect(&contents)) {
            Some(kind) => kind,
            None => {
                return Err(KeyError::Autodetect {
                    path: PathBuf::from(path),
                    size: contents.len(),
                })
            }
        };
        Self::decode(kind, &contents, path)
    }
}
