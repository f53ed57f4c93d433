//! AddTagsToCertificate, RemoveTagsFromCertificate, ListTagsForCertificate.

use std::collections::BTreeMap;

use gateway::{Reply, RequestContext};
use serde::Deserialize;
use serde_json::{json, Value};
use wire::ApiError;

use super::{certificate_record, error, store_error, Acm};
use crate::input::from_input;

/// AWS's quota of tags per certificate.
const MAX_TAGS: usize = 50;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Tag {
    key: String,
    value: Option<String>,
}

fn check_key(key: &str) -> Result<(), ApiError> {
    if key.to_ascii_lowercase().starts_with("aws:") {
        return Err(error("InvalidTagException", format!("Tag key {key} is reserved: the aws: prefix belongs to AWS.")));
    }
    Ok(())
}

fn check_count(tags: &BTreeMap<String, String>) -> Result<(), ApiError> {
    if tags.len() > MAX_TAGS {
        return Err(error("TooManyTagsException", format!("A certificate can have at most {MAX_TAGS} tags.")));
    }
    Ok(())
}

/// Tags as a map (a missing value is the empty string, as ACM stores it).
pub fn tag_map(tags: Vec<Tag>) -> Result<BTreeMap<String, String>, ApiError> {
    let mut map = BTreeMap::new();
    for tag in tags {
        check_key(&tag.key)?;
        map.insert(tag.key, tag.value.unwrap_or_default());
    }
    check_count(&map)?;
    Ok(map)
}

pub fn tag_list(tags: &BTreeMap<String, String>) -> Vec<Value> {
    tags.iter().map(|(k, v)| json!({ "Key": k, "Value": v })).collect()
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct TagsRequest {
    certificate_arn: String,
    tags: Vec<Tag>,
}

pub async fn add_tags_to_certificate(acm: &Acm, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: TagsRequest = from_input(input)?;
    let mut tx = acm.store.begin().await.map_err(store_error)?;
    let mut cert = certificate_record::find(&mut tx, ctx, &request.certificate_arn).await?;
    for tag in request.tags {
        check_key(&tag.key)?;
        cert.tags.insert(tag.key, tag.value.unwrap_or_default());
    }
    check_count(&cert.tags)?;
    certificate_record::save(&mut tx, &cert).await?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({})).resource("AWS::ACM::Certificate", cert.arn))
}

/// Removes each named tag; a tag given with a value is removed only if the value matches.
pub async fn remove_tags_from_certificate(acm: &Acm, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: TagsRequest = from_input(input)?;
    let mut tx = acm.store.begin().await.map_err(store_error)?;
    let mut cert = certificate_record::find(&mut tx, ctx, &request.certificate_arn).await?;
    for tag in request.tags {
        check_key(&tag.key)?;
        if tag.value.as_ref().is_none_or(|v| cert.tags.get(&tag.key) == Some(v)) {
            cert.tags.remove(&tag.key);
        }
    }
    certificate_record::save(&mut tx, &cert).await?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({})).resource("AWS::ACM::Certificate", cert.arn))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CertificateArnRequest {
    certificate_arn: String,
}

pub async fn list_tags_for_certificate(acm: &Acm, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: CertificateArnRequest = from_input(input)?;
    let mut tx = acm.store.begin().await.map_err(store_error)?;
    let cert = certificate_record::find(&mut tx, ctx, &request.certificate_arn).await?;
    Ok(Reply::new(json!({ "Tags": tag_list(&cert.tags) })).resource("AWS::ACM::Certificate", cert.arn))
}
