//! What each kind of entity checks in its definition, and the members WAF works out from it.
//! Rules are judged by the `waf` engine, with the references they make resolved from the store.

use std::net::IpAddr;

use gateway::RequestContext;
use serde_json::{json, Map, Value};
use store::Txn;
use waf::{AclContext, InvalidParameter, RuleGroupDefinition, WebAcl};
use wire::ApiError;

use super::{
    entities::{self, Kind},
    errors::{error, invalid_parameter},
};

/// The most WCUs a web ACL may use (1,500 are included in the base price; AWS allows 5,000).
const MAX_WEB_ACL_CAPACITY: u64 = 5000;

/// The engine's refusal as AWS answers it.
pub fn engine_error(e: InvalidParameter) -> ApiError {
    let mut api_error = error(e.exception, e.message);
    if e.exception == "WAFInvalidParameterException" {
        api_error = api_error.with_field("Field", e.field).with_field("Parameter", e.parameter).with_field("Reason", e.reason);
    }
    api_error
}

pub fn label_namespace(account: &str, kind: Kind, name: &str) -> String {
    let kind = if kind == Kind::WebAcl { "webacl" } else { "rulegroup" };
    format!("awswaf:{account}:{kind}:{name}:")
}

pub fn engine_scope(scope: &str) -> waf::Scope {
    if scope == "CLOUDFRONT" {
        waf::Scope::CloudFront
    } else {
        waf::Scope::Regional
    }
}

/// The context a web ACL or rule group of this scope is judged in: the IP sets, regex pattern
/// sets and rule groups of the account and region it may reference, and its own settings.
pub async fn acl_context(
    tx: &mut Txn,
    account: &str,
    region: &str,
    scope: &str,
    namespace: String,
    definition: &Map<String, Value>,
) -> Result<AclContext, ApiError> {
    let mut ctx = AclContext::new(engine_scope(scope), namespace);
    ctx.custom_response_bodies = definition.get("CustomResponseBodies").cloned().unwrap_or(Value::Null);
    let immunity = |member: &str| definition.get(member)?.pointer("/ImmunityTimeProperty/ImmunityTime")?.as_u64();
    if let Some(seconds) = immunity("CaptchaConfig") {
        ctx.captcha_immunity_secs = seconds;
    }
    if let Some(seconds) = immunity("ChallengeConfig") {
        ctx.challenge_immunity_secs = seconds;
    }
    let strings = |value: Option<&Value>| -> Vec<String> {
        value.and_then(Value::as_array).into_iter().flatten().filter_map(|v| v.as_str().or_else(|| v.get("RegexString")?.as_str())).map(str::to_owned).collect()
    };
    for set in entities::list_all(tx, account, region, scope, Kind::IpSet).await? {
        ctx.ip_sets.insert(set.arn.clone(), strings(set.definition.get("Addresses")));
    }
    for set in entities::list_all(tx, account, region, scope, Kind::RegexPatternSet).await? {
        ctx.regex_pattern_sets.insert(set.arn.clone(), strings(set.definition.get("RegularExpressionList")));
    }
    for group in entities::list_all(tx, account, region, scope, Kind::RuleGroup).await? {
        let definition = RuleGroupDefinition {
            name: group.name.clone(),
            rules: group.definition.get("Rules").cloned().unwrap_or(json!([])),
            capacity: group.definition.get("Capacity").and_then(Value::as_u64).unwrap_or(0),
            label_namespace: label_namespace(account, Kind::RuleGroup, &group.name),
            custom_response_bodies: group.definition.get("CustomResponseBodies").cloned().unwrap_or(Value::Null),
        };
        ctx.rule_groups.insert(group.arn.clone(), definition);
    }
    Ok(ctx)
}

