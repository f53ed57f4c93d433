//! The audit log on SQLite: a log of chunks, not a table of rows.
//!
//! A group commit writes one `audit_chunks` row per account and region it holds (the events
//! encoded back to back and compressed, see `audit::chunk`) and one `audit_chunk_keys` row per
//! distinct attribute value in the chunk but its event ids, which are searched in the keys
//! stored with each chunk. A row and a few index entries per chunk instead of nine index
//! entries per event is what makes an append cost a few microseconds.
//!
//! A lookup walks the candidate chunks newest first (by `max_time`) and filters their events
//! exactly; the keys are hashes, so a chunk found through a colliding key just yields nothing.

use std::collections::HashMap;

use rusqlite::blob::ZeroBlob;
use rusqlite::{Connection, OptionalExtension, MAIN_DB};

use super::SqliteStore;
use crate::audit::chunk::{
    compress, decompress, event_seq, AttributeKeys, Chunk, ChunkBuilder, ChunkEvents, ChunkKeys,
    MAX_CHUNK_EVENTS,
};
use crate::audit::{AuditAttribute, AuditCursor, AuditFilter, AuditRecord, AuditRow};
use crate::error::StoreError;

const INSERT_CHUNK_SQL: &str = "INSERT INTO audit_chunks
     (account, region, min_time, max_time, event_count, keys, body)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
const INSERT_KEY_SQL: &str =
    "INSERT INTO audit_chunk_keys (key, max_time, chunk_id) VALUES (?1, ?2, ?3)";
const DELETE_KEY_SQL: &str =
    "DELETE FROM audit_chunk_keys WHERE key = ?1 AND max_time = ?2 AND chunk_id = ?3";
/// The chunks of a trail that may hold events in [?3, ?4], newest first.
const CHUNKS_SQL: &str = "SELECT chunk_id, max_time, body FROM audit_chunks
     WHERE account = ?1 AND region = ?2 AND max_time >= ?3 AND min_time <= ?4
     ORDER BY max_time DESC";
/// The same with the keys stored with each chunk, to search them for a key.
const STORED_KEYS_CHUNKS_SQL: &str = "SELECT chunk_id, max_time, body, keys FROM audit_chunks
     WHERE account = ?1 AND region = ?2 AND max_time >= ?3 AND min_time <= ?4
     ORDER BY max_time DESC";
/// The same, through the key of an attribute value (?5). CROSS JOIN keeps the key table
/// outside, so its primary key yields the chunks already in order.
const KEYED_CHUNKS_SQL: &str = "SELECT c.chunk_id, c.max_time, c.body
     FROM audit_chunk_keys k CROSS JOIN audit_chunks c ON c.chunk_id = k.chunk_id
     WHERE k.key = ?5 AND k.max_time >= ?3
       AND c.account = ?1 AND c.region = ?2 AND c.min_time <= ?4
     ORDER BY k.max_time DESC";
/// The oldest chunks holding events before ?1, through `audit_chunks_by_age`.
const AGED_CHUNKS_SQL: &str = "SELECT chunk_id, max_time, event_count, keys, account, region
     FROM audit_chunks WHERE min_time < ?1 ORDER BY min_time LIMIT ?2";
const CHUNK_BODY_SQL: &str = "SELECT body FROM audit_chunks WHERE chunk_id = ?1";
const DELETE_CHUNK_SQL: &str = "DELETE FROM audit_chunks WHERE chunk_id = ?1";
const REWRITE_CHUNK_SQL: &str = "UPDATE audit_chunks
     SET min_time = ?2, event_count = ?3, keys = ?4, body = ?5 WHERE chunk_id = ?1";

/// Chunk buffers kept between batches: a batch of many accounts has many small chunks, and
/// keeping every buffer would hold on to memory that only a burst needed.
const SPARE_BUFFERS: usize = 16;
/// Chunks purged or rewritten per purge transaction (each up to a group commit of events).
const PURGE_CHUNKS: i64 = 50;

