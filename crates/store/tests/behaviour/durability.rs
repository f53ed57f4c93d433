//! Acknowledged writes on a SQLite file survive the process.

use std::process::Command;

use serde_json::json;
use store::{Store, StoreConfig};

use crate::support::TempDir;

#[tokio::test]
async fn write_survives_reopening() {
    let dir = TempDir::new();
    let config = StoreConfig::Sqlite {
        path: dir.path().join("palisade.db"),
    };
    let store = Store::open(&config).await.unwrap();
    store
        .put("keys", "k1", &json!({"state": "Enabled"}))
        .await
        .unwrap();
    drop(store);

    let reopened = Store::open(&config).await.unwrap();
    assert_eq!(
        reopened.get("keys", "k1").await.unwrap(),
        Some(json!({"state": "Enabled"}))
    );
}

const CHILD_DATABASE: &str = "PALISADE_STORE_TEST_KILL9_DATABASE";

/// The test runs itself again as a child that commits a write and then sends itself
/// SIGKILL, so nothing (destructors, WAL checkpoint, connection close) runs after COMMIT.
#[tokio::test]
async fn acknowledged_write_survives_kill_9() {
    if let Ok(path) = std::env::var(CHILD_DATABASE) {
        let store = Store::open(&StoreConfig::Sqlite { path: path.into() })
            .await
            .unwrap();
        store
            .put("keys", "acknowledged", &json!(true))
            .await
            .unwrap();
        Command::new("kill")
            .args(["-9", &std::process::id().to_string()])
            .status()
            .unwrap();
        unreachable!("SIGKILL ends the process");
    }
    let dir = TempDir::new();
    let path = dir.path().join("palisade.db");
    let status = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "durability::acknowledged_write_survives_kill_9",
            "--nocapture",
        ])
        .env(CHILD_DATABASE, &path)
        .status()
        .unwrap();
    assert!(!status.success(), "the child must have been killed");
    assert!(
        dir.path().join("palisade.db-wal").exists(),
        "the write is only in the WAL"
    );

    let store = Store::open(&StoreConfig::Sqlite { path }).await.unwrap();
    assert_eq!(
        store.get("keys", "acknowledged").await.unwrap(),
        Some(json!(true))
    );
}
