//! Submitting the registration to the staking backend and reading its answer.

use std::time::Duration;

use snode_eth::{SecretUrl, UrlError, UrlFault};

use crate::RegistrationInfo;

/// The backend accepted the registration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submitted {
    /// Where the operator continues: `<URL>/register/<pubkey>`, with any
    /// `user:password@` of the URL shown as `***@` (it is printed).
    pub view_url: String,
}

/// Why a submission failed; every message names the destination host (never
/// its credentials).
#[derive(Debug, thiserror::Error)]
pub enum SubmitError {
    #[error(
        "not a usable staking URL: {0} (expected http:// or https://, a host name and \
         no ?query or #fragment)"
    )]
    BadUrl(UrlError),
    #[error(
        "no answer from {host} within {}; check your network and try again later",
        seconds(*.after)
    )]
    Timeout { host: String, after: Duration },
    #[error("cannot reach {host}: {reason}; check the URL and your network")]
    Connect { host: String, reason: String },
    #[error("{host} answered HTTP {status}: {body}")]
    Http {
        host: String,
        status: u16,
        body: String,
    },
    #[error("{host} rejected the registration: {reason}")]
    Rejected { host: String, reason: String },
    #[error("{host} gave an answer that is not a registration result: {body}")]
    Unexpected { host: String, body: String },
}

/// `30 s`, `0.5 s`: a duration as the operator reads it (not rounded up to
/// a whole second).
fn seconds(d: Duration) -> String {
    let text = format!("{:.3}", d.as_secs_f64());
    let text = text.trim_end_matches('0').trim_end_matches('.');
    format!("{text} s")
}

/// The host (and port) of an `http://` or `https://` URL, without any
/// `user:password@`: what messages name as the destination.
pub fn host_of(url: &str) -> Option<&str> {
    let parsed = SecretUrl::parse(url).ok()?;
    let host = parsed.host()?;
    // the same text, borrowed from `url` (the host follows the last `@`)
    let at = url.rfind(host)?;
    Some(&url[at..at + host.len()])
}

/// `url` for printing: its `user:password@`, if any, shown as `***@` (the
/// userinfo ends at the last `@`, so a password holding `/` is hidden whole),
/// a `?query` and `#fragment` as `?…` / `#…`.
pub fn redact_userinfo(url: &str) -> String {
    SecretUrl::new(url).shown_with_path()
}

/// Whether `url` carries `user[:password]@` before its host.
pub fn has_userinfo(url: &str) -> bool {
    SecretUrl::new(url).has_userinfo()
}

/// Checks a staking base URL — `http://` or `https://`, a host, no
/// `?query` or `#fragment` (the backend's paths are appended to it, so a
/// query would end up in the middle of them) — and returns its host for
/// messages. The error names the fault and shows the URL redacted.
pub fn check_url(base: &str) -> Result<&str, SubmitError> {
    SecretUrl::parse_base(base).map_err(SubmitError::BadUrl)?;
    host_of(base).ok_or_else(|| {
        SubmitError::BadUrl(UrlError {
            shown: SecretUrl::new(base).redacted().to_string(),
            fault: UrlFault::NoHost,
        })
    })
}

/// `<URL>/register/<pubkey>`.
pub fn view_url(base: &str, service_node_pubkey: &str) -> String {
    format!(
        "{}/register/{service_node_pubkey}",
        base.trim_end_matches('/')
    )
}

/// At most 300 characters of an answer, on one line.
fn snippet(body: &str) -> String {
    let one_line: String = body.split_whitespace().collect::<Vec<_>>().join(" ");
    match one_line.char_indices().nth(300) {
        Some((cut, _)) => format!("{}…", &one_line[..cut]),
        None => one_line,
    }
}

fn multipart_body(boundary: &str, fields: &[(&str, &str)]) -> Vec<u8> {
    let mut body = String::new();
    for (name, value) in fields {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        ));
    }
    body.push_str(&format!("--{boundary}--\r\n"));
    body.into_bytes()
}