/// Checks a definition of `kind` and answers its computed members.
pub async fn check(
    tx: &mut Txn,
    ctx: &RequestContext,
    kind: Kind,
    scope: &str,
    name: &str,
    definition: &Map<String, Value>,
) -> Result<Map<String, Value>, ApiError> {
    let mut computed = Map::new();
    match kind {
        Kind::IpSet => check_ip_set(definition)?,
        Kind::RegexPatternSet => {
            let patterns: Vec<String> = definition
                .get("RegularExpressionList")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|r| r.get("RegexString")?.as_str().map(str::to_owned))
                .collect();
            check_regex_patterns(scope, patterns)?;
        }
        Kind::WebAcl => {
            let namespace = label_namespace(ctx.account(), kind, name);
            let acl_ctx = acl_context(tx, ctx.account(), &ctx.region, scope, namespace.clone(), definition).await?;
            let rules = definition.get("Rules").cloned().unwrap_or(json!([]));
            let default_action = definition.get("DefaultAction").cloned().unwrap_or(Value::Null);
            WebAcl::from_json(&default_action, &rules, &acl_ctx).map_err(engine_error)?;
            let capacity = waf::capacity(&rules, &acl_ctx).map_err(engine_error)?;
            if capacity > MAX_WEB_ACL_CAPACITY {
                return Err(error("WAFLimitsExceededException", "AWS WAF couldn’t perform the operation because you exceeded your resource limit. For example, the maximum number of WebACL objects that you can create for an Amazon Web Services account."));
            }
            computed.insert("Capacity".into(), json!(capacity));
            computed.insert("LabelNamespace".into(), json!(namespace));
            computed.insert("ManagedByFirewallManager".into(), json!(false));
            computed.insert("RetrofittedByFirewallManager".into(), json!(false));
        }
        Kind::RuleGroup => {
            let namespace = label_namespace(ctx.account(), kind, name);
            let mut acl_ctx = acl_context(tx, ctx.account(), &ctx.region, scope, namespace.clone(), definition).await?;
            let rules = definition.get("Rules").cloned().unwrap_or(json!([]));
            let declared = definition.get("Capacity").and_then(Value::as_u64).unwrap_or(0);
            let used = waf::capacity(&rules, &acl_ctx).map_err(engine_error)?;
            if used > declared {
                return Err(invalid_parameter("RULE_GROUP", "Capacity", BELOW_MINIMUM));
            }
            check_rule_group_rules(&mut acl_ctx, name, &namespace, definition, rules.clone())?;
            computed.insert("LabelNamespace".into(), json!(namespace));
            computed.insert("AvailableLabels".into(), json!(labels_added(&rules, &namespace)));
            computed.insert("ConsumedLabels".into(), json!(labels_matched(&rules)));
        }
    }
    Ok(computed)
}

/// AWS's reason when a rule group's declared capacity is below what its rules use.
const BELOW_MINIMUM: &str = "You haven't met a minimum requirement for a threshold setting. Examples include a rule group capacity setting that's too low and an OR statement with fewer than two nested statements.";

/// The engine judges rule groups as a web ACL uses them: a one-rule web ACL referencing the group
/// parses every rule of it.
fn check_rule_group_rules(
    acl_ctx: &mut AclContext,
    name: &str,
    namespace: &str,
    definition: &Map<String, Value>,
    rules: Value,
) -> Result<(), ApiError> {
    let probe_arn = format!("arn:aws:wafv2:check:check:regional/rulegroup/{name}/check");
    acl_ctx.rule_groups.insert(
        probe_arn.clone(),
        RuleGroupDefinition {
            name: name.to_owned(),
            rules,
            capacity: definition.get("Capacity").and_then(Value::as_u64).unwrap_or(0),
            label_namespace: namespace.to_owned(),
            custom_response_bodies: definition.get("CustomResponseBodies").cloned().unwrap_or(Value::Null),
        },
    );
    let web_acl_rules = json!([{
        "Name": name, "Priority": 0, "OverrideAction": { "None": {} },
        "Statement": { "RuleGroupReferenceStatement": { "ARN": probe_arn } },
        "VisibilityConfig": { "SampledRequestsEnabled": false, "CloudWatchMetricsEnabled": false, "MetricName": name },
    }]);
    WebAcl::from_json(&json!({ "Allow": {} }), &web_acl_rules, acl_ctx).map(drop).map_err(engine_error)
}

