//! The Oxen chain follower plug-in of the daemon (stage 1 of the chain layer;
//! docs/ARCHITECTURE.md "chain follower"). [`extension`] plugs snode-chain's
//! [`Follower`] into [`crate::daemon`] through the daemon's hooks only, as the
//! L2 tracker does: with `chain-follower=1` (the default) it builds the
//! follower's configuration from the P2P options (`p2p-bind-ip`,
//! `p2p-bind-port`, `add-exclusive-node`, `add-peer`, `add-priority-node`,
//! `seed-node`, `hide-my-port`, `out-peers`, `in-peers`; from the config file
//! and the command line alike), opens its database in `<data-dir>/chain`
//! (before the keys, so a broken database stops the daemon early), and adds a
//! worker and the `get_connections` method ([`crate::server::chain`]).
//!
//! The worker runs [`Follower::run`] on a thread of its own with a stop flag
//! set on the daemon's shutdown, publishes a [`ChainView`] every
//! [`PUBLISH_EVERY`] (height, target height, top block id, connections), logs
//! the sync progress ([`ProgressLog`]: no peers / behind / synchronized at
//! once, `Synced N/M` at most every [`PROGRESS_EVERY`]), and restarts the
//! follower [`RETRY_AFTER`] after it stopped on an error (e.g. the P2P port is
//! taken), so the daemon and the L2 tracker keep running whatever the P2P side
//! does. Without reachable peers the follower holds the genesis block (height
//! 1) and says `no peers`.
//!
//! What it does not do (snode-chain stage 1): RingCT verification, proof of
//! work, the service-node list, uptime proofs, quorums; the outputs say so.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use snode_chain::{Follower, FollowerConfig, FollowerError, FollowerStatus, Network};
use snode_conf::Settings;

use crate::api::chain::{sync_percent, ChainReport, STATE_FAILED, STATE_RUNNING};
use crate::config::ConfigError;
use crate::daemon::{DaemonError, Extension, Worker};
use crate::server::Ctx;
use crate::state::ChainView;

/// The heartbeat name of the follower's worker (shown when it is stuck).
pub const WORKER_NAME: &str = "chain follower";
/// Sub-directory of the data dir holding `chain.sqlite` and `p2p-peers.txt`.
pub const STATE_DIR: &str = "chain";
/// How often the worker publishes the follower's status.
pub const PUBLISH_EVERY: Duration = Duration::from_secs(1);
/// At most one sync progress line per this period.
pub const PROGRESS_EVERY: Duration = Duration::from_secs(30);
/// How long after the follower stopped on an error it is started again.
pub const RETRY_AFTER: Duration = Duration::from_secs(60);
/// The worker reports at least this often; a publish that blocks longer
/// (a stuck follower holding its status lock) withholds `WATCHDOG=1`.
pub const HEARTBEAT_WITHIN: Duration = Duration::from_secs(120);

/// Why the follower could not be opened (not a configuration problem).
#[derive(Debug, thiserror::Error)]
#[error(
    "cannot open the chain follower's database in {}: {source}; check the data directory's \
     permissions and free space, or set chain-follower=0",
    dir.display()
)]
pub struct ChainStartError {
    /// `<data-dir>/chain`.
    pub dir: PathBuf,
    /// Why.
    #[source]
    pub source: FollowerError,
}

impl From<ChainStartError> for DaemonError {
    fn from(e: ChainStartError) -> DaemonError {
        DaemonError::Extension(Box::new(e))
    }
}

/// The follower's directory: `<data-dir>/chain`.
pub fn state_dir(settings: &Settings) -> PathBuf {
    settings.data_dir().join(STATE_DIR)
}

/// The follower's configuration from the settings: stagenet, `<data-dir>/chain`,
/// and the P2P options as oxend reads them (peers without a port get 11022);
/// with `offline=1` no listener and no peers (it keeps its stored chain).
pub fn follower_config(settings: &Settings) -> Result<FollowerConfig, ConfigError> {
    let network = Network::Stagenet;
    let mut cfg = FollowerConfig::new(network, state_dir(settings));
    let port = network.default_p2p_port();
    let mut options: Vec<(&str, String)> = vec![
        ("p2p-bind-ip", settings.p2p_bind_ip.clone()),
        ("p2p-bind-port", settings.p2p_bind_port.to_string()),
    ];
    for (name, values) in [
        ("add-exclusive-node", &settings.add_exclusive_node),
        ("add-priority-node", &settings.add_priority_node),
        ("add-peer", &settings.add_peer),
        ("seed-node", &settings.seed_node),
    ] {
        options.extend(values.iter().map(|v| (name, v.clone())));
    }
    if settings.hide_my_port {
        options.push(("hide-my-port", "1".into()));
    }
    for (name, n) in [
        ("out-peers", settings.out_peers),
        ("in-peers", settings.in_peers),
    ] {
        if n >= 0 {
            options.push((name, n.to_string()));
        }
    }
    for (name, value) in options {
        cfg.p2p
            .apply_option(name, value.trim(), port)
            .map_err(|e| ConfigError::ChainSetup(format!("{e} (or set chain-follower=0)")))?;
    }
    if settings.offline {
        // oxend's --offline: neither listen for peers nor connect to any.
        cfg.p2p.bind = None;
        cfg.p2p.exclusive_nodes.clear();
        cfg.p2p.priority_nodes.clear();
        cfg.p2p.add_peers.clear();
        cfg.p2p.seed_nodes.clear();
    }
    Ok(cfg)
}

