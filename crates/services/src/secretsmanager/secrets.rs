//! CreateSecret, UpdateSecret, DescribeSecret.

use gateway::{Reply, RequestContext};
use serde::Deserialize;
use serde_json::{json, Value};
use wire::ApiError;

use super::{
    envelope::SecretValue,
    error, invalid_parameter, invalid_request, new_uuid,
    replication::{self, ReplicaRegion},
    secret_record::{self, RotationState, StoredSecret, StoredVersion, Tag, CURRENT, PENDING, PREVIOUS},
    secret_ref, store_error,
    tags::check_tags,
    values, SecretsManager,
};
use crate::input::from_input;

/// The characters AWS allows in a secret name.
fn check_name(name: &str) -> Result<(), ApiError> {
    let valid = name.chars().all(|c| c.is_ascii_alphanumeric() || "/_+=.@-".contains(c));
    if !valid {
        return Err(invalid_parameter(
            "Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@",
        ));
    }
    Ok(())
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CreateSecretRequest {
    name: String,
    client_request_token: Option<String>,
    description: Option<String>,
    kms_key_id: Option<String>,
    #[serde(default)]
    tags: Vec<Tag>,
    #[serde(default)]
    add_replica_regions: Vec<ReplicaRegion>,
    force_overwrite_replica_secret: Option<bool>,
    #[serde(rename = "Type")]
    secret_type: Option<String>,
}

pub async fn create_secret(service: &SecretsManager, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let value = SecretValue::from_input(&input)?;
    let request: CreateSecretRequest = from_input(input)?;
    check_name(&request.name)?;
    check_tags(&request.tags)?;
    let kms_key_id = request.kms_key_id.filter(|k| !k.is_empty());
    let version_id = request.client_request_token.clone().unwrap_or_else(new_uuid);

    let existing = {
        let mut tx = service.store.begin().await.map_err(store_error)?;
        secret_record::load(&mut tx, ctx.account(), &ctx.region, &request.name, ctx.time).await?
    };
    if let Some(existing) = existing {
        return repeated_create(service, ctx, existing, &version_id, value.as_ref()).await;
    }

    let arn = secret_record::new_arn(&ctx.region, ctx.account(), &request.name);
    let mut versions = Vec::new();
    if let Some(value) = &value {
        let (sealed, key_arn) = service.seal(ctx, kms_key_id.as_deref(), &arn, &version_id, value).await?;
        versions.push(StoredVersion {
            id: version_id.clone(),
            stages: vec![CURRENT.to_owned()],
            created: ctx.time,
            last_accessed: None,
            kms_key_arn: Some(key_arn),
            value: Some(sealed),
        });
    }
    let secret = StoredSecret {
        account: ctx.account().to_owned(),
        region: ctx.region.clone(),
        name: request.name.clone(),
        arn: arn.clone(),
        description: request.description,
        kms_key_id,
        secret_type: request.secret_type.filter(|t| !t.is_empty()),
        created: ctx.time,
        last_changed: ctx.time,
        last_accessed: None,
        deleted_date: None,
        deletion_date: None,
        tags: request.tags,
        versions,
        rotation: RotationState::default(),
        resource_policy: None,
        primary_region: None,
        replicas: Vec::new(),
    };
    let mut tx = service.store.begin().await.map_err(store_error)?;
    if let Some(raced) = secret_record::load(&mut tx, ctx.account(), &ctx.region, &request.name, ctx.time).await? {
        drop(tx);
        return repeated_create(service, ctx, raced, &version_id, value.as_ref()).await;
    }
    secret_record::save(&mut tx, &secret).await?;
    tx.commit().await.map_err(store_error)?;

    let mut out = json!({ "ARN": arn, "Name": request.name });
    if value.is_some() {
        out["VersionId"] = json!(version_id);
    }
    if !request.add_replica_regions.is_empty() {
        let force = request.force_overwrite_replica_secret.unwrap_or(false);
        let statuses = replication::add_regions(service, ctx, &request.name, request.add_replica_regions, force).await?;
        out["ReplicationStatus"] = json!(statuses.iter().map(|s| s.entry()).collect::<Vec<_>>());
    }
    Ok(Reply::new(out).resource("AWS::SecretsManager::Secret", arn))
}

/// CreateSecret for a name that exists: a retry of the same request (same token, same value)
/// succeeds again without a change; anything else is refused.
async fn repeated_create(
    service: &SecretsManager,
    ctx: &RequestContext,
    existing: StoredSecret,
    version_id: &str,
    value: Option<&SecretValue>,
) -> Result<Reply, ApiError> {
    if existing.deleted_date.is_some() {
        return Err(invalid_request(
            "You can't create this secret because a secret with this name is already scheduled for deletion.",
        ));
    }
    let already = format!("The operation failed because the secret {} already exists.", existing.name);
    let Some(version) = existing.version(version_id) else { return Err(error("ResourceExistsException", already)) };
    let same = match (&version.value, value) {
        (Some(sealed), Some(value)) => service.open(ctx, &existing.arn, version_id, sealed).await? == *value,
        _ => false,
    };
    if !same {
        return Err(error("ResourceExistsException", already));
    }
    Ok(Reply::new(json!({ "ARN": existing.arn, "Name": existing.name, "VersionId": version_id }))
        .resource("AWS::SecretsManager::Secret", existing.arn))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UpdateSecretRequest {
    secret_id: String,
    client_request_token: Option<String>,
    description: Option<String>,
    kms_key_id: Option<String>,
    #[serde(rename = "Type")]
    secret_type: Option<String>,
}

pub async fn update_secret(service: &SecretsManager, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let value = SecretValue::from_input(&input)?;
    let request: UpdateSecretRequest = from_input(input)?;
    let secret = {
        let mut tx = service.store.begin().await.map_err(store_error)?;
        secret_ref::find_live(&mut tx, ctx, &request.secret_id).await?
    };
    secret.require_primary()?;
    let new_key = request.kms_key_id.map(|k| Some(k).filter(|k| !k.is_empty()));
    let key_changes = new_key.as_ref().is_some_and(|k| *k != secret.kms_key_id);
    if key_changes && value.is_none() {
        reseal_staged_versions(service, ctx, &secret, new_key.clone().flatten()).await?;
    }

    let mut tx = service.store.begin().await.map_err(store_error)?;
    let mut current = secret_ref::find_live(&mut tx, ctx, &request.secret_id).await?;
    if let Some(description) = request.description {
        current.description = Some(description);
    }
    if let Some(kind) = request.secret_type {
        current.secret_type = Some(kind).filter(|t| !t.is_empty());
    }
    if let Some(key) = new_key {
        current.kms_key_id = key;
    }
    current.last_changed = ctx.time;
    secret_record::save(&mut tx, &current).await?;
    tx.commit().await.map_err(store_error)?;

    let mut out = json!({ "ARN": current.arn, "Name": current.name });
    match value {
        Some(value) => {
            let stages = vec![CURRENT.to_owned()];
            let put = values::put_version(service, ctx, &current.arn, request.client_request_token, value, stages).await?;
            out["VersionId"] = json!(put.version_id);
        }
        None => replication::sync(service, ctx, &current.name, &[]).await,
    }
    Ok(Reply::new(out).resource("AWS::SecretsManager::Secret", current.arn))
}

/// A new key without a new value: AWS re-encrypts the versions labelled AWSCURRENT, AWSPENDING
/// and AWSPREVIOUS under the new key.
async fn reseal_staged_versions(
    service: &SecretsManager,
    ctx: &RequestContext,
    secret: &StoredSecret,
    new_key: Option<String>,
) -> Result<(), ApiError> {
    let mut resealed = Vec::new();
    for version in &secret.versions {
        let staged = [CURRENT, PENDING, PREVIOUS].iter().any(|s| version.has(s));
        let Some(sealed) = version.value.as_ref().filter(|_| staged) else { continue };
        let value = service.open(ctx, &secret.arn, &version.id, sealed).await?;
        resealed.push((version.id.clone(), service.seal(ctx, new_key.as_deref(), &secret.arn, &version.id, &value).await?));
    }
    let mut tx = service.store.begin().await.map_err(store_error)?;
    let mut current = secret_ref::find_live(&mut tx, ctx, &secret.arn).await?;
    for (id, (sealed, key_arn)) in resealed {
        if let Some(version) = current.version_mut(&id) {
            version.value = Some(sealed);
            version.kms_key_arn = Some(key_arn);
        }
    }
    secret_record::save(&mut tx, &current).await?;
    tx.commit().await.map_err(store_error)
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SecretIdRequest {
    secret_id: String,
}

pub async fn describe_secret(service: &SecretsManager, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: SecretIdRequest = from_input(input)?;
    let mut tx = service.store.begin().await.map_err(store_error)?;
    let secret = secret_ref::find(&mut tx, ctx, &request.secret_id).await?;
    Ok(Reply::new(secret.description()).resource("AWS::SecretsManager::Secret", secret.arn))
}
