//! `oxen-sn-config`: render, edit, validate and show `/etc/oxen/stagenet.conf`, and
//! qualify L2 providers. The package's maintainer scripts call it instead of sed and
//! instead of parsing prose (`get`, `check-ip`, `check-providers`: one answer, one exit
//! status; docs/compat/systemd-and-package.md for what upstream did,
//! docs/compat/decisions.md for ours); the file format and checks are those of
//! docs/compat/config.md, implemented in `snode-conf`.
//!
//! [`command`] gives the clap definition (for man pages and completions); [`run`] does
//! the work and returns an [`Error`] that knows its exit status ([`Exit`]).

pub mod probe;
pub mod rpc;

use std::io::Write;
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::{CommandFactory, Parser, Subcommand};
use snode_conf::{
    check_text, lookup_group, non_public_reason, parse, parse_ipv4, read_text, redact_url, render,
    split_list, ConfError, Document, FileGroup, Origin, Severity, CONFIG_GROUP,
    DEFAULT_REWARDS_CONTRACT, OPTIONS,
};

/// The config file used when none is named.
pub const DEFAULT_FILE: &str = "/etc/oxen/stagenet.conf";

/// The exit statuses, each with its meaning as `--help` and the man page list it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Exit {
    Ok = 0,
    Invalid = 1,
    Usage = 2,
    Io = 3,
    Probe = 4,
}

impl Exit {
    /// Every status, in the order of the table.
    pub const ALL: [Exit; 5] = [Exit::Ok, Exit::Invalid, Exit::Usage, Exit::Io, Exit::Probe];

    /// The process exit status.
    pub const fn code(self) -> u8 {
        self as u8
    }

    /// What the status means (continuation lines indented for the table).
    pub const fn meaning(self) -> &'static str {
        match self {
            Exit::Ok => {
                "success (check-ip: the address can be the node's; check-providers:\n     \
                 every URL is usable and passed the probe)"
            }
            Exit::Invalid => {
                "the configuration, or a value to write, is invalid (each problem is\n     \
                 printed with its file and line); nothing was written. check-ip: the\n     \
                 address cannot be the node's; check-providers: a URL cannot be used at\n     \
                 all (the reason is printed)"
            }
            Exit::Usage => "bad command line (unknown option names included)",
            Exit::Io => {
                "a file could not be read or written (run this with sudo when\n     \
                 permission is denied)"
            }
            Exit::Probe => "probe-l2, check-providers: at least one provider is not usable",
        }
    }

    /// The table of every status.
    pub fn table() -> String {
        Exit::ALL.iter().fold(String::from("Exit status:"), |t, e| {
            t + &format!("\n  {}  {}", e.code(), e.meaning())
        })
    }
}

/// Options upstream oxend accepts that change nothing in this node (it runs no
/// P2P network, chain, OxenMQ or uptime proofs yet): a file may carry them, and
/// `show` marks them "(no effect)".
pub const NO_EFFECT: &[&str] = &[
    "max-concurrency",
    "storage-server-port",
    "lmq-public-quorumnet",
    "disable-ip-check",
    "l2-skip-proof-check",
    "p2p-bind-ip",
    "p2p-bind-ipv6-address",
    "p2p-bind-port-ipv6",
    "p2p-use-ipv6",
    "p2p-ignore-ipv4",
    "p2p-external-port",
    "allow-local-ip",
    "add-peer",
    "add-priority-node",
    "add-exclusive-node",
    "seed-node",
    "hide-my-port",
    "no-sync",
    "out-peers",
    "in-peers",
    "limit-rate-up",
    "limit-rate-down",
    "limit-rate",
    "tos-flag",
    "offline",
    "rpc-bind-ipv6-address",
    "rpc-use-ipv6",
    "rpc-ignore-ipv4",
    "lmq-public",
    "lmq-curve-public",
    "lmq-curve",
    "lmq-admin",
    "lmq-user",
    "lmq-local-control",
    "lmq-umask",
    "db-sync-mode",
    "db-salvage",
    "fast-block-sync",
    "prep-blocks-threads",
    "block-sync-size",
    "block-download-max-size",
    "max-txpool-weight",
    "pad-transactions",
    "keep-alt-blocks",
    "show-time-stats",
    "block-notify",
    "reorg-notify",
    "store-quorum-history",
    "start-mining",
    "mining-threads",
];

