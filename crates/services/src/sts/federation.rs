//! What AssumeRoleWithWebIdentity and AssumeRoleWithSAML share once the identity provider's
//! token or response is verified: the session tags its claims pass, the role's trust policy
//! judging the provider, and CloudTrail's record of the tags.

use gateway::{Reply, RequestContext};
use policy::{
    authorizer::{NamedPolicy, ResourcePolicy, ResourcePolicyKind},
    context::{Caller, Request, RequestContext as ConditionContext},
    PolicySet, PolicyType,
};
use serde_json::json;
use wire::ApiError;

use super::{
    session_tags::{self, SessionTags},
    sessions::Session,
};
use crate::iam::entities::{Entity, Tag};

/// The global keys an unsigned request has, added to `keys`.
pub fn add_unsigned_request_keys(keys: &mut ConditionContext, ctx: &RequestContext) {
    keys.insert("aws:SourceIp", ctx.source_ip.to_string());
    keys.insert("aws:SecureTransport", ctx.secure_transport.to_string());
    keys.insert("aws:CurrentTime", wire::timestamp::format_iso8601(ctx.time.floor()));
    keys.insert("aws:EpochTime", format!("{}", ctx.time.floor() as i64));
    keys.insert("aws:RequestedRegion", ctx.region.clone());
}

/// The session tags a provider's claims pass (key and values), checked as AssumeRole's are; a
/// tag must have exactly one value.
pub fn claimed_session_tags<'a>(
    claims: impl IntoIterator<Item = (&'a str, &'a [String])>,
    transitive_keys: Vec<String>,
) -> Result<SessionTags, ApiError> {
    let mut tags = Vec::new();
    for (key, values) in claims {
        let [value] = values else {
            return Err(crate::modeled_error(
                "sts",
                "InvalidIdentityTokenException",
                format!("The session tag {key} must have exactly one value: multivalued session tags are not supported."),
            ));
        };
        tags.push(Tag { key: key.to_owned(), value: value.clone() });
    }
    SessionTags::new(tags, transitive_keys)
}

/// Whether the trust policy of `role` allows the provider every one of `actions` with
/// `conditions`; `not_authorized` is the call's refusal.
pub fn judge_trust(
    role: &Entity,
    provider_arn: &str,
    actions: &[&str],
    conditions: &ConditionContext,
    not_authorized: fn() -> ApiError,
) -> Result<(), ApiError> {
    let trust_document = role.assume_role_policy.as_deref().ok_or_else(not_authorized)?;
    let trust = policy::parse_policy(trust_document, PolicyType::Trust).map_err(|_| not_authorized())?;
    let policies = PolicySet {
        resource_policy: Some(ResourcePolicy { policy: NamedPolicy::new(&role.arn, trust), kind: ResourcePolicyKind::TrustPolicy }),
        ..PolicySet::default()
    };
    for action in actions {
        let judged = Request::new(Caller::IdentityProvider { provider: provider_arn.to_owned() }, action, &role.arn)
            .map_err(|e| ApiError::internal(format!("cannot build the authorization request: {e}")))?
            .with_context(conditions.clone())
            .with_resource_account(&role.account);
        if !policy::authorize(&judged, &policies).is_allowed() {
            return Err(not_authorized());
        }
    }
    Ok(())
}

/// Tags are not secret: CloudTrail shows the ones the provider passed among the request
/// parameters.
pub fn record_session_tags(mut reply: Reply, session: &Session) -> Reply {
    if !session.tags.tags.is_empty() {
        reply = reply.request_parameter("principalTags", session_tags::as_object(&session.tags.tags));
    }
    if !session.tags.transitive_keys.is_empty() {
        reply = reply.request_parameter("transitiveTagKeys", json!(session.tags.transitive_keys));
    }
    reply
}
