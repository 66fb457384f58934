//! The integration tests of oxen-sn-config, as one test binary (one link, one run).
// Until probe_l2.rs says `use crate::support::…` instead of `mod support;`, the
// `#[path]` below loads tests/support a second time for it.
#![allow(clippy::duplicate_mod)]

mod support;

mod cli;
mod scripts;
// `#[path]` makes probe_l2.rs a directory owner, so a `mod support;` left in it
// still finds tests/support/mod.rs.
#[path = "probe_l2.rs"]
mod probe_l2;
