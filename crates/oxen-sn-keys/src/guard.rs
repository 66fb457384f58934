//! The key guard (issue "Registration", part 3): before `--overwrite` replaces
//! an Ed25519 or BLS key, find out whether it belongs to a node that the
//! ServiceNodeRewards contract lists as registered. Replacing such a key gets
//! the node deregistered ("imposter" after a BLS key change), so it is refused
//! unless `--replace-registered-key` is given; so is a replacement whose
//! registration cannot be checked. Keys are never swapped under a running
//! daemon that uses them.
//!
//! How it finds out: the node's config (`--config-file`, default
//! `/etc/oxen/stagenet.conf`) gives the admin RPC address, the data directory,
//! the L2 providers and the rewards contract. If the daemon answers and the key
//! is in its data directory, the replacement is refused with the systemctl
//! commands to stop and start it. Otherwise the providers are asked about the
//! key being replaced itself (docs/compat/l2-contract.md): a `key_bls` pubkey is
//! looked up in `allServiceNodeIDs()`; a `key_ed25519` pubkey is given to
//! `ed25519ToServiceNodeID(uint256)`, and the id it names must be in
//! `allServiceNodeIDs()` (a stale mapping of a node that left is not a
//! registration).

use std::path::{Path, PathBuf};
use std::time::Duration;

use snode_conf::{Document, Settings};
use snode_keys::format::load;
use snode_keys::{BlsSecret, Ed25519Secret, KeyKind};

/// The default config file (the package's).
pub const DEFAULT_CONFIG: &str = "/etc/oxen/stagenet.conf";

/// The flag that allows replacing a registered (or unverifiable) key.
pub const REPLACE_FLAG: &str = "--replace-registered-key";

/// What the guard learnt.
#[derive(Debug)]
pub enum Verdict {
    /// The contract does not list the node.
    NotRegistered,
    /// The contract lists the node this key belongs to (its Ed25519 or BLS
    /// pubkey, hex) under this id.
    Registered { id: u64, pubkey: String },
    /// It could not be found out, and why.
    Unknown(Unknown),
    /// A running daemon uses this key's directory; its admin RPC address.
    DaemonRunning(String),
    /// The key or the config cannot be read by this user: only root can
    /// tell (run this with sudo).
    Denied(Denied),
}

/// A file the guard must read and this user may not.
#[derive(Debug, thiserror::Error)]
#[error("cannot read {} ({what}): permission denied; run this with sudo", path.display())]
pub struct Denied {
    /// The file.
    pub path: PathBuf,
    /// What it is: "the node's config" or "the key being replaced".
    pub what: &'static str,
}

/// Why the registration could not be found out.
#[derive(Debug, thiserror::Error)]
pub enum Unknown {
    /// No `--config-file` and no package config.
    #[error("no node config was found ({DEFAULT_CONFIG} does not exist; pass --config-file FILE)")]
    NoConfig,
    /// The config cannot be read or used (the error names the file).
    #[error("{0}")]
    Config(snode_conf::ConfError),
    /// The key being replaced cannot be read as a key.
    #[error(
        "its current key cannot be read ({0}); check the file, or pass \
         --replace-registered-key if you mean to replace it anyway"
    )]
    CurrentKey(snode_keys::KeyError),
    /// The config names no provider.
    #[error("the config has no l2-provider to ask")]
    NoProvider,
    /// `l2-rewards-contract` is not an address.
    #[error("l2-rewards-contract is not usable: {0}")]
    Contract(snode_bls::Error),
    /// No provider gave an answer.
    #[error("the L2 providers could not be asked: {0}")]
    Providers(snode_l2::L2Error),
}

fn denied(source: &std::io::Error) -> bool {
    source.kind() == std::io::ErrorKind::PermissionDenied
}

/// The config's settings, or why the guard cannot use them.
fn config_settings(config: Option<&Path>) -> Result<Settings, Verdict> {
    let path = match config {
        Some(p) => p.to_path_buf(),
        None if Path::new(DEFAULT_CONFIG).exists() => PathBuf::from(DEFAULT_CONFIG),
        None => return Err(Verdict::Unknown(Unknown::NoConfig)),
    };
    let conf_failure = |e: snode_conf::ConfError| match &e {
        snode_conf::ConfError::Read { source, .. } if denied(source) => Verdict::Denied(Denied {
            path: path.clone(),
            what: "the node's config",
        }),
        _ => Verdict::Unknown(Unknown::Config(e)),
    };
    let doc = Document::load(&path).map_err(conf_failure)?;
    Settings::from_sources(Some(&doc), &[]).map_err(conf_failure)
}

