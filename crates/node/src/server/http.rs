//! The admin RPC's HTTP side (docs/compat/rpc-and-client.md): `POST
//! /json_rpc` on already-bound listeners; HTTP Basic auth when `rpc-login` is
//! set; cross-origin requests refused; the body handed to
//! [`Methods::handle_body`].
//!
//! A small HTTP/1.1 server on `std::net`, with the limits of [`Limits`]: one
//! accept thread per listener that never gives up (running out of file
//! descriptors makes it wait and try again, the listener stays open), one
//! thread per connection and at most [`Limits::max_connections`] of them
//! (a connection beyond that waits up to [`Limits::admit_wait`] for a free
//! slot, while connections idling between or before requests are closed to
//! make room; then it gets a quick `503` and is closed), every request read within
//! [`Limits::read_timeout`] (`408` otherwise) and an idle keep-alive
//! connection closed after [`Limits::idle_timeout`]. Bodies must come with
//! `Content-Length` (at most [`Limits::max_body`], `413` otherwise); a chunked
//! body is refused with `411`. `Expect: 100-continue` is answered.

use std::io::{self, Read, Write};
use std::net::{Shutdown as NetShutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::methods::{Ctx, Methods};

/// Largest request head (request line and headers).
const MAX_HEAD: usize = 16 * 1024;
/// Most header lines in one request.
const MAX_HEADERS: usize = 100;
/// How long an accept thread waits before trying again when the process (or
/// the system) is out of file descriptors or memory.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);
/// How often a waiting connection thread looks at the stop switch.
const POLL_SLICE: Duration = Duration::from_millis(250);
/// While a connection waits for a slot, a connection that has not sent the
/// first byte of its first request within this time is closed to make room
/// (a client sends its request right after connecting; one that has not by
/// then holds a slot it does not use). Kept-alive connections between
/// requests are closed at once.
const FIRST_BYTE_GRACE: Duration = Duration::from_millis(500);
/// After an error answer that leaves a body unread: how long, and how many
/// bytes, the rest is read and dropped so the client sees the answer (a
/// close with unread data resets the connection).
const DRAIN_TIME: Duration = Duration::from_secs(2);
const DRAIN_BYTES: u64 = 16 << 20;

/// The server's limits (documented in RELIABILITY.md, "Limits").
#[derive(Clone, Debug)]
pub struct Limits {
    /// Most connections served at once; one more waits up to
    /// [`Limits::admit_wait`] for a slot, then is answered `503` and closed.
    pub max_connections: usize,
    /// How long a connection over the limit waits for a slot.
    pub admit_wait: Duration,
    /// Time to receive one whole request (head and body) from its first byte.
    pub read_timeout: Duration,
    /// Time a connection may wait for the first byte of a request (also the
    /// write timeout of an answer).
    pub idle_timeout: Duration,
    /// Largest request body.
    pub max_body: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_connections: 256,
            admit_wait: Duration::from_secs(2),
            read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(10),
            max_body: 1 << 20,
        }
    }
}

/// The running admin RPC server: one accept thread per listener.
pub struct AdminServer {
    addrs: Vec<SocketAddr>,
    shared: Arc<Shared>,
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

/// What every thread of the server shares.
struct Shared {
    methods: Arc<Methods>,
    ctx: Arc<Ctx>,
    /// The expected `Authorization` header, when a login is set.
    auth: Option<String>,
    /// `rpc-access-control-origins`.
    origins: Vec<String>,
    limits: Limits,
    stop: AtomicBool,
    /// Connections being served.
    open: Mutex<usize>,
    closed: Condvar,
    /// Accept threads waiting for a slot: idle connections close while it
    /// is above zero.
    waiting: AtomicUsize,
}

impl AdminServer {
    /// Serves `methods` on already-bound `listeners` with the default
    /// [`Limits`]. `login` (`user:pass`) turns on HTTP Basic auth.
    pub fn start(
        listeners: Vec<TcpListener>,
        methods: Arc<Methods>,
        ctx: Arc<Ctx>,
        login: Option<String>,
    ) -> Result<AdminServer, ServeError> {
        AdminServer::start_with(listeners, methods, ctx, login, Limits::default())
    }

