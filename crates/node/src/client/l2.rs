//! The L2 lines of `status` and `print_sn_status`, and the `l2_status`
//! command, from the typed [`L2Report`] of `get_info` / `get_l2_status`
//! (URLs already redacted by the daemon; every computed fact comes from it).
//! Heights here are L2 (Arbitrum Sepolia) blocks and are always labelled so:
//! this daemon has no Oxen height to show.

use snode_l2::NodeContractState;

use super::session::Session;
use super::text::{ago, now_secs};
use super::transport::ClientError;
use crate::api::l2::{EventReport, L2Report, L2StatusReply, ProviderReport};
use crate::api::sesh;

/// Failure counters that are not zero, e.g. `connection 3, HTTP status 1`.
pub fn counters_text(p: &ProviderReport) -> String {
    p.nonzero_counters
        .iter()
        .map(|c| format!("{} {}", c.name, c.count))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One provider: `Primary L2 provider [http://host/…]: good, height 123 (4s ago),
/// 10 requests, 0 failures`.
pub fn provider_line(p: &ProviderReport, now: u64) -> String {
    let mut line = format!("{} [{}]: {}", p.name, p.url, p.health);
    if p.in_use {
        line.push_str(" (in use)");
    }
    if let Some(h) = p.last_height {
        line.push_str(&format!(", L2 height {h}"));
        if let Some(at) = p.last_height_at {
            line.push_str(&format!(" ({})", ago(at, now)));
        }
    }
    line.push_str(&format!(
        ", {} requests, {} failures",
        p.counters.requests, p.failures
    ));
    let detail = counters_text(p);
    if !detail.is_empty() {
        line.push_str(&format!(" ({detail})"));
    }
    if let Some(max) = p.max_logs {
        if p.counters.range_limited > 0 {
            line.push_str(&format!(", eth_getLogs range now {max} blocks"));
        }
    }
    if p.health == "failing" {
        if let Some(e) = &p.last_error {
            if e.message.is_empty() {
                line.push_str(&format!("; last error: {}", e.kind));
            } else {
                line.push_str(&format!("; last error: {}: {}", e.kind, e.message));
            }
        }
    }
    line
}

/// The first L2 line: height (or stall), sync (while a cycle syncs contract
/// logs: how far, of which L2 block), node count.
pub fn height_line(l2: &L2Report, now: u64) -> String {
    let mut line = if let Some(st) = &l2.stalled {
        format!("L2 stalled at block {} since {}", st.height, st.since_utc)
    } else if let Some(h) = l2.l2_height {
        let when = l2
            .l2_height_at
            .map(|t| format!(" ({})", ago(t, now)))
            .unwrap_or_default();
        format!("L2 height: {h}{when}")
    } else {
        "L2 height: unknown (no provider has answered yet)".to_string()
    };
    match (&l2.log_sync, l2.synced_height) {
        (Some(sync), Some(h)) => line.push_str(&format!(
            ", syncing contract logs: synced to L2 block {h} of {}",
            sync.target
        )),
        (Some(sync), None) => line.push_str(&format!(
            ", syncing contract logs of L2 blocks {} to {}, nothing synced yet",
            sync.from, sync.target
        )),
        (None, Some(h)) => line.push_str(&format!(", synced to L2 block {h}")),
        (None, None) => line.push_str(", nothing synced yet"),
    }
    line.push_str(&format!(
        "; {} nodes registered in the contract",
        l2.registered_nodes
    ));
    line
}

/// This node in the contract: `registered (contract id 3, since L2 block 120)`.
pub fn contract_state_text(l2: &L2Report) -> Option<String> {
    let own = l2.own_node.as_ref()?;
    let Some(synced) = l2.synced_height else {
        return Some("unknown (the L2 tracker has not synced yet)".to_string());
    };
    if own.state == NodeContractState::NotRegistered && l2.sync_incomplete {
        return Some(format!(
            "unknown until the contract logs are synced (synced to L2 block {synced} of {})",
            l2.log_sync.map_or(0, |s| s.target)
        ));
    }
    let mut text = own.state.describe().to_string();
    if let Some(id) = own.service_node_id {
        text.push_str(&format!(" (contract id {id}"));
        if let Some(rec) = &own.record {
            text.push_str(&format!(
                ", registered at L2 block {}",
                rec.registered_block
            ));
            if rec.updated_block != rec.registered_block {
                text.push_str(&format!(", last change at L2 block {}", rec.updated_block));
            }
        }
        text.push(')');
    }
    Some(text)
}

/// The L2 block of `status`: height line, provider in use, every provider, and
/// the last cycle's first error when it had one.
pub fn status_lines(l2: &L2Report, now: u64) -> Vec<String> {
    let mut lines = vec![height_line(l2, now)];
    lines.push(format!(
        "L2 provider in use: {} [{}]",
        l2.provider_in_use.name, l2.provider_in_use.url
    ));
    for p in &l2.providers {
        lines.push(format!("  {}", provider_line(p, now)));
    }
    if let Some(err) = l2.last_cycle.as_ref().and_then(|c| c.errors.first()) {
        lines.push(format!("L2 last cycle error: {err}"));
    }
    lines
}

/// One contract event: `L2 block 12: new_service_node (contract id 3)`.
pub fn event_line(e: &EventReport) -> String {
    let mut line = format!("L2 block {}: {}", e.block, e.event.event);
    if let Some(id) = e.event.service_node_id {
        line.push_str(&format!(" (contract id {id})"));
    }
    if let Some(req) = e.event.new_requirement {
        line.push_str(&format!(" ({})", sesh(req)));
    }
    line
}

/// `l2_status [+json]`: the tracker's status from `get_l2_status`.
pub fn cmd_l2_status(s: &mut Session<'_>, args: &[String]) -> Result<bool, ClientError> {
    let json_out = match args {
        [] => false,
        [a] if a == "+json" => true,
        _ => return Ok(false),
    };
    let reply: L2StatusReply = s.call("get_l2_status", None)?;
    let l2 = &reply.l2;
    if json_out {
        s.out
            .success(&serde_json::to_string_pretty(l2).unwrap_or_default());
        return Ok(true);
    }
    let mut lines = status_lines(l2, now_secs());
    lines.push(format!(
        "ServiceNodeRewards: {} on chain {:#x}",
        l2.rewards_contract, l2.chain_id
    ));
    if let Some(c) = contract_state_text(l2) {
        lines.push(format!("This node in the contract: {c}"));
    }
    if let Some(n) = l2.events_stored {
        lines.push(format!("Contract events kept (history window): {n}"));
    }
    let events = l2.events();
    if !events.is_empty() {
        lines.push("Latest contract events:".to_string());
        for e in events {
            lines.push(format!("  {}", event_line(e)));
        }
    }
    s.out.success(&lines.join("\n"));
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn sample_json() -> Value {
        json!({
            "chain_id": 421614,
            "l2_height": 1234, "l2_height_at": 1000, "synced_height": 1230,
            "registered_nodes": 2,
            "provider_in_use": {"name": "Backup L2 provider #1", "url": "https://b.example/…"},
            "providers": [
                {"name": "Primary L2 provider", "url": "https://a.example/…", "in_use": false,
                 "health": "failing", "last_height": null, "max_logs": 1000,
                 "last_error": {"kind": "http_status", "status": 429, "message": "slow down"},
                 "counters": {"requests": 3, "successes": 0, "http_status": 3, "connection": 0},
                 "failures": 3, "nonzero_counters": [{"name": "HTTP status", "count": 3}]},
                {"name": "Backup L2 provider #1", "url": "https://b.example/…", "in_use": true,
                 "health": "good", "last_height": 1234, "last_height_at": 995, "max_logs": 250,
                 "counters": {"requests": 9, "successes": 9, "range_limited": 2},
                 "failures": 0, "nonzero_counters": [{"name": "range limited", "count": 2}]}
            ],
            "own_node": {"state": "exit_requested", "service_node_id": 7,
                         "record": {"service_node_id": 7, "bls_pubkey": format!("0x{}", "11".repeat(64)),
                                    "ed25519_pubkey": null, "state": "exit_requested",
                                    "liquidated": false, "operator": null,
                                    "registered_block": 10, "updated_block": 20}},
            "last_cycle": {"errors": []}
        })
    }

    /// The sample as the daemon sends it (with the facts it computes).
    fn report(v: Value) -> L2Report {
        serde_json::from_value(v).unwrap()
    }

    fn sample() -> L2Report {
        report(sample_json())
    }

    #[test]
    fn sesh_amounts_in_events() {
        let e: EventReport = serde_json::from_value(json!({"block": 9, "event": {
            "event": "staking_requirement_updated", "new_requirement": "0x16bcc41e9000"}}))
        .unwrap();
        assert_eq!(
            event_line(&e),
            "L2 block 9: staking_requirement_updated (25000.000000000 SESH)"
        );
    }

    #[test]
    fn lines() {
        let l = status_lines(&sample(), 1005);
        assert_eq!(
            l[0],
            "L2 height: 1234 (5s ago), synced to L2 block 1230; 2 nodes registered in the contract"
        );
        assert_eq!(
            l[1],
            "L2 provider in use: Backup L2 provider #1 [https://b.example/…]"
        );
        assert_eq!(
            l[2],
            "  Primary L2 provider [https://a.example/…]: failing, 3 requests, 3 failures \
             (HTTP status 3); last error: http_status: slow down"
        );
        assert_eq!(
            l[3],
            "  Backup L2 provider #1 [https://b.example/…]: good (in use), L2 height 1234 \
             (10s ago), 9 requests, 0 failures (range limited 2), eth_getLogs range now 250 blocks"
        );
        assert_eq!(l.len(), 4);
        assert_eq!(
            contract_state_text(&sample()).unwrap(),
            "exit requested (contract id 7, registered at L2 block 10, last change at L2 block 20)"
        );
    }

    #[test]
    fn a_sync_in_progress_says_how_far_of_which_block() {
        let mut v = sample_json();
        v["log_sync"] = json!({"from": 1000, "target": 1234, "batches": 3});
        v["sync_incomplete"] = json!(true);
        assert_eq!(
            height_line(&report(v.clone()), 1005),
            "L2 height: 1234 (5s ago), syncing contract logs: synced to L2 block 1230 of 1234; \
             2 nodes registered in the contract"
        );
        // a state found in the logs read so far is shown …
        assert!(contract_state_text(&report(v.clone()))
            .unwrap()
            .starts_with("exit requested"));
        // … but "not registered" waits for the rest of the logs
        v["own_node"] = json!({"state": "not_registered"});
        assert_eq!(
            contract_state_text(&report(v.clone())).unwrap(),
            "unknown until the contract logs are synced (synced to L2 block 1230 of 1234)"
        );
        v["synced_height"] = json!(1234);
        v["sync_incomplete"] = json!(false);
        assert_eq!(
            contract_state_text(&report(v.clone())).unwrap(),
            "not registered"
        );
        v["synced_height"] = Value::Null;
        assert!(height_line(&report(v), 1005)
            .contains(", syncing contract logs of L2 blocks 1000 to 1234, nothing synced yet;"));
    }

    #[test]
    fn stalled_and_unsynced() {
        let mut v = sample_json();
        v["stalled"] = json!({"height": 99, "since": 0, "since_utc": "2026-01-01 00:00:00 UTC"});
        v["synced_height"] = Value::Null;
        assert!(height_line(&report(v.clone()), 0).starts_with(
            "L2 stalled at block 99 since 2026-01-01 00:00:00 UTC, nothing synced yet"
        ));
        assert_eq!(
            contract_state_text(&report(v)).unwrap(),
            "unknown (the L2 tracker has not synced yet)"
        );
    }
}
