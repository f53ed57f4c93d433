//! AddTagsToCertificate, RemoveTagsFromCertificate, ListTagsForCertificate.

use std::collections::BTreeMap;

use gateway::{Reply, RequestContext};
use serde::Deserialize;
use serde_json::{json, Value};
use wire::ApiError;

use super::{certificate_record, store_error, Acm};
use crate::{input::from_input, tags::TagRules};

pub use crate::tags::{tag_list, Tag};

const RULES: TagRules = TagRules { service: "acm", resource: "certificate" };

/// Tags as a map (a missing value is the empty string, as ACM stores it).
pub fn tag_map(tags: Vec<Tag>) -> Result<BTreeMap<String, String>, ApiError> {
    RULES.to_map(tags)
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
    RULES.add(&mut cert.tags, request.tags)?;
    certificate_record::save(&mut tx, &cert).await?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({})).resource("AWS::ACM::Certificate", cert.arn))
}

/// Removes each named tag; a tag given with a value is removed only if the value matches.
pub async fn remove_tags_from_certificate(acm: &Acm, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: TagsRequest = from_input(input)?;
    let mut tx = acm.store.begin().await.map_err(store_error)?;
    let mut cert = certificate_record::find(&mut tx, ctx, &request.certificate_arn).await?;
    for tag in &request.tags {
        RULES.check_key(&tag.key)?;
    }
    crate::tags::remove(&mut cert.tags, &request.tags);
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
