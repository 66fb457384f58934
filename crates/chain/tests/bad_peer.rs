//! The follower against a scripted peer (our own p2p node on loopback) that announces one
//! chain and then delivers a different block: the batch is refused, nothing is stored, and
//! the peer is banned and dropped.

mod common;
use common::block_blob;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use snode_chain::{Block, Follower, FollowerConfig, Network};
use snode_p2p::messages::*;
use snode_p2p::{Event, P2p, P2pConfig};

#[test]
fn a_block_other_than_the_announced_one_is_refused_and_the_peer_banned() {
    let genesis = Network::Regtest.genesis().unwrap().id;
    let b1 = block_blob(1, genesis, 1_000);
    let id1 = Block::parse(&b1).unwrap().id;
    let b2 = block_blob(2, id1, 1_120);
    let id2 = Block::parse(&b2).unwrap().id;
    let forged = block_blob(2, id1, 1_121); // same place, different block

    let mut cfg = P2pConfig::new(Network::Regtest.network_id());
    cfg.bind = Some("127.0.0.1:0".parse().unwrap());
    let (tx, rx) = mpsc::channel();
    let top = CoreSyncData {
        current_height: 3,
        cumulative_difficulty: 3,
        top_id: id2,
        top_version: 7,
        pruning_seed: 0,
    };
    let peer = P2p::start(cfg, Arc::new(move || top.clone()), tx).unwrap();

    let dir = tempfile::tempdir().unwrap();
    let mut fcfg = FollowerConfig::new(Network::Regtest, dir.path().to_path_buf());
    fcfg.p2p.bind = None;
    fcfg.p2p.exclusive_nodes = vec![peer.local_addr().unwrap()];
    fcfg.p2p.reconnect_interval = Duration::from_millis(100);
    let f = Arc::new(Follower::new(fcfg).unwrap());
    let stop = Arc::new(AtomicBool::new(false));
    let (f2, s2) = (f.clone(), stop.clone());
    let worker = std::thread::spawn(move || f2.run(&s2));

    let end = Instant::now() + Duration::from_secs(60);
    let mut served_blocks = false;
    loop {
        assert!(
            Instant::now() < end,
            "the scripted exchange did not finish; status {:?}",
            f.status()
        );
        let Ok(ev) = rx.recv_timeout(Duration::from_millis(100)) else {
            continue;
        };
        match ev {
            Event::Notify {
                conn,
                command: NOTIFY_REQUEST_CHAIN,
                ..
            } => {
                let e = ChainEntry {
                    start_height: 0,
                    total_height: 3,
                    cumulative_difficulty: 3,
                    block_ids: vec![genesis, id1, id2],
                };
                peer.send(conn, NOTIFY_RESPONSE_CHAIN_ENTRY, &e.to_section())
                    .unwrap();
            }
            Event::Notify {
                conn,
                command: NOTIFY_REQUEST_GET_BLOCKS,
                body,
            } => {
                assert_eq!(body.hashes("blocks").unwrap(), vec![id1, id2]);
                let r = BlocksResponse {
                    blocks: [b1.clone(), forged.clone()]
                        .into_iter()
                        .map(|block| BlockEntry {
                            block,
                            txs: vec![],
                            checkpoint: vec![],
                        })
                        .collect(),
                    missed_ids: vec![],
                    current_blockchain_height: 3,
                };
                peer.send(conn, NOTIFY_RESPONSE_GET_BLOCKS, &r.to_section())
                    .unwrap();
                served_blocks = true;
            }
            Event::Disconnected { .. } if served_blocks => break,
            _ => {}
        }
    }
    let st = f.status();
    assert_eq!(st.height, 1, "a block of the refused batch was stored");
    assert!(
        st.last_error
            .as_deref()
            .unwrap_or("")
            .contains("is not the announced"),
        "{:?}",
        st.last_error
    );
    stop.store(true, Ordering::SeqCst);
    worker.join().unwrap().unwrap();
    peer.shutdown();
}
