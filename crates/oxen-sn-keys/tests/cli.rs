//! The `oxen-sn-keys-snapshot` binary, run as a real process on real files.

use std::fs;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use crate::common::{names, BIN};

// RFC 8032 test 1 seed and the identities of docs/compat/keys.md.
const SEED: &str = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
const ED_PUB: &str = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
const X25519_PUB: &str = "d85e07ec22b0ad881537c2f44d662d1a143cf830c57aca4305d85c7a90f6b62e";
const LOKINET: &str = "47pjoycnsrfmxikm95jh13y88e8qnhzu5kungjpxyepgt7a8krpy.snode";
const LEGACY_SCALAR: &str = "307c83864f2833cb427a2ef1c00a013cfdff2768d980c0a3a520f006904de94f";
const BLS_SK: &str = "1234567890abcdef1234567890abcdef1234567890abcdef1234567890abcdef";
const BLS_PK: &str = "19c1e4e5202ab724d766a7dd7534562e225d0e33c8ce19b697eb719d39954fdb\
                      1c16dbebb5e86b0d5a9a8454af8c4faad6dea7d798144bbdd01631c592073b3b";

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run_in(dir: &Path, args: &[&str], stdin: Option<&str>) -> Run {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .current_dir(dir)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn oxen-sn-keys-snapshot");
    if let Some(text) = stdin {
        // The tool may exit before reading (e.g. the file exists): ignore EPIPE.
        let _ = child.stdin.take().unwrap().write_all(text.as_bytes());
    }
    finish(child.wait_with_output().unwrap())
}

fn finish(out: Output) -> Run {
    let run = Run {
        code: out.status.code().expect("exited normally"),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    };
    assert!(
        !run.stdout.contains('\x1b') && !run.stderr.contains('\x1b'),
        "no colour off a TTY"
    );
    run
}

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o7777
}

/// The value after `label` in `text`.
fn field<'a>(text: &'a str, label: &str) -> &'a str {
    text.lines()
        .find_map(|l| l.strip_prefix(label))
        .unwrap_or_else(|| panic!("no {label:?} in {text}"))
        .trim()
}

#[test]
fn restore_rfc8032_seed_gives_spec_identities() {
    let dir = tempfile::tempdir().unwrap();
    let r = run_in(dir.path(), &["restore", "key_ed25519"], Some(SEED));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(field(&r.stdout, "Public key:"), ED_PUB);
    assert_eq!(field(&r.stdout, "X25519 pubkey:"), X25519_PUB);
    assert_eq!(field(&r.stdout, "Lokinet address:"), LOKINET);
    assert!(
        r.stdout.contains("\nPublic key:      d75a"),
        "column-18 layout"
    );
    assert!(r.stdout.contains("Saved secret key to key_ed25519"));
    let path = dir.path().join("key_ed25519");
    assert_eq!(mode(&path), 0o400);
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        format!("0x{SEED}{ED_PUB}\n")
    );
}

#[test]
fn round_trip_ed25519() {
    let dir = tempfile::tempdir().unwrap();
    let g = run_in(dir.path(), &["ed25519", "a_ed25519"], None);
    assert_eq!(g.code, 0, "{}", g.stderr);
    assert!(g
        .stdout
        .contains("Generated SN Ed25519 secret key in a_ed25519"));
    let s = run_in(dir.path(), &["show", "a_ed25519"], None);
    assert_eq!(s.code, 0, "{}", s.stderr);
    assert!(s
        .stdout
        .starts_with("\na_ed25519 (Ed25519 SN keypair)\n==========\n"));
    let secret = field(&s.stdout, "Secret key:");
    assert_eq!(secret.len(), 64, "only the seed is shown");
    assert_eq!(
        field(&s.stdout, "Public key:"),
        field(&g.stdout, "Public key:")
    );
    let r = run_in(
        dir.path(),
        &["restore", "b_ed25519"],
        Some(&format!("{secret}\n")),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        field(&r.stdout, "Public key:"),
        field(&g.stdout, "Public key:")
    );
    assert_eq!(
        fs::read(dir.path().join("a_ed25519")).unwrap(),
        fs::read(dir.path().join("b_ed25519")).unwrap()
    );
    assert_eq!(mode(&dir.path().join("a_ed25519")), 0o400);
}

