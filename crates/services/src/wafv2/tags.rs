//! TagResource, UntagResource, ListTagsForResource on web ACLs, rule groups, IP sets and regex
//! pattern sets.

use std::collections::BTreeMap;

use gateway::{Reply, RequestContext};
use serde_json::{json, Value};
use store::Store;
use wire::ApiError;

use super::{
    entities::{self, Entity},
    errors::{error, invalid_parameter, nonexistent, store_error},
};
use crate::input::required;

/// AWS's quota of tags per WAF resource.
const MAX_TAGS: usize = 50;

/// A `TagList` member as a map; `aws:` keys belong to AWS.
pub fn tag_map(tags: Option<&Value>) -> Result<BTreeMap<String, String>, ApiError> {
    let mut map = BTreeMap::new();
    for tag in tags.and_then(Value::as_array).into_iter().flatten() {
        let key = tag.get("Key").and_then(Value::as_str).unwrap_or_default();
        let value = tag.get("Value").and_then(Value::as_str).unwrap_or_default();
        if key.to_ascii_lowercase().starts_with("aws:") {
            return Err(invalid_parameter("TAG_KEYS", key, "The tag key is reserved for AWS."));
        }
        map.insert(key.to_owned(), value.to_owned());
    }
    check_count(&map)?;
    Ok(map)
}

fn check_count(tags: &BTreeMap<String, String>) -> Result<(), ApiError> {
    if tags.len() > MAX_TAGS {
        return Err(error("WAFLimitsExceededException", "AWS WAF couldn’t perform the operation because you exceeded your resource limit. For example, the maximum number of WebACL objects that you can create for an Amazon Web Services account."));
    }
    Ok(())
}

async fn tagged_entity(tx: &mut store::Txn, ctx: &RequestContext, arn: &str) -> Result<Entity, ApiError> {
    entities::load_by_arn(tx, arn).await?.filter(|e| e.account == ctx.account()).ok_or_else(nonexistent)
}

pub async fn tag_resource(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let arn = required(&input, "ResourceARN")?;
    let added = tag_map(input.get("Tags"))?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let mut entity = tagged_entity(&mut tx, ctx, arn).await?;
    entity.tags.extend(added);
    check_count(&entity.tags)?;
    entities::save(&mut tx, &entity).await?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({})))
}

pub async fn untag_resource(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let arn = required(&input, "ResourceARN")?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let mut entity = tagged_entity(&mut tx, ctx, arn).await?;
    for key in input.get("TagKeys").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str) {
        entity.tags.remove(key);
    }
    entities::save(&mut tx, &entity).await?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({})))
}

pub async fn list_tags_for_resource(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let arn = required(&input, "ResourceARN")?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let entity = tagged_entity(&mut tx, ctx, arn).await?;
    let tags: Vec<Value> = entity.tags.iter().map(|(k, v)| json!({ "Key": k, "Value": v })).collect();
    Ok(Reply::new(json!({ "TagInfoForResource": { "ResourceARN": entity.arn, "TagList": tags } })))
}
