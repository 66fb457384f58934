//! The ServiceNodeRewards / RewardRatePool ABI the tracker uses: events
//! (docs/compat/l2-contract.md, "Events") and read-only calls
//! (docs/compat/l2-contract.md, "Calls"), declared with alloy's `sol!`.
//!
//! [`decode_log`] turns one `eth_getLogs` entry into a [`ContractEvent`]; a log
//! with a known topic0 that does not decode, or breaks the layout rules oxend
//! enforces, is a [`DecodeError`] the caller reports and skips.

use alloy_primitives::{Address, FixedBytes, B256, U256};
use alloy_sol_types::{sol, SolCall, SolEvent};
use serde::{Deserialize, Serialize};

/// A BN254 G1 public key as 64 bytes X ‖ Y, big-endian.
pub type BlsPubkey = FixedBytes<64>;
/// An Ed25519 public key (the contract's `uint256 serviceNodePubkey`, big-endian bytes).
pub type Ed25519Pubkey = B256;

sol! {
    /// BN256G1.G1Point.
    struct G1Point { uint256 X; uint256 Y; }
    /// IServiceNodeRewards.ServiceNodeParams.
    struct ServiceNodeParams {
        uint256 serviceNodePubkey;
        uint256 serviceNodeSignature1;
        uint256 serviceNodeSignature2;
        uint16 fee;
    }
    /// IServiceNodeRewards.Staker.
    struct Staker { address addr; address beneficiary; }
    /// IServiceNodeRewards.Contributor.
    struct Contributor { Staker staker; uint256 stakedAmount; }

    event NewServiceNodeV2(uint64 indexed serviceNodeID, address initiator, G1Point pubkey, ServiceNodeParams serviceNode, Contributor[] contributors);
    event ServiceNodeExitRequest(uint64 indexed serviceNodeID, address initiator, G1Point pubkey);
    event ServiceNodeExit(uint64 indexed serviceNodeID, address initiator, uint256 returnedAmount, G1Point pubkey);
    event ServiceNodeLiquidated(uint64 indexed serviceNodeID, address initiator, G1Point pubkey);
    event StakingRequirementUpdated(uint256 newRequirement);
    event NewSeededServiceNode(uint64 indexed serviceNodeID, G1Point blsPubkey, uint256 ed25519Pubkey);

    /// IServiceNodeRewards.ServiceNode, as `serviceNodes(uint64)` returns it.
    struct ServiceNode {
        uint64 next;
        uint64 prev;
        address operator;
        G1Point pubkey;
        uint256 addedTimestamp;
        uint256 leaveRequestTimestamp;
        uint256 latestLeaveRequestTimestamp;
        uint256 deposit;
        Contributor[] contributors;
        uint256 ed25519Pubkey;
    }

    function allServiceNodeIDs() external view returns (uint64[] ids, G1Point[] pubkeys);
    function serviceNodes(uint64 serviceNodeID) external view returns (ServiceNode memory);
    function rewardRate() external view returns (uint256);
    function stakingRequirement() external view returns (uint256);
    function ed25519ToServiceNodeID(uint256 pubkey) external view returns (uint64);
}

/// `STAKING_FEE_BASIS`: the largest fee, in basis points.
const STAKING_FEE_BASIS: u64 = 10_000;
/// `MAX_CONTRIBUTORS_HF19`.
const MAX_CONTRIBUTORS: usize = 10;

/// One contributor of a `NewServiceNodeV2`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContributorInfo {
    /// Staker wallet.
    pub staker: Address,
    /// Where the staker's rewards go.
    pub beneficiary: Address,
    /// Amount staked, atomic SESH.
    pub amount: U256,
}

