//! The admin RPC server on a real loopback socket: request limits (batch
//! size, connections, timeouts) and surviving running out of descriptors.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use snode_node::server::http::Limits;
use snode_node::server::{AdminServer, Ctx, Methods};
use snode_node::shutdown::Shutdown;

struct Served {
    _dir: tempfile::TempDir,
    server: Option<AdminServer>,
    addr: SocketAddr,
}

impl Drop for Served {
    fn drop(&mut self) {
        if let Some(s) = self.server.take() {
            s.stop();
        }
    }
}

fn ctx(dir: &std::path::Path) -> Arc<Ctx> {
    let conf = format!("data-dir={}\nstagenet=1\n", dir.display());
    let doc = snode_conf::parse(&conf, "test.conf").unwrap();
    let settings = snode_conf::Settings::from_sources(Some(&doc), &[]).unwrap();
    let (keys, _) = snode_node::keys::load_or_create_keys(dir, false).unwrap();
    Arc::new(Ctx::new(settings, keys, Shutdown::new()))
}

fn serve() -> Served {
    serve_with(Limits::default())
}

fn serve_with(limits: Limits) -> Served {
    let dir = tempfile::tempdir().unwrap();
    let ctx = ctx(dir.path());
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let server = AdminServer::start_with(
        vec![listener],
        Arc::new(Methods::standard()),
        ctx,
        None,
        limits,
    )
    .unwrap();
    let addr = server.addrs()[0];
    Served {
        _dir: dir,
        server: Some(server),
        addr,
    }
}

/// Sends `body` as one `POST /json_rpc` on a new connection; the status code
/// and the body of the answer.
fn post(addr: SocketAddr, body: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    write!(
        s,
        "POST /json_rpc HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    read_response(&mut BufReader::new(s))
}

/// Reads one HTTP response (`Content-Length` or chunked body, none for 204).
fn read_response(r: &mut impl BufRead) -> (u16, String) {
    let mut line = String::new();
    r.read_line(&mut line).unwrap();
    let code: u16 = line
        .split(' ')
        .nth(1)
        .unwrap_or_else(|| panic!("not a status line: {line:?}"))
        .parse()
        .unwrap();
    let mut len = 0usize;
    let mut chunked = false;
    loop {
        let mut h = String::new();
        r.read_line(&mut h).unwrap();
        if h == "\r\n" || h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            if k.eq_ignore_ascii_case("content-length") {
                len = v.trim().parse().unwrap();
            }
            if k.eq_ignore_ascii_case("transfer-encoding") {
                chunked = v.trim().eq_ignore_ascii_case("chunked");
            }
        }
    }
    let mut body = vec![0; len];
    r.read_exact(&mut body).unwrap();
    while chunked {
        let mut size = String::new();
        r.read_line(&mut size).unwrap();
        let n = usize::from_str_radix(size.trim(), 16).unwrap();
        let mut chunk = vec![0; n + 2];
        r.read_exact(&mut chunk).unwrap();
        body.extend_from_slice(&chunk[..n]);
        chunked = n > 0;
    }
    (code, String::from_utf8(body).unwrap())
}

fn batch(n: usize) -> String {
    let calls: Vec<Value> = (0..n)
        .map(|i| json!({"jsonrpc": "2.0", "id": i, "method": "get_info"}))
        .collect();
    Value::Array(calls).to_string()
}

#[test]
fn batches_over_100_calls_are_refused_whole() {
    let s = serve();
    let (code, text) = post(s.addr, &batch(100));
    assert_eq!(code, 200, "{text}");
    let answers: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(answers.as_array().unwrap().len(), 100);
    assert_eq!(answers[99]["result"]["status"], "OK");

    let (code, text) = post(s.addr, &batch(101));
    assert_eq!(code, 200, "{text}");
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        v,
        json!({"jsonrpc": "2.0", "id": null, "error": {"code": -32600,
            "message": "Invalid Request",
            "data": "batch of 101 calls; at most 100 calls per batch: split it"}})
    );
    let (code, text) = post(s.addr, &batch(20_000));
    assert_eq!(code, 200);
    assert!(text.contains("batch of 20000 calls"), "{text}");
}

/// Bounds a test that would otherwise hang; not a timing assertion.
const DEADLINE: Duration = Duration::from_secs(60);

const GET_INFO: &str = r#"{"jsonrpc":"2.0","id":1,"method":"get_info"}"#;

