//! What the references of a web ACL resolve to, and the settings of where it is used.

use std::collections::HashMap;

/// `Scope`: where a web ACL or rule group is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Regional resources (application load balancers, API Gateway, ...).
    Regional,
    /// CloudFront distributions.
    CloudFront,
}

/// A rule group a `RuleGroupReferenceStatement` may name, by ARN.
#[derive(Debug, Clone)]
pub struct RuleGroupDefinition {
    /// The rule group's `Name`.
    pub name: String,
    /// Its `Rules`, as the API holds them.
    pub rules: serde_json::Value,
    /// Its `Capacity` (what using it costs a web ACL).
    pub capacity: u64,
    /// Its `LabelNamespace`, e.g. `awswaf:111122223333:rulegroup:my-group:`.
    pub label_namespace: String,
    /// Its `CustomResponseBodies` (an object, or null).
    pub custom_response_bodies: serde_json::Value,
}

/// What a web ACL's references resolve to, and where it is used.
#[derive(Debug, Clone)]
pub struct AclContext {
    /// The web ACL's scope.
    pub scope: Scope,
    /// How much of a request body is inspected, in bytes: 8 KB for load balancers (fixed),
    /// 16 KB by default for CloudFront and up to 64 KB by `AssociationConfig`.
    pub body_inspection_limit: usize,
    /// The web ACL's label namespace, e.g. `awswaf:111122223333:webacl:my-acl:`: its rules'
    /// `RuleLabels` are qualified with it.
    pub label_namespace: String,
    /// The web ACL's `CustomResponseBodies` (an object, or null).
    pub custom_response_bodies: serde_json::Value,
    /// The web ACL's CAPTCHA immunity time in seconds (`CaptchaConfig`; AWS's default 300).
    pub captcha_immunity_secs: u64,
    /// The web ACL's challenge immunity time in seconds (`ChallengeConfig`; default 300).
    pub challenge_immunity_secs: u64,
    /// IP sets by ARN: their `Addresses` (CIDR blocks).
    pub ip_sets: HashMap<String, Vec<String>>,
    /// Regex pattern sets by ARN: their regular expressions.
    pub regex_pattern_sets: HashMap<String, Vec<String>>,
    /// Rule groups by ARN.
    pub rule_groups: HashMap<String, RuleGroupDefinition>,
    /// The address lists behind the IP reputation and Bot Control managed rule groups, by
    /// list name (see [`crate::managed::IP_LISTS`]); a list not given is empty.
    pub managed_ip_lists: HashMap<String, Vec<String>>,
}

impl AclContext {
    /// A context for a web ACL of this scope and label namespace, with AWS's default body
    /// inspection limit (8 KB regional, 16 KB CloudFront) and immunity times, and no
    /// referenced resources.
    pub fn new(scope: Scope, label_namespace: impl Into<String>) -> AclContext {
        AclContext {
            scope,
            body_inspection_limit: match scope {
                Scope::Regional => 8 * 1024,
                Scope::CloudFront => 16 * 1024,
            },
            label_namespace: label_namespace.into(),
            custom_response_bodies: serde_json::Value::Null,
            captcha_immunity_secs: 300,
            challenge_immunity_secs: 300,
            ip_sets: HashMap::new(),
            regex_pattern_sets: HashMap::new(),
            rule_groups: HashMap::new(),
            managed_ip_lists: HashMap::new(),
        }
    }
}
