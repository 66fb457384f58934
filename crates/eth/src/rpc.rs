//! The one JSON-RPC 2.0 client of the workspace: blocking, over HTTP(S), to
//! one provider (docs/compat/l2-contract.md, "Transport").
//!
//! `POST <url>`, `Content-Type: application/json`, body
//! `{"jsonrpc":"2.0","method":…,"params":…,"id":1}`. Success means HTTP 200
//! and a non-null `result`; every other outcome is a [`Failure`] of a
//! [`FailureKind`]. A JSON-RPC `error` sent with HTTP 200 (rate limits such as
//! -32005) is a failure too (docs/compat/decisions.md). [`Failure::limit`] is
//! the one classifier of provider refusals: a range limit, a rate limit, or
//! neither.

use std::io;
use std::time::Duration;

use serde::Serialize;
use serde_json::{json, Value};

use crate::redact::{scrub_secrets, ProviderUrl};

/// Largest answer body read (an `eth_getLogs` over a busy range can be large).
const BODY_LIMIT: u64 = 64 * 1024 * 1024;
/// Longest provider-supplied message kept in errors and status.
const MESSAGE_LIMIT: usize = 200;

/// What went wrong with one request to one provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FailureKind {
    /// The connection could not be made or broke (refused, DNS, TLS, reset).
    Connection,
    /// No complete answer within `l2-timeout`.
    Timeout,
    /// An HTTP status other than 200.
    HttpStatus {
        /// The status code.
        status: u16,
        /// `error.code` when the body was a JSON-RPC error.
        #[serde(skip_serializing_if = "Option::is_none")]
        code: Option<i64>,
    },
    /// A JSON-RPC `error` object (with any HTTP status 200).
    JsonRpc {
        /// The JSON-RPC error code, e.g. -32005.
        code: i64,
    },
    /// The body was not a JSON-RPC answer, or the result had the wrong shape.
    Malformed,
    /// `result` was missing or `null`.
    NullResult,
}

impl std::fmt::Display for FailureKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FailureKind::Connection => f.write_str("connection failed"),
            FailureKind::Timeout => f.write_str("timed out"),
            FailureKind::HttpStatus { status, .. } => write!(f, "HTTP status {status}"),
            FailureKind::JsonRpc { code } => write!(f, "JSON-RPC error {code}"),
            FailureKind::Malformed => f.write_str("malformed answer"),
            FailureKind::NullResult => f.write_str("null result"),
        }
    }
}

/// A failed request: its kind and a short, redacted description.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Failure {
    /// The kind, which picks the counter.
    #[serde(flatten)]
    pub kind: FailureKind,
    /// Detail: the provider's message, the socket error, ….
    pub message: String,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.message.is_empty() {
            write!(f, "{}", self.kind)
        } else {
            write!(f, "{}: {}", self.kind, self.message)
        }
    }
}

/// How a refused request reads: the provider refuses the block range (or
/// result size) of an `eth_getLogs`, it is rate limiting, or neither.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LimitKind {
    /// The block range or result size of an `eth_getLogs` is refused.
    RangeLimit,
    /// Throughput: HTTP 429, JSON-RPC -32005/-32007, "limit exceeded", ….
    RateLimit,
    /// Anything else.
    Other,
}

/// The classifier of provider refusals (Alchemy, Infura, QuickNode and
/// geth-style wordings): from the HTTP status, the JSON-RPC error code and
/// the provider's text.
pub fn classify(status: Option<u16>, code: Option<i64>, text: &str) -> LimitKind {
    if status == Some(429) {
        return LimitKind::RateLimit;
    }
    let text = text.to_ascii_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| text.contains(w));
    // Codes and wordings that only ever mean throughput, even when the text
    // also names eth_getLogs or blocks ("request limit reached for eth_getLogs").
    if matches!(code, Some(-32007 | 429))
        || has(&[
            "rate limit",
            "rate-limit",
            "ratelimit",
            "too many requests",
            "request limit",
        ])
    {
        return LimitKind::RateLimit;
    }
    let range_words = has(&["range", "block", "results", "response size", "logs"]);
    let limit_words = has(&[
        "limit",
        "too large",
        "too big",
        "too many",
        "too wide",
        "exceed",
        "max",
        "more than",
        "up to",
        "allowed",
    ]);
    if range_words && limit_words {
        return LimitKind::RangeLimit;
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
        return LimitKind::RateLimit;
    }
    LimitKind::Other
}

/// The standard reason phrase of an HTTP status (`Bad Gateway` for 502), or
/// `""` for a status without one.
pub fn http_reason(status: u16) -> &'static str {
    ureq::http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("")
}

