//! DeleteSecret (a recovery window of 7 to 30 days, or at once) and RestoreSecret; the job queue
//! removes the secret when its window ends by the server clock.

use gateway::{Reply, RequestContext};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use wire::ApiError;

use super::{
    invalid_parameter, invalid_request, rotation,
    secret_record::{self, StoredSecret, DAY_SECONDS, SECRETS},
    secret_ref, store_error, SecretsManager,
};
use crate::input::from_input;

pub const DELETE_JOB: &str = "secretsmanager.delete-secret";

const DEFAULT_RECOVERY_DAYS: i64 = 30;
const MIN_RECOVERY_DAYS: i64 = 7;
const MAX_RECOVERY_DAYS: i64 = 30;

#[derive(Serialize, Deserialize)]
struct DeletionJob {
    account: String,
    region: String,
    name: String,
    arn: String,
}

fn job_key(arn: &str) -> String {
    format!("{DELETE_JOB}/{arn}")
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DeleteSecretRequest {
    secret_id: String,
    recovery_window_in_days: Option<i64>,
    force_delete_without_recovery: Option<bool>,
}

pub async fn delete_secret(service: &SecretsManager, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: DeleteSecretRequest = from_input(input)?;
    let force = request.force_delete_without_recovery.unwrap_or(false);
    if force && request.recovery_window_in_days.is_some() {
        return Err(invalid_parameter(
            "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.",
        ));
    }
    let days = request.recovery_window_in_days.unwrap_or(DEFAULT_RECOVERY_DAYS);
    if !(MIN_RECOVERY_DAYS..=MAX_RECOVERY_DAYS).contains(&days) {
        return Err(invalid_parameter(format!(
            "The RecoveryWindowInDays value must be between {MIN_RECOVERY_DAYS} and {MAX_RECOVERY_DAYS} days (inclusive)."
        )));
    }
    let mut tx = service.store.begin().await.map_err(store_error)?;
    let mut secret = secret_ref::find(&mut tx, ctx, &request.secret_id).await?;
    secret.require_primary()?;
    if !secret.replicas.is_empty() {
        return Err(invalid_request(format!(
            "You can't delete secret {} because it's replicated to other Regions. Remove the replica Regions first.",
            secret.name
        )));
    }
    if secret.deleted_date.is_some() && !force {
        return Err(invalid_request(
            "You can't perform this operation on the secret because it was already scheduled for deletion.",
        ));
    }
    let deletion_date = if force { ctx.time } else { ctx.time + days as f64 * DAY_SECONDS };
    secret.deleted_date = Some(ctx.time);
    secret.deletion_date = Some(deletion_date);
    secret_record::save(&mut tx, &secret).await?;
    tx.commit().await.map_err(store_error)?;
    schedule(service, &secret, deletion_date).await?;
    rotation::unschedule(service, &secret.arn).await?;
    Ok(Reply::new(json!({ "ARN": secret.arn, "Name": secret.name, "DeletionDate": deletion_date }))
        .resource("AWS::SecretsManager::Secret", secret.arn))
}

async fn schedule(service: &SecretsManager, secret: &StoredSecret, at: f64) -> Result<(), ApiError> {
    let job = DeletionJob {
        account: secret.account.clone(),
        region: secret.region.clone(),
        name: secret.name.clone(),
        arn: secret.arn.clone(),
    };
    let payload = serde_json::to_value(job).map_err(|e| ApiError::internal(e.to_string()))?;
    service.store.enqueue_job(DELETE_JOB, Some(&job_key(&secret.arn)), payload, at).await.map_err(store_error)?;
    Ok(())
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RestoreSecretRequest {
    secret_id: String,
}

pub async fn restore_secret(service: &SecretsManager, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: RestoreSecretRequest = from_input(input)?;
    let mut tx = service.store.begin().await.map_err(store_error)?;
    let mut secret = secret_ref::find(&mut tx, ctx, &request.secret_id).await?;
    secret.require_primary()?;
    secret.deleted_date = None;
    secret.deletion_date = None;
    secret_record::save(&mut tx, &secret).await?;
    tx.commit().await.map_err(store_error)?;
    service.store.cancel_job(&job_key(&secret.arn)).await.map_err(store_error)?;
    rotation::schedule_next(service, &secret).await?;
    Ok(Reply::new(json!({ "ARN": secret.arn, "Name": secret.name })).resource("AWS::SecretsManager::Secret", secret.arn))
}

/// Removes a secret whose recovery window has ended; a secret restored (or created again under
/// the same name, with another ARN) since the job was queued stays.
pub async fn run_job(service: &SecretsManager, now: f64, payload: &Value) -> Result<(), String> {
    let job: DeletionJob = serde_json::from_value(payload.clone()).map_err(|e| format!("bad deletion job: {e}"))?;
    let mut tx = service.store.begin().await.map_err(|e| e.to_string())?;
    let key = secret_record::record_key(&job.account, &job.region, &job.name);
    let Some(value) = tx.get(SECRETS, &key).await.map_err(|e| e.to_string())? else { return Ok(()) };
    let secret: StoredSecret = serde_json::from_value(value).map_err(|e| format!("the record of secret {} is corrupt: {e}", job.name))?;
    let due = secret.deletion_date.filter(|_| secret.arn == job.arn);
    match due {
        Some(date) if date <= now => {
            secret_record::remove(&mut tx, &job.account, &job.region, &job.name).await.map_err(|e| e.message)?;
            tx.commit().await.map_err(|e| e.to_string())
        }
        Some(date) => {
            drop(tx);
            schedule(service, &secret, date).await.map_err(|e| e.message)
        }
        None => Ok(()),
    }
}
