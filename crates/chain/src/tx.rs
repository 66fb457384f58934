//! Oxen transactions: the prefix (versions 1-4, Oxen's per-output unlock times and tx types)
//! and the RingCT *base* (enough to compute the id of a miner transaction and to find where
//! the prunable part starts). Ring signatures, range proofs and CLSAGs are not parsed or
//! verified: full RingCT verification is out of scope for stage 1.

use crate::hash::{cn_fast_hash, Hash};
use crate::wire::Reader;
use crate::ParseError;

/// oxen-core `txtype`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TxType {
    Standard,
    StateChange,
    KeyImageUnlock,
    Stake,
    OxenNameSystem,
    EthereumNewServiceNode,
    EthereumServiceNodeExitRequest,
    EthereumServiceNodeExit,
    EthereumStakingRequirementUpdated,
    EthereumPurgeMissingServiceNode,
}

impl TxType {
    fn from_u64(v: u64, offset: usize) -> Result<Self, ParseError> {
        Ok(match v {
            0 => TxType::Standard,
            1 => TxType::StateChange,
            2 => TxType::KeyImageUnlock,
            3 => TxType::Stake,
            4 => TxType::OxenNameSystem,
            5 => TxType::EthereumNewServiceNode,
            6 => TxType::EthereumServiceNodeExitRequest,
            7 => TxType::EthereumServiceNodeExit,
            8 => TxType::EthereumStakingRequirementUpdated,
            9 => TxType::EthereumPurgeMissingServiceNode,
            _ => {
                return Err(ParseError::BadValue {
                    field: "tx type",
                    offset,
                })
            }
        })
    }