/// A decoded contract event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum ContractEvent {
    /// `NewServiceNodeV2`: a node was registered.
    NewServiceNode {
        /// Contract id (topic1).
        service_node_id: u64,
        /// `initiator` (the operator in the stagenet3 build).
        initiator: Address,
        /// BLS pubkey.
        bls_pubkey: BlsPubkey,
        /// Ed25519 pubkey.
        ed25519_pubkey: Ed25519Pubkey,
        /// Ed25519 registration signature (not checked by the contract).
        ed25519_signature: FixedBytes<64>,
        /// Operator fee, basis points.
        fee: u16,
        /// Contributors, operator first.
        contributors: Vec<ContributorInfo>,
    },
    /// `ServiceNodeExitRequest`.
    ExitRequest {
        /// Contract id.
        service_node_id: u64,
        /// Who asked.
        initiator: Address,
        /// BLS pubkey.
        bls_pubkey: BlsPubkey,
    },
    /// `ServiceNodeExit`: the node left the contract (after an exit or a liquidation).
    Exit {
        /// Contract id.
        service_node_id: u64,
        /// Who sent the transaction.
        initiator: Address,
        /// Stake returned.
        returned_amount: U256,
        /// BLS pubkey.
        bls_pubkey: BlsPubkey,
    },
    /// `ServiceNodeLiquidated` (oxend ignores it; a `ServiceNodeExit` follows).
    Liquidated {
        /// Contract id.
        service_node_id: u64,
        /// The liquidator.
        initiator: Address,
        /// BLS pubkey.
        bls_pubkey: BlsPubkey,
    },
    /// `NewSeededServiceNode`: a node added by the contract owner at seeding.
    SeededServiceNode {
        /// Contract id.
        service_node_id: u64,
        /// BLS pubkey.
        bls_pubkey: BlsPubkey,
        /// Ed25519 pubkey.
        ed25519_pubkey: Ed25519Pubkey,
    },
    /// `StakingRequirementUpdated`.
    StakingRequirementUpdated {
        /// New requirement, atomic SESH.
        new_requirement: U256,
    },
}

impl ContractEvent {
    /// The Solidity event name.
    pub fn name(&self) -> &'static str {
        match self {
            ContractEvent::NewServiceNode { .. } => "NewServiceNodeV2",
            ContractEvent::ExitRequest { .. } => "ServiceNodeExitRequest",
            ContractEvent::Exit { .. } => "ServiceNodeExit",
            ContractEvent::Liquidated { .. } => "ServiceNodeLiquidated",
            ContractEvent::SeededServiceNode { .. } => "NewSeededServiceNode",
            ContractEvent::StakingRequirementUpdated { .. } => "StakingRequirementUpdated",
        }
    }
}

/// Why a log with a known topic0 was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed {event} log: {reason}")]
pub struct DecodeError {
    /// Event name from topic0.
    pub event: &'static str,
    /// What was wrong.
    pub reason: String,
}

fn g1(p: &G1Point) -> BlsPubkey {
    let mut out = [0u8; 64];
    out[..32].copy_from_slice(&p.X.to_be_bytes::<32>());
    out[32..].copy_from_slice(&p.Y.to_be_bytes::<32>());
    FixedBytes(out)
}

fn word(data: &[u8], i: usize) -> Option<U256> {
    data.get(i * 32..(i + 1) * 32).map(U256::from_be_slice)
}

