//! Helpers shared by the oxen-sn-keys-snapshot integration tests.
#![allow(dead_code)]

use std::fs;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub const BIN: &str = env!("CARGO_BIN_EXE_oxen-sn-keys-snapshot");

/// Runs the tool with exactly `args` in `dir`, `stdin` piped in (not a TTY);
/// returns (exit code, stdout, stderr).
pub fn run_in(dir: &Path, args: &[&str], stdin: &str) -> (i32, String, String) {
    let mut child = Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The tool may exit before reading (e.g. the file exists): ignore EPIPE.
    let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().expect("exited normally"),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

pub use snode_testkit::files::names;

/// `key_ed25519` content (0x + 128 hex + newline) for this seed.
pub fn ed_file(seed: &str) -> String {
    let key = snode_keys::Ed25519Secret::from_seed(&hex::decode(seed).unwrap().try_into().unwrap());
    format!("0x{}\n", hex::encode(key.keypair_bytes()))
}

/// A node's files in a temp dir: `data/` with key_ed25519 (from `seed`) and
/// key_bls (`bls_sk`), both 0400 as the daemon makes them, and
/// `stagenet.conf` naming `data/` as a service node at 1.2.3.4, plus `extra`
/// lines (providers, admin RPC, contract).
pub struct NodeDir {
    dir: tempfile::TempDir,
}

impl NodeDir {
    pub fn new(seed: &str, bls_sk: &str, extra: &str) -> NodeDir {
        let node = NodeDir {
            dir: tempfile::tempdir().unwrap(),
        };
        fs::create_dir(node.data()).unwrap();
        fs::write(node.data().join("key_ed25519"), ed_file(seed)).unwrap();
        fs::write(node.data().join("key_bls"), format!("0x{bls_sk}\n")).unwrap();
        for f in ["key_ed25519", "key_bls"] {
            fs::set_permissions(node.data().join(f), fs::Permissions::from_mode(0o400)).unwrap();
        }
        fs::write(
            node.config(),
            format!(
                "data-dir={}\nservice-node=1\nservice-node-public-ip=1.2.3.4\n{extra}",
                node.data().display()
            ),
        )
        .unwrap();
        node
    }

    pub fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    pub fn config(&self) -> PathBuf {
        self.dir.path().join("stagenet.conf")
    }

    /// Runs the tool in `data/` with `args` and `--config-file` naming this
    /// node's config.
    pub fn run(&self, args: &[&str], stdin: &str) -> (i32, String, String) {
        let config = self.config();
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["--config-file", config.to_str().unwrap()]);
        self.run_only(&all, stdin)
    }

    /// Runs the tool in `data/` with exactly `args`.
    pub fn run_only(&self, args: &[&str], stdin: &str) -> (i32, String, String) {
        run_in(&self.data(), args, stdin)
    }
}
