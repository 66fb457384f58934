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

/// Whether a path segment or bare query token looks like an API key: a long run of
/// token characters (Alchemy `/v2/<key>`, Infura `/v3/<32 hex>`, QuickNode `/<40 hex>/`).
fn looks_secret(segment: &str) -> bool {
    let token = segment
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '~' | '%' | '='));
    let digits = segment.chars().any(|c| c.is_ascii_digit());
    let letters = segment.chars().any(|c| c.is_ascii_alphabetic());
    token && (segment.len() >= 20 || (segment.len() >= 12 && digits && letters))
}

/// A printable form of `url` with the user info, query values, fragment and every
/// path segment that looks like an API key replaced by `***`.
///
/// Text that is not `scheme://…` is not shown at all.
///
/// ```
/// use snode_conf::redact_url;
/// assert_eq!(redact_url("https://arb-sepolia.g.alchemy.com/v2/Zx9aQ2mK7vB4nR8tL1pW3yE6"),
///            "https://arb-sepolia.g.alchemy.com/v2/***");
/// assert_eq!(redact_url("https://user:pass@rpc.example/rpc?key=abc&x=1"),
///            "https://***@rpc.example/rpc?key=***&x=***");
/// ```
pub fn redact_url(url: &str) -> String {
    let Some(p) = split(url) else {
        return format!("<not a URL, {} characters hidden>", url.chars().count());
    };
    let mut out = format!("{}://", p.scheme);
    if p.userinfo.is_some() {
        out.push_str(HIDDEN);
        out.push('@');
    }
    out.push_str(p.host);
    let segments: Vec<&str> = p
        .path
        .split('/')
        .map(|s| if looks_secret(s) { HIDDEN } else { s })
        .collect();
    out.push_str(&segments.join("/"));
    if let Some(q) = p.query {
        out.push('?');
        let params: Vec<String> = q
            .split('&')
            .map(|kv| match kv.split_once('=') {
                Some((k, _)) if !looks_secret(k) => format!("{k}={HIDDEN}"),
                _ if kv.is_empty() => String::new(),
                _ => HIDDEN.to_string(),
            })
            .collect();
        out.push_str(&params.join("&"));
    }
    if p.fragment.is_some() {
        out.push('#');
        out.push_str(HIDDEN);
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
    secrets.extend(p.path.split('/').filter(|s| looks_secret(s)));
    if let Some(q) = p.query {
        for kv in q.split('&') {
            match kv.split_once('=') {
                Some((_, v)) => secrets.push(v),
                None => secrets.push(kv),
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
                "https://arb-sepolia.g.alchemy.com/v2/***",
            ),
            (
                "https://arbitrum-sepolia.infura.io/v3/0123456789abcdef0123456789abcdef",
                "https://arbitrum-sepolia.infura.io/v3/***",
            ),
            (
                "https://wispy-sleek-moon.arbitrum-sepolia.quiknode.pro/0123456789abcdef0123456789abcdef01234567/",
                "https://wispy-sleek-moon.arbitrum-sepolia.quiknode.pro/***/",
            ),
            ("https://sepolia-rollup.arbitrum.io/rpc", "https://sepolia-rollup.arbitrum.io/rpc"),
            ("http://127.0.0.1:8545", "http://127.0.0.1:8545"),
            ("https://u:p@h/x?a=1&b=2#frag", "https://***@h/x?a=***&b=***#***"),
            ("https://h/p%2Fq?token", "https://h/p%2Fq?***"),
        ];
        for (url, want) in cases {
            assert_eq!(redact_url(url), want, "{url}");
        }
        assert_eq!(
            redact_url("garbage secret"),
            "<not a URL, 14 characters hidden>"
        );
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
        assert!(s.contains("https://***@h.example/v2/***?k=***"), "{s}");
    }
}
