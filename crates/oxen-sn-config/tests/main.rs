//! The integration tests of oxen-sn-config, as one test binary (one link, one run).

mod support;

mod cli;
// `#[path]` makes probe_l2.rs a directory owner, so a `mod support;` left in it
// still finds tests/support/mod.rs.
#[path = "probe_l2.rs"]
mod probe_l2;
