//! The p2p and cryptonote-protocol messages (oxen-core `p2p/p2p_protocol_defs.*`,
//! `cryptonote_protocol/cryptonote_protocol_defs.*`) as epee sections, with oxend's field names.

use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};

use crate::epee::{hashes_blob, Section, Value, TYPE_OBJECT, TYPE_STRING};
use crate::WireError;

pub const COMMAND_HANDSHAKE: u32 = 1001;
pub const COMMAND_TIMED_SYNC: u32 = 1002;
pub const COMMAND_PING: u32 = 1003;
pub const COMMAND_REQUEST_SUPPORT_FLAGS: u32 = 1007;
pub const NOTIFY_NEW_TRANSACTIONS: u32 = 2002;
pub const NOTIFY_REQUEST_GET_BLOCKS: u32 = 2003;
pub const NOTIFY_RESPONSE_GET_BLOCKS: u32 = 2004;
pub const NOTIFY_REQUEST_CHAIN: u32 = 2006;
pub const NOTIFY_RESPONSE_CHAIN_ENTRY: u32 = 2007;
pub const NOTIFY_NEW_FLUFFY_BLOCK: u32 = 2008;
pub const NOTIFY_REQUEST_FLUFFY_MISSING_TX: u32 = 2009;
/// `P2P_SUPPORT_FLAG_FLUFFY_BLOCKS`.
pub const SUPPORT_FLAG_FLUFFY_BLOCKS: u32 = 1;
/// oxen-core `CURRENCY_PROTOCOL_MAX_OBJECT_REQUEST_COUNT`.
pub const MAX_OBJECT_REQUEST_COUNT: usize = 500;

/// `CORE_SYNC_DATA`: what a node says about its chain.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CoreSyncData {
    /// Number of blocks (top height + 1).
    pub current_height: u64,
    pub cumulative_difficulty: u64,
    pub top_id: [u8; 32],
    /// Major version of the top block (oxend drops peers whose value is not the hard fork it
    /// expects at `current_height - 1`).
    pub top_version: u8,
    pub pruning_seed: u32,
}

impl CoreSyncData {
    pub fn to_section(&self) -> Section {
        Section::new()
            .with("current_height", Value::U64(self.current_height))
            .with(
                "cumulative_difficulty",
                Value::U64(self.cumulative_difficulty),
            )
            .with("top_id", Value::Str(self.top_id.to_vec()))
            .with("top_version", Value::U8(self.top_version))
            .with("pruning_seed", Value::U32(self.pruning_seed))
    }

    pub fn from_section(s: &Section) -> Result<Self, WireError> {
        let top = s.bytes("top_id")?;
        Ok(CoreSyncData {
            current_height: s.u64("current_height")?,
            cumulative_difficulty: s.u64_or("cumulative_difficulty", 0)?,
            top_id: top.try_into().map_err(|_| WireError::Field("top_id"))?,
            top_version: u8::try_from(s.u64("top_version")?)
                .map_err(|_| WireError::Field("top_version"))?,
            pruning_seed: s.u64_or("pruning_seed", 0)? as u32,
        })
    }
}

/// `basic_node_data`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeData {
    pub network_id: [u8; 16],
    pub peer_id: u64,
    /// The port we accept connections on (0: do not announce us).
    pub my_port: u32,
}

impl NodeData {
    pub fn to_section(&self) -> Section {
        Section::new()
            .with("network_id", Value::Str(self.network_id.to_vec()))
            .with("peer_id", Value::U64(self.peer_id))
            .with("my_port", Value::U32(self.my_port))
            .with("rpc_port", Value::U16(0))
    }

    pub fn from_section(s: &Section) -> Result<Self, WireError> {
        Ok(NodeData {
            network_id: s
                .bytes("network_id")?
                .try_into()
                .map_err(|_| WireError::Field("network_id"))?,
            peer_id: s.u64("peer_id")?,
            my_port: s.u64_or("my_port", 0)? as u32,
        })
    }
}

/// `peerlist_entry` (IPv4 addresses only; other address types are skipped).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerEntry {
    pub addr: SocketAddr,
    pub id: u64,
    pub last_seen: i64,
    pub pruning_seed: u32,
}

