//! PutPermissionPolicy, GetPermissionPolicy, DeletePermissionPolicy: sharing a rule group with
//! other accounts, under the policy form AWS WAF accepts.

use gateway::{Reply, RequestContext};
use serde_json::{json, Value};
use store::{Store, Txn};
use wire::ApiError;

use super::{
    entities::{self, Kind},
    errors::{error, nonexistent, store_error},
};
use crate::input::required;

const POLICIES: &str = "wafv2.permission_policy";
/// The actions a rule group's policy may grant; the first three must be granted.
const REQUIRED_ACTIONS: &[&str] = &["wafv2:CreateWebACL", "wafv2:UpdateWebACL", "wafv2:PutFirewallManagerRuleGroups"];
const OPTIONAL_ACTIONS: &[&str] = &["wafv2:GetRuleGroup"];

fn invalid_policy() -> ApiError {
    error("WAFInvalidPermissionPolicyException", "AWS WAF couldn’t perform the operation because the specified policy isn’t in the proper format.")
}

fn strings(value: Option<&Value>) -> Vec<&str> {
    match value {
        Some(Value::String(one)) => vec![one.as_str()],
        Some(Value::Array(many)) => many.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// AWS WAF's rules for rule group policies: each statement allows, has no condition, names the
/// rule group as its resource, and grants CreateWebACL, UpdateWebACL and
/// PutFirewallManagerRuleGroups (GetRuleGroup optionally) and nothing else.
fn check_policy(policy: &str, rule_group_arn: &str) -> Result<(), ApiError> {
    let document: Value = serde_json::from_str(policy).map_err(|_| invalid_policy())?;
    let statements = match document.get("Statement") {
        Some(Value::Array(statements)) if !statements.is_empty() => statements.clone(),
        Some(statement @ Value::Object(_)) => vec![statement.clone()],
        _ => return Err(invalid_policy()),
    };
    for statement in &statements {
        let actions = strings(statement.get("Action"));
        let well_formed = statement.get("Effect").and_then(Value::as_str) == Some("Allow")
            && statement.get("Condition").is_none()
            && strings(statement.get("Resource")) == [rule_group_arn]
            && statement.get("Principal").is_some()
            && REQUIRED_ACTIONS.iter().all(|a| actions.contains(a))
            && actions.iter().all(|a| REQUIRED_ACTIONS.contains(a) || OPTIONAL_ACTIONS.contains(a));
        if !well_formed {
            return Err(invalid_policy());
        }
    }
    Ok(())
}

async fn own_rule_group(tx: &mut Txn, ctx: &RequestContext, arn: &str) -> Result<(), ApiError> {
    let group = entities::load_by_arn(tx, arn).await?.filter(|e| e.kind == Kind::RuleGroup && e.account == ctx.account());
    group.map(drop).ok_or_else(nonexistent)
}

pub async fn put_permission_policy(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let arn = required(&input, "ResourceArn")?;
    let policy = required(&input, "Policy")?;
    let mut tx = store.begin().await.map_err(store_error)?;
    own_rule_group(&mut tx, ctx, arn).await?;
    check_policy(policy, arn)?;
    tx.put(POLICIES, arn, &json!(policy)).await.map_err(store_error)?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({})))
}

pub async fn get_permission_policy(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let arn = required(&input, "ResourceArn")?;
    let mut tx = store.begin().await.map_err(store_error)?;
    own_rule_group(&mut tx, ctx, arn).await?;
    let policy = tx.get(POLICIES, arn).await.map_err(store_error)?.ok_or_else(nonexistent)?;
    Ok(Reply::new(json!({ "Policy": policy })))
}

pub async fn delete_permission_policy(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let arn = required(&input, "ResourceArn")?;
    let mut tx = store.begin().await.map_err(store_error)?;
    own_rule_group(&mut tx, ctx, arn).await?;
    tx.delete(POLICIES, arn).await.map_err(store_error)?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({})))
}

/// Drops the policy of a deleted rule group.
pub async fn forget(tx: &mut Txn, rule_group_arn: &str) -> Result<(), ApiError> {
    tx.delete(POLICIES, rule_group_arn).await.map_err(store_error).map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARN: &str = "arn:aws:wafv2:us-east-1:111122223333:regional/rulegroup/shared/a1b2";

    fn policy(actions: &str) -> String {
        format!(r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::444455556666:root"}},"Action":{actions},"Resource":"{ARN}"}}]}}"#)
    }

    #[test]
    fn rule_group_policies_grant_the_web_acl_actions_and_nothing_else() {
        let required = r#"["wafv2:CreateWebACL","wafv2:UpdateWebACL","wafv2:PutFirewallManagerRuleGroups"]"#;
        assert!(check_policy(&policy(required), ARN).is_ok());
        let with_get = r#"["wafv2:CreateWebACL","wafv2:UpdateWebACL","wafv2:PutFirewallManagerRuleGroups","wafv2:GetRuleGroup"]"#;
        assert!(check_policy(&policy(with_get), ARN).is_ok());
        assert!(check_policy(&policy(r#"["wafv2:CreateWebACL"]"#), ARN).is_err());
        assert!(check_policy(&policy(r#"["wafv2:*"]"#), ARN).is_err());
        assert!(check_policy("not json", ARN).is_err());
    }
}
