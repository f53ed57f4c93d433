//! The policy engine judging every call: the gateway's authorize step, filled by IAM.

use gateway::{
    authorize::{access_denied, iam_action, AuthorizeFuture, Authorizer},
    principal::PrincipalKind,
    RequestContext,
};
use policy::{
    authorizer::{NamedPolicy, ResourcePolicy, ResourcePolicyKind},
    context::{Request, RequestContext as ConditionContext},
    PolicyType,
};
use serde_json::Value;
use store::Store;
use wire::ApiError;

use super::{
    authorization_reference::AuthorizationReference,
    entities::{self, EntityKind},
    policy_cache::PolicyCache,
    principal_policies::{self, PrincipalFacts},
    store_error,
};

/// What the policy engine needs to know about a request's resource: the ARN to judge it by (a
/// secret named by a partial ARN is judged by its full ARN), the account that owns it, and its
/// resource-based policy, and its tags (`aws:ResourceTag/<key>`).
#[derive(Clone, Default)]
struct ResourceFacts {
    arn: Option<String>,
    account: Option<String>,
    policy: Option<ResourcePolicy>,
    tags: Vec<(String, String)>,
}

/// A principal's policies are cached per account, access key and ARN: an STS session's key
/// carries its own session policies.
type PrincipalKey = (String, String, String);

pub struct PolicyAuthorizer {
    store: Store,
    principals: PolicyCache<PrincipalKey, PrincipalFacts>,
    resources: PolicyCache<String, ResourceFacts>,
}

impl PolicyAuthorizer {
    pub fn new(store: Store) -> Self {
        PolicyAuthorizer { store, principals: PolicyCache::default(), resources: PolicyCache::default() }
    }

    /// The caller as the engine sees it, the policies that bear on it (identity policies,
    /// boundary, session policies, SCPs) and its principal tags.
    async fn principal_policies(&self, ctx: &RequestContext) -> Result<PrincipalFacts, ApiError> {
        let principal = &ctx.principal;
        let key = (principal.account.clone(), principal.access_key_id.clone(), principal.arn.clone());
        let (cached, generation) = self.principals.get(&key);
        if let Some(found) = cached {
            return Ok(found);
        }
        let mut tx = self.store.begin().await.map_err(store_error)?;
        let mut facts = principal_policies::for_principal(&mut tx, principal).await?;
        // SCPs limit the account's own principals, never AWS service principals.
        if !matches!(principal.kind, PrincipalKind::Service { .. }) {
            facts.policies.service_control_policies = crate::organizations::scp::for_account(&mut tx, ctx.account()).await?;
        }
        drop(tx);
        self.principals.put(key, facts.clone(), generation);
        Ok(facts)
    }

    async fn resource_facts(&self, action: &str, resource: &str) -> Result<ResourceFacts, ApiError> {
        let family = if judged_by_trust_policy(action) { "trust" } else { action.split(':').next().unwrap_or_default() };
        let key = format!("{family}|{resource}");
        let (cached, generation) = self.resources.get(&key);
        if let Some(found) = cached {
            return Ok(found);
        }
        let facts = self.load_resource_facts(action, resource).await?;
        self.resources.put(key, facts.clone(), generation);
        Ok(facts)
    }

