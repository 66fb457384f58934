//! One round trip per admin RPC method: the server's handler answers from a
//! real daemon state (keys on disk, a real L2 tracker that has asked a
//! provider which refuses connections), the answer goes through JSON text as
//! on the wire, the client's reply type reads it, and it says the same facts
//! the server had.

use std::net::TcpListener;
use std::time::SystemTime;

use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use snode_node::api::chain::{Connection, ConnectionsReply};
use snode_node::api::info::InfoReply;
use snode_node::api::keys::ServiceKeysReply;
use snode_node::api::l2::{L2StatusReply, RecentEvents};
use snode_node::api::register::RegistrationReply;
use snode_node::api::sn_status::ServiceNodeStatusReply;
use snode_node::api::{StatusReply, FOLLOWER_NOTE, NO_CHAIN_NOTE};
use snode_node::server::{Ctx, Methods};
use snode_node::shutdown::Shutdown;

/// A port on 127.0.0.1 that nothing listens on (bound, then released).
fn closed_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

struct Fixture {
    _dir: tempfile::TempDir,
    ctx: Ctx,
    methods: Methods,
    /// snode-l2's own serialisation of the status the view was made from.
    l2_status: Option<Value>,
}

fn fixture(service_node: bool, tracked: bool) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let conf = format!(
        "data-dir={}\nservice-node={}\nstagenet=1\nservice-node-public-ip=1.2.3.4\n\
         l2-provider=http://127.0.0.1:{}/v2/SECRETKEY\nl2-skip-chainid=1\n",
        dir.path().display(),
        u8::from(service_node),
        closed_port()
    );
    let doc = snode_conf::parse(&conf, "test.conf").unwrap();
    let settings = snode_conf::Settings::from_sources(Some(&doc), &[]).unwrap();
    let (keys, _) = snode_node::keys::load_or_create_keys(dir.path(), service_node).unwrap();
    let ctx = Ctx::new(settings, keys, Shutdown::new());
    assert_eq!(ctx.state.service_node, service_node);
    let mut methods = Methods::standard();
    let mut l2_status = None;
    if tracked {
        let cfg = snode_l2::L2Config::from_settings(&ctx.settings).unwrap();
        let mut tracker = snode_l2::L2Tracker::open(cfg, &dir.path().join("l2")).unwrap();
        let own = service_node.then(|| snode_node::l2::own_node(&ctx.keys.public));
        if let Some(q) = &own {
            tracker.set_own_node(q.clone());
        }
        // One cycle against a provider that refuses: real failure counters.
        tracker.step(SystemTime::now());
        let now = SystemTime::now();
        l2_status = Some(serde_json::to_value(tracker.status(now)).unwrap());
        ctx.state
            .set_l2(snode_node::l2::view(&tracker, own.as_ref(), now));
        snode_node::server::l2::add_methods(&mut methods);
    }
    Fixture {
        _dir: dir,
        ctx,
        methods,
        l2_status,
    }
}

impl Fixture {
    /// The method's result as JSON text (as on the wire), read back as `T`.
    fn call<T: DeserializeOwned>(&self, method: &str, params: Value) -> (T, Value) {
        let result = self.methods.call(&self.ctx, method, params).unwrap();
        let text = serde_json::to_string(&result).unwrap();
        (serde_json::from_str(&text).unwrap(), result)
    }
}

#[test]
fn get_info_round_trip() {
    let f = fixture(true, true);
    let (info, wire): (InfoReply, _) = f.call("get_info", Value::Null);
    assert_eq!(info.status, "OK");
    assert_eq!(info.version, snode_node::VERSION);
    assert_eq!(info.status_line, f.ctx.state.status_line());
    assert_eq!(info.l2_summary, f.ctx.state.l2_summary());
    assert!(info.status_line.contains(&info.l2_summary));
    assert!(info.service_node);
    assert_eq!(info.start_time, f.ctx.state.start_time);
    assert_eq!(info.note, NO_CHAIN_NOTE);
    // the L2 report, as the server built it
    let l2 = info.l2.expect("tracked");
    assert_eq!(Some(&l2), f.ctx.state.l2().map(|v| v.status).as_ref());
    // oxend's and snode-l2's field names stay on the wire
    for key in [
        "chain_id",
        "rewards_contract",
        "l2_height",
        "synced_height",
        "providers",
    ] {
        assert!(wire["l2"].get(key).is_some(), "{key}: {wire:#}");
    }
    assert!(
        wire["l2"]["providers"][0].get("priority").is_some(),
        "{wire:#}"
    );
    // the facts the client prints, computed by the server
    let p = &l2.providers[0];
    let counters = &f.l2_status.as_ref().unwrap()["providers"][0]["counters"];
    let refused = counters["connection"].as_u64().unwrap();
    assert!(refused > 0, "{counters}");
    assert_eq!(p.failures, refused, "{p:?}");
    assert_eq!(p.nonzero_counters.len(), 1, "{p:?}");
    assert_eq!(p.nonzero_counters[0].name, "connection");
    assert_eq!(p.nonzero_counters[0].count, refused);
    assert_eq!(p.counters.requests, counters["requests"].as_u64().unwrap());
    assert!(!l2.sync_incomplete);
    assert!(matches!(l2.recent_events, Some(RecentEvents::Events(_))));
    // no secret on the wire
    assert!(!wire.to_string().contains("SECRETKEY"), "{wire}");
    // an untracked daemon has no `l2` and says so in the summary
    let (info, wire): (InfoReply, _) = fixture(false, false).call("get_info", Value::Null);
    assert!(info.l2.is_none() && wire.get("l2").is_none());
    assert_eq!(info.l2_summary, snode_node::state::L2_NOT_TRACKED);
    assert!(!info.service_node);
}

