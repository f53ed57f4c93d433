//! CBOR (RFC 8949) encoding and decoding of canonical values, for Smithy RPC v2 CBOR.
//!
//! The decoder reads untrusted bytes: nesting is bounded by [`MAX_DEPTH`], and no allocation is
//! sized by a declared length before the bytes it claims are known to be there, so a five-byte
//! body announcing a four-gigabyte string fails fast instead of allocating.

use base64::Engine;
use serde_json::{Map, Value};

use super::rest::float_value;

/// Deepest nesting of arrays, maps and tags the decoder follows.
pub const MAX_DEPTH: usize = 64;

/// One CBOR data item.
#[derive(Debug, Clone, PartialEq)]
pub enum CborValue {
    Unsigned(u64),
    /// The negative integer `-1 - n`.
    Negative(u64),
    Bytes(Vec<u8>),
    Text(String),
    Array(Vec<CborValue>),
    Map(Vec<(CborValue, CborValue)>),
    Tag(u64, Box<CborValue>),
    Bool(bool),
    Null,
    Undefined,
    Float(f64),
}

/// Why bytes are not one well-formed CBOR item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CborError {
    Truncated,
    TooDeep,
    TrailingBytes,
    Malformed(&'static str),
}

impl std::fmt::Display for CborError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CborError::Truncated => write!(f, "the CBOR body ends in the middle of an item"),
            CborError::TooDeep => write!(f, "the CBOR body nests deeper than {MAX_DEPTH} levels"),
            CborError::TrailingBytes => write!(f, "the CBOR body has bytes after its item"),
            CborError::Malformed(what) => write!(f, "the CBOR body is malformed: {what}"),
        }
    }
}

impl std::error::Error for CborError {}

const BREAK: u8 = 0xff;

/// Decodes exactly one CBOR item from `bytes`.
pub fn decode(bytes: &[u8]) -> Result<CborValue, CborError> {
    let mut reader = Reader { bytes, position: 0 };
    let value = reader.item(0)?;
    if reader.position != bytes.len() {
        return Err(CborError::TrailingBytes);
    }
    Ok(value)
}

struct Reader<'b> {
    bytes: &'b [u8],
    position: usize,
}

impl<'b> Reader<'b> {
    fn remaining(&self) -> usize {
        self.bytes.len() - self.position
    }

    fn byte(&mut self) -> Result<u8, CborError> {
        let byte = *self.bytes.get(self.position).ok_or(CborError::Truncated)?;
        self.position += 1;
        Ok(byte)
    }

    fn peek(&self) -> Result<u8, CborError> {
        self.bytes.get(self.position).copied().ok_or(CborError::Truncated)
    }

