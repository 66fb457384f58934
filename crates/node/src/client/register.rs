//! Registration for staking, the client side (docs/compat/rpc-and-client.md):
//! `register <0xADDR> [URL|print]` and its older name
//! `prepare_eth_registration <0xADDR> [print]`. The daemon signs
//! (`bls_registration_request`, `server::register`); the client
//! prints the result or posts it to `<URL>/api/store/<pubkey>` and reads the
//! backend's JSON answer: a rejection sent with HTTP 200 is a failure, not a
//! success.
//!
//! The client waits [`SUBMIT_TIMEOUT`] for the staking backend; the
//! environment variable `OXEND_STAGENET_SUBMIT_TIMEOUT` (seconds, decimals
//! allowed, e.g. `0.5` or `120`) overrides it.
//!
//! Staking URLs may carry `user:password@`: they are never printed or
//! returned by the admin RPC with it (shown as `***@`).

use std::time::Duration;

use snode_register::OperatorAddress;

use super::session::Session;
use super::transport::ClientError;
use crate::api::register::{RegistrationReply, RegistrationRequest};

/// How long the client waits for the staking backend, unless
/// [`SUBMIT_TIMEOUT_ENV`] says otherwise.
pub const SUBMIT_TIMEOUT: Duration = Duration::from_secs(30);

/// Environment variable overriding [`SUBMIT_TIMEOUT`], in seconds.
pub const SUBMIT_TIMEOUT_ENV: &str = "OXEND_STAGENET_SUBMIT_TIMEOUT";

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
                s.out.fail(&e.to_string());
                return Ok(false);
            }
        };
    let hex = operator.as_typed()[2..].to_string();
    let params = serde_json::to_value(RegistrationRequest { address: hex })
        .map_err(|e| ClientError::BadReply(e.to_string()))?;
    let reply: RegistrationReply = match s.call("bls_registration_request", Some(params)) {
        Ok(reply) => reply,
        // Its message already says what to do (start the daemon).
        Err(e @ ClientError::NotRunning { .. }) => return Err(e),
        Err(e) => {
            s.out.fail(&format!(
                "Failed to generate the service node registration info: {e}"
            ));
            return Ok(false);
        }
    };
    let info = &reply.info;
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
            let configured = reply.staking_url.as_str();
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
    match snode_register::submit(&base, info, operator.as_typed(), timeout) {
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
        assert_eq!(get(None).unwrap(), SUBMIT_TIMEOUT);
        assert_eq!(get(Some("0.5")).unwrap(), Duration::from_millis(500));
        assert_eq!(get(Some(" 120 ")).unwrap(), Duration::from_secs(120));
        for bad in ["", "0", "-1", "abc", "inf", "NaN", "1e400"] {
            let err = get(Some(bad)).unwrap_err().to_string();
            assert!(err.contains(SUBMIT_TIMEOUT_ENV), "{bad}: {err}");
        }
    }
}
