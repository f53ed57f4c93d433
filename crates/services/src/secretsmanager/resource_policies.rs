//! PutResourcePolicy (with BlockPublicPolicy), GetResourcePolicy, DeleteResourcePolicy,
//! ValidateResourcePolicy, and the secret's policy as the authorizer judges requests with it.

use gateway::{Reply, RequestContext};
use policy::{
    ast::{Effect, OperatorFamily, PrincipalBlock, PrincipalKind, PrincipalSet, Statement},
    authorizer::{NamedPolicy, ResourcePolicy, ResourcePolicyKind},
    PolicyDocument, PolicyType,
};
use serde::Deserialize;
use serde_json::{json, Value};
use store::Store;
use wire::ApiError;

use super::{error, replication, secret_record, secret_ref, store_error, SecretsManager};
use crate::input::from_input;

/// Condition keys that tie a statement to particular accounts, organizations or networks: a
/// statement for everyone that one of these narrows is not public.
const NARROWING_KEYS: &[&str] = &[
    "aws:principalaccount",
    "aws:principalarn",
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:sourceaccount",
    "aws:sourcearn",
    "aws:sourceowner",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:sourceip",
    "aws:userid",
];

fn names_everyone(principal: &Option<PrincipalBlock>) -> bool {
    match principal {
        Some(PrincipalBlock::NotPrincipal(_)) => true,
        Some(PrincipalBlock::Principal(PrincipalSet::Everyone)) => true,
        Some(PrincipalBlock::Principal(PrincipalSet::Listed(values))) => {
            values.iter().any(|v| v.kind == PrincipalKind::Aws && v.value == "*")
        }
        None => false,
    }
}

/// A condition that narrows the statement: a narrowing key compared for equality or likeness
/// with values that are not just a wildcard.
fn narrows(statement: &Statement) -> bool {
    statement.conditions.iter().any(|c| {
        let positive = matches!(
            c.operator.family,
            OperatorFamily::StringEquals
                | OperatorFamily::StringEqualsIgnoreCase
                | OperatorFamily::StringLike
                | OperatorFamily::ArnEquals
                | OperatorFamily::ArnLike
                | OperatorFamily::IpAddress
        );
        positive
            && !c.operator.if_exists
            && NARROWING_KEYS.contains(&c.key.to_ascii_lowercase().as_str())
            && c.values.iter().all(|v| v.text != "*" && !v.text.is_empty())
    })
}

/// Whether `document` grants access to anyone outside the account's control, the way Block
/// Public Access reads policies: an Allow for every principal that no condition narrows.
pub fn grants_public_access(document: &PolicyDocument) -> bool {
    document.statements.iter().any(|s| s.effect == Effect::Allow && names_everyone(&s.principal) && !narrows(s))
}

