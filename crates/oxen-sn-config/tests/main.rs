//! The integration tests of oxen-sn-config, one binary.
// shim: remove when callers move to snode_eth — cli.rs (another owner's file)
// still declares its own `mod support;` (found next to it through #[path]);
// once it says `use crate::support;` the allow and the #[path] go.
#![allow(clippy::duplicate_mod)]

mod support;

#[path = "cli.rs"]
mod cli;
mod probe_l2;
