//! The store without a peer: genesis on creation, network guard, sparse chain history,
//! atomic append and reorg replacement, and reopening.

mod common;
use common::block_blob;
use snode_chain::store::StoredBlock;
use snode_chain::{Block, Network, Store, StoreError};

/// A minimal HF7 block at `height` on `prev` (a v1 coinbase with no outputs).
fn block(height: u64, prev: [u8; 32], ts: u64) -> StoredBlock {
    let b = block_blob(height, prev, ts);
    let block = Block::parse(&b).unwrap();
    assert_eq!(block.height(), Some(height));
    StoredBlock {
        height,
        block,
        blob: b,
        txs: vec![],
    }
}

fn chain(store: &Store, from: u64, to: u64, salt: u64) -> Vec<StoredBlock> {
    let mut prev = store.id_at(from - 1).unwrap().unwrap();
    (from..to)
        .map(|h| {
            let b = block(h, prev, 1000 + h * 120 + salt);
            prev = b.block.id;
            b
        })
        .collect()
}

#[test]
fn new_store_holds_genesis_and_refuses_another_network() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("chain.sqlite");
    let s = Store::open(&p, Network::Stagenet).unwrap();
    assert_eq!(s.height().unwrap(), 1);
    assert_eq!(s.top().unwrap().1, Network::Stagenet.genesis().unwrap().id);
    drop(s);
    let e = Store::open(&p, Network::Mainnet).unwrap_err();
    assert!(matches!(e, StoreError::WrongNetwork { .. }));
    assert!(
        e.to_string().contains("belongs to stagenet, not mainnet"),
        "{e}"
    );
}

#[test]
fn sparse_chain_is_dense_then_doubling_and_ends_in_genesis() {
    let d = tempfile::tempdir().unwrap();
    let mut s = Store::open(&d.path().join("c.sqlite"), Network::Regtest).unwrap();
    let blocks = chain(&s, 1, 100, 0);
    s.commit(&blocks, Some(100)).unwrap();
    let ids = s.sparse_chain().unwrap();
    let heights: Vec<u64> = ids
        .iter()
        .map(|i| s.height_of(i).unwrap().unwrap())
        .collect();
    assert_eq!(
        heights,
        vec![99, 98, 97, 96, 95, 94, 93, 92, 91, 90, 89, 87, 83, 75, 59, 27, 0]
    );
}

#[test]
fn reorg_replaces_the_fork_atomically_and_survives_reopening() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("c.sqlite");
    let mut s = Store::open(&p, Network::Regtest).unwrap();
    let a = chain(&s, 1, 30, 0);
    s.commit(&a, Some(30)).unwrap();
    let b = {
        let mut prev = a[19].block.id; // fork after height 20
        (21..40)
            .map(|h| {
                let x = block(h, prev, 7 + 1000 + h * 120);
                prev = x.block.id;
                x
            })
            .collect::<Vec<_>>()
    };
    s.commit(&b, Some(40)).unwrap();
    drop(s);
    let s = Store::open(&p, Network::Regtest).unwrap();
    assert_eq!(s.height().unwrap(), 40);
    assert_eq!(s.cumulative_difficulty().unwrap(), 40);
    assert_eq!(s.id_at(20).unwrap(), Some(a[19].block.id));
    assert_eq!(s.id_at(21).unwrap(), Some(b[0].block.id));
    assert_eq!(
        s.height_of(&a[25].block.id).unwrap(),
        None,
        "a block of the old branch is still there"
    );
    assert_eq!(
        s.timestamps_below(40, 3).unwrap(),
        vec![
            7 + 1000 + 37 * 120,
            7 + 1000 + 38 * 120,
            7 + 1000 + 39 * 120
        ]
    );
}
