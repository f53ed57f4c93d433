//! Log events: PutLogEvents (and [`append`], how Lambda and WAF write), GetLogEvents in stream
//! order with forward and backward tokens, FilterLogEvents across a group's streams.

use std::collections::VecDeque;

use gateway::{Reply, RequestContext};
use serde_json::{json, Value};
use store::{Store, Txn};
use wire::ApiError;

use super::{
    error,
    filter_pattern::FilterPattern,
    records::{self, LogGroup, LogStream, StoredEvent, EVENTS},
    store_error,
    streams::new_stream,
};
use crate::input::required;

const MAX_BATCH_EVENTS: usize = 10_000;
const MAX_BATCH_BYTES: usize = 1_048_576;
/// CloudWatch Logs counts 26 bytes of overhead per event against the batch size.
const EVENT_OVERHEAD_BYTES: usize = 26;
const MAX_BATCH_SPAN_MS: i64 = 24 * 3_600_000;
const TOO_NEW_MS: i64 = 2 * 3_600_000;
const TOO_OLD_MS: i64 = 14 * 86_400_000;
const DEFAULT_EVENTS_LIMIT: usize = 10_000;
/// Width of an event position (`records::event_position`): 16 timestamp and 12 sequence digits.
const POSITION_WIDTH: usize = 28;

/// One event to write: epoch milliseconds and the message.
#[derive(Debug, Clone)]
pub struct LogEvent {
    pub timestamp: i64,
    pub message: String,
}

/// Writes `events` to a stream of an existing log group, creating the stream if it is new: how
/// Palisade's own services (Lambda's function output, WAF's request logs) deliver logs.
pub async fn append(
    store: &Store,
    account: &str,
    region: &str,
    group: &str,
    stream: &str,
    events: &[LogEvent],
    now_ms: i64,
) -> Result<(), ApiError> {
    let mut tx = store.begin().await.map_err(store_error)?;
    let mut log_group = records::load_group(&mut tx, account, region, group).await?;
    let mut log_stream = match records::load_stream(&mut tx, account, region, group, stream).await? {
        Some(existing) => existing,
        None => new_stream(stream, now_ms),
    };
    write_events(&mut tx, account, region, &mut log_group, &mut log_stream, events, now_ms).await?;
    tx.commit().await.map_err(store_error)
}

async fn write_events(
    tx: &mut Txn,
    account: &str,
    region: &str,
    group: &mut LogGroup,
    stream: &mut LogStream,
    events: &[LogEvent],
    now_ms: i64,
) -> Result<(), ApiError> {
    let prefix = records::stream_events_prefix(account, region, &group.name, &stream.name);
    for event in events {
        let position = records::event_position(event.timestamp, stream.next_sequence);
        stream.next_sequence += 1;
        let stored = StoredEvent { timestamp: event.timestamp, message: event.message.clone(), ingestion_time: now_ms };
        let value = serde_json::to_value(&stored).map_err(|e| ApiError::internal(e.to_string()))?;
        tx.put(EVENTS, &format!("{prefix}{position}"), &value).await.map_err(store_error)?;
        let bytes = (event.message.len() + EVENT_OVERHEAD_BYTES) as i64;
        stream.stored_bytes += bytes;
        group.stored_bytes += bytes;
        stream.first_event_timestamp = Some(stream.first_event_timestamp.map_or(event.timestamp, |t| t.min(event.timestamp)));
        stream.last_event_timestamp = Some(stream.last_event_timestamp.map_or(event.timestamp, |t| t.max(event.timestamp)));
        stream.last_ingestion_time = Some(now_ms);
    }
    records::save_stream(tx, account, region, &group.name, stream).await?;
    records::save_group(tx, account, region, group).await
}

