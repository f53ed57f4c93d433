//! Instance profiles: the containers that pass one role to an EC2 instance. A profile holds at
//! most one role, and a role in a profile cannot be deleted.

use gateway::{Reply, RequestContext};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use store::{Store, Txn};
use wire::ApiError;

use crate::input::{required, text};

use super::{
    entities::{self, check_path, page, paged_output, EntityKind, Tag},
    error, ids, resource_tags, store_error,
};

const INSTANCE_PROFILES: &str = "iam.instance_profile";
/// AWS's default quota of instance profiles per account.
pub const INSTANCE_PROFILES_QUOTA: usize = 1000;
/// An instance profile holds one role; AWS names the quota after instance sessions.
const ROLES_PER_PROFILE: usize = 1;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InstanceProfile {
    pub account: String,
    pub name: String,
    pub id: String,
    pub path: String,
    pub arn: String,
    pub create_date: f64,
    /// Names of the roles in the profile (at most one).
    #[serde(default)]
    pub roles: Vec<String>,
    #[serde(default)]
    pub tags: Vec<Tag>,
}

fn key(account: &str, name: &str) -> String {
    format!("{account}/{}", name.to_lowercase())
}

fn not_found(name: &str) -> ApiError {
    error("NoSuchEntityException", format!("Instance Profile {name} cannot be found."))
}

async fn load(tx: &mut Txn, account: &str, name: &str) -> Result<InstanceProfile, ApiError> {
    let stored = tx.get(INSTANCE_PROFILES, &key(account, name)).await.map_err(store_error)?;
    stored.and_then(|v| serde_json::from_value(v).ok()).ok_or_else(|| not_found(name))
}

async fn save(tx: &mut Txn, profile: &InstanceProfile) -> Result<(), ApiError> {
    let value = serde_json::to_value(profile).map_err(|e| ApiError::internal(e.to_string()))?;
    tx.put(INSTANCE_PROFILES, &key(&profile.account, &profile.name), &value).await.map_err(store_error)
}

/// Every instance profile of the account, ordered by name.
pub async fn all(tx: &mut Txn, account: &str) -> Result<Vec<InstanceProfile>, ApiError> {
    let rows = tx.scan(INSTANCE_PROFILES, &format!("{account}/"), None, usize::MAX).await.map_err(store_error)?;
    Ok(rows.into_iter().filter_map(|(_, v)| serde_json::from_value(v).ok()).collect())
}

/// The instance profiles that hold the role `role_name`.
pub async fn holding_role(tx: &mut Txn, account: &str, role_name: &str) -> Result<Vec<InstanceProfile>, ApiError> {
    let profiles = all(tx, account).await?;
    Ok(profiles.into_iter().filter(|p| p.roles.iter().any(|r| r.eq_ignore_ascii_case(role_name))).collect())
}

/// The `InstanceProfile` shape, with its roles as IAM shows them (role entities that have since
/// gone are left out).
pub async fn view(tx: &mut Txn, profile: &InstanceProfile, with_tags: bool) -> Result<Value, ApiError> {
    let mut roles = Vec::new();
    for name in &profile.roles {
        if let Ok(role) = entities::load(tx, &profile.account, EntityKind::Role, name).await {
            roles.push(role.view(false));
        }
    }
    let mut out = json!({
        "Path": profile.path,
        "InstanceProfileName": profile.name,
        "InstanceProfileId": profile.id,
        "Arn": profile.arn,
        "CreateDate": profile.create_date,
        "Roles": roles,
    });
    if with_tags && !profile.tags.is_empty() {
        out["Tags"] = json!(profile.tags);
    }
    Ok(out)
}

pub async fn create_instance_profile(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let name = required(&input, "InstanceProfileName")?;
    let path = text(&input, "Path").unwrap_or("/");
    check_path(path)?;
    let account = ctx.account();
    let mut tx = store.begin().await.map_err(store_error)?;
    if tx.get(INSTANCE_PROFILES, &key(account, name)).await.map_err(store_error)?.is_some() {
        return Err(error("EntityAlreadyExistsException", format!("Instance Profile {name} already exists.")));
    }
    if all(&mut tx, account).await?.len() >= INSTANCE_PROFILES_QUOTA {
        return Err(error(
            "LimitExceededException",
            format!("Cannot exceed quota for InstanceProfilesPerAccount: {INSTANCE_PROFILES_QUOTA}"),
        ));
    }
    let mut profile = InstanceProfile {
        account: account.to_owned(),
        name: name.to_owned(),
        id: ids::unique_id("AIPA"),
        path: path.to_owned(),
        arn: format!("arn:aws:iam::{account}:instance-profile{path}{name}"),
        create_date: ctx.time.floor(),
        roles: Vec::new(),
        tags: Vec::new(),
    };
    resource_tags::add(&mut profile.tags, &input)?;
    save(&mut tx, &profile).await?;
    let shown = view(&mut tx, &profile, true).await?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({ "InstanceProfile": shown })).resource("AWS::IAM::InstanceProfile", profile.arn))
}