    /// [`AdminServer::start`] with other limits.
    pub fn start_with(
        listeners: Vec<TcpListener>,
        methods: Arc<Methods>,
        ctx: Arc<Ctx>,
        login: Option<String>,
        limits: Limits,
    ) -> Result<AdminServer, ServeError> {
        let origins: Vec<String> = ctx
            .settings
            .rpc_access_control_origins
            .split([',', ' '])
            .filter(|o| !o.is_empty())
            .map(str::to_string)
            .collect();
        let shared = Arc::new(Shared {
            methods,
            ctx,
            auth: login.map(|l| crate::api::basic_auth(&l)),
            origins,
            limits,
            stop: AtomicBool::new(false),
            open: Mutex::new(0),
            closed: Condvar::new(),
            waiting: AtomicUsize::new(0),
        });
        let mut server = AdminServer {
            addrs: Vec::new(),
            shared,
            threads: Vec::new(),
        };
        for listener in listeners {
            let addr = listener.local_addr().map_err(|e| ServeError {
                addr: "?".into(),
                source: e.into(),
            })?;
            let shared = server.shared.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("rpc {addr}"))
                .spawn(move || accept_loop(&listener, &shared));
            match spawned {
                Ok(t) => {
                    server.addrs.push(addr);
                    server.threads.push(t);
                }
                Err(e) => {
                    server.stop();
                    return Err(ServeError {
                        addr: addr.to_string(),
                        source: e.into(),
                    });
                }
            }
        }
        Ok(server)
    }

    /// The addresses served.
    pub fn addrs(&self) -> &[SocketAddr] {
        &self.addrs
    }

    /// Stops serving, after answering the requests in progress (waiting at
    /// most the read and write timeouts for them).
    pub fn stop(self) {
        let shared = self.shared;
        shared.stop.store(true, Ordering::SeqCst);
        for (t, addr) in self.threads.into_iter().zip(&self.addrs) {
            // Wake the accept thread; if that cannot be done, leave it be.
            if TcpStream::connect_timeout(&wake_addr(*addr), Duration::from_secs(1)).is_ok() {
                let _ = t.join();
            }
        }
        let deadline =
            Instant::now() + shared.limits.read_timeout + shared.limits.idle_timeout + POLL_SLICE;
        let mut open = shared.open.lock().unwrap_or_else(|p| p.into_inner());
        while *open > 0 {
            let Some(left) = deadline.checked_duration_since(Instant::now()) else {
                break;
            };
            open = match shared.closed.wait_timeout(open, left) {
                Ok((g, _)) => g,
                Err(p) => p.into_inner().0,
            };
        }
    }
}

/// Where to connect to reach a listener bound to `addr` (an unspecified
/// address is reached on loopback).
fn wake_addr(mut addr: SocketAddr) -> SocketAddr {
    if addr.ip().is_unspecified() {
        addr.set_ip(match addr {
            SocketAddr::V4(_) => std::net::Ipv4Addr::LOCALHOST.into(),
            SocketAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
        });
    }
    addr
}

/// Accepts connections until the server stops. No error ends it: out of
/// descriptors (EMFILE, ENFILE) or memory, it waits [`ACCEPT_BACKOFF`] and
/// tries again; the listener is never dropped while serving.
fn accept_loop(listener: &TcpListener, shared: &Arc<Shared>) {
    let mut failing = false;
    loop {
        let accepted = listener.accept();
        if shared.stop.load(Ordering::SeqCst) {
            return;
        }
        match accepted {
            Ok((stream, _)) => {
                if failing {
                    tracing::info!(target: "rpc", "admin RPC accepts connections again");
                    failing = false;
                }
                admit(stream, shared);
            }
            Err(e) => {
                let errno = rustix::io::Errno::from_io_error(&e);
                let transient = matches!(
                    errno,
                    Some(rustix::io::Errno::CONNABORTED | rustix::io::Errno::INTR)
                );
                if transient {
                    continue;
                }
                if !failing {
                    tracing::warn!(
                        target: "rpc",
                        "admin RPC cannot accept connections: {e}; trying again every {} ms                          (out of file descriptors: raise LimitNOFILE or close idle clients)",
                        ACCEPT_BACKOFF.as_millis()
                    );
                    failing = true;
                }
                std::thread::sleep(ACCEPT_BACKOFF);
            }
        }
    }
}

