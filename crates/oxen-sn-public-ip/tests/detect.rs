//! `oxen-sn-public-ip` against stub sources on 127.0.0.1.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::process::Command;
use std::thread;

/// A source answering every request with `body` (HTTP 200, text/plain).
fn source(body: &'static str) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            read_request(&stream);
            let mut s = stream;
            let _ = write!(
                s,
                "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    format!("http://{addr}/")
}

/// A source that accepts connections and never answers.
fn hanging_source() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    thread::spawn(move || {
        let mut held: Vec<TcpStream> = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
        }
    });
    format!("http://{addr}/hang")
}

/// How the tool names a source in its messages (redacted like a provider URL).
fn shown(url: &str) -> String {
    snode_conf::redact_url(url)
}

fn read_request(stream: &TcpStream) {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    while reader.read_line(&mut line).unwrap_or(0) > 0 && line != "\r\n" {
        line.clear();
    }
}

fn run(sources: &[String], extra: &[&str]) -> (i32, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_oxen-sn-public-ip"));
    for s in sources {
        cmd.args(["--source", s]);
    }
    let out = cmd.args(extra).output().unwrap();
    let code = out.status.code().expect("exited normally");
    (
        code,
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

const A: &str = "51.15.0.7";
const B: &str = "51.15.0.8";

#[test]
fn three_agree() {
    let s = vec![
        source("51.15.0.7\n"),
        source("51.15.0.7"),
        source("  51.15.0.7\r\n"),
    ];
    let (code, out, err) = run(&s, &["--interface-address", A]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "51.15.0.7\n");
    assert_eq!(err, "", "nothing to warn about");
}

#[test]
fn outlier_is_named_in_a_warning() {
    let outlier = source(B);
    let s = vec![source(A), outlier.clone(), source(A)];
    let outlier = shown(&outlier);
    let (code, out, err) = run(&s, &["--interface-address", A]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, format!("{A}\n"));
    assert!(
        err.contains(&format!(
            "warning: {outlier} reported {B}, unlike the others"
        )),
        "{err}"
    );
}

#[test]
fn three_different_answers_fail_with_guidance() {
    let s = vec![source(A), source(B), source("51.15.0.9")];
    let (code, out, err) = run(&s, &[]);
    assert_eq!(code, 1, "{out}{err}");
    assert_eq!(out, "");
    for want in [
        "do not agree",
        "said 51.15.0.7",
        "said 51.15.0.8",
        "said 51.15.0.9",
        "enter it by hand",
    ] {
        assert!(err.contains(want), "missing {want:?}: {err}");
    }
}

#[test]
fn private_answer_is_rejected() {
    let s = vec![source("10.0.0.5"), source("10.0.0.5"), source("10.0.0.5")];
    let (code, out, err) = run(&s, &[]);
    assert_eq!(code, 3, "{out}{err}");
    assert_eq!(out, "");
    assert!(
        err.contains("10.0.0.5, which is not a public address (private network 10.0.0.0/8"),
        "{err}"
    );
    let s = vec![source("100.72.1.2"), source("100.72.1.2")];
    let (code, _, err) = run(&s, &[]);
    assert_eq!(code, 3);
    assert!(err.contains("carrier-grade NAT"), "{err}");
}

#[test]
fn a_hanging_source_does_not_block_the_answer() {
    let hang = hanging_source();
    let s = vec![source(A), hang.clone(), source(A)];
    let (code, out, err) = run(&s, &["--timeout", "2", "--interface-address", A]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, format!("{A}\n"));
    assert!(
        err.contains(&format!("warning: {}: no answer within 2 s", shown(&hang))),
        "{err}"
    );
}

#[test]
fn garbage_is_not_a_vote() {
    let s = vec![source(A), source("<html>blocked</html>"), source(A)];
    let (code, out, err) = run(&s, &["--interface-address", A]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, format!("{A}\n"));
    assert!(err.contains("not an IPv4 address"), "{err}");
    let s = vec![source(A), source("nonsense"), source("also nonsense")];
    let (code, _, _) = run(&s, &[]);
    assert_eq!(code, 1, "one answer alone is not agreement");
}

#[test]
fn nat_is_a_warning_and_json_tells_placement() {
    let s = vec![source(A), source(A)];
    let (code, out, err) = run(
        &s,
        &[
            "--interface-address",
            "10.0.0.4",
            "--interface-address",
            "127.0.0.1",
        ],
    );
    assert_eq!(code, 0);
    assert_eq!(out, format!("{A}\n"));
    assert!(
        err.contains("not on any interface of this host (10.0.0.4, 127.0.0.1): it is behind NAT"),
        "{err}"
    );
    let (code, out, _) = run(&s, &["--json", "--interface-address", A]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["address"], A);
    assert_eq!(v["ok"], true);
    assert_eq!(v["placement"], "on-interface");
    assert_eq!(v["votes"], 2);
}

/// A URL on 127.0.0.1 where nobody listens.
fn dead_source() -> String {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    format!("http://127.0.0.1:{port}/")
}

#[test]
fn no_answer_fails_even_with_a_public_interface_address() {
    let dead = dead_source();
    let (code, out, err) = run(&[dead.clone(), dead.clone()], &["--interface-address", A]);
    assert_eq!(code, 4, "{out}{err}");
    assert_eq!(out, "", "an interface address is never the answer");
    assert!(err.contains("no source answered"), "{err}");
    assert!(err.contains("enter the address by hand"), "{err}");
    assert!(
        err.contains("this host has 51.15.0.7 on an interface"),
        "{err}"
    );
    let (code, out, err) = run(&[dead.clone(), dead], &["--interface-address", "10.0.0.4"]);
    assert_eq!(code, 4, "{out}{err}");
    assert!(err.contains("check the network"), "{err}");
    assert!(!err.contains("on an interface"), "{err}");
}

#[test]
fn a_single_answering_source_fails_with_guidance() {
    let dead = dead_source();
    let one = source(A);
    // The same address on an interface does not make one answer enough.
    let (code, out, err) = run(
        &[one.clone(), dead.clone(), dead.clone()],
        &["--interface-address", A],
    );
    assert_eq!(code, 1, "{out}{err}");
    assert_eq!(out, "");
    for want in [
        "only one source answered".to_string(),
        format!("{} said {A}", shown(&one)),
        "at least two sources".to_string(),
        "enter the address by hand".to_string(),
        format!("warning: {}: no answer", shown(&dead)),
    ] {
        assert!(err.contains(&want), "missing {want:?}: {err}");
    }
    let (code, out, _) = run(&[one, dead], &["--json", "--interface-address", A]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["ok"], false);
    assert_eq!(v["address"], serde_json::Value::Null);
    assert_eq!(v["answered"], 1);
}

#[test]
fn sources_from_the_environment() {
    let list = format!("{}, {} {}", source(A), source(A), source(A));
    let out = Command::new(env!("CARGO_BIN_EXE_oxen-sn-public-ip"))
        .args(["--interface-address", A])
        .env("OXEN_SN_PUBLIC_IP_SOURCES", list)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.stdout, format!("{A}\n").as_bytes());
}

#[test]
fn help_documents_exit_statuses_and_defaults_are_https() {
    let (code, out, _) = run(&[], &["--help"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("Exit status:")
            && out.contains("3  the sources agree on an address that is not public")
    );
    assert!(oxen_sn_public_ip::DEFAULT_SOURCES.len() >= 3);
    assert!(oxen_sn_public_ip::DEFAULT_SOURCES
        .iter()
        .all(|s| s.starts_with("https://")));
    assert_eq!(oxen_sn_public_ip::command().get_name(), "oxen-sn-public-ip");
}

/// `--brief`, for the installer's dialog: one line on stderr, the reason of a
/// failure without each source's error, or the NAT warning with the address.
#[test]
fn brief_gives_one_line_summaries() {
    let dead = dead_source();
    let (code, out, err) = run(
        &[dead.clone(), dead.clone(), dead.clone(), dead],
        &["--brief"],
    );
    assert_eq!((code, out.as_str()), (4, ""), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("no source answered"), "{err}");
    assert!(!err.contains("127.0.0.1"), "no per-source error: {err}");

    let s = vec![source(A), source(A)];
    let (code, out, err) = run(&s, &["--brief", "--interface-address", "10.0.0.4"]);
    assert_eq!((code, out), (0, format!("{A}\n")));
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("behind NAT or a floating IP"), "{err}");
    let (code, _, err) = run(&s, &["--brief", "--interface-address", A]);
    assert_eq!((code, err.as_str()), (0, ""));
}
