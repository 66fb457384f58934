//! Encoders for ServiceNodeRewards event logs, written from the word layouts
//! of docs/compat/l2-contract.md (independently of the crate's `sol!` decoder).

/// topic0 values from the spec.
pub const T_NEW: &str = "533c16cb4158fe7c77021b90e9290bbefa457dd392bd8abc1eab59747834fd5b";
pub const T_EXIT_REQUEST: &str = "8600c0145511b317ae0189933fa71eb57a32d74891804c7993ef74ec63a5e804";
pub const T_EXIT: &str = "24c4411329b949fad2eba6f79a8ba090a08eac1af4b56c3a2f5a282ed45e233e";
pub const T_LIQUIDATED: &str = "0bfb12191b00293af29126b1c5489f8daeb4a4af82db2960b7f8353c3105cd7c";
pub const T_STAKING: &str = "006b7a1ea14ff2794527a64af37d55a2040e351f8b4c1adcdc9aea80d64e0429";

/// A log as topics (hex, no 0x) and data bytes.
#[derive(Clone, Debug)]
pub struct RawLog {
    pub topics: Vec<String>,
    pub data: Vec<u8>,
}

pub fn word_u64(v: u64) -> [u8; 32] {
    let mut w = [0u8; 32];
    w[24..].copy_from_slice(&v.to_be_bytes());
    w
}

fn word_addr(a: [u8; 20]) -> [u8; 32] {
    let mut w = [0u8; 32];
    w[12..].copy_from_slice(&a);
    w
}

fn topic_id(id: u64) -> String {
    hex::encode(word_u64(id))
}

/// Test keys of node `n`: BLS pubkey bytes and Ed25519 pubkey bytes.
pub fn bls(n: u8) -> [u8; 64] {
    let mut k = [n; 64];
    k[0] = 0x10;
    k
}

pub fn ed(n: u8) -> [u8; 32] {
    let mut k = [n; 32];
    k[0] = 0xed;
    k
}

pub const OPERATOR: [u8; 20] = [0x70; 20];

/// Keys of node `id` for sets larger than 255 nodes (the benchmark's
/// 2,000): the id in the last 8 bytes.
pub fn bls_wide(id: u64) -> [u8; 64] {
    let mut k = bls(0xb1);
    k[56..].copy_from_slice(&id.to_be_bytes());
    k
}

pub fn ed_wide(id: u64) -> [u8; 32] {
    let mut k = ed(0xe1);
    k[24..].copy_from_slice(&id.to_be_bytes());
    k
}

/// `NewServiceNodeV2` for node `n` with id `id`, one contributor.
pub fn new_node(id: u64, n: u8) -> RawLog {
    new_node_keys(id, bls(n), ed(n))
}

/// `NewServiceNodeV2` with id `id` and the given keys, one contributor.
pub fn new_node_keys(id: u64, bls: [u8; 64], ed: [u8; 32]) -> RawLog {
    let mut d = Vec::new();
    d.extend(word_addr(OPERATOR));
    d.extend(bls);
    d.extend(ed);
    d.extend([0x44u8; 64]); // signature
    d.extend(word_u64(0)); // fee
    d.extend(word_u64(0x100)); // offset
    d.extend(word_u64(1)); // contributors
    d.extend(word_addr(OPERATOR));
    d.extend(word_addr(OPERATOR));
    d.extend(word_u64(20_000_000_000_000));
    RawLog {
        topics: vec![T_NEW.into(), topic_id(id)],
        data: d,
    }
}

/// A `NewServiceNodeV2` whose contributors offset is wrong (oxend rejects it).
pub fn broken_new_node(id: u64, n: u8) -> RawLog {
    let mut l = new_node(id, n);
    l.data[7 * 32 + 31] = 0x20;
    l
}

pub fn exit_request(id: u64, n: u8) -> RawLog {
    exit_request_key(id, bls(n))
}

pub fn exit_request_key(id: u64, bls: [u8; 64]) -> RawLog {
    let mut d = Vec::new();
    d.extend(word_addr(OPERATOR));
    d.extend(bls);
    RawLog {
        topics: vec![T_EXIT_REQUEST.into(), topic_id(id)],
        data: d,
    }
}

pub fn liquidated(id: u64, n: u8) -> RawLog {
    let mut l = exit_request(id, n);
    l.topics[0] = T_LIQUIDATED.into();
    l
}

pub fn exit(id: u64, n: u8) -> RawLog {
    exit_key(id, bls(n))
}

pub fn exit_key(id: u64, bls: [u8; 64]) -> RawLog {
    let mut d = Vec::new();
    d.extend(word_addr(OPERATOR));
    d.extend(word_u64(20_000_000_000_000));
    d.extend(bls);
    RawLog {
        topics: vec![T_EXIT.into(), topic_id(id)],
        data: d,
    }
}

pub fn staking_requirement(amount: u64) -> RawLog {
    RawLog {
        topics: vec![T_STAKING.into()],
        data: word_u64(amount).to_vec(),
    }
}

impl RawLog {
    /// Calldata for the log-emitting contract: topics then data.
    pub fn calldata(&self) -> String {
        let mut s = String::from("0x");
        for t in &self.topics {
            s.push_str(t);
        }
        s.push_str(&hex::encode(&self.data));
        s
    }

    /// As an `eth_getLogs` entry.
    pub fn to_json(&self, address: &str, block: u64, log_index: u64) -> serde_json::Value {
        serde_json::json!({
            "address": address,
            "topics": self.topics.iter().map(|t| format!("0x{t}")).collect::<Vec<_>>(),
            "data": format!("0x{}", hex::encode(&self.data)),
            "blockNumber": format!("0x{block:x}"),
            "blockHash": format!("0x{}", hex::encode([0xbb; 32])),
            "transactionHash": format!("0x{}", hex::encode(word_u64(block * 1000 + log_index))),
            "transactionIndex": "0x0",
            "logIndex": format!("0x{log_index:x}"),
            "removed": false,
        })
    }
}
