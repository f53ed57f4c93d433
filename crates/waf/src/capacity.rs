//! Web ACL capacity units (WCUs), as AWS documents each statement's cost: CheckCapacity, and
//! the capacity of web ACLs and rule groups.

use serde_json::Value;

use crate::error::{InvalidParameter, BAD_FORMAT, LIMIT_EXCEEDED};
use crate::AclContext;

/// The capacity the rules use, in WCUs. Rule group references cost the group's capacity,
/// managed rule groups their published capacity (plus any scope-down statement).
pub fn capacity(rules: &Value, ctx: &AclContext) -> Result<u64, InvalidParameter> {
    let Some(rules) = rules.as_array() else {
        return if rules.is_null() {
            Ok(0)
        } else {
            Err(InvalidParameter::new("RULE", "Rules", BAD_FORMAT))
        };
    };
    let mut total = 0u64;
    for rule in rules {
        let statement = rule
            .get("Statement")
            .ok_or_else(|| InvalidParameter::missing("RULE", "Statement"))?;
        total = total.saturating_add(statement_cost(statement, ctx, 0)?);
    }
    Ok(total)
}

fn transformations_cost(settings: &Value) -> u64 {
    // Each text transformation other than NONE adds 10.
    settings["TextTransformations"].as_array().map_or(0, |t| {
        t.iter().filter(|t| t["Type"] != "NONE").count() as u64 * 10
    })
}

/// The cost of inspecting a field: all query arguments add 10, the JSON body doubles the base.
fn field_cost(settings: &Value, base: u64) -> u64 {
    let field = &settings["FieldToMatch"];
    let mut cost = base;
    if field.get("JsonBody").is_some() {
        cost *= 2;
    }
    if field.get("AllQueryArguments").is_some() {
        cost += 10;
    }
    cost + transformations_cost(settings)
}

fn statement_cost(
    statement: &Value,
    ctx: &AclContext,
    depth: usize,
) -> Result<u64, InvalidParameter> {
    if depth > 20 {
        return Err(InvalidParameter::new(
            "STATEMENT",
            "Statement",
            LIMIT_EXCEEDED,
        ));
    }
    let Some((kind, settings)) = statement
        .as_object()
        .and_then(|o| o.iter().find(|(_, v)| !v.is_null()))
    else {
        return Err(InvalidParameter::new("STATEMENT", "Statement", BAD_FORMAT));
    };
    let nested = |s: &Value| statement_cost(s, ctx, depth + 1);
    Ok(match kind.as_str() {
        "ByteMatchStatement" => {
            let base = match settings["PositionalConstraint"].as_str() {
                Some("CONTAINS") | Some("CONTAINS_WORD") => 10,
                _ => 2,
            };
            field_cost(settings, base)
        }
        "SqliMatchStatement" => field_cost(
            settings,
            if settings["SensitivityLevel"] == "HIGH" {
                30
            } else {
                20
            },
        ),
        "XssMatchStatement" => field_cost(settings, 40),
        "RegexMatchStatement" => field_cost(settings, 3),
        "RegexPatternSetReferenceStatement" => field_cost(settings, 25),
        "SizeConstraintStatement" => field_cost(settings, 1),
        "IPSetReferenceStatement" => {
            if settings["IPSetForwardedIPConfig"]["Position"] == "ANY" {
                5
            } else {
                1
            }
        }
        "GeoMatchStatement" | "LabelMatchStatement" | "AsnMatchStatement" => 1,
        "RateBasedStatement" => {
            let keys = settings["CustomKeys"].as_array().map_or(0, |keys| {
                keys.iter()
                    .map(|k| {
                        30 + k
                            .as_object()
                            .and_then(|o| o.values().next())
                            .map_or(0, transformations_cost)
                    })
                    .sum()
            });
            let scope_down = match settings.get("ScopeDownStatement").filter(|s| !s.is_null()) {
                Some(s) => nested(s)?,
                None => 0,
            };
            2 + keys + scope_down
        }
        "AndStatement" | "OrStatement" => {
            let mut sum = 0u64;
            for s in settings["Statements"].as_array().into_iter().flatten() {
                sum = sum.saturating_add(nested(s)?);
            }
            sum
        }
        "NotStatement" => nested(&settings["Statement"])?,
        "RuleGroupReferenceStatement" => {
            let arn = settings["ARN"].as_str().unwrap_or_default();
            ctx.rule_groups
                .get(arn)
                .ok_or_else(|| InvalidParameter::nonexistent("RULE_GROUP", arn))?
                .capacity
        }
        "ManagedRuleGroupStatement" => {
            let vendor = settings["VendorName"].as_str().unwrap_or_default();
            let name = settings["Name"].as_str().unwrap_or_default();
            let group = crate::managed::find(vendor, name).ok_or_else(|| {
                InvalidParameter::nonexistent("MANAGED_RULE_SET", format!("{vendor}/{name}"))
            })?;
            let scope_down = match settings.get("ScopeDownStatement").filter(|s| !s.is_null()) {
                Some(s) => nested(s)?,
                None => 0,
            };
            group.capacity + scope_down
        }
        other => {
            return Err(InvalidParameter::new(
                "STATEMENT",
                other.to_string(),
                BAD_FORMAT,
            ))
        }
    })
}
