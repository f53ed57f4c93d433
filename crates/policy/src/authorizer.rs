//! AWS's evaluation logic across policy types: explicit denies, RCPs and SCPs along the
//! organization path, resource-based policies (and the principal they name), identity
//! policies, permissions boundaries and session policies, within one account or across two.
//!
//! The rules follow "Policy evaluation logic", "Cross-account policy evaluation logic" and
//! "Permissions boundaries for IAM entities" of the IAM User Guide; each rule below cites
//! the behaviour it implements.

use std::sync::Arc;

use crate::ast::{distinct_keys, PolicyDocument};
use crate::context::{Caller, Request};
use crate::evaluator::{evaluate_with, PolicyEvaluation, PrincipalGrant};

/// A policy with the name or ARN that decisions report it by.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedPolicy {
    /// The policy's name, ARN or other id (the simulator's `SourcePolicyId`).
    pub id: String,
    /// The parsed document, shared so policy sets are cheap to build per request.
    pub document: Arc<PolicyDocument>,
}

impl NamedPolicy {
    /// Names a parsed document.
    pub fn new(id: &str, document: PolicyDocument) -> NamedPolicy {
        NamedPolicy {
            id: id.to_string(),
            document: Arc::new(document),
        }
    }
}

/// What kind of resource-based policy the resource carries, which decides whether an
/// allow in it is required.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ResourcePolicyKind {
    /// A policy whose allow is one way among others to grant access (S3, SQS, SNS, ...).
    Resource,
    /// A KMS key policy: IAM policies count only when the key policy allows the account.
    KeyPolicy,
    /// A role trust policy: it must allow the caller for `sts:AssumeRole*`.
    TrustPolicy,
}

/// The resource-based policy attached to the requested resource.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourcePolicy {
    /// The policy.
    pub policy: NamedPolicy,
    /// What kind of resource policy it is.
    pub kind: ResourcePolicyKind,
}

/// The SCPs or RCPs that apply to an account, one list per level of its organization path.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OrganizationPolicies {
    /// From the root, through each OU, to the account itself; each level must allow.
    pub levels: Vec<Vec<NamedPolicy>>,
    /// The management account is not affected by SCPs or RCPs.
    pub management_account: bool,
}

/// Every policy that can bear on a request.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PolicySet {
    /// The caller's identity policies: a user's inline and managed policies and those of
    /// its groups, or a role's inline and managed policies.
    pub identity_policies: Vec<NamedPolicy>,
    /// The user's or role's permissions boundary.
    pub permissions_boundary: Option<NamedPolicy>,
    /// The session policies passed when the session was created; `None` when none were.
    pub session_policies: Option<Vec<NamedPolicy>>,
    /// The requested resource's resource-based policy.
    pub resource_policy: Option<ResourcePolicy>,
    /// The SCPs of the caller's account.
    pub service_control_policies: Option<OrganizationPolicies>,
    /// The RCPs of the resource's account.
    pub resource_control_policies: Option<OrganizationPolicies>,
}

impl PolicySet {
    /// The context keys the policies here can read (in conditions and policy variables), each
    /// once, compared case-insensitively; empty when none can, so that building the context
    /// would be wasted work.
    pub fn context_keys(&self) -> Vec<&str> {
        let organizations = self.service_control_policies.iter().chain(&self.resource_control_policies);
        let policies = self
            .identity_policies
            .iter()
            .chain(&self.permissions_boundary)
            .chain(self.session_policies.iter().flatten())
            .chain(self.resource_policy.iter().map(|r| &r.policy))
            .chain(organizations.flat_map(|o| o.levels.iter().flatten()));
        distinct_keys(policies.flat_map(|policy| policy.document.referenced_keys()))
    }
}

/// The policy types, as AccessDenied messages and decisions name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PolicyKind {
    /// Identity policies of a user, group or role.
    IdentityBased,
    /// The resource's policy (bucket policy, key policy, trust policy, ...).
    ResourceBased,
    /// A permissions boundary.
    PermissionsBoundary,
    /// A session policy.
    SessionPolicy,
    /// An Organizations service control policy.
    ServiceControlPolicy,
    /// An Organizations resource control policy.
    ResourceControlPolicy,
}

