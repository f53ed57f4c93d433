//! Managed policies: customer managed policies with up to five versions, and the AWS managed
//! catalog, attachable to users, roles and groups and usable as permissions boundaries.

use std::collections::HashMap;

use gateway::{Reply, RequestContext};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use policy::{parser::PolicySizeLimit, PolicyType};
use store::{Store, Txn};
use wire::ApiError;

use crate::input::{required, text};

use super::{
    aws_managed,
    entities::{self, page, paged_output, EntityKind, Tag},
    error, ids, policy_document, store_error,
};

const POLICIES: &str = "iam.policy";
/// IAM keeps at most five versions of a managed policy.
const MAX_VERSIONS: usize = 5;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PolicyVersion {
    pub version_id: String,
    pub document: String,
    pub create_date: f64,
}

/// A managed policy: a customer's (with `account`) or AWS's.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ManagedPolicy {
    pub account: Option<String>,
    pub name: String,
    pub id: String,
    pub arn: String,
    pub path: String,
    pub description: Option<String>,
    pub default_version_id: String,
    pub versions: Vec<PolicyVersion>,
    /// The number the next version gets (`v3`); IAM never reuses a version id.
    pub next_version: u32,
    pub create_date: f64,
    pub update_date: f64,
    #[serde(default)]
    pub tags: Vec<Tag>,
}

impl ManagedPolicy {
    /// Only the default version of an AWS managed policy is kept: it is the one that grants.
    fn from_catalog(policy: &aws_managed::AwsManagedPolicy) -> Self {
        let date = |text| wire::timestamp::parse_iso8601(text).unwrap_or_default();
        let version_number: u32 = policy.default_version_id.trim_start_matches('v').parse().unwrap_or(1);
        ManagedPolicy {
            account: None,
            name: policy.name.to_owned(),
            id: policy.id.to_owned(),
            arn: policy.arn(),
            path: policy.path.to_owned(),
            description: Some(policy.description.to_owned()),
            default_version_id: policy.default_version_id.to_owned(),
            versions: vec![PolicyVersion {
                version_id: policy.default_version_id.to_owned(),
                document: policy.document.to_owned(),
                create_date: date(policy.updated),
            }],
            next_version: version_number + 1,
            create_date: date(policy.created),
            update_date: date(policy.updated),
            tags: Vec::new(),
        }
    }

    /// The default version's document.
    pub fn document(&self) -> &str {
        self.versions.iter().find(|v| v.version_id == self.default_version_id).map_or("", |v| &v.document)
    }

    fn view(&self, usage: Usage, full: bool) -> Value {
        let mut out = Map::new();
        out.insert("PolicyName".into(), json!(self.name));
        out.insert("PolicyId".into(), json!(self.id));
        out.insert("Arn".into(), json!(self.arn));
        out.insert("Path".into(), json!(self.path));
        out.insert("DefaultVersionId".into(), json!(self.default_version_id));
        out.insert("AttachmentCount".into(), json!(usage.attachments));
        out.insert("PermissionsBoundaryUsageCount".into(), json!(usage.boundaries));
        out.insert("IsAttachable".into(), json!(true));
        out.insert("CreateDate".into(), json!(self.create_date));
        out.insert("UpdateDate".into(), json!(self.update_date));
        if full {
            if let Some(description) = &self.description {
                out.insert("Description".into(), json!(description));
            }
            if !self.tags.is_empty() {
                out.insert("Tags".into(), json!(self.tags));
            }
        }
        Value::Object(out)
    }

    fn version_view(&self, version: &PolicyVersion, with_document: bool) -> Value {
        let mut out = json!({
            "VersionId": version.version_id,
            "IsDefaultVersion": version.version_id == self.default_version_id,
            "CreateDate": version.create_date,
        });
        if with_document {
            out["Document"] = json!(policy_document::url_encode(&version.document));
        }
        out
    }
}

fn policy_key(account: &str, name: &str) -> String {
    format!("{account}/{}", name.to_lowercase())
}

/// The account and name a customer managed policy ARN names.
fn parse_arn(arn: &str) -> Option<(&str, &str)> {
    let rest = arn.strip_prefix("arn:aws:iam::")?;
    let (account, resource) = rest.split_once(':')?;
    let path_and_name = resource.strip_prefix("policy/")?;
    Some((account, path_and_name.rsplit('/').next()?))
}