/// Counts a connection as open until dropped.
struct OpenGuard(Arc<Shared>);

impl Drop for OpenGuard {
    fn drop(&mut self) {
        let mut open = self.0.open.lock().unwrap_or_else(|p| p.into_inner());
        *open -= 1;
        self.0.closed.notify_all();
    }
}

/// Serves `stream` on its own thread once fewer than
/// [`Limits::max_connections`] are served: waits up to [`Limits::admit_wait`]
/// for a slot (idle connections close meanwhile, see [`Shared::waiting`]),
/// then answers `503`. While it waits, new connections queue in the
/// listen backlog.
fn admit(stream: TcpStream, shared: &Arc<Shared>) {
    {
        let mut open = shared.open.lock().unwrap_or_else(|p| p.into_inner());
        if *open >= shared.limits.max_connections {
            shared.waiting.fetch_add(1, Ordering::SeqCst);
            let deadline = Instant::now() + shared.limits.admit_wait;
            while *open >= shared.limits.max_connections && !shared.stop.load(Ordering::SeqCst) {
                let Some(left) = deadline.checked_duration_since(Instant::now()) else {
                    break;
                };
                open = match shared.closed.wait_timeout(open, left) {
                    Ok((g, _)) => g,
                    Err(p) => p.into_inner().0,
                };
            }
            shared.waiting.fetch_sub(1, Ordering::SeqCst);
        }
        if *open >= shared.limits.max_connections || shared.stop.load(Ordering::SeqCst) {
            drop(open);
            refuse_busy(stream, shared.limits.max_connections);
            return;
        }
        *open += 1;
    }
    let guard = OpenGuard(shared.clone());
    let spawned = std::thread::Builder::new()
        .name("rpc connection".into())
        .spawn(move || {
            let shared = guard.0.clone();
            serve_connection(stream, &shared);
            drop(guard);
        });
    if let Err(e) = spawned {
        // The closure (stream and guard) is dropped: the connection closes.
        tracing::warn!(target: "rpc", "admin RPC cannot start a connection thread: {e}");
    }
}

/// A quick `503` without reading the request (the accept thread must not
/// wait on a client), then close.
fn refuse_busy(mut stream: TcpStream, max: usize) {
    let text = format!("too many connections to the admin RPC (at most {max}); try again\n");
    let head = format!(
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n\
         Content-Length: {}\r\nRetry-After: 1\r\nConnection: close\r\n\r\n{text}",
        text.len()
    );
    if stream.set_nonblocking(true).is_ok() {
        let _ = stream.write_all(head.as_bytes());
    }
    let _ = stream.shutdown(NetShutdown::Write);
}

/// One parsed request.
struct Request {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    keep_alive: bool,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// An answer.
struct Response {
    status: u16,
    body: Vec<u8>,
    /// Its `Content-Type`.
    content_type: &'static str,
    /// The `Allow` header of a 405: the methods the path takes.
    allow: &'static str,
    /// Close the connection after it.
    close: bool,
    /// The request's body was not read: read and drop what follows before
    /// closing.
    drain: bool,
}

impl Response {
    fn text(status: u16, text: impl Into<String>) -> Response {
        Response {
            status,
            body: text.into().into_bytes(),
            content_type: "text/plain; charset=utf-8",
            allow: "POST",
            close: false,
            drain: false,
        }
    }
    /// An error in the request itself: answered, then the connection is closed.
    fn fatal(status: u16, text: impl Into<String>) -> Response {
        Response {
            close: true,
            drain: true,
            ..Response::text(status, text)
        }
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        200 => "OK",
        204 => "No Content",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        411 => "Length Required",
        413 => "Payload Too Large",
        415 => "Unsupported Media Type",
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        _ => "",
    }
}

/// A connection's socket and the bytes read past the current request.
struct Conn<'a> {
    stream: TcpStream,
    buf: Vec<u8>,
    shared: &'a Shared,
    /// When the connection was accepted.
    opened: Instant,
    /// Requests answered on it so far.
    served: u64,
}

