//! The p2p node: a listener, an outbound connector, one reader thread per connection and a
//! housekeeping thread (timed syncs, idle timeouts, expired bans). Everything above the p2p
//! layer (the cryptonote protocol: chain requests, blocks) reaches the owner as [`Event`]s, and
//! the owner answers with [`P2p::send`].

use std::collections::HashMap;
use std::net::{IpAddr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::epee::{self, Section};
use crate::levin::{Frame, MAX_PACKET, MAX_PACKET_BEFORE_HANDSHAKE};

use crate::messages::*;
use crate::peerlist::PeerList;
use crate::{P2pError, WireError};
use serde::{Deserialize, Serialize};

pub type ConnId = u64;

/// What the node owner (the chain follower) supplies: our current chain state for handshakes
/// and timed syncs.
pub type SyncDataFn = Arc<dyn Fn() -> CoreSyncData + Send + Sync>;

#[derive(Debug, Clone)]
pub struct P2pConfig {
    pub network_id: [u8; 16],
    /// `--p2p-bind-ip`/`--p2p-bind-port`; `None` runs outbound only.
    pub bind: Option<SocketAddr>,
    /// `--hide-my-port`: do not announce our port to peers.
    pub hide_my_port: bool,
    /// `--add-exclusive-node`: connect to these and to nothing else.
    pub exclusive_nodes: Vec<SocketAddr>,
    /// `--add-priority-node`: always keep a connection to these.
    pub priority_nodes: Vec<SocketAddr>,
    /// `--add-peer`: put into the peer list.
    pub add_peers: Vec<SocketAddr>,
    /// `--seed-node`: asked for peers when the peer list is empty.
    pub seed_nodes: Vec<SocketAddr>,
    /// `--out-peers` (oxend default 8).
    pub max_out: usize,
    /// `--in-peers` (oxend default 32).
    pub max_in: usize,
    pub connect_timeout: Duration,
    pub handshake_timeout: Duration,
    /// A connection with nothing received for this long is closed.
    pub idle_timeout: Duration,
    /// oxend sends a timed sync every 60 s (`P2P_DEFAULT_HANDSHAKE_INTERVAL`).
    pub timed_sync_interval: Duration,
    /// How long a misbehaving IP stays banned (oxend `P2P_IP_BLOCKTIME`, 1 day).
    pub ban_duration: Duration,
    /// Time between outbound connection attempts.
    pub reconnect_interval: Duration,
    /// Where the peer list is kept across restarts (None: memory only).
    pub peerlist_path: Option<PathBuf>,
}

impl P2pConfig {
    /// oxend's defaults (`cryptonote_config.h`, namespace `p2p`) for the given network id.
    pub fn new(network_id: [u8; 16]) -> Self {
        P2pConfig {
            network_id,
            bind: None,
            hide_my_port: false,
            exclusive_nodes: Vec::new(),
            priority_nodes: Vec::new(),
            add_peers: Vec::new(),
            seed_nodes: Vec::new(),
            max_out: 8,
            max_in: 32,
            connect_timeout: Duration::from_secs(5),
            handshake_timeout: Duration::from_secs(5),
            idle_timeout: Duration::from_secs(300),
            timed_sync_interval: Duration::from_secs(60),
            ban_duration: Duration::from_secs(86_400),
            reconnect_interval: Duration::from_secs(5),
            peerlist_path: None,
        }
    }
}

/// A bad peer option value (config file or command line).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid value {value:?} for {option}: {expected}")]
pub struct OptionError {
    pub option: String,
    pub value: String,
    pub expected: &'static str,
}

impl P2pConfig {
    /// Applies one of oxend's p2p options, as written in `oxen.conf` (`key=value`) or on the
    /// command line (`--key value`); returns Ok(false) for options that are not p2p options.
    /// `default_port` is the network's p2p port, used for peers given without one.
    pub fn apply_option(
        &mut self,
        key: &str,
        value: &str,
        default_port: u16,
    ) -> Result<bool, OptionError> {
        let bad = |expected| OptionError {
            option: key.to_string(),
            value: value.to_string(),
            expected,
        };
        let peer = || -> Result<SocketAddr, OptionError> {
            value
                .parse::<SocketAddr>()
                .or_else(|_| {
                    value
                        .parse::<IpAddr>()
                        .map(|ip| SocketAddr::new(ip, default_port))
                })
                .map_err(|_| {
                    bad("an IP address with an optional :port (host names are not resolved)")
                })
        };
        let flag = || match value {
            "" | "1" | "true" => Ok(true),
            "0" | "false" => Ok(false),
            _ => Err(bad("1/true or 0/false")),
        };
        let count = || {
            value
                .parse::<usize>()
                .map_err(|_| bad("a number of connections"))
        };
        match key.trim_start_matches("--") {
            "p2p-bind-ip" => {
                let ip: IpAddr = value.parse().map_err(|_| bad("an IP address"))?;
                let port = self.bind.map(|b| b.port()).unwrap_or(default_port);
                self.bind = Some(SocketAddr::new(ip, port));
            }
            "p2p-bind-port" => {
                let port: u16 = value.parse().map_err(|_| bad("a TCP port"))?;
                let ip = self
                    .bind
                    .map(|b| b.ip())
                    .unwrap_or(IpAddr::from([0, 0, 0, 0]));
                self.bind = Some(SocketAddr::new(ip, port));
            }
            "add-exclusive-node" => self.exclusive_nodes.push(peer()?),
            "add-priority-node" => self.priority_nodes.push(peer()?),
            "add-peer" => self.add_peers.push(peer()?),
            "seed-node" => self.seed_nodes.push(peer()?),
            "hide-my-port" => self.hide_my_port = flag()?,
            "out-peers" => self.max_out = count()?,
            "in-peers" => self.max_in = count()?,
            _ => return Ok(false),
        }
        Ok(true)
    }
}

/// What the node reports to its owner.
#[derive(Debug, Clone)]
pub enum Event {
    /// Handshake done; the peer's chain state.
    Connected {
        conn: ConnId,
        addr: SocketAddr,
        incoming: bool,
        sync: CoreSyncData,
    },
    /// The peer's chain state from a timed sync.
    SyncData {
        conn: ConnId,
        sync: CoreSyncData,
    },
    /// A cryptonote-protocol notification (commands 2000+).
    Notify {
        conn: ConnId,
        command: u32,
        body: Section,
    },
    Disconnected {
        conn: ConnId,
    },
}

/// One connection as oxend's `get_connections` RPC shows it: the same field names, order and
/// units (seconds, kB/s), so the daemon's API serves it as it is.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionInfo {
    /// `IP:PORT` of the peer.
    pub address: String,
    /// 1 for IPv4, 2 for IPv6 (epee's address types).
    pub address_type: u8,
    /// The peer's IP.
    pub ip: String,
    /// The peer's port.
    pub port: u16,
    /// The peer's id, 16 hex digits.
    pub peer_id: String,
    /// The peer connected to us.
    pub incoming: bool,
    /// The peer is on loopback.
    pub localhost: bool,
    /// Bytes received.
    pub recv_count: u64,
    /// Seconds since something was received.
    pub recv_idle_time: u64,
    /// Bytes sent.
    pub send_count: u64,
    /// Seconds since something was sent.
    pub send_idle_time: u64,
    /// `before_handshake`, `synchronizing`, `standby`, `normal`, ...
    pub state: String,
    /// Seconds since the connection opened.
    pub live_time: u64,
    /// kB/s over the connection's life.
    pub avg_download: u64,
    /// kB/s over the connection's life.
    pub avg_upload: u64,
    /// Connection id (hex).
    pub connection_id: String,
    /// The height the peer claims.
    pub height: u64,
    /// The peer's pruning seed.
    pub pruning_seed: u32,
}

