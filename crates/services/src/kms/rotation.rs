//! EnableKeyRotation, DisableKeyRotation, GetKeyRotationStatus, RotateKeyOnDemand,
//! ListKeyRotations, and the job that rotates keys on schedule. A rotation adds material and
//! keeps the old, so ciphertexts made before it still decrypt.

use gateway::{Reply, RequestContext};
use kms_crypto::{KeyMaterial, KeySpec};
use serde::Deserialize;
use serde_json::{json, Value};
use store::{Sealer, Store, Txn};
use wire::ApiError;

use super::{
    crypto_error, error,
    key_record::{self, KeyState, RotationRecord, StoredKey},
    key_ref, store_error,
};
use crate::input::from_input;

pub const ROTATE_JOB: &str = "kms.rotate_key";

const DAY_SECONDS: f64 = 86_400.0;
const DEFAULT_PERIOD_DAYS: u32 = 365;
const PERIOD_RANGE: std::ops::RangeInclusive<u32> = 90..=2560;
/// AWS's quota of on-demand rotations per key.
const MAX_ON_DEMAND_ROTATIONS: usize = 25;
const DEFAULT_LIST_LIMIT: usize = 100;

fn dedupe_key(arn: &str) -> String {
    format!("{ROTATE_JOB}:{arn}")
}

/// Only symmetric encryption keys rotate; a replica follows its primary.
fn require_rotatable(key: &StoredKey) -> Result<(), ApiError> {
    if key.spec() != KeySpec::SymmetricDefault {
        return Err(error(
            "UnsupportedOperationException",
            format!("{} key spec is {}: only symmetric encryption keys support rotation.", key.arn, key.spec()),
        ));
    }
    if key.is_multi_region_replica() {
        return Err(error(
            "UnsupportedOperationException",
            format!("{} is a replica key: rotation is managed on its primary key.", key.arn),
        ));
    }
    // Palisade cannot make new material for a key whose material the customer brings.
    if key.imported.is_some() {
        return Err(error(
            "UnsupportedOperationException",
            format!("{} has imported key material (Origin EXTERNAL): KMS does not rotate it.", key.arn),
        ));
    }
    Ok(())
}

/// Adds fresh material to `key` (and to its replicas, which share it) and records the rotation.
async fn rotate(tx: &mut Txn, sealer: &Sealer, key: &mut StoredKey, kind: &str, now: f64) -> Result<(), ApiError> {
    let material = KeyMaterial::generate(key.spec()).map_err(crypto_error)?;
    let id = key.add_material(sealer, &material, now)?;
    key.rotations.push(RotationRecord { material_id: id.clone(), date: now, kind: kind.to_owned() });
    let replicas = key.multi_region.as_ref().map(|m| m.replica_regions.clone()).unwrap_or_default();
    for region in replicas {
        if let Some(mut replica) = key_record::load(tx, &key.account, &region, &key.key_id, now).await? {
            replica.push_material(sealer, &id, &material, now);
            replica.rotations.push(RotationRecord { material_id: id.clone(), date: now, kind: kind.to_owned() });
            key_record::save(tx, &replica).await?;
        }
    }
    Ok(())
}

