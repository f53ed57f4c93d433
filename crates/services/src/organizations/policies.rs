//! Organization policies (service control policies and resource control policies): created,
//! attached to the root, OUs and accounts, and enabled per root.

use gateway::{Reply, RequestContext};
use serde_json::{json, Value};
use store::Store;
use wire::ApiError;

use crate::input::text;

use super::{error, random_id, require_management, require_organization, save, store_error, Organization, OrgPolicy, FULL_AWS_ACCESS_ID};

const POLICY_TYPES: &[&str] = &["SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY"];


fn summary(org: &Organization, policy: &OrgPolicy) -> Value {
    let arn = if policy.aws_managed {
        format!("arn:aws:organizations::aws:policy/{}/{}", policy.kind.to_lowercase(), policy.id)
    } else {
        format!("arn:aws:organizations::{}:policy/{}/{}/{}", org.management_account, org.id, policy.kind.to_lowercase(), policy.id)
    };
    json!({
        "Id": policy.id,
        "Arn": arn,
        "Name": policy.name,
        "Description": policy.description,
        "Type": policy.kind,
        "AwsManaged": policy.aws_managed,
    })
}

fn policy_not_found(id: &str) -> ApiError {
    error("PolicyNotFoundException", format!("We can't find a policy with the PolicyId {id}."))
}

fn policy_type(kind: &str) -> policy::PolicyType {
    if kind == "RESOURCE_CONTROL_POLICY" {
        policy::PolicyType::ResourceControl
    } else {
        policy::PolicyType::ServiceControl
    }
}

pub async fn create_policy(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let kind = text(&input, "Type").unwrap_or("SERVICE_CONTROL_POLICY").to_owned();
    let content = text(&input, "Content").unwrap_or_default().to_owned();
    if !POLICY_TYPES.contains(&kind.as_str()) {
        return Err(error("PolicyTypeNotAvailableForOrganizationException", format!("Policy type {kind} is not supported.")));
    }
    policy::parse_policy(&content, policy_type(&kind)).map_err(|e| error("MalformedPolicyDocumentException", e.message()))?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let mut org = require_organization(&mut tx, ctx).await?;
    require_management(ctx, &org)?;
    let created = OrgPolicy {
        id: random_id("p-", 8),
        name: text(&input, "Name").unwrap_or_default().to_owned(),
        description: text(&input, "Description").unwrap_or_default().to_owned(),
        kind,
        content,
        aws_managed: false,
    };
    let view = json!({ "Policy": { "PolicySummary": summary(&org, &created), "Content": created.content } });
    org.policies.insert(created.id.clone(), created);
    save(&mut tx, &org).await?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(view))
}

pub async fn describe_policy(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let id = text(&input, "PolicyId").unwrap_or_default();
    let mut tx = store.begin().await.map_err(store_error)?;
    let org = require_organization(&mut tx, ctx).await?;
    let found = org.policies.get(id).ok_or_else(|| policy_not_found(id))?;
    Ok(Reply::new(json!({ "Policy": { "PolicySummary": summary(&org, found), "Content": found.content } })))
}

pub async fn list_policies(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let filter = text(&input, "Filter").unwrap_or("SERVICE_CONTROL_POLICY");
    let mut tx = store.begin().await.map_err(store_error)?;
    let org = require_organization(&mut tx, ctx).await?;
    let listed: Vec<Value> = org.policies.values().filter(|p| p.kind == filter).map(|p| summary(&org, p)).collect();
    Ok(Reply::new(json!({ "Policies": listed })))
}

pub async fn delete_policy(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let id = text(&input, "PolicyId").unwrap_or_default().to_owned();
    let mut tx = store.begin().await.map_err(store_error)?;
    let mut org = require_organization(&mut tx, ctx).await?;
    require_management(ctx, &org)?;
    let found = org.policies.get(&id).ok_or_else(|| policy_not_found(&id))?;
    if found.aws_managed {
        return Err(error("ConstraintViolationException", "You cannot delete an AWS managed policy."));
    }
    if org.attachments.values().any(|ids| ids.contains(&id)) {
        return Err(error("PolicyInUseException", "The policy is attached to one or more entities. You must detach it from all roots, OUs, and accounts before performing this operation."));
    }
    org.policies.remove(&id);
    save(&mut tx, &org).await?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({})))
}

