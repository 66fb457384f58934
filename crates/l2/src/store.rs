//! Persistent tracker state in SQLite (WAL mode, `synchronous=FULL`):
//! `<dir>/l2-state.sqlite`.
//!
//! Crash safety: each batch of logs is committed in **one transaction** that
//! holds the new synced height, the batch's events and the nodes they
//! changed. A process killed at any point leaves either the whole batch or
//! none of it, so a restart refetches exactly what is missing. Events are
//! keyed by (block, transaction index, log index), so a log seen twice is
//! stored and applied once.

use std::path::{Path, PathBuf};

use alloy_primitives::{Address, B256, U256};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

use crate::error::L2Error;
use crate::registry::NodeRecord;
use snode_eth::abi::ContractEvent;

/// File name of the database inside the state directory.
pub const DB_FILE: &str = "l2-state.sqlite";
const SCHEMA_VERSION: &str = "1";

/// A decoded event and where it was logged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventRecord {
    /// L2 block number.
    pub block: u64,
    /// Transaction index in the block.
    pub tx_index: u64,
    /// Log index in the block.
    pub log_index: u64,
    /// Transaction hash.
    pub tx_hash: B256,
    /// The event.
    pub event: ContractEvent,
}

impl EventRecord {
    /// The dedupe key (block, tx index, log index).
    pub fn key(&self) -> (u64, u64, u64) {
        (self.block, self.tx_index, self.log_index)
    }
}

/// Everything one transaction writes.
#[derive(Debug, Default)]
pub(crate) struct Batch<'a> {
    pub(crate) synced_height: Option<u64>,
    pub(crate) events: &'a [EventRecord],
    pub(crate) nodes: Vec<&'a NodeRecord>,
    /// The staking requirement and the block it is valid at.
    pub(crate) staking_requirement: Option<(U256, u64)>,
    pub(crate) last_purge_height: Option<u64>,
    /// Delete events at or below this block (outside the history window).
    pub(crate) prune_at_or_below: Option<u64>,
}

/// The state database.
pub(crate) struct Store {
    conn: Connection,
    path: PathBuf,
}