pub async fn put_log_events(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let group_name = required(&input, "logGroupName")?;
    let stream_name = required(&input, "logStreamName")?;
    let events: Vec<LogEvent> = input["logEvents"]
        .as_array()
        .map(|events| {
            events
                .iter()
                .map(|e| LogEvent {
                    timestamp: e["timestamp"].as_i64().unwrap_or_default(),
                    message: e["message"].as_str().unwrap_or_default().to_owned(),
                })
                .collect()
        })
        .unwrap_or_default();
    check_batch(&events)?;
    let (account, region) = (ctx.account(), ctx.region.as_str());
    let now = records::millis(ctx.time);
    let mut tx = store.begin().await.map_err(store_error)?;
    let mut group = records::load_group(&mut tx, account, region, group_name).await?;
    let mut stream =
        records::load_stream(&mut tx, account, region, group_name, stream_name).await?.ok_or_else(records::stream_not_found)?;
    let retained_since = group.retained_since(now);
    let mut rejected = serde_json::Map::new();
    if let Some(first) = events.iter().position(|e| e.timestamp > now + TOO_NEW_MS) {
        rejected.insert("tooNewLogEventStartIndex".into(), json!(first));
    }
    if let Some(last) = events.iter().rposition(|e| e.timestamp < now - TOO_OLD_MS) {
        rejected.insert("tooOldLogEventEndIndex".into(), json!(last + 1));
    }
    if let Some(last) = events.iter().rposition(|e| e.timestamp < retained_since) {
        rejected.insert("expiredLogEventEndIndex".into(), json!(last + 1));
    }
    let accepted: Vec<LogEvent> = events
        .into_iter()
        .filter(|e| e.timestamp <= now + TOO_NEW_MS && e.timestamp >= now - TOO_OLD_MS && e.timestamp >= retained_since)
        .collect();
    write_events(&mut tx, account, region, &mut group, &mut stream, &accepted, now).await?;
    tx.commit().await.map_err(store_error)?;
    let mut output = json!({ "nextSequenceToken": records::sequence_token(stream.next_sequence) });
    if !rejected.is_empty() {
        output["rejectedLogEventsInfo"] = Value::Object(rejected);
    }
    Ok(Reply::new(output))
}

/// The batch rules PutLogEvents enforces before looking at the stream.
fn check_batch(events: &[LogEvent]) -> Result<(), ApiError> {
    let invalid = |message: &str| error("InvalidParameterException", message);
    if events.len() > MAX_BATCH_EVENTS {
        return Err(invalid("The batch of log events in a single PutLogEvents request cannot contain more than 10,000 log events."));
    }
    let bytes: usize = events.iter().map(|e| e.message.len() + EVENT_OVERHEAD_BYTES).sum();
    if bytes > MAX_BATCH_BYTES {
        return Err(invalid("The batch of log events in a single PutLogEvents request cannot exceed 1,048,576 bytes."));
    }
    if events.windows(2).any(|pair| pair[1].timestamp < pair[0].timestamp) {
        return Err(invalid("Log events in a single PutLogEvents request must be in chronological order."));
    }
    if let (Some(first), Some(last)) = (events.first(), events.last()) {
        if last.timestamp - first.timestamp > MAX_BATCH_SPAN_MS {
            return Err(invalid("The batch of log events in a single PutLogEvents request cannot span more than 24 hours."));
        }
    }
    Ok(())
}

/// The time window a read covers: `startTime` inclusive, `endTime` exclusive, never before
/// what the group's retention keeps.
struct Window {
    start: i64,
    end: i64,
}

impl Window {
    fn of(input: &Value, group: &LogGroup, now_ms: i64) -> Window {
        let start = input.get("startTime").and_then(Value::as_i64).unwrap_or(0);
        Window {
            start: start.max(group.retained_since(now_ms)),
            end: input.get("endTime").and_then(Value::as_i64).unwrap_or(i64::MAX),
        }
    }

    fn contains(&self, timestamp: i64) -> bool {
        timestamp >= self.start && timestamp < self.end
    }
}

/// Where a GetLogEvents token points: after (`f/`) or before (`b/`) an event position.
enum Cursor {
    After(String),
    Before(String),
}