#[test]
fn round_trip_bls() {
    let dir = tempfile::tempdir().unwrap();
    let g = run_in(dir.path(), &["bls", "a_bls"], None);
    assert_eq!(g.code, 0, "{}", g.stderr);
    let pk = field(&g.stdout, "Public key:").to_string();
    assert_eq!(pk.len(), 128);
    let s = run_in(dir.path(), &["show", "a_bls"], None);
    assert_eq!(s.code, 0, "{}", s.stderr);
    assert!(s.stdout.contains("(BLS SN keypair)"));
    assert_eq!(field(&s.stdout, "Public key:"), format!("0x{pk}"));
    let secret = field(&s.stdout, "Secret key:").to_string();
    let r = run_in(dir.path(), &["restore-bls", "b_bls"], Some(&secret));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(field(&r.stdout, "Public key:"), pk);
    let a = fs::read(dir.path().join("a_bls")).unwrap();
    assert_eq!(a.len(), 67);
    assert_eq!(a, fs::read(dir.path().join("b_bls")).unwrap());
}

#[test]
fn round_trip_legacy() {
    let dir = tempfile::tempdir().unwrap();
    let g = run_in(dir.path(), &["legacy", "a_key"], None);
    assert_eq!(g.code, 0, "{}", g.stderr);
    let s = run_in(dir.path(), &["show", "a_key"], None);
    assert_eq!(s.code, 0, "{}", s.stderr);
    assert!(s.stdout.contains("(legacy SN keypair)"));
    assert!(
        s.stdout.contains("\nPublic key:  "),
        "two spaces after the label"
    );
    let secret = field(&s.stdout, "Private key:").to_string();
    let r = run_in(dir.path(), &["restore-legacy", "b_key"], Some(&secret));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        field(&r.stdout, "Public key:"),
        field(&g.stdout, "Public key:")
    );
    let a = fs::read(dir.path().join("a_key")).unwrap();
    assert_eq!(a.len(), 32);
    assert_eq!(a, fs::read(dir.path().join("b_key")).unwrap());
}

/// Upstream's restore-bls wrote an empty key_bls (docs/compat/keys.md).
#[test]
fn upstream_bug_restore_bls_wrote_empty_file() {
    let dir = tempfile::tempdir().unwrap();
    let r = run_in(
        dir.path(),
        &["restore-bls", "key_bls"],
        Some(&format!("0x{BLS_SK}\n")),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(field(&r.stdout, "Public key:"), BLS_PK);
    let file = fs::read_to_string(dir.path().join("key_bls")).unwrap();
    assert_eq!(file, format!("0x{BLS_SK}\n"));
    let s = run_in(dir.path(), &["show", "key_bls"], None);
    assert_eq!(field(&s.stdout, "Public key:"), format!("0x{BLS_PK}"));
}

/// Upstream's restore-legacy wrote 32 zero bytes (docs/compat/keys.md).
#[test]
fn upstream_bug_restore_legacy_wrote_zeros() {
    let dir = tempfile::tempdir().unwrap();
    let r = run_in(dir.path(), &["restore-legacy", "key"], Some(LEGACY_SCALAR));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(field(&r.stdout, "Public key:"), ED_PUB);
    let file = fs::read(dir.path().join("key")).unwrap();
    assert_eq!(hex::encode(&file), LEGACY_SCALAR);
    assert_ne!(file, vec![0u8; 32]);
}

#[test]
fn restore_accepts_seed_and_pubkey_and_checks_it() {
    let dir = tempfile::tempdir().unwrap();
    let r = run_in(
        dir.path(),
        &["restore", "k1"],
        Some(&format!("0x{SEED}{ED_PUB}")),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let mut wrong = ED_PUB.to_string();
    wrong.replace_range(0..2, "00");
    let r = run_in(
        dir.path(),
        &["restore", "k2"],
        Some(&format!("{SEED}{wrong}")),
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("doesn't match provided pubkey"),
        "{}",
        r.stderr
    );
    assert!(!dir.path().join("k2").exists());
    assert!(
        !r.stdout.contains(SEED) && !r.stderr.contains(SEED),
        "no secret in errors"
    );
}

#[test]
fn bad_restore_input_exits_7_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = [
        "",
        "abc",
        &SEED[..62],
        &format!("{SEED}00"),
        &SEED.replace('9', "g"),
        &format!("{BLS_SK}{BLS_SK}"),
    ];
    for (i, input) in inputs.iter().enumerate() {
        let cmd = if i == 5 { "restore-bls" } else { "restore" };
        let r = run_in(dir.path(), &[cmd, "out"], Some(input));
        assert_eq!(r.code, 7, "input {i}: {}", r.stderr);
        assert!(r.stderr.contains("Invalid input"), "{}", r.stderr);
        // What was typed (its first 20 characters) never comes back.
        let typed: String = input.chars().take(20).collect();
        if typed.len() >= 8 {
            assert!(
                !r.stderr.contains(&typed) && !r.stdout.contains(&typed),
                "input {i} echoed: {} {}",
                r.stdout,
                r.stderr
            );
        }
    }
    assert!(names(dir.path()).is_empty());
}

#[test]
fn existing_file_is_never_replaced_without_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("key_bls");
    fs::write(&path, b"precious").unwrap();
    let g = run_in(dir.path(), &["bls", "key_bls"], None);
    assert_eq!(g.code, 2);
    assert!(
        g.stderr.contains("key_bls") && g.stderr.contains("--overwrite"),
        "{}",
        g.stderr
    );
    let r = run_in(dir.path(), &["restore-bls", "key_bls"], Some(BLS_SK));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--overwrite"), "{}", r.stderr);
    assert_eq!(fs::read(&path).unwrap(), b"precious");
    assert_eq!(names(dir.path()), ["key_bls"]);
}

