//! From the WAFv2 API's JSON shapes to the parsed rule language, with AWS's validation.
//!
//! Member names are the API's (`Statement`, `ByteMatchStatement`, `FieldToMatch`, ...). The
//! gateway has already checked the input against the model (types, enums, lengths), but the
//! engine is also used without it (rule groups held in the store, managed rule groups, fuzzing),
//! so every shape is checked again here and a wrong one is an [`InvalidParameter`], never a panic.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use serde_json::{Map, Value};

use crate::cidr::IpSet;
use crate::error::{
    InvalidParameter, BAD_FORMAT, BELOW_MINIMUM, DUPLICATE, EXACTLY_ONE, ILLEGAL_COMBINATION,
    INVALID_VALUE, LIMIT_EXCEEDED,
};
use crate::managed::{self, NativeCheck};
use crate::statement::*;
use crate::transform::TextTransformation;
use crate::{AclContext, CustomResponse, ResponseBody, WebAcl};

/// Statements nest at most this deep (AWS's limit on logical statement nesting is lower in
/// practice; this bound keeps evaluation's recursion shallow whatever the input).
const MAX_NESTING: usize = 20;
/// At most this many text transformations per statement.
const MAX_TRANSFORMATIONS: usize = 10;

/// Where rules are being parsed: the web ACL itself or one of its rule groups.
struct RuleSet<'a> {
    label_namespace: &'a str,
    custom_response_bodies: &'a Value,
    /// Prefix of rate-based counters: the names of the rules leading here.
    counter_prefix: String,
    /// Inside a rule group, rules may not reference other rule groups.
    in_rule_group: bool,
    /// Managed rule group definitions may use native checks and managed IP lists.
    managed: bool,
    captcha_immunity_secs: u64,
    challenge_immunity_secs: u64,
    /// Ids of the distinct inspections of the whole web ACL.
    inspection_ids: &'a RefCell<HashMap<String, usize>>,
}

pub(crate) fn web_acl(
    default_action: &Value,
    rules: &Value,
    ctx: &AclContext,
) -> Result<WebAcl, InvalidParameter> {
    let inspection_ids = RefCell::new(HashMap::new());
    let set = RuleSet {
        label_namespace: &ctx.label_namespace,
        custom_response_bodies: &ctx.custom_response_bodies,
        counter_prefix: String::new(),
        in_rule_group: false,
        managed: false,
        captcha_immunity_secs: ctx.captcha_immunity_secs,
        challenge_immunity_secs: ctx.challenge_immunity_secs,
        inspection_ids: &inspection_ids,
    };
    let default_action = parse_default_action(default_action, &set)?;
    let rules = parse_rules(rules, &set, ctx)?;
    let inspections = inspection_ids.borrow().len();
    Ok(WebAcl {
        rules,
        default_action,
        body_inspection_limit: ctx.body_inspection_limit,
        inspections,
    })
}

/// Parses the rules of a rule group on its own (CreateRuleGroup's validation).
pub(crate) fn rule_group_rules(
    rules: &Value,
    label_namespace: &str,
    custom_response_bodies: &Value,
    ctx: &AclContext,
) -> Result<Vec<Rule>, InvalidParameter> {
    let inspection_ids = RefCell::new(HashMap::new());
    let set = RuleSet {
        label_namespace,
        custom_response_bodies,
        counter_prefix: String::new(),
        in_rule_group: true,
        managed: false,
        captcha_immunity_secs: ctx.captcha_immunity_secs,
        challenge_immunity_secs: ctx.challenge_immunity_secs,
        inspection_ids: &inspection_ids,
    };
    parse_rules(rules, &set, ctx)
}

fn object<'v>(
    value: &'v Value,
    field: &'static str,
    member: &str,
) -> Result<&'v Map<String, Value>, InvalidParameter> {
    value
        .as_object()
        .ok_or_else(|| InvalidParameter::new(field, member, BAD_FORMAT))
}

fn member<'v>(
    object: &'v Map<String, Value>,
    name: &str,
    field: &'static str,
) -> Result<&'v Value, InvalidParameter> {
    match object.get(name) {
        Some(v) if !v.is_null() => Ok(v),
        _ => Err(InvalidParameter::missing(field, name)),
    }
}

fn text<'v>(
    object: &'v Map<String, Value>,
    name: &str,
    field: &'static str,
) -> Result<&'v str, InvalidParameter> {
    member(object, name, field)?
        .as_str()
        .ok_or_else(|| InvalidParameter::new(field, name, BAD_FORMAT))
}

fn integer(
    object: &Map<String, Value>,
    name: &str,
    field: &'static str,
) -> Result<i64, InvalidParameter> {
    member(object, name, field)?
        .as_i64()
        .ok_or_else(|| InvalidParameter::new(field, name, BAD_FORMAT))
}

fn list<'v>(
    object: &'v Map<String, Value>,
    name: &str,
    field: &'static str,
) -> Result<&'v Vec<Value>, InvalidParameter> {
    member(object, name, field)?
        .as_array()
        .ok_or_else(|| InvalidParameter::new(field, name, BAD_FORMAT))
}

/// The one member of a union-like object (`Statement`, `RuleAction`, `FieldToMatch`, ...).
fn exactly_one<'v>(
    value: &'v Value,
    field: &'static str,
    parameter: &str,
) -> Result<(&'v str, &'v Value), InvalidParameter> {
    let object = object(value, field, parameter)?;
    let mut set = object.iter().filter(|(_, v)| !v.is_null());
    match (set.next(), set.next()) {
        (Some((name, value)), None) => Ok((name.as_str(), value)),
        _ => Err(InvalidParameter::new(field, parameter, EXACTLY_ONE)),
    }
}

fn is_entity_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 128
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

fn is_label_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 1024
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b':')
}

fn parse_rules(
    rules: &Value,
    set: &RuleSet,
    ctx: &AclContext,
) -> Result<Vec<Rule>, InvalidParameter> {
    let rules = match rules {
        Value::Null => return Ok(Vec::new()),
        Value::Array(rules) => rules,
        _ => return Err(InvalidParameter::new("RULE", "Rules", BAD_FORMAT)),
    };
    let mut names = HashSet::new();
    let mut priorities = HashSet::new();
    let mut parsed = Vec::with_capacity(rules.len());
    for rule in rules {
        let rule = parse_rule(rule, set, ctx)?;
        if !names.insert(rule.name.clone()) {
            return Err(InvalidParameter::new("RULE", rule.name, DUPLICATE));
        }
        if !priorities.insert(rule.priority) {
            return Err(InvalidParameter::new(
                "RULE",
                rule.priority.to_string(),
                DUPLICATE,
            ));
        }
        parsed.push(rule);
    }
    // AWS evaluates rules by ascending priority, whatever their order in the list.
    parsed.sort_by_key(|r| r.priority);
    Ok(parsed)
}

