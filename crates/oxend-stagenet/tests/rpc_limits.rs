//! The admin RPC survives running out of file descriptors (RELIABILITY.md
//! R6): the real daemon under a small open-files limit, more idle
//! connections than descriptors, then a `get_info` once they are gone.

use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{closed_port, rpc_call, Node, BIN, DEADLINE};

#[test]
fn the_admin_rpc_survives_running_out_of_file_descriptors() {
    let mut node = Node::new("");
    let _ = closed_port();
    // `ulimit -n 40`: fewer descriptors than the 64 connections allowed.
    let child = Command::new("sh")
        .arg("-c")
        .arg("ulimit -n 40 && exec \"$0\" \"$@\"")
        .arg(BIN)
        .arg("--config-file")
        .arg(node.config())
        .arg("--non-interactive")
        .arg("--rpc-address-file")
        .arg(node.addr_file())
        .env_remove("NOTIFY_SOCKET")
        .env_remove("WATCHDOG_USEC")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::from(
            std::fs::File::create(node.stderr_file()).unwrap(),
        ))
        .spawn()
        .unwrap();
    node.child = Some(child);
    let start = Instant::now();
    let addr = loop {
        if let Some(line) = std::fs::read_to_string(node.addr_file())
            .ok()
            .and_then(|t| t.lines().next().map(str::to_string))
        {
            break line;
        }
        if let Some(status) = node.child.as_mut().unwrap().try_wait().unwrap() {
            panic!("daemon exited with {status}: {}", node.stderr());
        }
        assert!(start.elapsed() < DEADLINE, "daemon did not come up");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(rpc_call(&addr, "get_info")["result"]["status"], "OK");

    // 60 idle connections: more than the descriptors left, fewer than the
    // connection limit, so accept() runs into EMFILE.
    let idle: Vec<TcpStream> = (0..60)
        .map(|_| TcpStream::connect(&addr).unwrap())
        .collect();
    let pid = node.child.as_ref().unwrap().id();
    crate::common::wait_for(
        "the daemon to run out of descriptors",
        || node.log(),
        || node.log().contains("admin RPC cannot accept connections"),
    );
    let open = std::fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap()
        .count();
    assert!(open >= 38, "{open} descriptors open");
    drop(idle);
    // The listener is still there: a new client is answered.
    assert_eq!(rpc_call(&addr, "get_info")["result"]["status"], "OK");
    node.signal("-TERM");
    assert!(node.wait().success(), "{}", node.stderr());
}
