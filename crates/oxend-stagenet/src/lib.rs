//! `oxend-stagenet`: the Session stagenet service node daemon and the client that
//! forwards `oxend-stagenet <command>` to it.
//!
//! Implements, from `shared/spec/oxend-compat.md`: §1.8 (keys created or loaded at
//! first start, startup log lines), §2.2–§2.5 and §2.7 (daemon command line, admin
//! JSON-RPC over HTTP, client commands, their output and exit codes), §3 (config
//! file and command-line precedence through snode-conf, startup checks §3.3) and §4
//! (systemd `READY`/`WATCHDOG`/`STATUS`/`STOPPING`), with the decisions of
//! `shared/spec/README.md`: a dedicated configuration exit code ([`EXIT_CONFIG`])
//! the unit does not restart on, a client that reads the daemon's config and
//! creates nothing, and log rotation that honours `max-log-file-size` and
//! `max-log-files`.
//!
//! This daemon does not run the Oxen blockchain: chain fields (height, sync,
//! quorums, uptime proofs) are absent from every output, never invented.
//!
//! Modules: [`cli`] (command line, [`command`] for man pages and completions),
//! [`config`] (config file and startup checks), [`keys`], [`rpc`] (method registry
//! and server), [`state`] (what the daemon knows; the L2 tracker's hook),
//! [`daemon`] (the main loop), [`client`], [`notify`], [`logging`], [`shutdown`],
//! [`l2`] (the snode-l2 tracker: config, startup chain-id check, worker,
//! `get_l2_status`) and [`l2text`] (its lines in `status` and `print_sn_status`).
//!
//! # Testing hooks
//!
//! Hidden options: `--rpc-address-file FILE` writes the bound admin RPC addresses
//! (one `IP:PORT` per line) once the daemon listens, so tests can use
//! `rpc-admin=127.0.0.1:0`; `--watchdog-interval SECONDS` shortens the 10 s
//! `WATCHDOG=1` period. In-process, [`daemon::run`] takes listeners and the
//! shutdown switch in [`daemon::DaemonOptions`].
//!
//! # Extending
//!
//! The L2 tracker ([`l2`]) is started by [`daemon::run`] itself unless
//! [`daemon::DaemonOptions::track_l2`] is false; it uses the same plug-in points
//! as any other extension: add RPC methods to
//! `methods` ([`rpc::Methods::add`]), run the tracker as a `worker` that stops on
//! `ctx.shutdown`, and publish its view with [`state::NodeState::set_l2`]; the view's
//! summary goes into `STATUS=` and `status`, its status into `get_info.l2`, its
//! registration into the SN state, and its `service_node_state` fields into
//! `get_service_node_status`. A worker that calls
//! [`state::NodeState::heartbeat`] is watched: while it is overdue the daemon
//! withholds `WATCHDOG=1`, so systemd restarts a stuck tracker. New client
//! commands are entries of [`client::COMMANDS`].

pub mod cli;
pub mod client;
pub mod config;
pub mod daemon;
pub mod keys;
pub mod l2;
pub mod l2text;
pub mod logging;
pub mod notify;
pub mod register;
pub mod rpc;
pub mod shutdown;
pub mod state;

use std::ffi::OsString;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

pub use cli::command;

/// The daemon's version (`get_info.version`, `STATUS=`).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Exit status: success.
pub const EXIT_OK: i32 = 0;
/// Exit status: failure (runtime error; client command failed or daemon not running).
pub const EXIT_FAILURE: i32 = 1;
/// Exit status: configuration error (sysexits `EX_CONFIG`). The systemd unit sets
/// `RestartPreventExitStatus=78` so a bad configuration fails once with one clear
/// message instead of restarting every 5 s.
pub const EXIT_CONFIG: i32 = 78;

/// `oxend-stagenet (v<version>)`, the first line of `help` and `--version`.
pub fn banner() -> String {
    format!("oxend-stagenet (v{VERSION})")
}

/// Runs the program with these arguments (`args[0]` is the program name) and
/// returns the exit status.
pub fn run(args: &[OsString]) -> i32 {
    let inv = match cli::parse(args) {
        Ok(inv) => inv,
        Err(e) => {
            let code = match e.use_stderr() {
                false => EXIT_OK, // --help
                // a client command line: client failures exit 1 (spec §2.2)
                true if cli::has_command_words(args) => EXIT_FAILURE,
                true => EXIT_CONFIG,
            };
            let _ = e.print();
            return code;
        }
    };
    if inv.flags.version {
        println!("{}\n", banner());
        return EXIT_OK;
    }
    if !inv.flags.command.is_empty() {
        return run_client(&inv);
    }
    run_daemon(inv)
}

fn run_client(inv: &cli::Invocation) -> i32 {
    let out = client::Out::default();
    let words = &inv.flags.command;
    // Commands that run locally never read the config.
    if words[0] == "help" {
        return client::run_command(words, || Err("help needs no daemon".into()), &out);
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
        let settings = settings.map_err(|e| e.to_string())?;
        let url = config::client_url(&settings).map_err(|e| e.to_string())?;
        let login = Some(settings.rpc_login.clone()).filter(|l| !l.is_empty());
        Ok(client::Client::new(url, login))
    };
    let code = client::run_command(words, connect, &out);
    if let Some(note) = note.filter(|_| code != 0) {
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

fn run_daemon(inv: cli::Invocation) -> i32 {
    let defaults = [config::cli_data_dir(&inv.overrides).join("oxen.conf")];
    let loaded = config::config_path(inv.flags.config_file.as_deref(), &defaults)
        .and_then(|p| config::load_settings(p.as_deref(), &inv.overrides).map(|s| (s, p)));
    let (settings, path) = match loaded {
        Ok(v) => v,
        Err(e) => {
            eprintln!("{e}");
            return EXIT_CONFIG;
        }
    };
    let spec = match logging::LogSpec::parse(&settings.log_level) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}");
            return EXIT_CONFIG;
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

    let shutdown = shutdown::Shutdown::new();
    let signals = match shutdown::on_signals(shutdown.clone()) {
        Ok(h) => h,
        Err(e) => {
            tracing::error!(target: "global", "cannot handle SIGTERM/SIGINT: {e}");
            return EXIT_FAILURE;
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
    let result = daemon::run(settings, opts);
    signals.close();
    match result {
        Ok(()) => EXIT_OK,
        Err(e) => {
            tracing::error!(target: "global", "{e}");
            notify::status(&format!("Failed to start: {e}"));
            e.exit_code()
        }
    }
}
