//! The atomic secret-file writer (docs/compat/decisions.md, "key file creation").
//!
//! A key file is never truncated, emptied or replaced in place:
//! 1. the new contents go to a temp file in the same directory, created with
//!    `O_EXCL` and mode 0400 set at open, then fsynced;
//! 2. when run as root, the temp file gets the owner and group of the
//!    directory (the daemon's user);
//! 3. a replaced key is first copied to `FILE.<UTC timestamp>.bak` (0400);
//! 4. the temp file is renamed over the target (with `--overwrite`) or
//!    hard-linked to it (without, so a file that appeared meanwhile is never
//!    replaced), and the directory is fsynced;
//! 5. the file is read back and its public key re-derived and compared.
//!
//! Any failure before step 4 removes the temp file and leaves the previous
//! key untouched.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Seek, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::{format, KeyError, SecretKey};

/// Mode of every secret file this crate creates.
pub const SECRET_MODE: u32 = 0o400;

/// A hook run after the temp file is complete and before it is committed;
/// tests use it to inject failures.
pub type BeforeCommit<'a> = &'a dyn Fn(&Path) -> io::Result<()>;

/// How to write a secret file.
#[derive(Default, Clone, Copy)]
pub struct WriteOptions<'a> {
    /// Replace an existing file (keeping a `.bak` copy of it).
    pub overwrite: bool,
    /// Test hook, see [`BeforeCommit`].
    pub before_commit: Option<BeforeCommit<'a>>,
}

/// What a successful write did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub path: PathBuf,
    /// Where the replaced key was kept.
    pub backup: Option<PathBuf>,
    /// Owner and group given to the file (only when run as root).
    pub owner: Option<(u32, u32)>,
}

/// Removes the temp file unless disarmed.
struct TempGuard(Option<PathBuf>);

impl Drop for TempGuard {
    fn drop(&mut self) {
        if let Some(path) = self.0.take() {
            let _ = fs::remove_file(path);
        }
    }
}

fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// When running as root: the uid and gid of `dir`, to give to new files.
fn owner_for(dir: &Path) -> io::Result<Option<(u32, u32)>> {
    if !rustix::process::geteuid().is_root() {
        return Ok(None);
    }
    let meta = fs::metadata(dir)?;
    Ok(Some((meta.uid(), meta.gid())))
}

/// Creates `path` exclusively, mode 0400 set at open, owned by `owner` if given.
fn open_secret(path: &Path, owner: Option<(u32, u32)>) -> io::Result<File> {
    let file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(SECRET_MODE)
        .open(path)?;
    if let Some((uid, gid)) = owner {
        std::os::unix::fs::fchown(&file, Some(uid), Some(gid))?;
    }
    Ok(file)
}

/// Creates `path` exclusively with mode 0400, writes `contents`, fsyncs.
fn create_secret(path: &Path, contents: &[u8], owner: Option<(u32, u32)>) -> io::Result<()> {
    let mut file = open_secret(path, owner)?;
    file.write_all(contents)?;
    file.sync_all()
}

fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// `YYYYmmddTHHMMSSZ` for a Unix time (UTC), the backup file suffix.
pub fn utc_stamp(unix_secs: u64) -> String {
    let t = UNIX_EPOCH + std::time::Duration::from_secs(unix_secs);
    humantime::format_rfc3339_seconds(t)
        .to_string()
        .replace(['-', ':'], "")
}

/// Creates `dest` exclusively with mode 0400 and copies all of `src` into
/// it (whatever its size: a backup is never cut short), then fsyncs.
fn copy_secret(src: &mut File, dest: &Path, owner: Option<(u32, u32)>) -> io::Result<()> {
    let mut file = open_secret(dest, owner)?;
    src.seek(io::SeekFrom::Start(0))?;
    let copied = io::copy(src, &mut file)?;
    let size = src.metadata()?.len();
    if copied != size {
        return Err(io::Error::other(format!(
            "copied {copied} of {size} bytes (the file changed while it was copied)"
        )));
    }
    file.sync_all()
}

/// Copies the current file, whole, to `FILE.<stamp>.bak` (0400, same owner
/// rule).
fn backup(path: &Path, owner: Option<(u32, u32)>) -> Result<PathBuf, KeyError> {
    let mut old = File::open(path).map_err(|source| KeyError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let base = format!("{}.{}", path.display(), utc_stamp(now));
    for n in 0u32.. {
        let candidate = if n == 0 {
            PathBuf::from(format!("{base}.bak"))
        } else {
            PathBuf::from(format!("{base}.{n}.bak"))
        };
        match copy_secret(&mut old, &candidate, owner) {
            Ok(()) => return Ok(candidate),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(source) => {
                let _ = fs::remove_file(&candidate);
                return Err(KeyError::Write {
                    path: candidate,
                    source,
                });
            }
        }
    }
    unreachable!("u32 range exhausted while choosing a backup name")
}

/// Writes `contents` to `path` atomically (see the module docs). Does not
/// read the result back; [`write_key`] does.
pub fn write_secret_file(
    path: &Path,
    contents: &[u8],
    opts: WriteOptions<'_>,
) -> Result<Written, KeyError> {
    let write_err = |source| KeyError::Write {
        path: path.to_path_buf(),
        source,
    };
    if !opts.overwrite && path.symlink_metadata().is_ok() {
        return Err(KeyError::Exists {
            path: path.to_path_buf(),
        });
    }
    let dir = parent_dir(path);
    let owner = owner_for(dir).map_err(write_err)?;
    let file_name = path
        .file_name()
        .ok_or_else(|| write_err(io::Error::new(io::ErrorKind::InvalidInput, "no file name")))?;

    // 1-2: complete temp file.
    let mut guard = TempGuard(None);
    let mut attempt = 0u32;
    let tmp = loop {
        let candidate = dir.join(format!(
            ".{}.tmp-{}-{attempt}",
            file_name.to_string_lossy(),
            std::process::id()
        ));
        match create_secret(&candidate, contents, owner) {
            Ok(()) => break candidate,
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempt < 100 => attempt += 1,
            Err(source) => {
                let _ = fs::remove_file(&candidate);
                return Err(write_err(source));
            }
        }
    };
    guard.0 = Some(tmp.clone());
    if let Some(hook) = opts.before_commit {
        hook(&tmp).map_err(write_err)?;
    }

    // 3: keep the key being replaced.
    let backup = if opts.overwrite && path.exists() {
        Some(backup(path, owner)?)
    } else {
        None
    };

    // 4: commit.
    if opts.overwrite {
        fs::rename(&tmp, path).map_err(write_err)?;
    } else {
        match fs::hard_link(&tmp, path) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                return Err(KeyError::Exists {
                    path: path.to_path_buf(),
                })
            }
            Err(source) => return Err(write_err(source)),
        }
        fs::remove_file(&tmp).map_err(write_err)?;
    }
    guard.0 = None;
    sync_dir(dir).map_err(write_err)?;
    Ok(Written {
        path: path.to_path_buf(),
        backup,
        owner,
    })
}

/// Writes `key` to `path` in its canonical format, then reads the file back
/// and checks that it holds the same key.
pub fn write_key<K: SecretKey>(
    path: &Path,
    key: &K,
    opts: WriteOptions<'_>,
) -> Result<Written, KeyError> {
    let contents = key.file_contents();
    let written = write_secret_file(path, &contents, opts)?;
    let reread: K = format::load(path)?;
    if reread.public_hex() != key.public_hex() {
        return Err(KeyError::ReadBack {
            path: path.to_path_buf(),
        });
    }
    Ok(written)
}