    async fn load_resource_facts(&self, action: &str, resource: &str) -> Result<ResourceFacts, ApiError> {
        let owned = |found: Option<(String, ResourcePolicy)>| match found {
            Some((account, policy)) => ResourceFacts { arn: None, account: Some(account), policy: Some(policy), tags: Vec::new() },
            None => ResourceFacts::default(),
        };
        if judged_by_trust_policy(action) {
            return Ok(owned(self.trust_policy(resource).await?));
        }
        if action.starts_with("kms:") && resource.starts_with("arn:aws:kms:") {
            return Ok(owned(self.key_policy(resource).await?));
        }
        if action.starts_with("lambda:") && resource.starts_with("arn:aws:lambda:") {
            // The function's account owns it even without a policy: another account's caller
            // then has nothing that lets it in.
            let account = resource.split(':').nth(4).map(str::to_owned);
            let policy = self.function_policy(resource).await?.map(|(_, policy)| policy);
            return Ok(ResourceFacts { account, policy, ..ResourceFacts::default() });
        }
        if action.starts_with("acm-pca:") && resource.starts_with("arn:aws:acm-pca:") {
            if let Some((account, policy)) = crate::acm_pca::resource_policy(&self.store, resource).await {
                return Ok(ResourceFacts { arn: None, account: Some(account), policy, ..ResourceFacts::default() });
            }
        }
        if action.starts_with("secretsmanager:") && resource.starts_with("arn:aws:secretsmanager:") {
            if let Some(secret) = crate::secretsmanager::policy_target(&self.store, resource).await {
                return Ok(ResourceFacts { arn: Some(secret.arn), account: Some(secret.account), policy: secret.policy, tags: secret.tags });
            }
        }
        if action.starts_with("ssm:") && resource.starts_with("arn:aws:ssm:") {
            if let Some(tags) = crate::ssm::resource_tags(&self.store, resource).await {
                return Ok(ResourceFacts { tags, ..ResourceFacts::default() });
            }
        }
        Ok(ResourceFacts::default())
    }

    async fn judge(&self, ctx: &RequestContext, resources: &[String], input: &Value) -> Result<(), ApiError> {
        if let PrincipalKind::Anonymous = ctx.principal.kind {
            // The caller of an unsigned operation is judged by the operation (a trust policy).
            return Ok(());
        }
        let PrincipalFacts { caller, policies, tags: principal_tags, transitive_tags, saml_subject } = self.principal_policies(ctx).await?;
        let operation_action = iam_action(ctx);
        if operation_action == "kms:RetireGrant" {
            // Permission to retire a grant comes from the grant itself; KMS checks it.
            return Ok(());
        }
        // A request that tags a session (its own tags, or transitive ones its caller passes on)
        // needs sts:TagSession on the same resource too, and both actions see the tags.
        let session_tags = crate::sts::session_tags::requested(ctx.operation, input, &transitive_tags);
        // The context every action of the request shares, built only once a policy reads it.
        let mut shared_conditions: Option<ConditionContext> = None;
        let derived;
        let resources = if resources.is_empty() {
            derived = resources_from_reference(ctx, &operation_action, input);
            derived.as_slice()
        } else {
            resources
        };
        let mut judged = Vec::new();
        for (index, resource) in resources.iter().enumerate() {
            // ReEncrypt is two actions: ReEncryptFrom on the source key, ReEncryptTo on the
            // destination key (the service lists them in that order).
            let action = match (operation_action.as_str(), index) {
                ("kms:ReEncrypt", 0) => "kms:ReEncryptFrom".to_owned(),
                ("kms:ReEncrypt", _) => "kms:ReEncryptTo".to_owned(),
                _ => operation_action.clone(),
            };
            judged.push((action, resource));
            if session_tags.is_some() {
                judged.push(("sts:TagSession".to_owned(), resource));
            }
        }
        for (action, resource) in judged {
            let mut request = Request::new(caller.clone(), &action, resource)
                .map_err(|e| ApiError::internal(format!("cannot build the authorization request: {e}")))?;
            if action == "sts:AssumeRole" && matches!(ctx.principal.kind, PrincipalKind::Root) {
                return Err(access_denied(ctx, "Roles may not be assumed by root accounts.".to_owned()));
            }
            let facts = self.resource_facts(&action, resource).await?;
            if let Some(arn) = facts.arn {
                request.resource = arn;
            }
            if let Some(account) = &facts.account {
                request = request.with_resource_account(account);
            }
            let mut policies = policies.clone();
            policies.resource_policy = facts.policy;
            if policies.reads_context() {
                let shared = shared_conditions.get_or_insert_with(|| {
                    let mut conditions = condition_keys(ctx);
                    for tag in &principal_tags {
                        conditions.insert(&format!("aws:PrincipalTag/{}", tag.key), tag.value.clone());
                    }
                    for (key, value) in saml_subject.iter().flat_map(|subject| subject.condition_keys()) {
                        conditions.insert(key, value.to_owned());
                    }
                    for (key, values) in session_tags.iter().flat_map(crate::sts::session_tags::condition_keys) {
                        conditions.insert_values(&key, values);
                    }
                    conditions
                });
                request = request.with_context(action_conditions(shared, &action, ctx, input, &facts.tags));
            }
            let decision = policy::authorize(&request, &policies);
            if !decision.is_allowed() {
                let message = decision.access_denied_message(&request).unwrap_or_else(|| {
                    format!("User: {} is not authorized to perform: {action} on resource: {resource}", ctx.principal.arn)
                });
                return Err(access_denied(ctx, message));
            }
        }
        Ok(())
    }
}