#[test]
fn overwrite_keeps_the_old_key_as_bak() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("key_bls");
    let first = run_in(dir.path(), &["bls", "key_bls"], None);
    assert_eq!(first.code, 0);
    let old = fs::read(&path).unwrap();
    // No node config here: the key guard (tests/guard.rs) needs its flag.
    let args = [
        "restore-bls",
        "--overwrite",
        "--config-file=/nonexistent/stagenet.conf",
        "key_bls",
        "--replace-registered-key",
    ];
    let r = run_in(dir.path(), &args, Some(BLS_SK));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("previous key was kept in key_bls."),
        "{}",
        r.stdout
    );
    let bak: Vec<String> = names(dir.path())
        .into_iter()
        .filter(|n| n.ends_with(".bak"))
        .collect();
    assert_eq!(bak.len(), 1);
    let bak_path = dir.path().join(&bak[0]);
    assert_eq!(fs::read(&bak_path).unwrap(), old);
    assert_eq!(mode(&bak_path), 0o400);
    assert_eq!(mode(&path), 0o400);
    assert_eq!(fs::read_to_string(&path).unwrap(), format!("0x{BLS_SK}\n"));
}

#[test]
fn pubkey_in_filename_is_substituted() {
    let dir = tempfile::tempdir().unwrap();
    let g = run_in(dir.path(), &["ed25519", "sn-PUBKEY.key"], None);
    assert_eq!(g.code, 0, "{}", g.stderr);
    let pk = field(&g.stdout, "Public key:");
    assert_eq!(names(dir.path()), [format!("sn-{pk}.key")]);
    let r = run_in(dir.path(), &["restore-bls", "bls-PUBKEY"], Some(BLS_SK));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(dir.path().join(format!("bls-{BLS_PK}")).exists());
}

