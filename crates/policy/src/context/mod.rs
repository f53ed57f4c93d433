//! The request being judged: who calls, which action on which resource, and the
//! condition keys AWS gathers into the request context.

mod err;

pub use err::ContextError;

use std::collections::HashMap;

use crate::evaluator::values;

/// The principal making a request, as the policies see it.
///
/// Each kind carries the ARNs a `Principal` element can name for it: a role session is
/// matched by its session ARN (a direct grant) and by its role's ARN (a grant to the role).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    /// The account's root user.
    Root {
        /// The 12-digit account id.
        account: String,
    },
    /// An IAM user signing with long-term credentials.
    User {
        /// `arn:aws:iam::ACCOUNT:user/path/name`.
        arn: String,
    },
    /// A session of an assumed role.
    RoleSession {
        /// `arn:aws:iam::ACCOUNT:role/path/name`.
        role_arn: String,
        /// `arn:aws:sts::ACCOUNT:assumed-role/name/session`.
        session_arn: String,
        /// Service-linked roles are not restricted by SCPs.
        service_linked: bool,
    },
    /// A federated user session from `GetFederationToken`.
    FederatedUser {
        /// The IAM user who called `GetFederationToken`.
        user_arn: String,
        /// `arn:aws:sts::ACCOUNT:federated-user/name`.
        session_arn: String,
    },
    /// A web identity or SAML user calling `AssumeRoleWith*`, before any session exists.
    IdentityProvider {
        /// The provider, as a trust policy's `Federated` principal names it.
        provider: String,
    },
    /// An AWS service acting on its own behalf (`Service` principal).
    Service {
        /// The service principal, e.g. `sns.amazonaws.com`.
        service: String,
    },
    /// An unauthenticated caller.
    Anonymous,
}

impl Caller {
    /// The account the caller belongs to; services, identity providers and anonymous
    /// callers belong to none.
    pub fn account(&self) -> Option<&str> {
        match self {
            Caller::Root { account } => Some(account),
            Caller::User { arn } => arn_account(arn),
            Caller::RoleSession { session_arn, .. } => arn_account(session_arn),
            Caller::FederatedUser { session_arn, .. } => arn_account(session_arn),
            Caller::IdentityProvider { .. } | Caller::Service { .. } | Caller::Anonymous => None,
        }
    }

    /// The ARN that AccessDenied messages name.
    pub fn arn(&self) -> String {
        match self {
            Caller::Root { account } => format!("arn:aws:iam::{account}:root"),
            Caller::User { arn } => arn.clone(),
            Caller::RoleSession { session_arn, .. } => session_arn.clone(),
            Caller::FederatedUser { session_arn, .. } => session_arn.clone(),
            Caller::IdentityProvider { provider } => provider.clone(),
            Caller::Service { service } => service.clone(),
            Caller::Anonymous => "anonymous".to_string(),
        }
    }

    /// Whether the caller is a session principal (role session or federated user), to
    /// which session policies apply.
    pub fn is_session(&self) -> bool {
        matches!(
            self,
            Caller::RoleSession { .. } | Caller::FederatedUser { .. }
        )
    }
}

/// The account field of an ARN (`arn:partition:service:region:ACCOUNT:resource`).
pub fn arn_account(arn: &str) -> Option<&str> {
    let account = arn.split(':').nth(4)?;
    (!account.is_empty()).then_some(account)
}

/// The condition keys of a request and their values.
///
/// Keys compare case-insensitively, as IAM documents; every key may carry several values
/// (multivalued keys such as `aws:TagKeys`), in the order given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestContext {
    entries: HashMap<String, ContextEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct ContextEntry {
    key: String,
    values: Vec<String>,
}

/// The value types of the simulator's `ContextEntries`.
#[allow(missing_docs)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ContextKeyType {
    String,
    StringList,
    Numeric,
    NumericList,
    Boolean,
    BooleanList,
    Ip,
    IpList,
    Binary,
    BinaryList,
    Date,
    DateList,
}