impl PolicyAuthorizer {
    /// The trust policy of the role `arn` names, as the resource policy of sts:AssumeRole.
    async fn trust_policy(&self, arn: &str) -> Result<Option<(String, ResourcePolicy)>, ApiError> {
        let Some((account, name)) = crate::sts::role_of_arn(arn) else { return Ok(None) };
        let mut tx = self.store.begin().await.map_err(store_error)?;
        let Ok(role) = entities::load(&mut tx, account, EntityKind::Role, name).await else { return Ok(None) };
        let Some(document) = role.assume_role_policy else { return Ok(None) };
        let parsed = policy::parse_policy(&document, PolicyType::Trust)
            .map_err(|e| ApiError::internal(format!("the trust policy of {arn} does not parse: {}", e.message())))?;
        let trust = ResourcePolicy { policy: NamedPolicy::new(&role.arn, parsed), kind: ResourcePolicyKind::TrustPolicy };
        Ok(Some((account.to_owned(), trust)))
    }
}

impl PolicyAuthorizer {
    /// The key policy of the KMS key `arn` names (an alias ARN is followed to its key): with a
    /// key policy, IAM policies count only where the key policy lets the account use them.
    async fn key_policy(&self, arn: &str) -> Result<Option<(String, ResourcePolicy)>, ApiError> {
        let Some(key_arn) = crate::kms::resolve_key_arn(&self.store, arn).await else { return Ok(None) };
        let Some(document) = crate::kms::key_policy(&self.store, &key_arn).await else { return Ok(None) };
        let account = key_arn.split(':').nth(4).unwrap_or_default().to_owned();
        let parsed = policy::parse_policy(&document, PolicyType::KeyPolicy)
            .map_err(|e| ApiError::internal(format!("the key policy of {key_arn} does not parse: {}", e.message())))?;
        let key_policy = ResourcePolicy { policy: NamedPolicy::new(&key_arn, parsed), kind: ResourcePolicyKind::KeyPolicy };
        Ok(Some((account, key_policy)))
    }
}

impl PolicyAuthorizer {
    /// The resource-based policy of the Lambda function `arn` names (its AddPermission
    /// statements), judged like any resource policy: an allow in it grants access on its own.
    async fn function_policy(&self, arn: &str) -> Result<Option<(String, ResourcePolicy)>, ApiError> {
        let Some(document) = crate::lambda::function_policy(&self.store, arn).await else { return Ok(None) };
        let account = arn.split(':').nth(4).unwrap_or_default().to_owned();
        let parsed = policy::parse_policy(&document, PolicyType::Resource)
            .map_err(|e| ApiError::internal(format!("the policy of {arn} does not parse: {}", e.message())))?;
        let function_policy = ResourcePolicy { policy: NamedPolicy::new(arn, parsed), kind: ResourcePolicyKind::Resource };
        Ok(Some((account, function_policy)))
    }
}

/// The resources of a request whose service declares none: those its action's resource types
/// name in the authorization reference, filled from the request; `*` for an action the reference
/// does not know.
fn resources_from_reference(ctx: &RequestContext, action: &str, input: &Value) -> Vec<String> {
    match AuthorizationReference::get().action(action) {
        Some(action) => action.resource_arns(&ctx.region, ctx.account(), input),
        None => vec!["*".to_owned()],
    }
}

