//! AssumeRoleWithSAML: an unsigned call trading a SAML 2.0 response of one of the account's
//! SAML providers for a role session.
//!
//! The response must be signed (the response, its one assertion, or both) by a certificate of
//! the provider's metadata, issued by the provider's entity, for AWS's audience and sign-in
//! endpoint and within its times (see the `saml` crate), and its `Role` attribute must pair the
//! requested role with the provider. The role's trust policy then decides, with the assertion's
//! `saml:` condition keys; its `PrincipalTag:KEY` attributes tag the session (which the trust
//! policy must allow with `sts:TagSession`), as its `SourceIdentity` does (`sts:SetSourceIdentity`).
//! The session keeps the assertion's subject: every request it signs carries `saml:sub`,
//! `saml:sub_type` and `saml:namequalifier` for the role's permission policies.

use base64::{engine::general_purpose::STANDARD, Engine};
use gateway::{Reply, RequestContext};
use policy::{context::RequestContext as ConditionContext, PolicyType};
use saml::Assertion;
use serde::Deserialize;
use serde_json::{json, Value};
use store::{Sealer, Store};
use wire::ApiError;

use super::{
    assume_role::role_of_arn,
    federation,
    session_tags::{self, SessionTags},
    sessions::{self, SamlSubject, Session},
};
use crate::iam::{
    entities,
    saml_providers, store_error, EntityKind,
};

const DEFAULT_DURATION_SECONDS: i64 = 3600;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AssumeRoleWithSamlRequest {
    role_arn: String,
    principal_arn: String,
    #[serde(rename = "SAMLAssertion")]
    saml_assertion: String,
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

fn invalid_token(message: impl Into<String>) -> ApiError {
    model_error("InvalidIdentityTokenException", message)
}

fn not_authorized() -> ApiError {
    ApiError::new("AccessDenied", 403, "Not authorized to perform sts:AssumeRoleWithSAML")
}

/// STS's answer to a response the `saml` engine refuses, in the words of the IAM user guide's
/// SAML troubleshooting where it has them.
fn refused(error: saml::Error, now: f64) -> ApiError {
    use saml::Error;
    match error {
        Error::Unsigned | Error::SignatureInvalid(_) => invalid_token("Response signature invalid"),
        Error::IssuerMismatch { .. } => invalid_token("Issuer not present in specified provider"),
        Error::Rejected { status } => model_error("IDPRejectedClaimException", format!("The identity provider rejected the authentication: {status}")),
        Error::Expired { not_on_or_after } => model_error(
            "ExpiredTokenException",
            format!(
                "Token expired: current date/time {} must be before the expiration date/time {}",
                wire::timestamp::format_iso8601(now.floor()),
                wire::timestamp::format_iso8601(not_on_or_after)
            ),
        ),
        Error::NotYetValid { not_before } => {
            invalid_token(format!("The SAML assertion is not valid before {}", wire::timestamp::format_iso8601(not_before)))
        }
        Error::WrongAudience(reason) => invalid_token(format!("Invalid SAML response: {reason}")),
        other => invalid_token(format!("Invalid SAML response: {other}")),
    }
}

/// `[a-zA-Z_0-9+=,.@-]{2,64}`, the alphabet of session names and source identities.
fn is_session_name(text: &str) -> bool {
    (2..=64).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_alphanumeric() || b"_+=,.@-".contains(&b))
}

/// `arn:aws:iam::ACCOUNT:saml-provider/NAME`: the account and the provider's name.
fn provider_of_arn(arn: &str) -> Option<(&str, &str)> {
    let (account, name) = arn.strip_prefix("arn:aws:iam::")?.split_once(":saml-provider/")?;
    (account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()) && !name.is_empty()).then_some((account, name))
}

/// The request context the trust policy is judged with: the assertion's `saml:` keys, the
/// session tags it passes, and the global keys an unsigned request has.
fn trust_conditions(ctx: &RequestContext, assertion: &Assertion, tags: &SessionTags, account: &str, provider_name: &str) -> ConditionContext {
    let mut keys = ConditionContext::new();
    for (key, values) in assertion.condition_keys(account, provider_name).into_iter().chain(session_tags::condition_keys(tags)) {
        keys.insert_values(&key, values);
    }
    if let Some(source_identity) = assertion.source_identity() {
        keys.insert("sts:SourceIdentity", source_identity.to_owned());
    }
    federation::add_unsigned_request_keys(&mut keys, ctx);
    keys
}

