//! Helpers: run the real `oxend-stagenet` binary in a temp dir on port 0.

#![allow(dead_code)]

use std::fs;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_oxend-stagenet");
/// Generous: the machine is shared; this is a deadline for "it happened", not a
/// timing assertion.
pub const DEADLINE: Duration = Duration::from_secs(120);
pub const EXIT_CONFIG: i32 = 78;
pub const FAKE_API_KEY: &str = "FAKEapikey0123456789abcdefXYZ";

/// One admin JSON-RPC request (id 7) to the daemon at `addr`; the whole reply.
pub fn rpc_call(addr: &str, method: &str) -> serde_json::Value {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let body = serde_json::json!({"jsonrpc": "2.0", "id": 7, "method": method});
    agent
        .post(format!("http://{addr}/json_rpc"))
        .send_json(&body)
        .unwrap()
        .body_mut()
        .read_json()
        .unwrap()
}

/// A port on 127.0.0.1 that nothing listens on (bound, then released).
pub fn closed_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

pub struct Node {
    pub dir: tempfile::TempDir,
    pub child: Option<Child>,
}

impl Node {
    /// A temp dir with a config file: service node, public test IP, an unreachable
    /// provider carrying a fake API key, admin RPC on port 0, the chain follower
    /// off (no P2P listener on 0.0.0.0:11022; the chain tests turn it on with a
    /// loopback port, [`Node::with_follower`]), plus `extra` lines.
    pub fn new(extra: &str) -> Node {
        let dir = tempfile::tempdir().unwrap();
        let n = Node { dir, child: None };
        let conf = format!(
            "data-dir={data}\nlog-file={log}\nservice-node=1\nstagenet=1\n\
             service-node-public-ip=1.2.3.4\n\
             l2-provider=http://127.0.0.1:{port}/v2/{FAKE_API_KEY}?apikey={FAKE_API_KEY}\n\
             rpc-admin=127.0.0.1:0\nchain-follower=0\n{extra}",
            data = n.data_dir().display(),
            log = n.log_file().display(),
            port = closed_port(),
        );
        n.write_config(&conf);
        n
    }

    /// [`Node::new`] with the chain follower on, its P2P listener on
    /// 127.0.0.1:`p2p_port`, plus `extra` lines (e.g. peers on loopback).
    pub fn with_follower(p2p_port: u16, extra: &str) -> Node {
        let n = Node::new("");
        let conf = fs::read_to_string(n.config()).unwrap().replace(
            "chain-follower=0\n",
            &format!("chain-follower=1\np2p-bind-ip=127.0.0.1\np2p-bind-port={p2p_port}\n{extra}"),
        );
        n.write_config(&conf);
        n
    }

    /// A temp dir with exactly this config text.
    pub fn with_config(text: &str) -> Node {
        let dir = tempfile::tempdir().unwrap();
        let n = Node { dir, child: None };
        let text = text.replace("{DIR}", &n.dir.path().display().to_string());
        n.write_config(&text);
        n
    }

    pub fn write_config(&self, text: &str) {
        fs::write(self.config(), text).unwrap();
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
    pub fn config(&self) -> PathBuf {
        self.path("stagenet.conf")
    }
    pub fn data_dir(&self) -> PathBuf {
        self.path("data")
    }
    pub fn log_file(&self) -> PathBuf {
        self.path("log/node.log")
    }
    pub fn stderr_file(&self) -> PathBuf {
        self.path("stderr.txt")
    }
    pub fn addr_file(&self) -> PathBuf {
        self.path("rpc-addr")
    }

    fn daemon_command(&self, extra_args: &[&str]) -> Command {
        let mut c = Command::new(BIN);
        c.arg("--config-file")
            .arg(self.config())
            .arg("--non-interactive")
            .arg("--rpc-address-file")
            .arg(self.addr_file())
            .args(extra_args)
            .env_remove("NOTIFY_SOCKET")
            .env_remove("WATCHDOG_USEC")
            .env_remove("JOURNAL_STREAM")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::from(fs::File::create(self.stderr_file()).unwrap()));
        c
    }

