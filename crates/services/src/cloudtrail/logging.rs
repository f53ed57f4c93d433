//! StartLogging, StopLogging and GetTrailStatus.

use gateway::{Reply, RequestContext};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use store::Store;
use wire::ApiError;

use super::{
    store_error,
    trails::{find_trail, require_home_region, save_trail},
};
use crate::input::from_input;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct TrailNameRequest {
    name: String,
}

async fn set_logging(store: &Store, ctx: &RequestContext, input: Value, logging: bool) -> Result<Reply, ApiError> {
    let request: TrailNameRequest = from_input(input)?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let mut trail = find_trail(&mut tx, ctx, &request.name).await?;
    require_home_region(ctx, &trail)?;
    if trail.is_logging != logging {
        trail.is_logging = logging;
        if logging {
            trail.start_logging_time = Some(ctx.time);
        } else {
            trail.stop_logging_time = Some(ctx.time);
        }
        save_trail(&mut tx, &trail).await?;
        tx.commit().await.map_err(store_error)?;
    }
    Ok(Reply::new(json!({})).resource("AWS::CloudTrail::Trail", trail.trail_arn))
}

pub async fn start_logging(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    set_logging(store, ctx, input, true).await
}

pub async fn stop_logging(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    set_logging(store, ctx, input, false).await
}

/// CloudTrail's `TimeLoggingStarted` form: `2024-01-02T03:04:05Z`.
fn time_text(epoch: f64) -> String {
    wire::timestamp::format_iso8601(epoch.floor())
}

pub async fn get_trail_status(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: TrailNameRequest = from_input(input)?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let trail = find_trail(&mut tx, ctx, &request.name).await?;
    let mut status = Map::new();
    status.insert("IsLogging".into(), json!(trail.is_logging));
    if let Some(t) = trail.start_logging_time {
        status.insert("StartLoggingTime".into(), json!(t));
        status.insert("TimeLoggingStarted".into(), json!(time_text(t)));
    }
    if let Some(t) = trail.stop_logging_time {
        status.insert("StopLoggingTime".into(), json!(t));
        status.insert("TimeLoggingStopped".into(), json!(time_text(t)));
    }
    Ok(Reply::new(Value::Object(status)).resource("AWS::CloudTrail::Trail", trail.trail_arn))
}
