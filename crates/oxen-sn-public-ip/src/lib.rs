//! `oxen-sn-public-ip`: find this host's public IPv4 address by asking several
//! independent HTTPS sources and requiring agreement, check it against the public
//! ranges oxend demands (docs/compat/config.md; the wider ranges are in
//! docs/compat/decisions.md), and tell whether the address sits on a local interface
//! or behind NAT. Replaces the single plain-HTTP lookup of upstream's debconf script
//! (docs/compat/systemd-and-package.md).
//!
//! [`command`] is the clap definition (man pages, completions); [`detect`] does the work.

use std::io::Read;
use std::net::Ipv4Addr;
use std::process::ExitCode;
use std::time::Duration;

use clap::{CommandFactory, Parser};
use serde::Serialize;
use snode_conf::{non_public_reason, parse_ipv4, redact_url};

/// Default sources: four operators, HTTPS, each answering the caller's IPv4 as plain text.
pub const DEFAULT_SOURCES: [&str; 4] = [
    "https://api.ipify.org",
    "https://ipv4.icanhazip.com",
    "https://checkip.amazonaws.com",
    "https://v4.ident.me",
];
/// Environment variable holding source URLs (separated by commas or blanks); `--source` wins.
pub const SOURCES_ENV: &str = "OXEN_SN_PUBLIC_IP_SOURCES";

/// The exit statuses, each with its meaning as `--help` and the man page list it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Exit {
    Ok = 0,
    NoAgreement = 1,
    Usage = 2,
    NotPublic = 3,
    NoAnswer = 4,
}

impl Exit {
    /// Every status, in the order of the table.
    pub const ALL: [Exit; 5] = [
        Exit::Ok,
        Exit::NoAgreement,
        Exit::Usage,
        Exit::NotPublic,
        Exit::NoAnswer,
    ];

    /// The process exit status.
    pub const fn code(self) -> u8 {
        self as u8
    }

    /// What the status means (continuation lines indented for the table).
    pub const fn meaning(self) -> &'static str {
        match self {
            Exit::Ok => "the address was found and printed",
            Exit::NoAgreement => {
                "the sources disagree, or only one answered: enter the address by hand"
            }
            Exit::Usage => "bad command line",
            Exit::NotPublic => {
                "the sources agree on an address that is not public (private, loopback, CGNAT,\n     \
                 link-local, multicast, documentation or reserved range)"
            }
            Exit::NoAnswer => "no source answered: check the network, or enter the address by hand",
        }
    }

    /// The table of every status.
    pub fn table() -> String {
        Exit::ALL.iter().fold(String::from("Exit status:"), |t, e| {
            t + &format!("\n  {}  {}", e.code(), e.meaning())
        })
    }
}

const RULE_HELP: &str = "\
Rule: an address is accepted only when at least two sources report it and it has a
strict majority of the sources that answered. The host's interfaces never stand in for
an answer; they only tell whether the address is on an interface or behind NAT / a
floating IP (a warning).

Output: the address alone on stdout; reasons and warnings on stderr (or everything as
JSON on stdout with --json).";

const ENV_HELP: &str = "\
Environment:
  OXEN_SN_PUBLIC_IP_SOURCES  source URLs, separated by commas or blanks (--source wins)";

/// The text after the options in `--help` and the man page.
fn after_help() -> String {
    format!("{RULE_HELP}\n\n{}\n\n{ENV_HELP}", Exit::table())
}

