//! The contract's node registry as the tracker sees it: built from events
//! (docs/compat/l2-contract.md) and reconciled with `allServiceNodeIDs()` at purge
//! heights (§5.3 step 4), keyed by contract service-node id.

use std::collections::{BTreeMap, HashMap};

use alloy_primitives::Address;
use serde::{Deserialize, Serialize};

use snode_eth::abi::{BlsPubkey, ContractEvent, Ed25519Pubkey};

/// A node's state in the ServiceNodeRewards contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeContractState {
    /// No registration is known for these keys.
    NotRegistered,
    /// Registered and not leaving.
    Registered,
    /// Registered; an exit was requested.
    ExitRequested,
    /// Left the contract (exit or liquidation).
    Exited,
}

impl NodeContractState {
    /// Words for status output.
    pub fn describe(self) -> &'static str {
        match self {
            NodeContractState::NotRegistered => "not registered",
            NodeContractState::Registered => "registered",
            NodeContractState::ExitRequested => "exit requested",
            NodeContractState::Exited => "exited",
        }
    }
}

/// One node known to the tracker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeRecord {
    /// Contract service-node id.
    pub service_node_id: u64,
    /// BLS pubkey.
    pub bls_pubkey: BlsPubkey,
    /// Ed25519 pubkey; unknown for nodes seen only in `allServiceNodeIDs()`
    /// or first seen by an exit event.
    pub ed25519_pubkey: Option<Ed25519Pubkey>,
    /// Current state.
    pub state: NodeContractState,
    /// Whether a `ServiceNodeLiquidated` was seen.
    pub liquidated: bool,
    /// Operator (first contributor), when the registration event was seen.
    pub operator: Option<Address>,
    /// L2 block of the registration, or of the first sighting when
    /// [`NodeRecord::registered_before`] is set.
    pub registered_block: u64,
    /// L2 block of the last change.
    pub updated_block: u64,
    /// The node was learned from the contract's node list, not from its
    /// registration event: `registered_block` is only where the daemon first
    /// saw it, and it registered before that block ("registered before L2
    /// block N", never "registered at").
    #[serde(default)]
    pub registered_before: bool,
    /// `addedTimestamp` of the contract's record (Unix seconds), when read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub added_timestamp: Option<u64>,
    /// `leaveRequestTimestamp` of the contract's record (Unix seconds, 0:
    /// none), when read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leave_request_timestamp: Option<u64>,
    /// `deposit` of the contract's record (atomic SESH), when read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deposit: Option<alloy_primitives::U256>,
}

impl NodeRecord {
    /// A node just registered at `block` (from a registration event).
    fn registered(
        id: u64,
        bls_pubkey: BlsPubkey,
        ed25519_pubkey: Ed25519Pubkey,
        operator: Option<Address>,
        block: u64,
    ) -> Self {
        NodeRecord {
            service_node_id: id,
            bls_pubkey,
            ed25519_pubkey: Some(ed25519_pubkey),
            state: NodeContractState::Registered,
            liquidated: false,
            operator,
            registered_block: block,
            updated_block: block,
            registered_before: false,
            added_timestamp: None,
            leave_request_timestamp: None,
            deposit: None,
        }
    }
}

/// Which node to look up: by BLS pubkey, Ed25519 pubkey, or both.
///
/// Give both when you can: nodes registered before the history window are
/// learnt from `allServiceNodeIDs()`, which carries BLS pubkeys only.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NodeQuery {
    /// BLS pubkey (64 bytes X ‖ Y).
    pub bls_pubkey: Option<BlsPubkey>,
    /// Ed25519 pubkey.
    pub ed25519_pubkey: Option<Ed25519Pubkey>,
}

/// All known nodes with indexes by pubkey.
#[derive(Debug, Clone, Default)]
pub struct Registry {
    nodes: BTreeMap<u64, NodeRecord>,
    by_bls: HashMap<BlsPubkey, u64>,
    by_ed: HashMap<Ed25519Pubkey, u64>,
}

impl Registry {
    pub(crate) fn from_records(records: impl IntoIterator<Item = NodeRecord>) -> Self {
        let mut r = Self::default();
        for n in records {
            r.put(n);
        }
        r
    }

    fn put(&mut self, n: NodeRecord) {
        // a re-registration gets a new, higher id: the index keeps the newest
        let newer = |old: Option<&u64>| old.is_none_or(|&o| o <= n.service_node_id);
        if newer(self.by_bls.get(&n.bls_pubkey)) {
            self.by_bls.insert(n.bls_pubkey, n.service_node_id);
        }
        if let Some(ed) = n.ed25519_pubkey {
            if newer(self.by_ed.get(&ed)) {
                self.by_ed.insert(ed, n.service_node_id);
            }
        }
        self.nodes.insert(n.service_node_id, n);
    }

