//! The startup L2 provider check of spec §3.3 ("Later, in core::init"): name each
//! provider, ask each for `eth_chainId` once, refuse a provider on another chain,
//! and only warn about one that does not answer. Provider URLs are logged redacted.
//!
//! The L2 tracker (snode-l2) owns the providers after startup; this is only the
//! gate that oxend runs before it starts.

use std::time::Duration;

use serde_json::{json, Value};
use snode_conf::{redact_url, scrub_secrets, STAGENET_CHAIN_ID};

/// A provider's display name: `Primary L2 provider`, `Backup L2 provider #1`, …
pub fn provider_name(index: usize) -> String {
    if index == 0 {
        "Primary L2 provider".to_string()
    } else {
        format!("Backup L2 provider #{index}")
    }
}

/// What one provider said.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChainCheck {
    /// The right chain.
    Correct,
    /// Another chain: this id.
    Wrong(u64),
    /// No usable answer: why (secrets scrubbed).
    NoAnswer(String),
}

/// Asks `url` for `eth_chainId`, with `timeout` for the whole exchange.
pub fn check_chain_id(url: &str, timeout: Duration) -> ChainCheck {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        .build()
        .into();
    let body = json!({"jsonrpc": "2.0", "id": 0, "method": "eth_chainId", "params": []});
    let scrub = |e: String| scrub_secrets(&e, url);
    let mut response = match agent.post(url).send_json(&body) {
        Ok(r) => r,
        Err(e) => return ChainCheck::NoAnswer(scrub(e.to_string())),
    };
    let status = response.status();
    if !status.is_success() {
        return ChainCheck::NoAnswer(format!("HTTP {status}"));
    }
    let reply: Value = match response.body_mut().read_json() {
        Ok(v) => v,
        Err(e) => return ChainCheck::NoAnswer(scrub(format!("not a JSON-RPC reply: {e}"))),
    };
    let Some(hex) = reply.get("result").and_then(Value::as_str) else {
        let why = reply
            .get("error")
            .map(|e| format!("JSON-RPC error {e}"))
            .unwrap_or_else(|| "reply has no result".to_string());
        return ChainCheck::NoAnswer(scrub(why));
    };
    match u64::from_str_radix(hex.trim_start_matches("0x"), 16) {
        Ok(id) if id == STAGENET_CHAIN_ID => ChainCheck::Correct,
        Ok(id) => ChainCheck::Wrong(id),
        Err(_) => ChainCheck::NoAnswer(format!("chain id '{}' is not hex", scrub(hex.to_string()))),
    }
}

/// Checks every provider and logs as oxend does. Returns the message of the first
/// provider on the wrong chain (startup must fail), if any.
pub fn verify_providers(urls: &[String], timeout: Duration) -> Result<(), String> {
    tracing::info!(target: "l2_tracker", "Verifying L2 provider chain-id");
    for (i, url) in urls.iter().enumerate() {
        let name = provider_name(i);
        let shown = redact_url(url);
        match check_chain_id(url, timeout) {
            ChainCheck::Correct => tracing::info!(
                target: "l2_tracker",
                "L2 provider {name} [{shown}] returned correct chainId {STAGENET_CHAIN_ID:#x}"
            ),
            ChainCheck::NoAnswer(why) => tracing::warn!(
                target: "l2_tracker",
                "Failed to retrieve L2 chain ID from {name} [{shown}]: {why}; the node starts \
                 anyway and keeps trying, but check this provider"
            ),
            ChainCheck::Wrong(id) => {
                return Err(format!(
                    "L2 provider {name} [{shown}] has invalid chain ID {id:#x} (chainId \
                     {STAGENET_CHAIN_ID:#x} is required); give an Arbitrum Sepolia JSON-RPC URL \
                     as l2-provider"
                ))
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(provider_name(0), "Primary L2 provider");
        assert_eq!(provider_name(2), "Backup L2 provider #2");
    }

    #[test]
    fn closed_port_is_no_answer() {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        drop(l);
        let url = format!("http://127.0.0.1:{port}/v2/SECRETSECRETSECRET123");
        match check_chain_id(&url, Duration::from_secs(30)) {
            ChainCheck::NoAnswer(why) => assert!(!why.contains("SECRETSECRET"), "{why}"),
            other => panic!("{other:?}"),
        }
    }
}