/// What `show` adds after the origin of an option in [`NO_EFFECT`].
const NO_EFFECT_MARK: &str = " (no effect)";

const AFTER_TABLE: &str = "\
FILE defaults to /etc/oxen/stagenet.conf; `--config-file FILE` names it as
the other tools do.

Provider URLs often contain API keys; they are shown redacted everywhere unless
`show --reveal` is given (`get` prints values in full, for scripts).";

/// The text after the options in `--help` and the man page.
fn after_help() -> String {
    let mut compat = String::from(
        "Accepted for compatibility with upstream oxend, no effect in this node (marked\n\
         \"(no effect)\" by `show`):",
    );
    let mut width = 80;
    for name in NO_EFFECT {
        if width + name.len() + 1 > 80 {
            compat += "\n ";
            width = 1;
        }
        compat += " ";
        compat += name;
        width += name.len() + 1;
    }
    format!("{}\n\n{compat}\n\n{AFTER_TABLE}", Exit::table())
}

/// Render, edit, validate and show the Session stagenet node config, and probe L2 providers.
#[derive(Debug, Parser)]
#[command(name = "oxen-sn-config", version, after_long_help = after_help())]
pub struct Cli {
    /// The config file (default /etc/oxen/stagenet.conf); the same as giving FILE.
    #[arg(long, value_name = "FILE", global = true)]
    pub config_file: Option<PathBuf>,
    /// What to do.
    #[command(subcommand)]
    pub command: Cmd,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// Print the packaged config (debian/stagenet.conf) with the IP and providers filled in.
    Render {
        /// The node's public IPv4 address.
        #[arg(long, value_name = "IP")]
        public_ip: Option<Ipv4Addr>,
        /// Arbitrum Sepolia JSON-RPC URL (repeat, or separate with commas/blanks; primary first).
        #[arg(long = "l2-provider", value_name = "URL")]
        l2_provider: Vec<String>,
    },
    /// Create FILE from the template, or edit it in place: set service-node=1 and the
    /// given public IP and providers, keeping every other line byte for byte. Writes
    /// atomically with mode 0640 and group _loki (when that group exists).
    Set {
        /// The node's public IPv4 address (must be public unless the file sets dev-allow-local-ips).
        #[arg(long, value_name = "IP")]
        public_ip: Option<Ipv4Addr>,
        /// Arbitrum Sepolia JSON-RPC URL (repeat, or separate with commas/blanks; primary
        /// first). Replaces the file's whole l2-provider list.
        #[arg(long = "l2-provider", value_name = "URL")]
        l2_provider: Vec<String>,
        /// The config file (default /etc/oxen/stagenet.conf).
        file: Option<PathBuf>,
    },
    /// Check FILE as the daemon does at startup; print every problem with its line.
    Validate {
        /// The config file (default /etc/oxen/stagenet.conf).
        file: Option<PathBuf>,
    },
    /// Print the settings of FILE, each with the file and line (or default) it comes from.
    Show {
        /// Include every option, defaults too.
        #[arg(long)]
        effective: bool,
        /// Show provider URLs and rpc-login in full (they may contain secrets).
        #[arg(long)]
        reveal: bool,
        /// The config file (default /etc/oxen/stagenet.conf).
        file: Option<PathBuf>,
    },
    /// For scripts: print the value the daemon uses for OPTION (a list on one line,
    /// separated by single spaces; the default when FILE does not set it), in full.
    /// Exit 1 when FILE is not a valid config, 2 for an unknown OPTION, 3 when FILE
    /// cannot be read.
    Get {
        /// Print the SHA-256 (hex) of that line instead; nothing for an empty value.
        #[arg(long)]
        digest: bool,
        /// The option name, e.g. l2-provider or service-node-public-ip.
        option: String,
        /// The config file (default /etc/oxen/stagenet.conf).
        file: Option<PathBuf>,
    },
    /// For scripts: print VALUE as `get` prints a list (split on commas and blanks,
    /// joined by single spaces), or with --digest its SHA-256 as `get --digest` does.
    Normalize {
        /// Print the SHA-256 (hex); nothing for an empty value.
        #[arg(long)]
        digest: bool,
        /// The value, e.g. an answer of the installer.
        #[arg(allow_hyphen_values = true)]
        value: String,
    },
    /// For scripts: exit 0 when IP can be this node's public address; otherwise print
    /// why (one line) and exit 1.
    #[command(name = "check-ip")]
    CheckIp {
        /// The address, as typed.
        ip: String,
    },
    /// For scripts: check provider URLs as the installer writes them. A URL that can
    /// never work (no http:// or https:// scheme, quotes, '#', blanks inside) is
    /// named with its fault and redacted host, one line each, and the status is 1
    /// (nothing is probed); otherwise each is probed as probe-l2 does, the reports
    /// of those that fail are printed and the status is 4.
    #[command(name = "check-providers")]
    CheckProviders {
        /// Seconds before each request gives up.
        #[arg(long, value_name = "SECS", default_value_t = 10.0)]
        timeout: f64,
        /// Only check the URLs' form; do not contact them.
        #[arg(long)]
        no_probe: bool,
        /// Provider URLs (each argument is also split on commas and blanks).
        #[arg(value_name = "URL", required = true)]
        urls: Vec<String>,
    },
    /// Check L2 providers: chain id (must be 0x66eee), head and its age, latency, the
    /// largest eth_getLogs range served, and the l2-max-logs to use.
    #[command(name = "probe-l2")]
    ProbeL2 {
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
        /// Seconds before each request gives up.
        #[arg(long, value_name = "SECS", default_value_t = 10.0)]
        timeout: f64,
        /// Address whose logs are requested (default: l2-rewards-contract of --config, or the
        /// current stagenet ServiceNodeRewards contract).
        #[arg(long, value_name = "ADDRESS")]
        contract: Option<String>,
        /// Also probe the l2-provider entries of this config file.
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        /// Provider URLs.
        #[arg(value_name = "URL", required_unless_present = "config")]
        urls: Vec<String>,
    },
}

