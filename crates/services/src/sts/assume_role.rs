//! AssumeRole: temporary credentials for a role whose trust policy (judged by the pipeline
//! with the caller's own policies) lets the caller in.

use gateway::{principal::PrincipalKind, Reply, RequestContext};
use serde::Deserialize;
use serde_json::{json, Value};
use store::{Sealer, Store};
use wire::ApiError;

use super::{
    session_tags::{self, SessionTags},
    sessions::{self, Session, SESSIONS},
};
use crate::iam::{entities, store_error, EntityKind};

/// Role chaining: a session assuming another role gets at most an hour, as in AWS.
const CHAINED_MAX_SECONDS: i64 = 3600;
const DEFAULT_DURATION_SECONDS: i64 = 3600;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AssumeRoleRequest {
    role_arn: String,
    role_session_name: String,
    duration_seconds: Option<i64>,
    policy: Option<String>,
    #[serde(default)]
    policy_arns: Vec<PolicyArn>,
    source_identity: Option<String>,
}

#[derive(Deserialize)]
struct PolicyArn {
    arn: String,
}

fn model_error(shape: &str, message: impl Into<String>) -> ApiError {
    crate::modeled_error("sts", shape, message)
}

/// The account and role name of a role ARN (`arn:aws:iam::ACCOUNT:role/path/name`).
pub fn role_of_arn(arn: &str) -> Option<(&str, &str)> {
    let rest = arn.strip_prefix("arn:aws:iam::")?;
    let (account, resource) = rest.split_once(':')?;
    let path_and_name = resource.strip_prefix("role/")?;
    Some((account, path_and_name.rsplit('/').next()?))
}

/// The transitive tags of the session making a request, which a role it assumes inherits.
async fn inherited_transitive_tags(tx: &mut store::Txn, ctx: &RequestContext) -> Result<Vec<entities::Tag>, ApiError> {
    if !matches!(ctx.principal.kind, PrincipalKind::AssumedRole { .. }) {
        return Ok(Vec::new());
    }
    let stored = tx.get(SESSIONS, &ctx.principal.access_key_id).await.map_err(store_error)?;
    let calling = stored.and_then(|value| serde_json::from_value::<Session>(value).ok());
    Ok(calling.map(|session| session.tags.transitive()).unwrap_or_default())
}

pub async fn assume_role(store: &Store, sealer: &Sealer, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let requested_tags = SessionTags::from_input(&input)?;
    let request: AssumeRoleRequest =
        serde_json::from_value(input).map_err(|e| ApiError::new("ValidationError", 400, e.to_string()))?;
    let invalid_arn = || ApiError::new("ValidationError", 400, format!("{} is invalid", request.role_arn));
    let (account, role_name) = role_of_arn(&request.role_arn).ok_or_else(invalid_arn)?;
    let mut tx = store.begin().await.map_err(crate::iam::store_error)?;
    let role = entities::load(&mut tx, account, EntityKind::Role, role_name).await.map_err(|_| {
        ApiError::new(
            "AccessDenied",
            403,
            format!("User: {} is not authorized to perform: sts:AssumeRole on resource: {}", ctx.principal.arn, request.role_arn),
        )
    })?;
    let chained = matches!(ctx.principal.kind, PrincipalKind::AssumedRole { .. });
    let max = if chained { CHAINED_MAX_SECONDS } else { role.max_session_duration.unwrap_or(DEFAULT_DURATION_SECONDS) };
    let duration = request.duration_seconds.unwrap_or(DEFAULT_DURATION_SECONDS.min(max));
    if duration > max {
        return Err(ApiError::new(
            "ValidationError",
            400,
            format!("The requested DurationSeconds exceeds the {} set for this role.", if chained { "1 hour session limit for roles assumed by role chaining" } else { "MaxSessionDuration" }),
        ));
    }
    if let Some(document) = &request.policy {
        policy::parse_policy(document, policy::PolicyType::Session).map_err(|e| model_error("MalformedPolicyDocumentException", e.message()))?;
    }
    let inherited = inherited_transitive_tags(&mut tx, ctx).await?;
    let tags = requested_tags.inheriting(&inherited)?;
    let policy_arns: Vec<String> = request.policy_arns.into_iter().map(|p| p.arn).collect();
    let packed_policy_size = session_tags::packed_policy_size(request.policy.as_deref(), &policy_arns, &tags)?;
    let session = Session::of_role(
        &role,
        request.role_session_name.clone(),
        (ctx.time + duration as f64).floor(),
        request.policy.into_iter().collect(),
        policy_arns,
        request.source_identity.clone(),
    )
    .with_tags(tags);
    let (session, credentials) = sessions::issue(&mut tx, sealer, session).await?;
    tx.commit().await.map_err(crate::iam::store_error)?;
    let mut output = json!({
        "Credentials": credentials,
        "AssumedRoleUser": { "AssumedRoleId": session.assumed_role_id(), "Arn": session.arn() },
        "PackedPolicySize": packed_policy_size,
    });
    if let Some(source_identity) = &session.source_identity {
        output["SourceIdentity"] = json!(source_identity);
    }
    let mut reply = Reply::new(output).resource("AWS::IAM::Role", role.arn);
    if !inherited.is_empty() {
        reply = reply.request_parameter("incomingTransitiveTags", session_tags::as_object(&inherited));
    }
    Ok(reply)
}
