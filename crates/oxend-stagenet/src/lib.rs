//! `oxend-stagenet`: the Session stagenet service node daemon and the client
//! that forwards `oxend-stagenet <command>` to it, as a thin command line over
//! the `snode-node` library (docs/ARCHITECTURE.md). This crate holds the
//! command line ([`cli`], [`command`] for man pages and completions), the
//! exit codes (defined here only), the signal handler, and [`run`], which
//! reads the configuration and starts the daemon (with the L2 tracker and
//! chain follower plug-ins) or runs one client command.
//!
//! The decisions of docs/compat/decisions.md apply: a dedicated
//! configuration exit code ([`Exit::Config`]) the unit does not restart on, a
//! client that reads the daemon's config and creates nothing, and log
//! rotation that honours `max-log-file-size` and `max-log-files`.
//!
//! # Testing hooks
//!
//! Hidden options: `--rpc-address-file FILE` writes the bound admin RPC addresses
//! (one `IP:PORT` per line) once the daemon listens, so tests can use
//! `rpc-admin=127.0.0.1:0`; `--watchdog-interval SECONDS` shortens the 10 s
//! `WATCHDOG=1` period. Environment: `OXEND_STAGENET_JOIN_WITHIN` (how long
//! to wait for workers on the way out), `OXEND_STAGENET_SUMMARY_INTERVAL`
//! (the L2 summary line's period), `OXEND_STAGENET_SUBMIT_TIMEOUT` (the
//! client's wait for the staking backend); seconds, decimals allowed. In
//! process, `snode_node::daemon::run` takes listeners and the shutdown switch
//! in `DaemonOptions`.
//!
//! `oxend-stagenet doctor` ([`doctor`], docs/doctor.md) takes its fixtures
//! through operator options (`--ufw-dir`, `--key-owner`, `--ip-source`,
//! `--min-free`, the settings) and finds `systemctl` / `timedatectl` in `PATH`.

pub mod cli;
pub mod doctor;

use std::ffi::OsString;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use snode_node::client::{self, ClientError};
use snode_node::l2::summary::{SUMMARY_EVERY, SUMMARY_EVERY_ENV};
use snode_node::shutdown::Shutdown;
use snode_node::{config, daemon, logging, notify};

pub use cli::command;
/// The client commands (`oxend-stagenet help` lists them), for checks of
/// documented command lines.
pub use snode_node::client::COMMANDS as CLIENT_COMMANDS;
pub use snode_node::{banner, VERSION};

/// The exit statuses, as `--help` and the man page list them (the same style
/// as the other tools' `Exit`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Exit {
    /// Success (daemon: stopped cleanly; client: command succeeded).
    Ok = 0,
    /// Failure (runtime error; client command failed or daemon not running).
    Failure = 1,
    /// `doctor` found a problem (a warning at worst is [`Exit::Failure`]).
    Problem = 2,
    /// Configuration error (sysexits `EX_CONFIG`). The systemd unit sets
    /// `RestartPreventExitStatus=78` so a bad configuration fails once with one
    /// clear message instead of restarting every 5 s.
    Config = 78,
}

impl Exit {
    /// Every status, in the order of the table.
    pub const ALL: [Exit; 4] = [Exit::Ok, Exit::Failure, Exit::Problem, Exit::Config];

    /// The process exit status.
    pub const fn code(self) -> u8 {
        self as u8
    }
}

impl From<Exit> for i32 {
    fn from(e: Exit) -> i32 {
        i32::from(e.code())
    }
}

/// Runs the program with these arguments (`args[0]` is the program name) and
/// returns the exit status.
pub fn run(args: &[OsString]) -> Exit {
    let inv = match cli::parse(args) {
        Ok(inv) => inv,
        Err(e) => {
            let code = match e.use_stderr() {
                false => Exit::Ok, // --help
                // a client command line: client failures exit 1
                true if cli::has_command_words(args) => Exit::Failure,
                true => Exit::Config,
            };
            let _ = e.print();
            return code;
        }
    };
    if inv.flags.version {
        println!("{}\n", banner());
        return Exit::Ok;
    }
    if let Some(cli::Sub::Doctor(args)) = &inv.flags.sub {
        return doctor::run(inv.flags.config_file.as_deref(), &inv.overrides, args);
    }
    if !inv.flags.command.is_empty() {
        return run_client(&inv);
    }
    run_daemon(inv)
}

