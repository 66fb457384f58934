//! Provider faults against the fault-injecting stub: the tracker keeps
//! going, fails over or adapts, and the counters show it.

use crate::common;

use std::time::Duration;

use common::events::{self, RawLog};
use common::logs::capture;
use common::stub::{refused_url, Chain, Fault, Stub};
use common::{at, contract, put, SECRET};
use snode_l2::{
    Deployment, L2Config, L2Error, L2Tracker, NodeContractState, NodeQuery, ProviderCounters,
    ProviderHealth,
};

const HEAD: u64 = 1000;

/// A chain at HEAD with: node 1 registered then exit requested, node 2 registered.
fn chain() -> Chain {
    let mut c = Chain::new(HEAD);
    put(&mut c, 900, events::new_node(1, 1));
    put(&mut c, 950, events::exit_request(1, 1));
    put(&mut c, 960, events::new_node(2, 2));
    c
}

/// A config for tests where no request is meant to time out: a timeout far
/// longer than any loopback answer, even on a loaded machine, so exact
/// request counts and `errors.is_empty()` hold.
fn cfg(urls: &[String]) -> L2Config {
    let urls: Vec<&str> = urls.iter().map(String::as_str).collect();
    let mut c = L2Config::new(&urls, Deployment::Current);
    c.timeout = Duration::from_secs(30);
    c
}

/// How long a [`Fault::Hang`] stub holds a request before closing it
/// unanswered, and the timeout of the tests where that timeout is the
/// tested behaviour: the client gives up long before the stub closes.
const HANG: Duration = Duration::from_secs(30);
const SHORT_TIMEOUT: Duration = Duration::from_secs(1);

/// [`cfg`], with [`SHORT_TIMEOUT`] when the fault is a hang (the timeout is
/// what is tested).
fn cfg_for(fault: &Option<Fault>, urls: &[String]) -> L2Config {
    let mut c = cfg(urls);
    if matches!(fault, Some(Fault::Hang(_))) {
        c.timeout = SHORT_TIMEOUT;
    }
    c
}

fn query(n: u8) -> NodeQuery {
    NodeQuery {
        ed25519_pubkey: Some(events::ed(n).into()),
        bls_pubkey: None,
    }
}

fn assert_view(t: &L2Tracker) {
    assert_eq!(t.node_state(&query(1)), NodeContractState::ExitRequested);
    assert_eq!(t.node_state(&query(2)), NodeContractState::Registered);
    assert_eq!(t.node_state(&query(3)), NodeContractState::NotRegistered);
    assert_eq!(t.synced_height(), Some(HEAD));
}

fn assert_no_secret(t: &L2Tracker, logs: &str) {
    let status = serde_json::to_string(&t.status(at(0))).unwrap();
    assert!(!status.contains(SECRET), "status leaks the key: {status}");
    assert!(!logs.contains(SECRET), "logs leak the key: {logs}");
}

type Counter = fn(&ProviderCounters) -> u64;

fn fault_cases() -> Vec<(&'static str, Option<Fault>, Counter)> {
    vec![
        ("timeout", Some(Fault::Hang(HANG)), |c| c.timeout),
        ("connection refused", None, |c| c.connection),
        ("HTTP 429", Some(Fault::Http(429)), |c| c.http_status),
        ("HTTP 500", Some(Fault::Http(500)), |c| c.http_status),
        (
            "JSON-RPC -32005 with HTTP 200",
            Some(Fault::RpcError(-32005, "limit exceeded".into())),
            |c| c.jsonrpc_error,
        ),
        ("garbage JSON", Some(Fault::Garbage), |c| c.malformed),
        ("null result", Some(Fault::NullResult), |c| c.null_result),
    ]
}

#[test]
fn each_fault_fails_over_to_the_backup_and_is_counted() {
    for (name, fault, counter) in fault_cases() {
        let primary = Stub::start(chain());
        let primary_url = match &fault {
            Some(f) => {
                primary.set_fault(Some(f.clone()));
                primary.url()
            }
            None => refused_url(),
        };
        let backup = Stub::start(chain());
        let dir = tempfile::tempdir().unwrap();
        let (logs, _guard) = capture();
        let mut t =
            L2Tracker::open(cfg_for(&fault, &[primary_url, backup.url()]), dir.path()).unwrap();
        let r = t.step(at(0));
        assert_eq!(r.height, Some(HEAD), "{name}: {r:?}");
        assert!(r.logs_complete, "{name}: {r:?}");
        assert_view(&t);
        let st = t.status(at(0));
        assert_eq!(st.provider_in_use.name, "Backup L2 provider #1", "{name}");
        assert!(st.providers[1].in_use);
        let c = &st.providers[0].counters;
        assert!(counter(c) >= 1, "{name}: {c:?}");
        assert_eq!(c.failures(), counter(c), "{name}: only that kind: {c:?}");
        assert_eq!(st.providers[0].health, ProviderHealth::Failing, "{name}");
        assert_eq!(st.providers[1].counters.failures(), 0, "{name}");
        // later cycles keep going on the backup
        backup.with(|c| c.head = HEAD + 10);
        let r = t.step(at(60));
        assert_eq!(r.height, Some(HEAD + 10), "{name}");
        assert_eq!(t.synced_height(), Some(HEAD + 10), "{name}");
        assert_no_secret(&t, &logs.text());
    }
}

