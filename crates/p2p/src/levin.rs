//! Levin framing (oxen-core `contrib/epee/.../levin_base.h`): a 33-byte little-endian header
//! (signature, body size, "expects a response", command, return code, flags, protocol version)
//! followed by an epee body. Invokes (requests expecting a response) and notifications.

use std::io::{Read, Write};

use crate::WireError;

pub const SIGNATURE: u64 = 0x0101_0101_0101_2101;
pub const HEADER_LEN: usize = 33;
pub const FLAG_REQUEST: u32 = 1;
pub const FLAG_RESPONSE: u32 = 2;
pub const PROTOCOL_VERSION: u32 = 1;
/// oxen-core `p2p::DEFAULT_PACKET_MAX_SIZE` (the p2p layer's limit; levin's own is 100 MB).
pub const MAX_PACKET: u64 = 50_000_000;
/// Before the handshake completes oxend accepts at most this much (`P2P_...` 256 KiB).
pub const MAX_PACKET_BEFORE_HANDSHAKE: u64 = 256 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub body_len: u64,
    pub expects_response: bool,
    pub command: u32,
    pub return_code: i32,
    pub flags: u32,
    pub version: u32,
}

impl Header {
    pub fn to_bytes(&self) -> [u8; HEADER_LEN] {
        let mut b = [0u8; HEADER_LEN];
        b[0..8].copy_from_slice(&SIGNATURE.to_le_bytes());
        b[8..16].copy_from_slice(&self.body_len.to_le_bytes());
        b[16] = u8::from(self.expects_response);
        b[17..21].copy_from_slice(&self.command.to_le_bytes());
        b[21..25].copy_from_slice(&self.return_code.to_le_bytes());
        b[25..29].copy_from_slice(&self.flags.to_le_bytes());
        b[29..33].copy_from_slice(&self.version.to_le_bytes());
        b
    }

    pub fn from_bytes(b: &[u8; HEADER_LEN]) -> Result<Self, WireError> {
        let u32_at = |i: usize| u32::from_le_bytes(b[i..i + 4].try_into().expect("4"));
        if u64::from_le_bytes(b[0..8].try_into().expect("8")) != SIGNATURE {
            return Err(WireError::Decode("not a levin packet (bad signature)"));
        }
        Ok(Header {
            body_len: u64::from_le_bytes(b[8..16].try_into().expect("8")),
            expects_response: b[16] != 0,
            command: u32_at(17),
            return_code: u32_at(21) as i32,
            flags: u32_at(25),
            version: u32_at(29),
        })
    }
}

/// One levin message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    pub header: Header,
    pub body: Vec<u8>,
}

impl Frame {
    pub fn request(command: u32, body: Vec<u8>, expects_response: bool) -> Self {
        Frame {
            header: Header {
                body_len: body.len() as u64,
                expects_response,
                command,
                return_code: 0,
                flags: FLAG_REQUEST,
                version: PROTOCOL_VERSION,
            },
            body,
        }
    }

    pub fn response(command: u32, body: Vec<u8>, return_code: i32) -> Self {
        Frame {
            header: Header {
                body_len: body.len() as u64,
                expects_response: false,
                command,
                return_code,
                flags: FLAG_RESPONSE,
                version: PROTOCOL_VERSION,
            },
            body,
        }
    }

    pub fn is_response(&self) -> bool {
        self.header.flags & FLAG_RESPONSE != 0
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(HEADER_LEN + self.body.len());
        v.extend_from_slice(&self.header.to_bytes());
        v.extend_from_slice(&self.body);
        v
    }

    pub fn write_to(&self, w: &mut impl Write) -> std::io::Result<()> {
        w.write_all(&self.to_bytes())?;
        w.flush()
    }

    /// Reads one frame, refusing bodies larger than `max_body`.
    pub fn read_from(r: &mut impl Read, max_body: u64) -> Result<Self, WireError> {
        let mut hb = [0u8; HEADER_LEN];
        r.read_exact(&mut hb).map_err(WireError::Io)?;
        let header = Header::from_bytes(&hb)?;
        if header.body_len > max_body {
            return Err(WireError::TooLarge {
                size: header.body_len,
                max: max_body,
            });
        }
        let mut body = vec![0u8; header.body_len as usize];
        r.read_exact(&mut body).map_err(WireError::Io)?;
        Ok(Frame { header, body })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn frames_round_trip(cmd in any::<u32>(), rc in any::<i32>(), resp in any::<bool>(),
                             body in proptest::collection::vec(any::<u8>(), 0..500)) {
            let f = if resp { Frame::response(cmd, body, rc) } else { Frame::request(cmd, body, rc % 2 == 0) };
            let bytes = f.to_bytes();
            let g = Frame::read_from(&mut bytes.as_slice(), MAX_PACKET).unwrap();
            prop_assert_eq!(g, f);
        }
    }

    #[test]
    fn header_layout_matches_bucket_head2() {
        let f = Frame::request(1001, vec![1, 2, 3], true);
        assert_eq!(
            hex::encode(f.header.to_bytes()),
            concat!(
                "0121010101010101",
                "0300000000000000",
                "01",
                "e9030000",
                "00000000",
                "01000000",
                "01000000"
            )
        );
    }

    #[test]
    fn oversized_and_foreign_frames_are_refused() {
        let f = Frame::request(1, vec![0; 100], false).to_bytes();
        assert!(matches!(
            Frame::read_from(&mut f.as_slice(), 99),
            Err(WireError::TooLarge { .. })
        ));
        let mut g = f.clone();
        g[0] = 0;
        assert!(Frame::read_from(&mut g.as_slice(), MAX_PACKET).is_err());
    }
}