fn run_client(inv: &cli::Invocation) -> Exit {
    let out = client::Out::default();
    let words = &inv.flags.command;
    // Commands that run locally never read the config.
    if words[0] == "help" {
        let ok = client::run_command(
            words,
            || Err(ClientError::Setup("help needs no daemon".into())),
            &out,
        );
        return exit_code(ok);
    }
    let defaults = [
        PathBuf::from(config::SYSTEM_CONFIG),
        config::cli_data_dir(&inv.overrides).join("oxen.conf"),
    ];
    let explicit = inv.flags.config_file.is_some();
    let mut note = None;
    let settings =
        config::config_path(inv.flags.config_file.as_deref(), &defaults).and_then(|path| {
            match config::load_settings(path.as_deref(), &inv.overrides) {
                // The packaged config is 0640 root:_loki: an ordinary user cannot read it.
                // The default admin address usually works anyway; say so if it does not.
                Err(config::ConfigError::Parse(snode_conf::ConfError::Read { path, source }))
                    if !explicit && source.kind() == std::io::ErrorKind::PermissionDenied =>
                {
                    note = Some(format!(
                        "{} is not readable by this user, so the default admin RPC address was \
                     used; run the command with sudo (or as a member of group _loki)",
                        path.display()
                    ));
                    config::load_settings(None, &inv.overrides)
                }
                other => other,
            }
        });
    let connect = || {
        let setup = |e: config::ConfigError| ClientError::Setup(e.to_string());
        let settings = settings.map_err(setup)?;
        let url = config::client_url(&settings).map_err(setup)?;
        let login = Some(settings.rpc_login.clone()).filter(|l| !l.is_empty());
        Ok(client::Client::new(url, login))
    };
    let code = exit_code(client::run_command(words, connect, &out));
    if let Some(note) = note.filter(|_| code != Exit::Ok) {
        eprintln!("Note: {note}");
    }
    code
}

/// `rpc-login` as it must never appear in logs: the whole value and its password.
fn login_secrets(login: &str) -> Vec<String> {
    let mut out = vec![login.to_string()];
    if let Some((_, pass)) = login.split_once(':').filter(|(_, p)| p.len() >= 4) {
        out.push(pass.to_string());
    }
    out
}

