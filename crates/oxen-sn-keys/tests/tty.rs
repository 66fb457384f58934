//! Restore on a terminal: the secret is not echoed, the public keys are shown,
//! and nothing is written until the operator confirms. The terminal is a real
//! pseudo-terminal driven by tests/tty_restore.py (Python's `pty` module).

use std::path::Path;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_oxen-sn-keys-snapshot");
const SEED: &str = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
const ED_PUB: &str = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";

fn drive(dir: &Path, answer: &str) -> (String, i32) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/tty_restore.py");
    let out = Command::new("python3")
        .arg(script)
        .args([BIN, dir.to_str().unwrap(), SEED, answer])
        .output()
        .expect("python3 runs");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let code = text
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("EXIT "))
        .and_then(|c| c.trim().parse().ok())
        .unwrap_or_else(|| {
            panic!(
                "no exit code in {text} / {}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
    (text, code)
}

#[test]
fn secret_is_not_echoed_and_yes_writes_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let (transcript, code) = drive(dir.path(), "y");
    assert_eq!(code, 0, "{transcript}");
    assert!(
        transcript.contains("Enter the Ed25519 secret key:"),
        "{transcript}"
    );
    assert!(
        transcript.contains(ED_PUB),
        "public key shown: {transcript}"
    );
    assert!(
        !transcript.contains(&SEED[..16]),
        "secret echoed: {transcript}"
    );
    assert!(
        transcript.contains("\x1b[1m\x1b[32mSaved secret key"),
        "green on a TTY"
    );
    let file = std::fs::read_to_string(dir.path().join("key_ed25519")).unwrap();
    assert_eq!(file, format!("0x{SEED}{ED_PUB}\n"));
}

#[test]
fn anything_but_yes_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (transcript, code) = drive(dir.path(), "n");
    assert_eq!(code, 99, "{transcript}");
    assert!(transcript.contains("nothing was written"), "{transcript}");
    assert!(!dir.path().join("key_ed25519").exists());
}
