//! The one HTTP/1.1 server of the test stubs: std `TcpListener` on
//! 127.0.0.1:0, one thread per connection. Each request is read whole
//! (headers, then `Content-Length` bytes) before it is answered, so a client
//! never sees a reset.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

/// Whether a connection serves one request or several.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Connection {
    /// `Connection: close` after the answer.
    Close,
    /// Keep-alive: answer requests until the client closes.
    KeepAlive,
}

/// The reason phrase of the statuses the stubs send.
pub fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Error",
    }
}

/// Serves every request with `answer(request body)`: `Some((status, JSON
/// body))`, or `None` to close the connection without answering. Returns
/// the port.
pub fn serve(
    connection: Connection,
    answer: impl Fn(&str) -> Option<(u16, String)> + Send + Sync + 'static,
) -> u16 {
    let answer = Arc::new(answer);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let answer = answer.clone();
            thread::spawn(move || handle(stream, connection, &*answer));
        }
    });
    port
}

/// Reads one request's body; `None` when the client closed.
fn read_request(reader: &mut BufReader<TcpStream>) -> Option<String> {
    let mut length = 0usize;
    let mut first = true;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        if first && line.trim().is_empty() {
            continue; // stray line breaks between keep-alive requests
        }
        first = false;
        if line.trim().is_empty() {
            break;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = v.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0u8; length];
    reader.read_exact(&mut body).ok()?;
    Some(String::from_utf8_lossy(&body).into_owned())
}

fn handle(
    stream: TcpStream,
    connection: Connection,
    answer: &(dyn Fn(&str) -> Option<(u16, String)> + Send + Sync),
) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    while let Some(request) = read_request(&mut reader) {
        let Some((status, body)) = answer(&request) else {
            return;
        };
        let close = if connection == Connection::Close {
            "Connection: close\r\n"
        } else {
            ""
        };
        let mut out = &stream;
        let sent = write!(
            out,
            "HTTP/1.1 {status} {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
             {close}\r\n{body}",
            reason(status),
            body.len()
        );
        if sent.is_err() || connection == Connection::Close {
            return;
        }
    }
}
