//! `oxen-sn-config`: render, edit, validate and show `/etc/oxen/stagenet.conf`, and
//! qualify L2 providers. The package's maintainer scripts call it instead of sed and
//! instead of parsing prose (docs/compat/systemd-and-package.md for what upstream did,
//! docs/compat/decisions.md for ours); the file format and checks are those of
//! docs/compat/config.md, implemented in `snode-conf`.
//!
//! [`command`] gives the clap definition (for man pages and completions); [`run`] does
//! the work and returns the process exit code.

pub mod probe;
pub mod rpc;

use std::io::Write;
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Result;
use clap::{CommandFactory, Parser, Subcommand};
use snode_conf::{
    check_text, lookup_group, parse, read_text, render, split_list, ConfError, Document, FileGroup,
    Origin, Severity, CONFIG_GROUP, DEFAULT_REWARDS_CONTRACT,
};

/// Exit status: success.
pub const EXIT_OK: u8 = 0;
/// Exit status: the configuration (or a value to write) is invalid; nothing was written.
pub const EXIT_INVALID: u8 = 1;
/// Exit status: bad command line (clap's usage errors).
pub const EXIT_USAGE: u8 = 2;
/// Exit status: a file could not be read or written.
pub const EXIT_IO: u8 = 3;
/// Exit status: an L2 provider failed the probe.
pub const EXIT_PROBE: u8 = 4;

const AFTER_HELP: &str = "\
Exit status:
  0  success
  1  the configuration, or a value to write, is invalid (each problem is printed with its
     file and line); nothing was written
  2  bad command line
  3  a file could not be read or written
  4  probe-l2: at least one provider is not usable

Provider URLs often contain API keys; they are shown redacted everywhere unless
`show --reveal` is given.";

/// Render, edit, validate and show the Session stagenet node config, and probe L2 providers.
#[derive(Debug, Parser)]
#[command(name = "oxen-sn-config", version, after_long_help = AFTER_HELP)]
pub struct Cli {
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
        /// The config file, e.g. /etc/oxen/stagenet.conf.
        file: PathBuf,
    },
    /// Check FILE as the daemon does at startup; print every problem with its line.
    Validate {
        /// The config file.
        file: PathBuf,
    },
    /// Print the settings of FILE, each with the file and line (or default) it comes from.
    Show {
        /// Include every option, defaults too.
        #[arg(long)]
        effective: bool,
        /// Show provider URLs and rpc-login in full (they may contain secrets).
        #[arg(long)]
        reveal: bool,
        /// The config file.
        file: PathBuf,
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

/// A failure that has its own exit status. `message` is what [`main`] prints; `None`
/// means the details were already printed where they arose.
#[derive(Debug)]
struct Exit {
    code: u8,
    message: Option<String>,
}

impl Exit {
    /// A failure whose details were already printed.
    fn quiet(code: u8) -> anyhow::Error {
        Exit {
            code,
            message: None,
        }
        .into()
    }

    /// A failure that [`main`] reports with `message`.
    fn with(code: u8, message: impl Into<String>) -> anyhow::Error {
        Exit {
            code,
            message: Some(message.into()),
        }
        .into()
    }
}

impl std::fmt::Display for Exit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.message {
            Some(m) => f.write_str(m),
            None => write!(f, "exit status {}", self.code),
        }
    }
}

impl std::error::Error for Exit {}

/// The exit status for an error returned by [`run`].
pub fn exit_code(err: &anyhow::Error) -> u8 {
    if let Some(Exit { code, .. }) = err.downcast_ref::<Exit>() {
        return *code;
    }
    match err.chain().find_map(|e| e.downcast_ref::<ConfError>()) {
        Some(
            ConfError::Read { .. }
            | ConfError::Write { .. }
            | ConfError::Group { .. }
            | ConfError::NotUtf8 { .. },
        ) => EXIT_IO,
        Some(_) => EXIT_INVALID,
        None => EXIT_IO,
    }
}

