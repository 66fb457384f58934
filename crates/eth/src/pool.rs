//! The provider pool: per-request failover in priority order, the periodic
//! height check that reorders providers, per-provider counters, and
//! `eth_getLogs` ranges that shrink for a provider that refuses them
//! (docs/compat/l2-contract.md, "Providers and failover";
//! docs/compat/decisions.md).

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use serde::Serialize;
use serde_json::{json, Value};
use tracing::{debug, error, info, warn};

use crate::error::{EthError, ProviderFailure};
use crate::redact::ProviderUrl;
use crate::rpc::{parse_quantity, Endpoint, Failure, FailureKind, LimitKind};

/// The `tracing` target of the pool's messages: the daemon's `log-level`
/// categories (`l2_tracker`, `ethyl`) know the pool by this name.
// shim: remove when callers move to snode_eth (the daemon's logging maps
// `snode_l2::pool`; once it maps `snode_eth::pool` this goes)
const LOG_TARGET: &str = "snode_l2::pool";

/// How often "primary is still unavailable" is repeated while on a backup.
const STILL_UNAVAILABLE_EVERY: Duration = Duration::from_secs(15 * 60);

/// Failure and event counters of one provider, since start.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ProviderCounters {
    /// Requests sent (all methods, checks included).
    pub requests: u64,
    /// Requests answered with a usable result.
    pub successes: u64,
    /// Connection failures (refused, reset, DNS, TLS).
    pub connection: u64,
    /// Timeouts (`l2-timeout`).
    pub timeout: u64,
    /// HTTP statuses other than 200 (429, 500, …).
    pub http_status: u64,
    /// The same, by status code: `{"502": 2}`.
    pub http_statuses: BTreeMap<u16, u64>,
    /// JSON-RPC errors (any HTTP status 200), range-limit refusals excluded.
    pub jsonrpc_error: u64,
    /// Answers that were not JSON-RPC or had the wrong shape.
    pub malformed: u64,
    /// Answers whose `result` was null or missing.
    pub null_result: u64,
    /// Height checks that found this provider more than `l2-check-threshold` behind.
    pub lagging: u64,
    /// `eth_getLogs` ranges refused as too large (the range then shrank).
    pub range_limited: u64,
}

impl ProviderCounters {
    fn count(&mut self, kind: &FailureKind) {
        match kind {
            FailureKind::Connection => self.connection += 1,
            FailureKind::Timeout => self.timeout += 1,
            FailureKind::HttpStatus { status, .. } => {
                self.http_status += 1;
                *self.http_statuses.entry(*status).or_default() += 1;
            }
            FailureKind::JsonRpc { .. } => self.jsonrpc_error += 1,
            FailureKind::Malformed => self.malformed += 1,
            FailureKind::NullResult => self.null_result += 1,
        }
    }

    /// All failures (lagging and range refusals are not failures).
    pub fn failures(&self) -> u64 {
        self.connection
            + self.timeout
            + self.http_status
            + self.jsonrpc_error
            + self.malformed
            + self.null_result
    }
}

impl ProviderCounters {
    /// The failures by kind, HTTP statuses by code: `HTTP 502 ×2, timed out
    /// ×1`; `None` when there were none.
    pub fn failures_by_kind(&self) -> Option<String> {
        let mut parts: Vec<String> = self
            .http_statuses
            .iter()
            .map(|(status, n)| format!("HTTP {status} ×{n}"))
            .collect();
        let unsorted = self.http_status
            - self
                .http_statuses
                .values()
                .sum::<u64>()
                .min(self.http_status);
        for (n, what) in [
            (unsorted, "HTTP error"),
            (self.connection, "connection failed"),
            (self.timeout, "timed out"),
            (self.jsonrpc_error, "JSON-RPC error"),
            (self.malformed, "malformed answer"),
            (self.null_result, "null result"),
        ] {
            if n > 0 {
                parts.push(format!("{what} ×{n}"));
            }
        }
        (!parts.is_empty()).then(|| parts.join(", "))
    }
}

/// What the tracker thinks of a provider right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProviderHealth {
    /// Not asked yet.
    Unknown,
    /// Its last request succeeded and it was not lagging at the last check.
    Good,
    /// At the last check it was more than `l2-check-threshold` blocks behind.
    Lagging,
    /// Its last request failed.
    Failing,
}