#[test]
fn each_fault_on_the_only_provider_is_survived_and_counted() {
    for (name, fault, counter) in fault_cases() {
        let stub = Stub::start(chain());
        let url = match &fault {
            Some(f) => {
                stub.set_fault(Some(f.clone()));
                stub.url()
            }
            None => refused_url(),
        };
        let dir = tempfile::tempdir().unwrap();
        let (logs, _guard) = capture();
        let mut t = L2Tracker::open(cfg_for(&fault, &[url]), dir.path()).unwrap();
        let r = t.step(at(0));
        assert_eq!(r.height, None, "{name}");
        assert!(!r.errors.is_empty(), "{name}");
        assert!(
            !r.errors.iter().any(|e| e.contains(SECRET)),
            "{name}: {r:?}"
        );
        let st = t.status(at(0));
        assert!(counter(&st.providers[0].counters) >= 1, "{name}");
        assert!(st.summary().contains("unknown"), "{}", st.summary());
        assert_eq!(t.synced_height(), None);
        assert!(logs
            .text()
            .contains("Failed to retrieve current height from L2 RPC provider; last successful retrieval: never"));
        assert_no_secret(&t, &logs.text());
    }
}

#[test]
fn a_fault_during_log_sync_fails_over_mid_cycle() {
    let primary = Stub::start(chain());
    primary.with(|c| {
        c.fault = Some(Fault::Http(502));
        c.fault_methods = Some(vec!["eth_getLogs"]);
    });
    let backup = Stub::start(chain());
    let dir = tempfile::tempdir().unwrap();
    let mut t = L2Tracker::open(cfg(&[primary.url(), backup.url()]), dir.path()).unwrap();
    let r = t.step(at(0));
    assert!(r.logs_complete, "{r:?}");
    assert_view(&t);
    let st = t.status(at(0));
    // the height check found the primary good; logs failed over per request
    assert_eq!(st.provider_in_use.name, "Primary L2 provider");
    assert_eq!(st.providers[0].counters.http_status, 1);
    assert!(backup.count("eth_getLogs") >= 1);
}

#[test]
fn provider_status_keeps_the_http_status_code() {
    let stub = Stub::start(chain());
    stub.set_fault(Some(Fault::Http(502)));
    let dir = tempfile::tempdir().unwrap();
    let mut t = L2Tracker::open(cfg(&[stub.url()]), dir.path()).unwrap();
    t.step(at(0));
    t.step(at(60));
    let st = t.status(at(60));
    let p = &st.providers[0];
    let n = p.counters.http_status;
    assert!(n >= 2, "{p:?}");
    assert_eq!(p.counters.http_statuses.get(&502), Some(&n), "{p:?}");
    assert_eq!(
        p.failure_summary().unwrap(),
        format!("HTTP 502 ×{n}; last error: 502 Bad Gateway")
    );
    let json = serde_json::to_value(p).unwrap();
    assert_eq!(json["counters"]["http_statuses"]["502"], n);
    assert_eq!(json["last_error"]["status"], 502);
    stub.set_fault(Some(Fault::Http(429)));
    t.step(at(120));
    let p = &t.status(at(120)).providers[0];
    let summary = p.failure_summary().unwrap();
    assert!(
        summary.starts_with("HTTP 429 ×")
            && summary.contains(&format!("HTTP 502 ×{n}"))
            && summary.ends_with("; last error: 429 Too Many Requests"),
        "{summary}"
    );
}

#[test]
fn wrong_chain_id_at_start_is_an_error_naming_the_redacted_provider() {
    let good = Stub::start(chain());
    let wrong = Stub::start(chain());
    wrong.with(|c| c.chain_id = 1);
    let dir = tempfile::tempdir().unwrap();
    let (logs, _guard) = capture();
    let mut t =
        L2Tracker::open(cfg(&[refused_url(), good.url(), wrong.url()]), dir.path()).unwrap();
    let err = t.verify_chain_id().unwrap_err();
    let msg = err.to_string();
    assert!(matches!(
        err,
        L2Error::WrongChainId {
            got: 1,
            expected: 421_614,
            ..
        }
    ));
    assert_eq!(
        msg,
        format!(
            "L2 provider Backup L2 provider #2 [http://127.0.0.1:{}/…] has invalid chain ID 0x1 (chainId 0x66eee is required)",
            wrong.port
        )
    );
    // an unreachable provider is only a warning
    assert!(logs
        .text()
        .contains("Failed to retrieve L2 chain ID from Primary L2 provider"));
    assert!(logs.text().contains("returned correct chainId 0x66eee"));
    assert!(!logs.text().contains(SECRET));

    let mut ok = L2Tracker::open(cfg(&[refused_url(), good.url()]), dir.path()).unwrap();
    ok.verify_chain_id().unwrap();
}

