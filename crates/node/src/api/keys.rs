//! `get_service_keys` (alias `get_service_node_key`).

use serde::{Deserialize, Serialize};

/// The `get_service_keys` result: public keys only, hex.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceKeysReply {
    /// `OK`.
    pub status: String,
    /// The primary (legacy or Ed25519) pubkey; service nodes only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_node_pubkey: Option<String>,
    /// Ed25519 pubkey.
    pub service_node_ed25519_pubkey: String,
    /// X25519 pubkey.
    pub service_node_x25519_pubkey: String,
    /// BLS pubkey (128 hex); service nodes only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_node_bls_pubkey: Option<String>,
    /// `service-node=1`.
    pub is_service_node: bool,
}