/// One configured provider.
pub struct Provider {
    /// `Primary L2 provider`, `Backup L2 provider #N`.
    pub name: String,
    endpoint: Endpoint,
    /// Counters since start.
    pub counters: ProviderCounters,
    /// Current health.
    pub health: ProviderHealth,
    /// Height it last reported.
    pub last_height: Option<u64>,
    /// When it reported it.
    pub last_height_at: Option<SystemTime>,
    /// Its last failure.
    pub last_error: Option<Failure>,
    /// Blocks per `eth_getLogs` for this provider: `l2-max-logs`, or less
    /// after the provider refused a range.
    pub max_logs: u64,
}

impl Provider {
    /// Its URL (shown redacted).
    pub fn url(&self) -> &ProviderUrl {
        self.endpoint.url()
    }

    fn label(&self) -> String {
        format!("{} [{}]", self.name, self.url())
    }
}

/// Result of a provider height check.
#[derive(Debug, Clone, Default)]
pub struct CheckOutcome {
    /// Heights by configured index.
    pub heights: Vec<Option<u64>>,
    /// The height of the provider now first, if it answered.
    pub first_height: Option<u64>,
}

/// The caller's say in a running request sequence: asked before every
/// request; `false` ends it there ([`EthError::Cancelled`]). The L2 tracker's
/// gate is its heartbeat, progress report and cancel check.
pub trait Gate {
    /// Asks whether to go on (and reports that progress was made).
    fn pass(&mut self) -> bool;
}

/// A gate that always lets requests through (one-off queries, probes).
#[derive(Debug, Default, Clone, Copy)]
pub struct Always;

impl Gate for Always {
    fn pass(&mut self) -> bool {
        true
    }
}

/// What the pool needs to know: the providers in priority order and the
/// `l2-*` settings of the transport.
#[derive(Clone, Debug)]
pub struct PoolConfig {
    /// `l2-provider`, in priority order: the first is the primary.
    pub providers: Vec<ProviderUrl>,
    /// `l2-timeout`: per request.
    pub timeout: Duration,
    /// `l2-max-logs`: most blocks per `eth_getLogs`.
    pub max_logs: u64,
    /// `l2-check-threshold`: a provider this many blocks behind the best is lagging.
    pub check_threshold: u64,
}

/// Name used in logs, as oxend does: `Primary L2 provider`, `Backup L2 provider #1`, ….
pub fn provider_name(index: usize) -> String {
    if index == 0 {
        "Primary L2 provider".into()
    } else {
        format!("Backup L2 provider #{index}")
    }
}

/// Seconds since the Unix epoch (0 before it).
pub fn unix_secs(t: SystemTime) -> u64 {
    t.duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs()
}

/// Providers in priority order, with failover.
pub struct ProviderPool {
    /// The providers in configured order.
    pub providers: Vec<Provider>,
    /// Indices into `providers`, best first; `order[0]` is in use.
    pub order: Vec<usize>,
    check_threshold: u64,
    last_unavailable_log: Option<SystemTime>,
}

impl ProviderPool {
    /// The pool of `cfg`'s providers, in configured order.
    pub fn new(cfg: &PoolConfig) -> Self {
        let providers = cfg
            .providers
            .iter()
            .enumerate()
            .map(|(i, url)| Provider {
                name: provider_name(i),
                endpoint: Endpoint::new(url.clone(), cfg.timeout),
                counters: ProviderCounters::default(),
                health: ProviderHealth::Unknown,
                last_height: None,
                last_height_at: None,
                last_error: None,
                max_logs: cfg.max_logs.max(1),
            })
            .collect::<Vec<_>>();
        Self {
            order: (0..providers.len()).collect(),
            providers,
            check_threshold: cfg.check_threshold,
            last_unavailable_log: None,
        }
    }

    /// How many providers there are.
    pub fn len(&self) -> usize {
        self.providers.len()
    }

    /// Whether no provider is configured.
    pub fn is_empty(&self) -> bool {
        self.providers.is_empty()
    }

    /// The provider in use (first in priority order).
    pub fn current(&self) -> usize {
        self.order[0]
    }

    /// One request to one provider, counted, without failover. An
    /// `eth_call` that reverted is the contract's answer, not a provider
    /// fault: it comes back as empty data (`"0x"`).
    pub fn call_one(
        &mut self,
        idx: usize,
        method: &str,
        params: &Value,
    ) -> Result<Value, ProviderFailure> {
        self.call_raw(idx, method, params)
            .map_err(|failure| self.record_failure(idx, method, failure))
    }

