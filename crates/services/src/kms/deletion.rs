//! ScheduleKeyDeletion, CancelKeyDeletion, and the job that deletes a key when its waiting
//! period ends. Until the job runs, a key past its deletion date already reads as gone.

use gateway::{Reply, RequestContext};
use serde::Deserialize;
use serde_json::{json, Value};
use store::Store;
use wire::ApiError;

use super::{
    aliases, error, grants,
    key_record::{self, KeyState, KEYS},
    key_ref, rotation, store_error,
};
use crate::input::from_input;

pub const DELETE_JOB: &str = "kms.delete_key";

const DAY_SECONDS: f64 = 86_400.0;
const DEFAULT_WINDOW_DAYS: u32 = 30;
const WINDOW_RANGE: std::ops::RangeInclusive<u32> = 7..=30;

fn dedupe_key(arn: &str) -> String {
    format!("{DELETE_JOB}:{arn}")
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ScheduleKeyDeletionRequest {
    key_id: String,
    pending_window_in_days: Option<u32>,
}

pub async fn schedule_key_deletion(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: ScheduleKeyDeletionRequest = from_input(input)?;
    let days = request.pending_window_in_days.unwrap_or(DEFAULT_WINDOW_DAYS);
    if !WINDOW_RANGE.contains(&days) {
        return Err(error(
            "ValidationException",
            format!("PendingWindowInDays must be between {} and {}, got {days}.", WINDOW_RANGE.start(), WINDOW_RANGE.end()),
        ));
    }
    let mut tx = store.begin().await.map_err(store_error)?;
    let mut key = key_ref::find_key_by_id(&mut tx, ctx, &request.key_id).await?;
    // A key still waiting for imported material may be deleted too.
    if key.state != KeyState::PendingImport {
        key.require_not_pending()?;
    }
    let has_replicas = key.multi_region.as_ref().is_some_and(|m| m.primary_region == key.region && !m.replica_regions.is_empty());
    if has_replicas {
        return Err(error(
            "UnsupportedOperationException",
            format!("{} is a primary key with replicas: delete its replica keys first.", key.arn),
        ));
    }
    let deletion_date = ctx.time + f64::from(days) * DAY_SECONDS;
    key.state = KeyState::PendingDeletion;
    key.deletion_date = Some(deletion_date);
    key.pending_window_days = Some(days);
    key_record::save(&mut tx, &key).await?;
    tx.commit().await.map_err(store_error)?;
    let payload = json!({ "account": key.account, "region": key.region, "key_id": key.key_id });
    store.enqueue_job(DELETE_JOB, Some(&dedupe_key(&key.arn)), payload, deletion_date).await.map_err(store_error)?;
    let out = json!({
        "KeyId": key.arn,
        "DeletionDate": deletion_date,
        "KeyState": KeyState::PendingDeletion.as_str(),
        "PendingWindowInDays": days,
    });
    Ok(Reply::new(out).resource("AWS::KMS::Key", key.arn))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CancelKeyDeletionRequest {
    key_id: String,
}

/// A key whose deletion is cancelled is `Disabled`, as in AWS: the owner enables it deliberately.
pub async fn cancel_key_deletion(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: CancelKeyDeletionRequest = from_input(input)?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let mut key = key_ref::find_key_by_id(&mut tx, ctx, &request.key_id).await?;
    if key.state != KeyState::PendingDeletion {
        return Err(error("KMSInvalidStateException", format!("{} is not pending deletion.", key.arn)));
    }
    key.state = if key.imported.is_some() && key.materials.is_empty() { KeyState::PendingImport } else { KeyState::Disabled };
    key.deletion_date = None;
    key.pending_window_days = None;
    key_record::save(&mut tx, &key).await?;
    tx.commit().await.map_err(store_error)?;
    store.cancel_job(&dedupe_key(&key.arn)).await.map_err(store_error)?;
    Ok(Reply::new(json!({ "KeyId": key.arn })).resource("AWS::KMS::Key", key.arn))
}

#[derive(Deserialize)]
struct DeletionJob {
    account: String,
    region: String,
    key_id: String,
}

/// Deletes the key, its aliases, its grants and its rotation schedule, if it is still pending deletion and
/// its date has passed (a cancelled deletion leaves the key alone).
pub async fn run_job(store: &Store, now: f64, payload: &Value) -> Result<(), String> {
    let job: DeletionJob = serde_json::from_value(payload.clone()).map_err(|e| format!("bad deletion job: {e}"))?;
    let record = key_record::record_key(&job.account, &job.region, &job.key_id);
    let mut tx = store.begin().await.map_err(|e| e.to_string())?;
    let Some(value) = tx.get(KEYS, &record).await.map_err(|e| e.to_string())? else { return Ok(()) };
    let key: key_record::StoredKey = serde_json::from_value(value).map_err(|e| e.to_string())?;
    let due = key.state == KeyState::PendingDeletion && key.deletion_date.is_some_and(|d| d <= now);
    if !due {
        return Ok(());
    }
    tx.delete(KEYS, &record).await.map_err(|e| e.to_string())?;
    aliases::delete_for_key(&mut tx, &job.account, &job.region, &job.key_id).await.map_err(|e| e.message)?;
    grants::delete_all(&mut tx, &key).await.map_err(|e| e.message)?;
    if let Some(links) = &key.multi_region {
        // A deleted replica leaves its family.
        for region in std::iter::once(&links.primary_region).chain(&links.replica_regions) {
            if region == &job.region {
                continue;
            }
            let other = key_record::load(&mut tx, &job.account, region, &job.key_id, now).await.map_err(|e| e.message)?;
            if let Some(mut other) = other {
                if let Some(family) = other.multi_region.as_mut() {
                    family.replica_regions.retain(|r| r != &job.region);
                }
                key_record::save(&mut tx, &other).await.map_err(|e| e.message)?;
            }
        }
    }
    tx.commit().await.map_err(|e| e.to_string())?;
    super::record_service_event(store, &key, "DeleteKey", now);
    store.cancel_job(&format!("{}:{}", rotation::ROTATE_JOB, key.arn)).await.map_err(|e| e.to_string())?;
    Ok(())
}