#[test]
fn show_errors_name_the_file_and_exit_2_or_13() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let missing = run_in(d, &["show", "nope"], None);
    assert_eq!(missing.code, 2);
    // upstream's words first (docs/compat/keys.md), so scripts matching them still do
    assert!(
        missing
            .stderr
            .contains("Unable to open 'nope': No such file or directory;"),
        "{}",
        missing.stderr
    );
    assert!(
        missing.stderr.contains("check the file name"),
        "says what to do: {}",
        missing.stderr
    );

    fs::write(d.join("odd"), vec![b'0'; 50]).unwrap();
    let odd = run_in(d, &["show", "odd"], None);
    assert_eq!(odd.code, 2);
    assert!(
        odd.stderr.contains(
            "Could not autodetect key type from 50-byte file; check the file or pass one of \
             the --ed25519/--bls/--legacy arguments ('odd')"
        ),
        "{}",
        odd.stderr
    );

    let mut text = format!("0x{BLS_SK}\n");
    text.replace_range(5..6, "x");
    fs::write(d.join("nonhex"), &text).unwrap();
    let nonhex = run_in(d, &["show", "nonhex"], None);
    assert_eq!(nonhex.code, 2);
    assert!(
        nonhex
            .stderr
            .contains("File is invalid: expected 0x[hexdata], but found non-hex ('nonhex')"),
        "{}",
        nonhex.stderr
    );

    let mut bad_pub = hex::decode(format!("{SEED}{ED_PUB}")).unwrap();
    bad_pub[40] ^= 1;
    fs::write(d.join("mismatch"), &bad_pub).unwrap();
    let mismatch = run_in(d, &["show", "mismatch"], None);
    assert_eq!(mismatch.code, 13);
    assert!(
        mismatch.stderr.contains("Error: derived pubkey (")
            && mismatch.stderr.contains(") != embedded pubkey (")
            && mismatch.stderr.contains("in 'mismatch'")
            && mismatch.stderr.contains("Restore the key from your backup"),
        "{}",
        mismatch.stderr
    );

    fs::write(d.join("short"), vec![1u8; 32]).unwrap();
    let forced = run_in(d, &["show", "--ed25519", "short"], None);
    assert_eq!(forced.code, 2);
    assert!(
        forced
            .stderr
            .contains("File size (32 bytes) is invalid for an Ed25519 secret key ('short'"),
        "{}",
        forced.stderr
    );

    for r in [&missing, &odd, &nonhex, &mismatch, &forced] {
        assert!(!r.stdout.contains("Secret key") && !r.stdout.contains("Private key"));
        assert!(!r.stderr.contains(SEED) && !r.stderr.contains(&BLS_SK[..16]));
    }
}

#[test]
fn argument_errors_and_help() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let none = run_in(d, &[], None);
    assert_eq!(none.code, 1);
    assert!(none.stderr.contains("No command specified!"));
    let unknown = run_in(d, &["frobnicate"], None);
    assert_eq!(unknown.code, 1);
    assert!(unknown.stderr.contains("Unknown command `frobnicate'"));
    assert!(unknown.stdout.contains("Usage:"));
    for help in [
        vec!["--help"],
        vec!["-h"],
        vec!["show", "--help"],
        vec!["bls", "x", "-?"],
    ] {
        let r = run_in(d, &help, None);
        assert_eq!(r.code, 0, "{help:?}");
        assert!(r.stdout.contains("restore-legacy [--overwrite] FILENAME"));
    }
    let nofile = run_in(d, &["ed25519"], None);
    assert_eq!(nofile.code, 2);
    assert!(nofile.stderr.contains("generate requires a FILENAME"));
    let extra = run_in(d, &["bls", "a", "b"], None);
    assert_eq!(extra.code, 2);
    assert!(extra.stderr.contains("unknown arguments to 'generate'"));
    // --overwrite is an option only as the first or last argument.
    let middle = run_in(d, &["restore", "a", "--overwrite", "b"], Some(SEED));
    assert_eq!(middle.code, 2);
    let show_two = run_in(d, &["show", "a", "b"], None);
    assert_eq!(show_two.code, 2);
    assert!(show_two.stderr.contains("unknown arguments to 'show'"));
    assert!(names(d).is_empty());
}