fn parse_token(token: &str) -> Result<Cursor, ApiError> {
    let invalid = || error("InvalidParameterException", "The specified nextToken is invalid.");
    let (direction, position) = token.split_at_checked(2).ok_or_else(invalid)?;
    if position.len() != POSITION_WIDTH || !position.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid());
    }
    match direction {
        "f/" => Ok(Cursor::After(position.to_owned())),
        "b/" => Ok(Cursor::Before(position.to_owned())),
        _ => Err(invalid()),
    }
}

pub async fn get_log_events(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let group_name = records::group_name_of_input(&input)
        .ok_or_else(|| error("InvalidParameterException", "Either logGroupName or logGroupIdentifier must be specified."))?;
    let stream_name = required(&input, "logStreamName")?;
    let limit = input.get("limit").and_then(Value::as_u64).map_or(DEFAULT_EVENTS_LIMIT, |l| l as usize);
    let from_head = input.get("startFromHead").and_then(Value::as_bool).unwrap_or(false);
    let cursor = input.get("nextToken").and_then(Value::as_str).map(parse_token).transpose()?;
    let (account, region) = (ctx.account(), ctx.region.as_str());
    let mut tx = store.begin().await.map_err(store_error)?;
    let group = records::load_group(&mut tx, account, region, &group_name).await?;
    records::load_stream(&mut tx, account, region, &group_name, stream_name).await?.ok_or_else(records::stream_not_found)?;
    let window = Window::of(&input, &group, records::millis(ctx.time));
    let prefix = records::stream_events_prefix(account, region, &group_name, stream_name);
    let lower = format!("{prefix}{}", records::event_position(window.start, 0));
    let (start_after, stop_before, take_first) = match &cursor {
        Some(Cursor::After(position)) => (format!("{prefix}{position}").max(lower), None, true),
        Some(Cursor::Before(position)) => (lower, Some(format!("{prefix}{position}")), false),
        None => (lower, None, from_head),
    };
    // Reading forward keeps the first `limit` events; reading backward keeps the last ones.
    let mut kept: VecDeque<(String, StoredEvent)> = VecDeque::new();
    let mut scan_from = start_after;
    'scan: loop {
        let page = tx.scan(EVENTS, &prefix, Some(&scan_from), 1000).await.map_err(store_error)?;
        let Some((last, _)) = page.last() else { break };
        scan_from = last.clone();
        let full = page.len() == 1000;
        for (key, value) in page {
            if stop_before.as_ref().is_some_and(|stop| &key >= stop) {
                break 'scan;
            }
            let event: StoredEvent = serde_json::from_value(value).map_err(|e| ApiError::internal(e.to_string()))?;
            if event.timestamp >= window.end {
                break 'scan;
            }
            kept.push_back((key[prefix.len()..].to_owned(), event));
            if kept.len() > limit {
                if take_first {
                    kept.pop_back();
                    break 'scan;
                }
                kept.pop_front();
            }
        }
        if !full {
            break;
        }
    }
    drop(tx);
    let boundary = match &cursor {
        Some(Cursor::After(p) | Cursor::Before(p)) => p.clone(),
        None => records::event_position(0, 0),
    };
    let forward = kept.back().map_or_else(|| boundary.clone(), |(p, _)| p.clone());
    let backward = kept.front().map_or_else(|| boundary.clone(), |(p, _)| p.clone());
    let events: Vec<Value> = kept
        .into_iter()
        .map(|(_, e)| json!({ "timestamp": e.timestamp, "message": e.message, "ingestionTime": e.ingestion_time }))
        .collect();
    Ok(Reply::new(json!({
        "events": events,
        "nextForwardToken": format!("f/{forward}"),
        "nextBackwardToken": format!("b/{backward}"),
    })))
}