    /// Starts the daemon and waits until its admin RPC address file appears.
    pub fn start(&mut self, extra_args: &[&str], env: &[(&str, &str)]) -> String {
        let _ = fs::remove_file(self.addr_file());
        let mut c = self.daemon_command(extra_args);
        for (k, v) in env {
            c.env(k, v);
        }
        self.child = Some(c.spawn().unwrap());
        let start = Instant::now();
        loop {
            if let Ok(text) = fs::read_to_string(self.addr_file()) {
                if let Some(line) = text.lines().next() {
                    return line.to_string();
                }
            }
            if let Some(status) = self.child.as_mut().unwrap().try_wait().unwrap() {
                panic!("daemon exited with {status}: {}", self.stderr());
            }
            assert!(
                start.elapsed() < DEADLINE,
                "daemon did not come up: {}",
                self.stderr()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Runs the daemon to completion (startup failures).
    pub fn run_to_exit(&self, extra_args: &[&str]) -> (ExitStatus, String) {
        let mut child = self.daemon_command(extra_args).spawn().unwrap();
        let status = wait_exit(&mut child);
        (status, self.stderr())
    }

    pub fn stderr(&self) -> String {
        fs::read_to_string(self.stderr_file()).unwrap_or_default()
    }

    pub fn log(&self) -> String {
        fs::read_to_string(self.log_file()).unwrap_or_default()
    }

    /// Runs `oxend-stagenet --config-file <conf> --rpc-admin <addr> <args>`.
    pub fn client(&self, addr: &str, args: &[&str]) -> Output {
        client(&self.config(), addr, args)
    }

    pub fn signal(&self, sig: &str) {
        let pid = self.child.as_ref().unwrap().id().to_string();
        let ok = Command::new("kill").args([sig, &pid]).status().unwrap();
        assert!(ok.success());
    }

    /// Waits for the daemon to exit and returns its status.
    pub fn wait(&mut self) -> ExitStatus {
        let mut child = self.child.take().unwrap();
        wait_exit(&mut child)
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

pub fn wait_exit(child: &mut Child) -> ExitStatus {
    let start = Instant::now();
    loop {
        if let Some(s) = child.try_wait().unwrap() {
            return s;
        }
        if start.elapsed() > DEADLINE {
            let _ = child.kill();
            panic!("process did not exit");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

pub fn client(config: &Path, addr: &str, args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("--config-file")
        .arg(config)
        .arg("--rpc-admin")
        .arg(addr)
        .args(args)
        .env_remove("NOTIFY_SOCKET")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A one-shot fake L2 provider answering every request with `result`.
pub fn fake_provider(result: &'static str) -> String {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in l.incoming() {
            let Ok(mut s) = stream else { break };
            let mut buf = Vec::new();
            let mut chunk = [0u8; 1024];
            // Read headers, then Content-Length bytes of body.
            loop {
                let n = s.read(&mut chunk).unwrap_or(0);
                if n == 0 {
                    break;
                }
                buf.extend_from_slice(&chunk[..n]);
                let text = String::from_utf8_lossy(&buf).to_string();
                if let Some(end) = text.find("\r\n\r\n") {
                    let len = text[..end]
                        .lines()
                        .find_map(|l| {
                            let (k, v) = l.split_once(':')?;
                            k.eq_ignore_ascii_case("content-length")
                                .then(|| v.trim().parse::<usize>().ok())?
                        })
                        .unwrap_or(0);
                    if buf.len() >= end + 4 + len {
                        break;
                    }
                }
            }
            let body = format!(r#"{{"jsonrpc":"2.0","id":0,"result":"{result}"}}"#);
            let _ = write!(
                s,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    format!("http://{addr}/")
}

/// Polls `f` until it gives `Ok` (a generous deadline that only stops a hung
/// test: no timing assertion); past it fails with `what` and the last `Err`
/// (formatted only then).
pub fn until<T, E: std::fmt::Display>(what: &str, mut f: impl FnMut() -> Result<T, E>) -> T {
    let start = Instant::now();
    loop {
        match f() {
            Ok(v) => return v,
            Err(e) => assert!(
                start.elapsed() < DEADLINE,
                "timed out waiting for {what}: {e}"
            ),
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Text computed when it is shown.
struct Shown<F: Fn() -> String>(F);

impl<F: Fn() -> String> std::fmt::Display for Shown<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&(self.0)())
    }
}

/// [`until`] `done()` holds; past the deadline it fails with `what` and
/// `context()` (called only then).
pub fn wait_for(what: &str, context: impl Fn() -> String, mut done: impl FnMut() -> bool) {
    until(what, || if done() { Ok(()) } else { Err(Shown(&context)) })
}

/// Held by every test that runs the daemon in this process (all tests are
/// one binary). tracing caches per log call site, process-wide, whether it
/// is enabled; while a single thread-local subscriber exists (the test that
/// captures the daemon's log lines), a call site first reached from another
/// thread is cached as disabled for every thread. One in-process daemon at a
/// time keeps the capturing test's lines.
pub fn in_process_daemon() -> std::sync::MutexGuard<'static, ()> {
    static ONE: std::sync::Mutex<()> = std::sync::Mutex::new(());
    ONE.lock().unwrap_or_else(|e| e.into_inner())
}