fn parse_rule(rule: &Value, set: &RuleSet, ctx: &AclContext) -> Result<Rule, InvalidParameter> {
    let rule = object(rule, "RULE", "Rule")?;
    let name = text(rule, "Name", "RULE")?;
    if !is_entity_name(name) {
        return Err(InvalidParameter::new("RULE", name, BAD_FORMAT));
    }
    let priority = integer(rule, "Priority", "RULE")?;
    if priority < 0 {
        return Err(InvalidParameter::new("RULE", "Priority", INVALID_VALUE));
    }
    let visibility = object(
        member(rule, "VisibilityConfig", "RULE")?,
        "RULE",
        "VisibilityConfig",
    )?;
    let metric_name = text(visibility, "MetricName", "METRIC_NAME")?.to_string();
    if metric_name.is_empty()
        || metric_name.len() > 255
        || !metric_name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        return Err(InvalidParameter::new(
            "METRIC_NAME",
            metric_name,
            BAD_FORMAT,
        ));
    }
    let counter_prefix = format!("{}{}/", set.counter_prefix, name);
    let statement_value = member(rule, "Statement", "RULE")?;
    let statement = parse_top_statement(statement_value, set, ctx, &counter_prefix)?;
    let references_group = matches!(statement, Statement::RuleGroup(_));
    let action = rule.get("Action").filter(|v| !v.is_null());
    let override_action = rule.get("OverrideAction").filter(|v| !v.is_null());
    let behaviour = match (references_group, action, override_action) {
        (false, Some(action), None) => {
            RuleBehaviour::Action(parse_rule_action(action, set, "RULE_ACTION")?)
        }
        (true, None, Some(override_action)) => {
            let (kind, _) = exactly_one(override_action, "OVERRIDE_ACTION", "OverrideAction")?;
            match kind {
                "None" => RuleBehaviour::Override { count: false },
                "Count" => RuleBehaviour::Override { count: true },
                other => {
                    return Err(InvalidParameter::new(
                        "OVERRIDE_ACTION",
                        other,
                        INVALID_VALUE,
                    ))
                }
            }
        }
        (false, _, _) => {
            return Err(InvalidParameter::new(
                "RULE_ACTION",
                "RuleAction",
                EXACTLY_ONE,
            ))
        }
        (true, _, _) => {
            return Err(InvalidParameter::new(
                "OVERRIDE_ACTION",
                "OverrideAction",
                EXACTLY_ONE,
            ))
        }
    };
    let mut labels = Vec::new();
    if let Some(rule_labels) = rule.get("RuleLabels").filter(|v| !v.is_null()) {
        let rule_labels = rule_labels
            .as_array()
            .ok_or_else(|| InvalidParameter::new("RULE", "RuleLabels", BAD_FORMAT))?;
        for label in rule_labels {
            let label = object(label, "RULE", "RuleLabels")?;
            let label_name = text(label, "Name", "RULE")?;
            if !is_label_name(label_name) {
                return Err(InvalidParameter::new("RULE", label_name, BAD_FORMAT));
            }
            labels.push(format!("{}{}", set.label_namespace, label_name));
        }
    }
    let immunity = |config: &str, default: u64| -> Result<u64, InvalidParameter> {
        match rule
            .get(config)
            .and_then(|c| c.get("ImmunityTimeProperty"))
            .and_then(|p| p.get("ImmunityTime"))
        {
            None | Some(Value::Null) => Ok(default),
            Some(time) => time
                .as_u64()
                .filter(|t| (60..=259_200).contains(t))
                .ok_or_else(|| {
                    InvalidParameter::new("CHALLENGE_CONFIG", "ImmunityTime", INVALID_VALUE)
                }),
        }
    };
    Ok(Rule {
        name: name.to_string(),
        priority,
        statement,
        action: behaviour,
        labels,
        metric_name,
        captcha_immunity_secs: immunity("CaptchaConfig", set.captcha_immunity_secs)?,
        challenge_immunity_secs: immunity("ChallengeConfig", set.challenge_immunity_secs)?,
    })
}

fn parse_default_action(value: &Value, set: &RuleSet) -> Result<RuleAction, InvalidParameter> {
    let (kind, _) = exactly_one(value, "DEFAULT_ACTION", "DefaultAction")?;
    match kind {
        "Allow" | "Block" => parse_rule_action(value, set, "DEFAULT_ACTION"),
        other => Err(InvalidParameter::new(
            "DEFAULT_ACTION",
            other,
            INVALID_VALUE,
        )),
    }
}

fn parse_rule_action(
    value: &Value,
    set: &RuleSet,
    field: &'static str,
) -> Result<RuleAction, InvalidParameter> {
    let (kind, settings) = exactly_one(value, field, "RuleAction")?;
    let settings = object(settings, field, kind)?;
    let insert_headers = || -> Result<Vec<(String, String)>, InvalidParameter> {
        match settings
            .get("CustomRequestHandling")
            .filter(|v| !v.is_null())
        {
            None => Ok(Vec::new()),
            Some(handling) => {
                let handling =
                    object(handling, "CUSTOM_REQUEST_HANDLING", "CustomRequestHandling")?;
                let headers = parse_headers(
                    list(handling, "InsertHeaders", "CUSTOM_REQUEST_HANDLING")?,
                    "CUSTOM_REQUEST_HANDLING",
                )?;
                // AWS inserts custom request headers with this prefix so they cannot pose as
                // the client's own headers.
                Ok(headers
                    .into_iter()
                    .map(|(n, v)| (format!("x-amzn-waf-{n}"), v))
                    .collect())
            }
        }
    };
    Ok(match kind {
        "Allow" => RuleAction::Allow {
            insert_headers: insert_headers()?,
        },
        "Count" => RuleAction::Count {
            insert_headers: insert_headers()?,
        },
        "Captcha" => RuleAction::Captcha {
            insert_headers: insert_headers()?,
        },
        "Challenge" => RuleAction::Challenge {
            insert_headers: insert_headers()?,
        },
        "Block" => RuleAction::Block {
            response: match settings.get("CustomResponse").filter(|v| !v.is_null()) {
                None => None,
                Some(response) => Some(Arc::new(parse_custom_response(response, set)?)),
            },
        },
        other => return Err(InvalidParameter::new(field, other, INVALID_VALUE)),
    })
}