struct ConnStats {
    peer_id: u64,
    sync: CoreSyncData,
    recv_count: u64,
    send_count: u64,
    started: Instant,
    last_recv: Instant,
    last_send: Instant,
    last_timed_sync: Instant,
}

struct Conn {
    addr: SocketAddr,
    incoming: bool,
    stream: Mutex<TcpStream>,
    stats: Mutex<ConnStats>,
}

impl Conn {
    fn write(&self, f: &Frame) -> Result<(), WireError> {
        let bytes = f.to_bytes();
        let mut s = self.stream.lock().expect("conn lock");
        std::io::Write::write_all(&mut *s, &bytes).map_err(WireError::Io)?;
        drop(s);
        let mut st = self.stats.lock().expect("stats lock");
        st.send_count += bytes.len() as u64;
        st.last_send = Instant::now();
        Ok(())
    }

    fn close(&self) {
        if let Ok(s) = self.stream.lock() {
            let _ = s.shutdown(Shutdown::Both);
        }
    }
}

struct Inner {
    cfg: P2pConfig,
    peer_id: u64,
    my_port: u32,
    sync_data: SyncDataFn,
    events: Sender<Event>,
    conns: Mutex<HashMap<ConnId, Arc<Conn>>>,
    bans: Mutex<HashMap<IpAddr, Instant>>,
    fails: Mutex<HashMap<IpAddr, usize>>,
    peers: Mutex<PeerList>,
    shutdown: AtomicBool,
    next_id: AtomicU64,
}

