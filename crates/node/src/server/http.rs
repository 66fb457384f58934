//! The admin RPC's HTTP side (docs/compat/rpc-and-client.md): `POST
//! /json_rpc` on already-bound listeners, one thread each; HTTP Basic auth
//! when `rpc-login` is set; cross-origin requests refused; the body handed to
//! [`Methods::handle_body`].

use std::io::Read;
use std::net::{SocketAddr, TcpListener};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use serde_json::Value;

use super::methods::{Ctx, Methods};

/// Largest request body accepted.
const MAX_BODY: u64 = 1 << 20;

/// The running admin RPC server: one thread per listener.
pub struct AdminServer {
    addrs: Vec<SocketAddr>,
    stop: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
#[error("cannot serve the admin RPC on {addr}: {source}")]
pub struct ServeError {
    /// The address (`?` when the listener could not say).
    pub addr: String,
    /// What failed.
    #[source]
    pub source: Box<dyn std::error::Error + Send + Sync>,
}

impl AdminServer {
    /// Serves `methods` on already-bound `listeners`. `login` (`user:pass`) turns on
    /// HTTP Basic auth.
    pub fn start(
        listeners: Vec<TcpListener>,
        methods: Arc<Methods>,
        ctx: Arc<Ctx>,
        login: Option<String>,
    ) -> Result<AdminServer, ServeError> {
        let stop = Arc::new(AtomicBool::new(false));
        let expected_auth = login.map(|l| crate::api::basic_auth(&l));
        let mut addrs = Vec::new();
        let mut threads = Vec::new();
        for listener in listeners {
            let addr = listener.local_addr().map_err(|e| ServeError {
                addr: "?".into(),
                source: e.into(),
            })?;
            let server =
                tiny_http::Server::from_listener(listener, None).map_err(|source| ServeError {
                    addr: addr.to_string(),
                    source,
                })?;
            let (stop, methods, ctx, auth) = (
                stop.clone(),
                methods.clone(),
                ctx.clone(),
                expected_auth.clone(),
            );
            let t = std::thread::Builder::new()
                .name(format!("rpc {addr}"))
                .spawn(move || serve(server, &stop, &methods, &ctx, auth.as_deref()))
                .map_err(|e| ServeError {
                    addr: addr.to_string(),
                    source: e.into(),
                })?;
            addrs.push(addr);
            threads.push(t);
        }
        Ok(AdminServer {
            addrs,
            stop,
            threads,
        })
    }

    /// The addresses served.
    pub fn addrs(&self) -> &[SocketAddr] {
        &self.addrs
    }