fn parse_headers(
    headers: &[Value],
    field: &'static str,
) -> Result<Vec<(String, String)>, InvalidParameter> {
    if headers.is_empty() {
        return Err(InvalidParameter::new(field, "InsertHeaders", BELOW_MINIMUM));
    }
    let mut parsed = Vec::with_capacity(headers.len());
    let mut names = HashSet::new();
    for header in headers {
        let header = object(header, field, "CustomHTTPHeader")?;
        let name = text(header, "Name", field)?;
        let value = text(header, "Value", field)?;
        if name.is_empty()
            || name.len() > 64
            || !name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
        {
            return Err(InvalidParameter::new(field, name, BAD_FORMAT));
        }
        if value.len() > 255 || value.bytes().any(|b| b == b'\r' || b == b'\n') {
            return Err(InvalidParameter::new(field, value, BAD_FORMAT));
        }
        if !names.insert(name.to_ascii_lowercase()) {
            return Err(InvalidParameter::new(field, name, DUPLICATE));
        }
        parsed.push((name.to_string(), value.to_string()));
    }
    Ok(parsed)
}

fn parse_custom_response(value: &Value, set: &RuleSet) -> Result<CustomResponse, InvalidParameter> {
    let response = object(value, "CUSTOM_RESPONSE", "CustomResponse")?;
    let status = integer(response, "ResponseCode", "CUSTOM_RESPONSE")?;
    if !(200..=599).contains(&status) {
        return Err(InvalidParameter::new(
            "CUSTOM_RESPONSE",
            status.to_string(),
            INVALID_VALUE,
        ));
    }
    let headers = match response.get("ResponseHeaders").filter(|v| !v.is_null()) {
        None => Vec::new(),
        Some(headers) => parse_headers(
            headers.as_array().ok_or_else(|| {
                InvalidParameter::new("CUSTOM_RESPONSE", "ResponseHeaders", BAD_FORMAT)
            })?,
            "CUSTOM_RESPONSE",
        )?,
    };
    let body = match response
        .get("CustomResponseBodyKey")
        .filter(|v| !v.is_null())
    {
        None => None,
        Some(key) => {
            let key = key.as_str().ok_or_else(|| {
                InvalidParameter::new("CUSTOM_RESPONSE_BODY", "CustomResponseBodyKey", BAD_FORMAT)
            })?;
            let body = set
                .custom_response_bodies
                .get(key)
                .ok_or_else(|| InvalidParameter::new("CUSTOM_RESPONSE_BODY", key, INVALID_VALUE))?;
            let body = object(body, "CUSTOM_RESPONSE_BODY", key)?;
            let content_type = match text(body, "ContentType", "RESPONSE_CONTENT_TYPE")? {
                "TEXT_PLAIN" => "text/plain",
                "TEXT_HTML" => "text/html",
                "APPLICATION_JSON" => "application/json",
                other => {
                    return Err(InvalidParameter::new(
                        "RESPONSE_CONTENT_TYPE",
                        other,
                        INVALID_VALUE,
                    ))
                }
            };
            Some(ResponseBody {
                content_type,
                content: text(body, "Content", "CUSTOM_RESPONSE_BODY")?.to_string(),
            })
        }
    };
    Ok(CustomResponse {
        status: status as u16,
        headers,
        body,
    })
}

/// A rule's statement: rate-based and rule group statements may only appear here.
fn parse_top_statement(
    value: &Value,
    set: &RuleSet,
    ctx: &AclContext,
    counter_prefix: &str,
) -> Result<Statement, InvalidParameter> {
    let (kind, body) = exactly_one(value, "STATEMENT", "Statement")?;
    match kind {
        "RateBasedStatement" => parse_rate_based(body, set, ctx, counter_prefix),
        "RuleGroupReferenceStatement" | "ManagedRuleGroupStatement" if set.in_rule_group => Err(
            InvalidParameter::new("STATEMENT", kind, ILLEGAL_COMBINATION),
        ),
        "RuleGroupReferenceStatement" => parse_rule_group_reference(body, set, ctx, counter_prefix),
        "ManagedRuleGroupStatement" => parse_managed_rule_group(body, set, ctx, counter_prefix),
        _ => parse_statement(value, set, ctx, 0),
    }
}

