//! Installation-level facts (root key check value, CA, clock offset) that outlive `reset`.

use crate::error::StoreError;
use crate::{Backend, Store};

pub(crate) const UPSERT_SQL: &str = "INSERT INTO meta (key, value) VALUES (?1, ?2)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value";

/// Computes a meta value's replacement from its current value (absent on first use).
/// PostgreSQL may call it more than once when concurrent updates collide.
pub(crate) type MetaUpdate<'a> =
    &'a mut (dyn FnMut(Option<&[u8]>) -> Result<Vec<u8>, StoreError> + Send);

impl Backend {
    pub(crate) async fn meta_get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        match self {
            Backend::Sqlite(store) => store.meta_get(key).await,
            Backend::Postgres(store) => store.meta_get(key).await,
        }
    }

    pub(crate) async fn meta_put(&self, key: &str, value: &[u8]) -> Result<(), StoreError> {
        match self {
            Backend::Sqlite(store) => store.meta_put(key, value).await,
            Backend::Postgres(store) => store.meta_put(key, value).await,
        }
    }

    /// Replaces a meta value atomically, even against other nodes; returns the new value.
    pub(crate) async fn meta_update(
        &self,
        key: &str,
        update: MetaUpdate<'_>,
    ) -> Result<Vec<u8>, StoreError> {
        match self {
            Backend::Sqlite(store) => store.meta_update(key, update).await,
            Backend::Postgres(store) => store.meta_update(key, update).await,
        }
    }
}

impl Store {
    /// Reads an installation-level value.
    pub async fn meta_get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.inner.backend.meta_get(key).await
    }

    /// Writes an installation-level value; [`Store::reset`] leaves it in place.
    pub async fn meta_put(&self, key: &str, value: &[u8]) -> Result<(), StoreError> {
        self.inner.backend.meta_put(key, value).await
    }
}
