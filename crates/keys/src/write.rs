//! The atomic secret-file writer (docs/compat/decisions.md, "key file creation").
//!
//! A key file is never truncated, emptied or replaced in place, and a write
//! killed at any moment (SIGKILL, power loss) leaves no secret behind under
//! another name:
//! 1. the new contents go to an unnamed file in the same directory
//!    (`O_TMPFILE`, mode 0400 set at open), then fsynced; where `O_TMPFILE`
//!    (or linking it, which needs `/proc/self/fd` or `CAP_DAC_READ_SEARCH`)
//!    is not available, to a named temp file `.FILE.tmp-<pid>-<n>` created
//!    with `O_EXCL` and mode 0400 instead;
//! 2. when run as root, the file gets the owner and group of the directory
//!    (the daemon's user);
//! 3. a replaced key is first copied, whole, to an unnamed (or temp) file,
//!    fsynced, and only then linked to `FILE.<UTC timestamp>.bak` (0400): a
//!    `.bak` is complete or absent, never cut short;
//! 4. the new file is linked to the target (without `--overwrite`, so a file
//!    that appeared meanwhile is never replaced), or linked to its temp name
//!    and renamed over the target (with it), and the directory is fsynced;
//! 5. the file is read back and its public key re-derived and compared.
//!
//! Any failure before step 4 removes what was staged and leaves the previous
//! key untouched. A kill only between linking the temp name and the rename can
//! leave a `.FILE.tmp-<pid>-<n>` (as can a kill of the named fallback): every
//! write of FILE (and the daemon's start, [`remove_stale_temp_files`]) first
//! unlinks those whose process is gone. Nothing ever reads them as keys.

use std::ffi::OsStr;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Seek, Write};
use std::os::fd::AsRawFd;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

use rustix::fs::{AtFlags, Mode, OFlags, CWD};
use rustix::io::Errno;

use crate::{format, KeyError, SecretKey};

/// Mode of every secret file this crate creates.
pub const SECRET_MODE: u32 = 0o400;

/// A hook run after the new file is complete and before it is committed;
/// tests use it to inject failures. It gets a path the file can be read
/// through (its temp name, or `/proc/self/fd/N` for an unnamed file).
pub type BeforeCommit<'a> = &'a dyn Fn(&Path) -> io::Result<()>;

/// How to write a secret file.
#[derive(Default, Clone, Copy)]
pub struct WriteOptions<'a> {
    /// Replace an existing file (keeping a `.bak` copy of it).
    pub overwrite: bool,
    /// Test hook, see [`BeforeCommit`].
    pub before_commit: Option<BeforeCommit<'a>>,
    /// Stage in a named temp file even where `O_TMPFILE` works (the fallback
    /// path, for tests).
    pub named_temp: bool,
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

/// One writer at a time in this process: then a temp file named with our own
/// pid is never one being written right now (it is a dead process's whose pid
/// we got again), and [`remove_stale_temp_files`] may unlink it.
static WRITING: Mutex<()> = Mutex::new(());

fn writing() -> MutexGuard<'static, ()> {
    WRITING
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

fn file_name(path: &Path) -> io::Result<&OsStr> {
    path.file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "no file name"))
}

/// `.FILE.tmp-`: the start of every temp name of `FILE`.
fn temp_prefix(name: &OsStr) -> Vec<u8> {
    let mut prefix = b".".to_vec();
    prefix.extend_from_slice(name.as_bytes());
    prefix.extend_from_slice(b".tmp-");
    prefix
}

/// `DIR/.FILE.tmp-<pid>-<n>`.
fn temp_name(dir: &Path, name: &OsStr, n: u32) -> PathBuf {
    let mut file = temp_prefix(name);
    file.extend_from_slice(format!("{}-{n}", std::process::id()).as_bytes());
    dir.join(OsStr::from_bytes(&file))
}

