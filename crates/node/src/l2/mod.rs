//! The L2 tracker plug-in of the daemon (docs/compat/l2-contract.md,
//! docs/compat/config.md): [`extension`] plugs it into [`crate::daemon`]
//! through the daemon's hooks only (an [`Extension`] that adds a worker and
//! the `get_l2_status` method of [`crate::server::l2`]). It builds the
//! snode-l2 [`L2Config`] from the `l2-*` options, opens the tracker's state in
//! `<data-dir>/l2`, checks the providers' chain id at start (a wrong chain is a
//! configuration error, an unreachable provider only a warning), then runs
//! [`L2Tracker::step`] every `l2-refresh` on a worker thread that reports a
//! heartbeat (so the systemd watchdog catches a stuck tracker) and publishes an
//! [`L2View`] after every cycle, and an intermediate one after every committed
//! `eth_getLogs` batch (a long sync shows `synced to block S of N` as it goes).
//!
//! Provider URLs leave this module only redacted: every value shown comes from
//! snode-l2's serialisation, which never exposes a full URL.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use alloy_primitives::Address;
use snode_conf::Settings;
use snode_l2::{
    Deployment, L2Config, L2Error, L2Status, L2Tracker, NodeContractState, NodeQuery, NodeRecord,
    Progress, ProviderCounters,
};

pub mod summary;

use std::time::Instant;

use crate::api::l2::{L2Report, NamedCount, RecentEvents};
use crate::api::sn_status::TrackedNodeState;
use crate::api::Amount;
use crate::config::ConfigError;
use crate::daemon::{DaemonError, Extension, Worker};
use crate::keys::PublicKeys;
use crate::server::Ctx;
use crate::state::{L2View, Registration};

/// Why the tracker could not start (not a configuration problem).
#[derive(Debug, thiserror::Error)]
pub enum L2StartError {
    /// The state directory could not be opened.
    #[error(
        "cannot open the L2 tracker state in {}: {source}; check the data directory's \
         permissions and free space",
        dir.display()
    )]
    State {
        /// `<data-dir>/l2`.
        dir: PathBuf,
        /// Why.
        #[source]
        source: L2Error,
    },
    /// The chain-id check failed for another reason than a wrong chain.
    #[error(transparent)]
    ChainCheck(L2Error),
}

impl From<L2StartError> for DaemonError {
    fn from(e: L2StartError) -> DaemonError {
        DaemonError::Extension(Box::new(e))
    }
}

/// The heartbeat name of the tracker worker (shown when it is stuck).
pub const WORKER_NAME: &str = "L2 tracker";
/// Sub-directory of the data dir holding the tracker's state database.
pub const STATE_DIR: &str = "l2";
/// Events listed in the status (newest first).
pub const RECENT_EVENTS: usize = 10;

/// The state directory of the tracker: `<data-dir>/l2`.
pub fn state_dir(settings: &Settings) -> PathBuf {
    settings.data_dir().join(STATE_DIR)
}

/// The deployment whose rewards contract this is, if it is a known one.
pub fn deployment_of(rewards: Address) -> Option<Deployment> {
    [Deployment::Current, Deployment::Earlier]
        .into_iter()
        .find(|d| d.rewards_contract() == rewards)
}

fn parse_address(option: &str, value: &str) -> Result<Address, ConfigError> {
    value.trim().parse::<Address>().map_err(|_| {
        ConfigError::L2Setup(format!(
            "{option} must be 0x followed by 40 hex digits, not '{value}'"
        ))
    })
}

