//! Oxen blocks (`cryptonote_basic.h`): the header with the Pulse (HF16+), reward/winner (HF20+)
//! and L2 (HF21+) fields, the miner tx (absent from HF21), tx hashes, Pulse signatures and the
//! HF19 Oxen-10 compatibility tail; and the block id as `get_block_hash` computes it.

use crate::hash::{cn_fast_hash, tree_hash, Hash};
use crate::tx::{parse_tx, Transaction, TxIn};
use crate::wire::{put_varint, Reader};
use crate::ParseError;

pub const HF16_PULSE: u8 = 16;
pub const HF19_REWARD_BATCHING: u8 = 19;
pub const HF20_ETH_TRANSITION: u8 = 20;
pub const HF21_ETH: u8 = 21;
/// oxen-core `MAX_TX_PER_BLOCK`.
pub const MAX_TX_PER_BLOCK: usize = 0x1000_0000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PulseHeader {
    pub random_value: [u8; 16],
    pub round: u8,
    pub validator_bitset: u16,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockHeader {
    pub major_version: u8,
    pub minor_version: u8,
    pub timestamp: u64,
    pub prev_id: Hash,
    pub nonce: u32,
    /// HF16+.
    pub pulse: Option<PulseHeader>,
    /// HF19 (block tail) / HF20+ (header).
    pub reward: u64,
    /// HF20+.
    pub sn_winner_tail: Option<[u8; 4]>,
    /// HF21+: the height is in the header (before that, in the miner tx's `txin_gen`).
    pub height: Option<u64>,
    pub l2_height: u64,
    pub l2_reward: u64,
    pub l2_votes: Vec<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuorumSignature {
    pub voter_index: u16,
    pub signature: [u8; 64],
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    pub header: BlockHeader,
    pub miner_tx: Option<Transaction>,
    pub tx_hashes: Vec<Hash>,
    /// HF21+: how many leading `tx_hashes` are Ethereum state-change txs.
    pub tx_eth_count: u32,
    pub signatures: Vec<QuorumSignature>,
    /// HF19 Oxen-10 compatibility: the block producer key (null when absent).
    pub oxen10_pulse_producer: Option<[u8; 32]>,
    /// The block id (`get_block_hash`).
    pub id: Hash,
}

fn parse_header(r: &mut Reader<'_>) -> Result<BlockHeader, ParseError> {
    let off = r.pos();
    let major = r.varint("major_version")?;
    if !(7..=127).contains(&major) {
        return Err(ParseError::BadValue {
            field: "major_version",
            offset: off,
        });
    }
    let major_version = major as u8;
    let off = r.pos();
    let minor = r.varint("minor_version")?;
    let minor_version = u8::try_from(minor).map_err(|_| ParseError::BadValue {
        field: "minor_version",
        offset: off,
    })?;
    let timestamp = r.varint("timestamp")?;
    let prev_id = r.array("prev_id")?;
    let nonce = r.u32("nonce")?;
    let mut h = BlockHeader {
        major_version,
        minor_version,
        timestamp,
        prev_id,
        nonce,
        pulse: None,
        reward: 0,
        sn_winner_tail: None,
        height: None,
        l2_height: 0,
        l2_reward: 0,
        l2_votes: Vec::new(),
    };
    if major_version >= HF16_PULSE {
        h.pulse = Some(PulseHeader {
            random_value: r.array("pulse random_value")?,
            round: r.u8("pulse round")?,
            validator_bitset: r.u16("pulse validator_bitset")?,
        });
    }
    if major_version >= HF20_ETH_TRANSITION {
        h.reward = r.varint("reward")?;
        h.sn_winner_tail = Some(r.array("sn_winner_tail")?);
    }
    if major_version >= HF21_ETH {
        h.height = Some(r.varint("height")?);
        h.l2_height = r.varint("l2_height")?;
        h.l2_reward = r.varint("l2_reward")?;
        let n = r.count("l2_votes", 0)?;
        let bytes = r.bytes(n.div_ceil(8), "l2_votes")?;
        h.l2_votes = (0..n).map(|i| bytes[i / 8] & (1 << (i % 8)) != 0).collect();
    }
    Ok(h)
}

impl Block {
    /// Parses a block blob (as found in `block_complete_entry.block`) and computes its id.
    pub fn parse(blob: &[u8]) -> Result<Self, ParseError> {
        let mut r = Reader::new(blob);
        let header = parse_header(&mut r)?;
        let header_len = r.pos();
        let major = header.major_version;
        let miner_tx = if major >= HF21_ETH {
            None
        } else {
            let tx = parse_tx(&mut r, true)?;
            if !tx.prefix.is_miner_tx() {
                return Err(ParseError::BadValue {
                    field: "miner_tx vin",
                    offset: header_len,
                });
            }
            Some(tx)
        };
        let n = r.count("tx_hashes", 32)?;
        if n > MAX_TX_PER_BLOCK {
            return Err(ParseError::BadCount {
                field: "tx_hashes",
                offset: r.pos(),
            });
        }
        let mut tx_hashes = Vec::with_capacity(n);
        for _ in 0..n {
            tx_hashes.push(r.array("tx_hash")?);
        }
        let tx_eth_count = if major >= HF21_ETH {
            r.u32("tx_eth_count")?
        } else {
            0
        };
        let mut signatures = Vec::new();
        if major >= HF16_PULSE {
            let n = r.count("signatures", 66)?;
            for _ in 0..n {
                signatures.push(QuorumSignature {
                    voter_index: r.u16("voter_index")?,
                    signature: r.array("signature")?,
                });
            }
        }
        let mut header = header;
        let mut oxen10_pulse_producer = None;
        if major == HF19_REWARD_BATCHING {
            let hh = r.varint("hf19 height")?;
            if hh != 0 {
                oxen10_pulse_producer = Some(r.array("pulse_producer")?);
            }
            // `field(ar, "reward", ...)` without varint: a fixed little-endian u64.
            header.reward = u64::from_le_bytes(r.array("hf19 reward")?);
        }
        r.finish("block")?;
        let id = block_id(
            &blob[..header_len],
            miner_tx.as_ref().map(|t| t.hash),
            &tx_hashes,
        );
        Ok(Block {
            header,
            miner_tx,
            tx_hashes,
            tx_eth_count,
            signatures,
            oxen10_pulse_producer,
            id,
        })
    }

    /// The block height: from the header in HF21+, else from the miner tx's `txin_gen`.
    pub fn height(&self) -> Option<u64> {
        if let Some(h) = self.header.height {
            return Some(h);
        }
        match self.miner_tx.as_ref()?.prefix.vin.first()? {
            TxIn::Gen { height } => Some(*height),
            _ => None,
        }
    }
}

/// `get_block_hash`: hash of the length-prefixed hashing blob, which is the serialised header,
/// the tree hash of (miner tx id, tx ids) and the varint of `tx_hashes.len() + 1` (the +1 is
/// kept in HF21+ even though those blocks have no miner tx).
pub fn block_id(header_blob: &[u8], miner_tx: Option<Hash>, tx_hashes: &[Hash]) -> Hash {
    let mut ids = Vec::with_capacity(tx_hashes.len() + 1);
    ids.extend(miner_tx);
    ids.extend_from_slice(tx_hashes);
    let mut blob = header_blob.to_vec();
    blob.extend_from_slice(&tree_hash(&ids));
    put_varint(&mut blob, tx_hashes.len() as u64 + 1);
    let mut framed = Vec::with_capacity(blob.len() + 4);
    put_varint(&mut framed, blob.len() as u64);
    framed.extend_from_slice(&blob);
    cn_fast_hash(&framed)
}