/// Detect this host's public IPv4 address by agreement of several HTTPS sources.
#[derive(Debug, Parser)]
#[command(name = "oxen-sn-public-ip", version, after_long_help = after_help())]
pub struct Cli {
    /// A source URL answering the caller's IPv4 address as text (repeatable; replaces the
    /// defaults and $OXEN_SN_PUBLIC_IP_SOURCES).
    #[arg(long = "source", value_name = "URL")]
    pub sources: Vec<String>,
    /// Seconds each source may take.
    #[arg(long, value_name = "SECS", default_value_t = 5.0)]
    pub timeout: f64,
    /// Treat these as the host's interface addresses instead of reading
    /// /proc/net/fib_trie (repeatable; for containers and tests).
    #[arg(long = "interface-address", value_name = "IP")]
    pub interface_addresses: Vec<Ipv4Addr>,
    /// Print a JSON report on stdout.
    #[arg(long)]
    pub json: bool,
    /// Also print each source's answer on stderr.
    #[arg(long, short)]
    pub verbose: bool,
    /// For the installer: stderr gets one line only, the reason on failure or the
    /// NAT / floating-IP warning on success (no per-source details, no prefix).
    #[arg(long, conflicts_with_all = ["json", "verbose"])]
    pub brief: bool,
}

/// The clap definition, for man pages and completions.
pub fn command() -> clap::Command {
    Cli::command()
}

/// One source's answer.
#[derive(Clone, Debug, Serialize)]
pub struct SourceAnswer {
    /// The source URL, redacted.
    pub source: String,
    /// The address it reported.
    pub address: Option<Ipv4Addr>,
    /// Why it gave none.
    pub error: Option<String>,
}

/// Where the address lives, relative to this host.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Placement {
    /// The public address is on one of the host's interfaces.
    OnInterface,
    /// The address is not on any interface: NAT, a floating IP or a proxy.
    BehindNat,
    /// The interfaces could not be read.
    Unknown,
}

/// The outcome of [`detect`].
#[derive(Clone, Debug, Serialize)]
pub struct Detection {
    /// The accepted public address.
    pub address: Option<Ipv4Addr>,
    /// The exit status to use.
    #[serde(skip)]
    pub exit: u8,
    /// Each source's answer.
    pub sources: Vec<SourceAnswer>,
    /// Sources that reported the accepted (or leading) address.
    pub votes: usize,
    /// Sources that reported an address.
    pub answered: usize,
    /// Relation of the address to the interfaces.
    pub placement: Option<Placement>,
    /// IPv4 addresses found on the host's interfaces.
    pub interface_addresses: Vec<Ipv4Addr>,
    /// Things the operator should know.
    pub warnings: Vec<String>,
    /// The one warning about the accepted address itself (behind NAT or a floating
    /// IP), also in `warnings`.
    #[serde(skip)]
    pub placement_warning: Option<String>,
    /// Why no address was accepted, and what to do.
    pub error: Option<String>,
}

/// Asks one source; the whole request is bounded by `timeout`.
fn ask(url: &str, timeout: Duration) -> Result<Ipv4Addr, String> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        .ip_family(ureq::config::IpFamily::Ipv4Only)
        .user_agent(concat!("oxen-sn-public-ip/", env!("CARGO_PKG_VERSION")))
        .build()
        .into();
    let scrub = |e: &dyn std::fmt::Display| snode_conf::scrub_secrets(&e.to_string(), url);
    let mut resp = agent.get(url).call().map_err(|e| match e {
        ureq::Error::Timeout(_) => format!("no answer within {} s", timeout.as_secs_f64()),
        e => format!("no answer: {}", scrub(&e)),
    })?;
    if resp.status().as_u16() != 200 {
        return Err(format!("HTTP status {}", resp.status().as_u16()));
    }
    let mut body = Vec::new();
    resp.body_mut()
        .as_reader()
        .take(256)
        .read_to_end(&mut body)
        .map_err(|e| format!("reading the answer failed: {}", scrub(&e)))?;
    parse_answer(&body)
}

/// Reads a source's answer (its first 256 bytes): an IPv4 address as text,
/// blanks around it allowed; otherwise what it said, shortened.
pub fn parse_answer(body: &[u8]) -> Result<Ipv4Addr, String> {
    let text = String::from_utf8_lossy(&body[..body.len().min(256)]);
    parse_ipv4(&text).ok_or_else(|| {
        let shown: String = text.trim().chars().take(40).collect();
        format!("answered {shown:?}, not an IPv4 address")
    })
}

