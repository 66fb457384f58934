//! The daemon run in-process the way the L2 tracker will extend it: a listener on
//! port 0 passed in, an extra RPC method, a worker that publishes an L2 view, and
//! the shutdown switch triggered by the test.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use crate::common;
use snode_node::daemon::{self, DaemonOptions};

use common::rpc_call as call;
use serde_json::{json, Value};
use snode_node::server::{Ctx, RpcError};
use snode_node::shutdown::Shutdown;
use snode_node::state::{L2View, Registration};

/// A service node's settings with its data in `dir` (no provider is asked).
fn settings_in(dir: &std::path::Path) -> snode_conf::Settings {
    let conf = format!(
        "data-dir={}\nservice-node=1\nstagenet=1\nservice-node-public-ip=1.2.3.4\n\
         l2-provider=http://127.0.0.1:9/\nl2-skip-chainid=1\n",
        dir.display()
    );
    let doc = snode_conf::parse(&conf, "test.conf").unwrap();
    snode_conf::Settings::from_sources(Some(&doc), &[]).unwrap()
}

#[test]
fn l2_tracker_can_add_methods_and_status() {
    let _one_daemon = common::in_process_daemon();
    let dir = tempfile::tempdir().unwrap();
    let settings = settings_in(dir.path());

    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let shutdown = Shutdown::new();
    let mut opts = DaemonOptions::new(shutdown.clone());
    opts.listeners = Some(vec![listener]);
    opts.watchdog_interval = Duration::from_millis(50);
    // This test publishes its own L2 view instead of running the tracker
    // (no snode_node::l2::extension() is added).
    opts.methods.add("get_l2_status", |ctx: &Ctx, _| {
        let l2 = ctx
            .state
            .l2()
            .ok_or_else(|| RpcError::unavailable("L2 is not tracked yet"))?;
        Ok(json!({"status": "OK", "l2": l2.status}))
    });
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    opts.workers.push(Box::new(move |ctx: Arc<Ctx>| {
        ctx.state.set_l2(L2View {
            summary: "L2: height 1000 via Primary L2 provider".into(),
            status: serde_json::from_value(json!({"height": 1000})).unwrap(),
            registration: Registration::Registered,
            service_node_state: serde_json::from_value(json!({"registration_height": 42})).unwrap(),
        });
        ready_tx.send(()).unwrap();
        // A real worker loops until shutdown.
        while ctx
            .shutdown
            .wait_timeout(Duration::from_millis(20))
            .is_none()
        {}
    }));
    let runner = std::thread::spawn(move || daemon::run(settings, opts));
    ready_rx.recv().unwrap();

    let l2 = call(&addr, "get_l2_status");
    assert_eq!(l2["result"]["l2"]["height"], 1000);
    let info = call(&addr, "get_info")["result"].clone();
    assert_eq!(info["l2"]["height"], 1000);
    let line = info["status_line"].as_str().unwrap();
    assert!(
        line.contains("L2: height 1000 via Primary L2 provider"),
        "{line}"
    );
    assert!(line.ends_with("SN: registered"), "{line}");
    let st = call(&addr, "get_service_node_status")["result"].clone();
    assert_eq!(st["service_node_state"]["registration_height"], 42);
    assert_eq!(st["service_node_state"]["registration_state"], "registered");

    shutdown.trigger("test");
    runner.join().unwrap().unwrap();
    assert!(dir.path().join("key_ed25519").exists());
}

#[test]
fn not_a_service_node_has_only_an_ed25519_key() {
    let _one_daemon = common::in_process_daemon();
    let dir = tempfile::tempdir().unwrap();
    let conf = format!("data-dir={}\nstagenet=1\n", dir.path().display());
    let doc = snode_conf::parse(&conf, "test.conf").unwrap();
    let settings = snode_conf::Settings::from_sources(Some(&doc), &[]).unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let shutdown = Shutdown::new();
    let mut opts = DaemonOptions::new(shutdown.clone());
    opts.listeners = Some(vec![listener]);
    let runner = std::thread::spawn(move || daemon::run(settings, opts));
    // Poll until it answers (generous deadline, no timing assertion).
    let start = std::time::Instant::now();
    let keys = loop {
        let agent: ureq::Agent = ureq::Agent::config_builder().build().into();
        let body = json!({"jsonrpc": "2.0", "id": 1, "method": "get_service_keys"});
        if let Ok(mut r) = agent
            .post(format!("http://{addr}/json_rpc"))
            .send_json(&body)
        {
            break r.body_mut().read_json::<Value>().unwrap();
        }
        assert!(start.elapsed() < Duration::from_secs(120));
        std::thread::sleep(Duration::from_millis(50));
    };
    let r = &keys["result"];
    assert_eq!(r["is_service_node"], false);
    assert!(r.get("service_node_pubkey").is_none());
    assert!(r.get("service_node_bls_pubkey").is_none());
    let text = snode_node::client::sn_key_text(&serde_json::from_value(r.clone()).unwrap());
    // the Note line ends without a newline: the message writer adds the last one
    assert!(
        text.ends_with("\nNote: this oxend is NOT configured as a service node"),
        "{text:?}"
    );
    let st = call(&addr, "get_service_node_status");
    assert!(st["error"]["message"]
        .as_str()
        .unwrap()
        .contains("Not a service node"));
    assert!(call(&addr, "get_info")["result"]["status_line"]
        .as_str()
        .unwrap()
        .ends_with("SN: no"));
    shutdown.trigger("test");
    runner.join().unwrap().unwrap();
    assert!(dir.path().join("key_ed25519").exists());
    assert!(!dir.path().join("key_bls").exists());
}

/// Log lines of the daemon run on this thread.
#[derive(Clone, Default)]
struct Logs(Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Logs {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A worker that panics is reported as such, and shutdown does not wait
/// for it: the join limit is a minute, which only a worker never reported
/// done would reach (and then "exiting without it" would be logged).
#[test]
fn a_panicking_worker_is_reported_and_not_waited_for() {
    let _one_daemon = common::in_process_daemon();
    let dir = tempfile::tempdir().unwrap();
    let settings = settings_in(dir.path());

    let shutdown = Shutdown::new();
    let mut opts = DaemonOptions::new(shutdown);
    opts.listeners = Some(vec![TcpListener::bind("127.0.0.1:0").unwrap()]);
    opts.watchdog_interval = Duration::from_millis(50);
    opts.join_within = Duration::from_secs(60);
    let (alive_tx, alive_rx) = std::sync::mpsc::channel::<()>();
    opts.workers.push(Box::new(move |_ctx: Arc<Ctx>| {
        let _alive = alive_tx; // dropped by the unwinding
        panic!("worker bug (this panic is the test)");
    }));
    // Stops the daemon once the first worker is gone.
    opts.workers.push(Box::new(move |ctx: Arc<Ctx>| {
        let _ = alive_rx.recv();
        ctx.shutdown.trigger("test");
    }));
    let logs = Logs::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .with_max_level(tracing::Level::DEBUG)
        .finish();
    let result = tracing::subscriber::with_default(subscriber, || daemon::run(settings, opts));
    result.unwrap();
    let text = String::from_utf8_lossy(&logs.0.lock().unwrap()).into_owned();
    assert!(text.contains("worker 0 panicked"), "{text}");
    assert!(!text.contains("exiting without it"), "{text}");
    assert!(!text.contains("blocked in a request"), "{text}");
    assert!(text.contains("oxend-stagenet stopped"), "{text}");
}