/// Decodes one log from its topics and data: `Ok(None)` for a log that is
/// not a tracked event (another event of the contract, or no topics).
pub fn decode_log(topics: &[B256], data: &[u8]) -> Result<Option<ContractEvent>, DecodeError> {
    let Some(topic0) = topics.first() else {
        return Ok(None);
    };
    let fail = |event: &'static str| {
        move |e: alloy_sol_types::Error| DecodeError {
            event,
            reason: e.to_string(),
        }
    };
    let ev = match *topic0 {
        NewServiceNodeV2::SIGNATURE_HASH => {
            const NAME: &str = "NewServiceNodeV2";
            check_new_node_layout(data).map_err(|reason| DecodeError {
                event: NAME,
                reason,
            })?;
            let e = NewServiceNodeV2::decode_raw_log(topics.iter().copied(), data)
                .map_err(fail(NAME))?;
            ContractEvent::NewServiceNode {
                service_node_id: e.serviceNodeID,
                initiator: e.initiator,
                bls_pubkey: g1(&e.pubkey),
                ed25519_pubkey: B256::from(e.serviceNode.serviceNodePubkey.to_be_bytes::<32>()),
                ed25519_signature: {
                    let mut s = [0u8; 64];
                    s[..32]
                        .copy_from_slice(&e.serviceNode.serviceNodeSignature1.to_be_bytes::<32>());
                    s[32..]
                        .copy_from_slice(&e.serviceNode.serviceNodeSignature2.to_be_bytes::<32>());
                    FixedBytes(s)
                },
                fee: e.serviceNode.fee,
                contributors: e
                    .contributors
                    .iter()
                    .map(|c| ContributorInfo {
                        staker: c.staker.addr,
                        beneficiary: c.staker.beneficiary,
                        amount: c.stakedAmount,
                    })
                    .collect(),
            }
        }
        ServiceNodeExitRequest::SIGNATURE_HASH => {
            let e = ServiceNodeExitRequest::decode_raw_log(topics.iter().copied(), data)
                .map_err(fail("ServiceNodeExitRequest"))?;
            ContractEvent::ExitRequest {
                service_node_id: e.serviceNodeID,
                initiator: e.initiator,
                bls_pubkey: g1(&e.pubkey),
            }
        }
        ServiceNodeExit::SIGNATURE_HASH => {
            let e = ServiceNodeExit::decode_raw_log(topics.iter().copied(), data)
                .map_err(fail("ServiceNodeExit"))?;
            ContractEvent::Exit {
                service_node_id: e.serviceNodeID,
                initiator: e.initiator,
                returned_amount: e.returnedAmount,
                bls_pubkey: g1(&e.pubkey),
            }
        }
        ServiceNodeLiquidated::SIGNATURE_HASH => {
            let e = ServiceNodeLiquidated::decode_raw_log(topics.iter().copied(), data)
                .map_err(fail("ServiceNodeLiquidated"))?;
            ContractEvent::Liquidated {
                service_node_id: e.serviceNodeID,
                initiator: e.initiator,
                bls_pubkey: g1(&e.pubkey),
            }
        }
        NewSeededServiceNode::SIGNATURE_HASH => {
            let e = NewSeededServiceNode::decode_raw_log(topics.iter().copied(), data)
                .map_err(fail("NewSeededServiceNode"))?;
            ContractEvent::SeededServiceNode {
                service_node_id: e.serviceNodeID,
                bls_pubkey: g1(&e.blsPubkey),
                ed25519_pubkey: B256::from(e.ed25519Pubkey.to_be_bytes::<32>()),
            }
        }
        StakingRequirementUpdated::SIGNATURE_HASH => {
            let e = StakingRequirementUpdated::decode_raw_log(topics.iter().copied(), data)
                .map_err(fail("StakingRequirementUpdated"))?;
            ContractEvent::StakingRequirementUpdated {
                new_requirement: e.newRequirement,
            }
        }
        _ => return Ok(None),
    };
    Ok(Some(ev))
}

/// The layout rules oxend checks on `NewServiceNodeV2` data (docs/compat/l2-contract.md):
/// fee ≤ 10000, contributors offset 256, 1 ≤ n ≤ 10, exact length.
fn check_new_node_layout(data: &[u8]) -> Result<(), String> {
    let short = || format!("data is {} bytes, shorter than 288", data.len());
    let fee = word(data, 6).ok_or_else(short)?;
    if fee > U256::from(STAKING_FEE_BASIS) {
        return Err(format!("fee {fee} is above {STAKING_FEE_BASIS}"));
    }
    let offset = word(data, 7).ok_or_else(short)?;
    if offset != U256::from(256) {
        return Err(format!("contributors offset is {offset}, not 256"));
    }
    let n = word(data, 8).ok_or_else(short)?;
    if n < U256::from(1) || n > U256::from(MAX_CONTRIBUTORS) {
        return Err(format!(
            "{n} contributors (1 to {MAX_CONTRIBUTORS} allowed)"
        ));
    }
    let n = n.to::<usize>();
    if data.len() != 288 + 96 * n {
        return Err(format!(
            "data is {} bytes, {} expected for {n} contributors",
            data.len(),
            288 + 96 * n
        ));
    }
    Ok(())
}