pub async fn filter_log_events(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let group_name = records::group_name_of_input(&input)
        .ok_or_else(|| error("InvalidParameterException", "Either logGroupName or logGroupIdentifier must be specified."))?;
    let stream_names: Option<Vec<String>> = input
        .get("logStreamNames")
        .and_then(Value::as_array)
        .map(|names| names.iter().filter_map(Value::as_str).map(str::to_owned).collect());
    let stream_prefix = input.get("logStreamNamePrefix").and_then(Value::as_str);
    if stream_names.is_some() && stream_prefix.is_some() {
        return Err(error("InvalidParameterException", "logStreamNames and logStreamNamePrefix are mutually exclusive."));
    }
    let pattern = FilterPattern::parse(input.get("filterPattern").and_then(Value::as_str).unwrap_or(""))
        .map_err(|e| error("InvalidParameterException", format!("Invalid filter pattern: {e}")))?;
    let limit = input.get("limit").and_then(Value::as_u64).map_or(DEFAULT_EVENTS_LIMIT, |l| l as usize);
    let after = input.get("nextToken").and_then(Value::as_str).map(parse_filter_token).transpose()?;
    let (account, region) = (ctx.account(), ctx.region.as_str());
    let mut tx = store.begin().await.map_err(store_error)?;
    let group = records::load_group(&mut tx, account, region, &group_name).await?;
    let window = Window::of(&input, &group, records::millis(ctx.time));
    let prefix = records::group_events_prefix(account, region, &group_name);
    let mut matched: Vec<(String, String, StoredEvent)> = Vec::new();
    let mut searched: Vec<String> = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = tx.scan(EVENTS, &prefix, cursor.as_deref(), 1000).await.map_err(store_error)?;
        let Some((last, _)) = page.last() else { break };
        cursor = Some(last.clone());
        let full = page.len() == 1000;
        for (key, value) in page {
            let Some((stream, position)) = key[prefix.len()..].rsplit_once(':') else { continue };
            let wanted = match (&stream_names, stream_prefix) {
                (Some(names), _) => names.iter().any(|n| n == stream),
                (None, Some(p)) => stream.starts_with(p),
                (None, None) => true,
            };
            if !wanted {
                continue;
            }
            if searched.last().is_none_or(|s| s != stream) {
                searched.push(stream.to_owned());
            }
            let event: StoredEvent = serde_json::from_value(value).map_err(|e| ApiError::internal(e.to_string()))?;
            if window.contains(event.timestamp) && pattern.matches(&event.message) {
                matched.push((position.to_owned(), stream.to_owned(), event));
            }
        }
        if !full {
            break;
        }
    }
    drop(tx);
    matched.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    if let Some((position, stream)) = &after {
        matched.retain(|(p, s, _)| (p, s) > (position, stream));
    }
    let more = matched.len() > limit;
    matched.truncate(limit);
    let next_token = more.then(|| matched.last().map(|(p, s, _)| format!("{p}/{s}"))).flatten();
    let events: Vec<Value> = matched
        .iter()
        .map(|(position, stream, e)| {
            json!({
                "logStreamName": stream,
                "timestamp": e.timestamp,
                "message": e.message,
                "ingestionTime": e.ingestion_time,
                "eventId": event_id(position, stream),
            })
        })
        .collect();
    let searched: Vec<Value> = searched.into_iter().map(|s| json!({ "logStreamName": s, "searchedCompletely": true })).collect();
    let mut output = json!({ "events": events, "searchedLogStreams": searched });
    if let Some(token) = next_token {
        output["nextToken"] = json!(token);
    }
    Ok(Reply::new(output))
}

/// A FilterLogEvents token: the position and stream of the last event of the previous page.
fn parse_filter_token(token: &str) -> Result<(String, String), ApiError> {
    let invalid = || error("InvalidParameterException", "The specified nextToken is invalid.");
    let (position, stream) = token.split_at_checked(POSITION_WIDTH).ok_or_else(invalid)?;
    let stream = stream.strip_prefix('/').ok_or_else(invalid)?;
    if !position.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid());
    }
    Ok((position.to_owned(), stream.to_owned()))
}

/// A 56-digit event id, like AWS's: the event's position and a digest of its stream's name.
fn event_id(position: &str, stream: &str) -> String {
    let digest = stream.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    format!("{position}{:028}", u128::from(digest))
}
