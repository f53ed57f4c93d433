//! ReplicateKey: a multi-Region primary key's copy in another region, with the same key id and
//! the same material, so either decrypts what the other encrypted.

use gateway::{Reply, RequestContext};
use serde::Deserialize;
use serde_json::{json, Value};
use store::{Sealer, Store};
use wire::ApiError;

use super::{
    error,
    key_policies::check_new_policy,
    key_record::{self, key_arn},
    key_ref, store_error,
    tags::{tag_list, tag_map, Tag},
};
use crate::input::from_input;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ReplicateKeyRequest {
    key_id: String,
    replica_region: String,
    policy: Option<String>,
    bypass_policy_lockout_safety_check: Option<bool>,
    description: Option<String>,
    tags: Option<Vec<Tag>>,
}

pub async fn replicate_key(store: &Store, sealer: &Sealer, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: ReplicateKeyRequest = from_input(input)?;
    let region = request.replica_region;
    if let Some(policy) = &request.policy {
        check_new_policy(ctx, policy, request.bypass_policy_lockout_safety_check.unwrap_or(false))?;
    }
    let tags = request.tags.map(tag_map).transpose()?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let mut primary = key_ref::find_key_by_id(&mut tx, ctx, &request.key_id).await?;
    let Some(links) = primary.multi_region.clone() else {
        return Err(error("UnsupportedOperationException", format!("{} is not a multi-Region key.", primary.arn)));
    };
    if links.primary_region != primary.region {
        return Err(error(
            "UnsupportedOperationException",
            format!("{} is a replica key: replicate its primary key in {}.", primary.arn, links.primary_region),
        ));
    }
    primary.require_not_pending()?;
    if region == primary.region {
        return Err(error("ValidationException", format!("The replica region {region} is the primary key's region.")));
    }
    if links.replica_regions.contains(&region)
        || key_record::load(&mut tx, &primary.account, &region, &primary.key_id, ctx.time).await?.is_some()
    {
        return Err(error(
            "AlreadyExistsException",
            format!("Key {} already exists", key_arn(&region, &primary.account, &primary.key_id)),
        ));
    }

    let mut replica = key_record::new_replica(&primary, &region, ctx.time);
    for sealed in &primary.materials {
        let material = primary
            .material(sealer, &sealed.id)?
            .ok_or_else(|| ApiError::internal(format!("{} lost material {}", primary.arn, sealed.id)))?;
        replica.push_material(sealer, &sealed.id, &material, ctx.time);
    }
    if let Some(policy) = request.policy {
        replica.policy = policy;
    }
    if let Some(description) = request.description {
        replica.description = description;
    }
    if let Some(tags) = tags {
        replica.tags = tags;
    }
    let mut family = links;
    family.replica_regions.push(region.clone());
    for member_region in &family.replica_regions {
        if member_region == &region {
            continue;
        }
        if let Some(mut member) = key_record::load(&mut tx, &primary.account, member_region, &primary.key_id, ctx.time).await? {
            member.multi_region = Some(family.clone());
            key_record::save(&mut tx, &member).await?;
        }
    }
    primary.multi_region = Some(family.clone());
    replica.multi_region = Some(family);
    key_record::save(&mut tx, &primary).await?;
    key_record::save(&mut tx, &replica).await?;
    tx.commit().await.map_err(store_error)?;
    let out = json!({
        "ReplicaKeyMetadata": replica.metadata(),
        "ReplicaPolicy": replica.policy,
        "ReplicaTags": tag_list(&replica.tags),
    });
    Ok(Reply::new(out).resource("AWS::KMS::Key", primary.arn).resource("AWS::KMS::Key", replica.arn))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UpdatePrimaryRegionRequest {
    key_id: String,
    primary_region: String,
}

/// Makes the replica in `PrimaryRegion` the family's primary key; the old primary becomes a
/// replica. Every member keeps the whole family list, so each is rewritten.
pub async fn update_primary_region(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: UpdatePrimaryRegionRequest = from_input(input)?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let primary = key_ref::find_key_by_id(&mut tx, ctx, &request.key_id).await?;
    let Some(links) = primary.multi_region.clone() else {
        return Err(error("UnsupportedOperationException", format!("{} is not a multi-Region key.", primary.arn)));
    };
    if links.primary_region != primary.region {
        return Err(error(
            "UnsupportedOperationException",
            format!("{} is a replica key: update the primary Region through the primary key in {}.", primary.arn, links.primary_region),
        ));
    }
    primary.require_not_pending()?;
    if request.primary_region == primary.region {
        return Ok(Reply::new(json!({})).resource("AWS::KMS::Key", primary.arn));
    }
    if !links.replica_regions.contains(&request.primary_region) {
        return Err(error(
            "NotFoundException",
            format!("Key {} does not exist", key_arn(&request.primary_region, &primary.account, &primary.key_id)),
        ));
    }
    let mut family = links.clone();
    family.replica_regions.retain(|r| r != &request.primary_region);
    family.replica_regions.push(primary.region.clone());
    family.primary_region = request.primary_region.clone();
    for region in std::iter::once(&links.primary_region).chain(&links.replica_regions) {
        if let Some(mut member) = key_record::load(&mut tx, &primary.account, region, &primary.key_id, ctx.time).await? {
            member.multi_region = Some(family.clone());
            key_record::save(&mut tx, &member).await?;
        }
    }
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({})).resource("AWS::KMS::Key", primary.arn))
}
