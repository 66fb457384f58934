//! Installing a config file atomically with mode 0640 and group `_loki`
//! (docs/compat/decisions.md "config file mode"; docs/ARCHITECTURE.md "temp file + fsync + rename + dir fsync").

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{fchown, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use crate::error::ConfError;

/// Mode of config files (they may hold provider API keys).
pub const CONFIG_MODE: u32 = 0o640;
/// Group that must be able to read config files: the daemon's (docs/compat/systemd-and-package.md).
pub const CONFIG_GROUP: &str = "_loki";

/// The group a file written by [`write_atomic`] gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileGroup {
    /// The writer's own group.
    Own,
    /// This group id when it can be applied; when it cannot (for instance when not run
    /// as root), the file is still installed and [`WriteOutcome::group_error`] says why.
    Prefer(u32),
    /// This group id or nothing: when it cannot be applied the write is abandoned before
    /// anything is replaced ([`ConfError::Group`]).
    Require(u32),
}

/// What [`write_atomic`] did beyond writing.
#[derive(Debug, Default)]
pub struct WriteOutcome {
    /// Set when a [`FileGroup::Prefer`] group could not be applied; the file was still
    /// written, with mode 0640 and the caller's group.
    pub group_error: Option<io::Error>,
}

/// The gid of `name` in `/etc/group`, if the group exists there.
pub fn lookup_group(name: &str) -> Option<u32> {
    lookup_group_in(&fs::read_to_string("/etc/group").ok()?, name)
}

fn lookup_group_in(group_file: &str, name: &str) -> Option<u32> {
    group_file.lines().find_map(|line| {
        let mut fields = line.split(':');
        (fields.next()? == name).then_some(())?;
        fields.nth(1)?.parse().ok()
    })
}

fn write_err(path: &Path) -> impl FnOnce(io::Error) -> ConfError + '_ {
    move |source| ConfError::Write {
        path: path.to_path_buf(),
        source,
    }
}