/// A chunk ready to insert: its trail, its events (plain and as stored) and their attribute
/// keys.
struct EncodedChunk<'a> {
    account: &'a str,
    region: &'a str,
    chunk: Chunk,
    stored: Vec<u8>,
    keys: ChunkKeys,
}

/// Writes group commits as chunks, on the audit writer's thread. It keeps the chunk bodies'
/// buffers from one batch to the next: each is up to a few megabytes, which the allocator
/// would otherwise return to the system and fault in again every time.
pub(crate) struct ChunkAppender {
    store: SqliteStore,
    spare_buffers: Vec<Vec<u8>>,
}

impl ChunkAppender {
    pub(crate) fn new(store: SqliteStore) -> ChunkAppender {
        ChunkAppender {
            store,
            spare_buffers: Vec::new(),
        }
    }

    /// Appends a batch in one transaction (group commit). The chunks are encoded before the
    /// connection is taken, so requests queued for it wait only for the inserts.
    pub(crate) fn append(&mut self, records: &[AuditRecord]) -> Result<(), StoreError> {
        let chunks = self.encode_chunks(records)?;
        let written = {
            let connection = self.store.connection.blocking_lock();
            in_transaction(&connection, || {
                chunks
                    .iter()
                    .try_for_each(|encoded| insert_chunk(&connection, encoded))
            })
        };
        self.spare_buffers
            .extend(chunks.into_iter().map(|encoded| encoded.chunk.body));
        self.spare_buffers.truncate(SPARE_BUFFERS);
        written
    }

    /// Groups a batch by account and region, in arrival order within each group.
    fn encode_chunks<'a>(
        &mut self,
        records: &'a [AuditRecord],
    ) -> Result<Vec<EncodedChunk<'a>>, StoreError> {
        let mut trails: HashMap<(&str, &str), Vec<&AuditRecord>> = HashMap::new();
        for record in records {
            let trail = (record.account.as_str(), record.region.as_str());
            trails.entry(trail).or_default().push(record);
        }
        let mut chunks = Vec::new();
        for ((account, region), trail) in trails {
            let attribute_keys = AttributeKeys::new(account, region);
            for events in trail.chunks(MAX_CHUNK_EVENTS) {
                let len = events
                    .iter()
                    .map(|record| ChunkBuilder::encoded_len(record))
                    .sum();
                let buffer = self.spare_buffers.pop().unwrap_or_default();
                let mut builder = ChunkBuilder::in_buffer(buffer, len);
                for record in events {
                    builder.push(record);
                }
                let chunk = builder.finish();
                let keys = attribute_keys.of_chunk(&chunk.body)?;
                let stored = compress(&chunk.body);
                chunks.push(EncodedChunk {
                    account,
                    region,
                    chunk,
                    stored,
                    keys,
                });
            }
        }
        Ok(chunks)
    }
}

/// Inserts a chunk and its key rows. The body is bound as a zeroblob and written through
/// blob I/O, straight into its pages: binding it would copy it once more first.
fn insert_chunk(connection: &Connection, encoded: &EncodedChunk<'_>) -> Result<(), StoreError> {
    let chunk = &encoded.chunk;
    connection
        .prepare_cached(INSERT_CHUNK_SQL)?
        .execute(rusqlite::params![
            encoded.account,
            encoded.region,
            chunk.min_time,
            chunk.max_time,
            chunk.event_count,
            keys_blob(&encoded.keys.all),
            ZeroBlob(encoded.stored.len() as u64),
        ])?;
    let chunk_id = connection.last_insert_rowid();
    connection
        .blob_open(MAIN_DB, c"audit_chunks", c"body", chunk_id, false)?
        .write_at(&encoded.stored, 0)?;
    insert_keys(connection, &encoded.keys.indexed, chunk.max_time, chunk_id)
}

fn keys_blob(keys: &[i64]) -> Vec<u8> {
    let mut blob = Vec::with_capacity(keys.len() * 8);
    for key in keys {
        blob.extend_from_slice(&key.to_le_bytes());
    }
    blob
}

