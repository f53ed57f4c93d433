//! Document transactions: the one way services read and change state.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use crate::cache::WriteGeneration;
use crate::error::StoreError;
use crate::postgres::PgTxn;
use crate::sqlite::SqliteTxn;
use crate::{Backend, Store};

pub(crate) const GET_SQL: &str = "SELECT value FROM documents WHERE collection = ?1 AND key = ?2";
pub(crate) const PUT_SQL: &str =
    "INSERT INTO documents (collection, key, value) VALUES (?1, ?2, ?3)
     ON CONFLICT (collection, key) DO UPDATE SET value = excluded.value";
pub(crate) const DELETE_SQL: &str = "DELETE FROM documents WHERE collection = ?1 AND key = ?2";

const SCAN_FROM: &str = "SELECT key, value FROM documents
     WHERE collection = ?1 AND key >= ?2 ORDER BY key LIMIT ?3";
const SCAN_AFTER: &str = "SELECT key, value FROM documents
     WHERE collection = ?1 AND key > ?2 ORDER BY key LIMIT ?3";
const SCAN_FROM_BELOW: &str = "SELECT key, value FROM documents
     WHERE collection = ?1 AND key >= ?2 AND key < ?4 ORDER BY key LIMIT ?3";
const SCAN_AFTER_BELOW: &str = "SELECT key, value FROM documents
     WHERE collection = ?1 AND key > ?2 AND key < ?4 ORDER BY key LIMIT ?3";

/// How many times [`Store::transact`] runs a closure that keeps conflicting.
const MAX_ATTEMPTS: u32 = 16;

/// The key range of a prefix scan, as index bounds: `?2` is the lower bound, `?4` the upper.
pub(crate) struct ScanRange {
    pub(crate) sql: &'static str,
    pub(crate) lower: String,
    pub(crate) upper: Option<String>,
}

impl ScanRange {
    pub(crate) fn new(prefix: &str, start_after: Option<&str>) -> ScanRange {
        let upper = prefix_end(prefix);
        let (exclusive, lower) = match start_after {
            Some(after) if after >= prefix => (true, after.to_owned()),
            _ => (false, prefix.to_owned()),
        };
        let sql = match (exclusive, upper.is_some()) {
            (false, false) => SCAN_FROM,
            (true, false) => SCAN_AFTER,
            (false, true) => SCAN_FROM_BELOW,
            (true, true) => SCAN_AFTER_BELOW,
        };
        ScanRange { sql, lower, upper }
    }
}

/// The smallest string greater than every string starting with `prefix`, if there is one.
///
/// Keys compare by UTF-8 bytes, which is code point order, so bumping the last code point
/// that can be bumped gives the bound.
fn prefix_end(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        let next = (last as u32 + 1..=char::MAX as u32).find_map(char::from_u32);
        if let Some(next) = next {
            chars.push(next);
            return Some(chars.into_iter().collect());
        }
    }
    None
}

/// An open transaction over documents. PostgreSQL runs it SERIALIZABLE; SQLite runs one
/// transaction at a time. Dropping it without [`Txn::commit`] rolls it back.
///
/// With SQLite an open transaction holds the only connection, so code holding one must not
/// call other [`Store`] methods until it ends: they would wait for it forever.
pub struct Txn {
    backend: TxnBackend,
    conflicted: bool,
    /// Set by the first put or delete: committing then invalidates [`crate::DocumentCache`]s.
    wrote: bool,
    writes: Arc<WriteGeneration>,
}

// One transaction per request, moved rarely: not worth a box.
#[allow(clippy::large_enum_variant)]
enum TxnBackend {
    Sqlite(SqliteTxn),
    Postgres(PgTxn),
}

impl Txn {
    /// Reads one document.
    pub async fn get(&mut self, collection: &str, key: &str) -> Result<Option<Value>, StoreError> {
        let text = match &mut self.backend {
            TxnBackend::Sqlite(txn) => txn.get(collection, key),
            TxnBackend::Postgres(txn) => txn.get(collection, key).await,
        };
        match self.observe(text)? {
            Some(text) => Ok(Some(decode(collection, key, &text)?)),
            None => Ok(None),
        }
    }

