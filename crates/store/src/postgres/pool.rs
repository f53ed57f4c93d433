//! A small connection pool: a semaphore bounds the connections, idle ones wait in a stack.

use std::collections::HashMap;
use std::ops::{Deref, DerefMut};
use std::sync::{Arc, Mutex};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_postgres::types::ToSql;
use tokio_postgres::{Client, NoTls, Row, Statement};

use crate::error::StoreError;

/// Connections per node: requests, the audit writer, the clock and the job worker share them.
const POOL_SIZE: usize = 6;

pub(crate) type Params<'a> = &'a [&'a (dyn ToSql + Sync)];

pub(crate) struct Pool {
    url: String,
    schema: Option<String>,
    idle: Mutex<Vec<PgConnection>>,
    permits: Arc<Semaphore>,
}

/// One PostgreSQL session and the statements prepared on it.
pub(crate) struct PgConnection {
    client: Client,
    statements: HashMap<String, Statement>,
    /// Set from BEGIN until the end is confirmed. A future dropped in between (a cancelled
    /// request) leaves it set, and the pool then closes the connection instead of lending
    /// out a session stuck inside someone else's transaction.
    in_transaction: bool,
}

/// A connection on loan; it goes back to the pool when dropped, unless it is broken or
/// still inside a transaction.
pub(crate) struct PooledConnection {
    connection: Option<PgConnection>,
    pool: Arc<Pool>,
    _permit: OwnedSemaphorePermit,
}

impl Pool {
    /// `schema` must already be a validated identifier.
    pub(crate) fn new(url: &str, schema: Option<String>) -> Arc<Pool> {
        Arc::new(Pool {
            url: url.to_owned(),
            schema,
            idle: Mutex::new(Vec::new()),
            permits: Arc::new(Semaphore::new(POOL_SIZE)),
        })
    }

    pub(crate) async fn get(self: &Arc<Self>) -> Result<PooledConnection, StoreError> {
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| StoreError::Closed)?;
        let idle = self
            .idle
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .pop();
        let connection = match idle {
            Some(connection) if !connection.client.is_closed() => connection,
            _ => self.connect().await?,
        };
        Ok(PooledConnection {
            connection: Some(connection),
            pool: self.clone(),
            _permit: permit,
        })
    }

    async fn connect(&self) -> Result<PgConnection, StoreError> {
        let (client, connection) =
            tokio_postgres::connect(&self.url, NoTls)
                .await
                .map_err(|error| {
                    // The cause ("connection refused", "role does not exist") is the source.
                    let cause = std::error::Error::source(&error)
                        .map(|cause| format!(": {cause}"))
                        .unwrap_or_default();
                    StoreError::Unavailable(format!("cannot connect to PostgreSQL: {error}{cause}"))
                })?;
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::warn!(%error, "PostgreSQL connection ended");
            }
        });
        if let Some(schema) = &self.schema {
            client
                .batch_execute(&format!("SET search_path TO \"{schema}\""))
                .await?;
        }
        Ok(PgConnection {
            client,
            statements: HashMap::new(),
            in_transaction: false,
        })
    }
}

impl PgConnection {
    pub(crate) async fn batch(&mut self, sql: &str) -> Result<(), StoreError> {
        Ok(self.client.batch_execute(sql).await?)
    }

    /// Statements are written with SQLite's `?N` placeholders (shared with that backend)
    /// and prepared once per connection.
    async fn statement(&mut self, sql: &str) -> Result<Statement, StoreError> {
        if let Some(statement) = self.statements.get(sql) {
            return Ok(statement.clone());
        }
        let statement = self.client.prepare(&sql.replace('?', "$")).await?;
        self.statements.insert(sql.to_owned(), statement.clone());
        Ok(statement)
    }

    pub(crate) async fn query(
        &mut self,
        sql: &str,
        params: Params<'_>,
    ) -> Result<Vec<Row>, StoreError> {
        let statement = self.statement(sql).await?;
        Ok(self.client.query(&statement, params).await?)
    }

    pub(crate) async fn query_opt(
        &mut self,
        sql: &str,
        params: Params<'_>,
    ) -> Result<Option<Row>, StoreError> {
        let statement = self.statement(sql).await?;
        Ok(self.client.query_opt(&statement, params).await?)
    }

    pub(crate) async fn execute(
        &mut self,
        sql: &str,
        params: Params<'_>,
    ) -> Result<u64, StoreError> {
        let statement = self.statement(sql).await?;
        Ok(self.client.execute(&statement, params).await?)
    }

    /// Opens a transaction with `begin` (`BEGIN` and its options).
    pub(crate) async fn begin(&mut self, begin: &str) -> Result<(), StoreError> {
        self.in_transaction = true;
        self.batch(begin).await
    }

    /// Ends the open transaction: COMMIT after success, ROLLBACK after an error.
    pub(crate) async fn finish<T>(
        &mut self,
        result: Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        match result {
            Ok(value) => self.commit().await.map(|()| value),
            Err(error) => {
                let _ = self.rollback().await;
                Err(error)
            }
        }
    }

    pub(crate) async fn commit(&mut self) -> Result<(), StoreError> {
        let committed = self.batch("COMMIT").await;
        // An answer, even an error (a serialization failure), means the transaction is over.
        self.in_transaction = false;
        committed
    }

    pub(crate) async fn rollback(&mut self) -> Result<(), StoreError> {
        self.batch("ROLLBACK").await?;
        self.in_transaction = false;
        Ok(())
    }
}

impl Deref for PooledConnection {
    type Target = PgConnection;

    fn deref(&self) -> &PgConnection {
        self.connection
            .as_ref()
            .expect("a pooled connection is present until dropped")
    }
}

impl DerefMut for PooledConnection {
    fn deref_mut(&mut self) -> &mut PgConnection {
        self.connection
            .as_mut()
            .expect("a pooled connection is present until dropped")
    }
}

impl Drop for PooledConnection {
    fn drop(&mut self) {
        if let Some(connection) = self.connection.take() {
            if !connection.client.is_closed() && !connection.in_transaction {
                self.pool
                    .idle
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner())
                    .push(connection);
            }
        }
    }
}
