//! One-off contract reads without a tracker or a store, for tools that must
//! ask the chain a single question (the key tool's guard: "is this BLS key
//! registered?"), with the provider pool, failover and redaction of
//! snode-eth, on the configured rewards contract.

use snode_eth::abi::BlsPubkey;

use crate::{L2Config, L2Error};

/// `allServiceNodeIDs()` of the rewards contract at the latest block: the
/// (id, BLS pubkey) of every node the contract lists as registered.
pub fn registered_nodes(cfg: &L2Config) -> Result<Vec<(u64, BlsPubkey)>, L2Error> {
    Ok(snode_eth::query::registered_nodes(
        &cfg.pool_config(),
        cfg.rewards_contract,
    )?)
}

/// `ed25519ToServiceNodeID(pubkey)` of the rewards contract at the latest
/// block: the id the contract maps this Ed25519 pubkey to (0: none). A node
/// that has left may keep its mapping: check the id in [`registered_nodes`].
pub fn ed25519_service_node_id(cfg: &L2Config, pubkey: &[u8; 32]) -> Result<u64, L2Error> {
    Ok(snode_eth::query::ed25519_service_node_id(
        &cfg.pool_config(),
        cfg.rewards_contract,
        pubkey,
    )?)
}
