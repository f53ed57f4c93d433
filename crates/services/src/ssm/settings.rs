//! GetServiceSetting, UpdateServiceSetting and ResetServiceSetting for Parameter Store's account
//! settings: the default parameter tier (which PutParameter uses when a request names no tier)
//! and higher throughput (recorded; Palisade applies no request-rate quota either way).

use gateway::{Reply, RequestContext};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use store::{Store, Txn};
use wire::ApiError;

use super::{error, store_error};
use crate::input::from_input;

const COLLECTION: &str = "ssm/service-settings";

const DEFAULT_TIER: &str = "/ssm/parameter-store/default-parameter-tier";
const HIGH_THROUGHPUT: &str = "/ssm/parameter-store/high-throughput-enabled";

/// A setting Palisade serves: its id, AWS's default value, and the values it accepts.
struct SettingDefinition {
    id: &'static str,
    default: &'static str,
    values: &'static [&'static str],
}

const SETTINGS: &[SettingDefinition] = &[
    SettingDefinition { id: DEFAULT_TIER, default: "Standard", values: &["Standard", "Advanced", "Intelligent-Tiering"] },
    SettingDefinition { id: HIGH_THROUGHPUT, default: "false", values: &["true", "false"] },
];

#[derive(Serialize, Deserialize)]
struct StoredSetting {
    value: String,
    last_modified: f64,
    last_modified_user: String,
}

/// The setting path a SettingId names: the path itself or the setting's ARN.
pub fn setting_path(setting_id: &str) -> &str {
    match setting_id.find(":servicesetting/") {
        Some(at) => &setting_id[at + ":servicesetting".len()..],
        None => setting_id,
    }
}

pub fn setting_arn(ctx: &RequestContext, path: &str) -> String {
    ctx.arn("ssm", &format!("servicesetting{path}"))
}

fn definition(setting_id: &str) -> Result<&'static SettingDefinition, ApiError> {
    let path = setting_path(setting_id);
    SETTINGS.iter().find(|s| s.id == path).ok_or_else(|| {
        error("ServiceSettingNotFound", format!("The service setting {setting_id} wasn't found. Palisade serves {DEFAULT_TIER} and {HIGH_THROUGHPUT}."))
    })
}

fn key(account: &str, region: &str, path: &str) -> String {
    format!("{account}/{region}{path}")
}

async fn load(tx: &mut Txn, account: &str, region: &str, path: &str) -> Result<Option<StoredSetting>, ApiError> {
    match tx.get(COLLECTION, &key(account, region, path)).await.map_err(store_error)? {
        Some(value) => serde_json::from_value(value)
            .map(Some)
            .map_err(|e| ApiError::internal(format!("stored service setting {path} is unreadable: {e}"))),
        None => Ok(None),
    }
}

/// The tier PutParameter gives a parameter when the request names none.
pub async fn default_tier(tx: &mut Txn, account: &str, region: &str) -> Result<String, ApiError> {
    Ok(load(tx, account, region, DEFAULT_TIER).await?.map_or_else(|| "Standard".to_owned(), |s| s.value))
}

fn output(ctx: &RequestContext, definition: &SettingDefinition, stored: Option<&StoredSetting>) -> Value {
    let mut out = json!({
        "SettingId": definition.id,
        "SettingValue": definition.default,
        "LastModifiedUser": "System",
        "ARN": setting_arn(ctx, definition.id),
        "Status": "Default",
    });
    if let Some(stored) = stored {
        out["SettingValue"] = json!(stored.value);
        out["LastModifiedDate"] = json!(stored.last_modified);
        out["LastModifiedUser"] = json!(stored.last_modified_user);
        out["Status"] = json!("Customized");
    }
    out
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SettingRequest {
    setting_id: String,
}

pub async fn get_service_setting(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: SettingRequest = from_input(input)?;
    let definition = definition(&request.setting_id)?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let stored = load(&mut tx, ctx.account(), &ctx.region, definition.id).await?;
    Ok(Reply::new(json!({ "ServiceSetting": output(ctx, definition, stored.as_ref()) })))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UpdateSettingRequest {
    setting_id: String,
    setting_value: String,
}

pub async fn update_service_setting(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: UpdateSettingRequest = from_input(input)?;
    let definition = definition(&request.setting_id)?;
    if !definition.values.contains(&request.setting_value.as_str()) {
        return Err(error(
            "ValidationException",
            format!("{} is not a valid value for {}: use one of {}.", request.setting_value, definition.id, definition.values.join(", ")),
        ));
    }
    let stored = StoredSetting { value: request.setting_value, last_modified: ctx.time, last_modified_user: ctx.principal.arn.clone() };
    let mut tx = store.begin().await.map_err(store_error)?;
    let value = serde_json::to_value(&stored).expect("a setting serializes");
    tx.put(COLLECTION, &key(ctx.account(), &ctx.region, definition.id), &value).await.map_err(store_error)?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({})))
}

pub async fn reset_service_setting(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: SettingRequest = from_input(input)?;
    let definition = definition(&request.setting_id)?;
    let mut tx = store.begin().await.map_err(store_error)?;
    tx.delete(COLLECTION, &key(ctx.account(), &ctx.region, definition.id)).await.map_err(store_error)?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({ "ServiceSetting": output(ctx, definition, None) })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn setting_ids_are_paths_or_arns() {
        assert_eq!(setting_path(DEFAULT_TIER), DEFAULT_TIER);
        let arn = "arn:aws:ssm:us-east-1:111122223333:servicesetting/ssm/parameter-store/default-parameter-tier";
        assert_eq!(setting_path(arn), DEFAULT_TIER);
        assert!(definition("/ssm/managed-instance/activation-tier").is_err());
    }
}
