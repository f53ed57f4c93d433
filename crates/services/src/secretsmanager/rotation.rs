//! RotateSecret and CancelRotateSecret, and the rotations themselves, run by the job queue: the
//! secret's rotation function is invoked for createSecret, setSecret, testSecret and
//! finishSecret in turn, as Secrets Manager's own service principal (the function's resource
//! policy must allow `secretsmanager.amazonaws.com`). Before the first step the new version is
//! listed with AWSPENDING, as AWS's rotation templates expect. No transaction is held while the
//! function runs: it calls back into Secrets Manager to read AWSPENDING and put the new value.

use std::net::{IpAddr, Ipv4Addr};

use base64::Engine;
use gateway::{audit::ServiceEvent, pipeline::new_request_id, principal::Principal, service::AuditResource, Reply, RequestContext};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use wire::ApiError;

use super::{
    invalid_request, new_uuid, replication,
    schedule::parse_rules,
    secret_record::{self, RotationRules, StoredSecret, StoredVersion, CURRENT, PENDING},
    secret_ref, stages, store_error, SecretsManager, SERVICE_PRINCIPAL,
};
use crate::input::from_input;

pub const ROTATE_JOB: &str = "secretsmanager.rotate-secret";

const STEPS: [&str; 4] = ["createSecret", "setSecret", "testSecret", "finishSecret"];

#[derive(Serialize, Deserialize)]
struct RotationJob {
    account: String,
    region: String,
    name: String,
    arn: String,
    /// The version a RotateSecret call listed with AWSPENDING; `None` for a scheduled rotation,
    /// which makes its own.
    token: Option<String>,
}

fn job_key(arn: &str) -> String {
    format!("{ROTATE_JOB}/{arn}")
}

/// Lists version `token` with AWSPENDING (without a value yet) and marks the rotation running.
fn begin_rotation(secret: &mut StoredSecret, token: &str, now: f64) {
    if secret.version(token).is_none() {
        secret.versions.push(StoredVersion {
            id: token.to_owned(),
            stages: Vec::new(),
            created: now,
            last_accessed: None,
            kms_key_arn: None,
            value: None,
        });
    }
    stages::move_stage(&mut secret.versions, PENDING, token);
    secret.rotation.in_progress = Some(token.to_owned());
}

