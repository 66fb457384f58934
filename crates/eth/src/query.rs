//! One-off contract reads without a tracker or a store, for tools that must
//! ask the chain a single question (the key tool's guard: "is this BLS key
//! registered?"). Uses the same provider pool, failover and redaction as the
//! tracker.

use alloy_primitives::Address;
use serde_json::json;

use crate::abi::{self, BlsPubkey};
use crate::error::EthError;
use crate::pool::{Always, PoolConfig, ProviderPool};
use crate::rpc::parse_data;

/// `eth_call` of `calldata` on `contract` at the latest block, through the
/// provider pool (failover, scrubbed and redacted errors).
fn call_contract(
    cfg: &PoolConfig,
    contract: Address,
    calldata: &[u8],
) -> Result<Vec<u8>, EthError> {
    let mut pool = ProviderPool::new(cfg);
    let params = json!([
        {
            "to": format!("0x{}", hex::encode(contract)),
            "data": format!("0x{}", hex::encode(calldata)),
        },
        "latest"
    ]);
    let (_, data) = pool.request(&mut Always, "eth_call", &params, parse_data)?;
    Ok(data)
}

/// `allServiceNodeIDs()` of the rewards contract at the latest block: the
/// (id, BLS pubkey) of every node the contract lists as registered.
pub fn registered_nodes(
    cfg: &PoolConfig,
    contract: Address,
) -> Result<Vec<(u64, BlsPubkey)>, EthError> {
    let data = call_contract(cfg, contract, &abi::all_service_node_ids_calldata())?;
    abi::decode_all_service_node_ids(&data).map_err(|e| EthError::Malformed {
        what: "allServiceNodeIDs() answer".into(),
        reason: e.to_string(),
    })
}

/// `ed25519ToServiceNodeID(pubkey)` of the rewards contract at the latest
/// block: the id the contract maps this Ed25519 pubkey to (0: none). A node
/// that has left may keep its mapping: check the id in [`registered_nodes`].
pub fn ed25519_service_node_id(
    cfg: &PoolConfig,
    contract: Address,
    pubkey: &[u8; 32],
) -> Result<u64, EthError> {
    let data = call_contract(
        cfg,
        contract,
        &abi::ed25519_to_service_node_id_calldata(pubkey),
    )?;
    abi::decode_ed25519_to_service_node_id(&data).map_err(|e| EthError::Malformed {
        what: "ed25519ToServiceNodeID() answer".into(),
        reason: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ed25519_lookup_calldata_and_answer() {
        let pk = [0x5au8; 32];
        let cd = abi::ed25519_to_service_node_id_calldata(&pk);
        assert_eq!(cd[..4], [0xc0, 0xeb, 0xed, 0xab]);
        assert_eq!(cd[4..], pk);
        let mut word = [0u8; 32];
        word[31] = 7;
        assert_eq!(abi::decode_ed25519_to_service_node_id(&word), Ok(7));
        assert!(abi::decode_ed25519_to_service_node_id(&[]).is_err());
        word[0] = 1; // not a uint64
        assert!(abi::decode_ed25519_to_service_node_id(&word).is_err());
    }

    #[test]
    fn node_list_encoding_round_trips() {
        let nodes = vec![(7u64, [0x11u8; 64]), (9, [0x22; 64])];
        let decoded =
            abi::decode_all_service_node_ids(&abi::encode_all_service_node_ids(&nodes)).unwrap();
        let back: Vec<(u64, [u8; 64])> = decoded.into_iter().map(|(id, pk)| (id, pk.0)).collect();
        assert_eq!(back, nodes);
    }
}
