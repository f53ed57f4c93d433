//! The audit log as chunks: the events one group commit wrote for one account and region,
//! encoded back to back in one blob, and the hashed attribute keys that find the chunk.
//!
//! A chunk body is a version byte, the event count (u32), then per event its time (f64),
//! its index in the chunk (u32, stable when a purge drops older events around it), a flags
//! byte, the strings LookupEvents filters on, its resources and its JSON. Integers are
//! little-endian; a string is its length (u32) and its UTF-8 bytes. Each event's encoding
//! stands alone, so a purge rewrites a chunk by copying the events it keeps.
//!
//! A chunk is stored compressed (see [`compress`]): events repeat their field names, account,
//! ARNs and user agent, so a chunk shrinks several times over, and bytes are what the log costs,
//! as SQLite writes each one twice, to its WAL and again at a checkpoint.

use std::borrow::Cow;

use super::{AuditAttribute, AuditRecord};
use crate::error::StoreError;

const FORMAT_VERSION: u8 = 1;
/// The first byte of a stored chunk that is compressed; one that starts with
/// `FORMAT_VERSION` is plain, as the first versions stored every chunk.
const COMPRESSED: u8 = 0x80;
/// The bound on a compressed chunk's plain length: far above any group commit's chunk, so a
/// larger length can only be corruption, which must not turn into a huge allocation.
const MAX_PLAIN_LEN: usize = 1 << 30;
const HEADER_LEN: usize = 5;
const READ_ONLY: u8 = 1;
const HAS_USERNAME: u8 = 2;
const HAS_ACCESS_KEY_ID: u8 = 4;

/// How many bits of an event's sequence number are its index in the chunk; the rest is the
/// chunk id, so sequence numbers grow with the log and order events of the same second.
const INDEX_BITS: u32 = 20;
/// The most events one chunk holds.
pub(crate) const MAX_CHUNK_EVENTS: usize = 1 << INDEX_BITS;

/// The sequence number of the event at `index` in chunk `chunk_id`.
pub(crate) fn event_seq(chunk_id: i64, index: u32) -> i64 {
    (chunk_id << INDEX_BITS) | i64::from(index)
}

/// Builds the body of one chunk from records of one account and region, in order.
pub(crate) struct ChunkBuilder {
    body: Vec<u8>,
    count: u32,
    min_time: f64,
    max_time: f64,
}

impl ChunkBuilder {
    pub(crate) fn new() -> ChunkBuilder {
        ChunkBuilder::in_buffer(Vec::new(), 0)
    }

    /// A builder writing into `body` (emptied first), sized for `events_len` bytes of
    /// events, so that building a chunk of several hundred kilobytes never reallocates.
    pub(crate) fn in_buffer(mut body: Vec<u8>, events_len: usize) -> ChunkBuilder {
        body.clear();
        body.reserve(HEADER_LEN + events_len);
        body.push(FORMAT_VERSION);
        body.extend_from_slice(&0u32.to_le_bytes());
        ChunkBuilder {
            body,
            count: 0,
            min_time: f64::INFINITY,
            max_time: f64::NEG_INFINITY,
        }
    }

    /// How many bytes [`push`](Self::push) adds for `record`.
    pub(crate) fn encoded_len(record: &AuditRecord) -> usize {
        let string = |value: &str| 4 + value.len();
        8 + 4
            + 1
            + string(&record.event_id)
            + string(&record.event_name)
            + string(&record.event_source)
            + record.username.as_deref().map_or(0, string)
            + record.access_key_id.as_deref().map_or(0, string)
            + 4
            + record
                .resources
                .iter()
                .map(|(kind, name)| string(kind) + string(name))
                .sum::<usize>()
            + string(&record.event_json)
    }

