//! One policy against one request: which statements apply, and how their principals
//! name the caller.

mod condition;
mod matching;
mod principal;
pub mod values;

pub use principal::PrincipalGrant;
pub(crate) use principal::{is_account_id, named_account};

use crate::ast::{ActionBlock, Effect, PolicyDocument, PrincipalBlock, ResourceBlock, Statement};
use crate::context::Request;

use condition::condition_holds;
use matching::{action_matches, resource_matches};

/// The statements of one policy that apply to a request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PolicyEvaluation {
    /// Applicable `Allow` statements.
    pub allows: Vec<StatementMatch>,
    /// Applicable `Deny` statements.
    pub denies: Vec<StatementMatch>,
}

impl PolicyEvaluation {
    /// The strongest way an applicable `Allow` names the caller, if any applies.
    pub fn best_allow(&self) -> Option<PrincipalGrant> {
        self.allows.iter().map(|m| m.grant).max()
    }
}

/// One applicable statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatementMatch {
    /// Its position in the document's `Statement` list, from 0.
    pub index: usize,
    /// How its principal element names the caller.
    pub grant: PrincipalGrant,
}

/// Evaluates every statement of `policy` against `request`.
pub fn evaluate(policy: &PolicyDocument, request: &Request) -> PolicyEvaluation {
    evaluate_with(policy, request, true)
}

/// Evaluates the policy; with `every_allow` false, `Allow` statements that cannot change
/// the outcome (the policy already allows with the strongest grant) are skipped, which is
/// all enforcement needs. Every `Deny` is always evaluated.
pub(crate) fn evaluate_with(
    policy: &PolicyDocument,
    request: &Request,
    every_allow: bool,
) -> PolicyEvaluation {
    let mut evaluation = PolicyEvaluation::default();
    for (index, statement) in policy.statements.iter().enumerate() {
        if !every_allow
            && statement.effect == Effect::Allow
            && evaluation.best_allow() >= Some(strongest(statement))
        {
            continue;
        }
        if let Some(grant) = statement_applies(statement, request) {
            let found = StatementMatch { index, grant };
            match statement.effect {
                Effect::Allow => evaluation.allows.push(found),
                Effect::Deny => evaluation.denies.push(found),
            }
        }
    }
    evaluation
}

/// The strongest grant a statement could give, from its principal element alone.
fn strongest(statement: &Statement) -> PrincipalGrant {
    match statement.principal {
        None => PrincipalGrant::Attached,
        Some(_) => PrincipalGrant::Direct,
    }
}

/// Whether the statement's action, principal and (when asked) resource elements select the
/// request, its conditions aside; `None` when they do not, otherwise how the caller is named.
fn statement_targets(
    statement: &Statement,
    request: &Request,
    check_resource: bool,
) -> Option<PrincipalGrant> {
    let action = request.action_lowercase();
    let action_selected = match &statement.action {
        ActionBlock::Action(patterns) => patterns.iter().any(|p| action_matches(p, action)),
        ActionBlock::NotAction(patterns) => !patterns.iter().any(|p| action_matches(p, action)),
    };
    if !action_selected {
        return None;
    }
    let grant = match &statement.principal {
        None => PrincipalGrant::Attached,
        Some(PrincipalBlock::Principal(set)) => principal::principal_grant(set, request)?,
        Some(PrincipalBlock::NotPrincipal(set)) => {
            if principal::exempted(set, request) {
                return None;
            }
            PrincipalGrant::Direct
        }
    };
    let resource_selected = match &statement.resource {
        _ if !check_resource => true,
        None => true,
        Some(ResourceBlock::Resource(patterns)) => patterns
            .iter()
            .any(|p| resource_matches(p, &request.resource, &request.context) == Some(true)),
        Some(ResourceBlock::NotResource(patterns)) => patterns
            .iter()
            .all(|p| resource_matches(p, &request.resource, &request.context) == Some(false)),
    };
    resource_selected.then_some(grant)
}

fn statement_applies(statement: &Statement, request: &Request) -> Option<PrincipalGrant> {
    let grant = statement_targets(statement, request, true)?;
    statement
        .conditions
        .iter()
        .all(|c| condition_holds(c, &request.context))
        .then_some(grant)
}

/// The condition keys (and variable keys) that the statements selecting the request's
/// action refer to but the request context lacks: the simulator's `MissingContextValues`.
/// Resources are not checked, since a missing variable is what makes a resource fail.
pub fn missing_context_keys(policy: &PolicyDocument, request: &Request) -> Vec<String> {
    let mut missing: Vec<String> = Vec::new();
    let mut note = |key: &str| {
        if request.context.get(key).is_none()
            && !missing.iter().any(|m| m.eq_ignore_ascii_case(key))
        {
            missing.push(key.to_string());
        }
    };
    for statement in &policy.statements {
        if statement_targets(statement, request, false).is_none() {
            continue;
        }
        for condition in &statement.conditions {
            note(&condition.key);
            for value in &condition.values {
                value.variables().for_each(|v| note(&v.key));
            }
        }
        if let Some(ResourceBlock::Resource(patterns) | ResourceBlock::NotResource(patterns)) =
            &statement.resource
        {
            for pattern in patterns {
                pattern
                    .variables()
                    .filter(|v| v.default.is_none())
                    .for_each(|v| note(&v.key));
            }
        }
    }
    missing
}
