//! Users, roles and groups: the principals and collections IAM attaches policies to. They share
//! one stored shape; what differs by kind (trust policies, group members, access keys) is kept
//! on the kinds that have it.

use std::collections::BTreeMap;

use gateway::{Reply, RequestContext};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use store::{Store, Txn};
use wire::ApiError;

use crate::input::{required, text};

use policy::{parser::PolicySizeLimit, PolicyType};

use super::{error, ids, managed_policies, policy_document, store_error};

pub const ENTITIES: &str = "iam.entity";

/// AWS's default quota of managed policies attached to one user, role or group.
const ATTACHED_POLICIES_QUOTA: usize = 10;
/// AWS's quota of tags on one user or role.
const TAGS_QUOTA: usize = 50;
/// IAM's default page size for List operations.
const DEFAULT_MAX_ITEMS: usize = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum EntityKind {
    User,
    Role,
    Group,
}

impl EntityKind {
    /// The ARN resource type and the word IAM's messages use.
    pub fn noun(self) -> &'static str {
        match self {
            EntityKind::User => "user",
            EntityKind::Role => "role",
            EntityKind::Group => "group",
        }
    }

    /// The request member naming the entity (`UserName`).
    fn name_member(self) -> &'static str {
        match self {
            EntityKind::User => "UserName",
            EntityKind::Role => "RoleName",
            EntityKind::Group => "GroupName",
        }
    }

    fn id_member(self) -> &'static str {
        match self {
            EntityKind::User => "UserId",
            EntityKind::Role => "RoleId",
            EntityKind::Group => "GroupId",
        }
    }

    fn id_prefix(self) -> &'static str {
        match self {
            EntityKind::User => "AIDA",
            EntityKind::Role => "AROA",
            EntityKind::Group => "AGPA",
        }
    }

    /// The member a List operation answers with (`Users`).
    fn plural(self) -> &'static str {
        match self {
            EntityKind::User => "Users",
            EntityKind::Role => "Roles",
            EntityKind::Group => "Groups",
        }
    }

    fn title(self) -> &'static str {
        match self {
            EntityKind::User => "User",
            EntityKind::Role => "Role",
            EntityKind::Group => "Group",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct Tag {
    pub key: String,
    pub value: String,
}

/// A user, role or group as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Entity {
    pub kind: EntityKind,
    pub account: String,
    pub name: String,
    pub id: String,
    pub path: String,
    pub arn: String,
    pub create_date: f64,
    #[serde(default)]
    pub tags: Vec<Tag>,
    /// Inline policies by name.
    #[serde(default)]
    pub inline_policies: BTreeMap<String, String>,
    /// Attached managed policies, by ARN.
    #[serde(default)]
    pub attached_policies: Vec<String>,
    pub permissions_boundary: Option<String>,
    /// Roles: the trust policy, description and session length limit.
    pub assume_role_policy: Option<String>,
    pub description: Option<String>,
    pub max_session_duration: Option<i64>,
    /// Groups: member user names.
    #[serde(default)]
    pub members: Vec<String>,
    /// Users: their access key ids.
    #[serde(default)]
    pub access_keys: Vec<String>,
}

/// Names are unique per account and kind regardless of case, as in IAM.
pub fn entity_key(account: &str, kind: EntityKind, name: &str) -> String {
    format!("{account}/{}/{}", kind.noun(), name.to_lowercase())
}

impl Entity {
    fn boundary_view(&self) -> Option<Value> {
        self.permissions_boundary
            .as_ref()
            .map(|arn| json!({ "PermissionsBoundaryType": "PermissionsBoundaryPolicy", "PermissionsBoundaryArn": arn }))
    }

