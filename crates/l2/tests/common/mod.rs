//! Test helpers: a fault-injecting stub JSON-RPC provider on loopback, an
//! anvil runner, event encoders for the ServiceNodeRewards layouts
//! (docs/compat/l2-contract.md) and log capture.
#![allow(dead_code)]

pub mod anvil;
pub mod events;
pub mod logs;
pub mod stub;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A fixed start time, so tests never read the clock.
pub fn t0() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_795_000_000)
}

/// `t0() + secs`.
pub fn at(secs: u64) -> SystemTime {
    t0() + Duration::from_secs(secs)
}

/// The secret part of every test provider URL; it must never appear in
/// logs, errors or status.
pub const SECRET: &str = snode_testkit::provider::SECRET;

/// Unix seconds of `t`.
pub fn unix(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).unwrap().as_secs()
}

/// The current stagenet rewards contract, as `0x…` (the address the stub's
/// logs come from).
pub fn contract() -> String {
    format!(
        "0x{}",
        hex::encode(snode_l2::Deployment::Current.rewards_contract())
    )
}

/// Puts `log` into the stub's chain at `block`, from [`contract`].
pub fn put(chain: &mut stub::Chain, block: u64, log: events::RawLog) {
    let idx = chain.logs.len() as u64;
    chain
        .logs
        .push((block, log.to_json(&contract(), block, idx)));
}
