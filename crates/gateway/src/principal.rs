//! Who is calling: the principal behind an access key, and where its secret comes from.

use std::{future::Future, pin::Pin};

/// The kind of identity, as CloudTrail's `userIdentity.type` names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrincipalKind {
    Root,
    IamUser { name: String },
    AssumedRole { role_name: String, session_name: String },
    /// A federated user session from GetFederationToken: the IAM user who asked (whose
    /// policies, cut by the session policy, are the session's) and the name it gave.
    FederatedUser { user_name: String, user_arn: String, name: String },
    /// The caller of an operation AWS serves unsigned (AssumeRoleWithWebIdentity).
    Anonymous,
    /// An AWS service acting on its own behalf (Secrets Manager invoking a rotation function),
    /// judged by the resource policy that names its service principal.
    Service { service: String },
}

/// An authenticated caller.
#[derive(Debug, Clone, PartialEq)]
pub struct Principal {
    pub account: String,
    pub kind: PrincipalKind,
    pub arn: String,
    /// The unique id AWS reports as `UserId` / `principalId`.
    pub user_id: String,
    pub access_key_id: String,
    /// Temporary credentials (an STS session) rather than long-term keys.
    pub temporary: bool,
    /// When the session's MFA code was checked, for `aws:MultiFactorAuthPresent` and `...Age`.
    pub mfa_authenticated_at: Option<f64>,
}

impl Principal {
    /// The root user of `account`, as `test`/`test` and 12-digit keys authenticate.
    pub fn root(account: &str, access_key_id: &str) -> Self {
        Principal {
            account: account.to_owned(),
            kind: PrincipalKind::Root,
            arn: format!("arn:aws:iam::{account}:root"),
            user_id: account.to_owned(),
            access_key_id: access_key_id.to_owned(),
            temporary: false,
            mfa_authenticated_at: None,
        }
    }

    /// The caller of an unsigned operation, answered in `account`.
    pub fn anonymous(account: &str) -> Self {
        Principal {
            account: account.to_owned(),
            kind: PrincipalKind::Anonymous,
            arn: String::new(),
            user_id: String::new(),
            access_key_id: String::new(),
            temporary: false,
            mfa_authenticated_at: None,
        }
    }

    /// The service principal `service` (`secretsmanager.amazonaws.com`) acting in `account`.
    pub fn service(account: &str, service: &str) -> Self {
        Principal {
            account: account.to_owned(),
            kind: PrincipalKind::Service { service: service.to_owned() },
            arn: service.to_owned(),
            user_id: service.to_owned(),
            access_key_id: String::new(),
            temporary: false,
            mfa_authenticated_at: None,
        }
    }

    /// CloudTrail's `userIdentity.type`.
    pub fn identity_type(&self) -> &'static str {
        match self.kind {
            PrincipalKind::Root => "Root",
            PrincipalKind::IamUser { .. } => "IAMUser",
            PrincipalKind::AssumedRole { .. } => "AssumedRole",
            PrincipalKind::FederatedUser { .. } => "FederatedUser",
            PrincipalKind::Anonymous => "Unknown",
            PrincipalKind::Service { .. } => "AWSService",
        }
    }

    /// The name LookupEvents' `Username` attribute matches.
    pub fn username(&self) -> &str {
        match &self.kind {
            PrincipalKind::Root => "root",
            PrincipalKind::IamUser { name } => name,
            PrincipalKind::AssumedRole { session_name, .. } => session_name,
            PrincipalKind::FederatedUser { name, .. } => name,
            PrincipalKind::Anonymous => "anonymous",
            PrincipalKind::Service { service } => service,
        }
    }
}

/// A secret and the principal it authenticates.
#[derive(Clone)]
pub struct Credentials {
    pub secret_access_key: String,
    pub principal: Principal,
    /// When temporary credentials stop working, in server-clock epoch seconds.
    pub expires_at: Option<f64>,
}

pub type CredentialsFuture<'a> = Pin<Box<dyn Future<Output = Option<Credentials>> + Send + 'a>>;

/// Finds the credentials of an access key id. The IAM service provides the stored keys of users
/// and STS sessions; the gateway itself knows only the built-in root keys.
pub trait CredentialSource: Send + Sync {
    fn lookup<'a>(&'a self, access_key_id: &'a str, session_token: Option<&'a str>) -> CredentialsFuture<'a>;
}

/// The conventions users already have: `test`/`test` is the root of the default account, and an
/// access key id of 12 digits with the secret `test` is the root of that account.
pub fn builtin_credentials(access_key_id: &str, default_account: &str) -> Option<Credentials> {
    let account = if access_key_id == "test" {
        default_account
    } else if access_key_id.len() == 12 && access_key_id.bytes().all(|b| b.is_ascii_digit()) {
        access_key_id
    } else {
        return None;
    };
    Some(Credentials { secret_access_key: "test".to_owned(), principal: Principal::root(account, access_key_id), expires_at: None })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_key_is_the_default_accounts_root() {
        let c = builtin_credentials("test", "000000000000").unwrap();
        assert_eq!(c.principal.arn, "arn:aws:iam::000000000000:root");
        assert_eq!(c.secret_access_key, "test");
    }

    #[test]
    fn twelve_digit_key_is_that_accounts_root() {
        let c = builtin_credentials("123456789012", "000000000000").unwrap();
        assert_eq!(c.principal.account, "123456789012");
        assert_eq!(c.principal.identity_type(), "Root");
    }

    #[test]
    fn other_keys_are_not_builtin() {
        assert!(builtin_credentials("AKIAIOSFODNN7EXAMPLE", "000000000000").is_none());
        assert!(builtin_credentials("12345678901a", "000000000000").is_none());
    }
}
