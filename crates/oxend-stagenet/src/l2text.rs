//! The L2 lines of `status` and `print_sn_status`, from the `l2` object of
//! `get_info` / `get_l2_status` (snode-l2's `L2Status`, URLs already
//! redacted by the daemon). Heights here are L2 (Arbitrum Sepolia) blocks and
//! are always labelled so: this daemon has no Oxen height to show.

use serde_json::Value;

fn u(v: &Value, key: &str) -> Option<u64> {
    v.get(key).and_then(Value::as_u64)
}

fn s<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

/// An atomic SESH amount (9 decimals, bls-contract.md §4) as
/// `25000.000000000 SESH`, from a JSON number, a decimal string or a `0x`
/// hex string (how U256 values serialise).
pub fn sesh(v: &Value) -> Option<String> {
    use alloy_primitives::U256;
    let n: U256 = match v {
        Value::Number(n) => U256::from(n.as_u64()?),
        Value::String(t) => match t.strip_prefix("0x") {
            Some(h) => U256::from_str_radix(h, 16).ok()?,
            None => U256::from_str_radix(t, 10).ok()?,
        },
        _ => return None,
    };
    let unit = U256::from(1_000_000_000u64);
    Some(format!("{}.{:0>9} SESH", n / unit, (n % unit).to_string()))
}

/// `5s ago`, `3m4s ago`, … from Unix seconds.
fn ago(then: u64, now: u64) -> String {
    format!(
        "{} ago",
        crate::client::friendly_duration(now.saturating_sub(then))
    )
}

