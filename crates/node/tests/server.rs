//! The admin RPC server on a real loopback socket: request limits (batch
//! size, connections, timeouts) and surviving running out of descriptors.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use snode_node::server::{AdminServer, Ctx, Methods};
use snode_node::shutdown::Shutdown;
use snode_node::state::NodeState;

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
    let state = Arc::new(NodeState::new(
        false,
        keys.public.clone(),
        settings.public_ip(),
        settings.quorumnet_port,
    ));
    Arc::new(Ctx {
        state,
        keys: Arc::new(keys),
        settings: Arc::new(settings),
        shutdown: Shutdown::new(),
    })
}

fn serve() -> Served {
    let dir = tempfile::tempdir().unwrap();
    let ctx = ctx(dir.path());
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let server =
        AdminServer::start(vec![listener], Arc::new(Methods::standard()), ctx, None).unwrap();
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
