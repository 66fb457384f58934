//! anvil (snode-testkit) emitting real ServiceNodeRewards logs with the
//! log emitters of `snode_testkit::contracts`.

use super::events::RawLog;

/// anvil (snode-testkit) that emits [`RawLog`]s.
pub struct Anvil(snode_testkit::Anvil);

impl std::ops::Deref for Anvil {
    type Target = snode_testkit::Anvil;
    fn deref(&self) -> &snode_testkit::Anvil {
        &self.0
    }
}

impl Anvil {
    pub fn start() -> Self {
        Self(snode_testkit::Anvil::start())
    }

    /// Like [`Anvil::start`], with more anvil arguments (e.g. `--number`).
    pub fn start_with(extra: &[&str]) -> Self {
        Self(snode_testkit::Anvil::start_with(extra))
    }

    /// Emits `log` from `address` in a new block; returns the block number.
    pub fn emit(&self, address: &str, log: &RawLog) -> u64 {
        self.emit_log(address, log.topics.len(), &log.calldata())
    }

    /// Emits all `logs` (two topics each) from `address` in one transaction,
    /// in a new block; returns the block number.
    pub fn emit_batch(&self, address: &str, logs: &[RawLog]) -> u64 {
        let mut data = String::from("0x");
        for log in logs {
            assert_eq!(log.topics.len(), 2, "emit_batch takes LOG2 events only");
            data.push_str(&hex::encode(super::events::word_u64(log.data.len() as u64)));
            data.push_str(&log.calldata()[2..]);
        }
        self.emit_log2_batch(address, &data, logs.len())
    }
}
