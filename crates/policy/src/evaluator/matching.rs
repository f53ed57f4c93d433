//! Wildcard matching for actions, resources and the `Like` operators, and the policy
//! variable substitution that precedes it.

use std::borrow::Cow;

use crate::ast::pattern::{push_units, Unit};
use crate::ast::{ActionPattern, Pattern, PatternPart};
use crate::context::RequestContext;

/// `*` matches any run of characters (including none), `?` exactly one character.
pub(crate) fn glob(pattern: &[Unit], value: &str) -> bool {
    let (mut p, mut v) = (0usize, 0usize);
    let mut backtrack: Option<(usize, usize)> = None;
    while v < value.len() {
        let c = value[v..].chars().next().unwrap_or_default();
        match pattern.get(p) {
            Some(Unit::AnyRun) => {
                backtrack = Some((p, v));
                p += 1;
                continue;
            }
            Some(Unit::AnyChar) => {
                p += 1;
                v += c.len_utf8();
                continue;
            }
            Some(Unit::Char(pc)) if *pc == c => {
                p += 1;
                v += c.len_utf8();
                continue;
            }
            _ => {}
        }
        match backtrack {
            Some((star, from)) => {
                let skipped = value[from..].chars().next().unwrap_or_default();
                let next = from + skipped.len_utf8();
                backtrack = Some((star, next));
                p = star + 1;
                v = next;
            }
            None => return false,
        }
    }
    pattern[p..].iter().all(|u| *u == Unit::AnyRun)
}

/// Action names compare case-insensitively; `action_lowercase` is already lowercase.
pub(crate) fn action_matches(pattern: &ActionPattern, action_lowercase: &str) -> bool {
    glob(&pattern.units, action_lowercase)
}

/// The pattern with its variables replaced by the request's values, as matcher units;
/// `None` when a variable has no value and no default (the documentation: the statement
/// then cannot match).
pub(crate) fn resolve_units<'p>(
    pattern: &'p Pattern,
    context: &RequestContext,
) -> Option<Cow<'p, [Unit]>> {
    if let Some(units) = &pattern.fixed_units {
        return Some(Cow::Borrowed(units));
    }
    let mut units = Vec::with_capacity(pattern.text.len() + 16);
    for part in &pattern.parts {
        let value = match part {
            PatternPart::Variable(var) => Some(variable_value(
                &var.key_lowercase,
                var.default.as_deref(),
                context,
            )?),
            _ => None,
        };
        push_units(&mut units, part, value);
    }
    Some(Cow::Owned(units))
}

/// The pattern as plain text for the equality operators, with wildcards as the literal
/// characters they are there.
pub(crate) fn resolve_text<'p>(
    pattern: &'p Pattern,
    context: &RequestContext,
) -> Option<Cow<'p, str>> {
    if pattern.fixed_units.is_some() && !pattern.text.contains("${") {
        return Some(Cow::Borrowed(&pattern.text));
    }
    let mut text = String::with_capacity(pattern.text.len() + 16);
    for part in &pattern.parts {
        match part {
            PatternPart::Text(t) => text.push_str(t),
            PatternPart::AnyRun => text.push('*'),
            PatternPart::AnyChar => text.push('?'),
            PatternPart::Variable(var) => text.push_str(variable_value(
                &var.key_lowercase,
                var.default.as_deref(),
                context,
            )?),
        }
    }
    Some(Cow::Owned(text))
}

fn variable_value<'a>(
    key_lowercase: &str,
    default: Option<&'a str>,
    context: &'a RequestContext,
) -> Option<&'a str> {
    match context.get_lowercase(key_lowercase) {
        Some([single]) => Some(single.as_str()),
        _ => default,
    }
}

/// ARN matching as the `Resource` element and the `Arn*` operators do it: each of the
/// colon-separated fields is matched on its own, so `*` never spans a colon before the
/// resource field; the last field of the pattern takes the rest of the value.
pub(crate) fn arn_glob(pattern: &[Unit], value: &str) -> bool {
    let (fields, count) = split_fields(pattern);
    let mut rest = value;
    for (i, field) in fields[..count].iter().enumerate() {
        let segment = if i + 1 == count {
            std::mem::take(&mut rest)
        } else {
            match rest.split_once(':') {
                Some((segment, tail)) => {
                    rest = tail;
                    segment
                }
                None => return false,
            }
        };
        if !glob(field, segment) {
            return false;
        }
    }
    true
}

/// The pattern's ARN fields: up to five colon-terminated fields and the rest.
fn split_fields(pattern: &[Unit]) -> ([&[Unit]; 6], usize) {
    let mut fields: [&[Unit]; 6] = [&[]; 6];
    let mut count = 0;
    let mut start = 0;
    for (i, unit) in pattern.iter().enumerate() {
        if count == 5 {
            break;
        }
        if *unit == Unit::Char(':') {
            fields[count] = &pattern[start..i];
            count += 1;
            start = i + 1;
        }
    }
    fields[count] = &pattern[start..];
    (fields, count + 1)
}

/// Whether a `Resource` pattern matches the request's resource; `None` when one of its
/// variables cannot be resolved.
pub(crate) fn resource_matches(
    pattern: &Pattern,
    resource: &str,
    context: &RequestContext,
) -> Option<bool> {
    let units = resolve_units(pattern, context)?;
    Some(arn_glob(&units, resource))
}
