//! The binary archive of oxen-core (`serialization/binary_archive.h`): little-endian fixed
//! integers, 7-bit varints, and length-prefixed vectors.

use crate::ParseError;

/// A cursor over a binary blob that returns [`ParseError`]s naming the field being read.
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub fn new(buf: &'a [u8]) -> Self {
        Reader { buf, pos: 0 }
    }

    pub fn pos(&self) -> usize {
        self.pos
    }

    pub fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    pub fn bytes(&mut self, n: usize, field: &'static str) -> Result<&'a [u8], ParseError> {
        if self.remaining() < n {
            return Err(ParseError::Truncated {
                field,
                offset: self.pos,
            });
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    pub fn array<const N: usize>(&mut self, field: &'static str) -> Result<[u8; N], ParseError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.bytes(N, field)?);
        Ok(out)
    }

    pub fn u8(&mut self, field: &'static str) -> Result<u8, ParseError> {
        Ok(self.bytes(1, field)?[0])
    }

    pub fn u16(&mut self, field: &'static str) -> Result<u16, ParseError> {
        Ok(u16::from_le_bytes(self.array(field)?))
    }

    pub fn u32(&mut self, field: &'static str) -> Result<u32, ParseError> {
        Ok(u32::from_le_bytes(self.array(field)?))
    }

    /// A 7-bit little-endian varint, rejecting overlong (non-canonical) encodings so that
    /// re-serialising what we parsed gives back the same bytes (block ids depend on that).
    pub fn varint(&mut self, field: &'static str) -> Result<u64, ParseError> {
        let start = self.pos;
        let mut value: u64 = 0;
        let mut shift = 0u32;
        loop {
            let b = self.u8(field)?;
            if shift == 63 && b > 1 {
                return Err(ParseError::BadVarint {
                    field,
                    offset: start,
                });
            }
            value |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                if b == 0 && shift > 0 {
                    return Err(ParseError::BadVarint {
                        field,
                        offset: start,
                    });
                }
                return Ok(value);
            }
            shift += 7;
            if shift > 63 {
                return Err(ParseError::BadVarint {
                    field,
                    offset: start,
                });
            }
        }
    }

    /// A varint element count, bounded by what the rest of the blob could possibly hold
    /// (`min_elem` bytes per element), so that a hostile count cannot make us allocate.
    pub fn count(&mut self, field: &'static str, min_elem: usize) -> Result<usize, ParseError> {
        let offset = self.pos;
        let n = self.varint(field)?;
        let n = usize::try_from(n).map_err(|_| ParseError::BadCount { field, offset })?;
        if n.saturating_mul(min_elem.max(1)) > self.remaining() {
            return Err(ParseError::BadCount { field, offset });
        }
        Ok(n)
    }

    pub fn finish(&self, what: &'static str) -> Result<(), ParseError> {
        if self.remaining() != 0 {
            return Err(ParseError::TrailingBytes {
                what,
                extra: self.remaining(),
            });
        }
        Ok(())
    }
}

/// Appends the 7-bit varint encoding of `v`.
pub fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8 & 0x7f) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn varint_round_trips(v in any::<u64>()) {
            let mut b = Vec::new();
            put_varint(&mut b, v);
            let mut r = Reader::new(&b);
            prop_assert_eq!(r.varint("v").unwrap(), v);
            prop_assert_eq!(r.remaining(), 0);
        }
    }

    #[test]
    fn overlong_varint_is_rejected() {
        assert!(Reader::new(&[0x80, 0x00]).varint("v").is_err());
        assert!(Reader::new(&[0xff; 11]).varint("v").is_err());
        assert!(Reader::new(&[0x80]).varint("v").is_err());
    }

    #[test]
    fn hostile_count_is_rejected() {
        let mut b = Vec::new();
        put_varint(&mut b, 1 << 40);
        assert!(matches!(
            Reader::new(&b).count("c", 1),
            Err(ParseError::BadCount { .. })
        ));
    }
}
