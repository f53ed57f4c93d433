//! TagResource and UntagResource; tags also come with CreateSecret.

use std::collections::HashSet;

use gateway::{Reply, RequestContext};
use serde::Deserialize;
use serde_json::{json, Value};
use wire::ApiError;

use super::{
    invalid_parameter, replication,
    secret_record::{self, Tag},
    secret_ref, store_error, SecretsManager,
};
use crate::input::from_input;

/// A secret carries at most this many tags.
const MAX_TAGS: usize = 50;

/// Refuses a tag list AWS refuses: a key twice, a key in the reserved `aws:` namespace.
pub fn check_tags(tags: &[Tag]) -> Result<(), ApiError> {
    let mut keys = HashSet::new();
    for tag in tags {
        if !keys.insert(tag.key.as_str()) {
            return Err(invalid_parameter(format!("Duplicate tag key: {}", tag.key)));
        }
        if tag.key.to_lowercase().starts_with("aws:") {
            return Err(invalid_parameter("Invalid tag key. The aws: prefix is reserved for AWS use."));
        }
    }
    Ok(())
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct TagResourceRequest {
    secret_id: String,
    tags: Vec<Tag>,
}

pub async fn tag_resource(service: &SecretsManager, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: TagResourceRequest = from_input(input)?;
    check_tags(&request.tags)?;
    let mut tx = service.store.begin().await.map_err(store_error)?;
    let mut secret = secret_ref::find_live(&mut tx, ctx, &request.secret_id).await?;
    secret.require_primary()?;
    for tag in request.tags {
        match secret.tags.iter_mut().find(|t| t.key == tag.key) {
            Some(existing) => existing.value = tag.value,
            None => secret.tags.push(tag),
        }
    }
    if secret.tags.len() > MAX_TAGS {
        return Err(invalid_parameter(format!("A secret can have at most {MAX_TAGS} tags.")));
    }
    secret_record::save(&mut tx, &secret).await?;
    tx.commit().await.map_err(store_error)?;
    replication::sync(service, ctx, &secret.name, &[]).await;
    Ok(Reply::new(json!({})).resource("AWS::SecretsManager::Secret", secret.arn))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UntagResourceRequest {
    secret_id: String,
    tag_keys: Vec<String>,
}

pub async fn untag_resource(service: &SecretsManager, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: UntagResourceRequest = from_input(input)?;
    let mut tx = service.store.begin().await.map_err(store_error)?;
    let mut secret = secret_ref::find_live(&mut tx, ctx, &request.secret_id).await?;
    secret.require_primary()?;
    secret.tags.retain(|t| !request.tag_keys.contains(&t.key));
    secret_record::save(&mut tx, &secret).await?;
    tx.commit().await.map_err(store_error)?;
    replication::sync(service, ctx, &secret.name, &[]).await;
    Ok(Reply::new(json!({})).resource("AWS::SecretsManager::Secret", secret.arn))
}
