//! Reading a secret and confirmations from the operator.
//!
//! On a terminal the secret is read with echo off; otherwise it is read from
//! standard input, so `printf %s "$HEX" | oxen-sn-keys-snapshot restore-bls
//! key_bls` works in scripts.

use std::io::{BufRead, IsTerminal, Read};

use rustix::termios::{self, LocalModes, OptionalActions};
use zeroize::Zeroizing;

/// Longest line accepted as a secret (`0x` + 128 hex, whitespace, newline).
const MAX_LINE: u64 = 256;

pub fn stdin_is_terminal() -> bool {
    std::io::stdin().is_terminal()
}

/// Restores the terminal's echo when dropped.
struct EchoOff {
    saved: Option<termios::Termios>,
}

impl EchoOff {
    fn new() -> Self {
        let stdin = std::io::stdin();
        let Ok(saved) = termios::tcgetattr(&stdin) else {
            return Self { saved: None };
        };
        let mut quiet = saved.clone();
        quiet.local_modes.remove(LocalModes::ECHO);
        quiet.local_modes.insert(LocalModes::ECHONL);
        if termios::tcsetattr(&stdin, OptionalActions::Flush, &quiet).is_err() {
            return Self { saved: None };
        }
        Self { saved: Some(saved) }
    }
}

impl Drop for EchoOff {
    fn drop(&mut self) {
        if let Some(saved) = &self.saved {
            let _ = termios::tcsetattr(std::io::stdin(), OptionalActions::Flush, saved);
        }
    }
}

/// Reads one line (without its line ending) into a zeroizing buffer; `None`
/// on end of input, on a read error, or when the line is too long.
fn read_line() -> Option<Zeroizing<Vec<u8>>> {
    let mut buf = Zeroizing::new(Vec::with_capacity(MAX_LINE as usize + 1));
    let stdin = std::io::stdin();
    let mut limited = stdin.lock().take(MAX_LINE + 1);
    match limited.read_until(b'\n', &mut buf) {
        Ok(0) | Err(_) => return None,
        Ok(_) => {}
    }
    if buf.len() as u64 > MAX_LINE {
        return None;
    }
    while matches!(buf.last(), Some(b'\n' | b'\r')) {
        buf.pop();
    }
    Some(buf)
}

/// Reads the secret. On a terminal, echo is switched off first and only then
/// is `prompt` shown, so nothing typed after the prompt can be echoed.
pub fn read_secret(prompt: &str) -> Option<Zeroizing<Vec<u8>>> {
    let _echo = stdin_is_terminal().then(|| {
        let guard = EchoOff::new();
        crate::output::out(prompt);
        guard
    });
    read_line()
}

/// Waits for Enter; false on end of input (upstream's "Press Enter to
/// continue, Ctrl-C to cancel").
pub fn wait_for_enter() -> bool {
    read_line().is_some()
}

/// Asks a yes/no question on the terminal; anything but y/yes is no.
pub fn confirm() -> bool {
    read_line().is_some_and(|answer| {
        let answer = String::from_utf8_lossy(&answer).trim().to_ascii_lowercase();
        answer == "y" || answer == "yes"
    })
}
