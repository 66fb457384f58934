//! Registration input: the operator's ETH address (`register <ETH addr>`,
//! `bls_registration_request`) and the URLs typed for providers and the
//! staking backend (`SecretUrl::parse`, `parse_base`, `check_url`).
//!
//! Input: the first byte picks the decoder; the rest is the text.
//! Checked: no panic; an accepted address is `0x` + 40 hex digits, is kept as
//! typed and its checksummed form is accepted too; an accepted URL shows
//! neither its userinfo nor anything after its host in the redacted form,
//! and an error shows the URL redacted.
#![no_main]

use libfuzzer_sys::fuzz_target;
use snode_eth::{checksummed, parse_address, SecretUrl};
use snode_register::OperatorAddress;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    match pick % 3 {
        0 => {
            let eth = parse_address(text);
            let op = OperatorAddress::parse(text);
            assert_eq!(eth.is_ok(), op.is_ok());
            if let (Ok(a), Ok(op)) = (eth, op) {
                assert_eq!(text.len(), 42);
                assert_eq!(op.as_typed(), text);
                assert_eq!(op.bytes(), &a.into_array());
                let sum = checksummed(&a);
                assert_eq!(op.checksummed(), sum);
                assert_eq!(parse_address(&sum), Ok(a));
                assert_eq!(parse_address(&text.to_ascii_lowercase()), Ok(a));
            }
        }
        1 => match SecretUrl::parse(text) {
            Ok(u) => {
                let shown = u.redacted();
                let host = u.host().expect("a parsed URL has a host");
                let scheme_end = shown.find("://").expect("scheme") + 3;
                let after = &shown[scheme_end..];
                // `host[:port]`, then `/…` when something was hidden
                let after = after.strip_suffix("/…").unwrap_or(after);
                assert_eq!(
                    after, host,
                    "redacted {shown:?} of a URL with host {host:?}"
                );
                let _ = SecretUrl::parse_base(text);
                let _ = u.has_userinfo();
            }
            Err(e) => {
                let _ = e.to_string();
            }
        },
        _ => {
            if let Ok(host) = snode_register::check_url(text) {
                assert!(!host.is_empty());
                assert!(!host.contains('@'), "userinfo in the host {host:?}");
                let view = snode_register::view_url(text, &"ab".repeat(32));
                let shown = snode_register::redact_userinfo(&view);
                assert!(shown.ends_with(&"ab".repeat(32)) || shown.contains('…'));
            }
        }
    }
});