/// The managed policy `arn` names, if the caller's account can see it.
pub async fn find(tx: &mut Txn, account: &str, arn: &str) -> Result<Option<ManagedPolicy>, ApiError> {
    if let Some(policy) = aws_managed::find(arn) {
        return Ok(Some(ManagedPolicy::from_catalog(policy)));
    }
    let Some((owner, name)) = parse_arn(arn) else { return Ok(None) };
    if owner != account {
        return Ok(None);
    }
    let stored = tx.get(POLICIES, &policy_key(account, name)).await.map_err(store_error)?;
    Ok(stored.and_then(|v| serde_json::from_value::<ManagedPolicy>(v).ok()).filter(|p| p.arn == arn))
}

/// The account's customer managed policies, ordered by name.
pub async fn customer_managed(tx: &mut Txn, account: &str) -> Result<Vec<ManagedPolicy>, ApiError> {
    let rows = tx.scan(POLICIES, &format!("{account}/"), None, usize::MAX).await.map_err(store_error)?;
    Ok(rows.into_iter().filter_map(|(_, v)| serde_json::from_value(v).ok()).collect())
}

fn not_attachable(arn: &str) -> ApiError {
    error("NoSuchEntityException", format!("Policy {arn} does not exist or is not attachable."))
}

/// The ARN of an existing managed policy the account may attach, or IAM's NoSuchEntity.
pub async fn require_attachable(tx: &mut Txn, account: &str, arn: &str) -> Result<String, ApiError> {
    if !arn.starts_with("arn:aws:iam::") {
        return Err(error("InvalidInputException", format!("ARN {arn} is not valid.")));
    }
    match find(tx, account, arn).await? {
        Some(policy) => Ok(policy.arn),
        None => Err(not_attachable(arn)),
    }
}

async fn load(tx: &mut Txn, account: &str, arn: &str) -> Result<ManagedPolicy, ApiError> {
    find(tx, account, arn).await?.ok_or_else(|| error("NoSuchEntityException", format!("Policy {arn} was not found.")))
}

/// A customer managed policy, or IAM's refusal to change an AWS managed one.
async fn load_own(tx: &mut Txn, account: &str, arn: &str) -> Result<ManagedPolicy, ApiError> {
    let policy = load(tx, account, arn).await?;
    if policy.account.is_none() {
        return Err(ApiError::new("AccessDenied", 403, format!("Policy {arn} is an AWS managed policy and cannot be changed.")));
    }
    Ok(policy)
}

async fn save(tx: &mut Txn, policy: &ManagedPolicy) -> Result<(), ApiError> {
    let account = policy.account.as_deref().unwrap_or_default();
    let value = serde_json::to_value(policy).map_err(|e| ApiError::internal(e.to_string()))?;
    tx.put(POLICIES, &policy_key(account, &policy.name), &value).await.map_err(store_error)
}

#[derive(Default, Clone, Copy)]
struct Usage {
    attachments: usize,
    boundaries: usize,
}

/// How many entities attach each policy or use it as their boundary, counted from the entities
/// so the counts can never drift from the attachments.
async fn usage(tx: &mut Txn, account: &str) -> Result<HashMap<String, Usage>, ApiError> {
    let mut counts: HashMap<String, Usage> = HashMap::new();
    for kind in [EntityKind::User, EntityKind::Role, EntityKind::Group] {
        for entity in entities::all(tx, account, kind).await? {
            for arn in entity.attached_policies {
                counts.entry(arn).or_default().attachments += 1;
            }
            if let Some(arn) = entity.permissions_boundary {
                counts.entry(arn).or_default().boundaries += 1;
            }
        }
    }
    Ok(counts)
}



