//! `status`, `version`, `exit` / `stop_daemon`.

use super::keys::NOT_SN_NOTE;
use super::session::{Session, NODE_INFO, SN_KEYS};
use super::text::{friendly_duration, now_secs};
use super::transport::ClientError;
use crate::api::info::InfoReply;
use crate::api::keys::ServiceKeysReply;
use crate::api::sn_status::ServiceNodeStatusReply;
use crate::api::StatusReply;

/// `version` (oxend's ignores arguments).
pub fn cmd_version(s: &mut Session<'_>, _args: &[String]) -> Result<bool, ClientError> {
    let info: InfoReply = s.call_for("get_info", NODE_INFO)?;
    s.out.success(&info.version);
    Ok(true)
}

/// `exit` / `stop_daemon`.
pub fn cmd_stop(s: &mut Session<'_>, args: &[String]) -> Result<bool, ClientError> {
    if !args.is_empty() {
        return Ok(false);
    }
    let _: StatusReply = s.call_for("stop_daemon", "Couldn't stop daemon")?;
    s.out.success("Stop signal sent");
    Ok(true)
}

/// `status`: oxend's first line with the parts this daemon has (no `Height:
/// …`, no `(net v21)`, no connections), the L2 block, the SN line.
pub fn cmd_status(s: &mut Session<'_>, args: &[String]) -> Result<bool, ClientError> {
    if !args.is_empty() {
        return Ok(false);
    }
    let info: InfoReply = s.call_for("get_info", NODE_INFO)?;
    let now = now_secs();
    let mut first = format!("oxend-stagenet ON STAGENET, v{}", info.version);
    if info.start_time > 0 {
        first.push_str(&format!(
            ", uptime {}",
            friendly_duration(now.saturating_sub(info.start_time))
        ));
    }
    let mut lines = vec![first];
    match &info.l2 {
        Some(l2) => lines.extend(super::l2::status_lines(l2, now)),
        None => lines.push(info.l2_summary.clone()),
    }
    if info.service_node {
        let keys: ServiceKeysReply = s.call_for("get_service_keys", SN_KEYS)?;
        let pk = keys.service_node_pubkey.as_deref().unwrap_or("?");
        let state: ServiceNodeStatusReply = s.call_for(
            "get_service_node_status",
            "Failed to retrieve service node info",
        )?;
        let reg = match state.service_node_state.registration_state.as_str() {
            // oxend's word in `status`
            "awaiting contr." => "awaiting",
            r => r,
        };
        // No `, proof: …`: this daemon sends no uptime proofs.
        lines.push(format!("SN: {pk} {reg}"));
        if let Some(c) = info.l2.as_ref().and_then(super::l2::contract_state_text) {
            lines.push(format!("SN in the L2 contract: {c}"));
        }
        if let Some(bls) = &keys.service_node_bls_pubkey {
            lines.push(format!("BLS pk: {bls}"));
        }
    } else {
        // oxend prints no SN line then; say why there is none in print_sn_key's words.
        lines.push(NOT_SN_NOTE.to_string());
    }
    lines.push(format!("Note: {}", info.note));
    s.out.success(&lines.join("\n"));
    Ok(true)
}