impl PeerEntry {
    pub fn to_section(&self) -> Option<Section> {
        let SocketAddr::V4(a) = self.addr else {
            return None;
        };
        let adr = Section::new().with("type", Value::U8(1)).with(
            "addr",
            Value::Object(
                Section::new()
                    .with("m_ip", Value::U32(u32::from_le_bytes(a.ip().octets())))
                    .with("m_port", Value::U16(a.port())),
            ),
        );
        Some(
            Section::new()
                .with("adr", Value::Object(adr))
                .with("id", Value::U64(self.id))
                .with("last_seen", Value::I64(self.last_seen))
                .with("pruning_seed", Value::U32(self.pruning_seed))
                .with("rpc_port", Value::U16(0)),
        )
    }

    /// `None` for address types other than IPv4.
    pub fn from_section(s: &Section) -> Result<Option<Self>, WireError> {
        let adr = s.object("adr")?;
        if adr.u64("type")? != 1 {
            return Ok(None);
        }
        let a = adr.object("addr")?;
        let ip = Ipv4Addr::from((a.u64("m_ip")? as u32).to_le_bytes());
        let port = u16::try_from(a.u64("m_port")?).map_err(|_| WireError::Field("m_port"))?;
        Ok(Some(PeerEntry {
            addr: SocketAddr::V4(SocketAddrV4::new(ip, port)),
            id: s.u64("id")?,
            last_seen: match s.get("last_seen") {
                Some(Value::I64(v)) => *v,
                Some(v) => v.as_u64().unwrap_or(0) as i64,
                None => 0,
            },
            pruning_seed: s.u64_or("pruning_seed", 0)? as u32,
        }))
    }
}

pub fn peerlist_value(peers: &[PeerEntry]) -> Value {
    Value::Array(
        TYPE_OBJECT,
        peers
            .iter()
            .filter_map(|p| p.to_section().map(Value::Object))
            .collect(),
    )
}

pub fn peerlist_from(s: &Section, name: &'static str) -> Result<Vec<PeerEntry>, WireError> {
    let mut out = Vec::new();
    for v in s.array(name)? {
        let Value::Object(o) = v else {
            return Err(WireError::Field(name));
        };
        if let Some(p) = PeerEntry::from_section(o)? {
            out.push(p);
        }
    }
    Ok(out)
}

pub fn handshake_request(node: &NodeData, sync: &CoreSyncData) -> Section {
    Section::new()
        .with("node_data", Value::Object(node.to_section()))
        .with("payload_data", Value::Object(sync.to_section()))
}

pub fn handshake_response(node: &NodeData, sync: &CoreSyncData, peers: &[PeerEntry]) -> Section {
    handshake_request(node, sync).with("local_peerlist_new", peerlist_value(peers))
}

pub fn timed_sync_request(sync: &CoreSyncData) -> Section {
    Section::new().with("payload_data", Value::Object(sync.to_section()))
}

pub fn timed_sync_response(sync: &CoreSyncData, peers: &[PeerEntry]) -> Section {
    timed_sync_request(sync).with("local_peerlist_new", peerlist_value(peers))
}

pub fn ping_response(peer_id: u64) -> Section {
    Section::new()
        .with("status", Value::Str(b"OK".to_vec()))
        .with("peer_id", Value::U64(peer_id))
}

pub fn support_flags_response() -> Section {
    Section::new().with("support_flags", Value::U32(SUPPORT_FLAG_FLUFFY_BLOCKS))
}

/// `NOTIFY_REQUEST_CHAIN`: our sparse chain (recent ids first, ending in genesis).
pub fn request_chain(block_ids: &[[u8; 32]]) -> Section {
    Section::new().with("block_ids", hashes_blob(block_ids))
}

/// `NOTIFY_RESPONSE_CHAIN_ENTRY`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainEntry {
    pub start_height: u64,
    pub total_height: u64,
    pub cumulative_difficulty: u64,
    pub block_ids: Vec<[u8; 32]>,
}

impl ChainEntry {
    pub fn from_section(s: &Section) -> Result<Self, WireError> {
        Ok(ChainEntry {
            start_height: s.u64("start_height")?,
            total_height: s.u64("total_height")?,
            cumulative_difficulty: s.u64_or("cumulative_difficulty", 0)?,
            block_ids: s.hashes("m_block_ids")?,
        })
    }

    pub fn to_section(&self) -> Section {
        Section::new()
            .with("start_height", Value::U64(self.start_height))
            .with("total_height", Value::U64(self.total_height))
            .with(
                "cumulative_difficulty",
                Value::U64(self.cumulative_difficulty),
            )
            .with("m_block_ids", hashes_blob(&self.block_ids))
    }
}

/// `NOTIFY_REQUEST_GET_BLOCKS`.
pub fn request_get_blocks(ids: &[[u8; 32]]) -> Section {
    Section::new().with("blocks", hashes_blob(ids))
}

