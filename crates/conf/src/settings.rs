//! The option table (docs/compat/config.md, plus our documented extensions) and the typed
//! [`Settings`] built from a file and the command line with boost's precedence (§3.1).

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use crate::error::{ConfError, Origin};
use snode_eth::redact_url;

/// Chain id the L2 providers must report: Arbitrum Sepolia, 421614 = `0x66eee` (§2.1).
pub const STAGENET_CHAIN_ID: u64 = snode_eth::STAGENET_CHAIN_ID;
/// Current stagenet ServiceNodeRewards proxy (docs/compat/decisions.md "Which stagenet contracts").
pub const DEFAULT_REWARDS_CONTRACT: &str = snode_eth::CURRENT_REWARDS_CONTRACT;
/// Current stagenet RewardRatePool proxy (docs/compat/decisions.md "Which stagenet contracts").
pub const DEFAULT_POOL_CONTRACT: &str = snode_eth::CURRENT_POOL_CONTRACT;
/// Staking backend of the current stagenet: newer oxen-core's stagenet
/// `DEFAULT_STAKING_URL` (docs/compat/l2-contract.md table); `register` posts to
/// `<url>/api/store/<pk>` and prints `<url>/register/<pk>` (docs/compat/decisions.md).
pub const DEFAULT_STAKING_URL: &str = "https://testnet.stake.getsession.org";

/// How an option takes values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A bool switch; in a file it needs a value (`1/true/yes/on/` or `0/false/no/off`).
    Flag,
    /// One value; giving it twice in one source is an error.
    Scalar,
    /// Repeatable; values accumulate within one source.
    Vector,
}

/// Where an option may be given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Config file and command line.
    Anywhere,
    /// Command line only (`config-file`, `non-interactive`).
    CommandLineOnly,
}

/// Whether an option's values must be hidden in output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Secret {
    /// Shown as is.
    No,
    /// URLs: shown through [`redact_url`].
    Url,
    /// Never shown.
    Whole,
}

impl Secret {
    /// The printable form of a value of an option with this secrecy.
    pub fn show(self, value: &str) -> String {
        match self {
            Secret::No => value.to_string(),
            Secret::Url => redact_url(value),
            Secret::Whole if value.is_empty() => String::new(),
            Secret::Whole => "***".to_string(),
        }
    }
}

/// One entry of the option table.
#[derive(Clone, Copy, Debug)]
pub struct OptionSpec {
    /// The option name, as in the file and after `--` on the command line.
    pub name: &'static str,
    /// How it takes values.
    pub kind: Kind,
    /// Where it may be given.
    pub scope: Scope,
    /// Whether values are secret.
    pub secret: Secret,
    /// The default, as text (empty: none).
    pub default: &'static str,
    /// What it does.
    pub doc: &'static str,
}

/// Looks an option up by name.
pub fn find_option(name: &str) -> Option<&'static OptionSpec> {
    OPTIONS.iter().find(|o| o.name == name)
}

/// Values given for one option in the winning source.
#[derive(Clone, Debug, Default)]
pub(crate) struct Given {
    /// Each line (or command-line occurrence) that named the option.
    pub(crate) origins: Vec<Origin>,
    /// The values, after `l2-provider` splitting, each with its origin.
    pub(crate) values: Vec<(String, Origin)>,
}

pub(crate) type Raw = BTreeMap<&'static str, Given>;

trait OptionValue: Sized {
    const KIND: Kind;
    fn from_given(spec: &OptionSpec, given: &Given) -> Result<Self, ConfError>;
}

fn invalid(spec: &OptionSpec, value: &str, origin: &Origin, reason: &str) -> ConfError {
    ConfError::InvalidValue {
        origin: origin.clone(),
        name: spec.name.to_string(),
        value: spec.secret.show(value),
        reason: reason.to_string(),
    }
}

fn last(given: &Given) -> (&str, &Origin) {
    match given.values.last() {
        Some((v, o)) => (v.as_str(), o),
        None => ("", given.origins.last().unwrap_or(&Origin::Default)),
    }
}

