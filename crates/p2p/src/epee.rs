//! epee "portable storage" binary format (oxen-core `contrib/epee/.../portable_storage_*`):
//! a 9-byte header, then a root section of named, typed entries. Integers are little endian;
//! sizes use epee's own varint whose two low bits give the width (1, 2, 4 or 8 bytes).

use crate::WireError;

const SIG_A: u32 = 0x0101_1101;
const SIG_B: u32 = 0x0102_0101;
const FORMAT_VER: u8 = 1;
const FLAG_ARRAY: u8 = 0x80;
/// oxen-core's recursion limit for nested sections.
const MAX_DEPTH: usize = 100;

pub const TYPE_I64: u8 = 1;
pub const TYPE_I32: u8 = 2;
pub const TYPE_I16: u8 = 3;
pub const TYPE_I8: u8 = 4;
pub const TYPE_U64: u8 = 5;
pub const TYPE_U32: u8 = 6;
pub const TYPE_U16: u8 = 7;
pub const TYPE_U8: u8 = 8;
pub const TYPE_F64: u8 = 9;
pub const TYPE_STRING: u8 = 10;
pub const TYPE_BOOL: u8 = 11;
pub const TYPE_OBJECT: u8 = 12;

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    I64(i64),
    I32(i32),
    I16(i16),
    I8(i8),
    U64(u64),
    U32(u32),
    U16(u16),
    U8(u8),
    F64(f64),
    /// epee strings are byte strings (blobs of hashes travel as strings).
    Str(Vec<u8>),
    Bool(bool),
    Object(Section),
    /// A homogeneous array: the element type tag and the elements (all of that type).
    Array(u8, Vec<Value>),
}

impl Value {
    pub fn type_tag(&self) -> u8 {
        match self {
            Value::I64(_) => TYPE_I64,
            Value::I32(_) => TYPE_I32,
            Value::I16(_) => TYPE_I16,
            Value::I8(_) => TYPE_I8,
            Value::U64(_) => TYPE_U64,
            Value::U32(_) => TYPE_U32,
            Value::U16(_) => TYPE_U16,
            Value::U8(_) => TYPE_U8,
            Value::F64(_) => TYPE_F64,
            Value::Str(_) => TYPE_STRING,
            Value::Bool(_) => TYPE_BOOL,
            Value::Object(_) => TYPE_OBJECT,
            Value::Array(t, _) => t | FLAG_ARRAY,
        }
    }

    /// Any integer entry as u64 (epee converts between integer widths when reading).
    pub fn as_u64(&self) -> Option<u64> {
        match *self {
            Value::U64(v) => Some(v),
            Value::U32(v) => Some(v.into()),
            Value::U16(v) => Some(v.into()),
            Value::U8(v) => Some(v.into()),
            Value::I64(v) => u64::try_from(v).ok(),
            Value::I32(v) => u64::try_from(v).ok(),
            Value::I16(v) => u64::try_from(v).ok(),
            Value::I8(v) => u64::try_from(v).ok(),
            _ => None,
        }
    }
}

/// An ordered list of named entries (epee keeps insertion order on the wire).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Section(pub Vec<(String, Value)>);

impl Section {
    pub fn new() -> Self {
        Section(Vec::new())
    }

    pub fn with(mut self, name: &str, v: Value) -> Self {
        self.0.push((name.to_string(), v));
        self
    }

