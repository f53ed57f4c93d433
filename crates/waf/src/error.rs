//! The one error of web ACL and rule group definitions: AWS's `WAFInvalidParameterException`
//! (or `WAFNonexistentItemException` when a reference names nothing).

use std::fmt;

/// A definition AWS WAF refuses, with the fields of `WAFInvalidParameterException`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidParameter {
    /// AWS's message.
    pub message: String,
    /// `Field`: the kind of setting that is wrong (`ParameterExceptionField`, e.g. `RULE`).
    pub field: &'static str,
    /// `Parameter`: the offending value or member.
    pub parameter: String,
    /// `Reason`: AWS's explanation.
    pub reason: String,
    /// The exception AWS answers with: `WAFInvalidParameterException`, or
    /// `WAFNonexistentItemException` for a reference (IP set, regex pattern set, rule group,
    /// managed rule group or version) that names nothing.
    pub exception: &'static str,
}

impl InvalidParameter {
    /// A parameter error in AWS's message form: `Error reason: <reason>, field: <field>,
    /// parameter: <parameter>`.
    pub fn new(
        field: &'static str,
        parameter: impl Into<String>,
        reason: impl Into<String>,
    ) -> Self {
        let parameter = parameter.into();
        let reason = reason.into();
        InvalidParameter {
            message: format!("Error reason: {reason}, field: {field}, parameter: {parameter}"),
            field,
            parameter,
            reason,
            exception: "WAFInvalidParameterException",
        }
    }

    /// A reference to something that does not exist.
    pub fn nonexistent(field: &'static str, parameter: impl Into<String>) -> Self {
        let parameter = parameter.into();
        InvalidParameter {
            message: "AWS WAF couldn’t perform the operation because your resource doesn’t exist."
                .into(),
            field,
            reason: "The referenced item does not exist".into(),
            parameter,
            exception: "WAFNonexistentItemException",
        }
    }

    /// A required member is missing.
    pub fn missing(field: &'static str, member: &str) -> Self {
        InvalidParameter::new(field, member, MISSING)
    }
}

impl fmt::Display for InvalidParameter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for InvalidParameter {}

/// `Reason` when a member that needs exactly one of its options has none or several.
pub const EXACTLY_ONE: &str =
    "You have used none or multiple values for a field that requires exactly one value.";
/// `Reason` when a required member is absent.
pub const MISSING: &str = "A required field is missing from the parameter.";
/// `Reason` when a value is malformed (an address, a regex, a JSON Pointer).
pub const BAD_FORMAT: &str = "The parameter contains formatting that is not valid.";
/// `Reason` when a value is out of its allowed range or not one of its options.
pub const INVALID_VALUE: &str = "The value of the parameter is not valid.";
/// `Reason` when settings may not be used together or a statement is nested where it may not be.
pub const ILLEGAL_COMBINATION: &str = "You have used an illegal combination of settings.";
/// `Reason` when names or priorities that must be unique repeat.
pub const DUPLICATE: &str = "You have used a value that must be unique more than once.";
/// `Reason` when a logical statement has too few statements or a capacity is too low.
pub const BELOW_MINIMUM: &str = "You haven't met a minimum requirement for a threshold setting. Examples include a rule group capacity setting that's too low and an OR statement with fewer than two nested statements.";
/// `Reason` when a limit (nesting, transformations, list length, capacity) is exceeded.
pub const LIMIT_EXCEEDED: &str = "You have exceeded a limit for this setting.";
