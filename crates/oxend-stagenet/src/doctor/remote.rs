//! The checks that talk to something: the daemon's admin RPC (and what it
//! says about the keys and the contract), each L2 provider (through
//! `oxen-sn-config probe-l2`'s probe, on snode-eth's JSON-RPC client) and the
//! public IP sources (oxen-sn-public-ip's detection).

use std::time::Duration;

use oxen_sn_config::probe::{probe, ProbeOptions, ProbeReport};
use serde_json::Value;
use snode_conf::Settings;
use snode_node::api::keys::ServiceKeysReply;
use snode_node::api::sn_status::ServiceNodeStatusReply;
use snode_node::client::Client;
use snode_node::config;

use super::host::DaemonKeys;
use super::report::Finding;

const START: &str = "sudo systemctl start oxen-stagenet-node";

/// What the running daemon told.
pub struct Daemon {
    /// Its public keys.
    pub keys: DaemonKeys,
    /// `get_service_node_status`, when it is a service node.
    pub sn_status: Option<ServiceNodeStatusReply>,
}

/// Asks the daemon at the config's admin RPC address; `None` (and a
/// problem) when it does not answer.
pub fn daemon(settings: &Settings) -> (Option<Daemon>, Finding) {
    let id = "admin_rpc";
    let url = match config::client_url(settings) {
        Ok(u) => u,
        Err(e) => {
            return (
                None,
                Finding::problem(
                    id,
                    format!("no admin RPC address to ask: {e}"),
                    "set rpc-admin=127.0.0.1:11023 in the config",
                ),
            )
        }
    };
    let login = Some(settings.rpc_login.clone()).filter(|l| !l.is_empty());
    let mut client = Client::new(url.clone(), login);
    let info = match client.call("get_info", None) {
        Ok(v) => v,
        Err(snode_node::client::ClientError::NotRunning { reason, .. }) => {
            return (
                None,
                Finding::problem(
                    id,
                    format!("nothing answers at {url} ({reason}): the daemon is not running"),
                    format!("{START}; if it stops again, the unit line says why"),
                ),
            )
        }
        Err(e) => {
            return (
                None,
                Finding::problem(
                    id,
                    format!("{url} does not answer as the daemon does: {e}"),
                    "check that rpc-admin names this node's address and rpc-login its login",
                ),
            )
        }
    };
    let version = info
        .get("version")
        .and_then(Value::as_str)
        .unwrap_or("?")
        .to_string();
    let keys = client
        .call("get_service_keys", None)
        .ok()
        .and_then(|v| serde_json::from_value::<ServiceKeysReply>(v).ok())
        .map(|k| DaemonKeys {
            ed25519: Some(k.service_node_ed25519_pubkey),
            bls: k.service_node_bls_pubkey,
            primary: k.service_node_pubkey,
        })
        .unwrap_or_default();
    let sn_status = client
        .call("get_service_node_status", None)
        .ok()
        .and_then(|v| serde_json::from_value(v).ok());
    (
        Some(Daemon { keys, sn_status }),
        Finding::ok(
            id,
            format!("the daemon answers at {url} (version {version})"),
        ),
    )
}

/// One provider's probe as a finding.
pub fn provider(index: usize, url: &str, settings: &Settings, timeout: Duration) -> Finding {
    let id = format!("l2_provider_{}", index + 1);
    let opts = ProbeOptions {
        timeout,
        contract: settings.l2_rewards_contract.clone(),
    };
    let r = probe(url, &opts);
    let what = describe(&r, &settings.l2_rewards_contract);
    let config_file = "the config";
    if let Some(first) = r.problems.first() {
        let fix = if r.chain_id.is_some() && r.contract_code.is_none() && r.head.is_none() {
            // the chain id was wrong (the probe stops there)
            format!(
                "use an Arbitrum Sepolia endpoint (chain id 0x66eee) in the l2-provider= line of \
                 {config_file} (sudo dpkg-reconfigure session-stagenet-node), then sudo systemctl \
                 restart oxen-stagenet-node"
            )
        } else if r.contract_code == Some(false) {
            "check l2-rewards-contract in the config (leave it unset for the current stagenet \
             contract) and that the provider serves Arbitrum Sepolia"
                .to_string()
        } else {
            "check the provider with `oxen-sn-config probe-l2 --config /etc/oxen/stagenet.conf`; \
             replace it or add a backup l2-provider= line"
                .to_string()
        };
        Finding::problem(id, format!("{what}: {first}"), fix)
    } else if let Some(first) = r.warnings.first() {
        Finding::warning(
            id,
            format!("{what}: {first}"),
            "check the provider with `oxen-sn-config probe-l2 --config /etc/oxen/stagenet.conf`",
        )
    } else {
        Finding::ok(id, what)
    }
}