    pub fn get(&self, name: &str) -> Option<&Value> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }

    pub fn u64(&self, name: &'static str) -> Result<u64, WireError> {
        self.get(name)
            .and_then(Value::as_u64)
            .ok_or(WireError::Field(name))
    }

    /// Optional integer (epee `KV_SERIALIZE_OPT`): missing means `default`.
    pub fn u64_or(&self, name: &'static str, default: u64) -> Result<u64, WireError> {
        match self.get(name) {
            None => Ok(default),
            Some(v) => v.as_u64().ok_or(WireError::Field(name)),
        }
    }

    pub fn bytes(&self, name: &'static str) -> Result<&[u8], WireError> {
        match self.get(name) {
            Some(Value::Str(s)) => Ok(s),
            _ => Err(WireError::Field(name)),
        }
    }

    pub fn object(&self, name: &'static str) -> Result<&Section, WireError> {
        match self.get(name) {
            Some(Value::Object(s)) => Ok(s),
            _ => Err(WireError::Field(name)),
        }
    }

    /// Array entry; a missing entry is an empty array (epee omits empty containers).
    pub fn array(&self, name: &'static str) -> Result<&[Value], WireError> {
        match self.get(name) {
            None => Ok(&[]),
            Some(Value::Array(_, v)) => Ok(v),
            _ => Err(WireError::Field(name)),
        }
    }

    /// A `KV_SERIALIZE_CONTAINER_POD_AS_BLOB` of 32-byte hashes.
    pub fn hashes(&self, name: &'static str) -> Result<Vec<[u8; 32]>, WireError> {
        let b = match self.get(name) {
            None => return Ok(Vec::new()),
            Some(Value::Str(b)) => b,
            _ => return Err(WireError::Field(name)),
        };
        if b.len() % 32 != 0 {
            return Err(WireError::Field(name));
        }
        Ok(b.chunks_exact(32)
            .map(|c| c.try_into().expect("32-byte chunk"))
            .collect())
    }
}

/// Packs 32-byte hashes as one blob string (`KV_SERIALIZE_CONTAINER_POD_AS_BLOB`).
pub fn hashes_blob(h: &[[u8; 32]]) -> Value {
    Value::Str(h.concat())
}

pub fn put_varint(out: &mut Vec<u8>, v: u64) -> Result<(), WireError> {
    if v < 1 << 6 {
        out.push((v as u8) << 2);
    } else if v < 1 << 14 {
        out.extend_from_slice(&(((v as u16) << 2) | 1).to_le_bytes());
    } else if v < 1 << 30 {
        out.extend_from_slice(&(((v as u32) << 2) | 2).to_le_bytes());
    } else if v < 1 << 62 {
        out.extend_from_slice(&((v << 2) | 3).to_le_bytes());
    } else {
        return Err(WireError::Encode("size too large for an epee varint"));
    }
    Ok(())
}

/// Serialises a root section with the portable-storage header.
pub fn to_bytes(root: &Section) -> Result<Vec<u8>, WireError> {
    let mut out = Vec::with_capacity(256);
    out.extend_from_slice(&SIG_A.to_le_bytes());
    out.extend_from_slice(&SIG_B.to_le_bytes());
    out.push(FORMAT_VER);
    write_section(&mut out, root)?;
    Ok(out)
}

fn write_section(out: &mut Vec<u8>, s: &Section) -> Result<(), WireError> {
    put_varint(out, s.0.len() as u64)?;
    for (k, v) in &s.0 {
        let name = k.as_bytes();
        let len = u8::try_from(name.len())
            .map_err(|_| WireError::Encode("entry name longer than 255 bytes"))?;
        out.push(len);
        out.extend_from_slice(name);
        out.push(v.type_tag());
        write_value(out, v)?;
    }
    Ok(())
}

fn write_value(out: &mut Vec<u8>, v: &Value) -> Result<(), WireError> {
    match v {
        Value::I64(x) => out.extend_from_slice(&x.to_le_bytes()),
        Value::I32(x) => out.extend_from_slice(&x.to_le_bytes()),
        Value::I16(x) => out.extend_from_slice(&x.to_le_bytes()),
        Value::I8(x) => out.extend_from_slice(&x.to_le_bytes()),
        Value::U64(x) => out.extend_from_slice(&x.to_le_bytes()),
        Value::U32(x) => out.extend_from_slice(&x.to_le_bytes()),
        Value::U16(x) => out.extend_from_slice(&x.to_le_bytes()),
        Value::U8(x) => out.push(*x),
        Value::F64(x) => out.extend_from_slice(&x.to_le_bytes()),
        Value::Str(b) => {
            put_varint(out, b.len() as u64)?;
            out.extend_from_slice(b);
        }
        Value::Bool(b) => out.push(u8::from(*b)),
        Value::Object(s) => write_section(out, s)?,
        Value::Array(t, items) => {
            if *t & FLAG_ARRAY != 0 || !(TYPE_I64..=TYPE_OBJECT).contains(t) {
                return Err(WireError::Encode("unsupported epee array element type"));
            }
            put_varint(out, items.len() as u64)?;
            for it in items {
                if it.type_tag() != *t {
                    return Err(WireError::Encode("epee array element of the wrong type"));
                }
                write_value(out, it)?;
            }
        }
    }
    Ok(())
}