#[test]
fn wrong_file_name_warning_needs_confirmation() {
    let dir = tempfile::tempdir().unwrap();
    // Only the secret on stdin: the confirmation sees end of input.
    let r = run_in(
        dir.path(),
        &["restore-bls", "key_ed25519"],
        Some(&format!("{BLS_SK}\n")),
    );
    assert_eq!(r.code, 99, "{}", r.stderr);
    assert!(r
        .stderr
        .contains("Warning: You are trying to restore a file named 'key_ed25519'"));
    assert!(
        r.stderr.contains("'restore' command instead"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("Aborted"));
    assert!(names(dir.path()).is_empty());
    // An Enter confirms.
    let r = run_in(
        dir.path(),
        &["restore-bls", "key_ed25519"],
        Some(&format!("{BLS_SK}\n\n")),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(names(dir.path()), ["key_ed25519"]);
}

/// A directory the tool cannot write into: the old key stays, no temp file.
#[test]
fn read_only_directory_keeps_old_key() {
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("keys");
    fs::create_dir(&keys).unwrap();
    let path = keys.join("key_bls");
    fs::write(&path, format!("0x{BLS_SK}\n")).unwrap();
    let before = fs::read(&path).unwrap();
    let root = rustix_is_root();
    if root {
        // root ignores directory modes: run the tool as nobody instead.
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
        std::os::unix::fs::chown(&keys, Some(65534), Some(65534)).unwrap();
        std::os::unix::fs::chown(&path, Some(65534), Some(65534)).unwrap();
    }
    fs::set_permissions(&keys, fs::Permissions::from_mode(0o555)).unwrap();
    let mut cmd = if root {
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups", BIN]);
        c
    } else {
        Command::new(BIN)
    };
    let out = cmd
        .args([
            "bls",
            "--overwrite",
            "--replace-registered-key",
            "--config-file=/nonexistent/stagenet.conf",
            path.to_str().unwrap(),
        ])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let r = finish(out);
    fs::set_permissions(&keys, fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(r.code, 2, "{} {}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("Failed to open output file '") && r.stderr.contains("keys/"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("the directory is not writable by this user: run with sudo"),
        "says what to do: {}",
        r.stderr
    );
    assert_eq!(fs::read(&path).unwrap(), before);
    assert_eq!(names(&keys), ["key_bls"]);
}

fn rustix_is_root() -> bool {
    // `id -u` keeps this test free of extra dependencies.
    let out = Command::new("id").arg("-u").output().unwrap();
    String::from_utf8_lossy(&out.stdout).trim() == "0"
}

/// Argument errors of show and the restore commands (docs/compat/keys.md): the
/// restore commands share upstream's `restore` messages; every extra
/// argument is listed.
#[test]
fn show_and_restore_argument_errors() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for cmd in [
        "restore",
        "restore-ed25519",
        "restore-bls",
        "restore-legacy",
    ] {
        let r = run_in(d, &[cmd], Some(SEED));
        assert_eq!(r.code, 2, "{cmd}: {}", r.stderr);
        assert!(
            r.stderr.contains("restore requires a FILENAME"),
            "{cmd}: {}",
            r.stderr
        );
        let r = run_in(d, &[cmd, "a", "b", "c"], Some(SEED));
        assert_eq!(r.code, 2, "{cmd}: {}", r.stderr);
        assert!(
            r.stderr.contains("unknown arguments to 'restore': a b c;"),
            "{cmd}: {}",
            r.stderr
        );
    }
    let r = run_in(d, &["show"], None);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("show requires a FILENAME"),
        "{}",
        r.stderr
    );
    let r = run_in(d, &["show", "--bls"], None);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("show requires a FILENAME"),
        "{}",
        r.stderr
    );
    let r = run_in(d, &["show", "x", "y"], None);
    assert!(
        r.stderr.contains("unknown arguments to 'show': x y;"),
        "{}",
        r.stderr
    );
    assert!(names(d).is_empty());
}

/// `--overwrite` is removed once (docs/compat/keys.md): a second one is an unknown
/// argument, and nothing is replaced.
#[test]
fn repeated_overwrite_is_an_unknown_argument() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::write(d.join("k"), b"precious").unwrap();
    let r = run_in(d, &["bls", "--overwrite", "k", "--overwrite"], None);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("unknown arguments to 'generate': k --overwrite;"),
        "{}",
        r.stderr
    );
    assert_eq!(fs::read(d.join("k")).unwrap(), b"precious");
    assert_eq!(names(d), ["k"]);
}

/// End of input at the prompt: upstream's message, exactly, and exit 7.
#[test]
fn end_of_input_aborts_with_upstreams_message() {
    let dir = tempfile::tempdir().unwrap();
    for cmd in ["restore", "restore-bls", "restore-legacy"] {
        let r = run_in(dir.path(), &[cmd, "out"], None);
        assert_eq!(r.code, 7, "{cmd}: {}", r.stderr);
        assert_eq!(r.stderr, "\nInvalid input, aborting!\n\n", "{cmd}");
    }
    assert!(names(dir.path()).is_empty());
}

