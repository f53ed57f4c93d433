//! LookupEvents: the last 90 days of management events in the caller's account and region.

use gateway::{Reply, RequestContext};
use serde::Deserialize;
use serde_json::{json, Value};
use store::{AuditAttribute, AuditQuery, Store};
use wire::ApiError;

use super::{error, retention::RETENTION_SECONDS, store_error};
use crate::input::from_input;

const DEFAULT_MAX_RESULTS: usize = 50;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct LookupAttribute {
    attribute_key: String,
    attribute_value: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct LookupEventsRequest {
    #[serde(default)]
    lookup_attributes: Vec<LookupAttribute>,
    start_time: Option<f64>,
    end_time: Option<f64>,
    event_category: Option<String>,
    max_results: Option<i64>,
    next_token: Option<String>,
}

fn attribute(key: &str) -> Option<AuditAttribute> {
    Some(match key {
        "EventId" => AuditAttribute::EventId,
        "EventName" => AuditAttribute::EventName,
        "ReadOnly" => AuditAttribute::ReadOnly,
        "Username" => AuditAttribute::Username,
        "ResourceType" => AuditAttribute::ResourceType,
        "ResourceName" => AuditAttribute::ResourceName,
        "EventSource" => AuditAttribute::EventSource,
        "AccessKeyId" => AuditAttribute::AccessKeyId,
        _ => return None,
    })
}

pub async fn lookup_events(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: LookupEventsRequest = from_input(input)?;
    if request.lookup_attributes.len() > 1 {
        return Err(error("InvalidLookupAttributesException", "You can specify only one lookup attribute."));
    }
    let attribute = match request.lookup_attributes.first() {
        Some(a) => {
            let key = attribute(&a.attribute_key).ok_or_else(|| {
                error("InvalidLookupAttributesException", format!("{} is not a valid lookup attribute.", a.attribute_key))
            })?;
            Some((key, a.attribute_value.clone()))
        }
        None => None,
    };
    if let (Some(start), Some(end)) = (request.start_time, request.end_time) {
        if start > end {
            return Err(error("InvalidTimeRangeException", "Start time must not be after end time."));
        }
    }
    let max_results = match request.max_results {
        None => DEFAULT_MAX_RESULTS,
        Some(n) if (1..=50).contains(&n) => n as usize,
        Some(n) => return Err(error("InvalidMaxResultsException", format!("MaxResults must be between 1 and 50; {n} was given."))),
    };
    // Insights events are not produced, so an Insights lookup finds none.
    if request.event_category.as_deref() == Some("insight") {
        return Ok(Reply::new(json!({ "Events": [] })));
    }
    let query = AuditQuery {
        account: ctx.account().to_owned(),
        region: ctx.region.clone(),
        start_time: Some(request.start_time.unwrap_or(0.0).max(ctx.time - RETENTION_SECONDS)),
        end_time: request.end_time,
        attribute,
        max_results,
        next_token: request.next_token,
    };
    let (events, next_token) = store.lookup_audit(query).await.map_err(|e| match e {
        store::StoreError::InvalidToken(_) => error("InvalidNextTokenException", "The NextToken is not valid."),
        other => store_error(other),
    })?;
    let events: Vec<Value> = events.iter().filter_map(|raw| summary(raw)).collect();
    let mut output = json!({ "Events": events });
    if let Some(token) = next_token {
        output["NextToken"] = json!(token);
    }
    Ok(Reply::new(output))
}

/// The `Event` shape: a summary of the record, and the record itself as `CloudTrailEvent`.
fn summary(raw: &str) -> Option<Value> {
    let event: Value = serde_json::from_str(raw).ok()?;
    let identity = &event["userIdentity"];
    let username = match identity["type"].as_str() {
        Some("Root") => Some("root".to_owned()),
        Some("IAMUser") => identity["userName"].as_str().map(str::to_owned),
        Some("AssumedRole") => identity["arn"].as_str().and_then(|arn| arn.rsplit('/').next()).map(str::to_owned),
        _ => None,
    };
    let resources: Vec<Value> = event["resources"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| json!({ "ResourceType": r["type"], "ResourceName": r["ARN"] }))
        .collect();
    let mut summary = json!({
        "EventId": event["eventID"],
        "EventName": event["eventName"],
        "ReadOnly": event["readOnly"].as_bool().unwrap_or(false).to_string(),
        "EventTime": event["eventTime"].as_str().and_then(wire::timestamp::parse_iso8601),
        "EventSource": event["eventSource"],
        "Resources": resources,
        "CloudTrailEvent": raw,
    });
    if let Some(key) = identity["accessKeyId"].as_str() {
        summary["AccessKeyId"] = json!(key);
    }
    if let Some(name) = username {
        summary["Username"] = json!(name);
    }
    Some(summary)
}
