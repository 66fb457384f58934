//! The oxend stagenet configuration file (`/etc/oxen/stagenet.conf`): read it as
//! boost::program_options does, turn it into typed [`Settings`] with upstream defaults,
//! check it the way oxend checks it at startup, and edit the lines the package owns
//! while keeping every other byte.
//!
//! Implements docs/compat/config.md (format, options and defaults, startup checks, the
//! L2 options, the packaging edits) with the project decisions of
//! docs/compat/decisions.md (no sed, only package-owned lines change, file mode 0640
//! `root:_loki`, `l2-timeout` in seconds).
//!
//! # Reading
//!
//! ```
//! use snode_conf::{parse, Settings};
//! let doc = parse("service-node=1\nl2-provider=https://a.example/rpc, https://b.example/rpc\n",
//!                 "stagenet.conf")?;
//! let cli = [("l2-max-logs".to_string(), "500".to_string())];
//! let settings = Settings::from_sources(Some(&doc), &cli)?;
//! assert!(settings.service_node);
//! assert_eq!(settings.l2_provider.len(), 2);
//! assert_eq!(settings.l2_max_logs, 500); // the command line wins
//! assert_eq!(settings.l2_refresh, 60.0); // upstream default
//! # Ok::<(), snode_conf::ConfError>(())
//! ```
//!
//! * [`parse`] fails on the first syntax error, unknown option or command-line-only
//!   option, naming the source and line; [`parse_collect`] returns every such error.
//! * [`Settings::from_sources`] applies boost's precedence: an option given on the
//!   command line replaces the file's value entirely (vectors included).
//! * [`Settings::validate`] returns the §3.3 [`Problem`]s (public IPv4, providers, ports,
//!   numbers); [`check_text`] runs parse + settings + validate and collects everything.
//!
//! # Editing
//!
//! [`Document::set_service_node`], [`Document::set_public_ip`] and
//! [`Document::set_l2_providers`] change only their own lines; [`Document::to_text`]
//! gives the file back. A value that the format cannot carry (a `#`, a line break,
//! surrounding blanks, a comma or blank inside a provider URL) is refused with
//! [`ConfError::UnsafeValue`], never altered. [`render`] fills the packaged template
//! ([`TEMPLATE`], `debian/stagenet.conf`). [`write_atomic`] installs a file safely.
//!
//! # Secrets
//!
//! Provider URLs carry API keys. [`redact_url`] hides them; every error and problem
//! this crate produces shows provider URLs redacted.

//!
//! # Modules (a DAG)
//!
//! `error`, `net`, `write` use nothing of the crate but `error`; `settings` (the
//! option table and [`Settings`]) uses `error`, `net`; `document` uses `error`,
//! `settings`; `validate` uses `error`, `net`, `settings`; `sources` (reading a
//! document and a command line into settings, [`check_text`]) uses `document`,
//! `error`, `settings`, `validate`. URL redaction is snode-eth's.

mod document;
mod error;
mod net;
mod settings;
mod sources;
mod validate;
mod write;

pub use document::{parse, parse_collect, read_text, render, Document, Entry, TEMPLATE};
pub use error::{ConfError, Origin};
pub use net::{non_public_reason, parse_ipv4};
pub use settings::{
    find_option, split_list, Kind, OptionSpec, Scope, Secret, Settings, DEFAULT_POOL_CONTRACT,
    DEFAULT_REWARDS_CONTRACT, DEFAULT_STAKING_URL, OPTIONS, STAGENET_CHAIN_ID,
};
pub use snode_eth::{redact_url, scrub_secrets};
pub use sources::check_text;
pub use validate::{Problem, Severity, MSG_NO_PROVIDER, MSG_NO_PUBLIC_IP};
pub use write::{lookup_group, write_atomic, FileGroup, WriteOutcome, CONFIG_GROUP, CONFIG_MODE};
