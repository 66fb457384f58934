//! The JSON-RPC client `probe-l2` uses: snode-eth's, the workspace's one client
//! (POST, `Content-Type: application/json`, id 1; success means HTTP 200 and a
//! non-null `result`; a JSON-RPC error with HTTP 200 is a failure), with its one
//! classifier of refusals. Nothing of its own: this module only names them.

pub use snode_eth::{
    classify, parse_data, parse_quantity, Endpoint, Failure, FailureKind, LimitKind, ProviderUrl,
};
