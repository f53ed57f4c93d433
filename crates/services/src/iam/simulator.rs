//! The policy simulator: SimulatePrincipalPolicy and SimulateCustomPolicy, answered by the
//! same engine that enforces every call, and the context keys to give it (GetContextKeysFor*Policy).

use gateway::{Reply, RequestContext};
use policy::{
    authorizer::{NamedPolicy, ResourcePolicy, ResourcePolicyKind},
    context::{Caller, ContextKeyType, Request, RequestContext as ConditionContext},
    simulation::simulate,
    PolicyKind, PolicySet, PolicyType,
};
use serde::Deserialize;
use serde_json::{json, Value};
use store::Store;
use wire::ApiError;

use super::{
    entities::{self, EntityKind},
    error, principal_policies, store_error,
};

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
struct ContextEntry {
    context_key_name: String,
    #[serde(default)]
    context_key_values: Vec<String>,
    context_key_type: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SimulationRequest {
    policy_source_arn: Option<String>,
    #[serde(default)]
    policy_input_list: Vec<String>,
    #[serde(default)]
    permissions_boundary_policy_input_list: Vec<String>,
    action_names: Vec<String>,
    #[serde(default)]
    resource_arns: Vec<String>,
    resource_policy: Option<String>,
    resource_owner: Option<String>,
    caller_arn: Option<String>,
    #[serde(default)]
    context_entries: Vec<ContextEntry>,
}

fn invalid_input(message: impl Into<String>) -> ApiError {
    error("InvalidInputException", message)
}

fn parsed(id: &str, document: &str, kind: PolicyType) -> Result<NamedPolicy, ApiError> {
    policy::parse_policy(document, kind)
        .map(|p| NamedPolicy::new(id, p))
        .map_err(|e| error("MalformedPolicyDocumentException", e.message()))
}

/// The simulator's `SourcePolicyType` of a matched statement's policy.
fn source_policy_type(kind: PolicyKind, id: &str, source: Option<EntityKind>) -> &'static str {
    match kind {
        PolicyKind::ResourceBased => "resource",
        _ if id.starts_with("arn:aws:iam::aws:policy") => "aws-managed",
        _ if id.starts_with("arn:aws:iam::") => "user-managed",
        _ => match source {
            Some(EntityKind::Role) => "role",
            Some(EntityKind::Group) => "group",
            Some(EntityKind::User) => "user",
            None => "none",
        },
    }
}

fn condition_context(entries: &[ContextEntry]) -> Result<ConditionContext, ApiError> {
    let mut context = ConditionContext::new();
    for entry in entries {
        let key_type = ContextKeyType::parse(&entry.context_key_type)
            .ok_or_else(|| invalid_input(format!("Invalid ContextKeyType: {}", entry.context_key_type)))?;
        context
            .insert_typed(&entry.context_key_name, key_type, entry.context_key_values.clone())
            .map_err(|e| invalid_input(e.to_string()))?;
    }
    Ok(context)
}

fn evaluate(
    caller: &Caller,
    policies: &PolicySet,
    request: &SimulationRequest,
    source: Option<EntityKind>,
) -> Result<Reply, ApiError> {
    let context = condition_context(&request.context_entries)?;
    let resources = if request.resource_arns.is_empty() { vec!["*".to_owned()] } else { request.resource_arns.clone() };
    let mut results = Vec::new();
    for action in &request.action_names {
        for resource in &resources {
            let mut simulated = Request::new(caller.clone(), action, resource)
                .map_err(|e| invalid_input(e.to_string()))?
                .with_context(context.clone());
            if let Some(owner) = &request.resource_owner {
                if let Some(account) = owner.strip_prefix("arn:aws:iam::").and_then(|r| r.split(':').next()) {
                    simulated = simulated.with_resource_account(account);
                }
            }
            let outcome = simulate(&simulated, policies);
            let matched: Vec<Value> = outcome
                .matched_statements
                .iter()
                .map(|m| json!({ "SourcePolicyId": m.policy_id, "SourcePolicyType": source_policy_type(m.kind, &m.policy_id, source) }))
                .collect();
            let mut result = json!({
                "EvalActionName": action,
                "EvalResourceName": resource,
                "EvalDecision": outcome.eval_decision.as_str(),
                "MatchedStatements": matched,
                "MissingContextValues": outcome.missing_context_values,
            });
            if let Some(allowed) = outcome.allowed_by_organizations {
                result["OrganizationsDecisionDetail"] = json!({ "AllowedByOrganizations": allowed });
            }
            if let Some(allowed) = outcome.allowed_by_permissions_boundary {
                result["PermissionsBoundaryDecisionDetail"] = json!({ "AllowedByPermissionsBoundary": allowed });
            }
            results.push(result);
        }
    }
    Ok(Reply::new(json!({ "EvaluationResults": results, "IsTruncated": false })))
}

fn add_inputs(policies: &mut PolicySet, request: &SimulationRequest) -> Result<(), ApiError> {
    for (index, document) in request.policy_input_list.iter().enumerate() {
        policies.identity_policies.push(parsed(&format!("PolicyInputList.{}", index + 1), document, PolicyType::Identity)?);
    }
    if let Some(document) = request.permissions_boundary_policy_input_list.first() {
        policies.permissions_boundary =
            Some(parsed("PermissionsBoundaryPolicyInputList.1", document, PolicyType::PermissionsBoundary)?);
    }
    if let Some(document) = &request.resource_policy {
        policies.resource_policy =
            Some(ResourcePolicy { policy: parsed("ResourcePolicy", document, PolicyType::Resource)?, kind: ResourcePolicyKind::Resource });
    }
    Ok(())
}

