//! Log groups, streams and events as stored, and the keys and ARNs that name them. Log group
//! names cannot contain `:` and stream names cannot either, so `account:region:group:stream`
//! keys are unambiguous and a group's streams and events share a key prefix.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use store::Txn;
use wire::ApiError;

use super::{error, store_error};

pub const GROUPS: &str = "logs.group";
pub const STREAMS: &str = "logs.stream";
pub const EVENTS: &str = "logs.event";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LogGroup {
    pub name: String,
    pub creation_time: i64,
    pub retention_in_days: Option<i64>,
    pub kms_key_id: Option<String>,
    pub log_group_class: String,
    pub deletion_protection: bool,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    #[serde(default)]
    pub stored_bytes: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LogStream {
    pub name: String,
    pub creation_time: i64,
    pub first_event_timestamp: Option<i64>,
    pub last_event_timestamp: Option<i64>,
    pub last_ingestion_time: Option<i64>,
    /// Orders events with equal timestamps in the order they arrived.
    pub next_sequence: u64,
    #[serde(default)]
    pub stored_bytes: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredEvent {
    pub timestamp: i64,
    pub message: String,
    pub ingestion_time: i64,
}

pub fn group_key(account: &str, region: &str, group: &str) -> String {
    format!("{account}:{region}:{group}")
}

pub fn stream_key(account: &str, region: &str, group: &str, stream: &str) -> String {
    format!("{account}:{region}:{group}:{stream}")
}

/// The prefix of every event key of a group's streams.
pub fn group_events_prefix(account: &str, region: &str, group: &str) -> String {
    format!("{account}:{region}:{group}:")
}

/// The prefix of one stream's event keys; what follows is the event's position.
pub fn stream_events_prefix(account: &str, region: &str, group: &str, stream: &str) -> String {
    format!("{account}:{region}:{group}:{stream}:")
}

/// Where an event sorts in its stream: by timestamp, then by arrival. Fixed-width digits so
/// key order is time order.
pub fn event_position(timestamp: i64, sequence: u64) -> String {
    format!("{timestamp:016}{sequence:012}")
}

/// The ARN of a log group as DescribeLogGroups' `arn` gives it and policies match it.
pub fn group_arn(region: &str, account: &str, group: &str) -> String {
    format!("arn:aws:logs:{region}:{account}:log-group:{group}:*")
}

pub fn stream_arn(region: &str, account: &str, group: &str, stream: &str) -> String {
    format!("arn:aws:logs:{region}:{account}:log-group:{group}:log-stream:{stream}")
}

/// The log group an input names by `logGroupName` or `logGroupIdentifier` (a name or an ARN).
pub fn group_name_of_input(input: &Value) -> Option<String> {
    if let Some(name) = input.get("logGroupName").and_then(Value::as_str) {
        return Some(name.to_owned());
    }
    let identifier = input.get("logGroupIdentifier").and_then(Value::as_str)?;
    Some(group_name_of_identifier(identifier).to_owned())
}

/// A log group name, or the name inside a log group ARN (with or without the trailing `:*`).
pub fn group_name_of_identifier(identifier: &str) -> &str {
    match identifier.split_once(":log-group:") {
        Some((_, rest)) => rest.strip_suffix(":*").unwrap_or(rest),
        None => identifier,
    }
}

pub fn group_not_found() -> ApiError {
    error("ResourceNotFoundException", "The specified log group does not exist.")
}

pub fn stream_not_found() -> ApiError {
    error("ResourceNotFoundException", "The specified log stream does not exist.")
}

pub async fn load_group(tx: &mut Txn, account: &str, region: &str, group: &str) -> Result<LogGroup, ApiError> {
    let stored = tx.get(GROUPS, &group_key(account, region, group)).await.map_err(store_error)?;
    let stored = stored.ok_or_else(group_not_found)?;
    serde_json::from_value(stored).map_err(|e| ApiError::internal(format!("stored log group {group}: {e}")))
}

pub async fn save_group(tx: &mut Txn, account: &str, region: &str, group: &LogGroup) -> Result<(), ApiError> {
    let value = serde_json::to_value(group).map_err(|e| ApiError::internal(e.to_string()))?;
    tx.put(GROUPS, &group_key(account, region, &group.name), &value).await.map_err(store_error)
}

pub async fn load_stream(tx: &mut Txn, account: &str, region: &str, group: &str, stream: &str) -> Result<Option<LogStream>, ApiError> {
    let stored = tx.get(STREAMS, &stream_key(account, region, group, stream)).await.map_err(store_error)?;
    stored
        .map(|value| serde_json::from_value(value).map_err(|e| ApiError::internal(format!("stored log stream {stream}: {e}"))))
        .transpose()
}

pub async fn save_stream(tx: &mut Txn, account: &str, region: &str, group: &str, stream: &LogStream) -> Result<(), ApiError> {
    let value = serde_json::to_value(stream).map_err(|e| ApiError::internal(e.to_string()))?;
    tx.put(STREAMS, &stream_key(account, region, group, &stream.name), &value).await.map_err(store_error)
}

impl LogGroup {
    /// The `LogGroup` structure DescribeLogGroups lists.
    pub fn describe(&self, region: &str, account: &str) -> Value {
        let arn = group_arn(region, account, &self.name);
        let mut out = json!({
            "logGroupName": self.name,
            "creationTime": self.creation_time,
            "metricFilterCount": 0,
            "arn": arn,
            "logGroupArn": arn.trim_end_matches(":*"),
            "storedBytes": self.stored_bytes,
            "logGroupClass": self.log_group_class,
            "deletionProtectionEnabled": self.deletion_protection,
        });
        if let Some(days) = self.retention_in_days {
            out["retentionInDays"] = json!(days);
        }
        if let Some(key) = &self.kms_key_id {
            out["kmsKeyId"] = json!(key);
        }
        out
    }

    /// Events before this time (epoch milliseconds) have expired under the retention policy.
    pub fn retained_since(&self, now_ms: i64) -> i64 {
        self.retention_in_days.map_or(0, |days| now_ms - days * 86_400_000)
    }
}

impl LogStream {
    pub fn describe(&self, region: &str, account: &str, group: &str) -> Value {
        let mut out = json!({
            "logStreamName": self.name,
            "creationTime": self.creation_time,
            "arn": stream_arn(region, account, group, &self.name),
            "storedBytes": self.stored_bytes,
        });
        if let Some(first) = self.first_event_timestamp {
            out["firstEventTimestamp"] = json!(first);
        }
        if let Some(last) = self.last_event_timestamp {
            out["lastEventTimestamp"] = json!(last);
        }
        if let Some(ingested) = self.last_ingestion_time {
            out["lastIngestionTime"] = json!(ingested);
            out["uploadSequenceToken"] = json!(sequence_token(self.next_sequence));
        }
        out
    }
}

/// The sequence token AWS still returns (and no longer requires): digits naming the next event.
pub fn sequence_token(next_sequence: u64) -> String {
    format!("{next_sequence:056}")
}

/// Milliseconds of the server clock.
pub fn millis(time: f64) -> i64 {
    (time * 1000.0).floor() as i64
}
