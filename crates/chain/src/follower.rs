//! The follower: keeps the header chain of the best peer in the [`Store`], over `snode-p2p`.
//!
//! Sync follows oxend's protocol: NOTIFY_REQUEST_CHAIN with our sparse chain, the peer's
//! NOTIFY_RESPONSE_CHAIN_ENTRY (first id = the last block we share), then NOTIFY_REQUEST_GET_BLOCKS
//! in batches of 100 ids. A fork below our top is taken only when the peer claims a higher
//! cumulative difficulty, and is swapped in with one database transaction once all of its
//! blocks are downloaded and checked.
//!
//! Daemon integration: build a [`FollowerConfig`], `Follower::new`, run [`Follower::run`] on a
//! worker thread with a shutdown flag, and read [`Follower::status`] from anywhere.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use snode_p2p::epee::Section;
use snode_p2p::messages::{
    request_chain, request_get_blocks, BlockEntry, BlocksResponse, ChainEntry, CoreSyncData,
    MAX_OBJECT_REQUEST_COUNT, NOTIFY_NEW_FLUFFY_BLOCK, NOTIFY_REQUEST_CHAIN,
    NOTIFY_REQUEST_GET_BLOCKS, NOTIFY_RESPONSE_CHAIN_ENTRY, NOTIFY_RESPONSE_GET_BLOCKS,
};
use snode_p2p::{ConnId, ConnectionInfo, Event, P2p, P2pConfig};

use crate::block::Block;
use crate::hash::Hash;
use crate::network::Network;
use crate::store::{Store, StoreError, StoredBlock};
use crate::tx::Transaction;

/// oxen-core `BLOCKCHAIN_TIMESTAMP_CHECK_WINDOW`.
pub const TIMESTAMP_CHECK_WINDOW: u64 = 11;
/// oxen-core `BLOCK_FUTURE_TIME_LIMIT_V2` (seconds).
pub const FUTURE_TIME_LIMIT: u64 = 600;
/// oxen-core `BLOCKS_SYNCHRONIZING_DEFAULT_COUNT`.
pub const BLOCKS_PER_REQUEST: usize = 100;

#[derive(Debug, Clone)]
pub struct FollowerConfig {
    pub network: Network,
    /// Holds `chain.sqlite` and `p2p-peers.txt`.
    pub data_dir: PathBuf,
    /// Peer options; its `network_id` is replaced by the network's.
    pub p2p: P2pConfig,
    pub blocks_per_request: usize,
    /// A peer that does not answer a chain or blocks request within this time is dropped.
    pub request_timeout: Duration,
}

impl FollowerConfig {
    pub fn new(network: Network, data_dir: PathBuf) -> Self {
        let mut p2p = P2pConfig::new(network.network_id());
        p2p.bind = Some(SocketAddr::from(([0, 0, 0, 0], network.default_p2p_port())));
        FollowerConfig {
            network,
            data_dir,
            p2p,
            blocks_per_request: BLOCKS_PER_REQUEST,
            request_timeout: Duration::from_secs(60),
        }
    }
}

/// A snapshot of what the follower knows, with oxend's `get_info` field names where one exists.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FollowerStatus {
    pub nettype: String,
    /// Number of blocks we hold (top height + 1), as oxend's `height`.
    pub height: u64,
    /// The best height a peer claims (0 while none is connected), as oxend's `target_height`.
    pub target_height: u64,
    pub top_block_hash: String,
    /// The cumulative difficulty our best peer claimed for our chain (not recomputed).
    pub cumulative_difficulty: u64,
    /// We hold at least what every connected peer claims (false with no peers).
    pub synchronized: bool,
    pub incoming_connections_count: usize,
    pub outgoing_connections_count: usize,
    pub white_peerlist_size: usize,
    pub grey_peerlist_size: usize,
    pub connections: Vec<ConnectionInfo>,
    /// Blocks downloaded and stored by this run, and their bytes (block + tx blobs).
    pub blocks_downloaded: u64,
    pub bytes_downloaded: u64,
    /// The last reason a peer or a block was refused, if any.
    pub last_error: Option<String>,
    /// The p2p listener, when bound.
    pub p2p_bind: Option<String>,
    /// Banned peer IPs and the seconds left, as oxend's `get_bans`.
    pub bans: Vec<(String, u64)>,
}

