//! Keys at startup (docs/compat/keys.md): load `key_ed25519`, `key_bls` (service node only)
//! and a legacy `key` (service node only, when present) from the data directory in
//! every format oxend accepts, or create the missing Ed25519 and BLS keys (mode
//! 0400, atomic, via snode-keys), and log the public keys as oxend does.

use std::io;
use std::path::{Path, PathBuf};

use snode_keys::format::load;
use snode_keys::write::{write_key, WriteOptions};
use snode_keys::{BlsSecret, Ed25519Secret, KeyError, KeyKind, LegacySecret, SecretKey};

/// The public side of the node's keys: safe to log, print and serve.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicKeys {
    /// Primary (service node) pubkey: the legacy key's when a `key` file exists,
    /// otherwise the Ed25519 pubkey. Hex.
    pub primary: String,
    /// Ed25519 pubkey, hex.
    pub ed25519: String,
    /// X25519 pubkey, hex.
    pub x25519: String,
    /// Lokinet address, `<z-base-32>.snode`.
    pub lokinet: String,
    /// BLS pubkey (128 hex), service nodes only.
    pub bls: Option<String>,
}

/// The node's secret keys. No `Debug`, no `Clone`: the secrets stay here.
pub struct NodeKeys {
    /// `key_ed25519`.
    pub ed25519: Ed25519Secret,
    /// `key_bls`, service nodes only.
    pub bls: Option<BlsSecret>,
    /// Legacy `key`, when the file exists (service nodes only).
    pub legacy: Option<LegacySecret>,
    /// Public keys derived from the above.
    pub public: PublicKeys,
}

/// Whether a key file was found or written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// Read from an existing file.
    Loaded,
    /// Generated and written now.
    Created,
}

/// Why the keys could not be loaded or created.
#[derive(Debug, thiserror::Error)]
pub enum KeysError {
    /// An existing key file cannot be used.
    #[error(
        "service node key file {path} is invalid: {source}; restore it from your backup \
         (oxen-sn-keys-snapshot restore). Moving it away lets a new key be created, which is \
         only safe for a node that was never registered: a registered node is known by its \
         key, and a new key is another node. To check, look the node's public key up on the \
         staking website: `oxen-sn-keys-snapshot show <backup file>` prints it, as \
         `oxend-stagenet print_sn_key` did while the node ran"
    )]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        #[source]
        source: KeyError,
    },
    /// A new key could not be generated or written.
    #[error("cannot create service node key file {path}: {source}; check that the data directory exists and is writable by this user")]
    Create {
        /// The file.
        path: PathBuf,
        /// What failed.
        #[source]
        source: KeyError,
    },
}

fn exists(path: &Path) -> bool {
    path.symlink_metadata().is_ok()
}

fn load_or_create<K: SecretKey>(
    path: &Path,
    generate: impl FnOnce() -> Result<K, KeyError>,
) -> Result<(K, Origin), KeysError> {
    if exists(path) {
        let key = load::<K>(path).map_err(|source| KeysError::Invalid {
            path: path.to_path_buf(),
            source,
        })?;
        return Ok((key, Origin::Loaded));
    }
    let create = |source| KeysError::Create {
        path: path.to_path_buf(),
        source,
    };
    let key = generate().map_err(create)?;
    match write_key(path, &key, WriteOptions::default()) {
        Ok(_) => Ok((key, Origin::Created)),
        // Another process created it between our check and our write: use theirs.
        Err(KeyError::Exists { .. }) => {
            let key = load::<K>(path).map_err(|source| KeysError::Invalid {
                path: path.to_path_buf(),
                source,
            })?;
            Ok((key, Origin::Loaded))
        }
        Err(e) => Err(create(e)),
    }
}

/// Loads or creates the node's keys in `data_dir` (docs/compat/keys.md): `key_ed25519` always,
/// `key_bls` when `service_node`, and the legacy `key` only loaded (never created).
/// Returns the keys and, per file, whether it was loaded or created.
pub fn load_or_create_keys(
    data_dir: &Path,
    service_node: bool,
) -> Result<(NodeKeys, Vec<(PathBuf, Origin)>), KeysError> {
    let mut files = Vec::new();
    let ed_path = data_dir.join(KeyKind::Ed25519.file_name());
    let (ed25519, o) = load_or_create(&ed_path, Ed25519Secret::generate)?;
    files.push((ed_path.clone(), o));
    let (bls, legacy) = if service_node {
        let bls_path = data_dir.join(KeyKind::Bls.file_name());
        let (bls, o) = load_or_create(&bls_path, BlsSecret::generate)?;
        files.push((bls_path, o));
        let legacy_path = data_dir.join(KeyKind::Legacy.file_name());
        let legacy = if exists(&legacy_path) {
            let key = load::<LegacySecret>(&legacy_path).map_err(|source| KeysError::Invalid {
                path: legacy_path.clone(),
                source,
            })?;
            files.push((legacy_path, Origin::Loaded));
            Some(key)
        } else {
            None
        };
        (Some(bls), legacy)
    } else {
        (None, None)
    };
    let x25519 = ed25519
        .x25519_public()
        .map_err(|source| KeysError::Invalid {
            path: ed_path,
            source,
        })?;
    let ed_hex = ed25519.public_hex();
    let public = PublicKeys {
        primary: legacy
            .as_ref()
            .map(|l| l.public_hex())
            .unwrap_or_else(|| ed_hex.clone()),
        ed25519: ed_hex,
        x25519: hex::encode(x25519),
        lokinet: ed25519.lokinet_address(),
        bls: bls.as_ref().map(|b| b.public_hex()),
    };
    Ok((
        NodeKeys {
            ed25519,
            bls,
            legacy,
            public,
        },
        files,
    ))
}

/// The startup log lines (docs/compat/keys.md) for these keys.
pub fn startup_lines(public: &PublicKeys, service_node: bool) -> Vec<String> {
    if !service_node {
        return vec![format!("x25519 public key: {}", public.x25519)];
    }
    let mut lines = vec![
        "Service node public keys:".to_string(),
        format!("- primary: {}", public.primary),
        format!("- ed25519: {}", public.ed25519),
        format!("- lokinet: {}", public.lokinet),
        format!("- x25519: {}", public.x25519),
    ];
    if let Some(bls) = &public.bls {
        lines.push(format!("- bls: {bls}"));
    }
    lines
}

/// Creates the data directory if it is missing (oxend: failure is only a warning;
/// the key step then reports the real problem).
pub fn ensure_data_dir(dir: &Path) -> io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    std::fs::create_dir_all(dir)
}
