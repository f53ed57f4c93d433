//! Inline policies: documents embedded in one user, role or group.

use gateway::{Reply, RequestContext};
use serde_json::{json, Value};
use policy::{parser::PolicySizeLimit, PolicyType};
use store::Store;
use wire::ApiError;

use crate::input::required;

use super::{
    entities::{self, page, paged_output, EntityKind},
    error, policy_document, store_error,
};

fn size_quota(kind: EntityKind) -> PolicySizeLimit {
    match kind {
        EntityKind::User => PolicySizeLimit::InlineUserPolicy,
        EntityKind::Role => PolicySizeLimit::InlineRolePolicy,
        EntityKind::Group => PolicySizeLimit::InlineGroupPolicy,
    }
}

fn name_member(kind: EntityKind) -> &'static str {
    match kind {
        EntityKind::User => "UserName",
        EntityKind::Role => "RoleName",
        EntityKind::Group => "GroupName",
    }
}


/// IAM limits the aggregate size of a principal's inline policies, not each one.
pub async fn put(store: &Store, ctx: &RequestContext, kind: EntityKind, input: Value) -> Result<Reply, ApiError> {
    let name = required(&input, name_member(kind))?;
    let policy_name = required(&input, "PolicyName")?;
    let document = required(&input, "PolicyDocument")?;
    policy_document::check(document, PolicyType::Identity, size_quota(kind))?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let mut entity = entities::load(&mut tx, ctx.account(), kind, name).await?;
    entity.inline_policies.insert(policy_name.to_owned(), document.to_owned());
    policy_document::check_aggregate(entity.inline_policies.values(), size_quota(kind))?;
    entities::save(&mut tx, &entity).await?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({})))
}

pub async fn get(store: &Store, ctx: &RequestContext, kind: EntityKind, input: Value) -> Result<Reply, ApiError> {
    let name = required(&input, name_member(kind))?;
    let policy_name = required(&input, "PolicyName")?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let entity = entities::load(&mut tx, ctx.account(), kind, name).await?;
    let document = entity.inline_policies.get(policy_name).ok_or_else(|| {
        error("NoSuchEntityException", format!("The {} policy with name {policy_name} cannot be found.", kind.noun()))
    })?;
    Ok(Reply::new(json!({
        name_member(kind): entity.name,
        "PolicyName": policy_name,
        "PolicyDocument": policy_document::url_encode(document),
    })))
}

pub async fn delete(store: &Store, ctx: &RequestContext, kind: EntityKind, input: Value) -> Result<Reply, ApiError> {
    let name = required(&input, name_member(kind))?;
    let policy_name = required(&input, "PolicyName")?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let mut entity = entities::load(&mut tx, ctx.account(), kind, name).await?;
    if entity.inline_policies.remove(policy_name).is_none() {
        return Err(error(
            "NoSuchEntityException",
            format!("The {} policy with name {policy_name} cannot be found.", kind.noun()),
        ));
    }
    entities::save(&mut tx, &entity).await?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({})))
}

pub async fn list(store: &Store, ctx: &RequestContext, kind: EntityKind, input: Value) -> Result<Reply, ApiError> {
    let name = required(&input, name_member(kind))?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let entity = entities::load(&mut tx, ctx.account(), kind, name).await?;
    let names: Vec<String> = entity.inline_policies.keys().cloned().collect();
    let (items, next) = page(names.iter().map(|n| json!(n)).collect(), names.clone(), &input)?;
    Ok(Reply::new(paged_output("PolicyNames", items, next)))
}
