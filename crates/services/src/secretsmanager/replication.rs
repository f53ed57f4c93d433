//! ReplicateSecretToRegions, RemoveRegionsFromReplication, StopReplicationToReplica, and keeping
//! replicas in step with their primary. A replica is a secret of the same name in another
//! Region whose values are sealed under a key of that Region. Every change to the primary is
//! copied with the identity of the caller who made it (KMS judges that caller in both Regions, as
//! AWS does); the job queue then checks the replica and marks it InSync.

use gateway::{Reply, RequestContext};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use wire::ApiError;

use super::{
    envelope::{SealedValue, SecretValue},
    invalid_parameter, invalid_request,
    secret_record::{self, ReplicaStatus, StoredSecret, StoredVersion},
    secret_ref, store_error, SecretsManager,
};
use crate::input::from_input;

pub const SYNC_JOB: &str = "secretsmanager.replica-sync";

const IN_PROGRESS: &str = "InProgress";
const IN_SYNC: &str = "InSync";
const FAILED: &str = "Failed";

/// How long after a copy the job looks at the replica, in server-clock seconds.
const SYNC_CHECK_DELAY_SECONDS: f64 = 1.0;

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ReplicaRegion {
    region: Option<String>,
    kms_key_id: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct SyncJob {
    account: String,
    region: String,
    name: String,
    replica_region: String,
}

fn replica_arn(primary: &StoredSecret, region: &str) -> String {
    primary.arn.replacen(&format!(":{}:", primary.region), &format!(":{region}:"), 1)
}

/// Adds replica Regions to the primary secret `name` and copies it there.
pub async fn add_regions(
    service: &SecretsManager,
    ctx: &RequestContext,
    name: &str,
    regions: Vec<ReplicaRegion>,
    force_overwrite: bool,
) -> Result<Vec<ReplicaStatus>, ApiError> {
    let mut tx = service.store.begin().await.map_err(store_error)?;
    let mut primary = secret_ref::find_live(&mut tx, ctx, name).await?;
    primary.require_primary()?;
    for replica in regions {
        let region = replica.region.ok_or_else(|| invalid_parameter("A replica Region needs its Region."))?;
        if region == ctx.region {
            return Err(invalid_parameter(format!("Invalid replica Region: {region} is the primary secret's Region.")));
        }
        if primary.replicas.iter().any(|r| r.region == region) {
            return Err(invalid_parameter(format!("The secret is already replicated to {region}.")));
        }
        let existing = secret_record::load(&mut tx, ctx.account(), &region, &primary.name, ctx.time).await?;
        let status = ReplicaStatus {
            region: region.clone(),
            kms_key_id: replica.kms_key_id.filter(|k| !k.is_empty()),
            status: IN_PROGRESS.to_owned(),
            message: None,
        };
        // Without ForceOverwriteReplicaSecret, a secret of the same name there makes the
        // replica Failed when it is copied.
        if existing.is_some() && force_overwrite {
            secret_record::remove(&mut tx, ctx.account(), &region, &primary.name).await?;
        }
        primary.replicas.push(status);
    }
    secret_record::save(&mut tx, &primary).await?;
    tx.commit().await.map_err(store_error)?;
    sync(service, ctx, &primary.name, &[]).await;
    let mut tx = service.store.begin().await.map_err(store_error)?;
    Ok(secret_ref::find(&mut tx, ctx, name).await?.replicas)
}

/// Brings every replica of the primary secret `name` (in the region of `ctx`) in step with it;
/// `plaintexts` are values the caller just wrote, which need no decryption. A replica that
/// cannot be written is marked Failed with the reason.
pub async fn sync(service: &SecretsManager, ctx: &RequestContext, name: &str, plaintexts: &[(&str, &SecretValue)]) {
    let primary = {
        let Ok(mut tx) = service.store.begin().await else { return };
        match secret_record::load(&mut tx, ctx.account(), &ctx.region, name, ctx.time).await {
            Ok(Some(primary)) if !primary.is_replica() => primary,
            _ => return,
        }
    };
    let mut outcomes = Vec::new();
    for replica in &primary.replicas {
        let outcome = copy_to_replica(service, ctx, &primary, replica, plaintexts).await;
        outcomes.push((replica.region.clone(), outcome));
    }
    if outcomes.is_empty() {
        return;
    }
    let updated = async {
        let mut tx = service.store.begin().await.map_err(store_error)?;
        let Some(mut latest) = secret_record::load(&mut tx, ctx.account(), &ctx.region, name, ctx.time).await? else {
            return Ok(Vec::new());
        };
        let mut to_check = Vec::new();
        for (region, outcome) in &outcomes {
            let Some(status) = latest.replicas.iter_mut().find(|r| &r.region == region) else { continue };
            match outcome {
                Ok(()) if status.status != IN_SYNC => {
                    status.status = IN_PROGRESS.to_owned();
                    status.message = None;
                    to_check.push(region.clone());
                }
                Ok(()) => {}
                Err(e) => {
                    status.status = FAILED.to_owned();
                    status.message = Some(format!("Replication failed: {}", e.message));
                }
            }
        }
        secret_record::save(&mut tx, &latest).await?;
        tx.commit().await.map_err(store_error)?;
        Ok::<_, ApiError>(to_check)
    };
    let Ok(to_check) = updated.await else { return };
    for region in to_check {
        let job = SyncJob { account: primary.account.clone(), region: primary.region.clone(), name: primary.name.clone(), replica_region: region };
        let key = format!("{SYNC_JOB}/{}/{}", primary.arn, job.replica_region);
        if let Ok(payload) = serde_json::to_value(&job) {
            // A failure to queue leaves the replica InProgress; the next change queues it again.
            let _ = service.store.enqueue_job(SYNC_JOB, Some(&key), payload, ctx.time + SYNC_CHECK_DELAY_SECONDS).await;
        }
    }
}

/// Writes the primary's state into one replica, sealing values it lacks under the replica's key.
async fn copy_to_replica(
    service: &SecretsManager,
    ctx: &RequestContext,
    primary: &StoredSecret,
    replica: &ReplicaStatus,
    plaintexts: &[(&str, &SecretValue)],
) -> Result<(), ApiError> {
    let arn = replica_arn(primary, &replica.region);
    let existing = {
        let mut tx = service.store.begin().await.map_err(store_error)?;
        secret_record::load(&mut tx, &primary.account, &replica.region, &primary.name, ctx.time).await?
    };
    if let Some(other) = existing.as_ref().filter(|s| s.primary_region.as_deref() != Some(&primary.region)) {
        return Err(invalid_request(format!("Secret name {} already exists in region {}.", other.name, replica.region)));
    }
    let mut replica_ctx = ctx.clone();
    replica_ctx.region = replica.region.clone();
    let mut copies: Vec<(String, SealedValue, String)> = Vec::new();
    for version in &primary.versions {
        let Some(sealed) = &version.value else { continue };
        let copied = existing.as_ref().and_then(|r| r.version(&version.id)).is_some_and(|v| v.value.is_some());
        if copied {
            continue;
        }
        let value = match plaintexts.iter().find(|(id, _)| *id == version.id) {
            Some((_, value)) => (*value).clone(),
            None => service.open(ctx, &primary.arn, &version.id, sealed).await?,
        };
        let (sealed, key_arn) = service.seal(&replica_ctx, replica.kms_key_id.as_deref(), &arn, &version.id, &value).await?;
        copies.push((version.id.clone(), sealed, key_arn));
    }

    let mut tx = service.store.begin().await.map_err(store_error)?;
    let previous = secret_record::load(&mut tx, &primary.account, &replica.region, &primary.name, ctx.time).await?;
    let versions: Vec<StoredVersion> = primary
        .versions
        .iter()
        .map(|version| {
            let copy = copies.iter().find(|(id, _, _)| *id == version.id);
            let kept = previous.as_ref().and_then(|r| r.version(&version.id));
            StoredVersion {
                id: version.id.clone(),
                stages: version.stages.clone(),
                created: version.created,
                last_accessed: kept.and_then(|v| v.last_accessed),
                kms_key_arn: copy.map(|(_, _, key)| key.clone()).or_else(|| kept.and_then(|v| v.kms_key_arn.clone())),
                value: copy.map(|(_, sealed, _)| sealed.clone()).or_else(|| kept.and_then(|v| v.value.clone())),
            }
        })
        .collect();
    let copy = StoredSecret {
        region: replica.region.clone(),
        arn,
        kms_key_id: replica.kms_key_id.clone(),
        created: previous.as_ref().map_or(ctx.time, |r| r.created),
        last_accessed: previous.as_ref().and_then(|r| r.last_accessed),
        versions,
        primary_region: Some(primary.region.clone()),
        replicas: Vec::new(),
        ..primary.clone()
    };
    secret_record::save(&mut tx, &copy).await?;
    tx.commit().await.map_err(store_error)
}

/// Marks a replica InSync once it holds every version of its primary with the same labels.
pub async fn run_job(service: &SecretsManager, now: f64, payload: &Value) -> Result<(), String> {
    let job: SyncJob = serde_json::from_value(payload.clone()).map_err(|e| format!("bad replica job: {e}"))?;
    let mut tx = service.store.begin().await.map_err(|e| e.to_string())?;
    let Some(mut primary) = secret_record::load(&mut tx, &job.account, &job.region, &job.name, now).await.map_err(|e| e.message)? else {
        return Ok(());
    };
    let replica = secret_record::load(&mut tx, &job.account, &job.replica_region, &job.name, now).await.map_err(|e| e.message)?;
    let in_step = replica.is_some_and(|r| {
        primary.versions.len() == r.versions.len()
            && primary.versions.iter().zip(&r.versions).all(|(p, c)| p.id == c.id && p.stages == c.stages && p.value.is_some() == c.value.is_some())
    });
    let Some(status) = primary.replicas.iter_mut().find(|r| r.region == job.replica_region && r.status == IN_PROGRESS) else {
        return Ok(());
    };
    if in_step {
        status.status = IN_SYNC.to_owned();
    } else {
        status.status = FAILED.to_owned();
        status.message = Some("Replication failed: the replica does not hold every version of the primary secret.".to_owned());
    }
    secret_record::save(&mut tx, &primary).await.map_err(|e| e.message)?;
    tx.commit().await.map_err(|e| e.to_string())
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ReplicateSecretToRegionsRequest {
    secret_id: String,
    add_replica_regions: Vec<ReplicaRegion>,
    force_overwrite_replica_secret: Option<bool>,
}

pub async fn replicate_secret_to_regions(service: &SecretsManager, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: ReplicateSecretToRegionsRequest = from_input(input)?;
    let secret = {
        let mut tx = service.store.begin().await.map_err(store_error)?;
        secret_ref::find_live(&mut tx, ctx, &request.secret_id).await?
    };
    let force = request.force_overwrite_replica_secret.unwrap_or(false);
    let statuses = add_regions(service, ctx, &secret.name, request.add_replica_regions, force).await?;
    Ok(Reply::new(json!({
        "ARN": secret.arn,
        "ReplicationStatus": statuses.iter().map(ReplicaStatus::entry).collect::<Vec<_>>(),
    }))
    .resource("AWS::SecretsManager::Secret", secret.arn))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RemoveRegionsFromReplicationRequest {
    secret_id: String,
    remove_replica_regions: Vec<String>,
}

pub async fn remove_regions_from_replication(service: &SecretsManager, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: RemoveRegionsFromReplicationRequest = from_input(input)?;
    let mut tx = service.store.begin().await.map_err(store_error)?;
    let mut primary = secret_ref::find_live(&mut tx, ctx, &request.secret_id).await?;
    primary.require_primary()?;
    for region in &request.remove_replica_regions {
        if !primary.replicas.iter().any(|r| &r.region == region) {
            return Err(invalid_parameter(format!("The secret is not replicated to {region}.")));
        }
    }
    for region in &request.remove_replica_regions {
        let replica = secret_record::load(&mut tx, &primary.account, region, &primary.name, ctx.time).await?;
        if replica.is_some_and(|r| r.primary_region.as_deref() == Some(&primary.region)) {
            secret_record::remove(&mut tx, &primary.account, region, &primary.name).await?;
        }
        primary.replicas.retain(|r| &r.region != region);
    }
    secret_record::save(&mut tx, &primary).await?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({
        "ARN": primary.arn,
        "ReplicationStatus": primary.replicas.iter().map(ReplicaStatus::entry).collect::<Vec<_>>(),
    }))
    .resource("AWS::SecretsManager::Secret", primary.arn))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct StopReplicationToReplicaRequest {
    secret_id: String,
}

/// Promotes a replica to a standalone secret in its Region; its primary forgets it.
pub async fn stop_replication_to_replica(service: &SecretsManager, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: StopReplicationToReplicaRequest = from_input(input)?;
    let mut tx = service.store.begin().await.map_err(store_error)?;
    let mut replica = secret_ref::find_live(&mut tx, ctx, &request.secret_id).await?;
    let Some(primary_region) = replica.primary_region.take() else {
        return Err(invalid_request(format!("The secret {} is not a replica secret.", replica.name)));
    };
    secret_record::save(&mut tx, &replica).await?;
    if let Some(mut primary) = secret_record::load(&mut tx, &replica.account, &primary_region, &replica.name, ctx.time).await? {
        primary.replicas.retain(|r| r.region != ctx.region);
        secret_record::save(&mut tx, &primary).await?;
    }
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({ "ARN": replica.arn })).resource("AWS::SecretsManager::Secret", replica.arn))
}
