//! Small formatting helpers of the client's output.

use std::time::{SystemTime, UNIX_EPOCH};

/// `2d3h4m5s`, or `Ns` under a minute (docs/compat/rpc-and-client.md).
pub fn friendly_duration(secs: u64) -> String {
    if secs < 60 {
        return format!("{secs}s");
    }
    let (d, h, m, s) = (secs / 86_400, secs / 3600 % 24, secs / 60 % 60, secs % 60);
    let mut out = String::new();
    if d > 0 {
        out.push_str(&format!("{d}d"));
    }
    if d > 0 || h > 0 {
        out.push_str(&format!("{h}h"));
    }
    out.push_str(&format!("{m}m{s}s"));
    out
}

/// `5s ago`, `3m4s ago`, … from Unix seconds.
pub fn ago(then: u64, now: u64) -> String {
    format!("{} ago", friendly_duration(now.saturating_sub(then)))
}

/// Unix seconds now.
pub fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(friendly_duration(5), "5s");
        assert_eq!(friendly_duration(65), "1m5s");
        assert_eq!(friendly_duration(3 * 86_400 + 4 * 3600 + 5), "3d4h0m5s");
        assert_eq!(friendly_duration(3600), "1h0m0s");
    }
}
