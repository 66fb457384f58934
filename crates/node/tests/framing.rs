//! `http::frame_request`: the HTTP framing of the admin RPC on a buffer, as
//! the fuzz target `rpc_body` drives it.

use snode_node::server::http::frame_request;

const MAX: u64 = 1 << 20;

#[test]
fn pipelined_requests_are_taken_one_at_a_time() {
    let buf = b"\r\nPOST /json_rpc?x=1 HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}\
                POST /json_rpc HTTP/1.0\nContent-Length: 3\n\n[1]";
    let first = frame_request(buf, MAX).unwrap().unwrap();
    assert_eq!(
        (first.method.as_str(), first.path.as_str()),
        ("POST", "/json_rpc")
    );
    assert_eq!(first.body, b"{}");
    assert!(first.keep_alive);
    let rest = &buf[first.used..];
    assert!(rest.starts_with(b"POST /json_rpc HTTP/1.0"));
    let second = frame_request(rest, MAX).unwrap().unwrap();
    assert_eq!(second.body, b"[1]");
    assert!(!second.keep_alive, "HTTP/1.0 closes unless asked");
    assert_eq!(second.used, rest.len());
}

#[test]
fn incomplete_requests_need_more_bytes() {
    assert!(
        frame_request(b"POST /json_rpc HTTP/1.1\r\nHost: x\r\n", MAX)
            .unwrap()
            .is_none()
    );
    assert!(frame_request(
        b"POST /json_rpc HTTP/1.1\r\nContent-Length: 5\r\n\r\n{}",
        MAX
    )
    .unwrap()
    .is_none());
}

#[test]
fn refused_requests_get_the_server_status() {
    let cases: [(&[u8], u16); 6] = [
        (
            b"POST /json_rpc HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n",
            411,
        ),
        (
            b"POST /json_rpc HTTP/1.1\r\nContent-Length: 1048577\r\n\r\n",
            413,
        ),
        (
            b"POST /json_rpc HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
            400,
        ),
        (b"POST /json_rpc HTTP/2.0\r\n\r\n", 505),
        (b"POST /json_rpc\r\n\r\n", 400),
        (b"POST /json_rpc HTTP/1.1\r\nBad Header: x\r\n\r\n", 400),
    ];
    for (buf, status) in cases {
        assert_eq!(
            frame_request(buf, MAX).unwrap_err(),
            status,
            "{}",
            String::from_utf8_lossy(buf)
        );
    }
    let huge = format!(
        "POST /json_rpc HTTP/1.1\r\nX: {}\r\n",
        "a".repeat(17 * 1024)
    );
    assert_eq!(frame_request(huge.as_bytes(), MAX).unwrap_err(), 431);
}