    /// The `User`/`Role`/`Group` shape; `full` adds what Get operations return and List
    /// operations leave out (tags, boundary, last use).
    pub fn view(&self, full: bool) -> Value {
        let mut out = Map::new();
        out.insert("Path".into(), json!(self.path));
        out.insert(self.kind.name_member().into(), json!(self.name));
        out.insert(self.kind.id_member().into(), json!(self.id));
        out.insert("Arn".into(), json!(self.arn));
        out.insert("CreateDate".into(), json!(self.create_date));
        if self.kind == EntityKind::Role {
            if let Some(document) = &self.assume_role_policy {
                out.insert("AssumeRolePolicyDocument".into(), json!(policy_document::url_encode(document)));
            }
            if let Some(description) = &self.description {
                out.insert("Description".into(), json!(description));
            }
            out.insert("MaxSessionDuration".into(), json!(self.max_session_duration.unwrap_or(3600)));
        }
        if full && self.kind != EntityKind::Group {
            if let Some(boundary) = self.boundary_view() {
                out.insert("PermissionsBoundary".into(), boundary);
            }
            if !self.tags.is_empty() {
                out.insert("Tags".into(), json!(self.tags));
            }
            if self.kind == EntityKind::Role {
                out.insert("RoleLastUsed".into(), json!({}));
            }
        }
        Value::Object(out)
    }
}



pub fn no_such_entity(kind: EntityKind, name: &str) -> ApiError {
    error("NoSuchEntityException", format!("The {} with name {name} cannot be found.", kind.noun()))
}

pub async fn load(tx: &mut Txn, account: &str, kind: EntityKind, name: &str) -> Result<Entity, ApiError> {
    let stored = tx.get(ENTITIES, &entity_key(account, kind, name)).await.map_err(store_error)?;
    let entity = stored.and_then(|v| serde_json::from_value::<Entity>(v).ok());
    entity.ok_or_else(|| no_such_entity(kind, name))
}

pub async fn save(tx: &mut Txn, entity: &Entity) -> Result<(), ApiError> {
    let value = serde_json::to_value(entity).map_err(|e| ApiError::internal(e.to_string()))?;
    tx.put(ENTITIES, &entity_key(&entity.account, entity.kind, &entity.name), &value).await.map_err(store_error)
}

/// Every entity of a kind in the account, ordered by name.
pub async fn all(tx: &mut Txn, account: &str, kind: EntityKind) -> Result<Vec<Entity>, ApiError> {
    let rows = tx.scan(ENTITIES, &format!("{account}/{}/", kind.noun()), None, usize::MAX).await.map_err(store_error)?;
    Ok(rows.into_iter().filter_map(|(_, v)| serde_json::from_value(v).ok()).collect())
}

pub(super) fn check_path(path: &str) -> Result<(), ApiError> {
    if path.starts_with('/') && path.ends_with('/') {
        Ok(())
    } else {
        Err(ApiError::new("ValidationError", 400, format!("The specified value for path is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters: {path}")))
    }
}

pub(super) fn parse_tags(input: &Value) -> Result<Vec<Tag>, ApiError> {
    match input.get("Tags") {
        None => Ok(Vec::new()),
        Some(tags) => serde_json::from_value(tags.clone()).map_err(|e| ApiError::new("ValidationError", 400, e.to_string())),
    }
}

pub(super) fn merge_tags(current: &mut Vec<Tag>, new: Vec<Tag>) -> Result<(), ApiError> {
    for tag in new {
        match current.iter_mut().find(|t| t.key == tag.key) {
            Some(existing) => existing.value = tag.value,
            None => current.push(tag),
        }
    }
    if current.len() > TAGS_QUOTA {
        return Err(error("LimitExceededException", format!("Cannot exceed quota for TagsPerEntity: {TAGS_QUOTA}")));
    }
    Ok(())
}