    /// Creates or replaces one document.
    pub async fn put(
        &mut self,
        collection: &str,
        key: &str,
        value: &Value,
    ) -> Result<(), StoreError> {
        self.wrote = true;
        let text = value.to_string();
        let result = match &mut self.backend {
            TxnBackend::Sqlite(txn) => txn.put(collection, key, &text),
            TxnBackend::Postgres(txn) => txn.put(collection, key, &text).await,
        };
        self.observe(result)
    }

    /// Deletes one document; tells whether it existed.
    pub async fn delete(&mut self, collection: &str, key: &str) -> Result<bool, StoreError> {
        self.wrote = true;
        let result = match &mut self.backend {
            TxnBackend::Sqlite(txn) => txn.delete(collection, key),
            TxnBackend::Postgres(txn) => txn.delete(collection, key).await,
        };
        self.observe(result)
    }

    /// Lists up to `limit` documents whose keys start with `prefix`, in key (byte) order,
    /// beginning after `start_after` so callers can page with the last key they saw.
    pub async fn scan(
        &mut self,
        collection: &str,
        prefix: &str,
        start_after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<(String, Value)>, StoreError> {
        let range = ScanRange::new(prefix, start_after);
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = match &mut self.backend {
            TxnBackend::Sqlite(txn) => txn.scan(collection, &range, limit),
            TxnBackend::Postgres(txn) => txn.scan(collection, &range, limit).await,
        };
        self.observe(rows)?
            .into_iter()
            .map(|(key, text)| {
                let value = decode(collection, &key, &text)?;
                Ok((key, value))
            })
            .collect()
    }

    /// Makes the transaction's writes durable and visible.
    pub async fn commit(self) -> Result<(), StoreError> {
        let committed = match self.backend {
            TxnBackend::Sqlite(txn) => txn.commit(),
            TxnBackend::Postgres(txn) => txn.commit().await,
        };
        if self.wrote && committed.is_ok() {
            self.writes.advance();
        }
        committed
    }

    /// Remembers a serialization failure so [`Store::transact`] knows a retry can succeed
    /// even when the closure turned the error into its own type.
    fn observe<T>(&mut self, result: Result<T, StoreError>) -> Result<T, StoreError> {
        if matches!(result, Err(StoreError::Conflict)) {
            self.conflicted = true;
        }
        result
    }
}

fn decode(collection: &str, key: &str, text: &str) -> Result<Value, StoreError> {
    serde_json::from_str(text)
        .map_err(|error| StoreError::Corrupt(format!("document {collection}/{key}: {error}")))
}

/// The closure [`Store::transact`] runs: it borrows the transaction for the life of the
/// future it returns. Values it needs from outside are cloned into the `async move` block.
pub type TransactFuture<'t, T, E> = Pin<Box<dyn Future<Output = Result<T, E>> + Send + 't>>;

impl Store {
    /// Starts a transaction. With PostgreSQL any of its operations, or its commit, can fail
    /// with [`StoreError::Conflict`]; [`Store::transact`] runs it again in that case.
    pub async fn begin(&self) -> Result<Txn, StoreError> {
        let backend = match &self.inner.backend {
            Backend::Sqlite(store) => TxnBackend::Sqlite(store.begin().await?),
            Backend::Postgres(store) => TxnBackend::Postgres(store.begin().await?),
        };
        Ok(Txn {
            backend,
            conflicted: false,
            wrote: false,
            writes: self.inner.writes.clone(),
        })
    }

