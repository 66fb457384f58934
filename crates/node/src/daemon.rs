//! Daemon mode: startup checks, keys, admin RPC, systemd notifications and the main
//! loop (docs/ARCHITECTURE.md "daemon start"; docs/compat/keys.md,
//! docs/compat/config.md, docs/compat/systemd-and-package.md).
//!
//! Listeners, the shutdown switch, extra RPC methods, background workers and
//! [`Extension`]s are passed in through [`DaemonOptions`], so tests can run it
//! on port 0 in a temporary directory. The core names no feature: the L2
//! tracker is an [`Extension`] (`l2::extension`) that the binary adds.

use std::collections::BTreeSet;
use std::io;
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use snode_conf::{Settings, Severity};

use crate::config::{self, ConfigError, MSG_FAILED_APPLY, MSG_IMPORTANT};
use crate::keys::{self, KeysError, Origin};
use crate::notify::{self, Notifier};
use crate::server::{AdminServer, Ctx, Methods, ServeError};
use crate::shutdown::Shutdown;

/// A background worker, started after `READY=1` with the RPC context. It must
/// return soon after `ctx.shutdown` is triggered; on exit the daemon waits for
/// it at most [`DaemonOptions::join_within`], then exits without it.
pub type Worker = Box<dyn FnOnce(Arc<Ctx>) + Send>;

/// A plug-in started with the daemon: called after the startup checks and
/// before the keys (so a plug-in's configuration error stops the daemon
/// before anything is created), it may add RPC methods and workers. An
/// error stops the daemon.
pub type Extension =
    Box<dyn FnOnce(&Settings, &mut Methods, &mut Vec<Worker>) -> Result<(), DaemonError> + Send>;

/// How long the daemon waits for its workers after `STOPPING=1`. A worker
/// blocked in a request to a provider that does not answer (up to
/// `l2-timeout`) is left behind: what it stored is committed atomically, and
/// the unit's `TimeoutStopSec=` (90 s) is never reached.
pub const JOIN_WITHIN: Duration = Duration::from_secs(5);

/// Environment variable overriding [`JOIN_WITHIN`] for `oxend-stagenet` run
/// as the daemon, in seconds (decimals allowed, > 0). Read only by the
/// daemon, at start; meant for tests that must not depend on how fast a
/// loaded machine stops a worker. An unusable value is warned about and the
/// default kept.
pub const JOIN_WITHIN_ENV: &str = "OXEND_STAGENET_JOIN_WITHIN";

/// Tells the daemon a worker is over when dropped: when it returns, and
/// when it panics (the unwinding drops it too), so shutdown neither waits
/// for a dead worker nor blames a request for it.
struct DoneGuard {
    worker: usize,
    tx: mpsc::Sender<(usize, bool)>,
}

impl Drop for DoneGuard {
    fn drop(&mut self) {
        let _ = self.tx.send((self.worker, std::thread::panicking()));
    }
}

/// How to run the daemon.
pub struct DaemonOptions {
    /// Already-bound admin RPC listeners; `None` binds the `rpc-admin` addresses.
    pub listeners: Option<Vec<TcpListener>>,
    /// Stops the daemon when triggered.
    pub shutdown: Shutdown,
    /// Seconds between `WATCHDOG=1` + `STATUS=` (10 s; see [`notify::interval`]).
    pub watchdog_interval: Duration,
    /// Where `READY=1`, `WATCHDOG=1`, `STATUS=` and `STOPPING=1` go
    /// (`NOTIFY_SOCKET` by default).
    pub notifier: Notifier,
    /// How long to wait for the workers on the way out ([`JOIN_WITHIN`]).
    pub join_within: Duration,
    /// Write the bound admin RPC addresses here, one per line, once listening.
    pub rpc_address_file: Option<PathBuf>,
    /// The admin RPC methods ([`Methods::standard`] plus whatever is added).
    pub methods: Methods,
    /// Background workers.
    pub workers: Vec<Worker>,
    /// Plug-ins, in order (the binary adds the L2 tracker,
    /// `l2::extension`).
    pub extensions: Vec<Extension>,
}

impl DaemonOptions {
    /// Standard methods, no workers, no extensions, 10 s watchdog, bind from
    /// the settings.
    pub fn new(shutdown: Shutdown) -> DaemonOptions {
        DaemonOptions {
            listeners: None,
            shutdown,
            watchdog_interval: notify::WATCHDOG_INTERVAL,
            notifier: Notifier::from_env(),
            join_within: JOIN_WITHIN,
            rpc_address_file: None,
            methods: Methods::standard(),
            workers: Vec::new(),
            extensions: Vec::new(),
        }
    }
}