impl Failure {
    /// A short text for status lines: `502 Bad Gateway` (plus the
    /// provider's text, if any) for an HTTP status, otherwise as `Display`.
    pub fn short(&self) -> String {
        match self.kind {
            FailureKind::HttpStatus { status, .. } => {
                let mut s = match http_reason(status) {
                    "" => status.to_string(),
                    reason => format!("{status} {reason}"),
                };
                if !self.message.is_empty() {
                    s.push_str(": ");
                    s.push_str(&self.message);
                }
                s
            }
            _ => self.to_string(),
        }
    }

    /// Whether this failure is a range limit, a rate limit or something else.
    pub fn limit(&self) -> LimitKind {
        match self.kind {
            FailureKind::HttpStatus { status, code } => classify(Some(status), code, &self.message),
            FailureKind::JsonRpc { code } => classify(None, Some(code), &self.message),
            _ => LimitKind::Other,
        }
    }

    /// Whether an `eth_call` failure is an EVM revert (code 3, or a message
    /// saying so): an answer about the contract, not about the provider.
    pub fn is_revert(&self) -> bool {
        match self.kind {
            FailureKind::JsonRpc { code } => {
                code == 3 || self.message.to_ascii_lowercase().contains("revert")
            }
            _ => false,
        }
    }
}

/// One provider's HTTP client (a pooled keep-alive agent).
pub struct Endpoint {
    url: ProviderUrl,
    agent: ureq::Agent,
}

impl Endpoint {
    /// A client for `url` whose requests each give up after `timeout`.
    pub fn new(url: ProviderUrl, timeout: Duration) -> Self {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .http_status_as_error(false)
            .max_idle_connections_per_host(2)
            .build()
            .new_agent();
        Self { url, agent }
    }

    /// A client that follows no redirect (a redirect is reported as its
    /// HTTP status) and names itself `user_agent`: for probing a provider.
    pub fn probing(url: ProviderUrl, timeout: Duration, user_agent: &str) -> Self {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .http_status_as_error(false)
            .max_redirects(0)
            .user_agent(user_agent)
            .build()
            .new_agent();
        Self { url, agent }
    }

    /// The provider's URL (shown redacted).
    pub fn url(&self) -> &ProviderUrl {
        &self.url
    }

    /// POSTs `body` and returns the HTTP status and the answer's text.
    fn post(&self, body: &Value) -> Result<(u16, String), Failure> {
        let resp = self
            .agent
            .post(self.url.expose())
            .header("Content-Type", "application/json")
            .send(body.to_string());
        let mut resp = resp.map_err(|e| self.transport_failure(e))?;
        let status = resp.status().as_u16();
        let text = resp
            .body_mut()
            .with_config()
            .limit(BODY_LIMIT)
            .read_to_string()
            .map_err(|e| self.transport_failure(e))?;
        Ok((status, text))
    }

    /// Sends one request and returns its non-null `result`.
    pub fn call(&self, method: &str, params: &Value) -> Result<Value, Failure> {
        let body = json!({"jsonrpc": "2.0", "method": method, "params": params, "id": 1});
        let (status, text) = self.post(&body)?;
        let parsed: Option<Value> = serde_json::from_str(&text).ok();
        let rpc_error = parsed
            .as_ref()
            .and_then(|v| v.get("error"))
            .filter(|e| !e.is_null())
            .cloned();
        let rpc_error = rpc_error.as_ref();
        if status != 200 {
            // A JSON-RPC error's message, or the body when it is text; an
            // HTML error page (a proxy's "502 Bad Gateway") says no more
            // than its status.
            let message = rpc_error.map(|e| self.error_message(e)).unwrap_or_else(|| {
                let body = text.trim_start();
                if body.starts_with('<') {
                    String::new()
                } else {
                    self.scrub(&text)
                }
            });
            return Err(Failure {
                kind: FailureKind::HttpStatus {
                    status,
                    code: rpc_error
                        .and_then(|e| e.get("code"))
                        .and_then(Value::as_i64),
                },
                message,
            });
        }
        let Some(answer) = parsed.filter(Value::is_object) else {
            return Err(Failure {
                kind: FailureKind::Malformed,
                message: format!("not a JSON-RPC answer: {}", self.scrub(&text)),
            });
        };
        if let Some(err) = rpc_error {
            return match err.get("code").and_then(Value::as_i64) {
                Some(code) => Err(Failure {
                    kind: FailureKind::JsonRpc { code },
                    message: self.error_message(err),
                }),
                None => Err(Failure {
                    kind: FailureKind::Malformed,
                    message: format!("error without a code: {}", self.scrub(&err.to_string())),
                }),
            };
        }
        match answer.get("result") {
            None | Some(Value::Null) => Err(Failure {
                kind: FailureKind::NullResult,
                message: String::new(),
            }),
            Some(v) => Ok(v.clone()),
        }
    }