impl PolicyKind {
    /// The name with its article, as the AccessDenied message spells it.
    pub fn phrase(self) -> &'static str {
        match self {
            PolicyKind::IdentityBased => "an identity-based policy",
            PolicyKind::ResourceBased => "a resource-based policy",
            PolicyKind::PermissionsBoundary => "a permissions boundary",
            PolicyKind::SessionPolicy => "a session policy",
            PolicyKind::ServiceControlPolicy => "a service control policy",
            PolicyKind::ResourceControlPolicy => "a resource control policy",
        }
    }

    fn bare_name(self) -> &'static str {
        let phrase = self.phrase();
        phrase.split_once(' ').map_or(phrase, |(_, name)| name)
    }
}

/// A statement that took part in a decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchedStatement {
    /// The type of policy it belongs to.
    pub kind: PolicyKind,
    /// The policy's id.
    pub policy_id: String,
    /// The statement's `Sid`, if it has one.
    pub sid: Option<String>,
    /// The statement's position in the policy, from 0.
    pub index: usize,
}

/// The three outcomes of AWS's evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DecisionKind {
    /// The request is allowed.
    Allowed,
    /// A `Deny` statement applies.
    ExplicitDeny,
    /// Nothing denies, but a required allow is missing.
    ImplicitDeny,
}

/// Why the decision came out as it did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecisionReason {
    /// Allowed by the matched allow statements.
    AllowedByPolicies,
    /// Allowed because the root user has full access to its own account.
    AllowedAsRootUser,
    /// Denied by this statement.
    ExplicitDeny(MatchedStatement),
    /// Denied because no policy of this type allows the request.
    NoAllow(PolicyKind),
}

/// The result of [`authorize`], with its reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// Why the decision came out as it did.
    pub reason: DecisionReason,
    /// The statements that decided: the applicable allows when allowed, the applicable
    /// denies when explicitly denied, the allows found so far when implicitly denied.
    pub matched_statements: Vec<MatchedStatement>,
    /// Whether the SCPs allow the request; `None` when no SCP applies.
    pub allowed_by_organizations: Option<bool>,
    /// Whether the permissions boundary allows the request; `None` without a boundary.
    pub allowed_by_permissions_boundary: Option<bool>,
    action: String,
}

impl Decision {
    /// Allowed, explicitly denied or implicitly denied.
    pub fn kind(&self) -> DecisionKind {
        match self.reason {
            DecisionReason::AllowedByPolicies | DecisionReason::AllowedAsRootUser => {
                DecisionKind::Allowed
            }
            DecisionReason::ExplicitDeny(_) => DecisionKind::ExplicitDeny,
            DecisionReason::NoAllow(_) => DecisionKind::ImplicitDeny,
        }
    }

    /// Whether the request is allowed.
    pub fn is_allowed(&self) -> bool {
        self.kind() == DecisionKind::Allowed
    }

    /// The policy type that denied, explicitly or for want of an allow.
    pub fn denying_policy_kind(&self) -> Option<PolicyKind> {
        match &self.reason {
            DecisionReason::ExplicitDeny(statement) => Some(statement.kind),
            DecisionReason::NoAllow(kind) => Some(*kind),
            _ => None,
        }
    }

    /// The end of AWS's AccessDenied message, e.g. "because no permissions boundary allows
    /// the iam:CreateUser action" or "with an explicit deny in a service control policy";
    /// `None` when the request is allowed.
    pub fn denial_reason(&self) -> Option<String> {
        match &self.reason {
            DecisionReason::ExplicitDeny(statement) => Some(format!(
                "with an explicit deny in {}",
                statement.kind.phrase()
            )),
            DecisionReason::NoAllow(kind) => Some(format!(
                "because no {} allows the {} action",
                kind.bare_name(),
                self.action
            )),
            _ => None,
        }
    }

    /// AWS's full AccessDenied message for the caller and resource; `None` when allowed.
    pub fn access_denied_message(&self, request: &Request) -> Option<String> {
        let reason = self.denial_reason()?;
        let who = match &request.caller {
            Caller::Anonymous => "Anonymous".to_string(),
            caller => format!("User: {}", caller.arn()),
        };
        Some(format!(
            "{who} is not authorized to perform: {} on resource: {} {reason}",
            self.action, request.resource
        ))
    }
}

/// One evaluated policy with what it is.
struct Judged<'a> {
    policy: &'a NamedPolicy,
    kind: PolicyKind,
    evaluation: PolicyEvaluation,
}

