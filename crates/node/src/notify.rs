//! systemd notifications (docs/compat/systemd-and-package.md): `READY=1` once the admin RPC listens,
//! `WATCHDOG=1` + `STATUS=` from the main loop, `STOPPING=1` on the way out.
//! Without a notification socket every call does nothing.
//!
//! [`Notifier`] sends to the socket named by `NOTIFY_SOCKET` (a path, or
//! `@name` for an abstract socket) or to one given by the caller, so a test
//! can run the daemon in-process with its own socket.

use std::ffi::OsString;
use std::io;
use std::os::unix::net::UnixDatagram;
use std::time::Duration;

use sd_notify::NotifyState;

/// How often the main loop pings the watchdog and refreshes `STATUS=` (docs/compat/systemd-and-package.md).
pub const WATCHDOG_INTERVAL: Duration = Duration::from_secs(10);

/// Where notifications go.
#[derive(Clone, Debug, Default)]
pub struct Notifier {
    socket: Option<OsString>,
}

impl Notifier {
    /// The socket of `NOTIFY_SOCKET`, if set (as under systemd `Type=notify`).
    pub fn from_env() -> Notifier {
        Notifier {
            socket: std::env::var_os("NOTIFY_SOCKET").filter(|s| !s.is_empty()),
        }
    }

    /// This socket (a path, or `@name` for an abstract socket).
    pub fn to(socket: impl Into<OsString>) -> Notifier {
        Notifier {
            socket: Some(socket.into()),
        }
    }

    fn try_send(&self, socket: &OsString, msg: &str) -> io::Result<()> {
        let sock = UnixDatagram::unbound()?;
        let bytes = socket.as_encoded_bytes();
        let sent = match bytes.strip_prefix(b"@") {
            Some(name) => {
                use std::os::linux::net::SocketAddrExt;
                let addr = std::os::unix::net::SocketAddr::from_abstract_name(name)?;
                sock.send_to_addr(msg.as_bytes(), &addr)?
            }
            None => sock.send_to(msg.as_bytes(), socket)?,
        };
        if sent != msg.len() {
            return Err(io::Error::new(io::ErrorKind::WriteZero, "incomplete write"));
        }
        Ok(())
    }

    fn send(&self, states: &[NotifyState]) {
        let Some(socket) = &self.socket else {
            return;
        };
        let msg: String = states.iter().map(|s| format!("{s}\n")).collect();
        if let Err(e) = self.try_send(socket, &msg) {
            tracing::warn!(target: "daemon", "cannot notify systemd: {e}");
        }
    }

    /// `READY=1` with the status line.
    pub fn ready(&self, status: &str) {
        self.send(&[NotifyState::Ready, NotifyState::Status(status)]);
    }

    /// `WATCHDOG=1` with the status line.
    pub fn watchdog(&self, status: &str) {
        self.send(&[NotifyState::Watchdog, NotifyState::Status(status)]);
    }

    /// `STATUS=` alone (e.g. why startup failed, for `systemctl status`).
    pub fn status(&self, status: &str) {
        self.send(&[NotifyState::Status(status)]);
    }

    /// `STOPPING=1` with `STATUS=Shutting down`.
    pub fn stopping(&self) {
        self.send(&[NotifyState::Stopping, NotifyState::Status("Shutting down")]);
    }
}

/// `STATUS=` alone, to `NOTIFY_SOCKET`.
pub fn status(status: &str) {
    Notifier::from_env().status(status);
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
