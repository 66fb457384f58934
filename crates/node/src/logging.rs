//! Logging: stderr (with syslog priority prefixes when stderr is the journal) and
//! the `log-file`, rotated by size honouring `max-log-file-size` and `max-log-files`
//! (docs/compat/decisions.md; upstream ignores both). `log-level` takes a level and
//! `category=level` items as oxend does (docs/compat/config.md). Every line passes through a
//! [`Scrubber`] that hides provider URL secrets, whatever the caller logged.
//!
//! Categories are tracing targets. The daemon logs to `global`, `daemon`, `rpc`,
//! `keys` and `l2_tracker`; the names `l2_tracker` and `ethyl` also cover the
//! module targets of the snode-l2 and snode-eth crates.

use std::fmt::Write as _;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::Layer;

/// A bad `log-level` value.
#[derive(Debug, thiserror::Error)]
#[error(
    "invalid log-level '{value}': {reason}; use a level (critical, error, warning, info, \
     debug, trace or 0-4) optionally followed by category=level items, e.g. \
     'warning,l2_tracker=debug'"
)]
pub struct LogLevelError {
    /// The value given.
    pub value: String,
    /// What is wrong with it.
    pub reason: String,
}

/// Names that stand for more than one target.
const ALIASES: &[(&str, &[&str])] = &[
    ("l2_tracker", &["l2_tracker", "snode_l2", "snode_eth"]),
    ("ethyl", &["ethyl", "snode_eth::rpc", "snode_eth::pool"]),
];

fn parse_level(text: &str) -> Option<LevelFilter> {
    Some(match text.trim().to_ascii_lowercase().as_str() {
        "critical" | "crit" | "error" | "err" => LevelFilter::ERROR,
        "warning" | "warn" | "0" => LevelFilter::WARN,
        "info" | "1" => LevelFilter::INFO,
        "debug" | "2" => LevelFilter::DEBUG,
        "trace" | "3" | "4" => LevelFilter::TRACE,
        "off" | "none" => LevelFilter::OFF,
        _ => return None,
    })
}

/// A parsed `log-level`: the default level and per-category levels.
#[derive(Clone, Debug, PartialEq)]
pub struct LogSpec {
    /// Level of every category not listed.
    pub default: LevelFilter,
    /// `(category, level)` in the order given.
    pub categories: Vec<(String, LevelFilter)>,
}

impl LogSpec {
    /// Parses `LEVEL[,CAT=LEVEL…]` or `CAT=LEVEL[,…]` (items separated by commas or
    /// blanks). The default level is `warning`; at `warning` the `global` category is
    /// raised to info, as oxend does, so startup lines stay visible.
    pub fn parse(value: &str) -> Result<LogSpec, LogLevelError> {
        let err = |reason: String| LogLevelError {
            value: value.to_string(),
            reason,
        };
        let mut default = None;
        let mut categories = Vec::new();
        for item in value
            .split(|c: char| c == ',' || c.is_ascii_whitespace())
            .filter(|s| !s.is_empty())
        {
            match item.split_once('=') {
                Some((cat, level)) => {
                    let cat = cat.trim();
                    if cat.is_empty() || cat == "*" {
                        default = Some(
                            parse_level(level)
                                .ok_or_else(|| err(format!("unknown level '{level}'")))?,
                        );
                        continue;
                    }
                    let level = parse_level(level)
                        .ok_or_else(|| err(format!("unknown level '{level}' for '{cat}'")))?;
                    categories.push((cat.to_string(), level));
                }
                None => {
                    if default.is_some() {
                        return Err(err("more than one default level".to_string()));
                    }
                    default = Some(
                        parse_level(item).ok_or_else(|| err(format!("unknown level '{item}'")))?,
                    );
                }
            }
        }
        let default = default.unwrap_or(LevelFilter::WARN);
        if default == LevelFilter::WARN && !categories.iter().any(|(c, _)| c == "global") {
            categories.insert(0, ("global".to_string(), LevelFilter::INFO));
        }
        Ok(LogSpec {
            default,
            categories,
        })
    }

