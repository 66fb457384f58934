//! The integration tests of `snode-node`, one test binary.

mod api;
mod server;
