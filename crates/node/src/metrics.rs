//! Prometheus metrics: `GET /metrics` on the admin RPC listener (loopback by
//! default, behind the same login and origin checks as `/json_rpc`), in the
//! OpenMetrics text format written by the `prometheus-client` crate.
//!
//! Every scrape renders what the daemon knows at that moment: the build and
//! uptime, the node's key files, the L2 tracker's figures
//! ([`crate::state::L2Metrics`]), the chain follower's height and peers
//! ([`crate::state::ChainView`]) and the registration requests signed. What
//! the daemon does not know is left out, never shown as zero: no L2 height
//! before a provider answered, no chain height while the follower is off
//! (`chain-follower=0`) or has not published, no target height without peers.
//! Provider URLs are cut to their host: a provider's API key, which often
//! sits in the path or the query, never reaches a label.
//!
//! The names (all prefixed `oxend_stagenet_`, units in the name, counters end
//! in `_total`) are listed in docs/monitoring.md with the alerts built on them.

use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::sync::atomic::AtomicU64;
use std::time::{SystemTime, UNIX_EPOCH};

use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::{Registry, Unit};
use snode_keys::KeyKind;

use crate::state::{L2Metrics, NodeState};

/// The `Content-Type` of an OpenMetrics answer (what Prometheus asks for).
pub const OPENMETRICS: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// The `Content-Type` of the classic Prometheus text format (version 0.0.4),
/// answered to clients that do not accept OpenMetrics (curl, `promtool check
/// metrics`).
pub const TEXT_004: &str = "text/plain; version=0.0.4; charset=utf-8";

/// The answer to `GET /metrics` with this `Accept` header: the body and its
/// content type.
pub fn answer(state: &NodeState, data_dir: &Path, accept: Option<&str>) -> (String, &'static str) {
    let text = render(state, data_dir);
    if accept.is_some_and(|a| a.contains("application/openmetrics-text")) {
        (text, OPENMETRICS)
    } else {
        (classic(&text), TEXT_004)
    }
}

/// OpenMetrics text in the classic format: a counter family is named after
/// its samples (`x_total`), and the `# UNIT` and `# EOF` lines go.
pub fn classic(openmetrics: &str) -> String {
    let counters: Vec<&str> = openmetrics
        .lines()
        .filter_map(|l| l.strip_prefix("# TYPE "))
        .filter_map(|l| l.strip_suffix(" counter"))
        .collect();
    let mut out = String::with_capacity(openmetrics.len());
    for line in openmetrics.lines() {
        if line.starts_with("# UNIT ") || line == "# EOF" {
            continue;
        }
        let meta = ["# HELP ", "# TYPE "]
            .into_iter()
            .find_map(|p| line.strip_prefix(p).map(|rest| (p, rest)));
        match meta {
            Some((p, rest)) => {
                let name = rest.split(' ').next().unwrap_or("");
                if counters.contains(&name) {
                    out.push_str(&format!("{p}{name}_total{}", &rest[name.len()..]));
                } else {
                    out.push_str(line);
                }
            }
            None => out.push_str(line),
        }
        out.push('\n');
    }
    out
}

/// Label pairs of one sample.
type Labels = Vec<(String, String)>;

/// A float gauge.
type FGauge = Gauge<f64, AtomicU64>;

fn labels(pairs: &[(&str, &str)]) -> Labels {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
        .collect()
}

/// Adds a gauge family with these samples (none: the metric is left out).
fn gauges(
    reg: &mut Registry,
    name: &str,
    help: &str,
    unit: Option<Unit>,
    rows: Vec<(Labels, f64)>,
) {
    if rows.is_empty() {
        return;
    }
    let family = Family::<Labels, FGauge>::default();
    for (l, v) in rows {
        family.get_or_create(&l).set(v);
    }
    match unit {
        Some(u) => reg.register_with_unit(name, help, u, family),
        None => reg.register(name, help, family),
    }
}

/// Adds an unlabelled gauge, when the value is known.
fn gauge(reg: &mut Registry, name: &str, help: &str, unit: Option<Unit>, value: Option<f64>) {
    gauges(
        reg,
        name,
        help,
        unit,
        value.map(|v| (Vec::new(), v)).into_iter().collect(),
    );
}

/// Adds a counter family (`<name>_total`) with these samples.
fn counters(reg: &mut Registry, name: &str, help: &str, rows: Vec<(Labels, u64)>) {
    if rows.is_empty() {
        return;
    }
    let family = Family::<Labels, Counter>::default();
    for (l, v) in rows {
        family.get_or_create(&l).inc_by(v);
    }
    reg.register(name, help, family);
}

fn flag(b: bool) -> f64 {
    if b {
        1.0
    } else {
        0.0
    }
}