    /// The tracing filter for this spec.
    pub fn targets(&self) -> Targets {
        let mut t = Targets::new().with_default(self.default);
        for (cat, level) in &self.categories {
            match ALIASES.iter().find(|(name, _)| name == cat) {
                Some((_, targets)) => {
                    for target in *targets {
                        t = t.with_target(*target, *level);
                    }
                }
                None => t = t.with_target(cat.clone(), *level),
            }
        }
        t
    }
}

/// Hides secrets in log lines: each provider URL's secret parts (via snode-conf's
/// `scrub_secrets`) and any literal secret given.
#[derive(Clone, Debug, Default)]
pub struct Scrubber {
    urls: Vec<String>,
    literals: Vec<String>,
}

impl Scrubber {
    /// A scrubber for these URLs (provider URLs, staking URL) and literal secrets
    /// (e.g. `rpc-login`). Empty strings are ignored.
    pub fn new(urls: &[String], literals: &[String]) -> Scrubber {
        let keep = |v: &[String]| v.iter().filter(|s| !s.is_empty()).cloned().collect();
        Scrubber {
            urls: keep(urls),
            literals: keep(literals),
        }
    }

    /// `text` with every known secret hidden.
    pub fn scrub(&self, text: &str) -> String {
        let mut out = text.to_string();
        for url in &self.urls {
            out = snode_conf::scrub_secrets(&out, url);
        }
        for secret in &self.literals {
            out = out.replace(secret.as_str(), "***");
        }
        out
    }
}

/// A log file rotated by size: `<file>` is written; when the next line would take
/// it past `max_size`, `<file>.1` … are shifted up, `<file>` becomes `<file>.1`, and
/// a new `<file>` is started. At most `max_files` files exist (the active one
/// included; at least 1); each holds at most `max_size` bytes (a single longer
/// line is cut). A line is never split between files.
#[derive(Debug)]
pub struct RotatingFile {
    path: PathBuf,
    max_size: u64,
    max_files: u64,
    file: Option<File>,
    size: u64,
}

impl RotatingFile {
    /// Opens (appends to) `path`, creating its directory if needed.
    pub fn open(path: &Path, max_size: u64, max_files: u64) -> io::Result<RotatingFile> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            fs::create_dir_all(dir)?;
        }
        let mut f = RotatingFile {
            path: path.to_path_buf(),
            max_size: max_size.max(2),
            max_files: max_files.max(1),
            file: None,
            size: 0,
        };
        f.reopen()?;
        Ok(f)
    }

    fn reopen(&mut self) -> io::Result<()> {
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)?;
        self.size = file.metadata()?.len();
        self.file = Some(file);
        Ok(())
    }

    fn rotated(&self, n: u64) -> PathBuf {
        let mut name = self.path.as_os_str().to_os_string();
        name.push(format!(".{n}"));
        PathBuf::from(name)
    }

    fn rotate(&mut self) -> io::Result<()> {
        self.file = None;
        let keep = self.max_files - 1;
        if keep == 0 {
            fs::remove_file(&self.path).or_else(ignore_missing)?;
        } else {
            fs::remove_file(self.rotated(keep)).or_else(ignore_missing)?;
            for n in (1..keep).rev() {
                match fs::rename(self.rotated(n), self.rotated(n + 1)) {
                    Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
                    _ => {}
                }
            }
            fs::rename(&self.path, self.rotated(1)).or_else(ignore_missing)?;
        }
        self.reopen()
    }

    /// Writes one complete line (rotating first if it would not fit).
    pub fn write_line(&mut self, line: &[u8]) -> io::Result<()> {
        let mut cut;
        let line = if line.len() as u64 > self.max_size {
            cut = line[..self.max_size as usize - 1].to_vec();
            cut.push(b'\n');
            &cut[..]
        } else {
            line
        };
        if self.size > 0 && self.size + line.len() as u64 > self.max_size {
            self.rotate()?;
        }
        if self.file.is_none() {
            self.reopen()?;
        }
        let file = self.file.as_mut().expect("opened above");
        file.write_all(line)?;
        self.size += line.len() as u64;
        Ok(())
    }
}