#[test]
fn get_service_keys_round_trip() {
    let f = fixture(true, false);
    let (keys, _): (ServiceKeysReply, _) = f.call("get_service_keys", Value::Null);
    let public = &f.ctx.keys.public;
    assert_eq!(keys.service_node_pubkey.as_ref(), Some(&public.primary));
    assert_eq!(keys.service_node_ed25519_pubkey, public.ed25519);
    assert_eq!(keys.service_node_x25519_pubkey, public.x25519);
    assert_eq!(keys.service_node_bls_pubkey, public.bls);
    assert!(keys.is_service_node);
    let f = fixture(false, false);
    let (keys, wire): (ServiceKeysReply, _) = f.call("get_service_node_key", Value::Null);
    assert!(keys.service_node_pubkey.is_none() && keys.service_node_bls_pubkey.is_none());
    assert!(wire.get("service_node_pubkey").is_none(), "{wire}");
    assert!(!keys.is_service_node);
}

#[test]
fn get_service_node_status_round_trip() {
    let f = fixture(true, true);
    let (st, wire): (ServiceNodeStatusReply, _) = f.call("get_service_node_status", Value::Null);
    let s = &st.service_node_state;
    assert_eq!(s.service_node_pubkey, f.ctx.keys.public.primary);
    assert_eq!(s.public_ip.as_deref(), Some("1.2.3.4"));
    assert_eq!(s.quorumnet_port, f.ctx.state.quorumnet_port);
    assert_eq!(s.pubkey_bls, f.ctx.keys.public.bls);
    assert_eq!(
        s.registration_state,
        f.ctx.state.registration().status_word()
    );
    let view = f.ctx.state.l2().unwrap();
    assert_eq!(s.tracked, view.service_node_state);
    // tracked: the synced height is on the wire, null before the first sync
    assert!(
        wire["service_node_state"].get("l2_synced_height").is_some(),
        "{wire}"
    );
    assert_eq!(st.note, NO_CHAIN_NOTE);
    assert!(!s.in_contract());
}

#[test]
fn stop_daemon_round_trip() {
    let f = fixture(false, false);
    let (reply, _): (StatusReply, _) = f.call("stop_daemon", Value::Null);
    assert_eq!(reply, StatusReply::ok());
    assert_eq!(f.ctx.shutdown.reason().as_deref(), Some("stop_daemon RPC"));
}

#[test]
fn bls_registration_request_round_trip() {
    let f = fixture(true, false);
    let operator = "70997970C51812dc3A010C7d01b50e0d17dc79C8";
    let (reg, _): (RegistrationReply, _) =
        f.call("bls_registration_request", json!({ "address": operator }));
    assert_eq!(reg.status, "OK");
    assert_eq!(reg.info.service_node_pubkey, f.ctx.keys.public.ed25519);
    assert_eq!(reg.staking_url, f.ctx.settings.staking_url);
}

