//! Reading the configuration (docs/compat/config.md) for the daemon and the
//! client, and the admin RPC bind rule of the daemon's startup checks.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::Duration;

use snode_conf::{ConfError, Problem, Settings};

/// Where the packaged config lives; the client reads it when no `--config-file` is
/// given (docs/compat/decisions.md: the client reads the same config as the daemon).
pub const SYSTEM_CONFIG: &str = "/etc/oxen/stagenet.conf";

/// The last lines oxend logs after a failed service node check (docs/compat/config.md).
pub const MSG_IMPORTANT: &str = "IMPORTANT: One or more required service node-related configuration settings/options were omitted or invalid please fix them and restart oxend.";
/// Logged after [`MSG_IMPORTANT`].
pub const MSG_FAILED_APPLY: &str = "Failed to apply command line options.";

/// An environment variable that should hold a number of seconds does not.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{name}='{value}' is not a positive number of seconds")]
pub struct EnvSecondsError {
    /// The variable.
    pub name: String,
    /// Its value.
    pub value: String,
}

/// A duration in seconds (decimals allowed, > 0) from the environment
/// variable `name`, whose value is `value`; `default` when it is unset, and
/// why not when it is unusable.
pub fn env_seconds(
    name: &str,
    value: Option<&str>,
    default: Duration,
) -> Result<Duration, EnvSecondsError> {
    let Some(text) = value else {
        return Ok(default);
    };
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|s| *s > 0.0)
        .and_then(|s| Duration::try_from_secs_f64(s).ok())
        .ok_or_else(|| EnvSecondsError {
            name: name.to_string(),
            value: text.to_string(),
        })
}

/// A configuration problem: the daemon exits with its configuration code.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// `--config-file` names a file that does not exist.
    #[error("Can't find config file \"{}\"", .0.display())]
    MissingFile(PathBuf),
    /// The file cannot be read or parsed, or an option has a bad value.
    #[error("Error parsing config file: {0}")]
    Parse(#[source] ConfError),
    /// A command-line option has a bad value.
    #[error("Error in command line options: {0}")]
    CommandLine(#[source] ConfError),
    /// Startup checks failed; each problem has been logged.
    #[error(
        "startup checks failed ({} error(s) above); fix the configuration, then run: \
         sudo systemctl restart oxen-stagenet-node",
        .0.len()
    )]
    Invalid(Vec<Problem>),
    /// `log-level` cannot be parsed.
    #[error(transparent)]
    LogLevel(#[from] crate::logging::LogLevelError),
    /// An `rpc-admin` address that is not allowed.
    #[error("{0}")]
    RpcAdmin(String),
    /// An L2 provider is on the wrong chain .
    #[error("{0}")]
    L2ChainId(String),
    /// An `l2-*` option the tracker cannot use.
    #[error("{0}")]
    L2Setup(String),
}

/// The config file to read: `--config-file` (which must exist), otherwise the first
/// of `defaults` that exists, otherwise none.
pub fn config_path(
    cli_path: Option<&Path>,
    defaults: &[PathBuf],
) -> Result<Option<PathBuf>, ConfigError> {
    if let Some(p) = cli_path {
        if !p.exists() {
            return Err(ConfigError::MissingFile(p.to_path_buf()));
        }
        return Ok(Some(p.to_path_buf()));
    }
    Ok(defaults.iter().find(|p| p.is_file()).cloned())
}

/// The data directory given on the command line, or the default.
pub fn cli_data_dir(overrides: &[(String, String)]) -> PathBuf {
    match overrides.iter().rev().find(|(n, _)| n == "data-dir") {
        Some((_, v)) => PathBuf::from(v),
        None => Settings::default().data_dir(),
    }
}

/// Reads the settings: the file (if any), then command-line overrides (which win,
/// docs/compat/config.md). Reads only; creates nothing.
pub fn load_settings(
    path: Option<&Path>,
    overrides: &[(String, String)],
) -> Result<Settings, ConfigError> {
    let doc = match path {
        Some(p) => {
            let text = snode_conf::read_text(p).map_err(ConfigError::Parse)?;
            Some(snode_conf::parse(&text, &p.display().to_string()).map_err(ConfigError::Parse)?)
        }
        None => None,
    };
    Settings::from_sources(doc.as_ref(), overrides).map_err(|e| match e {
        ConfError::UnknownOption {
            origin: snode_conf::Origin::CommandLine,
            ..
        }
        | ConfError::InvalidValue {
            origin: snode_conf::Origin::CommandLine,
            ..
        } => ConfigError::CommandLine(e),
        e => ConfigError::Parse(e),
    })
}

fn is_disabled(list: &[String]) -> bool {
    list.len() == 1 && list[0] == "none"
}