/// boost's bool validator: case-insensitive, empty means true.
fn parse_flag(text: &str) -> Option<bool> {
    match text.to_ascii_lowercase().as_str() {
        "" | "1" | "true" | "yes" | "on" => Some(true),
        "0" | "false" | "no" | "off" => Some(false),
        _ => None,
    }
}

impl OptionValue for bool {
    const KIND: Kind = Kind::Flag;
    fn from_given(spec: &OptionSpec, given: &Given) -> Result<Self, ConfError> {
        let (v, o) = last(given);
        parse_flag(v).ok_or_else(|| {
            invalid(
                spec,
                v,
                o,
                "expected 1, true, yes, on (or empty) or 0, false, no, off",
            )
        })
    }
}

macro_rules! scalar_value {
    ($($t:ty => $what:literal),* $(,)?) => {$(
        impl OptionValue for $t {
            const KIND: Kind = Kind::Scalar;
            fn from_given(spec: &OptionSpec, given: &Given) -> Result<Self, ConfError> {
                let (v, o) = last(given);
                v.parse::<$t>().map_err(|_| invalid(spec, v, o, $what))
            }
        }
    )*};
}

scalar_value! {
    u16 => "expected a whole number from 0 to 65535",
    u32 => "expected a whole number from 0 to 4294967295",
    u64 => "expected a non-negative whole number",
    i32 => "expected a whole number",
    i64 => "expected a whole number",
    f64 => "expected a number, e.g. 60 or 2.5",
    String => "expected text",
    PathBuf => "expected a path",
}

impl<T: OptionValue> OptionValue for Option<T> {
    const KIND: Kind = T::KIND;
    fn from_given(spec: &OptionSpec, given: &Given) -> Result<Self, ConfError> {
        T::from_given(spec, given).map(Some)
    }
}

impl OptionValue for Vec<String> {
    const KIND: Kind = Kind::Vector;
    fn from_given(_: &OptionSpec, given: &Given) -> Result<Self, ConfError> {
        Ok(given.values.iter().map(|(v, _)| v.clone()).collect())
    }
}