/// Parses a portable-storage blob into its root section.
pub fn from_bytes(buf: &[u8]) -> Result<Section, WireError> {
    let mut r = Rd { buf, pos: 0 };
    let a = u32::from_le_bytes(r.take(4)?.try_into().expect("4 bytes"));
    let b = u32::from_le_bytes(r.take(4)?.try_into().expect("4 bytes"));
    let ver = r.take(1)?[0];
    if a != SIG_A || b != SIG_B || ver != FORMAT_VER {
        return Err(WireError::Decode(
            "not an epee portable-storage blob (bad signature)",
        ));
    }
    let s = r.section(0)?;
    if r.pos != buf.len() {
        return Err(WireError::Decode(
            "trailing bytes after the epee root section",
        ));
    }
    Ok(s)
}

struct Rd<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Rd<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], WireError> {
        if self.buf.len() - self.pos < n {
            return Err(WireError::Decode("epee blob is truncated"));
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    fn varint(&mut self) -> Result<u64, WireError> {
        let first = *self
            .buf
            .get(self.pos)
            .ok_or(WireError::Decode("epee blob is truncated"))?;
        Ok(match first & 3 {
            0 => u64::from(self.take(1)?[0] >> 2),
            1 => u64::from(u16::from_le_bytes(self.take(2)?.try_into().expect("2")) >> 2),
            2 => u64::from(u32::from_le_bytes(self.take(4)?.try_into().expect("4")) >> 2),
            _ => u64::from_le_bytes(self.take(8)?.try_into().expect("8")) >> 2,
        })
    }

    /// A count of items each needing at least `min` bytes, bounded by the bytes left.
    fn count(&mut self, min: usize) -> Result<usize, WireError> {
        let n = self.varint()?;
        let left = (self.buf.len() - self.pos) as u64;
        if n.saturating_mul(min as u64) > left {
            return Err(WireError::Decode("epee count larger than the blob"));
        }
        Ok(n as usize)
    }

    fn section(&mut self, depth: usize) -> Result<Section, WireError> {
        if depth > MAX_DEPTH {
            return Err(WireError::Decode("epee sections nested too deeply"));
        }
        let n = self.count(3)?;
        let mut s = Section(Vec::with_capacity(n));
        for _ in 0..n {
            let len = self.take(1)?[0] as usize;
            let name = String::from_utf8(self.take(len)?.to_vec())
                .map_err(|_| WireError::Decode("epee entry name is not UTF-8"))?;
            let t = self.take(1)?[0];
            let v = if t & FLAG_ARRAY != 0 {
                let et = t & !FLAG_ARRAY;
                if !(TYPE_I64..=TYPE_OBJECT).contains(&et) {
                    return Err(WireError::Decode("unsupported epee array element type"));
                }
                let k = self.count(1)?;
                let mut items = Vec::with_capacity(k.min(4096));
                for _ in 0..k {
                    items.push(self.value(et, depth)?);
                }
                Value::Array(et, items)
            } else {
                self.value(t, depth)?
            };
            s.0.push((name, v));
        }
        Ok(s)
    }

    fn value(&mut self, t: u8, depth: usize) -> Result<Value, WireError> {
        macro_rules! le {
            ($ty:ty, $n:expr) => {
                <$ty>::from_le_bytes(self.take($n)?.try_into().expect("width"))
            };
        }
        Ok(match t {
            TYPE_I64 => Value::I64(le!(i64, 8)),
            TYPE_I32 => Value::I32(le!(i32, 4)),
            TYPE_I16 => Value::I16(le!(i16, 2)),
            TYPE_I8 => Value::I8(le!(i8, 1)),
            TYPE_U64 => Value::U64(le!(u64, 8)),
            TYPE_U32 => Value::U32(le!(u32, 4)),
            TYPE_U16 => Value::U16(le!(u16, 2)),
            TYPE_U8 => Value::U8(self.take(1)?[0]),
            TYPE_F64 => Value::F64(le!(f64, 8)),
            TYPE_STRING => {
                let n = self.count(1)?;
                Value::Str(self.take(n)?.to_vec())
            }
            TYPE_BOOL => Value::Bool(self.take(1)?[0] != 0),
            TYPE_OBJECT => Value::Object(self.section(depth + 1)?),
            _ => return Err(WireError::Decode("unknown epee type tag")),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn scalar() -> impl Strategy<Value = Value> {
        prop_oneof![
            any::<i64>().prop_map(Value::I64),
            any::<i32>().prop_map(Value::I32),
            any::<i16>().prop_map(Value::I16),
            any::<i8>().prop_map(Value::I8),
            any::<u64>().prop_map(Value::U64),
            any::<u32>().prop_map(Value::U32),
            any::<u16>().prop_map(Value::U16),
            any::<u8>().prop_map(Value::U8),
            any::<i32>().prop_map(|x| Value::F64(f64::from(x) / 7.0)),
            proptest::collection::vec(any::<u8>(), 0..300).prop_map(Value::Str),
            any::<bool>().prop_map(Value::Bool),
        ]
    }

    fn value() -> impl Strategy<Value = Value> {
        scalar().prop_recursive(3, 40, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(("[a-z_]{1,12}", inner), 0..6)
                    .prop_map(|v| Value::Object(Section(v))),
                proptest::collection::vec(any::<u32>(), 0..70)
                    .prop_map(|v| Value::Array(TYPE_U32, v.into_iter().map(Value::U32).collect())),
                proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..40), 0..5)
                    .prop_map(|v| Value::Array(
                        TYPE_STRING,
                        v.into_iter().map(Value::Str).collect()
                    )),
            ]
        })
    }