fn keys_from_blob(blob: &[u8]) -> Result<Vec<i64>, StoreError> {
    if blob.len() % 8 != 0 {
        return Err(StoreError::Corrupt("audit chunk keys are truncated".into()));
    }
    Ok(blob
        .chunks_exact(8)
        .map(|key| i64::from_le_bytes(key.try_into().unwrap_or_default()))
        .collect())
}

fn insert_keys(
    connection: &Connection,
    keys: &[i64],
    max_time: f64,
    chunk_id: i64,
) -> Result<(), StoreError> {
    let mut insert = connection.prepare_cached(INSERT_KEY_SQL)?;
    for key in keys {
        insert.execute(rusqlite::params![key, max_time, chunk_id])?;
    }
    Ok(())
}

fn delete_keys(
    connection: &Connection,
    keys: &[i64],
    max_time: f64,
    chunk_id: i64,
) -> Result<(), StoreError> {
    let mut delete = connection.prepare_cached(DELETE_KEY_SQL)?;
    for key in keys {
        delete.execute(rusqlite::params![key, max_time, chunk_id])?;
    }
    Ok(())
}

/// Runs `work` in an immediate transaction, rolling back if it fails.
fn in_transaction<T>(
    connection: &Connection,
    work: impl FnOnce() -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    connection.execute_batch("BEGIN IMMEDIATE")?;
    match work() {
        Ok(value) => {
            connection.execute_batch("COMMIT")?;
            Ok(value)
        }
        Err(error) => {
            let _ = connection.execute_batch("ROLLBACK");
            Err(error)
        }
    }
}

impl SqliteStore {
    pub(crate) async fn lookup_audit(
        &self,
        account: &str,
        region: &str,
        (start, end): (f64, f64),
        after: AuditCursor,
        filter: &AuditFilter,
        limit: i64,
    ) -> Result<Vec<AuditRow>, StoreError> {
        let limit = usize::try_from(limit).unwrap_or(usize::MAX);
        if limit == 0 {
            return Ok(Vec::new());
        }
        let upper = end.min(after.time);
        let connection = self.connection.lock().await;
        // Chunks are found through the key index, or for an event id, whose keys have no
        // rows there, by the keys stored with each chunk.
        let (sql, indexed_key, stored_key) = match filter {
            AuditFilter::All => (CHUNKS_SQL, None, None),
            AuditFilter::Attribute { attribute, value } => {
                let key = AttributeKeys::new(account, region).key(*attribute, value.as_bytes());
                match attribute {
                    AuditAttribute::EventId => (STORED_KEYS_CHUNKS_SQL, None, Some(key)),
                    _ => (KEYED_CHUNKS_SQL, Some(key), None),
                }
            }
        };
        let mut statement = connection.prepare_cached(sql)?;
        let mut chunks = match indexed_key {
            None => statement.query(rusqlite::params![account, region, start, upper])?,
            Some(key) => statement.query(rusqlite::params![account, region, start, upper, key])?,
        };
        // The newest `limit` events of the chunks read so far, newest first. Every chunk not
        // yet read holds only events at or before its max_time, so once `limit` events are
        // newer than that, the page is complete.
        let mut found: Vec<AuditRow> = Vec::new();
        while let Some(row) = chunks.next()? {
            let max_time: f64 = row.get(1)?;
            if found.len() >= limit && found[limit - 1].cursor.time > max_time {
                break;
            }
            let chunk_id: i64 = row.get(0)?;
            if let Some(key) = stored_key {
                let stored_keys = row
                    .get_ref(3)?
                    .as_blob()
                    .map_err(|error| StoreError::Corrupt(format!("audit chunk {chunk_id}: {error}")))?;
                if keys_from_blob(stored_keys)?.binary_search(&key).is_err() {
                    continue;
                }
            }
            let body = row
                .get_ref(2)?
                .as_blob()
                .map_err(|error| StoreError::Corrupt(format!("audit chunk {chunk_id}: {error}")))?;
            let body = decompress(body)?;
            let mut matches = Vec::new();
            for event in ChunkEvents::new(&body)? {
                let event = event?;
                let cursor = AuditCursor {
                    time: event.time,
                    seq: event_seq(chunk_id, event.index),
                };
                let in_window = start <= event.time && event.time <= end;
                let after_cursor = newest_first(&cursor, &after).is_gt();
                let wanted = match filter {
                    AuditFilter::All => true,
                    AuditFilter::Attribute { attribute, value } => event.matches(*attribute, value),
                };
                if in_window && after_cursor && wanted {
                    matches.push((cursor, event.event_json));
                }
            }
            matches.sort_unstable_by(|(a, _), (b, _)| newest_first(a, b));
            matches.truncate(limit);
            for (cursor, json) in matches {
                let event_json = String::from_utf8(json.to_vec()).map_err(|_| {
                    StoreError::Corrupt(format!("audit chunk {chunk_id} holds invalid UTF-8"))
                })?;
                found.push(AuditRow { event_json, cursor });
            }
            found.sort_unstable_by(|a, b| newest_first(&a.cursor, &b.cursor));
            found.truncate(limit);
        }
        Ok(found)
    }