    fn take(&mut self, length: u64) -> Result<&'b [u8], CborError> {
        if length > self.remaining() as u64 {
            return Err(CborError::Truncated);
        }
        let start = self.position;
        self.position += length as usize;
        Ok(&self.bytes[start..self.position])
    }

    fn uint(&mut self, width: u64) -> Result<u64, CborError> {
        Ok(self.take(width)?.iter().fold(0u64, |acc, b| acc << 8 | u64::from(*b)))
    }

    /// The argument of a head; `None` for the indefinite-length marker.
    fn argument(&mut self, info: u8) -> Result<Option<u64>, CborError> {
        match info {
            0..=23 => Ok(Some(u64::from(info))),
            24 => self.uint(1).map(Some),
            25 => self.uint(2).map(Some),
            26 => self.uint(4).map(Some),
            27 => self.uint(8).map(Some),
            31 => Ok(None),
            _ => Err(CborError::Malformed("reserved additional information")),
        }
    }

    fn definite(&mut self, info: u8) -> Result<u64, CborError> {
        self.argument(info)?.ok_or(CborError::Malformed("indefinite length where none is allowed"))
    }

    /// A byte or text string's content: one definite chunk, or definite chunks of the same
    /// major type up to a break.
    fn string(&mut self, major: u8, info: u8) -> Result<Vec<u8>, CborError> {
        match self.argument(info)? {
            Some(length) => Ok(self.take(length)?.to_vec()),
            None => {
                let mut content = Vec::new();
                loop {
                    let head = self.byte()?;
                    if head == BREAK {
                        return Ok(content);
                    }
                    if head >> 5 != major {
                        return Err(CborError::Malformed("a chunk of an indefinite string has another type"));
                    }
                    let length = self.definite(head & 0x1f)?;
                    content.extend_from_slice(self.take(length)?);
                }
            }
        }
    }

    fn item(&mut self, depth: usize) -> Result<CborValue, CborError> {
        if depth > MAX_DEPTH {
            return Err(CborError::TooDeep);
        }
        let head = self.byte()?;
        let (major, info) = (head >> 5, head & 0x1f);
        Ok(match major {
            0 => CborValue::Unsigned(self.definite(info)?),
            1 => CborValue::Negative(self.definite(info)?),
            2 => CborValue::Bytes(self.string(major, info)?),
            3 => CborValue::Text(
                String::from_utf8(self.string(major, info)?).map_err(|_| CborError::Malformed("a text string is not UTF-8"))?,
            ),
            4 => {
                let mut items = Vec::new();
                match self.argument(info)? {
                    Some(count) => {
                        // Every item takes at least one byte, which bounds an honest count.
                        if count > self.remaining() as u64 {
                            return Err(CborError::Truncated);
                        }
                        items.reserve(count as usize);
                        for _ in 0..count {
                            items.push(self.item(depth + 1)?);
                        }
                    }
                    None => {
                        while self.peek()? != BREAK {
                            items.push(self.item(depth + 1)?);
                        }
                        self.position += 1;
                    }
                }
                CborValue::Array(items)
            }
            5 => {
                let mut entries = Vec::new();
                match self.argument(info)? {
                    Some(count) => {
                        if count > (self.remaining() / 2) as u64 {
                            return Err(CborError::Truncated);
                        }
                        entries.reserve(count as usize);
                        for _ in 0..count {
                            let key = self.item(depth + 1)?;
                            entries.push((key, self.item(depth + 1)?));
                        }
                    }
                    None => {
                        while self.peek()? != BREAK {
                            let key = self.item(depth + 1)?;
                            entries.push((key, self.item(depth + 1)?));
                        }
                        self.position += 1;
                    }
                }
                CborValue::Map(entries)
            }
            6 => {
                let tag = self.definite(info)?;
                CborValue::Tag(tag, Box::new(self.item(depth + 1)?))
            }
            _ => match info {
                20 => CborValue::Bool(false),
                21 => CborValue::Bool(true),
                22 => CborValue::Null,
                23 => CborValue::Undefined,
                25 => CborValue::Float(half_to_f64(self.uint(2)? as u16)),
                26 => CborValue::Float(f64::from(f32::from_bits(self.uint(4)? as u32))),
                27 => CborValue::Float(f64::from_bits(self.uint(8)?)),
                31 => return Err(CborError::Malformed("a break outside an indefinite-length item")),
                _ => return Err(CborError::Malformed("an unassigned simple value")),
            },
        })
    }
}

fn half_to_f64(bits: u16) -> f64 {
    let sign = if bits & 0x8000 != 0 { -1.0 } else { 1.0 };
    let exponent = i32::from((bits >> 10) & 0x1f);
    let fraction = f64::from(bits & 0x3ff);
    sign * match exponent {
        0 => fraction * 2f64.powi(-24),
        31 if fraction == 0.0 => f64::INFINITY,
        31 => f64::NAN,
        _ => (1.0 + fraction / 1024.0) * 2f64.powi(exponent - 15),
    }
}

fn write_head(out: &mut Vec<u8>, major: u8, argument: u64) {
    let major = major << 5;
    match argument {
        0..=23 => out.push(major | argument as u8),
        24..=0xff => out.extend_from_slice(&[major | 24, argument as u8]),
        0x100..=0xffff => {
            out.push(major | 25);
            out.extend_from_slice(&(argument as u16).to_be_bytes());
        }
        0x1_0000..=0xffff_ffff => {
            out.push(major | 26);
            out.extend_from_slice(&(argument as u32).to_be_bytes());
        }
        _ => {
            out.push(major | 27);
            out.extend_from_slice(&argument.to_be_bytes());
        }
    }
}

