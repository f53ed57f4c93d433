//! Policy size quotas. IAM counts characters without whitespace, and which quota applies
//! depends on where the document is stored, so callers choose.

use super::err::PolicyError;

/// The documented size quotas for policy documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PolicySizeLimit {
    /// A customer managed policy (and permissions boundary): 6,144 characters.
    ManagedPolicy,
    /// All inline policies of one user together: 2,048 characters.
    InlineUserPolicy,
    /// All inline policies of one role together: 10,240 characters.
    InlineRolePolicy,
    /// All inline policies of one group together: 5,120 characters.
    InlineGroupPolicy,
    /// A role trust policy, by default: 2,048 characters.
    TrustPolicy,
    /// A service control policy: 5,120 characters.
    ServiceControlPolicy,
    /// A resource control policy: 5,120 characters.
    ResourceControlPolicy,
}

impl PolicySizeLimit {
    /// The quota in characters, whitespace not counted.
    pub fn max_characters(self) -> usize {
        match self {
            PolicySizeLimit::ManagedPolicy => 6144,
            PolicySizeLimit::InlineUserPolicy => 2048,
            PolicySizeLimit::InlineRolePolicy => 10240,
            PolicySizeLimit::InlineGroupPolicy => 5120,
            PolicySizeLimit::TrustPolicy => 2048,
            PolicySizeLimit::ServiceControlPolicy | PolicySizeLimit::ResourceControlPolicy => 5120,
        }
    }

    /// The quota's name in IAM's `LimitExceeded` message.
    pub fn quota_name(self) -> &'static str {
        match self {
            PolicySizeLimit::ManagedPolicy => "PolicySize",
            PolicySizeLimit::InlineUserPolicy => "UserPolicySize",
            PolicySizeLimit::InlineRolePolicy => "RolePolicySize",
            PolicySizeLimit::InlineGroupPolicy => "GroupPolicySize",
            PolicySizeLimit::TrustPolicy => "ACLSizePerRole",
            PolicySizeLimit::ServiceControlPolicy | PolicySizeLimit::ResourceControlPolicy => {
                "PolicyContentSize"
            }
        }
    }
}

/// The size IAM measures: characters that are not whitespace.
pub fn policy_size(text: &str) -> usize {
    text.chars().filter(|c| !c.is_whitespace()).count()
}

/// Refuses a document larger than `limit`.
pub fn check_policy_size(text: &str, limit: PolicySizeLimit) -> Result<(), PolicyError> {
    if policy_size(text) > limit.max_characters() {
        return Err(PolicyError::LimitExceeded {
            quota: limit.quota_name(),
            limit: limit.max_characters(),
        });
    }
    Ok(())
}
