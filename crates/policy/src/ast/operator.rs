//! Condition operators: `[ForAllValues:|ForAnyValue:]<Operator>[IfExists]`.

/// A condition operator as written in a `Condition` block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ConditionOperator {
    /// `ForAllValues:` or `ForAnyValue:`, for multivalued keys.
    pub qualifier: Option<SetQualifier>,
    /// The comparison itself.
    pub family: OperatorFamily,
    /// Whether the name ends in `IfExists`: a missing key then satisfies the condition.
    pub if_exists: bool,
}

/// The set operators that compare multivalued keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SetQualifier {
    /// Every request value must match; an absent or empty key matches.
    ForAllValues,
    /// At least one request value must match; an absent or empty key does not.
    ForAnyValue,
}

/// The comparisons IAM offers, one per documented operator name.
#[allow(missing_docs)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OperatorFamily {
    StringEquals,
    StringNotEquals,
    StringEqualsIgnoreCase,
    StringNotEqualsIgnoreCase,
    StringLike,
    StringNotLike,
    NumericEquals,
    NumericNotEquals,
    NumericLessThan,
    NumericLessThanEquals,
    NumericGreaterThan,
    NumericGreaterThanEquals,
    DateEquals,
    DateNotEquals,
    DateLessThan,
    DateLessThanEquals,
    DateGreaterThan,
    DateGreaterThanEquals,
    Bool,
    BinaryEquals,
    IpAddress,
    NotIpAddress,
    ArnEquals,
    ArnLike,
    ArnNotEquals,
    ArnNotLike,
    Null,
}

const FAMILIES: [(&str, OperatorFamily); 27] = [
    ("StringEquals", OperatorFamily::StringEquals),
    ("StringNotEquals", OperatorFamily::StringNotEquals),
    (
        "StringEqualsIgnoreCase",
        OperatorFamily::StringEqualsIgnoreCase,
    ),
    (
        "StringNotEqualsIgnoreCase",
        OperatorFamily::StringNotEqualsIgnoreCase,
    ),
    ("StringLike", OperatorFamily::StringLike),
    ("StringNotLike", OperatorFamily::StringNotLike),
    ("NumericEquals", OperatorFamily::NumericEquals),
    ("NumericNotEquals", OperatorFamily::NumericNotEquals),
    ("NumericLessThan", OperatorFamily::NumericLessThan),
    (
        "NumericLessThanEquals",
        OperatorFamily::NumericLessThanEquals,
    ),
    ("NumericGreaterThan", OperatorFamily::NumericGreaterThan),
    (
        "NumericGreaterThanEquals",
        OperatorFamily::NumericGreaterThanEquals,
    ),
    ("DateEquals", OperatorFamily::DateEquals),
    ("DateNotEquals", OperatorFamily::DateNotEquals),
    ("DateLessThan", OperatorFamily::DateLessThan),
    ("DateLessThanEquals", OperatorFamily::DateLessThanEquals),
    ("DateGreaterThan", OperatorFamily::DateGreaterThan),
    (
        "DateGreaterThanEquals",
        OperatorFamily::DateGreaterThanEquals,
    ),
    ("Bool", OperatorFamily::Bool),
    ("BinaryEquals", OperatorFamily::BinaryEquals),
    ("IpAddress", OperatorFamily::IpAddress),
    ("NotIpAddress", OperatorFamily::NotIpAddress),
    ("ArnEquals", OperatorFamily::ArnEquals),
    ("ArnLike", OperatorFamily::ArnLike),
    ("ArnNotEquals", OperatorFamily::ArnNotEquals),
    ("ArnNotLike", OperatorFamily::ArnNotLike),
    ("Null", OperatorFamily::Null),
];

impl OperatorFamily {
    /// The operator's name as AWS spells it.
    pub fn name(self) -> &'static str {
        FAMILIES
            .iter()
            .find(|(_, f)| *f == self)
            .map(|(n, _)| *n)
            .unwrap_or("")
    }

    /// Whether the operator is the negation of a positive one; a negated operator holds
    /// when its key is missing, and holds for a value that matches none of the policy's.
    pub fn is_negated(self) -> bool {
        use OperatorFamily::*;
        matches!(
            self,
            StringNotEquals
                | StringNotEqualsIgnoreCase
                | StringNotLike
                | NumericNotEquals
                | DateNotEquals
                | NotIpAddress
                | ArnNotEquals
                | ArnNotLike
        )
    }

    /// Whether policy variables are resolved in this operator's values; the documentation
    /// allows them for string, ARN and Boolean operators only.
    pub fn accepts_variables(self) -> bool {
        use OperatorFamily::*;
        matches!(
            self,
            StringEquals
                | StringNotEquals
                | StringEqualsIgnoreCase
                | StringNotEqualsIgnoreCase
                | StringLike
                | StringNotLike
                | ArnEquals
                | ArnLike
                | ArnNotEquals
                | ArnNotLike
                | Bool
        )
    }
}

impl ConditionOperator {
    /// Reads an operator name such as `ForAnyValue:StringLikeIfExists`; `None` when IAM
    /// would refuse it (unknown name, or `Null` with `IfExists`).
    pub fn parse(name: &str) -> Option<ConditionOperator> {
        let (qualifier, rest) = if let Some(rest) = name.strip_prefix("ForAllValues:") {
            (Some(SetQualifier::ForAllValues), rest)
        } else if let Some(rest) = name.strip_prefix("ForAnyValue:") {
            (Some(SetQualifier::ForAnyValue), rest)
        } else {
            (None, name)
        };
        let (base, if_exists) = match rest.strip_suffix("IfExists") {
            Some(base) => (base, true),
            None => (rest, false),
        };
        let family = FAMILIES.iter().find(|(n, _)| *n == base).map(|(_, f)| *f)?;
        if family == OperatorFamily::Null && (if_exists || qualifier.is_some()) {
            return None;
        }
        Some(ConditionOperator {
            qualifier,
            family,
            if_exists,
        })
    }
}