fn boundary() -> String {
    let mut random = [0u8; 12];
    // A fixed boundary is still correct (no field can contain it: they are
    // hex and an address); randomness only follows custom.
    let _ = getrandom::fill(&mut random);
    format!("------------------------snode{}", hex::encode(random))
}

/// Posts `info` as multipart/form-data to `<base>/api/store/<pubkey>` with the
/// fields `sig_ed25519`, `pubkey_bls`, `sig_bls` and `operator` (as typed),
/// and reads the JSON answer.
pub fn submit(
    base: &str,
    info: &RegistrationInfo,
    operator_as_typed: &str,
    timeout: Duration,
) -> Result<Submitted, SubmitError> {
    let host = check_url(base)?.to_string();
    let url = format!(
        "{}/api/store/{}",
        base.trim_end_matches('/'),
        info.service_node_pubkey
    );
    let boundary = boundary();
    let body = multipart_body(
        &boundary,
        &[
            ("sig_ed25519", &info.service_node_signature),
            ("pubkey_bls", &info.bls_pubkey),
            ("sig_bls", &info.proof_of_possession),
            ("operator", operator_as_typed),
        ],
    );
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        .build()
        .into();
    let mut response = agent
        .post(&url)
        .header(
            "Content-Type",
            &format!("multipart/form-data; boundary={boundary}"),
        )
        .send(&body[..])
        .map_err(|e| match e {
            ureq::Error::Timeout(_) => SubmitError::Timeout {
                host: host.clone(),
                after: timeout,
            },
            other => SubmitError::Connect {
                host: host.clone(),
                reason: other.to_string(),
            },
        })?;
    let status = response.status().as_u16();
    // A body that cannot be read (timeout, reset) is a transport failure,
    // not an empty answer.
    let text = response
        .body_mut()
        .with_config()
        .limit(1 << 20)
        .read_to_string()
        .map_err(|e| read_error(e, &host, timeout))?;
    interpret(&host, base, info, status, &text)
}

fn read_error(e: ureq::Error, host: &str, timeout: Duration) -> SubmitError {
    let timed_out = match &e {
        ureq::Error::Timeout(_) => true,
        ureq::Error::Io(io) => matches!(
            io.kind(),
            std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
        ),
        _ => false,
    };
    if timed_out {
        SubmitError::Timeout {
            host: host.to_string(),
            after: timeout,
        }
    } else {
        SubmitError::Connect {
            host: host.to_string(),
            reason: format!("the answer could not be read: {e}"),
        }
    }
}