/// Why reading stopped.
enum ReadEnd {
    /// The client closed, or sent nothing within the idle timeout, or the
    /// server stops: close without an answer.
    Quiet,
    /// Answer this, then close.
    Answer(Response),
}

impl Conn<'_> {
    /// Reads more bytes into `buf` before `deadline`: `Ok(false)` at end of
    /// stream, `Err(true)` when the deadline passed, `Err(false)` when the
    /// server stops while `idle` (no byte of a request yet), or another
    /// connection needs the slot of this idle one ([`Conn::yields_slot`]), or
    /// on an error.
    fn fill(&mut self, deadline: Instant, idle: bool) -> Result<bool, bool> {
        let mut chunk = [0u8; 8192];
        loop {
            let Some(left) = deadline.checked_duration_since(Instant::now()) else {
                return Err(true);
            };
            if idle && (self.shared.stop.load(Ordering::SeqCst) || self.yields_slot()) {
                return Err(false);
            }
            let slice = left.min(POLL_SLICE).max(Duration::from_millis(1));
            if self.stream.set_read_timeout(Some(slice)).is_err() {
                return Err(false);
            }
            match self.stream.read(&mut chunk) {
                Ok(0) => return Ok(false),
                Ok(n) => {
                    self.buf.extend_from_slice(&chunk[..n]);
                    return Ok(true);
                }
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock
                            | io::ErrorKind::TimedOut
                            | io::ErrorKind::Interrupted
                    ) => {}
                Err(_) => return Err(false),
            }
        }
    }

    /// Whether this idle connection gives its slot up now: a connection waits
    /// for one, and this one is kept alive between requests or has not sent
    /// its first byte within [`FIRST_BYTE_GRACE`].
    fn yields_slot(&self) -> bool {
        self.shared.waiting.load(Ordering::SeqCst) > 0
            && (self.served > 0 || self.opened.elapsed() >= FIRST_BYTE_GRACE)
    }

    /// Drops the empty lines (CR, LF) at the start of the buffer.
    fn skip_blank_lines(&mut self) {
        self.buf.drain(..blank_prefix(&self.buf));
    }

    /// Reads the next request.
    fn read_request(&mut self) -> Result<Request, ReadEnd> {
        let limits = &self.shared.limits;
        // Empty lines before a request are ignored (RFC 9112, 2.2).
        self.skip_blank_lines();
        let idle_deadline = Instant::now() + limits.idle_timeout;
        let mut deadline = None;
        let head_end = loop {
            if let Some(end) = head_bounds(&self.buf).map_err(ReadEnd::Answer)? {
                break end;
            }
            let started = !self.buf.is_empty();
            let until = if started {
                *deadline.get_or_insert_with(|| Instant::now() + limits.read_timeout)
            } else {
                idle_deadline
            };
            match self.fill(until, !started) {
                Ok(true) => self.skip_blank_lines(),
                Ok(false) if started => {
                    return Err(ReadEnd::Answer(Response::fatal(
                        400,
                        "incomplete request\n",
                    )))
                }
                Err(true) if started => return Err(ReadEnd::Answer(timed_out(limits))),
                Ok(false) | Err(_) => return Err(ReadEnd::Quiet),
            }
        };
        let deadline = deadline.unwrap_or_else(|| Instant::now() + limits.read_timeout);
        let head: Vec<u8> = self.buf.drain(..head_end.1).collect();
        let (mut rq, len) =
            parse_framing(&head[..head_end.0], limits.max_body).map_err(ReadEnd::Answer)?;
        if len > 0
            && rq
                .header("Expect")
                .is_some_and(|e| e.trim().eq_ignore_ascii_case("100-continue"))
            && (self.buf.len() as u64) < len
        {
            let _ = self.stream.write_all(b"HTTP/1.1 100 Continue\r\n\r\n");
        }
        let len = len as usize; // at most max_body
        while self.buf.len() < len {
            match self.fill(deadline, false) {
                Ok(true) => {}
                Ok(false) => {
                    return Err(ReadEnd::Answer(Response::fatal(
                        400,
                        format!(
                            "incomplete body: {} of {len} bytes (Content-Length)\n",
                            self.buf.len()
                        ),
                    )))
                }
                Err(_) => return Err(ReadEnd::Answer(timed_out(limits))),
            }
        }
        rq.body = self.buf.drain(..len).collect();
        Ok(rq)
    }
}

