//! PutAccountConfiguration, GetAccountConfiguration: how many days before expiry ACM emits
//! its expiry events.

use gateway::{Reply, RequestContext};
use serde::Deserialize;
use serde_json::{json, Value};
use wire::ApiError;

use super::{error, store_error, Acm};
use crate::input::from_input;

const ACCOUNT_CONFIGURATIONS: &str = "acm.account_configuration";
const DEFAULT_DAYS_BEFORE_EXPIRY: u32 = 45;
const DAYS_BEFORE_EXPIRY: std::ops::RangeInclusive<u32> = 1..=45;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ExpiryEvents {
    days_before_expiry: Option<u32>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PutAccountConfigurationRequest {
    expiry_events: Option<ExpiryEvents>,
}

fn record_key(ctx: &RequestContext) -> String {
    format!("{}/{}", ctx.account(), ctx.region)
}

pub async fn put_account_configuration(acm: &Acm, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: PutAccountConfigurationRequest = from_input(input)?;
    let Some(days) = request.expiry_events.and_then(|e| e.days_before_expiry) else {
        return Ok(Reply::new(json!({})));
    };
    if !DAYS_BEFORE_EXPIRY.contains(&days) {
        return Err(error(
            "ValidationException",
            format!("DaysBeforeExpiry must be between {} and {}.", DAYS_BEFORE_EXPIRY.start(), DAYS_BEFORE_EXPIRY.end()),
        ));
    }
    let mut tx = acm.store.begin().await.map_err(store_error)?;
    tx.put(ACCOUNT_CONFIGURATIONS, &record_key(ctx), &json!({ "days_before_expiry": days })).await.map_err(store_error)?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({})))
}

pub async fn get_account_configuration(acm: &Acm, ctx: &RequestContext) -> Result<Reply, ApiError> {
    let mut tx = acm.store.begin().await.map_err(store_error)?;
    let stored = tx.get(ACCOUNT_CONFIGURATIONS, &record_key(ctx)).await.map_err(store_error)?;
    let days = stored
        .and_then(|v| v["days_before_expiry"].as_u64())
        .unwrap_or(u64::from(DEFAULT_DAYS_BEFORE_EXPIRY));
    Ok(Reply::new(json!({ "ExpiryEvents": { "DaysBeforeExpiry": days } })))
}
