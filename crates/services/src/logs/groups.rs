//! Log groups: create, describe, delete, retention and tags.

use std::collections::BTreeMap;

use gateway::{Reply, RequestContext};
use serde_json::{json, Value};
use store::{Store, Txn};
use wire::ApiError;

use super::{
    error,
    records::{self, LogGroup, EVENTS, GROUPS, STREAMS},
    store_error,
};
use crate::input::{required, text};

/// The retention periods CloudWatch Logs accepts, in days.
const RETENTION_DAYS: [i64; 22] =
    [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];
const MAX_TAGS: usize = 50;
const DEFAULT_DESCRIBE_LIMIT: usize = 50;

/// The model's name pattern is not anchored; the name must consist of these characters only.
fn check_group_name(name: &str) -> Result<(), ApiError> {
    let valid = name.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-/#".contains(&b));
    if valid {
        Ok(())
    } else {
        Err(error(
            "InvalidParameterException",
            format!("1 validation error detected: Value '{name}' at 'logGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+"),
        ))
    }
}

fn tags_of(input: &Value, member: &str) -> BTreeMap<String, String> {
    input
        .get(member)
        .and_then(Value::as_object)
        .map(|tags| tags.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned())).collect())
        .unwrap_or_default()
}

fn keys_of(input: &Value, member: &str) -> Vec<String> {
    input
        .get(member)
        .and_then(Value::as_array)
        .map(|keys| keys.iter().filter_map(Value::as_str).map(str::to_owned).collect())
        .unwrap_or_default()
}

pub async fn create_log_group(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let name = required(&input, "logGroupName")?;
    check_group_name(name)?;
    let tags = tags_of(&input, "tags");
    if tags.len() > MAX_TAGS {
        return Err(error("InvalidParameterException", format!("A log group can have at most {MAX_TAGS} tags.")));
    }
    let group = LogGroup {
        name: name.to_owned(),
        creation_time: records::millis(ctx.time),
        retention_in_days: None,
        kms_key_id: text(&input, "kmsKeyId").map(str::to_owned),
        log_group_class: text(&input, "logGroupClass").unwrap_or("STANDARD").to_owned(),
        deletion_protection: input.get("deletionProtectionEnabled").and_then(Value::as_bool).unwrap_or(false),
        tags,
        stored_bytes: 0,
    };
    let mut tx = store.begin().await.map_err(store_error)?;
    if tx.get(GROUPS, &records::group_key(ctx.account(), &ctx.region, name)).await.map_err(store_error)?.is_some() {
        return Err(error("ResourceAlreadyExistsException", "The specified log group already exists"));
    }
    records::save_group(&mut tx, ctx.account(), &ctx.region, &group).await?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({})).resource("AWS::Logs::LogGroup", name))
}

/// Creates the log group unless it exists, as Lambda does for `/aws/lambda/<function>`.
pub async fn create_group_if_missing(tx: &mut Txn, account: &str, region: &str, name: &str, now_ms: i64) -> Result<(), ApiError> {
    if tx.get(GROUPS, &records::group_key(account, region, name)).await.map_err(store_error)?.is_some() {
        return Ok(());
    }
    let group = LogGroup {
        name: name.to_owned(),
        creation_time: now_ms,
        retention_in_days: None,
        kms_key_id: None,
        log_group_class: "STANDARD".to_owned(),
        deletion_protection: false,
        tags: BTreeMap::new(),
        stored_bytes: 0,
    };
    records::save_group(tx, account, region, &group).await
}

pub async fn describe_log_groups(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let prefix = text(&input, "logGroupNamePrefix");
    let pattern = text(&input, "logGroupNamePattern").map(str::to_lowercase);
    if prefix.is_some() && pattern.is_some() {
        return Err(error("InvalidParameterException", "LogGroupNamePrefix and LogGroupNamePattern are mutually exclusive parameters."));
    }
    let identifiers: Vec<String> =
        keys_of(&input, "logGroupIdentifiers").iter().map(|id| records::group_name_of_identifier(id).to_owned()).collect();
    let class = text(&input, "logGroupClass");
    let limit = input.get("limit").and_then(Value::as_u64).map_or(DEFAULT_DESCRIBE_LIMIT, |l| l as usize);
    let scope = records::group_key(ctx.account(), &ctx.region, "");
    let start_after = text(&input, "nextToken").map(|token| format!("{scope}{token}"));
    let mut tx = store.begin().await.map_err(store_error)?;
    let mut listed = Vec::new();
    let mut next_token = None;
    let mut cursor = start_after;
    'pages: loop {
        let page = tx.scan(GROUPS, &format!("{scope}{}", prefix.unwrap_or("")), cursor.as_deref(), 500).await.map_err(store_error)?;
        let Some((last, _)) = page.last() else { break };
        cursor = Some(last.clone());
        let exhausted = page.len() < 500;
        for (_, value) in page {
            let group: LogGroup = serde_json::from_value(value).map_err(|e| ApiError::internal(e.to_string()))?;
            let wanted = pattern.as_ref().is_none_or(|p| group.name.to_lowercase().contains(p.as_str()))
                && (identifiers.is_empty() || identifiers.contains(&group.name))
                && class.is_none_or(|c| c == group.log_group_class);
            if !wanted {
                continue;
            }
            if listed.len() == limit {
                next_token = Some(listed_name(&listed));
                break 'pages;
            }
            listed.push(group.describe(&ctx.region, ctx.account()));
        }
        if exhausted {
            break;
        }
    }
    let mut output = json!({ "logGroups": listed });
    if let Some(token) = next_token {
        output["nextToken"] = json!(token);
    }
    Ok(Reply::new(output))
}

