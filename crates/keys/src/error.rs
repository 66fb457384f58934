use std::io;
use std::path::{Path, PathBuf};

use crate::KeyKind;

/// What to do about a failed read, by its cause.
fn read_advice(err: &io::Error) -> &'static str {
    match err.kind() {
        io::ErrorKind::NotFound => {
            "check the file name (oxend-stagenet keeps its keys in its data-dir, \
             /var/lib/oxen/stagenet by default)"
        }
        io::ErrorKind::PermissionDenied => {
            "key files are readable only by their owner (mode 0400): run this as the file's \
             owner or with sudo"
        }
        _ => "check the file and the disk, then try again",
    }
}

/// What to do about a failed write, by its cause.
fn write_advice(err: &io::Error) -> &'static str {
    match err.kind() {
        io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem => {
            "the directory is not writable by this user: run with sudo (the node's key \
             directory belongs to its user), or write the key into a directory you own"
        }
        io::ErrorKind::NotFound => "the directory does not exist: create it or check the path",
        io::ErrorKind::StorageFull => "the disk is full: free some space and try again",
        _ => "check the directory and the disk, then try again",
    }
}

/// The OS's own text of `err` (what upstream prints with strerror), without
/// Rust's " (os error N)" suffix.
fn strerror(err: &io::Error) -> String {
    let text = err.to_string();
    match text.rfind(" (os error ") {
        Some(i) if text.ends_with(')') => text[..i].to_string(),
        _ => text,
    }
}

/// Upstream's words for a failed write (docs/compat/keys.md): opening the output
/// failed, or writing it did.
fn write_failed(err: &io::Error) -> &'static str {
    match err.kind() {
        io::ErrorKind::PermissionDenied
        | io::ErrorKind::ReadOnlyFilesystem
        | io::ErrorKind::NotFound
        | io::ErrorKind::AlreadyExists => "Failed to open output file",
        _ => "Failed to write to output file",
    }
}

/// "a"/"an" before a key kind, as upstream writes it ("an Ed25519 secret key").
fn article(kind: &KeyKind) -> &'static str {
    match kind {
        KeyKind::Ed25519 => "an",
        KeyKind::Bls | KeyKind::Legacy => "a",
    }
}

/// ` in '<path>'`, or nothing for an empty path.
fn in_file(path: &Path) -> String {
    if path.as_os_str().is_empty() {
        String::new()
    } else {
        format!(" in '{}'", path.display())
    }
}

impl KeyError {
    /// The error with `path` as the file it is about, where the error was
    /// raised without one (a key built from a file's bytes).
    pub fn in_file(self, file: &Path) -> Self {
        match self {
            KeyError::EmbeddedPubkeyMismatch {
                path,
                derived,
                embedded,
            } if path.as_os_str().is_empty() => KeyError::EmbeddedPubkeyMismatch {
                path: file.to_path_buf(),
                derived,
                embedded,
            },
            other => other,
        }
    }
}

/// Errors of key handling. None of them carries secret bytes: only paths,
/// sizes, kinds and public keys.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("Unable to open '{path}': {}; {}", strerror(.source), read_advice(.source))]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "{} '{path}': {}; {}",
        write_failed(.source),
        strerror(.source),
        write_advice(.source)
    )]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "'{path}' already exists; pass `--overwrite' if you want to replace it \
         (the old key is kept as a .bak copy)"
    )]
    Exists { path: PathBuf },
    #[error(
        "File size ({size} bytes) is invalid for {} {kind} secret key ('{path}': expected \
         {expected}); check that this is the right file",
        article(.kind)
    )]
    InvalidFile {
        path: PathBuf,
        kind: KeyKind,
        size: usize,
        expected: &'static str,
    },
    #[error(
        "File is invalid: expected 0x[hexdata], but found non-hex ('{path}'); \
         check that this is the right file"
    )]
    NonHex { path: PathBuf },
    #[error(
        "Could not autodetect key type from {size}-byte file; check the file or pass one of \
         the --ed25519/--bls/--legacy arguments ('{path}')"
    )]
    Autodetect { path: PathBuf, size: usize },
    #[error(
        "'{path}' ends with a Windows line ending (CR LF; {size} bytes): oxend reads key files \
         ending in a plain newline only. Remove the CR, e.g. with `sed -i 's/\\r$//' '{path}'` \
         (or dos2unix), and try again"
    )]
    CrLf { path: PathBuf, size: usize },
    #[error(
        "Error: derived pubkey ({derived}) != embedded pubkey ({embedded}){}: the file is damaged \
         or is not an Ed25519 key file. Restore the key from your backup (the .bak copy next \
         to it, or the saved secret with `restore`)",
        in_file(.path)
    )]
    EmbeddedPubkeyMismatch {
        /// The key file, when known (empty for bytes that did not come from
        /// a file).
        path: PathBuf,
        derived: String,
        embedded: String,
    },
    #[error(
        "Derived pubkey ({derived}) doesn't match provided pubkey ({provided}); \
         check that you copied the whole key"
    )]
    ProvidedPubkeyMismatch { derived: String, provided: String },
    #[error("Invalid input: provide the secret key as {expected}")]
    InvalidInput { expected: &'static str },
    #[error(
        "Unable to convert Ed25519 pubkey to X25519 pubkey; is this a really valid secret key?"
    )]
    X25519Conversion,
    #[error("Internal error: pubkey check failed")]
    SelfCheck,
    #[error(
        "'{path}' was written but reading it back gave a different key; the previous key \
         (if any) is in the .bak file next to it. Check the disk and try again"
    )]
    ReadBack { path: PathBuf },
    #[error("the system random number generator failed: {0}")]
    Random(String),
}