fn ignore_missing(e: io::Error) -> io::Result<()> {
    if e.kind() == io::ErrorKind::NotFound {
        Ok(())
    } else {
        Err(e)
    }
}

/// UTC `YYYY-MM-DD HH:MM:SS.mmm` for a time.
pub fn utc_timestamp(t: SystemTime) -> String {
    let text = humantime::format_rfc3339_millis(t).to_string();
    text.trim_end_matches('Z').replacen('T', " ", 1)
}

/// Where log lines go.
#[derive(Clone, Debug)]
pub struct Sinks {
    /// Write to stderr.
    pub stderr: bool,
    /// stderr is the systemd journal: prefix `<N>` priorities, no timestamps.
    pub journal: bool,
    /// The log file, if one could be opened.
    pub file: Option<Arc<Mutex<RotatingFile>>>,
    /// Applied to every line.
    pub scrubber: Scrubber,
}

fn priority(level: &Level) -> u8 {
    match *level {
        Level::ERROR => 3,
        Level::WARN => 4,
        Level::INFO => 6,
        _ => 7,
    }
}

fn level_name(level: &Level) -> &'static str {
    match *level {
        Level::ERROR => "error",
        Level::WARN => "warning",
        Level::INFO => "info",
        Level::DEBUG => "debug",
        Level::TRACE => "trace",
    }
}

#[derive(Default)]
struct Fields {
    message: String,
    rest: String,
}

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message.push_str(value);
        } else {
            let _ = write!(self.rest, " {}={}", field.name(), value);
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.message, "{value:?}");
        } else {
            let _ = write!(self.rest, " {}={:?}", field.name(), value);
        }
    }
}

/// The category shown for a target: the modules of snode-l2 and snode-eth (the
/// tracker and its transport) log as `l2_tracker`, the category oxend uses (and
/// `log-level` accepts) for them.
fn category(target: &str) -> &str {
    let of = |krate: &str| {
        target == krate
            || target
                .strip_prefix(krate)
                .is_some_and(|r| r.starts_with("::"))
    };
    if of("snode_l2") || of("snode_eth") {
        "l2_tracker"
    } else {
        target
    }
}

/// The tracing layer that formats events and writes them to the [`Sinks`].
pub struct LineLayer {
    sinks: Sinks,
}

impl<S: Subscriber> Layer<S> for LineLayer {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let meta = event.metadata();
        let mut fields = Fields::default();
        event.record(&mut fields);
        let text = self
            .sinks
            .scrubber
            .scrub(&format!("{}{}", fields.message, fields.rest));
        let category = category(meta.target());
        let level = meta.level();
        // One physical line per event: embedded newlines would split records.
        let text = text.replace('\n', " ");
        if self.sinks.stderr {
            let line = if self.sinks.journal {
                format!("<{}>[{category}] {text}\n", priority(level))
            } else {
                format!(
                    "[{}] [{category}:{}] {text}\n",
                    utc_timestamp(SystemTime::now()),
                    level_name(level)
                )
            };
            let _ = io::stderr().lock().write_all(line.as_bytes());
        }
        if let Some(file) = &self.sinks.file {
            let line = format!(
                "[{}] [{category}:{}] {text}\n",
                utc_timestamp(SystemTime::now()),
                level_name(level)
            );
            if let Ok(mut f) = file.lock() {
                let _ = f.write_line(line.as_bytes());
            }
        }
    }
}

/// Whether stderr is the journal stream systemd gave us (`JOURNAL_STREAM` names
/// stderr's device and inode).
pub fn stderr_is_journal() -> bool {
    let Ok(var) = std::env::var("JOURNAL_STREAM") else {
        return false;
    };
    let Some((dev, ino)) = var.split_once(':') else {
        return false;
    };
    let Ok(st) = rustix::fs::fstat(io::stderr()) else {
        return false;
    };
    dev.parse::<u64>().ok() == Some(st.st_dev) && ino.parse::<u64>().ok() == Some(st.st_ino)
}