    /// Applies one event at `block`; returns the id of the node it changed.
    pub(crate) fn apply(&mut self, ev: &ContractEvent, block: u64) -> Option<u64> {
        let (id, bls, state) = match ev {
            ContractEvent::NewServiceNode {
                service_node_id,
                bls_pubkey,
                ed25519_pubkey,
                contributors,
                ..
            } => {
                self.put(NodeRecord::registered(
                    *service_node_id,
                    *bls_pubkey,
                    *ed25519_pubkey,
                    contributors.first().map(|c| c.staker),
                    block,
                ));
                return Some(*service_node_id);
            }
            ContractEvent::SeededServiceNode {
                service_node_id,
                bls_pubkey,
                ed25519_pubkey,
            } => {
                self.put(NodeRecord::registered(
                    *service_node_id,
                    *bls_pubkey,
                    *ed25519_pubkey,
                    None,
                    block,
                ));
                return Some(*service_node_id);
            }
            ContractEvent::ExitRequest {
                service_node_id,
                bls_pubkey,
                ..
            } => (
                *service_node_id,
                *bls_pubkey,
                NodeContractState::ExitRequested,
            ),
            ContractEvent::Exit {
                service_node_id,
                bls_pubkey,
                ..
            } => (*service_node_id, *bls_pubkey, NodeContractState::Exited),
            ContractEvent::Liquidated {
                service_node_id,
                bls_pubkey,
                ..
            } => {
                let mut n = self.get_or_new(*service_node_id, *bls_pubkey, block);
                n.liquidated = true;
                n.updated_block = block;
                self.put(n);
                return Some(*service_node_id);
            }
            ContractEvent::StakingRequirementUpdated { .. } => return None,
        };
        let mut n = self.get_or_new(id, bls, block);
        // an exit is final; a late exit request never undoes it
        if n.state != NodeContractState::Exited {
            n.state = state;
        }
        n.updated_block = block;
        self.put(n);
        Some(id)
    }

    fn get_or_new(&self, id: u64, bls: BlsPubkey, block: u64) -> NodeRecord {
        self.nodes.get(&id).cloned().unwrap_or(NodeRecord {
            service_node_id: id,
            bls_pubkey: bls,
            ed25519_pubkey: None,
            state: NodeContractState::Registered,
            liquidated: false,
            operator: None,
            registered_block: block,
            updated_block: block,
            registered_before: false,
            added_timestamp: None,
            leave_request_timestamp: None,
            deposit: None,
        })
    }

    /// Reconciles with the contract's list at `height`: unknown listed ids
    /// become registered; known nodes registered at or before `height`, still
    /// registered here but absent from the list, have exited. Returns the
    /// changed ids.
    pub(crate) fn reconcile(&mut self, list: &[(u64, BlsPubkey)], height: u64) -> Vec<u64> {
        let listed: HashMap<u64, BlsPubkey> = list.iter().copied().collect();
        let mut changed: Vec<u64> = listed
            .keys()
            .filter(|id| !self.nodes.contains_key(id))
            .copied()
            .collect();
        changed.sort_unstable();
        for &id in &changed {
            let bls = listed[&id];
            self.put(NodeRecord {
                service_node_id: id,
                bls_pubkey: bls,
                ed25519_pubkey: None,
                state: NodeContractState::Registered,
                liquidated: false,
                operator: None,
                registered_block: height,
                updated_block: height,
                registered_before: true,
                added_timestamp: None,
                leave_request_timestamp: None,
                deposit: None,
            });
        }
        let gone: Vec<u64> = self
            .nodes
            .values()
            .filter(|n| {
                n.state != NodeContractState::Exited
                    && n.registered_block <= height
                    && n.updated_block <= height
                    && !listed.contains_key(&n.service_node_id)
            })
            .map(|n| n.service_node_id)
            .collect();
        for id in gone {
            if let Some(n) = self.nodes.get_mut(&id) {
                n.state = NodeContractState::Exited;
                n.updated_block = height;
                changed.push(id);
            }
        }
        changed
    }