/// The clap definition, for man pages and completions.
pub fn command() -> clap::Command {
    Cli::command()
}

/// Why a command failed; [`Error::exit`] gives its exit status.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Reading, parsing, checking or writing the config.
    #[error("{}", conf_message(.0))]
    Conf(#[from] ConfError),
    /// The new file could not be given to the daemon's group; nothing was installed.
    #[error(
        "{file} was not changed: the new file could not be given to group {CONFIG_GROUP}: {source}"
    )]
    Group {
        /// The config file.
        file: PathBuf,
        /// What failed.
        source: Box<ConfError>,
    },
    /// Writing the output failed (a closed pipe, a full disk).
    #[error("cannot write the output: {0}")]
    Output(#[from] std::io::Error),
    /// A failure with its own status; `None`: already printed where it arose.
    #[error("{}", .message.as_deref().unwrap_or("failed"))]
    Status {
        /// The exit status.
        exit: Exit,
        /// What to print.
        message: Option<String>,
    },
}

impl Error {
    /// A failure whose details were already printed.
    fn quiet(exit: Exit) -> Error {
        Error::Status {
            exit,
            message: None,
        }
    }

    /// A failure reported with `message`.
    fn with(exit: Exit, message: impl Into<String>) -> Error {
        Error::Status {
            exit,
            message: Some(message.into()),
        }
    }

    /// The exit status for this error.
    pub fn exit(&self) -> Exit {
        match self {
            Error::Status { exit, .. } => *exit,
            Error::Conf(
                ConfError::Read { .. }
                | ConfError::Write { .. }
                | ConfError::Group { .. }
                | ConfError::NotUtf8 { .. },
            )
            | Error::Group { .. }
            | Error::Output(_) => Exit::Io,
            Error::Conf(_) => Exit::Invalid,
        }
    }

    /// Whether there is something left to print.
    fn is_quiet(&self) -> bool {
        matches!(self, Error::Status { message: None, .. })
    }
}