/// The metrics text for this state; `data_dir` holds the key files.
pub fn render(state: &NodeState, data_dir: &Path) -> String {
    let mut reg = Registry::with_prefix("oxend_stagenet");
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64());

    gauges(
        &mut reg,
        "build_info",
        "The daemon's version (value 1)",
        None,
        vec![(labels(&[("version", crate::version::VERSION)]), 1.0)],
    );
    gauge(
        &mut reg,
        "start_time",
        "When the daemon started (Unix time)",
        Some(Unit::Seconds),
        Some(state.start_time as f64),
    );
    gauge(
        &mut reg,
        "uptime",
        "Seconds since the daemon started",
        Some(Unit::Seconds),
        Some(state.started.elapsed().as_secs_f64()),
    );
    gauge(
        &mut reg,
        "service_node",
        "1 when the daemon runs as a service node (service-node=1)",
        None,
        Some(flag(state.service_node)),
    );
    key_files(&mut reg, state, data_dir);
    let registrations = state.registrations();
    counters(
        &mut reg,
        "registration_requests",
        "Registration requests (bls_registration_request) by outcome: signed or refused",
        ["signed", "refused"]
            .iter()
            .map(|o| {
                let n = registrations.get(o).copied().unwrap_or(0);
                (labels(&[("outcome", o)]), n)
            })
            .collect(),
    );
    let view = state.l2();
    gauge(
        &mut reg,
        "l2_tracked",
        "1 once the L2 tracker has published its view",
        None,
        Some(flag(view.is_some())),
    );
    if let Some(view) = view {
        l2(&mut reg, &view.metrics, now);
    }
    chain(&mut reg, state);

    let mut out = String::new();
    if encode(&mut out, &reg).is_err() {
        // writing to a String cannot fail; keep the answer well-formed anyway
        out = "# EOF\n".to_string();
    }
    out
}

/// The chain follower's figures (none while it is off or has not published).
fn chain(reg: &mut Registry, state: &NodeState) {
    let report = state.chain_report();
    gauge(
        reg,
        "chain_follower_running",
        "1 while the Oxen chain follower runs, 0 when it stopped on an error",
        None,
        report
            .as_ref()
            .map(|r| flag(r.state == crate::api::chain::STATE_RUNNING)),
    );
    let Some(r) = &report else {
        return;
    };
    gauge(
        reg,
        "chain_height",
        "Oxen stagenet blocks the follower holds (top height + 1, oxend's height)",
        None,
        Some(r.height as f64),
    );
    let target = (r.target_height > 0).then_some(r.target_height as f64);
    gauge(
        reg,
        "chain_target_height",
        "The best height a connected peer claims (absent without peers)",
        None,
        target,
    );
    gauge(
        reg,
        "chain_synchronized",
        "1 when the follower holds at least what every connected peer claims (0 without peers)",
        None,
        Some(flag(r.synchronized)),
    );
    gauges(
        reg,
        "chain_peers",
        "Open P2P connections by direction",
        None,
        vec![
            (
                labels(&[("direction", "out")]),
                r.outgoing_connections_count as f64,
            ),
            (
                labels(&[("direction", "in")]),
                r.incoming_connections_count as f64,
            ),
        ],
    );
    counters(
        reg,
        "chain_downloaded_blocks",
        "Blocks downloaded and stored since the daemon started",
        vec![(Vec::new(), r.blocks_downloaded)],
    );
    counters(
        reg,
        "chain_downloaded_bytes",
        "Bytes of blocks and transactions downloaded since the daemon started",
        vec![(Vec::new(), r.bytes_downloaded)],
    );
}

/// Present and mode of each key file the daemon uses.
fn key_files(reg: &mut Registry, state: &NodeState, data_dir: &Path) {
    let mut kinds = vec![KeyKind::Ed25519];
    if state.service_node {
        kinds.push(KeyKind::Bls);
    }
    let mut present = Vec::new();
    let mut modes = Vec::new();
    for kind in kinds {
        let file = kind.file_name();
        let l = labels(&[("file", file)]);
        match std::fs::metadata(data_dir.join(file)) {
            Ok(m) => {
                present.push((l.clone(), 1.0));
                modes.push((l, f64::from(m.mode() & 0o7777)));
            }
            Err(_) => present.push((l, 0.0)),
        }
    }
    gauges(
        reg,
        "key_file_present",
        "1 when the key file exists in the data directory",
        None,
        present,
    );
    gauges(
        reg,
        "key_file_mode",
        "The key file's permission bits as a number (0400 = 256)",
        None,
        modes,
    );
}

