//! The one error type of the store.

use std::fmt;

/// Everything that can go wrong in the store. Callers mostly propagate it; the variants
/// they act on are [`StoreError::Conflict`] (retry the transaction),
/// [`StoreError::StaleFence`] (another node owns the job now) and
/// [`StoreError::RootKeyMismatch`] (refuse to start).
#[derive(Debug, Clone)]
pub enum StoreError {
    /// The database refused or failed an operation.
    Database(String),
    /// The database could not be reached or opened.
    Unavailable(String),
    /// A serializable transaction lost a race with another one; running it again can succeed.
    Conflict,
    /// Stored data could not be decoded (a document that is not JSON, a malformed meta value).
    Corrupt(String),
    /// The configuration cannot work (for example a schema name that is not an identifier).
    InvalidConfig(String),
    /// The caller passed a value the store cannot keep (for example a non-finite clock offset).
    InvalidInput(String),
    /// The root key could not be loaded or created.
    RootKey(String),
    /// The store was initialised with another root key: this node must not start with it.
    RootKeyMismatch,
    /// A sealed blob failed authentication: tampered, truncated, another key or another context.
    Unseal,
    /// A job's fencing token is out of date: its lease expired and another node took it over.
    StaleFence {
        /// The job whose fence was stale.
        job_id: i64,
    },
    /// A pagination token that this store did not issue.
    InvalidToken(String),
    /// A background task of the store has stopped (the store is shutting down).
    Closed,
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::Database(message) => write!(f, "database error: {message}"),
            StoreError::Unavailable(message) => write!(f, "database unavailable: {message}"),
            StoreError::Conflict => f.write_str("transaction conflicted with a concurrent one"),
            StoreError::Corrupt(message) => write!(f, "stored data is corrupt: {message}"),
            StoreError::InvalidConfig(message) => {
                write!(f, "invalid store configuration: {message}")
            }
            StoreError::InvalidInput(message) => write!(f, "invalid input: {message}"),
            StoreError::RootKey(message) => write!(f, "root key: {message}"),
            StoreError::RootKeyMismatch => {
                f.write_str("the root key does not match the one this store was initialised with")
            }
            StoreError::Unseal => f.write_str("sealed data failed authentication"),
            StoreError::StaleFence { job_id } => {
                write!(f, "job {job_id} was taken over by another lease")
            }
            StoreError::InvalidToken(message) => write!(f, "invalid pagination token: {message}"),
            StoreError::Closed => f.write_str("the store is shut down"),
        }
    }
}

impl std::error::Error for StoreError {}

impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> Self {
        StoreError::Database(error.to_string())
    }
}

impl From<tokio_postgres::Error> for StoreError {
    fn from(error: tokio_postgres::Error) -> Self {
        use tokio_postgres::error::SqlState;
        match error.code() {
            Some(code)
                if *code == SqlState::T_R_SERIALIZATION_FAILURE
                    || *code == SqlState::T_R_DEADLOCK_DETECTED =>
            {
                StoreError::Conflict
            }
            _ if error.is_closed() => StoreError::Unavailable(error.to_string()),
            _ => StoreError::Database(match error.as_db_error() {
                Some(db) => db.to_string(),
                None => error.to_string(),
            }),
        }
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(error: serde_json::Error) -> Self {
        StoreError::Corrupt(error.to_string())
    }
}