    /// Deletes the events before `time`: whole chunks when all their events are older, and
    /// rewrites the few chunks that straddle the cutoff without their older events.
    pub(crate) async fn purge_audit_before(&self, time: f64) -> Result<u64, StoreError> {
        let mut purged = 0;
        loop {
            // Small batches, each its own transaction, so requests are not held up for long.
            let connection = self.connection.lock().await;
            let (removed, chunks) = in_transaction(&connection, || purge_batch(&connection, time))?;
            purged += removed;
            if chunks < PURGE_CHUNKS {
                return Ok(purged);
            }
        }
    }
}

/// Orders cursors newest first: by time, then by sequence number.
fn newest_first(a: &AuditCursor, b: &AuditCursor) -> std::cmp::Ordering {
    b.time.total_cmp(&a.time).then(b.seq.cmp(&a.seq))
}

/// One purge transaction: returns the events removed and the chunks it went through.
fn purge_batch(connection: &Connection, time: f64) -> Result<(u64, i64), StoreError> {
    let aged = connection
        .prepare_cached(AGED_CHUNKS_SQL)?
        .query_map(rusqlite::params![time, PURGE_CHUNKS], |row| {
            Ok((
                row.get::<_, i64>(0)?,
                row.get::<_, f64>(1)?,
                row.get::<_, i64>(2)?,
                row.get::<_, Vec<u8>>(3)?,
                row.get::<_, String>(4)?,
                row.get::<_, String>(5)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mut removed = 0;
    for (chunk_id, max_time, event_count, keys, account, region) in &aged {
        let keys = keys_from_blob(keys)?;
        delete_keys(connection, &keys, *max_time, *chunk_id)?;
        if *max_time < time {
            connection
                .prepare_cached(DELETE_CHUNK_SQL)?
                .execute([chunk_id])?;
            removed += *event_count as u64;
            continue;
        }
        let body: Vec<u8> = connection
            .prepare_cached(CHUNK_BODY_SQL)?
            .query_row([chunk_id], |row| row.get(0))
            .optional()?
            .unwrap_or_default();
        let body = decompress(&body)?;
        let mut kept = ChunkBuilder::new();
        for event in ChunkEvents::new(&body)? {
            let event = event?;
            if event.time >= time {
                kept.push_encoded(&event);
            }
        }
        let kept = kept.finish();
        let kept_keys = AttributeKeys::new(account, region).of_chunk(&kept.body)?;
        // Removing older events leaves max_time as it was, so the key rows keep their place.
        insert_keys(connection, &kept_keys.indexed, *max_time, *chunk_id)?;
        connection
            .prepare_cached(REWRITE_CHUNK_SQL)?
            .execute(rusqlite::params![
                chunk_id,
                kept.min_time,
                kept.event_count,
                keys_blob(&kept_keys.all),
                compress(&kept.body),
            ])?;
        removed += (*event_count as u64).saturating_sub(u64::from(kept.event_count));
    }
    Ok((removed, aged.len() as i64))
}
