//! Provider JSON-RPC answers: an HTTP status and body as `Endpoint::call`
//! reads them (`Endpoint::read_answer`), the failure classifier
//! (`Failure::limit`, `classify`, `is_revert`, `short`) and the result
//! parsers (`parse_quantity`, `parse_data`).
//!
//! Input: two bytes of HTTP status (mostly 200), then the body.
//! Checked: no panic; a success is a non-null `result` of a 200 answer; no
//! failure text carries the provider URL's key (the path of the URL).
#![no_main]

use std::sync::OnceLock;
use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use snode_eth::{classify, parse_data, parse_quantity, Endpoint, ProviderUrl};

const KEY: &str = "k3yS3cr3tAPIkey0123456789";

fn endpoint() -> &'static Endpoint {
    static E: OnceLock<Endpoint> = OnceLock::new();
    E.get_or_init(|| {
        Endpoint::new(
            ProviderUrl::new(&format!("https://user:pw@arb.example:8545/v2/{KEY}")),
            Duration::from_secs(1),
        )
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((head, body)) = data.split_first_chunk::<2>() else {
        return;
    };
    let raw = u16::from_be_bytes(*head);
    // half of the inputs are HTTP 200, the rest any status 100..=599
    let status = if raw & 1 == 0 {
        200
    } else {
        100 + (raw >> 1) % 500
    };
    let text = String::from_utf8_lossy(body);
    let e = endpoint();
    match e.read_answer(status, &text) {
        Ok(result) => {
            assert_eq!(status, 200);
            assert!(!result.is_null());
            let _ = parse_quantity(&result);
            let _ = parse_data(&result);
            if let Value::Array(items) = &result {
                for item in items.iter().take(8) {
                    let _ = parse_data(&item["data"]);
                    let _ = parse_quantity(&item["blockNumber"]);
                }
            }
        }
        Err(f) => {
            let shown = format!("{f} | {} | {:?}", f.short(), f.limit());
            let _ = f.is_revert();
            assert!(
                !shown.contains(KEY),
                "the provider key in a failure: {shown}"
            );
            assert!(
                !shown.contains("user:pw"),
                "credentials in a failure: {shown}"
            );
            let _ = classify(Some(status), None, &text);
        }
    }
});
