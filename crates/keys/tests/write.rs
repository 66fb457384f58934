//! The atomic writer: modes, no clobbering, backups, and failures that leave
//! the previous key untouched.

use crate::common::bytes32;

use std::fs;
use std::io;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use snode_keys::format;
use snode_keys::write::{remove_stale_temp_files, utc_stamp, write_key, WriteOptions};
use snode_keys::{BlsSecret, Ed25519Secret, KeyError, SecretKey};
use snode_testkit::files::{dead_pid, leave_secret, names};

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o7777
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
        ..WriteOptions::default()
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

/// R1: while the new key is staged (the moment a kill left a temp file holding
/// it before), the directory holds the old key and nothing else; after a
/// failure too.
#[test]
fn a_staged_key_has_no_name_in_the_directory() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("key_bls");
    let old = BlsSecret::from_bytes(&bytes32("bls_sk_1"));
    write_key(&path, &old, WriteOptions::default()).unwrap();
    let new = BlsSecret::from_bytes(&bytes32("bls_sk_2"));
    let seen = std::cell::RefCell::new(None);
    let hook = |staged: &Path| -> io::Result<()> {
        // The staged file is complete and 0400, readable through the path given.
        assert_eq!(fs::read(staged).unwrap(), new.file_contents().to_vec());
        assert_eq!(mode(staged), 0o400);
        *seen.borrow_mut() = Some(names(dir.path()));
        Err(io::Error::other("killed here"))
    };
    let opts = WriteOptions {
        overwrite: true,
        before_commit: Some(&hook),
        ..WriteOptions::default()
    };
    write_key(&path, &new, opts).err().unwrap();
    assert_eq!(seen.borrow().as_deref(), Some(&["key_bls".to_string()][..]));
    assert_eq!(names(dir.path()), ["key_bls"]);
    assert_eq!(fs::read(&path).unwrap(), old.file_contents().to_vec());
}

/// R1: temp files a killed write left (the new key, complete or cut short; the
/// copy of an old key) are unlinked by the next write of that key and never
/// read as the key; those of a live process, of another key, and other names
/// are left alone.
#[test]
fn temp_files_of_a_killed_write_are_removed_by_the_next_write() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("key_ed25519");
    let old = Ed25519Secret::from_seed(&bytes32("ed_seed"));
    write_key(&path, &old, WriteOptions::default()).unwrap();
    let stray = Ed25519Secret::from_seed(&[0x11; 32]);
    let dead = dead_pid();
    let own = std::process::id();
    let stale = [
        format!(".key_ed25519.tmp-{dead}-0"),
        format!(".key_ed25519.tmp-{dead}-1"),
        // a dead process whose pid this process got again
        format!(".key_ed25519.tmp-{own}-7"),
    ];
    leave_secret(&dir.path().join(&stale[0]), &stray.file_contents());
    leave_secret(&dir.path().join(&stale[1]), &stray.file_contents()[..40]);
    leave_secret(&dir.path().join(&stale[2]), &old.file_contents());
    // pid 1 is always running: maybe a write in progress.
    let kept = [
        ".key_ed25519.tmp-1-0".to_string(),
        format!(".key_bls.tmp-{dead}-0"),
        ".key_ed25519.tmp-x-0".to_string(),
        format!(".key_ed25519.tmp-{dead}"),
        "key_ed25519.tmp".to_string(),
    ];
    for name in &kept {
        leave_secret(&dir.path().join(name), b"not touched");
    }

    let new = Ed25519Secret::from_seed(&[0x22; 32]);
    let opts = WriteOptions {
        overwrite: true,
        ..WriteOptions::default()
    };
    let written = write_key(&path, &new, opts).unwrap();
    assert_eq!(fs::read(&path).unwrap(), new.file_contents().to_vec());
    let backup = written.backup.unwrap();
    assert_eq!(fs::read(&backup).unwrap(), old.file_contents().to_vec());
    let mut want: Vec<String> = kept.to_vec();
    want.push("key_ed25519".into());
    want.push(backup.file_name().unwrap().to_string_lossy().into_owned());
    want.sort();
    assert_eq!(names(dir.path()), want);
    for name in &kept {
        assert_eq!(fs::read(dir.path().join(name)).unwrap(), b"not touched");
    }
}

