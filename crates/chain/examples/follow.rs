//! Runs the follower against given peers and prints its progress; the harness used by the
//! oracle tests and for the sync benchmark.
//!
//! follow <regtest|stagenet|testnet|mainnet> <data-dir> <bind ip:port|-> <exclusive peer ip:port>
//!        [--until <height>] [--bench]
//! Prints `height H/T top <id>` lines as the height changes, `synced H <id>` when --until is
//! reached, and with --bench a `bench blocks=.. bytes=.. secs=.. blocks_per_s=.. bytes_per_s=..
//! max_rss_kb=..` line.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use snode_chain::{Follower, FollowerConfig, Network};

fn rss_kb(key: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(key))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn main() {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .init();
    let a: Vec<String> = std::env::args().collect();
    if a.len() < 5 {
        eprintln!("usage: follow <network> <data-dir> <bind|-> <peer> [--until H] [--bench]");
        std::process::exit(2);
    }
    let network = match a[1].as_str() {
        "regtest" => Network::Regtest,
        "stagenet" => Network::Stagenet,
        "testnet" => Network::Testnet,
        "mainnet" => Network::Mainnet,
        other => {
            eprintln!("follow: unknown network {other}");
            std::process::exit(2);
        }
    };
    let until: Option<u64> = a
        .iter()
        .position(|x| x == "--until")
        .map(|i| a[i + 1].parse().expect("--until height"));
    let bench = a.iter().any(|x| x == "--bench");
    let mut cfg = FollowerConfig::new(network, a[2].clone().into());
    cfg.p2p.bind = if a[3] == "-" {
        None
    } else {
        Some(a[3].parse().expect("bind address"))
    };
    cfg.p2p.exclusive_nodes = vec![a[4].parse().expect("peer address")];
    cfg.p2p.reconnect_interval = Duration::from_millis(500);
    let f = Arc::new(Follower::new(cfg).unwrap_or_else(|e| {
        eprintln!("follow: {e}");
        std::process::exit(1);
    }));
    let stop = Arc::new(AtomicBool::new(false));
    let (f2, s2) = (f.clone(), stop.clone());
    let worker = std::thread::spawn(move || f2.run(&s2));
    let start = Instant::now();
    let mut last = 0;
    let mut max_rss = 0;
    loop {
        std::thread::sleep(Duration::from_millis(50));
        max_rss = max_rss.max(rss_kb("VmRSS:"));
        let st = f.status();
        if st.height != last {
            last = st.height;
            println!(
                "height {}/{} top {}",
                st.height, st.target_height, st.top_block_hash
            );
        }
        if until.is_some_and(|u| st.height >= u) || worker.is_finished() {
            let secs = start.elapsed().as_secs_f64();
            println!("synced {} {}", st.height, st.top_block_hash);
            if bench {
                println!(
                    "bench blocks={} bytes={} secs={secs:.3} blocks_per_s={:.1} bytes_per_s={:.0} max_rss_kb={max_rss} peak_rss_kb={}",
                    st.blocks_downloaded,
                    st.bytes_downloaded,
                    st.blocks_downloaded as f64 / secs,
                    st.bytes_downloaded as f64 / secs,
                    rss_kb("VmHWM:")
                );
            }
            for c in &st.connections {
                println!(
                    "connection {} {}:{} incoming={} height={}",
                    c.connection_id, c.ip, c.port, c.incoming, c.height
                );
            }
            break;
        }
    }
    stop.store(true, Ordering::SeqCst);
    if let Ok(Err(e)) = worker.join() {
        eprintln!("follow: {e}");
        std::process::exit(1);
    }
}