/// [`L2Config`] from the settings: providers in order, `l2-refresh`,
/// `l2-timeout` (seconds), `l2-max-logs`, `l2-check-interval`,
/// `l2-check-threshold`, `l2-skip-chainid`, and the contracts. When
/// `l2-rewards-contract` names a known deployment and `l2-pool-contract` is not
/// given, the pool of that deployment is used, so `l2-rewards-contract=<earlier
/// address>` alone follows the earlier deployment whole.
pub fn l2_config(settings: &Settings) -> Result<L2Config, ConfigError> {
    let providers: Vec<&str> = settings.l2_provider.iter().map(String::as_str).collect();
    let rewards = parse_address("l2-rewards-contract", &settings.l2_rewards_contract)?;
    let deployment = deployment_of(rewards).unwrap_or(Deployment::Current);
    let pool = if settings.is_given("l2-pool-contract") || deployment_of(rewards).is_none() {
        parse_address("l2-pool-contract", &settings.l2_pool_contract)?
    } else {
        deployment.pool_contract()
    };
    let mut cfg = L2Config::new(&providers, deployment);
    cfg.refresh = settings.l2_refresh();
    cfg.timeout = settings.l2_timeout();
    cfg.max_logs = settings.l2_max_logs.max(1);
    cfg.check_interval = settings.l2_check_interval();
    cfg.check_threshold = settings.l2_check_threshold;
    cfg.skip_chain_id = settings.l2_skip_chainid;
    cfg.chain_id = snode_conf::STAGENET_CHAIN_ID;
    cfg.rewards_contract = rewards;
    cfg.pool_contract = Some(pool);
    Ok(cfg)
}

/// This node's keys as the contract knows them (BLS X‖Y and Ed25519), for a
/// service node.
pub fn own_node(keys: &PublicKeys) -> NodeQuery {
    let bls = keys
        .bls
        .as_deref()
        .and_then(|h| hex::decode(h).ok())
        .filter(|b| b.len() == 64)
        .map(|b| snode_l2::abi::BlsPubkey::from_slice(&b));
    let ed = hex::decode(&keys.ed25519)
        .ok()
        .filter(|b| b.len() == 32)
        .map(|b| snode_l2::abi::Ed25519Pubkey::from_slice(&b));
    NodeQuery {
        bls_pubkey: bls,
        ed25519_pubkey: ed,
    }
}

/// Opens the tracker in `<data-dir>/l2` and checks the providers' chain id
/// (docs/compat/config.md). `Ok(None)` when no provider is configured (only allowed when
/// not a service node). A provider on another chain is a configuration error.
pub fn open(settings: &Settings) -> Result<Option<L2Tracker>, DaemonError> {
    if settings.l2_provider.iter().all(|u| u.trim().is_empty()) {
        tracing::info!(target: "l2_tracker", "no l2-provider configured: the L2 contract is not tracked");
        return Ok(None);
    }
    let cfg = l2_config(settings)?;
    for (i, url) in cfg.providers.iter().enumerate() {
        tracing::info!(target: "l2_tracker", "{} [{url}]", L2Config::provider_name(i));
    }
    let which = match deployment_of(cfg.rewards_contract) {
        Some(Deployment::Current) => "current stagenet deployment",
        Some(Deployment::Earlier) => "earlier stagenet deployment",
        None => "custom address",
    };
    tracing::info!(
        target: "l2_tracker",
        "following ServiceNodeRewards {} ({which}) on chain {:#x}",
        cfg.rewards_contract,
        cfg.chain_id
    );
    let dir = state_dir(settings);
    let mut tracker = L2Tracker::open(cfg, &dir).map_err(|source| L2StartError::State {
        dir: dir.clone(),
        source,
    })?;
    match tracker.verify_chain_id() {
        Ok(()) => Ok(Some(tracker)),
        Err(e @ L2Error::WrongChainId { .. }) => Err(ConfigError::L2ChainId(format!(
            "{e}; give an Arbitrum Sepolia JSON-RPC URL as l2-provider"
        ))
        .into()),
        Err(e) => Err(L2StartError::ChainCheck(e).into()),
    }
}

/// How long the tracker may go without reporting before it counts as stuck.
/// It reports before every request and after every stored log batch, and
/// before each wait of `l2-refresh`; so between two reports there is at most
/// one request (bounded by `l2-timeout`) or one wait, however many requests
/// a cycle needs (a cold sync with a small `l2-max-logs` needs thousands).
/// Twice the longer of the two, plus a minute of slack.
pub fn heartbeat_within(refresh: Duration, timeout: Duration) -> Duration {
    refresh.max(timeout) * 2 + Duration::from_secs(60)
}

/// The tracker loop as a daemon worker: publishes the stored view at once, then
/// steps every `refresh` until shutdown; the summary line is logged every
/// [`summary::SUMMARY_EVERY`] and on changes.
pub fn worker(tracker: L2Tracker, refresh: Duration, within: Duration) -> Worker {
    worker_logging_every(tracker, refresh, within, summary::SUMMARY_EVERY)
}