    proptest! {
        #[test]
        fn sections_round_trip(entries in proptest::collection::vec(("[a-z_]{1,20}", value()), 0..8)) {
            let s = Section(entries);
            let b = to_bytes(&s).unwrap();
            prop_assert_eq!(from_bytes(&b).unwrap(), s);
        }

        #[test]
        fn varints_round_trip(v in 0u64..(1 << 62)) {
            let mut b = Vec::new();
            put_varint(&mut b, v).unwrap();
            let mut r = Rd { buf: &b, pos: 0 };
            prop_assert_eq!(r.varint().unwrap(), v);
            prop_assert_eq!(r.pos, b.len());
        }

        #[test]
        fn garbage_never_panics(b in proptest::collection::vec(any::<u8>(), 0..200)) {
            let mut blob = vec![0x01, 0x11, 0x01, 0x01, 0x01, 0x01, 0x02, 0x01, 0x01];
            blob.extend(b);
            let _ = from_bytes(&blob);
        }
    }

    #[test]
    fn known_encoding_of_a_small_section() {
        let s = Section::new()
            .with("a", Value::U32(5))
            .with("s", Value::Str(b"OK".to_vec()));
        assert_eq!(
            hex::encode(to_bytes(&s).unwrap()),
            "011101010101020101080161060500000001730a084f4b"
        );
    }

    #[test]
    fn bad_signature_and_hostile_counts_are_errors() {
        assert!(from_bytes(&[0u8; 9]).is_err());
        let mut b = to_bytes(&Section::new()).unwrap();
        b.truncate(9);
        b.extend_from_slice(&[0xff, 0xff, 0xff, 0xff]); // a huge 4-byte section count
        assert!(from_bytes(&b).is_err());
    }
}
