//! The PostgreSQL backend, so several nodes share one cloud.

mod audit;
mod documents;
mod jobs;
mod pool;
mod schema;

use std::sync::Arc;

use crate::error::StoreError;
use crate::meta::{MetaUpdate, UPSERT_SQL};

pub(crate) use documents::PgTxn;
use pool::Pool;

const META_GET_SQL: &str = "SELECT value FROM meta WHERE key = ?1";

/// A handle on the pool; clones share it.
#[derive(Clone)]
pub(crate) struct PgStore {
    pool: Arc<Pool>,
}

impl PgStore {
    /// Connects, creates the schema if asked for one, and migrates.
    pub(crate) async fn open(url: &str, schema: Option<&str>) -> Result<PgStore, StoreError> {
        if let Some(schema) = schema {
            let identifier = schema.len() <= 63
                && schema.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
                && schema
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !identifier {
                return Err(StoreError::InvalidConfig(format!(
                    "schema {schema:?} must be letters, digits and underscores"
                )));
            }
            let mut connection = Pool::new(url, None).get().await?;
            connection
                .batch(&format!("CREATE SCHEMA IF NOT EXISTS \"{schema}\""))
                .await?;
        }
        let store = PgStore {
            pool: Pool::new(url, schema.map(str::to_owned)),
        };
        schema::migrate(&mut *store.pool.get().await?).await?;
        Ok(store)
    }

    pub(crate) async fn meta_get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let mut connection = self.pool.get().await?;
        let row = connection.query_opt(META_GET_SQL, &[&key]).await?;
        Ok(row.map(|row| row.try_get(0)).transpose()?)
    }

    pub(crate) async fn meta_put(&self, key: &str, value: &[u8]) -> Result<(), StoreError> {
        let mut connection = self.pool.get().await?;
        connection.execute(UPSERT_SQL, &[&key, &value]).await?;
        Ok(())
    }

    /// A serializable read-modify-write, run again when another node raced it.
    pub(crate) async fn meta_update(
        &self,
        key: &str,
        update: MetaUpdate<'_>,
    ) -> Result<Vec<u8>, StoreError> {
        loop {
            let mut connection = self.pool.get().await?;
            connection
                .begin("BEGIN ISOLATION LEVEL SERIALIZABLE")
                .await?;
            let written = async {
                let current: Option<Vec<u8>> =
                    match connection.query_opt(META_GET_SQL, &[&key]).await? {
                        Some(row) => Some(row.try_get(0)?),
                        None => None,
                    };
                let next = update(current.as_deref())?;
                connection.execute(UPSERT_SQL, &[&key, &next]).await?;
                Ok(next)
            }
            .await;
            match connection.finish(written).await {
                Err(StoreError::Conflict) => continue,
                outcome => return outcome,
            }
        }
    }

    pub(crate) async fn reset(&self) -> Result<(), StoreError> {
        let mut connection = self.pool.get().await?;
        connection
            .batch("TRUNCATE documents, jobs, audit_resources, audit_events")
            .await
    }
}