pub async fn create(store: &Store, ctx: &RequestContext, kind: EntityKind, input: Value) -> Result<Reply, ApiError> {
    let name = required(&input, kind.name_member())?.to_owned();
    let path = text(&input, "Path").unwrap_or("/").to_owned();
    check_path(&path)?;
    let account = ctx.account().to_owned();
    let mut tx = store.begin().await.map_err(store_error)?;
    if tx.get(ENTITIES, &entity_key(&account, kind, &name)).await.map_err(store_error)?.is_some() {
        return Err(error(
            "EntityAlreadyExistsException",
            format!("{} with name {name} already exists.", kind.title()),
        ));
    }
    let mut tags = Vec::new();
    merge_tags(&mut tags, parse_tags(&input)?)?;
    let permissions_boundary = match text(&input, "PermissionsBoundary") {
        Some(arn) => Some(managed_policies::require_attachable(&mut tx, &account, arn).await?),
        None => None,
    };
    let assume_role_policy = match kind {
        EntityKind::Role => {
            let document = required(&input, "AssumeRolePolicyDocument")?;
            policy_document::check(document, PolicyType::Trust, PolicySizeLimit::TrustPolicy)?;
            Some(document.to_owned())
        }
        _ => None,
    };
    let max_session_duration = input.get("MaxSessionDuration").and_then(Value::as_i64);
    let entity = Entity {
        kind,
        arn: format!("arn:aws:iam::{account}:{}{path}{name}", kind.noun()),
        account,
        id: ids::unique_id(kind.id_prefix()),
        name,
        path,
        create_date: ctx.time.floor(),
        tags,
        inline_policies: BTreeMap::new(),
        attached_policies: Vec::new(),
        permissions_boundary,
        assume_role_policy,
        description: text(&input, "Description").map(str::to_owned),
        max_session_duration: (kind == EntityKind::Role).then_some(max_session_duration.unwrap_or(3600)),
        members: Vec::new(),
        access_keys: Vec::new(),
    };
    save(&mut tx, &entity).await?;
    tx.commit().await.map_err(store_error)?;
    let resource = format!("AWS::IAM::{}", kind.title());
    Ok(Reply::new(json!({ kind.title(): entity.view(true) })).resource(&resource, entity.arn))
}

/// GetUser without a name answers for the calling user, as IAM does.
pub async fn get(store: &Store, ctx: &RequestContext, kind: EntityKind, input: Value) -> Result<Reply, ApiError> {
    let name = match (text(&input, kind.name_member()), &ctx.principal.kind) {
        (Some(name), _) => name.to_owned(),
        (None, gateway::principal::PrincipalKind::IamUser { name }) => name.clone(),
        (None, _) => {
            return Err(ApiError::new(
                "ValidationError",
                400,
                format!("Must specify {} when calling with non-User credentials", kind.name_member()),
            ))
        }
    };
    let mut tx = store.begin().await.map_err(store_error)?;
    let entity = load(&mut tx, ctx.account(), kind, &name).await?;
    Ok(Reply::new(json!({ kind.title(): entity.view(true) })))
}

/// One page of `items` (already in order) after `marker`, with IAM's Marker/IsTruncated.
pub fn page(items: Vec<Value>, keys: Vec<String>, input: &Value) -> Result<(Vec<Value>, Option<String>), ApiError> {
    let max_items = input.get("MaxItems").and_then(Value::as_u64).map_or(DEFAULT_MAX_ITEMS, |n| n as usize);
    let start = match text(input, "Marker") {
        Some(marker) => keys
            .iter()
            .position(|k| k.as_str() == marker)
            .map(|i| i + 1)
            .ok_or_else(|| ApiError::new("ValidationError", 400, "Invalid Marker."))?,
        None => 0,
    };
    let end = (start + max_items).min(items.len());
    let next = (end < items.len()).then(|| keys[end - 1].clone());
    Ok((items.into_iter().skip(start).take(end - start).collect(), next))
}

pub fn paged_output(member: &str, items: Vec<Value>, next: Option<String>) -> Value {
    let mut out = json!({ member: items, "IsTruncated": next.is_some() });
    if let Some(marker) = next {
        out["Marker"] = json!(marker);
    }
    out
}