pub async fn create_policy(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let name = required(&input, "PolicyName")?;
    let document = required(&input, "PolicyDocument")?;
    let path = text(&input, "Path").unwrap_or("/");
    policy_document::check(document, PolicyType::Identity, PolicySizeLimit::ManagedPolicy)?;
    let account = ctx.account();
    let mut tx = store.begin().await.map_err(store_error)?;
    if tx.get(POLICIES, &policy_key(account, name)).await.map_err(store_error)?.is_some() {
        return Err(error(
            "EntityAlreadyExistsException",
            format!("A policy called {name} already exists. Duplicate names are not allowed."),
        ));
    }
    let now = ctx.time.floor();
    let policy = ManagedPolicy {
        account: Some(account.to_owned()),
        name: name.to_owned(),
        id: ids::unique_id("ANPA"),
        arn: format!("arn:aws:iam::{account}:policy{path}{name}"),
        path: path.to_owned(),
        description: text(&input, "Description").map(str::to_owned),
        default_version_id: "v1".to_owned(),
        versions: vec![PolicyVersion { version_id: "v1".to_owned(), document: document.to_owned(), create_date: now }],
        next_version: 2,
        create_date: now,
        update_date: now,
        tags: serde_json::from_value(input.get("Tags").cloned().unwrap_or(json!([]))).unwrap_or_default(),
    };
    save(&mut tx, &policy).await?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({ "Policy": policy.view(Usage::default(), true) })).resource("AWS::IAM::Policy", policy.arn))
}

pub async fn get_policy(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let arn = required(&input, "PolicyArn")?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let policy = load(&mut tx, ctx.account(), arn).await?;
    let counts = usage(&mut tx, ctx.account()).await?;
    let used = counts.get(&policy.arn).copied().unwrap_or_default();
    Ok(Reply::new(json!({ "Policy": policy.view(used, true) })))
}

pub async fn list_policies(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let scope = text(&input, "Scope").unwrap_or("All");
    let only_attached = input.get("OnlyAttached").and_then(Value::as_bool).unwrap_or(false);
    let prefix = text(&input, "PathPrefix").unwrap_or("/");
    let usage_filter = text(&input, "PolicyUsageFilter");
    let mut tx = store.begin().await.map_err(store_error)?;
    let mut policies = Vec::new();
    if scope != "Local" {
        policies.extend(aws_managed::CATALOG.iter().map(ManagedPolicy::from_catalog));
    }
    if scope != "AWS" {
        let rows = tx.scan(POLICIES, &format!("{}/", ctx.account()), None, usize::MAX).await.map_err(store_error)?;
        policies.extend(rows.into_iter().filter_map(|(_, v)| serde_json::from_value::<ManagedPolicy>(v).ok()));
    }
    let counts = usage(&mut tx, ctx.account()).await?;
    policies.sort_by(|a, b| a.name.cmp(&b.name));
    let listed: Vec<(String, Value)> = policies
        .iter()
        .filter(|p| p.path.starts_with(prefix))
        .filter_map(|p| {
            let used = counts.get(&p.arn).copied().unwrap_or_default();
            let keep = (!only_attached || used.attachments + used.boundaries > 0)
                && match usage_filter {
                    Some("PermissionsPolicy") => used.attachments > 0 || !only_attached,
                    Some("PermissionsBoundary") => used.boundaries > 0 || !only_attached,
                    _ => true,
                };
            keep.then(|| (p.arn.clone(), p.view(used, false)))
        })
        .collect();
    let (keys, items): (Vec<String>, Vec<Value>) = listed.into_iter().unzip();
    let (items, next) = page(items, keys, &input)?;
    Ok(Reply::new(paged_output("Policies", items, next)))
}

pub async fn delete_policy(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let arn = required(&input, "PolicyArn")?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let policy = load_own(&mut tx, ctx.account(), arn).await?;
    let used = usage(&mut tx, ctx.account()).await?.get(&policy.arn).copied().unwrap_or_default();
    if used.attachments + used.boundaries > 0 {
        return Err(error("DeleteConflictException", "Cannot delete a policy attached to entities."));
    }
    if policy.versions.len() > 1 {
        return Err(error(
            "DeleteConflictException",
            "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.",
        ));
    }
    tx.delete(POLICIES, &policy_key(ctx.account(), &policy.name)).await.map_err(store_error)?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({})).resource("AWS::IAM::Policy", policy.arn))
}

pub async fn create_policy_version(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let arn = required(&input, "PolicyArn")?;
    let document = required(&input, "PolicyDocument")?;
    policy_document::check(document, PolicyType::Identity, PolicySizeLimit::ManagedPolicy)?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let mut policy = load_own(&mut tx, ctx.account(), arn).await?;
    if policy.versions.len() >= MAX_VERSIONS {
        return Err(error(
            "LimitExceededException",
            "A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.",
        ));
    }
    let version = PolicyVersion {
        version_id: format!("v{}", policy.next_version),
        document: document.to_owned(),
        create_date: ctx.time.floor(),
    };
    policy.next_version += 1;
    if input.get("SetAsDefault").and_then(Value::as_bool).unwrap_or(false) {
        policy.default_version_id = version.version_id.clone();
    }
    policy.update_date = ctx.time.floor();
    policy.versions.push(version.clone());
    save(&mut tx, &policy).await?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({ "PolicyVersion": policy.version_view(&version, false) })).resource("AWS::IAM::Policy", policy.arn))
}