/// The admin RPC addresses to listen on (empty when `rpc-admin=none`).
///
/// Non-loopback addresses are refused unless `confirm-external-bind` is set: the
/// admin RPC can stop the daemon and shows its keys.
pub fn admin_addrs(settings: &Settings) -> Result<Vec<SocketAddr>, ConfigError> {
    let addrs: Vec<SocketAddr> = if let Some(port) = settings.rpc_bind_port {
        let ip: IpAddr = settings.rpc_bind_ip.parse().map_err(|_| {
            ConfigError::RpcAdmin(format!(
                "rpc-bind-ip '{}' is not an IP address",
                settings.rpc_bind_ip
            ))
        })?;
        vec![SocketAddr::new(ip, port)]
    } else if is_disabled(&settings.rpc_admin) {
        Vec::new()
    } else {
        settings
            .rpc_admin
            .iter()
            .map(|a| {
                a.parse::<SocketAddr>().map_err(|_| {
                    ConfigError::RpcAdmin(format!(
                        "Invalid IP/port value specified to --rpc-admin: {a}; write IP:PORT or \
                         [IPv6]:PORT, e.g. 127.0.0.1:11023"
                    ))
                })
            })
            .collect::<Result<_, _>>()?
    };
    if !settings.confirm_external_bind {
        if let Some(a) = addrs.iter().find(|a| !a.ip().is_loopback()) {
            return Err(ConfigError::RpcAdmin(format!(
                "rpc-admin {a} is not a loopback address; the admin RPC can stop the daemon and \
                 must stay on this host. Use 127.0.0.1:11023, or add confirm-external-bind=1 \
                 (and rpc-login=USER:PASS) if you really mean to expose it"
            )));
        }
    }
    Ok(addrs)
}

/// Stagenet `RPC_DEFAULT_PORT` (docs/compat/rpc-and-client.md).
pub const RPC_DEFAULT_PORT: u16 = 11023;

/// The URL the client sends commands to: the first admin address (docs/compat/rpc-and-client.md),
/// with an unspecified address (`0.0.0.0`, `::`) replaced by loopback.
pub fn client_url(settings: &Settings) -> Result<String, ConfigError> {
    if settings.rpc_bind_port.is_none() && is_disabled(&settings.rpc_admin) {
        return Err(ConfigError::RpcAdmin(
            "Cannot invoke oxend command: --rpc-admin is disabled".to_string(),
        ));
    }
    let mut s = settings.clone();
    s.confirm_external_bind = true;
    let addrs = admin_addrs(&s)?;
    let Some(mut addr) = addrs.first().copied() else {
        return Err(ConfigError::RpcAdmin(
            "Cannot invoke oxend command: --rpc-admin is disabled".to_string(),
        ));
    };
    // `rpc-bind-port=0` means the default port in client mode.
    if settings.rpc_bind_port == Some(0) {
        addr.set_port(RPC_DEFAULT_PORT);
    }
    if addr.ip().is_unspecified() {
        addr.set_ip(match addr.ip() {
            IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(_) => IpAddr::V6(std::net::Ipv6Addr::LOCALHOST),
        });
    }
    Ok(format!("http://{addr}/json_rpc"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(text: &str) -> Settings {
        let doc = snode_conf::parse(text, "t.conf").unwrap();
        Settings::from_sources(Some(&doc), &[]).unwrap()
    }

    #[test]
    fn admin_addresses() {
        let s = Settings::default();
        let a = admin_addrs(&s).unwrap();
        assert_eq!(a.len(), 2);
        assert_eq!(client_url(&s).unwrap(), "http://127.0.0.1:11023/json_rpc");
        assert!(admin_addrs(&settings("rpc-admin=none\n"))
            .unwrap()
            .is_empty());
        assert!(client_url(&settings("rpc-admin=none\n"))
            .unwrap_err()
            .to_string()
            .contains("--rpc-admin is disabled"));
        let e = admin_addrs(&settings("rpc-admin=0.0.0.0:11023\n")).unwrap_err();
        assert!(e.to_string().contains("confirm-external-bind"), "{e}");
        let ok = settings("rpc-admin=0.0.0.0:11023\nconfirm-external-bind=1\n");
        assert_eq!(admin_addrs(&ok).unwrap().len(), 1);
        assert_eq!(client_url(&ok).unwrap(), "http://127.0.0.1:11023/json_rpc");
        let v6 = settings("rpc-admin=[::1]:5000\n");
        assert_eq!(client_url(&v6).unwrap(), "http://[::1]:5000/json_rpc");
        let zero = settings("rpc-bind-port=0\n");
        assert_eq!(
            client_url(&zero).unwrap(),
            "http://127.0.0.1:11023/json_rpc"
        );
        let port = settings("rpc-bind-port=5001\n");
        assert_eq!(client_url(&port).unwrap(), "http://127.0.0.1:5001/json_rpc");
    }

    #[test]
    fn missing_config_file() {
        let e = config_path(Some(Path::new("/nonexistent/x.conf")), &[]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "Can't find config file \"/nonexistent/x.conf\""
        );
        assert_eq!(
            config_path(None, &[PathBuf::from("/nonexistent")]).unwrap(),
            None
        );
    }
}