pub async fn list(store: &Store, ctx: &RequestContext, kind: EntityKind, input: Value) -> Result<Reply, ApiError> {
    let prefix = text(&input, "PathPrefix").unwrap_or("/");
    let mut tx = store.begin().await.map_err(store_error)?;
    let entities: Vec<Entity> = all(&mut tx, ctx.account(), kind).await?.into_iter().filter(|e| e.path.starts_with(prefix)).collect();
    let keys = entities.iter().map(|e| e.name.clone()).collect();
    let (items, next) = page(entities.iter().map(|e| e.view(false)).collect(), keys, &input)?;
    Ok(Reply::new(paged_output(kind.plural(), items, next)))
}

pub async fn delete(store: &Store, ctx: &RequestContext, kind: EntityKind, input: Value) -> Result<Reply, ApiError> {
    let name = required(&input, kind.name_member())?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let entity = load(&mut tx, ctx.account(), kind, name).await?;
    let conflict = |message: &str| Err(error("DeleteConflictException", message.to_owned()));
    if !entity.inline_policies.is_empty() {
        return conflict("Cannot delete entity, must delete policies first.");
    }
    if !entity.attached_policies.is_empty() {
        return conflict("Cannot delete entity, must detach all policies first.");
    }
    if !entity.access_keys.is_empty() {
        return conflict("Cannot delete entity, must delete access keys first.");
    }
    if !entity.members.is_empty() {
        return conflict("Cannot delete entity, must remove users from group first.");
    }
    if kind == EntityKind::User && super::login_profiles::of_user(&mut tx, ctx.account(), name).await?.is_some() {
        return conflict("Cannot delete entity, must delete login profile first.");
    }
    if kind == EntityKind::Role && !super::instance_profiles::holding_role(&mut tx, ctx.account(), name).await?.is_empty() {
        return conflict("Cannot delete entity, must remove roles from instance profile first.");
    }
    if kind == EntityKind::User {
        let groups = all(&mut tx, ctx.account(), EntityKind::Group).await?;
        if groups.iter().any(|g| g.members.iter().any(|m| m.eq_ignore_ascii_case(name))) {
            return conflict("Cannot delete entity, must remove user from all groups first.");
        }
    }
    tx.delete(ENTITIES, &entity_key(ctx.account(), kind, name)).await.map_err(store_error)?;
    tx.commit().await.map_err(store_error)?;
    let resource = format!("AWS::IAM::{}", kind.title());
    Ok(Reply::new(json!({})).resource(&resource, entity.arn))
}

pub async fn update_role(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let name = required(&input, "RoleName")?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let mut role = load(&mut tx, ctx.account(), EntityKind::Role, name).await?;
    if let Some(description) = text(&input, "Description") {
        role.description = Some(description.to_owned());
    }
    if let Some(duration) = input.get("MaxSessionDuration").and_then(Value::as_i64) {
        role.max_session_duration = Some(duration);
    }
    save(&mut tx, &role).await?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({})).resource("AWS::IAM::Role", role.arn))
}

pub async fn update_assume_role_policy(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let name = required(&input, "RoleName")?;
    let document = required(&input, "PolicyDocument")?;
    policy_document::check(document, PolicyType::Trust, PolicySizeLimit::TrustPolicy)?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let mut role = load(&mut tx, ctx.account(), EntityKind::Role, name).await?;
    role.assume_role_policy = Some(document.to_owned());
    save(&mut tx, &role).await?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({})).resource("AWS::IAM::Role", role.arn))
}

pub async fn add_user_to_group(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let (group_name, user_name) = (required(&input, "GroupName")?, required(&input, "UserName")?);
    let mut tx = store.begin().await.map_err(store_error)?;
    let mut group = load(&mut tx, ctx.account(), EntityKind::Group, group_name).await?;
    let user = load(&mut tx, ctx.account(), EntityKind::User, user_name).await?;
    if !group.members.iter().any(|m| m.eq_ignore_ascii_case(&user.name)) {
        group.members.push(user.name);
        save(&mut tx, &group).await?;
        tx.commit().await.map_err(store_error)?;
    }
    Ok(Reply::new(json!({})).resource("AWS::IAM::Group", group.arn))
}

