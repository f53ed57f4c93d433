//! GetSecretValue, BatchGetSecretValue, PutSecretValue, ListSecretVersionIds,
//! UpdateSecretVersionStage: a secret's versions and the staging labels on them.

use gateway::{Reply, RequestContext};
use serde::Deserialize;
use serde_json::{json, Value};
use wire::ApiError;

use super::{
    envelope::{SealedValue, SecretValue},
    error, invalid_parameter, list, new_uuid, replication,
    secret_record::{self, StoredSecret, StoredVersion, CURRENT, DEFAULT_KEY_NAME},
    secret_ref, stages, store_error, SecretsManager, SERVICE_PRINCIPAL,
};
use crate::input::from_input;

const DEFAULT_VERSION_PAGE: usize = 100;

fn value_not_found(what: &str, which: &str) -> ApiError {
    error("ResourceNotFoundException", format!("Secrets Manager can't find the specified secret value for {what}: {which}"))
}

/// The version a request selects by VersionId and/or VersionStage (AWSCURRENT when neither).
fn select_version<'s>(secret: &'s StoredSecret, version_id: Option<&str>, stage: Option<&str>) -> Result<&'s StoredVersion, ApiError> {
    let version = match (version_id, stage) {
        (Some(id), stage) => {
            let version = secret.version(id).ok_or_else(|| value_not_found("VersionId", id))?;
            if let Some(stage) = stage.filter(|s| !version.has(s)) {
                return Err(value_not_found("staging label", stage));
            }
            version
        }
        (None, stage) => {
            let stage = stage.unwrap_or(CURRENT);
            secret.version_with_stage(stage).ok_or_else(|| value_not_found("staging label", stage))?
        }
    };
    if version.value.is_none() {
        return Err(value_not_found("VersionId", &version.id));
    }
    Ok(version)
}