/// A running p2p node. Dropping it does not stop it: call [`P2p::shutdown`].
pub struct P2p {
    inner: Arc<Inner>,
    threads: Mutex<Vec<JoinHandle<()>>>,
    local_addr: Option<SocketAddr>,
}

impl std::fmt::Debug for P2p {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("P2p")
            .field("peer_id", &format_args!("{:016x}", self.inner.peer_id))
            .finish()
    }
}

fn now_unix() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

fn random_u64() -> u64 {
    let mut b = [0u8; 8];
    getrandom::fill(&mut b).expect("OS random source");
    u64::from_le_bytes(b)
}

impl P2p {
    /// Binds the listener (if configured) and starts the threads.
    pub fn start(
        cfg: P2pConfig,
        sync_data: SyncDataFn,
        events: Sender<Event>,
    ) -> Result<Self, P2pError> {
        let listener = match cfg.bind {
            Some(addr) => {
                Some(TcpListener::bind(addr).map_err(|source| P2pError::Bind { addr, source })?)
            }
            None => None,
        };
        let local_addr = listener.as_ref().and_then(|l| l.local_addr().ok());
        let my_port = match (cfg.hide_my_port, local_addr) {
            (false, Some(a)) => u32::from(a.port()),
            _ => 0,
        };
        let mut peers = cfg
            .peerlist_path
            .as_deref()
            .and_then(|p| PeerList::load(p).ok())
            .unwrap_or_default();
        for a in &cfg.add_peers {
            peers.add_gray(PeerEntry {
                addr: *a,
                id: 0,
                last_seen: 0,
                pruning_seed: 0,
            });
        }
        let inner = Arc::new(Inner {
            peer_id: random_u64(),
            my_port,
            sync_data,
            events,
            conns: Mutex::new(HashMap::new()),
            bans: Mutex::new(HashMap::new()),
            fails: Mutex::new(HashMap::new()),
            peers: Mutex::new(peers),
            shutdown: AtomicBool::new(false),
            next_id: AtomicU64::new(1),
            cfg,
        });
        let spawn = |name: &str, f: Box<dyn FnOnce() + Send>| {
            std::thread::Builder::new()
                .name(name.into())
                .spawn(f)
                .expect("spawn a p2p thread")
        };
        let mut threads = Vec::new();
        if let Some(l) = listener {
            let i = inner.clone();
            threads.push(spawn("p2p-listen", Box::new(move || listen(i, l))));
        }
        let i = inner.clone();
        threads.push(spawn("p2p-connect", Box::new(move || connector(i))));
        let i = inner.clone();
        threads.push(spawn("p2p-house", Box::new(move || housekeeping(i))));
        Ok(P2p {
            inner,
            threads: Mutex::new(threads),
            local_addr,
        })
    }

    /// The address the listener is bound to.
    pub fn local_addr(&self) -> Option<SocketAddr> {
        self.local_addr
    }

    pub fn peer_id(&self) -> u64 {
        self.inner.peer_id
    }

    /// Sends a notification (no response expected) to one connection.
    pub fn send(&self, conn: ConnId, command: u32, body: &Section) -> Result<(), P2pError> {
        let c = self
            .inner
            .conns
            .lock()
            .expect("conns")
            .get(&conn)
            .cloned()
            .ok_or(P2pError::Closed(conn))?;
        let f = Frame::request(command, epee::to_bytes(body)?, false);
        c.write(&f).map_err(|e| {
            c.close();
            P2pError::Wire(e)
        })
    }

    /// Closes a connection.
    pub fn disconnect(&self, conn: ConnId) {
        if let Some(c) = self.inner.conns.lock().expect("conns").get(&conn) {
            c.close();
        }
    }

    /// Closes every connection from `ip` and refuses it for the configured ban duration.
    pub fn ban(&self, ip: IpAddr) {
        ban(&self.inner, ip, self.inner.cfg.ban_duration);
    }