macro_rules! settings {
    ($(
        $(#[doc = $doc:literal])*
        $field:ident : $ty:ty = $name:literal, $scope:ident, $secret:ident,
            default $shown:literal => $default:expr;
    )*) => {
        /// Every option of docs/compat/config.md plus our extensions, typed, with upstream
        /// defaults. Built by [`Settings::from_sources`]; [`Settings::origin`] tells where
        /// each value came from.
        #[derive(Clone, Debug)]
        pub struct Settings {
            $( $(#[doc = $doc])* #[doc = concat!("\n\nOption `", $name, "`, default `", $shown, "`.")] pub $field: $ty, )*
            given: Raw,
        }

        /// The option table: every option [`Settings`] knows, in the order of docs/compat/config.md.
        pub const OPTIONS: &[OptionSpec] = &[$(
            OptionSpec {
                name: $name,
                kind: <$ty as OptionValue>::KIND,
                scope: Scope::$scope,
                secret: Secret::$secret,
                default: $shown,
                doc: concat!($($doc),*),
            },
        )*];

        impl Settings {
            pub(crate) fn build(given: Raw, errors: &mut Vec<ConfError>) -> Settings {
                let mut specs = OPTIONS.iter();
                Settings {
                    $( $field: {
                        let spec = specs.next().expect("table and struct agree");
                        match given.get($name).map(|g| <$ty as OptionValue>::from_given(spec, g)) {
                            Some(Ok(v)) => v,
                            Some(Err(e)) => { errors.push(e); $default }
                            None => $default,
                        }
                    }, )*
                    given,
                }
            }
        }
    };
}

settings! {
    // ---- core / network (§3.2) ----
    /// Data directory. Unset means `~/.oxen/stagenet3`; see [`Settings::data_dir`].
    data_dir: Option<PathBuf> = "data-dir", Anywhere, No, default "~/.oxen/stagenet3" => None;
    /// Config file to read (command line only).
    config_file: Option<PathBuf> = "config-file", CommandLineOnly, No, default "<data-dir>/oxen.conf" => None;
    /// Log file; relative paths are relative to the data directory. See [`Settings::log_file`].
    log_file: Option<PathBuf> = "log-file", Anywhere, No, default "<data-dir>/oxen.log" => None;
    /// Log level: critical/error/warning/info/debug/trace or 0-4, plus `cat=level` lists.
    log_level: String = "log-level", Anywhere, No, default "warning" => "warning".to_string();
    /// Size in bytes at which the log file rotates.
    max_log_file_size: u64 = "max-log-file-size", Anywhere, No, default "104850000" => 104_850_000;
    /// Rotated log files kept.
    max_log_files: u64 = "max-log-files", Anywhere, No, default "50" => 50;
    /// Worker threads (0 = automatic).
    max_concurrency: u32 = "max-concurrency", Anywhere, No, default "0" => 0;
    /// Run on stagenet (the only network this build serves).
    stagenet: bool = "stagenet", Anywhere, No, default "0" => false;
    /// Run on testnet (not supported by this build).
    testnet: bool = "testnet", Anywhere, No, default "0" => false;
    /// Run on devnet (not supported by this build).
    devnet: bool = "devnet", Anywhere, No, default "0" => false;
    /// Run on regtest (not supported by this build).
    regtest: bool = "regtest", Anywhere, No, default "0" => false;
    /// Run on localdev (not supported by this build).
    localdev: bool = "localdev", Anywhere, No, default "0" => false;
    /// Never prompt (command line only).
    non_interactive: bool = "non-interactive", CommandLineOnly, No, default "0" => false;
    /// Hidden and refused: detaching is no longer supported.
    detach: bool = "detach", Anywhere, No, default "0" => false;

    // ---- service node (§3.2) ----
    /// Run as a service node.
    service_node: bool = "service-node", Anywhere, No, default "0" => false;
    /// The public IPv4 address the node is reachable at. See [`Settings::public_ip`].
    service_node_public_ip: String = "service-node-public-ip", Anywhere, No, default "" => String::new();
    /// Quorumnet (OxenMQ over TCP) port.
    quorumnet_port: u16 = "quorumnet-port", Anywhere, No, default "11025" => 11025;
    /// Deprecated and ignored.
    storage_server_port: u16 = "storage-server-port", Anywhere, No, default "0" => 0;
    /// Allow public connections to the quorumnet port.
    lmq_public_quorumnet: bool = "lmq-public-quorumnet", Anywhere, No, default "0" => false;
    /// Accept a non-public `service-node-public-ip` (testing only; the node will not work on stagenet).
    dev_allow_local_ips: bool = "dev-allow-local-ips", Anywhere, No, default "0" => false;
    /// Skip the periodic reachability self-check.
    disable_ip_check: bool = "disable-ip-check", Anywhere, No, default "0" => false;

    // ---- L2 tracker (§3.2, §5) ----
    /// Arbitrum Sepolia JSON-RPC URLs, primary first. Repeatable; each value is also split on commas and blanks.
    l2_provider: Vec<String> = "l2-provider", Anywhere, Url, default "" => Vec::new();
    /// Seconds between L2 polls.
    l2_refresh: f64 = "l2-refresh", Anywhere, No, default "60" => 60.0;
    /// Seconds before an L2 request times out (seconds, as documented; upstream multiplies by 1000 by mistake).
    l2_timeout: f64 = "l2-timeout", Anywhere, No, default "5" => 5.0;
    /// Largest block range per eth_getLogs request.
    l2_max_logs: u64 = "l2-max-logs", Anywhere, No, default "1000" => 1000;
    /// Seconds between comparisons of all providers' heights.
    l2_check_interval: f64 = "l2-check-interval", Anywhere, No, default "170" => 170.0;
    /// Blocks a provider may lag behind the best one before it is demoted.
    l2_check_threshold: u64 = "l2-check-threshold", Anywhere, No, default "120" => 120;
    /// Do not check the providers' chain id at startup.
    l2_skip_chainid: bool = "l2-skip-chainid", Anywhere, No, default "0" => false;
    /// Temporary HF20 option: send uptime proofs without a recent L2 height.
    l2_skip_proof_check: bool = "l2-skip-proof-check", Anywhere, No, default "0" => false;
    /// Extension (not in upstream oxend): ServiceNodeRewards contract address.
    l2_rewards_contract: String = "l2-rewards-contract", Anywhere, No,
        default "0x9d8aB00880CBBdc2Dcd29C179779469A82E7be35" => DEFAULT_REWARDS_CONTRACT.to_string();
    /// Extension (not in upstream oxend): RewardRatePool contract address.
    l2_pool_contract: String = "l2-pool-contract", Anywhere, No,
        default "0xaAD853fE7091728dac0DAa7b69990ee68abFC636" => DEFAULT_POOL_CONTRACT.to_string();
    /// Extension (not in upstream oxend): staking backend base URL used by `register`.
    staking_url: String = "staking-url", Anywhere, Url,
        default "https://testnet.stake.getsession.org" => DEFAULT_STAKING_URL.to_string();

    // ---- P2P (§3.2) ----
    /// IPv4 address the P2P listener binds to.
    p2p_bind_ip: String = "p2p-bind-ip", Anywhere, No, default "0.0.0.0" => "0.0.0.0".to_string();
    /// P2P port.
    p2p_bind_port: u16 = "p2p-bind-port", Anywhere, No, default "11022" => 11022;
    /// IPv6 address the P2P listener binds to.
    p2p_bind_ipv6_address: String = "p2p-bind-ipv6-address", Anywhere, No, default "::" => "::".to_string();
    /// IPv6 P2P port.
    p2p_bind_port_ipv6: u16 = "p2p-bind-port-ipv6", Anywhere, No, default "11022" => 11022;
    /// Also listen on IPv6.
    p2p_use_ipv6: bool = "p2p-use-ipv6", Anywhere, No, default "0" => false;
    /// Do not listen on IPv4.
    p2p_ignore_ipv4: bool = "p2p-ignore-ipv4", Anywhere, No, default "0" => false;
    /// P2P port as seen from outside (0 = same as the bind port).
    p2p_external_port: u32 = "p2p-external-port", Anywhere, No, default "0" => 0;
    /// Allow peers on local addresses.
    allow_local_ip: bool = "allow-local-ip", Anywhere, No, default "0" => false;
    /// Extra peers.
    add_peer: Vec<String> = "add-peer", Anywhere, No, default "" => Vec::new();
    /// Peers to keep connected.
    add_priority_node: Vec<String> = "add-priority-node", Anywhere, No, default "" => Vec::new();
    /// The only peers to connect to.
    add_exclusive_node: Vec<String> = "add-exclusive-node", Anywhere, No, default "" => Vec::new();
    /// Seed nodes.
    seed_node: Vec<String> = "seed-node", Anywhere, No, default "" => Vec::new();
    /// Do not advertise the P2P port.
    hide_my_port: bool = "hide-my-port", Anywhere, No, default "0" => false;
    /// Do not sync the chain.
    no_sync: bool = "no-sync", Anywhere, No, default "0" => false;
    /// Outgoing peer limit (-1 = default).
    out_peers: i64 = "out-peers", Anywhere, No, default "-1" => -1;
    /// Incoming peer limit (-1 = default).
    in_peers: i64 = "in-peers", Anywhere, No, default "-1" => -1;
    /// Upload limit, kB/s.
    limit_rate_up: i64 = "limit-rate-up", Anywhere, No, default "2048" => 2048;
    /// Download limit, kB/s.
    limit_rate_down: i64 = "limit-rate-down", Anywhere, No, default "8192" => 8192;
    /// Both limits, kB/s (-1 = unset).
    limit_rate: i64 = "limit-rate", Anywhere, No, default "-1" => -1;
    /// IP type-of-service flag for P2P (-1 = unset).
    tos_flag: i32 = "tos-flag", Anywhere, No, default "-1" => -1;
    /// No network at all.
    offline: bool = "offline", Anywhere, No, default "0" => false;

    // ---- RPC (§3.2) ----
    /// Admin RPC listen addresses (`IP:PORT`, `[IPv6]:PORT`, or `none`).
    rpc_admin: Vec<String> = "rpc-admin", Anywhere, No,
        default "127.0.0.1:11023 [::1]:11023" => vec!["127.0.0.1:11023".to_string(), "[::1]:11023".to_string()];
    /// Public RPC listen addresses.
    rpc_public: Vec<String> = "rpc-public", Anywhere, No, default "" => Vec::new();
    /// `user:password` required by the RPC.
    rpc_login: String = "rpc-login", Anywhere, Whole, default "" => String::new();
    /// Deprecated RPC bind address.
    rpc_bind_ip: String = "rpc-bind-ip", Anywhere, No, default "127.0.0.1" => "127.0.0.1".to_string();
    /// Deprecated RPC IPv6 bind address.
    rpc_bind_ipv6_address: String = "rpc-bind-ipv6-address", Anywhere, No, default "::1" => "::1".to_string();
    /// Also serve RPC on IPv6.
    rpc_use_ipv6: bool = "rpc-use-ipv6", Anywhere, No, default "0" => false;
    /// Do not serve RPC on IPv4.
    rpc_ignore_ipv4: bool = "rpc-ignore-ipv4", Anywhere, No, default "0" => false;
    /// Confirm that a non-local RPC bind is intended.
    confirm_external_bind: bool = "confirm-external-bind", Anywhere, No, default "0" => false;
    /// CORS origins for the RPC.
    rpc_access_control_origins: String = "rpc-access-control-origins", Anywhere, No, default "" => String::new();
    /// Hidden, deprecated; cannot be combined with rpc-admin/rpc-public.
    rpc_bind_port: Option<u16> = "rpc-bind-port", Anywhere, No, default "" => None;
    /// Hidden, deprecated; cannot be combined with rpc-admin/rpc-public.
    rpc_restricted_bind_port: Option<u16> = "rpc-restricted-bind-port", Anywhere, No, default "" => None;
    /// Hidden, deprecated; cannot be combined with rpc-admin/rpc-public.
    restricted_rpc: bool = "restricted-rpc", Anywhere, No, default "0" => false;
    /// Hidden, deprecated; cannot be combined with rpc-admin/rpc-public.
    public_node: bool = "public-node", Anywhere, No, default "0" => false;

    // ---- OxenMQ RPC (§3.2) ----
    /// Public OxenMQ listeners.
    lmq_public: Vec<String> = "lmq-public", Anywhere, No, default "" => Vec::new();
    /// Public CurveZMQ listeners.
    lmq_curve_public: Vec<String> = "lmq-curve-public", Anywhere, No, default "" => Vec::new();
    /// CurveZMQ listeners.
    lmq_curve: Vec<String> = "lmq-curve", Anywhere, No, default "" => Vec::new();
    /// Admin OxenMQ pubkeys.
    lmq_admin: Vec<String> = "lmq-admin", Anywhere, No, default "" => Vec::new();
    /// User OxenMQ pubkeys.
    lmq_user: Vec<String> = "lmq-user", Anywhere, No, default "" => Vec::new();
    /// Local control sockets (`none` disables).
    lmq_local_control: Vec<String> = "lmq-local-control", Anywhere, No,
        default "ipc://<data-dir>/oxend.sock" => Vec::new();
    /// Umask of the local control socket.
    lmq_umask: String = "lmq-umask", Anywhere, No, default "0007" => "0007".to_string();

    // ---- database, miner, misc (§3.2) ----
    /// LMDB sync mode.
    db_sync_mode: String = "db-sync-mode", Anywhere, No,
        default "fast:async:250000000bytes" => "fast:async:250000000bytes".to_string();
    /// Try to salvage a damaged database.
    db_salvage: bool = "db-salvage", Anywhere, No, default "0" => false;
    /// Fast block sync.
    fast_block_sync: u64 = "fast-block-sync", Anywhere, No, default "1" => 1;
    /// Block preparation threads.
    prep_blocks_threads: u64 = "prep-blocks-threads", Anywhere, No, default "4" => 4;
    /// Blocks per sync request (0 = automatic).
    block_sync_size: u64 = "block-sync-size", Anywhere, No, default "0" => 0;
    /// Download size limit (0 = automatic).
    block_download_max_size: u64 = "block-download-max-size", Anywhere, No, default "0" => 0;
    /// Transaction pool weight limit.
    max_txpool_weight: u64 = "max-txpool-weight", Anywhere, No, default "648000000" => 648_000_000;
    /// Pad transactions.
    pad_transactions: bool = "pad-transactions", Anywhere, No, default "0" => false;
    /// Keep alternative blocks.
    keep_alt_blocks: bool = "keep-alt-blocks", Anywhere, No, default "0" => false;
    /// Show timing statistics.
    show_time_stats: bool = "show-time-stats", Anywhere, No, default "0" => false;
    /// Command run for each new block.
    block_notify: String = "block-notify", Anywhere, No, default "" => String::new();
    /// Command run on a reorganisation.
    reorg_notify: String = "reorg-notify", Anywhere, No, default "" => String::new();
    /// Quorum history kept.
    store_quorum_history: u64 = "store-quorum-history", Anywhere, No, default "0" => 0;
    /// Miner: start mining to this address.
    start_mining: String = "start-mining", Anywhere, No, default "" => String::new();
    /// Miner threads.
    mining_threads: u32 = "mining-threads", Anywhere, No, default "0" => 0;
}

/// Splits a list as oxend splits `l2-provider` values: on commas and blanks, empty
/// pieces dropped. Also used for provider and source lists given on command lines.
pub fn split_list(value: &str) -> impl Iterator<Item = &str> {
    value
        .split(|c: char| c == ',' || c.is_ascii_whitespace())
        .filter(|s| !s.is_empty())
}

impl Settings {
    /// Where the option `name` got its value: the first line (or the command line)
    /// that set it, or [`Origin::Default`].
    pub fn origin(&self, name: &str) -> Origin {
        self.given
            .get(name)
            .and_then(|g| g.origins.first().cloned())
            .unwrap_or(Origin::Default)
    }

    /// Each value given for `name`, with its origin (empty when defaulted). For
    /// `l2-provider` these are the split URLs.
    pub fn values_with_origin(&self, name: &str) -> &[(String, Origin)] {
        self.given
            .get(name)
            .map(|g| g.values.as_slice())
            .unwrap_or(&[])
    }

    /// Whether `name` was given at all (file or command line), even with an empty value.
    pub fn is_given(&self, name: &str) -> bool {
        self.given.contains_key(name)
    }

    /// Every option with its effective values and origin, in table order, for
    /// `show --effective`. Values of secret options are redacted unless `reveal`.
    pub fn effective(&self, reveal: bool) -> Vec<(&'static OptionSpec, Vec<String>, Origin)> {
        OPTIONS
            .iter()
            .filter(|spec| spec.scope == Scope::Anywhere || self.is_given(spec.name))
            .map(|spec| {
                let show = |v: &str| {
                    if reveal {
                        v.to_string()
                    } else {
                        spec.secret.show(v)
                    }
                };
                match self.given.get(spec.name) {
                    Some(g) => {
                        let values = g.values.iter().map(|(v, _)| show(v)).collect();
                        (spec, values, self.origin(spec.name))
                    }
                    None => {
                        let values = match spec.kind {
                            Kind::Vector if spec.default.is_empty() => Vec::new(),
                            Kind::Vector => spec.default.split(' ').map(show).collect(),
                            _ => vec![show(spec.default)],
                        };
                        (spec, values, Origin::Default)
                    }
                }
            })
            .collect()
    }

    /// The data directory: `data-dir`, or `$HOME/.oxen/stagenet3`.
    pub fn data_dir(&self) -> PathBuf {
        match &self.data_dir {
            Some(d) => d.clone(),
            None => {
                let home = std::env::var_os("HOME")
                    .map(PathBuf::from)
                    .unwrap_or_default();
                home.join(".oxen").join("stagenet3")
            }
        }
    }

    /// The log file: `log-file` (relative to the data directory) or `<data-dir>/oxen.log`.
    pub fn log_file(&self) -> PathBuf {
        let dir = self.data_dir();
        match &self.log_file {
            Some(f) => dir.join(f),
            None => dir.join("oxen.log"),
        }
    }

    /// `service-node-public-ip` parsed, if it is a dotted-quad IPv4 address.
    pub fn public_ip(&self) -> Option<Ipv4Addr> {
        crate::net::parse_ipv4(&self.service_node_public_ip)
    }

    /// The admin RPC listen addresses: `rpc-admin` parsed, empty for `none`. Entries that
    /// do not parse are left out ([`Settings::validate`] reports them).
    pub fn rpc_admin_addresses(&self) -> Vec<SocketAddr> {
        self.rpc_admin
            .iter()
            .filter_map(|a| a.parse().ok())
            .collect()
    }

    /// `l2-timeout` as a duration (seconds, as documented).
    pub fn l2_timeout(&self) -> Duration {
        secs(self.l2_timeout)
    }

    /// `l2-refresh` as a duration.
    pub fn l2_refresh(&self) -> Duration {
        secs(self.l2_refresh)
    }

    /// `l2-check-interval` as a duration.
    pub fn l2_check_interval(&self) -> Duration {
        secs(self.l2_check_interval)
    }
}

fn secs(s: f64) -> Duration {
    Duration::try_from_secs_f64(s).unwrap_or(Duration::ZERO)
}

impl Default for Settings {
    /// All defaults, as with an empty file and no command line.
    fn default() -> Settings {
        Settings::build(Raw::new(), &mut Vec::new())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_matches_struct_and_has_no_duplicates() {
        let mut names: Vec<_> = OPTIONS.iter().map(|o| o.name).collect();
        let n = names.len();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), n);
        assert_eq!(find_option("l2-provider").unwrap().kind, Kind::Vector);
        assert_eq!(find_option("service-node").unwrap().kind, Kind::Flag);
        assert_eq!(find_option("l2-max-logs").unwrap().kind, Kind::Scalar);
        assert_eq!(
            find_option("config-file").unwrap().scope,
            Scope::CommandLineOnly
        );
    }

    #[test]
    fn defaults() {
        let s = Settings::default();
        assert_eq!(s.l2_refresh, 60.0);
        assert_eq!(s.l2_timeout(), Duration::from_secs(5));
        assert_eq!(s.l2_max_logs, 1000);
        assert_eq!(s.l2_check_interval, 170.0);
        assert_eq!(s.l2_check_threshold, 120);
        assert_eq!(s.rpc_admin, ["127.0.0.1:11023", "[::1]:11023"]);
        let admin: Vec<String> = s
            .rpc_admin_addresses()
            .iter()
            .map(|a| a.to_string())
            .collect();
        assert_eq!(admin, ["127.0.0.1:11023", "[::1]:11023"]);
        assert_eq!(s.quorumnet_port, 11025);
        assert_eq!(s.p2p_bind_port, 11022);
        assert_eq!(s.l2_rewards_contract, DEFAULT_REWARDS_CONTRACT);
        // the option table's shown defaults are the deployment's (snode-eth)
        for (name, value) in [
            ("l2-rewards-contract", snode_eth::CURRENT_REWARDS_CONTRACT),
            ("l2-pool-contract", snode_eth::CURRENT_POOL_CONTRACT),
        ] {
            assert_eq!(find_option(name).unwrap().default, value);
        }
        assert_eq!(s.l2_pool_contract, DEFAULT_POOL_CONTRACT);
        assert_eq!(s.staking_url, DEFAULT_STAKING_URL);
        assert!(!s.service_node);
        assert_eq!(s.origin("l2-refresh"), Origin::Default);
    }

    #[test]
    fn flags() {
        for (v, want) in [
            ("", true),
            ("1", true),
            ("YES", true),
            ("on", true),
            ("off", false),
            ("0", false),
        ] {
            assert_eq!(parse_flag(v), Some(want), "{v}");
        }
        assert_eq!(parse_flag("2"), None);
    }
}
