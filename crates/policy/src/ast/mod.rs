//! The IAM policy language as data: a parsed, validated policy document.
//!
//! Values here are already checked by the [`parser`](crate::parser); evaluation never has
//! to ask whether a statement is well formed.

mod operator;
pub(crate) mod pattern;

pub use operator::{ConditionOperator, OperatorFamily, SetQualifier};
pub use pattern::{Pattern, PatternPart, Variable};

/// Where a policy is attached, which decides the element rules it must follow.
///
/// IAM refuses a `Principal` in an identity policy but requires one in a bucket policy,
/// so the same JSON can be valid for one type and malformed for another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PolicyType {
    /// Inline or managed policy attached to a user, group or role.
    Identity,
    /// Policy attached to a resource (bucket, queue, topic, secret, ...).
    Resource,
    /// A role's trust policy (the resource policy of `sts:AssumeRole*`).
    Trust,
    /// A managed policy used as a user's or role's permissions boundary.
    PermissionsBoundary,
    /// An Organizations service control policy.
    ServiceControl,
    /// An Organizations resource control policy.
    ResourceControl,
    /// A session policy passed to `AssumeRole*` or `GetFederationToken`.
    Session,
    /// A KMS key policy.
    KeyPolicy,
}

/// The policy language version named by the `Version` element.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Version {
    /// `2008-10-17`: the original language, in which `${...}` is literal text.
    V2008_10_17,
    /// `2012-10-17`: the current language, with policy variables.
    V2012_10_17,
}

/// A whole policy document.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyDocument {
    /// The `Version` element; `None` when absent, which behaves as `2008-10-17`.
    pub version: Option<Version>,
    /// The optional `Id` element.
    pub id: Option<String>,
    /// The statements, in document order (their index is the simulator's position).
    pub statements: Vec<Statement>,
}

impl PolicyDocument {
    /// Whether `${...}` is a policy variable here; AWS treats it as literal text unless the
    /// document says `"Version": "2012-10-17"`.
    pub fn variables_enabled(&self) -> bool {
        self.version == Some(Version::V2012_10_17)
    }

    /// The context keys the document refers to, in its conditions and its policy variables, each
    /// once (keys compare case-insensitively), in the order they first appear: IAM's
    /// GetContextKeysFor*Policy.
    pub fn context_keys(&self) -> Vec<&str> {
        distinct_keys(self.referenced_keys())
    }

    /// Every context key the document refers to, as often as it does.
    pub(crate) fn referenced_keys(&self) -> impl Iterator<Item = &str> {
        self.statements.iter().flat_map(|statement| {
            let resource_variables = match &statement.resource {
                Some(ResourceBlock::Resource(patterns) | ResourceBlock::NotResource(patterns)) => patterns.as_slice(),
                None => &[],
            };
            resource_variables.iter().flat_map(Pattern::variables).map(|v| v.key.as_str()).chain(
                statement.conditions.iter().flat_map(|condition| {
                    std::iter::once(condition.key.as_str())
                        .chain(condition.values.iter().flat_map(Pattern::variables).map(|v| v.key.as_str()))
                }),
            )
        })
    }
}

/// Each key once, compared case-insensitively as IAM does, in the order they first appear.
pub(crate) fn distinct_keys<'a>(keys: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut distinct: Vec<&str> = Vec::new();
    for key in keys {
        if !distinct.iter().any(|k| k.eq_ignore_ascii_case(key)) {
            distinct.push(key);
        }
    }
    distinct
}

/// One statement of a policy.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    /// The optional `Sid`, unique within the document.
    pub sid: Option<String>,
    /// Whether the statement allows or denies.
    pub effect: Effect,
    /// `Principal` or `NotPrincipal`, when the policy type has one.
    pub principal: Option<PrincipalBlock>,
    /// `Action` or `NotAction`.
    pub action: ActionBlock,
    /// `Resource` or `NotResource`; trust policies have none.
    pub resource: Option<ResourceBlock>,
    /// The `Condition` block, one entry per operator and key; all must hold.
    pub conditions: Vec<Condition>,
}

/// The `Effect` element.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Effect {
    /// Grants the matched requests.
    Allow,
    /// Refuses the matched requests, overriding every allow.
    Deny,
}

/// The `Principal` or `NotPrincipal` element.
#[derive(Debug, Clone, PartialEq)]
pub enum PrincipalBlock {
    /// The statement applies to the principals listed.
    Principal(PrincipalSet),
    /// The statement applies to everyone except the principals listed.
    NotPrincipal(PrincipalSet),
}

/// The principals named by a `Principal` or `NotPrincipal` element.
#[derive(Debug, Clone, PartialEq)]
pub enum PrincipalSet {
    /// `"*"` or `{"AWS": "*"}`: everyone, including anonymous callers.
    Everyone,
    /// The principals listed, by kind.
    Listed(Vec<PrincipalValue>),
}

/// One principal named in a policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrincipalValue {
    /// The key it was listed under (`AWS`, `Service`, ...).
    pub kind: PrincipalKind,
    /// The identifier exactly as written (account id, ARN, service name, ...).
    pub value: String,
}

/// The keys of a `Principal` object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PrincipalKind {
    /// `AWS`: accounts, users, roles and sessions.
    Aws,
    /// `Service`: AWS service principals such as `ec2.amazonaws.com`.
    Service,
    /// `Federated`: web identity and SAML providers.
    Federated,
    /// `CanonicalUser`: Amazon S3 canonical user ids.
    CanonicalUser,
}

/// The `Action` or `NotAction` element.
#[derive(Debug, Clone, PartialEq)]
pub enum ActionBlock {
    /// The statement applies to the actions matched.
    Action(Vec<ActionPattern>),
    /// The statement applies to every action not matched.
    NotAction(Vec<ActionPattern>),
}

/// One action pattern such as `iam:Get*`.
///
/// Actions match case-insensitively, so the lowercase matcher is built once, here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionPattern {
    /// The pattern as written.
    pub text: String,
    pub(crate) units: Vec<pattern::Unit>,
}

impl ActionPattern {
    /// An action pattern from its text.
    pub fn new(text: &str) -> ActionPattern {
        let units = text
            .to_lowercase()
            .chars()
            .map(|c| match c {
                '*' => pattern::Unit::AnyRun,
                '?' => pattern::Unit::AnyChar,
                c => pattern::Unit::Char(c),
            })
            .collect();
        ActionPattern {
            text: text.to_string(),
            units,
        }
    }
}

/// The `Resource` or `NotResource` element.
#[derive(Debug, Clone, PartialEq)]
pub enum ResourceBlock {
    /// The statement applies to the resources matched.
    Resource(Vec<Pattern>),
    /// The statement applies to every resource not matched.
    NotResource(Vec<Pattern>),
}

/// One operator–key pair of a `Condition` block with its values (OR'd together).
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    /// The operator, with its set qualifier and `IfExists` suffix.
    pub operator: ConditionOperator,
    /// The condition key as written; keys compare case-insensitively.
    pub key: String,
    /// The policy values; string and ARN operators resolve variables in them.
    pub values: Vec<Pattern>,
    pub(crate) key_lowercase: String,
}

impl Condition {
    /// A condition from its parts.
    pub fn new(operator: ConditionOperator, key: &str, values: Vec<Pattern>) -> Condition {
        Condition {
            operator,
            key: key.to_string(),
            values,
            key_lowercase: key.to_ascii_lowercase(),
        }
    }
}
