//! Errors in policy documents, with the messages IAM returns.

use std::fmt;

/// IAM's catch-all for documents that are not valid policy JSON.
pub const SYNTAX_ERRORS: &str = "Syntax errors in policy.";
/// A `Principal` in a policy type that has none.
pub const SHOULD_NOT_SPECIFY_PRINCIPAL: &str = "Policy document should not specify a principal.";
/// No `Principal` in a policy type that needs one.
pub const MISSING_PRINCIPAL: &str = "Missing required field Principal";
/// No `Effect` in a statement.
pub const MISSING_EFFECT: &str = "Missing required field Effect";
/// No `Statement` in the document.
pub const MISSING_STATEMENT: &str = "Missing required field Statement";
/// No `Resource` in a resource-based policy statement.
pub const MISSING_RESOURCE: &str = "Missing required field Resource";
/// No `Action`/`NotAction` in a statement.
pub const MUST_CONTAIN_ACTIONS: &str = "Policy statement must contain actions.";
/// No `Resource`/`NotResource` in an identity policy statement.
pub const MUST_CONTAIN_RESOURCES: &str = "Policy statement must contain resources.";
/// An action or condition key without a service prefix.
pub const VENDOR_PREFIX: &str =
    "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.";
/// A document without the 2012-10-17 version that the older grammar cannot read.
pub const LEGACY_PARSING: &str = "The policy failed legacy parsing";
/// Two statements with the same `Sid`.
pub const SID_NOT_UNIQUE: &str = "Statement IDs (SID) in a single policy must be unique.";
/// A `Sid` with characters IAM does not allow.
pub const SID_NOT_ALPHANUMERIC: &str =
    "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*";
/// Organizations' message for a document that breaks an SCP or RCP rule.
pub const ORGANIZATIONS_POLICY_TYPE: &str =
    "The provided policy document does not meet the requirements of the specified policy type.";

/// Why a policy document was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicyError {
    /// `MalformedPolicyDocument`, with IAM's message.
    MalformedPolicyDocument(String),
    /// `LimitExceeded`: the document is larger than the quota allows.
    LimitExceeded {
        /// The quota's name as IAM reports it (`PolicySize`, `ACLSizePerRole`, ...).
        quota: &'static str,
        /// The quota in characters, not counting whitespace.
        limit: usize,
    },
}

impl PolicyError {
    /// The AWS error code for the failure.
    pub fn code(&self) -> &'static str {
        match self {
            PolicyError::MalformedPolicyDocument(_) => "MalformedPolicyDocument",
            PolicyError::LimitExceeded { .. } => "LimitExceeded",
        }
    }

    /// The error message, as AWS words it.
    pub fn message(&self) -> String {
        match self {
            PolicyError::MalformedPolicyDocument(message) => message.clone(),
            PolicyError::LimitExceeded { quota, limit } => {
                format!("Cannot exceed quota for {quota}: {limit}")
            }
        }
    }
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code(), self.message())
    }
}

impl std::error::Error for PolicyError {}

pub(crate) fn malformed(message: impl Into<String>) -> PolicyError {
    PolicyError::MalformedPolicyDocument(message.into())
}