    /// Like [`Self::call_one`] but a failure is returned unrecorded.
    fn call_raw(&mut self, idx: usize, method: &str, params: &Value) -> Result<Value, Failure> {
        let p = &mut self.providers[idx];
        p.counters.requests += 1;
        match p.endpoint.call(method, params) {
            Err(f) if method == "eth_call" && f.is_revert() => {
                debug!(target: LOG_TARGET, "{} eth_call reverted: {f}", p.label());
                Ok(Value::String("0x".into()))
            }
            other => other,
        }
    }

    fn record_success(&mut self, idx: usize) {
        let p = &mut self.providers[idx];
        p.counters.successes += 1;
        if p.health != ProviderHealth::Lagging {
            p.health = ProviderHealth::Good;
        }
    }

    fn record_failure(
        &mut self,
        idx: usize,
        method: &str,
        mut failure: Failure,
    ) -> ProviderFailure {
        let p = &mut self.providers[idx];
        // A malformed result is quoted in the message: scrub it like
        // every other provider text.
        failure.message = p.endpoint.scrub(&failure.message);
        p.counters.count(&failure.kind);
        p.health = ProviderHealth::Failing;
        p.last_error = Some(failure.clone());
        warn!(target: LOG_TARGET, "{} {method} failed: {failure}", p.label());
        ProviderFailure {
            provider: p.name.clone(),
            url: p.url().clone(),
            failure,
        }
    }

    /// A request with failover: each provider in priority order until one
    /// answers. `check` validates the result's shape; a bad shape counts as a
    /// malformed answer and fails over too.
    pub fn request<T>(
        &mut self,
        gate: &mut dyn Gate,
        method: &str,
        params: &Value,
        check: impl Fn(&Value) -> Result<T, Failure>,
    ) -> Result<(usize, T), EthError> {
        let mut failures = Vec::new();
        for idx in self.order.clone() {
            if !gate.pass() {
                return Err(EthError::Cancelled);
            }
            match self.call_one(idx, method, params) {
                Ok(v) => match check(&v) {
                    Ok(t) => {
                        self.record_success(idx);
                        return Ok((idx, t));
                    }
                    Err(f) => failures.push(self.record_failure(idx, method, f)),
                },
                Err(f) => failures.push(f),
            }
        }
        Err(EthError::AllProvidersFailed {
            method: method.into(),
            failures,
        })
    }

    /// A JSON-RPC batch with failover: the whole batch goes to each provider
    /// in priority order until one answers it. Each call's own outcome is
    /// returned in order; an `eth_call` that reverted comes back as `"0x"`.
    pub fn request_batch(
        &mut self,
        gate: &mut dyn Gate,
        calls: &[(&str, Value)],
    ) -> Result<Vec<Result<Value, Failure>>, EthError> {
        let mut failures = Vec::new();
        for idx in self.order.clone() {
            if !gate.pass() {
                return Err(EthError::Cancelled);
            }
            self.providers[idx].counters.requests += 1;
            match self.providers[idx].endpoint.call_batch(calls) {
                Ok(answers) => {
                    self.record_success(idx);
                    return Ok(answers
                        .into_iter()
                        .zip(calls)
                        .map(|(a, (method, _))| match a {
                            Err(f) if *method == "eth_call" && f.is_revert() => {
                                Ok(Value::String("0x".into()))
                            }
                            other => other,
                        })
                        .collect());
                }
                Err(f) => failures.push(self.record_failure(idx, "batch", f)),
            }
        }
        Err(EthError::AllProvidersFailed {
            method: "batch".into(),
            failures,
        })
    }

    /// `eth_blockNumber` with failover.
    pub fn block_number(&mut self, gate: &mut dyn Gate, now: SystemTime) -> Result<u64, EthError> {
        let (idx, h) = self.request(gate, "eth_blockNumber", &json!([]), parse_quantity)?;
        let p = &mut self.providers[idx];
        p.last_height = Some(h);
        p.last_height_at = Some(now);
        Ok(h)
    }

