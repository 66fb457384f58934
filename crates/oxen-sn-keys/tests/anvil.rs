//! The key guard against a real local L2 node (issue 6 acceptance): anvil
//! (chain id 421614, 127.0.0.1, `SNODE_ANVIL` from `scripts/install-anvil`)
//! emits `NewServiceNodeV2` for this node's keys from the rewards contract
//! address, and `oxen-sn-keys-snapshot restore --overwrite` /
//! `restore-bls --overwrite` must then refuse to replace them.
//!
//! anvil has no ServiceNodeRewards contract, so the address is given (with
//! `anvil_setCode`) a small contract, [`REGISTRY`], that does what the guard
//! relies on, from the event itself: a transaction whose calldata is
//! `topic0 ‖ topic1 ‖ data` emits that log and remembers the node's id
//! (topic1), BLS pubkey (data words 1–2) and Ed25519 pubkey (word 3); the
//! views `allServiceNodeIDs()` and `ed25519ToServiceNodeID(uint256)`
//! (docs/compat/l2-contract.md) answer from what was remembered.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use crate::common::{names, NodeDir};
use serde_json::json;
use snode_testkit::{free_port, Anvil};

const SEED: &str = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
const OTHER_SEED: &str = "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb";
const BLS_SK: &str = "1234567890abcdef1234567890abcdef1234567890abcdef1234567890abcdef";
const OTHER_BLS_SK: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
/// topic0 of NewServiceNodeV2 (docs/compat/l2-contract.md).
const NEW_SERVICE_NODE_V2: &str =
    "533c16cb4158fe7c77021b90e9290bbefa457dd392bd8abc1eab59747834fd5b";
/// Both stagenet ServiceNodeRewards deployments (docs/compat/l2-contract.md).
const CONTRACTS: [&str; 2] = [
    "0x9d8aB00880CBBdc2Dcd29C179779469A82E7be35",
    "0x4abfFB7f922767f22c7aa6524823d93FDDaB54b1",
];

/// The registry contract, assembled from:
///
/// ```text
///       PUSH1 0x40 CALLDATASIZE LT PUSH1 view JUMPI    ; < 64 bytes: a view
///       sstore(1, cd[0x20]) sstore(2, cd[0x60])         ; id, BLS X
///       sstore(3, cd[0x80]) sstore(4, cd[0xa0])         ; BLS Y, Ed25519
///       calldatacopy(0, 0x40, cds - 0x40)
///       log2(0, cds - 0x40, cd[0], cd[0x20]) STOP
/// view: sel = cd[0] >> 224
///       sel == 0xabf2c503 → all;  sel == 0xc0ebedab → ed;  else revert(0, 0)
/// all:  return [0x40, 0x80, 1, sload(1), 1, sload(2), sload(3)]
/// ed:   return [(cd[4] == sload(4)) * (sload(4) != 0) * sload(1)]
/// ```
const REGISTRY: &str = "0x6040361060365760203560015560603560025560803560035560a035600455604036\
036040600037602035600035604036036000a2005b60003560e01c8063abf2c503146055578063c0ebedab1460\
8157600080fd5b604060005260806020526001604052600154606052600160805260025460a05260035460c052\
60e06000f35b600454600435146004541515166001540260005260206000f3";

/// Emits `NewServiceNodeV2(id, …)` for these keys from `contract`.
fn register(anvil: &Anvil, contract: &str, id: u64, bls_pk: &[u8; 64], ed_pk: &[u8; 32]) {
    anvil.set_code(contract, REGISTRY);
    let operator = word_addr(&hex::decode(&anvil.from[2..]).unwrap());
    // docs/compat/l2-contract.md: topic0, topic1 = id, then the data words.
    let mut cd = hex::decode(NEW_SERVICE_NODE_V2).unwrap();
    cd.extend(word(id));
    cd.extend(operator);
    cd.extend(bls_pk);
    cd.extend(ed_pk);
    cd.extend([0x44u8; 64]); // Ed25519 signature (the contract does not check it)
    cd.extend(word(0)); // fee
    cd.extend(word(0x100)); // offset of contributors
    cd.extend(word(1)); // one contributor
    cd.extend(operator);
    cd.extend(operator);
    cd.extend(word(20_000_000_000_000));
    anvil.send(contract, &format!("0x{}", hex::encode(&cd)), "0x100000");
    // The chain really holds the event for these keys.
    let logs = anvil.rpc(
        "eth_getLogs",
        json!([{"address": contract, "fromBlock": "0x0", "toBlock": "latest",
                "topics": [format!("0x{NEW_SERVICE_NODE_V2}")]}]),
    );
    let logs = logs.as_array().unwrap();
    assert_eq!(logs.len(), 1, "{logs:?}");
    let data = logs[0]["data"].as_str().unwrap();
    assert!(data.contains(&hex::encode(ed_pk)) && data.contains(&hex::encode(bls_pk)));
}