    /// Stops serving, after answering the requests in progress.
    pub fn stop(self) {
        self.stop.store(true, Ordering::SeqCst);
        for t in self.threads {
            let _ = t.join();
        }
    }
}

fn header<'a>(rq: &'a tiny_http::Request, name: &'static str) -> Option<&'a str> {
    rq.headers()
        .iter()
        .find(|h| h.field.equiv(name))
        .map(|h| h.value.as_str())
}

fn serve(
    server: tiny_http::Server,
    stop: &AtomicBool,
    methods: &Methods,
    ctx: &Ctx,
    auth: Option<&str>,
) {
    let origins: Vec<String> = ctx
        .settings
        .rpc_access_control_origins
        .split([',', ' '])
        .filter(|o| !o.is_empty())
        .map(str::to_string)
        .collect();
    let json_header = tiny_http::Header::from_bytes(&b"Content-Type"[..], &b"application/json"[..])
        .expect("static header");
    while !stop.load(Ordering::SeqCst) {
        let mut rq = match server.recv_timeout(Duration::from_millis(200)) {
            Ok(Some(rq)) => rq,
            Ok(None) => continue,
            Err(e) => {
                tracing::warn!(target: "rpc", "admin RPC receive failed: {e}");
                continue;
            }
        };
        let path = rq.url().split('?').next().unwrap_or("").to_string();
        let authorized = auth.is_none_or(|want| header(&rq, "Authorization") == Some(want));
        // A web page in the operator's browser can POST to 127.0.0.1 too. Browsers
        // send `Origin` on such requests and cannot send `application/json`
        // cross-origin without a CORS preflight, which is never answered here.
        let origin_ok = header(&rq, "Origin").is_none_or(|o| origins.iter().any(|a| a == o));
        let json_body = header(&rq, "Content-Type").is_some_and(|t| {
            t.trim()
                .to_ascii_lowercase()
                .starts_with("application/json")
        });
        let response = if !origin_ok {
            tiny_http::Response::from_string("cross-origin requests are refused\n")
                .with_status_code(403)
        } else if !authorized {
            tiny_http::Response::from_string("login required\n")
                .with_status_code(401)
                .with_header(
                    tiny_http::Header::from_bytes(
                        &b"WWW-Authenticate"[..],
                        &b"Basic realm=\"oxend-stagenet\""[..],
                    )
                    .expect("static header"),
                )
        } else if path != "/json_rpc" {
            tiny_http::Response::from_string("not found; use POST /json_rpc\n")
                .with_status_code(404)
        } else if *rq.method() != tiny_http::Method::Post {
            tiny_http::Response::from_string("use POST /json_rpc\n").with_status_code(405)
        } else if !json_body {
            tiny_http::Response::from_string("send Content-Type: application/json\n")
                .with_status_code(415)
        } else {
            let mut body = Vec::new();
            match rq.as_reader().take(MAX_BODY + 1).read_to_end(&mut body) {
                Ok(_) if body.len() as u64 > MAX_BODY => {
                    tiny_http::Response::from_string("request too large\n").with_status_code(413)
                }
                Ok(_) => match methods.handle_body(ctx, &body) {
                    Some(out) => {
                        tracing::debug!(target: "rpc", "admin RPC {}", outcome(&out));
                        tiny_http::Response::from_string(out.to_string())
                            .with_header(json_header.clone())
                    }
                    // notification(s): no body
                    None => tiny_http::Response::from_string("").with_status_code(204),
                },
                Err(e) => tiny_http::Response::from_string(format!("cannot read request: {e}\n"))
                    .with_status_code(400),
            }
        };
        if let Err(e) = rq.respond(response) {
            tracing::debug!(target: "rpc", "admin RPC response not delivered: {e}");
        }
    }
}

/// What an admin RPC answer says, for the debug log: `ok` or the error of a
/// single call; for a batch, how many calls and each failed one's error.
fn outcome(out: &Value) -> String {
    let one = |v: &Value| v.get("error").map(|e| e.to_string());
    match out {
        Value::Array(answers) => {
            let errors: Vec<String> = answers
                .iter()
                .enumerate()
                .filter_map(|(i, a)| one(a).map(|e| format!("#{i}: {e}")))
                .collect();
            if errors.is_empty() {
                format!("batch of {}: ok", answers.len())
            } else {
                format!(
                    "batch of {}: {} failed ({})",
                    answers.len(),
                    errors.len(),
                    errors.join("; ")
                )
            }
        }
        single => one(single).unwrap_or_else(|| "ok".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn logged_outcome_of_single_calls_and_batches() {
        let err = json!({"code": -32601, "message": "Method not found"});
        assert_eq!(outcome(&json!({"id": 1, "result": {}})), "ok");
        assert_eq!(outcome(&json!({"id": 1, "error": err})), err.to_string());
        assert_eq!(
            outcome(&json!([{"id": 1, "result": 1}, {"id": 2, "result": 2}])),
            "batch of 2: ok"
        );
        assert_eq!(
            outcome(&json!([{"id": 1, "result": 1}, {"id": 2, "error": err}])),
            format!("batch of 2: 1 failed (#1: {err})")
        );
    }
}
