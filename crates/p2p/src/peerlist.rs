//! Bounded white (handshaked) and gray (heard of) peer lists, as oxend's `net_peerlist` keeps
//! them (1000 white, 5000 gray), saved to and loaded from a small text file.

use std::collections::VecDeque;
use std::io::Write;
use std::net::SocketAddr;
use std::path::Path;

use crate::messages::PeerEntry;

pub const WHITE_MAX: usize = 1000;
pub const GRAY_MAX: usize = 5000;

#[derive(Debug, Default, Clone)]
pub struct PeerList {
    white: VecDeque<PeerEntry>,
    gray: VecDeque<PeerEntry>,
}

fn upsert(list: &mut VecDeque<PeerEntry>, e: PeerEntry, max: usize) {
    list.retain(|p| p.addr != e.addr);
    list.push_front(e);
    list.truncate(max);
}

impl PeerList {
    /// A peer we completed a handshake with.
    pub fn add_white(&mut self, e: PeerEntry) {
        self.gray.retain(|p| p.addr != e.addr);
        upsert(&mut self.white, e, WHITE_MAX);
    }

    /// A peer another node told us about (unless we already know it as white).
    pub fn add_gray(&mut self, e: PeerEntry) {
        if self.white.iter().any(|p| p.addr == e.addr) {
            return;
        }
        upsert(&mut self.gray, e, GRAY_MAX);
    }

    pub fn remove(&mut self, addr: SocketAddr) {
        self.white.retain(|p| p.addr != addr);
        self.gray.retain(|p| p.addr != addr);
    }

    pub fn white(&self) -> impl Iterator<Item = &PeerEntry> {
        self.white.iter()
    }

    pub fn gray(&self) -> impl Iterator<Item = &PeerEntry> {
        self.gray.iter()
    }

    pub fn len(&self) -> (usize, usize) {
        (self.white.len(), self.gray.len())
    }

    pub fn is_empty(&self) -> bool {
        self.white.is_empty() && self.gray.is_empty()
    }

    /// Up to `n` white peers to send in handshakes and timed syncs.
    pub fn to_share(&self, n: usize) -> Vec<PeerEntry> {
        self.white.iter().take(n).cloned().collect()
    }

    /// Writes `white|gray addr id last_seen` lines to `path` atomically (temp file + rename).
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        let tmp = path.with_extension("tmp");
        let mut f = std::fs::File::create(&tmp)?;
        for (kind, list) in [("white", &self.white), ("gray", &self.gray)] {
            for p in list {
                writeln!(f, "{kind} {} {:016x} {}", p.addr, p.id, p.last_seen)?;
            }
        }
        f.sync_all()?;
        std::fs::rename(tmp, path)
    }

    /// Loads a file written by [`PeerList::save`]; unreadable lines are skipped.
    pub fn load(path: &Path) -> std::io::Result<Self> {
        let mut pl = PeerList::default();
        for line in std::fs::read_to_string(path)?.lines() {
            let f: Vec<&str> = line.split_whitespace().collect();
            let [kind, addr, id, seen] = f[..] else {
                continue;
            };
            let (Ok(addr), Ok(id), Ok(last_seen)) = (
                addr.parse(),
                u64::from_str_radix(id, 16),
                seen.parse::<i64>(),
            ) else {
                continue;
            };
            let e = PeerEntry {
                addr,
                id,
                last_seen,
                pruning_seed: 0,
            };
            match kind {
                "white" => pl.white.push_back(e),
                "gray" => pl.gray.push_back(e),
                _ => {}
            }
        }
        pl.white.truncate(WHITE_MAX);
        pl.gray.truncate(GRAY_MAX);
        Ok(pl)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(port: u16) -> PeerEntry {
        PeerEntry {
            addr: SocketAddr::from(([127, 0, 0, 1], port)),
            id: port.into(),
            last_seen: 1,
            pruning_seed: 0,
        }
    }

    #[test]
    fn lists_are_bounded_and_white_wins_over_gray() {
        let mut pl = PeerList::default();
        for p in 0..(GRAY_MAX as u16 + 10) {
            pl.add_gray(e(p));
        }
        assert_eq!(pl.len().1, GRAY_MAX);
        pl.add_white(e(GRAY_MAX as u16 + 9));
        assert!(pl.gray().all(|p| p.addr.port() != GRAY_MAX as u16 + 9));
        pl.add_gray(e(GRAY_MAX as u16 + 9));
        assert_eq!(pl.len(), (1, GRAY_MAX - 1));
    }

    #[test]
    fn save_and_load_round_trip() {
        let dir = std::env::temp_dir().join(format!("snode-p2p-pl-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("peers.txt");
        let mut pl = PeerList::default();
        pl.add_white(e(1));
        pl.add_gray(e(2));
        pl.save(&path).unwrap();
        let back = PeerList::load(&path).unwrap();
        assert_eq!(back.white().cloned().collect::<Vec<_>>(), vec![e(1)]);
        assert_eq!(back.gray().cloned().collect::<Vec<_>>(), vec![e(2)]);
        std::fs::remove_dir_all(dir).unwrap();
    }
}