/// Parses the command line and runs; prints errors to stderr. The thin `main`.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::from(EXIT_OK),
        Err(e) => {
            let code = exit_code(&e);
            // Only a bare quiet Exit has nothing more to say; any context is printed.
            let quiet = e.chain().count() == 1
                && e.downcast_ref::<Exit>()
                    .is_some_and(|x| x.message.is_none());
            if !quiet {
                eprintln!("oxen-sn-config: error: {e:#}");
            }
            ExitCode::from(code)
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
fn provider_args(args: &[String], what: &str, then: &str) -> Result<Vec<String>> {
    if let Some(bad) = args.iter().find(|a| split_list(a).next().is_none()) {
        return Err(Exit::with(
            EXIT_INVALID,
            format!(
                "{what} {bad:?} holds no URL (values are split on commas and blanks): give an \
                 http:// or https:// URL{then}"
            ),
        ));
    }
    Ok(split_urls(args))
}

/// Runs one command. Errors carry their exit status (see [`exit_code`]).
pub fn run(cli: Cli) -> Result<()> {
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
        } => set(
            &file,
            public_ip,
            &provider_args(
                &l2_provider,
                "--l2-provider",
                &format!(
                    ", or leave --l2-provider out to keep the file's providers; {} was not changed",
                    file.display()
                ),
            )?,
        ),
        Cmd::Validate { file } => validate(&file),
        Cmd::Show {
            effective,
            reveal,
            file,
        } => show(&file, effective, reveal),
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

fn set(file: &Path, public_ip: Option<Ipv4Addr>, urls: &[String]) -> Result<()> {
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
        eprintln!("oxen-sn-config: error: {e}");
        refused = true;
    }
    for p in &problems {
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
        return Err(Exit::quiet(EXIT_INVALID));
    }

    // As root the file must end up in the daemon's group, or it is not installed; an
    // unprivileged run (tests, a user's own copy) writes it and warns.
    let group = match lookup_group(CONFIG_GROUP) {
        None => FileGroup::Own,
        Some(gid) if rustix::process::geteuid().is_root() => FileGroup::Require(gid),
        Some(gid) => FileGroup::Prefer(gid),
    };
    let outcome = snode_conf::write_atomic(file, text.as_bytes(), group).map_err(|e| {
        let group_failed = matches!(e, ConfError::Group { .. });
        let e = anyhow::Error::new(e);
        if group_failed {
            e.context(format!(
                "{} was not changed: the new file could not be given to group {CONFIG_GROUP}",
                file.display()
            ))
        } else {
            e
        }
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

fn validate(file: &Path) -> Result<()> {
    let text = read_text(file)?;
    let (errors, problems) = check_text(&text, &name(file), &[]);
    let mut out = std::io::stdout().lock();
    for e in &errors {
        writeln!(out, "{e}")?;
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
        return Err(Exit::quiet(EXIT_INVALID));
    }
    writeln!(out, "{}: ok", file.display())?;
    Ok(())
}

fn show(file: &Path, effective: bool, reveal: bool) -> Result<()> {
    let doc = Document::load(file)?;
    let settings = snode_conf::Settings::from_sources(Some(&doc), &[])?;
    let mut out = std::io::stdout().lock();
    for (spec, values, origin) in settings.effective(reveal) {
        if !effective && origin == Origin::Default {
            continue;
        }
        if values.is_empty() {
            writeln!(out, "{}=  # {origin}", spec.name)?;
        }
        // Each value with its own line (l2-provider values come from several lines).
        let given = settings.values_with_origin(spec.name);
        for (i, v) in values.iter().enumerate() {
            let from = given.get(i).map_or(&origin, |(_, o)| o);
            writeln!(out, "{}={v}  # {from}", spec.name)?;
        }
    }
    Ok(())
}

fn probe_l2(
    json: bool,
    timeout: f64,
    contract: Option<String>,
    config: Option<&Path>,
    urls: Vec<String>,
) -> Result<()> {
    let timeout = Duration::try_from_secs_f64(timeout)
        .ok()
        .filter(|d| !d.is_zero())
        .ok_or_else(|| {
            Exit::with(
                EXIT_USAGE,
                format!("--timeout must be a positive number of seconds, not {timeout}"),
            )
        })?;
    let mut urls = provider_args(&urls, "the URL argument", "")?;
    let mut default_contract = DEFAULT_REWARDS_CONTRACT.to_string();
    if let Some(file) = config {
        let settings = snode_conf::Settings::from_sources(Some(&Document::load(file)?), &[])?;
        urls.extend(settings.l2_provider.iter().cloned());
        default_contract = settings.l2_rewards_contract.clone();
    }
    let urls = split_urls(&urls);
    if urls.is_empty() {
        eprintln!("oxen-sn-config: no L2 provider to probe: give URLs or a --config file with l2-provider lines");
        return Err(Exit::quiet(EXIT_INVALID));
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
        writeln!(out, "{}", serde_json::to_string_pretty(&v)?)?;
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
        Err(Exit::quiet(EXIT_PROBE))
    }
}