fn find_version<'p>(policy: &'p ManagedPolicy, version_id: &str) -> Result<&'p PolicyVersion, ApiError> {
    policy.versions.iter().find(|v| v.version_id == version_id).ok_or_else(|| {
        error("NoSuchEntityException", format!("Policy {} version {version_id} does not exist or is not attachable.", policy.arn))
    })
}

pub async fn get_policy_version(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let arn = required(&input, "PolicyArn")?;
    let version_id = required(&input, "VersionId")?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let policy = load(&mut tx, ctx.account(), arn).await?;
    let version = find_version(&policy, version_id)?;
    Ok(Reply::new(json!({ "PolicyVersion": policy.version_view(version, true) })))
}

pub async fn list_policy_versions(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let arn = required(&input, "PolicyArn")?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let policy = load(&mut tx, ctx.account(), arn).await?;
    let items: Vec<Value> = policy.versions.iter().rev().map(|v| policy.version_view(v, false)).collect();
    let keys = policy.versions.iter().rev().map(|v| v.version_id.clone()).collect();
    let (items, next) = page(items, keys, &input)?;
    Ok(Reply::new(paged_output("Versions", items, next)))
}

pub async fn delete_policy_version(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let arn = required(&input, "PolicyArn")?;
    let version_id = required(&input, "VersionId")?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let mut policy = load_own(&mut tx, ctx.account(), arn).await?;
    find_version(&policy, version_id)?;
    if policy.default_version_id == version_id {
        return Err(error("DeleteConflictException", "Cannot delete the default version of a policy."));
    }
    policy.versions.retain(|v| v.version_id != version_id);
    save(&mut tx, &policy).await?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({})).resource("AWS::IAM::Policy", policy.arn))
}

pub async fn set_default_policy_version(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let arn = required(&input, "PolicyArn")?;
    let version_id = required(&input, "VersionId")?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let mut policy = load_own(&mut tx, ctx.account(), arn).await?;
    find_version(&policy, version_id)?;
    policy.default_version_id = version_id.to_owned();
    policy.update_date = ctx.time.floor();
    save(&mut tx, &policy).await?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({})).resource("AWS::IAM::Policy", policy.arn))
}

pub async fn list_entities_for_policy(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let arn = required(&input, "PolicyArn")?;
    let filter = text(&input, "EntityFilter");
    let usage_filter = text(&input, "PolicyUsageFilter");
    let mut tx = store.begin().await.map_err(store_error)?;
    let policy = load(&mut tx, ctx.account(), arn).await?;
    let mut output = json!({ "PolicyGroups": [], "PolicyUsers": [], "PolicyRoles": [], "IsTruncated": false });
    for (kind, member, wanted) in [
        (EntityKind::Group, "PolicyGroups", "Group"),
        (EntityKind::User, "PolicyUsers", "User"),
        (EntityKind::Role, "PolicyRoles", "Role"),
    ] {
        if filter.is_some_and(|f| f != wanted && f != "LocalManagedPolicy" && f != "AWSManagedPolicy") {
            continue;
        }
        let listed: Vec<Value> = entities::all(&mut tx, ctx.account(), kind)
            .await?
            .into_iter()
            .filter(|e| match usage_filter {
                Some("PermissionsBoundary") => e.permissions_boundary.as_deref() == Some(&policy.arn),
                Some("PermissionsPolicy") => e.attached_policies.contains(&policy.arn),
                _ => e.attached_policies.contains(&policy.arn) || e.permissions_boundary.as_deref() == Some(&policy.arn),
            })
            .map(|e| {
                let view = e.view(false);
                let name_member = format!("{wanted}Name");
                let id_member = format!("{wanted}Id");
                json!({ name_member.clone(): view[&name_member], id_member.clone(): view[&id_member] })
            })
            .collect();
        output[member] = json!(listed);
    }
    Ok(Reply::new(output))
}