/// The next scheduled rotation of `secret` after `after`, by its rules.
fn next_rotation(secret: &StoredSecret, after: f64) -> Option<f64> {
    let rules = secret.rotation.rules.as_ref()?;
    parse_rules(rules).ok()?.next_after(after)
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RotateSecretRequest {
    secret_id: String,
    client_request_token: Option<String>,
    #[serde(rename = "RotationLambdaARN")]
    rotation_lambda_arn: Option<String>,
    rotation_rules: Option<RotationRules>,
    rotate_immediately: Option<bool>,
}

pub async fn rotate_secret(service: &SecretsManager, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: RotateSecretRequest = from_input(input)?;
    if let Some(rules) = &request.rotation_rules {
        parse_rules(rules)?;
    }
    let immediately = request.rotate_immediately.unwrap_or(true);
    let token = request.client_request_token.unwrap_or_else(new_uuid);
    let mut tx = service.store.begin().await.map_err(store_error)?;
    let mut secret = secret_ref::find_live(&mut tx, ctx, &request.secret_id).await?;
    secret.require_primary()?;
    if let Some(lambda) = request.rotation_lambda_arn.filter(|a| !a.is_empty()) {
        secret.rotation.lambda_arn = Some(lambda);
    }
    if secret.rotation.lambda_arn.is_none() {
        return Err(invalid_request("No Lambda rotation function ARN is associated with this secret."));
    }
    if secret.rotation.in_progress.as_ref().is_some_and(|running| *running != token) {
        return Err(invalid_request("A previous rotation isn't complete. That rotation will be reattempted."));
    }
    if let Some(rules) = request.rotation_rules {
        secret.rotation.rules = Some(rules);
    }
    secret.rotation.enabled = true;
    if immediately {
        begin_rotation(&mut secret, &token, ctx.time);
        secret.rotation.next_rotation = None;
    } else {
        secret.rotation.next_rotation = next_rotation(&secret, secret.rotation.last_rotated.unwrap_or(ctx.time));
    }
    secret.last_changed = ctx.time;
    secret_record::save(&mut tx, &secret).await?;
    tx.commit().await.map_err(store_error)?;

    let mut out = json!({ "ARN": secret.arn, "Name": secret.name });
    if immediately {
        enqueue(service, &secret, Some(token.clone()), ctx.time).await?;
        out["VersionId"] = json!(token);
    } else {
        schedule_next(service, &secret).await?;
    }
    Ok(Reply::new(out).resource("AWS::SecretsManager::Secret", secret.arn))
}

async fn enqueue(service: &SecretsManager, secret: &StoredSecret, token: Option<String>, at: f64) -> Result<(), ApiError> {
    let job = RotationJob {
        account: secret.account.clone(),
        region: secret.region.clone(),
        name: secret.name.clone(),
        arn: secret.arn.clone(),
        token,
    };
    let payload = serde_json::to_value(job).map_err(|e| ApiError::internal(e.to_string()))?;
    service.store.enqueue_job(ROTATE_JOB, Some(&job_key(&secret.arn)), payload, at).await.map_err(store_error)?;
    Ok(())
}

/// Queues the secret's next scheduled rotation, if rotation is on and scheduled.
pub async fn schedule_next(service: &SecretsManager, secret: &StoredSecret) -> Result<(), ApiError> {
    match secret.rotation.next_rotation.filter(|_| secret.rotation.enabled) {
        Some(at) => enqueue(service, secret, None, at).await,
        None => Ok(()),
    }
}

/// Drops the secret's queued rotation (the secret is being deleted, or rotation is cancelled).
pub async fn unschedule(service: &SecretsManager, arn: &str) -> Result<(), ApiError> {
    service.store.cancel_job(&job_key(arn)).await.map_err(store_error)?;
    Ok(())
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CancelRotateSecretRequest {
    secret_id: String,
}

/// Turns automatic rotation off and abandons a rotation in progress; its version keeps the
/// AWSPENDING label, as in AWS.
pub async fn cancel_rotate_secret(service: &SecretsManager, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: CancelRotateSecretRequest = from_input(input)?;
    let mut tx = service.store.begin().await.map_err(store_error)?;
    let mut secret = secret_ref::find_live(&mut tx, ctx, &request.secret_id).await?;
    secret.require_primary()?;
    let running = secret.rotation.in_progress.take();
    secret.rotation.enabled = false;
    secret.rotation.next_rotation = None;
    secret_record::save(&mut tx, &secret).await?;
    tx.commit().await.map_err(store_error)?;
    unschedule(service, &secret.arn).await?;
    let mut out = json!({ "ARN": secret.arn, "Name": secret.name });
    if let Some(token) = running {
        out["VersionId"] = json!(token);
    }
    Ok(Reply::new(out).resource("AWS::SecretsManager::Secret", secret.arn))
}

/// The context a queued rotation acts in: Secrets Manager's service principal in the secret's
/// account and Region, at the server clock.
fn job_context(account: &str, region: &str, now: f64) -> Result<RequestContext, String> {
    let service = wire::service_by_id("secretsmanager").ok_or("no Secrets Manager model")?;
    Ok(RequestContext {
        request_id: new_request_id(),
        service,
        operation: "RotateSecret",
        region: region.to_owned(),
        principal: Principal::service(account, SERVICE_PRINCIPAL),
        source_ip: IpAddr::V4(Ipv4Addr::LOCALHOST),
        user_agent: SERVICE_PRINCIPAL.to_owned(),
        secure_transport: true,
        time: now,
        invoked_by: Some(SERVICE_PRINCIPAL),
    })
}

/// Runs one rotation: a RotateSecret call's, or a scheduled one that has come due.
pub async fn run_job(service: &SecretsManager, now: f64, payload: &Value) -> Result<(), String> {
    let job: RotationJob = serde_json::from_value(payload.clone()).map_err(|e| format!("bad rotation job: {e}"))?;
    let mut tx = service.store.begin().await.map_err(|e| e.to_string())?;
    let Some(mut secret) = secret_record::load(&mut tx, &job.account, &job.region, &job.name, now).await.map_err(|e| e.message)? else {
        return Ok(());
    };
    if secret.arn != job.arn || secret.deleted_date.is_some() || !secret.rotation.enabled {
        return Ok(());
    }
    let Some(lambda) = secret.rotation.lambda_arn.clone() else { return Ok(()) };
    let token = match job.token {
        // A rotation CancelRotateSecret abandoned is not run.
        Some(token) if secret.rotation.in_progress.as_deref() != Some(token.as_str()) => return Ok(()),
        Some(token) => token,
        None => {
            match secret.rotation.next_rotation {
                Some(due) if due > now => {
                    drop(tx);
                    return schedule_next(service, &secret).await.map_err(|e| e.message);
                }
                None => return Ok(()),
                Some(_) => {}
            }
            let token = new_uuid();
            begin_rotation(&mut secret, &token, now);
            secret_record::save(&mut tx, &secret).await.map_err(|e| e.message)?;
            token
        }
    };
    // The transaction ends before the function runs: it calls back into Secrets Manager.
    tx.commit().await.map_err(|e| e.to_string())?;
    record_service_event(service, &secret, "RotationStarted", now, json!({ "versionId": token }));
    let ctx = job_context(&job.account, &job.region, now)?;
    let outcome = run_steps(service, &ctx, &lambda, &secret.arn, &token).await;
    finish(service, &ctx, &job.name, &token, outcome).await.map_err(|e| e.message)
}

/// Records what Secrets Manager did on its own (`RotationStarted`, `RotationSucceeded`,
/// `RotationFailed`) in the account's trail as an AwsServiceEvent, as AWS does.
fn record_service_event(service: &SecretsManager, secret: &StoredSecret, event_name: &str, now: f64, details: Value) {
    let resources = [AuditResource { resource_type: "AWS::SecretsManager::Secret".to_owned(), name: secret.arn.clone() }];
    let event = ServiceEvent {
        account: &secret.account,
        region: &secret.region,
        event_time: now,
        event_source: SERVICE_PRINCIPAL,
        event_name,
        resources: &resources,
        details: Some(details),
    };
    service.store.audit_writer().record(event.into_audit_record());
}

/// Invokes the four steps in order; the first failure ends the rotation.
async fn run_steps(service: &SecretsManager, ctx: &RequestContext, lambda: &str, secret_arn: &str, token: &str) -> Result<(), String> {
    let rotation_token = new_uuid();
    for step in STEPS {
        let event = json!({ "SecretId": secret_arn, "ClientRequestToken": token, "Step": step, "RotationToken": rotation_token });
        let payload = base64::engine::general_purpose::STANDARD.encode(event.to_string());
        let input = json!({ "FunctionName": lambda, "Payload": payload });
        let output = service
            .peers
            .call_as_service(ctx, SERVICE_PRINCIPAL, "lambda", "Invoke", input)
            .await
            .map_err(|e| format!("Secrets Manager cannot invoke the rotation function {lambda} for {step}: {}: {}", e.code, e.message))?;
        // What the function said stays in its own log group: it may quote secret values.
        if let Some(kind) = output.get("FunctionError").and_then(Value::as_str) {
            return Err(format!("The rotation function {lambda} failed in {step} ({kind})."));
        }
    }
    Ok(())
}

/// Records a rotation's end. Success needs finishSecret to have moved AWSCURRENT to the new
/// version; then AWSPENDING comes off it. A failure leaves AWSCURRENT and LastRotatedDate as they
/// were and keeps the reason.
async fn finish(
    service: &SecretsManager,
    ctx: &RequestContext,
    name: &str,
    token: &str,
    outcome: Result<(), String>,
) -> Result<(), ApiError> {
    let mut tx = service.store.begin().await.map_err(store_error)?;
    let Some(mut secret) = secret_record::load(&mut tx, ctx.account(), &ctx.region, name, ctx.time).await? else { return Ok(()) };
    if secret.rotation.in_progress.as_deref() != Some(token) {
        return Ok(());
    }
    let outcome = outcome.and_then(|()| match secret.version(token) {
        Some(version) if version.has(CURRENT) => Ok(()),
        _ => Err(format!("finishSecret returned, but version {token} is not labelled AWSCURRENT.")),
    });
    secret.rotation.in_progress = None;
    match &outcome {
        Ok(()) => {
            stages::remove_stage(&mut secret.versions, PENDING, token);
            secret.rotation.last_rotated = Some(ctx.time);
            secret.rotation.last_failure = None;
            secret.last_changed = ctx.time;
        }
        Err(reason) => {
            tracing::warn!(secret = %secret.arn, %reason, "rotation failed");
            secret.rotation.last_failure = Some(reason.clone());
        }
    }
    secret.rotation.next_rotation = next_rotation(&secret, secret.rotation.last_rotated.unwrap_or(ctx.time));
    secret_record::save(&mut tx, &secret).await?;
    tx.commit().await.map_err(store_error)?;
    match &outcome {
        Ok(()) => record_service_event(service, &secret, "RotationSucceeded", ctx.time, json!({ "versionId": token })),
        Err(reason) => {
            let details = json!({ "versionId": token, "failureReason": reason });
            record_service_event(service, &secret, "RotationFailed", ctx.time, details)
        }
    }
    replication::sync(service, ctx, name, &[]).await;
    schedule_next(service, &secret).await
}