fn same_dir(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// The first admin RPC address where a daemon answers `get_info`.
fn running_daemon(settings: &Settings) -> Option<String> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(3)))
        .http_status_as_error(false)
        .build()
        .into();
    settings.rpc_admin_addresses().into_iter().find_map(|addr| {
        let url = format!("http://{addr}/json_rpc");
        agent
            .post(&url)
            .header("Content-Type", "application/json")
            .send(r#"{"jsonrpc":"2.0","id":0,"method":"get_info"}"#)
            .ok()
            .map(|_| addr.to_string())
    })
}

/// The public key of the `kind` key at `path` (the key being replaced).
fn current_pubkey(path: &Path, kind: KeyKind) -> Result<CurrentKey, Verdict> {
    let failure = |e: snode_keys::KeyError| match &e {
        snode_keys::KeyError::Read { source, .. } if denied(source) => Verdict::Denied(Denied {
            path: path.to_path_buf(),
            what: "the key being replaced",
        }),
        _ => Verdict::Unknown(Unknown::CurrentKey(e)),
    };
    match kind {
        KeyKind::Ed25519 => {
            let key: Ed25519Secret = load(path).map_err(failure)?;
            Ok(CurrentKey::Ed25519(key.public_key()))
        }
        _ => {
            let key: BlsSecret = load(path).map_err(failure)?;
            Ok(CurrentKey::Bls(key.public_key()))
        }
    }
}

/// The public key of the key file being replaced.
enum CurrentKey {
    Ed25519([u8; 32]),
    Bls([u8; 64]),
}

impl CurrentKey {
    fn hex(&self) -> String {
        match self {
            CurrentKey::Ed25519(pk) => hex::encode(pk),
            CurrentKey::Bls(pk) => hex::encode(pk),
        }
    }
}

/// Asks the providers whether the contract lists the node `current` belongs
/// to as registered: a BLS key is looked up in `allServiceNodeIDs()`; an
/// Ed25519 key through `ed25519ToServiceNodeID()`, whose id must also be in
/// `allServiceNodeIDs()` (the list of registered nodes).
fn registration(settings: &Settings, current: &CurrentKey) -> Verdict {
    let providers: Vec<&str> = settings.l2_provider.iter().map(String::as_str).collect();
    if providers.is_empty() {
        return Verdict::Unknown(Unknown::NoProvider);
    }
    let contract = match snode_bls::parse_address(&settings.l2_rewards_contract) {
        Ok(bytes) => snode_l2::Address::from(bytes),
        Err(e) => return Verdict::Unknown(Unknown::Contract(e)),
    };
    let mut cfg = snode_l2::L2Config::new(&providers, snode_l2::Deployment::Current);
    cfg.rewards_contract = contract;
    cfg.timeout = settings.l2_timeout();
    let nodes = match snode_l2::query::registered_nodes(&cfg) {
        Ok(nodes) => nodes,
        Err(e) => return Verdict::Unknown(Unknown::Providers(e)),
    };
    let found = match current {
        CurrentKey::Bls(pk) => nodes.iter().find(|(_, p)| p.0 == *pk).map(|(id, _)| *id),
        CurrentKey::Ed25519(pk) => match snode_l2::query::ed25519_service_node_id(&cfg, pk) {
            Ok(0) => None,
            Ok(id) => nodes.iter().any(|(n, _)| *n == id).then_some(id),
            Err(e) => return Verdict::Unknown(Unknown::Providers(e)),
        },
    };
    match found {
        Some(id) => Verdict::Registered {
            id,
            pubkey: current.hex(),
        },
        None => Verdict::NotRegistered,
    }
}

/// Finds out whether replacing the `kind` key at `path` would replace the key
/// of a registered node, or of a running daemon; in that order, after the
/// config and the key file have been read.
pub fn inspect(path: &Path, kind: KeyKind, config: Option<&Path>) -> Verdict {
    let settings = match config_settings(config) {
        Ok(found) => found,
        Err(verdict) => return verdict,
    };
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if same_dir(dir, &settings.data_dir()) {
        if let Some(addr) = running_daemon(&settings) {
            return Verdict::DaemonRunning(addr);
        }
    }
    match current_pubkey(path, kind) {
        Ok(current) => registration(&settings, &current),
        Err(verdict) => verdict,
    }
}
