//! A minimal JSON-RPC 2.0 client over HTTP(S), as oxend's transport sends requests
//! (spec §5.4: POST, `Content-Type: application/json`, id 1; success means HTTP 200 and
//! a non-null `result`; a JSON-RPC error with HTTP 200 is a failure).
//!
//! Why not snode-l2's transport: that one is internal to the tracker and shaped for
//! failover (a failure kind and a short scrubbed message per request). The probe
//! needs more of each answer (the error body and code to tell rate limits from
//! range limits, the chain id exactly as sent), refuses redirects so it can report
//! them, and sends its own user agent; and snode-l2 would bring SQLite and alloy
//! into a tool that the package's postinst runs.

use std::fmt;
use std::time::Duration;

use serde_json::{json, Value};
use snode_conf::scrub_secrets;

/// How a failed request should be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Failure {
    /// The provider refuses the block range (or result size) of an eth_getLogs.
    RangeLimit,
    /// The provider is rate limiting (HTTP 429, JSON-RPC -32005/-32007, "limit exceeded"…).
    RateLimit,
    /// Anything else.
    Other,
}

/// A failed JSON-RPC request. Texts are scrubbed of the URL's secrets.
#[derive(Clone, Debug)]
pub enum RpcError {
    /// No answer: connection, DNS, TLS, I/O.
    Transport(String),
    /// No answer within the timeout.
    Timeout,
    /// An HTTP status other than 200.
    Http {
        /// The status.
        status: u16,
        /// `error.code` when the body is a JSON-RPC error.
        code: Option<i64>,
        /// The start of the body.
        body: String,
    },
    /// A JSON-RPC `error` object.
    Rpc {
        /// `error.code`.
        code: i64,
        /// `error.message`.
        message: String,
    },
    /// A reply that is not a JSON-RPC answer, or a null result.
    BadReply(String),
}

impl fmt::Display for RpcError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RpcError::Transport(e) => write!(f, "no answer: {e}"),
            RpcError::Timeout => f.write_str("no answer within the timeout"),
            RpcError::Http { status, body, .. } if body.is_empty() => {
                write!(f, "HTTP status {status}")
            }
            RpcError::Http { status, body, .. } => write!(f, "HTTP status {status}: {body:?}"),
            RpcError::Rpc { code, message } if message.is_empty() => {
                write!(f, "JSON-RPC error {code} (with HTTP 200)")
            }
            RpcError::Rpc { code, message } => {
                write!(f, "JSON-RPC error {code} (with HTTP 200): {message:?}")
            }
            RpcError::BadReply(e) => write!(f, "not a JSON-RPC answer: {e}"),
        }
    }
}

impl RpcError {
    /// Whether this is a range limit, a rate limit or something else, from the usual
    /// provider wordings (Alchemy, Infura, QuickNode, geth-style servers).
    pub fn failure(&self) -> Failure {
        let (code, text) = match self {
            RpcError::Http { status: 429, .. } => return Failure::RateLimit,
            RpcError::Http { code, body, .. } => (*code, body.to_ascii_lowercase()),
            RpcError::Rpc { code, message } => (Some(*code), message.to_ascii_lowercase()),
            _ => return Failure::Other,
        };
        let has = |words: &[&str]| words.iter().any(|w| text.contains(w));
        // Codes and wordings that only ever mean throughput, even when the text also
        // names eth_getLogs or blocks ("request limit reached for eth_getLogs").
        if matches!(code, Some(-32007 | 429))
            || has(&[
                "rate limit",
                "rate-limit",
                "ratelimit",
                "too many requests",
                "request limit",
            ])
        {
            return Failure::RateLimit;
        }
        let range_words = has(&["range", "block", "results", "response size", "logs"]);
        let limit_words = has(&[
            "limit",
            "too large",
            "too big",
            "exceed",
            "max",
            "more than",
            "up to",
            "allowed",
        ]);
        if range_words && limit_words {
            return Failure::RangeLimit;
        }
        // -32005 is "limit exceeded": a range when the text says so (above), else a rate.
        if code == Some(-32005)
            || has(&[
                "limit exceeded",
                "limit reached",
                "capacity",
                "credits",
                "throughput",
            ])
        {
            return Failure::RateLimit;
        }
        Failure::Other
    }
}

/// A JSON-RPC endpoint.
pub struct Client {
    agent: ureq::Agent,
    url: String,
}

/// `error.code` of a JSON-RPC error reply.
fn error_code(reply: &Value) -> Option<i64> {
    reply.get("error")?.get("code")?.as_i64()
}

fn clip(text: &str) -> String {
    let t = text.trim();
    match t.char_indices().nth(200) {
        Some((i, _)) => format!("{}…", &t[..i]),
        None => t.to_string(),
    }
}

