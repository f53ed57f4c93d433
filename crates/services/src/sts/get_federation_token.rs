//! GetFederationToken: temporary credentials for a federated user named by an IAM user. The
//! session acts with the user's permissions cut by the session policies passed here; without
//! session policies it can do nothing, as in AWS.

use gateway::{principal::PrincipalKind, Reply, RequestContext};
use serde::Deserialize;
use serde_json::{json, Value};
use store::{Sealer, Store};
use wire::ApiError;

use super::{
    session_tags::{self, SessionTags},
    sessions::{self, Session, SessionUser},
};
use crate::iam::{entities, store_error, EntityKind};

/// Federated sessions last 12 hours unless asked otherwise (the model bounds the request to
/// 15 minutes .. 36 hours).
const DEFAULT_SECONDS: i64 = 43_200;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GetFederationTokenRequest {
    name: String,
    policy: Option<String>,
    #[serde(default)]
    policy_arns: Vec<PolicyArn>,
    duration_seconds: Option<i64>,
}

#[derive(Deserialize)]
struct PolicyArn {
    arn: String,
}

fn model_error(shape: &str, message: impl Into<String>) -> ApiError {
    crate::modeled_error("sts", shape, message)
}

pub async fn get_federation_token(store: &Store, sealer: &Sealer, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    // GetFederationToken has no TransitiveTagKeys: its sessions cannot assume roles.
    let tags = SessionTags::from_input(&input)?;
    let request: GetFederationTokenRequest = crate::input::from_input(input)?;
    let principal = &ctx.principal;
    // Only long-term credentials of an IAM user may federate: a session cannot mint another,
    // and Palisade's root user (the built-in key) has no identity policies to cut down.
    let PrincipalKind::IamUser { name: user_name } = &principal.kind else {
        return Err(ApiError::new("AccessDenied", 403, "Only IAM users with long-term credentials can call GetFederationToken."));
    };
    if principal.temporary {
        return Err(ApiError::new("AccessDenied", 403, "Cannot call GetFederationToken with session credentials"));
    }
    if let Some(document) = &request.policy {
        policy::parse_policy(document, policy::PolicyType::Session).map_err(|e| model_error("MalformedPolicyDocumentException", e.message()))?;
    }
    if let Some(bad) = request.policy_arns.iter().find(|p| !p.arn.starts_with("arn:aws:iam::") || !p.arn.contains(":policy/")) {
        return Err(ApiError::new("ValidationError", 400, format!("{} is not a valid policy ARN", bad.arn)));
    }
    let policy_arns: Vec<String> = request.policy_arns.into_iter().map(|p| p.arn).collect();
    let packed_policy_size = session_tags::packed_policy_size(request.policy.as_deref(), &policy_arns, &tags)?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let user = entities::load(&mut tx, &principal.account, EntityKind::User, user_name).await?;
    let duration = request.duration_seconds.unwrap_or(DEFAULT_SECONDS);
    let session = Session {
        account: principal.account.clone(),
        role_name: String::new(),
        role_id: String::new(),
        session_name: String::new(),
        expires_at: (ctx.time + duration as f64).floor(),
        policy_documents: request.policy.into_iter().collect(),
        policy_arns,
        source_identity: None,
        user: Some(SessionUser { name: user.name, arn: user.arn, id: user.id }),
        federated_name: Some(request.name.clone()),
        mfa_authenticated_at: None,
        tags,
        saml_subject: None,
        access_key_id: String::new(),
        sealed_secret: String::new(),
        token_hash: String::new(),
    };
    let (session, credentials) = sessions::issue(&mut tx, sealer, session).await?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({
        "Credentials": credentials,
        "FederatedUser": {
            "FederatedUserId": format!("{}:{}", session.account, request.name),
            "Arn": session.federated_user_arn(&request.name),
        },
        "PackedPolicySize": packed_policy_size,
    })))
}