#[test]
fn a_lagging_primary_is_demoted_at_the_check_and_comes_back_when_caught_up() {
    let primary = Stub::start(chain());
    primary.with(|c| c.head = HEAD - 500);
    let backup = Stub::start(chain());
    let dir = tempfile::tempdir().unwrap();
    let (logs, _guard) = capture();
    let mut t = L2Tracker::open(cfg(&[primary.url(), backup.url()]), dir.path()).unwrap();
    let r = t.step(at(0));
    assert_eq!(r.height, Some(HEAD));
    assert_view(&t);
    let st = t.status(at(0));
    assert_eq!(st.provider_in_use.name, "Backup L2 provider #1");
    assert_eq!(st.providers[0].health, ProviderHealth::Lagging);
    assert_eq!(st.providers[0].counters.lagging, 1);
    assert_eq!(st.providers[0].counters.failures(), 0);
    assert!(logs.text().contains("is lagging (height 500 < 1000)"));
    assert!(logs
        .text()
        .contains("is not responding or is behind; switching to Backup L2 provider #1"));

    primary.with(|c| c.head = HEAD + 5);
    backup.with(|c| c.head = HEAD + 5);
    t.step(at(170));
    let st = t.status(at(170));
    assert_eq!(st.provider_in_use.name, "Primary L2 provider");
    assert_eq!(st.providers[0].health, ProviderHealth::Good);
}

#[test]
fn two_providers_switch_back_to_the_primary_at_the_next_check() {
    let primary = Stub::start(chain());
    primary.set_fault(Some(Fault::Http(503)));
    let backup = Stub::start(chain());
    let dir = tempfile::tempdir().unwrap();
    let (logs, _guard) = capture();
    let mut c = cfg(&[primary.url(), backup.url()]);
    c.check_interval = Duration::from_secs(170);
    let mut t = L2Tracker::open(c, dir.path()).unwrap();
    t.step(at(0));
    assert_eq!(
        t.status(at(0)).provider_in_use.name,
        "Backup L2 provider #1"
    );

    primary.set_fault(None);
    // before the check is due, requests stay on the backup
    let before = primary.count("eth_blockNumber");
    t.step(at(60));
    assert_eq!(
        t.status(at(60)).provider_in_use.name,
        "Backup L2 provider #1"
    );
    assert_eq!(primary.count("eth_blockNumber"), before);
    // at the check the primary is good again and is preferred
    t.step(at(170));
    let st = t.status(at(170));
    assert_eq!(st.provider_in_use.name, "Primary L2 provider");
    assert!(st.providers[0].in_use && !st.providers[1].in_use);
    assert!(logs
        .text()
        .contains("is available again; switching back to it as primary L2 source"));
    // and the next requests go to it
    let logs_before = primary.count("eth_getLogs");
    primary.with(|c| c.head = HEAD + 50);
    backup.with(|c| c.head = HEAD + 50);
    t.step(at(200));
    assert!(primary.count("eth_getLogs") > logs_before);
}

#[test]
fn a_range_limit_shrinks_the_range_for_that_provider_and_names_the_setting() {
    let stub = Stub::start(chain());
    stub.with(|c| c.max_range = Some(5));
    let dir = tempfile::tempdir().unwrap();
    let (logs, _guard) = capture();
    let mut t = L2Tracker::open(cfg(&[stub.url()]), dir.path()).unwrap();
    let r = t.step(at(0));
    assert!(r.logs_complete, "{r:?}");
    assert_view(&t);
    let st = t.status(at(0));
    let p = &st.providers[0];
    assert!(p.max_logs <= 5, "{}", p.max_logs);
    assert!(p.counters.range_limited >= 1);
    assert_eq!(p.counters.failures(), 0, "{:?}", p.counters);
    assert_eq!(p.health, ProviderHealth::Good);
    let text = logs.text();
    // the stub says "limited to a 5 range": that is the value, named once
    assert_eq!(p.max_logs, 5);
    assert_eq!(p.counters.range_limited, 1, "one refusal, then 5 works");
    assert_eq!(
        text.matches("Set l2-max-logs=").count(),
        1,
        "named once: {text}"
    );
    assert!(text.contains("Set l2-max-logs=5 (or lower)"), "{text}");
    // every range the stub accepted is within its limit and they tile 1..=HEAD
    let ranges = stub.with(|c| c.log_ranges.clone());
    let accepted: Vec<_> = ranges.iter().filter(|(a, b)| b - a < 5).collect();
    assert_eq!(accepted.first().unwrap().0, 1);
    assert_eq!(accepted.last().unwrap().1, HEAD);
    for w in accepted.windows(2) {
        assert_eq!(w[0].1 + 1, w[1].0);
    }
}