    pub(crate) fn push(&mut self, record: &AuditRecord) {
        self.body
            .extend_from_slice(&record.event_time.to_le_bytes());
        self.body.extend_from_slice(&self.count.to_le_bytes());
        let mut flags = 0;
        if record.read_only {
            flags |= READ_ONLY;
        }
        if record.username.is_some() {
            flags |= HAS_USERNAME;
        }
        if record.access_key_id.is_some() {
            flags |= HAS_ACCESS_KEY_ID;
        }
        self.body.push(flags);
        put_str(&mut self.body, &record.event_id);
        put_str(&mut self.body, &record.event_name);
        put_str(&mut self.body, &record.event_source);
        if let Some(username) = &record.username {
            put_str(&mut self.body, username);
        }
        if let Some(access_key_id) = &record.access_key_id {
            put_str(&mut self.body, access_key_id);
        }
        self.body
            .extend_from_slice(&(record.resources.len() as u32).to_le_bytes());
        for (kind, name) in &record.resources {
            put_str(&mut self.body, kind);
            put_str(&mut self.body, name);
        }
        put_str(&mut self.body, &record.event_json);
        self.note(record.event_time);
    }

    /// Appends an event read from another chunk, keeping its index.
    pub(crate) fn push_encoded(&mut self, event: &ChunkEvent<'_>) {
        self.body.extend_from_slice(event.encoded);
        self.note(event.time);
    }

    fn note(&mut self, time: f64) {
        self.count += 1;
        self.min_time = self.min_time.min(time);
        self.max_time = self.max_time.max(time);
    }

    pub(crate) fn finish(mut self) -> Chunk {
        self.body[1..HEADER_LEN].copy_from_slice(&self.count.to_le_bytes());
        Chunk {
            body: self.body,
            event_count: self.count,
            min_time: self.min_time,
            max_time: self.max_time,
        }
    }
}

/// The stored form of a chunk body: `COMPRESSED`, the body's length (u32) and its LZ4 block.
pub(crate) fn compress(body: &[u8]) -> Vec<u8> {
    let mut stored = vec![0; HEADER_LEN + lz4_flex::block::get_maximum_output_size(body.len())];
    stored[0] = COMPRESSED;
    stored[1..HEADER_LEN].copy_from_slice(&(body.len() as u32).to_le_bytes());
    let len = lz4_flex::block::compress_into(body, &mut stored[HEADER_LEN..])
        .expect("the buffer is sized for the worst case");
    stored.truncate(HEADER_LEN + len);
    stored
}

/// The body of a stored chunk, compressed or plain.
pub(crate) fn decompress(stored: &[u8]) -> Result<Cow<'_, [u8]>, StoreError> {
    if stored.first() != Some(&COMPRESSED) {
        return Ok(Cow::Borrowed(stored));
    }
    let corrupt = |why: String| StoreError::Corrupt(format!("compressed audit chunk: {why}"));
    let mut reader = Reader::new(stored);
    reader.u8()?;
    let len = reader.u32()? as usize;
    if len > MAX_PLAIN_LEN {
        return Err(corrupt(format!("a plain length of {len} bytes")));
    }
    let body = lz4_flex::block::decompress(&stored[HEADER_LEN..], len).map_err(|error| corrupt(error.to_string()))?;
    if body.len() != len {
        return Err(corrupt(format!("{} bytes where the header says {len}", body.len())));
    }
    Ok(Cow::Owned(body))
}

fn put_str(out: &mut Vec<u8>, value: &str) {
    out.extend_from_slice(&(value.len() as u32).to_le_bytes());
    out.extend_from_slice(value.as_bytes());
}

/// An encoded chunk and the time range it covers.
pub(crate) struct Chunk {
    pub(crate) body: Vec<u8>,
    pub(crate) event_count: u32,
    pub(crate) min_time: f64,
    pub(crate) max_time: f64,
}

/// One event as a chunk holds it, borrowed from the body.
pub(crate) struct ChunkEvent<'a> {
    pub(crate) time: f64,
    pub(crate) index: u32,
    read_only: bool,
    event_id: &'a [u8],
    event_name: &'a [u8],
    event_source: &'a [u8],
    username: Option<&'a [u8]>,
    access_key_id: Option<&'a [u8]>,
    resource_count: u32,
    resources: &'a [u8],
    pub(crate) event_json: &'a [u8],
    /// The event's whole encoding, for copying it into a rewritten chunk.
    encoded: &'a [u8],
}