/// Writes `contents` to `path` so that readers see the old file or the new one, never
/// a mix: a temporary file in the same directory, created with mode 0640, given the
/// `group`, written, fsynced, renamed over `path`, and the directory fsynced.
/// A symlink at `path` is followed: its target is replaced.
///
/// With [`FileGroup::Require`] a failure to apply the group removes the temporary file
/// and leaves `path` as it was; with [`FileGroup::Prefer`] it is only reported in
/// [`WriteOutcome::group_error`].
pub fn write_atomic(
    path: &Path,
    contents: &[u8],
    group: FileGroup,
) -> Result<WriteOutcome, ConfError> {
    let target: PathBuf = match fs::canonicalize(path) {
        Ok(p) => p,
        Err(_) => path.to_path_buf(),
    };
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let file_name = target.file_name().ok_or_else(|| {
        write_err(path)(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a file name",
        ))
    })?;
    let mut outcome = WriteOutcome::default();
    let mut n = 0u32;
    let (tmp, mut file) = loop {
        let mut name = std::ffi::OsString::from(".");
        name.push(file_name);
        name.push(format!(".tmp.{}.{n}", std::process::id()));
        let tmp = dir.join(name);
        match OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(CONFIG_MODE)
            .open(&tmp)
        {
            Ok(f) => break (tmp, f),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && n < 100 => n += 1,
            Err(e) => return Err(write_err(&tmp)(e)),
        }
    };
    let result = (|| {
        let io = |e: io::Error| write_err(&target)(e);
        // The umask may have removed bits at open; set the mode exactly.
        file.set_permissions(fs::Permissions::from_mode(CONFIG_MODE))
            .map_err(io)?;
        match group {
            FileGroup::Own => {}
            FileGroup::Prefer(gid) => {
                if let Err(e) = fchown(&file, None, Some(gid)) {
                    outcome.group_error = Some(e);
                }
            }
            FileGroup::Require(gid) => {
                if let Err(source) = fchown(&file, None, Some(gid)) {
                    return Err(ConfError::Group {
                        path: target.clone(),
                        gid,
                        source,
                    });
                }
            }
        }
        file.write_all(contents).map_err(io)?;
        file.sync_all().map_err(io)?;
        drop(file);
        fs::rename(&tmp, &target).map_err(io)?;
        File::open(&dir).and_then(|d| d.sync_all()).map_err(io)
    })();
    match result {
        Ok(()) => Ok(outcome),
        Err(e) => {
            let _ = fs::remove_file(&tmp);
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_file() {
        let f = "root:x:0:\n_loki:x:118:\nfoo:x:1000:bar\n";
        assert_eq!(lookup_group_in(f, "_loki"), Some(118));
        assert_eq!(lookup_group_in(f, "loki"), None);
        assert_eq!(lookup_group_in(f, "root"), Some(0));
    }

    #[test]
    fn writes_with_mode_and_replaces() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("stagenet.conf");
        fs::write(&path, "old\n").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        let out = write_atomic(&path, b"new\n", FileGroup::Own).unwrap();
        assert!(out.group_error.is_none());
        assert_eq!(fs::read(&path).unwrap(), b"new\n");
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o7777,
            0o640
        );
        let leftovers: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "temporary file left behind");
    }

    #[test]
    fn applies_the_group_or_reports_why_not() {
        use std::os::unix::fs::MetadataExt;
        let dir = tempfile::tempdir().unwrap();
        let own = fs::metadata(dir.path()).unwrap().gid();
        let other = if own == 4242 { 4243 } else { 4242 };
        let root = fs::metadata("/proc/self").unwrap().uid() == 0;
        let path = dir.path().join("stagenet.conf");
        let out = write_atomic(&path, b"x\n", FileGroup::Prefer(other)).unwrap();
        let meta = fs::metadata(&path).unwrap();
        if root {
            assert!(out.group_error.is_none(), "{:?}", out.group_error);
            assert_eq!(meta.gid(), other);
        } else {
            assert!(
                out.group_error.is_some(),
                "an unprivileged chown to a foreign group must be reported"
            );
            assert_eq!(meta.gid(), own);
        }
        assert_eq!(fs::read(&path).unwrap(), b"x\n", "written either way");
        assert_eq!(meta.permissions().mode() & 0o7777, 0o640);
    }

    /// Runs `f` on a thread that cannot chown to foreign groups: as root, CAP_CHOWN is
    /// dropped from that thread's effective set (capabilities are per thread); an
    /// unprivileged user lacks it anyway.
    fn without_cap_chown<T: Send>(f: impl FnOnce() -> T + Send) -> T {
        use rustix::thread::{capabilities, set_capabilities, CapabilitySet};
        std::thread::scope(|s| {
            s.spawn(|| {
                let mut caps = capabilities(None).unwrap();
                caps.effective.remove(CapabilitySet::CHOWN);
                set_capabilities(None, caps).unwrap();
                assert!(!capabilities(None)
                    .unwrap()
                    .effective
                    .contains(CapabilitySet::CHOWN));
                f()
            })
            .join()
            .unwrap()
        })
    }

    /// A group id that this process is not a member of.
    fn foreign_gid(dir: &Path) -> u32 {
        use std::os::unix::fs::MetadataExt;
        let own = fs::metadata(dir).unwrap().gid();
        let groups = fs::read_to_string("/proc/self/status").unwrap();
        let member: Vec<u32> = groups
            .lines()
            .filter(|l| l.starts_with("Groups:") || l.starts_with("Gid:"))
            .flat_map(|l| l.split_whitespace().skip(1))
            .filter_map(|g| g.parse().ok())
            .collect();
        (4242..).find(|g| *g != own && !member.contains(g)).unwrap()
    }

    #[test]
    fn a_required_group_that_cannot_be_applied_replaces_nothing() {
        use std::os::unix::fs::MetadataExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("stagenet.conf");
        fs::write(&path, "old\n").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
        let before = fs::metadata(&path).unwrap();
        let gid = foreign_gid(dir.path());
        let err = without_cap_chown(|| write_atomic(&path, b"new\n", FileGroup::Require(gid)))
            .unwrap_err();
        assert!(
            matches!(err, ConfError::Group { gid: g, .. } if g == gid),
            "{err}"
        );
        let msg = err.to_string();
        assert!(
            msg.contains("stagenet.conf") && msg.contains(&gid.to_string()),
            "{msg}"
        );
        assert!(msg.contains("left unchanged"), "{msg}");
        assert_eq!(fs::read(&path).unwrap(), b"old\n", "the old file stays");
        let after = fs::metadata(&path).unwrap();
        assert_eq!(after.ino(), before.ino(), "not replaced");
        assert_eq!(after.permissions().mode() & 0o7777, 0o600);
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["stagenet.conf"], "temporary file left behind");

        // Preferred instead of required: written anyway, the failure reported.
        let out =
            without_cap_chown(|| write_atomic(&path, b"new\n", FileGroup::Prefer(gid))).unwrap();
        assert!(out.group_error.is_some());
        assert_eq!(fs::read(&path).unwrap(), b"new\n");
    }

    #[test]
    fn a_required_group_is_applied_when_allowed() {
        use std::os::unix::fs::MetadataExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("stagenet.conf");
        // A group this process may always give its files: its own.
        let own = fs::metadata(dir.path()).unwrap().gid();
        let out = write_atomic(&path, b"x\n", FileGroup::Require(own)).unwrap();
        assert!(out.group_error.is_none());
        assert_eq!(fs::metadata(&path).unwrap().gid(), own);
        assert_eq!(fs::read(&path).unwrap(), b"x\n");
    }

    #[test]
    fn follows_symlink() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.conf");
        let link = dir.path().join("link.conf");
        fs::write(&real, "a=1\n").unwrap();
        std::os::unix::fs::symlink(&real, &link).unwrap();
        write_atomic(&link, b"b\n", FileGroup::Own).unwrap();
        assert!(fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(fs::read(&real).unwrap(), b"b\n");
    }

    #[test]
    fn missing_directory_is_an_error_naming_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nope/stagenet.conf");
        let err = write_atomic(&path, b"x", FileGroup::Own).unwrap_err();
        assert!(err.to_string().contains("nope"), "{err}");
    }
}