/// A config error in the operator's words: "run this with sudo" when permission was
/// denied, and a did-you-mean for a misspelt option.
fn conf_message(e: &ConfError) -> String {
    let denied = |source: &std::io::Error| source.kind() == std::io::ErrorKind::PermissionDenied;
    match e {
        ConfError::Read { source, .. } | ConfError::Write { source, .. } if denied(source) => {
            format!("{e}; run this with sudo")
        }
        ConfError::UnknownOption { name, .. } => match suggest(name) {
            Some(close) => format!("{e} (did you mean '{close}'?)"),
            None => e.to_string(),
        },
        _ => e.to_string(),
    }
}

/// The known option closest to the unknown `name`, when it is close enough to be a
/// misspelling (edit distance at most 2, or 3 for long names).
pub fn suggest(name: &str) -> Option<&'static str> {
    let name = name.trim_start_matches('-');
    let limit = if name.len() > 12 { 3 } else { 2 };
    OPTIONS
        .iter()
        .map(|o| (edit_distance(name, o.name), o.name))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, n)| n)
}

/// Levenshtein distance over bytes (option names are ASCII).
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut diag = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let next = (diag + usize::from(ca != cb))
                .min(row[j] + 1)
                .min(row[j + 1] + 1);
            diag = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

/// The exit status for an error returned by [`run`].
pub fn exit_code(err: &Error) -> u8 {
    err.exit().code()
}

/// Parses the command line and runs; prints errors to stderr. The thin `main`.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::from(Exit::Ok.code()),
        Err(e) => {
            if !e.is_quiet() {
                eprintln!("oxen-sn-config: error: {e}");
            }
            ExitCode::from(e.exit().code())
        }
    }
}

/// Splits provider arguments on commas and blanks, as oxend splits `l2-provider`.
fn split_urls(args: &[String]) -> Vec<String> {
    args.iter()
        .flat_map(|a| split_list(a))
        .map(str::to_string)
        .collect()
}

/// [`split_urls`] for URLs given on the command line: an argument that holds no URL at
/// all (`""`, `","`, blanks) is refused rather than silently dropped.
/// `what` names the argument; `then` ends the message.
fn provider_args(args: &[String], what: &str, then: &str) -> Result<Vec<String>, Error> {
    if let Some(bad) = args.iter().find(|a| split_list(a).next().is_none()) {
        return Err(Error::with(
            Exit::Invalid,
            format!(
                "{what} {bad:?} holds no URL (values are split on commas and blanks): give an \
                 http:// or https:// URL{then}"
            ),
        ));
    }
    Ok(split_urls(args))
}

/// The file a command works on: FILE, else `--config-file`, else [`DEFAULT_FILE`].
fn file_of(file: Option<PathBuf>, config_file: &Option<PathBuf>) -> Result<PathBuf, Error> {
    match (file, config_file) {
        (Some(f), Some(c)) if &f != c => Err(Error::with(
            Exit::Usage,
            format!(
                "two config files given ({} and --config-file {}); give one",
                f.display(),
                c.display()
            ),
        )),
        (Some(f), _) => Ok(f),
        (None, Some(c)) => Ok(c.clone()),
        (None, None) => Ok(PathBuf::from(DEFAULT_FILE)),
    }
}

/// Runs one command. Errors carry their exit status ([`Error::exit`]).
pub fn run(cli: Cli) -> Result<(), Error> {
    let config_file = cli.config_file;
    match cli.command {
        Cmd::Render {
            public_ip,
            l2_provider,
        } => {
            let text = render(
                public_ip,
                &provider_args(&l2_provider, "--l2-provider", "")?,
            )?;
            std::io::stdout().write_all(text.as_bytes())?;
            Ok(())
        }
        Cmd::Set {
            public_ip,
            l2_provider,
            file,
        } => {
            let file = file_of(file, &config_file)?;
            let urls = provider_args(
                &l2_provider,
                "--l2-provider",
                &format!(
                    ", or leave --l2-provider out to keep the file's providers; {} was not changed",
                    file.display()
                ),
            )?;
            set(&file, public_ip, &urls)
        }
        Cmd::Validate { file } => validate(&file_of(file, &config_file)?),
        Cmd::Show {
            effective,
            reveal,
            file,
        } => show(&file_of(file, &config_file)?, effective, reveal),
        Cmd::Get {
            digest,
            option,
            file,
        } => get(&option, &file_of(file, &config_file)?, digest),
        Cmd::Normalize { digest, value } => {
            print_value(&split_list(&value).collect::<Vec<_>>().join(" "), digest)
        }
        Cmd::CheckIp { ip } => check_ip(&ip),
        Cmd::CheckProviders {
            timeout,
            no_probe,
            urls,
        } => check_providers(&urls, (!no_probe).then_some(timeout)),
        Cmd::ProbeL2 {
            json,
            timeout,
            contract,
            config,
            urls,
        } => probe_l2(json, timeout, contract, config.as_deref(), urls),
    }
}