impl Client {
    /// A client for `url` whose requests each give up after `timeout`.
    pub fn new(url: &str, timeout: Duration) -> Client {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .http_status_as_error(false)
            .max_redirects(0)
            .user_agent(concat!("oxen-sn-config/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Client {
            agent,
            url: url.to_string(),
        }
    }

    /// `text` (something the provider sent) scrubbed of the URL's secrets and clipped
    /// to a printable length.
    pub fn scrub(&self, text: &str) -> String {
        clip(&scrub_secrets(text, &self.url))
    }

    /// Sends `method(params)` and returns `result`.
    pub fn call(&self, method: &str, params: Value) -> Result<Value, RpcError> {
        let scrub = |t: &str| self.scrub(t);
        let body = json!({"jsonrpc": "2.0", "method": method, "params": params, "id": 1});
        let reply = self
            .agent
            .post(&self.url)
            .header("Content-Type", "application/json")
            .send(body.to_string())
            .and_then(|mut r| {
                let status = r.status().as_u16();
                let text = r
                    .body_mut()
                    .with_config()
                    .limit(256 * 1024 * 1024)
                    .read_to_string()?;
                Ok((status, text))
            });
        let (status, text) = match reply {
            Ok(r) => r,
            Err(ureq::Error::Timeout(_)) => return Err(RpcError::Timeout),
            Err(e) => return Err(RpcError::Transport(scrub(&e.to_string()))),
        };
        let parsed: Option<Value> = serde_json::from_str(&text).ok();
        if status != 200 {
            return Err(RpcError::Http {
                status,
                code: parsed.as_ref().and_then(error_code),
                body: scrub(&text),
            });
        }
        let Some(reply) = parsed else {
            return Err(RpcError::BadReply(scrub(&text)));
        };
        if let Some(err) = reply.get("error").filter(|e| !e.is_null()) {
            return Err(RpcError::Rpc {
                code: err.get("code").and_then(Value::as_i64).unwrap_or(0),
                message: scrub(err.get("message").and_then(Value::as_str).unwrap_or("")),
            });
        }
        match reply.get("result") {
            Some(v) if !v.is_null() => Ok(v.clone()),
            _ => Err(RpcError::BadReply(
                "the result is null or missing".to_string(),
            )),
        }
    }
}

/// Parses a `0x…` quantity.
pub fn quantity(v: &Value) -> Option<u64> {
    let s = v.as_str()?.strip_prefix("0x")?;
    u64::from_str_radix(s, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rpc(code: i64, message: &str) -> Failure {
        RpcError::Rpc {
            code,
            message: message.to_string(),
        }
        .failure()
    }

    #[test]
    fn classifies_provider_wordings() {
        let range = [
            (-32600, "Under the Free tier plan, you can make eth_getLogs requests with up to a 10 block range."),
            (-32602, "Log response size exceeded. You can make eth_getLogs requests with up to a 500 block range"),
            (-32614, "eth_getLogs is limited to a 5 range"),
            (-32005, "query returned more than 10000 results"),
            (-32000, "block range too large"),
            (-32000, "exceed maximum block range: 1000"),
        ];
        for (code, msg) in range {
            assert_eq!(rpc(code, msg), Failure::RangeLimit, "{msg}");
        }
        assert_eq!(rpc(-32005, ""), Failure::RateLimit);
        assert_eq!(rpc(-32005, "limit exceeded"), Failure::RateLimit);
        assert_eq!(rpc(-32000, "Too Many Requests"), Failure::RateLimit);
        assert_eq!(rpc(-32007, ""), Failure::RateLimit);
        assert_eq!(
            rpc(
                -32007,
                "100/second request limit reached - reduce calls per second"
            ),
            Failure::RateLimit
        );
        assert_eq!(
            rpc(-32000, "daily request limit reached"),
            Failure::RateLimit
        );
        assert_eq!(
            rpc(-32000, "request limit reached for eth_getLogs"),
            Failure::RateLimit,
            "names eth_getLogs but is about throughput"
        );
        assert_eq!(rpc(-32000, "Monthly limit reached"), Failure::RateLimit);
        assert_eq!(rpc(-32601, "method not found"), Failure::Other);
        let http = |status, code, body: &str| RpcError::Http {
            status,
            code,
            body: body.to_string(),
        };
        assert_eq!(http(429, None, "").failure(), Failure::RateLimit);
        assert_eq!(http(503, Some(-32005), "").failure(), Failure::RateLimit);
        assert_eq!(http(400, Some(-32007), "").failure(), Failure::RateLimit);
        assert_eq!(
            http(400, Some(-32602), "block range too large").failure(),
            Failure::RangeLimit
        );
        assert_eq!(http(502, None, "bad gateway").failure(), Failure::Other);
        assert_eq!(RpcError::Timeout.failure(), Failure::Other);
    }
}
