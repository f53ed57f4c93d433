//! The resource an IAM request acts on, as policies name it: the user, group, role or policy
//! the request names, or `*`.

use gateway::{principal::PrincipalKind, RequestContext};
use serde_json::Value;

/// The ARN a request's named entity has. The path is the request's `Path` or `/`: a request
/// naming an existing entity carries no path, and IAM's own ARN for it may have a longer one.
pub fn of_request(ctx: &RequestContext, input: &Value) -> Vec<String> {
    let account = ctx.account();
    let path = input.get("Path").and_then(Value::as_str).unwrap_or("/");
    let named = |member: &str| input.get(member).and_then(Value::as_str);
    let arn = if let Some(profile) = named("InstanceProfileName") {
        format!("arn:aws:iam::{account}:instance-profile{path}{profile}")
    } else if let Some(provider) = named("OpenIDConnectProviderArn").or(named("SAMLProviderArn")) {
        provider.to_owned()
    } else if let (Some(name), "CreateSAMLProvider") = (named("Name"), ctx.operation) {
        format!("arn:aws:iam::{account}:saml-provider/{name}")
    } else if let Some(group) = named("GroupName") {
        format!("arn:aws:iam::{account}:group{path}{group}")
    } else if let Some(role) = named("RoleName") {
        format!("arn:aws:iam::{account}:role{path}{role}")
    } else if let Some(user) = named("UserName") {
        format!("arn:aws:iam::{account}:user{path}{user}")
    } else if let (Some(entity), "GenerateServiceLastAccessedDetails") = (named("Arn"), ctx.operation) {
        entity.to_owned()
    } else if let Some(policy) = named("PolicyArn") {
        policy.to_owned()
    } else if let (Some(policy), "CreatePolicy") = (named("PolicyName"), ctx.operation) {
        format!("arn:aws:iam::{account}:policy{path}{policy}")
    } else if let PrincipalKind::IamUser { .. } = ctx.principal.kind {
        // Operations on "the calling user" (GetUser, CreateAccessKey without a name).
        if matches!(ctx.operation, "GetUser" | "CreateAccessKey" | "ListAccessKeys" | "ChangePassword" | "GetLoginProfile") {
            ctx.principal.arn.clone()
        } else {
            "*".to_owned()
        }
    } else {
        "*".to_owned()
    };
    vec![arn]
}
