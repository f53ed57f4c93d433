//! The account as IAM sees it: its alias, the summary of its entities and quotas, and the
//! full snapshot of its authorization details.

use std::collections::{BTreeMap, HashMap};

use gateway::{Reply, RequestContext};
use serde_json::{json, Map, Value};
use store::{Store, Txn};
use wire::ApiError;

use crate::input::required;

use super::{
    entities::{self, page, Entity, EntityKind},
    error, instance_profiles, managed_policies, mfa, oidc_providers, policy_document, saml_providers, store_error,
};

/// Alias → account (aliases are unique across all accounts) and account → alias.
const ALIASES: &str = "iam.account_alias";

fn alias_key(alias: &str) -> String {
    format!("alias/{alias}")
}

fn account_key(account: &str) -> String {
    format!("account/{account}")
}

async fn alias_of(tx: &mut Txn, account: &str) -> Result<Option<String>, ApiError> {
    let stored = tx.get(ALIASES, &account_key(account)).await.map_err(store_error)?;
    Ok(stored.and_then(|v| v.as_str().map(str::to_owned)))
}

pub async fn create_account_alias(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let alias = required(&input, "AccountAlias")?;
    let account = ctx.account();
    let mut tx = store.begin().await.map_err(store_error)?;
    let owner = tx.get(ALIASES, &alias_key(alias)).await.map_err(store_error)?;
    match owner.as_ref().and_then(Value::as_str) {
        Some(owner) if owner == account => return Ok(Reply::new(json!({}))),
        Some(_) => return Err(error("EntityAlreadyExistsException", format!("The account alias {alias} already exists."))),
        None => {}
    }
    if alias_of(&mut tx, account).await?.is_some() {
        return Err(error("LimitExceededException", "Cannot exceed quota for AccountAliasesPerAccount: 1"));
    }
    tx.put(ALIASES, &alias_key(alias), &json!(account)).await.map_err(store_error)?;
    tx.put(ALIASES, &account_key(account), &json!(alias)).await.map_err(store_error)?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({})))
}

pub async fn delete_account_alias(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let alias = required(&input, "AccountAlias")?;
    let account = ctx.account();
    let mut tx = store.begin().await.map_err(store_error)?;
    if alias_of(&mut tx, account).await?.as_deref() != Some(alias) {
        return Err(error("NoSuchEntityException", format!("The account alias {alias} cannot be found.")));
    }
    tx.delete(ALIASES, &alias_key(alias)).await.map_err(store_error)?;
    tx.delete(ALIASES, &account_key(account)).await.map_err(store_error)?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({})))
}

pub async fn list_account_aliases(store: &Store, ctx: &RequestContext) -> Result<Reply, ApiError> {
    let mut tx = store.begin().await.map_err(store_error)?;
    let aliases: Vec<String> = alias_of(&mut tx, ctx.account()).await?.into_iter().collect();
    Ok(Reply::new(json!({ "AccountAliases": aliases, "IsTruncated": false })))
}

/// AWS's default IAM quotas, as GetAccountSummary reports them.
const QUOTAS: &[(&str, u64)] = &[
    ("UsersQuota", 5000),
    ("GroupsQuota", 300),
    ("RolesQuota", 1000),
    ("PoliciesQuota", 1500),
    ("InstanceProfilesQuota", instance_profiles::INSTANCE_PROFILES_QUOTA as u64),
    ("ServerCertificatesQuota", 20),
    ("UserPolicySizeQuota", 2048),
    ("GroupPolicySizeQuota", 5120),
    ("RolePolicySizeQuota", 10240),
    ("PolicySizeQuota", 6144),
    ("AssumeRolePolicySizeQuota", 2048),
    ("GroupsPerUserQuota", 10),
    ("SigningCertificatesPerUserQuota", 2),
    ("AccessKeysPerUserQuota", 2),
    ("AttachedPoliciesPerUserQuota", 10),
    ("AttachedPoliciesPerGroupQuota", 10),
    ("AttachedPoliciesPerRoleQuota", 10),
    ("PolicyVersionsInUseQuota", 10000),
    ("VersionsPerPolicyQuota", 5),
    ("GlobalEndpointTokenVersion", 1),
];

