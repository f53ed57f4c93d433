//! The AWS WAF rule engine: web ACLs and rule groups written in the WAFv2 API's JSON shapes,
//! evaluated against web requests the way AWS WAF does.
//!
//! - [`WebAcl::from_json`] parses and validates a web ACL's `DefaultAction` and `Rules`
//!   (errors are AWS's [`InvalidParameter`]); references (IP sets, regex pattern sets, rule
//!   groups, managed rule groups) resolve through an [`AclContext`].
//! - [`WebAcl::evaluate`] judges a [`Request`]: rules in priority order, labels, Count rules,
//!   rule groups and their overrides, rate-based rules over a [`RateState`], the default action.
//! - [`capacity`] is CheckCapacity: web ACL capacity units per AWS's documented costs.
//! - [`managed::catalog`] lists the AWS managed rule groups implemented natively.
//! - [`sqli`] and [`xss`] are the detectors behind `SqliMatchStatement` and `XssMatchStatement`.
//!
//! The crate is pure: no I/O, no clock (callers pass `now_ms`), no threads.

mod capacity;
mod cidr;
mod context;
mod error;
mod evaluate;
mod field;
mod json;
pub mod managed;
mod parse;
mod rate;
mod request;
pub mod sqli;
mod statement;
mod transform;
pub mod xss;

use std::sync::Arc;

pub use capacity::capacity;
pub use cidr::IpSet;
pub use context::{AclContext, RuleGroupDefinition, Scope};
pub use error::InvalidParameter;
pub use rate::RateState;
pub use request::{IpLookup, Request};
pub use transform::TextTransformation;

/// A web ACL, parsed and ready to evaluate requests.
#[derive(Debug)]
pub struct WebAcl {
    rules: Vec<statement::Rule>,
    default_action: statement::RuleAction,
    body_inspection_limit: usize,
    /// The number of distinct inspections (field and transformations) of its rules.
    inspections: usize,
}

impl WebAcl {
    /// Parses a web ACL from the API's `DefaultAction` and `Rules` members.
    pub fn from_json(
        default_action: &serde_json::Value,
        rules: &serde_json::Value,
        ctx: &AclContext,
    ) -> Result<WebAcl, InvalidParameter> {
        parse::web_acl(default_action, rules, ctx)
    }

    /// The aggregation keys that a rate-based rule currently limits
    /// (GetRateBasedStatementManagedKeys): for a rule of the web ACL, `rule_name`; for a rule
    /// inside a rule group, the web ACL rule that references the group and the group's rule.
    /// IP keys are the address text; other keys are their length-prefixed parts.
    pub fn rate_limited_keys(
        &self,
        rule_name: &str,
        rule_group_rule_name: Option<&str>,
        rate: &RateState,
        now_ms: u64,
    ) -> Vec<Vec<u8>> {
        let path = match rule_group_rule_name {
            Some(inner) => format!("{rule_name}/{inner}/"),
            None => format!("{rule_name}/"),
        };
        match self.find_rate_statement(&path) {
            Some(limit) => rate.keys_over_limit(&path, limit, now_ms),
            None => Vec::new(),
        }
    }

    fn find_rate_statement(&self, path: &str) -> Option<u64> {
        fn search(rules: &[statement::Rule], path: &str) -> Option<u64> {
            rules.iter().find_map(|rule| match &rule.statement {
                statement::Statement::RateBased(r) if &*r.counter_id == path => Some(r.limit),
                statement::Statement::RuleGroup(g) => search(&g.group.rules, path),
                _ => None,
            })
        }
        search(&self.rules, path)
    }

    /// The verdict on `request` at `now_ms` (milliseconds since the Unix epoch; only rate-based
    /// rules and their counters in `rate` use it).
    pub fn evaluate(&self, request: &Request, rate: &RateState, now_ms: u64) -> Verdict {
        evaluate::evaluate(self, request, rate, now_ms)
    }
}

/// Checks a rule group's rules as CreateRuleGroup and UpdateRuleGroup do (references resolve
/// through `ctx`; rules may not reference other rule groups).
pub fn check_rule_group(
    definition: &RuleGroupDefinition,
    ctx: &AclContext,
) -> Result<(), InvalidParameter> {
    parse::rule_group_rules(
        &definition.rules,
        &definition.label_namespace,
        &definition.custom_response_bodies,
        ctx,
    )
    .map(drop)
}

/// What AWS WAF does with a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Forward the request (with [`Verdict::inserted_headers`]).
    Allow,
    /// Refuse it: 403, or the custom response.
    Block {
        /// The rule's custom response, if it has one.
        custom_response: Option<Arc<CustomResponse>>,
    },
    /// Answer with a CAPTCHA puzzle (HTTP 405) because the request has no valid CAPTCHA token.
    Captcha,
    /// Answer with a silent browser challenge (HTTP 202) because the request has no valid token.
    Challenge,
}

/// The kind of a rule action, as logs and metrics name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ActionKind {
    /// `ALLOW`.
    Allow,
    /// `BLOCK`.
    Block,
    /// `COUNT`.
    Count,
    /// `CAPTCHA`.
    Captcha,
    /// `CHALLENGE`.
    Challenge,
}

impl ActionKind {
    /// The name in WAF logs and sampled requests (`BLOCK`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            ActionKind::Allow => "ALLOW",
            ActionKind::Block => "BLOCK",
            ActionKind::Count => "COUNT",
            ActionKind::Captcha => "CAPTCHA",
            ActionKind::Challenge => "CHALLENGE",
        }
    }
}

/// A Block action's `CustomResponse`, with its body resolved from `CustomResponseBodies`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomResponse {
    /// `ResponseCode`.
    pub status: u16,
    /// `ResponseHeaders`, as given (AWS does not prefix response headers).
    pub headers: Vec<(String, String)>,
    /// The body named by `CustomResponseBodyKey`.
    pub body: Option<ResponseBody>,
}

/// A custom response body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseBody {
    /// The media type: `text/plain`, `text/html` or `application/json`.
    pub content_type: &'static str,
    /// The content.
    pub content: String,
}

/// A rule that matched, by name, with the rule group it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleMatch {
    /// The rule's name.
    pub name: String,
    /// The rule group's name when the rule is inside one (a managed rule group's name, e.g.
    /// `AWSManagedRulesSQLiRuleSet`); the web ACL rule that uses the group is `via_rule`.
    pub rule_group: Option<String>,
    /// The web ACL rule through which a rule group's rule matched.
    pub via_rule: Option<String>,
    /// The action applied (after overrides).
    pub action: ActionKind,
    /// The rule's `VisibilityConfig.MetricName`.
    pub metric_name: String,
}

/// The outcome of evaluating a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// What to do with the request.
    pub action: Action,
    /// The rule that decided; `None` when the default action did.
    pub terminating_rule: Option<RuleMatch>,
    /// Every label added to the request, in order.
    pub labels: Vec<String>,
    /// Rules that matched without ending evaluation (Count, and CAPTCHA or Challenge with a
    /// valid token), for logs and metrics.
    pub non_terminating_matches: Vec<RuleMatch>,
    /// Headers to insert into the forwarded request (names already prefixed `x-amzn-waf-`).
    pub inserted_headers: Vec<(String, String)>,
}
