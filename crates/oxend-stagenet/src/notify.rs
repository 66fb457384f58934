//! systemd notifications (spec §4): `READY=1` once the admin RPC listens,
//! `WATCHDOG=1` + `STATUS=` from the main loop, `STOPPING=1` on the way out.
//! Without `NOTIFY_SOCKET` every call does nothing.

use std::time::Duration;

use sd_notify::NotifyState;

/// How often the main loop pings the watchdog and refreshes `STATUS=` (spec §4).
pub const WATCHDOG_INTERVAL: Duration = Duration::from_secs(10);

fn send(states: &[NotifyState]) {
    if let Err(e) = sd_notify::notify(states) {
        tracing::warn!(target: "daemon", "cannot notify systemd: {e}");
    }
}

/// `READY=1` with the status line.
pub fn ready(status: &str) {
    send(&[NotifyState::Ready, NotifyState::Status(status)]);
}

/// `WATCHDOG=1` with the status line.
pub fn watchdog(status: &str) {
    send(&[NotifyState::Watchdog, NotifyState::Status(status)]);
}

/// `STATUS=` alone (e.g. why startup failed, for `systemctl status`).
pub fn status(status: &str) {
    send(&[NotifyState::Status(status)]);
}

/// `STOPPING=1` with `STATUS=Shutting down`.
pub fn stopping() {
    send(&[NotifyState::Stopping, NotifyState::Status("Shutting down")]);
}

/// The interval to use: `requested` (10 s by default), shortened to half of
/// systemd's `WatchdogSec=` when that is shorter, so a healthy loop always pings
/// in time.
pub fn interval(requested: Duration) -> Duration {
    match sd_notify::watchdog_enabled() {
        Some(w) if w / 2 < requested && !w.is_zero() => w / 2,
        _ => requested,
    }
}
