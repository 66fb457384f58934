//! The tracker's status as the figures `/metrics` exports
//! ([`crate::state::L2Metrics`]): typed, with provider URLs cut to their host.

use snode_eth::{ProviderHealth, ProviderStatus};
use snode_l2::{CycleReport, L2Status, NodeContractState};

use crate::state::{CycleMetrics, L2Metrics, ProviderMetrics};

/// The figures of this status.
pub fn of(status: &L2Status) -> L2Metrics {
    L2Metrics {
        head_height: status.l2_height,
        head_at: status.l2_height_at,
        synced_height: status.synced_height,
        stalled: status.stalled.is_some(),
        sync_incomplete: super::sync_incomplete(status),
        contract_nodes: status.registered_nodes as u64,
        staking_requirement: status
            .staking_requirement
            .and_then(|r| u128::try_from(r).ok())
            .map(|r| r as f64),
        own_state: super::own_state(status).map(state_label),
        contract_missing: !status.contract_missing.is_empty(),
        providers: status.providers.iter().map(provider).collect(),
        last_cycle: status.last_cycle.as_ref().map(cycle),
    }
}

/// The label value of a contract state.
pub fn state_label(state: NodeContractState) -> &'static str {
    match state {
        NodeContractState::NotRegistered => "not_registered",
        NodeContractState::Registered => "registered",
        NodeContractState::ExitRequested => "exit_requested",
        NodeContractState::Exited => "exited",
    }
}

fn provider(p: &ProviderStatus) -> ProviderMetrics {
    let c = &p.counters;
    ProviderMetrics {
        name: p.name.clone(),
        host: p.url.host().unwrap_or("").to_string(),
        health: match p.health {
            ProviderHealth::Unknown => "unknown",
            ProviderHealth::Good => "good",
            ProviderHealth::Lagging => "lagging",
            ProviderHealth::Failing => "failing",
        },
        in_use: p.in_use,
        requests: c.requests,
        failures: vec![
            ("connection", c.connection),
            ("timeout", c.timeout),
            ("http_status", c.http_status),
            ("jsonrpc_error", c.jsonrpc_error),
            ("malformed", c.malformed),
            ("null_result", c.null_result),
        ],
        lagging: c.lagging,
        range_limited: c.range_limited,
        max_logs: p.max_logs,
        last_success_at: p.last_height_at,
    }
}

fn cycle(c: &CycleReport) -> CycleMetrics {
    CycleMetrics {
        at: c.at,
        duration_secs: c.duration_ms as f64 / 1000.0,
        ok: c.errors.is_empty() && !c.cancelled,
    }
}
