//! `oxen-sn-keys-snapshot`: generate, show and restore Session service node
//! key files, with the commands, arguments, labels and exit codes of
//! oxen-core's `oxen-sn-keys` (docs/compat/keys.md)
//! and the fixes recorded in docs/compat/decisions.md: restore writes real keys,
//! files are written atomically with mode 0400, a replaced key is kept as a
//! `.bak`, errors go to stderr and colour is used only on a terminal.
//!
//! Arguments are parsed by hand because upstream's contract (`--overwrite`
//! only first or last, `PUBKEY` substitution, exit codes) is not clap's; the
//! clap [`command`] exists to generate the man page and completions.

mod cli;
pub mod guard;
mod input;
mod output;

pub use cli::{command, run, usage};