fn parse_statement(
    value: &Value,
    set: &RuleSet,
    ctx: &AclContext,
    depth: usize,
) -> Result<Statement, InvalidParameter> {
    if depth > MAX_NESTING {
        return Err(InvalidParameter::new(
            "STATEMENT",
            "Statement",
            LIMIT_EXCEEDED,
        ));
    }
    let (kind, body) = exactly_one(value, "STATEMENT", "Statement")?;
    let field = statement_field(kind);
    let settings = object(body, field, kind)?;
    Ok(match kind {
        "ByteMatchStatement" => {
            let search = text(settings, "SearchString", field)?;
            let search = crate::transform::base64_decode(search.as_bytes(), false);
            if search.is_empty() || search.len() > 200 {
                return Err(InvalidParameter::new(field, "SearchString", INVALID_VALUE));
            }
            let position = match text(settings, "PositionalConstraint", field)? {
                "EXACTLY" => PositionalConstraint::Exactly,
                "STARTS_WITH" => PositionalConstraint::StartsWith,
                "ENDS_WITH" => PositionalConstraint::EndsWith,
                "CONTAINS" => PositionalConstraint::Contains,
                "CONTAINS_WORD" => PositionalConstraint::ContainsWord,
                other => {
                    return Err(InvalidParameter::new(
                        "POSITIONAL_CONSTRAINT",
                        other,
                        INVALID_VALUE,
                    ))
                }
            };
            Statement::ByteMatch {
                inspect: parse_inspection(settings, field, set)?,
                search,
                position,
            }
        }
        "SqliMatchStatement" => {
            let high_sensitivity = match settings.get("SensitivityLevel").and_then(Value::as_str) {
                None | Some("LOW") => false,
                Some("HIGH") => true,
                Some(other) => return Err(InvalidParameter::new(field, other, INVALID_VALUE)),
            };
            Statement::SqliMatch {
                inspect: parse_inspection(settings, field, set)?,
                high_sensitivity,
            }
        }
        "XssMatchStatement" => Statement::XssMatch {
            inspect: parse_inspection(settings, field, set)?,
        },
        "RegexMatchStatement" => {
            let pattern = text(settings, "RegexString", field)?;
            // 512 characters is the API's limit; AWS's own managed rules are not held to it.
            if pattern.is_empty() || (pattern.len() > 512 && !set.managed) {
                return Err(InvalidParameter::new(field, "RegexString", INVALID_VALUE));
            }
            let regex = compile_regex(pattern)
                .ok_or_else(|| InvalidParameter::new(field, pattern, BAD_FORMAT))?;
            Statement::RegexMatch {
                inspect: parse_inspection(settings, field, set)?,
                regex,
            }
        }
        "RegexPatternSetReferenceStatement" => {
            let arn = text(settings, "ARN", field)?;
            let patterns = ctx
                .regex_pattern_sets
                .get(arn)
                .ok_or_else(|| InvalidParameter::nonexistent("REGEX_PATTERN_SET", arn))?;
            let regexes = compile_regex_set(patterns)
                .ok_or_else(|| InvalidParameter::new("REGEX_PATTERN_SET", arn, BAD_FORMAT))?;
            Statement::RegexPatternSet {
                inspect: parse_inspection(settings, field, set)?,
                regexes: Arc::new(regexes),
            }
        }
        "SizeConstraintStatement" => {
            let operator = match text(settings, "ComparisonOperator", field)? {
                "EQ" => ComparisonOperator::Eq,
                "NE" => ComparisonOperator::Ne,
                "LE" => ComparisonOperator::Le,
                "LT" => ComparisonOperator::Lt,
                "GE" => ComparisonOperator::Ge,
                "GT" => ComparisonOperator::Gt,
                other => return Err(InvalidParameter::new(field, other, INVALID_VALUE)),
            };
            let size = integer(settings, "Size", field)?;
            if !(0..=21_474_836_480).contains(&size) {
                return Err(InvalidParameter::new(field, "Size", INVALID_VALUE));
            }
            Statement::SizeConstraint {
                inspect: parse_inspection(settings, field, set)?,
                operator,
                size: size as u64,
            }
        }
        "IPSetReferenceStatement" => {
            let arn = text(settings, "ARN", field)?;
            let set_value = match managed_list_name(arn).filter(|_| set.managed) {
                Some(list) => IpSet::parse(
                    ctx.managed_ip_lists
                        .get(list)
                        .map(Vec::as_slice)
                        .unwrap_or_default(),
                ),
                None => IpSet::parse(
                    ctx.ip_sets
                        .get(arn)
                        .ok_or_else(|| InvalidParameter::nonexistent("IP_SET", arn))?,
                ),
            }
            .map_err(|block| InvalidParameter::new("IP_ADDRESS", block, BAD_FORMAT))?;
            let source = match settings
                .get("IPSetForwardedIPConfig")
                .filter(|v| !v.is_null())
            {
                None => IpSource::Client,
                Some(config) => {
                    let (header, fallback_match, position) =
                        parse_forwarded_ip(config, "IP_SET_FORWARDED_IP_CONFIG", true)?;
                    IpSource::Forwarded {
                        header,
                        fallback_match,
                        position,
                    }
                }
            };
            Statement::IpSet {
                set: Arc::new(set_value),
                source,
            }
        }
        "GeoMatchStatement" => {
            let codes = list(settings, "CountryCodes", field)?;
            if codes.is_empty() {
                return Err(InvalidParameter::new(field, "CountryCodes", BELOW_MINIMUM));
            }
            let mut countries = Vec::with_capacity(codes.len());
            for code in codes {
                let code = code
                    .as_str()
                    .filter(|c| c.len() == 2 && c.bytes().all(|b| b.is_ascii_uppercase()))
                    .ok_or_else(|| InvalidParameter::new(field, "CountryCodes", INVALID_VALUE))?;
                countries.push(code.to_string());
            }
            Statement::GeoMatch {
                countries,
                source: parse_optional_forwarded_ip(settings)?,
            }
        }
        "AsnMatchStatement" => {
            let asns = list(settings, "AsnList", field)?;
            if asns.is_empty() || asns.len() > 100 {
                return Err(InvalidParameter::new(field, "AsnList", INVALID_VALUE));
            }
            let asns = asns
                .iter()
                .map(|a| {
                    a.as_u64()
                        .filter(|&a| a <= u64::from(u32::MAX))
                        .map(|a| a as u32)
                })
                .collect::<Option<Vec<u32>>>()
                .ok_or_else(|| InvalidParameter::new(field, "AsnList", INVALID_VALUE))?;
            Statement::AsnMatch {
                asns,
                source: parse_optional_forwarded_ip(settings)?,
            }
        }
        "LabelMatchStatement" => {
            let namespace = match text(settings, "Scope", field)? {
                "LABEL" => false,
                "NAMESPACE" => true,
                other => return Err(InvalidParameter::new(field, other, INVALID_VALUE)),
            };
            let key = text(settings, "Key", field)?;
            if !is_label_name(key) {
                return Err(InvalidParameter::new(field, key, BAD_FORMAT));
            }
            Statement::LabelMatch {
                namespace,
                key: key.to_string(),
            }
        }
        "AndStatement" | "OrStatement" => {
            let statements = list(settings, "Statements", field)?;
            if statements.len() < 2 {
                return Err(InvalidParameter::new(field, "Statements", BELOW_MINIMUM));
            }
            let statements = statements
                .iter()
                .map(|s| parse_statement(s, set, ctx, depth + 1))
                .collect::<Result<Vec<_>, _>>()?;
            if kind == "AndStatement" {
                Statement::And(statements)
            } else {
                Statement::Or(statements)
            }
        }
        "NotStatement" => Statement::Not(Box::new(parse_statement(
            member(settings, "Statement", field)?,
            set,
            ctx,
            depth + 1,
        )?)),
        "PalisadeNativeCheck" if set.managed => {
            let name = text(settings, "Check", field)?;
            let check = NativeCheck::from_name(name)
                .ok_or_else(|| InvalidParameter::new(field, name, INVALID_VALUE))?;
            let inspect = if settings.contains_key("FieldToMatch") {
                Some(parse_inspection(settings, field, set)?)
            } else {
                None
            };
            let verified = ctx
                .managed_ip_lists
                .get("VerifiedBots")
                .map(Vec::as_slice)
                .unwrap_or_default();
            let verified_bots = Arc::new(
                IpSet::parse(verified)
                    .map_err(|block| InvalidParameter::new("IP_ADDRESS", block, BAD_FORMAT))?,
            );
            Statement::Native(Box::new(NativeStatement {
                check,
                inspect,
                verified_bots,
            }))
        }
        "RateBasedStatement" | "RuleGroupReferenceStatement" | "ManagedRuleGroupStatement" => {
            return Err(InvalidParameter::new(
                "STATEMENT",
                kind,
                ILLEGAL_COMBINATION,
            ));
        }
        other => return Err(InvalidParameter::new("STATEMENT", other, INVALID_VALUE)),
    })
}