fn connect(addr: SocketAddr) -> TcpStream {
    let s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(DEADLINE)).unwrap();
    s
}

/// Reads until the server closes the connection (failing past [`DEADLINE`]).
fn read_to_close(s: &mut TcpStream) -> String {
    let mut out = Vec::new();
    match s.read_to_end(&mut out) {
        Ok(_) => {}
        // a reset after the answer also ends the connection
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {}
        Err(e) => panic!("the server did not close the connection: {e}"),
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Polls until a `get_info` on a new connection is answered 200.
fn wait_answered(addr: SocketAddr) {
    let start = Instant::now();
    loop {
        let answered = std::panic::catch_unwind(|| post(addr, GET_INFO).0 == 200).unwrap_or(false);
        if answered {
            return;
        }
        assert!(start.elapsed() < DEADLINE, "get_info never answered");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn connections_over_the_limit_get_503_and_the_server_goes_on() {
    let s = serve_with(Limits {
        max_connections: 4,
        admit_wait: Duration::ZERO,
        idle_timeout: DEADLINE,
        ..Limits::default()
    });
    // Four idle connections take every slot; one of them proves it is
    // served by being answered (so all four were accepted before the fifth).
    let mut idle: Vec<TcpStream> = (0..4).map(|_| connect(s.addr)).collect();
    write!(
        idle[3],
        "POST /json_rpc HTTP/1.1\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n{GET_INFO}",
        GET_INFO.len()
    )
    .unwrap();
    let (code, _) = read_response(&mut BufReader::new(idle[3].try_clone().unwrap()));
    assert_eq!(
        code, 200,
        "a kept-alive connection is still open afterwards"
    );
    let mut fifth = connect(s.addr);
    let text = read_to_close(&mut fifth);
    assert!(
        text.starts_with("HTTP/1.1 503 Service Unavailable\r\n"),
        "{text:?}"
    );
    assert!(text.contains("at most 4"), "{text}");
    idle.clear();
    wait_answered(s.addr);
}

#[test]
fn a_connection_over_the_limit_waits_and_idle_ones_make_room() {
    let s = serve_with(Limits {
        max_connections: 2,
        admit_wait: Duration::from_secs(30),
        idle_timeout: DEADLINE,
        ..Limits::default()
    });
    let request = format!(
        "POST /json_rpc HTTP/1.1\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n{GET_INFO}",
        GET_INFO.len()
    );
    // One connection kept alive after an answer, and one in the middle of
    // sending its request head: every slot taken.
    let mut kept = connect(s.addr);
    kept.write_all(request.as_bytes()).unwrap();
    assert_eq!(
        read_response(&mut BufReader::new(kept.try_clone().unwrap())).0,
        200
    );
    let mut partial = connect(s.addr);
    let (head, rest) = request.split_at(20);
    partial.write_all(head.as_bytes()).unwrap();
    std::thread::sleep(Duration::from_millis(200));
    // A third is served, not refused: the kept-alive one gave its slot up
    // (closed without an answer) ...
    let (code, body) = post(s.addr, GET_INFO);
    assert_eq!(code, 200, "the third connection is served: {body}");
    assert_eq!(read_to_close(&mut kept), "", "kept-alive connection closed");
    // ... the one in the middle of a request did not, and is answered.
    partial.write_all(rest.as_bytes()).unwrap();
    let (code, _) = read_response(&mut BufReader::new(partial.try_clone().unwrap()));
    assert_eq!(code, 200, "a started request keeps its slot");
}

#[test]
fn a_connection_that_sends_nothing_gives_its_slot_up_when_another_waits() {
    let s = serve_with(Limits {
        max_connections: 1,
        admit_wait: Duration::from_secs(30),
        idle_timeout: DEADLINE,
        ..Limits::default()
    });
    let mut silent = connect(s.addr);
    std::thread::sleep(Duration::from_millis(100));
    let (code, body) = post(s.addr, GET_INFO);
    assert_eq!(code, 200, "served once the silent one is closed: {body}");
    assert_eq!(read_to_close(&mut silent), "", "silent connection closed");
}

#[test]
fn a_slow_body_is_cut_off_with_408_and_others_are_answered_meanwhile() {
    let s = serve_with(Limits {
        read_timeout: Duration::from_secs(1),
        ..Limits::default()
    });
    // A body that trickles in one byte at a time and would never end.
    let mut slow = connect(s.addr);
    write!(
        slow,
        "POST /json_rpc HTTP/1.1\r\nContent-Type: application/json\r\n\
         Content-Length: 1000000\r\n\r\n{{"
    )
    .unwrap();
    let mut writer = slow.try_clone().unwrap();
    let trickle = std::thread::spawn(move || {
        for _ in 0..600 {
            if writer.write_all(b" ").is_err() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        false
    });
    // Meanwhile another client is answered.
    let (code, text) = post(s.addr, GET_INFO);
    assert_eq!(code, 200, "{text}");
    let text = read_to_close(&mut slow);
    assert!(
        text.starts_with("HTTP/1.1 408 Request Timeout\r\n"),
        "{text:?}"
    );
    assert!(
        trickle.join().unwrap(),
        "the server kept reading the endless body"
    );
}

#[test]
fn silent_and_idle_connections_are_closed() {
    let s = serve_with(Limits {
        idle_timeout: Duration::from_secs(1),
        ..Limits::default()
    });
    let mut silent = connect(s.addr);
    assert_eq!(read_to_close(&mut silent), "", "closed without an answer");
    // Headers begun but never finished: 408.
    let s2 = serve_with(Limits {
        read_timeout: Duration::from_secs(1),
        ..Limits::default()
    });
    let mut half2 = connect(s2.addr);
    half2
        .write_all(b"POST /json_rpc HTTP/1.1\r\nContent-Ty")
        .unwrap();
    assert!(read_to_close(&mut half2).starts_with("HTTP/1.1 408 "));
}

#[test]
fn keep_alive_pipelining_expect_continue_and_refusals() {
    let s = serve();
    // Two requests sent at once on one connection: two answers, in order.
    let mut c = connect(s.addr);
    let one = format!(
        "POST /json_rpc HTTP/1.1\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n{GET_INFO}",
        GET_INFO.len()
    );
    c.write_all(format!("{one}{one}").as_bytes()).unwrap();
    let mut r = BufReader::new(c.try_clone().unwrap());
    for _ in 0..2 {
        let (code, text) = read_response(&mut r);
        assert_eq!(code, 200, "{text}");
        assert!(text.contains("\"status\":\"OK\""), "{text}");
    }
    // Expect: 100-continue is answered before the body is sent.
    c.write_all(
        format!(
            "POST /json_rpc HTTP/1.1\r\nContent-Type: application/json\r\n\
             Expect: 100-continue\r\nContent-Length: {}\r\n\r\n",
            GET_INFO.len()
        )
        .as_bytes(),
    )
    .unwrap();
    assert_eq!(read_response(&mut r).0, 100);
    c.write_all(GET_INFO.as_bytes()).unwrap();
    assert_eq!(read_response(&mut r).0, 200);

    let refused = |request: &str| {
        let mut c = connect(s.addr);
        c.write_all(request.as_bytes()).unwrap();
        read_to_close(&mut c)
    };
    let chunked = refused(
        "POST /json_rpc HTTP/1.1\r\nContent-Type: application/json\r\n\
         Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
    );
    assert!(
        chunked.starts_with("HTTP/1.1 411 Length Required\r\n"),
        "{chunked}"
    );
    // Too large: refused from the header, before the body is read.
    let big = refused(
        "POST /json_rpc HTTP/1.1\r\nContent-Type: application/json\r\n\
         Content-Length: 10485760\r\n\r\n",
    );
    assert!(
        big.starts_with("HTTP/1.1 413 Payload Too Large\r\n"),
        "{big}"
    );
    for bad in [
        "garbage\r\n\r\n",
        "GET /json_rpc\r\n\r\n",
        "POST /json_rpc HTTP/1.1\r\nContent-Length: abc\r\n\r\n",
        "POST /json_rpc HTTP/1.1\r\nno colon\r\n\r\n",
    ] {
        let text = refused(bad);
        assert!(
            text.starts_with("HTTP/1.1 400 Bad Request\r\n"),
            "{bad:?}: {text}"
        );
    }
    let head = refused(&format!(
        "POST /json_rpc HTTP/1.1\r\nX: {}\r\n\r\n",
        "a".repeat(20_000)
    ));
    assert!(head.starts_with("HTTP/1.1 431 "), "{head}");
    // The server still answers.
    assert_eq!(post(s.addr, GET_INFO).0, 200);
}
