//! Connects to one oxend peer, prints the handshake and events for a few seconds.
//! Usage: p2p-probe <network-id-hex> <peer ip:port> [listen ip:port] [seconds]

use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use snode_p2p::messages::CoreSyncData;
use snode_p2p::{P2p, P2pConfig};

fn main() {
    let a: Vec<String> = std::env::args().collect();
    if a.len() < 3 {
        eprintln!("usage: p2p-probe <network-id-hex> <peer ip:port> [listen ip:port] [seconds]");
        std::process::exit(2);
    }
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .init();
    let id: [u8; 16] = hex::decode(&a[1])
        .expect("hex")
        .try_into()
        .expect("16 bytes");
    let mut cfg = P2pConfig::new(id);
    cfg.exclusive_nodes = vec![a[2].parse().expect("peer address")];
    cfg.bind = a.get(3).map(|s| s.parse().expect("listen address"));
    if let Ok(t) = std::env::var("PROBE_TIMED_SYNC_SECS") {
        cfg.timed_sync_interval = std::time::Duration::from_secs(t.parse().expect("seconds"));
    }
    let secs: u64 = a.get(4).map(|s| s.parse().expect("seconds")).unwrap_or(5);
    let top = std::env::var("PROBE_TOP")
        .ok()
        .map(|h| hex::decode(h).expect("hex").try_into().expect("32"));
    let sync = CoreSyncData {
        current_height: 1,
        cumulative_difficulty: 1,
        top_id: top.unwrap_or([0; 32]),
        top_version: 7,
        pruning_seed: 0,
    };
    let (tx, rx) = mpsc::channel();
    let p = P2p::start(cfg, Arc::new(move || sync.clone()), tx).expect("start");
    let end = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < end {
        if let Ok(e) = rx.recv_timeout(Duration::from_millis(200)) {
            println!("{e:?}");
        }
    }
    for c in p.connections() {
        println!("{c:?}");
    }
    p.shutdown();
}