pub async fn get_account_summary(store: &Store, ctx: &RequestContext) -> Result<Reply, ApiError> {
    let account = ctx.account();
    let mut tx = store.begin().await.map_err(store_error)?;
    let users = entities::all(&mut tx, account, EntityKind::User).await?;
    let groups = entities::all(&mut tx, account, EntityKind::Group).await?.len();
    let roles = entities::all(&mut tx, account, EntityKind::Role).await?.len();
    let policies = managed_policies::customer_managed(&mut tx, account).await?;
    let instance_profiles = instance_profiles::all(&mut tx, account).await?.len();
    let providers = oidc_providers::all(&mut tx, account).await?.len() + saml_providers::all(&mut tx, account).await?.len();
    let devices = tx.scan(mfa::DEVICES, &format!("arn:aws:iam::{account}:mfa"), None, usize::MAX).await.map_err(store_error)?;
    let devices: Vec<mfa::MfaDevice> = devices.into_iter().filter_map(|(_, v)| serde_json::from_value(v).ok()).collect();
    let mut summary: BTreeMap<&str, u64> = QUOTAS.iter().copied().collect();
    summary.insert("Users", users.len() as u64);
    summary.insert("Groups", groups as u64);
    summary.insert("Roles", roles as u64);
    summary.insert("Policies", policies.len() as u64);
    summary.insert("PolicyVersionsInUse", policies.iter().map(|p| p.versions.len() as u64).sum());
    summary.insert("InstanceProfiles", instance_profiles as u64);
    summary.insert("Providers", providers as u64);
    summary.insert("MFADevices", devices.len() as u64);
    summary.insert("MFADevicesInUse", devices.iter().filter(|d| d.user_name.is_some()).count() as u64);
    // The root user here has no MFA device, access keys of its own, password or certificates:
    // it signs with the built-in `test` key.
    summary.insert("AccountMFAEnabled", 0);
    summary.insert("AccountAccessKeysPresent", 0);
    summary.insert("AccountPasswordPresent", 0);
    summary.insert("AccountSigningCertificatesPresent", 0);
    summary.insert("ServerCertificates", 0);
    Ok(Reply::new(json!({ "SummaryMap": summary })))
}

fn inline_policy_list(entity: &Entity) -> Vec<Value> {
    entity
        .inline_policies
        .iter()
        .map(|(name, document)| json!({ "PolicyName": name, "PolicyDocument": policy_document::url_encode(document) }))
        .collect()
}

/// A managed policy's name is the last segment of its ARN.
fn attached_policy_list(entity: &Entity) -> Vec<Value> {
    entity
        .attached_policies
        .iter()
        .map(|arn| json!({ "PolicyName": arn.rsplit('/').next().unwrap_or(arn), "PolicyArn": arn }))
        .collect()
}

/// The `*Detail` shape: the entity's own members plus its policies.
fn entity_detail(entity: &Entity, policy_list_member: &str) -> Map<String, Value> {
    let Value::Object(mut detail) = entity.view(entity.kind != EntityKind::Group) else { return Map::new() };
    detail.insert(policy_list_member.into(), json!(inline_policy_list(entity)));
    detail.insert("AttachedManagedPolicies".into(), json!(attached_policy_list(entity)));
    detail
}

#[derive(Default, Clone, Copy)]
struct Usage {
    attachments: usize,
    boundaries: usize,
}

fn policy_detail(policy: &managed_policies::ManagedPolicy, usage: Usage) -> Value {
    let versions: Vec<Value> = policy
        .versions
        .iter()
        .map(|v| {
            json!({
                "Document": policy_document::url_encode(&v.document),
                "VersionId": v.version_id,
                "IsDefaultVersion": v.version_id == policy.default_version_id,
                "CreateDate": v.create_date,
            })
        })
        .collect();
    let mut detail = json!({
        "PolicyName": policy.name,
        "PolicyId": policy.id,
        "Arn": policy.arn,
        "Path": policy.path,
        "DefaultVersionId": policy.default_version_id,
        "AttachmentCount": usage.attachments,
        "PermissionsBoundaryUsageCount": usage.boundaries,
        "IsAttachable": true,
        "CreateDate": policy.create_date,
        "UpdateDate": policy.update_date,
        "PolicyVersionList": versions,
    });
    if let Some(description) = &policy.description {
        detail["Description"] = json!(description);
    }
    detail
}