#[test]
fn an_l2_stall_is_reported_without_failover() {
    let primary = Stub::start(chain());
    let backup = Stub::start(chain());
    let dir = tempfile::tempdir().unwrap();
    let (logs, _guard) = capture();
    let mut t = L2Tracker::open(cfg(&[primary.url(), backup.url()]), dir.path()).unwrap();
    for minute in 0..5 {
        let r = t.step(at(minute * 60));
        assert_eq!(r.stalled, None);
    }
    let r = t.step(at(300));
    let stall = r.stalled.clone().expect("stalled after 300 s");
    assert_eq!(stall.height, HEAD);
    assert_eq!(stall.since, common::unix(at(0)));
    assert_eq!(
        stall.to_string(),
        format!(
            "L2 stalled at block {HEAD} since {}",
            snode_l2::format_utc(at(0))
        )
    );
    for minute in 6..12 {
        t.step(at(minute * 60));
    }
    let st = t.status(at(660));
    assert!(
        st.summary().starts_with("L2 stalled at block 1000 since "),
        "{}",
        st.summary()
    );
    assert_eq!(st.provider_in_use.name, "Primary L2 provider");
    for p in &st.providers {
        assert_eq!(p.counters.failures(), 0);
        assert_eq!(p.counters.lagging, 0);
        assert_eq!(p.health, ProviderHealth::Good);
    }
    assert!(!logs.text().contains("switching to"));
    assert_eq!(logs.text().matches("L2 stalled at block").count(), 1);

    primary.with(|c| c.head = HEAD + 1);
    backup.with(|c| c.head = HEAD + 1);
    let r = t.step(at(720));
    assert_eq!(r.stalled, None);
    assert!(logs.text().contains("L2 is moving again"));
}

#[test]
fn a_stale_primary_is_probed_and_left_before_the_next_check() {
    // the primary freezes while the backup moves on by less than the
    // threshold per check: the stall probe compares all providers early
    let primary = Stub::start(chain());
    let backup = Stub::start(chain());
    let dir = tempfile::tempdir().unwrap();
    let mut c = cfg(&[primary.url(), backup.url()]);
    c.check_interval = Duration::from_secs(3600);
    let mut t = L2Tracker::open(c, dir.path()).unwrap();
    t.step(at(0));
    backup.with(|c| c.head = HEAD + 1000);
    for minute in 1..=5 {
        t.step(at(minute * 60));
    }
    let st = t.status(at(300));
    assert_eq!(st.provider_in_use.name, "Backup L2 provider #1");
    assert_eq!(st.l2_height, Some(HEAD + 1000));
    assert_eq!(st.stalled, None);
    assert_eq!(st.providers[0].counters.lagging, 1);
}

#[test]
fn malformed_logs_are_reported_and_skipped() {
    let mut c = chain();
    put(&mut c, 970, events::broken_new_node(3, 3));
    let mut missing_topics = events::new_node(4, 4).to_json(&contract(), 971, 0);
    missing_topics.as_object_mut().unwrap().remove("topics");
    c.logs.push((971, missing_topics));
    let mut bad_hex = events::new_node(5, 5).to_json(&contract(), 972, 0);
    bad_hex["data"] = "0xzz".into();
    c.logs.push((972, bad_hex));
    let other = RawLog {
        topics: vec!["ab".repeat(32)],
        data: vec![],
    };
    put(&mut c, 973, other);
    let mut pending = events::new_node(6, 6).to_json(&contract(), 974, 0);
    pending["blockNumber"] = serde_json::Value::Null;
    c.logs.push((974, pending));
    put(&mut c, 980, events::new_node(7, 7));
    let stub = Stub::start(c);
    let dir = tempfile::tempdir().unwrap();
    let (logs, _guard) = capture();
    let mut t = L2Tracker::open(cfg(&[stub.url()]), dir.path()).unwrap();
    let r = t.step(at(0));
    assert!(r.logs_complete);
    assert_eq!(r.malformed_logs, 3, "{r:?}");
    assert_eq!(r.ignored_logs, 1);
    assert_eq!(r.events_applied, 4);
    assert_view(&t);
    assert_eq!(t.node_state(&query(7)), NodeContractState::Registered);
    for n in [3, 4, 5, 6] {
        assert_eq!(t.node_state(&query(n)), NodeContractState::NotRegistered);
    }
    let text = logs.text();
    assert!(
        text.contains("malformed NewServiceNodeV2 log: contributors offset is 288, not 256"),
        "{text}"
    );
    // the provider is not blamed for the contract's data
    assert_eq!(t.status(at(0)).providers[0].counters.failures(), 0);
}

