//! Redaction of provider URLs, which often carry API keys (operators.md P17; DESIGN
//! "URLs of L2 providers may contain API keys: log them redacted").

const HIDDEN: &str = "***";

/// The parts of a URL that may be secret, as byte ranges into the URL.
struct Parts<'a> {
    scheme: &'a str,
    userinfo: Option<&'a str>,
    host: &'a str,
    path: &'a str,
    query: Option<&'a str>,
    fragment: Option<&'a str>,
}

fn split(url: &str) -> Option<Parts<'_>> {
    let (scheme, rest) = url.split_once("://")?;
    if scheme.is_empty()
        || !scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    {
        return None;
    }
    let (rest, fragment) = match rest.split_once('#') {
        Some((r, f)) => (r, Some(f)),
        None => (rest, None),
    };
    let (rest, query) = match rest.split_once('?') {
        Some((r, q)) => (r, Some(q)),
        None => (rest, None),
    };
    let (authority, path) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let (userinfo, host) = match authority.rsplit_once('@') {
        Some((u, h)) => (Some(u), h),
        None => (None, authority),
    };
    Some(Parts {
        scheme,
        userinfo,
        host,
        path,
        query,
        fragment,
    })
}

/// A printable form of `url`: `scheme://host[:port]`, followed by `/…` when anything
/// else (user info, a path other than `/`, a query, a fragment) was hidden. This is the
/// form the README promises and snode-l2 uses: whatever part of a URL carries the API
/// key, short or long, it is never shown.
///
/// Text that is not `scheme://host…` is not shown at all.
///
/// ```
/// use snode_conf::redact_url;
/// assert_eq!(redact_url("https://arb-sepolia.g.alchemy.com/v2/Zx9aQ2mK7vB4nR8tL1pW3yE6"),
///            "https://arb-sepolia.g.alchemy.com/…");
/// assert_eq!(redact_url("https://user:pass@rpc.example:8443/rpc?key=abc"),
///            "https://rpc.example:8443/…");
/// assert_eq!(redact_url("http://127.0.0.1:8545/"), "http://127.0.0.1:8545");
/// ```
pub fn redact_url(url: &str) -> String {
    let Some(p) = split(url).filter(|p| !p.host.is_empty()) else {
        return format!("<not a URL, {} characters hidden>", url.chars().count());
    };
    let hidden = p.userinfo.is_some()
        || !(p.path.is_empty() || p.path == "/")
        || p.query.is_some()
        || p.fragment.is_some();
    let mut out = format!("{}://{}", p.scheme.to_ascii_lowercase(), p.host);
    if hidden {
        out.push_str("/…");
    }
    out
}

/// Replaces, in `text` (an error message from an HTTP library, a provider's reply…),
/// the URL and each of its secret parts by their redacted forms.
pub fn scrub_secrets(text: &str, url: &str) -> String {
    let mut out = text.replace(url, &redact_url(url));
    let Some(p) = split(url) else {
        return out;
    };
    let mut secrets: Vec<&str> = Vec::new();
    if let Some(u) = p.userinfo {
        secrets.push(u);
        secrets.extend(u.split(':'));
    }
    secrets.extend(p.fragment);
    // Every part that redact_url hides, down to short segments (`/rpc/mysecretkey`).
    if !(p.path.is_empty() || p.path == "/") {
        secrets.push(p.path);
    }
    secrets.extend(p.path.split('/'));
    secrets.extend(p.query);
    if let Some(q) = p.query {
        for kv in q.split('&') {
            secrets.push(kv);
            if let Some((k, v)) = kv.split_once('=') {
                secrets.extend([k, v]);
            }
        }
    }
    // Longest first, so a secret that contains another is replaced whole.
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    for s in secrets.into_iter().filter(|s| s.len() >= 4) {
        out = out.replace(s, HIDDEN);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn providers() {
        let cases = [
            (
                "https://arb-sepolia.g.alchemy.com/v2/abcdEFGH1234ijklMNOP5678qrst",
                "https://arb-sepolia.g.alchemy.com/…",
            ),
            (
                "https://arbitrum-sepolia.infura.io/v3/0123456789abcdef0123456789abcdef",
                "https://arbitrum-sepolia.infura.io/…",
            ),
            (
                "https://wispy-sleek-moon.arbitrum-sepolia.quiknode.pro/0123456789abcdef0123456789abcdef01234567/",
                "https://wispy-sleek-moon.arbitrum-sepolia.quiknode.pro/…",
            ),
            // Short keys are hidden as surely as long ones.
            ("https://rpc.example/rpc/mysecretkey", "https://rpc.example/…"),
            ("https://rpc.example/k3y", "https://rpc.example/…"),
            ("https://rpc.example/?k", "https://rpc.example/…"),
            ("https://rpc.example#k", "https://rpc.example/…"),
            ("https://u@rpc.example", "https://rpc.example/…"),
            ("https://sepolia-rollup.arbitrum.io/rpc", "https://sepolia-rollup.arbitrum.io/…"),
            ("http://127.0.0.1:8545", "http://127.0.0.1:8545"),
            ("http://127.0.0.1:8545/", "http://127.0.0.1:8545"),
            ("HTTPS://[::1]:8545/x", "https://[::1]:8545/…"),
            ("https://u:p@h/x?a=1&b=2#frag", "https://h/…"),
        ];
        for (url, want) in cases {
            assert_eq!(redact_url(url), want, "{url}");
        }
        for bad in ["garbage secret", "https:///secret", "://x"] {
            assert_eq!(
                redact_url(bad),
                format!("<not a URL, {} characters hidden>", bad.chars().count())
            );
        }
    }

    #[test]
    fn scrub() {
        let url = "https://user:hunter22@h.example/v2/abcdEFGH1234ijklMNOP5678qrst?k=sekrit99";
        let msg =
            format!("error sending to {url}: key abcdEFGH1234ijklMNOP5678qrst, hunter22, sekrit99");
        let s = scrub_secrets(&msg, url);
        for secret in ["abcdEFGH1234ijklMNOP5678qrst", "hunter22", "sekrit99"] {
            assert!(!s.contains(secret), "{s}");
        }
        assert!(s.contains("error sending to https://h.example/…:"), "{s}");

        // Short path and query parts are scrubbed too, wherever they appear.
        let url = "https://rpc.example/rpc/mysecretkey?tok=abcd";
        let s = scrub_secrets(
            "GET rpc.example/rpc/mysecretkey failed; key mysecretkey; abcd",
            url,
        );
        assert!(!s.contains("mysecretkey") && !s.contains("abcd"), "{s}");
    }
}