fn name(path: &Path) -> String {
    path.display().to_string()
}

fn set(file: &Path, public_ip: Option<Ipv4Addr>, urls: &[String]) -> Result<(), Error> {
    let (mut doc, existed) = if file.exists() {
        let text = read_text(file)?;
        (parse(&text, &name(file))?, true)
    } else {
        (parse(snode_conf::TEMPLATE, &name(file))?, false)
    };
    doc.set_service_node(true)?;
    if let Some(ip) = public_ip {
        doc.set_public_ip(ip)?;
    }
    if !urls.is_empty() {
        doc.set_l2_providers(urls)?;
    }
    let text = doc.to_text();

    // Refuse to write a bad value we were given; report the file's other problems.
    let (errors, problems) = check_text(&text, &name(file), &[]);
    let mut refused = false;
    for e in &errors {
        eprintln!("oxen-sn-config: error: {}", conf_message(e));
        refused = true;
    }
    for p in without_knock_on(&errors, &problems) {
        let ours = match p.option {
            Some("service-node-public-ip") => public_ip.is_some(),
            Some("l2-provider") => !urls.is_empty(),
            _ => false,
        };
        if ours && p.severity == Severity::Error {
            eprintln!("oxen-sn-config: {p}");
            refused = true;
        } else {
            eprintln!("oxen-sn-config: note: {p}");
        }
    }
    if refused {
        eprintln!("oxen-sn-config: {} was not changed", file.display());
        return Err(Error::quiet(Exit::Invalid));
    }

    // As root the file must end up in the daemon's group, or it is not installed; an
    // unprivileged run (tests, a user's own copy) writes it and warns.
    let group = match lookup_group(CONFIG_GROUP) {
        None => FileGroup::Own,
        Some(gid) if rustix::process::geteuid().is_root() => FileGroup::Require(gid),
        Some(gid) => FileGroup::Prefer(gid),
    };
    let outcome = snode_conf::write_atomic(file, text.as_bytes(), group).map_err(|e| match e {
        ConfError::Group { .. } => Error::Group {
            file: file.to_path_buf(),
            source: Box::new(e),
        },
        e => Error::Conf(e),
    })?;
    if let Some(e) = outcome.group_error {
        eprintln!(
            "oxen-sn-config: warning: {} is not in group {CONFIG_GROUP} ({e}); run as root so the daemon can read it",
            file.display()
        );
    }
    let verb = if existed { "updated" } else { "created" };
    eprintln!("oxen-sn-config: {verb} {}", file.display());
    Ok(())
}

/// The problems left once those caused by a misspelt option are dropped: a missing
/// `l2-provider` after an `l2-provdier=` line is the same mistake, reported once (with
/// its did-you-mean).
fn without_knock_on<'a>(
    errors: &[ConfError],
    problems: &'a [snode_conf::Problem],
) -> impl Iterator<Item = &'a snode_conf::Problem> {
    let meant: Vec<&str> = errors
        .iter()
        .filter_map(|e| match e {
            ConfError::UnknownOption { name, .. } => suggest(name),
            _ => None,
        })
        .collect();
    problems.iter().filter(move |p| {
        !(p.origin == Origin::Default && p.option.is_some_and(|o| meant.contains(&o)))
    })
}