impl Judged<'_> {
    fn statements(&self, found: &[crate::evaluator::StatementMatch]) -> Vec<MatchedStatement> {
        found
            .iter()
            .map(|m| MatchedStatement {
                kind: self.kind,
                policy_id: self.policy.id.clone(),
                sid: self.policy.document.statements[m.index].sid.clone(),
                index: m.index,
            })
            .collect()
    }
}

fn judge<'a>(
    policies: &'a [NamedPolicy],
    kind: PolicyKind,
    request: &Request,
    every_allow: bool,
) -> Vec<Judged<'a>> {
    policies
        .iter()
        .map(|policy| Judged {
            policy,
            kind,
            evaluation: evaluate_with(&policy.document, request, every_allow),
        })
        .collect()
}

fn any_allow(judged: &[Judged<'_>]) -> bool {
    judged.iter().any(|j| !j.evaluation.allows.is_empty())
}

/// Organization policies that bind this request: `None` when none apply.
fn organization_levels<'a>(
    policies: Option<&'a OrganizationPolicies>,
    kind: PolicyKind,
    request: &Request,
    every_allow: bool,
) -> Option<Vec<Vec<Judged<'a>>>> {
    let policies = policies.filter(|p| !p.management_account)?;
    Some(
        policies
            .levels
            .iter()
            .map(|level| judge(level, kind, request, every_allow))
            .collect(),
    )
}

/// Decides a request as AWS's documented evaluation logic does.
///
/// Enforcement needs only the first allow of each policy, so the decision's
/// `matched_statements` lists that one; the simulator lists every applicable allow.
pub fn authorize(request: &Request, policies: &PolicySet) -> Decision {
    decide(request, policies, false)
}