/// R1, the daemon's start: `remove_stale_temp_files` unlinks them without
/// writing and says which it removed.
#[test]
fn remove_stale_temp_files_lists_what_it_removed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("key_bls");
    let dead = dead_pid();
    let name = format!(".key_bls.tmp-{dead}-0");
    leave_secret(&dir.path().join(&name), b"0x1234");
    leave_secret(&dir.path().join(".key_bls.tmp-1-0"), b"live");
    let removed = remove_stale_temp_files(&path).unwrap();
    assert_eq!(removed, [dir.path().join(&name)]);
    assert_eq!(names(dir.path()), [".key_bls.tmp-1-0"]);
    assert!(remove_stale_temp_files(&path).unwrap().is_empty());
    // A directory that does not exist is an error that says so.
    let err = remove_stale_temp_files(&dir.path().join("nope").join("key_bls")).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::NotFound);
}

/// Where O_TMPFILE cannot be used, a named 0400 temp file: removed on failure,
/// renamed into place (the .bak made the same way) on success.
#[test]
fn named_temp_fallback_is_atomic_too() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("key_ed25519");
    let old = Ed25519Secret::from_seed(&bytes32("ed_seed"));
    let named = WriteOptions {
        named_temp: true,
        ..WriteOptions::default()
    };
    write_key(&path, &old, named).unwrap();
    assert_eq!(names(dir.path()), ["key_ed25519"]);
    assert_eq!(mode(&path), 0o400);

    let new = Ed25519Secret::from_seed(&[0x22; 32]);
    let seen = std::cell::RefCell::new(Vec::new());
    let hook = |staged: &Path| -> io::Result<()> {
        *seen.borrow_mut() = names(dir.path());
        assert_eq!(mode(staged), 0o400);
        Err(io::Error::other("injected failure"))
    };
    let failing = WriteOptions {
        overwrite: true,
        before_commit: Some(&hook),
        named_temp: true,
    };
    write_key(&path, &new, failing).err().unwrap();
    let temp = format!(".key_ed25519.tmp-{}-0", std::process::id());
    assert_eq!(*seen.borrow(), [temp, "key_ed25519".to_string()]);
    assert_eq!(names(dir.path()), ["key_ed25519"]);

    let written = write_key(
        &path,
        &new,
        WriteOptions {
            overwrite: true,
            ..named
        },
    )
    .unwrap();
    let backup = written.backup.unwrap();
    assert_eq!(fs::read(&backup).unwrap(), old.file_contents().to_vec());
    assert_eq!(mode(&backup), 0o400);
    assert_eq!(fs::read(&path).unwrap(), new.file_contents().to_vec());
    assert_eq!(names(dir.path()).len(), 2, "{:?}", names(dir.path()));
}

/// R2: a `.bak` never appears cut short. A backup whose name is taken gets
/// the next one, complete; the file under the taken name is left as it was.
#[test]
fn backup_is_complete_under_a_free_name() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("key_bls");
    let old = BlsSecret::from_bytes(&bytes32("bls_sk_1"));
    write_key(&path, &old, WriteOptions::default()).unwrap();
    let new = BlsSecret::from_bytes(&bytes32("bls_sk_2"));
    // Take the names the backup could get in the next seconds.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    for s in now..now + 5 {
        leave_secret(
            &dir.path().join(format!("key_bls.{}.bak", utc_stamp(s))),
            b"0x12",
        );
    }
    let opts = WriteOptions {
        overwrite: true,
        ..WriteOptions::default()
    };
    let written = write_key(&path, &new, opts).unwrap();
    let backup = written.backup.unwrap();
    assert!(
        backup.to_string_lossy().ends_with(".1.bak"),
        "{}",
        backup.display()
    );
    assert_eq!(fs::read(&backup).unwrap(), old.file_contents().to_vec());
    assert_eq!(mode(&backup), 0o400);
    for s in now..now + 5 {
        assert_eq!(
            fs::read(dir.path().join(format!("key_bls.{}.bak", utc_stamp(s)))).unwrap(),
            b"0x12"
        );
    }
}

/// R3: on read-only media the hint is to remount or write elsewhere, not sudo.
#[test]
fn read_only_media_hint_is_not_sudo() {
    let path = Path::new("/mnt/ro/key_bls");
    let erofs = KeyError::Write {
        path: path.to_path_buf(),
        source: io::Error::from_raw_os_error(30),
    };
    let msg = erofs.to_string();
    assert!(
        msg.starts_with("Failed to open output file '/mnt/ro/key_bls': Read-only file system; "),
        "{msg}"
    );
    assert!(
        msg.contains("mounted read-only (sudo does not help)"),
        "{msg}"
    );
    assert!(msg.contains("mount -o remount,rw"), "{msg}");
    assert!(!msg.contains("run with sudo"), "{msg}");
    let eacces = KeyError::Write {
        path: path.to_path_buf(),
        source: io::Error::from_raw_os_error(13),
    };
    assert!(eacces
        .to_string()
        .contains("not writable by this user: run with sudo"));
}
