//! The policies the authorizer read recently. Reading and parsing them on every call is most of
//! authorization's cost, and they change only when someone writes: every successful write in
//! this process clears the cache, and an entry lives at most `MAX_AGE`, so a change made through
//! another node sharing the store takes effect within that time (AWS's IAM is eventually
//! consistent too, usually within seconds).

use std::{
    collections::HashMap,
    hash::Hash,
    sync::{
        atomic::{AtomicU64, Ordering},
        Mutex,
    },
    time::{Duration, Instant},
};

const MAX_AGE: Duration = Duration::from_secs(1);

/// Past this many entries the cache starts over rather than grow without bound.
const MAX_ENTRIES: usize = 10_000;

struct Entry<T> {
    value: T,
    loaded_at: Instant,
}

/// Values keyed by `K`, each valid until the next write or for `MAX_AGE`.
pub struct PolicyCache<K, T> {
    generation: AtomicU64,
    entries: Mutex<HashMap<K, Entry<T>>>,
}

impl<K: Eq + Hash, T: Clone> Default for PolicyCache<K, T> {
    fn default() -> Self {
        PolicyCache { generation: AtomicU64::new(0), entries: Mutex::new(HashMap::new()) }
    }
}

impl<K: Eq + Hash, T: Clone> PolicyCache<K, T> {
    /// The cached value of `key`, and the generation a value loaded now must be stored with.
    pub fn get(&self, key: &K) -> (Option<T>, u64) {
        let generation = self.generation.load(Ordering::Acquire);
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let value = entries.get(key).filter(|e| e.loaded_at.elapsed() < MAX_AGE).map(|e| e.value.clone());
        (value, generation)
    }

    /// Keeps `value`, unless a write happened since `generation` was read (the value may
    /// predate it).
    pub fn put(&self, key: K, value: T, generation: u64) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if self.generation.load(Ordering::Acquire) != generation {
            return;
        }
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        entries.insert(key, Entry { value, loaded_at: Instant::now() });
    }

    /// Forgets everything: something was written.
    pub fn clear(&self) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        self.generation.fetch_add(1, Ordering::AcqRel);
        entries.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_is_kept_until_a_write() {
        let cache: PolicyCache<String, u32> = PolicyCache::default();
        let (missing, generation) = cache.get(&"k".to_owned());
        assert_eq!(missing, None);
        cache.put("k".to_owned(), 1, generation);
        assert_eq!(cache.get(&"k".to_owned()).0, Some(1));
        cache.clear();
        assert_eq!(cache.get(&"k".to_owned()).0, None);
    }

    #[test]
    fn a_value_loaded_before_a_write_is_not_kept() {
        let cache: PolicyCache<String, u32> = PolicyCache::default();
        let (_, generation) = cache.get(&"k".to_owned());
        cache.clear();
        cache.put("k".to_owned(), 1, generation);
        assert_eq!(cache.get(&"k".to_owned()).0, None);
    }
}