/// The name of the last group listed: the next page starts after it.
fn listed_name(listed: &[Value]) -> String {
    listed.last().and_then(|g| g["logGroupName"].as_str()).unwrap_or_default().to_owned()
}

pub async fn delete_log_group(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let name = required(&input, "logGroupName")?;
    let (account, region) = (ctx.account(), ctx.region.as_str());
    let mut tx = store.begin().await.map_err(store_error)?;
    let group = records::load_group(&mut tx, account, region, name).await?;
    if group.deletion_protection {
        return Err(error(
            "OperationAbortedException",
            "Log group deletion is not allowed because deletion protection is enabled for this log group.",
        ));
    }
    tx.delete(GROUPS, &records::group_key(account, region, name)).await.map_err(store_error)?;
    let prefix = records::group_events_prefix(account, region, name);
    delete_all(&mut tx, STREAMS, &prefix).await?;
    delete_all(&mut tx, EVENTS, &prefix).await?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({})).resource("AWS::Logs::LogGroup", name))
}

/// Deletes every document of `collection` whose key starts with `prefix`.
pub async fn delete_all(tx: &mut Txn, collection: &str, prefix: &str) -> Result<(), ApiError> {
    loop {
        let page = tx.scan(collection, prefix, None, 1000).await.map_err(store_error)?;
        if page.is_empty() {
            return Ok(());
        }
        for (key, _) in page {
            tx.delete(collection, &key).await.map_err(store_error)?;
        }
    }
}

pub async fn put_retention_policy(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let name = required(&input, "logGroupName")?;
    let days = input.get("retentionInDays").and_then(Value::as_i64).unwrap_or_default();
    if !RETENTION_DAYS.contains(&days) {
        let allowed: Vec<String> = RETENTION_DAYS.iter().map(i64::to_string).collect();
        return Err(error(
            "InvalidParameterException",
            format!(
                "1 validation error detected: Value '{days}' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: [{}]",
                allowed.join(", ")
            ),
        ));
    }
    change_group(store, ctx, name, |group| {
        group.retention_in_days = Some(days);
        Ok(())
    })
    .await
}

pub async fn delete_retention_policy(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let name = required(&input, "logGroupName")?;
    change_group(store, ctx, name, |group| {
        group.retention_in_days = None;
        Ok(())
    })
    .await
}

async fn change_group(
    store: &Store,
    ctx: &RequestContext,
    name: &str,
    change: impl FnOnce(&mut LogGroup) -> Result<(), ApiError>,
) -> Result<Reply, ApiError> {
    let mut tx = store.begin().await.map_err(store_error)?;
    let mut group = records::load_group(&mut tx, ctx.account(), &ctx.region, name).await?;
    change(&mut group)?;
    records::save_group(&mut tx, ctx.account(), &ctx.region, &group).await?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({})).resource("AWS::Logs::LogGroup", name))
}

fn add_tags(group: &mut LogGroup, tags: BTreeMap<String, String>, too_many: &str) -> Result<(), ApiError> {
    group.tags.extend(tags);
    if group.tags.len() > MAX_TAGS {
        return Err(error(too_many, format!("A log group can have at most {MAX_TAGS} tags.")));
    }
    Ok(())
}

pub async fn tag_log_group(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let name = required(&input, "logGroupName")?;
    let tags = tags_of(&input, "tags");
    change_group(store, ctx, name, |group| add_tags(group, tags, "InvalidParameterException")).await
}

pub async fn untag_log_group(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let name = required(&input, "logGroupName")?;
    let keys = keys_of(&input, "tags");
    change_group(store, ctx, name, |group| {
        group.tags.retain(|k, _| !keys.contains(k));
        Ok(())
    })
    .await
}

pub async fn list_tags_log_group(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let name = required(&input, "logGroupName")?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let group = records::load_group(&mut tx, ctx.account(), &ctx.region, name).await?;
    Ok(Reply::new(json!({ "tags": group.tags })))
}

/// The log group a tagging ARN names; other resource types are not served here.
fn group_of_resource_arn(arn: &str) -> Result<&str, ApiError> {
    if arn.starts_with("arn:aws:logs:") && arn.contains(":log-group:") && !arn.contains(":log-stream:") {
        Ok(records::group_name_of_identifier(arn))
    } else {
        Err(error("InvalidParameterException", format!("Invalid resource ARN: {arn}")))
    }
}

pub async fn tag_resource(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let name = group_of_resource_arn(required(&input, "resourceArn")?)?;
    let tags = tags_of(&input, "tags");
    change_group(store, ctx, name, |group| add_tags(group, tags, "TooManyTagsException")).await
}

pub async fn untag_resource(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let name = group_of_resource_arn(required(&input, "resourceArn")?)?;
    let keys = keys_of(&input, "tagKeys");
    change_group(store, ctx, name, |group| {
        group.tags.retain(|k, _| !keys.contains(k));
        Ok(())
    })
    .await
}

pub async fn list_tags_for_resource(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let name = group_of_resource_arn(required(&input, "resourceArn")?)?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let group = records::load_group(&mut tx, ctx.account(), &ctx.region, name).await?;
    Ok(Reply::new(json!({ "tags": group.tags })))
}
