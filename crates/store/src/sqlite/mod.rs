//! The SQLite backend: one connection behind an async mutex.
//!
//! Operations take microseconds, so serialising them through one connection is simpler and
//! faster than a pool, and it makes every transaction trivially serializable.
//!
//! The audit writer shares that connection, from a thread of its own: it encodes a batch
//! without the connection and takes it only for the inserts, so neither a runtime worker
//! nor a request waits for the encoding. A second connection would not let requests write
//! meanwhile (SQLite has one writer even in WAL mode, and every transaction here writes),
//! it would only turn the async wait for the mutex into SQLite's sleeping busy handler on
//! a runtime thread; and an in-memory database cannot be shared without one anyway.

mod audit;
mod checkpoint;
mod documents;
mod jobs;
mod schema;

use std::path::Path;
use std::sync::Arc;

use rusqlite::{Connection, OptionalExtension};
use tokio::sync::Mutex;

use crate::error::StoreError;
use crate::meta::MetaUpdate;

pub(crate) use audit::ChunkAppender;
pub(crate) use documents::SqliteTxn;

/// A handle on the one connection; clones share it.
#[derive(Clone)]
pub(crate) struct SqliteStore {
    connection: Arc<Mutex<Connection>>,
}

impl SqliteStore {
    /// Opens a private in-memory database.
    pub(crate) fn open_in_memory() -> Result<Self, StoreError> {
        let connection = Connection::open_in_memory()
            .map_err(|error| StoreError::Unavailable(error.to_string()))?;
        connection.pragma_update(None, "page_size", 16384)?;
        Self::prepare(connection)
    }

    /// Opens (or creates) a database file in WAL mode.
    pub(crate) fn open_file(path: &Path) -> Result<Self, StoreError> {
        let connection = Connection::open(path).map_err(|error| {
            StoreError::Unavailable(format!("cannot open {}: {error}", path.display()))
        })?;
        // Only takes effect when the file is created (before WAL mode is set).
        connection.pragma_update(None, "page_size", 16384)?;
        // WAL with synchronous=NORMAL: a committed transaction is in the WAL file before
        // COMMIT returns, so it survives the process being killed (not a power cut).
        connection.pragma_update(None, "journal_mode", "WAL")?;
        let store = Self::prepare(connection)?;
        checkpoint::spawn(path, Arc::downgrade(&store.connection))?;
        Ok(store)
    }

    fn prepare(connection: Connection) -> Result<Self, StoreError> {
        connection.pragma_update(None, "synchronous", "NORMAL")?;
        // Audit chunks are blobs of a few hundred kilobytes: larger pages and cache and
        // fewer checkpoints cut the pages written per event. A file store's checkpoints are
        // mostly done by its checkpoint thread; this bound only catches what it left.
        connection.pragma_update(None, "cache_size", -65536)?;
        connection.pragma_update(None, "wal_autocheckpoint", 8000)?;
        // Another process (an admin command) may hold the file briefly.
        connection.busy_timeout(std::time::Duration::from_secs(5))?;
        schema::migrate(&connection)?;
        Ok(SqliteStore {
            connection: Arc::new(Mutex::new(connection)),
        })
    }

    pub(crate) async fn meta_get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let connection = self.connection.lock().await;
        let mut statement = connection.prepare_cached("SELECT value FROM meta WHERE key = ?1")?;
        Ok(statement.query_row([key], |row| row.get(0)).optional()?)
    }

    pub(crate) async fn meta_put(&self, key: &str, value: &[u8]) -> Result<(), StoreError> {
        let connection = self.connection.lock().await;
        let mut statement = connection.prepare_cached(crate::meta::UPSERT_SQL)?;
        statement.execute(rusqlite::params![key, value])?;
        Ok(())
    }

    /// Replaces a meta value by a function of the current one, atomically.
    pub(crate) async fn meta_update(
        &self,
        key: &str,
        update: MetaUpdate<'_>,
    ) -> Result<Vec<u8>, StoreError> {
        // One connection behind a mutex: nothing can interleave between the read and the write.
        let connection = self.connection.lock().await;
        let current: Option<Vec<u8>> = connection
            .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
            .query_row([key], |row| row.get(0))
            .optional()?;
        let next = update(current.as_deref())?;
        connection
            .prepare_cached(crate::meta::UPSERT_SQL)?
            .execute(rusqlite::params![key, next])?;
        Ok(next)
    }

    pub(crate) async fn reset(&self) -> Result<(), StoreError> {
        let connection = self.connection.lock().await;
        connection.execute_batch(
            "BEGIN IMMEDIATE;
             DELETE FROM documents;
             DELETE FROM jobs;
             DELETE FROM audit_chunk_keys;
             DELETE FROM audit_chunks;
             COMMIT;",
        )?;
        Ok(())
    }
}