/// `block_complete_entry`: a block blob and its tx blobs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockEntry {
    pub block: Vec<u8>,
    pub txs: Vec<Vec<u8>>,
    pub checkpoint: Vec<u8>,
}

impl BlockEntry {
    pub fn from_section(s: &Section) -> Result<Self, WireError> {
        let mut txs = Vec::new();
        for t in s.array("txs")? {
            let Value::Str(b) = t else {
                return Err(WireError::Field("txs"));
            };
            txs.push(b.clone());
        }
        Ok(BlockEntry {
            block: s.bytes("block")?.to_vec(),
            txs,
            checkpoint: s
                .get("checkpoint")
                .map(|_| s.bytes("checkpoint").map(<[u8]>::to_vec))
                .transpose()?
                .unwrap_or_default(),
        })
    }

    pub fn to_section(&self) -> Section {
        Section::new()
            .with("block", Value::Str(self.block.clone()))
            .with(
                "txs",
                Value::Array(
                    TYPE_STRING,
                    self.txs.iter().cloned().map(Value::Str).collect(),
                ),
            )
            .with("checkpoint", Value::Str(self.checkpoint.clone()))
    }
}

/// `NOTIFY_RESPONSE_GET_BLOCKS`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlocksResponse {
    pub blocks: Vec<BlockEntry>,
    pub missed_ids: Vec<[u8; 32]>,
    pub current_blockchain_height: u64,
}

impl BlocksResponse {
    pub fn from_section(s: &Section) -> Result<Self, WireError> {
        let mut blocks = Vec::new();
        for b in s.array("blocks")? {
            let Value::Object(o) = b else {
                return Err(WireError::Field("blocks"));
            };
            blocks.push(BlockEntry::from_section(o)?);
        }
        Ok(BlocksResponse {
            blocks,
            missed_ids: s.hashes("missed_ids")?,
            current_blockchain_height: s.u64_or("current_blockchain_height", 0)?,
        })
    }

    pub fn to_section(&self) -> Section {
        Section::new()
            .with(
                "blocks",
                Value::Array(
                    TYPE_OBJECT,
                    self.blocks
                        .iter()
                        .map(|b| Value::Object(b.to_section()))
                        .collect(),
                ),
            )
            .with("missed_ids", hashes_blob(&self.missed_ids))
            .with(
                "current_blockchain_height",
                Value::U64(self.current_blockchain_height),
            )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::epee::{from_bytes, to_bytes};

    #[test]
    fn handshake_round_trips_through_epee() {
        let node = NodeData {
            network_id: [7; 16],
            peer_id: 0x1122_3344_5566_7788,
            my_port: 11022,
        };
        let sync = CoreSyncData {
            current_height: 201,
            cumulative_difficulty: 201,
            top_id: [9; 32],
            top_version: 19,
            pruning_seed: 0,
        };
        let peers = vec![PeerEntry {
            addr: "127.0.0.1:4000".parse().unwrap(),
            id: 5,
            last_seen: 17,
            pruning_seed: 0,
        }];
        let s = from_bytes(&to_bytes(&handshake_response(&node, &sync, &peers)).unwrap()).unwrap();
        assert_eq!(
            NodeData::from_section(s.object("node_data").unwrap()).unwrap(),
            node
        );
        assert_eq!(
            CoreSyncData::from_section(s.object("payload_data").unwrap()).unwrap(),
            sync
        );
        assert_eq!(peerlist_from(&s, "local_peerlist_new").unwrap(), peers);
    }

    #[test]
    fn blocks_and_chain_entries_round_trip() {
        let r = BlocksResponse {
            blocks: vec![BlockEntry {
                block: vec![1, 2],
                txs: vec![vec![3], vec![4, 5]],
                checkpoint: vec![],
            }],
            missed_ids: vec![[1; 32]],
            current_blockchain_height: 9,
        };
        assert_eq!(
            BlocksResponse::from_section(&from_bytes(&to_bytes(&r.to_section()).unwrap()).unwrap())
                .unwrap(),
            r
        );
        let c = ChainEntry {
            start_height: 3,
            total_height: 10,
            cumulative_difficulty: 10,
            block_ids: vec![[2; 32], [3; 32]],
        };
        assert_eq!(
            ChainEntry::from_section(&from_bytes(&to_bytes(&c.to_section()).unwrap()).unwrap())
                .unwrap(),
            c
        );
    }
}
