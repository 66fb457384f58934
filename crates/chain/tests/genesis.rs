//! Genesis block ids against the values upstream oxend v11.0.6 reports for height 0
//! (`get_block_header_by_height` on `--stagenet` and `--regtest`) and its hard-coded mainnet
//! checkpoint. The live comparison against the oracle is in tests/oracle.rs.

use snode_chain::{hex_id, Block, Network};

#[test]
fn stagenet_genesis_id_and_miner_tx_id_match_oxend() {
    let g = Network::Stagenet.genesis().unwrap();
    assert_eq!(
        hex_id(&g.id),
        "93228e506979e2159af05ff19a06dd35ac27a54b9b9feee76db14b534d739fe2"
    );
    assert_eq!(
        hex_id(&g.miner_tx.as_ref().unwrap().hash),
        "04288dc00eef09adce0b54eadae67dce8e8f68c23673ee2bcf04e86cc50799f4"
    );
    assert_eq!(g.height(), Some(0));
    assert_eq!(g.header.nonce, 12345);
    assert_eq!(
        hex::encode(Network::Stagenet.genesis_blob()),
        concat!(
            "0707000000000000000000000000000000000000000000000000000000000000000000393000000401",
            "1e1e01ff00018080c9db97f4fb2702fa27e905f604faa4eb084ee675faca77b0cfea9adec1526da33cae",
            "5e286f31624201dae05bf3fa1662b7fd373c92426763d921cf3745e10ee43edb510f690c656f24720000",
            "000000000000000000000000000000000000000000000000000000000000000000"
        )
    );
}

#[test]
fn mainnet_genesis_id_matches_the_hardcoded_checkpoint() {
    let g = Network::Mainnet.genesis().unwrap();
    assert_eq!(hex_id(&g.id), Network::Mainnet.checkpoints()[0].1);
    assert_eq!(Network::Regtest.genesis().unwrap().id, g.id);
}

#[test]
fn truncated_and_padded_blobs_are_rejected() {
    let blob = Network::Stagenet.genesis_blob();
    for cut in [1, 10, 40, blob.len() - 1] {
        assert!(Block::parse(&blob[..cut]).is_err(), "cut at {cut}");
    }
    let mut longer = blob.clone();
    longer.push(0);
    let e = Block::parse(&longer).unwrap_err();
    assert!(
        e.to_string().contains("unexpected bytes after the block"),
        "{e}"
    );
}