fn statement_field(kind: &str) -> &'static str {
    match kind {
        "ByteMatchStatement" => "BYTE_MATCH_STATEMENT",
        "SqliMatchStatement" => "SQLI_MATCH_STATEMENT",
        "XssMatchStatement" => "XSS_MATCH_STATEMENT",
        "SizeConstraintStatement" => "SIZE_CONSTRAINT_STATEMENT",
        "GeoMatchStatement" => "GEO_MATCH_STATEMENT",
        "RateBasedStatement" => "RATE_BASED_STATEMENT",
        "RuleGroupReferenceStatement" => "RULE_GROUP_REFERENCE_STATEMENT",
        "RegexPatternSetReferenceStatement" => "REGEX_PATTERN_REFERENCE_STATEMENT",
        "IPSetReferenceStatement" => "IP_SET_REFERENCE_STATEMENT",
        "ManagedRuleGroupStatement" => "MANAGED_RULE_SET_STATEMENT",
        "LabelMatchStatement" => "LABEL_MATCH_STATEMENT",
        "AndStatement" => "AND_STATEMENT",
        "OrStatement" => "OR_STATEMENT",
        "NotStatement" => "NOT_STATEMENT",
        _ => "STATEMENT",
    }
}

/// `managed-ip-list:<name>`: how managed rule group definitions name their address lists.
fn managed_list_name(arn: &str) -> Option<&str> {
    arn.strip_prefix("managed-ip-list:")
}

pub(crate) fn compile_regex(pattern: &str) -> Option<regex::bytes::Regex> {
    let build = |unicode: bool| {
        regex::bytes::RegexBuilder::new(pattern)
            .unicode(unicode)
            .size_limit(1 << 20)
            .dfa_size_limit(1 << 20)
            .build()
    };
    build(false).or_else(|_| build(true)).ok()
}

fn compile_regex_set(patterns: &[String]) -> Option<regex::bytes::RegexSet> {
    let build = |unicode: bool| {
        regex::bytes::RegexSetBuilder::new(patterns)
            .unicode(unicode)
            .size_limit(1 << 22)
            .dfa_size_limit(1 << 22)
            .build()
    };
    build(false).or_else(|_| build(true)).ok()
}

fn parse_fallback(value: Option<&Value>, field: &'static str) -> Result<bool, InvalidParameter> {
    match value.and_then(Value::as_str) {
        Some("MATCH") => Ok(true),
        Some("NO_MATCH") => Ok(false),
        Some(other) => Err(InvalidParameter::new(
            "FALLBACK_BEHAVIOR",
            other,
            INVALID_VALUE,
        )),
        None => Err(InvalidParameter::missing(field, "FallbackBehavior")),
    }
}

fn parse_header_name(value: &str) -> Result<String, InvalidParameter> {
    if value.is_empty()
        || value.len() > 255
        || !value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(InvalidParameter::new("HEADER_NAME", value, BAD_FORMAT));
    }
    Ok(value.to_ascii_lowercase())
}

/// `ForwardedIPConfig` or `IPSetForwardedIPConfig`: the header, whether a request without a
/// valid address in it matches, and which address to use (only the latter has `Position`).
fn parse_forwarded_ip(
    value: &Value,
    field: &'static str,
    with_position: bool,
) -> Result<(String, bool, ForwardedIpPosition), InvalidParameter> {
    let config = object(value, field, "ForwardedIPConfig")?;
    let header = parse_header_name(text(config, "HeaderName", field)?)?;
    let fallback_match = parse_fallback(config.get("FallbackBehavior"), field)?;
    let position = if with_position {
        match text(config, "Position", field)? {
            "FIRST" => ForwardedIpPosition::First,
            "LAST" => ForwardedIpPosition::Last,
            "ANY" => ForwardedIpPosition::Any,
            other => return Err(InvalidParameter::new("POSITION", other, INVALID_VALUE)),
        }
    } else {
        ForwardedIpPosition::First
    };
    Ok((header, fallback_match, position))
}

fn parse_optional_forwarded_ip(
    settings: &Map<String, Value>,
) -> Result<IpSource, InvalidParameter> {
    match settings.get("ForwardedIPConfig").filter(|v| !v.is_null()) {
        None => Ok(IpSource::Client),
        Some(config) => {
            let (header, fallback_match, position) =
                parse_forwarded_ip(config, "FORWARDED_IP_CONFIG", false)?;
            Ok(IpSource::Forwarded {
                header,
                fallback_match,
                position,
            })
        }
    }
}

fn parse_inspection(
    settings: &Map<String, Value>,
    field: &'static str,
    set: &RuleSet,
) -> Result<Inspection, InvalidParameter> {
    let field_to_match = parse_field_to_match(member(settings, "FieldToMatch", field)?)?;
    let transformations = parse_transformations(list(settings, "TextTransformations", field)?)?;
    // Inspections of the same field with the same transformations share one id, so that
    // evaluation transforms each field once however many rules inspect it.
    let mut ids = set.inspection_ids.borrow_mut();
    let next = ids.len();
    let id = *ids
        .entry(format!("{field_to_match:?}{transformations:?}"))
        .or_insert(next);
    Ok(Inspection {
        id,
        field: field_to_match,
        transformations,
    })
}

pub(crate) fn parse_transformations(
    values: &[Value],
) -> Result<Vec<TextTransformation>, InvalidParameter> {
    if values.is_empty() {
        return Err(InvalidParameter::new(
            "TEXT_TRANSFORMATION",
            "TextTransformations",
            BELOW_MINIMUM,
        ));
    }
    if values.len() > MAX_TRANSFORMATIONS {
        return Err(InvalidParameter::new(
            "TEXT_TRANSFORMATION",
            "TextTransformations",
            LIMIT_EXCEEDED,
        ));
    }
    let mut ordered = Vec::with_capacity(values.len());
    for value in values {
        let value = object(value, "TEXT_TRANSFORMATION", "TextTransformation")?;
        let priority = integer(value, "Priority", "TEXT_TRANSFORMATION")?;
        let name = text(value, "Type", "TEXT_TRANSFORMATION")?;
        let transformation = TextTransformation::from_name(name)
            .ok_or_else(|| InvalidParameter::new("TEXT_TRANSFORMATION", name, INVALID_VALUE))?;
        if priority < 0 || ordered.iter().any(|(p, _)| *p == priority) {
            return Err(InvalidParameter::new(
                "TEXT_TRANSFORMATION",
                priority.to_string(),
                DUPLICATE,
            ));
        }
        ordered.push((priority, transformation));
    }
    ordered.sort_by_key(|(p, _)| *p);
    Ok(ordered.into_iter().map(|(_, t)| t).collect())
}