/// Reads one value of a secret for the caller of `ctx` (KMS judges the caller), and records the
/// access for LastAccessedDate. Returns GetSecretValue's output.
async fn read_value(
    service: &SecretsManager,
    ctx: &RequestContext,
    secret: &StoredSecret,
    version_id: Option<&str>,
    stage: Option<&str>,
) -> Result<Value, ApiError> {
    secret.require_not_deleted()?;
    let version = select_version(secret, version_id, stage)?;
    let sealed = version.value.as_ref().expect("select_version returns versions with a value");
    let value = service.open(ctx, &secret.arn, &version.id, sealed).await?;
    if secret.is_first_read_of_the_day(&version.id, ctx.time) {
        // Only the first read of a day writes; a lost race loses nothing but the same date.
        let mut tx = service.store.begin().await.map_err(store_error)?;
        if let Some(mut latest) = secret_record::load(&mut tx, &secret.account, &secret.region, &secret.name, ctx.time).await? {
            latest.touch(&version.id, ctx.time);
            secret_record::save(&mut tx, &latest).await?;
            tx.commit().await.map_err(store_error)?;
        }
    }
    let (member, value) = value.output_member();
    let mut out = json!({
        "ARN": secret.arn,
        "Name": secret.name,
        "VersionId": version.id,
        "VersionStages": version.stages,
        "CreatedDate": version.created,
    });
    out[member] = value;
    Ok(out)
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GetSecretValueRequest {
    secret_id: String,
    version_id: Option<String>,
    version_stage: Option<String>,
}

pub async fn get_secret_value(service: &SecretsManager, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: GetSecretValueRequest = from_input(input)?;
    let secret = secret_ref::find_cached(&service.secrets, ctx, &request.secret_id).await?;
    let out = read_value(service, ctx, &secret, request.version_id.as_deref(), request.version_stage.as_deref()).await?;
    Ok(Reply::new(out).resource("AWS::SecretsManager::Secret", secret.arn.clone()))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct BatchGetSecretValueRequest {
    secret_id_list: Option<Vec<String>>,
    filters: Option<Vec<list::Filter>>,
    max_results: Option<usize>,
    next_token: Option<String>,
}

pub async fn batch_get_secret_value(service: &SecretsManager, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: BatchGetSecretValueRequest = from_input(input)?;
    let (ids, next_token) = match (request.secret_id_list, request.filters) {
        (Some(_), Some(_)) => {
            return Err(invalid_parameter("Either 'SecretIdList' or 'Filters' must be provided, but not both."))
        }
        (None, None) => return Err(invalid_parameter("Either 'SecretIdList' or 'Filters' must be provided.")),
        (Some(ids), None) => {
            if request.max_results.is_some() || request.next_token.is_some() {
                return Err(invalid_parameter("'MaxResults' and 'NextToken' can be used only with 'Filters'."));
            }
            (ids, None)
        }
        (None, Some(filters)) => {
            let secrets = {
                let mut tx = service.store.begin().await.map_err(store_error)?;
                list::filtered(&mut tx, ctx, &filters, false).await?
            };
            let page = list::page(secrets, request.next_token.as_deref(), request.max_results.unwrap_or(20))?;
            (page.items.into_iter().map(|s| s.arn).collect(), page.next_token)
        }
    };
    let mut values = Vec::new();
    let mut errors = Vec::new();
    for id in ids {
        // Each value is a GetSecretValue of its own, made for the caller: authorized (the caller
        // needs secretsmanager:GetSecretValue on every secret) and audited as AWS does.
        let input = json!({ "SecretId": id });
        let outcome = service.peers.call_for(ctx, SERVICE_PRINCIPAL, "secretsmanager", "GetSecretValue", input).await;
        match outcome {
            Ok(value) => values.push(value),
            Err(e) => errors.push(json!({ "SecretId": id, "ErrorCode": e.code, "Message": e.message })),
        }
    }
    let mut out = json!({ "SecretValues": values, "Errors": errors });
    if let Some(token) = next_token {
        out["NextToken"] = json!(token);
    }
    Ok(Reply::new(out))
}

/// The outcome of writing a version.
pub struct PutVersion {
    pub secret: StoredSecret,
    pub version_id: String,
}

/// Adds version `token` (a new id when `None`) with `value` and `stages` to the primary secret
/// `secret_id`, as PutSecretValue, UpdateSecret and rotation functions do. Repeating a request
/// with the same token and value changes nothing; another value under a used token is refused.
pub async fn put_version(
    service: &SecretsManager,
    ctx: &RequestContext,
    secret_id: &str,
    token: Option<String>,
    value: SecretValue,
    new_stages: Vec<String>,
) -> Result<PutVersion, ApiError> {
    let secret = {
        let mut tx = service.store.begin().await.map_err(store_error)?;
        secret_ref::find_live(&mut tx, ctx, secret_id).await?
    };
    secret.require_primary()?;
    let version_id = token.unwrap_or_else(new_uuid);
    if let Some(sealed) = secret.version(&version_id).and_then(|v| v.value.as_ref()) {
        if service.open(ctx, &secret.arn, &version_id, sealed).await? == value {
            return Ok(PutVersion { secret, version_id });
        }
        return Err(modified_version());
    }
    let (sealed, key_arn) = service.seal(ctx, secret.kms_key_id.as_deref(), &secret.arn, &version_id, &value).await?;

    // Concurrent writers of one secret (a rotation function and a user) conflict under
    // PostgreSQL's serializable isolation: the write is run again on the latest record.
    let (account, region, now) = (ctx.account().to_owned(), ctx.region.clone(), ctx.time);
    let id = secret_id.to_owned();
    let written = service
        .store
        .transact(|tx| {
            let (account, region, id, version_id) = (account.clone(), region.clone(), id.clone(), version_id.clone());
            let (sealed, key_arn, new_stages) = (sealed.clone(), key_arn.clone(), new_stages.clone());
            Box::pin(async move {
                let mut secret = secret_ref::lookup_in(tx, &account, &region, &id, now).await?.ok_or_else(secret_ref::not_found)?;
                secret.require_not_deleted()?;
                add_version(&mut secret, &version_id, sealed, key_arn, &new_stages, now)?;
                secret_record::save(tx, &secret).await?;
                Ok::<_, RetriedWrite>(secret)
            })
        })
        .await;
    let secret = written.map_err(|e| e.0)?;
    replication::sync(service, ctx, &secret.name, &[(version_id.as_str(), &value)]).await;
    Ok(PutVersion { secret, version_id })
}

/// Puts the sealed value of version `version_id` into `secret` with `new_stages`.
fn add_version(
    secret: &mut StoredSecret,
    version_id: &str,
    sealed: SealedValue,
    key_arn: String,
    new_stages: &[String],
    now: f64,
) -> Result<(), ApiError> {
    match secret.version_mut(version_id) {
        Some(version) if version.value.is_some() => return Err(modified_version()),
        // The version RotateSecret listed with AWSPENDING gets its value now.
        Some(version) => {
            version.value = Some(sealed);
            version.kms_key_arn = Some(key_arn);
            version.created = now;
        }
        None => secret.versions.push(StoredVersion {
            id: version_id.to_owned(),
            stages: Vec::new(),
            created: now,
            last_accessed: None,
            kms_key_arn: Some(key_arn),
            value: Some(sealed),
        }),
    }
    for stage in new_stages {
        stages::move_stage(&mut secret.versions, stage, version_id);
    }
    if let Some(version) = secret.version(version_id) {
        stages::check_stage_count(version)?;
    }
    stages::prune(&mut secret.versions, now)?;
    secret.last_changed = now;
    Ok(())
}

/// A write's failure inside [`store::Store::transact`], which runs it again when the store
/// reports a serialization conflict.
struct RetriedWrite(ApiError);

impl From<store::StoreError> for RetriedWrite {
    fn from(e: store::StoreError) -> Self {
        RetriedWrite(store_error(e))
    }
}

impl From<ApiError> for RetriedWrite {
    fn from(e: ApiError) -> Self {
        RetriedWrite(e)
    }
}

fn modified_version() -> ApiError {
    error("ResourceExistsException", "You can't modify an existing version, you can only create a new version.")
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PutSecretValueRequest {
    secret_id: String,
    client_request_token: Option<String>,
    version_stages: Option<Vec<String>>,
}

pub async fn put_secret_value(service: &SecretsManager, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let value = SecretValue::from_input(&input)?;
    let request: PutSecretValueRequest = from_input(input)?;
    let value = value.ok_or_else(|| invalid_parameter("You must provide either SecretString or SecretBinary."))?;
    let new_stages = request.version_stages.unwrap_or_else(|| vec![CURRENT.to_owned()]);
    let put = put_version(service, ctx, &request.secret_id, request.client_request_token, value, new_stages).await?;
    let stages = put.secret.version(&put.version_id).map(|v| v.stages.clone()).unwrap_or_default();
    Ok(Reply::new(json!({
        "ARN": put.secret.arn,
        "Name": put.secret.name,
        "VersionId": put.version_id,
        "VersionStages": stages,
    }))
    .resource("AWS::SecretsManager::Secret", put.secret.arn))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListSecretVersionIdsRequest {
    secret_id: String,
    max_results: Option<usize>,
    next_token: Option<String>,
    include_deprecated: Option<bool>,
}

pub async fn list_secret_version_ids(service: &SecretsManager, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: ListSecretVersionIdsRequest = from_input(input)?;
    let mut tx = service.store.begin().await.map_err(store_error)?;
    let secret = secret_ref::find(&mut tx, ctx, &request.secret_id).await?;
    let include_deprecated = request.include_deprecated.unwrap_or(false);
    // Newest first, as AWS lists them.
    let versions: Vec<&StoredVersion> =
        secret.versions.iter().rev().filter(|v| include_deprecated || !v.stages.is_empty()).collect();
    let page = list::page(versions, request.next_token.as_deref(), request.max_results.unwrap_or(DEFAULT_VERSION_PAGE))?;
    let entries: Vec<Value> = page
        .items
        .iter()
        .map(|v| {
            let key = if secret.kms_key_id.is_none() { DEFAULT_KEY_NAME.to_owned() } else { v.kms_key_arn.clone().unwrap_or_default() };
            let mut entry = json!({ "VersionId": v.id, "VersionStages": v.stages, "CreatedDate": v.created, "KmsKeyIds": [key] });
            if let Some(date) = v.last_accessed {
                entry["LastAccessedDate"] = json!(date);
            }
            entry
        })
        .collect();
    let mut out = json!({ "Versions": entries, "ARN": secret.arn, "Name": secret.name });
    if let Some(token) = page.next_token {
        out["NextToken"] = json!(token);
    }
    Ok(Reply::new(out).resource("AWS::SecretsManager::Secret", secret.arn.clone()))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UpdateSecretVersionStageRequest {
    secret_id: String,
    version_stage: String,
    remove_from_version_id: Option<String>,
    move_to_version_id: Option<String>,
}

pub async fn update_secret_version_stage(service: &SecretsManager, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: UpdateSecretVersionStageRequest = from_input(input)?;
    let stage = request.version_stage.as_str();
    let mut tx = service.store.begin().await.map_err(store_error)?;
    let mut secret = secret_ref::find_live(&mut tx, ctx, &request.secret_id).await?;
    secret.require_primary()?;
    let holder = secret.version_with_stage(stage).map(|v| v.id.clone());
    if let Some(from) = &request.remove_from_version_id {
        if secret.version(from).is_none() {
            return Err(invalid_parameter(format!("The version {from} doesn't exist.")));
        }
        if holder.as_deref() != Some(from.as_str()) {
            return Err(invalid_parameter(format!(
                "The parameter RemoveFromVersionId can't be {from} because the staging label {stage} is not attached to it."
            )));
        }
    }
    match &request.move_to_version_id {
        Some(to) => {
            if secret.version(to).is_none() {
                return Err(invalid_parameter(format!("The version {to} doesn't exist.")));
            }
            if let Some(holder) = holder.as_deref().filter(|h| *h != to && request.remove_from_version_id.as_deref() != Some(*h)) {
                return Err(invalid_parameter(format!(
                    "The staging label {stage} is currently attached to version {holder}. You must specify that version in RemoveFromVersionId to move the label."
                )));
            }
            stages::move_stage(&mut secret.versions, stage, to);
            if let Some(version) = secret.version(to) {
                stages::check_stage_count(version)?;
            }
        }
        None => {
            let Some(from) = &request.remove_from_version_id else {
                return Err(invalid_parameter("You must specify MoveToVersionId, RemoveFromVersionId, or both."));
            };
            if stage == CURRENT {
                return Err(invalid_parameter(
                    "You can only move staging label AWSCURRENT to a different secret version. It can't be completely removed.",
                ));
            }
            stages::remove_stage(&mut secret.versions, stage, from);
        }
    }
    secret.last_changed = ctx.time;
    secret_record::save(&mut tx, &secret).await?;
    tx.commit().await.map_err(store_error)?;
    replication::sync(service, ctx, &secret.name, &[]).await;
    Ok(Reply::new(json!({ "ARN": secret.arn, "Name": secret.name })).resource("AWS::SecretsManager::Secret", secret.arn))
}
