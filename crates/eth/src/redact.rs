//! URLs that may carry secrets: L2 provider URLs (API keys in the path, query or
//! userinfo) and staking URLs (`user:password@`). [`SecretUrl`] is the one type for
//! both: it keeps the full text for requests and shows only a redacted form; its
//! syntax check ([`SecretUrl::parse`]) names the fault (missing scheme, quotes,
//! spaces, ...) with the redacted host, and the host is checked by the `url` crate.
//! The rules are in docs/compat/config.md ("Secrets in URLs").
//!
//! The userinfo ends at the LAST `@` (a password may hold `/`, `?`, `#`), so the
//! authority is split here before the `url` crate sees the rest.

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
/// use snode_eth::redact_url;
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

/// What is wrong with a URL's syntax.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UrlFault {
    /// Nothing was given.
    Empty,
    /// It is wrapped in quotes.
    Quoted,
    /// It holds a space, tab or line break.
    Whitespace,
    /// No `scheme://` in front.
    MissingScheme,
    /// A scheme other than http or https.
    Scheme(String),
    /// Nothing (or only `user@`) after `scheme://`.
    NoHost,
    /// The host is not a host name or an IP address, or the port not a number.
    BadHost,
    /// A `?query` where none is allowed (staking URLs).
    Query,
    /// A `#fragment` where none is allowed (staking URLs).
    Fragment,
}

impl std::fmt::Display for UrlFault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            UrlFault::Empty => f.write_str("the URL is empty"),
            UrlFault::Quoted => f.write_str("the URL is in quotes: remove them"),
            UrlFault::Whitespace => {
                f.write_str("the URL contains a space or other blank: remove it")
            }
            UrlFault::MissingScheme => {
                f.write_str("the URL has no scheme: start it with https:// (or http://)")
            }
            UrlFault::Scheme(s) => write!(
                f,
                "only http:// and https:// JSON-RPC URLs are supported, not {s}://"
            ),
            UrlFault::NoHost => f.write_str("the URL has no host after ://"),
            UrlFault::BadHost => {
                f.write_str("the host is not a host name or IP address (with a numeric port)")
            }
            UrlFault::Query => f.write_str("a staking URL cannot have a ?query"),
            UrlFault::Fragment => f.write_str("a staking URL cannot have a #fragment"),
        }
    }
}

/// A URL that failed [`SecretUrl::parse`]: its fault and a redacted form of it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid URL {shown}: {fault}")]
pub struct UrlError {
    /// The URL redacted: `scheme://host/…` or `host/…` when a host can be
    /// found, else `<N characters hidden>`.
    pub shown: String,
    /// What is wrong.
    pub fault: UrlFault,
}

/// A URL whose secrets are never shown. The full text is reachable only
/// through [`SecretUrl::expose`] (for sending requests); `Display`, `Debug`
/// and serde give `scheme://host[:port]` plus `/…` when anything was hidden.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretUrl {
    full: String,
    redacted: String,
}

/// The provider URL of the L2 layer: a [`SecretUrl`].
pub type ProviderUrl = SecretUrl;

/// The redacted form of something that is not a URL: a host when one can be
/// found (quotes, blanks and a missing scheme forgiven), else a length.
fn shown_for_error(text: &str) -> String {
    let cleaned: String = text
        .trim()
        .trim_matches(['"', '\'', '`'])
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_string();
    let candidate = if cleaned.contains("://") {
        cleaned.clone()
    } else {
        format!("https://{cleaned}")
    };
    // Without a scheme, only a host that looks like one (a dot, a port or
    // IPv6 brackets) is shown: a bare word may be an API key.
    let looks_like_host =
        |h: &str| cleaned.contains("://") || h.contains(['.', ':', '[']) || h == "localhost";
    match split(&candidate).filter(|p| printable_host(p.host) && looks_like_host(p.host)) {
        Some(_) if cleaned.contains("://") => redact_url(&candidate),
        Some(p) => {
            let more = cleaned.len() > p.host.len() + p.userinfo.map_or(0, |u| u.len() + 1);
            format!("{}{}", p.host, if more { "/…" } else { "" })
        }
        None => format!("<{} characters hidden>", text.chars().count()),
    }
}

impl SecretUrl {
    /// Wraps a URL as configured (surrounding whitespace trimmed) without
    /// checking it; text that is not a URL shows as `<not a URL, N
    /// characters hidden>`.
    pub fn new(url: &str) -> Self {
        let full = url.trim().to_string();
        let redacted = redact_url(&full);
        Self { full, redacted }
    }

    /// Checks the syntax: `http://` or `https://`, a host (name, IPv4 or
    /// bracketed IPv6, accepted by the `url` crate) and an optional numeric
    /// port; no quotes or blanks. The error names the fault and shows only
    /// the redacted host.
    pub fn parse(text: &str) -> Result<Self, UrlError> {
        let fail = |fault| {
            Err(UrlError {
                shown: shown_for_error(text),
                fault,
            })
        };
        let t = text.trim();
        if t.is_empty() {
            return fail(UrlFault::Empty);
        }
        if t.starts_with(['"', '\'', '`']) || t.ends_with(['"', '\'', '`']) {
            return fail(UrlFault::Quoted);
        }
        if t.chars().any(char::is_whitespace) {
            return fail(UrlFault::Whitespace);
        }
        let Some((scheme, _)) = t.split_once("://") else {
            return fail(UrlFault::MissingScheme);
        };
        let scheme = scheme.to_ascii_lowercase();
        if scheme != "http" && scheme != "https" {
            if scheme.is_empty() || scheme.contains(['/', '.', ':']) {
                return fail(UrlFault::MissingScheme);
            }
            return fail(UrlFault::Scheme(scheme));
        }
        let Some(p) = split(t) else {
            return fail(UrlFault::MissingScheme);
        };
        if p.host.is_empty() {
            return fail(UrlFault::NoHost);
        }
        // the url crate checks the host (IDNA, IPv4/IPv6 forms, port range)
        let authority_only = format!("{scheme}://{}/", p.host);
        let host_ok = printable_host(p.host)
            && url::Url::parse(&authority_only).is_ok_and(|u| u.host().is_some());
        if !host_ok {
            return fail(UrlFault::BadHost);
        }
        Ok(Self::new(t))
    }