fn parse_oversize(
    settings: &Map<String, Value>,
    required: bool,
) -> Result<OversizeHandling, InvalidParameter> {
    match settings.get("OversizeHandling").and_then(Value::as_str) {
        Some("CONTINUE") => Ok(OversizeHandling::Continue),
        Some("MATCH") => Ok(OversizeHandling::Match),
        Some("NO_MATCH") => Ok(OversizeHandling::NoMatch),
        Some(other) => Err(InvalidParameter::new(
            "OVERSIZE_HANDLING",
            other,
            INVALID_VALUE,
        )),
        None if required => Err(InvalidParameter::missing(
            "OVERSIZE_HANDLING",
            "OversizeHandling",
        )),
        None => Ok(OversizeHandling::Continue),
    }
}

fn parse_scope(
    settings: &Map<String, Value>,
    field: &'static str,
) -> Result<MatchScope, InvalidParameter> {
    match text(settings, "MatchScope", field)? {
        "ALL" => Ok(MatchScope::All),
        "KEY" => Ok(MatchScope::Key),
        "VALUE" => Ok(MatchScope::Value),
        other => Err(InvalidParameter::new(field, other, INVALID_VALUE)),
    }
}

fn names(values: &Value, field: &'static str) -> Result<Vec<String>, InvalidParameter> {
    let values = values
        .as_array()
        .filter(|v| !v.is_empty() && v.len() <= 199)
        .ok_or_else(|| InvalidParameter::new(field, "MatchPattern", INVALID_VALUE))?;
    values
        .iter()
        .map(|v| {
            v.as_str()
                .filter(|s| !s.is_empty() && s.len() <= 60)
                .map(str::to_string)
                .ok_or_else(|| InvalidParameter::new(field, "MatchPattern", INVALID_VALUE))
        })
        .collect()
}

fn parse_map_match(
    settings: &Map<String, Value>,
    field: &'static str,
    included: &str,
    excluded: &str,
    headers: bool,
) -> Result<MapMatch, InvalidParameter> {
    let (kind, value) = exactly_one(
        member(settings, "MatchPattern", field)?,
        field,
        "MatchPattern",
    )?;
    let lower = |names: Vec<String>| {
        if headers {
            names.into_iter().map(|n| n.to_ascii_lowercase()).collect()
        } else {
            names
        }
    };
    let pattern = match kind {
        "All" => MapPattern::All,
        k if k == included => MapPattern::Included(lower(names(value, field)?)),
        k if k == excluded => MapPattern::Excluded(lower(names(value, field)?)),
        other => return Err(InvalidParameter::new(field, other, INVALID_VALUE)),
    };
    Ok(MapMatch {
        pattern,
        scope: parse_scope(settings, "MAP_MATCH_SCOPE")?,
        oversize: parse_oversize(settings, true)?,
    })
}

fn parse_field_to_match(value: &Value) -> Result<FieldToMatch, InvalidParameter> {
    let (kind, settings) = exactly_one(value, "FIELD_TO_MATCH", "FieldToMatch")?;
    let settings = object(settings, "FIELD_TO_MATCH", kind)?;
    Ok(match kind {
        "SingleHeader" => FieldToMatch::SingleHeader(parse_field_name(settings, "SINGLE_HEADER")?),
        "SingleQueryArgument" => {
            FieldToMatch::SingleQueryArgument(parse_field_name(settings, "SINGLE_QUERY_ARGUMENT")?)
        }
        "AllQueryArguments" => FieldToMatch::AllQueryArguments,
        "UriPath" => FieldToMatch::UriPath,
        "QueryString" => FieldToMatch::QueryString,
        "Method" => FieldToMatch::Method,
        "Body" => FieldToMatch::Body {
            oversize: parse_oversize(settings, false)?,
        },
        "JsonBody" => {
            let (pattern, paths) = exactly_one(
                member(settings, "MatchPattern", "JSON_MATCH_PATTERN")?,
                "JSON_MATCH_PATTERN",
                "MatchPattern",
            )?;
            let included_paths = match pattern {
                "All" => None,
                "IncludedPaths" => {
                    let paths = paths.as_array().filter(|p| !p.is_empty()).ok_or_else(|| {
                        InvalidParameter::new("JSON_MATCH_PATTERN", "IncludedPaths", BELOW_MINIMUM)
                    })?;
                    let paths = paths
                        .iter()
                        .map(|p| {
                            p.as_str()
                                .filter(|p| p.is_empty() || p.starts_with('/'))
                                .map(str::to_string)
                        })
                        .collect::<Option<Vec<_>>>()
                        .ok_or_else(|| {
                            InvalidParameter::new("JSON_MATCH_PATTERN", "IncludedPaths", BAD_FORMAT)
                        })?;
                    Some(paths)
                }
                other => {
                    return Err(InvalidParameter::new(
                        "JSON_MATCH_PATTERN",
                        other,
                        INVALID_VALUE,
                    ))
                }
            };
            let invalid_fallback = match settings
                .get("InvalidFallbackBehavior")
                .and_then(Value::as_str)
            {
                None => None,
                Some("MATCH") => Some(JsonFallback::Match),
                Some("NO_MATCH") => Some(JsonFallback::NoMatch),
                Some("EVALUATE_AS_STRING") => Some(JsonFallback::EvaluateAsString),
                Some(other) => {
                    return Err(InvalidParameter::new(
                        "BODY_PARSING_FALLBACK_BEHAVIOR",
                        other,
                        INVALID_VALUE,
                    ))
                }
            };
            FieldToMatch::JsonBody(JsonBody {
                included_paths,
                scope: parse_scope(settings, "JSON_MATCH_SCOPE")?,
                invalid_fallback,
                oversize: parse_oversize(settings, false)?,
            })
        }
        "Headers" => FieldToMatch::Headers(parse_map_match(
            settings,
            "HEADER_MATCH_PATTERN",
            "IncludedHeaders",
            "ExcludedHeaders",
            true,
        )?),
        "Cookies" => FieldToMatch::Cookies(parse_map_match(
            settings,
            "COOKIE_MATCH_PATTERN",
            "IncludedCookies",
            "ExcludedCookies",
            false,
        )?),
        "HeaderOrder" => FieldToMatch::HeaderOrder {
            oversize: parse_oversize(settings, true)?,
        },
        "JA3Fingerprint" => FieldToMatch::Ja3Fingerprint {
            fallback_match: parse_fallback(settings.get("FallbackBehavior"), "FIELD_TO_MATCH")?,
        },
        "JA4Fingerprint" => FieldToMatch::Ja4Fingerprint {
            fallback_match: parse_fallback(settings.get("FallbackBehavior"), "FIELD_TO_MATCH")?,
        },
        "UriFragment" => FieldToMatch::UriFragment {
            fallback_match: match settings.get("FallbackBehavior") {
                None | Some(Value::Null) => false,
                other => parse_fallback(other, "FIELD_TO_MATCH")?,
            },
        },
        other => {
            return Err(InvalidParameter::new(
                "FIELD_TO_MATCH",
                other,
                INVALID_VALUE,
            ))
        }
    })
}

