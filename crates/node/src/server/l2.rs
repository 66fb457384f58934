//! `get_l2_status` (alias `l2_status`): the L2 tracker's status. Added by
//! the tracker plug-in (`l2`), not part of the standard methods.

use serde_json::Value;

use super::methods::{reply, Ctx, Methods, RpcError};
use crate::api::l2::L2StatusReply;
use crate::api::STATUS_OK;

/// `get_l2_status`: the tracker's full status (`l2`, provider URLs
/// redacted), or an error while the tracker is not running.
pub fn get_l2_status(ctx: &Ctx, _params: Value) -> Result<Value, RpcError> {
    let l2 = ctx.state.l2().ok_or_else(|| {
        RpcError::unavailable(if ctx.settings.l2_provider.is_empty() {
            "L2 is not tracked: no l2-provider is configured"
        } else {
            "L2 is not tracked yet"
        })
    })?;
    reply(&L2StatusReply {
        status: STATUS_OK.into(),
        summary: l2.summary,
        l2: l2.status,
    })
}

/// Adds `get_l2_status` (alias `l2_status`) unless the caller registered its own.
pub fn add_methods(methods: &mut Methods) {
    if !methods.names().any(|n| n == "get_l2_status") {
        methods.add("get_l2_status", get_l2_status);
    }
    if !methods.names().any(|n| n == "l2_status") {
        methods.alias("l2_status", "get_l2_status");
    }
}
