//! The method registry of the admin JSON-RPC 2.0 server: [`Methods`] maps
//! oxend's method names to handlers, [`Ctx`] is what a handler sees,
//! [`RpcError`] what it answers on failure, and [`Methods::handle_body`]
//! turns one request body (single or batch) into the response body.
//!
//! # Adding a method
//!
//! The daemon builds the registry with [`Methods::standard`]
//! (see the `server` module) and accepts more before the server starts:
//!
//! ```
//! use snode_node::api::l2::L2StatusReply;
//! use snode_node::server::{reply, Methods, RpcError};
//! let mut methods = Methods::standard();
//! methods.add("get_l2_status", |ctx, _params| {
//!     let l2 = ctx.state.l2().ok_or_else(|| RpcError::unavailable("L2 is not tracked yet"))?;
//!     reply(&L2StatusReply { status: "OK".into(), summary: l2.summary, l2: l2.status })
//! });
//! methods.alias("l2_status", "get_l2_status");
//! ```
//!
//! Handlers get a [`Ctx`] with the shared [`NodeState`](crate::state::NodeState)
//! (where the L2 tracker puts its view), the node's secret keys (for signing
//! methods), the settings and the shutdown switch, and answer with a reply
//! type of [`crate::api`] through [`reply`].

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;
use serde_json::{json, Value};
use snode_conf::Settings;

use crate::keys::NodeKeys;
use crate::shutdown::Shutdown;
use crate::state::{NodeState, SharedState};

/// Most calls one batch may hold; a larger batch is refused whole with
/// -32600 (one serving thread's time and memory per request stay bounded).
pub const MAX_BATCH: usize = 100;

/// A JSON-RPC error: code, message and optional data, returned as
/// `{"error": {"code": .., "message": .., "data": ..}}`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message} (code {code})")]
pub struct RpcError {
    /// JSON-RPC error code.
    pub code: i64,
    /// Human-readable message.
    pub message: String,
    /// Details (`error.data`), omitted when `None`.
    pub data: Option<String>,
}

impl RpcError {
    fn new(code: i64, message: impl Into<String>, data: Option<String>) -> RpcError {
        RpcError {
            code,
            message: message.into(),
            data,
        }
    }
    /// -32601 `Method not found` (oxend's words); the name goes in `data`.
    pub fn method_not_found(name: &str) -> RpcError {
        RpcError::new(-32601, "Method not found", Some(name.to_string()))
    }
    /// -32602 Invalid params.
    pub fn invalid_params(message: impl Into<String>) -> RpcError {
        RpcError::new(-32602, message, None)
    }
    /// -32600 `Invalid Request` (oxend's words); what is wrong goes in `data`.
    pub fn invalid_request(detail: impl Into<String>) -> RpcError {
        RpcError::new(-32600, "Invalid Request", Some(detail.into()))
    }
    /// -32700 `Parse error` (oxend's words); the parser's message goes in `data`.
    pub fn parse_error(detail: impl Into<String>) -> RpcError {
        RpcError::new(-32700, "Parse error", Some(detail.into()))
    }
    /// -32603 Internal error, for data the daemon does not have (yet).
    pub fn unavailable(message: impl Into<String>) -> RpcError {
        RpcError::new(-32603, message, None)
    }
}

/// What a handler can see and do.
pub struct Ctx {
    /// What the daemon knows; the L2 tracker writes its view here.
    pub state: SharedState,
    /// The node's secret keys (for signing methods). Never serialise them.
    pub keys: Arc<NodeKeys>,
    /// The effective settings.
    pub settings: Arc<Settings>,
    /// Stops the daemon.
    pub shutdown: Shutdown,
}

impl Ctx {
    /// The context of a daemon started now with these settings and keys: a fresh
    /// [`NodeState`] for the settings' service-node mode, public IP and quorumnet port.
    pub fn new(settings: Settings, keys: NodeKeys, shutdown: Shutdown) -> Ctx {
        let state = Arc::new(NodeState::new(
            settings.service_node,
            keys.public.clone(),
            settings.public_ip(),
            settings.quorumnet_port,
        ));
        Ctx {
            state,
            keys: Arc::new(keys),
            settings: Arc::new(settings),
            shutdown,
        }
    }
}

/// A method handler: `params` is the request's `params` (`null` when absent).
pub type Handler = Arc<dyn Fn(&Ctx, Value) -> Result<Value, RpcError> + Send + Sync>;

/// The method registry.
#[derive(Clone, Default)]
pub struct Methods {
    map: BTreeMap<String, Handler>,
}

impl Methods {
    /// An empty registry.
    pub fn new() -> Methods {
        Methods::default()
    }

