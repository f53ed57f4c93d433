//! Decoded documents kept between requests, for the read paths every request takes (the key
//! an Encrypt names, the secret a GetSecretValue reads), so they cost neither a transaction
//! nor a JSON decode.
//!
//! An entry serves reads until a write is committed through this store, and for at most
//! [`MAX_AGE`] in any case: that is how late a node sees a change made through another node
//! sharing a PostgreSQL database. Reads that lead to writes must use a [`crate::Txn`], never this
//! cache, so serializable transactions see every document they depend on.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::de::DeserializeOwned;

use crate::error::StoreError;
use crate::Store;

/// How long an entry may be used when no local write has invalidated it.
pub const MAX_AGE: Duration = Duration::from_secs(1);

/// Entries are dropped all at once past this many: a bound on memory, not an eviction policy,
/// since the hot set of a workload is far smaller.
const CAPACITY: usize = 4096;

/// Counts the writes committed through one store; a cached entry is good only for the count
/// it was read at.
#[derive(Default)]
pub(crate) struct WriteGeneration(AtomicU64);

impl WriteGeneration {
    pub(crate) fn current(&self) -> u64 {
        self.0.load(Ordering::Acquire)
    }

    pub(crate) fn advance(&self) {
        self.0.fetch_add(1, Ordering::AcqRel);
    }
}

/// The decoded documents of one collection, absent ones included.
pub struct DocumentCache<T> {
    collection: &'static str,
    entries: Mutex<HashMap<String, Entry<T>>>,
}

struct Entry<T> {
    document: Option<Arc<T>>,
    generation: u64,
    loaded: Instant,
}

impl<T: DeserializeOwned> DocumentCache<T> {
    /// An empty cache of documents of `collection`.
    pub fn new(collection: &'static str) -> Self {
        DocumentCache { collection, entries: Mutex::new(HashMap::new()) }
    }

    /// The document under `key`, decoded, or `None` if there is none.
    pub async fn get(&self, store: &Store, key: &str) -> Result<Option<Arc<T>>, StoreError> {
        // Read before loading: a write committed during the load then makes the entry stale.
        let generation = store.inner.writes.current();
        if let Some(entry) = self.lock().get(key) {
            if entry.generation == generation && entry.loaded.elapsed() < MAX_AGE {
                return Ok(entry.document.clone());
            }
        }
        let document = match store.get(self.collection, key).await? {
            Some(value) => Some(Arc::new(serde_json::from_value::<T>(value).map_err(|error| {
                StoreError::Corrupt(format!("document {}/{key}: {error}", self.collection))
            })?)),
            None => None,
        };
        let mut entries = self.lock();
        if entries.len() >= CAPACITY {
            entries.clear();
        }
        let entry = Entry { document: document.clone(), generation, loaded: Instant::now() };
        entries.insert(key.to_owned(), entry);
        Ok(document)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Entry<T>>> {
        // The map holds no invariant a panic could break halfway.
        self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::StoreConfig;
    use serde_json::json;

    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Key {
        state: String,
    }

    async fn put(store: &Store, state: &str) {
        let mut tx = store.begin().await.unwrap();
        tx.put("keys", "k", &json!({ "state": state })).await.unwrap();
        tx.commit().await.unwrap();
    }

    #[tokio::test]
    async fn a_committed_write_is_seen_by_the_next_read() {
        let store = Store::open(&StoreConfig::Ephemeral).await.unwrap();
        let cache = DocumentCache::<Key>::new("keys");
        assert_eq!(cache.get(&store, "k").await.unwrap(), None);
        put(&store, "Enabled").await;
        assert_eq!(cache.get(&store, "k").await.unwrap().unwrap().state, "Enabled");
        put(&store, "Disabled").await;
        assert_eq!(cache.get(&store, "k").await.unwrap().unwrap().state, "Disabled");
    }

    #[tokio::test]
    async fn a_rolled_back_write_leaves_the_entry_good() {
        let store = Store::open(&StoreConfig::Ephemeral).await.unwrap();
        let cache = DocumentCache::<Key>::new("keys");
        put(&store, "Enabled").await;
        let first = cache.get(&store, "k").await.unwrap().unwrap();
        let mut tx = store.begin().await.unwrap();
        tx.put("keys", "k", &json!({ "state": "Disabled" })).await.unwrap();
        drop(tx);
        let second = cache.get(&store, "k").await.unwrap().unwrap();
        assert!(Arc::ptr_eq(&first, &second), "served from the cache");
        assert_eq!(second.state, "Enabled");
    }

    #[tokio::test]
    async fn a_corrupt_document_is_an_error_not_an_absence() {
        let store = Store::open(&StoreConfig::Ephemeral).await.unwrap();
        put(&store, "Enabled").await;
        let cache = DocumentCache::<Vec<u8>>::new("keys");
        assert!(matches!(cache.get(&store, "k").await, Err(StoreError::Corrupt(_))));
    }
}