fn parse_field_name(
    settings: &Map<String, Value>,
    field: &'static str,
) -> Result<String, InvalidParameter> {
    let name = text(settings, "Name", field)?;
    if name.is_empty() || name.len() > 64 {
        return Err(InvalidParameter::new(field, name, INVALID_VALUE));
    }
    // Header and query argument names compare without regard to case.
    Ok(name.to_ascii_lowercase())
}

fn parse_rate_based(
    value: &Value,
    set: &RuleSet,
    ctx: &AclContext,
    counter_prefix: &str,
) -> Result<Statement, InvalidParameter> {
    const FIELD: &str = "RATE_BASED_STATEMENT";
    let settings = object(value, FIELD, "RateBasedStatement")?;
    let limit = integer(settings, "Limit", FIELD)?;
    if !(10..=2_000_000_000).contains(&limit) {
        return Err(InvalidParameter::new(FIELD, "Limit", INVALID_VALUE));
    }
    let window_secs = match settings.get("EvaluationWindowSec").filter(|v| !v.is_null()) {
        None => 300,
        Some(window) => window
            .as_u64()
            .filter(|w| [60, 120, 300, 600].contains(w))
            .ok_or_else(|| InvalidParameter::new(FIELD, "EvaluationWindowSec", INVALID_VALUE))?,
    };
    let custom_keys = settings.get("CustomKeys").filter(|v| !v.is_null());
    let forwarded = settings.get("ForwardedIPConfig").filter(|v| !v.is_null());
    let key = match text(settings, "AggregateKeyType", FIELD)? {
        "IP" | "CONSTANT" if forwarded.is_some() => {
            return Err(InvalidParameter::new(
                "FORWARDED_IP_CONFIG",
                "ForwardedIPConfig",
                ILLEGAL_COMBINATION,
            ))
        }
        "IP" | "CONSTANT" | "FORWARDED_IP" if custom_keys.is_some() => {
            return Err(InvalidParameter::new(
                "CUSTOM_KEYS",
                "CustomKeys",
                ILLEGAL_COMBINATION,
            ))
        }
        "IP" => AggregateKey::Ip,
        "CONSTANT" => AggregateKey::Constant,
        "FORWARDED_IP" => {
            let config = forwarded.ok_or_else(|| {
                InvalidParameter::missing("FORWARDED_IP_CONFIG", "ForwardedIPConfig")
            })?;
            let (header, fallback_match, _) =
                parse_forwarded_ip(config, "FORWARDED_IP_CONFIG", false)?;
            AggregateKey::ForwardedIp {
                header,
                fallback_match,
            }
        }
        "CUSTOM_KEYS" => {
            let keys = custom_keys
                .and_then(Value::as_array)
                .ok_or_else(|| InvalidParameter::missing("CUSTOM_KEYS", "CustomKeys"))?;
            if keys.is_empty() || keys.len() > 5 {
                return Err(InvalidParameter::new(
                    "CUSTOM_KEYS",
                    "CustomKeys",
                    INVALID_VALUE,
                ));
            }
            let forwarded_header = match forwarded {
                Some(config) => Some(parse_forwarded_ip(config, "FORWARDED_IP_CONFIG", false)?.0),
                None => None,
            };
            AggregateKey::Custom(
                keys.iter()
                    .map(|k| parse_custom_key(k, forwarded_header.as_deref()))
                    .collect::<Result<_, _>>()?,
            )
        }
        other => return Err(InvalidParameter::new(FIELD, other, INVALID_VALUE)),
    };
    let scope_down = match settings.get("ScopeDownStatement").filter(|v| !v.is_null()) {
        None => None,
        Some(statement) => Some(parse_statement(statement, set, ctx, 1).map_err(scope_down_error)?),
    };
    Ok(Statement::RateBased(Box::new(RateBasedStatement {
        counter_id: Arc::from(counter_prefix),
        limit: limit as u64,
        window_ms: window_secs * 1000,
        key,
        scope_down,
    })))
}

/// A statement that may not be nested, met in a scope-down statement, is AWS's `SCOPE_DOWN`
/// error.
fn scope_down_error(error: InvalidParameter) -> InvalidParameter {
    if error.reason == ILLEGAL_COMBINATION && error.field == "STATEMENT" {
        InvalidParameter::new("SCOPE_DOWN", error.parameter, ILLEGAL_COMBINATION)
    } else {
        error
    }
}

