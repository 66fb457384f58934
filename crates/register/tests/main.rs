//! The integration tests of snode-register, one binary.

mod backend;