/// Gives `claim` the temp names of `name` in `dir` (`.FILE.tmp-<pid>-<n>`, n = 0, 1, ...)
/// until it takes one: a name in use (`AlreadyExists`) moves on to the next, up to n = 100.
fn claim_temp_name<T>(
    dir: &Path,
    name: &OsStr,
    mut claim: impl FnMut(&Path) -> io::Result<T>,
) -> io::Result<(PathBuf, T)> {
    for n in 0u32.. {
        let path = temp_name(dir, name, n);
        match claim(&path) {
            Ok(v) => return Ok((path, v)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && n < 100 => {}
            Err(e) => return Err(e),
        }
    }
    unreachable!("the loop returns by n = 100")
}

/// The pid in the `<pid>-<n>` tail of a temp name, when it is one.
fn temp_pid(tail: &[u8]) -> Option<u32> {
    let text = std::str::from_utf8(tail).ok()?;
    let (pid, n) = text.split_once('-')?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(pid) || !digits(n) {
        return None;
    }
    pid.parse().ok()
}

/// Whether the process that named a temp file is gone (under [`writing`]).
fn writer_is_gone(pid: u32) -> bool {
    if pid == std::process::id() {
        return true;
    }
    let Some(pid) = i32::try_from(pid)
        .ok()
        .and_then(rustix::process::Pid::from_raw)
    else {
        return true;
    };
    // EPERM: alive, another user's.
    rustix::process::test_kill_process(pid) == Err(Errno::SRCH)
}

/// Unlinks the temp files (`.FILE.tmp-<pid>-<n>`, holding a new key or the
/// copy of an old one) that a write of `path` killed before it finished left
/// in its directory, when the process that made them is gone. Returns what it
/// removed. The key tool and the daemon's start call it before they touch a
/// key; such files are never read as keys.
pub fn remove_stale_temp_files(path: &Path) -> io::Result<Vec<PathBuf>> {
    let _one_writer = writing();
    remove_stale(path)
}

fn remove_stale(path: &Path) -> io::Result<Vec<PathBuf>> {
    let dir = parent_dir(path);
    let prefix = temp_prefix(file_name(path)?);
    let mut removed = Vec::new();
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        let Some(pid) = name
            .as_bytes()
            .strip_prefix(prefix.as_slice())
            .and_then(temp_pid)
        else {
            continue;
        };
        if entry.file_type()?.is_dir() || !writer_is_gone(pid) {
            continue;
        }
        let stale = dir.join(&name);
        match fs::remove_file(&stale) {
            Ok(()) => removed.push(stale),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    if !removed.is_empty() {
        sync_dir(dir)?;
    }
    Ok(removed)
}

/// When running as root: the uid and gid of `dir`, to give to new files.
fn owner_for(dir: &Path) -> io::Result<Option<(u32, u32)>> {
    if !rustix::process::geteuid().is_root() {
        return Ok(None);
    }
    let meta = fs::metadata(dir)?;
    Ok(Some((meta.uid(), meta.gid())))
}

fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// An unnamed (`O_TMPFILE`) file that cannot be linked here: the write
/// starts over with a named temp file (nothing was committed yet).
#[derive(Debug)]
struct Unlinkable;

impl std::fmt::Display for Unlinkable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("cannot link an O_TMPFILE file (no /proc/self/fd and no CAP_DAC_READ_SEARCH)")
    }
}

impl std::error::Error for Unlinkable {}

fn is_unlinkable(e: &io::Error) -> bool {
    e.get_ref().is_some_and(|inner| inner.is::<Unlinkable>())
}

/// A complete, fsynced secret file not under its final name yet: unnamed, or
/// under its temp name, which is unlinked on drop.
struct Staged {
    file: File,
    temp: Option<PathBuf>,
}

impl Drop for Staged {
    fn drop(&mut self) {
        if let Some(path) = self.temp.take() {
            let _ = fs::remove_file(path);
        }
    }
}