fn timed_out(limits: &Limits) -> Response {
    Response::fatal(
        408,
        format!(
            "the request was not received within {} s\n",
            limits.read_timeout.as_secs_f64()
        ),
    )
}

/// How many bytes of empty lines (CR, LF) start `buf`: they are ignored before a request
/// (RFC 9112, 2.2).
fn blank_prefix(buf: &[u8]) -> usize {
    buf.iter()
        .take_while(|b| matches!(b, b'\r' | b'\n'))
        .count()
}

/// Where the head at the start of `buf` ends, once it is all there (`None` while it is not);
/// `431` when it is, or would be, longer than [`MAX_HEAD`].
fn head_bounds(buf: &[u8]) -> Result<Option<(usize, usize)>, Response> {
    let end = find_head_end(buf);
    if end.map_or(buf.len(), |e| e.1) > MAX_HEAD {
        return Err(Response::fatal(
            431,
            format!("request head larger than {MAX_HEAD} bytes\n"),
        ));
    }
    Ok(end)
}

/// The request of `head` (its header lines) and its body's length, at most `max_body`.
fn parse_framing(head: &[u8], max_body: u64) -> Result<(Request, u64), Response> {
    let rq = parse_head(head)?;
    let len = body_length(&rq, max_body)?;
    Ok((rq, len))
}

/// Where the head ends: (end of the header lines, start of the body).
fn find_head_end(buf: &[u8]) -> Option<(usize, usize)> {
    let mut i = 0;
    while let Some(p) = buf[i..].iter().position(|&b| b == b'\n') {
        let nl = i + p;
        let rest = &buf[nl + 1..];
        if rest.starts_with(b"\r\n") {
            return Some((nl + 1, nl + 3));
        }
        if rest.starts_with(b"\n") {
            return Some((nl + 1, nl + 2));
        }
        i = nl + 1;
    }
    None
}

fn bad(text: impl Into<String>) -> Response {
    Response::fatal(400, text)
}

/// Parses the request line and the header lines.
fn parse_head(head: &[u8]) -> Result<Request, Response> {
    let text = std::str::from_utf8(head).map_err(|_| bad("request head is not UTF-8\n"))?;
    let mut lines = text.lines().map(|l| l.strip_suffix('\r').unwrap_or(l));
    let line = lines.next().unwrap_or("");
    let parts: Vec<&str> = line.split(' ').collect();
    let [method, target, version] = parts[..] else {
        return Err(bad(
            "malformed request line; expected METHOD PATH HTTP/1.1\n",
        ));
    };
    let minor = match version {
        "HTTP/1.1" => 1,
        "HTTP/1.0" => 0,
        v if v.starts_with("HTTP/") => {
            return Err(Response::fatal(
                505,
                "only HTTP/1.0 and HTTP/1.1 are spoken\n",
            ))
        }
        _ => {
            return Err(bad(
                "malformed request line; expected METHOD PATH HTTP/1.1\n",
            ))
        }
    };
    if method.is_empty() || target.is_empty() {
        return Err(bad(
            "malformed request line; expected METHOD PATH HTTP/1.1\n",
        ));
    }
    let mut headers = Vec::new();
    for l in lines {
        if headers.len() == MAX_HEADERS {
            return Err(Response::fatal(
                431,
                format!("more than {MAX_HEADERS} header lines\n"),
            ));
        }
        let Some((name, value)) = l.split_once(':') else {
            return Err(bad("malformed header line (no colon)\n"));
        };
        if name.is_empty() || name.bytes().any(|b| b.is_ascii_whitespace()) {
            return Err(bad("malformed header name\n"));
        }
        headers.push((name.to_string(), value.trim().to_string()));
    }
    let connection: Vec<String> = headers
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case("Connection"))
        .flat_map(|(_, v)| v.split(','))
        .map(|t| t.trim().to_ascii_lowercase())
        .collect();
    let keep_alive = if minor == 1 {
        !connection.iter().any(|t| t == "close")
    } else {
        connection.iter().any(|t| t == "keep-alive")
    };
    Ok(Request {
        method: method.to_string(),
        path: target.split('?').next().unwrap_or("").to_string(),
        headers,
        body: Vec::new(),
        keep_alive,
    })
}

