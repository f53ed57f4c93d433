//! AssumeRoleWithWebIdentity: an unsigned call trading an OpenID Connect ID token for a role
//! session. The token's issuer must be an OIDC provider registered in the role's account, one
//! of its audiences one of the provider's client ids, and it must not have expired; the role's
//! trust policy alone then decides, with the token's claims as `<provider>:sub`,
//! `<provider>:aud` and `<provider>:amr`.
//!
//! The token's signature must verify with a key of the provider's JWKS, fetched from the
//! provider over HTTPS and trusted by the provider's thumbprints (see `oidc_keys`).

use gateway::{Reply, RequestContext};
use policy::{context::RequestContext as ConditionContext, PolicyType};
use serde::Deserialize;
use serde_json::{json, Value};
use store::{Sealer, Store};
use wire::ApiError;

use super::{
    assume_role::role_of_arn,
    federation,
    oidc_keys,
    session_tags,
    sessions::{self, Session},
    web_identity_token::{self, IdToken},
};
use crate::iam::{
    entities,
    oidc_providers, store_error, EntityKind,
};

const DEFAULT_DURATION_SECONDS: i64 = 3600;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AssumeRoleWithWebIdentityRequest {
    role_arn: String,
    role_session_name: String,
    web_identity_token: String,
    duration_seconds: Option<i64>,
    policy: Option<String>,
    #[serde(default)]
    policy_arns: Vec<PolicyArn>,
}

#[derive(Deserialize)]
struct PolicyArn {
    arn: String,
}

fn model_error(shape: &str, message: impl Into<String>) -> ApiError {
    crate::modeled_error("sts", shape, message)
}

fn not_authorized() -> ApiError {
    ApiError::new("AccessDenied", 403, "Not authorized to perform sts:AssumeRoleWithWebIdentity")
}

/// The request context the trust policy is judged with: the token's claims under the
/// provider's name, and the global keys an unsigned request has.
fn trust_conditions(ctx: &RequestContext, token: &IdToken, provider_arn: &str) -> ConditionContext {
    let mut keys = ConditionContext::new();
    let provider = &token.issuer;
    keys.insert(&format!("{provider}:sub"), token.subject.clone());
    keys.insert_values(&format!("{provider}:aud"), token.audiences.clone());
    if !token.authentication_methods.is_empty() {
        keys.insert_values(&format!("{provider}:amr"), token.authentication_methods.clone());
    }
    keys.insert("aws:FederatedProvider", provider_arn.to_owned());
    federation::add_unsigned_request_keys(&mut keys, ctx);
    keys
}

