//! One-off contract reads without a tracker or a store, for tools that must
//! ask the chain a single question (the key tool's guard: "is this BLS key
//! registered?"). Uses the same provider pool, failover and redaction as the
//! tracker.

use serde_json::json;

use crate::abi::{self, BlsPubkey};
use crate::pool::{Gate, ProviderPool};
use crate::progress::Progress;
use crate::rpc::parse_data;
use crate::{L2Config, L2Error};

/// `allServiceNodeIDs()` of the rewards contract at the latest block: the
/// (id, BLS pubkey) of every node the contract lists as registered.
pub fn registered_nodes(cfg: &L2Config) -> Result<Vec<(u64, BlsPubkey)>, L2Error> {
    let mut pool = ProviderPool::new(cfg);
    let params = json!([
        {
            "to": format!("0x{}", hex::encode(cfg.rewards_contract)),
            "data": format!("0x{}", hex::encode(abi::all_service_node_ids_calldata())),
        },
        "latest"
    ]);
    let mut always = |_: &Progress<'_>| true;
    let (_, data) = pool.request(&mut Gate::new(&mut always), "eth_call", &params, parse_data)?;
    abi::decode_all_service_node_ids(&data).map_err(|reason| L2Error::Malformed {
        what: "allServiceNodeIDs() answer".into(),
        reason,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_list_encoding_round_trips() {
        let nodes = vec![(7u64, [0x11u8; 64]), (9, [0x22; 64])];
        let decoded =
            abi::decode_all_service_node_ids(&abi::encode_all_service_node_ids(&nodes)).unwrap();
        let back: Vec<(u64, [u8; 64])> = decoded.into_iter().map(|(id, pk)| (id, pk.0)).collect();
        assert_eq!(back, nodes);
    }
}
