//! `get_service_node_status`: this node as a service node.

use serde::{Deserialize, Serialize};
use snode_l2::NodeContractState;

use super::Amount;

/// The `get_service_node_status` result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceNodeStatusReply {
    /// `OK`.
    pub status: String,
    /// This node.
    pub service_node_state: ServiceNodeState,
    /// What this daemon does not report ([`super::NO_CHAIN_NOTE`]).
    pub note: String,
}

/// oxend's `service_node_state` fields this daemon has, plus what a tracker
/// knows ([`TrackedNodeState`], flattened in).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceNodeState {
    /// The primary pubkey.
    pub service_node_pubkey: String,
    /// `service-node-public-ip`, when it parses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_ip: Option<String>,
    /// `quorumnet-port`.
    pub quorumnet_port: u16,
    /// `[major, minor, patch]`: this daemon's own version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_node_version: Option<Vec<u64>>,
    /// Ed25519 pubkey.
    pub pubkey_ed25519: String,
    /// X25519 pubkey.
    pub pubkey_x25519: String,
    /// BLS pubkey.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pubkey_bls: Option<String>,
    /// oxend's words: `not registered`, `awaiting contr.`, `registered`,
    /// ... or `registration unknown`.
    pub registration_state: String,
    /// What the tracker adds.
    #[serde(flatten)]
    pub tracked: TrackedNodeState,
}

/// The fields a tracker adds to `service_node_state`. L2 blocks are named as
/// such: none of them is an Oxen height.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrackedNodeState {
    /// oxend's registration height (an Oxen height; no tracker sets it today).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registration_height: Option<u64>,
    /// This node's contract state, as far as it can be told (left out while a
    /// log sync could still change "not registered").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub l2_contract_state: Option<NodeContractState>,
    /// Highest L2 block whose logs are applied (`null` before the first);
    /// absent when L2 is not tracked.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "super::present"
    )]
    pub l2_synced_height: Option<Option<u64>>,
    /// As the contract last told it; absent until then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub staking_requirement: Option<Amount>,
    /// The node's contract id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub l2_service_node_id: Option<u64>,
    /// L2 block of its registration (or first sighting).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub l2_registered_block: Option<u64>,
    /// L2 block of its last change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub l2_updated_block: Option<u64>,
    /// Whether it was liquidated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub l2_liquidated: Option<bool>,
    /// The operator, `0x` + 40 hex.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operator_address: Option<String>,
}

impl ServiceNodeState {
    /// Whether the contract lists the node as in it (registered or leaving).
    pub fn in_contract(&self) -> bool {
        self.tracked.l2_service_node_id.is_some()
            && matches!(
                self.registration_state.as_str(),
                "registered" | "exit requested"
            )
    }
}
