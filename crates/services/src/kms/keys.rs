//! CreateKey, DescribeKey, ListKeys, EnableKey, DisableKey, UpdateKeyDescription.

use gateway::{Reply, RequestContext};
use kms_crypto::{KeyMaterial, KeySpec, KeyUsage};
use serde::Deserialize;
use serde_json::{json, Value};
use store::{Sealer, Store};
use wire::ApiError;

use super::{
    crypto_error, error,
    key_policies::{check_new_policy, default_key_policy},
    key_record::{self, KeyState, StoredKey},
    key_ref, store_error,
    tags::{tag_map, Tag},
};
use crate::input::from_input;

const DEFAULT_LIST_LIMIT: usize = 100;

/// A key id as AWS makes them: a random UUID, or `mrk-` and 32 hex digits for a multi-Region key.
pub(super) fn new_key_id(multi_region: bool) -> String {
    let mut bytes = [0u8; 16];
    rand::fill(&mut bytes);
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    if multi_region {
        return format!("mrk-{hex}");
    }
    // Version 4, RFC 4122 variant.
    let version = format!("4{}", &hex[13..16]);
    let variant = format!("{:x}{}", 0x8 | (u8::from_str_radix(&hex[16..17], 16).unwrap_or(0) & 0x3), &hex[17..20]);
    format!("{}-{}-{version}-{variant}-{}", &hex[0..8], &hex[8..12], &hex[20..32])
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CreateKeyRequest {
    policy: Option<String>,
    description: Option<String>,
    key_usage: Option<String>,
    customer_master_key_spec: Option<String>,
    key_spec: Option<String>,
    origin: Option<String>,
    custom_key_store_id: Option<String>,
    bypass_policy_lockout_safety_check: Option<bool>,
    #[serde(default)]
    tags: Vec<Tag>,
    multi_region: Option<bool>,
}

pub async fn create_key(store: &Store, sealer: &Sealer, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: CreateKeyRequest = from_input(input)?;
    if request.key_spec.is_some() && request.customer_master_key_spec.is_some() {
        return Err(error(
            "ValidationException",
            "You cannot specify KeySpec and CustomerMasterKeySpec in the same request. CustomerMasterKeySpec is deprecated.",
        ));
    }
    let external = match request.origin.as_deref() {
        None | Some("AWS_KMS") => false,
        Some("EXTERNAL") => true,
        Some(origin) => {
            return Err(error("UnsupportedOperationException", format!("Palisade has no custom key stores for keys with Origin {origin}.")))
        }
    };
    if request.custom_key_store_id.is_some() {
        return Err(error("UnsupportedOperationException", "Palisade does not support custom key stores."));
    }
    let spec: KeySpec = match request.key_spec.or(request.customer_master_key_spec) {
        Some(name) => name.parse().map_err(crypto_error)?,
        None => KeySpec::SymmetricDefault,
    };
    let usage: KeyUsage = match request.key_usage {
        Some(name) => name.parse().map_err(crypto_error)?,
        None => KeyUsage::EncryptDecrypt,
    };
    spec.check_usage(usage).map_err(|e| error("ValidationException", e.to_string()))?;
    let multi_region = request.multi_region.unwrap_or(false);
    let policy = match request.policy {
        Some(policy) => {
            check_new_policy(ctx, &policy, request.bypass_policy_lockout_safety_check.unwrap_or(false))?;
            policy
        }
        None => default_key_policy(ctx.account()),
    };
    let mut key = key_record::new_key(ctx, new_key_id(multi_region), spec, usage);
    key.description = request.description.unwrap_or_default();
    key.policy = policy;
    key.tags = tag_map(request.tags)?;
    if multi_region {
        key.multi_region =
            Some(key_record::MultiRegionLinks { primary_region: ctx.region.clone(), replica_regions: Vec::new() });
    }
    if external {
        key.imported = Some(key_record::ImportedMaterial::default());
        key.state = KeyState::PendingImport;
    } else {
        let material = KeyMaterial::generate(spec).map_err(crypto_error)?;
        key.add_material(sealer, &material, ctx.time)?;
    }

    let mut tx = store.begin().await.map_err(store_error)?;
    key_record::save(&mut tx, &key).await?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({ "KeyMetadata": key.metadata() })).resource("AWS::KMS::Key", key.arn))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct KeyIdRequest {
    key_id: String,
}

pub async fn describe_key(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: KeyIdRequest = from_input(input)?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let key = key_ref::find_key(&mut tx, ctx, &request.key_id).await?;
    Ok(Reply::new(json!({ "KeyMetadata": key.metadata() })).resource("AWS::KMS::Key", key.arn))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListKeysRequest {
    limit: Option<usize>,
    marker: Option<String>,
}

pub async fn list_keys(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: ListKeysRequest = from_input(input)?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let keys: Vec<StoredKey> = key_record::list(&mut tx, ctx.account(), &ctx.region, ctx.time)
        .await?
        .into_iter()
        .filter(|k| request.marker.as_ref().is_none_or(|m| &k.key_id > m))
        .collect();
    let limit = request.limit.unwrap_or(DEFAULT_LIST_LIMIT);
    let truncated = keys.len() > limit;
    let page = &keys[..keys.len().min(limit)];
    let mut out = json!({
        "Keys": page.iter().map(|k| json!({ "KeyId": k.key_id, "KeyArn": k.arn })).collect::<Vec<_>>(),
        "Truncated": truncated,
    });
    if truncated {
        if let Some(last) = page.last() {
            out["NextMarker"] = json!(last.key_id);
        }
    }
    Ok(Reply::new(out))
}

pub async fn enable_key(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    set_enabled(store, ctx, input, true).await
}

pub async fn disable_key(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    set_enabled(store, ctx, input, false).await
}

async fn set_enabled(store: &Store, ctx: &RequestContext, input: Value, enabled: bool) -> Result<Reply, ApiError> {
    let request: KeyIdRequest = from_input(input)?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let mut key = key_ref::find_key_by_id(&mut tx, ctx, &request.key_id).await?;
    key.require_not_pending()?;
    key.state = if enabled { KeyState::Enabled } else { KeyState::Disabled };
    key_record::save(&mut tx, &key).await?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({})).resource("AWS::KMS::Key", key.arn))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UpdateKeyDescriptionRequest {
    key_id: String,
    description: String,
}

pub async fn update_key_description(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: UpdateKeyDescriptionRequest = from_input(input)?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let mut key = key_ref::find_key_by_id(&mut tx, ctx, &request.key_id).await?;
    key.require_not_pending()?;
    key.description = request.description;
    key_record::save(&mut tx, &key).await?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({})).resource("AWS::KMS::Key", key.arn))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_ids_are_uuids_or_mrk_ids() {
        let id = new_key_id(false);
        let groups: Vec<usize> = id.split('-').map(str::len).collect();
        assert_eq!(groups, vec![8, 4, 4, 4, 12]);
        assert_eq!(&id[14..15], "4");
        let mrk = new_key_id(true);
        assert!(mrk.starts_with("mrk-"));
        assert_eq!(mrk.len(), 36);
    }
}
