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

/// Blocks of a regtest chain made by upstream oxend v11.0.6 (scripts/oracle-net mine), with the
/// ids its `get_block` reported: an HF12 block with a v2 miner tx, and HF19 blocks with the
/// Pulse header, the signature list and the Oxen 10 compatibility tail.
#[test]
fn regtest_blocks_of_hf12_and_hf19_hash_as_oxend_does() {
    let vectors = [
        (
            5,
            12,
            "ae8702ede81630fe9e80f62e22a29ebc82842135fae0886f381a024e34691333",
            concat!(
                "0c1395a0cfd8068b8944e2e1672ed7243e6aedd024601998ded1a02dc1a7bf5e1085b31e95fae107",
                "78b72b040223232301ff0502d88dd6c8d60102d80c2a32c5387d6fa226edbfa9ee78aa041a986758",
                "57189e9cfe3f962dfe9769c4e4a6b4ee01022a74a3c4c36d32e95633d44ba9a7b8188297b2ac91af",
                "ecab826b86fabaa709166301d58e5ffed5ec13d858482e702abb04be80a260ca1e6908f941965217",
                "858aa56d01edc876d6831fd2105d0b4389ca2e283166469289146e2ce06faefe98b22548df720000",
                "000000000000000000000000000000000000000000000000000000000000000000",
            ),
        ),
        (
            16,
            19,
            "fd7320284c48870823ec2cbd7d2b8b241e466f0cfff40deb1822b96493d4364b",
            concat!(
                "130395a0cfd8064acbff68de9537a1851cbc42085ccd1e56bfdcd8757349aefdfc162696d2a565da",
                "4ca3a80000000000000000000000000000000000000004002e01ff10006301bdb3441e727cce2a65",
                "b074f89767e2fd788b1203bedf9992ed3353d06c86a86001eb2767c137ab7ad8279c078eff116ab0",
                "786ead3a2e0f989f72c37f82f2969670720000000000000000000000000000000000000000000000",
                "00000000000000000000000000100000000000000000000000000000000000000000000000000000",
                "00000000000000057ad703000000",
            ),
        ),
        (
            210,
            19,
            "264bb6aaf8abb4510316efb677fd33a584dba4f19bdf710801c07fa2979d6221",
            concat!(
                "13039aa0cfd80648a1d8af557c8721c7009500e75201386dfa229ab8d12e598217bcd767e3c11772",
                "da4ba2000000000000000000000000000000000000000400f00101ffd201006301c0995dfa639e30",
                "8b0fff9bddc23bf47e7e3333aaab5ae47d8e2a283b58d2588901beecd847156690c6805472d489ad",
                "c5b7cdbf37ca79d47346f4e59ff948c9f41272000000000000000000000000000000000000000000",
                "000000000000000000000000000000d2010000000000000000000000000000000000000000000000",
                "00000000000000000000057ad703000000",
            ),
        ),
    ];
    for (height, major, id, blob) in vectors {
        let b = Block::parse(&hex::decode(blob).unwrap()).unwrap();
        assert_eq!(hex_id(&b.id), id, "block {height}");
        assert_eq!(b.height(), Some(height));
        assert_eq!(b.header.major_version, major);
        if major >= 16 {
            assert!(b.header.pulse.is_some() && b.signatures.is_empty());
        }
    }
}
