//! `oxend-stagenet doctor`: every local check of a node, one line each with
//! its fix (or `--json`), exit status = the worst finding (docs/doctor.md).
//! Works with the daemon stopped.
//!
//! Modules: [`report`] (findings, text and JSON), [`host`] (config, key files,
//! the unit, ufw, clock, disk: this host only), [`remote`] (the admin RPC, the
//! L2 providers, the public IP sources, the contract state).
//!
//! Everything a test needs to point elsewhere is an operator's option too:
//! `--config-file`, `--data-dir` (a setting), `--ufw-dir`, `--unit`,
//! `--key-owner`, `--ip-source` (or `OXEN_SN_PUBLIC_IP_SOURCES`, as for
//! `oxen-sn-public-ip`), `--min-free`; `systemctl` and `timedatectl` are found
//! through `PATH`.

pub mod host;
pub mod remote;
pub mod report;

use std::path::{Path, PathBuf};
use std::time::Duration;

use snode_keys::KeyKind;

pub use report::{Finding, Level, Report};

/// The packaged config file, read when `--config-file` is not given.
pub const SYSTEM_CONFIG: &str = snode_node::config::SYSTEM_CONFIG;

/// The text after the options in `oxend-stagenet doctor --help`.
pub const AFTER_HELP: &str = "\
Checks, in this order (docs/doctor.md explains each and its fix): config, key_ed25519,
key_bls (and a legacy key), unit, admin_rpc, l2_provider_N, public_ip, ufw_profile,
ufw_active, clock, disk, contract_state. Each prints one line:
  ok      key_ed25519: present, 0400 _loki, matches the daemon
  PROBLEM key_bls: mode 0644, not 0400 (fix: sudo chmod 0400 /var/lib/oxen/stagenet/key_bls)
Provider URLs are shown as scheme://host[:port]/… only. Run it with sudo to read the
config file and compare the key files with the running daemon.

`systemctl show` and `timedatectl show` are run from PATH; when missing, that is a
finding of its own.

Exit status:
  0   every check is ok
  1   at least one warning, no problem
  2   at least one problem (the node does not work, or will not after a restart)";

/// `oxend-stagenet doctor`'s options.
#[derive(Debug, Clone, clap::Args)]
pub struct DoctorArgs {
    /// Print a JSON report ({worst, exit_status, findings: [{id, level, what, fix}]}).
    #[arg(long)]
    pub json: bool,

    /// ufw's configuration directory: the profile is <DIR>/applications.d/oxend-stagenet,
    /// the state <DIR>/ufw.conf.
    #[arg(long, value_name = "DIR", default_value = "/etc/ufw")]
    pub ufw_dir: PathBuf,

    /// The systemd unit of the node.
    #[arg(long, value_name = "UNIT", default_value = host::UNIT)]
    pub unit: String,

    /// The user (name or uid) the daemon runs as, who must own the key files.
    #[arg(long, value_name = "USER", default_value = "_loki")]
    pub key_owner: String,

    /// A source answering this host's IPv4 address as text (repeatable; default
    /// $OXEN_SN_PUBLIC_IP_SOURCES, else oxen-sn-public-ip's sources).
    #[arg(long = "ip-source", value_name = "URL")]
    pub ip_sources: Vec<String>,

    /// Warn when less than this many MiB are free under the data directory (below
    /// 256 MiB is a problem).
    #[arg(long, value_name = "MIB", default_value_t = 2048)]
    pub min_free: u64,

    /// Seconds each provider request and IP source may take.
    #[arg(long, value_name = "SECS", default_value_t = 10.0)]
    pub timeout: f64,

    /// Skip the checks that leave this host (L2 providers, public IP sources).
    #[arg(long)]
    pub offline: bool,
}

/// Runs every check. `config_file`: `--config-file`; `overrides`: settings
/// given on the command line.
pub fn check(
    config_file: Option<&Path>,
    overrides: &[(String, String)],
    args: &DoctorArgs,
) -> Report {
    let mut report = Report::default();
    let path = match config_file {
        Some(p) => Some(p.to_path_buf()),
        None => Some(PathBuf::from(SYSTEM_CONFIG)).filter(|p| p.exists()),
    };
    let (loaded, finding) = host::config(path.as_deref(), overrides);
    report.findings.push(finding);
    let settings = &loaded.settings;
    let timeout = Duration::try_from_secs_f64(args.timeout)
        .ok()
        .filter(|d| !d.is_zero())
        .unwrap_or(Duration::from_secs(10));

    // The daemon first: the key lines compare with what it runs on.
    let (daemon, rpc) = remote::daemon(settings);
    let data_dir = settings.data_dir();
    let mut kinds = vec![(KeyKind::Ed25519, false)];
    if settings.service_node {
        kinds.push((KeyKind::Bls, false));
        kinds.push((KeyKind::Legacy, true));
    }
    let passwd = host::passwd();
    for (kind, optional) in kinds {
        let keys = daemon.as_ref().map(|d| &d.keys);
        report.findings.extend(host::key_file(
            &data_dir,
            kind,
            &args.key_owner,
            &passwd,
            keys,
            optional,
        ));
    }
    report.findings.push(host::unit(&args.unit));
    report.findings.push(rpc);
    if !args.offline {
        for (i, url) in settings.l2_provider.iter().enumerate() {
            report
                .findings
                .push(remote::provider(i, url, settings, timeout));
        }
        if settings.l2_provider.is_empty() && settings.service_node {
            report.findings.push(Finding::problem(
                "l2_provider_1",
                "no l2-provider in the config: a service node needs one",
                "sudo dpkg-reconfigure session-stagenet-node (or add l2-provider=URL), then sudo \
                 systemctl restart oxen-stagenet-node",
            ));
        }
        if settings.service_node {
            report.findings.push(remote::public_ip(
                settings,
                &oxen_sn_public_ip::sources(&args.ip_sources),
                timeout,
            ));
        }
    }
    report
        .findings
        .push(host::ufw_profile(&args.ufw_dir, settings));
    report.findings.extend(host::ufw_active(&args.ufw_dir));
    report.findings.push(host::clock());
    report.findings.push(host::disk(&data_dir, args.min_free));
    report
        .findings
        .extend(remote::contract_state(settings, daemon.as_ref()));

    // The last guard: no provider or staking URL secret leaves, whatever a
    // message quoted.
    let mut urls = settings.l2_provider.clone();
    urls.push(settings.staking_url.clone());
    let scrubber = snode_node::logging::Scrubber::new(&urls, &[]);
    report.scrub(|text| scrubber.scrub(text));
    report
}

/// `oxend-stagenet doctor`: prints the report and returns the exit status.
pub fn run(
    config_file: Option<&Path>,
    overrides: &[(String, String)],
    args: &DoctorArgs,
) -> crate::Exit {
    let report = check(config_file, overrides, args);
    if args.json {
        print!("{}", report.json());
    } else {
        print!("{}", report.text());
    }
    report.worst().exit()
}
