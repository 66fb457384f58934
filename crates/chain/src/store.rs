//! The header chain on disk: SQLite in WAL mode, one row per block (id, prev id, timestamp,
//! version, blob) plus its tx blobs. Every batch of blocks is one SQLite transaction, so a
//! `kill -9` at any point leaves the last committed batch intact and nothing half-written;
//! a reorg (pop + append) is one transaction too.

use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OptionalExtension};

use crate::block::Block;
use crate::hash::Hash;
use crate::network::Network;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("chain database {path}: {source}")]
    Sqlite {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("chain database {path} belongs to {found}, not {expected}; use another --data-dir")]
    WrongNetwork {
        path: PathBuf,
        found: String,
        expected: &'static str,
    },
    #[error("chain database {path}: {what}")]
    Corrupt { path: PathBuf, what: String },
}

/// A block as it is committed: parsed header fields, the raw blob and the tx blobs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredBlock {
    pub height: u64,
    pub block: Block,
    pub blob: Vec<u8>,
    pub txs: Vec<Vec<u8>>,
}

/// A block blob and its tx blobs.
pub type BlockAndTxs = (Vec<u8>, Vec<Vec<u8>>);

#[derive(Debug)]
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl Store {
    /// Opens (creating if needed) the chain database at `path`; a new one starts with the
    /// network's genesis block.
    pub fn open(path: &Path, network: Network) -> Result<Self, StoreError> {
        let e = |source| StoreError::Sqlite {
            path: path.to_path_buf(),
            source,
        };
        let conn = Connection::open(path).map_err(e)?;
        conn.pragma_update(None, "journal_mode", "WAL").map_err(e)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(e)?;
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
             CREATE TABLE IF NOT EXISTS blocks(
                 height INTEGER PRIMARY KEY, id BLOB NOT NULL UNIQUE, prev BLOB NOT NULL,
                 timestamp INTEGER NOT NULL, major INTEGER NOT NULL, blob BLOB NOT NULL);
             CREATE TABLE IF NOT EXISTS txs(
                 height INTEGER NOT NULL, idx INTEGER NOT NULL, blob BLOB NOT NULL,
                 PRIMARY KEY(height, idx));",
        )
        .map_err(e)?;
        let mut s = Store {
            conn,
            path: path.to_path_buf(),
        };
        let found: Option<String> = s
            .conn
            .query_row("SELECT value FROM meta WHERE key='network'", [], |r| {
                r.get(0)
            })
            .optional()
            .map_err(e)?;
        match found {
            Some(n) if n != network.name() => {
                return Err(StoreError::WrongNetwork {
                    path: path.to_path_buf(),
                    found: n,
                    expected: network.name(),
                })
            }
            Some(_) => {}
            None => {
                let g = network.genesis().map_err(|x| StoreError::Corrupt {
                    path: path.to_path_buf(),
                    what: x.to_string(),
                })?;
                let tx = s.conn.transaction().map_err(e)?;
                tx.execute(
                    "INSERT INTO meta(key, value) VALUES('network', ?1)",
                    [network.name()],
                )
                .map_err(e)?;
                tx.execute(
                    "INSERT INTO meta(key, value) VALUES('cumulative_difficulty', '1')",
                    [],
                )
                .map_err(e)?;
                insert(
                    &tx,
                    &StoredBlock {
                        height: 0,
                        blob: network.genesis_blob(),
                        block: g,
                        txs: vec![],
                    },
                )
                .map_err(e)?;
                tx.commit().map_err(e)?;
            }
        }
        if s.height()? == 0 {
            return Err(StoreError::Corrupt {
                path: path.to_path_buf(),
                what: "no genesis block".into(),
            });
        }
        Ok(s)
    }

    fn err(&self, source: rusqlite::Error) -> StoreError {
        StoreError::Sqlite {
            path: self.path.clone(),
            source,
        }
    }

    /// Number of blocks stored (oxend's "height": top height + 1).
    pub fn height(&self) -> Result<u64, StoreError> {
        let n: i64 = self
            .conn
            .query_row("SELECT COUNT(*) FROM blocks", [], |r| r.get(0))
            .map_err(|e| self.err(e))?;
        Ok(n as u64)
    }

    /// (height, id, major version) of the top block.
    pub fn top(&self) -> Result<(u64, Hash, u8), StoreError> {
        self.conn
            .query_row(
                "SELECT height, id, major FROM blocks ORDER BY height DESC LIMIT 1",
                [],
                |r| {
                    Ok((
                        r.get::<_, i64>(0)? as u64,
                        to_hash(r.get::<_, Vec<u8>>(1)?),
                        r.get::<_, i64>(2)? as u8,
                    ))
                },
            )
            .map_err(|e| self.err(e))
    }

    pub fn id_at(&self, height: u64) -> Result<Option<Hash>, StoreError> {
        self.conn
            .query_row(
                "SELECT id FROM blocks WHERE height=?1",
                [height as i64],
                |r| r.get::<_, Vec<u8>>(0),
            )
            .optional()
            .map(|o| o.map(to_hash))
            .map_err(|e| self.err(e))
    }

    pub fn height_of(&self, id: &Hash) -> Result<Option<u64>, StoreError> {
        self.conn
            .query_row("SELECT height FROM blocks WHERE id=?1", [&id[..]], |r| {
                r.get::<_, i64>(0)
            })
            .optional()
            .map(|o| o.map(|h| h as u64))
            .map_err(|e| self.err(e))
    }

    /// Timestamps of the (up to) `n` blocks below `height`, oldest first.
    pub fn timestamps_below(&self, height: u64, n: u64) -> Result<Vec<u64>, StoreError> {
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT timestamp FROM blocks WHERE height < ?1 AND height >= ?2 ORDER BY height",
            )
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map([height as i64, height.saturating_sub(n) as i64], |r| {
                r.get::<_, i64>(0)
            })
            .map_err(|e| self.err(e))?;
        rows.map(|r| r.map(|t| t as u64))
            .collect::<Result<_, _>>()
            .map_err(|e| self.err(e))
    }

    /// The peer-claimed cumulative difficulty of our chain (see the crate docs).
    pub fn cumulative_difficulty(&self) -> Result<u64, StoreError> {
        let v: String = self
            .conn
            .query_row(
                "SELECT value FROM meta WHERE key='cumulative_difficulty'",
                [],
                |r| r.get(0),
            )
            .map_err(|e| self.err(e))?;
        v.parse().map_err(|_| StoreError::Corrupt {
            path: self.path.clone(),
            what: "bad cumulative_difficulty".into(),
        })
    }

    /// oxend's "short chain history" for NOTIFY_REQUEST_CHAIN: the top 11 ids, then ids at
    /// doubling distances, always ending with genesis.
    pub fn sparse_chain(&self) -> Result<Vec<Hash>, StoreError> {
        let sz = self.height()?;
        let mut out = Vec::new();
        let (mut back, mut mult, mut i) = (1u64, 1u64, 0);
        let mut genesis = false;
        while back <= sz {
            let h = sz - back;
            out.push(self.id_at(h)?.ok_or_else(|| StoreError::Corrupt {
                path: self.path.clone(),
                what: format!("missing block {h}"),
            })?);
            genesis |= h == 0;
            if i < 10 {
                back += 1;
            } else {
                mult *= 2;
                back += mult;
            }
            i += 1;
        }
        if !genesis {
            out.push(self.id_at(0)?.ok_or_else(|| StoreError::Corrupt {
                path: self.path.clone(),
                what: "missing genesis".into(),
            })?);
        }
        Ok(out)
    }

    /// Appends blocks on top, or, when the first block's height is at or below the top,
    /// replaces everything from that height (a reorg) — atomically either way.
    pub fn commit(
        &mut self,
        blocks: &[StoredBlock],
        cumulative_difficulty: Option<u64>,
    ) -> Result<(), StoreError> {
        let Some(first) = blocks.first() else {
            return Ok(());
        };
        let path = self.path.clone();
        let e = |source| StoreError::Sqlite {
            path: path.clone(),
            source,
        };
        let tx = self.conn.transaction().map_err(e)?;
        tx.execute(
            "DELETE FROM blocks WHERE height >= ?1",
            [first.height as i64],
        )
        .map_err(e)?;
        tx.execute("DELETE FROM txs WHERE height >= ?1", [first.height as i64])
            .map_err(e)?;
        for b in blocks {
            insert(&tx, b).map_err(e)?;
        }
        if let Some(cd) = cumulative_difficulty {
            tx.execute(
                "UPDATE meta SET value=?1 WHERE key='cumulative_difficulty'",
                [cd.to_string()],
            )
            .map_err(e)?;
        }
        tx.commit().map_err(e)
    }

    /// Ids of up to `n` blocks from `height` upwards.
    pub fn ids_from(&self, height: u64, n: u64) -> Result<Vec<Hash>, StoreError> {
        let mut st = self
            .conn
            .prepare_cached("SELECT id FROM blocks WHERE height >= ?1 ORDER BY height LIMIT ?2")
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map([height as i64, n as i64], |r| r.get::<_, Vec<u8>>(0))
            .map_err(|e| self.err(e))?;
        rows.map(|r| r.map(to_hash))
            .collect::<Result<_, _>>()
            .map_err(|e| self.err(e))
    }

    /// The block blob and its tx blobs (in block order) for a block id we hold.
    pub fn block_with_txs(&self, id: &Hash) -> Result<Option<BlockAndTxs>, StoreError> {
        let Some(h) = self.height_of(id)? else {
            return Ok(None);
        };
        let Some(blob) = self.block_blob(h)? else {
            return Ok(None);
        };
        let mut st = self
            .conn
            .prepare_cached("SELECT blob FROM txs WHERE height=?1 ORDER BY idx")
            .map_err(|e| self.err(e))?;
        let txs = st
            .query_map([h as i64], |r| r.get::<_, Vec<u8>>(0))
            .map_err(|e| self.err(e))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.err(e))?;
        Ok(Some((blob, txs)))
    }

    pub fn block_blob(&self, height: u64) -> Result<Option<Vec<u8>>, StoreError> {
        self.conn
            .query_row(
                "SELECT blob FROM blocks WHERE height=?1",
                [height as i64],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.err(e))
    }
}

fn to_hash(v: Vec<u8>) -> Hash {
    let mut h = [0u8; 32];
    if v.len() == 32 {
        h.copy_from_slice(&v);
    }
    h
}

fn insert(tx: &rusqlite::Transaction<'_>, b: &StoredBlock) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO blocks(height, id, prev, timestamp, major, blob) VALUES(?1,?2,?3,?4,?5,?6)",
    )?
    .execute(params![
        b.height as i64,
        &b.block.id[..],
        &b.block.header.prev_id[..],
        b.block.header.timestamp as i64,
        i64::from(b.block.header.major_version),
        &b.blob
    ])?;
    let mut st = tx.prepare_cached("INSERT INTO txs(height, idx, blob) VALUES(?1,?2,?3)")?;
    for (i, t) in b.txs.iter().enumerate() {
        st.execute(params![b.height as i64, i as i64, t])?;
    }
    Ok(())
}