pub async fn remove_user_from_group(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let (group_name, user_name) = (required(&input, "GroupName")?, required(&input, "UserName")?);
    let mut tx = store.begin().await.map_err(store_error)?;
    let mut group = load(&mut tx, ctx.account(), EntityKind::Group, group_name).await?;
    load(&mut tx, ctx.account(), EntityKind::User, user_name).await?;
    let before = group.members.len();
    group.members.retain(|m| !m.eq_ignore_ascii_case(user_name));
    if group.members.len() == before {
        return Err(no_such_entity(EntityKind::User, user_name));
    }
    save(&mut tx, &group).await?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({})).resource("AWS::IAM::Group", group.arn))
}

/// The groups a user belongs to, for ListGroupsForUser and for evaluating the user's policies.
pub async fn groups_of(tx: &mut Txn, account: &str, user_name: &str) -> Result<Vec<Entity>, ApiError> {
    let groups = all(tx, account, EntityKind::Group).await?;
    Ok(groups.into_iter().filter(|g| g.members.iter().any(|m| m.eq_ignore_ascii_case(user_name))).collect())
}

pub async fn list_groups_for_user(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let user_name = required(&input, "UserName")?;
    let mut tx = store.begin().await.map_err(store_error)?;
    load(&mut tx, ctx.account(), EntityKind::User, user_name).await?;
    let groups = groups_of(&mut tx, ctx.account(), user_name).await?;
    let keys = groups.iter().map(|g| g.name.clone()).collect();
    let (items, next) = page(groups.iter().map(|g| g.view(false)).collect(), keys, &input)?;
    Ok(Reply::new(paged_output("Groups", items, next)))
}

pub async fn get_group(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let name = required(&input, "GroupName")?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let group = load(&mut tx, ctx.account(), EntityKind::Group, name).await?;
    let mut users = Vec::new();
    for member in &group.members {
        if let Ok(user) = load(&mut tx, ctx.account(), EntityKind::User, member).await {
            users.push(user);
        }
    }
    let keys = users.iter().map(|u| u.name.clone()).collect();
    let (items, next) = page(users.iter().map(|u| u.view(false)).collect(), keys, &input)?;
    let mut output = paged_output("Users", items, next);
    output["Group"] = group.view(false);
    Ok(Reply::new(output))
}

pub async fn tag(store: &Store, ctx: &RequestContext, kind: EntityKind, input: Value) -> Result<Reply, ApiError> {
    let name = required(&input, kind.name_member())?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let mut entity = load(&mut tx, ctx.account(), kind, name).await?;
    merge_tags(&mut entity.tags, parse_tags(&input)?)?;
    save(&mut tx, &entity).await?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({})))
}

pub async fn untag(store: &Store, ctx: &RequestContext, kind: EntityKind, input: Value) -> Result<Reply, ApiError> {
    let name = required(&input, kind.name_member())?;
    let keys: Vec<String> = serde_json::from_value(input.get("TagKeys").cloned().unwrap_or_default()).unwrap_or_default();
    let mut tx = store.begin().await.map_err(store_error)?;
    let mut entity = load(&mut tx, ctx.account(), kind, name).await?;
    entity.tags.retain(|t| !keys.contains(&t.key));
    save(&mut tx, &entity).await?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({})))
}

pub async fn list_tags(store: &Store, ctx: &RequestContext, kind: EntityKind, input: Value) -> Result<Reply, ApiError> {
    let name = required(&input, kind.name_member())?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let entity = load(&mut tx, ctx.account(), kind, name).await?;
    let keys = entity.tags.iter().map(|t| t.key.clone()).collect();
    let (items, next) = page(entity.tags.iter().map(|t| json!(t)).collect(), keys, &input)?;
    Ok(Reply::new(paged_output("Tags", items, next)))
}