/// How many peers the options name (exclusive, priority, added and seeds).
fn configured_peers(cfg: &FollowerConfig) -> usize {
    let p = &cfg.p2p;
    p.exclusive_nodes.len() + p.priority_nodes.len() + p.add_peers.len() + p.seed_nodes.len()
}

/// The follower's status as the daemon shows it.
pub fn view(st: FollowerStatus, failed: Option<&str>) -> ChainView {
    view_of(st, failed, false)
}

/// [`view`], saying whether the follower runs with `offline=1`.
pub fn view_of(st: FollowerStatus, failed: Option<&str>, offline: bool) -> ChainView {
    let report = ChainReport {
        state: if failed.is_some() {
            STATE_FAILED
        } else {
            STATE_RUNNING
        }
        .into(),
        nettype: st.nettype,
        height: st.height,
        target_height: st.target_height,
        top_block_hash: st.top_block_hash,
        synchronized: st.synchronized,
        outgoing_connections_count: st.outgoing_connections_count as u64,
        incoming_connections_count: st.incoming_connections_count as u64,
        white_peerlist_size: st.white_peerlist_size as u64,
        grey_peerlist_size: st.grey_peerlist_size as u64,
        p2p_bind: st.p2p_bind,
        blocks_downloaded: st.blocks_downloaded,
        bytes_downloaded: st.bytes_downloaded,
        last_error: failed.map(str::to_string).or(st.last_error),
        offline,
    };
    ChainView {
        report,
        connections: st.connections,
    }
}

/// A change of phase (no peers, behind, caught up) is logged once this long
/// after the previous line, so a peer that keeps reconnecting cannot flood
/// the journal.
pub const PHASE_CHANGE_GAP: Duration = Duration::from_secs(5);

/// Where the follower stands, for the journal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    NoPeers,
    Behind,
    Synchronized,
}

/// The journal's sync progress lines: a change of phase (no peers, behind,
/// caught up) at once (at most one per [`PHASE_CHANGE_GAP`]), `Synced N/M`
/// progress at most once per `every` and only when something changed.
#[derive(Debug)]
pub struct ProgressLog {
    every: Duration,
    /// When the last line was logged, for which phase and (height, target, peers).
    last: Option<(Instant, Phase, (u64, u64, u64))>,
}

impl ProgressLog {
    /// Nothing logged yet.
    pub fn new(every: Duration) -> ProgressLog {
        ProgressLog { every, last: None }
    }

    /// The line to log now, if one is due: `Chain: no peers; ...` while
    /// nobody is connected, `Synced <h>/<target> (<pct>%, <n> left), <p>
    /// peer(s)` while behind (oxend's words), `Chain synchronized at height
    /// <h>, top <id>, <p> peer(s)` once caught up (once per catching up).
    pub fn due(&mut self, r: &ChainReport, now: Instant) -> Option<String> {
        let peers = r.outgoing_connections_count + r.incoming_connections_count;
        let key = (r.height, r.target_height, peers);
        let phase = if peers == 0 {
            Phase::NoPeers
        } else if r.target_height > r.height {
            Phase::Behind
        } else {
            Phase::Synchronized
        };
        if let Some((at, last_phase, last_key)) = self.last {
            let wait = if phase != last_phase {
                PHASE_CHANGE_GAP
            } else if phase == Phase::Behind && key != last_key {
                self.every
            } else {
                return None;
            };
            if now.duration_since(at) < wait {
                return None;
            }
        }
        self.last = Some((now, phase, key));
        Some(match phase {
            Phase::NoPeers => format!(
                "Chain: no peers; holding {} block(s), top {}",
                r.height, r.top_block_hash
            ),
            Phase::Behind => format!(
                "Synced {}/{} ({:.1}%, {} left), {peers} peer(s)",
                r.height,
                r.target_height,
                sync_percent(r.height, r.target_height),
                r.target_height - r.height
            ),
            Phase::Synchronized => format!(
                "Chain synchronized at height {}, top {}, {peers} peer(s)",
                r.height, r.top_block_hash
            ),
        })
    }
}