/// Why the daemon stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
    /// A configuration problem (the binary exits with its configuration code).
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The keys could not be loaded or created.
    #[error("Failed to create or load service keys: {0}")]
    Keys(#[from] KeysError),
    /// The admin RPC could not listen.
    #[error("cannot listen for the admin RPC on {addr}: {source}; is another oxend-stagenet (or oxend) running? Check `ss -ltnp | grep {port}`")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The port, for the hint.
        port: u16,
        /// The cause.
        #[source]
        source: io::Error,
    },
    /// The admin RPC server could not start.
    #[error(transparent)]
    Serve(#[from] ServeError),
    /// The `--rpc-address-file` could not be written.
    #[error("cannot write {}: {source}", path.display())]
    AddressFile {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// An extension failed at start (not a configuration problem).
    #[error(transparent)]
    Extension(Box<dyn std::error::Error + Send + Sync>),
}

impl DaemonError {
    /// Whether the configuration is at fault (a bad option, a failed startup
    /// check, an invalid key file): systemd must not restart the unit then.
    pub fn is_config(&self) -> bool {
        matches!(
            self,
            DaemonError::Config(_) | DaemonError::Keys(KeysError::Invalid { .. })
        )
    }
}

/// The startup checks: docs/compat/config.md through snode-conf (errors logged, then oxend's
/// closing lines) and the admin RPC bind rule. The providers' chain id is checked
/// by the L2 tracker's extension (`l2::open`) right after.
pub fn check_settings(settings: &Settings) -> Result<Vec<SocketAddr>, ConfigError> {
    let problems = settings.validate();
    for p in &problems {
        match p.severity {
            Severity::Warning => tracing::warn!(target: "global", "{p}"),
            Severity::Error => tracing::error!(target: "global", "{p}"),
        }
    }
    let errors: Vec<_> = problems
        .into_iter()
        .filter(|p| p.severity == Severity::Error)
        .collect();
    if !errors.is_empty() {
        tracing::error!(target: "global", "{MSG_IMPORTANT}");
        tracing::error!(target: "global", "{MSG_FAILED_APPLY}");
        return Err(ConfigError::Invalid(errors));
    }
    config::admin_addrs(settings)
}

fn bind(addrs: &[SocketAddr]) -> Result<Vec<TcpListener>, DaemonError> {
    let mut out = Vec::new();
    for &addr in addrs {
        match TcpListener::bind(addr) {
            Ok(l) => out.push(l),
            // No IPv6 on this host: serve on the other addresses, as long as one works.
            Err(e)
                if addr.is_ipv6()
                    && (e.kind() == io::ErrorKind::AddrNotAvailable
                        || e.raw_os_error()
                            == Some(rustix::io::Errno::AFNOSUPPORT.raw_os_error()))
                    && addrs.len() > 1 =>
            {
                tracing::warn!(target: "rpc", "not serving the admin RPC on {addr}: {e}");
            }
            Err(source) => {
                return Err(DaemonError::Bind {
                    addr,
                    port: addr.port(),
                    source,
                })
            }
        }
    }
    Ok(out)
}

fn write_address_file(path: &Path, addrs: &[SocketAddr]) -> io::Result<()> {
    let text: String = addrs.iter().map(|a| format!("{a}\n")).collect();
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, path)
}

