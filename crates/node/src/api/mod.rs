//! The admin JSON-RPC API, typed: one struct per reply (and per request
//! params), with `Serialize` and `Deserialize`, used by the server
//! (`server`) to answer and by the client (`client`) to
//! read. Field names and shapes are oxend's where oxend has the method
//! (docs/compat/rpc-and-client.md); the facts the client shows that need
//! computing (whether a log sync is incomplete, failure totals, counter
//! names) are computed by the server and carried here, so the client only
//! formats.
//!
//! Depends on no other module of this crate.

pub mod info;
pub mod keys;
pub mod l2;
pub mod register;
pub mod sn_status;

use alloy_primitives::U256;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// `status` of every successful reply.
pub const STATUS_OK: &str = "OK";

/// What this daemon does not do, said wherever chain fields would be.
pub const NO_CHAIN_NOTE: &str = "oxend-stagenet does not run the Oxen blockchain: \
    no height, sync, hard forks, quorums, uptime proofs or P2P connections are reported";

/// The JSON-RPC `result` of a method whose reply carries only a status
/// (`stop_daemon`), and the status every result is checked for.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusReply {
    /// `OK` on success; oxend says `(empty)` when it is missing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

impl StatusReply {
    /// `{"status": "OK"}`.
    pub fn ok() -> StatusReply {
        StatusReply {
            status: Some(STATUS_OK.to_string()),
        }
    }
}

/// The `Authorization` header value for HTTP Basic auth with `login`
/// (`user:pass`), as the client sends it and the server expects it.
pub fn basic_auth(login: &str) -> String {
    format!("Basic {}", base64(login.as_bytes()))
}

/// Standard base64 (for HTTP Basic auth).
pub fn base64(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(T[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// An atomic SESH amount (9 decimals, docs/compat/l2-contract.md). On the
/// wire: a JSON number when it fits in 64 bits, otherwise a decimal string;
/// read back from either, or from a `0x` hex string (how U256 values
/// serialise elsewhere).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Amount(pub U256);

impl Amount {
    /// `25000.000000000 SESH`.
    pub fn sesh(&self) -> String {
        sesh(self.0)
    }
}

/// An atomic SESH amount as `25000.000000000 SESH`.
pub fn sesh(n: U256) -> String {
    let unit = U256::from(1_000_000_000u64);
    format!("{}.{:0>9} SESH", n / unit, (n % unit).to_string())
}

impl Serialize for Amount {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match u64::try_from(self.0) {
            Ok(n) => s.serialize_u64(n),
            Err(_) => s.serialize_str(&self.0.to_string()),
        }
    }
}

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Amount, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Number(u64),
            Text(String),
        }
        let n = match Raw::deserialize(d)? {
            Raw::Number(n) => U256::from(n),
            Raw::Text(t) => match t.strip_prefix("0x") {
                Some(h) => U256::from_str_radix(h, 16),
                None => U256::from_str_radix(&t, 10),
            }
            .map_err(|_| serde::de::Error::custom(format!("'{t}' is not an amount")))?,
        };
        Ok(Amount(n))
    }
}

/// For `Option<Option<T>>` fields: absent is `None`, `null` is `Some(None)`.
pub(crate) fn present<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_vectors() {
        for (i, o) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("user:pass", "dXNlcjpwYXNz"),
        ] {
            assert_eq!(base64(i.as_bytes()), o);
        }
    }

    #[test]
    fn amounts_round_trip_and_read_every_form() {
        let big = Amount(U256::from(u64::MAX) + U256::from(1u8));
        let text = serde_json::to_string(&big).unwrap();
        assert_eq!(text, "\"18446744073709551616\"");
        assert_eq!(serde_json::from_str::<Amount>(&text).unwrap(), big);
        let small: Amount = serde_json::from_str("20000000000001").unwrap();
        assert_eq!(small.sesh(), "20000.000000001 SESH");
        assert_eq!(serde_json::to_string(&small).unwrap(), "20000000000001");
        let hex: Amount = serde_json::from_str("\"0x16bcc41e9000\"").unwrap();
        assert_eq!(hex.sesh(), "25000.000000000 SESH");
        let five: Amount = serde_json::from_str("\"5\"").unwrap();
        assert_eq!(five.sesh(), "0.000000005 SESH");
        assert!(serde_json::from_str::<Amount>("null").is_err());
    }
}