impl Staged {
    /// Stages a new secret file in `dir` (for `name`): mode 0400 at creation,
    /// owned by `owner` if given, filled by `fill`, fsynced.
    fn new(
        dir: &Path,
        name: &OsStr,
        owner: Option<(u32, u32)>,
        named: bool,
        fill: &mut dyn FnMut(&mut File) -> io::Result<()>,
    ) -> io::Result<Staged> {
        let unnamed = if named {
            None
        } else {
            let flags = OFlags::TMPFILE | OFlags::WRONLY | OFlags::CLOEXEC;
            match rustix::fs::openat(CWD, dir, flags, Mode::from_raw_mode(SECRET_MODE)) {
                Ok(fd) => Some(Staged {
                    file: File::from(fd),
                    temp: None,
                }),
                // No O_TMPFILE here (kernel or file system): a named temp file.
                Err(Errno::OPNOTSUPP | Errno::ISDIR | Errno::INVAL) => None,
                Err(e) => return Err(e.into()),
            }
        };
        let mut staged = match unnamed {
            Some(staged) => staged,
            None => {
                let (path, file) = claim_temp_name(dir, name, |path| {
                    OpenOptions::new()
                        .write(true)
                        .create_new(true)
                        .mode(SECRET_MODE)
                        .open(path)
                })?;
                Staged {
                    file,
                    temp: Some(path),
                }
            }
        };
        if let Some((uid, gid)) = owner {
            std::os::unix::fs::fchown(&staged.file, Some(uid), Some(gid))?;
        }
        fill(&mut staged.file)?;
        staged.file.sync_all()?;
        Ok(staged)
    }

    /// The file's `/proc/self/fd/<fd>` path.
    fn proc_path(&self) -> String {
        format!("/proc/self/fd/{}", self.file.as_raw_fd())
    }

    /// A path the staged file can be read through.
    fn readable_path(&self) -> PathBuf {
        match &self.temp {
            Some(path) => path.clone(),
            None => PathBuf::from(self.proc_path()),
        }
    }

