//! TagCertificateAuthority, UntagCertificateAuthority, ListTags.

use std::collections::BTreeMap;

use gateway::{Reply, RequestContext};
use serde::Deserialize;
use serde_json::{json, Value};
use wire::ApiError;

use super::{authority_record, error, store_error, AcmPca};
use crate::input::from_input;

/// AWS's quota of tags per certificate authority.
const MAX_TAGS: usize = 50;
const DEFAULT_LIST_LIMIT: usize = 50;

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
        return Err(error("TooManyTagsException", format!("A certificate authority can have at most {MAX_TAGS} tags.")));
    }
    Ok(())
}

pub fn tag_map(tags: Vec<Tag>) -> Result<BTreeMap<String, String>, ApiError> {
    let mut map = BTreeMap::new();
    for tag in tags {
        check_key(&tag.key)?;
        map.insert(tag.key, tag.value.unwrap_or_default());
    }
    check_count(&map)?;
    Ok(map)
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct TagsRequest {
    certificate_authority_arn: String,
    tags: Vec<Tag>,
}

pub async fn tag_certificate_authority(pca: &AcmPca, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: TagsRequest = from_input(input)?;
    let mut tx = pca.store.begin().await.map_err(store_error)?;
    let mut ca = authority_record::find(&mut tx, ctx, &request.certificate_authority_arn).await?;
    for tag in request.tags {
        check_key(&tag.key)?;
        ca.tags.insert(tag.key, tag.value.unwrap_or_default());
    }
    check_count(&ca.tags)?;
    authority_record::save(&mut tx, &ca).await?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({})).resource("AWS::ACMPCA::CertificateAuthority", ca.arn))
}

/// Removes each named tag; a tag given with a value is removed only if the value matches.
pub async fn untag_certificate_authority(pca: &AcmPca, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: TagsRequest = from_input(input)?;
    let mut tx = pca.store.begin().await.map_err(store_error)?;
    let mut ca = authority_record::find(&mut tx, ctx, &request.certificate_authority_arn).await?;
    for tag in request.tags {
        if tag.value.as_ref().is_none_or(|v| ca.tags.get(&tag.key) == Some(v)) {
            ca.tags.remove(&tag.key);
        }
    }
    authority_record::save(&mut tx, &ca).await?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({})).resource("AWS::ACMPCA::CertificateAuthority", ca.arn))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListTagsRequest {
    certificate_authority_arn: String,
    max_results: Option<usize>,
    next_token: Option<String>,
}

pub async fn list_tags(pca: &AcmPca, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: ListTagsRequest = from_input(input)?;
    let mut tx = pca.store.begin().await.map_err(store_error)?;
    let ca = authority_record::find(&mut tx, ctx, &request.certificate_authority_arn).await?;
    let remaining: Vec<(&String, &String)> =
        ca.tags.iter().filter(|(k, _)| request.next_token.as_ref().is_none_or(|t| *k > t)).collect();
    let limit = request.max_results.unwrap_or(DEFAULT_LIST_LIMIT);
    let page = &remaining[..limit.min(remaining.len())];
    let mut out = json!({ "Tags": page.iter().map(|(k, v)| json!({ "Key": k, "Value": v })).collect::<Vec<_>>() });
    if remaining.len() > page.len() {
        if let Some((last, _)) = page.last() {
            out["NextToken"] = json!(last);
        }
    }
    Ok(Reply::new(out).resource("AWS::ACMPCA::CertificateAuthority", ca.arn))
}