pub async fn assume_role_with_saml(store: &Store, sealer: &Sealer, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: AssumeRoleWithSamlRequest = crate::input::from_input(input)?;
    let (account, role_name) =
        role_of_arn(&request.role_arn).ok_or_else(|| ApiError::new("ValidationError", 400, format!("{} is invalid", request.role_arn)))?;
    let (provider_account, provider_name) = provider_of_arn(&request.principal_arn)
        .ok_or_else(|| ApiError::new("ValidationError", 400, format!("{} is invalid", request.principal_arn)))?;
    // IdPs wrap the base64 of their responses over several lines.
    let encoded: String = request.saml_assertion.split_ascii_whitespace().collect();
    let document = STANDARD
        .decode(encoded)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .ok_or_else(|| invalid_token("Invalid base64 SAMLResponse"))?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let provider = saml_providers::load(&mut tx, provider_account, &request.principal_arn)
        .await
        .map_err(|_| invalid_token("Specified provider doesn't exist"))?;
    let role = entities::load(&mut tx, account, EntityKind::Role, role_name).await.map_err(|_| not_authorized());
    drop(tx);
    let metadata = saml::metadata::read(&provider.metadata).map_err(|reason| {
        tracing::info!(provider = %provider.arn, %reason, "AssumeRoleWithSAML: the provider's metadata names no signing certificate that can be read");
        invalid_token("Response signature invalid")
    })?;
    let assertion = saml::response::verify(&document, &metadata).map_err(|e| {
        tracing::debug!(reason = %e, "AssumeRoleWithSAML: response refused");
        refused(e, ctx.time)
    })?;
    assertion.check(ctx.time).map_err(|e| refused(e, ctx.time))?;
    if !assertion.pairs_role_with_provider(&request.role_arn, &request.principal_arn) {
        return Err(not_authorized());
    }
    let session_name = assertion.role_session_name().ok_or_else(|| invalid_token("RoleSessionName is required in AuthnResponse"))?;
    if !is_session_name(session_name) {
        return Err(invalid_token("RoleSessionName in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64}"));
    }
    let source_identity = assertion.source_identity();
    if source_identity.is_some_and(|identity| !is_session_name(identity) || identity.starts_with("aws:")) {
        return Err(invalid_token("Source Identity must match [a-zA-Z_0-9+=,.@-]{2,64} and not begin with \"aws:\""));
    }
    let session_duration = assertion.session_duration().map_err(|e| invalid_token(format!("Invalid SAML response: {e}")))?;
    let tags = federation::claimed_session_tags(assertion.principal_tags(), assertion.transitive_tag_keys().to_vec())?;

    let role = role?;
    let conditions = trust_conditions(ctx, &assertion, &tags, provider_account, provider_name);
    // A source identity or session tags in the assertion need the trust policy to allow setting
    // them too.
    let mut actions = vec!["sts:AssumeRoleWithSAML"];
    if source_identity.is_some() {
        actions.push("sts:SetSourceIdentity");
    }
    if !tags.is_empty() {
        actions.push("sts:TagSession");
    }
    federation::judge_trust(&role, &provider.arn, &actions, &conditions, not_authorized)?;

    let max = role.max_session_duration.unwrap_or(DEFAULT_DURATION_SECONDS);
    let duration = request.duration_seconds.unwrap_or(DEFAULT_DURATION_SECONDS);
    if duration > max {
        return Err(ApiError::new("ValidationError", 400, "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."));
    }
    if let Some(document) = &request.policy {
        policy::parse_policy(document, PolicyType::Session).map_err(|e| model_error("MalformedPolicyDocumentException", e.message()))?;
    }
    // The session lasts for DurationSeconds, or less when the assertion's SessionDuration or
    // SessionNotOnOrAfter says so.
    let expires_at = [Some(ctx.time + duration as f64), session_duration.map(|s| ctx.time + s as f64), assertion.session_not_on_or_after]
        .into_iter()
        .flatten()
        .fold(f64::INFINITY, f64::min)
        .floor();
    if expires_at <= ctx.time {
        return Err(refused(saml::Error::Expired { not_on_or_after: expires_at }, ctx.time));
    }
    let policy_arns: Vec<String> = request.policy_arns.into_iter().map(|p| p.arn).collect();
    let packed_policy_size = session_tags::packed_policy_size(request.policy.as_deref(), &policy_arns, &tags)?;
    let subject = SamlSubject {
        sub: assertion.subject.clone(),
        sub_type: assertion.subject_type().to_owned(),
        name_qualifier: assertion.name_qualifier(provider_account, provider_name),
    };
    let session = Session::of_role(
        &role,
        session_name.to_owned(),
        expires_at,
        request.policy.into_iter().collect(),
        policy_arns,
        source_identity.map(str::to_owned),
    )
    .with_tags(tags)
    .with_saml_subject(subject.clone());
    let mut tx = store.begin().await.map_err(store_error)?;
    let (session, credentials) = sessions::issue(&mut tx, sealer, session).await?;
    tx.commit().await.map_err(store_error)?;
    let mut output = json!({
        "Credentials": credentials,
        "AssumedRoleUser": { "AssumedRoleId": session.assumed_role_id(), "Arn": session.arn() },
        "PackedPolicySize": packed_policy_size,
        "Subject": subject.sub,
        "SubjectType": subject.sub_type,
        "Issuer": assertion.issuer,
        "Audience": assertion.recipient,
        "NameQualifier": subject.name_qualifier,
    });
    if let Some(source_identity) = &session.source_identity {
        output["SourceIdentity"] = json!(source_identity);
    }
    Ok(federation::record_session_tags(Reply::new(output).resource("AWS::IAM::Role", role.arn), &session))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_names_use_sts_alphabet_and_length() {
        assert!(is_session_name("alice@example.com"));
        assert!(is_session_name("a_b+c=d,e.f-g"));
        assert!(!is_session_name("a"));
        assert!(!is_session_name("John Doe"));
        assert!(!is_session_name(&"x".repeat(65)));
    }

    #[test]
    fn a_provider_arn_names_its_account_and_provider() {
        assert_eq!(provider_of_arn("arn:aws:iam::111122223333:saml-provider/Corp"), Some(("111122223333", "Corp")));
        assert_eq!(provider_of_arn("arn:aws:iam::111122223333:role/Corp"), None);
        assert_eq!(provider_of_arn("arn:aws:iam::1:saml-provider/Corp"), None);
    }
}
