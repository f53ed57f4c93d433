//! The rule language after parsing: statements, the parts of a request they inspect, and the
//! actions of rules. Parsing (`parse.rs`) builds these from the WAFv2 API's JSON shapes; the
//! evaluator (`evaluate.rs`) runs them.

use std::sync::Arc;

use crate::cidr::IpSet;
use crate::transform::TextTransformation;

/// A rule of a web ACL or rule group.
#[derive(Debug)]
pub(crate) struct Rule {
    pub name: String,
    pub priority: i64,
    pub statement: Statement,
    pub action: RuleBehaviour,
    /// The rule's labels, fully qualified with the namespace of its web ACL or rule group.
    pub labels: Vec<String>,
    pub metric_name: String,
    /// CAPTCHA immunity time (seconds) for this rule's Captcha action.
    pub captcha_immunity_secs: u64,
    /// Challenge immunity time (seconds) for this rule's Challenge action.
    pub challenge_immunity_secs: u64,
}

/// What a rule does when its statement matches: an action, or, for a rule that references a
/// rule group, its override action.
#[derive(Debug)]
pub(crate) enum RuleBehaviour {
    Action(RuleAction),
    /// `OverrideAction`: `None` keeps the group's own actions, `Count` counts them instead.
    Override {
        count: bool,
    },
}

/// A rule action, with its custom request handling or custom response.
#[derive(Debug, Clone)]
pub(crate) enum RuleAction {
    Allow {
        insert_headers: Vec<(String, String)>,
    },
    Block {
        response: Option<Arc<crate::CustomResponse>>,
    },
    Count {
        insert_headers: Vec<(String, String)>,
    },
    Captcha {
        insert_headers: Vec<(String, String)>,
    },
    Challenge {
        insert_headers: Vec<(String, String)>,
    },
}

impl RuleAction {
    pub fn kind(&self) -> crate::ActionKind {
        match self {
            RuleAction::Allow { .. } => crate::ActionKind::Allow,
            RuleAction::Block { .. } => crate::ActionKind::Block,
            RuleAction::Count { .. } => crate::ActionKind::Count,
            RuleAction::Captcha { .. } => crate::ActionKind::Captcha,
            RuleAction::Challenge { .. } => crate::ActionKind::Challenge,
        }
    }
}

/// A statement: the condition of a rule.
#[derive(Debug)]
pub(crate) enum Statement {
    ByteMatch {
        inspect: Inspection,
        search: Vec<u8>,
        position: PositionalConstraint,
    },
    SqliMatch {
        inspect: Inspection,
        high_sensitivity: bool,
    },
    XssMatch {
        inspect: Inspection,
    },
    RegexMatch {
        inspect: Inspection,
        regex: regex::bytes::Regex,
    },
    RegexPatternSet {
        inspect: Inspection,
        regexes: Arc<regex::bytes::RegexSet>,
    },
    SizeConstraint {
        inspect: Inspection,
        operator: ComparisonOperator,
        size: u64,
    },
    IpSet {
        set: Arc<IpSet>,
        source: IpSource,
    },
    GeoMatch {
        countries: Vec<String>,
        source: IpSource,
    },
    AsnMatch {
        asns: Vec<u32>,
        source: IpSource,
    },
    LabelMatch {
        namespace: bool,
        key: String,
    },
    RateBased(Box<RateBasedStatement>),
    And(Vec<Statement>),
    Or(Vec<Statement>),
    Not(Box<Statement>),
    RuleGroup(Box<RuleGroupReference>),
    /// A check of a managed rule group that no API statement expresses (Bot Control's
    /// user-agent classification, Log4j lookups); only managed rule group definitions contain
    /// it. With an inspection it tests the field's values, without it the whole request.
    Native(Box<NativeStatement>),
}

/// Where an IP-based statement takes its address from.
#[derive(Debug, Clone)]
pub(crate) enum IpSource {
    Client,
    Forwarded {
        header: String,
        fallback_match: bool,
        position: ForwardedIpPosition,
    },
}

/// Which address of a forwarded IP header (e.g. X-Forwarded-For) to inspect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ForwardedIpPosition {
    First,
    Last,
    Any,
}

/// A part of the request, the text transformations applied to it, and how oversize content is
/// handled.
#[derive(Debug)]
pub(crate) struct Inspection {
    /// Equal for inspections of the same field with the same transformations.
    pub id: usize,
    pub field: FieldToMatch,
    pub transformations: Vec<TextTransformation>,
}

/// `FieldToMatch`.
#[derive(Debug)]
pub(crate) enum FieldToMatch {
    SingleHeader(String),
    SingleQueryArgument(String),
    AllQueryArguments,
    UriPath,
    QueryString,
    Method,
    Body { oversize: OversizeHandling },
    JsonBody(JsonBody),
    Headers(MapMatch),
    Cookies(MapMatch),
    HeaderOrder { oversize: OversizeHandling },
    Ja3Fingerprint { fallback_match: bool },
    Ja4Fingerprint { fallback_match: bool },
    UriFragment { fallback_match: bool },
}