/// The L2 tracker's figures.
fn l2(reg: &mut Registry, m: &L2Metrics, now: f64) {
    gauge(
        reg,
        "l2_head_height",
        "The latest Arbitrum Sepolia block height a provider reported",
        None,
        m.head_height.map(|h| h as f64),
    );
    gauge(
        reg,
        "l2_head_age",
        "Seconds since a provider last reported the L2 head",
        Some(Unit::Seconds),
        m.head_at.map(|at| (now - at as f64).max(0.0)),
    );
    gauge(
        reg,
        "l2_synced_height",
        "The highest L2 block whose contract logs are all applied",
        None,
        m.synced_height.map(|h| h as f64),
    );
    gauge(
        reg,
        "l2_stalled",
        "1 while the L2 head has not moved for l2-stall-after",
        None,
        Some(flag(m.stalled)),
    );
    gauge(
        reg,
        "l2_sync_incomplete",
        "1 while the contract logs are not yet read up to the head",
        None,
        Some(flag(m.sync_incomplete)),
    );
    gauge(
        reg,
        "l2_contract_missing",
        "1 when a provider has no contract code at l2-rewards-contract",
        None,
        Some(flag(m.contract_missing)),
    );
    gauge(
        reg,
        "contract_service_nodes",
        "Service nodes in the ServiceNodeRewards contract known to the tracker",
        None,
        Some(m.contract_nodes as f64),
    );
    gauge(
        reg,
        "contract_staking_requirement",
        "The contract's staking requirement in atomic SESH (9 decimals)",
        None,
        m.staking_requirement,
    );
    if let Some(own) = m.own_state {
        gauges(
            reg,
            "node_contract_state",
            "This node's state in the contract: 1 for the current state",
            None,
            ["not_registered", "registered", "exit_requested", "exited"]
                .iter()
                .map(|s| (labels(&[("state", s)]), flag(*s == own)))
                .collect(),
        );
    }
    provider_metrics(reg, m, now);
    if let Some(c) = &m.last_cycle {
        gauge(
            reg,
            "l2_last_cycle_duration",
            "How long the last tracker cycle took",
            Some(Unit::Seconds),
            Some(c.duration_secs),
        );
        gauge(
            reg,
            "l2_last_cycle_timestamp",
            "When the last tracker cycle ran (Unix time)",
            Some(Unit::Seconds),
            Some(c.at as f64),
        );
        gauge(
            reg,
            "l2_last_cycle_success",
            "1 when the last tracker cycle ended without errors",
            None,
            Some(flag(c.ok)),
        );
    }
}

fn provider_metrics(reg: &mut Registry, m: &L2Metrics, now: f64) {
    let id = |p: &crate::state::ProviderMetrics| -> Labels {
        labels(&[("provider", &p.name), ("host", &p.host)])
    };
    let with = |p: &crate::state::ProviderMetrics, k: &str, v: &str| -> Labels {
        let mut l = id(p);
        l.push((k.to_string(), v.to_string()));
        l
    };
    let ps = &m.providers;
    gauges(
        reg,
        "l2_provider_up",
        "1 when the provider's last request succeeded and it is not lagging",
        None,
        ps.iter()
            .map(|p| (id(p), flag(p.health == "good")))
            .collect(),
    );
    gauges(
        reg,
        "l2_provider_in_use",
        "1 for the provider requests go to first",
        None,
        ps.iter().map(|p| (id(p), flag(p.in_use))).collect(),
    );
    gauges(
        reg,
        "l2_provider_health",
        "The provider's health: 1 for the current one of unknown, good, lagging, failing",
        None,
        ps.iter()
            .flat_map(|p| {
                ["unknown", "good", "lagging", "failing"]
                    .map(|h| (with(p, "health", h), flag(p.health == h)))
            })
            .collect(),
    );
    counters(
        reg,
        "l2_provider_requests",
        "JSON-RPC requests sent to the provider",
        ps.iter().map(|p| (id(p), p.requests)).collect(),
    );
    counters(
        reg,
        "l2_provider_failures",
        "Failed requests by kind: connection, timeout, http_status, jsonrpc_error, malformed, null_result",
        ps.iter()
            .flat_map(|p| p.failures.iter().map(|(k, n)| (with(p, "kind", k), *n)))
            .collect(),
    );
    counters(
        reg,
        "l2_provider_lagging",
        "Height checks that found the provider behind the others",
        ps.iter().map(|p| (id(p), p.lagging)).collect(),
    );
    counters(
        reg,
        "l2_provider_range_limited",
        "eth_getLogs ranges the provider refused as too large",
        ps.iter().map(|p| (id(p), p.range_limited)).collect(),
    );
    gauges(
        reg,
        "l2_provider_log_range_blocks",
        "Blocks per eth_getLogs request used for the provider now",
        None,
        ps.iter().map(|p| (id(p), p.max_logs as f64)).collect(),
    );
    gauges(
        reg,
        "l2_provider_last_success_age",
        "Seconds since the provider last reported a height",
        Some(Unit::Seconds),
        ps.iter()
            .filter_map(|p| {
                p.last_success_at
                    .map(|at| (id(p), (now - at as f64).max(0.0)))
            })
            .collect(),
    );
}