    /// Gives the file the name `dest`, never replacing a file there
    /// (`AlreadyExists`). `Unsupported`: an unnamed file that cannot be linked.
    fn link(&self, dest: &Path) -> io::Result<()> {
        if let Some(temp) = &self.temp {
            return fs::hard_link(temp, dest);
        }
        match rustix::fs::linkat(&self.file, "", CWD, dest, AtFlags::EMPTY_PATH) {
            Ok(()) => return Ok(()),
            // Without CAP_DAC_READ_SEARCH (older kernels): ENOENT.
            Err(Errno::NOENT | Errno::PERM) => {}
            Err(e) => return Err(e.into()),
        }
        let proc_path = self.proc_path();
        match rustix::fs::linkat(CWD, proc_path.as_str(), CWD, dest, AtFlags::SYMLINK_FOLLOW) {
            Ok(()) => Ok(()),
            Err(Errno::NOENT) if !Path::new("/proc/self/fd").is_dir() => {
                Err(io::Error::new(io::ErrorKind::Unsupported, Unlinkable))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// The temp name the file has, giving it one (`.FILE.tmp-<pid>-<n>`) if
    /// it is unnamed.
    fn temp_path(&mut self, dir: &Path, name: &OsStr) -> io::Result<PathBuf> {
        if let Some(temp) = &self.temp {
            return Ok(temp.clone());
        }
        let (path, ()) = claim_temp_name(dir, name, |path| self.link(path))?;
        self.temp = Some(path.clone());
        Ok(path)
    }
}

/// `YYYYmmddTHHMMSSZ` for a Unix time (UTC), the backup file suffix.
pub fn utc_stamp(unix_secs: u64) -> String {
    let t = UNIX_EPOCH + std::time::Duration::from_secs(unix_secs);
    humantime::format_rfc3339_seconds(t)
        .to_string()
        .replace(['-', ':'], "")
}

/// Copies all of `src` into `dest` (whatever its size: a backup is never cut
/// short).
fn copy_all(src: &mut File, dest: &mut File) -> io::Result<()> {
    src.seek(io::SeekFrom::Start(0))?;
    let copied = io::copy(src, dest)?;
    let size = src.metadata()?.len();
    if copied != size {
        return Err(io::Error::other(format!(
            "copied {copied} of {size} bytes (the file changed while it was copied)"
        )));
    }
    Ok(())
}

/// A failed write: a key error, or "start over with a named temp file".
enum Failed {
    Key(KeyError),
    Unlinkable,
}

impl From<KeyError> for Failed {
    fn from(e: KeyError) -> Self {
        Failed::Key(e)
    }
}

fn write_error(path: &Path, source: io::Error) -> Failed {
    if is_unlinkable(&source) {
        return Failed::Unlinkable;
    }
    Failed::Key(KeyError::Write {
        path: path.to_path_buf(),
        source,
    })
}

/// Copies the current file, whole, to `FILE.<stamp>.bak` (0400, same owner
/// rule): staged and fsynced first, then linked to that name, so a `.bak` is
/// complete or absent.
fn backup(path: &Path, owner: Option<(u32, u32)>, named: bool) -> Result<PathBuf, Failed> {
    let mut old = File::open(path).map_err(|source| KeyError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let base = format!("{}.{}", path.display(), utc_stamp(now));
    let first = PathBuf::from(format!("{base}.bak"));
    let dir = parent_dir(path);
    let name = file_name(path).map_err(|e| write_error(path, e))?;
    let staged = Staged::new(dir, name, owner, named, &mut |f| copy_all(&mut old, f))
        .map_err(|e| write_error(&first, e))?;
    for n in 0u32.. {
        let candidate = if n == 0 {
            first.clone()
        } else {
            PathBuf::from(format!("{base}.{n}.bak"))
        };
        match staged.link(&candidate) {
            Ok(()) => return Ok(candidate),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(write_error(&candidate, e)),
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
    let _one_writer = writing();
    match write_staged(path, contents, opts, opts.named_temp) {
        Ok(written) => Ok(written),
        Err(Failed::Key(e)) => Err(e),
        Err(Failed::Unlinkable) => match write_staged(path, contents, opts, true) {
            Ok(written) => Ok(written),
            Err(Failed::Key(e)) => Err(e),
            Err(Failed::Unlinkable) => unreachable!("named temp files are always linkable"),
        },
    }
}

fn write_staged(
    path: &Path,
    contents: &[u8],
    opts: WriteOptions<'_>,
    named: bool,
) -> Result<Written, Failed> {
    let write_err = |source| write_error(path, source);
    if !opts.overwrite && path.symlink_metadata().is_ok() {
        return Err(KeyError::Exists {
            path: path.to_path_buf(),
        }
        .into());
    }
    let dir = parent_dir(path);
    let name = file_name(path).map_err(write_err)?;
    let owner = owner_for(dir).map_err(write_err)?;
    // What a killed write left (a directory we cannot read: the write below
    // says what is wrong).
    let _ = remove_stale(path);

    // 1-2: the complete new file.
    let mut staged =
        Staged::new(dir, name, owner, named, &mut |f| f.write_all(contents)).map_err(write_err)?;
    if let Some(hook) = opts.before_commit {
        hook(&staged.readable_path()).map_err(write_err)?;
    }

    // 3: keep the key being replaced.
    let backup = if opts.overwrite && path.exists() {
        Some(backup(path, owner, named)?)
    } else {
        None
    };

    // 4: commit.
    if opts.overwrite {
        let temp = match staged.temp_path(dir, name) {
            // The backup was linked the same way: cannot happen after it.
            Err(e) if is_unlinkable(&e) && backup.is_some() => {
                return Err(Failed::Key(KeyError::Write {
                    path: path.to_path_buf(),
                    source: e,
                }))
            }
            other => other.map_err(write_err)?,
        };
        fs::rename(&temp, path).map_err(write_err)?;
        staged.temp = None;
    } else {
        match staged.link(path) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                return Err(KeyError::Exists {
                    path: path.to_path_buf(),
                }
                .into())
            }
            Err(e) => return Err(write_err(e)),
        }
        if let Some(temp) = staged.temp.take() {
            fs::remove_file(&temp).map_err(write_err)?;
        }
    }
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
