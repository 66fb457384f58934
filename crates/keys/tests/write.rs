//! The atomic writer: modes, no clobbering, backups, and failures that leave
//! the previous key untouched.

use crate::common::bytes32;

use std::fs;
use std::io;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use snode_keys::format;
use snode_keys::write::{utc_stamp, write_key, WriteOptions};
use snode_keys::{BlsSecret, Ed25519Secret, KeyError, SecretKey};

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o7777
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn new_key_is_0400_and_canonical() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("key_ed25519");
    let key = Ed25519Secret::from_seed(&bytes32("ed_seed"));
    let written = write_key(&path, &key, WriteOptions::default()).unwrap();
    assert_eq!(written.backup, None);
    assert_eq!(mode(&path), 0o400);
    assert_eq!(fs::read(&path).unwrap(), key.file_contents().to_vec());
    assert_eq!(names(dir.path()), ["key_ed25519"]);
}

#[test]
fn existing_key_is_not_replaced_without_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("key_bls");
    fs::write(&path, b"old key bytes").unwrap();
    let key = BlsSecret::generate().unwrap();
    let err = write_key(&path, &key, WriteOptions::default())
        .err()
        .unwrap();
    assert!(matches!(err, KeyError::Exists { .. }), "{err}");
    assert!(err.to_string().contains("--overwrite"));
    assert_eq!(fs::read(&path).unwrap(), b"old key bytes");
    assert_eq!(names(dir.path()), ["key_bls"]);
}

#[test]
fn overwrite_keeps_a_0400_backup() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("key_bls");
    let old = BlsSecret::from_bytes(&bytes32("bls_sk_1"));
    write_key(&path, &old, WriteOptions::default()).unwrap();
    let new = BlsSecret::from_bytes(&bytes32("bls_sk_2"));
    let opts = WriteOptions {
        overwrite: true,
        ..WriteOptions::default()
    };
    let written = write_key(&path, &new, opts).unwrap();
    let backup = written.backup.expect("backup made");
    assert!(backup.to_string_lossy().ends_with(".bak"));
    assert_eq!(mode(&backup), 0o400);
    assert_eq!(fs::read(&backup).unwrap(), old.file_contents().to_vec());
    assert_eq!(fs::read(&path).unwrap(), new.file_contents().to_vec());
    let reread: BlsSecret = format::load(&path).unwrap();
    assert_eq!(reread.public_hex(), new.public_hex());
    assert_eq!(names(dir.path()).len(), 2);
}

#[test]
fn failure_before_rename_leaves_old_key_and_no_temp_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("key_ed25519");
    let old = Ed25519Secret::from_seed(&bytes32("ed_seed"));
    write_key(&path, &old, WriteOptions::default()).unwrap();
    let before = fs::read(&path).unwrap();

    let saw_temp = std::cell::Cell::new(false);
    let hook = |tmp: &Path| -> io::Result<()> {
        // The temp file is complete and 0400 when the hook runs.
        assert_eq!(mode(tmp), 0o400);
        assert_eq!(fs::read(tmp).unwrap().len(), 131);
        saw_temp.set(true);
        Err(io::Error::other("injected failure"))
    };
    let new = Ed25519Secret::generate().unwrap();
    let opts = WriteOptions {
        overwrite: true,
        before_commit: Some(&hook),
    };
    let err = write_key(&path, &new, opts).err().unwrap();
    assert!(saw_temp.get());
    assert!(err.to_string().contains("injected failure"), "{err}");
    assert_eq!(fs::read(&path).unwrap(), before);
    assert_eq!(names(dir.path()), ["key_ed25519"], "no temp or backup left");
}

#[test]
fn backup_stamp_is_utc_civil_time() {
    assert_eq!(utc_stamp(0), "19700101T000000Z");
    assert_eq!(utc_stamp(951_782_400), "20000229T000000Z");
    assert_eq!(utc_stamp(1_764_063_045), "20251125T093045Z");
}

/// A replaced file larger than any key (4 KiB is the key reader's limit) is
/// kept whole in the .bak, not cut short.
#[test]
fn backup_of_a_large_file_is_complete() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("key_bls");
    let big: Vec<u8> = (0..10_000u32).map(|i| (i % 251) as u8).collect();
    fs::write(&path, &big).unwrap();
    let key = BlsSecret::from_bytes(&bytes32("bls_sk_2"));
    let opts = WriteOptions {
        overwrite: true,
        ..WriteOptions::default()
    };
    let written = write_key(&path, &key, opts).unwrap();
    let backup = written.backup.expect("backup made");
    assert_eq!(fs::read(&backup).unwrap(), big);
    assert_eq!(mode(&backup), 0o400);
    assert_eq!(fs::read(&path).unwrap(), key.file_contents().to_vec());
}

/// A write error names the file and says what to do.
#[test]
fn write_error_names_the_file_and_says_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("missing-dir").join("key_bls");
    let key = BlsSecret::from_bytes(&bytes32("bls_sk_2"));
    let err = write_key(&path, &key, WriteOptions::default())
        .err()
        .unwrap();
    assert!(matches!(err, KeyError::Write { .. }), "{err}");
    let msg = err.to_string();
    assert!(msg.contains(&format!("'{}'", path.display())), "{msg}");
    assert!(
        msg.contains("the directory does not exist: create it or check the path"),
        "{msg}"
    );
}