fn validate(file: &Path) -> Result<(), Error> {
    let text = read_text(file)?;
    let (errors, problems) = check_text(&text, &name(file), &[]);
    let problems: Vec<&snode_conf::Problem> = without_knock_on(&errors, &problems).collect();
    let mut out = std::io::stdout().lock();
    for e in &errors {
        writeln!(out, "{}", conf_message(e))?;
    }
    for p in &problems {
        writeln!(out, "{p}")?;
    }
    let failed = !errors.is_empty() || problems.iter().any(|p| p.severity == Severity::Error);
    if failed {
        let n = errors.len()
            + problems
                .iter()
                .filter(|p| p.severity == Severity::Error)
                .count();
        eprintln!(
            "oxen-sn-config: {}: {n} error(s); the node will not start until they are fixed",
            file.display()
        );
        return Err(Error::quiet(Exit::Invalid));
    }
    writeln!(out, "{}: ok", file.display())?;
    Ok(())
}

/// The settings of `file`, as the daemon reads them.
fn load_settings(file: &Path) -> Result<snode_conf::Settings, Error> {
    let doc = Document::load(file)?;
    Ok(snode_conf::Settings::from_sources(Some(&doc), &[])?)
}

fn show(file: &Path, effective: bool, reveal: bool) -> Result<(), Error> {
    let settings = load_settings(file)?;
    let mut out = std::io::stdout().lock();
    for (spec, values, origin) in settings.effective(reveal) {
        if !effective && origin == Origin::Default {
            continue;
        }
        let mark = if NO_EFFECT.contains(&spec.name) {
            NO_EFFECT_MARK
        } else {
            ""
        };
        if values.is_empty() {
            writeln!(out, "{}=  # {origin}{mark}", spec.name)?;
        }
        // Each value with its own line (l2-provider values come from several lines).
        let given = settings.values_with_origin(spec.name);
        for (i, v) in values.iter().enumerate() {
            let from = given.get(i).map_or(&origin, |(_, o)| o);
            writeln!(out, "{}={v}  # {from}{mark}", spec.name)?;
        }
    }
    Ok(())
}

/// Prints a value line, or its SHA-256 in hex (nothing for an empty value).
fn print_value(line: &str, digest: bool) -> Result<(), Error> {
    use sha2::Digest;
    let shown = match (digest, line.is_empty()) {
        (false, _) => line.to_string(),
        (true, true) => String::new(),
        (true, false) => hex::encode(sha2::Sha256::digest(line.as_bytes())),
    };
    writeln!(std::io::stdout().lock(), "{shown}")?;
    Ok(())
}

fn get(option: &str, file: &Path, digest: bool) -> Result<(), Error> {
    let option = option.trim_start_matches("--");
    let Some(spec) = snode_conf::find_option(option) else {
        let hint = suggest(option).map_or_else(
            || " (see `oxen-sn-config show --effective`)".to_string(),
            |s| format!("; did you mean '{s}'?"),
        );
        return Err(Error::with(
            Exit::Usage,
            format!("unknown option '{option}'{hint}"),
        ));
    };
    let settings = load_settings(file)?;
    let values = settings
        .effective(true)
        .into_iter()
        .find(|(s, _, _)| s.name == spec.name)
        .map(|(_, v, _)| v)
        .unwrap_or_default();
    print_value(&values.join(" "), digest)
}

/// Why `text` cannot be the node's public address, in the installer's words.
pub fn ip_problem(text: &str) -> Option<String> {
    let Some(ip) = parse_ipv4(text) else {
        return Some(
            "this is not an IPv4 address: write four numbers from 0 to 255 separated by dots, \
             like 203.0.113.7, with no port or netmask"
                .to_string(),
        );
    };
    non_public_reason(ip).map(|range| {
        format!(
            "{ip} is not public: it is in a range the internet does not route to ({range}), \
             so other nodes could not connect to this node. Give the address your hosting \
             provider lists for this server (behind NAT, the router's public address, with \
             ports 11022 and 11025/tcp forwarded)"
        )
    })
}

fn check_ip(text: &str) -> Result<(), Error> {
    match ip_problem(text) {
        None => Ok(()),
        Some(why) => {
            writeln!(std::io::stdout().lock(), "{why}")?;
            Err(Error::quiet(Exit::Invalid))
        }
    }
}