impl<'a> ChunkEvent<'a> {
    /// The event's values of every attribute LookupEvents filters on; a resource type
    /// named twice appears twice.
    pub(crate) fn attributes(&self) -> impl Iterator<Item = (AuditAttribute, &'a [u8])> + '_ {
        let read_only: &'static [u8] = if self.read_only { b"true" } else { b"false" };
        let single = [
            Some((AuditAttribute::EventId, self.event_id)),
            Some((AuditAttribute::EventName, self.event_name)),
            Some((AuditAttribute::EventSource, self.event_source)),
            Some((AuditAttribute::ReadOnly, read_only)),
            self.username.map(|value| (AuditAttribute::Username, value)),
            self.access_key_id
                .map(|value| (AuditAttribute::AccessKeyId, value)),
        ];
        let mut resources = Reader::new(self.resources);
        let pairs = (0..self.resource_count).flat_map(move |_| {
            // The section was checked when the event was read, so these reads succeed.
            let kind = resources.bytes().unwrap_or_default();
            let name = resources.bytes().unwrap_or_default();
            [
                (AuditAttribute::ResourceType, kind),
                (AuditAttribute::ResourceName, name),
            ]
        });
        single.into_iter().flatten().chain(pairs)
    }

    /// Whether the event has `value` for `attribute`, exactly.
    pub(crate) fn matches(&self, attribute: AuditAttribute, value: &str) -> bool {
        self.attributes().any(|(candidate, candidate_value)| {
            candidate == attribute && candidate_value == value.as_bytes()
        })
    }
}

/// The events of a chunk body, in the order they were written.
pub(crate) struct ChunkEvents<'a> {
    reader: Reader<'a>,
    remaining: u32,
}

impl<'a> ChunkEvents<'a> {
    pub(crate) fn new(body: &'a [u8]) -> Result<ChunkEvents<'a>, StoreError> {
        let mut reader = Reader::new(body);
        let version = reader.u8()?;
        if version != FORMAT_VERSION {
            return Err(StoreError::Corrupt(format!(
                "audit chunk format {version} is not one this store reads"
            )));
        }
        let remaining = reader.u32()?;
        Ok(ChunkEvents { reader, remaining })
    }

    fn read_event(&mut self) -> Result<ChunkEvent<'a>, StoreError> {
        let reader = &mut self.reader;
        let start = reader.position;
        let time = f64::from_le_bytes(reader.array()?);
        let index = reader.u32()?;
        let flags = reader.u8()?;
        let event_id = reader.bytes()?;
        let event_name = reader.bytes()?;
        let event_source = reader.bytes()?;
        let username = (flags & HAS_USERNAME != 0)
            .then(|| reader.bytes())
            .transpose()?;
        let access_key_id = (flags & HAS_ACCESS_KEY_ID != 0)
            .then(|| reader.bytes())
            .transpose()?;
        let resource_count = reader.u32()?;
        let resources_start = reader.position;
        for _ in 0..resource_count {
            reader.bytes()?;
            reader.bytes()?;
        }
        let resources = &reader.input[resources_start..reader.position];
        let event_json = reader.bytes()?;
        Ok(ChunkEvent {
            time,
            index,
            read_only: flags & READ_ONLY != 0,
            event_id,
            event_name,
            event_source,
            username,
            access_key_id,
            resource_count,
            resources,
            event_json,
            encoded: &reader.input[start..reader.position],
        })
    }
}

impl<'a> Iterator for ChunkEvents<'a> {
    type Item = Result<ChunkEvent<'a>, StoreError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.remaining == 0 {
            return None;
        }
        self.remaining -= 1;
        let event = self.read_event();
        if event.is_err() {
            self.remaining = 0;
        }
        Some(event)
    }
}

struct Reader<'a> {
    input: &'a [u8],
    position: usize,
}

