//! GetKeyPolicy, PutKeyPolicy, ListKeyPolicies, and the checks a new key policy must pass.

use gateway::{principal::PrincipalKind, Reply, RequestContext};
use policy::{
    authorizer::{NamedPolicy, ResourcePolicy, ResourcePolicyKind},
    context::{Caller, Request, RequestContext as ConditionContext},
    PolicySet, PolicyType,
};
use serde::Deserialize;
use serde_json::{json, Value};
use store::Store;
use wire::ApiError;

use super::{error, key_record, key_ref, store_error};
use crate::input::from_input;

/// A key has exactly one policy, and this is its name.
const POLICY_NAME: &str = "default";

/// The key policy AWS gives a key created without one: the account may use IAM policies to allow
/// access to the key.
pub fn default_key_policy(account: &str) -> String {
    let policy = json!({
        "Version": "2012-10-17",
        "Id": "key-default-1",
        "Statement": [{
            "Sid": "Enable IAM User Permissions",
            "Effect": "Allow",
            "Principal": { "AWS": format!("arn:aws:iam::{account}:root") },
            "Action": "kms:*",
            "Resource": "*",
        }],
    });
    serde_json::to_string_pretty(&policy).expect("a JSON value serializes")
}

/// Validates a key policy and, unless the caller bypasses it, applies KMS's lockout safety
/// check: the new policy must still let the caller change the policy later.
pub fn check_new_policy(ctx: &RequestContext, text: &str, bypass_lockout_check: bool) -> Result<(), ApiError> {
    let document = policy::parse_policy(text, PolicyType::KeyPolicy)
        .map_err(|e| error("MalformedPolicyDocumentException", e.message()))?;
    if bypass_lockout_check || allows_policy_updates(ctx, document) {
        return Ok(());
    }
    Err(error(
        "MalformedPolicyDocumentException",
        "The new key policy will not allow you to update the key policy in the future.",
    ))
}

/// Whether `document`, as the key's policy, lets the caller call PutKeyPolicy: either it names
/// the caller, or it lets the account's IAM policies decide (which could allow the caller).
fn allows_policy_updates(ctx: &RequestContext, document: policy::PolicyDocument) -> bool {
    let principal = &ctx.principal;
    let caller = match &principal.kind {
        PrincipalKind::Root => Caller::Root { account: principal.account.clone() },
        PrincipalKind::IamUser { .. } => Caller::User { arn: principal.arn.clone() },
        PrincipalKind::AssumedRole { role_name, .. } => Caller::RoleSession {
            role_arn: format!("arn:aws:iam::{}:role/{role_name}", principal.account),
            session_arn: principal.arn.clone(),
            service_linked: false,
        },
        PrincipalKind::FederatedUser { user_arn, .. } => {
            Caller::FederatedUser { user_arn: user_arn.clone(), session_arn: principal.arn.clone() }
        }
        PrincipalKind::Anonymous => Caller::Anonymous,
        PrincipalKind::Service { service } => Caller::Service { service: service.clone() },
    };
    let has_identity = matches!(caller, Caller::User { .. } | Caller::RoleSession { .. });
    let mut conditions = ConditionContext::new();
    conditions.insert("aws:PrincipalArn", principal.arn.clone());
    conditions.insert("aws:PrincipalAccount", principal.account.clone());
    let Ok(request) = Request::new(caller, "kms:PutKeyPolicy", "*") else { return false };
    let request = request.with_context(conditions);
    let key_policy = ResourcePolicy { policy: NamedPolicy::new("key policy", document), kind: ResourcePolicyKind::KeyPolicy };
    let mut policies = PolicySet { resource_policy: Some(key_policy), ..PolicySet::default() };
    if policy::authorize(&request, &policies).is_allowed() {
        return true;
    }
    if !has_identity {
        return false;
    }
    // The caller's IAM policies are IAM's to read; what matters here is whether the key policy
    // leaves the decision to them, so an identity policy that would allow stands in for them.
    let Ok(iam_allows) = policy::parse_policy(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:PutKeyPolicy","Resource":"*"}]}"#,
        PolicyType::Identity,
    ) else {
        return false;
    };
    policies.identity_policies = vec![NamedPolicy::new("identity policies", iam_allows)];
    policy::authorize(&request, &policies).is_allowed()
}

fn check_policy_name(name: Option<&str>) -> Result<(), ApiError> {
    match name {
        None | Some(POLICY_NAME) => Ok(()),
        Some(_) => Err(error("NotFoundException", "No such policy exists")),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GetKeyPolicyRequest {
    key_id: String,
    policy_name: Option<String>,
}

pub async fn get_key_policy(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: GetKeyPolicyRequest = from_input(input)?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let key = key_ref::find_key_by_id(&mut tx, ctx, &request.key_id).await?;
    check_policy_name(request.policy_name.as_deref())?;
    Ok(Reply::new(json!({ "Policy": key.policy, "PolicyName": POLICY_NAME })).resource("AWS::KMS::Key", key.arn))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PutKeyPolicyRequest {
    key_id: String,
    policy_name: Option<String>,
    policy: String,
    bypass_policy_lockout_safety_check: Option<bool>,
}

pub async fn put_key_policy(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: PutKeyPolicyRequest = from_input(input)?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let mut key = key_ref::find_key_by_id(&mut tx, ctx, &request.key_id).await?;
    check_policy_name(request.policy_name.as_deref())?;
    if key.state == key_record::KeyState::Creating {
        return Err(key.invalid_state());
    }
    check_new_policy(ctx, &request.policy, request.bypass_policy_lockout_safety_check.unwrap_or(false))?;
    key.policy = request.policy;
    key_record::save(&mut tx, &key).await?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({})).resource("AWS::KMS::Key", key.arn))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListKeyPoliciesRequest {
    key_id: String,
}

pub async fn list_key_policies(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: ListKeyPoliciesRequest = from_input(input)?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let key = key_ref::find_key_by_id(&mut tx, ctx, &request.key_id).await?;
    Ok(Reply::new(json!({ "PolicyNames": [POLICY_NAME], "Truncated": false })).resource("AWS::KMS::Key", key.arn))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_key_policy_parses_as_a_key_policy() {
        let text = default_key_policy("111122223333");
        assert!(policy::parse_policy(&text, PolicyType::KeyPolicy).is_ok());
        assert!(text.contains("arn:aws:iam::111122223333:root"));
    }
}