fn int(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

impl Store {
    /// Opens (creating) the database in `dir`. When it was written for
    /// another chain or contract its contents are dropped (returns `true`).
    pub(crate) fn open(
        dir: &Path,
        chain_id: u64,
        contract: Address,
    ) -> Result<(Self, bool), L2Error> {
        std::fs::create_dir_all(dir).map_err(|source| L2Error::StateDir {
            path: dir.to_path_buf(),
            source,
        })?;
        let path = dir.join(DB_FILE);
        let conn = Connection::open(&path).map_err(|source| L2Error::Store {
            path: path.clone(),
            source,
        })?;
        let store = Self { conn, path };
        let reset = store.init(chain_id, contract).map_err(|e| store.err(e))?;
        Ok((store, reset))
    }

    fn err(&self, source: rusqlite::Error) -> L2Error {
        L2Error::Store {
            path: self.path.clone(),
            source,
        }
    }

    fn corrupt(&self, detail: impl Into<String>) -> L2Error {
        L2Error::Corrupt {
            path: self.path.clone(),
            detail: detail.into(),
        }
    }

    fn init(&self, chain_id: u64, contract: Address) -> rusqlite::Result<bool> {
        self.conn.busy_timeout(std::time::Duration::from_secs(5))?;
        let _mode: String = self
            .conn
            .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
        self.conn.execute_batch(
            "PRAGMA synchronous=FULL;
             CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
             CREATE TABLE IF NOT EXISTS events (
                 block INTEGER NOT NULL, tx_index INTEGER NOT NULL, log_index INTEGER NOT NULL,
                 tx_hash TEXT NOT NULL, name TEXT NOT NULL, body TEXT NOT NULL,
                 PRIMARY KEY (block, tx_index, log_index)) WITHOUT ROWID;
             CREATE TABLE IF NOT EXISTS nodes (
                 id INTEGER PRIMARY KEY, bls TEXT NOT NULL, ed25519 TEXT,
                 state TEXT NOT NULL, body TEXT NOT NULL);",
        )?;
        let identity = format!("{chain_id}:{contract}");
        let tx = self.conn.unchecked_transaction()?;
        let stored: Option<String> = tx
            .query_row("SELECT value FROM meta WHERE key='identity'", [], |r| {
                r.get(0)
            })
            .optional()?;
        let reset = stored.as_ref().is_some_and(|s| *s != identity);
        if reset {
            tracing::warn!(
                "L2 state in {} was for chain:contract {}, now {identity}; starting over",
                self.path.display(),
                stored.unwrap_or_default()
            );
            tx.execute_batch("DELETE FROM meta; DELETE FROM events; DELETE FROM nodes;")?;
        }
        tx.execute(
            "INSERT OR REPLACE INTO meta(key, value) VALUES ('identity', ?1), ('schema', ?2)",
            params![identity, SCHEMA_VERSION],
        )?;
        tx.commit()?;
        Ok(reset)
    }

    fn meta(&self, key: &str) -> Result<Option<String>, L2Error> {
        self.conn
            .query_row("SELECT value FROM meta WHERE key=?1", [key], |r| r.get(0))
            .optional()
            .map_err(|e| self.err(e))
    }

    fn meta_u64(&self, key: &str) -> Result<Option<u64>, L2Error> {
        match self.meta(key)? {
            None => Ok(None),
            Some(s) => s
                .parse()
                .map(Some)
                .map_err(|_| self.corrupt(format!("meta {key} = {s:?} is not a number"))),
        }
    }

    /// Highest block whose logs are all stored.
    pub(crate) fn synced_height(&self) -> Result<Option<u64>, L2Error> {
        self.meta_u64("synced_height")
    }

    /// Purge height of the last `allServiceNodeIDs()` applied.
    pub(crate) fn last_purge_height(&self) -> Result<Option<u64>, L2Error> {
        self.meta_u64("last_purge_height")
    }

    /// Staking requirement from `stakingRequirement()` or the last
    /// `StakingRequirementUpdated`, with the block it is valid at (0 when an
    /// older state did not record it).
    pub(crate) fn staking_requirement(&self) -> Result<Option<(U256, u64)>, L2Error> {
        let Some(s) = self.meta("staking_requirement")? else {
            return Ok(None);
        };
        let value = s
            .parse()
            .map_err(|_| self.corrupt(format!("staking_requirement {s:?} is not a number")))?;
        let block = self.meta_u64("staking_requirement_block")?.unwrap_or(0);
        Ok(Some((value, block)))
    }

    /// Every node record.
    pub(crate) fn load_nodes(&self) -> Result<Vec<NodeRecord>, L2Error> {
        let mut stmt = self
            .conn
            .prepare("SELECT body FROM nodes ORDER BY id")
            .map_err(|e| self.err(e))?;
        let bodies = stmt
            .query_map([], |r| r.get::<_, String>(0))
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .map_err(|e| self.err(e))?;
        bodies
            .iter()
            .map(|b| serde_json::from_str(b).map_err(|e| self.corrupt(format!("node record: {e}"))))
            .collect()
    }

    /// Whether this log is stored already.
    pub(crate) fn has_event(&self, key: (u64, u64, u64)) -> Result<bool, L2Error> {
        self.conn
            .query_row(
                "SELECT 1 FROM events WHERE block=?1 AND tx_index=?2 AND log_index=?3",
                params![int(key.0), int(key.1), int(key.2)],
                |_| Ok(()),
            )
            .optional()
            .map(|o| o.is_some())
            .map_err(|e| self.err(e))
    }

    /// Newest events first.
    pub(crate) fn recent_events(&self, limit: usize) -> Result<Vec<EventRecord>, L2Error> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT body FROM events ORDER BY block DESC, tx_index DESC, log_index DESC LIMIT ?1",
            )
            .map_err(|e| self.err(e))?;
        let bodies = stmt
            .query_map([int(limit as u64)], |r| r.get::<_, String>(0))
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .map_err(|e| self.err(e))?;
        bodies
            .iter()
            .map(|b| {
                serde_json::from_str(b).map_err(|e| self.corrupt(format!("event record: {e}")))
            })
            .collect()
    }

    /// Number of stored events.
    pub(crate) fn event_count(&self) -> Result<u64, L2Error> {
        self.conn
            .query_row("SELECT COUNT(*) FROM events", [], |r| r.get::<_, i64>(0))
            .map(|n| n as u64)
            .map_err(|e| self.err(e))
    }

    /// Writes a batch in one transaction.
    pub(crate) fn commit(&mut self, b: &Batch<'_>) -> Result<(), L2Error> {
        self.commit_inner(b).map_err(|e| self.err(e))
    }

    fn commit_inner(&mut self, b: &Batch<'_>) -> rusqlite::Result<()> {
        let tx = self.conn.transaction()?;
        {
            let mut ins = tx.prepare_cached(
                "INSERT OR IGNORE INTO events(block, tx_index, log_index, tx_hash, name, body)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            for e in b.events {
                let body = serde_json::to_string(e).expect("event records serialise");
                ins.execute(params![
                    int(e.block),
                    int(e.tx_index),
                    int(e.log_index),
                    e.tx_hash.to_string(),
                    e.event.name(),
                    body
                ])?;
            }
            let mut node = tx.prepare_cached(
                "INSERT OR REPLACE INTO nodes(id, bls, ed25519, state, body) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            for n in &b.nodes {
                let body = serde_json::to_string(n).expect("node records serialise");
                node.execute(params![
                    int(n.service_node_id),
                    n.bls_pubkey.to_string(),
                    n.ed25519_pubkey.map(|k| k.to_string()),
                    n.state.describe(),
                    body
                ])?;
            }
            let mut meta =
                tx.prepare_cached("INSERT OR REPLACE INTO meta(key, value) VALUES (?1, ?2)")?;
            if let Some(h) = b.synced_height {
                meta.execute(params!["synced_height", h.to_string()])?;
            }
            if let Some((r, block)) = b.staking_requirement {
                meta.execute(params!["staking_requirement", r.to_string()])?;
                meta.execute(params!["staking_requirement_block", block.to_string()])?;
            }
            if let Some(h) = b.last_purge_height {
                meta.execute(params!["last_purge_height", h.to_string()])?;
            }
            if let Some(cut) = b.prune_at_or_below {
                tx.execute("DELETE FROM events WHERE block <= ?1", [int(cut)])?;
            }
        }
        tx.commit()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::NodeContractState;
    use alloy_primitives::FixedBytes;

    fn ev(block: u64, log: u64) -> EventRecord {
        EventRecord {
            block,
            tx_index: 0,
            log_index: log,
            tx_hash: B256::repeat_byte(1),
            event: ContractEvent::StakingRequirementUpdated {
                new_requirement: U256::from(block),
            },
        }
    }

    #[test]
    fn batches_dedupe_and_survive_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let c = Address::repeat_byte(7);
        let node = NodeRecord {
            service_node_id: 3,
            bls_pubkey: FixedBytes([3; 64]),
            ed25519_pubkey: None,
            state: NodeContractState::Registered,
            liquidated: false,
            operator: None,
            registered_block: 1,
            updated_block: 1,
            registered_before: false,
            added_timestamp: None,
            leave_request_timestamp: None,
            deposit: None,
        };
        {
            let (mut s, reset) = Store::open(dir.path(), 1, c).unwrap();
            assert!(!reset);
            assert_eq!(s.synced_height().unwrap(), None);
            let events = [ev(1, 0), ev(2, 0), ev(2, 0)];
            s.commit(&Batch {
                synced_height: Some(10),
                events: &events,
                nodes: vec![&node],
                staking_requirement: Some((U256::from(5), 9)),
                ..Default::default()
            })
            .unwrap();
            assert!(s.has_event((2, 0, 0)).unwrap());
            assert!(!s.has_event((2, 0, 1)).unwrap());
        }
        let (mut s, reset) = Store::open(dir.path(), 1, c).unwrap();
        assert!(!reset);
        assert_eq!(s.synced_height().unwrap(), Some(10));
        assert_eq!(s.event_count().unwrap(), 2);
        assert_eq!(s.load_nodes().unwrap(), vec![node]);
        assert_eq!(s.staking_requirement().unwrap(), Some((U256::from(5), 9)));
        assert_eq!(s.recent_events(1).unwrap()[0].block, 2);
        s.commit(&Batch {
            prune_at_or_below: Some(1),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(s.event_count().unwrap(), 1);
        drop(s);
        // another contract: the state starts over
        let (s, reset) = Store::open(dir.path(), 1, Address::repeat_byte(8)).unwrap();
        assert!(reset);
        assert_eq!(s.synced_height().unwrap(), None);
        assert_eq!(s.event_count().unwrap(), 0);
    }
}
