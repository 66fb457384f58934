//! The daemon's stop switch: set by SIGTERM/SIGINT (the binary's signal
//! handler), by the `stop_daemon` RPC, or by a test; waited on by the main loop.

use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

/// A cloneable one-way switch: once triggered, it stays triggered.
#[derive(Clone, Debug, Default)]
pub struct Shutdown {
    inner: Arc<(Mutex<Option<String>>, Condvar)>,
}

impl Shutdown {
    /// A switch that is not triggered.
    pub fn new() -> Shutdown {
        Shutdown::default()
    }

    /// Asks the daemon to stop; `why` is logged (e.g. `SIGTERM`, `stop_daemon RPC`).
    /// Only the first reason is kept.
    pub fn trigger(&self, why: &str) {
        let (lock, cvar) = &*self.inner;
        let mut reason = lock.lock().unwrap_or_else(|e| e.into_inner());
        if reason.is_none() {
            *reason = Some(why.to_string());
        }
        cvar.notify_all();
    }

    /// Why the daemon was asked to stop, if it was.
    pub fn reason(&self) -> Option<String> {
        self.inner
            .0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Waits up to `timeout` for a trigger; returns the reason if triggered.
    pub fn wait_timeout(&self, timeout: Duration) -> Option<String> {
        let (lock, cvar) = &*self.inner;
        let guard = lock.lock().unwrap_or_else(|e| e.into_inner());
        let (guard, _) = cvar
            .wait_timeout_while(guard, timeout, |r| r.is_none())
            .unwrap_or_else(|e| e.into_inner());
        guard.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_reason_wins() {
        let s = Shutdown::new();
        assert_eq!(s.wait_timeout(Duration::from_millis(1)), None);
        let s2 = s.clone();
        std::thread::spawn(move || s2.trigger("test"))
            .join()
            .unwrap();
        s.trigger("later");
        assert_eq!(
            s.wait_timeout(Duration::from_secs(60)).as_deref(),
            Some("test")
        );
        assert_eq!(s.reason().as_deref(), Some("test"));
    }
}
