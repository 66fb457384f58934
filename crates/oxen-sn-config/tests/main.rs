//! The integration tests of oxen-sn-config, one binary.

mod support;

// cli.rs declares its own `mod support;` (found next to it through #[path]).
#[path = "cli.rs"]
mod cli;
mod probe_l2;