/// [`authorize`], listing every applicable allow statement when `every_allow` is set.
pub(crate) fn decide(request: &Request, policies: &PolicySet, every_allow: bool) -> Decision {
    let caller = &request.caller;
    let has_identity = matches!(
        caller,
        Caller::User { .. } | Caller::RoleSession { .. } | Caller::FederatedUser { .. }
    );
    // "The SCP maximum applies to principals in member accounts, including each AWS account
    // root user"; service-linked roles and callers outside any account are not bound.
    let scp_bound = caller.account().is_some()
        && !matches!(
            caller,
            Caller::RoleSession {
                service_linked: true,
                ..
            }
        );
    let scps = if scp_bound {
        organization_levels(
            policies.service_control_policies.as_ref(),
            PolicyKind::ServiceControlPolicy,
            request,
            every_allow,
        )
    } else {
        None
    };
    let rcps = organization_levels(
        policies.resource_control_policies.as_ref(),
        PolicyKind::ResourceControlPolicy,
        request,
        every_allow,
    );
    let identity = if has_identity {
        judge(
            &policies.identity_policies,
            PolicyKind::IdentityBased,
            request,
            every_allow,
        )
    } else {
        Vec::new()
    };
    let boundary = policies
        .permissions_boundary
        .as_ref()
        .filter(|_| has_identity)
        .map(|b| {
            judge(
                std::slice::from_ref(b),
                PolicyKind::PermissionsBoundary,
                request,
                every_allow,
            )
        });
    let session = policies
        .session_policies
        .as_deref()
        .filter(|_| caller.is_session())
        .map(|s| judge(s, PolicyKind::SessionPolicy, request, every_allow));
    let resource = policies.resource_policy.as_ref().map(|r| {
        (
            judge(
                std::slice::from_ref(&r.policy),
                PolicyKind::ResourceBased,
                request,
                every_allow,
            )
            .remove(0),
            r.kind,
        )
    });

    let scp_allowed = scps
        .as_ref()
        .map(|levels| levels.iter().all(|level| any_allow(level)));
    let rcp_allowed = rcps
        .as_ref()
        .map(|levels| levels.iter().all(|level| any_allow(level)));
    let boundary_allowed = boundary.as_ref().map(|b| any_allow(b));
    let mut decision = Decision {
        reason: DecisionReason::AllowedByPolicies,
        matched_statements: Vec::new(),
        allowed_by_organizations: scp_allowed,
        allowed_by_permissions_boundary: boundary_allowed,
        action: request.action().to_string(),
    };

    // 1. Deny evaluation: "If the code finds even one explicit deny that applies, the code
    // returns a final decision of Deny."
    let mut every: Vec<&Judged<'_>> = Vec::new();
    every.extend(scps.iter().flatten().flatten());
    every.extend(rcps.iter().flatten().flatten());
    every.extend(identity.iter());
    every.extend(resource.iter().map(|(r, _)| r));
    every.extend(boundary.iter().flatten());
    every.extend(session.iter().flatten());
    let denies: Vec<MatchedStatement> = every
        .iter()
        .flat_map(|j| j.statements(&j.evaluation.denies))
        .collect();
    if let Some(first) = denies.first() {
        decision.reason = DecisionReason::ExplicitDeny(first.clone());
        decision.matched_statements = denies;
        return decision;
    }
    let allows = |judged: &[&Judged<'_>]| -> Vec<MatchedStatement> {
        judged
            .iter()
            .flat_map(|j| j.statements(&j.evaluation.allows))
            .collect()
    };
    decision.matched_statements = allows(&every);

    // 2. RCPs and SCPs: every level of the organization path must allow.
    if rcp_allowed == Some(false) {
        decision.reason = DecisionReason::NoAllow(PolicyKind::ResourceControlPolicy);
        return decision;
    }
    if scp_allowed == Some(false) {
        decision.reason = DecisionReason::NoAllow(PolicyKind::ServiceControlPolicy);
        return decision;
    }

    let resource_grant = resource
        .as_ref()
        .and_then(|(r, _)| r.evaluation.best_allow());
    let resource_required = matches!(
        resource,
        Some((
            _,
            ResourcePolicyKind::KeyPolicy | ResourcePolicyKind::TrustPolicy
        ))
    );
    let identity_allowed = any_allow(&identity);
    let limits = || -> Option<PolicyKind> {
        if boundary_allowed == Some(false) {
            return Some(PolicyKind::PermissionsBoundary);
        }
        // "If there is no session policy, the code checks whether the principal is a role
        // session. If the principal is a role session, then the request is Allowed.
        // Otherwise, the request is implicitly denied."
        match (&session, caller) {
            (Some(judged), _) if !any_allow(judged) => Some(PolicyKind::SessionPolicy),
            (None, Caller::FederatedUser { .. }) => Some(PolicyKind::SessionPolicy),
            _ => None,
        }
    };
    let deny = |decision: &mut Decision, kind| decision.reason = DecisionReason::NoAllow(kind);

    if !has_identity && !matches!(caller, Caller::Root { .. }) {
        // Services, identity providers and anonymous callers have no identity policies:
        // only a resource-based policy that names them can allow.
        if resource_grant != Some(PrincipalGrant::Direct) {
            deny(&mut decision, PolicyKind::ResourceBased);
        }
        return decision;
    }

    if request.is_same_account() {
        // 3. "If a resource-based policy grants permission directly to the IAM user or the
        // session principal that is making the request, then an implicit deny in an
        // identity-based policy, a permissions boundary, or a session policy does not
        // impact the final decision."
        if resource_grant == Some(PrincipalGrant::Direct) {
            return decision;
        }
        // Role trust policies and KMS key policies "must explicitly allow access".
        if resource_required && resource_grant.is_none() {
            deny(&mut decision, PolicyKind::ResourceBased);
            return decision;
        }
        if let Caller::Root { .. } = caller {
            // "all requests are implicitly denied with the exception of the AWS account
            // root user, which has full access".
            decision.reason = DecisionReason::AllowedAsRootUser;
            return decision;
        }
        // A grant to the role (or to the user behind a federated session) stands in for the
        // identity policies but "is limited by an implicit deny in a permissions boundary or
        // session policy"; a grant to the account delegates to the identity policies.
        if !identity_allowed && resource_grant != Some(PrincipalGrant::Entity) {
            deny(&mut decision, PolicyKind::IdentityBased);
            return decision;
        }
        if let Some(kind) = limits() {
            deny(&mut decision, kind);
        }
        return decision;
    }

    // Cross-account: "The request is allowed only if both evaluations return a decision of
    // Allow": the identity side in the caller's account, the resource policy in the other.
    let root = matches!(caller, Caller::Root { .. });
    if !root && !identity_allowed {
        deny(&mut decision, PolicyKind::IdentityBased);
        return decision;
    }
    if let Some(kind) = limits() {
        deny(&mut decision, kind);
        return decision;
    }
    if resource_grant.is_none() {
        deny(&mut decision, PolicyKind::ResourceBased);
        return decision;
    }
    if root {
        decision.reason = DecisionReason::AllowedAsRootUser;
    }
    decision
}
