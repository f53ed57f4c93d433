//! AddTagsToResource, ListTagsForResource, RemoveTagsFromResource for parameters (ResourceType
//! `Parameter`, ResourceId the parameter's name).

use std::collections::BTreeMap;

use gateway::{Reply, RequestContext};
use serde::Deserialize;
use serde_json::{json, Value};
use store::Store;
use wire::ApiError;

use super::{error, record, store_error, PARAMETER_RESOURCE};
use crate::input::from_input;

/// AWS's quota of tags per Systems Manager resource.
const MAX_TAGS: usize = 50;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Tag {
    key: String,
    value: String,
}

fn check_key(key: &str) -> Result<(), ApiError> {
    if key.to_ascii_lowercase().starts_with("aws:") {
        return Err(error("ValidationException", format!("Tag key {key} is reserved: the aws: prefix belongs to AWS.")));
    }
    Ok(())
}

fn check_count(tags: &BTreeMap<String, String>) -> Result<(), ApiError> {
    if tags.len() > MAX_TAGS {
        return Err(error("TooManyTagsError", format!("A parameter can have at most {MAX_TAGS} tags.")));
    }
    Ok(())
}

/// Adds `tags` to `into`, checking AWS's rules.
pub fn add_tags(into: &mut BTreeMap<String, String>, tags: Vec<Tag>) -> Result<(), ApiError> {
    for tag in tags {
        check_key(&tag.key)?;
        into.insert(tag.key, tag.value);
    }
    check_count(into)
}

pub fn tag_list(tags: &BTreeMap<String, String>) -> Vec<Value> {
    tags.iter().map(|(k, v)| json!({ "Key": k, "Value": v })).collect()
}

/// The parameter a tagging request names; other Systems Manager resource types are not
/// served by Palisade.
fn parameter_name<'r>(ctx: &RequestContext, resource_type: &str, resource_id: &'r str) -> Result<&'r str, ApiError> {
    if resource_type != "Parameter" {
        return Err(error(
            "InvalidResourceType",
            format!("Palisade's {} serves tags on Parameter resources only, not {resource_type}.", ctx.service.id),
        ));
    }
    Ok(resource_id)
}

fn not_found(name: &str) -> ApiError {
    error("InvalidResourceId", format!("The parameter {name} doesn't exist."))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AddTagsRequest {
    resource_type: String,
    resource_id: String,
    tags: Vec<Tag>,
}

pub async fn add_tags_to_resource(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: AddTagsRequest = from_input(input)?;
    let name = parameter_name(ctx, &request.resource_type, &request.resource_id)?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let mut parameter = record::load(&mut tx, ctx.account(), &ctx.region, name).await?.ok_or_else(|| not_found(name))?;
    add_tags(&mut parameter.tags, request.tags)?;
    record::save(&mut tx, &parameter).await?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({})).resource(PARAMETER_RESOURCE, parameter.arn()))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RemoveTagsRequest {
    resource_type: String,
    resource_id: String,
    tag_keys: Vec<String>,
}

pub async fn remove_tags_from_resource(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: RemoveTagsRequest = from_input(input)?;
    let name = parameter_name(ctx, &request.resource_type, &request.resource_id)?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let mut parameter = record::load(&mut tx, ctx.account(), &ctx.region, name).await?.ok_or_else(|| not_found(name))?;
    for key in &request.tag_keys {
        parameter.tags.remove(key);
    }
    record::save(&mut tx, &parameter).await?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({})).resource(PARAMETER_RESOURCE, parameter.arn()))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListTagsRequest {
    resource_type: String,
    resource_id: String,
}

pub async fn list_tags_for_resource(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: ListTagsRequest = from_input(input)?;
    let name = parameter_name(ctx, &request.resource_type, &request.resource_id)?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let parameter = record::load(&mut tx, ctx.account(), &ctx.region, name).await?.ok_or_else(|| not_found(name))?;
    Ok(Reply::new(json!({ "TagList": tag_list(&parameter.tags) })).resource(PARAMETER_RESOURCE, parameter.arn()))
}
