//! Helpers shared by the snode-keys integration tests.
#![allow(dead_code)]

use std::collections::HashMap;

/// The `name = value` pairs of `tests/vectors/keys.txt`.
pub fn vectors() -> HashMap<String, String> {
    let text = include_str!("../vectors/keys.txt");
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let (k, v) = l.split_once('=').expect("name = value");
            (k.trim().to_string(), v.trim().to_string())
        })
        .collect()
}

pub fn v(name: &str) -> String {
    vectors()
        .remove(name)
        .unwrap_or_else(|| panic!("vector {name} missing"))
}

pub fn bytes32(name: &str) -> [u8; 32] {
    hex::decode(v(name)).unwrap().try_into().unwrap()
}