fn interpret(
    host: &str,
    base: &str,
    info: &RegistrationInfo,
    status: u16,
    text: &str,
) -> Result<Submitted, SubmitError> {
    let json: Option<serde_json::Value> = serde_json::from_str(text).ok();
    if let Some(reason) = json.as_ref().and_then(|j| j.get("error")) {
        let reason = reason
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| reason.to_string());
        return Err(SubmitError::Rejected {
            host: host.to_string(),
            reason: snippet(&reason),
        });
    }
    if status != 200 {
        return Err(SubmitError::Http {
            host: host.to_string(),
            status,
            body: snippet(text),
        });
    }
    match json.as_ref().and_then(|j| j.get("success")) {
        Some(serde_json::Value::Bool(true)) => Ok(Submitted {
            view_url: redact_userinfo(&view_url(base, &info.service_node_pubkey)),
        }),
        _ => Err(SubmitError::Unexpected {
            host: host.to_string(),
            body: snippet(text),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info() -> RegistrationInfo {
        RegistrationInfo {
            address: "0x0".into(),
            service_node_pubkey: "ab".repeat(32),
            bls_pubkey: String::new(),
            service_node_signature: String::new(),
            proof_of_possession: String::new(),
        }
    }

    #[test]
    fn answers_are_read_not_just_the_status() {
        let base = "https://stake.example";
        let ok = interpret("h", base, &info(), 200, r#"{"success": true, "t": 1}"#).unwrap();
        assert_eq!(ok.view_url, format!("{base}/register/{}", "ab".repeat(32)));
        let rejected = interpret(
            "h",
            base,
            &info(),
            200,
            r#"{"error": "Invalid registration: bad sig"}"#,
        );
        assert!(
            matches!(rejected, Err(SubmitError::Rejected { ref reason, .. }) if reason.contains("bad sig"))
        );
        assert!(matches!(
            interpret("h", base, &info(), 200, "<html>ok</html>"),
            Err(SubmitError::Unexpected { .. })
        ));
        assert!(matches!(
            interpret("h", base, &info(), 200, r#"{"success": false}"#),
            Err(SubmitError::Unexpected { .. })
        ));
        assert!(matches!(
            interpret("h", base, &info(), 502, "bad gateway"),
            Err(SubmitError::Http { status: 502, .. })
        ));
    }

    #[test]
    fn hosts_for_messages() {
        assert_eq!(host_of("https://a.example/x"), Some("a.example"));
        assert_eq!(host_of("http://127.0.0.1:8080"), Some("127.0.0.1:8080"));
        assert_eq!(host_of("ftp://x"), None);
        assert_eq!(host_of("https://"), None);
        assert_eq!(
            host_of("https://u:p@a.example:8443/x"),
            Some("a.example:8443")
        );
        assert_eq!(host_of("https://a.example?k=v"), Some("a.example"));
        assert_eq!(host_of("https://u:p@"), None);
        assert_eq!(host_of("HTTPS://a.example"), Some("a.example"));
    }

    #[test]
    fn credentials_are_never_printed() {
        assert_eq!(
            redact_userinfo("https://u:secret@a.example/register/ab"),
            "https://***@a.example/register/ab"
        );
        // The userinfo ends at the last `@`: a path holding `@` is hidden
        // as if it were a password (a password holding `/` cannot be told
        // apart from it, and is never shown).
        assert_eq!(redact_userinfo("http://a.example/x@y"), "http://***@y");
        assert_eq!(
            redact_userinfo("https://op:pa/ss@a.example/base"),
            "https://***@a.example/base"
        );
        assert_eq!(
            redact_userinfo("https://a.example/base?key=SECRET"),
            "https://a.example/base?…"
        );
        assert!(has_userinfo("https://u@a.example"));
        assert!(has_userinfo("https://u:pa/ss@a.example"));
        let ok = interpret(
            "a.example",
            "https://u:secret@a.example",
            &info(),
            200,
            r#"{"success": true}"#,
        )
        .unwrap();
        assert!(!ok.view_url.contains("secret"), "{}", ok.view_url);
        let bad = check_url("https://u:secret@a.example/?key=SECRETKEY").unwrap_err();
        assert!(!bad.to_string().contains("secret"), "{bad}");
        assert!(!bad.to_string().contains("SECRETKEY"), "{bad}");
        assert!(bad.to_string().contains("cannot have a ?query"), "{bad}");
        let bad = check_url("https://u:pa/ss@a.example x").unwrap_err();
        assert!(!bad.to_string().contains("pa/ss"), "{bad}");
    }

    #[test]
    fn staking_urls_without_query_or_fragment() {
        assert_eq!(check_url("https://a.example").unwrap(), "a.example");
        assert_eq!(
            check_url("http://127.0.0.1:8080/base/").unwrap(),
            "127.0.0.1:8080"
        );
        for bad in [
            "https://a.example?x=1",
            "https://a.example/p?x",
            "https://a.example#frag",
            "https://a.example/ x",
            "a.example",
            "https://",
        ] {
            assert!(
                matches!(check_url(bad), Err(SubmitError::BadUrl(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn timeouts_are_shown_as_set() {
        let t = |after| SubmitError::Timeout {
            host: "h".into(),
            after,
        };
        assert!(t(Duration::from_secs(30))
            .to_string()
            .contains("within 30 s"));
        assert!(t(Duration::from_millis(500))
            .to_string()
            .contains("within 0.5 s"));
    }
}
