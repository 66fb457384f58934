//! The registration data (`bls_registration_request`).

use serde::{Deserialize, Serialize};
use snode_bls::Network;
use snode_eth::AddressError;
use snode_keys::{BlsSecret, Ed25519Secret};

use crate::RegisterError;

/// An operator address as the operator typed it, and its 20 bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperatorAddress {
    typed: String,
    bytes: [u8; 20],
}

impl OperatorAddress {
    /// Accepts `0x` + 40 hex digits; a mixed-case address must carry a valid
    /// EIP-55 checksum.
    ///
    /// `0X…` is refused, not normalised: the address is sent to the staking
    /// backend exactly as typed (as upstream does), and the backend requires
    /// a lowercase `0x` (docs/compat/rpc-and-client.md "Server side"), so the operator is told to
    /// fix it before anything is signed.
    pub fn parse(text: &str) -> Result<Self, RegisterError> {
        let address = snode_eth::parse_address(text).map_err(|e| match e {
            AddressError::Checksum => RegisterError::AddressChecksum(text.into()),
            AddressError::Prefix => RegisterError::AddressPrefix(text.into()),
            AddressError::Format => RegisterError::AddressFormat(text.into()),
        })?;
        Ok(Self {
            typed: text.to_string(),
            bytes: address.into_array(),
        })
    }

    /// Exactly as typed (this is what the staking backend receives, as
    /// upstream sends it).
    pub fn as_typed(&self) -> &str {
        &self.typed
    }

    pub fn bytes(&self) -> &[u8; 20] {
        &self.bytes
    }

    /// The EIP-55 checksummed form.
    pub fn checksummed(&self) -> String {
        snode_eth::checksummed(&snode_eth::Address::new(self.bytes))
    }
}

/// oxend's `bls_registration_request` result: hex strings without `0x`,
/// the address checksummed with `0x`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistrationInfo {
    pub address: String,
    pub service_node_pubkey: String,
    pub bls_pubkey: String,
    pub service_node_signature: String,
    pub proof_of_possession: String,
}

fn hex_array<const N: usize>(text: &str, what: &'static str) -> Result<[u8; N], RegisterError> {
    let mut out = [0u8; N];
    hex::decode_to_slice(text, &mut out).map_err(|_| RegisterError::SelfCheck(what))?;
    Ok(out)
}

/// The 96-byte message the Ed25519 key signs: `ed25519_pubkey ‖ bls_pubkey`.
pub fn ed25519_message(ed25519_pubkey: &[u8; 32], bls_pubkey: &[u8; 64]) -> [u8; 96] {
    let mut msg = [0u8; 96];
    msg[..32].copy_from_slice(ed25519_pubkey);
    msg[32..].copy_from_slice(bls_pubkey);
    msg
}

impl RegistrationInfo {
    /// Signs the registration for `operator` with the node's keys, for the
    /// rewards contract of `network`, and checks both signatures before
    /// returning them.
    pub fn create(
        ed25519: &Ed25519Secret,
        bls: &BlsSecret,
        operator: &OperatorAddress,
        network: &Network,
    ) -> Result<Self, RegisterError> {
        let ed_pub = ed25519.public_key();
        let bls_pub = bls.public_key();
        let ed_sig = ed25519.sign(&ed25519_message(&ed_pub, &bls_pub));
        let pop =
            snode_bls::proof_of_possession(bls.expose_bytes(), operator.bytes(), &ed_pub, network)?;
        let info = Self {
            address: operator.checksummed(),
            service_node_pubkey: hex::encode(ed_pub),
            bls_pubkey: hex::encode(bls_pub),
            service_node_signature: hex::encode(ed_sig),
            proof_of_possession: hex::encode(pop),
        };
        info.verify(network)?;
        Ok(info)
    }

    /// Checks the proof of possession for the contract of `network` (the
    /// Ed25519 signature is checked by the staking backend and in tests).
    pub fn verify(&self, network: &Network) -> Result<(), RegisterError> {
        let ed_pub: [u8; 32] = hex_array(&self.service_node_pubkey, "service node pubkey")?;
        let bls_pub: [u8; 64] = hex_array(&self.bls_pubkey, "BLS pubkey")?;
        let pop: [u8; 128] = hex_array(&self.proof_of_possession, "proof of possession")?;
        let operator = snode_bls::parse_address(&self.address)
            .map_err(|_| RegisterError::SelfCheck("operator address"))?;
        snode_bls::verify_proof_of_possession(&bls_pub, &operator, &ed_pub, &pop, network)
            .map_err(|_| RegisterError::SelfCheck("proof of possession"))
    }

    /// The `print` layout of oxend's `prepare_eth_registration` (docs/compat/rpc-and-client.md).
    pub fn print_layout(&self, operator_as_typed: &str) -> String {
        format!(
            "Printing info for L2 staking\n\n\
             ed25519_pubkey: {}\nbls_pubkey: {}\ned25519_signature: {}\nbls_signature: {}\n\
             operator_address: {}\n\n",
            self.service_node_pubkey,
            self.bls_pubkey,
            self.service_node_signature,
            self.proof_of_possession,
            operator_as_typed
        )
    }
}