/// Appends the encoding of `value` to `out`, with definite lengths and the shortest heads; a float
/// that single precision holds exactly is written in four bytes.
pub fn encode(value: &CborValue, out: &mut Vec<u8>) {
    match value {
        CborValue::Unsigned(n) => write_head(out, 0, *n),
        CborValue::Negative(n) => write_head(out, 1, *n),
        CborValue::Bytes(bytes) => {
            write_head(out, 2, bytes.len() as u64);
            out.extend_from_slice(bytes);
        }
        CborValue::Text(text) => {
            write_head(out, 3, text.len() as u64);
            out.extend_from_slice(text.as_bytes());
        }
        CborValue::Array(items) => {
            write_head(out, 4, items.len() as u64);
            items.iter().for_each(|item| encode(item, out));
        }
        CborValue::Map(entries) => {
            write_head(out, 5, entries.len() as u64);
            for (key, item) in entries {
                encode(key, out);
                encode(item, out);
            }
        }
        CborValue::Tag(tag, inner) => {
            write_head(out, 6, *tag);
            encode(inner, out);
        }
        CborValue::Bool(false) => out.push(0xf4),
        CborValue::Bool(true) => out.push(0xf5),
        CborValue::Null => out.push(0xf6),
        CborValue::Undefined => out.push(0xf7),
        CborValue::Float(number) => {
            let single = *number as f32;
            if number.is_nan() || f64::from(single) == *number {
                out.push(0xfa);
                out.extend_from_slice(&single.to_bits().to_be_bytes());
            } else {
                out.push(0xfb);
                out.extend_from_slice(&number.to_bits().to_be_bytes());
            }
        }
    }
}

impl CborValue {
    /// An integer as CBOR writes it: unsigned or negative.
    pub fn integer(n: i64) -> Self {
        if n >= 0 {
            CborValue::Unsigned(n as u64)
        } else {
            CborValue::Negative(!(n as u64))
        }
    }