impl ContextKeyType {
    /// Reads the simulator's spelling (`string`, `stringList`, `ip`, ...).
    pub fn parse(name: &str) -> Option<ContextKeyType> {
        use ContextKeyType::*;
        Some(match name {
            "string" => String,
            "stringList" => StringList,
            "numeric" => Numeric,
            "numericList" => NumericList,
            "boolean" => Boolean,
            "booleanList" => BooleanList,
            "ip" => Ip,
            "ipList" => IpList,
            "binary" => Binary,
            "binaryList" => BinaryList,
            "date" => Date,
            "dateList" => DateList,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        use ContextKeyType::*;
        match self {
            String => "string",
            StringList => "stringList",
            Numeric => "numeric",
            NumericList => "numericList",
            Boolean => "boolean",
            BooleanList => "booleanList",
            Ip => "ip",
            IpList => "ipList",
            Binary => "binary",
            BinaryList => "binaryList",
            Date => "date",
            DateList => "dateList",
        }
    }

    fn accepts(self, value: &str) -> bool {
        use ContextKeyType::*;
        match self {
            String | StringList | Binary | BinaryList => true,
            Numeric | NumericList => values::parse_number(value).is_some(),
            Boolean | BooleanList => {
                value.eq_ignore_ascii_case("true") || value.eq_ignore_ascii_case("false")
            }
            Ip | IpList => values::parse_cidr(value).is_some(),
            Date | DateList => values::parse_date(value).is_some(),
        }
    }
}

impl RequestContext {
    /// An empty context.
    pub fn new() -> RequestContext {
        RequestContext::default()
    }

    /// Sets a single-valued key, replacing any previous values.
    pub fn insert(&mut self, key: &str, value: impl Into<String>) {
        self.insert_values(key, vec![value.into()]);
    }

    /// Sets a key to several values (an empty list is an empty set, not a missing key).
    pub fn insert_values(&mut self, key: &str, values: Vec<String>) {
        self.entries.insert(
            key.to_ascii_lowercase(),
            ContextEntry {
                key: key.to_string(),
                values,
            },
        );
    }

    /// Sets a key from the simulator's typed `ContextEntries`, refusing values that do not
    /// parse as the declared type.
    pub fn insert_typed(
        &mut self,
        key: &str,
        key_type: ContextKeyType,
        values: Vec<String>,
    ) -> Result<(), ContextError> {
        if let Some(bad) = values.iter().find(|v| !key_type.accepts(v)) {
            return Err(ContextError::InvalidContextValue {
                key: key.to_string(),
                key_type: key_type.name(),
                value: bad.clone(),
            });
        }
        self.insert_values(key, values);
        Ok(())
    }

    /// Builder form of [`insert`](Self::insert).
    pub fn with(mut self, key: &str, value: impl Into<String>) -> RequestContext {
        self.insert(key, value);
        self
    }

    /// Builder form of [`insert_values`](Self::insert_values).
    pub fn with_values(mut self, key: &str, values: &[&str]) -> RequestContext {
        self.insert_values(key, values.iter().map(|v| v.to_string()).collect());
        self
    }

    /// The values of a key, compared case-insensitively; `None` when the key is absent.
    pub fn get(&self, key: &str) -> Option<&[String]> {
        self.get_lowercase(&key.to_ascii_lowercase())
    }

    pub(crate) fn get_lowercase(&self, key_lowercase: &str) -> Option<&[String]> {
        self.entries.get(key_lowercase).map(|e| e.values.as_slice())
    }

    /// The keys present, as they were written.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.entries.values().map(|e| e.key.as_str())
    }
}

/// One request to authorize: the caller, the action, the resource and the context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// Who makes the request.
    pub caller: Caller,
    /// The resource ARN, or `*` for actions without resource-level permissions.
    pub resource: String,
    /// The account that owns the resource, when it differs from the caller's; `None`
    /// means the caller's own account.
    pub resource_account: Option<String>,
    /// The caller's Amazon S3 canonical user id, matched by `CanonicalUser` principals.
    pub canonical_user_id: Option<String>,
    /// The condition keys of the request.
    pub context: RequestContext,
    action: String,
    action_lowercase: String,
}

impl Request {
    /// A request for `action` (`service:Operation`) on `resource`.
    pub fn new(caller: Caller, action: &str, resource: &str) -> Result<Request, ContextError> {
        match action.split_once(':') {
            Some((service, name)) if !service.is_empty() && !name.is_empty() => {}
            _ => return Err(ContextError::InvalidAction(action.to_string())),
        }
        Ok(Request {
            caller,
            resource: resource.to_string(),
            resource_account: None,
            canonical_user_id: None,
            context: RequestContext::new(),
            action: action.to_string(),
            action_lowercase: action.to_lowercase(),
        })
    }

    /// Replaces the context.
    pub fn with_context(mut self, context: RequestContext) -> Request {
        self.context = context;
        self
    }

    /// Names the account that owns the resource.
    pub fn with_resource_account(mut self, account: &str) -> Request {
        self.resource_account = Some(account.to_string());
        self
    }

    /// The action as given.
    pub fn action(&self) -> &str {
        &self.action
    }

    pub(crate) fn action_lowercase(&self) -> &str {
        &self.action_lowercase
    }

    /// Whether the resource belongs to the caller's account (or to no account at all).
    pub fn is_same_account(&self) -> bool {
        match (&self.resource_account, self.caller.account()) {
            (None, Some(_)) => true,
            (Some(resource), Some(caller)) => resource == caller,
            (_, None) => false,
        }
    }
}