    /// Currently banned IPs with the seconds left (oxend's `get_bans`).
    pub fn bans(&self) -> Vec<(IpAddr, u64)> {
        let now = Instant::now();
        let mut v: Vec<(IpAddr, u64)> = self
            .inner
            .bans
            .lock()
            .expect("bans")
            .iter()
            .filter(|(_, t)| **t > now)
            .map(|(ip, t)| (*ip, t.duration_since(now).as_secs()))
            .collect();
        v.sort();
        v
    }

    pub fn is_banned(&self, ip: IpAddr) -> bool {
        is_banned(&self.inner, ip)
    }

    pub fn connections(&self) -> Vec<ConnectionInfo> {
        let conns = self.inner.conns.lock().expect("conns");
        let mut v: Vec<ConnectionInfo> = conns
            .iter()
            .map(|(id, c)| {
                let st = c.stats.lock().expect("stats");
                let live = st.started.elapsed();
                let per_s = |bytes: u64| bytes / 1024 / live.as_secs().max(1);
                ConnectionInfo {
                    address: format!("{}:{}", c.addr.ip(), c.addr.port()),
                    address_type: 1,
                    ip: c.addr.ip().to_string(),
                    port: c.addr.port(),
                    peer_id: format!("{:016x}", st.peer_id),
                    incoming: c.incoming,
                    localhost: c.addr.ip().is_loopback(),
                    recv_count: st.recv_count,
                    recv_idle_time: st.last_recv.elapsed().as_secs(),
                    send_count: st.send_count,
                    send_idle_time: st.last_send.elapsed().as_secs(),
                    state: "normal".into(),
                    live_time: live.as_secs(),
                    avg_download: per_s(st.recv_count),
                    avg_upload: per_s(st.send_count),
                    connection_id: format!("{id:032x}"),
                    height: st.sync.current_height,
                    pruning_seed: st.sync.pruning_seed,
                }
            })
            .collect();
        v.sort_by(|a, b| a.connection_id.cmp(&b.connection_id));
        v
    }

    /// The chain state each connected peer last reported.
    pub fn peer_sync_data(&self, conn: ConnId) -> Option<CoreSyncData> {
        let conns = self.inner.conns.lock().expect("conns");
        conns
            .get(&conn)
            .map(|c| c.stats.lock().expect("stats").sync.clone())
    }

    /// (white, gray) peer list sizes.
    pub fn peerlist_sizes(&self) -> (usize, usize) {
        self.inner.peers.lock().expect("peers").len()
    }

    /// Stops all threads, closes all connections and saves the peer list.
    pub fn shutdown(&self) {
        self.inner.shutdown.store(true, Ordering::SeqCst);
        if let Some(a) = self.local_addr {
            // Wake the blocking accept().
            let wake = if a.ip().is_unspecified() {
                SocketAddr::from(([127, 0, 0, 1], a.port()))
            } else {
                a
            };
            let _ = TcpStream::connect_timeout(&wake, Duration::from_millis(500));
        }
        for c in self.inner.conns.lock().expect("conns").values() {
            c.close();
        }
        for t in self.threads.lock().expect("threads").drain(..) {
            let _ = t.join();
        }
        if let Some(p) = &self.inner.cfg.peerlist_path {
            if let Err(e) = self.inner.peers.lock().expect("peers").save(p) {
                tracing::warn!("cannot save the peer list to {}: {e}", p.display());
            }
        }
    }
}

fn is_banned(inner: &Inner, ip: IpAddr) -> bool {
    inner
        .bans
        .lock()
        .expect("bans")
        .get(&ip)
        .is_some_and(|t| *t > Instant::now())
}

fn ban(inner: &Inner, ip: IpAddr, d: Duration) {
    tracing::warn!("banning {ip} for {}s", d.as_secs());
    inner
        .bans
        .lock()
        .expect("bans")
        .insert(ip, Instant::now() + d);
    // Close and forget its connections at once (their reader threads report the disconnect).
    inner.conns.lock().expect("conns").retain(|_, c| {
        if c.addr.ip() == ip {
            c.close();
        }
        c.addr.ip() != ip
    });
}

/// oxend `IP_FAILS_BEFORE_BLOCK`: protocol failures from one IP before it is banned.
pub const IP_FAILS_BEFORE_BLOCK: usize = 10;

