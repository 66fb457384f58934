//! The integration tests of this crate, as one test binary (one link, one run).

mod common;

mod anvil;
mod cli;
mod guard;
mod oracle;
mod tty;