fn parse(text: &str) -> Result<PolicyDocument, ApiError> {
    policy::parse_policy(text, PolicyType::Resource).map_err(|e| error("MalformedPolicyDocumentException", e.message()))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PutResourcePolicyRequest {
    secret_id: String,
    resource_policy: String,
    block_public_policy: Option<bool>,
}

pub async fn put_resource_policy(service: &SecretsManager, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: PutResourcePolicyRequest = from_input(input)?;
    let document = parse(&request.resource_policy)?;
    if request.block_public_policy.unwrap_or(false) && grants_public_access(&document) {
        return Err(error(
            "PublicPolicyException",
            "The BlockPublicPolicy parameter is set to true, and the resource policy did not prevent broad access to the secret.",
        ));
    }
    let mut tx = service.store.begin().await.map_err(store_error)?;
    let mut secret = secret_ref::find_live(&mut tx, ctx, &request.secret_id).await?;
    secret.require_primary()?;
    secret.resource_policy = Some(request.resource_policy);
    secret_record::save(&mut tx, &secret).await?;
    tx.commit().await.map_err(store_error)?;
    replication::sync(service, ctx, &secret.name, &[]).await;
    Ok(Reply::new(json!({ "ARN": secret.arn, "Name": secret.name })).resource("AWS::SecretsManager::Secret", secret.arn))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SecretIdRequest {
    secret_id: String,
}

pub async fn get_resource_policy(service: &SecretsManager, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: SecretIdRequest = from_input(input)?;
    let mut tx = service.store.begin().await.map_err(store_error)?;
    let secret = secret_ref::find_live(&mut tx, ctx, &request.secret_id).await?;
    let mut out = json!({ "ARN": secret.arn, "Name": secret.name });
    if let Some(policy) = &secret.resource_policy {
        out["ResourcePolicy"] = json!(policy);
    }
    Ok(Reply::new(out).resource("AWS::SecretsManager::Secret", secret.arn))
}

pub async fn delete_resource_policy(service: &SecretsManager, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: SecretIdRequest = from_input(input)?;
    let mut tx = service.store.begin().await.map_err(store_error)?;
    let mut secret = secret_ref::find_live(&mut tx, ctx, &request.secret_id).await?;
    secret.require_primary()?;
    secret.resource_policy = None;
    secret_record::save(&mut tx, &secret).await?;
    tx.commit().await.map_err(store_error)?;
    replication::sync(service, ctx, &secret.name, &[]).await;
    Ok(Reply::new(json!({ "ARN": secret.arn, "Name": secret.name })).resource("AWS::SecretsManager::Secret", secret.arn))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ValidateResourcePolicyRequest {
    secret_id: Option<String>,
    resource_policy: String,
}

/// The policy's grammar and whether it grants broad access, as ValidationErrors.
pub async fn validate_resource_policy(service: &SecretsManager, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: ValidateResourcePolicyRequest = from_input(input)?;
    if let Some(id) = &request.secret_id {
        let mut tx = service.store.begin().await.map_err(store_error)?;
        secret_ref::find(&mut tx, ctx, id).await?;
    }
    let mut errors = Vec::new();
    match policy::parse_policy(&request.resource_policy, PolicyType::Resource) {
        Ok(document) if grants_public_access(&document) => errors.push(json!({
            "CheckName": "BROAD_ACCESS",
            "ErrorMessage": "The resource policy grants access to every AWS principal; narrow it with a Principal or a condition on aws:PrincipalAccount, aws:PrincipalOrgID or aws:SourceAccount.",
        })),
        Ok(_) => {}
        Err(e) => errors.push(json!({ "CheckName": "SYNTAX_CHECK", "ErrorMessage": e.message() })),
    }
    Ok(Reply::new(json!({ "PolicyValidationPassed": errors.is_empty(), "ValidationErrors": errors })))
}

/// What the authorizer needs to judge a request on the secret `arn` names: the secret's full ARN
/// (a name or partial ARN resolved), its account, its resource policy if it has one, and its tags.
pub struct PolicyTarget {
    pub arn: String,
    pub account: String,
    pub policy: Option<ResourcePolicy>,
    pub tags: Vec<(String, String)>,
}

pub async fn policy_target(store: &Store, arn: &str) -> Option<PolicyTarget> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let region = *parts.get(3)?;
    let account = *parts.get(4)?;
    let mut tx = store.begin().await.ok()?;
    // The authorizer has no request time: a secret past its deletion date keeps its policy
    // here, and the operation itself answers that it is gone.
    let secret = secret_ref::lookup_in(&mut tx, account, region, arn, f64::MIN).await.ok()??;
    drop(tx);
    let policy = secret.resource_policy.as_deref().and_then(|text| {
        // A stored policy was parsed when it was put; one that no longer parses grants nothing.
        let document = policy::parse_policy(text, PolicyType::Resource).ok()?;
        Some(ResourcePolicy { policy: NamedPolicy::new(&secret.arn, document), kind: ResourcePolicyKind::Resource })
    });
    let tags = secret.tags.into_iter().map(|t| (t.key, t.value)).collect();
    Some(PolicyTarget { arn: secret.arn, account: secret.account, policy, tags })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn public(text: &str) -> bool {
        grants_public_access(&policy::parse_policy(text, PolicyType::Resource).unwrap())
    }

    #[test]
    fn a_wildcard_principal_is_public() {
        assert!(public(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"secretsmanager:GetSecretValue","Resource":"*"}]}"#
        ));
        assert!(public(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"secretsmanager:*","Resource":"*"}]}"#
        ));
    }

    #[test]
    fn an_account_condition_makes_a_wildcard_principal_private() {
        assert!(!public(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"secretsmanager:GetSecretValue","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalAccount":"111122223333"}}}]}"#
        ));
    }

    #[test]
    fn named_principals_and_denies_are_not_public() {
        assert!(!public(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/app"},"Action":"secretsmanager:GetSecretValue","Resource":"*"}]}"#
        ));
        assert!(!public(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"secretsmanager:*","Resource":"*"}]}"#
        ));
    }
}
