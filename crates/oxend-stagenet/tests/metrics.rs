//! `GET /metrics` of the running daemon against anvil: the values the daemon
//! really has, no provider API key anywhere, both exposition formats valid
//! for `promtool check metrics`, and a real Prometheus server (Debian's
//! `prometheus` package, on loopback) scraping it and answering a query
//! with the daemon's value. The alert rules in contrib/ pass `promtool check
//! rules` and their unit tests (`promtool test rules`).
//!
//! promtool and prometheus come from `scripts/ensure-tools` in scripts/test;
//! run alone without them, these tests say so and skip (under `CI` they fail).

use crate::common::{self, rpc_call, wait_for, Node, FAKE_API_KEY};

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use snode_testkit::{free_port, Anvil};

/// The repository root.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The path of a Prometheus tool, or `None` (skip) when it is not installed
/// outside CI.
fn tool(name: &str) -> Option<String> {
    let found = std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .map(|d| d.join(name))
        .find(|p| p.is_file());
    match found {
        Some(p) => Some(p.display().to_string()),
        None if std::env::var_os("CI").is_some() => {
            panic!("{name} is not installed: scripts/test installs it (Debian package prometheus)")
        }
        None => {
            eprintln!(
                "SKIP: {name} is not installed (apt-get install prometheus, or run scripts/test)"
            );
            None
        }
    }
}

/// GET /metrics with this `Accept` header: (content type, body).
fn scrape(addr: &str, accept: &str) -> (String, String) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut r = agent
        .get(format!("http://{addr}/metrics"))
        .header("Accept", accept)
        .call()
        .unwrap();
    assert_eq!(r.status(), 200);
    let ct = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    (ct, r.body_mut().read_to_string().unwrap())
}

/// The value of the sample whose line starts with `series` (name and labels
/// as written), e.g. `oxend_stagenet_l2_head_height{}`.
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' '))
        .and_then(|v| v.trim().parse().ok())
}

/// A daemon following anvil through a provider URL that carries an API key.
fn node_on(anvil: &Anvil) -> (Node, String) {
    let mut node = Node::with_config(&format!(
        "data-dir={{DIR}}/data\nlog-file={{DIR}}/node.log\nservice-node=1\n\
         service-node-public-ip=1.2.3.4\nrpc-admin=127.0.0.1:0\nl2-refresh=1\n\
         chain-follower=0\nl2-provider={}/?apikey={FAKE_API_KEY}\n",
        anvil.url
    ));
    let addr = node.start(&[], &[]);
    (node, addr)
}

fn head_metric(addr: &str) -> Option<f64> {
    sample(&scrape(addr, "*/*").1, "oxend_stagenet_l2_head_height{}")
}

