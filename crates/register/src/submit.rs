//! Submitting the registration to the staking backend and reading its answer.

use std::time::Duration;

use crate::RegistrationInfo;

/// Stagenet's staking website and backend (`DEFAULT_STAKING_URL` of the
/// current stagenet, bls-contract.md §0).
pub const DEFAULT_STAKING_URL: &str = "https://testnet.stake.getsession.org";

/// The backend accepted the registration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submitted {
    /// Where the operator continues: `<URL>/register/<pubkey>`.
    pub view_url: String,
}

/// Why a submission failed; every message names the destination host.
#[derive(Debug, thiserror::Error)]
pub enum SubmitError {
    #[error("'{0}' is not a usable staking URL: expected http:// or https:// and a host name")]
    BadUrl(String),
    #[error("no answer from {host} within {secs} s; check your network and try again later")]
    Timeout { host: String, secs: u64 },
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

/// The host (and port) of `url`, for messages.
fn host_of(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let host = rest.split(['/', '?', '#']).next()?;
    let host = host.rsplit('@').next()?;
    (!host.is_empty()).then_some(host)
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
    let host = host_of(base)
        .ok_or_else(|| SubmitError::BadUrl(base.to_string()))?
        .to_string();
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
                secs: timeout.as_secs().max(1),
            },
            other => SubmitError::Connect {
                host: host.clone(),
                reason: other.to_string(),
            },
        })?;
    let status = response.status().as_u16();
    let text = response
        .body_mut()
        .with_config()
        .limit(1 << 20)
        .read_to_string()
        .unwrap_or_default();
    interpret(&host, base, info, status, &text)
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
            view_url: view_url(base, &info.service_node_pubkey),
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
    }
}
