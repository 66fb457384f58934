//! Keys at the daemon's start: what an interrupted key write left is removed,
//! never used; a failed key creation says what to do once.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

use snode_keys::KeyError;
use snode_node::keys::{load_or_create_keys, KeysError, Origin};
use snode_testkit::files::{dead_pid, leave_secret, names};

/// R1: a first start killed while writing its keys left temp files holding
/// them (complete or cut short); the next start unlinks them, creates the keys
/// afresh and never takes a key from them.
#[test]
fn next_start_removes_temp_files_of_an_interrupted_first_start() {
    let dir = tempfile::tempdir().unwrap();
    let dead = dead_pid();
    let ed_tmp = dir.path().join(format!(".key_ed25519.tmp-{dead}-0"));
    let bls_tmp = dir.path().join(format!(".key_bls.tmp-{dead}-0"));
    let stray_ed = format!("0x{}\n", "11".repeat(64));
    leave_secret(&ed_tmp, stray_ed.as_bytes());
    leave_secret(&bls_tmp, b"0x2222");

    let (keys, files) = load_or_create_keys(dir.path(), true).unwrap();
    let created: Vec<(PathBuf, Origin)> = vec![
        (dir.path().join("key_ed25519"), Origin::Created),
        (dir.path().join("key_bls"), Origin::Created),
    ];
    assert_eq!(files, created);
    assert_eq!(names(dir.path()), ["key_bls", "key_ed25519"]);
    assert_ne!(
        fs::read(dir.path().join("key_ed25519")).unwrap(),
        stray_ed.as_bytes()
    );
    for key in ["key_ed25519", "key_bls"] {
        let mode = fs::metadata(dir.path().join(key))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o7777, 0o400, "{key}");
    }

    // A start that finds its keys removes temp files too and keeps the keys.
    let before = fs::read(dir.path().join("key_bls")).unwrap();
    leave_secret(&bls_tmp, b"0x3333");
    let (again, files) = load_or_create_keys(dir.path(), true).unwrap();
    assert!(files.iter().all(|(_, o)| *o == Origin::Loaded));
    assert_eq!(again.public, keys.public);
    assert_eq!(names(dir.path()), ["key_bls", "key_ed25519"]);
    assert_eq!(fs::read(dir.path().join("key_bls")).unwrap(), before);
}

/// R3: a write error carries its own advice (here: read-only media); the
/// data-directory hint is only added for other causes.
#[test]
fn key_creation_error_gives_one_hint() {
    let path = PathBuf::from("/var/lib/oxen/stagenet/key_ed25519");
    let erofs = KeysError::Create {
        path: path.clone(),
        source: KeyError::Write {
            path: path.clone(),
            source: std::io::Error::from_raw_os_error(30),
        },
    }
    .to_string();
    assert!(
        erofs.contains("mounted read-only (sudo does not help)"),
        "{erofs}"
    );
    assert!(!erofs.contains("writable by this user"), "{erofs}");
    let enospc = KeysError::Create {
        path: path.clone(),
        source: KeyError::Write {
            path: path.clone(),
            source: std::io::Error::from_raw_os_error(28),
        },
    }
    .to_string();
    assert!(
        enospc
            .ends_with("No space left on device; the disk is full: free some space and try again"),
        "{enospc}"
    );
    let random = KeysError::Create {
        path,
        source: KeyError::Random("no entropy".into()),
    }
    .to_string();
    assert!(
        random.ends_with("; check that the data directory exists and is writable by this user"),
        "{random}"
    );
}
