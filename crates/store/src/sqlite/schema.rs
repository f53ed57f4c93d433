//! SQLite migrations; the PostgreSQL ones in `postgres/schema.rs` describe the same tables.

use rusqlite::Connection;

use crate::error::StoreError;

/// Each migration runs once, in order, recorded in `schema_migrations`.
const MIGRATIONS: &[(i64, &str)] = &[
    (
        1,
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;

     CREATE TABLE documents (
         collection TEXT NOT NULL,
         key TEXT NOT NULL,
         value TEXT NOT NULL,
         PRIMARY KEY (collection, key)
     ) WITHOUT ROWID;

     CREATE TABLE jobs (
         id INTEGER PRIMARY KEY,
         kind TEXT NOT NULL,
         dedupe_key TEXT UNIQUE,
         payload TEXT NOT NULL,
         run_at REAL NOT NULL,
         attempts INTEGER NOT NULL DEFAULT 0,
         fence INTEGER NOT NULL DEFAULT 0,
         leased_by TEXT,
         lease_until REAL,
         last_error TEXT
     );
     CREATE INDEX jobs_due ON jobs (run_at);

     CREATE TABLE audit_events (
         seq INTEGER PRIMARY KEY,
         account TEXT NOT NULL,
         region TEXT NOT NULL,
         event_time REAL NOT NULL,
         event_id TEXT NOT NULL,
         event_name TEXT NOT NULL,
         event_source TEXT NOT NULL,
         username TEXT,
         access_key_id TEXT,
         read_only INTEGER NOT NULL,
         event_json TEXT NOT NULL
     );
     CREATE INDEX audit_events_by_time ON audit_events (account, region, event_time, seq);
     CREATE INDEX audit_events_by_age ON audit_events (event_time, seq);
     CREATE INDEX audit_events_by_event_id
         ON audit_events (account, region, event_id, event_time, seq);
     CREATE INDEX audit_events_by_event_name
         ON audit_events (account, region, event_name, event_time, seq);
     CREATE INDEX audit_events_by_event_source
         ON audit_events (account, region, event_source, event_time, seq);
     CREATE INDEX audit_events_by_username
         ON audit_events (account, region, username, event_time, seq);
     CREATE INDEX audit_events_by_access_key_id
         ON audit_events (account, region, access_key_id, event_time, seq);
     CREATE INDEX audit_events_by_read_only
         ON audit_events (account, region, read_only, event_time, seq);

     CREATE TABLE audit_resources (
         seq INTEGER NOT NULL,
         kind INTEGER NOT NULL,
         value TEXT NOT NULL,
         account TEXT NOT NULL,
         region TEXT NOT NULL,
         event_time REAL NOT NULL,
         PRIMARY KEY (seq, kind, value)
     ) WITHOUT ROWID;
     CREATE INDEX audit_resources_by_value
         ON audit_resources (account, region, kind, value, event_time, seq);",
    ),
    (
        2,
        "ALTER TABLE jobs ADD COLUMN replaced INTEGER NOT NULL DEFAULT FALSE;",
    ),
    (
        AUDIT_CHUNKS_VERSION,
        // The audit log becomes a log of chunks (see `sqlite/audit.rs`). `keys` is the
        // chunk's distinct attribute keys (little-endian i64s), so a purge deletes exactly
        // its key rows; the key rows carry max_time so one key's chunks come newest first.
        "DROP TABLE audit_resources;
     DROP TABLE audit_events;

     CREATE TABLE audit_chunks (
         chunk_id INTEGER PRIMARY KEY,
         account TEXT NOT NULL,
         region TEXT NOT NULL,
         min_time REAL NOT NULL,
         max_time REAL NOT NULL,
         event_count INTEGER NOT NULL,
         keys BLOB NOT NULL,
         body BLOB NOT NULL
     );
     CREATE INDEX audit_chunks_by_time ON audit_chunks (account, region, max_time, min_time);
     CREATE INDEX audit_chunks_by_age ON audit_chunks (min_time);

     CREATE TABLE audit_chunk_keys (
         key INTEGER NOT NULL,
         max_time REAL NOT NULL,
         chunk_id INTEGER NOT NULL,
         PRIMARY KEY (key, max_time, chunk_id)
     ) WITHOUT ROWID;",
    ),
];

/// The migration that replaced the row-per-event audit tables by chunks.
const AUDIT_CHUNKS_VERSION: i64 = 3;

/// Brings the database up to the latest schema version.
pub(super) fn migrate(connection: &Connection) -> Result<(), StoreError> {
    connection.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)",
    )?;
    // IMMEDIATE takes the write lock first, so two processes opening one file migrate once.
    connection.execute_batch("BEGIN IMMEDIATE")?;
    let result = apply_pending(connection);
    let end = if result.is_ok() { "COMMIT" } else { "ROLLBACK" };
    connection.execute_batch(end)?;
    result
}

fn apply_pending(connection: &Connection) -> Result<(), StoreError> {
    let current: i64 = connection.query_row(
        "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
        [],
        |row| row.get(0),
    )?;
    for (version, sql) in MIGRATIONS.iter().filter(|(version, _)| *version > current) {
        if *version == AUDIT_CHUNKS_VERSION {
            // No release ever wrote the old tables outside development, so their events are
            // dropped rather than converted; say so, in case someone wonders where they went.
            let dropped: i64 =
                connection.query_row("SELECT COUNT(*) FROM audit_events", [], |row| row.get(0))?;
            if dropped > 0 {
                tracing::warn!(dropped, "audit log moved to chunks; older events dropped");
            }
        }
        connection.execute_batch(sql)?;
        connection.execute(
            "INSERT INTO schema_migrations (version) VALUES (?1)",
            [version],
        )?;
    }
    Ok(())
}