/// Asks every source at once; returns when each has answered or timed out.
pub fn query(sources: &[String], timeout: Duration) -> Vec<SourceAnswer> {
    std::thread::scope(|s| {
        let handles: Vec<_> = sources
            .iter()
            .map(|url| s.spawn(move || ask(url, timeout)))
            .collect();
        sources
            .iter()
            .zip(handles)
            .map(|(url, h)| {
                let result = h
                    .join()
                    .unwrap_or_else(|_| Err("the query failed".to_string()));
                SourceAnswer {
                    source: redact_url(url),
                    address: result.as_ref().ok().copied(),
                    error: result.err(),
                }
            })
            .collect()
    })
}

/// IPv4 addresses assigned to this host's interfaces (the `host LOCAL` entries of
/// `/proc/net/fib_trie`); `None` when that file cannot be read.
pub fn interface_addresses() -> Option<Vec<Ipv4Addr>> {
    std::fs::read_to_string("/proc/net/fib_trie")
        .ok()
        .map(|t| parse_fib_trie(&t))
}

/// The `host LOCAL` IPv4 addresses of a `/proc/net/fib_trie` text.
pub fn parse_fib_trie(text: &str) -> Vec<Ipv4Addr> {
    let mut out = Vec::new();
    let mut last: Option<Ipv4Addr> = None;
    for line in text.lines() {
        let t = line.trim();
        if let Some(addr) = t.strip_prefix("|-- ") {
            last = addr.parse().ok();
        } else if t.starts_with("/32 host LOCAL") {
            if let Some(a) = last.filter(|a| !out.contains(a)) {
                out.push(a);
            }
        }
    }
    out
}

/// Applies the agreement rule to `answers` and classifies the result against the
/// host's `interfaces` (`None`: unknown).
pub fn decide(answers: Vec<SourceAnswer>, interfaces: Option<Vec<Ipv4Addr>>) -> Detection {
    let got: Vec<Ipv4Addr> = answers.iter().filter_map(|a| a.address).collect();
    let mut tally: Vec<(Ipv4Addr, usize)> = Vec::new();
    for ip in &got {
        match tally.iter_mut().find(|(a, _)| a == ip) {
            Some((_, n)) => *n += 1,
            None => tally.push((*ip, 1)),
        }
    }
    tally.sort_by_key(|t| std::cmp::Reverse(t.1));
    let known = interfaces.is_some();
    let interfaces = interfaces.unwrap_or_default();
    let mut d = Detection {
        address: None,
        exit: Exit::Ok.code(),
        sources: answers,
        votes: tally.first().map_or(0, |t| t.1),
        answered: got.len(),
        placement: None,
        interface_addresses: interfaces.clone(),
        warnings: Vec::new(),
        placement_warning: None,
        error: None,
    };
    // Why each silent source gave no answer, whatever the outcome.
    for a in &d.sources {
        if let (None, Some(e)) = (a.address, &a.error) {
            d.warnings.push(format!("{}: {e}", a.source));
        }
    }
    // A public address on an interface is only ever a hint, never an answer.
    let public_on_interface: Vec<String> = interfaces
        .iter()
        .filter(|a| non_public_reason(**a).is_none())
        .map(Ipv4Addr::to_string)
        .collect();
    let hint = if public_on_interface.is_empty() {
        String::new()
    } else {
        format!(
            " (this host has {} on an interface; if other nodes reach it there, enter that)",
            public_on_interface.join(", ")
        )
    };

    let candidate = match tally.as_slice() {
        [(ip, n), ..] if *n >= 2 && 2 * n > got.len() => Some(*ip),
        [] => {
            d.exit = Exit::NoAnswer.code();
            d.error = Some(format!(
                "no source answered; check the network (DNS, outbound HTTPS to the sources) and \
                 try again, or enter the address by hand{hint}"
            ));
            None
        }
        _ => {
            let said: Vec<String> = d
                .sources
                .iter()
                .filter_map(|a| a.address.map(|ip| format!("{} said {ip}", a.source)))
                .collect();
            d.exit = Exit::NoAgreement.code();
            d.error = Some(if got.len() == 1 {
                format!(
                    "only one source answered ({}); an address must be reported by at least two \
                     sources. Check that this host can reach the other sources (see the warnings), \
                     add sources with --source, or enter the address by hand{hint}",
                    said.join("; ")
                )
            } else {
                format!(
                    "the sources do not agree on an address ({}); an address must be reported by at \
                     least two sources and by a strict majority of those that answered. This host may \
                     leave through several addresses (several uplinks, a VPN or a proxy). Find the \
                     address other nodes reach this host at (your provider's control panel, or \
                     `ip -4 addr`) and enter it by hand{hint}",
                    said.join("; ")
                )
            });
            None
        }
    };
    let Some(ip) = candidate else {
        return d;
    };
    for a in &d.sources {
        if let Some(other) = a.address.filter(|other| *other != ip) {
            d.warnings.push(format!(
                "{} reported {other}, unlike the others; ignored",
                a.source
            ));
        }
    }
    if let Some(reason) = non_public_reason(ip) {
        d.exit = Exit::NotPublic.code();
        d.error = Some(format!(
            "the sources agree on {ip}, which is not a public address ({reason}); a service node needs \
             an address other nodes can reach: use a host with a public IPv4 address, or forward TCP \
             ports 11022 and 11025 from one and enter that address"
        ));
        return d;
    }
    d.placement = Some(if !known {
        Placement::Unknown
    } else if interfaces.contains(&ip) {
        Placement::OnInterface
    } else {
        let list: Vec<String> = interfaces.iter().map(Ipv4Addr::to_string).collect();
        let warning = format!(
            "{ip} is not on any interface of this host ({}): it is behind NAT or a floating IP; make \
             sure TCP ports 11022 and 11025 on {ip} reach this host",
            if list.is_empty() { "none found".to_string() } else { list.join(", ") }
        );
        d.warnings.push(warning.clone());
        d.placement_warning = Some(warning);
        Placement::BehindNat
    });
    d.address = Some(ip);
    d
}