#[test]
fn metrics_show_what_the_daemon_knows_and_no_api_key() {
    let anvil = Anvil::start();
    anvil.mine(7);
    let head = anvil.block_number() as f64;
    let (node, addr) = node_on(&anvil);
    wait_for(
        "the L2 head in /metrics",
        || scrape(&addr, "*/*").1,
        || head_metric(&addr) == Some(head),
    );

    let (ct, text) = scrape(&addr, "*/*");
    assert_eq!(ct, "text/plain; version=0.0.4; charset=utf-8");
    let (om_ct, om) = scrape(
        &addr,
        "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5",
    );
    assert!(om_ct.starts_with("application/openmetrics-text"), "{om_ct}");
    assert!(om.ends_with("# EOF\n"), "OpenMetrics ends with # EOF");
    for body in [&text, &om] {
        assert!(!body.contains(FAKE_API_KEY), "the API key leaked:\n{body}");
        assert!(!body.contains("apikey"), "the URL's query leaked:\n{body}");
    }
    let host = anvil.url.trim_start_matches("http://");
    let up = format!(
        "oxend_stagenet_l2_provider_up{{provider=\"Primary L2 provider\",host=\"{host}\"}}"
    );
    assert_eq!(sample(&text, &up), Some(1.0), "{text}");
    assert!(sample(&text, "oxend_stagenet_uptime_seconds{}").is_some());
    assert_eq!(
        sample(&text, "oxend_stagenet_key_file_mode{file=\"key_ed25519\"}"),
        Some(256.0),
        "0400 is 256"
    );
    // no chain figures while the follower is off (chain-follower=0)
    assert!(!text.contains("oxend_stagenet_chain_"), "{text}");

    // the key file's real mode, read at each scrape
    let key = node.data_dir().join("key_ed25519");
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    assert_eq!(
        sample(
            &scrape(&addr, "*/*").1,
            "oxend_stagenet_key_file_mode{file=\"key_ed25519\"}"
        ),
        Some(384.0)
    );
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o400)).unwrap();

    // registration requests by outcome
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let register = |address: &str| {
        let body = serde_json::json!({"jsonrpc": "2.0", "id": 1,
            "method": "bls_registration_request", "params": {"address": address}});
        let v: serde_json::Value = agent
            .post(format!("http://{addr}/json_rpc"))
            .send_json(&body)
            .unwrap()
            .body_mut()
            .read_json()
            .unwrap();
        v
    };
    assert!(register("not an address").get("error").is_some());
    assert!(register("0x70997970C51812dc3A010C7d01b50e0d17dc79C8")
        .get("result")
        .is_some());
    let text = scrape(&addr, "*/*").1;
    for outcome in ["signed", "refused"] {
        let series = format!("oxend_stagenet_registration_requests_total{{outcome=\"{outcome}\"}}");
        assert_eq!(sample(&text, &series), Some(1.0), "{text}");
    }

    // both formats pass promtool's checks
    if let Some(promtool) = tool("promtool") {
        let check = |body: &str| {
            let mut c = Command::new(&promtool)
                .args(["check", "metrics"])
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            use std::io::Write;
            c.stdin.take().unwrap().write_all(body.as_bytes()).unwrap();
            let out = c.wait_with_output().unwrap();
            assert!(
                out.status.success(),
                "promtool check metrics: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        };
        check(&scrape(&addr, "*/*").1);
    }
    // any other method is refused with the methods it takes
    let r = agent
        .post(format!("http://{addr}/metrics"))
        .send("")
        .unwrap();
    assert_eq!(r.status(), 405);
    assert_eq!(
        r.headers().get("allow").and_then(|v| v.to_str().ok()),
        Some("GET, HEAD")
    );
    let _ = rpc_call(&addr, "get_info");
}

/// A Prometheus server on loopback; killed when dropped.
struct Prometheus {
    child: Child,
    _dir: tempfile::TempDir,
    addr: String,
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Prometheus {
    fn start(bin: &str, target: &str) -> Prometheus {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("prometheus.yml");
        std::fs::write(
            &config,
            format!(
                "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n\
                 rule_files:\n  - {rules}\n\
                 scrape_configs:\n  - job_name: session-stagenet-node\n    \
                 metrics_path: /metrics\n    static_configs:\n      - targets: ['{target}']\n",
                rules = root().join("contrib/prometheus/alerts.yml").display()
            ),
        )
        .unwrap();
        let addr = format!("127.0.0.1:{}", free_port());
        let log = std::fs::File::create(dir.path().join("prometheus.log")).unwrap();
        let child = Command::new(bin)
            .arg(format!("--config.file={}", config.display()))
            .arg(format!(
                "--storage.tsdb.path={}",
                dir.path().join("data").display()
            ))
            .arg(format!("--web.listen-address={addr}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::from(log))
            .spawn()
            .unwrap();
        Prometheus {
            child,
            _dir: dir,
            addr,
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self._dir.path().join("prometheus.log")).unwrap_or_default()
    }

    /// The value of an instant query's first sample, if any.
    fn query(&self, q: &str) -> Option<f64> {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(5)))
            .build()
            .into();
        let v: serde_json::Value = agent
            .get(format!("http://{}/api/v1/query", self.addr))
            .query("query", q)
            .call()
            .ok()?
            .body_mut()
            .read_json()
            .ok()?;
        v["data"]["result"][0]["value"][1].as_str()?.parse().ok()
    }
}

#[test]
fn a_prometheus_server_scrapes_the_daemon() {
    let (Some(prometheus), Some(promtool)) = (tool("prometheus"), tool("promtool")) else {
        return;
    };
    let rules = root().join("contrib/prometheus");
    for args in [
        vec!["check", "rules", "alerts.yml"],
        vec!["test", "rules", "alerts.test.yml"],
    ] {
        let out = Command::new(&promtool)
            .args(&args)
            .current_dir(&rules)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "promtool {args:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    let anvil = Anvil::start();
    anvil.mine(11);
    let head = anvil.block_number() as f64;
    let (_node, addr) = node_on(&anvil);
    wait_for(
        "the L2 head in /metrics",
        || scrape(&addr, "*/*").1,
        || head_metric(&addr) == Some(head),
    );
    let server = Prometheus::start(&prometheus, &addr);
    wait_for(
        "Prometheus to scrape the daemon's L2 head",
        || server.log(),
        || server.query("oxend_stagenet_l2_head_height") == Some(head),
    );
    assert_eq!(server.query("up{job=\"session-stagenet-node\"}"), Some(1.0));
    // the key file alert's expression sees the real file
    assert_eq!(
        server.query("count(oxend_stagenet_key_file_mode != 256)"),
        None,
        "no key file has a wrong mode"
    );
    let _ = common::DEADLINE;
}

#[test]
fn the_chain_followers_figures_once_it_runs() {
    let mut node = Node::with_follower(common::closed_port(), "");
    let addr = node.start(&["--offline"], &[]);
    let running = "oxend_stagenet_chain_follower_running{}";
    wait_for(
        "the follower's figures in /metrics",
        || scrape(&addr, "*/*").1,
        || sample(&scrape(&addr, "*/*").1, running) == Some(1.0),
    );
    let text = scrape(&addr, "*/*").1;
    // offline: the stored stagenet genesis only, no peers, no claimed target
    assert_eq!(
        sample(&text, "oxend_stagenet_chain_height{}"),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        sample(&text, "oxend_stagenet_chain_synchronized{}"),
        Some(0.0)
    );
    assert_eq!(
        sample(&text, "oxend_stagenet_chain_peers{direction=\"out\"}"),
        Some(0.0)
    );
    assert!(
        !text.contains("oxend_stagenet_chain_target_height"),
        "{text}"
    );
    assert_eq!(
        sample(&text, "oxend_stagenet_chain_downloaded_blocks_total{}"),
        Some(0.0)
    );
}