/// Actions a role's trust policy judges, as the resource policy of the role.
fn judged_by_trust_policy(action: &str) -> bool {
    matches!(action, "sts:AssumeRole" | "sts:TagSession")
}

impl Authorizer for PolicyAuthorizer {
    fn authorize<'a>(&'a self, ctx: &'a RequestContext, resources: &'a [String], input: &'a Value) -> AuthorizeFuture<'a> {
        Box::pin(self.judge(ctx, resources, input))
    }

    fn written(&self) {
        self.principals.clear();
        self.resources.clear();
    }
}

/// The global condition keys a request carries, filled from what the pipeline learned.
/// The request's context for one of its actions: the shared keys, the service's keys for the
/// action, and the resource's tags.
fn action_conditions(
    shared: &ConditionContext,
    action: &str,
    ctx: &RequestContext,
    input: &Value,
    resource_tags: &[(String, String)],
) -> ConditionContext {
    let mut conditions = shared.clone();
    let service_keys = match action.split(':').next().unwrap_or_default() {
        "kms" => crate::kms::conditions::condition_keys(action, ctx.account(), input),
        "ssm" => crate::ssm::condition_keys(action, input),
        "secretsmanager" => crate::secretsmanager::condition_keys(input),
        _ => Vec::new(),
    };
    for (key, values) in super::request_tags::condition_keys(action, input).into_iter().chain(service_keys) {
        conditions.insert_values(&key, values);
    }
    let service_prefix = action.split(':').next().unwrap_or_default();
    for (key, value) in resource_tags {
        conditions.insert(&format!("aws:ResourceTag/{key}"), value.clone());
        conditions.insert(&format!("{service_prefix}:ResourceTag/{key}"), value.clone());
    }
    conditions
}

pub fn condition_keys(ctx: &RequestContext) -> ConditionContext {
    let principal = &ctx.principal;
    let mut keys = ConditionContext::new();
    keys.insert("aws:PrincipalArn", principal.arn.clone());
    keys.insert("aws:PrincipalAccount", principal.account.clone());
    keys.insert("aws:userid", principal.user_id.clone());
    let principal_type = match &principal.kind {
        PrincipalKind::Root => "Account",
        PrincipalKind::IamUser { name } => {
            keys.insert("aws:username", name.clone());
            "User"
        }
        PrincipalKind::AssumedRole { .. } => "AssumedRole",
        PrincipalKind::FederatedUser { .. } => "FederatedUser",
        PrincipalKind::Anonymous => "Anonymous",
        PrincipalKind::Service { service } => {
            keys.insert("aws:PrincipalServiceName", service.clone());
            "Service"
        }
    };
    keys.insert("aws:PrincipalType", principal_type);
    keys.insert("aws:SourceIp", ctx.source_ip.to_string());
    keys.insert("aws:SecureTransport", ctx.secure_transport.to_string());
    keys.insert("aws:CurrentTime", wire::timestamp::format_iso8601(ctx.time.floor()));
    keys.insert("aws:EpochTime", format!("{}", ctx.time.floor() as i64));
    keys.insert("aws:RequestedRegion", ctx.region.clone());
    // A service calling with the caller's identity (forward access) sets the Via keys; a
    // service principal calling for itself does not.
    match ctx.invoked_by {
        Some(service) if !matches!(principal.kind, PrincipalKind::Service { .. }) => {
            keys.insert("aws:ViaAWSService", "true");
            let name = service.strip_suffix(".amazonaws.com").unwrap_or(service);
            keys.insert("kms:ViaService", format!("{name}.{}.amazonaws.com", ctx.region));
        }
        _ => keys.insert("aws:ViaAWSService", "false"),
    }
    // Long-term keys carry no MFA keys at all; temporary credentials say whether MFA was used.
    match principal.mfa_authenticated_at {
        Some(at) => {
            keys.insert("aws:MultiFactorAuthPresent", "true");
            keys.insert("aws:MultiFactorAuthAge", format!("{}", (ctx.time - at).max(0.0) as i64));
        }
        None if principal.temporary => keys.insert("aws:MultiFactorAuthPresent", "false"),
        None => {}
    }
    keys
}
