//! `get_service_keys`: the node's public keys.

use serde_json::Value;

use super::methods::{reply, Ctx, RpcError};
use crate::api::keys::ServiceKeysReply;
use crate::api::STATUS_OK;

/// `get_service_keys`: the primary and BLS pubkeys only for a service node.
pub fn get_service_keys(ctx: &Ctx, _params: Value) -> Result<Value, RpcError> {
    let s = &ctx.state;
    reply(&ServiceKeysReply {
        status: STATUS_OK.into(),
        service_node_pubkey: s.service_node.then(|| s.keys.primary.clone()),
        service_node_ed25519_pubkey: s.keys.ed25519.clone(),
        service_node_x25519_pubkey: s.keys.x25519.clone(),
        service_node_bls_pubkey: s.keys.bls.clone().filter(|_| s.service_node),
        is_service_node: s.service_node,
    })
}
