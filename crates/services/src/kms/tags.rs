//! TagResource, UntagResource, ListResourceTags.

use std::collections::BTreeMap;

use gateway::{Reply, RequestContext};
use serde::Deserialize;
use serde_json::{json, Value};
use store::Store;
use wire::ApiError;

use super::{error, key_record, key_ref, store_error};
use crate::input::from_input;

/// AWS's quota of tags per KMS key.
const MAX_TAGS: usize = 50;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Tag {
    tag_key: String,
    tag_value: String,
}

/// Tags as a map; `aws:` keys are AWS's own and may not be set.
pub fn tag_map(tags: Vec<Tag>) -> Result<BTreeMap<String, String>, ApiError> {
    let mut map = BTreeMap::new();
    for tag in tags {
        check_tag_key(&tag.tag_key)?;
        map.insert(tag.tag_key, tag.tag_value);
    }
    check_count(&map)?;
    Ok(map)
}

fn check_tag_key(key: &str) -> Result<(), ApiError> {
    if key.to_ascii_lowercase().starts_with("aws:") {
        return Err(error("TagException", format!("Tag key {key} is reserved: the aws: prefix belongs to AWS.")));
    }
    Ok(())
}

fn check_count(tags: &BTreeMap<String, String>) -> Result<(), ApiError> {
    if tags.len() > MAX_TAGS {
        return Err(error("LimitExceededException", format!("A KMS key can have at most {MAX_TAGS} tags.")));
    }
    Ok(())
}

pub fn tag_list(tags: &BTreeMap<String, String>) -> Vec<Value> {
    tags.iter().map(|(k, v)| json!({ "TagKey": k, "TagValue": v })).collect()
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct TagResourceRequest {
    key_id: String,
    tags: Vec<Tag>,
}

pub async fn tag_resource(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: TagResourceRequest = from_input(input)?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let mut key = key_ref::find_key_by_id(&mut tx, ctx, &request.key_id).await?;
    key.require_not_pending()?;
    for tag in request.tags {
        check_tag_key(&tag.tag_key)?;
        key.tags.insert(tag.tag_key, tag.tag_value);
    }
    check_count(&key.tags)?;
    key_record::save(&mut tx, &key).await?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({})).resource("AWS::KMS::Key", key.arn))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UntagResourceRequest {
    key_id: String,
    tag_keys: Vec<String>,
}

pub async fn untag_resource(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: UntagResourceRequest = from_input(input)?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let mut key = key_ref::find_key_by_id(&mut tx, ctx, &request.key_id).await?;
    key.require_not_pending()?;
    for tag_key in &request.tag_keys {
        key.tags.remove(tag_key);
    }
    key_record::save(&mut tx, &key).await?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({})).resource("AWS::KMS::Key", key.arn))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListResourceTagsRequest {
    key_id: String,
    limit: Option<usize>,
    marker: Option<String>,
}

pub async fn list_resource_tags(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: ListResourceTagsRequest = from_input(input)?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let key = key_ref::find_key_by_id(&mut tx, ctx, &request.key_id).await?;
    let remaining: BTreeMap<String, String> = key
        .tags
        .iter()
        .filter(|(k, _)| request.marker.as_ref().is_none_or(|m| *k > m))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let limit = request.limit.unwrap_or(MAX_TAGS);
    let page: BTreeMap<String, String> = remaining.iter().take(limit).map(|(k, v)| (k.clone(), v.clone())).collect();
    let truncated = remaining.len() > page.len();
    let mut out = json!({ "Tags": tag_list(&page), "Truncated": truncated });
    if truncated {
        if let Some(last) = page.keys().last() {
            out["NextMarker"] = json!(last);
        }
    }
    Ok(Reply::new(out).resource("AWS::KMS::Key", key.arn))
}