    /// Like [`SecretUrl::parse`], and refuses a `?query` or `#fragment`
    /// (a staking URL: the backend's paths are appended to it).
    pub fn parse_base(text: &str) -> Result<Self, UrlError> {
        let u = Self::parse(text)?;
        let p = split(&u.full).expect("parsed");
        let fault = if p.query.is_some() {
            UrlFault::Query
        } else if p.fragment.is_some() {
            UrlFault::Fragment
        } else {
            return Ok(u);
        };
        Err(UrlError {
            shown: u.redacted.clone(),
            fault,
        })
    }

    /// The URL as configured, secrets included. Never log this.
    pub fn expose(&self) -> &str {
        &self.full
    }

    /// `scheme://host[:port]` plus `/…` when anything else was hidden.
    pub fn redacted(&self) -> &str {
        &self.redacted
    }

    /// `host[:port]`, without any userinfo; `None` when there is none.
    pub fn host(&self) -> Option<&str> {
        split(&self.full).map(|p| p.host).filter(|h| !h.is_empty())
    }

    /// Whether the URL carries `user[:password]@` before its host.
    pub fn has_userinfo(&self) -> bool {
        split(&self.full).is_some_and(|p| p.userinfo.is_some())
    }

    /// For a base URL to be shown with its path (a staking URL): the
    /// userinfo as `***@`, the query and fragment as `?…` / `#…`.
    pub fn shown_with_path(&self) -> String {
        let Some(p) = split(&self.full) else {
            return self.redacted.clone();
        };
        let mut out = format!("{}://", p.scheme);
        if p.userinfo.is_some() {
            out.push_str("***@");
        }
        out.push_str(p.host);
        out.push_str(p.path);
        if p.query.is_some() {
            out.push_str("?…");
        }
        if p.fragment.is_some() {
            out.push_str("#…");
        }
        out
    }

    /// `text` with this URL and each of its secret parts replaced by their
    /// redacted forms ([`scrub_secrets`]).
    pub fn scrub(&self, text: &str) -> String {
        scrub_secrets(text, &self.full)
    }
}

impl std::fmt::Display for SecretUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.redacted)
    }
}

impl std::fmt::Debug for SecretUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SecretUrl({})", self.redacted)
    }
}

impl serde::Serialize for SecretUrl {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.redacted)
    }
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
            let u = SecretUrl::new(url);
            assert_eq!(u.to_string(), want, "{url}");
            assert!(!format!("{u:?}").contains("SECRET"));
            assert!(!serde_json::to_string(&u).unwrap().contains("SECRET"));
            assert_eq!(u.expose(), url);
        }
    }

    #[test]
    fn faults_are_named_with_the_host_only() {
        let cases = [
            ("", UrlFault::Empty, "<0 characters hidden>"),
            (
                "\"https://a.example/v2/KEY\"",
                UrlFault::Quoted,
                "https://a.example/…",
            ),
            (
                "https://a.example/v2/KEY x",
                UrlFault::Whitespace,
                "https://a.example/…",
            ),
            ("a.example/v2/KEY", UrlFault::MissingScheme, "a.example/…"),
            (
                "ftp://a.example/KEY",
                UrlFault::Scheme("ftp".into()),
                "ftp://a.example/…",
            ),
            ("https:///KEY", UrlFault::NoHost, "<12 characters hidden>"),
            (
                "https://a_b.example/KEY",
                UrlFault::BadHost,
                "<23 characters hidden>",
            ),
            (
                "https://a.example:99999/KEY",
                UrlFault::BadHost,
                "https://a.example:99999/…",
            ),
        ];
        for (text, fault, shown) in cases {
            let e = SecretUrl::parse(text).unwrap_err();
            assert_eq!(e.fault, fault, "{text}");
            assert_eq!(e.shown, shown, "{text}");
            assert!(!e.to_string().contains("KEY"), "{e}");
        }
        assert!(SecretUrl::parse("https://[::1]:8545/KEY").is_ok());
        assert!(SecretUrl::parse("HTTP://127.0.0.1:8545").is_ok());
    }

    #[test]
    fn staking_urls_hide_password_and_query() {
        let u = SecretUrl::parse("https://op:pa/ss@stake.example/base").unwrap();
        assert_eq!(u.shown_with_path(), "https://***@stake.example/base");
        assert_eq!(u.host(), Some("stake.example"));
        assert!(u.has_userinfo());
        let e = SecretUrl::parse_base("https://stake.example/base?key=SECRET").unwrap_err();
        assert_eq!(e.fault, UrlFault::Query);
        assert!(!e.to_string().contains("SECRET"), "{e}");
        let u = SecretUrl::new("https://stake.example/base?key=SECRET");
        assert!(!u.shown_with_path().contains("SECRET"));
    }
}
