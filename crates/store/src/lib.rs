//! Transactional state for every Palisade service.
//!
//! The store knows nothing of what the data means: it keeps JSON documents in collections,
//! installation-level meta values, a durable job queue, the audit log behind CloudTrail and
//! the server clock's offset, in embedded SQLite (in memory or a file) or in PostgreSQL for
//! several nodes. Secret material is sealed under the root key before it gets here.
//!
//! ```no_run
//! # async fn example() -> Result<(), store::StoreError> {
//! use store::{Store, StoreConfig};
//!
//! let store = Store::open(&StoreConfig::Ephemeral).await?;
//! let mut tx = store.begin().await?;
//! tx.put("kms/keys", "1234", &serde_json::json!({"state": "Enabled"})).await?;
//! tx.commit().await?;
//! # Ok(())
//! # }
//! ```

#![warn(missing_docs)]

mod audit;
mod cache;
mod clock;
mod config;
mod error;
mod jobs;
mod meta;
mod postgres;
mod sealing;
mod sqlite;
mod txn;

use std::fmt;
use std::sync::Arc;

pub use audit::{AuditAttribute, AuditQuery, AuditRecord, AuditWriter};
pub use cache::DocumentCache;
pub use clock::Clock;
pub use config::StoreConfig;
pub use error::StoreError;
pub use jobs::{Job, JobHandler, JobWorker};
pub use sealing::{RootKey, Sealer};
pub use txn::{TransactFuture, Txn};

use postgres::PgStore;
use sqlite::SqliteStore;

/// The state of one Palisade installation. Cheap to clone: clones share the connections,
/// the audit writer and the clock.
#[derive(Clone)]
pub struct Store {
    inner: Arc<StoreInner>,
}

struct StoreInner {
    backend: Backend,
    audit: AuditWriter,
    clock: tokio::sync::OnceCell<Clock>,
    writes: Arc<cache::WriteGeneration>,
}

/// The backends, dispatched by `match` rather than a trait object.
#[derive(Clone)]
pub(crate) enum Backend {
    Sqlite(SqliteStore),
    Postgres(PgStore),
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let backend = match self.inner.backend {
            Backend::Sqlite(_) => "sqlite",
            Backend::Postgres(_) => "postgres",
        };
        f.debug_struct("Store")
            .field("backend", &backend)
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Opens the configured backend, brings its schema up to date, and starts the audit
    /// writer. Must be called inside a tokio runtime.
    pub async fn open(config: &StoreConfig) -> Result<Store, StoreError> {
        let backend = match config {
            StoreConfig::Ephemeral => Backend::Sqlite(SqliteStore::open_in_memory()?),
            StoreConfig::Sqlite { path } => Backend::Sqlite(SqliteStore::open_file(path)?),
            StoreConfig::Postgres { url, schema } => {
                Backend::Postgres(PgStore::open(url, schema.as_deref()).await?)
            }
        };
        let audit = AuditWriter::spawn(backend.clone())?;
        let clock = tokio::sync::OnceCell::new();
        Ok(Store {
            inner: Arc::new(StoreInner {
                backend,
                audit,
                clock,
                writes: Arc::default(),
            }),
        })
    }

    /// Wipes documents, jobs and the audit log (after writing out queued audit events),
    /// keeping meta values such as the root key check and the clock offset.
    pub async fn reset(&self) -> Result<(), StoreError> {
        self.inner.audit.flush().await?;
        let reset = match &self.inner.backend {
            Backend::Sqlite(store) => store.reset().await,
            Backend::Postgres(store) => store.reset().await,
        };
        self.inner.writes.advance();
        reset
    }
}
