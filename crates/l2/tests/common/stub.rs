//! The fault-injecting JSON-RPC provider is snode-testkit's; this module keeps
//! the path the daemon's tests include (`l2common::stub`).

pub use snode_testkit::provider::*;
