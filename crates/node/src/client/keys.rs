//! `print_sn_key`.

use super::session::{Session, SN_KEYS};
use super::transport::ClientError;
use crate::api::keys::ServiceKeysReply;

/// oxend's note for a daemon that is not a service node (`print_sn_key`).
pub const NOT_SN_NOTE: &str = "Note: this oxend is NOT configured as a service node";

/// The `print_sn_key` block, labels right-aligned to 18 characters
/// (docs/compat/rpc-and-client.md).
pub fn sn_key_text(keys: &ServiceKeysReply) -> String {
    let mut lines = Vec::new();
    let ed = &keys.service_node_ed25519_pubkey;
    if let Some(pk) = keys.service_node_pubkey.as_ref().filter(|pk| *pk != ed) {
        lines.push(format!("{:>18}: {pk}", "Legacy Public Key"));
    }
    lines.push(format!("{:>18}: {ed}", "Ed25519 Public Key"));
    lines.push(format!(
        "{:>18}: {}",
        "X25519 Public Key", keys.service_node_x25519_pubkey
    ));
    if let Some(bls) = &keys.service_node_bls_pubkey {
        lines.push(format!("{:>18}: {bls}", "BLS Public Key"));
    }
    let mut text = lines.join("\n") + "\n";
    // The Note line has no newline of its own; the writer adds the last one.
    if !keys.is_service_node {
        text.push_str(NOT_SN_NOTE);
    }
    text
}

/// `print_sn_key`.
pub fn cmd_print_sn_key(s: &mut Session<'_>, args: &[String]) -> Result<bool, ClientError> {
    if !args.is_empty() {
        return Ok(false);
    }
    let keys: ServiceKeysReply = s.call_for("get_service_keys", SN_KEYS)?;
    s.out.success(&sn_key_text(&keys));
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn keys(v: serde_json::Value) -> ServiceKeysReply {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn key_block_layout() {
        let k = keys(json!({
            "service_node_pubkey": "aa", "service_node_ed25519_pubkey": "aa",
            "service_node_x25519_pubkey": "bb", "service_node_bls_pubkey": "cc",
            "is_service_node": true, "status": "OK"
        }));
        assert_eq!(
            sn_key_text(&k),
            "Ed25519 Public Key: aa\n X25519 Public Key: bb\n    BLS Public Key: cc\n"
        );
        let not_sn = keys(
            json!({"service_node_ed25519_pubkey": "aa", "service_node_x25519_pubkey": "bb",
                            "is_service_node": false, "status": "OK"}),
        );
        assert_eq!(
            sn_key_text(&not_sn),
            "Ed25519 Public Key: aa\n X25519 Public Key: bb\n\
             Note: this oxend is NOT configured as a service node"
        );
        let legacy = keys(
            json!({"service_node_pubkey": "11", "service_node_ed25519_pubkey": "aa",
                            "service_node_x25519_pubkey": "bb", "is_service_node": true,
                            "status": "OK"}),
        );
        assert!(sn_key_text(&legacy).starts_with(" Legacy Public Key: 11\n"));
    }
}