impl<'a> Reader<'a> {
    fn new(input: &'a [u8]) -> Reader<'a> {
        Reader { input, position: 0 }
    }

    fn take(&mut self, len: usize) -> Result<&'a [u8], StoreError> {
        let end = self
            .position
            .checked_add(len)
            .filter(|end| *end <= self.input.len())
            .ok_or_else(|| StoreError::Corrupt("audit chunk is truncated".into()))?;
        let bytes = &self.input[self.position..end];
        self.position = end;
        Ok(bytes)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], StoreError> {
        let mut array = [0; N];
        array.copy_from_slice(self.take(N)?);
        Ok(array)
    }

    fn u8(&mut self) -> Result<u8, StoreError> {
        Ok(self.array::<1>()?[0])
    }

    fn u32(&mut self) -> Result<u32, StoreError> {
        Ok(u32::from_le_bytes(self.array()?))
    }

    fn bytes(&mut self) -> Result<&'a [u8], StoreError> {
        let len = self.u32()? as usize;
        self.take(len)
    }
}

/// The index key of one attribute value in one account's trail in one region: a 64-bit
/// FNV-1a hash. Two values may share a key; lookups compare the values themselves.
pub(crate) struct AttributeKeys {
    trail: u64,
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

fn fnv1a(mut hash: u64, bytes: &[u8]) -> u64 {
    for byte in bytes {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(FNV_PRIME);
    }
    hash
}

impl AttributeKeys {
    pub(crate) fn new(account: &str, region: &str) -> AttributeKeys {
        let hash = fnv1a(FNV_OFFSET, account.as_bytes());
        let hash = fnv1a(hash, &[0]);
        let hash = fnv1a(hash, region.as_bytes());
        AttributeKeys {
            trail: fnv1a(hash, &[0]),
        }
    }

    pub(crate) fn key(&self, attribute: AuditAttribute, value: &[u8]) -> i64 {
        let tag = match attribute {
            AuditAttribute::EventId => 1,
            AuditAttribute::EventName => 2,
            AuditAttribute::ReadOnly => 3,
            AuditAttribute::Username => 4,
            AuditAttribute::ResourceType => 5,
            AuditAttribute::ResourceName => 6,
            AuditAttribute::EventSource => 7,
            AuditAttribute::AccessKeyId => 8,
        };
        fnv1a(fnv1a(self.trail, &[tag]), value) as i64
    }

    /// The distinct keys of every attribute value of a chunk's events.
    pub(crate) fn of_chunk(&self, body: &[u8]) -> Result<ChunkKeys, StoreError> {
        let (mut all, mut indexed) = (Vec::new(), Vec::new());
        for event in ChunkEvents::new(body)? {
            for (attribute, value) in event?.attributes() {
                let key = self.key(attribute, value);
                all.push(key);
                if attribute != AuditAttribute::EventId {
                    indexed.push(key);
                }
            }
        }
        for keys in [&mut all, &mut indexed] {
            keys.sort_unstable();
            keys.dedup();
        }
        Ok(ChunkKeys { all, indexed })
    }
}

/// The keys of a chunk's attribute values, each list sorted. All of them are stored with the
/// chunk; all but the event ids' get a row in the key index. An event id is a key of its
/// own for every event: rows for them would make the index as large as the log and every
/// group commit rewrite pages all over it, so a lookup by event id searches the keys stored
/// with the chunks instead.
pub(crate) struct ChunkKeys {
    pub(crate) all: Vec<i64>,
    pub(crate) indexed: Vec<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(id: &str, time: f64) -> AuditRecord {
        AuditRecord {
            account: "000000000000".into(),
            region: "us-east-1".into(),
            event_time: time,
            event_id: id.into(),
            event_name: "Encrypt".into(),
            event_source: "kms.amazonaws.com".into(),
            username: None,
            access_key_id: Some("AKIA".into()),
            read_only: false,
            resources: vec![("AWS::KMS::Key".into(), "k1".into())],
            event_json: format!("{{\"eventID\":\"{id}\"}}"),
        }
    }