/// Wrong sizes for BLS and legacy files name the file and its size.
#[test]
fn wrong_size_bls_and_legacy_files() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::write(d.join("b"), format!("0x{BLS_SK}00\n")).unwrap();
    let bls = run_in(d, &["show", "--bls", "b"], None);
    assert_eq!(bls.code, 2, "{}", bls.stderr);
    assert!(
        bls.stderr
            .contains("File size (69 bytes) is invalid for a BLS secret key ('b'"),
        "{}",
        bls.stderr
    );
    fs::write(d.join("l"), [7u8; 33]).unwrap();
    let r = run_in(d, &["show", "--legacy", "l"], None);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("File size (33 bytes) is invalid for a legacy secret key ('l'"),
        "{}",
        r.stderr
    );
    for r in [&bls, &r] {
        assert!(!r.stdout.contains("Private key") && !r.stdout.contains("Secret key"));
        assert!(
            r.stderr.contains("check that this is the right file"),
            "{}",
            r.stderr
        );
    }
}

/// PUBKEY in the name forces overwrite for generate (docs/compat/keys.md), not for
/// restore (§1.5).
#[test]
fn pubkey_name_forces_overwrite_for_generate_only() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // restore: the substituted name exists, so it is refused.
    let target = d.join(format!("bls-{BLS_PK}"));
    fs::write(&target, b"precious").unwrap();
    let r = run_in(d, &["restore-bls", "bls-PUBKEY"], Some(BLS_SK));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("already exists") && r.stderr.contains("--overwrite"),
        "{}",
        r.stderr
    );
    assert_eq!(fs::read(&target).unwrap(), b"precious");
    // generate: a file literally named with PUBKEY does not stop it.
    fs::write(d.join("ed-PUBKEY"), b"unrelated").unwrap();
    let g = run_in(d, &["ed25519", "ed-PUBKEY"], None);
    assert_eq!(g.code, 0, "{}", g.stderr);
    let pk = field(&g.stdout, "Public key:");
    assert!(d.join(format!("ed-{pk}")).exists());
    assert_eq!(fs::read(d.join("ed-PUBKEY")).unwrap(), b"unrelated");
}

/// `generate` and `restore-ed25519` are the old names of `ed25519` and
/// `restore`.
#[test]
fn old_command_names() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let g = run_in(d, &["generate", "g_ed25519"], None);
    assert_eq!(g.code, 0, "{}", g.stderr);
    assert!(g
        .stdout
        .contains("Generated SN Ed25519 secret key in g_ed25519"));
    assert_eq!(fs::read(d.join("g_ed25519")).unwrap().len(), 131);
    let r = run_in(d, &["restore-ed25519", "r_ed25519"], Some(SEED));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(field(&r.stdout, "Public key:"), ED_PUB);
    assert_eq!(
        fs::read_to_string(d.join("r_ed25519")).unwrap(),
        format!("0x{SEED}{ED_PUB}\n")
    );
}

/// restore-legacy takes 128 hex (scalar and pubkey); the pubkey is checked.
#[test]
fn legacy_128_hex_input_is_checked() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let r = run_in(
        d,
        &["restore-legacy", "key"],
        Some(&format!("{LEGACY_SCALAR}{ED_PUB}")),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(hex::encode(fs::read(d.join("key")).unwrap()), LEGACY_SCALAR);
    let mut wrong = ED_PUB.to_string();
    wrong.replace_range(62..64, "00");
    let r = run_in(
        d,
        &["restore-legacy", "key2"],
        Some(&format!("{LEGACY_SCALAR}{wrong}")),
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!(
            "Derived pubkey ({ED_PUB}) doesn't match provided pubkey ({wrong})"
        )),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains(LEGACY_SCALAR));
    assert!(!d.join("key2").exists());
}

/// Restore's success layout (docs/compat/keys.md): `⏎Saved secret key to <file>⏎`,
/// one newline.
#[test]
fn restore_success_line_layout() {
    let dir = tempfile::tempdir().unwrap();
    let r = run_in(dir.path(), &["restore-bls", "key_bls"], Some(BLS_SK));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let expected = format!("\nPublic key: {BLS_PK}\n\nSaved secret key to key_bls\n");
    if rustix_is_root() {
        // As root in a root-owned directory the tool also says who owns the
        // file (the daemon's user cannot read it).
        let note = r.stdout.strip_prefix(&expected).unwrap_or_else(|| {
            panic!("layout: {:?}", r.stdout);
        });
        assert!(
            note.starts_with("Running as root: key_bls is owned by root, as . is.")
                && note.contains("sudo chown _loki:_loki key_bls"),
            "{note:?}"
        );
    } else {
        assert_eq!(r.stdout, expected);
    }
}

