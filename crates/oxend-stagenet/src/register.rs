//! Registration for staking (spec §2.6 and the newer facts of
//! `shared/spec/README.md`): the daemon's `bls_registration_request` admin RPC
//! method, and the client commands `register <0xADDR> [URL|print]` and its
//! older name `prepare_eth_registration <0xADDR> [print]`.
//!
//! The daemon signs (Ed25519 over `pubkey ‖ bls_pubkey`, BLS proof of
//! possession for the configured rewards contract); the client prints the
//! result or posts it to `<URL>/api/store/<pubkey>` and reads the backend's
//! JSON answer: a rejection sent with HTTP 200 is a failure, not a success.

use std::time::Duration;

use serde_json::{json, Value};
use snode_register::{OperatorAddress, RegistrationInfo};

use crate::client::{ClientError, Session};
use crate::rpc::{Ctx, RpcError};

/// How long the client waits for the staking backend.
pub const SUBMIT_TIMEOUT: Duration = Duration::from_secs(30);

/// The network (chain id and rewards contract) registrations are signed for.
pub fn network(ctx: &Ctx) -> Result<snode_bls::Network, RpcError> {
    snode_bls::Network::stagenet_with_contract(&ctx.settings.l2_rewards_contract).map_err(|e| {
        RpcError::unavailable(format!(
            "l2-rewards-contract '{}' is not usable: {e}",
            ctx.settings.l2_rewards_contract
        ))
    })
}

/// `bls_registration_request {"address": "<40 hex, 0x optional>"}`: oxend's
/// result fields, plus `staking_url` (the daemon's `staking-url`, our
/// extension) so the client posts where the daemon is configured to.
pub fn bls_registration_request(ctx: &Ctx, params: Value) -> Result<Value, RpcError> {
    let address = params
        .get("address")
        .and_then(Value::as_str)
        .ok_or_else(|| RpcError::invalid_params("expected params {\"address\": \"<40 hex>\"}"))?;
    let typed = if address.starts_with("0x") || address.starts_with("0X") {
        address.to_string()
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
    let mut result =
        serde_json::to_value(&info).map_err(|e| RpcError::unavailable(e.to_string()))?;
    result["staking_url"] = json!(ctx.settings.staking_url);
    result["status"] = json!("OK");
    Ok(result)
}

/// `register <0xADDR> [URL|print]`.
pub fn cmd_register(s: &mut Session<'_>, args: &[String]) -> Result<bool, ClientError> {
    run(s, args, "register <0xADDR> [URL|print]")
}

/// `prepare_eth_registration <0xADDR> [print]` (the older name; a URL is
/// accepted too).
pub fn cmd_prepare_eth_registration(
    s: &mut Session<'_>,
    args: &[String],
) -> Result<bool, ClientError> {
    run(s, args, "prepare_eth_registration <0xADDR> [print]")
}

fn run(s: &mut Session<'_>, args: &[String], usage: &str) -> Result<bool, ClientError> {
    let (address, mode) = match args {
        [a] => (a, None),
        [a, m] => (a, Some(m.as_str())),
        _ => {
            s.out.fail(&format!("usage: {usage}"));
            return Ok(false);
        }
    };
    let operator = match OperatorAddress::parse(address) {
        Ok(op) => op,
        Err(e) => {
            s.out.fail(&e.to_string());
            return Ok(false);
        }
    };
    let print_only = mode == Some("print");
    let url_arg = mode.filter(|m| *m != "print");
    if let Some(url) = url_arg {
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            s.out.fail(&format!(
                "'{url}' is neither `print' nor a staking URL (https://…); usage: {usage}"
            ));
            return Ok(false);
        }
    }
    let hex = operator.as_typed()[2..].to_string();
    let result =
        (s.client)("bls_registration_request", Some(json!({ "address": hex }))).map_err(|e| {
            ClientError::Transport(format!(
                "Failed to generate the service node registration info: {e}"
            ))
        })?;
    let info: RegistrationInfo =
        serde_json::from_value(result.clone()).map_err(|e| ClientError::BadReply(e.to_string()))?;
    if print_only {
        s.out.msg(
            info.print_layout(operator.as_typed())
                .trim_end_matches('\n'),
        );
        s.out.msg("");
        return Ok(true);
    }
    let base = url_arg
        .map(str::to_string)
        .or_else(|| result["staking_url"].as_str().map(str::to_string))
        .unwrap_or_else(|| snode_register::DEFAULT_STAKING_URL.to_string());
    let host = base
        .split("://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap_or(&base)
        .to_string();
    s.out.msg(&format!(
        "Submitting registration of {} to {host}, please wait.",
        info.service_node_pubkey
    ));
    match snode_register::submit(&base, &info, operator.as_typed(), SUBMIT_TIMEOUT) {
        Ok(done) => {
            s.out.success(&format!(
                "Submitted registration info to {host} successfully!\nView your registration \
                 at: {}",
                done.view_url
            ));
            Ok(true)
        }
        Err(e) => {
            s.out.fail(&format!("registration was not accepted: {e}"));
            Ok(false)
        }
    }
}
