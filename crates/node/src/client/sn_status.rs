//! `print_sn_status [+json|+detail]`.

use super::session::{Session, NODE_INFO};
use super::text::now_secs;
use super::transport::ClientError;
use crate::api::info::InfoReply;
use crate::api::sn_status::ServiceNodeStatusReply;

/// The `print_sn_status` text for a `get_service_node_status` reply, with the
/// L2 block from `get_info.l2` when the daemon tracks the contract. Lines
/// come in oxend's order (docs/compat/rpc-and-client.md); `+detail` adds the
/// staking requirement, the operator address and the auxiliary public keys,
/// as it does upstream.
pub fn sn_status_text(info: &InfoReply, status: &ServiceNodeStatusReply, detail: bool) -> String {
    let st = &status.service_node_state;
    let l2 = info.l2.as_ref();
    let pk = &st.service_node_pubkey;
    let reg = st.registration_state.as_str();
    let mut lines = Vec::new();
    let in_contract = st.in_contract();
    let registered = st.tracked.registration_height.is_some() || in_contract;
    let now = now_secs();
    let l2_block = |lines: &mut Vec<String>, indent: &str| {
        if let Some(l2) = l2 {
            for line in super::l2::status_lines(l2, now) {
                lines.push(format!("{indent}{line}"));
            }
        }
    };
    let contract_state = l2.and_then(super::l2::contract_state_text);
    let note = format!("Note: {}", status.note);
    if matches!(reg, "not registered" | "exited") {
        lines.push(format!(
            "Service node {pk} is not currently registered on the network"
        ));
        if let Some(c) = &contract_state {
            lines.push(format!("  L2 contract state: {c}"));
        }
        if l2.is_none() {
            return lines.join("\n");
        }
        l2_block(&mut lines, "  ");
        lines.push(note);
        return lines.join("\n");
    }
    let indent = if registered { "    " } else { "  " };
    let awaiting = reg.starts_with("awaiting");
    if registered {
        lines.push(if awaiting {
            "Service Node Awaiting State [1]".to_string()
        } else {
            "Service Node Registration State [1]".to_string()
        });
        let version = st
            .service_node_version
            .as_ref()
            .map(|v| {
                v.iter()
                    .map(|n| n.to_string())
                    .collect::<Vec<_>>()
                    .join(".")
            })
            .unwrap_or_else(|| "(unknown)".to_string());
        lines.push(format!("  [0] Service Node: {pk} v{version}"));
    } else {
        let why = if l2.is_some() {
            "the L2 tracker has not synced the contract yet"
        } else {
            "this daemon does not track the L2 contract (no l2-provider), so it cannot tell \
             whether the node is registered; the staking website shows it"
        };
        lines.push(format!("Service node {pk}: {reg} ({why})"));
    }
    if detail {
        // where oxend has `Total Contributed/Staking Requirement`
        match &st.tracked.staking_requirement {
            Some(req) => lines.push(format!("{indent}Staking Requirement: {}", req.sesh())),
            // tracked, but the contract has not told it yet
            None if st.tracked.l2_contract_state.is_some() => lines.push(format!(
                "{indent}Staking Requirement: unknown (not read from the contract yet)"
            )),
            None => {}
        }
    }
    if registered {
        if let Some(h) = st.tracked.registration_height {
            lines.push(format!("{indent}Registration: Height: {h}"));
        } else if let (Some(c), Some(l2)) = (&contract_state, l2) {
            lines.push(format!(
                "{indent}Registration: ServiceNodeRewards {}: {c}",
                l2.rewards_contract
            ));
        }
    }
    if detail {
        if let Some(op) = &st.tracked.operator_address {
            lines.push(format!("{indent}Operator Address: {op}"));
        }
    }
    if let Some(ip) = &st.public_ip {
        lines.push(format!(
            "{indent}IP Address & Ports: {ip} : {} (oxen quorums)",
            st.quorumnet_port
        ));
    }
    if detail {
        lines.push(format!("{indent}Auxiliary Public Keys:"));
        for (key, label) in [
            (Some(&st.pubkey_ed25519), "Ed25519"),
            (Some(&st.pubkey_x25519), "X25519"),
            (st.pubkey_bls.as_ref(), "BLS"),
        ] {
            if let Some(v) = key {
                lines.push(format!("{indent}  {v} ({label})"));
            }
        }
    }
    if registered {
        if awaiting {
            lines.push(format!("{indent}Current Status: awaiting contributions"));
        } else {
            let suffix = if in_contract { " (L2 contract)" } else { "" };
            lines.push(format!("{indent}Current Status: {reg}{suffix}"));
        }
    }
    l2_block(&mut lines, indent);
    lines.push(note);
    lines.join("\n")
}