/// What makes one provider URL (as split from the answer) unusable, naming the fault
/// and showing only the redacted host; `None` when its form is fine.
pub fn url_fault(url: &str) -> Option<String> {
    const QUOTES: &[char] = &['"', '\'', '`', '“', '”', '‘', '’'];
    if url.starts_with(QUOTES) || url.ends_with(QUOTES) {
        let inner = url.trim_matches(QUOTES);
        let shown = url_fault(inner).map_or_else(|| redact_url(inner), |_| host_hint(inner));
        return Some(format!(
            "Invalid l2-provider URL '{shown}': it is wrapped in quotes; give the URL without them"
        ));
    }
    if url.contains(char::is_whitespace) {
        return Some(format!(
            "Invalid l2-provider URL '{}': it contains blanks; a URL has none",
            host_hint(url)
        ));
    }
    match url.split_once("://") {
        None => Some(format!(
            "Invalid l2-provider URL '{}': the scheme is missing; write it as \
             https://{}… (or http:// for a node of your own). If this is the end of the \
             URL before it, that URL contained a blank or a comma",
            host_hint(url),
            host_hint(url)
        )),
        Some((scheme, _))
            if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") =>
        {
            Some(format!(
                "Invalid l2-provider URL '{}': only http:// and https:// JSON-RPC URLs are \
                 supported, not {scheme}://",
                redact_url(url)
            ))
        }
        Some((_, rest)) if rest.is_empty() || rest.starts_with('/') => Some(format!(
            "Invalid l2-provider URL '{}': it has no host",
            redact_url(url)
        )),
        Some(_) if url.contains('#') => Some(format!(
            "Invalid l2-provider URL '{}': it contains '#', which starts a comment in the \
             config file",
            redact_url(url)
        )),
        Some(_) => None,
    }
}

/// The host part of something meant as a URL, without scheme, credentials, path or
/// query, for naming it in an error; `<N characters hidden>` when none can be told.
fn host_hint(text: &str) -> String {
    let rest = text.split_once("://").map_or(text, |(_, r)| r);
    let rest = rest.rsplit_once('@').map_or(rest, |(_, r)| r);
    let host: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
        .collect();
    if host.contains('.') || host.starts_with('[') || host.eq_ignore_ascii_case("localhost") {
        host
    } else {
        format!("<{} characters hidden>", text.chars().count())
    }
}

fn check_providers(args: &[String], probe_timeout: Option<f64>) -> Result<(), Error> {
    let urls = provider_args(args, "the URL argument", "")?;
    let mut out = std::io::stdout().lock();
    let mut unusable = false;
    for url in &urls {
        // Our own words first; then whatever else the file writer refuses.
        let fault = url_fault(url).or_else(|| {
            let mut doc = Document::empty("check");
            doc.set_l2_providers(std::slice::from_ref(url))
                .err()
                .map(|e| e.to_string())
        });
        if let Some(why) = fault {
            writeln!(out, "{why}")?;
            unusable = true;
        }
    }
    if unusable {
        return Err(Error::quiet(Exit::Invalid));
    }
    let Some(timeout) = probe_timeout else {
        return Ok(());
    };
    let opts = probe::ProbeOptions {
        timeout: positive_secs(timeout)?,
        contract: DEFAULT_REWARDS_CONTRACT.to_string(),
    };
    let mut failed = false;
    for url in &urls {
        let report = probe::probe(url, &opts);
        if !report.ok {
            if failed {
                writeln!(out)?;
            }
            write!(out, "{}", probe::render_text(&report))?;
            failed = true;
        }
    }
    if failed {
        Err(Error::quiet(Exit::Probe))
    } else {
        Ok(())
    }
}

/// `--timeout` as a duration: a positive, finite number of seconds.
fn positive_secs(timeout: f64) -> Result<Duration, Error> {
    Duration::try_from_secs_f64(timeout)
        .ok()
        .filter(|d| !d.is_zero())
        .ok_or_else(|| {
            Error::with(
                Exit::Usage,
                format!("--timeout must be a positive number of seconds, not {timeout}"),
            )
        })
}

