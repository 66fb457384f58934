//! Where text goes and how it is coloured.

use std::io::{IsTerminal, Write};

const BOLD_RED: &str = "\x1b[1m\x1b[31m";
const BOLD_GREEN: &str = "\x1b[1m\x1b[32m";
const RESET: &str = "\x1b[0m";

/// Prints plain text to stdout.
pub fn out(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes());
    let _ = stdout.flush();
}

/// Prints `⏎<text>` then `end` to stdout, the text bold green on a terminal.
fn green(text: &str, end: &str) {
    if std::io::stdout().is_terminal() {
        out(&format!("\n{BOLD_GREEN}{text}{RESET}{end}"));
    } else {
        out(&format!("\n{text}{end}"));
    }
}

/// Prints a success line to stdout: `⏎<text>⏎⏎`, bold green on a terminal.
pub fn success(text: &str) {
    green(text, "\n\n");
}

/// Prints a success line to stdout with one newline after it:
/// `⏎<text>⏎` (restore's "Saved secret key to …", docs/compat/keys.md).
pub fn success_line(text: &str) {
    green(text, "\n");
}

/// Prints a note to stdout (after the success line: backup, owner).
pub fn note(text: &str) {
    out(&format!("{text}\n"));
}

/// Prints an error or warning to stderr: `⏎<text>⏎⏎`, bold red on a terminal.
pub fn error(text: &str) {
    let mut stderr = std::io::stderr().lock();
    let msg = if std::io::stderr().is_terminal() {
        format!("\n{BOLD_RED}{text}{RESET}\n\n")
    } else {
        format!("\n{text}\n\n")
    };
    let _ = stderr.write_all(msg.as_bytes());
    let _ = stderr.flush();
}
