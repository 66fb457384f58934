//! Loader for the vector files in `tests/vectors/`: records separated by blank
//! lines, one `name: value` per line, `#` starts a comment line.
#![allow(dead_code)]

use std::collections::BTreeMap;

use snode_bls::Network;

pub struct Record(BTreeMap<String, String>);

impl Record {
    pub fn get(&self, key: &str) -> &str {
        self.0
            .get(key)
            .unwrap_or_else(|| panic!("vector record lacks {key:?}: {:?}", self.0))
    }

    pub fn has(&self, key: &str) -> bool {
        self.0.contains_key(key)
    }

    pub fn bytes(&self, key: &str) -> Vec<u8> {
        let v = self.get(key);
        hex::decode(v.strip_prefix("0x").unwrap_or(v)).expect("hex value")
    }

    pub fn array<const N: usize>(&self, key: &str) -> [u8; N] {
        self.bytes(key)
            .try_into()
            .unwrap_or_else(|v: Vec<u8>| panic!("{key} has {} bytes, want {N}", v.len()))
    }

    pub fn network(&self) -> Network {
        Network::new(
            self.get("chain_id").parse().unwrap(),
            self.array("contract"),
        )
    }
}

pub fn load(file: &str) -> Vec<Record> {
    let path = format!("{}/tests/vectors/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut records = Vec::new();
    let mut current = BTreeMap::new();
    for line in text.lines().chain(std::iter::once("")) {
        let line = line.trim();
        if line.starts_with('#') {
            continue;
        }
        if line.is_empty() {
            if !current.is_empty() {
                records.push(Record(std::mem::take(&mut current)));
            }
            continue;
        }
        let (k, v) = line.split_once(':').expect("name: value line");
        let dup = current.insert(k.trim().to_string(), v.trim().to_string());
        assert!(dup.is_none(), "duplicate key {k} in {path}");
    }
    records
}