/// Counts a protocol failure (bad handshake, malformed message) against `ip`; the tenth bans it.
/// Failures that are the peer's fault (not network trouble).
fn is_protocol_fault(e: &P2pError) -> bool {
    matches!(
        e,
        P2pError::Peer { .. }
            | P2pError::Wire(
                WireError::Decode(_) | WireError::Field(_) | WireError::TooLarge { .. }
            )
    )
}

fn add_fail(inner: &Inner, ip: IpAddr) {
    let n = {
        let mut f = inner.fails.lock().expect("fails");
        let n = f.entry(ip).or_insert(0);
        *n += 1;
        *n
    };
    if n >= IP_FAILS_BEFORE_BLOCK {
        inner.fails.lock().expect("fails").remove(&ip);
        ban(inner, ip, inner.cfg.ban_duration);
    }
}

fn our_node_data(inner: &Inner) -> NodeData {
    NodeData {
        network_id: inner.cfg.network_id,
        peer_id: inner.peer_id,
        my_port: inner.my_port,
    }
}

fn body_of(f: &Frame) -> Result<Section, WireError> {
    epee::from_bytes(&f.body)
}

/// Checks a peer's handshake data like oxend does: same network, not ourselves.
fn check_node(inner: &Inner, addr: SocketAddr, n: &NodeData) -> Result<(), P2pError> {
    if n.network_id != inner.cfg.network_id {
        return Err(P2pError::Peer {
            addr,
            reason: format!("wrong network id {}", hex::encode(n.network_id)),
        });
    }
    if n.peer_id == inner.peer_id {
        return Err(P2pError::Peer {
            addr,
            reason: "connected to ourselves".into(),
        });
    }
    Ok(())
}

/// Answers the requests that may arrive while a handshake is pending; true if handled.
fn answer_p2p_request(inner: &Inner, s: &mut TcpStream, f: &Frame) -> Result<bool, P2pError> {
    if f.is_response() || !f.header.expects_response {
        return Ok(false);
    }
    let reply = match f.header.command {
        COMMAND_PING => ping_response(inner.peer_id),
        COMMAND_REQUEST_SUPPORT_FLAGS => support_flags_response(),
        _ => return Ok(false),
    };
    Frame::response(f.header.command, epee::to_bytes(&reply)?, 1)
        .write_to(s)
        .map_err(WireError::Io)?;
    Ok(true)
}

fn register(
    inner: &Arc<Inner>,
    stream: TcpStream,
    addr: SocketAddr,
    incoming: bool,
    peer_id: u64,
    sync: CoreSyncData,
) {
    let id = inner.next_id.fetch_add(1, Ordering::SeqCst);
    let now = Instant::now();
    let conn = Arc::new(Conn {
        addr,
        incoming,
        stream: Mutex::new(stream.try_clone().expect("clone socket")),
        stats: Mutex::new(ConnStats {
            peer_id,
            sync: sync.clone(),
            recv_count: 0,
            send_count: 0,
            started: now,
            last_recv: now,
            last_send: now,
            last_timed_sync: now,
        }),
    });
    {
        // The ban check and the insertion under one lock: `ban` records the IP before it takes
        // this lock, so a peer banned while its handshake was in flight is either seen here
        // (and never listed) or removed by `ban` once it is listed.
        let mut conns = inner.conns.lock().expect("conns");
        if is_banned(inner, addr.ip()) {
            drop(conns);
            conn.close();
            tracing::info!("p2p: {addr} was banned during its handshake; connection closed");
            return;
        }
        conns.insert(id, conn.clone());
    }
    tracing::info!(
        "p2p: {} connection {id} with {addr} (peer {peer_id:016x}, height {})",
        if incoming { "inbound" } else { "outbound" },
        sync.current_height
    );
    let _ = inner.events.send(Event::Connected {
        conn: id,
        addr,
        incoming,
        sync,
    });
    let i = inner.clone();
    let _ = std::thread::Builder::new()
        .name(format!("p2p-conn-{id}"))
        .spawn(move || {
            reader(&i, id, &conn, stream);
            conn.close();
            i.conns.lock().expect("conns").remove(&id);
            tracing::info!("p2p: connection {id} with {} closed", conn.addr);
            let _ = i.events.send(Event::Disconnected { conn: id });
        });
}