pub async fn assume_role_with_web_identity(
    store: &Store,
    sealer: &Sealer,
    key_cache: &oidc_keys::KeyCache,
    ctx: &RequestContext,
    input: Value,
) -> Result<Reply, ApiError> {
    let request: AssumeRoleWithWebIdentityRequest = crate::input::from_input(input)?;
    let (account, role_name) =
        role_of_arn(&request.role_arn).ok_or_else(|| ApiError::new("ValidationError", 400, format!("{} is invalid", request.role_arn)))?;
    let token = web_identity_token::parse(&request.web_identity_token).map_err(|reason| {
        tracing::debug!(reason = reason.0, "AssumeRoleWithWebIdentity: unreadable token");
        model_error(
            "InvalidIdentityTokenException",
            "The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)",
        )
    })?;
    let provider_arn = format!("arn:aws:iam::{account}:oidc-provider/{}", token.issuer);
    let mut tx = store.begin().await.map_err(store_error)?;
    let provider = oidc_providers::load(&mut tx, account, &provider_arn).await.map_err(|_| {
        model_error("InvalidIdentityTokenException", format!("No OpenIDConnect provider found in your account for https://{}", token.issuer))
    })?;
    let Some(audience) = token.audiences.iter().find(|a| provider.client_ids.contains(a)).cloned() else {
        return Err(model_error("InvalidIdentityTokenException", "Incorrect token audience"));
    };
    if token.expires_at <= ctx.time {
        return Err(model_error(
            "ExpiredTokenException",
            format!(
                "Token expired: current date/time {} must be before the expiration date/time {}",
                ctx.time.floor() as i64,
                token.expires_at as i64
            ),
        ));
    }
    if token.not_before.is_some_and(|nbf| nbf > ctx.time) {
        return Err(model_error("InvalidIdentityTokenException", "The token is not yet valid (nbf is in the future)."));
    }
    let role = entities::load(&mut tx, account, EntityKind::Role, role_name).await.map_err(|_| not_authorized());
    // The provider is reached with no transaction open.
    drop(tx);
    let provider = &provider;
    let keys = |refresh: bool| async move {
        key_cache.jwks(&provider.url, &provider.thumbprints, refresh).await.map_err(|reason| {
            tracing::info!(provider = %provider.arn, %reason, "AssumeRoleWithWebIdentity: the provider's keys could not be fetched");
            model_error(
                "IDPCommunicationErrorException",
                "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements",
            )
        })
    };
    let verified = web_identity_token::signature_valid(&request.web_identity_token, &keys(false).await?)
        || web_identity_token::signature_valid(&request.web_identity_token, &keys(true).await?);
    if !verified {
        return Err(model_error("InvalidIdentityTokenException", "The signature of the token could not be verified with the keys of its issuer."));
    }
    let role = role?;
    let claimed_tags = token.principal_tags.iter().map(|(key, values)| (key.as_str(), values.as_slice()));
    let tags = federation::claimed_session_tags(claimed_tags, token.transitive_tag_keys.clone())?;
    let mut conditions = trust_conditions(ctx, &token, &provider.arn);
    for (key, values) in session_tags::condition_keys(&tags) {
        conditions.insert_values(&key, values);
    }
    // Tags in the token need the trust policy to allow sts:TagSession as well.
    let actions: &[&str] = if tags.is_empty() { &["sts:AssumeRoleWithWebIdentity"] } else { &["sts:AssumeRoleWithWebIdentity", "sts:TagSession"] };
    federation::judge_trust(&role, &provider.arn, actions, &conditions, not_authorized)?;
    let max = role.max_session_duration.unwrap_or(DEFAULT_DURATION_SECONDS);
    let duration = request.duration_seconds.unwrap_or(DEFAULT_DURATION_SECONDS.min(max));
    if duration > max {
        return Err(ApiError::new("ValidationError", 400, "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."));
    }
    if let Some(document) = &request.policy {
        policy::parse_policy(document, PolicyType::Session).map_err(|e| model_error("MalformedPolicyDocumentException", e.message()))?;
    }
    let policy_arns: Vec<String> = request.policy_arns.into_iter().map(|p| p.arn).collect();
    let packed_policy_size = session_tags::packed_policy_size(request.policy.as_deref(), &policy_arns, &tags)?;
    let session = Session::of_role(
        &role,
        request.role_session_name.clone(),
        (ctx.time + duration as f64).floor(),
        request.policy.into_iter().collect(),
        policy_arns,
        token.source_identity.clone(),
    )
    .with_tags(tags);
    let mut tx = store.begin().await.map_err(store_error)?;
    let (session, credentials) = sessions::issue(&mut tx, sealer, session).await?;
    tx.commit().await.map_err(store_error)?;
    let mut output = json!({
        "Credentials": credentials,
        "SubjectFromWebIdentityToken": token.subject,
        "AssumedRoleUser": { "AssumedRoleId": session.assumed_role_id(), "Arn": session.arn() },
        "Provider": token.issuer_claim,
        "Audience": audience,
        "PackedPolicySize": packed_policy_size,
    });
    if let Some(source_identity) = &session.source_identity {
        output["SourceIdentity"] = json!(source_identity);
    }
    Ok(federation::record_session_tags(Reply::new(output).resource("AWS::IAM::Role", role.arn), &session))
}