/// ABI of `(uint64[] ids, (uint256,uint256)[] pubkeys)`.
fn node_list(nodes: &[(u64, u8)]) -> String {
    let w = events::word_u64;
    let n = nodes.len() as u64;
    let mut d = Vec::new();
    d.extend(w(0x40));
    d.extend(w(0x40 + 32 * (1 + n)));
    d.extend(w(n));
    for (id, _) in nodes {
        d.extend(w(*id));
    }
    d.extend(w(n));
    for (_, k) in nodes {
        d.extend(events::bls(*k));
    }
    hex::encode(d)
}

#[test]
fn the_contract_node_list_at_purge_heights_reconciles_the_registry() {
    let head = 2 * 14_400 + 100;
    let mut c = Chain::new(head);
    put(&mut c, 20_000, events::new_node(1, 1));
    put(&mut c, 20_001, events::new_node(2, 2));
    c.node_list = Some(node_list(&[(1, 1), (7, 7)]));
    c.staking_requirement = Some(21_000_000_000_000);
    let stub = Stub::start(c);
    let dir = tempfile::tempdir().unwrap();
    let mut t = L2Tracker::open(cfg(&[stub.url()]), dir.path()).unwrap();
    let r = t.step(at(0));
    assert_eq!(r.node_list_height, Some(28_800));
    assert_eq!(t.node_state(&query(1)), NodeContractState::Registered);
    assert_eq!(t.node_state(&query(2)), NodeContractState::Exited);
    let seven = snode_l2::NodeQuery {
        bls_pubkey: Some(events::bls(7).into()),
        ed25519_pubkey: None,
    };
    assert_eq!(t.node_state(&seven), NodeContractState::Registered);
    assert_eq!(t.registry().registered().count(), 2);
    // only once per purge height
    t.step(at(60));
    assert_eq!(
        stub.with(|c| c.requests.iter().filter(|m| *m == "eth_call").count()),
        // stakingRequirement at the head, rewardRate at 28200 and 28800,
        // allServiceNodeIDs at 28800
        4
    );
    assert_eq!(
        t.staking_requirement(),
        Some(alloy_primitives::U256::from(21_000_000_000_000u64))
    );
    let st = t.status(at(60));
    assert_eq!(
        st.reward_rate.unwrap().rate,
        alloy_primitives::U256::from(7)
    );
}

#[test]
fn status_serialises_with_counters_and_own_node() {
    let stub = Stub::start(chain());
    let dir = tempfile::tempdir().unwrap();
    let mut t = L2Tracker::open(cfg(&[stub.url()]), dir.path()).unwrap();
    t.set_own_node(query(2));
    t.step(at(0));
    let st = t.status(at(30));
    assert_eq!(
        st.summary(),
        format!(
            "L2 height 1000 via Primary L2 provider [http://127.0.0.1:{}/…], synced 1000, 2 nodes; node registered",
            stub.port
        )
    );
    let v = serde_json::to_value(&st).unwrap();
    assert_eq!(v["l2_height"], 1000);
    assert_eq!(v["l2_height_age_secs"], 30);
    assert_eq!(v["own_node"]["state"], "registered");
    assert_eq!(v["own_node"]["service_node_id"], 2);
    assert_eq!(v["providers"][0]["health"], "good");
    assert_eq!(v["providers"][0]["counters"]["timeout"], 0);
    assert_eq!(
        v["provider_in_use"]["url"],
        format!("http://127.0.0.1:{}/…", stub.port)
    );
    assert!(!v.to_string().contains(SECRET));
}

#[test]
fn providers_going_down_is_not_an_l2_stall() {
    let stub = Stub::start(chain());
    let dir = tempfile::tempdir().unwrap();
    let mut t = L2Tracker::open(cfg(&[stub.url()]), dir.path()).unwrap();
    t.step(at(0));
    stub.set_fault(Some(Fault::Http(503)));
    for minute in 1..=10 {
        let r = t.step(at(minute * 60));
        assert_eq!(r.height, None);
        assert_eq!(r.stalled, None);
    }
    let st = t.status(at(600));
    assert_eq!(
        st.summary(),
        "L2 providers not answering; last height 1000, 600 s ago, synced 1000, 2 nodes"
    );
    assert_eq!(st.providers[0].counters.http_status, 10);
    // back, and no progress since: now it is a stall
    stub.set_fault(None);
    let r = t.step(at(660));
    assert_eq!(r.stalled.unwrap().height, HEAD);
}

