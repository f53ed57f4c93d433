//! TagCertificateAuthority, UntagCertificateAuthority, ListTags.

use std::collections::BTreeMap;

use gateway::{Reply, RequestContext};
use serde::Deserialize;
use serde_json::{json, Value};
use wire::ApiError;

use super::{authority_record, store_error, AcmPca};
use crate::{input::from_input, tags::TagRules};

pub use crate::tags::Tag;

const DEFAULT_LIST_LIMIT: usize = 50;

const RULES: TagRules = TagRules { service: "acm-pca", resource: "certificate authority" };

pub fn tag_map(tags: Vec<Tag>) -> Result<BTreeMap<String, String>, ApiError> {
    RULES.to_map(tags)
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
    RULES.add(&mut ca.tags, request.tags)?;
    authority_record::save(&mut tx, &ca).await?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({})).resource("AWS::ACMPCA::CertificateAuthority", ca.arn))
}

/// Removes each named tag; a tag given with a value is removed only if the value matches.
pub async fn untag_certificate_authority(pca: &AcmPca, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: TagsRequest = from_input(input)?;
    let mut tx = pca.store.begin().await.map_err(store_error)?;
    let mut ca = authority_record::find(&mut tx, ctx, &request.certificate_authority_arn).await?;
    crate::tags::remove(&mut ca.tags, &request.tags);
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