/// What to do with content beyond what AWS WAF inspects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OversizeHandling {
    Continue,
    Match,
    NoMatch,
}

/// `MatchScope` of maps (headers, cookies) and JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MatchScope {
    All,
    Key,
    Value,
}

/// `Headers` or `Cookies` as a field to match.
#[derive(Debug)]
pub(crate) struct MapMatch {
    pub pattern: MapPattern,
    pub scope: MatchScope,
    pub oversize: OversizeHandling,
}

/// Which entries of headers or cookies to inspect; names compare case-insensitively for
/// headers and exactly for cookies.
#[derive(Debug)]
pub(crate) enum MapPattern {
    All,
    Included(Vec<String>),
    Excluded(Vec<String>),
}

/// `JsonBody`.
#[derive(Debug)]
pub(crate) struct JsonBody {
    /// `None` is `All`; otherwise the JSON Pointers to inspect.
    pub included_paths: Option<Vec<String>>,
    pub scope: MatchScope,
    pub invalid_fallback: Option<JsonFallback>,
    pub oversize: OversizeHandling,
}

/// `InvalidFallbackBehavior`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum JsonFallback {
    Match,
    NoMatch,
    EvaluateAsString,
}

/// `PositionalConstraint`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PositionalConstraint {
    Exactly,
    StartsWith,
    EndsWith,
    Contains,
    ContainsWord,
}

/// `ComparisonOperator`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ComparisonOperator {
    Eq,
    Ne,
    Le,
    Lt,
    Ge,
    Gt,
}

impl ComparisonOperator {
    pub fn compare(self, value: u64, size: u64) -> bool {
        match self {
            ComparisonOperator::Eq => value == size,
            ComparisonOperator::Ne => value != size,
            ComparisonOperator::Le => value <= size,
            ComparisonOperator::Lt => value < size,
            ComparisonOperator::Ge => value >= size,
            ComparisonOperator::Gt => value > size,
        }
    }
}

/// `RateBasedStatement`.
#[derive(Debug)]
pub(crate) struct RateBasedStatement {
    /// Identifies the counters of this statement in a [`crate::RateState`]: the path of rule
    /// names from the web ACL to this rule.
    pub counter_id: Arc<str>,
    pub limit: u64,
    pub window_ms: u64,
    pub key: AggregateKey,
    pub scope_down: Option<Statement>,
}

/// What requests are counted together.
#[derive(Debug)]
pub(crate) enum AggregateKey {
    Ip,
    ForwardedIp {
        header: String,
        fallback_match: bool,
    },
    Constant,
    Custom(Vec<CustomKey>),
}

/// One part of a `CUSTOM_KEYS` aggregation key.
#[derive(Debug)]
pub(crate) enum CustomKey {
    Header {
        name: String,
        transformations: Vec<TextTransformation>,
    },
    Cookie {
        name: String,
        transformations: Vec<TextTransformation>,
    },
    QueryArgument {
        name: String,
        transformations: Vec<TextTransformation>,
    },
    QueryString {
        transformations: Vec<TextTransformation>,
    },
    UriPath {
        transformations: Vec<TextTransformation>,
    },
    HttpMethod,
    Ip,
    /// The first address of the statement's `ForwardedIPConfig` header.
    ForwardedIp {
        header: String,
    },
    LabelNamespace(String),
    Ja3Fingerprint {
        fallback_match: bool,
    },
    Ja4Fingerprint {
        fallback_match: bool,
    },
    Asn,
}

/// A rule group used by a rule (`RuleGroupReferenceStatement` or `ManagedRuleGroupStatement`).
#[derive(Debug)]
pub(crate) struct RuleGroupReference {
    pub group: Arc<CompiledRuleGroup>,
    /// `RuleActionOverrides` and `ExcludedRules` (which count), by rule name.
    pub overrides: Vec<(String, RuleAction)>,
    pub scope_down: Option<Statement>,
}

/// A rule group, parsed once.
#[derive(Debug)]
pub(crate) struct CompiledRuleGroup {
    /// The name reported as the terminating rule group (the managed group's name or the rule
    /// group's name).
    pub name: String,
    pub rules: Vec<Rule>,
}

/// A managed rule's native check, the field it inspects (if any), and the addresses of the
/// bots AWS verifies (only Bot Control's checks use them).
#[derive(Debug)]
pub(crate) struct NativeStatement {
    pub check: crate::managed::NativeCheck,
    pub inspect: Option<Inspection>,
    pub verified_bots: Arc<IpSet>,
}