/// Regex pattern sets are judged by the engine's regex dialect, through a statement that uses them.
fn check_regex_patterns(scope: &str, patterns: Vec<String>) -> Result<(), ApiError> {
    let probe_arn = "arn:aws:wafv2:check:check:regional/regexpatternset/check/check".to_owned();
    let mut acl_ctx = AclContext::new(engine_scope(scope), "awswaf:check:webacl:check:");
    acl_ctx.regex_pattern_sets.insert(probe_arn.clone(), patterns);
    let rules = json!([{
        "Name": "check", "Priority": 0, "Action": { "Count": {} },
        "Statement": { "RegexPatternSetReferenceStatement": {
            "ARN": probe_arn, "FieldToMatch": { "UriPath": {} }, "TextTransformations": [{ "Priority": 0, "Type": "NONE" }],
        } },
        "VisibilityConfig": { "SampledRequestsEnabled": false, "CloudWatchMetricsEnabled": false, "MetricName": "check" },
    }]);
    WebAcl::from_json(&json!({ "Allow": {} }), &rules, &acl_ctx).map(drop).map_err(|e| {
        invalid_parameter("REGEX_PATTERN_SET", &e.parameter, &e.reason)
    })
}

/// Every label the rules add (`RuleLabels`), qualified with the group's namespace.
fn labels_added(rules: &Value, namespace: &str) -> Vec<Value> {
    let mut labels: Vec<Value> = rules
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|r| r.get("RuleLabels").and_then(Value::as_array).cloned().unwrap_or_default())
        .filter_map(|l| l.get("Name")?.as_str().map(|n| json!({ "Name": format!("{namespace}{n}") })))
        .collect();
    labels.dedup();
    labels
}

/// Every label the rules match on (`LabelMatchStatement` keys).
fn labels_matched(rules: &Value) -> Vec<Value> {
    fn walk(value: &Value, found: &mut Vec<Value>) {
        match value {
            Value::Object(members) => {
                if let Some(key) = members.get("LabelMatchStatement").and_then(|s| s.get("Key")).and_then(Value::as_str) {
                    found.push(json!({ "Name": key }));
                }
                members.values().for_each(|v| walk(v, found));
            }
            Value::Array(items) => items.iter().for_each(|v| walk(v, found)),
            _ => {}
        }
    }
    let mut found = Vec::new();
    walk(rules, &mut found);
    found.dedup();
    found
}

/// Every address is a CIDR block of the set's IP version.
fn check_ip_set(definition: &Map<String, Value>) -> Result<(), ApiError> {
    let version = definition.get("IPAddressVersion").and_then(Value::as_str).unwrap_or("IPV4");
    let addresses = definition.get("Addresses").and_then(Value::as_array).cloned().unwrap_or_default();
    for address in addresses.iter().filter_map(Value::as_str) {
        if !is_cidr_of_version(address, version) {
            return Err(invalid_parameter("IP_ADDRESS", address, "The parameter contains formatting that isn't valid."));
        }
    }
    Ok(())
}

fn is_cidr_of_version(text: &str, version: &str) -> bool {
    let Some((address, prefix)) = text.split_once('/') else { return false };
    let (Ok(address), Ok(prefix)) = (address.parse::<IpAddr>(), prefix.parse::<u8>()) else { return false };
    match (address, version) {
        (IpAddr::V4(_), "IPV4") => (1..=32).contains(&prefix),
        (IpAddr::V6(_), "IPV6") => (1..=128).contains(&prefix),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ip_sets_hold_cidr_blocks_of_their_version() {
        assert!(is_cidr_of_version("192.0.2.0/24", "IPV4"));
        assert!(is_cidr_of_version("2001:db8::/32", "IPV6"));
        assert!(!is_cidr_of_version("192.0.2.0", "IPV4"));
        assert!(!is_cidr_of_version("192.0.2.0/33", "IPV4"));
        assert!(!is_cidr_of_version("2001:db8::/32", "IPV4"));
    }

    #[test]
    fn rule_groups_list_the_labels_they_add_and_match() {
        let rules = json!([{ "RuleLabels": [{ "Name": "bad" }], "Statement": { "NotStatement": { "Statement": { "LabelMatchStatement": { "Scope": "LABEL", "Key": "awswaf:managed:aws:bot-control:bot:verified" } } } } }]);
        assert_eq!(labels_added(&rules, "awswaf:1:rulegroup:g:"), vec![json!({ "Name": "awswaf:1:rulegroup:g:bad" })]);
        assert_eq!(labels_matched(&rules), vec![json!({ "Name": "awswaf:managed:aws:bot-control:bot:verified" })]);
    }
}