    /// Applies the contract's record of a node learned from the node list:
    /// an exit request in it makes the node "exit requested"; its keys and
    /// operator fill what the list did not tell. Returns whether it changed.
    pub(crate) fn apply_contract_record(
        &mut self,
        id: u64,
        r: &snode_eth::abi::ServiceNodeRecord,
    ) -> bool {
        let Some(mut n) = self.nodes.get(&id).cloned() else {
            return false;
        };
        let before = n.clone();
        n.added_timestamp = Some(r.added_timestamp);
        n.leave_request_timestamp = Some(r.leave_request_timestamp);
        n.deposit = Some(r.deposit);
        if n.ed25519_pubkey.is_none() && r.ed25519_pubkey != Ed25519Pubkey::ZERO {
            n.ed25519_pubkey = Some(r.ed25519_pubkey);
        }
        if n.operator.is_none() && r.operator != Address::ZERO {
            n.operator = Some(r.operator);
        }
        if r.leave_request_timestamp != 0 && n.state == NodeContractState::Registered {
            n.state = NodeContractState::ExitRequested;
        }
        let changed = n != before;
        self.put(n);
        changed
    }

    /// The record of a node by id.
    pub fn get(&self, id: u64) -> Option<&NodeRecord> {
        self.nodes.get(&id)
    }

    /// The newest record matching the query (the highest id among matches).
    pub fn find(&self, q: &NodeQuery) -> Option<&NodeRecord> {
        let a = q.bls_pubkey.and_then(|k| self.by_bls.get(&k));
        let b = q.ed25519_pubkey.and_then(|k| self.by_ed.get(&k));
        a.into_iter()
            .chain(b)
            .max()
            .and_then(|id| self.nodes.get(id))
    }

    /// The contract state of the node matching the query.
    pub fn state_of(&self, q: &NodeQuery) -> NodeContractState {
        self.find(q)
            .map(|n| n.state)
            .unwrap_or(NodeContractState::NotRegistered)
    }

    /// Nodes currently in the contract (registered or exit requested).
    pub fn registered(&self) -> impl Iterator<Item = &NodeRecord> {
        self.nodes.values().filter(|n| {
            matches!(
                n.state,
                NodeContractState::Registered | NodeContractState::ExitRequested
            )
        })
    }

    /// Every node known, exited ones included.
    pub fn all(&self) -> impl Iterator<Item = &NodeRecord> {
        self.nodes.values()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::{FixedBytes, B256, U256};

    fn bls(n: u8) -> BlsPubkey {
        FixedBytes([n; 64])
    }

    fn reg(id: u64, n: u8) -> ContractEvent {
        ContractEvent::NewServiceNode {
            service_node_id: id,
            initiator: Address::ZERO,
            bls_pubkey: bls(n),
            ed25519_pubkey: B256::repeat_byte(n),
            ed25519_signature: FixedBytes([0; 64]),
            fee: 0,
            contributors: vec![],
        }
    }

    #[test]
    fn lifecycle_and_queries() {
        let mut r = Registry::default();
        r.apply(&reg(1, 1), 10);
        r.apply(&reg(2, 2), 11);
        let by_ed = NodeQuery {
            ed25519_pubkey: Some(B256::repeat_byte(1)),
            ..Default::default()
        };
        let by_bls = NodeQuery {
            bls_pubkey: Some(bls(1)),
            ..Default::default()
        };
        assert_eq!(r.state_of(&by_ed), NodeContractState::Registered);
        r.apply(
            &ContractEvent::ExitRequest {
                service_node_id: 1,
                initiator: Address::ZERO,
                bls_pubkey: bls(1),
            },
            12,
        );
        assert_eq!(r.state_of(&by_bls), NodeContractState::ExitRequested);
        r.apply(
            &ContractEvent::Exit {
                service_node_id: 1,
                initiator: Address::ZERO,
                returned_amount: U256::ZERO,
                bls_pubkey: bls(1),
            },
            13,
        );
        assert_eq!(r.state_of(&by_ed), NodeContractState::Exited);
        assert_eq!(r.registered().count(), 1);
        // re-registration of the same keys under a new id
        r.apply(&reg(5, 1), 20);
        assert_eq!(r.state_of(&by_ed), NodeContractState::Registered);
        assert_eq!(r.find(&by_bls).unwrap().service_node_id, 5);
        assert_eq!(
            r.state_of(&NodeQuery {
                bls_pubkey: Some(bls(9)),
                ..Default::default()
            }),
            NodeContractState::NotRegistered
        );
    }

    #[test]
    fn reconcile_with_contract_list() {
        let mut r = Registry::default();
        r.apply(&reg(1, 1), 10);
        r.apply(&reg(2, 2), 30); // after the list height: kept
        let changed = r.reconcile(&[(7, bls(7))], 20);
        assert!(changed.contains(&7) && changed.contains(&1));
        assert_eq!(r.get(1).unwrap().state, NodeContractState::Exited);
        assert_eq!(r.get(2).unwrap().state, NodeContractState::Registered);
        assert_eq!(r.get(7).unwrap().state, NodeContractState::Registered);
        assert_eq!(r.get(7).unwrap().ed25519_pubkey, None);
    }
}