/// One item of the snapshot: which list it belongs in, its pagination key and its detail.
struct DetailItem {
    list: &'static str,
    key: String,
    detail: Value,
}

/// Users (with their groups), groups, roles (with their instance profiles) and managed
/// policies (customer managed ones, and AWS managed ones in use), filtered by `Filter` and
/// paginated across all lists together, as IAM does.
pub async fn get_account_authorization_details(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let filters: Vec<&str> = input.get("Filter").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect();
    let wanted = |kind: &str| filters.is_empty() || filters.contains(&kind);
    let account = ctx.account();
    let mut tx = store.begin().await.map_err(store_error)?;
    let users = entities::all(&mut tx, account, EntityKind::User).await?;
    let groups = entities::all(&mut tx, account, EntityKind::Group).await?;
    let roles = entities::all(&mut tx, account, EntityKind::Role).await?;
    let mut usage: HashMap<String, Usage> = HashMap::new();
    for entity in users.iter().chain(&groups).chain(&roles) {
        for arn in &entity.attached_policies {
            usage.entry(arn.clone()).or_default().attachments += 1;
        }
        if let Some(arn) = &entity.permissions_boundary {
            usage.entry(arn.clone()).or_default().boundaries += 1;
        }
    }
    let mut items = Vec::new();
    if wanted("User") {
        for user in &users {
            let mut detail = entity_detail(user, "UserPolicyList");
            let member_of: Vec<&str> =
                groups.iter().filter(|g| g.members.iter().any(|m| m.eq_ignore_ascii_case(&user.name))).map(|g| g.name.as_str()).collect();
            detail.insert("GroupList".into(), json!(member_of));
            items.push(DetailItem { list: "UserDetailList", key: format!("user/{}", user.name), detail: Value::Object(detail) });
        }
    }
    if wanted("Group") {
        for group in &groups {
            let detail = Value::Object(entity_detail(group, "GroupPolicyList"));
            items.push(DetailItem { list: "GroupDetailList", key: format!("group/{}", group.name), detail });
        }
    }
    if wanted("Role") {
        for role in &roles {
            let mut detail = entity_detail(role, "RolePolicyList");
            let mut profiles = Vec::new();
            for profile in instance_profiles::holding_role(&mut tx, account, &role.name).await? {
                profiles.push(instance_profiles::view(&mut tx, &profile, false).await?);
            }
            detail.insert("InstanceProfileList".into(), json!(profiles));
            items.push(DetailItem { list: "RoleDetailList", key: format!("role/{}", role.name), detail: Value::Object(detail) });
        }
    }
    if wanted("LocalManagedPolicy") {
        for policy in managed_policies::customer_managed(&mut tx, account).await? {
            let detail = policy_detail(&policy, usage.get(&policy.arn).copied().unwrap_or_default());
            items.push(DetailItem { list: "Policies", key: policy.arn, detail });
        }
    }
    if wanted("AWSManagedPolicy") {
        let mut in_use: Vec<&String> = usage.keys().filter(|arn| arn.starts_with("arn:aws:iam::aws:policy/")).collect();
        in_use.sort();
        for arn in in_use {
            if let Some(policy) = managed_policies::find(&mut tx, account, arn).await? {
                let detail = policy_detail(&policy, usage[arn]);
                items.push(DetailItem { list: "Policies", key: policy.arn, detail });
            }
        }
    }
    let keys = items.iter().map(|i| i.key.clone()).collect();
    let lists: Vec<&'static str> = items.iter().map(|i| i.list).collect();
    let positions: Vec<Value> = (0..items.len()).map(|i| json!(i)).collect();
    let (shown, next) = page(positions, keys, &input)?;
    let mut details: Vec<Option<Value>> = items.into_iter().map(|i| Some(i.detail)).collect();
    let mut output = json!({
        "UserDetailList": [], "GroupDetailList": [], "RoleDetailList": [], "Policies": [],
        "IsTruncated": next.is_some(),
    });
    for position in shown.iter().filter_map(Value::as_u64).map(|p| p as usize) {
        if let (Some(list), Some(detail)) = (output[lists[position]].as_array_mut(), details[position].take()) {
            list.push(detail);
        }
    }
    if let Some(marker) = next {
        output["Marker"] = json!(marker);
    }
    Ok(Reply::new(output))
}
