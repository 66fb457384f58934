//! ABI decoding of what the L2 provider returns: `eth_getLogs` entries
//! (`decode_log`, every tracked event) and `eth_call` answers
//! (`allServiceNodeIDs`, `serviceNodes`, `rewardRate`, `stakingRequirement`,
//! `ed25519ToServiceNodeID`).
//!
//! Input: the first byte picks what is decoded; for a log the second byte
//! picks topic0 (one of the tracked events' hashes, or taken from the input)
//! and how many more 32-byte topics follow; the rest is the data.
//! Checked: no panic; a decoded `NewServiceNodeV2` has 1 to 10 contributors
//! and a fee of at most 10000; a decoded `allServiceNodeIDs` answer encodes
//! back to an answer that decodes to the same pairs, and a decoded
//! `serviceNodes` record likewise.
#![no_main]

use alloy_primitives::B256;
use alloy_sol_types::SolEvent;
use libfuzzer_sys::fuzz_target;
use snode_eth::abi::{self, ContractEvent};

const EVENTS: [B256; 6] = [
    abi::NewServiceNodeV2::SIGNATURE_HASH,
    abi::ServiceNodeExitRequest::SIGNATURE_HASH,
    abi::ServiceNodeExit::SIGNATURE_HASH,
    abi::ServiceNodeLiquidated::SIGNATURE_HASH,
    abi::NewSeededServiceNode::SIGNATURE_HASH,
    abi::StakingRequirementUpdated::SIGNATURE_HASH,
];

fn take_word(data: &mut &[u8]) -> Option<B256> {
    let (w, rest) = data.split_at_checked(32)?;
    *data = rest;
    Some(B256::from_slice(w))
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, mut rest)) = data.split_first() else {
        return;
    };
    match pick % 6 {
        0 => {
            let Some((&sel, tail)) = rest.split_first() else {
                return;
            };
            rest = tail;
            let mut topics = Vec::new();
            match usize::from(sel & 7) {
                i if i < EVENTS.len() => topics.push(EVENTS[i]),
                6 => match take_word(&mut rest) {
                    Some(w) => topics.push(w),
                    None => return,
                },
                _ => {} // no topics
            }
            for _ in 0..(sel >> 3) % 4 {
                match take_word(&mut rest) {
                    Some(w) => topics.push(w),
                    None => break,
                }
            }
            if let Ok(Some(ContractEvent::NewServiceNode {
                contributors, fee, ..
            })) = abi::decode_log(&topics, rest)
            {
                assert!((1..=10).contains(&contributors.len()));
                assert!(fee <= 10_000);
            }
        }
        1 => {
            if let Ok(nodes) = abi::decode_all_service_node_ids(rest) {
                let raw: Vec<(u64, [u8; 64])> = nodes.iter().map(|(id, pk)| (*id, pk.0)).collect();
                let again =
                    abi::decode_all_service_node_ids(&abi::encode_all_service_node_ids(&raw))
                        .expect("an encoded answer decodes");
                assert_eq!(again, nodes);
            }
        }
        2 => {
            let _ = abi::decode_reward_rate(rest);
        }
        3 => {
            let _ = abi::decode_staking_requirement(rest);
        }
        5 => {
            if let Ok(record) = abi::decode_service_node(rest) {
                let again = abi::decode_service_node(&abi::encode_service_node(&record))
                    .expect("an encoded record decodes");
                assert_eq!(again, record);
            }
        }
        _ => {
            if let Ok(id) = abi::decode_ed25519_to_service_node_id(rest) {
                assert_eq!(&rest[24..], &id.to_be_bytes());
            }
        }
    }
});