/// `URL: chain id 0x66eee, contract code present, head N (A s old), eth_getLogs up to M blocks`.
fn describe(r: &ProbeReport, contract: &str) -> String {
    let mut parts = Vec::new();
    if let Some(id) = &r.chain_id {
        parts.push(format!("chain id {id}"));
    }
    match r.contract_code {
        Some(true) => parts.push(format!("contract code present at {contract}")),
        Some(false) => parts.push(format!("no contract code at {contract}")),
        None => {}
    }
    if let Some(h) = r.head {
        parts.push(match r.head_age_secs {
            Some(a) => format!("head {h} ({a} s old)"),
            None => format!("head {h} (age unknown)"),
        });
    }
    if let Some(m) = r.max_log_range {
        parts.push(format!("eth_getLogs up to {m} blocks"));
    }
    if parts.is_empty() {
        r.url.clone()
    } else {
        format!("{}: {}", r.url, parts.join(", "))
    }
}

/// The configured public IP against what the sources see.
pub fn public_ip(settings: &Settings, sources: &[String], timeout: Duration) -> Finding {
    let id = "public_ip";
    let fix_ip = |ip: &str| {
        format!(
            "sudo oxen-sn-config set --public-ip {ip} /etc/oxen/stagenet.conf (or sudo \
             dpkg-reconfigure session-stagenet-node), then sudo systemctl restart \
             oxen-stagenet-node"
        )
    };
    let Some(configured) = settings.public_ip() else {
        return Finding::problem(
            id,
            format!(
                "service-node-public-ip is {:?}, not an IPv4 address",
                settings.service_node_public_ip
            ),
            fix_ip("<this host's public IPv4>"),
        );
    };
    let d = oxen_sn_public_ip::detect(sources, timeout, None);
    match d.address {
        Some(seen) if seen == configured => Finding::ok(
            id,
            format!(
                "{configured}, as {} of {} source(s) see it",
                d.votes,
                d.sources.len()
            ),
        ),
        Some(seen) => Finding::problem(
            id,
            format!(
                "the config says {configured}, but {} of {} source(s) see this host as {seen}: \
                 other nodes cannot reach it at {configured}",
                d.votes,
                d.sources.len()
            ),
            fix_ip(&seen.to_string()),
        ),
        None => Finding::warning(
            id,
            format!(
                "{configured} could not be checked: {}",
                d.error.unwrap_or_else(|| "no answer".into())
            ),
            "check again when the sources are reachable, or run `oxen-sn-public-ip -v`",
        ),
    }
}

/// The node's state in the contract, with its staking page when registered.
pub fn contract_state(settings: &Settings, daemon: Option<&Daemon>) -> Option<Finding> {
    let id = "contract_state";
    if !settings.service_node {
        return None;
    }
    let Some(daemon) = daemon else {
        return Some(Finding::warning(
            id,
            "unknown: the daemon does not answer (it tracks the contract)",
            START,
        ));
    };
    let Some(reply) = &daemon.sn_status else {
        return Some(Finding::warning(
            id,
            "unknown: the daemon did not report its service node status",
            "see `oxend-stagenet print_sn_status`",
        ));
    };
    let st = &reply.service_node_state;
    let page = snode_register::view_url(
        &snode_register::redact_userinfo(&settings.staking_url),
        &st.service_node_pubkey,
    );
    let contract_id = st
        .tracked
        .l2_service_node_id
        .map(|n| format!(" (contract id {n})"))
        .unwrap_or_default();
    let register = "oxend-stagenet register 0xYOUR_ETH_ADDRESS, then stake on the staking site";
    use snode_l2::NodeContractState as S;
    Some(match st.tracked.l2_contract_state {
        Some(S::Registered) => {
            Finding::ok(id, format!("registered{contract_id}; staking page: {page}"))
        }
        Some(S::ExitRequested) => Finding::warning(
            id,
            format!(
                "exit requested{contract_id}: the node leaves the network; staking page: {page}"
            ),
            "nothing if you meant to leave; otherwise register again after the exit",
        ),
        Some(S::Exited) => Finding::warning(
            id,
            format!("exited from the contract{contract_id}"),
            register,
        ),
        Some(S::NotRegistered) => Finding::warning(
            id,
            "not registered in the ServiceNodeRewards contract",
            register,
        ),
        None => Finding::warning(
            id,
            format!(
                "not known yet ({}): the L2 tracker has not finished reading the contract",
                st.registration_state
            ),
            "wait for the sync (`oxend-stagenet l2_status`); if it does not move, see the \
             l2_provider lines",
        ),
    })
}