    /// Runs `work` in a transaction and commits it, running it again (with a short random
    /// back-off) when PostgreSQL reports a serialization failure, up to 16 times.
    ///
    /// ```no_run
    /// # async fn example(store: store::Store, name: String) -> Result<bool, store::StoreError> {
    /// use store::StoreError;
    ///
    /// let created = store
    ///     .transact(|tx| {
    ///         let name = name.clone();
    ///         Box::pin(async move {
    ///             if tx.get("users", &name).await?.is_some() {
    ///                 return Ok::<_, StoreError>(false);
    ///             }
    ///             tx.put("users", &name, &serde_json::json!({})).await?;
    ///             Ok(true)
    ///         })
    ///     })
    ///     .await?;
    /// # Ok(created)
    /// # }
    /// ```
    ///
    /// `work` may run several times, so it must not have effects outside the transaction.
    /// An error it returns ends the transaction (rolled back) unless a store call inside it
    /// hit a serialization failure, in which case it is run again.
    pub async fn transact<T, E, F>(&self, mut work: F) -> Result<T, E>
    where
        F: for<'t> FnMut(&'t mut Txn) -> TransactFuture<'t, T, E>,
        E: From<StoreError>,
    {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let mut txn = self.begin().await?;
            let outcome = work(&mut txn).await;
            match outcome {
                Ok(value) => match txn.commit().await {
                    Ok(()) => return Ok(value),
                    Err(StoreError::Conflict) if attempt < MAX_ATTEMPTS => {}
                    Err(error) => return Err(error.into()),
                },
                Err(_) if txn.conflicted && attempt < MAX_ATTEMPTS => drop(txn),
                Err(error) => return Err(error),
            }
            let jitter_ms = rand::random_range(0..=1u64 << attempt.min(7));
            tokio::time::sleep(Duration::from_millis(jitter_ms)).await;
        }
    }

    /// Reads one document in its own transaction.
    pub async fn get(&self, collection: &str, key: &str) -> Result<Option<Value>, StoreError> {
        let (collection, key) = (collection.to_owned(), key.to_owned());
        self.transact(move |tx| {
            let (collection, key) = (collection.clone(), key.clone());
            Box::pin(async move { tx.get(&collection, &key).await })
        })
        .await
    }

    /// Creates or replaces one document in its own transaction.
    pub async fn put(&self, collection: &str, key: &str, value: &Value) -> Result<(), StoreError> {
        let (collection, key, value) = (collection.to_owned(), key.to_owned(), value.clone());
        self.transact(move |tx| {
            let (collection, key, value) = (collection.clone(), key.clone(), value.clone());
            Box::pin(async move { tx.put(&collection, &key, &value).await })
        })
        .await
    }

    /// Deletes one document in its own transaction; tells whether it existed.
    pub async fn delete(&self, collection: &str, key: &str) -> Result<bool, StoreError> {
        let (collection, key) = (collection.to_owned(), key.to_owned());
        self.transact(move |tx| {
            let (collection, key) = (collection.clone(), key.clone());
            Box::pin(async move { tx.delete(&collection, &key).await })
        })
        .await
    }

    /// [`Txn::scan`] in its own transaction.
    pub async fn scan(
        &self,
        collection: &str,
        prefix: &str,
        start_after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<(String, Value)>, StoreError> {
        let (collection, prefix) = (collection.to_owned(), prefix.to_owned());
        let start_after = start_after.map(str::to_owned);
        self.transact(move |tx| {
            let (collection, prefix, start_after) =
                (collection.clone(), prefix.clone(), start_after.clone());
            Box::pin(async move {
                tx.scan(&collection, &prefix, start_after.as_deref(), limit)
                    .await
            })
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::prefix_end;

    #[test]
    fn prefix_end_bumps_the_last_code_point() {
        assert_eq!(prefix_end("user/").as_deref(), Some("user0"));
        assert_eq!(prefix_end("é").as_deref(), Some("ê"));
    }

    #[test]
    fn prefix_end_skips_the_surrogate_gap() {
        assert_eq!(prefix_end("a\u{D7FF}").as_deref(), Some("a\u{E000}"));
    }

    #[test]
    fn prefix_end_drops_trailing_maximal_code_points() {
        assert_eq!(prefix_end("a\u{10FFFF}\u{10FFFF}").as_deref(), Some("b"));
        assert_eq!(prefix_end("\u{10FFFF}"), None);
        assert_eq!(prefix_end(""), None);
    }
}
