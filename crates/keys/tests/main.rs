//! The integration tests of this crate, as one test binary (one link, one run).

mod common;

mod format;
mod vectors;
mod write;