/// One of `CustomKeys`; a forwarded IP key uses the statement's `ForwardedIPConfig` header.
fn parse_custom_key(
    value: &Value,
    forwarded_header: Option<&str>,
) -> Result<CustomKey, InvalidParameter> {
    const FIELD: &str = "CUSTOM_KEYS";
    let (kind, settings) = exactly_one(value, FIELD, "CustomKey")?;
    let settings = object(settings, FIELD, kind)?;
    let transformations = || parse_transformations(list(settings, "TextTransformations", FIELD)?);
    let name = || parse_field_name(settings, FIELD);
    Ok(match kind {
        "Header" => CustomKey::Header {
            name: name()?,
            transformations: transformations()?,
        },
        "Cookie" => CustomKey::Cookie {
            name: text(settings, "Name", FIELD)?.to_string(),
            transformations: transformations()?,
        },
        "QueryArgument" => CustomKey::QueryArgument {
            name: name()?,
            transformations: transformations()?,
        },
        "QueryString" => CustomKey::QueryString {
            transformations: transformations()?,
        },
        "UriPath" => CustomKey::UriPath {
            transformations: transformations()?,
        },
        "HTTPMethod" => CustomKey::HttpMethod,
        "IP" => CustomKey::Ip,
        "ForwardedIP" => CustomKey::ForwardedIp {
            header: forwarded_header
                .ok_or_else(|| {
                    InvalidParameter::missing("FORWARDED_IP_CONFIG", "ForwardedIPConfig")
                })?
                .to_string(),
        },
        "LabelNamespace" => {
            let namespace = text(settings, "Namespace", FIELD)?;
            if !is_label_name(namespace) || !namespace.ends_with(':') {
                return Err(InvalidParameter::new(FIELD, namespace, BAD_FORMAT));
            }
            CustomKey::LabelNamespace(namespace.to_string())
        }
        "JA3Fingerprint" => CustomKey::Ja3Fingerprint {
            fallback_match: parse_fallback(settings.get("FallbackBehavior"), FIELD)?,
        },
        "JA4Fingerprint" => CustomKey::Ja4Fingerprint {
            fallback_match: parse_fallback(settings.get("FallbackBehavior"), FIELD)?,
        },
        "ASN" => CustomKey::Asn,
        other => return Err(InvalidParameter::new(FIELD, other, INVALID_VALUE)),
    })
}

fn parse_overrides(
    settings: &Map<String, Value>,
    set: &RuleSet,
    field: &'static str,
) -> Result<Vec<(String, RuleAction)>, InvalidParameter> {
    let mut overrides = Vec::new();
    if let Some(excluded) = settings.get("ExcludedRules").filter(|v| !v.is_null()) {
        for rule in excluded
            .as_array()
            .ok_or_else(|| InvalidParameter::new("EXCLUDED_RULE", "ExcludedRules", BAD_FORMAT))?
        {
            let rule = object(rule, "EXCLUDED_RULE", "ExcludedRule")?;
            // An excluded rule is the older spelling of overriding its action to Count.
            overrides.push((
                text(rule, "Name", "EXCLUDED_RULE")?.to_string(),
                RuleAction::Count {
                    insert_headers: Vec::new(),
                },
            ));
        }
    }
    if let Some(list) = settings.get("RuleActionOverrides").filter(|v| !v.is_null()) {
        let list = list
            .as_array()
            .ok_or_else(|| InvalidParameter::new(field, "RuleActionOverrides", BAD_FORMAT))?;
        if list.len() > 100 {
            return Err(InvalidParameter::new(
                field,
                "RuleActionOverrides",
                LIMIT_EXCEEDED,
            ));
        }
        for entry in list {
            let entry = object(entry, field, "RuleActionOverride")?;
            let name = text(entry, "Name", field)?;
            if overrides.iter().any(|(n, _)| n == name) {
                return Err(InvalidParameter::new(field, name, DUPLICATE));
            }
            overrides.push((
                name.to_string(),
                parse_rule_action(member(entry, "ActionToUse", field)?, set, "RULE_ACTION")?,
            ));
        }
    }
    Ok(overrides)
}

fn parse_rule_group_reference(
    value: &Value,
    set: &RuleSet,
    ctx: &AclContext,
    counter_prefix: &str,
) -> Result<Statement, InvalidParameter> {
    const FIELD: &str = "RULE_GROUP_REFERENCE_STATEMENT";
    let settings = object(value, FIELD, "RuleGroupReferenceStatement")?;
    let arn = text(settings, "ARN", FIELD)?;
    let definition = ctx
        .rule_groups
        .get(arn)
        .ok_or_else(|| InvalidParameter::nonexistent("RULE_GROUP", arn))?;
    let group_set = RuleSet {
        label_namespace: &definition.label_namespace,
        custom_response_bodies: &definition.custom_response_bodies,
        counter_prefix: counter_prefix.to_string(),
        in_rule_group: true,
        managed: false,
        captcha_immunity_secs: set.captcha_immunity_secs,
        challenge_immunity_secs: set.challenge_immunity_secs,
        inspection_ids: set.inspection_ids,
    };
    let rules = parse_rules(&definition.rules, &group_set, ctx)?;
    Ok(Statement::RuleGroup(Box::new(RuleGroupReference {
        group: Arc::new(CompiledRuleGroup {
            name: definition.name.clone(),
            rules,
        }),
        overrides: parse_overrides(settings, set, FIELD)?,
        scope_down: None,
    })))
}

fn parse_managed_rule_group(
    value: &Value,
    set: &RuleSet,
    ctx: &AclContext,
    counter_prefix: &str,
) -> Result<Statement, InvalidParameter> {
    const FIELD: &str = "MANAGED_RULE_SET_STATEMENT";
    let settings = object(value, FIELD, "ManagedRuleGroupStatement")?;
    let vendor = text(settings, "VendorName", FIELD)?;
    let name = text(settings, "Name", FIELD)?;
    let group = managed::find(vendor, name).ok_or_else(|| {
        InvalidParameter::nonexistent("MANAGED_RULE_SET", format!("{vendor}/{name}"))
    })?;
    if let Some(version) = settings.get("Version").filter(|v| !v.is_null()) {
        let version = version
            .as_str()
            .ok_or_else(|| InvalidParameter::new(FIELD, "Version", BAD_FORMAT))?;
        if !group.versions.iter().any(|v| v.name == version) {
            return Err(InvalidParameter::nonexistent("MANAGED_RULE_SET", version));
        }
    }
    let group_set = RuleSet {
        label_namespace: group.label_namespace,
        custom_response_bodies: &Value::Null,
        counter_prefix: counter_prefix.to_string(),
        in_rule_group: true,
        managed: true,
        captcha_immunity_secs: set.captcha_immunity_secs,
        challenge_immunity_secs: set.challenge_immunity_secs,
        inspection_ids: set.inspection_ids,
    };
    let rules = parse_rules(group.rules_json(), &group_set, ctx)?;
    let scope_down = match settings.get("ScopeDownStatement").filter(|v| !v.is_null()) {
        None => None,
        Some(statement) => Some(parse_statement(statement, set, ctx, 1).map_err(scope_down_error)?),
    };
    Ok(Statement::RuleGroup(Box::new(RuleGroupReference {
        group: Arc::new(CompiledRuleGroup {
            name: name.to_string(),
            rules,
        }),
        overrides: parse_overrides(settings, set, FIELD)?,
        scope_down,
    })))
}
