//! `get_info`, `get_service_node_status` and `stop_daemon`.

use serde_json::Value;

use super::methods::{reply, Ctx, RpcError};
use crate::api::info::InfoReply;
use crate::api::sn_status::{ServiceNodeState, ServiceNodeStatusReply};
use crate::api::{StatusReply, FOLLOWER_NOTE, NO_CHAIN_NOTE, STATUS_OK};

/// `get_info`: version, status line, service node or not, start time, the
/// chain follower's height, top block and connection counts once it has
/// reported, and the L2 tracker's status while it runs.
pub fn get_info(ctx: &Ctx, _params: Value) -> Result<Value, RpcError> {
    let s = &ctx.state;
    let chain = s.chain_report();
    let c = chain.as_ref();
    reply(&InfoReply {
        status: STATUS_OK.into(),
        version: crate::version::VERSION.into(),
        status_line: s.status_line(),
        l2_summary: s.l2_summary(),
        nettype: "stagenet".into(),
        mainnet: false,
        service_node: s.service_node,
        start_time: s.start_time,
        note: chain_note(c.is_some()),
        chain_follower: ctx.settings.chain_follower,
        height: c.map(|c| c.height),
        target_height: c.map(|c| c.target_height),
        top_block_hash: c.map(|c| c.top_block_hash.clone()),
        outgoing_connections_count: c.map(|c| c.outgoing_connections_count),
        incoming_connections_count: c.map(|c| c.incoming_connections_count),
        white_peerlist_size: c.map(|c| c.white_peerlist_size),
        grey_peerlist_size: c.map(|c| c.grey_peerlist_size),
        synchronized: c.map(|c| c.synchronized),
        chain,
        l2: s.l2().map(|v| v.status),
    })
}

/// What the daemon does not report: [`FOLLOWER_NOTE`] once the chain
/// follower has `reported`, [`NO_CHAIN_NOTE`] otherwise.
fn chain_note(reported: bool) -> String {
    if reported {
        FOLLOWER_NOTE
    } else {
        NO_CHAIN_NOTE
    }
    .into()
}

/// `get_service_node_status`: this node's keys, address and registration
/// state, with what the L2 tracker knows merged in.
pub fn get_service_node_status(ctx: &Ctx, _params: Value) -> Result<Value, RpcError> {
    let s = &ctx.state;
    if !s.service_node {
        return Err(RpcError::unavailable(
            "Not a service node: set service-node=1 in the config file",
        ));
    }
    let state = ServiceNodeState {
        service_node_pubkey: s.keys.primary.clone(),
        public_ip: s.public_ip.map(|ip| ip.to_string()),
        quorumnet_port: s.quorumnet_port,
        service_node_version: Some(version_triple()),
        pubkey_ed25519: s.keys.ed25519.clone(),
        pubkey_x25519: s.keys.x25519.clone(),
        pubkey_bls: s.keys.bls.clone(),
        registration_state: s.registration().status_word().into(),
        tracked: s.l2().map(|v| v.service_node_state).unwrap_or_default(),
    };
    reply(&ServiceNodeStatusReply {
        status: STATUS_OK.into(),
        service_node_state: state,
        note: chain_note(s.chain_report().is_some()),
    })
}

/// [`crate::version::VERSION`] as oxend's `service_node_version` array, `[0, 1, 0]`.
fn version_triple() -> Vec<u64> {
    crate::version::VERSION
        .split(['.', '-', '+'])
        .take(3)
        .map(|p| p.parse().unwrap_or(0))
        .collect()
}

/// `stop_daemon`: triggers the shutdown.
pub fn stop_daemon(ctx: &Ctx, _params: Value) -> Result<Value, RpcError> {
    ctx.shutdown.trigger("stop_daemon RPC");
    reply(&StatusReply::ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_node_version_is_a_number_triple() {
        let v = version_triple();
        assert_eq!(v.len(), 3);
        let text: Vec<String> = v.iter().map(u64::to_string).collect();
        assert!(crate::version::VERSION.starts_with(&text.join(".")));
    }
}