async fn schedule(store: &Store, key: &StoredKey) -> Result<(), ApiError> {
    let Some(at) = key.rotation.next_rotation.filter(|_| key.rotation.enabled) else {
        store.cancel_job(&dedupe_key(&key.arn)).await.map_err(store_error)?;
        return Ok(());
    };
    let payload = json!({ "account": key.account, "region": key.region, "key_id": key.key_id });
    store.enqueue_job(ROTATE_JOB, Some(&dedupe_key(&key.arn)), payload, at).await.map_err(store_error)?;
    Ok(())
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct EnableKeyRotationRequest {
    key_id: String,
    rotation_period_in_days: Option<u32>,
}

pub async fn enable_key_rotation(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: EnableKeyRotationRequest = from_input(input)?;
    let period = request.rotation_period_in_days.unwrap_or(DEFAULT_PERIOD_DAYS);
    if !PERIOD_RANGE.contains(&period) {
        return Err(error(
            "ValidationException",
            format!("RotationPeriodInDays must be between {} and {}, got {period}.", PERIOD_RANGE.start(), PERIOD_RANGE.end()),
        ));
    }
    let mut tx = store.begin().await.map_err(store_error)?;
    let mut key = key_ref::find_key_by_id(&mut tx, ctx, &request.key_id).await?;
    key.require_usable()?;
    require_rotatable(&key)?;
    key.rotation.enabled = true;
    key.rotation.period_days = period;
    key.rotation.next_rotation = Some(ctx.time + f64::from(period) * DAY_SECONDS);
    key_record::save(&mut tx, &key).await?;
    tx.commit().await.map_err(store_error)?;
    schedule(store, &key).await?;
    Ok(Reply::new(json!({})).resource("AWS::KMS::Key", key.arn))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct KeyIdRequest {
    key_id: String,
}

pub async fn disable_key_rotation(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: KeyIdRequest = from_input(input)?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let mut key = key_ref::find_key_by_id(&mut tx, ctx, &request.key_id).await?;
    key.require_usable()?;
    require_rotatable(&key)?;
    key.rotation.enabled = false;
    key.rotation.next_rotation = None;
    key_record::save(&mut tx, &key).await?;
    tx.commit().await.map_err(store_error)?;
    schedule(store, &key).await?;
    Ok(Reply::new(json!({})).resource("AWS::KMS::Key", key.arn))
}

pub async fn get_key_rotation_status(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: KeyIdRequest = from_input(input)?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let key = key_ref::find_key_by_id(&mut tx, ctx, &request.key_id).await?;
    if key.spec() != KeySpec::SymmetricDefault {
        require_rotatable(&key)?;
    }
    let mut out = json!({ "KeyRotationEnabled": key.rotation.enabled, "KeyId": key.arn });
    if key.rotation.enabled {
        out["RotationPeriodInDays"] = json!(key.rotation.period_days);
        if let Some(next) = key.rotation.next_rotation {
            out["NextRotationDate"] = json!(next);
        }
    }
    if let Some(started) = key.rotation.on_demand_started {
        out["OnDemandRotationStartDate"] = json!(started);
    }
    Ok(Reply::new(out).resource("AWS::KMS::Key", key.arn))
}

pub async fn rotate_key_on_demand(store: &Store, sealer: &Sealer, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: KeyIdRequest = from_input(input)?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let mut key = key_ref::find_key_by_id(&mut tx, ctx, &request.key_id).await?;
    key.require_usable()?;
    require_rotatable(&key)?;
    if key.rotations.iter().filter(|r| r.kind == "ON_DEMAND").count() >= MAX_ON_DEMAND_ROTATIONS {
        return Err(error(
            "LimitExceededException",
            format!("{} has reached the limit of {MAX_ON_DEMAND_ROTATIONS} on-demand rotations.", key.arn),
        ));
    }
    rotate(&mut tx, sealer, &mut key, "ON_DEMAND", ctx.time).await?;
    key.rotation.on_demand_started = Some(ctx.time);
    key_record::save(&mut tx, &key).await?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({ "KeyId": key.arn })).resource("AWS::KMS::Key", key.arn))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListKeyRotationsRequest {
    key_id: String,
    limit: Option<usize>,
    marker: Option<String>,
}

pub async fn list_key_rotations(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: ListKeyRotationsRequest = from_input(input)?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let key = key_ref::find_key_by_id(&mut tx, ctx, &request.key_id).await?;
    if key.spec() != KeySpec::SymmetricDefault {
        require_rotatable(&key)?;
    }
    let start = match &request.marker {
        Some(marker) => marker
            .parse::<usize>()
            .ok()
            .filter(|&i| i <= key.rotations.len())
            .ok_or_else(|| error("InvalidMarkerException", "The marker is not valid."))?,
        None => 0,
    };
    let limit = request.limit.unwrap_or(DEFAULT_LIST_LIMIT);
    let end = (start + limit).min(key.rotations.len());
    let current = key.materials.last().map(|m| m.id.as_str());
    let rotations: Vec<Value> = key.rotations[start..end]
        .iter()
        .map(|r| {
            json!({
                "KeyId": key.arn,
                "KeyMaterialId": r.material_id,
                "KeyMaterialState": if Some(r.material_id.as_str()) == current { "CURRENT" } else { "NON_CURRENT" },
                "RotationDate": r.date,
                "RotationType": r.kind,
            })
        })
        .collect();
    let truncated = end < key.rotations.len();
    let mut out = json!({ "Rotations": rotations, "Truncated": truncated });
    if truncated {
        out["NextMarker"] = json!(end.to_string());
    }
    Ok(Reply::new(out).resource("AWS::KMS::Key", key.arn))
}

#[derive(Deserialize)]
struct RotationJob {
    account: String,
    region: String,
    key_id: String,
}

/// Rotates a key whose rotation date has come, and schedules the next rotation. A key that is
/// not enabled is not rotated; it is looked at again a day later.
pub async fn run_job(store: &Store, sealer: &Sealer, now: f64, payload: &Value) -> Result<(), String> {
    let job: RotationJob = serde_json::from_value(payload.clone()).map_err(|e| format!("bad rotation job: {e}"))?;
    let mut tx = store.begin().await.map_err(|e| e.to_string())?;
    let Some(mut key) = key_record::load(&mut tx, &job.account, &job.region, &job.key_id, now).await.map_err(|e| e.message)? else {
        return Ok(());
    };
    let Some(due) = key.rotation.next_rotation.filter(|_| key.rotation.enabled) else { return Ok(()) };
    let mut rotated = false;
    if due <= now {
        if key.state == KeyState::Enabled {
            rotate(&mut tx, sealer, &mut key, "AUTOMATIC", now).await.map_err(|e| e.message)?;
            key.rotation.next_rotation = Some(now + f64::from(key.rotation.period_days) * DAY_SECONDS);
            rotated = true;
        } else {
            key.rotation.next_rotation = Some(now + DAY_SECONDS);
        }
        key_record::save(&mut tx, &key).await.map_err(|e| e.message)?;
    }
    tx.commit().await.map_err(|e| e.to_string())?;
    if rotated {
        super::record_service_event(store, &key, "RotateKey", now);
    }
    schedule(store, &key).await.map_err(|e| e.message)
}