/// [`worker`], with the summary line logged every `summary_every` (and on
/// changes, [`summary::SummaryLog`]).
pub fn worker_logging_every(
    mut tracker: L2Tracker,
    refresh: Duration,
    within: Duration,
    summary_every: Duration,
) -> Worker {
    Box::new(move |ctx: Arc<Ctx>| {
        let mut summary_log = summary::SummaryLog::new(summary_every);
        let own = ctx.state.service_node.then(|| own_node(&ctx.state.keys));
        if let Some(q) = &own {
            tracker.set_own_node(q.clone());
        }
        ctx.state.heartbeat(WORKER_NAME, within);
        ctx.state
            .set_l2(view(&tracker, own.as_ref(), SystemTime::now()));
        loop {
            ctx.state.heartbeat(WORKER_NAME, within);
            // Before every request and after every stored batch: alive, and
            // stop there when the daemon is stopping. After a stored batch
            // the view shows how far the sync is (what the tracker has
            // committed, not a guess).
            let mut go = |p: &Progress<'_>| {
                ctx.state.heartbeat(WORKER_NAME, within);
                if let Some(t) = p.tracker() {
                    ctx.state.set_l2(view(t, own.as_ref(), SystemTime::now()));
                }
                ctx.shutdown.reason().is_none()
            };
            let report = tracker.step_with_progress(SystemTime::now(), &mut go);
            if report.cancelled {
                tracing::info!(
                    target: "l2_tracker",
                    "L2 cycle stopped for shutdown; synced to {}",
                    report_synced(&tracker)
                );
            }
            tracing::debug!(
                target: "l2_tracker",
                "L2 cycle: height {:?}, {} events applied, {} errors",
                report.height,
                report.events_applied,
                report.errors.len()
            );
            let status = tracker.status(SystemTime::now());
            let own_words = match ctx.state.service_node {
                true => registration(&status).status_word(),
                false => "not a service node",
            };
            let facts = summary::Facts::of(&status);
            if let Some(line) = summary_log.due(&facts, own_words, Instant::now()) {
                tracing::info!(target: "global", "{line}");
            }
            ctx.state.set_l2(view_of(&tracker, own.as_ref(), &status));
            ctx.state.heartbeat(WORKER_NAME, within);
            if ctx.shutdown.wait_timeout(refresh).is_some() {
                break;
            }
        }
        ctx.state.heartbeat_done(WORKER_NAME);
    })
}

fn report_synced(tracker: &L2Tracker) -> String {
    tracker
        .synced_height()
        .map_or("nothing yet".into(), |h| format!("block {h}"))
}

/// Whether a log sync is running and has not reached its target: the
/// contract logs after `synced_height` are not read yet.
pub fn sync_incomplete(status: &L2Status) -> bool {
    status
        .log_sync
        .is_some_and(|s| status.synced_height.is_none_or(|h| h < s.target))
}

/// This node's contract state as far as it can be told: while a sync is
/// under way, a state found in the logs read so far is given, but "not
/// registered" is not claimed before the logs up to the head are read (the
/// registration may be in the rest).
fn own_state(status: &L2Status) -> Option<NodeContractState> {
    let own = status.own_node.as_ref()?;
    let premature = own.state == NodeContractState::NotRegistered && sync_incomplete(status);
    (!premature).then_some(own.state)
}

/// The contract state as the daemon's [`Registration`]: unknown until the
/// tracker has synced something, and as `own_state` says.
pub fn registration(status: &L2Status) -> Registration {
    if status.synced_height.is_none() {
        return Registration::Unknown;
    }
    let Some(state) = own_state(status) else {
        return Registration::Unknown;
    };
    match state {
        NodeContractState::NotRegistered => Registration::NotRegistered,
        NodeContractState::Registered => Registration::Registered,
        NodeContractState::ExitRequested => Registration::Exiting,
        NodeContractState::Exited => Registration::Exited,
    }
}

