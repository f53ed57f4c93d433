//! Documents: transactions, scans, reset.

use serde_json::{json, Value};
use store::{StoreError, Txn};

use crate::support::TestStore;

on_every_backend!(
    committed_writes_are_visible_to_later_transactions,
    dropped_transaction_rolls_back,
    delete_reports_whether_the_document_existed,
    collections_are_separate_namespaces,
    scan_lists_keys_in_byte_order_within_the_prefix,
    scan_pages_with_start_after_and_limit,
    scan_with_empty_prefix_lists_the_whole_collection,
    transact_commits_what_the_closure_wrote,
    transact_rolls_back_when_the_closure_fails,
    concurrent_transacts_never_lose_an_update,
    reset_wipes_documents_but_keeps_meta,
);

async fn committed_writes_are_visible_to_later_transactions(t: &TestStore) {
    let mut tx = t.store.begin().await.unwrap();
    tx.put("keys", "k1", &json!({"state": "Enabled"}))
        .await
        .unwrap();
    assert_eq!(
        tx.get("keys", "k1").await.unwrap(),
        Some(json!({"state": "Enabled"}))
    );
    tx.commit().await.unwrap();

    assert_eq!(
        t.store.get("keys", "k1").await.unwrap(),
        Some(json!({"state": "Enabled"}))
    );
}

async fn dropped_transaction_rolls_back(t: &TestStore) {
    t.store.put("keys", "kept", &json!(1)).await.unwrap();
    {
        let mut tx = t.store.begin().await.unwrap();
        tx.put("keys", "dropped", &json!(2)).await.unwrap();
        tx.delete("keys", "kept").await.unwrap();
    }
    assert_eq!(t.store.get("keys", "dropped").await.unwrap(), None);
    assert_eq!(t.store.get("keys", "kept").await.unwrap(), Some(json!(1)));
}

async fn delete_reports_whether_the_document_existed(t: &TestStore) {
    t.store.put("keys", "k1", &json!(null)).await.unwrap();
    assert!(t.store.delete("keys", "k1").await.unwrap());
    assert!(!t.store.delete("keys", "k1").await.unwrap());
    assert_eq!(t.store.get("keys", "k1").await.unwrap(), None);
}

async fn collections_are_separate_namespaces(t: &TestStore) {
    t.store.put("a", "k", &json!("in a")).await.unwrap();
    t.store.put("b", "k", &json!("in b")).await.unwrap();
    assert_eq!(t.store.get("a", "k").await.unwrap(), Some(json!("in a")));
    assert_eq!(
        t.store.scan("b", "", None, 10).await.unwrap(),
        vec![("k".into(), json!("in b"))]
    );
}

async fn put_keys(t: &TestStore, collection: &str, keys: &[&str]) {
    let mut tx = t.store.begin().await.unwrap();
    for key in keys {
        tx.put(collection, key, &json!(key)).await.unwrap();
    }
    tx.commit().await.unwrap();
}

fn keys(rows: &[(String, Value)]) -> Vec<&str> {
    rows.iter().map(|(key, _)| key.as_str()).collect()
}

async fn scan_lists_keys_in_byte_order_within_the_prefix(t: &TestStore) {
    put_keys(
        t,
        "c",
        &[
            "user/b", "user/a", "user/B", "user/é", "user/~", "users", "usea", "user",
        ],
    )
    .await;
    let rows = t.store.scan("c", "user/", None, 100).await.unwrap();
    assert_eq!(
        keys(&rows),
        ["user/B", "user/a", "user/b", "user/~", "user/é"]
    );
    assert_eq!(rows[1].1, json!("user/a"));
}

async fn scan_pages_with_start_after_and_limit(t: &TestStore) {
    put_keys(t, "c", &["p/1", "p/2", "p/3", "p/4", "p/5", "q/1"]).await;
    let first = t.store.scan("c", "p/", None, 2).await.unwrap();
    assert_eq!(keys(&first), ["p/1", "p/2"]);
    let second = t.store.scan("c", "p/", Some("p/2"), 2).await.unwrap();
    assert_eq!(keys(&second), ["p/3", "p/4"]);
    let last = t.store.scan("c", "p/", Some("p/4"), 2).await.unwrap();
    assert_eq!(keys(&last), ["p/5"]);
    assert!(t
        .store
        .scan("c", "p/", Some("p/5"), 2)
        .await
        .unwrap()
        .is_empty());
}

async fn scan_with_empty_prefix_lists_the_whole_collection(t: &TestStore) {
    put_keys(t, "c", &["b", "a", "\u{10FFFF}"]).await;
    put_keys(t, "other", &["z"]).await;
    let rows = t.store.scan("c", "", None, 10).await.unwrap();
    assert_eq!(keys(&rows), ["a", "b", "\u{10FFFF}"]);
}

async fn transact_commits_what_the_closure_wrote(t: &TestStore) {
    let created = t
        .store
        .transact(|tx: &mut Txn| {
            Box::pin(async move {
                if tx.get("users", "alice").await?.is_some() {
                    return Ok::<_, StoreError>(false);
                }
                tx.put(
                    "users",
                    "alice",
                    &json!({"arn": "arn:aws:iam::000000000000:user/alice"}),
                )
                .await?;
                Ok(true)
            })
        })
        .await
        .unwrap();
    assert!(created);
    assert!(t.store.get("users", "alice").await.unwrap().is_some());
}

#[derive(Debug, PartialEq)]
enum ServiceError {
    LimitExceeded,
    Store(String),
}

impl From<StoreError> for ServiceError {
    fn from(error: StoreError) -> Self {
        ServiceError::Store(error.to_string())
    }
}

async fn transact_rolls_back_when_the_closure_fails(t: &TestStore) {
    let outcome: Result<(), ServiceError> = t
        .store
        .transact(|tx| {
            Box::pin(async move {
                tx.put("users", "bob", &json!({})).await?;
                Err(ServiceError::LimitExceeded)
            })
        })
        .await;
    assert_eq!(outcome, Err(ServiceError::LimitExceeded));
    assert_eq!(t.store.get("users", "bob").await.unwrap(), None);
}

async fn concurrent_transacts_never_lose_an_update(t: &TestStore) {
    const WRITERS: u64 = 8;
    let increments = (0..WRITERS).map(|_| {
        let store = t.store.clone();
        tokio::spawn(async move {
            store
                .transact(|tx| {
                    Box::pin(async move {
                        let count = tx
                            .get("counters", "hits")
                            .await?
                            .and_then(|v| v.as_u64())
                            .unwrap_or(0);
                        tx.put("counters", "hits", &json!(count + 1)).await?;
                        Ok::<_, StoreError>(())
                    })
                })
                .await
        })
    });
    for increment in increments.collect::<Vec<_>>() {
        increment.await.unwrap().unwrap();
    }
    assert_eq!(
        t.store.get("counters", "hits").await.unwrap(),
        Some(json!(WRITERS))
    );
}

async fn reset_wipes_documents_but_keeps_meta(t: &TestStore) {
    t.store.put("keys", "k1", &json!(1)).await.unwrap();
    t.store.meta_put("installation", b"kept").await.unwrap();
    t.store
        .enqueue_job("rotate", None, json!({}), 0.0)
        .await
        .unwrap();

    t.store.reset().await.unwrap();

    assert_eq!(t.store.get("keys", "k1").await.unwrap(), None);
    assert_eq!(t.store.lease_job("node", 1.0, 60.0).await.unwrap(), None);
    assert_eq!(
        t.store.meta_get("installation").await.unwrap(),
        Some(b"kept".to_vec())
    );
}
