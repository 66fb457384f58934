//! Errors and the place a value came from.

use std::fmt;
use std::io;
use std::path::PathBuf;

/// Where an option's value came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// The built-in (upstream) default.
    Default,
    /// The command line (or a caller acting for it).
    CommandLine,
    /// A config file: its name as given to [`crate::parse`] and the 1-based line.
    File {
        /// Source name, usually the path.
        source: String,
        /// 1-based line number.
        line: usize,
    },
}

impl Origin {
    /// The line number, for values that came from a file.
    pub fn line(&self) -> Option<usize> {
        match self {
            Origin::File { line, .. } => Some(*line),
            _ => None,
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Default => f.write_str("default"),
            Origin::CommandLine => f.write_str("command line"),
            Origin::File { source, line } => write!(f, "{source}:{line}"),
        }
    }
}

/// Everything that can go wrong reading, editing or writing a config file.
///
/// Values of secret options (provider URLs, `rpc-login`) appear redacted.
#[derive(Debug, thiserror::Error)]
pub enum ConfError {
    /// A line that is not `name=value`, a comment, a blank line or a `[section]`.
    #[error("{origin}: this line is not `name=value`, a `# comment` or a `[section]` header; fix it or comment it out")]
    Syntax {
        /// Where.
        origin: Origin,
    },
    /// An option oxend does not know.
    #[error("{origin}: unrecognised option '{name}'; check its spelling (see `oxen-sn-config show --effective`) or remove the line")]
    UnknownOption {
        /// Where.
        origin: Origin,
        /// The option name as written (with any `section.` prefix).
        name: String,
    },
    /// An option that only the command line accepts (`config-file`, `non-interactive`…).
    #[error("{origin}: option '{name}' is not accepted in a config file; give it on the command line instead")]
    CommandLineOnly {
        /// Where.
        origin: Origin,
        /// The option.
        name: String,
    },
    /// A single-valued option given twice in one source.
    #[error("{origin}: option '{name}' cannot be specified more than once (already set at {first}); keep one of the two lines")]
    Repeated {
        /// The second occurrence.
        origin: Origin,
        /// The first occurrence.
        first: Origin,
        /// The option.
        name: String,
    },
    /// A value of the wrong type.
    #[error("{origin}: invalid value '{value}' for option '{name}': {reason}")]
    InvalidValue {
        /// Where.
        origin: Origin,
        /// The option.
        name: String,
        /// The value (redacted when the option is secret).
        value: String,
        /// What was expected.
        reason: String,
    },
    /// A value the file format cannot carry unchanged; nothing was written.
    #[error("refusing to write '{value}' as {name}: {reason}")]
    UnsafeValue {
        /// The option.
        name: String,
        /// The value (redacted when the option is secret).
        value: String,
        /// Why, and what to do.
        reason: String,
    },
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: io::Error,
    },
    /// The file is not UTF-8 text.
    #[error("{path} is not UTF-8 text; config files are plain text")]
    NotUtf8 {
        /// The file.
        path: PathBuf,
    },
    /// The file could not be written; the old file, if any, is unchanged.
    #[error("cannot write {path}: {source}; the existing file was left unchanged")]
    Write {
        /// The file (or its temporary sibling, or its directory).
        path: PathBuf,
        /// The cause.
        #[source]
        source: io::Error,
    },
    /// The new file could not be given the group it must have, so it was not installed.
    #[error(
        "cannot give {path} to group id {gid} ({source}), which the daemon needs to read it; \
         the existing file was left unchanged"
    )]
    Group {
        /// The file.
        path: PathBuf,
        /// The group id required.
        gid: u32,
        /// The cause.
        #[source]
        source: io::Error,
    },
}

impl ConfError {
    /// The line the error is about, when it is about a line of a file.
    pub fn line(&self) -> Option<usize> {
        match self {
            ConfError::Syntax { origin }
            | ConfError::UnknownOption { origin, .. }
            | ConfError::CommandLineOnly { origin, .. }
            | ConfError::Repeated { origin, .. }
            | ConfError::InvalidValue { origin, .. } => origin.line(),
            _ => None,
        }
    }
}