fn start(follower: &Arc<Follower>, stop: &Arc<AtomicBool>) -> Option<JoinHandle<String>> {
    let (f, s) = (follower.clone(), stop.clone());
    std::thread::Builder::new()
        .name("chain follower".into())
        .spawn(move || match f.run(&s) {
            Ok(()) => String::new(),
            Err(e) => e.to_string(),
        })
        .map_err(|e| tracing::error!(target: "chain", "cannot start the chain follower: {e}"))
        .ok()
}

/// The follower as a daemon worker: runs it, publishes its view every
/// `publish_every`, logs progress at most every `progress_every`, restarts it
/// [`RETRY_AFTER`] after an error, and stops it on shutdown.
pub fn worker(follower: Follower, publish_every: Duration, progress_every: Duration) -> Worker {
    Box::new(move |ctx: Arc<Ctx>| {
        let offline = ctx.settings.offline;
        let follower = Arc::new(follower);
        let stop = Arc::new(AtomicBool::new(false));
        let mut running = start(&follower, &stop);
        let mut failed: Option<String> = running
            .is_none()
            .then(|| "cannot start its thread".to_string());
        let mut retry_at = Instant::now() + RETRY_AFTER;
        let mut progress = ProgressLog::new(progress_every);
        loop {
            ctx.state.heartbeat(WORKER_NAME, HEARTBEAT_WITHIN);
            if running.as_ref().is_some_and(JoinHandle::is_finished) {
                let why = match running.take().map(JoinHandle::join) {
                    Some(Ok(e)) if e.is_empty() => "it returned".to_string(),
                    Some(Ok(e)) => e,
                    _ => "it panicked".to_string(),
                };
                if ctx.shutdown.reason().is_some() {
                    break;
                }
                tracing::error!(
                    target: "global",
                    "the chain follower stopped: {why}; trying again in {} s \
                     (the daemon and the L2 tracker keep running)",
                    RETRY_AFTER.as_secs()
                );
                failed = Some(why);
                retry_at = Instant::now() + RETRY_AFTER;
            }
            if running.is_none() && Instant::now() >= retry_at {
                running = start(&follower, &stop);
                retry_at = Instant::now() + RETRY_AFTER;
                if running.is_some() {
                    failed = None;
                }
            }
            let v = view_of(follower.status(), failed.as_deref(), offline);
            if let Some(line) = progress.due(&v.report, Instant::now()) {
                tracing::info!(target: "global", "{line}");
            }
            ctx.state.set_chain(v);
            if ctx.shutdown.wait_timeout(publish_every).is_some() {
                break;
            }
        }
        stop.store(true, Ordering::SeqCst);
        if let Some(h) = running {
            let _ = h.join();
        }
        ctx.state.heartbeat_done(WORKER_NAME);
        tracing::debug!(target: "chain", "chain follower stopped");
    })
}

/// The follower as a daemon [`Extension`]. It adds `get_connections`; with
/// `chain-follower=0` it then only logs that the chain layer is off.
/// Otherwise it builds the configuration ([`follower_config`]; a bad P2P
/// option is a configuration error), opens the database, and adds the
/// worker.
pub fn extension() -> Extension {
    extension_publishing_every(PUBLISH_EVERY)
}

