//! AddTags, RemoveTags, DescribeTags on load balancers, target groups and listeners.

use std::collections::BTreeMap;

use gateway::{Reply, RequestContext};
use serde_json::{json, Value};
use store::Store;
use wire::ApiError;

use super::{error, records, store_error};

/// AWS's quota of tags per Elastic Load Balancing resource.
const MAX_TAGS: usize = 50;

/// A `TagList` as a map; AWS refuses a key given twice and `aws:` keys.
pub fn tag_map(tags: Option<&Value>) -> Result<BTreeMap<String, String>, ApiError> {
    let mut map = BTreeMap::new();
    for tag in tags.and_then(Value::as_array).into_iter().flatten() {
        let key = tag.get("Key").and_then(Value::as_str).unwrap_or_default().to_owned();
        if key.to_ascii_lowercase().starts_with("aws:") {
            return Err(ApiError::new("ValidationError", 400, format!("Tag key '{key}' cannot start with 'aws:'")));
        }
        let value = tag.get("Value").and_then(Value::as_str).unwrap_or_default().to_owned();
        if map.insert(key.clone(), value).is_some() {
            return Err(error("DuplicateTagKeysException", format!("Tag key '{key}' is duplicated")));
        }
    }
    Ok(map)
}

fn arns(input: &Value) -> Vec<String> {
    input.get("ResourceArns").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).map(str::to_owned).collect()
}

fn not_found(arn: &str) -> ApiError {
    if arn.contains(":targetgroup/") {
        error("TargetGroupNotFoundException", format!("Target groups '{arn}' not found"))
    } else if arn.contains(":listener/") {
        error("ListenerNotFoundException", format!("Listener '{arn}' not found"))
    } else {
        error("LoadBalancerNotFoundException", format!("Load balancer '{arn}' not found"))
    }
}

/// The record of a resource of the request's account and region, as raw JSON.
async fn owned(tx: &mut store::Txn, ctx: &RequestContext, arn: &str) -> Result<Value, ApiError> {
    let ours = arn.starts_with(&ctx.arn("elasticloadbalancing", ""));
    let record = if ours { records::load_raw(tx, arn).await? } else { None };
    record.ok_or_else(|| not_found(arn))
}

fn tags_of(record: &Value) -> BTreeMap<String, String> {
    record.get("tags").and_then(|t| serde_json::from_value(t.clone()).ok()).unwrap_or_default()
}

pub async fn add_tags(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let added = tag_map(input.get("Tags"))?;
    let mut tx = store.begin().await.map_err(store_error)?;
    for arn in arns(&input) {
        let mut record = owned(&mut tx, ctx, &arn).await?;
        let mut tags = tags_of(&record);
        tags.extend(added.clone());
        if tags.len() > MAX_TAGS {
            return Err(error("TooManyTagsException", "The quota for the number of tags that can be assigned to a load balancer has been reached"));
        }
        record["tags"] = json!(tags);
        records::save_raw(&mut tx, &arn, &record).await?;
    }
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({})))
}

pub async fn remove_tags(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let keys: Vec<String> =
        input.get("TagKeys").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).map(str::to_owned).collect();
    let mut tx = store.begin().await.map_err(store_error)?;
    for arn in arns(&input) {
        let mut record = owned(&mut tx, ctx, &arn).await?;
        let mut tags = tags_of(&record);
        tags.retain(|k, _| !keys.contains(k));
        record["tags"] = json!(tags);
        records::save_raw(&mut tx, &arn, &record).await?;
    }
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({})))
}

pub async fn describe_tags(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let mut tx = store.begin().await.map_err(store_error)?;
    let mut descriptions = Vec::new();
    for arn in arns(&input) {
        let record = owned(&mut tx, ctx, &arn).await?;
        let tags: Vec<Value> = tags_of(&record).iter().map(|(k, v)| json!({ "Key": k, "Value": v })).collect();
        descriptions.push(json!({ "ResourceArn": arn, "Tags": tags }));
    }
    Ok(Reply::new(json!({ "TagDescriptions": descriptions })))
}
