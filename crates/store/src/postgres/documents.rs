//! Document transactions on PostgreSQL, run SERIALIZABLE on one pooled connection.

use super::pool::{PgConnection, PooledConnection};
use super::PgStore;
use crate::error::StoreError;
use crate::txn::{ScanRange, DELETE_SQL, GET_SQL, PUT_SQL};

/// An open SERIALIZABLE transaction holding its connection until it ends.
pub(crate) struct PgTxn {
    connection: Option<PooledConnection>,
}

impl PgStore {
    pub(crate) async fn begin(&self) -> Result<PgTxn, StoreError> {
        let mut connection = self.pool.get().await?;
        connection
            .begin("BEGIN ISOLATION LEVEL SERIALIZABLE")
            .await?;
        Ok(PgTxn {
            connection: Some(connection),
        })
    }
}

impl PgTxn {
    fn connection(&mut self) -> &mut PgConnection {
        self.connection
            .as_mut()
            .expect("the connection is held until commit or drop")
    }

    pub(crate) async fn get(
        &mut self,
        collection: &str,
        key: &str,
    ) -> Result<Option<String>, StoreError> {
        let row = self
            .connection()
            .query_opt(GET_SQL, &[&collection, &key])
            .await?;
        Ok(row.map(|row| row.try_get(0)).transpose()?)
    }

    pub(crate) async fn put(
        &mut self,
        collection: &str,
        key: &str,
        value: &str,
    ) -> Result<(), StoreError> {
        self.connection()
            .execute(PUT_SQL, &[&collection, &key, &value])
            .await?;
        Ok(())
    }

    pub(crate) async fn delete(&mut self, collection: &str, key: &str) -> Result<bool, StoreError> {
        Ok(self
            .connection()
            .execute(DELETE_SQL, &[&collection, &key])
            .await?
            > 0)
    }

    pub(crate) async fn scan(
        &mut self,
        collection: &str,
        range: &ScanRange,
        limit: i64,
    ) -> Result<Vec<(String, String)>, StoreError> {
        let connection = self.connection();
        let rows = match &range.upper {
            Some(upper) => {
                connection
                    .query(range.sql, &[&collection, &range.lower, &limit, upper])
                    .await?
            }
            None => {
                connection
                    .query(range.sql, &[&collection, &range.lower, &limit])
                    .await?
            }
        };
        rows.iter()
            .map(|row| Ok((row.try_get(0)?, row.try_get(1)?)))
            .collect()
    }

    pub(crate) async fn commit(mut self) -> Result<(), StoreError> {
        let mut connection = self
            .connection
            .take()
            .expect("commit consumes the transaction");
        connection.commit().await
    }
}

impl Drop for PgTxn {
    fn drop(&mut self) {
        let Some(mut connection) = self.connection.take() else {
            return;
        };
        // Drop cannot wait, so the rollback runs as a task that then returns the connection;
        // without a runtime the connection is closed, which rolls back on the server.
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                let _ = connection.rollback().await;
            });
        }
    }
}