    #[test]
    fn a_chunk_reads_back_its_events_in_order() {
        let mut builder = ChunkBuilder::new();
        builder.push(&record("a", 2.0));
        builder.push(&record("b", 1.0));
        let chunk = builder.finish();
        let encoded: usize = [record("a", 2.0), record("b", 1.0)]
            .iter()
            .map(ChunkBuilder::encoded_len)
            .sum();
        assert_eq!(chunk.body.len(), HEADER_LEN + encoded);
        assert_eq!(
            (chunk.min_time, chunk.max_time, chunk.event_count),
            (1.0, 2.0, 2)
        );
        let events: Vec<_> = ChunkEvents::new(&chunk.body)
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(events[1].index, 1);
        assert_eq!(events[1].event_json, b"{\"eventID\":\"b\"}");
        assert!(events[0].matches(AuditAttribute::ReadOnly, "false"));
        assert!(events[0].matches(AuditAttribute::ResourceName, "k1"));
        assert!(!events[0].matches(AuditAttribute::Username, ""));
    }

    #[test]
    fn a_rewritten_chunk_keeps_event_indexes() {
        let mut builder = ChunkBuilder::new();
        builder.push(&record("a", 1.0));
        builder.push(&record("b", 2.0));
        let chunk = builder.finish();
        let mut rewritten = ChunkBuilder::new();
        for event in ChunkEvents::new(&chunk.body).unwrap() {
            let event = event.unwrap();
            if event.time >= 2.0 {
                rewritten.push_encoded(&event);
            }
        }
        let rewritten = rewritten.finish();
        let event = ChunkEvents::new(&rewritten.body)
            .unwrap()
            .next()
            .unwrap()
            .unwrap();
        assert_eq!((event.index, rewritten.min_time), (1, 2.0));
    }

    #[test]
    fn a_chunk_is_stored_compressed_and_reads_back_whole() {
        let mut builder = ChunkBuilder::new();
        for i in 0..100 {
            builder.push(&record(&format!("event-{i}"), f64::from(i)));
        }
        let chunk = builder.finish();
        let stored = compress(&chunk.body);
        assert!(stored.len() * 4 < chunk.body.len(), "{} of {} bytes", stored.len(), chunk.body.len());
        assert_eq!(decompress(&stored).unwrap(), chunk.body);
        assert!(matches!(decompress(&chunk.body), Ok(Cow::Borrowed(_))), "a plain chunk reads as it is");
    }

    #[test]
    fn a_damaged_compressed_chunk_is_corrupt() {
        let mut builder = ChunkBuilder::new();
        builder.push(&record("a", 1.0));
        let stored = compress(&builder.finish().body);
        assert!(decompress(&stored[..stored.len() - 3]).is_err());
        let mut huge = stored.clone();
        huge[1..HEADER_LEN].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(decompress(&huge).is_err());
    }

    #[test]
    fn event_ids_are_stored_with_the_chunk_but_not_indexed() {
        let mut builder = ChunkBuilder::new();
        for i in 0..50 {
            builder.push(&record(&format!("event-{i}"), f64::from(i)));
        }
        let keys = AttributeKeys::new("000000000000", "us-east-1");
        let chunk_keys = keys.of_chunk(&builder.finish().body).unwrap();
        let event_id = keys.key(AuditAttribute::EventId, b"event-7");
        assert!(chunk_keys.all.binary_search(&event_id).is_ok());
        assert!(!chunk_keys.indexed.contains(&event_id));
        // Name, source, read-only, access key, resource type and name: the same for all 50.
        assert_eq!(chunk_keys.indexed.len(), 6);
        assert_eq!(chunk_keys.all.len(), 56);
    }

    #[test]
    fn a_truncated_chunk_is_corrupt() {
        let mut builder = ChunkBuilder::new();
        builder.push(&record("a", 1.0));
        let body = builder.finish().body;
        let events = ChunkEvents::new(&body[..body.len() - 1]).unwrap();
        assert!(events.collect::<Result<Vec<_>, _>>().is_err());
    }
}
