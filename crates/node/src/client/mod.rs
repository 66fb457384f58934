//! Client mode (docs/compat/rpc-and-client.md): `oxend-stagenet
//! [--config-file FILE] <command> [args]` sends JSON-RPC 2.0 requests to the
//! running daemon's admin RPC, reads the typed replies of [`crate::api`] and
//! prints upstream's layout for the fields it has. Creates no files.
//!
//! Modules: [`transport`] (the HTTP connection and [`ClientError`]),
//! [`output`] (stdout/stderr, colour), [`session`] (what a command gets),
//! [`text`] (durations), one module per command family — [`info`]
//! (`status`, `version`, `exit`), [`keys`] (`print_sn_key`), [`sn_status`]
//! (`print_sn_status`), [`register`] (`register`,
//! `prepare_eth_registration`), [`l2`] (`l2_status` and the L2 lines of the
//! others) — and [`commands`] (the table, `help`, [`run_command`]). A new
//! command is one more entry of [`COMMANDS`].

pub mod commands;
pub mod info;
pub mod keys;
pub mod l2;
pub mod output;
pub mod register;
pub mod session;
pub mod sn_status;
pub mod text;
pub mod transport;

pub use commands::{command_help, find, help_text, run_command, CHAIN_COMMANDS, COMMANDS};
pub use keys::{sn_key_text, NOT_SN_NOTE};
pub use output::Out;
pub use session::{Call, Command, Session};
pub use sn_status::sn_status_text;
pub use text::friendly_duration;
pub use transport::{Client, ClientError, START_HINT};