    /// Sends `calls` as one JSON-RPC batch (ids 0, 1, …) and returns each
    /// call's outcome in order: its non-null `result`, or its failure (a
    /// revert of one `eth_call` does not fail the others). The batch itself
    /// fails as one request does (connection, HTTP status, an answer that is
    /// not an array of the right answers).
    pub fn call_batch(
        &self,
        calls: &[(&str, Value)],
    ) -> Result<Vec<Result<Value, Failure>>, Failure> {
        let body: Vec<Value> = calls
            .iter()
            .enumerate()
            .map(|(id, (method, params))| {
                json!({"jsonrpc": "2.0", "method": method, "params": params, "id": id})
            })
            .collect();
        let (status, text) = self.post(&Value::Array(body))?;
        let parsed: Option<Value> = serde_json::from_str(&text).ok();
        let single_error = parsed
            .as_ref()
            .and_then(|v| v.get("error"))
            .filter(|e| !e.is_null());
        if status != 200 {
            return Err(Failure {
                kind: FailureKind::HttpStatus {
                    status,
                    code: single_error
                        .and_then(|e| e.get("code"))
                        .and_then(Value::as_i64),
                },
                message: single_error
                    .map(|e| self.error_message(e))
                    .unwrap_or_default(),
            });
        }
        if let Some(err) = single_error {
            // a provider that refuses batches answers with one error
            return Err(Failure {
                kind: FailureKind::JsonRpc {
                    code: err.get("code").and_then(Value::as_i64).unwrap_or(0),
                },
                message: self.error_message(err),
            });
        }
        let malformed = |message: String| Failure {
            kind: FailureKind::Malformed,
            message,
        };
        let Some(Value::Array(answers)) = parsed else {
            return Err(malformed(format!(
                "not a JSON-RPC batch answer: {}",
                self.scrub(&text)
            )));
        };
        let mut out: Vec<Option<Result<Value, Failure>>> = vec![None; calls.len()];
        for a in answers {
            let Some(id) = a.get("id").and_then(Value::as_u64).map(|i| i as usize) else {
                continue;
            };
            let Some(slot) = out.get_mut(id) else {
                continue;
            };
            *slot = Some(
                match (a.get("error").filter(|e| !e.is_null()), a.get("result")) {
                    (Some(err), _) => Err(Failure {
                        kind: FailureKind::JsonRpc {
                            code: err.get("code").and_then(Value::as_i64).unwrap_or(0),
                        },
                        message: self.error_message(err),
                    }),
                    (None, None | Some(Value::Null)) => Err(Failure {
                        kind: FailureKind::NullResult,
                        message: String::new(),
                    }),
                    (None, Some(v)) => Ok(v.clone()),
                },
            );
        }
        let missing = out.iter().filter(|o| o.is_none()).count();
        if missing > 0 {
            return Err(malformed(format!(
                "the batch answer lacks {missing} of {} answers",
                calls.len()
            )));
        }
        Ok(out.into_iter().flatten().collect())
    }

    fn error_message(&self, err: &Value) -> String {
        let msg = err
            .get("message")
            .and_then(Value::as_str)
            .map(str::to_string)
            .unwrap_or_else(|| err.to_string());
        self.scrub(&msg)
    }

    /// Shortens provider text and removes anything of the URL beyond the
    /// redacted form (some providers echo the URL, key included).
    pub fn scrub(&self, text: &str) -> String {
        let s = scrub_secrets(text, self.url.expose());
        let s = s.trim();
        if s.chars().count() > MESSAGE_LIMIT {
            let cut: String = s.chars().take(MESSAGE_LIMIT).collect();
            format!("{cut}…")
        } else {
            s.to_string()
        }
    }

    fn transport_failure(&self, e: ureq::Error) -> Failure {
        let (kind, message) = match &e {
            ureq::Error::Timeout(t) => (FailureKind::Timeout, format!("{t} timeout")),
            ureq::Error::Io(io) if is_timeout(io) => (FailureKind::Timeout, io.to_string()),
            ureq::Error::Io(io) => (FailureKind::Connection, io.to_string()),
            ureq::Error::HostNotFound => (FailureKind::Connection, "host not found".into()),
            ureq::Error::ConnectionFailed => (FailureKind::Connection, "connection failed".into()),
            ureq::Error::BadUri(_) => (FailureKind::Connection, "invalid URL".into()),
            ureq::Error::StatusCode(status) => (
                FailureKind::HttpStatus {
                    status: *status,
                    code: None,
                },
                String::new(),
            ),
            ureq::Error::BodyExceedsLimit(n) => (
                FailureKind::Malformed,
                format!("answer larger than {n} bytes"),
            ),
            other => (FailureKind::Connection, other.to_string()),
        };
        Failure {
            kind,
            message: self.scrub(&message),
        }
    }
}

fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
    )
}

/// Parses a JSON-RPC quantity (`"0x1b4"`).
pub fn parse_quantity(v: &Value) -> Result<u64, Failure> {
    let bad = || Failure {
        kind: FailureKind::Malformed,
        message: format!("expected a hex quantity, got {}", short(v)),
    };
    let s = v.as_str().ok_or_else(bad)?;
    let digits = s.strip_prefix("0x").ok_or_else(bad)?;
    if digits.is_empty() || digits.len() > 16 {
        return Err(bad());
    }
    u64::from_str_radix(digits, 16).map_err(|_| bad())
}

/// Parses JSON-RPC data (`"0x…"`, even length) into bytes.
pub fn parse_data(v: &Value) -> Result<Vec<u8>, Failure> {
    let bad = || Failure {
        kind: FailureKind::Malformed,
        message: format!("expected hex data, got {}", short(v)),
    };
    let s = v.as_str().ok_or_else(bad)?;
    let digits = s.strip_prefix("0x").ok_or_else(bad)?;
    hex::decode(digits).map_err(|_| bad())
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 60 {
        format!("{}…", s.chars().take(60).collect::<String>())
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_and_data() {
        assert_eq!(parse_quantity(&json!("0x66eee")).unwrap(), 421_614);
        assert_eq!(parse_quantity(&json!("0x0")).unwrap(), 0);
        for bad in [
            json!("0x"),
            json!("12"),
            json!(12),
            json!(null),
            json!("0xzz"),
        ] {
            assert_eq!(
                parse_quantity(&bad).unwrap_err().kind,
                FailureKind::Malformed
            );
        }
        assert_eq!(parse_data(&json!("0x")).unwrap(), Vec::<u8>::new());
        assert_eq!(parse_data(&json!("0x0aff")).unwrap(), vec![10, 255]);
        assert!(parse_data(&json!("0x0af")).is_err());
    }

    #[test]
    fn scrub_hides_echoed_keys() {
        let e = Endpoint::new(
            ProviderUrl::new("https://u:pw@rpc.example/v2/KEY123?x=KEY456"),
            Duration::from_secs(1),
        );
        let s =
            e.scrub("bad key /v2/KEY123?x=KEY456 at https://u:pw@rpc.example/v2/KEY123?x=KEY456");
        assert!(!s.contains("KEY"), "{s}");
        assert!(!s.contains("pw"), "{s}");
        // each part on its own, as a provider may echo it
        let s = e.scrub("no access for KEY123 (x=KEY456)");
        assert!(!s.contains("KEY"), "{s}");
    }

    fn rpc(code: i64, message: &str) -> LimitKind {
        Failure {
            kind: FailureKind::JsonRpc { code },
            message: message.to_string(),
        }
        .limit()
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
            assert_eq!(rpc(code, msg), LimitKind::RangeLimit, "{msg}");
        }
        assert_eq!(rpc(-32005, ""), LimitKind::RateLimit);
        assert_eq!(rpc(-32005, "limit exceeded"), LimitKind::RateLimit);
        assert_eq!(rpc(-32000, "Too Many Requests"), LimitKind::RateLimit);
        assert_eq!(rpc(-32007, ""), LimitKind::RateLimit);
        assert_eq!(
            rpc(
                -32007,
                "100/second request limit reached - reduce calls per second"
            ),
            LimitKind::RateLimit
        );
        assert_eq!(
            rpc(-32000, "daily request limit reached"),
            LimitKind::RateLimit
        );
        assert_eq!(
            rpc(-32000, "request limit reached for eth_getLogs"),
            LimitKind::RateLimit,
            "names eth_getLogs but is about throughput"
        );
        assert_eq!(rpc(-32000, "Monthly limit reached"), LimitKind::RateLimit);
        assert_eq!(rpc(-32601, "method not found"), LimitKind::Other);
        let http = |status, code, body: &str| Failure {
            kind: FailureKind::HttpStatus { status, code },
            message: body.to_string(),
        };
        assert_eq!(http(429, None, "").limit(), LimitKind::RateLimit);
        assert_eq!(http(503, Some(-32005), "").limit(), LimitKind::RateLimit);
        assert_eq!(http(400, Some(-32007), "").limit(), LimitKind::RateLimit);
        assert_eq!(
            http(400, Some(-32602), "block range too large").limit(),
            LimitKind::RangeLimit
        );
        assert_eq!(http(502, None, "bad gateway").limit(), LimitKind::Other);
        assert_eq!(
            Failure {
                kind: FailureKind::Timeout,
                message: String::new()
            }
            .limit(),
            LimitKind::Other
        );
    }
}
