//! The `Principal` and `NotPrincipal` elements against the caller.

use crate::ast::{PrincipalKind, PrincipalSet, PrincipalValue};
use crate::context::{Caller, Request};

/// How a statement's `Principal` names the caller, which decides what its allow can do.
///
/// Ordered from weakest to strongest, so the best of several listed principals wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PrincipalGrant {
    /// The statement has no principal element: it belongs to the caller (identity policies,
    /// boundaries, session policies, SCPs).
    Attached,
    /// The caller's account is named (`123456789012` or `arn:aws:iam::123456789012:root`):
    /// the account must still delegate through its identity policies.
    Account,
    /// The role (for a role session) or the IAM user (for a federated user) behind the
    /// session is named: limited by boundaries and session policies.
    Entity,
    /// The caller itself is named (user, session, service, provider, or `*`).
    Direct,
}

/// How the best of the listed principals names the caller, if any does.
pub(crate) fn principal_grant(set: &PrincipalSet, request: &Request) -> Option<PrincipalGrant> {
    match set {
        PrincipalSet::Everyone => Some(PrincipalGrant::Direct),
        PrincipalSet::Listed(values) => values.iter().filter_map(|v| value_grant(v, request)).max(),
    }
}

fn value_grant(principal: &PrincipalValue, request: &Request) -> Option<PrincipalGrant> {
    let value = principal.value.as_str();
    match principal.kind {
        PrincipalKind::Aws => {
            if value == "*" {
                return Some(PrincipalGrant::Direct);
            }
            if let Some(account) = named_account(value) {
                return match &request.caller {
                    Caller::Root { account: own } if own == account => Some(PrincipalGrant::Direct),
                    caller if caller.account() == Some(account) => Some(PrincipalGrant::Account),
                    _ => None,
                };
            }
            match &request.caller {
                Caller::User { arn } if arn == value => Some(PrincipalGrant::Direct),
                Caller::RoleSession { session_arn, .. } if session_arn == value => {
                    Some(PrincipalGrant::Direct)
                }
                Caller::RoleSession { role_arn, .. } if role_arn == value => {
                    Some(PrincipalGrant::Entity)
                }
                Caller::FederatedUser { session_arn, .. } if session_arn == value => {
                    Some(PrincipalGrant::Direct)
                }
                Caller::FederatedUser { user_arn, .. } if user_arn == value => {
                    Some(PrincipalGrant::Entity)
                }
                _ => None,
            }
        }
        PrincipalKind::Service => match &request.caller {
            Caller::Service { service } if service.eq_ignore_ascii_case(value) => {
                Some(PrincipalGrant::Direct)
            }
            _ => None,
        },
        PrincipalKind::Federated => match &request.caller {
            Caller::IdentityProvider { provider } if provider == value => {
                Some(PrincipalGrant::Direct)
            }
            _ => None,
        },
        PrincipalKind::CanonicalUser => {
            (request.canonical_user_id.as_deref() == Some(value)).then_some(PrincipalGrant::Direct)
        }
    }
}

/// The account a value names as an account principal: a bare 12-digit id or the
/// account's root ARN.
pub(crate) fn named_account(value: &str) -> Option<&str> {
    if is_account_id(value) {
        return Some(value);
    }
    let rest = value.strip_prefix("arn:")?;
    let (_partition, rest) = rest.split_once(':')?;
    let account = rest.strip_prefix("iam::")?.strip_suffix(":root")?;
    is_account_id(account).then_some(account)
}

pub(crate) fn is_account_id(value: &str) -> bool {
    value.len() == 12 && value.bytes().all(|b| b.is_ascii_digit())
}

/// Whether a `NotPrincipal` list exempts the caller.
///
/// The NotPrincipal reference warns that AWS may check the account, then the role or user,
/// then the session: a caller is exempt only when every one of those is listed.
pub(crate) fn exempted(set: &PrincipalSet, request: &Request) -> bool {
    let values = match set {
        PrincipalSet::Everyone => return true,
        PrincipalSet::Listed(values) => values,
    };
    let listed =
        |kind: PrincipalKind, name: &str| values.iter().any(|v| v.kind == kind && v.value == name);
    let account_listed = |account: Option<&str>| {
        values.iter().any(|v| {
            v.kind == PrincipalKind::Aws
                && (v.value == "*" || account.is_some() && named_account(&v.value) == account)
        })
    };
    let account = request.caller.account();
    match &request.caller {
        Caller::Root { .. } => account_listed(account),
        Caller::User { arn } => account_listed(account) && listed(PrincipalKind::Aws, arn),
        Caller::RoleSession {
            role_arn,
            session_arn,
            ..
        } => {
            account_listed(account)
                && listed(PrincipalKind::Aws, role_arn)
                && listed(PrincipalKind::Aws, session_arn)
        }
        Caller::FederatedUser { session_arn, .. } => {
            account_listed(account) && listed(PrincipalKind::Aws, session_arn)
        }
        Caller::IdentityProvider { provider } => listed(PrincipalKind::Federated, provider),
        Caller::Service { service } => values
            .iter()
            .any(|v| v.kind == PrincipalKind::Service && v.value.eq_ignore_ascii_case(service)),
        Caller::Anonymous => false,
    }
}