fn reader(inner: &Arc<Inner>, id: ConnId, conn: &Arc<Conn>, mut stream: TcpStream) {
    let _ = stream.set_read_timeout(None);
    loop {
        if inner.shutdown.load(Ordering::SeqCst) {
            return;
        }
        let f = match Frame::read_from(&mut stream, MAX_PACKET) {
            Ok(f) => f,
            Err(WireError::Io(_)) => return,
            Err(e) => {
                tracing::warn!("p2p: {}: {e}; dropping", conn.addr);
                add_fail(inner, conn.addr.ip());
                return;
            }
        };
        {
            let mut st = conn.stats.lock().expect("stats");
            st.recv_count += (crate::levin::HEADER_LEN + f.body.len()) as u64;
            st.last_recv = Instant::now();
        }
        if let Err(e) = handle_frame(inner, id, conn, &f) {
            tracing::warn!(
                "p2p: {}: command {}: {e}; dropping",
                conn.addr,
                f.header.command
            );
            add_fail(inner, conn.addr.ip());
            return;
        }
    }
}

fn handle_frame(
    inner: &Arc<Inner>,
    id: ConnId,
    conn: &Arc<Conn>,
    f: &Frame,
) -> Result<(), P2pError> {
    let cmd = f.header.command;
    if f.is_response() {
        if cmd == COMMAND_TIMED_SYNC && f.header.return_code >= 0 {
            let b = body_of(f)?;
            let sync = CoreSyncData::from_section(b.object("payload_data")?)?;
            learn_peers(inner, &b);
            conn.stats.lock().expect("stats").sync = sync.clone();
            let _ = inner.events.send(Event::SyncData { conn: id, sync });
        }
        return Ok(());
    }
    match cmd {
        COMMAND_TIMED_SYNC => {
            let b = body_of(f)?;
            let sync = CoreSyncData::from_section(b.object("payload_data")?)?;
            conn.stats.lock().expect("stats").sync = sync.clone();
            let peers = inner.peers.lock().expect("peers").to_share(250);
            let reply = timed_sync_response(&(inner.sync_data)(), &peers);
            conn.write(&Frame::response(cmd, epee::to_bytes(&reply)?, 1))?;
            let _ = inner.events.send(Event::SyncData { conn: id, sync });
        }
        COMMAND_PING | COMMAND_REQUEST_SUPPORT_FLAGS => {
            let reply = if cmd == COMMAND_PING {
                ping_response(inner.peer_id)
            } else {
                support_flags_response()
            };
            conn.write(&Frame::response(cmd, epee::to_bytes(&reply)?, 1))?;
        }
        COMMAND_HANDSHAKE => {
            return Err(P2pError::Peer {
                addr: conn.addr,
                reason: "second handshake on a connection".into(),
            });
        }
        c if c >= 2000 => {
            let body = body_of(f)?;
            let _ = inner.events.send(Event::Notify {
                conn: id,
                command: c,
                body,
            });
        }
        other => {
            if f.header.expects_response {
                // Unknown invoke: answer with an error code, as levin does for unhandled commands.
                conn.write(&Frame::response(other, Vec::new(), -6))?;
            }
        }
    }
    Ok(())
}

fn learn_peers(inner: &Inner, b: &Section) {
    if let Ok(list) = peerlist_from(b, "local_peerlist_new") {
        let mut pl = inner.peers.lock().expect("peers");
        for p in list.into_iter().take(250) {
            pl.add_gray(p);
        }
    }
}

fn listen(inner: Arc<Inner>, l: TcpListener) {
    for s in l.incoming() {
        if inner.shutdown.load(Ordering::SeqCst) {
            return;
        }
        let Ok(s) = s else { continue };
        let Ok(addr) = s.peer_addr() else { continue };
        if is_banned(&inner, addr.ip()) {
            tracing::debug!("p2p: refusing banned {addr}");
            continue;
        }
        let n_in = inner
            .conns
            .lock()
            .expect("conns")
            .values()
            .filter(|c| c.incoming)
            .count();
        if n_in >= inner.cfg.max_in {
            continue;
        }
        let i = inner.clone();
        let _ = std::thread::Builder::new()
            .name("p2p-inbound".into())
            .spawn(move || {
                if let Err(e) = accept_one(&i, s, addr) {
                    tracing::info!("p2p: inbound {addr}: {e}");
                    if is_protocol_fault(&e) {
                        add_fail(&i, addr.ip());
                    }
                }
            });
    }
}