pub async fn put_boundary(store: &Store, ctx: &RequestContext, kind: EntityKind, input: Value) -> Result<Reply, ApiError> {
    let name = required(&input, kind.name_member())?;
    let arn = required(&input, "PermissionsBoundary")?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let mut entity = load(&mut tx, ctx.account(), kind, name).await?;
    entity.permissions_boundary = Some(managed_policies::require_attachable(&mut tx, ctx.account(), arn).await?);
    save(&mut tx, &entity).await?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({})))
}

pub async fn delete_boundary(store: &Store, ctx: &RequestContext, kind: EntityKind, input: Value) -> Result<Reply, ApiError> {
    let name = required(&input, kind.name_member())?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let mut entity = load(&mut tx, ctx.account(), kind, name).await?;
    if entity.permissions_boundary.take().is_none() {
        return Err(error(
            "NoSuchEntityException",
            format!("The {} with name {name} does not have a permissions boundary.", kind.noun()),
        ));
    }
    save(&mut tx, &entity).await?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({})))
}

pub async fn attach(store: &Store, ctx: &RequestContext, kind: EntityKind, input: Value) -> Result<Reply, ApiError> {
    let name = required(&input, kind.name_member())?;
    let arn = required(&input, "PolicyArn")?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let mut entity = load(&mut tx, ctx.account(), kind, name).await?;
    let arn = managed_policies::require_attachable(&mut tx, ctx.account(), arn).await?;
    if !entity.attached_policies.contains(&arn) {
        if entity.attached_policies.len() >= ATTACHED_POLICIES_QUOTA {
            return Err(error(
                "LimitExceededException",
                format!("Cannot exceed quota for PoliciesPer{}: {ATTACHED_POLICIES_QUOTA}", kind.title()),
            ));
        }
        entity.attached_policies.push(arn.clone());
        save(&mut tx, &entity).await?;
        tx.commit().await.map_err(store_error)?;
    }
    Ok(Reply::new(json!({})).resource("AWS::IAM::Policy", arn))
}

pub async fn detach(store: &Store, ctx: &RequestContext, kind: EntityKind, input: Value) -> Result<Reply, ApiError> {
    let name = required(&input, kind.name_member())?;
    let arn = required(&input, "PolicyArn")?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let mut entity = load(&mut tx, ctx.account(), kind, name).await?;
    let before = entity.attached_policies.len();
    entity.attached_policies.retain(|a| a != arn);
    if entity.attached_policies.len() == before {
        return Err(error("NoSuchEntityException", format!("Policy {arn} was not found.")));
    }
    save(&mut tx, &entity).await?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({})).resource("AWS::IAM::Policy", arn))
}

pub async fn list_attached(store: &Store, ctx: &RequestContext, kind: EntityKind, input: Value) -> Result<Reply, ApiError> {
    let name = required(&input, kind.name_member())?;
    let prefix = text(&input, "PathPrefix").unwrap_or("/");
    let mut tx = store.begin().await.map_err(store_error)?;
    let entity = load(&mut tx, ctx.account(), kind, name).await?;
    let mut attached = Vec::new();
    for arn in &entity.attached_policies {
        if let Some(policy) = managed_policies::find(&mut tx, ctx.account(), arn).await? {
            if policy.path.starts_with(prefix) {
                attached.push(json!({ "PolicyName": policy.name, "PolicyArn": policy.arn }));
            }
        }
    }
    let keys = attached.iter().map(|p| p["PolicyArn"].as_str().unwrap_or_default().to_owned()).collect();
    let (items, next) = page(attached, keys, &input)?;
    Ok(Reply::new(paged_output("AttachedPolicies", items, next)))
}