/// Keys no node can have are refused as bad input; nothing is written.
#[test]
fn degenerate_keys_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let zero = "00".repeat(32);
    // The BN254 group order r: r·G1 is the point at infinity.
    let order = "30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001";
    for (cmd, input) in [
        ("restore", zero.as_str()),
        ("restore-bls", zero.as_str()),
        ("restore-bls", order),
        ("restore-legacy", zero.as_str()),
    ] {
        let r = run_in(dir.path(), &[cmd, "out"], Some(input));
        assert_eq!(r.code, 7, "{cmd} {input}: {}", r.stderr);
        assert!(r.stderr.contains("degenerate"), "{}", r.stderr);
    }
    assert!(names(dir.path()).is_empty());
}

/// Issue 12 point 6: key files with Windows line endings are named as such,
/// and restore input is described (hex digits counted, blanks found, a
/// public key line or an Ed25519 key given to restore-bls recognised) without
/// being echoed; a whole `Secret key:` line of `show` is accepted.
#[test]
fn crlf_files_and_restore_input_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let ed_crlf = format!("0x{SEED}{ED_PUB}\r\n");
    assert_eq!(ed_crlf.len(), 132);
    fs::write(d.join("key_ed25519"), &ed_crlf).unwrap();
    fs::write(d.join("key_bls"), format!("0x{BLS_SK}\r\n")).unwrap();
    for args in [
        vec!["show", "key_ed25519"],
        vec!["show", "--ed25519", "key_ed25519"],
        vec!["show", "key_bls"],
    ] {
        let r = run_in(d, &args, None);
        assert_eq!(r.code, 2, "{args:?}");
        assert!(
            r.stderr.contains("Windows line ending (CR LF"),
            "{args:?}: {}",
            r.stderr
        );
        assert!(!r.stderr.contains("autodetect"), "{}", r.stderr);
        assert!(!r.stderr.contains(SEED) && !r.stderr.contains(BLS_SK));
    }

    let refused = |cmd: &str, input: &str, want: &str| {
        let r = run_in(d, &[cmd, "new_key"], Some(input));
        assert_eq!(r.code, 7, "{cmd} {want}: {}", r.stderr);
        assert!(r.stderr.contains("Invalid input: "), "{}", r.stderr);
        assert!(
            r.stderr.contains(want),
            "{cmd}: want {want:?}: {}",
            r.stderr
        );
        assert!(!r.stderr.contains(&SEED[8..40]) && !r.stderr.contains(&BLS_SK[8..40]));
        assert!(!d.join("new_key").exists());
    };
    let spaced: String = SEED
        .as_bytes()
        .chunks(4)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect::<Vec<_>>()
        .join(" ");
    refused(
        "restore",
        &spaced,
        "64 hex digits given, with blanks between them",
    );
    refused("restore", &SEED[..63], "63 hex digits given");
    refused(
        "restore",
        &format!("{}zz", &SEED[..62]),
        "62 hex digits given, and 2 other characters",
    );
    refused(
        "restore",
        &format!("Public key:      {ED_PUB}"),
        "the `Public key:` line of `show`",
    );
    refused(
        "restore-bls",
        &format!("{SEED}{ED_PUB}"),
        "that is an Ed25519 key (secret followed by its public key)",
    );
    refused(
        "restore-bls",
        &format!("0x{BLS_PK}"),
        "the length of a BLS public key",
    );

    // The `Secret key:` line as `show` prints it is a secret key.
    let r = run_in(
        d,
        &["restore", "ed"],
        Some(&format!("Secret key:      {SEED}\n")),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains(ED_PUB), "{}", r.stdout);
    let r = run_in(
        d,
        &["restore-bls", "bls"],
        Some(&format!("Secret key: 0x{BLS_SK}\r\n")),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        fs::read_to_string(d.join("bls")).unwrap(),
        format!("0x{BLS_SK}\n")
    );
}
