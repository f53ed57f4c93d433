//! Every store operation can run on a spawned task: servers spawn one per request, which
//! needs the operations' futures to be `Send`.

use serde_json::json;
use store::{AuditQuery, Clock, Store, StoreConfig, StoreError};

#[tokio::test]
async fn store_operations_run_on_spawned_tasks() {
    let store = Store::open(&StoreConfig::Ephemeral).await.unwrap();
    let task_store = store.clone();
    tokio::spawn(async move {
        let store = task_store;
        let mut tx = store.begin().await?;
        tx.put("c", "k", &json!(1)).await?;
        tx.scan("c", "", None, 10).await?;
        tx.commit().await?;
        store.get("c", "k").await?;
        store.meta_put("m", b"v").await?;
        store.enqueue_job("kind", None, json!({}), 0.0).await?;
        store.lease_job("n1", 1.0, 30.0).await?;
        store
            .lookup_audit(AuditQuery {
                max_results: 1,
                ..AuditQuery::default()
            })
            .await?;
        store.audit_writer().flush().await?;
        Clock::open(&store).await?.advance(1.0).await?;
        store.reset().await?;
        Ok::<_, StoreError>(())
    })
    .await
    .unwrap()
    .unwrap();
}
