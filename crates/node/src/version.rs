//! The daemon's version and banner.

/// The daemon's version (`get_info.version`, `STATUS=`).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// `oxend-stagenet (v<version>)`, the first line of `help` and `--version`.
pub fn banner() -> String {
    format!("oxend-stagenet (v{VERSION})")
}