/// `print_sn_status [+json|+detail]`.
pub fn cmd_print_sn_status(s: &mut Session<'_>, args: &[String]) -> Result<bool, ClientError> {
    let mut detail = false;
    for a in args {
        match a.as_str() {
            "+json" => s.out.fail("+json is no longer supported"),
            "+detail" => detail = true,
            _ => {
                s.out.fail("print_sn_status takes no pubkey arguments");
                return Ok(false);
            }
        }
    }
    let info: InfoReply = s.call_for("get_info", NODE_INFO)?;
    let status: ServiceNodeStatusReply = s.call_for(
        "get_service_node_status",
        "Failed to retrieve service node status",
    )?;
    // uncoloured, as oxend's msg_writer
    s.out.msg(&sn_status_text(&info, &status, detail));
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn registered_status_in_upstreams_order() {
        let status_json = json!({"status": "OK", "note": "n", "service_node_state": {
            "service_node_pubkey": "aa", "registration_height": 42,
            "registration_state": "registered", "service_node_version": [0, 1, 0],
            "public_ip": "1.2.3.4", "quorumnet_port": 11025, "operator_address": "0x70",
            "pubkey_ed25519": "aa", "pubkey_x25519": "bb", "pubkey_bls": "cc"}});
        let status: ServiceNodeStatusReply = serde_json::from_value(status_json.clone()).unwrap();
        let info: InfoReply = serde_json::from_value(json!({"status": "OK", "version": "0.1.0",
            "status_line": "", "nettype": "stagenet", "mainnet": false, "service_node": true,
            "start_time": 0, "note": "n"}))
        .unwrap();
        assert_eq!(
            sn_status_text(&info, &status, false),
            "Service Node Registration State [1]\n  [0] Service Node: aa v0.1.0\n    \
             Registration: Height: 42\n    IP Address & Ports: 1.2.3.4 : 11025 (oxen quorums)\n    \
             Current Status: registered\nNote: n"
        );
        assert_eq!(
            sn_status_text(&info, &status, true),
            "Service Node Registration State [1]\n  [0] Service Node: aa v0.1.0\n    \
             Registration: Height: 42\n    Operator Address: 0x70\n    \
             IP Address & Ports: 1.2.3.4 : 11025 (oxen quorums)\n    Auxiliary Public Keys:\n      \
             aa (Ed25519)\n      bb (X25519)\n      cc (BLS)\n    Current Status: registered\nNote: n"
        );
        let mut awaiting = status_json.clone();
        awaiting["service_node_state"]["registration_state"] = json!("awaiting contr.");
        awaiting["service_node_state"]
            .as_object_mut()
            .unwrap()
            .remove("service_node_version");
        let awaiting: ServiceNodeStatusReply = serde_json::from_value(awaiting).unwrap();
        let t = sn_status_text(&info, &awaiting, false);
        assert!(
            t.starts_with("Service Node Awaiting State [1]\n  [0] Service Node: aa v(unknown)\n")
        );
        assert!(
            t.contains("\n    Current Status: awaiting contributions\n"),
            "{t}"
        );
    }
}
