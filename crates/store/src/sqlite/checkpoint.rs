//! WAL checkpoints off the request path. Left to itself, SQLite checkpoints on the committing
//! connection once the WAL passes `wal_autocheckpoint` pages; with the one shared connection,
//! every request then waits behind the copy and its fsync (a p99 of about 110 ms under load).
//! A thread with a connection of its own runs PASSIVE checkpoints often, which copy what no
//! reader still needs without taking a lock the shared connection's transactions wait for, so
//! the shared connection's own checkpoint finds little left to copy. It still runs: a PASSIVE
//! checkpoint beside a connection that is never idle cannot finish the log, and only a finished
//! log lets the next writer start it over instead of growing it.

use std::path::Path;
use std::sync::Weak;
use std::time::Duration;

use rusqlite::Connection;
use tokio::sync::Mutex;

use crate::error::StoreError;

const INTERVAL: Duration = Duration::from_millis(100);

/// Checkpoints the database at `path` for as long as the store's connection `main` lives.
pub(crate) fn spawn(path: &Path, main: Weak<Mutex<Connection>>) -> Result<(), StoreError> {
    let connection = Connection::open(path)
        .map_err(|error| StoreError::Unavailable(format!("cannot open {} to checkpoint it: {error}", path.display())))?;
    std::thread::Builder::new()
        .name("sqlite-checkpoint".to_owned())
        .spawn(move || {
            while main.strong_count() > 0 {
                std::thread::sleep(INTERVAL);
                if let Err(error) = connection.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
                    tracing::warn!(%error, "a WAL checkpoint failed; the next one retries");
                }
            }
        })
        .map_err(|error| StoreError::Unavailable(format!("cannot start the checkpoint thread: {error}")))?;
    Ok(())
}