/// Installs the global subscriber. Fails when a global subscriber was
/// already installed (tests calling twice).
pub fn install(
    spec: &LogSpec,
    sinks: Sinks,
) -> Result<(), tracing::subscriber::SetGlobalDefaultError> {
    let layer = LineLayer { sinks }.with_filter(spec.targets());
    let subscriber = tracing_subscriber::registry().with(layer);
    tracing::subscriber::set_global_default(subscriber)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::UNIX_EPOCH;

    #[test]
    fn log_levels() {
        let s = LogSpec::parse("warning").unwrap();
        assert_eq!(s.default, LevelFilter::WARN);
        assert_eq!(s.categories, [("global".to_string(), LevelFilter::INFO)]);
        let s = LogSpec::parse("info,l2_tracker=debug ethyl=trace").unwrap();
        assert_eq!(s.default, LevelFilter::INFO);
        assert_eq!(s.categories.len(), 2);
        let s = LogSpec::parse("l2_tracker=debug,ethyl=debug").unwrap();
        assert_eq!(s.default, LevelFilter::WARN);
        assert_eq!(LogSpec::parse("2").unwrap().default, LevelFilter::DEBUG);
        assert_eq!(
            LogSpec::parse("critical").unwrap().default,
            LevelFilter::ERROR
        );
        assert!(LogSpec::parse("loud").is_err());
        assert!(LogSpec::parse("info,debug").is_err());
        assert!(LogSpec::parse("x=loud").is_err());
    }

    #[test]
    fn timestamps() {
        let t = UNIX_EPOCH + std::time::Duration::from_millis(1_764_063_296_789);
        assert_eq!(utc_timestamp(t), "2025-11-25 09:34:56.789");
        assert_eq!(utc_timestamp(UNIX_EPOCH), "1970-01-01 00:00:00.000");
        let leap = UNIX_EPOCH + std::time::Duration::from_secs(951_782_400); // 2000-02-29
        assert_eq!(&utc_timestamp(leap)[..10], "2000-02-29");
    }

    #[test]
    fn scrubber_hides_provider_secrets() {
        let url = "https://arb-sepolia.g.alchemy.com/v2/Zx9aQ2mK7vB4nR8tL1pW3yE6".to_string();
        let s = Scrubber::new(std::slice::from_ref(&url), &["user:hunter2".to_string()]);
        let out = s.scrub(&format!(
            "error talking to {url}: timeout; login user:hunter2"
        ));
        assert!(!out.contains("Zx9aQ2mK7vB4nR8tL1pW3yE6"), "{out}");
        assert!(!out.contains("hunter2"), "{out}");
        assert!(out.contains("arb-sepolia.g.alchemy.com/…"), "{out}");
    }

    #[test]
    fn rotation_keeps_at_most_max_files_of_at_most_max_size() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("node.log");
        let (max_size, max_files) = (200u64, 3u64);
        let mut f = RotatingFile::open(&path, max_size, max_files).unwrap();
        for i in 0..500 {
            f.write_line(format!("line {i:04} {}\n", "x".repeat(i % 40)).as_bytes())
                .unwrap();
        }
        f.write_line(&[b'y'; 1000]).unwrap();
        let files: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap())
            .collect();
        assert_eq!(files.len() as u64, max_files, "{files:?}");
        for e in &files {
            let len = e.metadata().unwrap().len();
            assert!(len <= max_size, "{:?} has {len} bytes", e.path());
        }
        // Newest line is in the active file; the files before hold older lines.
        assert!(fs::read_to_string(&path).unwrap().starts_with("yyy"));
        let one = fs::read_to_string(dir.path().join("node.log.1")).unwrap();
        assert!(one.contains("line 0499"), "{one}");
        // Reopening continues with the existing size.
        drop(f);
        let mut f = RotatingFile::open(&path, max_size, 1).unwrap();
        f.write_line(b"after\n").unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "after\n");
    }
}
