//! Startup checks (docs/compat/config.md) plus the checks of our decisions
//! (docs/compat/decisions.md): public
//! IPv4 ranges, HTTP(S) providers, ports, L2 numbers, contract addresses.

use std::fmt;
use std::net::SocketAddr;

use crate::error::Origin;
use crate::net::{non_public_reason, parse_ipv4};
use crate::settings::Settings;
use snode_eth::SecretUrl;

/// How bad a [`Problem`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The node can start, but something is probably wrong.
    Warning,
    /// The node must not start with this configuration.
    Error,
}

/// One thing wrong with a configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// Error or warning.
    pub severity: Severity,
    /// The option concerned, if one.
    pub option: Option<&'static str>,
    /// Where that option's value came from ([`Origin::Default`] when it is missing).
    pub origin: Origin,
    /// What is wrong and what to do; provider URLs redacted.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.severity {
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        match &self.origin {
            Origin::File { .. } | Origin::CommandLine => {
                write!(f, "{}: {level}: {}", self.origin, self.message)
            }
            Origin::Default => write!(f, "{level}: {}", self.message),
        }
    }
}

/// Message of docs/compat/config.md item 2.
pub const MSG_NO_PUBLIC_IP: &str = "Please specify an IPv4 public address which the service node & storage server is accessible from with: '--service-node-public-ip <ip address>'";
/// Message of docs/compat/config.md item 5.
pub const MSG_NO_PROVIDER: &str =
    "At least one ethereum L2 provider must be specified for a service node";

fn is_address(s: &str) -> bool {
    s.len() == 42 && s.starts_with("0x") && s[2..].chars().all(|c| c.is_ascii_hexdigit())
}

impl Settings {
    fn problem(&self, severity: Severity, option: &'static str, message: String) -> Problem {
        Problem {
            severity,
            option: Some(option),
            origin: self.origin(option),
            message,
        }
    }

