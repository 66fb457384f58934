//! The client's connection to the daemon's admin RPC: JSON-RPC 2.0 over
//! HTTP POST, HTTP Basic auth with `rpc-login`, and oxend's words for each
//! way a call can fail (docs/compat/rpc-and-client.md).

use std::time::Duration;

use serde::Deserialize;
use serde_json::{json, Value};

use crate::api::{StatusReply, STATUS_OK};

/// How to start the daemon, said when it is not running.
pub const START_HINT: &str = "sudo systemctl start oxen-stagenet-node";

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// Nothing answers at the admin RPC address.
    #[error(
        "oxend-stagenet is not running (nothing answers at {url}: {reason}); start it with: \
         {START_HINT}"
    )]
    NotRunning {
        /// The admin RPC URL.
        url: String,
        /// The connection error.
        reason: String,
    },
    /// The request failed in another way.
    #[error("HTTP request failed: {0}")]
    Transport(String),
    /// The client could not be set up (config file, `rpc-admin`): no request
    /// was made, so no "HTTP request failed" prefix.
    #[error("{0}")]
    Setup(String),
    /// Non-200 HTTP status.
    #[error("HTTP request failed; server returned {0}")]
    Status(String),
    /// A JSON-RPC error object.
    #[error("JSON RPC returned an error response: {0}")]
    Rpc(String),
    /// `result.status` was not `OK` (`(empty)` when missing, as oxend says).
    #[error("Received status {0} != OK")]
    NotOk(String),
    /// A command's request failed: oxend's words for what the command was
    /// doing, then why (`Failed to retrieve node info: …`).
    #[error("{what}: {source}")]
    Failed {
        /// What the command was doing, e.g. `Failed to retrieve node info`.
        what: &'static str,
        /// Why.
        source: Box<ClientError>,
    },
    /// The reply is not what a JSON-RPC server sends.
    #[error("invalid reply from the daemon: {0}")]
    BadReply(String),
}

/// A JSON-RPC 2.0 response.
#[derive(Deserialize)]
struct Envelope {
    #[serde(default)]
    result: Option<Value>,
    #[serde(default)]
    error: Option<Value>,
}

/// A JSON-RPC error object.
#[derive(Deserialize)]
struct ErrorObject {
    message: String,
}

/// A connection to the daemon's admin RPC.
pub struct Client {
    url: String,
    login: Option<String>,
    agent: ureq::Agent,
    next_id: u64,
}

impl Client {
    /// A client for `url` (`http://IP:PORT/json_rpc`), with HTTP Basic `login`.
    pub fn new(url: String, login: Option<String>) -> Client {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(60)))
            .http_status_as_error(false)
            .build()
            .into();
        Client {
            url,
            login,
            agent,
            next_id: 0,
        }
    }

    /// Calls `method` and returns its `result`, which must have `status: "OK"`.
    pub fn call(&mut self, method: &str, params: Option<Value>) -> Result<Value, ClientError> {
        let mut body = json!({ "id": self.next_id, "jsonrpc": "2.0", "method": method });
        self.next_id += 1;
        if let Some(p) = params {
            body["params"] = p;
        }
        let mut rq = self
            .agent
            .post(&self.url)
            .header("Content-Type", "application/json; charset=utf-8");
        if let Some(login) = &self.login {
            rq = rq.header("Authorization", crate::api::basic_auth(login));
        }
        let mut resp = rq.send(body.to_string()).map_err(|e| match e {
            ureq::Error::Io(io) => ClientError::NotRunning {
                url: self.url.clone(),
                reason: io.to_string(),
            },
            ureq::Error::ConnectionFailed | ureq::Error::HostNotFound => ClientError::NotRunning {
                url: self.url.clone(),
                reason: e.to_string(),
            },
            e => ClientError::Transport(e.to_string()),
        })?;
        let status = resp.status();
        if status != 200 {
            // The whole status line, as oxend (curl) reports it.
            return Err(ClientError::Status(format!(
                "{:?} {} {}",
                resp.version(),
                status.as_u16(),
                status.canonical_reason().unwrap_or("")
            )));
        }
        let reply: Envelope = resp
            .body_mut()
            .read_json()
            .map_err(|e| ClientError::BadReply(e.to_string()))?;
        if let Some(err) = reply.error {
            let msg = match serde_json::from_value::<ErrorObject>(err.clone()) {
                Ok(e) => e.message,
                Err(_) => err.to_string(),
            };
            return Err(ClientError::Rpc(msg));
        }
        let result = reply
            .result
            .ok_or_else(|| ClientError::BadReply("no result".into()))?;
        let status = serde_json::from_value::<StatusReply>(result.clone())
            .ok()
            .and_then(|s| s.status);
        match status.as_deref() {
            Some(STATUS_OK) => Ok(result),
            Some(s) => Err(ClientError::NotOk(s.to_string())),
            None => Err(ClientError::NotOk("(empty)".to_string())),
        }
    }
}
