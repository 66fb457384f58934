//! Two of our own nodes on loopback: handshake both ways, notifications, wrong network ids
//! refused, bans enforced.

use std::net::SocketAddr;
use std::sync::mpsc::{self, Receiver};
use std::sync::Arc;
use std::time::Duration;

use snode_p2p::epee::{Section, Value};
use snode_p2p::messages::CoreSyncData;
use snode_p2p::{Event, P2p, P2pConfig};

fn sync(height: u64) -> CoreSyncData {
    CoreSyncData {
        current_height: height,
        cumulative_difficulty: height,
        top_id: [height as u8; 32],
        top_version: 7,
        pruning_seed: 0,
    }
}

fn node(id: [u8; 16], height: u64, peer: Option<SocketAddr>) -> (P2p, Receiver<Event>) {
    node_retrying(id, height, peer, Duration::from_millis(100))
}

fn node_retrying(
    id: [u8; 16],
    height: u64,
    peer: Option<SocketAddr>,
    retry: Duration,
) -> (P2p, Receiver<Event>) {
    let mut cfg = P2pConfig::new(id);
    cfg.bind = Some("127.0.0.1:0".parse().unwrap());
    cfg.exclusive_nodes = peer.into_iter().collect();
    cfg.reconnect_interval = retry;
    let (tx, rx) = mpsc::channel();
    let s = sync(height);
    (
        P2p::start(cfg, Arc::new(move || s.clone()), tx).unwrap(),
        rx,
    )
}

fn next(rx: &Receiver<Event>, what: &str, pred: impl Fn(&Event) -> bool) -> Event {
    loop {
        let e = rx
            .recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|_| panic!("no {what} event"));
        if pred(&e) {
            return e;
        }
    }
}

#[test]
fn handshake_exchanges_chain_state_and_carries_notifications() {
    let (a, arx) = node([1; 16], 10, None);
    let (b, brx) = node([1; 16], 20, a.local_addr());
    let Event::Connected {
        conn: bconn,
        sync: seen_by_b,
        incoming,
        ..
    } = next(&brx, "connect", |e| matches!(e, Event::Connected { .. }))
    else {
        unreachable!()
    };
    assert!(!incoming);
    assert_eq!(seen_by_b, sync(10));
    let Event::Connected {
        conn: aconn,
        sync: seen_by_a,
        incoming,
        ..
    } = next(&arx, "connect", |e| matches!(e, Event::Connected { .. }))
    else {
        unreachable!()
    };
    assert!(incoming);
    assert_eq!(seen_by_a, sync(20));
    let body = Section::new().with("x", Value::U64(42));
    b.send(bconn, 2006, &body).unwrap();
    let Event::Notify {
        conn,
        command,
        body: got,
    } = next(&arx, "notify", |e| matches!(e, Event::Notify { .. }))
    else {
        unreachable!()
    };
    assert_eq!((conn, command), (aconn, 2006));
    assert_eq!(got, body);
    let ca = a.connections();
    assert_eq!(ca.len(), 1);
    assert!(
        ca[0].incoming && ca[0].height == 20 && ca[0].peer_id == format!("{:016x}", b.peer_id())
    );
    a.shutdown();
    next(&brx, "disconnect", |e| {
        matches!(e, Event::Disconnected { .. })
    });
    b.shutdown();
}

#[test]
fn wrong_network_is_refused_and_repeated_failures_ban_the_ip() {
    let (a, d, drx) = connected_pair();
    // A node of another network retries every 20 ms: each handshake is refused and counted,
    // and the tenth failure bans its IP (oxend's IP_FAILS_BEFORE_BLOCK), which also drops d,
    // since both are 127.0.0.1.
    let (c, crx) = node_retrying([2; 16], 10, a.local_addr(), Duration::from_millis(20));
    next(&drx, "disconnect caused by the ban", |e| {
        matches!(e, Event::Disconnected { .. })
    });
    assert!(a.is_banned("127.0.0.1".parse().unwrap()));
    assert!(
        !crx.try_iter().any(|e| matches!(e, Event::Connected { .. })),
        "a node of another network was accepted"
    );
    assert!(a.connections().is_empty());
    c.shutdown();
    d.shutdown();
    a.shutdown();
}

#[test]
fn an_explicit_ban_drops_and_refuses_the_peer() {
    // Repeated: `d` may see its handshake answered before `a` has listed the connection, so
    // the ban can land while the handshake is in flight; the connection must never be listed.
    for round in 0..25 {
        let (a, d, drx) = connected_pair();
        a.ban("127.0.0.1".parse().unwrap());
        next(&drx, "disconnect after ban", |e| {
            matches!(e, Event::Disconnected { .. })
        });
        assert!(a.is_banned("127.0.0.1".parse().unwrap()));
        assert!(
            a.connections().is_empty(),
            "round {round}: the banned peer is still listed: {:?}",
            a.connections()
                .iter()
                .map(|c| c.ip.clone())
                .collect::<Vec<_>>()
        );
        d.shutdown();
        a.shutdown();
    }
}

const MAINNET_LIKE: [u8; 16] = [1; 16];

/// A listening node `a` and a node `d` connected to it; `d`'s events.
fn connected_pair() -> (P2p, P2p, Receiver<Event>) {
    let (a, _arx) = node(MAINNET_LIKE, 10, None);
    let (d, drx) = node(MAINNET_LIKE, 10, a.local_addr());
    next(&drx, "connect", |e| matches!(e, Event::Connected { .. }));
    (a, d, drx)
}