/// The fields merged into `get_service_node_status`'s `service_node_state`.
/// L2 blocks are named as such: none of them is an Oxen height.
pub fn service_node_state(status: &L2Status, record: Option<&NodeRecord>) -> TrackedNodeState {
    let mut t = TrackedNodeState {
        l2_contract_state: own_state(status),
        l2_synced_height: Some(status.synced_height),
        // Only what the contract said: absent until stakingRequirement() or a
        // StakingRequirementUpdated told it (docs/compat/l2-contract.md: the
        // live value is not the deploy-time 20,000 SESH).
        staking_requirement: status.staking_requirement.map(Amount),
        ..TrackedNodeState::default()
    };
    if let Some(r) = record {
        t.l2_service_node_id = Some(r.service_node_id);
        t.l2_registered_block = Some(r.registered_block);
        t.l2_updated_block = Some(r.updated_block);
        t.l2_liquidated = Some(r.liquidated);
        t.operator_address = r.operator.map(|op| format!("0x{}", hex::encode(op)));
    }
    t
}

/// One line for `STATUS=` and `status`: the L2 summary without the node part
/// (the status line says the registration itself, after `SN:`).
pub fn summary(status: &L2Status) -> String {
    let mut s = status.clone();
    s.own_node = None;
    s.summary()
}

/// The report served as `get_info.l2` and `get_l2_status.l2`: snode-l2's
/// status as it serialises, with the summary, the latest events, the own
/// node's record and the computed facts.
pub fn report(
    status: &L2Status,
    record: Option<&NodeRecord>,
    events: Result<Vec<snode_l2::EventRecord>, L2Error>,
) -> L2Report {
    let mut report: L2Report = serde_json::to_value(status)
        .and_then(serde_json::from_value)
        .unwrap_or_else(|e| {
            tracing::error!(target: "l2_tracker", "L2 status not reportable: {e}");
            L2Report::default()
        });
    report.summary = Some(summary(status));
    report.sync_incomplete = sync_incomplete(status);
    for (p, s) in report.providers.iter_mut().zip(&status.providers) {
        p.failures = failures(&s.counters);
        p.nonzero_counters = nonzero_counters(&s.counters);
    }
    report.recent_events = Some(
        match events.map_err(|e| e.to_string()).and_then(|events| {
            serde_json::to_value(events)
                .and_then(serde_json::from_value)
                .map_err(|e| e.to_string())
        }) {
            Ok(events) => RecentEvents::Events(events),
            Err(error) => RecentEvents::Unavailable { error },
        },
    );
    if let Some(own) = report.own_node.as_mut() {
        own.record = record.cloned();
    }
    report
}

/// Failed requests: connection, timeout, HTTP status, JSON-RPC error,
/// malformed and null result (lagging and range limits are not failures).
pub fn failures(c: &ProviderCounters) -> u64 {
    c.connection + c.timeout + c.http_status + c.jsonrpc_error + c.malformed + c.null_result
}

/// The counters that are not zero, named for output, in a fixed order.
pub fn nonzero_counters(c: &ProviderCounters) -> Vec<NamedCount> {
    [
        ("connection", c.connection),
        ("timeout", c.timeout),
        ("HTTP status", c.http_status),
        ("JSON-RPC error", c.jsonrpc_error),
        ("malformed", c.malformed),
        ("null result", c.null_result),
        ("lagging", c.lagging),
        ("range limited", c.range_limited),
    ]
    .into_iter()
    .filter(|(_, n)| *n > 0)
    .map(|(name, count)| NamedCount {
        name: name.to_string(),
        count,
    })
    .collect()
}

/// The daemon's view of the tracker now.
pub fn view(tracker: &L2Tracker, own: Option<&NodeQuery>, now: SystemTime) -> L2View {
    view_of(tracker, own, &tracker.status(now))
}

/// The daemon's view of the tracker with this status of it.
fn view_of(tracker: &L2Tracker, own: Option<&NodeQuery>, status: &L2Status) -> L2View {
    let record = own.and_then(|q| tracker.registry().find(q));
    L2View {
        summary: summary(status),
        registration: registration(status),
        service_node_state: service_node_state(status, record),
        status: report(status, record, tracker.recent_events(RECENT_EVENTS)),
    }
}

