//! Provider URLs, which often carry API keys in their path, query or userinfo.
//!
//! [`ProviderUrl`] keeps the full URL for requests but only ever shows its
//! redacted form, `scheme://host[:port]/…`, through `Display`, `Debug` and
//! serde. `…` marks that something (userinfo, path, query, fragment) was hidden.

use std::fmt;

/// An L2 provider URL. The full text is reachable only through
/// [`ProviderUrl::expose`], which the transport uses to send requests.
#[derive(Clone, PartialEq, Eq)]
pub struct ProviderUrl {
    full: String,
    redacted: String,
}

impl ProviderUrl {
    /// Wraps a URL as given in `l2-provider` (surrounding whitespace trimmed).
    pub fn new(url: &str) -> Self {
        let full = url.trim().to_string();
        // the project's one redaction (snode-conf): `<not a URL, N characters
        // hidden>` for text that is not `scheme://host` (a bare key, a piece of
        // a password)
        let redacted = snode_conf::redact_url(&full);
        Self { full, redacted }
    }

    /// The URL as configured, API keys included. Never log this.
    pub fn expose(&self) -> &str {
        &self.full
    }

    /// `scheme://host[:port]` plus `/…` when anything else was hidden.
    pub fn redacted(&self) -> &str {
        &self.redacted
    }
}

impl fmt::Display for ProviderUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted)
    }
}

impl fmt::Debug for ProviderUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ProviderUrl({})", self.redacted)
    }
}

impl serde::Serialize for ProviderUrl {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.redacted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hides_keys_everywhere() {
        let cases = [
            (
                "https://arb-sepolia.g.alchemy.com/v2/SECRETKEY",
                "https://arb-sepolia.g.alchemy.com/…",
            ),
            ("http://127.0.0.1:8545", "http://127.0.0.1:8545"),
            ("http://127.0.0.1:8545/", "http://127.0.0.1:8545"),
            (
                "https://user:SECRET@host.example:443/x",
                "https://host.example:443/…",
            ),
            (
                "https://host.example/?apikey=SECRET",
                "https://host.example/…",
            ),
            ("http://[::1]:8545/SECRET#frag", "http://[::1]:8545/…"),
            (
                "https://user:SE/CRET@host.example/x",
                "https://host.example/…",
            ),
            ("SECRET", "<not a URL, 6 characters hidden>"),
            ("https:///SECRET", "<not a URL, 15 characters hidden>"),
        ];
        for (url, want) in cases {
            let u = ProviderUrl::new(url);
            assert_eq!(u.to_string(), want, "{url}");
            assert!(!format!("{u:?}").contains("SECRET"));
            assert!(!serde_json::to_string(&u).unwrap().contains("SECRET"));
            assert_eq!(u.expose(), url);
        }
    }
}
