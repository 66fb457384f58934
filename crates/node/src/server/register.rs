//! `bls_registration_request`: the daemon signs this node's registration
//! for an operator (Ed25519 over `pubkey ‖ bls_pubkey`, BLS proof of
//! possession for the configured rewards contract;
//! docs/compat/rpc-and-client.md, docs/compat/bls.md).

use serde_json::Value;
use snode_register::{OperatorAddress, RegistrationInfo};

use super::methods::{reply, Ctx, RpcError};
use crate::api::register::{RegistrationReply, RegistrationRequest};
use crate::api::STATUS_OK;

/// The network (chain id and rewards contract) registrations are signed for.
pub fn network(ctx: &Ctx) -> Result<snode_bls::Network, RpcError> {
    snode_bls::Network::stagenet_with_contract(&ctx.settings.l2_rewards_contract).map_err(|e| {
        RpcError::unavailable(format!(
            "l2-rewards-contract '{}' is not usable: {e}",
            ctx.settings.l2_rewards_contract
        ))
    })
}

/// `bls_registration_request {"address": "<40 hex, 0x optional>"}` (`0X` is
/// refused, as the staking backend refuses it): oxend's result fields, plus
/// `staking_url` (the daemon's `staking-url`, our extension) so the client
/// posts where the daemon is configured to.
pub fn bls_registration_request(ctx: &Ctx, params: Value) -> Result<Value, RpcError> {
    let request: RegistrationRequest = serde_json::from_value(params)
        .map_err(|_| RpcError::invalid_params("expected params {\"address\": \"<40 hex>\"}"))?;
    let address = request.address;
    let typed = if address.starts_with("0x") || address.starts_with("0X") {
        // `0X…` is kept so that OperatorAddress::parse refuses it by name.
        address
    } else {
        format!("0x{address}")
    };
    let operator =
        OperatorAddress::parse(&typed).map_err(|e| RpcError::invalid_params(e.to_string()))?;
    let bls = ctx.keys.bls.as_ref().ok_or_else(|| {
        RpcError::unavailable(
            "this daemon is not running as a service node (service-node=1 is not set), so it \
             has no BLS key to register with",
        )
    })?;
    let info = RegistrationInfo::create(&ctx.keys.ed25519, bls, &operator, &network(ctx)?)
        .map_err(|e| RpcError::unavailable(e.to_string()))?;
    reply(&RegistrationReply {
        info,
        // The RPC reply may be shown or logged: no credentials in it.
        staking_url: snode_register::redact_userinfo(&ctx.settings.staking_url),
        status: STATUS_OK.into(),
    })
}
