//! IAM policy documents parsed as every policy type, and each one that parses evaluated and
//! authorized against a request with condition keys of every type. The first byte picks the
//! action and resource the request names; the rest is the document.

#![no_main]

use libfuzzer_sys::fuzz_target;
use policy::{
    authorizer::{NamedPolicy, ResourcePolicy, ResourcePolicyKind},
    authorize, evaluator, parse_policy, Caller, PolicySet, PolicyType, Request, RequestContext,
};

const POLICY_TYPES: &[PolicyType] = &[
    PolicyType::Identity,
    PolicyType::Resource,
    PolicyType::Trust,
    PolicyType::PermissionsBoundary,
    PolicyType::ServiceControl,
    PolicyType::ResourceControl,
    PolicyType::Session,
    PolicyType::KeyPolicy,
];

const REQUESTS: &[(&str, &str)] = &[
    ("s3:GetObject", "arn:aws:s3:::bucket/home/alice/notes.txt"),
    ("kms:Decrypt", "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"),
    ("iam:CreateUser", "arn:aws:iam::111122223333:user/bob"),
    ("sts:AssumeRole", "arn:aws:iam::111122223333:role/app"),
];

fn request(selector: u8) -> Request {
    let (action, resource) = REQUESTS[usize::from(selector) % REQUESTS.len()];
    let context = RequestContext::new()
        .with("aws:username", "alice")
        .with("aws:SourceIp", "203.0.113.9")
        .with("aws:CurrentTime", "2026-11-28T12:00:00Z")
        .with("aws:MultiFactorAuthPresent", "true")
        .with("aws:MultiFactorAuthAge", "300")
        .with("aws:PrincipalTag/team", "blue")
        .with_values("aws:TagKeys", &["team", "env"]);
    Request::new(Caller::User { arn: "arn:aws:iam::111122223333:user/alice".into() }, action, resource)
        .expect("the fixed actions are well formed")
        .with_context(context)
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(body) else { return };
    let request = request(selector);
    for &kind in POLICY_TYPES {
        let Ok(document) = parse_policy(text, kind) else { continue };
        let _ = evaluator::evaluate(&document, &request);
        let named = NamedPolicy::new("fuzzed", document);
        let mut set = PolicySet::default();
        match kind {
            PolicyType::Resource | PolicyType::Trust | PolicyType::KeyPolicy => {
                let resource_kind = match kind {
                    PolicyType::Trust => ResourcePolicyKind::TrustPolicy,
                    PolicyType::KeyPolicy => ResourcePolicyKind::KeyPolicy,
                    _ => ResourcePolicyKind::Resource,
                };
                set.resource_policy = Some(ResourcePolicy { policy: named, kind: resource_kind });
            }
            PolicyType::PermissionsBoundary => set.permissions_boundary = Some(named),
            PolicyType::Session => set.session_policies = Some(vec![named]),
            _ => set.identity_policies.push(named),
        }
        let _ = authorize(&request, &set);
    }
});
