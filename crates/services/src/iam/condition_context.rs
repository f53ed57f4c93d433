//! The request context the policy engine reads conditions from, holding only the keys the
//! policies judging the request refer to. Most requests are judged by policies that read two
//! or three keys, or none; filling every global, service and tag key for each of them would
//! cost more than the judgement.

use gateway::{principal::PrincipalKind, RequestContext};
use policy::context::RequestContext as ConditionContext;
use serde_json::Value;

use super::entities::Tag;
use crate::sts::{session_tags::SessionTags, sessions::SamlSubject};

/// A context under construction that keeps only the keys some policy reads.
#[derive(Clone)]
pub struct ContextBuilder {
    wanted: Vec<String>,
    context: ConditionContext,
}

impl ContextBuilder {
    fn new(wanted: &[&str]) -> Self {
        ContextBuilder { wanted: wanted.iter().map(|&key| key.to_owned()).collect(), context: ConditionContext::new() }
    }

    fn wants(&self, key: &str) -> bool {
        self.wanted.iter().any(|wanted| wanted.eq_ignore_ascii_case(key))
    }

    /// Whether a wanted key starts with `prefix` (`kms:`, `aws:ResourceTag/`).
    fn wants_any(&self, prefix: &str) -> bool {
        self.wanted.iter().any(|wanted| wanted.get(..prefix.len()).is_some_and(|start| start.eq_ignore_ascii_case(prefix)))
    }

    fn insert(&mut self, key: &str, value: impl Into<String>) {
        if self.wants(key) {
            self.context.insert(key, value);
        }
    }

    /// For a value that costs work to render.
    fn insert_with(&mut self, key: &str, value: impl FnOnce() -> String) {
        if self.wants(key) {
            self.context.insert(key, value());
        }
    }

    fn insert_values(&mut self, key: &str, values: Vec<String>) {
        if self.wants(key) {
            self.context.insert_values(key, values);
        }
    }
}

/// What the pipeline and IAM know about the caller of a request, beyond its context.
pub struct CallerFacts<'a> {
    pub principal_tags: &'a [Tag],
    pub saml_subject: Option<&'a SamlSubject>,
    pub session_tags: Option<&'a SessionTags>,
}

/// The keys every action of a request shares: the global keys, the caller's tags and SAML
/// subject, and the tags of a session the request creates.
pub fn shared(ctx: &RequestContext, caller: &CallerFacts<'_>, wanted: &[&str]) -> ContextBuilder {
    let mut keys = ContextBuilder::new(wanted);
    let principal = &ctx.principal;
    keys.insert("aws:PrincipalArn", principal.arn.as_str());
    keys.insert("aws:PrincipalAccount", principal.account.as_str());
    keys.insert("aws:userid", principal.user_id.as_str());
    let principal_type = match &principal.kind {
        PrincipalKind::Root => "Account",
        PrincipalKind::IamUser { name } => {
            keys.insert("aws:username", name.as_str());
            "User"
        }
        PrincipalKind::AssumedRole { .. } => "AssumedRole",
        PrincipalKind::FederatedUser { .. } => "FederatedUser",
        PrincipalKind::Anonymous => "Anonymous",
        PrincipalKind::Service { service } => {
            keys.insert("aws:PrincipalServiceName", service.as_str());
            "Service"
        }
    };
    keys.insert("aws:PrincipalType", principal_type);
    keys.insert_with("aws:SourceIp", || ctx.source_ip.to_string());
    keys.insert("aws:SecureTransport", if ctx.secure_transport { "true" } else { "false" });
    keys.insert_with("aws:CurrentTime", || wire::timestamp::format_iso8601(ctx.time.floor()));
    keys.insert_with("aws:EpochTime", || format!("{}", ctx.time.floor() as i64));
    keys.insert("aws:RequestedRegion", ctx.region.as_str());
    // A service calling with the caller's identity (forward access) sets the Via keys; a
    // service principal calling for itself does not.
    match ctx.invoked_by {
        Some(service) if !matches!(principal.kind, PrincipalKind::Service { .. }) => {
            keys.insert("aws:ViaAWSService", "true");
            let name = service.strip_suffix(".amazonaws.com").unwrap_or(service);
            keys.insert_with("kms:ViaService", || format!("{name}.{}.amazonaws.com", ctx.region));
        }
        _ => keys.insert("aws:ViaAWSService", "false"),
    }
    // Long-term keys carry no MFA keys at all; temporary credentials say whether MFA was used.
    match principal.mfa_authenticated_at {
        Some(at) => {
            keys.insert("aws:MultiFactorAuthPresent", "true");
            keys.insert_with("aws:MultiFactorAuthAge", || format!("{}", (ctx.time - at).max(0.0) as i64));
        }
        None if principal.temporary => keys.insert("aws:MultiFactorAuthPresent", "false"),
        None => {}
    }
    if keys.wants_any("aws:PrincipalTag/") {
        for tag in caller.principal_tags {
            keys.insert(&format!("aws:PrincipalTag/{}", tag.key), tag.value.as_str());
        }
    }
    for (key, value) in caller.saml_subject.iter().flat_map(|subject| subject.condition_keys()) {
        keys.insert(key, value);
    }
    for (key, values) in caller.session_tags.iter().flat_map(|tags| crate::sts::session_tags::condition_keys(tags)) {
        keys.insert_values(&key, values);
    }
    keys
}

/// The context of one action of a request: the shared keys, the service's keys for the
/// action, and the resource's tags.
pub fn for_action(
    shared: &ContextBuilder,
    action: &str,
    ctx: &RequestContext,
    input: &Value,
    resource_tags: &[(String, String)],
) -> ConditionContext {
    let mut keys = shared.clone();
    let service_prefix = action.split(':').next().unwrap_or_default();
    // Parameter Store reads its request tags itself, among its own keys.
    let wants_request_tags = keys.wants_any("aws:RequestTag/") || keys.wants("aws:TagKeys");
    if wants_request_tags {
        for (key, values) in super::request_tags::condition_keys(action, input) {
            keys.insert_values(&key, values);
        }
    }
    if wants_request_tags || keys.wants_any(&format!("{service_prefix}:")) {
        let service_keys = match service_prefix {
            "kms" => crate::kms::conditions::condition_keys(action, ctx.account(), input),
            "ssm" => crate::ssm::condition_keys(action, input),
            "secretsmanager" => crate::secretsmanager::condition_keys(input),
            _ => Vec::new(),
        };
        for (key, values) in service_keys {
            keys.insert_values(&key, values);
        }
    }
    if keys.wants_any("aws:ResourceTag/") || keys.wants_any(&format!("{service_prefix}:ResourceTag/")) {
        for (key, value) in resource_tags {
            keys.insert(&format!("aws:ResourceTag/{key}"), value.as_str());
            keys.insert(&format!("{service_prefix}:ResourceTag/{key}"), value.as_str());
        }
    }
    keys.context
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_wanted_keys_are_kept_whatever_their_case() {
        let mut keys = ContextBuilder::new(&["AWS:SourceIp", "aws:PrincipalTag/team"]);
        keys.insert("aws:sourceip", "10.0.0.1");
        keys.insert("aws:PrincipalArn", "arn:aws:iam::111122223333:user/alice");
        keys.insert_with("aws:CurrentTime", || unreachable!("no policy reads it"));
        assert!(keys.wants_any("aws:principaltag/"));
        assert!(!keys.wants_any("aws:ResourceTag/"));
        assert_eq!(keys.context.get("aws:SourceIp"), Some(&["10.0.0.1".to_owned()][..]));
        assert_eq!(keys.context.get("aws:PrincipalArn"), None);
    }
}