fn accept_one(inner: &Arc<Inner>, mut s: TcpStream, addr: SocketAddr) -> Result<(), P2pError> {
    s.set_read_timeout(Some(inner.cfg.handshake_timeout))
        .map_err(WireError::Io)?;
    let f = Frame::read_from(&mut s, MAX_PACKET_BEFORE_HANDSHAKE)?;
    if f.is_response() || !f.header.expects_response {
        return Err(P2pError::Peer {
            addr,
            reason: "first message is not a request".into(),
        });
    }
    match f.header.command {
        // oxend checks that we are reachable with a ping on a fresh connection, then closes it.
        COMMAND_PING => {
            answer_p2p_request(inner, &mut s, &f)?;
            Ok(())
        }
        COMMAND_HANDSHAKE => {
            let b = body_of(&f)?;
            let node = NodeData::from_section(b.object("node_data")?)?;
            check_node(inner, addr, &node)?;
            let sync = CoreSyncData::from_section(b.object("payload_data")?)?;
            let peers = inner.peers.lock().expect("peers").to_share(250);
            let reply = handshake_response(&our_node_data(inner), &(inner.sync_data)(), &peers);
            Frame::response(COMMAND_HANDSHAKE, epee::to_bytes(&reply)?, 1)
                .write_to(&mut s)
                .map_err(WireError::Io)?;
            register(inner, s, addr, true, node.peer_id, sync);
            Ok(())
        }
        _ => Err(P2pError::Peer {
            addr,
            reason: format!("command {} before the handshake", f.header.command),
        }),
    }
}

/// Connects to `addr` and runs the handshake; on success the connection is registered.
fn connect_one(inner: &Arc<Inner>, addr: SocketAddr) -> Result<(), P2pError> {
    let io = |e: std::io::Error| P2pError::Peer {
        addr,
        reason: e.to_string(),
    };
    let mut s = TcpStream::connect_timeout(&addr, inner.cfg.connect_timeout).map_err(io)?;
    s.set_read_timeout(Some(inner.cfg.handshake_timeout))
        .map_err(io)?;
    let _ = s.set_nodelay(true);
    let req = handshake_request(&our_node_data(inner), &(inner.sync_data)());
    Frame::request(COMMAND_HANDSHAKE, epee::to_bytes(&req)?, true)
        .write_to(&mut s)
        .map_err(io)?;
    let deadline = Instant::now() + inner.cfg.handshake_timeout;
    loop {
        if Instant::now() > deadline {
            return Err(P2pError::Peer {
                addr,
                reason: "handshake timed out".into(),
            });
        }
        let f = Frame::read_from(&mut s, MAX_PACKET_BEFORE_HANDSHAKE)?;
        if answer_p2p_request(inner, &mut s, &f)? {
            continue;
        }
        if f.is_response() && f.header.command == COMMAND_HANDSHAKE {
            if f.header.return_code < 0 {
                return Err(P2pError::Peer {
                    addr,
                    reason: format!("handshake refused (levin code {})", f.header.return_code),
                });
            }
            let b = body_of(&f)?;
            let node = NodeData::from_section(b.object("node_data")?)?;
            check_node(inner, addr, &node)?;
            let sync = CoreSyncData::from_section(b.object("payload_data")?)?;
            learn_peers(inner, &b);
            inner.peers.lock().expect("peers").add_white(PeerEntry {
                addr,
                id: node.peer_id,
                last_seen: now_unix(),
                pruning_seed: sync.pruning_seed,
            });
            register(inner, s, addr, false, node.peer_id, sync);
            return Ok(());
        }
    }
}

fn sleep_unless_shutdown(inner: &Inner, d: Duration) {
    let end = Instant::now() + d;
    while Instant::now() < end && !inner.shutdown.load(Ordering::SeqCst) {
        std::thread::sleep(
            Duration::from_millis(50).min(end.saturating_duration_since(Instant::now())),
        );
    }
}

