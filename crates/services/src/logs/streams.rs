//! Log streams: create, describe (by name or by last event time) and delete.

use gateway::{Reply, RequestContext};
use serde_json::{json, Value};
use store::{Store, Txn};
use wire::ApiError;

use super::{
    error,
    groups::delete_all,
    records::{self, LogStream, EVENTS, STREAMS},
    store_error,
};
use crate::input::{required, text};

const DEFAULT_DESCRIBE_LIMIT: usize = 50;

pub async fn create_log_stream(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let group = required(&input, "logGroupName")?;
    let name = required(&input, "logStreamName")?;
    if name.contains([':', '*']) {
        return Err(error("InvalidParameterException", "Log stream names cannot contain ':' or '*'."));
    }
    let mut tx = store.begin().await.map_err(store_error)?;
    records::load_group(&mut tx, ctx.account(), &ctx.region, group).await?;
    if records::load_stream(&mut tx, ctx.account(), &ctx.region, group, name).await?.is_some() {
        return Err(error("ResourceAlreadyExistsException", "The specified log stream already exists"));
    }
    records::save_stream(&mut tx, ctx.account(), &ctx.region, group, &new_stream(name, records::millis(ctx.time))).await?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({})).resource("AWS::Logs::LogStream", name))
}

pub fn new_stream(name: &str, now_ms: i64) -> LogStream {
    LogStream {
        name: name.to_owned(),
        creation_time: now_ms,
        first_event_timestamp: None,
        last_event_timestamp: None,
        last_ingestion_time: None,
        next_sequence: 1,
        stored_bytes: 0,
    }
}

/// Every stream of a group whose name starts with `prefix`, in name order.
pub async fn streams_of(tx: &mut Txn, account: &str, region: &str, group: &str, prefix: &str) -> Result<Vec<LogStream>, ApiError> {
    let scope = records::group_events_prefix(account, region, group);
    let mut streams = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = tx.scan(STREAMS, &format!("{scope}{prefix}"), cursor.as_deref(), 1000).await.map_err(store_error)?;
        let Some((last, _)) = page.last() else { break };
        cursor = Some(last.clone());
        let full = page.len() == 1000;
        for (_, value) in page {
            streams.push(serde_json::from_value(value).map_err(|e| ApiError::internal(e.to_string()))?);
        }
        if !full {
            break;
        }
    }
    Ok(streams)
}

pub async fn describe_log_streams(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let group = records::group_name_of_input(&input)
        .ok_or_else(|| error("InvalidParameterException", "Either logGroupName or logGroupIdentifier must be specified."))?;
    let prefix = text(&input, "logStreamNamePrefix").unwrap_or("");
    let by_last_event = text(&input, "orderBy") == Some("LastEventTime");
    if by_last_event && !prefix.is_empty() {
        return Err(error("InvalidParameterException", "Cannot order by LastEventTime with a logStreamNamePrefix."));
    }
    let descending = input.get("descending").and_then(Value::as_bool).unwrap_or(false);
    let limit = input.get("limit").and_then(Value::as_u64).map_or(DEFAULT_DESCRIBE_LIMIT, |l| l as usize);
    let offset = match text(&input, "nextToken") {
        Some(token) => token.parse::<usize>().map_err(|_| error("InvalidParameterException", "The specified nextToken is invalid."))?,
        None => 0,
    };
    let mut tx = store.begin().await.map_err(store_error)?;
    records::load_group(&mut tx, ctx.account(), &ctx.region, &group).await?;
    let mut streams = streams_of(&mut tx, ctx.account(), &ctx.region, &group, prefix).await?;
    drop(tx);
    if by_last_event {
        streams.sort_by_key(|s| (s.last_event_timestamp.unwrap_or(0), s.name.clone()));
    }
    if descending {
        streams.reverse();
    }
    let total = streams.len();
    let page: Vec<Value> =
        streams.iter().skip(offset).take(limit).map(|s| s.describe(&ctx.region, ctx.account(), &group)).collect();
    let mut output = json!({ "logStreams": page });
    if offset + limit < total {
        output["nextToken"] = json!((offset + limit).to_string());
    }
    Ok(Reply::new(output))
}

pub async fn delete_log_stream(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let group = required(&input, "logGroupName")?;
    let name = required(&input, "logStreamName")?;
    let (account, region) = (ctx.account(), ctx.region.as_str());
    let mut tx = store.begin().await.map_err(store_error)?;
    let mut log_group = records::load_group(&mut tx, account, region, group).await?;
    let stream = records::load_stream(&mut tx, account, region, group, name).await?.ok_or_else(records::stream_not_found)?;
    tx.delete(STREAMS, &records::stream_key(account, region, group, name)).await.map_err(store_error)?;
    delete_all(&mut tx, EVENTS, &records::stream_events_prefix(account, region, group, name)).await?;
    log_group.stored_bytes = (log_group.stored_bytes - stream.stored_bytes).max(0);
    records::save_group(&mut tx, account, region, &log_group).await?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({})).resource("AWS::Logs::LogStream", name))
}