    /// `eth_getLogs` for the contract from `from` up to at most `latest`,
    /// with failover. Each provider gets at most its own `max_logs` blocks;
    /// a range-limit refusal halves that for the provider, logs the
    /// `l2-max-logs` value to configure, and retries the same provider.
    /// Returns the last block covered and the raw logs.
    pub fn get_logs(
        &mut self,
        gate: &mut dyn Gate,
        from: u64,
        latest: u64,
        contract: &str,
    ) -> Result<(u64, Vec<Value>), EthError> {
        let mut failures = Vec::new();
        for idx in self.order.clone() {
            // The first refusal of this request (blocks asked, message): the
            // range shrinks quietly and the setting is named once, with the
            // value that finally worked (or the last one tried).
            let mut refusal: Option<(u64, String)> = None;
            loop {
                if !gate.pass() {
                    return Err(EthError::Cancelled);
                }
                let span = self.providers[idx].max_logs;
                let to = latest.min(from.saturating_add(span - 1));
                let params = json!([{
                    "fromBlock": format!("0x{from:x}"),
                    "toBlock": format!("0x{to:x}"),
                    "address": contract,
                }]);
                let failure = match self.call_raw(idx, "eth_getLogs", &params) {
                    Ok(Value::Array(logs)) => {
                        self.record_success(idx);
                        if let Some((asked, message)) = refusal.take() {
                            self.log_shrunk(idx, asked, &message, true);
                        }
                        return Ok((to, logs));
                    }
                    Ok(other) => Failure {
                        kind: FailureKind::Malformed,
                        message: format!("expected an array of logs, got {}", type_name(&other)),
                    },
                    Err(f) => f,
                };
                let refused = failure.limit() == LimitKind::RangeLimit;
                let asked = to - from + 1;
                if refused && asked > 1 {
                    let p = &mut self.providers[idx];
                    p.counters.range_limited += 1;
                    p.max_logs = stated_block_limit(&failure.message)
                        .filter(|n| (1..asked).contains(n))
                        .unwrap_or((asked / 2).max(1));
                    debug!(target: LOG_TARGET,
                        "{} refused eth_getLogs over {asked} blocks ({}); retrying with {} blocks",
                        p.label(),
                        failure.message,
                        p.max_logs
                    );
                    refusal.get_or_insert((asked, failure.message.clone()));
                    continue;
                }
                if let Some((asked, message)) = refusal.take() {
                    self.log_shrunk(idx, asked, &message, false);
                }
                failures.push(self.record_failure(idx, "eth_getLogs", failure));
                break;
            }
        }
        Err(EthError::AllProvidersFailed {
            method: "eth_getLogs".into(),
            failures,
        })
    }

    /// The one warning of a shrunk `eth_getLogs` range: what was refused and
    /// the `l2-max-logs` value to configure.
    fn log_shrunk(&self, idx: usize, asked: u64, message: &str, worked: bool) {
        let p = &self.providers[idx];
        let n = p.max_logs;
        if worked {
            warn!(target: LOG_TARGET,
                "{} refused eth_getLogs over {asked} blocks ({message}); {n} blocks work. \
                 Set l2-max-logs={n} (or lower) in the config to avoid these retries.",
                p.label()
            );
        } else {
            warn!(target: LOG_TARGET,
                "{} refused eth_getLogs over {asked} blocks ({message}); shrunk to {n} blocks \
                 before another failure. Try l2-max-logs={n} (or lower) in the config.",
                p.label()
            );
        }
    }