    /// Standard, stake and ONS transactions carry ordinary RingCT signatures.
    pub fn is_transfer(self) -> bool {
        matches!(
            self,
            TxType::Standard | TxType::Stake | TxType::OxenNameSystem
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TxIn {
    /// Coinbase input carrying the block height.
    Gen {
        height: u64,
    },
    ToKey {
        amount: u64,
        key_offsets: Vec<u64>,
        key_image: [u8; 32],
    },
    ToScript,
    ToScriptHash,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TxOut {
    pub amount: u64,
    /// The one-time output key (`txout_to_key`); `None` for the never-used script outputs.
    pub key: Option<[u8; 32]>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TxPrefix {
    pub version: u64,
    pub tx_type: TxType,
    pub unlock_time: u64,
    pub output_unlock_times: Vec<u64>,
    pub vin: Vec<TxIn>,
    pub vout: Vec<TxOut>,
    pub extra: Vec<u8>,
}

impl TxPrefix {
    pub fn is_miner_tx(&self) -> bool {
        self.vin.len() == 1 && matches!(self.vin[0], TxIn::Gen { .. })
    }
}

/// A parsed transaction: its prefix, the byte ranges oxend hashes separately, and its id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transaction {
    pub prefix: TxPrefix,
    pub rct_type: u8,
    /// Bytes of the serialised prefix.
    pub prefix_size: usize,
    /// Bytes of prefix + RingCT base (the unprunable part).
    pub unprunable_size: usize,
    /// Total serialised size (the blob may continue after a miner tx inside a block).
    pub size: usize,
    pub hash: Hash,
}

fn parse_prefix(r: &mut Reader<'_>) -> Result<TxPrefix, ParseError> {
    let off = r.pos();
    let version = r.varint("tx version")?;
    if !(1..=4).contains(&version) {
        return Err(ParseError::BadValue {
            field: "tx version",
            offset: off,
        });
    }
    let mut tx_type = TxType::Standard;
    let mut output_unlock_times = Vec::new();
    if version >= 3 {
        let n = r.count("output_unlock_times", 1)?;
        for _ in 0..n {
            output_unlock_times.push(r.varint("output_unlock_time")?);
        }
        if version == 3 {
            let off = r.pos();
            tx_type = match r.u8("is_state_change")? {
                0 => TxType::Standard,
                1 => TxType::StateChange,
                _ => {
                    return Err(ParseError::BadValue {
                        field: "is_state_change",
                        offset: off,
                    })
                }
            };
        }
    }
    let unlock_time = r.varint("unlock_time")?;
    let n_in = r.count("vin", 2)?;
    let mut vin = Vec::with_capacity(n_in);
    for _ in 0..n_in {
        let off = r.pos();
        vin.push(match r.u8("txin tag")? {
            0xff => TxIn::Gen {
                height: r.varint("txin_gen height")?,
            },
            0x02 => {
                let amount = r.varint("txin_to_key amount")?;
                let k = r.count("key_offsets", 1)?;
                let mut key_offsets = Vec::with_capacity(k);
                for _ in 0..k {
                    key_offsets.push(r.varint("key_offset")?);
                }
                TxIn::ToKey {
                    amount,
                    key_offsets,
                    key_image: r.array("k_image")?,
                }
            }
            0x00 => {
                r.bytes(32, "txin_to_script prev")?;
                r.varint("txin_to_script prevout")?;
                let s = r.count("sigset", 1)?;
                r.bytes(s, "sigset")?;
                TxIn::ToScript
            }
            0x01 => {
                r.bytes(32, "txin_to_scripthash prev")?;
                r.varint("txin_to_scripthash prevout")?;
                skip_txout_to_script(r)?;
                let s = r.count("sigset", 1)?;
                r.bytes(s, "sigset")?;
                TxIn::ToScriptHash
            }
            _ => {
                return Err(ParseError::BadValue {
                    field: "txin tag",
                    offset: off,
                })
            }
        });
    }
    let n_out = r.count("vout", 2)?;
    let mut vout = Vec::with_capacity(n_out);
    for _ in 0..n_out {
        let amount = r.varint("tx_out amount")?;
        let off = r.pos();
        let key = match r.u8("txout tag")? {
            0x02 => Some(r.array("txout_to_key key")?),
            0x01 => {
                r.bytes(32, "txout_to_scripthash hash")?;
                None
            }
            0x00 => {
                skip_txout_to_script(r)?;
                None
            }
            _ => {
                return Err(ParseError::BadValue {
                    field: "txout tag",
                    offset: off,
                })
            }
        };
        vout.push(TxOut { amount, key });
    }
    if version >= 3 && vout.len() != output_unlock_times.len() {
        return Err(ParseError::BadValue {
            field: "output_unlock_times count",
            offset: off,
        });
    }
    let e = r.count("extra", 1)?;
    let extra = r.bytes(e, "extra")?.to_vec();
    if version >= 4 {
        let off = r.pos();
        tx_type = TxType::from_u64(r.varint("tx type")?, off)?;
    }
    Ok(TxPrefix {
        version,
        tx_type,
        unlock_time,
        output_unlock_times,
        vin,
        vout,
        extra,
    })
}

fn skip_txout_to_script(r: &mut Reader<'_>) -> Result<(), ParseError> {
    let k = r.count("txout_to_script keys", 32)?;
    r.bytes(k * 32, "txout_to_script keys")?;
    let s = r.count("txout_to_script script", 1)?;
    r.bytes(s, "txout_to_script script")?;
    Ok(())
}

/// Parses one transaction starting at the reader's position. With `require_no_prunable`, a
/// RingCT type other than Null is an error (miner txs never carry proofs); otherwise the
/// prunable part is taken to be the rest of the blob (a standalone tx blob).
pub(crate) fn parse_tx(r: &mut Reader<'_>, in_block: bool) -> Result<Transaction, ParseError> {
    let start = r.pos();
    let whole = r.clone();
    let prefix = parse_prefix(r)?;
    let prefix_end = r.pos();
    let mut rct_type = 0u8;
    if prefix.version == 1 {
        // v1: one signature set per input; txin_gen has none, the rest are not parsed here.
        if prefix.vin.iter().any(|i| !matches!(i, TxIn::Gen { .. })) {
            if in_block {
                return Err(ParseError::Unsupported(
                    "v1 non-coinbase transaction inside a block",
                ));
            }
            let rest = r.remaining();
            r.bytes(rest, "v1 signatures")?;
        }
    } else if !prefix.vin.is_empty() {
        let off = r.pos();
        let t = r.varint("rct type")?;
        if t > 5 {
            return Err(ParseError::BadValue {
                field: "rct type",
                offset: off,
            });
        }
        rct_type = t as u8;
        if rct_type != 0 {
            let (ni, no) = (prefix.vin.len(), prefix.vout.len());
            r.varint("txnFee")?;
            if rct_type == 2 {
                r.bytes(32 * ni, "pseudoOuts")?;
            }
            let ecdh = if rct_type >= 4 { 8 } else { 64 };
            r.bytes(ecdh * no, "ecdhInfo")?;
            r.bytes(32 * no, "outPk")?;
        }
    }
    let unprunable_end = r.pos();
    if rct_type != 0 {
        if in_block {
            return Err(ParseError::Unsupported(
                "miner transaction with RingCT proofs",
            ));
        }
        let rest = r.remaining();
        r.bytes(rest, "rct prunable")?;
    }
    let end = r.pos();
    let mut all = whole;
    let blob = all.bytes(end - start, "tx")?;
    let p = prefix_end - start;
    let u = unprunable_end - start;
    let hash = if prefix.version == 1 {
        cn_fast_hash(blob)
    } else {
        let mut three = [0u8; 96];
        three[..32].copy_from_slice(&cn_fast_hash(&blob[..p]));
        // oxend hashes the blob's RingCT base for transfers; for other tx types it
        // re-serialises the base, which for a tx without inputs (not in the blob at all)
        // is the single byte of RingCT type Null.
        let base: &[u8] = if !prefix.tx_type.is_transfer() && prefix.vin.is_empty() {
            &[0]
        } else {
            &blob[p..u]
        };
        three[32..64].copy_from_slice(&cn_fast_hash(base));
        if rct_type != 0 {
            three[64..].copy_from_slice(&cn_fast_hash(&blob[u..]));
        }
        cn_fast_hash(&three)
    };
    Ok(Transaction {
        prefix,
        rct_type,
        prefix_size: p,
        unprunable_size: u,
        size: end - start,
        hash,
    })
}

impl Transaction {
    /// Parses a standalone transaction blob (as sent in `block_complete_entry.txs`).
    pub fn parse(blob: &[u8]) -> Result<Self, ParseError> {
        let mut r = Reader::new(blob);
        let tx = parse_tx(&mut r, false)?;
        r.finish("transaction")?;
        Ok(tx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A v4 Ethereum state-change style tx: no inputs, no outputs, some extra, type 5.
    #[test]
    fn input_less_non_transfer_tx_hashes_a_null_rct_base() {
        let blob = [4u8, 0, 0, 0, 0, 3, 0xaa, 0xbb, 0xcc, 5];
        let tx = Transaction::parse(&blob).unwrap();
        assert_eq!(tx.prefix.tx_type, TxType::EthereumNewServiceNode);
        assert_eq!((tx.prefix_size, tx.unprunable_size), (10, 10));
        let mut three = [0u8; 96];
        three[..32].copy_from_slice(&cn_fast_hash(&blob));
        three[32..64].copy_from_slice(&cn_fast_hash(&[0]));
        assert_eq!(tx.hash, cn_fast_hash(&three));
    }

    #[test]
    fn v3_state_change_flag_and_unlock_times_are_parsed() {
        // v3, one unlock time (7), is_state_change = 1, unlock 0, one gen input (height 9),
        // one output of 5 to key [1; 32], empty extra, RingCT type Null.
        let mut blob = vec![3u8, 1, 7, 1, 0, 1, 0xff, 9, 1, 5, 2];
        blob.extend_from_slice(&[1; 32]);
        blob.extend_from_slice(&[0, 0]);
        let tx = Transaction::parse(&blob).unwrap();
        assert_eq!(tx.prefix.tx_type, TxType::StateChange);
        assert_eq!(tx.prefix.output_unlock_times, vec![7]);
        assert_eq!(
            tx.prefix.vout,
            vec![TxOut {
                amount: 5,
                key: Some([1; 32])
            }]
        );
        assert!(tx.prefix.is_miner_tx());
        // A missing unlock time for the output is refused, as oxend does.
        let mut bad = blob.clone();
        bad[1] = 0;
        bad.remove(2);
        assert!(Transaction::parse(&bad).is_err());
    }
}