/// Calldata of `allServiceNodeIDs()` (`0xabf2c503`).
pub fn all_service_node_ids_calldata() -> Vec<u8> {
    allServiceNodeIDsCall {}.abi_encode()
}

/// A node's record in the contract (`serviceNodes(uint64)`), the facts
/// that hold whatever the logs the tracker has seen.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceNodeRecord {
    /// The operator.
    pub operator: Address,
    /// BLS pubkey.
    pub bls_pubkey: BlsPubkey,
    /// Ed25519 pubkey.
    pub ed25519_pubkey: Ed25519Pubkey,
    /// When it was added (Unix seconds, L2 block time).
    pub added_timestamp: u64,
    /// When an exit was requested (Unix seconds); 0: none.
    pub leave_request_timestamp: u64,
    /// Deposit (atomic SESH).
    pub deposit: U256,
}

/// Calldata of `serviceNodes(uint64)` (`0x040f9853`).
pub fn service_nodes_calldata(id: u64) -> Vec<u8> {
    serviceNodesCall { serviceNodeID: id }.abi_encode()
}

fn seconds(v: U256) -> u64 {
    u64::try_from(v).unwrap_or(u64::MAX)
}

/// Decodes the answer of `serviceNodes(uint64)`. An empty answer (a revert,
/// an id that is not there) is an error.
pub fn decode_service_node(data: &[u8]) -> Result<ServiceNodeRecord, AnswerError> {
    if data.is_empty() {
        return Err(AnswerError::WordLength(0));
    }
    let n = serviceNodesCall::abi_decode_returns(data).map_err(abi_error)?;
    Ok(ServiceNodeRecord {
        operator: n.operator,
        bls_pubkey: g1(&n.pubkey),
        ed25519_pubkey: B256::from(n.ed25519Pubkey.to_be_bytes::<32>()),
        added_timestamp: seconds(n.addedTimestamp),
        leave_request_timestamp: seconds(n.leaveRequestTimestamp),
        deposit: n.deposit,
    })
}

/// Encodes a `serviceNodes(uint64)` answer (no contributors), for contract
/// stand-ins in tests.
pub fn encode_service_node(r: &ServiceNodeRecord) -> Vec<u8> {
    let node = ServiceNode {
        next: 0,
        prev: 0,
        operator: r.operator,
        pubkey: G1Point {
            X: U256::from_be_slice(&r.bls_pubkey[..32]),
            Y: U256::from_be_slice(&r.bls_pubkey[32..]),
        },
        addedTimestamp: U256::from(r.added_timestamp),
        leaveRequestTimestamp: U256::from(r.leave_request_timestamp),
        latestLeaveRequestTimestamp: U256::from(r.leave_request_timestamp),
        deposit: r.deposit,
        contributors: Vec::new(),
        ed25519Pubkey: U256::from_be_bytes(r.ed25519_pubkey.0),
    };
    serviceNodesCall::abi_encode_returns(&node)
}

/// Calldata of RewardRatePool `rewardRate()` (`0x7b0a47ee`).
pub fn reward_rate_calldata() -> Vec<u8> {
    rewardRateCall {}.abi_encode()
}

/// Calldata of `stakingRequirement()` (`0x56d399e8`).
pub fn staking_requirement_calldata() -> Vec<u8> {
    stakingRequirementCall {}.abi_encode()
}

