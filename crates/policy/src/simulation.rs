//! The policy simulator's account of a decision (`SimulatePrincipalPolicy`,
//! `SimulateCustomPolicy`), computed by the same decision procedure that
//! [`authorize`](crate::authorize) enforces with.

use crate::authorizer::{decide, DecisionKind, MatchedStatement, NamedPolicy, PolicySet};
use crate::context::Request;
use crate::evaluator::missing_context_keys;

/// The simulator's `EvalDecision` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EvalDecision {
    /// `allowed`
    Allowed,
    /// `explicitDeny`
    ExplicitDeny,
    /// `implicitDeny`
    ImplicitDeny,
}

impl EvalDecision {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            EvalDecision::Allowed => "allowed",
            EvalDecision::ExplicitDeny => "explicitDeny",
            EvalDecision::ImplicitDeny => "implicitDeny",
        }
    }
}

impl From<DecisionKind> for EvalDecision {
    fn from(kind: DecisionKind) -> EvalDecision {
        match kind {
            DecisionKind::Allowed => EvalDecision::Allowed,
            DecisionKind::ExplicitDeny => EvalDecision::ExplicitDeny,
            DecisionKind::ImplicitDeny => EvalDecision::ImplicitDeny,
        }
    }
}

/// One `EvaluationResult` of the simulator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimulationResult {
    /// `EvalDecision`.
    pub eval_decision: EvalDecision,
    /// `MatchedStatements`: the statements that decided.
    pub matched_statements: Vec<MatchedStatement>,
    /// `MissingContextValues`: keys the policies refer to that the request lacks.
    pub missing_context_values: Vec<String>,
    /// `OrganizationsDecisionDetail.AllowedByOrganizations`, when SCPs apply.
    pub allowed_by_organizations: Option<bool>,
    /// `PermissionsBoundaryDecisionDetail.AllowedByPermissionsBoundary`, with a boundary.
    pub allowed_by_permissions_boundary: Option<bool>,
}

/// Simulates `request` against `policies`: the enforcement decision plus what the
/// simulator reports about it.
pub fn simulate(request: &Request, policies: &PolicySet) -> SimulationResult {
    let decision = decide(request, policies, true);
    let mut all: Vec<&NamedPolicy> = Vec::new();
    all.extend(&policies.identity_policies);
    all.extend(&policies.permissions_boundary);
    all.extend(policies.session_policies.iter().flatten());
    all.extend(policies.resource_policy.iter().map(|r| &r.policy));
    for org in [
        &policies.service_control_policies,
        &policies.resource_control_policies,
    ]
    .into_iter()
    .flatten()
    {
        all.extend(org.levels.iter().flatten());
    }
    let mut missing: Vec<String> = Vec::new();
    for policy in all {
        for key in missing_context_keys(&policy.document, request) {
            if !missing.iter().any(|m| m.eq_ignore_ascii_case(&key)) {
                missing.push(key);
            }
        }
    }
    SimulationResult {
        eval_decision: decision.kind().into(),
        matched_statements: decision.matched_statements,
        missing_context_values: missing,
        allowed_by_organizations: decision.allowed_by_organizations,
        allowed_by_permissions_boundary: decision.allowed_by_permissions_boundary,
    }
}
