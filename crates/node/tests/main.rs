//! The integration tests of `snode-node`, one test binary.

mod api;
mod framing;
mod keys;
mod server;