pub async fn get_instance_profile(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let name = required(&input, "InstanceProfileName")?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let profile = load(&mut tx, ctx.account(), name).await?;
    Ok(Reply::new(json!({ "InstanceProfile": view(&mut tx, &profile, true).await? })))
}

pub async fn delete_instance_profile(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let name = required(&input, "InstanceProfileName")?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let profile = load(&mut tx, ctx.account(), name).await?;
    if !profile.roles.is_empty() {
        return Err(error("DeleteConflictException", "Cannot delete entity, must remove roles from instance profile first."));
    }
    tx.delete(INSTANCE_PROFILES, &key(ctx.account(), name)).await.map_err(store_error)?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({})).resource("AWS::IAM::InstanceProfile", profile.arn))
}

pub async fn add_role_to_instance_profile(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let name = required(&input, "InstanceProfileName")?;
    let role_name = required(&input, "RoleName")?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let mut profile = load(&mut tx, ctx.account(), name).await?;
    let role = entities::load(&mut tx, ctx.account(), EntityKind::Role, role_name).await?;
    if profile.roles.len() >= ROLES_PER_PROFILE {
        return Err(error(
            "LimitExceededException",
            format!("Cannot exceed quota for InstanceSessionsPerInstanceProfile: {ROLES_PER_PROFILE}"),
        ));
    }
    profile.roles.push(role.name);
    save(&mut tx, &profile).await?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({})).resource("AWS::IAM::InstanceProfile", profile.arn))
}

pub async fn remove_role_from_instance_profile(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let name = required(&input, "InstanceProfileName")?;
    let role_name = required(&input, "RoleName")?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let mut profile = load(&mut tx, ctx.account(), name).await?;
    let before = profile.roles.len();
    profile.roles.retain(|r| !r.eq_ignore_ascii_case(role_name));
    if profile.roles.len() == before {
        return Err(entities::no_such_entity(EntityKind::Role, role_name));
    }
    save(&mut tx, &profile).await?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({})).resource("AWS::IAM::InstanceProfile", profile.arn))
}

async fn listed(tx: &mut Txn, profiles: Vec<InstanceProfile>, input: &Value) -> Result<Reply, ApiError> {
    let mut items = Vec::new();
    for profile in &profiles {
        items.push(view(tx, profile, false).await?);
    }
    let keys = profiles.iter().map(|p| p.name.clone()).collect();
    let (items, next) = page(items, keys, input)?;
    Ok(Reply::new(paged_output("InstanceProfiles", items, next)))
}

pub async fn list_instance_profiles(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let prefix = text(&input, "PathPrefix").unwrap_or("/");
    let mut tx = store.begin().await.map_err(store_error)?;
    let profiles = all(&mut tx, ctx.account()).await?.into_iter().filter(|p| p.path.starts_with(prefix)).collect();
    listed(&mut tx, profiles, &input).await
}

pub async fn list_instance_profiles_for_role(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let role_name = required(&input, "RoleName")?;
    let mut tx = store.begin().await.map_err(store_error)?;
    entities::load(&mut tx, ctx.account(), EntityKind::Role, role_name).await?;
    let profiles = holding_role(&mut tx, ctx.account(), role_name).await?;
    listed(&mut tx, profiles, &input).await
}

pub async fn tag_instance_profile(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let name = required(&input, "InstanceProfileName")?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let mut profile = load(&mut tx, ctx.account(), name).await?;
    resource_tags::add(&mut profile.tags, &input)?;
    save(&mut tx, &profile).await?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({})))
}

pub async fn untag_instance_profile(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let name = required(&input, "InstanceProfileName")?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let mut profile = load(&mut tx, ctx.account(), name).await?;
    resource_tags::remove(&mut profile.tags, &input);
    save(&mut tx, &profile).await?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({})))
}

pub async fn list_instance_profile_tags(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let name = required(&input, "InstanceProfileName")?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let profile = load(&mut tx, ctx.account(), name).await?;
    resource_tags::listed(&profile.tags, &input)
}
