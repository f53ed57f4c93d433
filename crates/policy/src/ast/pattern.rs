//! Text patterns in `Resource` and condition values: literal text, the `*` and `?`
//! wildcards, and (in `2012-10-17` documents) policy variables.

/// A policy string compiled once at parse time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    /// The text as written in the policy.
    pub text: String,
    /// The text split into literal runs, wildcards and variables.
    pub parts: Vec<PatternPart>,
    /// Ready-made matcher units when the pattern has no variables, so the common case
    /// matches without building anything per request.
    pub(crate) fixed_units: Option<Vec<Unit>>,
}

/// A piece of a [`Pattern`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PatternPart {
    /// Literal text (including the characters produced by `${*}`, `${?}` and `${$}`).
    Text(String),
    /// `*`: any run of characters, when the operator matches wildcards.
    AnyRun,
    /// `?`: any single character, when the operator matches wildcards.
    AnyChar,
    /// `${key}` or `${key, 'default'}`, replaced by the request's value for the key.
    Variable(Variable),
}

/// A policy variable reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variable {
    /// The condition key named, as written.
    pub key: String,
    /// The value used when the request has no value for the key.
    pub default: Option<String>,
    pub(crate) key_lowercase: String,
}

/// One matcher step: a literal character or a wildcard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unit {
    Char(char),
    AnyRun,
    AnyChar,
}

impl Pattern {
    /// Compiles `text`; `${...}` is a variable only when `variables` is true (documents
    /// with `"Version": "2012-10-17"`), and literal text otherwise.
    pub fn compile(text: &str, variables: bool) -> Pattern {
        let mut parts = Vec::new();
        let mut literal = String::new();
        let mut rest = text;
        while let Some(c) = rest.chars().next() {
            if variables && rest.starts_with("${") {
                if let Some(end) = rest.find('}') {
                    let inner = &rest[2..end];
                    match special_character(inner) {
                        Some(ch) => literal.push(ch),
                        None => {
                            if !literal.is_empty() {
                                parts.push(PatternPart::Text(std::mem::take(&mut literal)));
                            }
                            parts.push(PatternPart::Variable(parse_variable(inner)));
                        }
                    }
                    rest = &rest[end + 1..];
                    continue;
                }
            }
            match c {
                '*' | '?' => {
                    if !literal.is_empty() {
                        parts.push(PatternPart::Text(std::mem::take(&mut literal)));
                    }
                    parts.push(if c == '*' {
                        PatternPart::AnyRun
                    } else {
                        PatternPart::AnyChar
                    });
                }
                _ => literal.push(c),
            }
            rest = &rest[c.len_utf8()..];
        }
        if !literal.is_empty() {
            parts.push(PatternPart::Text(literal));
        }
        let fixed_units = if parts.iter().any(|p| matches!(p, PatternPart::Variable(_))) {
            None
        } else {
            let mut units = Vec::with_capacity(text.len());
            for part in &parts {
                push_units(&mut units, part, None);
            }
            Some(units)
        };
        Pattern {
            text: text.to_string(),
            parts,
            fixed_units,
        }
    }

    /// Whether the pattern names a policy variable.
    pub fn has_variables(&self) -> bool {
        self.fixed_units.is_none()
    }

    /// The variables the pattern refers to, in order.
    pub fn variables(&self) -> impl Iterator<Item = &Variable> {
        self.parts.iter().filter_map(|p| match p {
            PatternPart::Variable(v) => Some(v),
            _ => None,
        })
    }
}

/// Appends a part's matcher units; `value` is the resolved text of a variable.
pub(crate) fn push_units(units: &mut Vec<Unit>, part: &PatternPart, value: Option<&str>) {
    match part {
        PatternPart::Text(t) => units.extend(t.chars().map(Unit::Char)),
        PatternPart::AnyRun => units.push(Unit::AnyRun),
        PatternPart::AnyChar => units.push(Unit::AnyChar),
        PatternPart::Variable(_) => units.extend(value.unwrap_or("").chars().map(Unit::Char)),
    }
}

fn special_character(inner: &str) -> Option<char> {
    match inner {
        "*" => Some('*'),
        "?" => Some('?'),
        "$" => Some('$'),
        _ => None,
    }
}

/// `key` or `key, 'default'` (the documented form: a comma, a space, a quoted default).
fn parse_variable(inner: &str) -> Variable {
    let (key, default) = match inner.split_once(',') {
        Some((key, rest)) => {
            let rest = rest.trim();
            let default = rest
                .strip_prefix('\'')
                .and_then(|r| r.strip_suffix('\''))
                .map(str::to_string);
            (key.trim(), default)
        }
        None => (inner.trim(), None),
    };
    Variable {
        key: key.to_string(),
        default,
        key_lowercase: key.to_ascii_lowercase(),
    }
}