/// The tracker as a daemon [`Extension`]: opens it and checks the providers'
/// chain id ([`open`]); when `l2-provider` is set, runs it as the first
/// worker and adds `get_l2_status` ([`crate::server::l2::add_methods`]).
/// The summary line is logged every `summary_every` and on changes.
pub fn extension(summary_every: Duration) -> Extension {
    Box::new(move |settings, methods, workers| {
        if let Some(tracker) = open(settings)? {
            let (refresh, timeout) = (settings.l2_refresh(), settings.l2_timeout());
            let within = heartbeat_within(refresh, timeout);
            let w = worker_logging_every(tracker, refresh, within, summary_every);
            workers.insert(0, w);
            crate::server::l2::add_methods(methods);
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(extra: &str) -> Settings {
        let text = format!("l2-provider=http://127.0.0.1:1/v2/KEY\n{extra}");
        let doc = snode_conf::parse(&text, "t.conf").unwrap();
        Settings::from_sources(Some(&doc), &[]).unwrap()
    }

    #[test]
    fn config_from_settings() {
        let cfg = l2_config(&settings(
            "l2-refresh=2.5\nl2-timeout=7\nl2-max-logs=50\nl2-check-interval=30\nl2-check-threshold=9\n",
        ))
        .unwrap();
        assert_eq!(cfg.refresh, Duration::from_millis(2500));
        assert_eq!(cfg.timeout, Duration::from_secs(7));
        assert_eq!(cfg.max_logs, 50);
        assert_eq!(cfg.check_interval, Duration::from_secs(30));
        assert_eq!(cfg.check_threshold, 9);
        assert_eq!(cfg.chain_id, 421_614);
        assert_eq!(cfg.rewards_contract, Deployment::Current.rewards_contract());
        assert_eq!(cfg.pool_contract, Some(Deployment::Current.pool_contract()));
        assert_eq!(cfg.providers[0].to_string(), "http://127.0.0.1:1/…");
    }

    #[test]
    fn earlier_rewards_contract_brings_its_pool() {
        let earlier = Deployment::Earlier.rewards_contract();
        let cfg = l2_config(&settings(&format!("l2-rewards-contract={earlier}\n"))).unwrap();
        assert_eq!(cfg.rewards_contract, earlier);
        assert_eq!(cfg.pool_contract, Some(Deployment::Earlier.pool_contract()));
        let custom = "0x00000000000000000000000000000000000000aa";
        let cfg = l2_config(&settings(&format!(
            "l2-rewards-contract={earlier}\nl2-pool-contract={custom}\n"
        )))
        .unwrap();
        assert_eq!(cfg.pool_contract, Some(custom.parse().unwrap()));
    }

    #[test]
    fn own_node_from_hex_keys() {
        let keys = PublicKeys {
            primary: "11".repeat(32),
            ed25519: "11".repeat(32),
            x25519: "22".repeat(32),
            lokinet: "x.snode".into(),
            bls: Some("33".repeat(64)),
        };
        let q = own_node(&keys);
        assert_eq!(q.bls_pubkey.unwrap().as_slice(), &[0x33; 64]);
        assert_eq!(q.ed25519_pubkey.unwrap().as_slice(), &[0x11; 32]);
    }

    #[test]
    fn failure_totals_and_counter_names() {
        let c = ProviderCounters {
            requests: 20,
            successes: 9,
            connection: 3,
            http_status: 1,
            timeout: 2,
            lagging: 4,
            range_limited: 5,
            ..ProviderCounters::default()
        };
        assert_eq!(failures(&c), 6);
        let named: Vec<(String, u64)> = nonzero_counters(&c)
            .into_iter()
            .map(|n| (n.name, n.count))
            .collect();
        let want = [
            ("connection", 3),
            ("timeout", 2),
            ("HTTP status", 1),
            ("lagging", 4),
            ("range limited", 5),
        ];
        let want: Vec<(String, u64)> = want.iter().map(|(n, c)| (n.to_string(), *c)).collect();
        assert_eq!(named, want);
    }

    #[test]
    fn heartbeat_covers_one_request_or_one_wait() {
        let w = heartbeat_within(Duration::from_secs(60), Duration::from_secs(5));
        assert!(w > Duration::from_secs(60));
        let w = heartbeat_within(Duration::from_secs(1), Duration::from_secs(300));
        assert!(w > Duration::from_secs(300));
    }
}