fn connector(inner: Arc<Inner>) {
    while !inner.shutdown.load(Ordering::SeqCst) {
        let connected: Vec<SocketAddr> = inner
            .conns
            .lock()
            .expect("conns")
            .values()
            .map(|c| c.addr)
            .collect();
        let n_out = inner
            .conns
            .lock()
            .expect("conns")
            .values()
            .filter(|c| !c.incoming)
            .count();
        let cfg = &inner.cfg;
        let mut wanted: Vec<SocketAddr> = Vec::new();
        if !cfg.exclusive_nodes.is_empty() {
            wanted.extend(&cfg.exclusive_nodes);
        } else {
            wanted.extend(&cfg.priority_nodes);
            let pl = inner.peers.lock().expect("peers");
            wanted.extend(pl.white().map(|p| p.addr));
            wanted.extend(pl.gray().map(|p| p.addr));
            if pl.is_empty() {
                wanted.extend(&cfg.seed_nodes);
            }
        }
        let mut budget = if cfg.exclusive_nodes.is_empty() {
            cfg.max_out.saturating_sub(n_out)
        } else {
            usize::MAX
        };
        for a in wanted {
            if budget == 0 || inner.shutdown.load(Ordering::SeqCst) {
                break;
            }
            let is_priority = cfg.priority_nodes.contains(&a) || cfg.exclusive_nodes.contains(&a);
            if connected.contains(&a) || is_banned(&inner, a.ip()) {
                continue;
            }
            match connect_one(&inner, a) {
                Ok(()) => budget = budget.saturating_sub(1),
                Err(e) => {
                    tracing::info!("p2p: {e}");
                    if matches!(
                        e,
                        P2pError::Wire(
                            WireError::Decode(_) | WireError::Field(_) | WireError::TooLarge { .. }
                        )
                    ) {
                        add_fail(&inner, a.ip());
                    }
                    if !is_priority {
                        inner.peers.lock().expect("peers").remove(a);
                    }
                }
            }
        }
        sleep_unless_shutdown(&inner, cfg.reconnect_interval);
    }
}

fn housekeeping(inner: Arc<Inner>) {
    while !inner.shutdown.load(Ordering::SeqCst) {
        let conns: Vec<Arc<Conn>> = inner
            .conns
            .lock()
            .expect("conns")
            .values()
            .cloned()
            .collect();
        for c in conns {
            let (idle, due) = {
                let st = c.stats.lock().expect("stats");
                (
                    st.last_recv.elapsed() > inner.cfg.idle_timeout,
                    st.last_timed_sync.elapsed() > inner.cfg.timed_sync_interval,
                )
            };
            if idle {
                tracing::info!(
                    "p2p: {} idle for {}s; closing",
                    c.addr,
                    inner.cfg.idle_timeout.as_secs()
                );
                c.close();
                continue;
            }
            if due {
                c.stats.lock().expect("stats").last_timed_sync = Instant::now();
                let req = timed_sync_request(&(inner.sync_data)());
                if let Ok(b) = epee::to_bytes(&req) {
                    if c.write(&Frame::request(COMMAND_TIMED_SYNC, b, true))
                        .is_err()
                    {
                        c.close();
                    }
                }
            }
        }
        inner
            .bans
            .lock()
            .expect("bans")
            .retain(|_, t| *t > Instant::now());
        sleep_unless_shutdown(&inner, Duration::from_millis(500));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oxend_peer_options_fill_the_config() {
        let mut c = P2pConfig::new([0; 16]);
        for (k, v) in [
            ("p2p-bind-ip", "127.0.0.1"),
            ("--p2p-bind-port", "11122"),
            ("add-exclusive-node", "127.0.0.2"),
            ("add-priority-node", "127.0.0.3:1234"),
            ("add-peer", "[::1]:5"),
            ("seed-node", "127.0.0.4:6"),
            ("hide-my-port", "1"),
            ("out-peers", "3"),
            ("in-peers", "4"),
        ] {
            assert!(c.apply_option(k, v, 11022).unwrap(), "{k}");
        }
        assert_eq!(c.bind, Some("127.0.0.1:11122".parse().unwrap()));
        assert_eq!(c.exclusive_nodes, vec!["127.0.0.2:11022".parse().unwrap()]);
        assert_eq!(c.priority_nodes, vec!["127.0.0.3:1234".parse().unwrap()]);
        assert_eq!(c.add_peers, vec!["[::1]:5".parse().unwrap()]);
        assert_eq!(c.seed_nodes, vec!["127.0.0.4:6".parse().unwrap()]);
        assert!(c.hide_my_port);
        assert_eq!((c.max_out, c.max_in), (3, 4));
        assert!(!c.apply_option("rpc-admin", "127.0.0.1:1", 11022).unwrap());
        let e = c
            .apply_option("add-peer", "seed.example.org", 11022)
            .unwrap_err();
        assert_eq!(e.option, "add-peer");
        assert!(e.to_string().contains("host names are not resolved"), "{e}");
    }
}