    /// The provider check of §5.3 step 1: `eth_blockNumber` to every provider
    /// (no failover), then "good" providers (height ≥ best − threshold) in
    /// configured order, then the others by height descending.
    /// When no provider answers, the order stays as it is: nobody is known
    /// to be better than the provider in use. A cancelled check stops before
    /// its next request and leaves the order as it is; what the providers
    /// asked before the cancel answered (heights, counters, health) is kept.
    pub fn check(&mut self, gate: &mut dyn Gate, now: SystemTime) -> CheckOutcome {
        let mut heights = Vec::with_capacity(self.len());
        for idx in 0..self.len() {
            if !gate.pass() {
                return CheckOutcome {
                    heights,
                    first_height: None,
                };
            }
            let h = match self.call_one(idx, "eth_blockNumber", &json!([])) {
                Ok(v) => match parse_quantity(&v) {
                    Ok(h) => {
                        self.record_success(idx);
                        let p = &mut self.providers[idx];
                        p.last_height = Some(h);
                        p.last_height_at = Some(now);
                        Some(h)
                    }
                    Err(f) => {
                        self.record_failure(idx, "eth_blockNumber", f);
                        None
                    }
                },
                Err(_) => None,
            };
            if h.is_none() {
                let p = &self.providers[idx];
                let msg = format!("Failed to retrieve height from {}", p.label());
                if idx == 0 {
                    error!(target: LOG_TARGET, "{msg}");
                } else {
                    warn!(target: LOG_TARGET, "{msg}");
                }
            }
            heights.push(h);
        }
        let Some(best) = heights.iter().flatten().copied().max() else {
            // Nobody answered: keep the order (and say nothing about switching).
            return CheckOutcome {
                first_height: None,
                heights,
            };
        };
        let threshold = best.saturating_sub(self.check_threshold);
        let mut good = Vec::new();
        let mut bad = Vec::new();
        for (idx, h) in heights.iter().enumerate() {
            match h {
                Some(h) if *h >= threshold => {
                    let p = &mut self.providers[idx];
                    if p.health == ProviderHealth::Lagging {
                        p.health = ProviderHealth::Good;
                    }
                    good.push(idx);
                }
                Some(h) => {
                    let p = &mut self.providers[idx];
                    p.counters.lagging += 1;
                    p.health = ProviderHealth::Lagging;
                    let msg = format!("{} is lagging (height {h} < {best})", p.label());
                    if idx == 0 {
                        error!(target: LOG_TARGET, "{msg}");
                    } else {
                        warn!(target: LOG_TARGET, "{msg}");
                    }
                    bad.push(idx);
                }
                None => bad.push(idx),
            }
        }
        // by height descending (failed ones last), ties in configured order
        bad.sort_by_key(|&i| (std::cmp::Reverse(heights[i].map(|h| h + 1).unwrap_or(0)), i));
        let old_first = self.order[0];
        self.order = good.into_iter().chain(bad).collect();
        let new_first = self.order[0];
        if new_first != old_first {
            let old = self.providers[old_first].label();
            let new = self.providers[new_first].label();
            if new_first == 0 {
                info!(target: LOG_TARGET, "{new} is available again; switching back to it as primary L2 source");
                self.last_unavailable_log = None;
            } else {
                warn!(target: LOG_TARGET,
                    "{old} is not responding or is behind; switching to {new} as primary L2 source"
                );
                self.last_unavailable_log = Some(now);
            }
        } else if new_first != 0 {
            let due = self.last_unavailable_log.is_none_or(|t| {
                now.duration_since(t).unwrap_or_default() >= STILL_UNAVAILABLE_EVERY
            });
            if due {
                warn!(target: LOG_TARGET, "{} is still unavailable", self.providers[0].label());
                self.last_unavailable_log = Some(now);
            }
        }
        CheckOutcome {
            first_height: heights[new_first],
            heights,
        }
    }
}

/// The block range a refusal message says the provider allows, when it says
/// one: "limited to a 5 range", "up to a 2K block range", "up to a 10,000
/// block range", "exceed maximum block range: 500". Digits may be grouped in
/// threes with `,` or `_` ("10,000", "10_000"); a `k`/`K` suffix means
/// thousands. A limit on results ("more than 10000 results") is not a block
/// count.
fn stated_block_limit(message: &str) -> Option<u64> {
    let m = message.to_ascii_lowercase();
    if m.contains("result") && !m.contains("block") {
        return None;
    }
    let b = m.as_bytes();
    let digits_from = |mut j: usize| {
        let s = j;
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
        j - s
    };
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_digit() && (i == 0 || !b[i - 1].is_ascii_alphanumeric()) {
            let start = i;
            i += digits_from(i);
            let mut text: String = m[start..i].to_owned();
            // "10,000" / "10_000": groups of exactly three digits after a
            // first group of one to three.
            if i - start <= 3 {
                while matches!(b.get(i), Some(b',' | b'_')) && digits_from(i + 1) == 3 {
                    text.push_str(&m[i + 1..i + 4]);
                    i += 4;
                }
            }
            let n: u64 = text.parse().ok()?;
            let n = match b.get(i) {
                Some(b'k') if !b.get(i + 1).is_some_and(u8::is_ascii_alphanumeric) => {
                    i += 1;
                    n.checked_mul(1000)?
                }
                Some(c) if c.is_ascii_alphanumeric() => {
                    continue; // part of a word or hex, not a count
                }
                _ => n,
            };
            if m[i..].trim_start().starts_with("result") {
                continue; // "more than 10000 results … block range": not a block count
            }
            return Some(n);
        }
        i += 1;
    }
    None
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Health, counters and heights of one provider, for status output.
#[derive(Debug, Clone, Serialize)]
pub struct ProviderStatus {
    /// `Primary L2 provider`, `Backup L2 provider #N`.
    pub name: String,
    /// Redacted URL.
    pub url: ProviderUrl,
    /// Whether requests go to this provider first now.
    pub in_use: bool,
    /// Position in the current priority order (0 = in use).
    pub priority: usize,
    /// Current health.
    pub health: ProviderHealth,
    /// Height it last reported.
    pub last_height: Option<u64>,
    /// When it reported it (Unix seconds).
    pub last_height_at: Option<u64>,
    /// Blocks per `eth_getLogs` used for it now.
    pub max_logs: u64,
    /// Its last failure, if any.
    pub last_error: Option<Failure>,
    /// Counters since start.
    pub counters: ProviderCounters,
}