fn word(v: u64) -> [u8; 32] {
    let mut w = [0u8; 32];
    w[24..].copy_from_slice(&v.to_be_bytes());
    w
}

fn word_addr(a: &[u8]) -> [u8; 32] {
    let mut w = [0u8; 32];
    w[12..].copy_from_slice(a);
    w
}

fn ed_key(seed: &str) -> snode_keys::Ed25519Secret {
    snode_keys::Ed25519Secret::from_seed(&hex::decode(seed).unwrap().try_into().unwrap())
}

fn bls_pk(sk: &str) -> [u8; 64] {
    snode_bls::public_key(&hex::decode(sk).unwrap().try_into().unwrap())
}

/// A node with key_ed25519 (SEED) and key_bls (BLS_SK) whose config points
/// at anvil and `contract`; nothing listens on its admin RPC port.
fn node_at(anvil: &Anvil, contract: &str) -> NodeDir {
    NodeDir::new(
        SEED,
        BLS_SK,
        &format!(
            "l2-provider={}\nl2-rewards-contract={contract}\nrpc-admin=127.0.0.1:{}\n",
            anvil.url,
            free_port()
        ),
    )
}

fn backups(dir: &Path, of: &str) -> Vec<PathBuf> {
    names(dir)
        .into_iter()
        .filter(|n| n.starts_with(&format!("{of}.")) && n.ends_with(".bak"))
        .map(|n| dir.join(n))
        .collect()
}

/// Refused without the flag (file byte-identical, nothing else written);
/// with `--replace-registered-key` replaced, the old key kept as a 0400 .bak.
fn refused_then_replaced(node: &NodeDir, cmd: &str, file: &str, new_secret: &str, pubkey: &str) {
    let path = node.data().join(file);
    let before = fs::read(&path).unwrap();
    let (code, out, err) = node.run(&[cmd, "--overwrite", file], new_secret);
    assert_eq!(code, 15, "{out}{err}");
    assert!(err.contains("lists as registered (id 5)"), "{err}");
    assert!(err.contains(pubkey), "names the pubkey: {err}");
    assert!(err.contains("--replace-registered-key"), "{err}");
    assert_eq!(fs::read(&path).unwrap(), before, "{file} changed");
    assert_eq!(names(&node.data()), ["key_bls", "key_ed25519"]);

    let (code, out, err) = node.run(
        &[cmd, "--overwrite", file, "--replace-registered-key"],
        new_secret,
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(err.contains("Warning:"), "{err}");
    let bak = backups(&node.data(), file);
    assert_eq!(bak.len(), 1, "{:?}", names(&node.data()));
    assert_eq!(fs::read(&bak[0]).unwrap(), before);
    assert_eq!(
        fs::metadata(&bak[0]).unwrap().permissions().mode() & 0o777,
        0o400
    );
    assert_ne!(fs::read(&path).unwrap(), before);
}

#[test]
fn registered_node_keys_are_not_replaced_without_the_flag() {
    let anvil = Anvil::start();
    for contract in CONTRACTS {
        // Before the registration the same replacement goes through.
        let node = node_at(&anvil, contract);
        anvil.set_code(contract, REGISTRY);
        let (code, out, err) = node.run(&["restore", "--overwrite", "key_ed25519"], OTHER_SEED);
        assert_eq!(code, 0, "{contract}: {out}{err}");
        assert!(!err.contains("Warning"), "{err}");

        let ed = ed_key(SEED);
        register(&anvil, contract, 5, &bls_pk(BLS_SK), &ed.public_key());

        let node = node_at(&anvil, contract);
        refused_then_replaced(
            &node,
            "restore",
            "key_ed25519",
            OTHER_SEED,
            &hex::encode(ed.public_key()),
        );
        let expected = format!("0x{}\n", hex::encode(ed_key(OTHER_SEED).keypair_bytes()));
        assert_eq!(
            fs::read_to_string(node.data().join("key_ed25519")).unwrap(),
            expected
        );

        let node = node_at(&anvil, contract);
        let bls_hex = hex::encode(bls_pk(BLS_SK));
        refused_then_replaced(&node, "restore-bls", "key_bls", OTHER_BLS_SK, &bls_hex);
        assert_eq!(
            fs::read_to_string(node.data().join("key_bls")).unwrap(),
            format!("0x{OTHER_BLS_SK}\n")
        );

        // Writing back the key the file already holds replaces nothing.
        let node = node_at(&anvil, contract);
        let (code, out, err) = node.run(&["restore", "--overwrite", "key_ed25519"], SEED);
        assert_eq!(code, 0, "{out}{err}");
        assert!(!err.contains("Warning"), "{err}");
    }
}