pub async fn attach_policy(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let id = text(&input, "PolicyId").unwrap_or_default().to_owned();
    let target = text(&input, "TargetId").unwrap_or_default().to_owned();
    let mut tx = store.begin().await.map_err(store_error)?;
    let mut org = require_organization(&mut tx, ctx).await?;
    require_management(ctx, &org)?;
    let kind = org.policies.get(&id).ok_or_else(|| policy_not_found(&id))?.kind.clone();
    if !org.enabled_policy_types.contains(&kind) {
        return Err(error("PolicyTypeNotEnabledException", "This operation can be performed only for enabled policy types."));
    }
    if !org.is_target(&target) {
        return Err(error("TargetNotFoundException", format!("We can't find a root, OU, account, or policy with the TargetId {target}.")));
    }
    let attached = org.attachments.entry(target).or_default();
    if attached.contains(&id) {
        return Err(error("DuplicatePolicyAttachmentException", "The selected policy is already attached to the specified target."));
    }
    attached.push(id);
    save(&mut tx, &org).await?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({})))
}

pub async fn detach_policy(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let id = text(&input, "PolicyId").unwrap_or_default().to_owned();
    let target = text(&input, "TargetId").unwrap_or_default().to_owned();
    let mut tx = store.begin().await.map_err(store_error)?;
    let mut org = require_organization(&mut tx, ctx).await?;
    require_management(ctx, &org)?;
    let attached = org.attachments.entry(target).or_default();
    let before = attached.len();
    attached.retain(|p| p != &id);
    if attached.len() == before {
        return Err(error("PolicyNotAttachedException", "The policy isn't attached to the specified target in the specified root."));
    }
    save(&mut tx, &org).await?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({})))
}

pub async fn list_policies_for_target(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let target = text(&input, "TargetId").unwrap_or_default();
    let filter = text(&input, "Filter").unwrap_or("SERVICE_CONTROL_POLICY");
    let mut tx = store.begin().await.map_err(store_error)?;
    let org = require_organization(&mut tx, ctx).await?;
    if !org.is_target(target) {
        return Err(error("TargetNotFoundException", format!("We can't find a root, OU, account, or policy with the TargetId {target}.")));
    }
    let listed: Vec<Value> = org
        .attachments
        .get(target)
        .into_iter()
        .flatten()
        .filter_map(|id| org.policies.get(id))
        .filter(|p| p.kind == filter)
        .map(|p| summary(&org, p))
        .collect();
    Ok(Reply::new(json!({ "Policies": listed })))
}

/// Enabling SCPs attaches FullAWSAccess to the root and every OU and account, as Organizations
/// does, so nothing is denied until a narrower policy replaces it.
pub async fn enable_policy_type(store: &Store, ctx: &RequestContext, input: Value, enable: bool) -> Result<Reply, ApiError> {
    let root = text(&input, "RootId").unwrap_or_default();
    let kind = text(&input, "PolicyType").unwrap_or_default().to_owned();
    let mut tx = store.begin().await.map_err(store_error)?;
    let mut org = require_organization(&mut tx, ctx).await?;
    require_management(ctx, &org)?;
    if root != org.root_id {
        return Err(error("RootNotFoundException", format!("We can't find a root with the RootId {root}.")));
    }
    let enabled = org.enabled_policy_types.contains(&kind);
    match (enable, enabled) {
        (true, true) => return Err(error("PolicyTypeAlreadyEnabledException", "The specified policy type is already enabled.")),
        (false, false) => return Err(error("PolicyTypeNotEnabledException", "This operation can be performed only for enabled policy types.")),
        (true, false) => {
            org.enabled_policy_types.push(kind.clone());
            if kind == "SERVICE_CONTROL_POLICY" {
                let targets: Vec<String> =
                    std::iter::once(org.root_id.clone()).chain(org.units.keys().cloned()).chain(org.accounts.keys().cloned()).collect();
                for target in targets {
                    org.attachments.entry(target).or_default().push(FULL_AWS_ACCESS_ID.to_owned());
                }
            }
        }
        (false, true) => {
            org.enabled_policy_types.retain(|t| t != &kind);
            let removed: Vec<String> = org.policies.values().filter(|p| p.kind == kind).map(|p| p.id.clone()).collect();
            for attached in org.attachments.values_mut() {
                attached.retain(|id| !removed.contains(id));
            }
        }
    }
    save(&mut tx, &org).await?;
    tx.commit().await.map_err(store_error)?;
    let types: Vec<Value> = org.enabled_policy_types.iter().map(|t| json!({ "Type": t, "Status": "ENABLED" })).collect();
    Ok(Reply::new(json!({ "Root": { "Id": org.root_id, "Arn": org.root_arn(), "Name": "Root", "PolicyTypes": types } })))
}