    /// Everything wrong with these settings, errors and warnings, in a stable order.
    ///
    /// The service-node checks of docs/compat/config.md (quorumnet port, public IP, providers)
    /// run when `service-node` is on; the others always.
    pub fn validate(&self) -> Vec<Problem> {
        let mut out = Vec::new();
        use Severity::{Error, Warning};

        // Network.
        let nets = [
            ("stagenet", self.stagenet),
            ("testnet", self.testnet),
            ("devnet", self.devnet),
            ("regtest", self.regtest),
            ("localdev", self.localdev),
        ];
        let chosen: Vec<&'static str> =
            nets.iter().filter(|(_, on)| *on).map(|(n, _)| *n).collect();
        if chosen.len() > 1 {
            out.push(self.problem(
                Warning,
                chosen[1],
                format!(
                    "Multiple network options (--stagenet, --testnet, etc.) specified; using {}",
                    chosen[0]
                ),
            ));
        }
        if let Some(&net) = chosen.first().filter(|n| **n != "stagenet") {
            out.push(self.problem(
                Error,
                net,
                format!("this build serves stagenet only; remove '{net}=1' (and set stagenet=1)"),
            ));
        }
        if self.detach {
            out.push(
                self.problem(
                    Error,
                    "detach",
                    "--detach is no longer supported; run the node under systemd \
                 (oxen-stagenet-node.service) instead"
                        .to_string(),
                ),
            );
        }

        // Service node (docs/compat/config.md).
        if self.service_node {
            if self.quorumnet_port == 0 {
                out.push(self.problem(
                    Error,
                    "quorumnet-port",
                    "Quorumnet port cannot be 0; please specify a valid port to listen on with: \
                     '--quorumnet-port <port>'"
                        .to_string(),
                ));
            }
            let ip_text = self.service_node_public_ip.as_str();
            if ip_text.is_empty() {
                out.push(self.problem(
                    Error,
                    "service-node-public-ip",
                    MSG_NO_PUBLIC_IP.to_string(),
                ));
            } else {
                match parse_ipv4(ip_text) {
                    None => out.push(self.problem(
                        Error,
                        "service-node-public-ip",
                        format!(
                            "Unable to parse IPv4 public address from: {ip_text}; \
                             write a dotted-quad IPv4 address (e.g. from `oxen-sn-public-ip`)"
                        ),
                    )),
                    Some(ip) => {
                        if let Some(reason) = non_public_reason(ip) {
                            if self.dev_allow_local_ips {
                                out.push(self.problem(
                                    Warning,
                                    "service-node-public-ip",
                                    "Address given for public-ip is not public; allowing it because \
                                     dev-allow-local-ips was specified. This service node WILL NOT \
                                     WORK ON THE PUBLIC OXEN NETWORK!"
                                        .to_string(),
                                ));
                            } else {
                                out.push(self.problem(
                                    Error,
                                    "service-node-public-ip",
                                    format!(
                                        "Address given for public-ip is not public: {ip} ({reason}); \
                                         set the address other nodes reach this host at \
                                         (`oxen-sn-public-ip` detects it)"
                                    ),
                                ));
                            }
                        }
                    }
                }
            }
            if self.l2_provider.is_empty() {
                out.push(self.problem(
                    Error,
                    "l2-provider",
                    format!(
                        "{MSG_NO_PROVIDER}; add l2-provider=<Arbitrum Sepolia JSON-RPC URL> \
                         (`oxen-sn-config set --l2-provider URL FILE`)"
                    ),
                ));
            }
            if self.p2p_bind_port == self.quorumnet_port && self.quorumnet_port != 0 {
                out.push(self.problem(
                    Error,
                    "quorumnet-port",
                    format!(
                        "quorumnet-port and p2p-bind-port are both {}; give them different ports",
                        self.quorumnet_port
                    ),
                ));
            }
        }

        // L2 providers and numbers.
        for (url, origin) in self.values_with_origin("l2-provider") {
            // the fault named, the URL shown redacted (its host only)
            if let Err(e) = SecretUrl::parse(url) {
                out.push(Problem {
                    // The line of this URL, not the first l2-provider line.
                    origin: origin.clone(),
                    ..self.problem(
                        Error,
                        "l2-provider",
                        format!("Invalid l2-provider URL '{}': {}", e.shown, e.fault),
                    )
                });
            }
        }
        for (option, value) in [
            ("l2-refresh", self.l2_refresh),
            ("l2-timeout", self.l2_timeout),
            ("l2-check-interval", self.l2_check_interval),
        ] {
            if !(value.is_finite() && value > 0.0) {
                out.push(self.problem(
                    Error,
                    option,
                    format!("{option} must be a positive number of seconds, not {value}"),
                ));
            }
        }
        if self.l2_max_logs == 0 {
            out.push(self.problem(
                Error,
                "l2-max-logs",
                "l2-max-logs must be at least 1 block; `oxen-sn-config probe-l2` recommends a value"
                    .to_string(),
            ));
        }
        for (option, value) in [
            ("l2-rewards-contract", &self.l2_rewards_contract),
            ("l2-pool-contract", &self.l2_pool_contract),
        ] {
            if !is_address(value) {
                out.push(self.problem(
                    Error,
                    option,
                    format!("{option} must be 0x followed by 40 hex digits, not '{value}'"),
                ));
            }
        }
        if let Err(e) = SecretUrl::parse_base(&self.staking_url) {
            out.push(self.problem(
                Error,
                "staking-url",
                format!(
                    "staking-url must be an http:// or https:// URL, not '{}': {}",
                    e.shown, e.fault
                ),
            ));
        }

        // Ports and listeners.
        if self.p2p_bind_port == 0 {
            out.push(self.problem(
                Error,
                "p2p-bind-port",
                "p2p-bind-port cannot be 0; give a port such as 11022".to_string(),
            ));
        }
        let admin_none = self.rpc_admin.len() == 1 && self.rpc_admin[0] == "none";
        for addr in self.rpc_admin.iter().filter(|_| !admin_none) {
            if addr.parse::<SocketAddr>().is_err() {
                out.push(self.problem(
                    Error,
                    "rpc-admin",
                    format!("rpc-admin '{addr}' is not IP:PORT or [IPv6]:PORT (or 'none')"),
                ));
            }
        }
        for addr in &self.rpc_public {
            if addr.parse::<SocketAddr>().is_err() {
                out.push(self.problem(
                    Error,
                    "rpc-public",
                    format!("rpc-public '{addr}' is not IP:PORT or [IPv6]:PORT"),
                ));
            }
        }
        let deprecated = [
            "rpc-bind-port",
            "rpc-restricted-bind-port",
            "restricted-rpc",
            "public-node",
        ];
        if let Some(old) = deprecated.iter().find(|o| self.is_given(o)) {
            if self.is_given("rpc-admin") || self.is_given("rpc-public") {
                out.push(self.problem(
                    Error,
                    old,
                    format!("{old} is deprecated and cannot be combined with rpc-admin/rpc-public; remove it"),
                ));
            }
        }
        out
    }
}