/// The body's length from `Content-Length` (0 without one); chunked bodies
/// are refused.
fn body_length(rq: &Request, max_body: u64) -> Result<u64, Response> {
    if rq.header("Transfer-Encoding").is_some() {
        return Err(Response::fatal(
            411,
            "chunked request bodies are not accepted: send the body with Content-Length\n",
        ));
    }
    let mut len = None;
    for (_, v) in rq
        .headers
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case("Content-Length"))
    {
        if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad(format!("invalid Content-Length: {v:?}\n")));
        }
        // All digits: only an overflow fails, which is too large anyway.
        let n = v.parse::<u64>().unwrap_or(u64::MAX);
        if len.is_some_and(|l| l != n) {
            return Err(bad("conflicting Content-Length headers\n"));
        }
        len = Some(n);
    }
    let len = len.unwrap_or(0);
    if len > max_body {
        return Err(Response::fatal(
            413,
            format!("request too large: {len} bytes; at most {max_body}\n"),
        ));
    }
    Ok(len)
}

/// A request taken whole from a buffer by [`frame_request`].
#[derive(Debug)]
pub struct FramedRequest {
    /// The method of the request line.
    pub method: String,
    /// The path of the request line, without its query.
    pub path: String,
    /// Whether the connection stays open after the answer.
    pub keep_alive: bool,
    /// The body (`Content-Length` bytes).
    pub body: Vec<u8>,
    /// How many bytes of the buffer the request took (leading empty lines
    /// included); the next request starts there.
    pub used: usize,
}

/// Reads the first request of `buf` with the steps a connection takes on the
/// bytes it has received (empty lines skipped, the head found and parsed, the
/// body's length checked against `max_body`), without a socket: for the fuzz
/// target `rpc_body`. `Ok(None)`: the buffer ends inside the request;
/// `Err(status)`: the HTTP status the server refuses it with.
pub fn frame_request(buf: &[u8], max_body: u64) -> Result<Option<FramedRequest>, u16> {
    let skip = blank_prefix(buf);
    let rest = &buf[skip..];
    let Some((head_end, body_start)) = head_bounds(rest).map_err(|r| r.status)? else {
        return Ok(None);
    };
    let (rq, len) = parse_framing(&rest[..head_end], max_body).map_err(|r| r.status)?;
    // at most max_body, which the caller chose to hold in memory
    let len = usize::try_from(len).map_err(|_| 413u16)?;
    let Some(body) = rest.get(body_start..body_start.saturating_add(len)) else {
        return Ok(None);
    };
    Ok(Some(FramedRequest {
        method: rq.method,
        path: rq.path,
        keep_alive: rq.keep_alive,
        body: body.to_vec(),
        used: skip + body_start + len,
    }))
}

/// Answers requests on one connection until it closes, fails, idles out or
/// the server stops.
fn serve_connection(stream: TcpStream, shared: &Shared) {
    let _ = stream.set_nodelay(true);
    let _ = stream.set_write_timeout(Some(shared.limits.idle_timeout));
    let mut conn = Conn {
        stream,
        buf: Vec::new(),
        shared,
        opened: Instant::now(),
        served: 0,
    };
    loop {
        let (response, head_only, keep_alive) = match conn.read_request() {
            Ok(rq) => {
                let response = answer(&rq, shared);
                (response, rq.method == "HEAD", rq.keep_alive)
            }
            Err(ReadEnd::Quiet) => return,
            Err(ReadEnd::Answer(r)) => (r, false, false),
        };
        let close = response.close || !keep_alive || shared.stop.load(Ordering::SeqCst);
        if write_response(&mut conn.stream, &response, head_only, close).is_err() {
            return;
        }
        conn.served += 1;
        if close {
            if response.drain {
                drain(&mut conn.stream);
            }
            return;
        }
    }
}

