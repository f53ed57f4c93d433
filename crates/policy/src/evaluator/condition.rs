//! The `Condition` element: operators, `IfExists`, set qualifiers and missing keys.

use crate::ast::{Condition, OperatorFamily, Pattern, SetQualifier};
use crate::context::RequestContext;

use super::matching::{arn_glob, glob, resolve_text, resolve_units};
use super::values::{parse_address, parse_cidr, parse_date, parse_number};

/// Whether one operator–key condition holds for the request.
///
/// Per the condition operator reference: a missing key fails the condition, except that
/// negated operators hold, `...IfExists` holds, `ForAllValues` holds (an empty set) and
/// `Null` tests presence itself. With several request values, a plain operator holds when
/// any value matches (negated: when none does), `ForAnyValue` when one value satisfies
/// the operator, `ForAllValues` when every value does. Policy values are OR'd.
pub(crate) fn condition_holds(condition: &Condition, context: &RequestContext) -> bool {
    let operator = condition.operator;
    let request_values = context.get_lowercase(&condition.key_lowercase);
    if operator.family == OperatorFamily::Null {
        let present = request_values.is_some_and(|v| !v.is_empty());
        return condition.values.iter().any(|v| {
            let text = resolve_text(v, context);
            match text.as_deref().map(str::to_ascii_lowercase).as_deref() {
                Some("true") => !present,
                Some("false") => present,
                _ => false,
            }
        });
    }
    let values = match request_values {
        Some(values) if !values.is_empty() => values,
        _ => {
            return operator.if_exists
                || match operator.qualifier {
                    Some(SetQualifier::ForAllValues) => true,
                    Some(SetQualifier::ForAnyValue) => false,
                    None => operator.family.is_negated(),
                }
        }
    };
    let satisfies = |value: &str| -> bool {
        let matched = condition
            .values
            .iter()
            .any(|policy_value| positive_match(operator.family, policy_value, value, context));
        matched != operator.family.is_negated()
    };
    match operator.qualifier {
        Some(SetQualifier::ForAllValues) => values.iter().all(|v| satisfies(v)),
        Some(SetQualifier::ForAnyValue) => values.iter().any(|v| satisfies(v)),
        None if operator.family.is_negated() => values.iter().all(|v| satisfies(v)),
        None => values.iter().any(|v| satisfies(v)),
    }
}

/// Whether `value` matches `policy_value` under the positive form of the operator (a
/// negated operator's result is the negation of this over all policy values).
fn positive_match(
    family: OperatorFamily,
    policy_value: &Pattern,
    value: &str,
    context: &RequestContext,
) -> bool {
    use OperatorFamily::*;
    match family {
        StringEquals | StringNotEquals | BinaryEquals => {
            resolve_text(policy_value, context).is_some_and(|t| t == value)
        }
        StringEqualsIgnoreCase | StringNotEqualsIgnoreCase => resolve_text(policy_value, context)
            .is_some_and(|t| t.to_lowercase() == value.to_lowercase()),
        StringLike | StringNotLike => {
            resolve_units(policy_value, context).is_some_and(|u| glob(&u, value))
        }
        ArnEquals | ArnLike | ArnNotEquals | ArnNotLike => {
            resolve_units(policy_value, context).is_some_and(|u| arn_glob(&u, value))
        }
        NumericEquals
        | NumericNotEquals
        | NumericLessThan
        | NumericLessThanEquals
        | NumericGreaterThan
        | NumericGreaterThanEquals => match (parse_number(value), parse_number(&policy_value.text))
        {
            (Some(request), Some(policy)) => compare(family, request.partial_cmp(&policy)),
            _ => false,
        },
        DateEquals
        | DateNotEquals
        | DateLessThan
        | DateLessThanEquals
        | DateGreaterThan
        | DateGreaterThanEquals => match (parse_date(value), parse_date(&policy_value.text)) {
            (Some(request), Some(policy)) => compare(family, Some(request.cmp(&policy))),
            _ => false,
        },
        Bool => resolve_text(policy_value, context).is_some_and(|t| {
            let t = t.to_ascii_lowercase();
            (t == "true" || t == "false") && t == value.to_ascii_lowercase()
        }),
        IpAddress | NotIpAddress => match (parse_cidr(&policy_value.text), parse_address(value)) {
            (Some(range), Some(address)) => range.contains(address),
            _ => false,
        },
        Null => false,
    }
}

fn compare(family: OperatorFamily, ordering: Option<std::cmp::Ordering>) -> bool {
    use std::cmp::Ordering::*;
    use OperatorFamily::*;
    let Some(ordering) = ordering else {
        return false;
    };
    match family {
        NumericEquals | NumericNotEquals | DateEquals | DateNotEquals => ordering == Equal,
        NumericLessThan | DateLessThan => ordering == Less,
        NumericLessThanEquals | DateLessThanEquals => ordering != Greater,
        NumericGreaterThan | DateGreaterThan => ordering == Greater,
        NumericGreaterThanEquals | DateGreaterThanEquals => ordering != Less,
        _ => false,
    }
}
