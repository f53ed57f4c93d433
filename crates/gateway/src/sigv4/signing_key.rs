//! The derived signing key and its cache: deriving costs four HMACs, and a client signs
//! thousands of requests with the same secret, day, region and service.

use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;

use hmac::{KeyInit, Mac};
use sha2::{Digest, Sha256};

pub(crate) type HmacSha256 = hmac::Hmac<Sha256>;

const SHARDS: usize = 16;

/// A bounded map from (secret, date, region, service) to the derived signing key, shared by
/// all request threads. Entries are keyed by a SHA-256 of the four, so the cache holds no
/// secret in the clear; it is sharded so threads rarely wait on each other.
pub struct SigningKeyCache {
    shards: [Mutex<HashMap<[u8; 32], [u8; 32]>>; SHARDS],
    per_shard: usize,
}

impl SigningKeyCache {
    /// A cache of about 4096 keys: one per active access key per day suffices.
    pub fn new() -> Self {
        Self::with_capacity(4096)
    }

    /// A cache of about `capacity` keys (at least one per shard).
    pub fn with_capacity(capacity: usize) -> Self {
        SigningKeyCache {
            shards: std::array::from_fn(|_| Mutex::new(HashMap::new())),
            per_shard: capacity.div_ceil(SHARDS).max(1),
        }
    }

    pub(crate) fn signing_key(
        &self,
        secret: &str,
        date: &str,
        region: &str,
        service: &str,
    ) -> [u8; 32] {
        let mut id = Sha256::new();
        for part in [secret, date, region, service] {
            id.update((part.len() as u64).to_le_bytes());
            id.update(part.as_bytes());
        }
        let id: [u8; 32] = id.finalize().into();
        let shard = &self.shards[usize::from(id[0]) % SHARDS];
        if let Some(key) = lock(shard).get(&id) {
            return *key;
        }
        let key = derive(secret, date, region, service);
        let mut map = lock(shard);
        if map.len() >= self.per_shard {
            if let Some(evicted) = map.keys().next().copied() {
                map.remove(&evicted);
            }
        }
        map.insert(id, key);
        key
    }
}

impl Default for SigningKeyCache {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for SigningKeyCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKeyCache")
            .field("per_shard", &self.per_shard)
            .finish_non_exhaustive()
    }
}

/// A panic elsewhere while holding the lock leaves a map that is still valid.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

pub(crate) fn hmac(key: &[u8]) -> HmacSha256 {
    <HmacSha256 as KeyInit>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"))
}

fn hmac_once(key: &[u8], data: &[u8]) -> [u8; 32] {
    let mut mac = hmac(key);
    mac.update(data);
    mac.finalize().into_bytes().into()
}

fn derive(secret: &str, date: &str, region: &str, service: &str) -> [u8; 32] {
    let mut prefixed = Vec::with_capacity(4 + secret.len());
    prefixed.extend_from_slice(b"AWS4");
    prefixed.extend_from_slice(secret.as_bytes());
    let k_date = hmac_once(&prefixed, date.as_bytes());
    let k_region = hmac_once(&k_date, region.as_bytes());
    let k_service = hmac_once(&k_region, service.as_bytes());
    hmac_once(&k_service, b"aws4_request")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_key_matches_the_aws_documentation_example() {
        let key = derive(
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            "20120215",
            "us-east-1",
            "iam",
        );
        assert_eq!(
            &crate::sigv4::hex::lower(&key)[..],
            b"f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d"
        );
    }

    #[test]
    fn cache_stays_within_its_bound() {
        let cache = SigningKeyCache::with_capacity(16);
        for day in 0..1000 {
            cache.signing_key("secret", &format!("2024{day:04}"), "us-east-1", "s3");
        }
        let total: usize = cache.shards.iter().map(|s| lock(s).len()).sum();
        assert!(total <= 16, "{total} entries");
    }

    #[test]
    fn cached_key_is_the_derived_key() {
        let cache = SigningKeyCache::new();
        let first = cache.signing_key("secret", "20240101", "us-east-1", "kms");
        let second = cache.signing_key("secret", "20240101", "us-east-1", "kms");
        assert_eq!(first, second);
        assert_eq!(first, derive("secret", "20240101", "us-east-1", "kms"));
    }
}