/// The entity an ARN names in the caller's account (`user/`, `group/`, `role/`, any path).
fn entity_of_arn<'a>(ctx: &RequestContext, arn: &'a str) -> Result<(EntityKind, &'a str), ApiError> {
    let invalid = || invalid_input(format!("Invalid ARN: {arn}"));
    let rest = arn.strip_prefix("arn:aws:iam::").ok_or_else(invalid)?;
    let (account, resource) = rest.split_once(':').ok_or_else(invalid)?;
    if account != ctx.account() {
        return Err(error("NoSuchEntityException", format!("The entity {arn} cannot be found.")));
    }
    let (kind, path_and_name) = resource.split_once('/').ok_or_else(invalid)?;
    let kind = match kind {
        "user" => EntityKind::User,
        "group" => EntityKind::Group,
        "role" => EntityKind::Role,
        _ => return Err(invalid()),
    };
    Ok((kind, path_and_name.rsplit('/').next().unwrap_or(path_and_name)))
}

pub async fn simulate_principal_policy(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: SimulationRequest = serde_json::from_value(input).map_err(|e| invalid_input(e.to_string()))?;
    let source_arn = request.policy_source_arn.clone().ok_or_else(|| invalid_input("PolicySourceArn is required"))?;
    let (kind, name) = entity_of_arn(ctx, &source_arn)?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let entity = entities::load(&mut tx, ctx.account(), kind, name).await?;
    let (caller, mut policies) = match kind {
        EntityKind::User => (Caller::User { arn: entity.arn.clone() }, principal_policies::for_user(&mut tx, &entity).await?),
        EntityKind::Role => {
            let session_arn = format!("arn:aws:sts::{}:assumed-role/{}/simulated", entity.account, entity.name);
            let caller = Caller::RoleSession { role_arn: entity.arn.clone(), session_arn, service_linked: false };
            (caller, principal_policies::of_entity(&mut tx, &entity).await?)
        }
        EntityKind::Group => {
            let caller_arn = request.caller_arn.clone().unwrap_or_else(|| format!("arn:aws:iam::{}:user/simulated", entity.account));
            (Caller::User { arn: caller_arn }, principal_policies::of_entity(&mut tx, &entity).await?)
        }
    };
    drop(tx);
    add_inputs(&mut policies, &request)?;
    evaluate(&caller, &policies, &request, Some(kind))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ContextKeysRequest {
    policy_source_arn: Option<String>,
    #[serde(default)]
    policy_input_list: Vec<String>,
}

/// The context keys the given policies refer to, each once, for GetContextKeysFor*Policy.
fn context_key_names(policies: &[NamedPolicy]) -> Reply {
    let mut names: Vec<&str> = Vec::new();
    for key in policies.iter().flat_map(|p| p.document.context_keys()) {
        if !names.iter().any(|n| n.eq_ignore_ascii_case(key)) {
            names.push(key);
        }
    }
    Reply::new(json!({ "ContextKeyNames": names }))
}

fn input_policies(request: &ContextKeysRequest) -> Result<Vec<NamedPolicy>, ApiError> {
    let named = |(index, document): (usize, &String)| parsed(&format!("PolicyInputList.{}", index + 1), document, PolicyType::Identity);
    request.policy_input_list.iter().enumerate().map(named).collect()
}

pub async fn get_context_keys_for_custom_policy(input: Value) -> Result<Reply, ApiError> {
    let request: ContextKeysRequest = serde_json::from_value(input).map_err(|e| invalid_input(e.to_string()))?;
    Ok(context_key_names(&input_policies(&request)?))
}

/// The keys of every policy attached to the user (its groups' too), group or role, and of the
/// given policies.
pub async fn get_context_keys_for_principal_policy(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: ContextKeysRequest = serde_json::from_value(input).map_err(|e| invalid_input(e.to_string()))?;
    let source_arn = request.policy_source_arn.clone().ok_or_else(|| invalid_input("PolicySourceArn is required"))?;
    let (kind, name) = entity_of_arn(ctx, &source_arn)?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let entity = entities::load(&mut tx, ctx.account(), kind, name).await?;
    let attached = match kind {
        EntityKind::User => principal_policies::for_user(&mut tx, &entity).await?,
        EntityKind::Group | EntityKind::Role => principal_policies::of_entity(&mut tx, &entity).await?,
    };
    drop(tx);
    let mut policies = attached.identity_policies;
    policies.extend(input_policies(&request)?);
    Ok(context_key_names(&policies))
}

pub async fn simulate_custom_policy(ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: SimulationRequest = serde_json::from_value(input).map_err(|e| invalid_input(e.to_string()))?;
    let caller = match &request.caller_arn {
        Some(arn) => Caller::User { arn: arn.clone() },
        None => Caller::User { arn: format!("arn:aws:iam::{}:user/simulated", ctx.account()) },
    };
    let mut policies = PolicySet::default();
    add_inputs(&mut policies, &request)?;
    evaluate(&caller, &policies, &request, None)
}
