//! Document transactions on SQLite.

use rusqlite::{Connection, OptionalExtension};
use tokio::sync::OwnedMutexGuard;

use super::SqliteStore;
use crate::error::StoreError;
use crate::txn::{ScanRange, DELETE_SQL, GET_SQL, PUT_SQL};

/// An open SQLite transaction; it owns the connection until it ends.
pub(crate) struct SqliteTxn {
    connection: OwnedMutexGuard<Connection>,
    finished: bool,
}

impl SqliteStore {
    pub(crate) async fn begin(&self) -> Result<SqliteTxn, StoreError> {
        let connection = self.connection.clone().lock_owned().await;
        connection.execute_batch("BEGIN IMMEDIATE")?;
        Ok(SqliteTxn {
            connection,
            finished: false,
        })
    }
}

impl SqliteTxn {
    pub(crate) fn get(
        &mut self,
        collection: &str,
        key: &str,
    ) -> Result<Option<String>, StoreError> {
        let mut statement = self.connection.prepare_cached(GET_SQL)?;
        Ok(statement
            .query_row([collection, key], |row| row.get(0))
            .optional()?)
    }

    pub(crate) fn put(
        &mut self,
        collection: &str,
        key: &str,
        value: &str,
    ) -> Result<(), StoreError> {
        let mut statement = self.connection.prepare_cached(PUT_SQL)?;
        statement.execute([collection, key, value])?;
        Ok(())
    }

    pub(crate) fn delete(&mut self, collection: &str, key: &str) -> Result<bool, StoreError> {
        let mut statement = self.connection.prepare_cached(DELETE_SQL)?;
        Ok(statement.execute([collection, key])? > 0)
    }

    pub(crate) fn scan(
        &mut self,
        collection: &str,
        range: &ScanRange,
        limit: i64,
    ) -> Result<Vec<(String, String)>, StoreError> {
        let mut statement = self.connection.prepare_cached(range.sql)?;
        let read = |row: &rusqlite::Row<'_>| Ok((row.get(0)?, row.get(1)?));
        let rows = match &range.upper {
            Some(upper) => statement
                .query_map(
                    rusqlite::params![collection, range.lower, limit, upper],
                    read,
                )?
                .collect::<Result<Vec<_>, _>>()?,
            None => statement
                .query_map(rusqlite::params![collection, range.lower, limit], read)?
                .collect::<Result<Vec<_>, _>>()?,
        };
        Ok(rows)
    }

    pub(crate) fn commit(mut self) -> Result<(), StoreError> {
        self.finished = true;
        if let Err(error) = self.connection.execute_batch("COMMIT") {
            // A failed COMMIT can leave the transaction open; never hand the connection on so.
            let _ = self.connection.execute_batch("ROLLBACK");
            return Err(error.into());
        }
        Ok(())
    }
}

impl Drop for SqliteTxn {
    fn drop(&mut self) {
        if !self.finished {
            if let Err(error) = self.connection.execute_batch("ROLLBACK") {
                tracing::error!(%error, "rolling back an abandoned SQLite transaction failed");
            }
        }
    }
}
