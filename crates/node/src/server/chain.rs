//! `get_connections`: the chain follower's P2P connections, with oxend's
//! field names. Added by the chain follower plug-in (`chain`), not part of
//! the standard methods.

use serde_json::Value;

use super::methods::{reply, Ctx, Methods, RpcError};
use crate::api::chain::ConnectionsReply;
use crate::api::STATUS_OK;

/// `get_connections`: the open P2P connections (an empty list with no
/// peers), or an error while the follower has not reported.
pub fn get_connections(ctx: &Ctx, _params: Value) -> Result<Value, RpcError> {
    let chain = ctx.state.chain().ok_or_else(|| {
        RpcError::unavailable(if ctx.settings.chain_follower {
            "the chain follower has not reported yet"
        } else {
            "the chain follower is off (chain-follower=0): no P2P connections"
        })
    })?;
    reply(&ConnectionsReply {
        status: STATUS_OK.into(),
        connections: chain.connections,
    })
}

/// Adds `get_connections` unless the caller registered its own.
pub fn add_methods(methods: &mut Methods) {
    if !methods.names().any(|n| n == "get_connections") {
        methods.add("get_connections", get_connections);
    }
}
