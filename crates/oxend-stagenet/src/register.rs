//! Registration for staking (spec §2.6 and the newer facts of
//! `shared/spec/README.md`): the daemon's `bls_registration_request` admin RPC
//! method, and the client commands `register <0xADDR> [URL|print]` and its
//! older name `prepare_eth_registration <0xADDR> [print]`.
//!
//! The daemon signs (Ed25519 over `pubkey ‖ bls_pubkey`, BLS proof of
//! possession for the configured rewards contract); the client prints the
//! result or posts it to `<URL>/api/store/<pubkey>` and reads the backend's
//! JSON answer: a rejection sent with HTTP 200 is a failure, not a success.
//!
//! The client waits [`SUBMIT_TIMEOUT`] for the staking backend; the
//! environment variable `OXEND_STAGENET_SUBMIT_TIMEOUT` (seconds, decimals
//! allowed, e.g. `0.5` or `120`) overrides it.
//!
//! Staking URLs may carry `user:password@`: they are never printed or
//! returned by the admin RPC with it (shown as `***@`).

use std::time::Duration;

use serde_json::{json, Value};
use snode_register::{OperatorAddress, RegistrationInfo};

use crate::client::{ClientError, Session};
use crate::rpc::{Ctx, RpcError};

/// How long the client waits for the staking backend, unless
/// [`SUBMIT_TIMEOUT_ENV`] says otherwise.
pub const SUBMIT_TIMEOUT: Duration = Duration::from_secs(30);

/// Environment variable overriding [`SUBMIT_TIMEOUT`], in seconds.
pub const SUBMIT_TIMEOUT_ENV: &str = "OXEND_STAGENET_SUBMIT_TIMEOUT";

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
/// refused, as the staking backend refuses it): oxend's
/// result fields, plus `staking_url` (the daemon's `staking-url`, our
/// extension) so the client posts where the daemon is configured to.
pub fn bls_registration_request(ctx: &Ctx, params: Value) -> Result<Value, RpcError> {
    let address = params
        .get("address")
        .and_then(Value::as_str)
        .ok_or_else(|| RpcError::invalid_params("expected params {\"address\": \"<40 hex>\"}"))?;
    let typed = if address.starts_with("0x") || address.starts_with("0X") {
        // `0X…` is kept so that OperatorAddress::parse refuses it by name.
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
    // The RPC reply may be shown or logged: no credentials in it.
    result["staking_url"] = json!(snode_register::redact_userinfo(&ctx.settings.staking_url));
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
                "'{}' is neither `print' nor a staking URL (https://…); usage: {usage}",
                snode_register::redact_userinfo(url)
            ));
            return Ok(false);
        }
        if let Err(e) = snode_register::check_url(url) {
            s.out.fail(&e.to_string());
            return Ok(false);
        }
    }
    let env = std::env::var(SUBMIT_TIMEOUT_ENV).ok();
    let timeout =
        match crate::config::env_seconds(SUBMIT_TIMEOUT_ENV, env.as_deref(), SUBMIT_TIMEOUT) {
            Ok(t) => t,
            Err(e) => {
                s.out.fail(&e);
                return Ok(false);
            }
        };
    let hex = operator.as_typed()[2..].to_string();
    let result = match (s.client)("bls_registration_request", Some(json!({ "address": hex }))) {
        Ok(result) => result,
        // Its message already says what to do (start the daemon).
        Err(e @ ClientError::NotRunning { .. }) => return Err(e),
        Err(e) => {
            s.out.fail(&format!(
                "Failed to generate the service node registration info: {e}"
            ));
            return Ok(false);
        }
    };
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
    let base = match url_arg {
        Some(url) => url.to_string(),
        None => {
            let configured = result["staking_url"]
                .as_str()
                .unwrap_or(snode_conf::DEFAULT_STAKING_URL);
            if snode_register::has_userinfo(configured) {
                s.out.fail(&format!(
                    "the daemon's staking-url ({configured}) carries credentials, which the \
                     admin RPC does not hand out; give the URL on the command line: {usage} \
                     with the URL as the second argument"
                ));
                return Ok(false);
            }
            configured.to_string()
        }
    };
    let host = match snode_register::check_url(&base) {
        Ok(host) => host.to_string(),
        Err(e) => {
            s.out.fail(&e.to_string());
            return Ok(false);
        }
    };
    s.out.msg(&format!(
        "Submitting registration of {} to {host}, please wait.",
        info.service_node_pubkey
    ));
    match snode_register::submit(&base, &info, operator.as_typed(), timeout) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_from_the_environment() {
        let get = |v| crate::config::env_seconds(SUBMIT_TIMEOUT_ENV, v, SUBMIT_TIMEOUT);
        assert_eq!(get(None), Ok(SUBMIT_TIMEOUT));
        assert_eq!(get(Some("0.5")), Ok(Duration::from_millis(500)));
        assert_eq!(get(Some(" 120 ")), Ok(Duration::from_secs(120)));
        for bad in ["", "0", "-1", "abc", "inf", "NaN", "1e400"] {
            let err = get(Some(bad)).unwrap_err();
            assert!(err.contains(SUBMIT_TIMEOUT_ENV), "{bad}: {err}");
        }
    }
}