/// Calldata of `ed25519ToServiceNodeID(uint256)` (`0xc0ebedab`): the
/// Ed25519 pubkey as a big-endian uint256.
pub fn ed25519_to_service_node_id_calldata(pubkey: &[u8; 32]) -> Vec<u8> {
    ed25519ToServiceNodeIDCall {
        pubkey: U256::from_be_bytes(*pubkey),
    }
    .abi_encode()
}

/// Why the answer of a contract call cannot be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnswerError {
    /// Not the one 32-byte word a scalar answer is.
    #[error("expected one 32-byte word, got {0} bytes")]
    WordLength(usize),
    /// A word wider than the uint64 it must hold.
    #[error("the answer is not a uint64")]
    NotU64,
    /// `allServiceNodeIDs()` with lists of different lengths.
    #[error("{ids} ids but {pubkeys} pubkeys")]
    Mismatch {
        /// Ids returned.
        ids: usize,
        /// Pubkeys returned.
        pubkeys: usize,
    },
    /// The ABI decoder refused it.
    #[error("{0}")]
    Abi(String),
}

fn abi_error(e: alloy_sol_types::Error) -> AnswerError {
    AnswerError::Abi(e.to_string())
}

/// Decodes `ed25519ToServiceNodeID()`: one word holding a uint64 (0: no
/// node); a wider value is refused, not truncated.
pub fn decode_ed25519_to_service_node_id(data: &[u8]) -> Result<u64, AnswerError> {
    if data.len() != 32 {
        return Err(AnswerError::WordLength(data.len()));
    }
    if data[..24].iter().any(|&b| b != 0) {
        return Err(AnswerError::NotU64);
    }
    ed25519ToServiceNodeIDCall::abi_decode_returns(data).map_err(abi_error)
}

/// Decodes `stakingRequirement()`: one uint256 word. An empty answer (a
/// revert, or no such function) is an error: the value stays unknown.
pub fn decode_staking_requirement(data: &[u8]) -> Result<U256, AnswerError> {
    if data.len() != 32 {
        return Err(AnswerError::WordLength(data.len()));
    }
    stakingRequirementCall::abi_decode_returns(data).map_err(abi_error)
}

/// Decodes the answer of `allServiceNodeIDs()`: (id, BLS pubkey) pairs.
pub fn decode_all_service_node_ids(data: &[u8]) -> Result<Vec<(u64, BlsPubkey)>, AnswerError> {
    let r = allServiceNodeIDsCall::abi_decode_returns(data).map_err(abi_error)?;
    if r.ids.len() != r.pubkeys.len() {
        return Err(AnswerError::Mismatch {
            ids: r.ids.len(),
            pubkeys: r.pubkeys.len(),
        });
    }
    Ok(r.ids
        .iter()
        .copied()
        .zip(r.pubkeys.iter().map(g1))
        .collect())
}

/// Encodes an `allServiceNodeIDs()` answer, for stub providers in tests.
pub fn encode_all_service_node_ids(nodes: &[(u64, [u8; 64])]) -> Vec<u8> {
    let ret = allServiceNodeIDsReturn {
        ids: nodes.iter().map(|(id, _)| *id).collect(),
        pubkeys: nodes
            .iter()
            .map(|(_, pk)| G1Point {
                X: U256::from_be_slice(&pk[..32]),
                Y: U256::from_be_slice(&pk[32..]),
            })
            .collect(),
    };
    allServiceNodeIDsCall::abi_encode_returns_tuple(&(ret.ids, ret.pubkeys))
}