fn run_daemon(inv: cli::Invocation) -> Exit {
    let defaults = [config::cli_data_dir(&inv.overrides).join("oxen.conf")];
    let loaded = config::config_path(inv.flags.config_file.as_deref(), &defaults)
        .and_then(|p| config::load_settings(p.as_deref(), &inv.overrides).map(|s| (s, p)));
    let (settings, path) = match loaded {
        Ok(v) => v,
        Err(e) => {
            eprintln!("{e}");
            return Exit::Config;
        }
    };
    let spec = match logging::LogSpec::parse(&settings.log_level) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}");
            return Exit::Config;
        }
    };
    let mut secrets = settings.l2_provider.clone();
    secrets.push(settings.staking_url.clone());
    let log_path = settings.log_file();
    let file = match logging::RotatingFile::open(
        &log_path,
        settings.max_log_file_size,
        settings.max_log_files,
    ) {
        Ok(f) => Some(Arc::new(Mutex::new(f))),
        Err(e) => {
            eprintln!(
                "warning: cannot open log file {}: {e}; logging to stderr only",
                log_path.display()
            );
            None
        }
    };
    let sinks = logging::Sinks {
        stderr: true,
        journal: logging::stderr_is_journal(),
        file,
        scrubber: logging::Scrubber::new(&secrets, &login_secrets(&settings.rpc_login)),
    };
    if let Err(e) = logging::install(&spec, sinks) {
        eprintln!("warning: logging not set up: {e}");
    }
    tracing::info!(
        target: "global",
        "{} starting; config file {}",
        banner(),
        path.as_deref()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| "(none: defaults and command line)".into())
    );
    if !inv.flags.non_interactive && std::io::stdin().is_terminal() {
        tracing::info!(
            target: "global",
            "no interactive console in oxend-stagenet: run `oxend-stagenet <command>` from another terminal"
        );
    }

    let shutdown = Shutdown::new();
    let signals = match on_signals(shutdown.clone()) {
        Ok(h) => h,
        Err(e) => {
            tracing::error!(target: "global", "cannot handle SIGTERM/SIGINT: {e}");
            return Exit::Failure;
        }
    };
    let mut opts = daemon::DaemonOptions::new(shutdown);

    opts.watchdog_interval = inv.watchdog_interval();
    opts.rpc_address_file = inv.flags.rpc_address_file.clone();
    let env_join = std::env::var(daemon::JOIN_WITHIN_ENV).ok();
    match config::env_seconds(
        daemon::JOIN_WITHIN_ENV,
        env_join.as_deref(),
        daemon::JOIN_WITHIN,
    ) {
        Ok(d) => opts.join_within = d,
        Err(e) => tracing::warn!(
            target: "global",
            "{e}; waiting at most {} s for workers on the way out",
            daemon::JOIN_WITHIN.as_secs()
        ),
    }
    let summary_env = std::env::var(SUMMARY_EVERY_ENV).ok();
    let summary_every =
        match config::env_seconds(SUMMARY_EVERY_ENV, summary_env.as_deref(), SUMMARY_EVERY) {
            Ok(d) => d,
            Err(e) => {
                tracing::warn!(
                    target: "global",
                    "{e}; logging the L2 summary every {} s",
                    SUMMARY_EVERY.as_secs()
                );
                SUMMARY_EVERY
            }
        };
    opts.extensions
        .push(snode_node::l2::extension(summary_every));
    opts.extensions.push(snode_node::chain::extension());
    let result = daemon::run(settings, opts);
    signals.close();
    match result {
        Ok(()) => Exit::Ok,
        Err(e) => {
            tracing::error!(target: "global", "{e}");
            notify::status(&format!("Failed to start: {e}"));
            if e.is_config() {
                Exit::Config
            } else {
                Exit::Failure
            }
        }
    }
}

/// The exit status of a client command that succeeded or not.
fn exit_code(succeeded: bool) -> Exit {
    if succeeded {
        Exit::Ok
    } else {
        Exit::Failure
    }
}

/// Triggers `shutdown` on SIGTERM or SIGINT, from a background thread. A
/// second SIGTERM or SIGINT while stopping (e.g. Ctrl-C twice) ends the
/// process at once with [`Exit::Failure`].
pub fn on_signals(shutdown: Shutdown) -> std::io::Result<signal_hook::iterator::Handle> {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGTERM, SIGINT])?;
    let handle = signals.handle();
    std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            let mut seen = false;
            for sig in signals.forever() {
                let name = if sig == SIGTERM { "SIGTERM" } else { "SIGINT" };
                if seen {
                    tracing::warn!(target: "global", "{name} again while stopping: exiting now");
                    std::process::exit(Exit::Failure.into());
                }
                seen = true;
                shutdown.trigger(name);
            }
        })?;
    Ok(handle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn help_lists_every_exit_status() {
        let table = cli::AFTER_HELP
            .split_once("Exit status:\n")
            .expect("an exit status table")
            .1;
        let listed: Vec<u8> = table
            .lines()
            .filter_map(|l| {
                l.strip_prefix("  ")?
                    .split_whitespace()
                    .next()?
                    .parse()
                    .ok()
            })
            .collect();
        let codes: Vec<u8> = Exit::ALL.iter().map(|e| e.code()).collect();
        assert_eq!(listed, codes);
        assert_eq!(i32::from(Exit::Config), 78);
    }
}