fn probe_l2(
    json: bool,
    timeout: f64,
    contract: Option<String>,
    config: Option<&Path>,
    urls: Vec<String>,
) -> Result<(), Error> {
    let timeout = positive_secs(timeout)?;
    let mut urls = provider_args(&urls, "the URL argument", "")?;
    let mut default_contract = DEFAULT_REWARDS_CONTRACT.to_string();
    if let Some(file) = config {
        let settings = load_settings(file)?;
        urls.extend(settings.l2_provider.iter().cloned());
        default_contract = settings.l2_rewards_contract.clone();
    }
    let urls = split_urls(&urls);
    if urls.is_empty() {
        eprintln!("oxen-sn-config: no L2 provider to probe: give URLs or a --config file with l2-provider lines");
        return Err(Error::quiet(Exit::Invalid));
    }
    let opts = probe::ProbeOptions {
        timeout,
        contract: contract.unwrap_or(default_contract),
    };
    let reports: Vec<probe::ProbeReport> = urls.iter().map(|u| probe::probe(u, &opts)).collect();
    let all_ok = reports.iter().all(|r| r.ok);
    let mut out = std::io::stdout().lock();
    if json {
        let v = serde_json::json!({ "ok": all_ok, "providers": reports });
        let text = serde_json::to_string_pretty(&v).map_err(std::io::Error::other)?;
        writeln!(out, "{text}")?;
    } else {
        for (i, r) in reports.iter().enumerate() {
            if i > 0 {
                writeln!(out)?;
            }
            write!(out, "{}", probe::render_text(r))?;
        }
    }
    if all_ok {
        Ok(())
    } else {
        Err(Error::quiet(Exit::Probe))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        assert_eq!(suggest("l2-provdier"), Some("l2-provider"));
        assert_eq!(suggest("l2-provder"), Some("l2-provider"));
        assert_eq!(
            suggest("service-node-publicip"),
            Some("service-node-public-ip")
        );
        assert_eq!(suggest("frobnicate"), None);
    }

    #[test]
    fn permission_denied_says_sudo_once() {
        let e = Error::from(ConfError::Read {
            path: PathBuf::from("/etc/oxen/stagenet.conf"),
            source: std::io::Error::from_raw_os_error(13),
        });
        let text = e.to_string();
        assert!(text.ends_with("; run this with sudo"), "{text}");
        assert_eq!(text.matches("os error 13").count(), 1, "{text}");
        assert_eq!(e.exit(), Exit::Io);
    }

    #[test]
    fn url_faults_name_the_fault_and_hide_the_key() {
        let key = "Zx9aQ2mK7vB4nR8tL1pW3yE6";
        for (url, want) in [
            (
                format!("arb-sepolia.g.alchemy.com/v2/{key}"),
                "the scheme is missing",
            ),
            (
                format!("\"https://arb-sepolia.g.alchemy.com/v2/{key}\""),
                "wrapped in quotes",
            ),
            (
                format!("'https://arb-sepolia.g.alchemy.com/v2/{key}'"),
                "wrapped in quotes",
            ),
            (
                format!("ftp://arb-sepolia.g.alchemy.com/v2/{key}"),
                "not ftp://",
            ),
            (
                format!("https://arb-sepolia.g.alchemy.com/v2/{key}#x"),
                "'#'",
            ),
        ] {
            let got = url_fault(&url).unwrap_or_default();
            assert!(got.contains(want), "{url}: {got}");
            assert!(got.contains("arb-sepolia.g.alchemy.com"), "{url}: {got}");
            assert!(!got.contains(key), "{url}: {got}");
        }
        assert!(url_fault(key).unwrap().contains("characters hidden"));
        assert_eq!(url_fault("https://rpc.example/v2/abc"), None);
        assert_eq!(url_fault("http://127.0.0.1:8545"), None);
    }

    #[test]
    fn no_effect_options_are_real_options() {
        for name in NO_EFFECT {
            assert!(snode_conf::find_option(name).is_some(), "{name}");
        }
        for used in [
            "l2-provider",
            "service-node-public-ip",
            "data-dir",
            "rpc-admin",
            "p2p-bind-port",
        ] {
            assert!(!NO_EFFECT.contains(&used), "{used}");
        }
        let help = after_help();
        assert!(help.lines().all(|l| l.len() <= 80), "{help}");
        assert!(NO_EFFECT.iter().all(|n| help.contains(n)));
    }

    #[test]
    fn exit_table_lists_every_status() {
        let t = Exit::table();
        for e in Exit::ALL {
            assert!(t.contains(&format!("\n  {}  {}", e.code(), e.meaning())));
        }
    }
}