/// Asks the sources, applies the rule and classifies the address.
pub fn detect(
    sources: &[String],
    timeout: Duration,
    interfaces: Option<Vec<Ipv4Addr>>,
) -> Detection {
    decide(query(sources, timeout), interfaces)
}

/// The sources to ask: `explicit` (e.g. `--source`) when not empty, else the URLs of
/// [`SOURCES_ENV`] (separated by commas or blanks) when it is set and names at least
/// one, else [`DEFAULT_SOURCES`]. An unset, empty, blank or non-UTF-8 variable means
/// the defaults.
pub fn sources(explicit: &[String]) -> Vec<String> {
    if !explicit.is_empty() {
        return explicit.to_vec();
    }
    let env: Vec<String> = std::env::var(SOURCES_ENV)
        .map(|v| snode_conf::split_list(&v).map(str::to_string).collect())
        .unwrap_or_default();
    if env.is_empty() {
        DEFAULT_SOURCES.iter().map(|s| s.to_string()).collect()
    } else {
        env
    }
}

/// Parses the command line, detects, prints, and returns the exit status. The thin `main`.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let Some(timeout) = Duration::try_from_secs_f64(cli.timeout)
        .ok()
        .filter(|d| !d.is_zero())
    else {
        eprintln!("oxen-sn-public-ip: error: --timeout must be a positive number of seconds");
        return ExitCode::from(Exit::Usage.code());
    };
    let sources = sources(&cli.sources);
    let interfaces = if cli.interface_addresses.is_empty() {
        interface_addresses()
    } else {
        Some(cli.interface_addresses.clone())
    };
    let d = detect(&sources, timeout, interfaces);
    if cli.brief {
        if let Some(line) = d.error.as_ref().or(d.placement_warning.as_ref()) {
            eprintln!("{line}");
        }
        if let Some(ip) = d.address {
            println!("{ip}");
        }
    } else if cli.json {
        let mut v = serde_json::to_value(&d).unwrap_or_default();
        v["ok"] = serde_json::Value::Bool(d.exit == Exit::Ok.code());
        println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
    } else {
        if cli.verbose {
            for a in &d.sources {
                match (a.address, &a.error) {
                    (Some(ip), _) => eprintln!("oxen-sn-public-ip: {}: {ip}", a.source),
                    (None, Some(e)) => eprintln!("oxen-sn-public-ip: {}: {e}", a.source),
                    _ => {}
                }
            }
        }
        for w in &d.warnings {
            eprintln!("oxen-sn-public-ip: warning: {w}");
        }
        if let Some(e) = &d.error {
            eprintln!("oxen-sn-public-ip: error: {e}");
        }
        if let Some(ip) = d.address {
            println!("{ip}");
        }
    }
    ExitCode::from(d.exit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fib_trie() {
        let text = "Main:\n  +-- 0.0.0.0/0 3 0 5\n     |-- 0.0.0.0\n        /0 universe UNICAST\n\
                    |-- 127.0.0.1\n              /32 host LOCAL\n           |-- 10.1.2.3\n              /32 host LOCAL\n\
                    |-- 10.1.2.255\n           /32 link BROADCAST\nLocal:\n |-- 10.1.2.3\n /32 host LOCAL\n";
        assert_eq!(
            parse_fib_trie(text),
            [Ipv4Addr::new(127, 0, 0, 1), Ipv4Addr::new(10, 1, 2, 3)]
        );
    }

    fn answers(ips: &[Option<&str>]) -> Vec<SourceAnswer> {
        ips.iter()
            .enumerate()
            .map(|(i, ip)| SourceAnswer {
                source: format!("https://s{i}.example"),
                address: ip.map(|s| s.parse().unwrap()),
                error: ip.is_none().then(|| "no answer".to_string()),
            })
            .collect()
    }

    #[test]
    fn rule() {
        const IP: &str = "51.15.0.7";
        let ip: Ipv4Addr = IP.parse().unwrap();
        let a = Some(IP);
        let b = Some("51.15.0.8");
        let none = None;
        let d = decide(answers(&[a, a, b, b]), None);
        assert_eq!(
            (d.address, d.exit),
            (None, Exit::NoAgreement.code()),
            "a tie is no majority"
        );
        let d = decide(answers(&[a, a, none, none]), None);
        assert_eq!(
            d.address,
            a.map(|s| s.parse().unwrap()),
            "two agree, two silent"
        );
        assert_eq!(d.placement, Some(Placement::Unknown));
        let d = decide(answers(&[a, none, none]), None);
        assert_eq!(d.exit, Exit::NoAgreement.code(), "one answer is not enough");
        // Not even when the same address is on an interface: it only classifies.
        let d = decide(answers(&[a, none, none]), Some(vec![ip]));
        assert_eq!((d.address, d.exit), (None, Exit::NoAgreement.code()));
        assert!(d.error.unwrap().contains("only one source answered"));
        let d = decide(answers(&[a, a, b]), None);
        assert_eq!(d.address, Some(ip), "two of three is a strict majority");
        let d = decide(answers(&[a, a, none]), Some(vec![ip]));
        assert_eq!(
            (d.address, d.placement),
            (Some(ip), Some(Placement::OnInterface))
        );
        // No answer: the interface address is a hint in the error, never the result.
        let d = decide(answers(&[none, none]), Some(vec![Ipv4Addr::LOCALHOST, ip]));
        assert_eq!((d.address, d.exit), (None, Exit::NoAnswer.code()));
        assert!(d
            .error
            .unwrap()
            .contains("this host has 51.15.0.7 on an interface"));
        let d = decide(answers(&[none, none]), Some(vec![Ipv4Addr::LOCALHOST]));
        assert_eq!(d.exit, Exit::NoAnswer.code());
        assert!(!d.error.unwrap().contains("on an interface"));
    }
}