#[derive(Debug, thiserror::Error)]
pub enum FollowerError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    P2p(#[from] snode_p2p::P2pError),
    #[error("cannot create the data directory {path}: {source}")]
    DataDir {
        path: PathBuf,
        source: std::io::Error,
    },
}

struct Shared {
    status: Mutex<FollowerStatus>,
    p2p: Mutex<Option<Arc<P2p>>>,
}

/// The chain follower worker.
pub struct Follower {
    cfg: FollowerConfig,
    shared: Arc<Shared>,
}

impl std::fmt::Debug for Follower {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Follower")
            .field("network", &self.cfg.network)
            .finish()
    }
}

impl Follower {
    /// Opens (or creates) the chain database so that errors show before the worker starts.
    pub fn new(mut cfg: FollowerConfig) -> Result<Self, FollowerError> {
        cfg.p2p.network_id = cfg.network.network_id();
        std::fs::create_dir_all(&cfg.data_dir).map_err(|source| FollowerError::DataDir {
            path: cfg.data_dir.clone(),
            source,
        })?;
        if cfg.p2p.peerlist_path.is_none() {
            cfg.p2p.peerlist_path = Some(cfg.data_dir.join("p2p-peers.txt"));
        }
        let store = Store::open(&cfg.data_dir.join("chain.sqlite"), cfg.network)?;
        let mut st = FollowerStatus {
            nettype: cfg.network.name().into(),
            ..Default::default()
        };
        fill_chain_status(&store, &mut st)?;
        Ok(Follower {
            cfg,
            shared: Arc::new(Shared {
                status: Mutex::new(st),
                p2p: Mutex::new(None),
            }),
        })
    }

    /// A snapshot; cheap, callable from any thread while [`Follower::run`] runs.
    pub fn status(&self) -> FollowerStatus {
        let mut st = self.shared.status.lock().expect("status").clone();
        if let Some(p) = self.shared.p2p.lock().expect("p2p").as_ref() {
            st.connections = p.connections();
            st.incoming_connections_count = st.connections.iter().filter(|c| c.incoming).count();
            st.outgoing_connections_count = st.connections.len() - st.incoming_connections_count;
            let (w, g) = p.peerlist_sizes();
            st.white_peerlist_size = w;
            st.grey_peerlist_size = g;
            st.p2p_bind = p.local_addr().map(|a| a.to_string());
            st.bans = p
                .bans()
                .into_iter()
                .map(|(ip, s)| (ip.to_string(), s))
                .collect();
        }
        st
    }

    /// Runs until `shutdown` is set: starts the p2p node and follows the best peer.
    pub fn run(&self, shutdown: &AtomicBool) -> Result<(), FollowerError> {
        let mut store = Store::open(&self.cfg.data_dir.join("chain.sqlite"), self.cfg.network)?;
        let ours = Arc::new(Mutex::new(sync_data(&store)?));
        let o2 = ours.clone();
        let (tx, rx) = mpsc::channel();
        let p2p = Arc::new(P2p::start(
            self.cfg.p2p.clone(),
            Arc::new(move || o2.lock().expect("sync").clone()),
            tx,
        )?);
        *self.shared.p2p.lock().expect("p2p") = Some(p2p.clone());
        let mut s = SyncState {
            cfg: &self.cfg,
            p2p: &p2p,
            shared: &self.shared,
            ours: &ours,
            peers: HashMap::new(),
            job: None,
        };
        let result = s.event_loop(&mut store, &rx, shutdown);
        p2p.shutdown();
        *self.shared.p2p.lock().expect("p2p") = None;
        result
    }
}

fn sync_data(store: &Store) -> Result<CoreSyncData, StoreError> {
    let (h, id, major) = store.top()?;
    Ok(CoreSyncData {
        current_height: h + 1,
        cumulative_difficulty: store.cumulative_difficulty()?,
        top_id: id,
        top_version: major,
        pruning_seed: 0,
    })
}

fn fill_chain_status(store: &Store, st: &mut FollowerStatus) -> Result<(), StoreError> {
    let (h, id, _) = store.top()?;
    st.height = h + 1;
    st.top_block_hash = hex::encode(id);
    st.cumulative_difficulty = store.cumulative_difficulty()?;
    Ok(())
}

fn now_unix() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

struct PeerState {
    addr: SocketAddr,
    sync: CoreSyncData,
    not_before: Instant,
}