/// After an error answer: stop sending, read and drop what the client still
/// sends (bounded in time and size), so it gets to read the answer.
fn drain(stream: &mut TcpStream) {
    let _ = stream.shutdown(NetShutdown::Write);
    let deadline = Instant::now() + DRAIN_TIME;
    let mut chunk = [0u8; 8192];
    let mut total = 0u64;
    while total < DRAIN_BYTES {
        let Some(left) = deadline.checked_duration_since(Instant::now()) else {
            return;
        };
        if stream
            .set_read_timeout(Some(left.max(Duration::from_millis(1))))
            .is_err()
        {
            return;
        }
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => total += n as u64,
        }
    }
}

fn write_response(
    stream: &mut TcpStream,
    r: &Response,
    head_only: bool,
    close: bool,
) -> io::Result<()> {
    let mut out = format!("HTTP/1.1 {} {}\r\n", r.status, reason(r.status));
    if r.status != 204 {
        out.push_str(&format!("Content-Type: {}\r\n", r.content_type));
        out.push_str(&format!("Content-Length: {}\r\n", r.body.len()));
    }
    match r.status {
        401 => out.push_str("WWW-Authenticate: Basic realm=\"oxend-stagenet\"\r\n"),
        405 => out.push_str(&format!("Allow: {}\r\n", r.allow)),
        _ => {}
    }
    if close {
        out.push_str("Connection: close\r\n");
    }
    out.push_str("\r\n");
    let mut bytes = out.into_bytes();
    if !head_only && r.status != 204 {
        bytes.extend_from_slice(&r.body);
    }
    stream.write_all(&bytes)?;
    stream.flush()
}

/// The answer to a complete request.
fn answer(rq: &Request, shared: &Shared) -> Response {
    let authorized = shared
        .auth
        .as_deref()
        .is_none_or(|want| rq.header("Authorization") == Some(want));
    // A web page in the operator's browser can POST to 127.0.0.1 too. Browsers
    // send `Origin` on such requests and cannot send `application/json`
    // cross-origin without a CORS preflight, which is never answered here.
    let origin_ok = rq
        .header("Origin")
        .is_none_or(|o| shared.origins.iter().any(|a| a == o));
    let json_body = rq.header("Content-Type").is_some_and(|t| {
        t.trim()
            .to_ascii_lowercase()
            .starts_with("application/json")
    });
    if !origin_ok {
        Response::text(403, "cross-origin requests are refused\n")
    } else if !authorized {
        Response::text(401, "login required\n")
    } else if rq.path == "/metrics" {
        if rq.method == "GET" || rq.method == "HEAD" {
            let (text, content_type) = crate::metrics::answer(
                &shared.ctx.state,
                &shared.ctx.settings.data_dir(),
                rq.header("Accept"),
            );
            Response {
                content_type,
                ..Response::text(200, text)
            }
        } else {
            Response {
                allow: "GET, HEAD",
                ..Response::text(405, "use GET /metrics\n")
            }
        }
    } else if rq.path != "/json_rpc" {
        Response::text(404, "not found; use POST /json_rpc\n")
    } else if rq.method != "POST" {
        Response::text(405, "use POST /json_rpc\n")
    } else if !json_body {
        Response::text(415, "send Content-Type: application/json\n")
    } else {
        match shared.methods.handle_body(&shared.ctx, &rq.body) {
            Some(out) => {
                tracing::debug!(target: "rpc", "admin RPC {}", outcome(&out));
                Response {
                    content_type: "application/json",
                    ..Response::text(200, out.to_string())
                }
            }
            // notification(s): no body
            None => Response::text(204, ""),
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