/// Decodes `rewardRate()`; an empty answer (`0x`) means 0, as oxend reads it.
pub fn decode_reward_rate(data: &[u8]) -> Result<U256, AnswerError> {
    if data.is_empty() {
        return Ok(U256::ZERO);
    }
    rewardRateCall::abi_decode_returns(data).map_err(abi_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(s: &str) -> Vec<u8> {
        hex::decode(s.split_whitespace().collect::<String>()).unwrap()
    }

    #[test]
    fn topic0_values_match_the_spec() {
        let cases: [(B256, &str); 6] = [
            (
                NewServiceNodeV2::SIGNATURE_HASH,
                "533c16cb4158fe7c77021b90e9290bbefa457dd392bd8abc1eab59747834fd5b",
            ),
            (
                ServiceNodeExitRequest::SIGNATURE_HASH,
                "8600c0145511b317ae0189933fa71eb57a32d74891804c7993ef74ec63a5e804",
            ),
            (
                ServiceNodeExit::SIGNATURE_HASH,
                "24c4411329b949fad2eba6f79a8ba090a08eac1af4b56c3a2f5a282ed45e233e",
            ),
            (
                ServiceNodeLiquidated::SIGNATURE_HASH,
                "0bfb12191b00293af29126b1c5489f8daeb4a4af82db2960b7f8353c3105cd7c",
            ),
            (
                StakingRequirementUpdated::SIGNATURE_HASH,
                "006b7a1ea14ff2794527a64af37d55a2040e351f8b4c1adcdc9aea80d64e0429",
            ),
            (
                NewSeededServiceNode::SIGNATURE_HASH,
                "34be2fa283e1d5eb453459898f160448257aa1ef0f7dd2c3a3b55c45d1af768f",
            ),
        ];
        for (got, want) in cases {
            assert_eq!(hex::encode(got), want);
        }
        assert_eq!(hex::encode(all_service_node_ids_calldata()), "abf2c503");
        assert_eq!(hex::encode(reward_rate_calldata()), "7b0a47ee");
    }

    /// The real log of docs/compat/l2-contract.md (emitted by the contract code in anvil).
    const REAL_DATA: &str = "
        00000000000000000000000070997970c51812dc3a010c7d01b50e0d17dc79c8
        14c6615c4fbecfa4a2c2197ae8152904ce2c0d9daab228650993959c9d5c322c
        1310113ec96bd4f56c1a3abb96dea45ffb8d785ea7a55faf38e12bfd92ba179b
        d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a
        4441245b60f99bdfa5a766ebfe558b0212a439feafc9595dbba00cc3d65b3920
        40d42c6d94e8713b85e2cbce61fb2fc5cc01726106e7a2bbb39b08007c8d3e09
        0000000000000000000000000000000000000000000000000000000000000000
        0000000000000000000000000000000000000000000000000000000000000100
        0000000000000000000000000000000000000000000000000000000000000001
        00000000000000000000000070997970c51812dc3a010c7d01b50e0d17dc79c8
        00000000000000000000000070997970c51812dc3a010c7d01b50e0d17dc79c8
        000000000000000000000000000000000000000000000000000012309ce54000";

    fn topics(id: u64) -> Vec<B256> {
        vec![NewServiceNodeV2::SIGNATURE_HASH, B256::from(U256::from(id))]
    }

    #[test]
    fn decodes_the_real_registration_log() {
        let d = decode_log(&topics(1), &h(REAL_DATA)).unwrap();
        let Some(ContractEvent::NewServiceNode {
            service_node_id,
            bls_pubkey,
            ed25519_pubkey,
            fee,
            contributors,
            ..
        }) = d
        else {
            panic!("{d:?}")
        };
        assert_eq!(service_node_id, 1);
        assert_eq!(hex::encode(bls_pubkey), "14c6615c4fbecfa4a2c2197ae8152904ce2c0d9daab228650993959c9d5c322c1310113ec96bd4f56c1a3abb96dea45ffb8d785ea7a55faf38e12bfd92ba179b");
        assert_eq!(
            hex::encode(ed25519_pubkey),
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
        );
        assert_eq!(fee, 0);
        assert_eq!(contributors.len(), 1);
        assert_eq!(contributors[0].amount, U256::from(20_000_000_000_000u64));
    }

    #[test]
    fn rejects_broken_registration_logs() {
        let good = h(REAL_DATA);
        let mut bad_offset = good.clone();
        bad_offset[7 * 32 + 31] = 0x20;
        let mut bad_fee = good.clone();
        bad_fee[6 * 32 + 30] = 0x30; // 0x3000 > 10000
        let mut zero_n = good.clone();
        zero_n[8 * 32 + 31] = 0;
        let cases = [
            good[..good.len() - 1].to_vec(),
            good[..100].to_vec(),
            Vec::new(),
            bad_offset,
            bad_fee,
            zero_n,
            [good.clone(), vec![0; 32]].concat(),
        ];
        for data in cases {
            let e = decode_log(&topics(1), &data).unwrap_err();
            assert_eq!(e.event, "NewServiceNodeV2");
        }
        // exit with short data
        let e = decode_log(&[ServiceNodeExit::SIGNATURE_HASH, B256::ZERO], &[0; 40]).unwrap_err();
        assert_eq!(e.event, "ServiceNodeExit");
        // unknown topic and no topic are ignored
        assert_eq!(decode_log(&[B256::ZERO], &[]).unwrap(), None);
        assert_eq!(decode_log(&[], &[]).unwrap(), None);
    }

    #[test]
    fn node_list_and_reward_rate_answers() {
        let data = h("
            0000000000000000000000000000000000000000000000000000000000000040
            0000000000000000000000000000000000000000000000000000000000000080
            0000000000000000000000000000000000000000000000000000000000000001
            0000000000000000000000000000000000000000000000000000000000000001
            0000000000000000000000000000000000000000000000000000000000000001
            0000000000000000000000000000000000000000000000000000000000000001
            0000000000000000000000000000000000000000000000000000000000000002");
        let list = decode_all_service_node_ids(&data).unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].0, 1);
        assert_eq!(list[0].1[63], 2);
        assert!(decode_all_service_node_ids(&[]).is_err());
        assert_eq!(decode_reward_rate(&[]).unwrap(), U256::ZERO);
        assert_eq!(
            decode_reward_rate(&[7; 32]).unwrap(),
            U256::from_be_slice(&[7; 32])
        );
    }

    #[test]
    fn staking_requirement_call() {
        // selector from docs/compat/l2-contract.md
        assert_eq!(staking_requirement_calldata(), h("56d399e8"));
        let word = h(&format!("{:0>64}", "16bcc41e9000"));
        assert_eq!(
            decode_staking_requirement(&word).unwrap(),
            U256::from(25_000_000_000_000u64)
        );
        assert!(
            decode_staking_requirement(&[]).is_err(),
            "a revert is no value"
        );
        assert!(decode_staking_requirement(&[0; 64]).is_err());
    }

    #[test]
    fn service_node_record_has_the_contract_layout() {
        let cd = service_nodes_calldata(5);
        assert_eq!(cd[..4], [0x04, 0x0f, 0x98, 0x53]);
        let r = ServiceNodeRecord {
            operator: Address::repeat_byte(0x33),
            bls_pubkey: FixedBytes([0x44; 64]),
            ed25519_pubkey: B256::repeat_byte(0x55),
            added_timestamp: 111,
            leave_request_timestamp: 222,
            deposit: U256::from(333),
        };
        let data = encode_service_node(&r);
        let word = |i: usize| &data[32 * i..32 * (i + 1)];
        let num = |i: usize| U256::from_be_slice(word(i));
        // offset, next, prev, operator, X, Y, added, leave, latest leave,
        // deposit, contributors offset, ed25519, contributors length
        assert_eq!(num(0), U256::from(0x20));
        assert_eq!(&word(3)[12..], &[0x33; 20]);
        assert_eq!(word(4), &[0x44; 32]);
        assert_eq!(num(6), U256::from(111));
        assert_eq!(num(7), U256::from(222));
        assert_eq!(num(9), U256::from(333));
        assert_eq!(num(10), U256::from(0x160));
        assert_eq!(word(11), &[0x55; 32]);
        assert_eq!(num(12), U256::ZERO);
        assert_eq!(decode_service_node(&data), Ok(r));
        assert!(decode_service_node(&[]).is_err());
    }
}
