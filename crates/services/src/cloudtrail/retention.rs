//! CloudTrail keeps 90 days of events: a daily job drops older ones.

use serde_json::json;
use store::{Store, StoreError};

pub const RETENTION_SECONDS: f64 = 90.0 * 86_400.0;
pub const RETENTION_JOB: &str = "cloudtrail.retention";
const DAY_SECONDS: f64 = 86_400.0;

/// One pending purge per day, however many nodes start or restart: the day is the dedupe key,
/// and a run schedules the next day's purge under the next day's key, never its own.
async fn schedule_at(store: &Store, run_at: f64) -> Result<(), StoreError> {
    let day = (run_at / DAY_SECONDS).floor();
    store.enqueue_job(RETENTION_JOB, Some(&format!("{RETENTION_JOB}:{day}")), json!({}), run_at).await.map(|_| ())
}

/// Schedules a purge now; each run schedules the next.
pub async fn schedule(store: &Store, now: f64) -> Result<(), StoreError> {
    schedule_at(store, now).await
}

/// Drops events older than 90 days and schedules the next run.
pub async fn run(store: &Store, now: f64) -> Result<(), StoreError> {
    store.purge_audit_before(now - RETENTION_SECONDS).await?;
    schedule_at(store, now + DAY_SECONDS).await
}