#[test]
fn a_range_limit_without_a_number_halves_and_names_only_the_final_value() {
    let stub = Stub::start(chain());
    stub.with(|c| c.max_range = Some(100));
    stub.with(|c| c.range_message = Some("block range is too large".into()));
    let dir = tempfile::tempdir().unwrap();
    let (logs, _guard) = capture();
    let mut t = L2Tracker::open(cfg(&[stub.url()]), dir.path()).unwrap();
    let r = t.step(at(0));
    assert!(r.logs_complete, "{r:?}");
    let p = &t.status(at(0)).providers[0];
    // 1000 → 500 → 250 → 125 → 62
    assert_eq!(p.max_logs, 62);
    assert_eq!(p.counters.range_limited, 4);
    let text = logs.text();
    assert_eq!(text.matches("Set l2-max-logs=").count(), 1, "{text}");
    assert!(text.contains("Set l2-max-logs=62 (or lower)"), "{text}");
}

#[test]
fn a_check_where_no_provider_answers_keeps_the_order_and_claims_no_switch() {
    let primary = Stub::start(chain());
    primary.set_fault(Some(Fault::Http(503)));
    let backup = Stub::start(chain());
    let dir = tempfile::tempdir().unwrap();
    let (logs, _guard) = capture();
    let mut t = L2Tracker::open(cfg(&[primary.url(), backup.url()]), dir.path()).unwrap();
    t.step(at(0));
    assert_eq!(
        t.status(at(0)).provider_in_use.name,
        "Backup L2 provider #1"
    );
    // both down at the next check
    backup.set_fault(Some(Fault::Http(503)));
    let r = t.step(at(170));
    assert_eq!(r.height, None);
    assert!(primary.count("eth_blockNumber") >= 2, "the check ran");
    let st = t.status(at(170));
    assert_eq!(st.provider_in_use.name, "Backup L2 provider #1");
    let text = logs.text();
    assert!(!text.contains("is available again"), "{text}");
    assert!(!text.contains("switching back"), "{text}");
}

#[test]
fn a_cancelled_cycle_stops_before_the_next_request_and_resumes_later() {
    let stub = Stub::start(chain());
    let dir = tempfile::tempdir().unwrap();
    stub.with(|c| c.staking_requirement = Some(20_000_000_000_000));
    let mut c = cfg(&[stub.url()]);
    c.max_logs = 50; // 20 batches for the 1000 blocks
    let mut t = L2Tracker::open(c, dir.path()).unwrap();
    let mut calls = 0;
    // the callback sees every request before it is sent; stop at the 8th
    let r = t.step_with(at(0), &mut || {
        calls += 1;
        calls < 8
    });
    assert!(r.cancelled, "{r:?}");
    assert!(!r.logs_complete);
    let sent = stub.with(|c| c.requests.len());
    assert!(sent < 8, "nothing sent after the cancel: {sent} requests");
    let batches = stub.count("eth_getLogs") as u64;
    assert!(batches >= 1, "some batches before the cancel");
    let synced = t.synced_height().expect("committed batches stay");
    assert_eq!(synced, 50 * batches);
    assert!(r.errors.is_empty(), "a cancel is no error: {r:?}");
    // the next cycle goes on from there, and asks before each request
    let before = stub.with(|c| c.requests.len());
    let mut asked = 0;
    let r = t.step_with(at(60), &mut || {
        asked += 1;
        true
    });
    assert!(r.logs_complete && !r.cancelled, "{r:?}");
    assert_view(&t);
    let sent = stub.with(|c| c.requests.len()) - before;
    assert!(asked >= sent, "{asked} calls for {sent} requests");
    let first_range = stub.with(|c| c.log_ranges[batches as usize]);
    assert_eq!(
        first_range.0,
        synced + 1,
        "resumed after the stored batches"
    );
}