impl ProviderStatus {
    /// The provider's failures for a status line, e.g. `HTTP 502 ×2; last
    /// error: 502 Bad Gateway`; `None` when it never failed.
    pub fn failure_summary(&self) -> Option<String> {
        let kinds = self.counters.failures_by_kind();
        let last = self.last_error.as_ref().map(Failure::short);
        match (kinds, last) {
            (None, None) => None,
            (Some(k), None) => Some(k),
            (None, Some(l)) => Some(format!("last error: {l}")),
            (Some(k), Some(l)) => Some(format!("{k}; last error: {l}")),
        }
    }
}

impl ProviderPool {
    /// Every provider in configured order, for status output.
    pub fn status(&self) -> Vec<ProviderStatus> {
        self.providers
            .iter()
            .enumerate()
            .map(|(idx, p)| {
                let priority = self.order.iter().position(|&i| i == idx).unwrap_or(idx);
                ProviderStatus {
                    name: p.name.clone(),
                    url: p.url().clone(),
                    in_use: priority == 0,
                    priority,
                    health: p.health,
                    last_height: p.last_height,
                    last_height_at: p.last_height_at.map(unix_secs),
                    max_logs: p.max_logs,
                    last_error: p.last_error.clone(),
                    counters: p.counters.clone(),
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_limits_stated_in_refusals() {
        for (m, n) in [
            // Alchemy-style wordings
            ("eth_getLogs is limited to a 5 range", Some(5)),
            ("eth_getLogs is limited to a 10,000 range", Some(10_000)),
            (
                "Log response size exceeded. You can make eth_getLogs requests with up to a 2K block range",
                Some(2000),
            ),
            (
                "Log response size exceeded. You can make eth_getLogs requests with up to a 2k block range and no limit on the response size",
                Some(2000),
            ),
            (
                "You can make eth_getLogs requests with up to a 10,000 block range.",
                Some(10_000),
            ),
            ("up to a 10_000 block range", Some(10_000)),
            ("up to a 1,000,000 block range", Some(1_000_000)),
            ("exceed maximum block range: 500", Some(500)),
            ("exceed maximum block range: 5,000.", Some(5000)),
            // a comma that does not group three digits ends the number
            ("maximum block range: 500, try again", Some(500)),
            ("maximum block range 1,50 blocks", Some(1)),
            ("maximum block range 1000,000", Some(1000)),
            // hex and words are not counts
            ("block range 0x10 too large, max 100", Some(100)),
            // Infura / QuickNode: no count, or a count of results
            ("query returned more than 10000 results", None),
            ("query returned more than 10,000 results", None),
            (
                "query returned more than 10000 results. Try with this block range [0x1, 0x2].",
                None,
            ),
            ("block range is too large", None),
            ("block range too large", None),
        ] {
            assert_eq!(stated_block_limit(m), n, "{m}");
        }
    }

    #[test]
    fn range_limit_messages() {
        for m in [
            "query returned more than 10000 results",
            "Log response size exceeded. You can make eth_getLogs requests with up to a 2K block range",
            "eth_getLogs is limited to a 5 range",
            "block range is too large",
            "block range too large",
            "eth_getLogs is limited to a 10,000 range",
            "You can make eth_getLogs requests with up to a 10,000 block range.",
            "exceed maximum block range: 500",
            "ranges over 1000 blocks are not supported: block range limit",
        ] {
            assert_eq!(crate::rpc::classify(None, None, m), LimitKind::RangeLimit, "{m}");
        }
        for m in [
            "daily request count exceeded, request rate limited",
            "Too Many Requests",
            "execution reverted",
            "limit exceeded",
        ] {
            assert_ne!(
                crate::rpc::classify(None, None, m),
                LimitKind::RangeLimit,
                "{m}"
            );
        }
    }
}