/// [`extension`], publishing the follower's status every `publish_every`.
pub fn extension_publishing_every(publish_every: Duration) -> Extension {
    Box::new(move |settings, methods, workers| {
        // Also when off: it then says so instead of "Method not found".
        crate::server::chain::add_methods(methods);
        if !settings.chain_follower {
            tracing::info!(
                target: "global",
                "chain-follower=0: the Oxen chain is not followed (no P2P, no height)"
            );
            return Ok(());
        }
        let cfg = follower_config(settings)?;
        let dir = cfg.data_dir.clone();
        let bind = cfg
            .p2p
            .bind
            .map(|b| b.to_string())
            .unwrap_or_else(|| "(outbound only)".into());
        let peers = configured_peers(&cfg);
        let follower = Follower::new(cfg).map_err(|source| ChainStartError {
            dir: dir.clone(),
            source,
        })?;
        tracing::info!(
            target: "global",
            "Chain follower: stagenet, P2P on {bind}, {peers} peer(s) configured, data in {}",
            dir.display()
        );
        if settings.offline {
            tracing::info!(
                target: "global",
                "offline=1: the chain follower neither listens for peers nor connects to any"
            );
        } else if peers == 0 {
            tracing::warn!(
                target: "global",
                "no P2P peers configured (add-peer, add-priority-node, add-exclusive-node, \
                 seed-node): the chain follower waits for peers to connect to {bind}"
            );
        }
        workers.push(worker(follower, publish_every, PROGRESS_EVERY));
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(text: &str, cli: &[(&str, &str)]) -> Settings {
        let doc = snode_conf::parse(text, "t.conf").unwrap();
        let cli: Vec<(String, String)> = cli
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Settings::from_sources(Some(&doc), &cli).unwrap()
    }

    #[test]
    fn p2p_options_from_file_and_command_line() {
        let s = settings(
            "data-dir=/d\nadd-peer=203.0.113.5\nseed-node=203.0.113.6:1234\n\
             add-exclusive-node=127.0.0.1:9\nout-peers=3\n",
            &[
                ("p2p-bind-ip", "127.0.0.1"),
                ("p2p-bind-port", "4444"),
                ("add-priority-node", "127.0.0.2"),
            ],
        );
        let cfg = follower_config(&s).unwrap();
        assert_eq!(cfg.data_dir, PathBuf::from("/d/chain"));
        assert_eq!(cfg.p2p.bind, Some("127.0.0.1:4444".parse().unwrap()));
        assert_eq!(cfg.p2p.add_peers, ["203.0.113.5:11022".parse().unwrap()]);
        assert_eq!(cfg.p2p.seed_nodes, ["203.0.113.6:1234".parse().unwrap()]);
        assert_eq!(cfg.p2p.exclusive_nodes, ["127.0.0.1:9".parse().unwrap()]);
        assert_eq!(cfg.p2p.priority_nodes, ["127.0.0.2:11022".parse().unwrap()]);
        assert_eq!(cfg.p2p.max_out, 3);
        assert_eq!(configured_peers(&cfg), 4);
        let d = follower_config(&settings("", &[])).unwrap();
        assert_eq!(d.p2p.bind, Some("0.0.0.0:11022".parse().unwrap()));
        let off = follower_config(&settings("offline=1\nadd-peer=203.0.113.5\n", &[])).unwrap();
        assert_eq!(off.p2p.bind, None, "offline: no listener");
        assert_eq!(configured_peers(&off), 0, "offline: no peers");
        let e = follower_config(&settings("add-peer=seed.example.org\n", &[])).unwrap_err();
        assert!(
            e.to_string().contains("seed.example.org") && e.to_string().contains("add-peer"),
            "{e}"
        );
    }

    #[test]
    fn percent_as_oxend() {
        assert_eq!(sync_percent(1, 0), 100.0);
        assert_eq!(sync_percent(50, 200), 25.0);
        assert_eq!(sync_percent(99_999, 100_000), 99.9);
        assert_eq!(sync_percent(7, 7), 100.0);
    }

    #[test]
    fn progress_lines_are_rate_limited_and_on_change() {
        let mut log = ProgressLog::new(Duration::from_secs(30));
        let t0 = Instant::now();
        let at = |s: u64| t0 + Duration::from_secs(s);
        let mut r = ChainReport {
            height: 1,
            top_block_hash: "ab".into(),
            ..ChainReport::default()
        };
        assert_eq!(
            log.due(&r, t0).as_deref(),
            Some("Chain: no peers; holding 1 block(s), top ab")
        );
        assert_eq!(log.due(&r, at(600)), None, "no change, no line");
        r.outgoing_connections_count = 1;
        r.target_height = 201;
        assert_eq!(
            log.due(&r, t0 + Duration::from_secs(1)),
            None,
            "within the gap"
        );
        assert_eq!(
            log.due(&r, at(601)).as_deref(),
            Some("Synced 1/201 (0.5%, 200 left), 1 peer(s)"),
            "a new phase, at once"
        );
        r.height = 101;
        assert_eq!(log.due(&r, at(610)), None, "progress: once per 30 s");
        assert_eq!(
            log.due(&r, at(631)).as_deref(),
            Some("Synced 101/201 (50.2%, 100 left), 1 peer(s)")
        );
        r.height = 201;
        assert_eq!(
            log.due(&r, at(636)).as_deref(),
            Some("Chain synchronized at height 201, top ab, 1 peer(s)")
        );
        r.incoming_connections_count = 1;
        r.height = 202;
        r.target_height = 202;
        assert_eq!(
            log.due(&r, at(700)),
            None,
            "still synchronized: nothing new to say"
        );
    }
}