    /// Adds (or replaces) a method.
    pub fn add<F>(&mut self, name: &str, handler: F) -> &mut Methods
    where
        F: Fn(&Ctx, Value) -> Result<Value, RpcError> + Send + Sync + 'static,
    {
        self.map.insert(name.to_string(), Arc::new(handler));
        self
    }

    /// Makes `alias` call the method `target` (which must already be registered).
    pub fn alias(&mut self, alias: &str, target: &str) -> &mut Methods {
        let handler = self
            .map
            .get(target)
            .cloned()
            .unwrap_or_else(|| panic!("alias {alias}: method {target} is not registered"));
        self.map.insert(alias.to_string(), handler);
        self
    }

    /// The registered method names, sorted.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.map.keys().map(String::as_str)
    }

    /// Calls a method.
    pub fn call(&self, ctx: &Ctx, name: &str, params: Value) -> Result<Value, RpcError> {
        match self.map.get(name) {
            Some(h) => h(ctx, params),
            None => Err(RpcError::method_not_found(name)),
        }
    }

    /// Handles one JSON-RPC 2.0 request body and returns the response body:
    /// `None` when nothing is to be answered (a notification, i.e. a request
    /// without `id`, or a batch of only notifications). A batch (array) gets
    /// an array of the responses, in order; an empty batch, or one of more
    /// than [`MAX_BATCH`] calls, is an invalid request (none of its calls is
    /// run).
    pub fn handle_body(&self, ctx: &Ctx, body: &[u8]) -> Option<Value> {
        let request: Value = match serde_json::from_slice(body) {
            Ok(v) => v,
            Err(e) => {
                return Some(error_response(
                    Value::Null,
                    RpcError::parse_error(e.to_string()),
                ))
            }
        };
        match request {
            Value::Array(batch) if batch.is_empty() => Some(error_response(
                Value::Null,
                RpcError::invalid_request("empty batch"),
            )),
            Value::Array(batch) if batch.len() > MAX_BATCH => Some(error_response(
                Value::Null,
                RpcError::invalid_request(format!(
                    "batch of {} calls; at most {MAX_BATCH} calls per batch: split it",
                    batch.len()
                )),
            )),
            Value::Array(batch) => {
                let out: Vec<Value> = batch
                    .iter()
                    .filter_map(|r| self.handle_one(ctx, r))
                    .collect();
                (!out.is_empty()).then_some(Value::Array(out))
            }
            one => self.handle_one(ctx, &one),
        }
    }

    fn handle_one(&self, ctx: &Ctx, request: &Value) -> Option<Value> {
        let Some(obj) = request.as_object() else {
            return Some(error_response(
                Value::Null,
                RpcError::invalid_request("expected a JSON-RPC 2.0 request object"),
            ));
        };
        // A request without "id" is a notification: run it, answer nothing.
        let id = obj.get("id").cloned();
        let answer = |r: Value| id.is_some().then_some(r);
        let rid = id.clone().unwrap_or(Value::Null);
        // oxend's own client always sends "2.0"; a missing member is tolerated
        // as oxend's server does, another version is refused.
        if let Some(v) = obj.get("jsonrpc").filter(|v| v.as_str() != Some("2.0")) {
            return Some(error_response(
                rid,
                RpcError::invalid_request(format!("\"jsonrpc\" must be \"2.0\", not {v}")),
            ));
        }
        let Some(method) = obj.get("method").and_then(Value::as_str) else {
            return Some(error_response(
                rid,
                RpcError::invalid_request("missing \"method\""),
            ));
        };
        let params = obj.get("params").cloned().unwrap_or(Value::Null);
        match self.call(ctx, method, params) {
            Ok(result) => answer(json!({ "jsonrpc": "2.0", "id": rid, "result": result })),
            Err(e) => answer(error_response(rid, e)),
        }
    }
}

/// A reply type as a handler's result.
pub fn reply<T: Serialize>(reply: &T) -> Result<Value, RpcError> {
    serde_json::to_value(reply).map_err(|e| RpcError::unavailable(e.to_string()))
}

fn error_response(id: Value, e: RpcError) -> Value {
    let mut error = json!({ "code": e.code, "message": e.message });
    if let Some(data) = e.data {
        error["data"] = data.into();
    }
    json!({ "jsonrpc": "2.0", "id": id, "error": error })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_use_oxends_messages_with_details_in_data() {
        let e = error_response(json!(3), RpcError::method_not_found("frob"));
        assert_eq!(
            e,
            json!({"jsonrpc": "2.0", "id": 3,
                   "error": {"code": -32601, "message": "Method not found", "data": "frob"}})
        );
        let e = error_response(Value::Null, RpcError::unavailable("no"));
        assert!(e["error"].get("data").is_none(), "{e}");
    }
}