#[test]
fn the_staking_requirement_is_unknown_until_the_contract_tells_it() {
    let stub = Stub::start(chain());
    let dir = tempfile::tempdir().unwrap();
    let mut t = L2Tracker::open(cfg(&[stub.url()]), dir.path()).unwrap();
    let r = t.step(at(0));
    assert!(r.logs_complete);
    assert_eq!(t.staking_requirement(), None, "no answer: unknown");
    let v = serde_json::to_value(t.status(at(0))).unwrap();
    assert!(v.get("staking_requirement").is_none(), "{v:#}");
    // the contract answers: read at the next cycle
    stub.with(|c| c.staking_requirement = Some(21_000_000_000_000));
    t.step(at(60));
    let sr = alloy_primitives::U256::from(21_000_000_000_000u64);
    assert_eq!(t.staking_requirement(), Some(sr));
    // a later StakingRequirementUpdated replaces it (the contract answers so too)
    stub.with(|c| {
        c.head = HEAD + 10;
        put(c, HEAD + 5, events::staking_requirement(30_000_000_000_000));
        c.staking_requirement = Some(30_000_000_000_000);
    });
    const STAKING_REQUIREMENT: &str = "0x56d399e8";
    let calls = stub.calls_of(STAKING_REQUIREMENT);
    let r = t.step(at(120));
    assert_eq!(r.events_applied, 1, "{r:?}");
    let sr = alloy_primitives::U256::from(30_000_000_000_000u64);
    assert_eq!(t.staking_requirement(), Some(sr));
    assert_eq!(
        stub.calls_of(STAKING_REQUIREMENT),
        calls,
        "not read again before the next purge height"
    );
    // kept across a restart, before any request
    drop(t);
    let t = L2Tracker::open(cfg(&[stub.url()]), dir.path()).unwrap();
    assert_eq!(t.staking_requirement(), Some(sr));
}

#[test]
fn an_unanswered_node_list_is_asked_again_next_cycle() {
    let head = 14_400 + 100;
    let stub = Stub::start(Chain::new(head)); // allServiceNodeIDs() answers "0x"
    let dir = tempfile::tempdir().unwrap();
    let mut t = L2Tracker::open(cfg(&[stub.url()]), dir.path()).unwrap();
    // allServiceNodeIDs() only: stakingRequirement() (unknown here) is
    // asked every cycle too, and must not make this count grow.
    const ALL_IDS: &str = "0xabf2c503";
    const STAKING_REQUIREMENT: &str = "0x56d399e8";
    let r = t.step(at(0));
    assert!(r.logs_complete);
    assert_eq!(r.node_list_height, None);
    let first = stub.calls_of(ALL_IDS);
    assert!(first >= 1, "asked at the purge height");
    t.step(at(60));
    assert!(stub.calls_of(ALL_IDS) > first, "asked again");
    // once it answers, it is applied and not asked again at this height
    stub.with(|c| c.node_list = Some(node_list(&[(1, 1)])));
    let r = t.step(at(120));
    assert_eq!(r.node_list_height, Some(14_400));
    let (lists, requirements) = (stub.calls_of(ALL_IDS), stub.calls_of(STAKING_REQUIREMENT));
    let calls = stub.count("eth_call");
    let r = t.step(at(180));
    assert_eq!(r.node_list_height, None);
    assert_eq!(stub.calls_of(ALL_IDS), lists, "not asked again");
    // only stakingRequirement() (unknown, asked each cycle) and no rewardRate (cached)
    assert_eq!(stub.calls_of(STAKING_REQUIREMENT), requirements + 1);
    assert_eq!(stub.count("eth_call"), calls + 1);
}

/// A tracker synced to block 1000 of a stub chain, its log captured.
fn synced_to_1000() -> (
    Stub,
    tempfile::TempDir,
    common::logs::Logs,
    tracing::subscriber::DefaultGuard,
    L2Tracker,
) {
    let stub = Stub::start(Chain::new(1000));
    let dir = tempfile::tempdir().unwrap();
    let (logs, guard) = capture();
    let mut t = L2Tracker::open(cfg(&[stub.url()]), dir.path()).unwrap();
    t.step(at(0));
    assert_eq!(t.synced_height(), Some(1000));
    (stub, dir, logs, guard, t)
}

#[test]
fn blocks_older_than_the_window_are_skipped_with_a_warning_naming_them() {
    let (stub, _dir, logs, _guard, mut t) = synced_to_1000();
    // down for longer than 70 minutes of blocks
    stub.with(|c| c.head = 1000 + 20_000);
    let r = t.step(at(6000));
    let window_start = 21_000 - 16_800 + 1;
    let skipped = format!("1001-{}", window_start - 1);
    assert!(
        logs.text()
            .contains(&format!("L2 logs of blocks {skipped} are not fetched")),
        "{}",
        logs.text()
    );
    assert!(r.errors.iter().any(|e| e.contains(&skipped)), "{r:?}");
    let first = stub.with(|c| c.log_ranges.last().copied()).unwrap();
    assert_eq!(first.1, 21_000);
}

