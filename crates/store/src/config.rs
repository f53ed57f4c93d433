//! Where the store keeps its state.

use std::path::PathBuf;

/// Which backend a [`crate::Store`] uses; chosen once at start-up from the command line.
#[derive(Clone, PartialEq, Eq)]
pub enum StoreConfig {
    /// SQLite in memory: for tests and `--ephemeral`; everything is gone when the process ends.
    Ephemeral,
    /// One SQLite file (WAL mode): the default single-node deployment.
    Sqlite {
        /// The database file; created if missing.
        path: PathBuf,
    },
    /// PostgreSQL, so several nodes serve one cloud.
    Postgres {
        /// A libpq-style URL, e.g. `postgres://user@host:5432/db`.
        url: String,
        /// A schema to keep the tables in, created if missing; lets tests isolate themselves.
        schema: Option<String>,
    },
}

impl std::fmt::Debug for StoreConfig {
    // The URL may carry a password, so only its kind is shown.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreConfig::Ephemeral => f.write_str("Ephemeral"),
            StoreConfig::Sqlite { path } => f.debug_struct("Sqlite").field("path", path).finish(),
            StoreConfig::Postgres { schema, .. } => f
                .debug_struct("Postgres")
                .field("schema", schema)
                .finish_non_exhaustive(),
        }
    }
}
