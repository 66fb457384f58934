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

/// Splits `url` into its parts. User info ends at the LAST `@` of the URL, even
/// one after a `/`, `?` or `#`: a password may hold those characters
/// (`https://user:pa/ss@host/x`), and cutting the authority at them first would
/// take part of the password for the host. A URL whose path or query holds an
/// `@` is shown by what follows it, which hides more, never less.
fn split(url: &str) -> Option<Parts<'_>> {
    let (scheme, rest) = url.split_once("://")?;
    if scheme.is_empty()
        || !scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    {
        return None;
    }
    let (userinfo, rest) = match rest.rsplit_once('@') {
        Some((u, r)) => (Some(u), r),
        None => (None, rest),
    };
    let (rest, fragment) = match rest.split_once('#') {
        Some((r, f)) => (r, Some(f)),
        None => (rest, None),
    };
    let (rest, query) = match rest.split_once('?') {
        Some((r, q)) => (r, Some(q)),
        None => (rest, None),
    };
    let (host, path) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
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

/// Whether `host` is something that can be printed as a host: a name or IPv4
/// address (`[A-Za-z0-9.-]`), or a bracketed IPv6 address, with an optional
/// `:port` of digits. Anything else may be a piece of a secret.
fn printable_host(host: &str) -> bool {
    let (name, port) = if let Some(v6) = host.strip_prefix('[') {
        let Some((addr, after)) = v6.split_once(']') else {
            return false;
        };
        if addr.is_empty()
            || !addr
                .chars()
                .all(|c| c.is_ascii_hexdigit() || matches!(c, ':' | '.'))
        {
            return false;
        }
        if after.is_empty() {
            return true;
        }
        let Some(port) = after.strip_prefix(':') else {
            return false;
        };
        ("v6", Some(port))
    } else {
        match host.split_once(':') {
            Some((n, p)) => (n, Some(p)),
            None => (host, None),
        }
    };
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-'))
        && port.is_none_or(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
}

/// A printable form of `url`: `scheme://host[:port]`, followed by `/…` when anything
/// else (user info, a path other than `/`, a query, a fragment) was hidden. This is the
/// form the README promises and snode-l2 uses: whatever part of a URL carries the API
/// key, short or long, it is never shown.
///
/// Text that is not `scheme://host…`, or whose host part holds characters a host
/// cannot hold (so it may be a piece of a password), is not shown at all.
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
    let Some(p) = split(url).filter(|p| printable_host(p.host)) else {
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
        // user, password, and the pieces of either a library may print
        // apart (`pa/ss` cut at `/`, `?`, `#` or an inner `@`)
        secrets.extend(u.split(':'));
        secrets.extend(u.split([':', '/', '?', '#', '@']));
    }
    if !printable_host(p.host) {
        // not a host: perhaps a piece of a password (`https://user:pa ss/x`)
        secrets.push(p.host);
        secrets.extend(p.host.split([':', '[', ']']));
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
            // A password holding `/`, `?`, `#` or `@`: the host is what follows
            // the last `@`.
            ("https://user:pa/ss@h/x", "https://h/…"),
            ("https://user:1234/ss@h.example:8545/x", "https://h.example:8545/…"),
            ("https://user:pa?ss@h/x", "https://h/…"),
            ("https://user:pa#ss@h", "https://h/…"),
            ("https://user:p@ss@h.example/x", "https://h.example/…"),
            ("https://user:pa/ss@[::1]:8545/", "https://[::1]:8545/…"),
            // An `@` in the path or query hides the rest: never more shown.
            ("https://h.example/v2/me@x.example", "https://x.example/…"),
            ("http://[fe80::1]", "http://[fe80::1]"),
        ];
        for (url, want) in cases {
            assert_eq!(redact_url(url), want, "{url}");
        }
        for bad in [
            "garbage secret",
            "https:///secret",
            "://x",
            // host parts that cannot be hosts: perhaps pieces of a password
            "https://user:pa ss/x",
            "https://user:pass/x",
            "https://user:1234x/y",
            "https://h:/x",
            "https://h_x/y",
            "https://user:pw@/x",
            "https://user:pa/ss@h%20x/y",
            "https://[::1/x",
            "https://[::1]x/y",
            "https://[zz]/y",
            "https://u:p@h:pw/x",
        ] {
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

        // A password with a `/`: neither it nor its pieces show, however a
        // library prints it.
        let url = "https://user:hunt/er22pw@h.example/v2/keykeykey";
        let msg = format!(
            "bad url {url}: invalid port \"hunt\" in user:hunt, rest /er22pw@h.example; hunt/er22pw"
        );
        let s = scrub_secrets(&msg, url);
        for secret in ["hunt", "er22pw", "keykeykey"] {
            assert!(!s.contains(secret), "{s}");
        }
        assert!(s.contains("bad url https://h.example/…:"), "{s}");

        // A host part that is not a host is scrubbed as a secret.
        let url = "https://user:pass word/x";
        let s = scrub_secrets(&format!("GET {url}: cannot resolve user:pass word"), url);
        assert!(!s.contains("pass word"), "{s}");
        assert!(s.contains("<not a URL"), "{s}");
    }
}