enum JobKind {
    Chain,
    Blocks {
        queue: VecDeque<(u64, Hash)>,
        requested: Vec<(u64, Hash)>,
        /// Blocks of a fork, held until the whole fork is downloaded.
        pending: Vec<StoredBlock>,
        reorg: bool,
        last_id: Hash,
        total_height: u64,
        claimed_cd: u64,
    },
}

struct Job {
    conn: ConnId,
    last_progress: Instant,
    kind: JobKind,
}

struct SyncState<'a> {
    cfg: &'a FollowerConfig,
    p2p: &'a Arc<P2p>,
    shared: &'a Arc<Shared>,
    ours: &'a Arc<Mutex<CoreSyncData>>,
    peers: HashMap<ConnId, PeerState>,
    job: Option<Job>,
}

/// Why a peer's data was refused: `ban` for provably invalid data.
struct Refusal {
    ban: bool,
    why: String,
}

fn refuse(ban: bool, why: String) -> Refusal {
    Refusal { ban, why }
}

impl SyncState<'_> {
    fn event_loop(
        &mut self,
        store: &mut Store,
        rx: &mpsc::Receiver<Event>,
        shutdown: &AtomicBool,
    ) -> Result<(), FollowerError> {
        while !shutdown.load(Ordering::SeqCst) {
            match rx.recv_timeout(Duration::from_millis(200)) {
                Ok(ev) => self.on_event(store, ev)?,
                Err(mpsc::RecvTimeoutError::Timeout) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            }
            if let Some(j) = &self.job {
                if j.last_progress.elapsed() > self.cfg.request_timeout {
                    let conn = j.conn;
                    self.note_error(format!(
                        "peer connection {conn} did not answer within {}s; dropping it",
                        self.cfg.request_timeout.as_secs()
                    ));
                    self.job = None;
                    self.p2p.disconnect(conn);
                }
            }
            if self.job.is_none() {
                self.maybe_start(store)?;
            }
            self.publish(store)?;
        }
        Ok(())
    }

    fn publish(&self, store: &Store) -> Result<(), StoreError> {
        let mut st = self.shared.status.lock().expect("status");
        fill_chain_status(store, &mut st)?;
        st.target_height = self
            .peers
            .values()
            .map(|p| p.sync.current_height)
            .max()
            .unwrap_or(0)
            .max(if self.peers.is_empty() { 0 } else { st.height });
        st.synchronized =
            !self.peers.is_empty() && st.height >= st.target_height && self.job.is_none();
        Ok(())
    }

    fn note_error(&self, e: String) {
        tracing::warn!("chain: {e}");
        self.shared.status.lock().expect("status").last_error = Some(e);
    }

    fn on_event(&mut self, store: &mut Store, ev: Event) -> Result<(), FollowerError> {
        match ev {
            Event::Connected {
                conn, addr, sync, ..
            } => {
                self.peers.insert(
                    conn,
                    PeerState {
                        addr,
                        sync,
                        not_before: Instant::now(),
                    },
                );
            }
            Event::SyncData { conn, sync } => {
                if let Some(p) = self.peers.get_mut(&conn) {
                    p.sync = sync;
                }
            }
            Event::Disconnected { conn } => {
                self.peers.remove(&conn);
                if self.job.as_ref().is_some_and(|j| j.conn == conn) {
                    self.job = None;
                }
            }
            Event::Notify {
                conn,
                command,
                body,
            } => {
                let res = match command {
                    NOTIFY_RESPONSE_CHAIN_ENTRY => match ChainEntry::from_section(&body) {
                        Ok(e) => self.on_chain_entry(store, conn, e),
                        Err(e) => Err(refuse(true, format!("bad chain entry: {e}"))),
                    },
                    NOTIFY_RESPONSE_GET_BLOCKS => match BlocksResponse::from_section(&body) {
                        Ok(r) => self.on_blocks(store, conn, r),
                        Err(e) => Err(refuse(true, format!("bad blocks response: {e}"))),
                    },
                    NOTIFY_REQUEST_CHAIN => self.serve_chain(store, conn, &body),
                    NOTIFY_REQUEST_GET_BLOCKS => self.serve_blocks(store, conn, &body),
                    NOTIFY_NEW_FLUFFY_BLOCK => {
                        if let (Some(p), Ok(h)) = (
                            self.peers.get_mut(&conn),
                            body.u64("current_blockchain_height"),
                        ) {
                            p.sync.current_height = p.sync.current_height.max(h);
                            p.not_before = Instant::now();
                        }
                        Ok(())
                    }
                    _ => Ok(()),
                };
                if let Err(r) = res {
                    let addr = self.peers.get(&conn).map(|p| p.addr);
                    self.note_error(format!(
                        "peer {}: {}",
                        addr.map(|a| a.to_string()).unwrap_or_default(),
                        r.why
                    ));
                    if self.job.as_ref().is_some_and(|j| j.conn == conn) {
                        self.job = None;
                    }
                    match (r.ban, addr) {
                        (true, Some(a)) => self.p2p.ban(a.ip()),
                        _ => self.p2p.disconnect(conn),
                    }
                }
            }
        }
        Ok(())
    }

    fn send(&self, conn: ConnId, command: u32, body: &Section) -> Result<(), Refusal> {
        self.p2p
            .send(conn, command, body)
            .map_err(|e| refuse(false, e.to_string()))
    }

    /// Answers a peer's NOTIFY_REQUEST_CHAIN from our chain (oxend's
    /// `find_blockchain_supplement`): the first of its ids we hold, and up to 10000 ids on.
    fn serve_chain(&self, store: &Store, conn: ConnId, body: &Section) -> Result<(), Refusal> {
        let st = |e: StoreError| refuse(false, e.to_string());
        let theirs = body
            .hashes("block_ids")
            .map_err(|e| refuse(true, format!("bad chain request: {e}")))?;
        let mut start = None;
        for id in &theirs {
            if let Some(h) = store.height_of(id).map_err(st)? {
                start = Some(h);
                break;
            }
        }
        let Some(start) = start else {
            return Err(refuse(
                false,
                "chain request shares no block with us (not even genesis)".into(),
            ));
        };
        let entry = ChainEntry {
            start_height: start,
            total_height: store.height().map_err(st)?,
            cumulative_difficulty: store.cumulative_difficulty().map_err(st)?,
            block_ids: store.ids_from(start, 10_000).map_err(st)?,
        };
        self.send(conn, NOTIFY_RESPONSE_CHAIN_ENTRY, &entry.to_section())
    }

    /// Answers NOTIFY_REQUEST_GET_BLOCKS with the blocks and txs we hold.
    fn serve_blocks(&self, store: &Store, conn: ConnId, body: &Section) -> Result<(), Refusal> {
        let st = |e: StoreError| refuse(false, e.to_string());
        let ids = body
            .hashes("blocks")
            .map_err(|e| refuse(true, format!("bad blocks request: {e}")))?;
        if ids.len() > MAX_OBJECT_REQUEST_COUNT {
            return Err(refuse(
                false,
                format!(
                    "asked for {} blocks at once (limit {MAX_OBJECT_REQUEST_COUNT})",
                    ids.len()
                ),
            ));
        }
        let mut r = BlocksResponse {
            blocks: Vec::new(),
            missed_ids: Vec::new(),
            current_blockchain_height: store.height().map_err(st)?,
        };
        for id in ids {
            match store.block_with_txs(&id).map_err(st)? {
                Some((block, txs)) => r.blocks.push(BlockEntry {
                    block,
                    txs,
                    checkpoint: Vec::new(),
                }),
                None => r.missed_ids.push(id),
            }
        }
        self.send(conn, NOTIFY_RESPONSE_GET_BLOCKS, &r.to_section())
    }

    /// Starts a chain request to the best peer that claims more than we have.
    fn maybe_start(&mut self, store: &Store) -> Result<(), FollowerError> {
        let ours = self.ours.lock().expect("sync").clone();
        let now = Instant::now();
        let best = self
            .peers
            .iter()
            .filter(|(_, p)| p.not_before <= now)
            .filter(|(_, p)| {
                p.sync.current_height > ours.current_height
                    || (p.sync.top_id != ours.top_id
                        && p.sync.cumulative_difficulty > ours.cumulative_difficulty)
            })
            .max_by_key(|(_, p)| (p.sync.cumulative_difficulty, p.sync.current_height))
            .map(|(c, _)| *c);
        let Some(conn) = best else { return Ok(()) };
        if let Some(p) = self.peers.get_mut(&conn) {
            p.not_before = now + Duration::from_secs(5);
        }
        let ids = store.sparse_chain()?;
        match self
            .p2p
            .send(conn, NOTIFY_REQUEST_CHAIN, &request_chain(&ids))
        {
            Ok(()) => {
                self.job = Some(Job {
                    conn,
                    last_progress: now,
                    kind: JobKind::Chain,
                })
            }
            Err(e) => self.note_error(format!("cannot request the chain: {e}")),
        }
        Ok(())
    }

    fn on_chain_entry(
        &mut self,
        store: &mut Store,
        conn: ConnId,
        e: ChainEntry,
    ) -> Result<(), Refusal> {
        let Some(job) = self
            .job
            .as_mut()
            .filter(|j| j.conn == conn && matches!(j.kind, JobKind::Chain))
        else {
            return Ok(()); // unsolicited; oxend ignores these too
        };
        job.last_progress = Instant::now();
        let st = |e: StoreError| refuse(false, e.to_string());
        let Some(first) = e.block_ids.first() else {
            return Err(refuse(true, "empty chain entry".into()));
        };
        if store.height_of(first).map_err(st)? != Some(e.start_height) {
            return Err(refuse(
                true,
                format!(
                    "chain entry starts at {} with a block we do not have there",
                    e.start_height
                ),
            ));
        }
        let our_height = store.height().map_err(st)?;
        let mut fork = None;
        for (i, id) in e.block_ids.iter().enumerate().skip(1) {
            let h = e.start_height + i as u64;
            if store.id_at(h).map_err(st)?.as_ref() != Some(id) {
                fork = Some(i);
                break;
            }
        }
        let Some(i) = fork else {
            self.job = None;
            return Ok(());
        };
        let fork_height = e.start_height + i as u64;
        let reorg = fork_height < our_height;
        if reorg && e.cumulative_difficulty <= store.cumulative_difficulty().map_err(st)? {
            tracing::info!(
                "chain: peer offers a fork at {fork_height} that is not heavier than ours; staying"
            );
            self.job = None;
            return Ok(());
        }
        if reorg {
            tracing::info!("chain: switching to a heavier fork from height {fork_height} (ours: {our_height} blocks)");
        }
        let last_id = store
            .id_at(fork_height - 1)
            .map_err(st)?
            .expect("below the fork we hold the block");
        let queue = e.block_ids[i..]
            .iter()
            .enumerate()
            .map(|(k, id)| (fork_height + k as u64, *id))
            .collect();
        job.kind = JobKind::Blocks {
            queue,
            requested: Vec::new(),
            pending: Vec::new(),
            reorg,
            last_id,
            total_height: e.total_height,
            claimed_cd: e.cumulative_difficulty,
        };
        self.request_next(conn)
    }

    fn request_next(&mut self, conn: ConnId) -> Result<(), Refusal> {
        let n = self
            .cfg
            .blocks_per_request
            .clamp(1, snode_p2p::messages::MAX_OBJECT_REQUEST_COUNT);
        let Some(Job {
            kind: JobKind::Blocks {
                queue, requested, ..
            },
            ..
        }) = self.job.as_mut()
        else {
            return Ok(());
        };
        requested.clear();
        while requested.len() < n {
            match queue.pop_front() {
                Some(x) => requested.push(x),
                None => break,
            }
        }
        let ids: Vec<Hash> = requested.iter().map(|(_, id)| *id).collect();
        self.send(conn, NOTIFY_REQUEST_GET_BLOCKS, &request_get_blocks(&ids))
    }

    fn on_blocks(
        &mut self,
        store: &mut Store,
        conn: ConnId,
        r: BlocksResponse,
    ) -> Result<(), Refusal> {
        let Some(job) = self.job.as_mut().filter(|j| j.conn == conn) else {
            return Ok(());
        };
        job.last_progress = Instant::now();
        let JobKind::Blocks {
            queue,
            requested,
            pending,
            reorg,
            last_id,
            total_height,
            claimed_cd,
        } = &mut job.kind
        else {
            return Ok(());
        };
        if !r.missed_ids.is_empty() || r.blocks.len() != requested.len() {
            return Err(refuse(
                false,
                format!(
                    "asked for {} blocks, got {} ({} missed)",
                    requested.len(),
                    r.blocks.len(),
                    r.missed_ids.len()
                ),
            ));
        }
        let st = |e: StoreError| refuse(false, e.to_string());
        let mut batch = Vec::with_capacity(r.blocks.len());
        let mut bytes = 0u64;
        for (entry, (h, want)) in r.blocks.into_iter().zip(requested.iter()) {
            let b =
                Block::parse(&entry.block).map_err(|e| refuse(true, format!("block {h}: {e}")))?;
            if b.id != *want {
                return Err(refuse(
                    true,
                    format!(
                        "block {h}: id {} is not the announced {}",
                        hex::encode(b.id),
                        hex::encode(want)
                    ),
                ));
            }
            if b.header.prev_id != *last_id {
                return Err(refuse(
                    true,
                    format!("block {h} does not link to the block below it"),
                ));
            }
            if b.height() != Some(*h) {
                return Err(refuse(
                    true,
                    format!("block {h} claims height {:?}", b.height()),
                ));
            }
            if let Some((_, cp)) = self
                .cfg
                .network
                .checkpoints()
                .iter()
                .find(|(ch, _)| ch == h)
            {
                if hex::encode(b.id) != *cp {
                    return Err(refuse(
                        true,
                        format!("block {h} contradicts the hard-coded checkpoint {cp}"),
                    ));
                }
            }
            // Timestamps: not below the median of the previous 11 blocks, not > 10 min ahead.
            let mut ts = store
                .timestamps_below(
                    *h - (pending.len() + batch.len()) as u64,
                    TIMESTAMP_CHECK_WINDOW,
                )
                .map_err(st)?;
            ts.extend(
                pending
                    .iter()
                    .chain(batch.iter())
                    .map(|s: &StoredBlock| s.block.header.timestamp),
            );
            let window: Vec<u64> = ts
                .iter()
                .rev()
                .take(TIMESTAMP_CHECK_WINDOW as usize)
                .copied()
                .collect();
            if window.len() as u64 >= TIMESTAMP_CHECK_WINDOW {
                let mut w = window;
                w.sort_unstable();
                let median = w[w.len() / 2];
                if b.header.timestamp < median {
                    return Err(refuse(
                        true,
                        format!(
                            "block {h}: timestamp {} below the median {median} of the last 11",
                            b.header.timestamp
                        ),
                    ));
                }
            }
            if b.header.timestamp > now_unix() + FUTURE_TIME_LIMIT {
                return Err(refuse(
                    false,
                    format!(
                        "block {h}: timestamp {} is too far in the future",
                        b.header.timestamp
                    ),
                ));
            }
            if entry.txs.len() != b.tx_hashes.len() {
                return Err(refuse(
                    true,
                    format!(
                        "block {h}: {} txs delivered for {} tx ids",
                        entry.txs.len(),
                        b.tx_hashes.len()
                    ),
                ));
            }
            for (k, (t, want)) in entry.txs.iter().zip(&b.tx_hashes).enumerate() {
                let tx = Transaction::parse(t)
                    .map_err(|e| refuse(false, format!("block {h} tx {k}: {e}")))?;
                if tx.hash != *want {
                    return Err(refuse(
                        false,
                        format!(
                            "block {h} tx {k}: computed id {} differs from the block's {}",
                            hex::encode(tx.hash),
                            hex::encode(want)
                        ),
                    ));
                }
            }
            bytes += (entry.block.len() + entry.txs.iter().map(Vec::len).sum::<usize>()) as u64;
            *last_id = b.id;
            batch.push(StoredBlock {
                height: *h,
                block: b,
                blob: entry.block,
                txs: entry.txs,
            });
        }
        let n = batch.len() as u64;
        let done = queue.is_empty();
        let top_after = batch.last().map(|b| b.height + 1).unwrap_or(0);
        let cd = (top_after >= *total_height).then_some(*claimed_cd);
        if *reorg {
            pending.extend(batch);
            if done {
                let all = std::mem::take(pending);
                store.commit(&all, Some(*claimed_cd)).map_err(st)?;
                tracing::info!(
                    "chain: reorganised to the heavier fork; top is now {}",
                    top_after - 1
                );
            }
        } else {
            store.commit(&batch, cd).map_err(st)?;
        }
        {
            let mut s = self.shared.status.lock().expect("status");
            s.blocks_downloaded += n;
            s.bytes_downloaded += bytes;
        }
        *self.ours.lock().expect("sync") = sync_data(store).map_err(st)?;
        let target = self
            .peers
            .get(&conn)
            .map(|p| p.sync.current_height)
            .unwrap_or(0)
            .max(*total_height);
        let h = store.height().map_err(st)?;
        tracing::info!(
            "chain: synced {h}/{target} ({}%)",
            (h * 100).checked_div(target).unwrap_or(100)
        );
        if done {
            self.job = None;
            if let Some(p) = self.peers.get_mut(&conn) {
                p.not_before = Instant::now();
            }
            Ok(())
        } else {
            self.request_next(conn)
        }
    }
}