/// Failure counters that are not zero, e.g. `connection 3, http_status 1`.
pub fn counters_text(c: &Value) -> String {
    let kinds = [
        ("connection", "connection"),
        ("timeout", "timeout"),
        ("http_status", "HTTP status"),
        ("jsonrpc_error", "JSON-RPC error"),
        ("malformed", "malformed"),
        ("null_result", "null result"),
        ("lagging", "lagging"),
        ("range_limited", "range limited"),
    ];
    kinds
        .iter()
        .filter_map(|(k, label)| u(c, k).filter(|n| *n > 0).map(|n| format!("{label} {n}")))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One provider: `Primary L2 provider [http://host/…]: good, height 123 (4s ago),
/// 10 requests, 0 failures`.
pub fn provider_line(p: &Value, now: u64) -> String {
    let mut line = format!(
        "{} [{}]: {}",
        s(p, "name").unwrap_or("?"),
        s(p, "url").unwrap_or("?"),
        s(p, "health").unwrap_or("unknown")
    );
    if p["in_use"].as_bool() == Some(true) {
        line.push_str(" (in use)");
    }
    if let Some(h) = u(p, "last_height") {
        line.push_str(&format!(", L2 height {h}"));
        if let Some(at) = u(p, "last_height_at") {
            line.push_str(&format!(" ({})", ago(at, now)));
        }
    }
    let c = &p["counters"];
    let failures: u64 = [
        "connection",
        "timeout",
        "http_status",
        "jsonrpc_error",
        "malformed",
        "null_result",
    ]
    .iter()
    .filter_map(|k| u(c, k))
    .sum();
    line.push_str(&format!(
        ", {} requests, {failures} failures",
        u(c, "requests").unwrap_or(0)
    ));
    let detail = counters_text(c);
    if !detail.is_empty() {
        line.push_str(&format!(" ({detail})"));
    }
    if let Some(max) = u(p, "max_logs") {
        if c["range_limited"].as_u64().unwrap_or(0) > 0 {
            line.push_str(&format!(", eth_getLogs range now {max} blocks"));
        }
    }
    if p["health"] == "failing" {
        if let Some(e) = p.get("last_error").filter(|e| !e.is_null()) {
            let kind = s(e, "kind").unwrap_or("error");
            let msg = s(e, "message").unwrap_or("");
            if msg.is_empty() {
                line.push_str(&format!("; last error: {kind}"));
            } else {
                line.push_str(&format!("; last error: {kind}: {msg}"));
            }
        }
    }
    line
}

/// Whether a log sync is running and the logs up to its target are not all
/// read yet.
fn sync_incomplete(l2: &Value) -> bool {
    let Some(target) = l2.get("log_sync").and_then(|s| u(s, "target")) else {
        return false;
    };
    u(l2, "synced_height").is_none_or(|h| h < target)
}

/// The first L2 line: height (or stall), sync (while a cycle syncs contract
/// logs: how far, of which L2 block), node count.
pub fn height_line(l2: &Value, now: u64) -> String {
    let mut line = if let Some(st) = l2.get("stalled").filter(|v| !v.is_null()) {
        format!(
            "L2 stalled at block {} since {}",
            u(st, "height").unwrap_or(0),
            s(st, "since_utc").unwrap_or("?")
        )
    } else if let Some(h) = u(l2, "l2_height") {
        let when = u(l2, "l2_height_at")
            .map(|t| format!(" ({})", ago(t, now)))
            .unwrap_or_default();
        format!("L2 height: {h}{when}")
    } else {
        "L2 height: unknown (no provider has answered yet)".to_string()
    };
    let sync = l2.get("log_sync").filter(|v| !v.is_null());
    match (sync, u(l2, "synced_height")) {
        (Some(sync), Some(h)) => line.push_str(&format!(
            ", syncing contract logs: synced to L2 block {h} of {}",
            u(sync, "target").unwrap_or(0)
        )),
        (Some(sync), None) => line.push_str(&format!(
            ", syncing contract logs of L2 blocks {} to {}, nothing synced yet",
            u(sync, "from").unwrap_or(0),
            u(sync, "target").unwrap_or(0)
        )),
        (None, Some(h)) => line.push_str(&format!(", synced to L2 block {h}")),
        (None, None) => line.push_str(", nothing synced yet"),
    }
    line.push_str(&format!(
        "; {} nodes registered in the contract",
        u(l2, "registered_nodes").unwrap_or(0)
    ));
    line
}

/// This node in the contract: `registered (contract id 3, since L2 block 120)`.
pub fn contract_state_text(l2: &Value) -> Option<String> {
    let own = l2.get("own_node").filter(|v| !v.is_null())?;
    if l2["synced_height"].is_null() {
        return Some("unknown (the L2 tracker has not synced yet)".to_string());
    }
    let raw = s(own, "state").unwrap_or("not_registered");
    if raw == "not_registered" && sync_incomplete(l2) {
        return Some(format!(
            "unknown until the contract logs are synced (synced to L2 block {} of {})",
            u(l2, "synced_height").unwrap_or(0),
            u(&l2["log_sync"], "target").unwrap_or(0)
        ));
    }
    let state = raw.replace('_', " ");
    let mut text = state;
    let rec = &own["record"];
    if let Some(id) = u(own, "service_node_id") {
        text.push_str(&format!(" (contract id {id}"));
        if let Some(b) = u(rec, "registered_block") {
            text.push_str(&format!(", registered at L2 block {b}"));
        }
        if let Some(b) = u(rec, "updated_block").filter(|b| Some(*b) != u(rec, "registered_block"))
        {
            text.push_str(&format!(", last change at L2 block {b}"));
        }
        text.push(')');
    }
    Some(text)
}

/// The L2 block of `status`: height line, provider in use, every provider, and
/// the last cycle's first error when it had one.
pub fn status_lines(l2: &Value, now: u64) -> Vec<String> {
    let mut lines = vec![height_line(l2, now)];
    let inuse = &l2["provider_in_use"];
    lines.push(format!(
        "L2 provider in use: {} [{}]",
        s(inuse, "name").unwrap_or("?"),
        s(inuse, "url").unwrap_or("?")
    ));
    for p in l2["providers"].as_array().into_iter().flatten() {
        lines.push(format!("  {}", provider_line(p, now)));
    }
    if let Some(err) = l2["last_cycle"]["errors"]
        .as_array()
        .and_then(|e| e.first())
        .and_then(Value::as_str)
    {
        lines.push(format!("L2 last cycle error: {err}"));
    }
    lines
}

/// One contract event: `L2 block 12: new_service_node (contract id 3)`.
pub fn event_line(e: &Value) -> String {
    let ev = &e["event"];
    let mut line = format!(
        "L2 block {}: {}",
        u(e, "block").unwrap_or(0),
        s(ev, "event").unwrap_or("?")
    );
    if let Some(id) = u(ev, "service_node_id") {
        line.push_str(&format!(" (contract id {id})"));
    }
    if let Some(req) = ev.get("new_requirement").and_then(sesh) {
        line.push_str(&format!(" ({req})"));
    }
    line
}

/// `l2_status [+json]`: the tracker's status from `get_l2_status`.
pub fn cmd_l2_status(
    session: &mut crate::client::Session<'_>,
    args: &[String],
) -> Result<bool, crate::client::ClientError> {
    let json_out = match args {
        [] => false,
        [a] if a == "+json" => true,
        _ => return Ok(false),
    };
    let r = (session.client)("get_l2_status", None)?;
    let l2 = &r["l2"];
    if json_out {
        session
            .out
            .success(&serde_json::to_string_pretty(l2).unwrap_or_default());
        return Ok(true);
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let mut lines = status_lines(l2, now);
    lines.push(format!(
        "ServiceNodeRewards: {} on chain {}",
        s(l2, "rewards_contract").unwrap_or("?"),
        u(l2, "chain_id").map_or("?".to_string(), |c| format!("{c:#x}"))
    ));
    if let Some(c) = contract_state_text(l2) {
        lines.push(format!("This node in the contract: {c}"));
    }
    if let Some(n) = u(l2, "events_stored") {
        lines.push(format!("Contract events kept (history window): {n}"));
    }
    let events = l2["recent_events"].as_array().cloned().unwrap_or_default();
    if !events.is_empty() {
        lines.push("Latest contract events:".to_string());
        for e in &events {
            lines.push(format!("  {}", event_line(e)));
        }
    }
    session.out.success(&lines.join("\n"));
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sample() -> Value {
        json!({
            "chain_id": 421614,
            "l2_height": 1234, "l2_height_at": 1000, "synced_height": 1230,
            "registered_nodes": 2,
            "provider_in_use": {"name": "Backup L2 provider #1", "url": "https://b.example/…"},
            "providers": [
                {"name": "Primary L2 provider", "url": "https://a.example/…", "in_use": false,
                 "health": "failing", "last_height": null, "max_logs": 1000,
                 "last_error": {"kind": "http_status", "status": 429, "message": "slow down"},
                 "counters": {"requests": 3, "successes": 0, "http_status": 3, "connection": 0}},
                {"name": "Backup L2 provider #1", "url": "https://b.example/…", "in_use": true,
                 "health": "good", "last_height": 1234, "last_height_at": 995, "max_logs": 250,
                 "counters": {"requests": 9, "successes": 9, "range_limited": 2}}
            ],
            "own_node": {"state": "exit_requested", "service_node_id": 7,
                         "record": {"registered_block": 10, "updated_block": 20}},
            "last_cycle": {"errors": []}
        })
    }

    #[test]
    fn sesh_amounts() {
        assert_eq!(
            sesh(&json!("0x16bcc41e9000")).as_deref(),
            Some("25000.000000000 SESH")
        );
        assert_eq!(
            sesh(&json!(20_000_000_000_001u64)).as_deref(),
            Some("20000.000000001 SESH")
        );
        assert_eq!(sesh(&json!("5")).as_deref(), Some("0.000000005 SESH"));
        assert_eq!(sesh(&json!(null)), None);
        let line = event_line(&json!({"block": 9, "event": {
            "event": "staking_requirement_updated", "new_requirement": "0x16bcc41e9000"}}));
        assert_eq!(
            line,
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
        let mut v = sample();
        v["log_sync"] = json!({"from": 1000, "target": 1234, "batches": 3});
        assert_eq!(
            height_line(&v, 1005),
            "L2 height: 1234 (5s ago), syncing contract logs: synced to L2 block 1230 of 1234; \
             2 nodes registered in the contract"
        );
        // a state found in the logs read so far is shown …
        assert!(contract_state_text(&v)
            .unwrap()
            .starts_with("exit requested"));
        // … but "not registered" waits for the rest of the logs
        v["own_node"] = json!({"state": "not_registered"});
        assert_eq!(
            contract_state_text(&v).unwrap(),
            "unknown until the contract logs are synced (synced to L2 block 1230 of 1234)"
        );
        v["synced_height"] = json!(1234);
        assert_eq!(contract_state_text(&v).unwrap(), "not registered");
        v["synced_height"] = Value::Null;
        assert!(height_line(&v, 1005)
            .contains(", syncing contract logs of L2 blocks 1000 to 1234, nothing synced yet;"));
    }

    #[test]
    fn stalled_and_unsynced() {
        let mut v = sample();
        v["stalled"] = json!({"height": 99, "since_utc": "2026-01-01 00:00:00 UTC"});
        v["synced_height"] = Value::Null;
        assert!(height_line(&v, 0).starts_with(
            "L2 stalled at block 99 since 2026-01-01 00:00:00 UTC, nothing synced yet"
        ));
        assert_eq!(
            contract_state_text(&v).unwrap(),
            "unknown (the L2 tracker has not synced yet)"
        );
    }
}
