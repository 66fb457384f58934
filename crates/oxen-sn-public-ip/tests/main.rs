//! The integration tests of this crate, as one test binary (one link, one run).

mod detect;