#[test]
fn get_l2_status_round_trip() {
    let f = fixture(true, true);
    let (reply, wire): (L2StatusReply, _) = f.call("get_l2_status", Value::Null);
    let view = f.ctx.state.l2().unwrap();
    assert_eq!(reply.summary, view.summary);
    assert_eq!(reply.l2, view.status);
    assert_eq!(reply.l2.summary.as_deref(), Some(view.summary.as_str()));
    assert_eq!(reply.l2.providers.len(), 1);
    assert!(
        reply.l2.providers[0].url.ends_with("/…"),
        "{:?}",
        reply.l2.providers[0]
    );
    // every field snode-l2 serialises is on the wire, unchanged
    let original = f.l2_status.as_ref().unwrap().as_object().unwrap();
    for (key, value) in original {
        let sent = &wire["l2"][key];
        if key == "providers" || key == "own_node" {
            // the daemon adds fields to these objects; the rest is unchanged
            let (a, b) = (value.as_array(), sent.as_array());
            for (o, n) in a.into_iter().flatten().zip(b.into_iter().flatten()) {
                for (k, v) in o.as_object().unwrap() {
                    assert_eq!(&n[k], v, "{key}.{k}");
                }
            }
            if key == "own_node" {
                for (k, v) in value.as_object().into_iter().flatten() {
                    assert_eq!(&sent[k], v, "own_node.{k}");
                }
            }
        } else {
            assert_eq!(sent, value, "{key}");
        }
    }
    // read back and written again, the reply is the same JSON
    assert_eq!(serde_json::to_value(&reply).unwrap(), wire);
    // the alias answers the same
    let (alias, _): (L2StatusReply, _) = f.call("l2_status", Value::Null);
    assert_eq!(alias.l2.chain_id, reply.l2.chain_id);
}

/// The fixture with the chain follower's view: a real snode-chain follower
/// opened in the fixture's data dir (not run: no network), its status as the
/// plug-in publishes it, plus one connection as the P2P side reports it.
fn with_chain(f: &Fixture) -> snode_node::state::ChainView {
    let settings = &f.ctx.settings;
    let cfg = snode_node::chain::follower_config(settings).unwrap();
    let follower = snode_chain::Follower::new(cfg).unwrap();
    let mut view = snode_node::chain::view(follower.status(), None);
    view.connections.push(Connection {
        address: "127.0.0.1:11022".into(),
        address_type: 1,
        ip: "127.0.0.1".into(),
        port: 11022,
        peer_id: "00112233aabbccdd".into(),
        incoming: true,
        localhost: true,
        recv_count: 1234,
        recv_idle_time: 2,
        send_count: 567,
        send_idle_time: 3,
        state: "normal".into(),
        live_time: 40,
        avg_download: 1,
        avg_upload: 0,
        connection_id: "0".repeat(31) + "7",
        height: 9,
        pruning_seed: 0,
    });
    view.report.incoming_connections_count = 1;
    f.ctx.state.set_chain(view.clone());
    view
}

#[test]
fn get_info_with_the_chain_follower_round_trip() {
    let mut f = fixture(true, false);
    f.methods = Methods::standard();
    let view = with_chain(&f);
    let (info, wire): (InfoReply, _) = f.call("get_info", Value::Null);
    assert!(info.chain_follower, "on by default");
    assert_eq!(info.height, Some(1), "the genesis block");
    assert_eq!(info.target_height, Some(0));
    assert_eq!(
        info.top_block_hash.as_deref(),
        Some(snode_chain::hex_id(&snode_chain::Network::Stagenet.genesis().unwrap().id).as_str())
    );
    assert_eq!(info.incoming_connections_count, Some(1));
    assert_eq!(info.outgoing_connections_count, Some(0));
    assert_eq!(info.synchronized, Some(false));
    assert_eq!(info.chain.as_ref(), Some(&view.report));
    assert_eq!(info.note, FOLLOWER_NOTE);
    assert!(
        info.status_line.contains("; Height: 1, peers: 1; "),
        "{}",
        info.status_line
    );
    // oxend's names on the wire
    for key in [
        "height",
        "target_height",
        "top_block_hash",
        "outgoing_connections_count",
        "incoming_connections_count",
        "white_peerlist_size",
        "grey_peerlist_size",
        "synchronized",
    ] {
        assert!(wire.get(key).is_some(), "{key}: {wire:#}");
    }
    assert_eq!(serde_json::to_value(&info).unwrap(), wire);
}

#[test]
fn get_connections_round_trip() {
    let f = fixture(false, false);
    let mut methods = Methods::standard();
    snode_node::server::chain::add_methods(&mut methods);
    let f = Fixture { methods, ..f };
    let err = f
        .methods
        .call(&f.ctx, "get_connections", Value::Null)
        .unwrap_err();
    assert_eq!(err.message, "the chain follower has not reported yet");
    let view = with_chain(&f);
    let (reply, wire): (ConnectionsReply, _) = f.call("get_connections", Value::Null);
    assert_eq!(reply.status, "OK");
    assert_eq!(reply.connections, view.connections);
    let c = &wire["connections"][0];
    for key in [
        "address",
        "peer_id",
        "incoming",
        "height",
        "live_time",
        "state",
        "recv_count",
        "recv_idle_time",
        "send_count",
        "send_idle_time",
        "ip",
        "port",
        "localhost",
        "avg_download",
        "avg_upload",
        "connection_id",
        "address_type",
        "pruning_seed",
    ] {
        assert!(c.get(key).is_some(), "{key}: {wire:#}");
    }
    assert_eq!(serde_json::to_value(&reply).unwrap(), wire);
}
