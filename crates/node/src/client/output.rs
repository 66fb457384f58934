//! Where the client's output goes: stdout (green when a terminal) and stderr
//! for errors (red when a terminal), as docs/compat/rpc-and-client.md says.

use std::io::{IsTerminal, Write};

/// The client's output streams.
pub struct Out {
    colour_out: bool,
    colour_err: bool,
}

impl Default for Out {
    fn default() -> Out {
        Out {
            colour_out: std::io::stdout().is_terminal(),
            colour_err: std::io::stderr().is_terminal(),
        }
    }
}

impl Out {
    /// Plain output, no colour (tests).
    pub fn plain() -> Out {
        Out {
            colour_out: false,
            colour_err: false,
        }
    }

    /// A success message (green on a terminal), followed by a newline.
    pub fn success(&self, text: &str) {
        let mut o = std::io::stdout().lock();
        let _ = if self.colour_out {
            writeln!(o, "\x1b[32m{text}\x1b[0m")
        } else {
            writeln!(o, "{text}")
        };
    }

    /// An uncoloured message.
    pub fn msg(&self, text: &str) {
        let _ = writeln!(std::io::stdout().lock(), "{text}");
    }

    /// `Error: <text>` on stderr (red on a terminal).
    pub fn fail(&self, text: &str) {
        let mut e = std::io::stderr().lock();
        let _ = if self.colour_err {
            writeln!(e, "\x1b[31mError: {text}\x1b[0m")
        } else {
            writeln!(e, "Error: {text}")
        };
    }
}