/// The gap warning is given once per gap, even when the first batch after
/// it fails for several cycles (the gap then stays, growing at its end).
#[test]
fn a_skipped_gap_is_warned_about_once_while_the_first_batch_fails() {
    let (stub, _dir, logs, _guard, mut t) = synced_to_1000();
    stub.with(|c| {
        c.head = 1000 + 20_000;
        c.fault = Some(Fault::Http(500));
        c.fault_methods = Some(vec!["eth_getLogs"]);
    });
    let warnings = || logs.text().matches("are not fetched").count();
    for (i, now) in [6000, 6060, 6120].into_iter().enumerate() {
        stub.with(|c| c.head += 10);
        let r = t.step(at(now));
        assert!(!r.logs_complete, "{r:?}");
        assert!(
            r.errors
                .iter()
                .any(|e| e.contains("skipped L2 blocks 1001-")),
            "each cycle's report still says so: {r:?}"
        );
        assert_eq!(t.synced_height(), Some(1000), "cycle {i}");
    }
    assert_eq!(warnings(), 1, "{}", logs.text());
    // the first batch works: synced past the gap, no new warning
    stub.set_fault(None);
    let r = t.step(at(6180));
    assert!(r.logs_complete, "{r:?}");
    assert_eq!(t.synced_height(), Some(21_030));
    assert_eq!(warnings(), 1, "{}", logs.text());
}

#[test]
fn a_provider_without_the_contract_is_named_at_start_instead_of_not_registered() {
    let good = Stub::start(chain());
    let empty = Stub::start(chain());
    empty.with(|c| c.no_contract = true);
    let dir = tempfile::tempdir().unwrap();
    let (logs, _guard) = capture();
    let mut t = L2Tracker::open(cfg(&[good.url(), empty.url()]), dir.path()).unwrap();
    t.set_own_node(snode_l2::NodeQuery {
        bls_pubkey: None,
        ed25519_pubkey: Some(snode_l2::abi::Ed25519Pubkey::from(events::ed(99))),
    });
    t.verify_chain_id().unwrap();
    assert_eq!(good.count("eth_getCode"), 1);
    assert_eq!(empty.count("eth_getCode"), 1);
    let want = format!(
        "no ServiceNodeRewards contract at {} on Backup L2 provider #1 [http://127.0.0.1:{}/…]",
        snode_l2::Deployment::Current
            .rewards_contract()
            .to_checksum(None),
        empty.port
    );
    let st = t.status(at(0));
    assert_eq!(st.contract_missing, vec![want.clone()]);
    assert!(
        st.summary().ends_with(&format!("; {want}")),
        "{}",
        st.summary()
    );
    assert!(!st.summary().contains("not registered"), "{}", st.summary());
    assert!(logs.text().contains(&want), "{}", logs.text());
    assert_no_secret(&t, &logs.text());

    // with the contract everywhere, nothing is said
    let dir = tempfile::tempdir().unwrap();
    let mut t = L2Tracker::open(cfg(&[good.url()]), dir.path()).unwrap();
    t.verify_chain_id().unwrap();
    let st = t.status(at(0));
    assert!(st.contract_missing.is_empty());
    assert!(serde_json::to_value(&st)
        .unwrap()
        .get("contract_missing")
        .is_none());
}

#[test]
fn nodes_learned_from_the_list_get_their_contract_record_in_bounded_batches() {
    // 2,000 nodes the logs never showed (registered before the window), two
    // of them with an exit request in their contract record
    let head = 2 * 14_400 + 100;
    let mut c = Chain::new(head);
    let ids: Vec<(u64, u8)> = (1..=2000u64).map(|id| (id, (id % 250) as u8)).collect();
    c.node_list = Some(node_list(&ids));
    c.leaving = vec![7, 1999];
    c.staking_requirement = Some(21_000_000_000_000);
    let stub = Stub::start(c);
    let dir = tempfile::tempdir().unwrap();
    let mut t = L2Tracker::open(cfg(&[stub.url()]), dir.path()).unwrap();
    let r = t.step(at(0));
    assert_eq!(r.node_list_height, Some(28_800));
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    // 2,000 records in batches of 100: 20 requests
    assert_eq!(snode_l2::RECORD_BATCH, 100);
    assert_eq!(stub.count("batch"), 20);
    let reg = t.registry();
    let seven = reg.get(7).unwrap();
    assert_eq!(seven.state, NodeContractState::ExitRequested);
    assert_eq!(seven.leave_request_timestamp, Some(5007));
    assert!(seven.registered_before);
    assert_eq!(seven.registered_block, 28_800);
    let eight = reg.get(8).unwrap();
    assert_eq!(eight.state, NodeContractState::Registered);
    assert_eq!(eight.added_timestamp, Some(1008));
    assert_eq!(eight.leave_request_timestamp, Some(0));
    assert!(
        eight.ed25519_pubkey.is_some(),
        "the record's Ed25519 key is kept"
    );
    assert_eq!(
        reg.get(1999).unwrap().state,
        NodeContractState::ExitRequested
    );
    // the records are stored: a restart keeps them without asking again
    drop(t);
    let t = L2Tracker::open(cfg(&[stub.url()]), dir.path()).unwrap();
    assert_eq!(
        t.registry().get(7).unwrap().state,
        NodeContractState::ExitRequested
    );
    assert!(t.registry().get(7).unwrap().registered_before);
}
