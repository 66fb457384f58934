//! EVM contract stand-ins, hand-assembled bytecode installed with
//! `anvil_setCode` (the one place for them): log emitters that make anvil
//! produce real ServiceNodeRewards logs, with the `stakingRequirement()` view
//! of the real contract.

use serde_json::json;

use crate::Anvil;

/// Emits `LOG2(topic0 = cd[0..32], topic1 = cd[32..64], data = cd[64..])`.
/// Calldata shorter than 64 bytes (an `eth_call` of a view) goes to the
/// view part shared by all three emitters: `stakingRequirement()`
/// (selector `0x56d399e8`, docs/compat/l2-contract.md) returns storage slot 0 as
/// one word when it is not zero; everything else (and slot 0 = 0) returns
/// nothing, as a revert would:
/// `view: if cd[0..4] == 0x56d399e8 { v = sload(0); if v != 0 { mstore(0, v);
/// return(0, 32) } } stop`.
pub const EMIT_LOG2: &str = "0x60403610601b57366000600037602051600051604036036040a2005b60003560e01c6356d399e814602c57005b60005480603557005b60005260206000f3";
/// Emits `LOG1(topic0 = cd[0..32], data = cd[32..])`, for events without an
/// indexed field (`StakingRequirementUpdated`), and then, as that event's
/// contract does, keeps data word 0 in storage slot 0, the value
/// `stakingRequirement()` answers (the view part of [`EMIT_LOG2`]).
pub const EMIT_LOG1: &str = "0x60203610601e57366000600037600051602036036020a1602051600055005b60003560e01c6356d399e814602f57005b60005480603857005b60005260206000f3";
/// Emits one LOG2 per record of the calldata, records being
/// `[data length][topic0][topic1][data]` (32-byte words, then the data);
/// stops when fewer than 96 bytes are left (so an `eth_call` of a view just
/// stops). Loop: `ptr = 0; while ptr + 96 <= calldatasize { len =
/// cd[ptr]; calldatacopy(0, ptr + 96, len); log2(0, len, cd[ptr + 32],
/// cd[ptr + 64]); ptr += 96 + len }`, then the view part of [`EMIT_LOG2`].
pub const EMIT_LOG2_BATCH: &str =
    "0x60005b806060013610602b578035808260600160003781604001358260200135826000a2606001016002565b60003560e01c6356d399e814603c57005b60005480604557005b60005260206000f3";

/// A contract that answers any call from a table kept in its storage: the
/// answer to calldata `C` is at slot `k = keccak256(C)` (its length in
/// bytes) and slots `k+1…` (its words); calldata not in the table gets an
/// empty answer, as a revert. A stand-in for views whose answers a test
/// computes (`allServiceNodeIDs()`, `serviceNodes(id)`):
/// `calldatacopy(0, 0, cds); k = keccak256(0, cds); len = sload(k);
/// for (i = 0; i < len; i += 32) mstore(i, sload(k + 1 + i/32));
/// return(0, len)`.
pub const ANSWER_TABLE: &str = "0x366000600037366000208054600\
     05b81811015602957806020900483016001015481526020016\
     00e565b506000f3";

impl Anvil {
    /// Installs [`ANSWER_TABLE`] at `address` with these (calldata, answer)
    /// pairs, and mines a block.
    pub fn set_answers(&self, address: &str, answers: &[(Vec<u8>, Vec<u8>)]) {
        use alloy_primitives::{keccak256, U256};
        self.set_code(address, &ANSWER_TABLE.replace(['\\', ' ', '\n'], ""));
        let slot = |k: U256| format!("{k:#x}");
        let word = |w: &[u8]| {
            let mut full = [0u8; 32];
            full[..w.len()].copy_from_slice(w);
            format!("0x{}", hex_string(&full))
        };
        for (calldata, answer) in answers {
            let k = U256::from_be_bytes(keccak256(calldata).0);
            let len = U256::from(answer.len());
            self.rpc(
                "anvil_setStorageAt",
                json!([address, slot(k), format!("0x{:064x}", len)]),
            );
            for (i, w) in answer.chunks(32).enumerate() {
                let at = k + U256::from(1 + i);
                self.rpc("anvil_setStorageAt", json!([address, slot(at), word(w)]));
            }
        }
        self.mine(1);
    }

    /// Emits one log from `address` in a new block: `calldata` is topic0,
    /// then topic1 when `topics` is 2, then the data. Returns the block number.
    pub fn emit_log(&self, address: &str, topics: usize, calldata: &str) -> u64 {
        let code = if topics == 1 { EMIT_LOG1 } else { EMIT_LOG2 };
        self.set_code(address, code);
        let receipt = self.send(address, calldata, "0x100000");
        assert_eq!(receipt["logs"].as_array().unwrap().len(), 1, "{receipt}");
        let b = receipt["blockNumber"].as_str().unwrap();
        u64::from_str_radix(b.trim_start_matches("0x"), 16).unwrap()
    }

    /// Emits `count` LOG2 records of `data` ([`EMIT_LOG2_BATCH`]'s layout)
    /// from `address` in one transaction, in a new block; returns the block.
    pub fn emit_log2_batch(&self, address: &str, data: &str, count: usize) -> u64 {
        self.set_code(address, EMIT_LOG2_BATCH);
        let receipt = self.send(address, data, "0x1000000");
        assert_eq!(
            receipt["logs"].as_array().unwrap().len(),
            count,
            "{receipt}"
        );
        let b = receipt["blockNumber"].as_str().unwrap();
        u64::from_str_radix(b.trim_start_matches("0x"), 16).unwrap()
    }

    /// Sets what `stakingRequirement()` of an emitter at `address` answers
    /// (its storage slot 0; 0 = no answer), without an event.
    pub fn set_staking_requirement(&self, address: &str, amount: u64) {
        let word = format!("0x{:064x}", amount);
        self.rpc("anvil_setStorageAt", json!([address, "0x0", word]));
        self.mine(1);
    }
}

fn hex_string(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}