    /// The integer this item is, when it is one that fits an `i64`.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            CborValue::Unsigned(n) => i64::try_from(*n).ok(),
            CborValue::Negative(n) => i64::try_from(*n).ok().map(|n| -1 - n),
            _ => None,
        }
    }

    /// The item as plain JSON without a model (for documents and error bodies): byte strings
    /// become base64, tags are dropped, keys that are not text are written as JSON text.
    pub fn into_json(self) -> Value {
        match self {
            CborValue::Unsigned(n) => Value::from(n),
            CborValue::Negative(n) => i64::try_from(n).map_or_else(|_| float_value(-1.0 - n as f64), |n| Value::from(-1 - n)),
            CborValue::Bytes(bytes) => Value::String(base64::engine::general_purpose::STANDARD.encode(bytes)),
            CborValue::Text(text) => Value::String(text),
            CborValue::Array(items) => Value::Array(items.into_iter().map(CborValue::into_json).collect()),
            // Smithy maps and documents have text keys; an entry keyed by anything else has no
            // JSON form and is left out (rendering such keys as text grows exponentially with
            // their nesting).
            CborValue::Map(entries) => Value::Object(
                entries
                    .into_iter()
                    .filter_map(|(key, item)| match key {
                        CborValue::Text(text) => Some((text, item.into_json())),
                        _ => None,
                    })
                    .collect::<Map<String, Value>>(),
            ),
            CborValue::Tag(_, inner) => inner.into_json(),
            CborValue::Bool(b) => Value::Bool(b),
            CborValue::Null | CborValue::Undefined => Value::Null,
            CborValue::Float(number) => float_value(number),
        }
    }

    /// Plain JSON as CBOR (documents): numbers as integers when they are, otherwise floats.
    pub fn from_json(value: &Value) -> Self {
        match value {
            Value::Null => CborValue::Null,
            Value::Bool(b) => CborValue::Bool(*b),
            Value::Number(n) => match (n.as_i64(), n.as_u64()) {
                (Some(i), _) => CborValue::integer(i),
                (None, Some(u)) => CborValue::Unsigned(u),
                _ => CborValue::Float(n.as_f64().unwrap_or_default()),
            },
            Value::String(text) => CborValue::Text(text.clone()),
            Value::Array(items) => CborValue::Array(items.iter().map(CborValue::from_json).collect()),
            Value::Object(map) => {
                CborValue::Map(map.iter().map(|(k, v)| (CborValue::Text(k.clone()), CborValue::from_json(v))).collect())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(value: CborValue) {
        let mut bytes = Vec::new();
        encode(&value, &mut bytes);
        assert_eq!(decode(&bytes), Ok(value));
    }

    #[test]
    fn integers_round_trip_at_every_head_width() {
        for n in [0, 23, 24, 255, 256, 65_535, 65_536, u64::from(u32::MAX), u64::MAX] {
            round_trip(CborValue::Unsigned(n));
            round_trip(CborValue::Negative(n));
        }
        assert_eq!(CborValue::integer(-500).as_i64(), Some(-500));
    }

    #[test]
    fn nested_structures_round_trip() {
        round_trip(CborValue::Map(vec![
            (CborValue::Text("list".into()), CborValue::Array(vec![CborValue::Bool(true), CborValue::Null, CborValue::Float(1.5)])),
            (CborValue::Text("blob".into()), CborValue::Bytes(vec![0, 1, 2])),
            (CborValue::Text("when".into()), CborValue::Tag(1, Box::new(CborValue::Float(1.576540098123e9)))),
        ]));
    }

    #[test]
    fn floats_use_single_precision_only_when_exact() {
        let mut bytes = Vec::new();
        encode(&CborValue::Float(7.625), &mut bytes);
        assert_eq!(bytes[0], 0xfa);
        bytes.clear();
        encode(&CborValue::Float(1.889), &mut bytes);
        assert_eq!(bytes[0], 0xfb);
    }

    #[test]
    fn half_precision_floats_decode() {
        assert_eq!(decode(&[0xf9, 0x3e, 0x00]), Ok(CborValue::Float(1.5)));
        assert_eq!(decode(&[0xf9, 0x7c, 0x00]), Ok(CborValue::Float(f64::INFINITY)));
        assert_eq!(decode(&[0xf9, 0x00, 0x50]), Ok(CborValue::Float(4.76837158203125e-06)));
        assert!(matches!(decode(&[0xf9, 0x7e, 0x00]), Ok(CborValue::Float(n)) if n.is_nan()));
    }

    #[test]
    fn indefinite_strings_concatenate_their_chunks() {
        let bytes = [0x7f, 0x62, b'a', b'b', 0x61, b'c', 0xff];
        assert_eq!(decode(&bytes), Ok(CborValue::Text("abc".into())));
    }

    #[test]
    fn indefinite_string_chunks_must_share_the_major_type() {
        assert!(matches!(decode(&[0x7f, 0x41, b'a', 0xff]), Err(CborError::Malformed(_))));
    }

    #[test]
    fn truncated_input_is_an_error() {
        assert_eq!(decode(&[0x62, b'a']), Err(CborError::Truncated));
        assert_eq!(decode(&[0x82, 0x01]), Err(CborError::Truncated));
        assert_eq!(decode(&[0x9f, 0x01]), Err(CborError::Truncated));
        assert_eq!(decode(&[]), Err(CborError::Truncated));
    }

    #[test]
    fn huge_declared_lengths_fail_without_allocating() {
        assert_eq!(decode(&[0x5b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), Err(CborError::Truncated));
        assert_eq!(decode(&[0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), Err(CborError::Truncated));
        assert_eq!(decode(&[0xbb, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00]), Err(CborError::Truncated));
    }

    #[test]
    fn map_entries_without_text_keys_have_no_json_form() {
        let nested_key = CborValue::Map(vec![(CborValue::Text("a".into()), CborValue::Unsigned(1))]);
        let map = CborValue::Map(vec![
            (nested_key, CborValue::Unsigned(2)),
            (CborValue::Text("kept".into()), CborValue::Unsigned(3)),
        ]);
        assert_eq!(map.into_json(), serde_json::json!({ "kept": 3 }));
    }

    #[test]
    fn deep_nesting_is_refused() {
        let bytes = vec![0x81; 10_000];
        assert_eq!(decode(&bytes), Err(CborError::TooDeep));
        let tags = [0xc1; 200];
        assert_eq!(decode(&tags), Err(CborError::TooDeep));
    }

    #[test]
    fn stray_breaks_and_trailing_bytes_are_refused() {
        assert!(matches!(decode(&[0xff]), Err(CborError::Malformed(_))));
        assert_eq!(decode(&[0x01, 0x02]), Err(CborError::TrailingBytes));
        assert!(matches!(decode(&[0x1c]), Err(CborError::Malformed(_))));
    }

    #[test]
    fn every_truncation_and_byte_mutation_of_a_valid_item_is_handled() {
        let value = CborValue::Map(vec![
            (CborValue::Text("items".into()), CborValue::Array(vec![CborValue::Unsigned(70_000), CborValue::Bytes(vec![9; 30])])),
            (CborValue::Text("when".into()), CborValue::Tag(1, Box::new(CborValue::Float(1.25e9)))),
        ]);
        let mut bytes = Vec::new();
        encode(&value, &mut bytes);
        for end in 0..bytes.len() {
            assert!(decode(&bytes[..end]).is_err(), "a {end}-byte prefix is incomplete");
        }
        let (mut decoded, mut refused) = (0, 0);
        for position in 0..bytes.len() {
            for replacement in 0..=255u8 {
                let mut mutated = bytes.clone();
                mutated[position] = replacement;
                match decode(&mutated) {
                    Ok(_) => decoded += 1,
                    Err(_) => refused += 1,
                }
            }
        }
        assert!(decoded > 0 && refused > 0, "{decoded} decoded, {refused} refused");
    }
}