/// Runs the daemon until `opts.shutdown` is triggered. Logging must be set up.
pub fn run(settings: Settings, opts: DaemonOptions) -> Result<(), DaemonError> {
    let addrs = check_settings(&settings)?;
    // Before the keys: e.g. a provider on the wrong chain is a configuration error.
    let mut workers = opts.workers;
    let mut methods = opts.methods;
    for extension in opts.extensions {
        extension(&settings, &mut methods, &mut workers)?;
    }

    let data_dir = settings.data_dir();
    if let Err(e) = keys::ensure_data_dir(&data_dir) {
        tracing::warn!(target: "global", "cannot create data directory {}: {e}", data_dir.display());
    }
    let (node_keys, files) = match keys::load_or_create_keys(&data_dir, settings.service_node) {
        Ok(k) => k,
        Err(e) => {
            tracing::error!(target: "global", "{e}");
            tracing::error!(target: "global", "Failed to create or load service keys");
            return Err(e.into());
        }
    };
    for (path, origin) in &files {
        match origin {
            Origin::Created => {
                tracing::info!(target: "keys", "created {} (mode 0400)", path.display())
            }
            Origin::Loaded => tracing::debug!(target: "keys", "loaded {}", path.display()),
        }
    }
    for line in keys::startup_lines(&node_keys.public, settings.service_node) {
        tracing::info!(target: "global", "{line}");
    }

    let login = Some(settings.rpc_login.clone()).filter(|l| !l.is_empty());
    let ctx = Arc::new(Ctx::new(settings, node_keys, opts.shutdown.clone()));
    let state = ctx.state.clone();

    let listeners = match opts.listeners {
        Some(l) => l,
        None => bind(&addrs)?,
    };
    if listeners.is_empty() {
        tracing::warn!(target: "rpc", "rpc-admin=none: no admin RPC; `oxend-stagenet <command>` will not work");
    }
    let server = AdminServer::start(listeners, Arc::new(methods), ctx.clone(), login)?;
    for a in server.addrs() {
        tracing::info!(target: "global", "Admin RPC listening on {a}");
    }
    if let Some(path) = &opts.rpc_address_file {
        write_address_file(path, server.addrs()).map_err(|source| DaemonError::AddressFile {
            path: path.clone(),
            source,
        })?;
    }

    let notifier = opts.notifier;
    notifier.ready(&state.status_line());
    tracing::info!(target: "global", "oxend-stagenet is ready: {}", state.status_line());

    // (worker, whether it panicked)
    let (done_tx, done_rx) = mpsc::channel::<(usize, bool)>();
    let mut running: BTreeSet<usize> = workers
        .into_iter()
        .enumerate()
        .filter_map(|(i, w)| {
            let ctx = ctx.clone();
            let done = done_tx.clone();
            std::thread::Builder::new()
                .name(format!("worker {i}"))
                .spawn(move || {
                    let _done = DoneGuard {
                        worker: i,
                        tx: done,
                    };
                    w(ctx);
                })
                .map_err(|e| tracing::error!(target: "daemon", "cannot start worker {i}: {e}"))
                .ok()
                .map(|_| i)
        })
        .collect();
    drop(done_tx);

    let interval = notify::interval(opts.watchdog_interval);
    let reason = loop {
        if let Some(reason) = opts.shutdown.wait_timeout(interval) {
            break reason;
        }
        // A worker that ended before the shutdown: say so once, now.
        while let Ok((i, panicked)) = done_rx.try_recv() {
            running.remove(&i);
            worker_ended(i, panicked, false);
        }
        let status = state.status_line();
        let stuck = state.stuck_workers();
        if stuck.is_empty() {
            notifier.watchdog(&status);
            tracing::debug!(target: "daemon", "watchdog: {status}");
        } else {
            // No WATCHDOG=1: systemd restarts the unit after WatchdogSec=.
            let names = stuck.join(", ");
            notifier.status(&format!("{status}; STUCK: {names}"));
            tracing::error!(target: "daemon", "not pinging the systemd watchdog: {names} did not report in time");
        }
    };

    notifier.stopping();
    tracing::info!(target: "global", "Stopping ({reason})");
    server.stop();
    let deadline = Instant::now() + opts.join_within;
    while !running.is_empty() {
        let left = deadline.saturating_duration_since(Instant::now());
        match done_rx.recv_timeout(left) {
            Ok((i, panicked)) => {
                running.remove(&i);
                worker_ended(i, panicked, true);
            }
            Err(_) => break, // out of time (or every sender is gone)
        }
    }
    if !running.is_empty() {
        let names: Vec<String> = running.iter().map(|i| format!("worker {i}")).collect();
        tracing::warn!(
            target: "global",
            "not waiting longer than {} s for {} (blocked in a request to a provider?); \
             exiting without it: everything it stored is committed",
            opts.join_within.as_secs_f64(),
            names.join(", ")
        );
    }
    tracing::info!(target: "global", "oxend-stagenet stopped");
    Ok(())
}

/// Logs the end of worker `i`: a panic is an error (its message went to
/// stderr just before); a return before the shutdown is worth a warning.
fn worker_ended(i: usize, panicked: bool, stopping: bool) {
    if panicked {
        tracing::error!(
            target: "global",
            "worker {i} panicked (see the message before this one); it is not running any more"
        );
    } else if !stopping {
        tracing::warn!(target: "global", "worker {i} returned before the shutdown");
    } else {
        tracing::debug!(target: "daemon", "worker {i} stopped");
    }
}
