//! The integration tests of oxen-sn-config, as one test binary (one link, one run).

mod support;

mod cli;
mod probe_l2;
mod scripts;
