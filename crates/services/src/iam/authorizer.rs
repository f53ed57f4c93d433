//! The policy engine judging every call: the gateway's authorize step, filled by IAM.

use gateway::{
    authorize::{access_denied, iam_action, AuthorizeFuture, Authorizer},
    principal::PrincipalKind,
    RequestContext,
};
use policy::{
    authorizer::{NamedPolicy, ResourcePolicy, ResourcePolicyKind},
    context::Request,
    PolicyType,
};
use serde_json::Value;
use store::Store;
use wire::ApiError;

use super::{
    authorization_reference::AuthorizationReference,
    condition_context::{self, CallerFacts},
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
        let derived;
        let resources = if resources.is_empty() {
            derived = resources_from_reference(ctx, &operation_action, input);
            derived.as_slice()
        } else {
            resources
        };
        let mut actions = Vec::new();
        for (index, resource) in resources.iter().enumerate() {
            // ReEncrypt is two actions: ReEncryptFrom on the source key, ReEncryptTo on the
            // destination key (the service lists them in that order).
            let action = match (operation_action.as_str(), index) {
                ("kms:ReEncrypt", 0) => "kms:ReEncryptFrom".to_owned(),
                ("kms:ReEncrypt", _) => "kms:ReEncryptTo".to_owned(),
                _ => operation_action.clone(),
            };
            actions.push((action, resource));
            if session_tags.is_some() {
                actions.push(("sts:TagSession".to_owned(), resource));
            }
        }
        let mut judged = Vec::new();
        for (action, resource) in actions {
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
            judged.push((action, resource, request, policies, facts.tags));
        }
        let wanted: Vec<&str> = judged.iter().flat_map(|(_, _, _, policies, _)| policies.context_keys()).collect();
        let shared = (!wanted.is_empty()).then(|| {
            let facts = CallerFacts { principal_tags: &principal_tags, saml_subject: saml_subject.as_ref(), session_tags: session_tags.as_ref() };
            condition_context::shared(ctx, &facts, &wanted)
        });
        for (action, resource, mut request, policies, resource_tags) in judged {
            if let Some(shared) = &shared {
                request = request.with_context(condition_context::for_action(shared, &action, ctx, input, &resource_tags));
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
