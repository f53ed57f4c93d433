//! Input validation from the model: required members, enums, lengths, ranges and patterns, with
//! AWS's messages (`1 validation error detected: Value null at 'keyId' failed to satisfy
//! constraint: Member must not be null`).
//!
//! Paths name members with a lowercase first letter, joined by dots. A list element is
//! `<list>.<n>.member` with `n` counted from 1 (AWS's `tags.1.member.key`); a map entry is
//! `<map>.<key>`, for its key and its value alike. Values of sensitive shapes are never echoed:
//! the message reads `Value at 'plaintext' failed to satisfy constraint: ...`.

use std::fmt;

use regex::Regex;
use serde_json::{Map, Value};

use crate::{
    error::ApiError,
    model::{Operation, ServiceModel, Shape, ShapeRef, ShapeType},
    protocol::Protocol,
};

/// Checks `input` (canonical) against the constraints of `operation`'s input shape and answers
/// the protocol's validation error naming every violation.
pub fn validate_input(model: &ServiceModel, operation: &Operation, input: &Value, protocol: Protocol) -> Result<(), ApiError> {
    let Some(input_ref) = &operation.input else { return Ok(()) };
    let empty = Map::new();
    let fields = input.as_object().unwrap_or(&empty);
    let mut violations = Vec::new();
    check_structure(model, model.shape(&input_ref.shape), fields, &Path::Root, &mut violations);
    if violations.is_empty() {
        return Ok(());
    }
    Err(validation_error(&violations, protocol))
}

/// One failed constraint.
struct Violation {
    path: String,
    member: String,
    /// The offending value as AWS prints it; `None` when the shape is sensitive.
    value: Option<String>,
    constraint: String,
    missing: bool,
}

impl Violation {
    fn sentence(&self) -> String {
        match &self.value {
            Some(value) if self.missing => format!("Value {value} at '{}' failed to satisfy constraint: {}", self.path, self.constraint),
            Some(value) => format!("Value '{value}' at '{}' failed to satisfy constraint: {}", self.path, self.constraint),
            None => format!("Value at '{}' failed to satisfy constraint: {}", self.path, self.constraint),
        }
    }
}

fn validation_error(violations: &[Violation], protocol: Protocol) -> ApiError {
    let count = violations.len();
    let message = format!(
        "{count} validation error{} detected: {}",
        if count == 1 { "" } else { "s" },
        violations.iter().map(Violation::sentence).collect::<Vec<_>>().join("; ")
    );
    match protocol {
        Protocol::AwsJson10 | Protocol::AwsJson11 | Protocol::RestJson | Protocol::RpcV2Cbor => {
            ApiError::new("ValidationException", 400, message)
        }
        Protocol::Query => ApiError::new("ValidationError", 400, message),
        Protocol::Ec2 => match violations.iter().find(|v| v.missing) {
            Some(missing) => ApiError::new("MissingParameter", 400, format!("The request must contain the parameter {}", missing.member)),
            None => ApiError::new("InvalidParameterValue", 400, message),
        },
        Protocol::RestXml => ApiError::new("InvalidArgument", 400, message),
    }
}

/// Where a value sits in the input; rendered only when it fails a constraint.
enum Path<'a> {
    Root,
    Member(&'a Path<'a>, &'a str),
    Element(&'a Path<'a>, usize),
    Entry(&'a Path<'a>, &'a str),
}

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Path::Root => Ok(()),
            Path::Member(parent, name) => {
                if !matches!(parent, Path::Root) {
                    write!(f, "{parent}.")?;
                }
                let mut chars = name.chars();
                match chars.next() {
                    Some(first) => write!(f, "{}{}", first.to_lowercase(), chars.as_str()),
                    None => Ok(()),
                }
            }
            Path::Element(parent, index) => write!(f, "{parent}.{index}.member"),
            Path::Entry(parent, key) => write!(f, "{parent}.{key}"),
        }
    }
}

fn check_structure(model: &ServiceModel, shape: &Shape, fields: &Map<String, Value>, parent: &Path<'_>, out: &mut Vec<Violation>) {
    for (name, member) in &shape.members {
        let path = Path::Member(parent, name);
        match fields.get(name).filter(|v| !v.is_null()) {
            Some(value) => check_value(model, member, value, &path, name, out),
            None if shape.is_required(name) => out.push(Violation {
                path: path.to_string(),
                member: name.clone(),
                value: Some("null".into()),
                constraint: "Member must not be null".into(),
                missing: true,
            }),
            None => {}
        }
    }
}

/// A bound as AWS prints it: `2048`, not `2048.0`.
fn bound(number: f64) -> String {
    if number.fract() == 0.0 {
        format!("{}", number as i64)
    } else {
        number.to_string()
    }
}

/// A value as AWS's messages print it: strings bare, lists `[a, b]`, maps `{k=v}`.
fn render(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Array(items) => format!("[{}]", items.iter().map(render).collect::<Vec<_>>().join(", ")),
        Value::Object(map) => format!("{{{}}}", map.iter().map(|(k, v)| format!("{k}={}", render(v))).collect::<Vec<_>>().join(", ")),
        other => other.to_string(),
    }
}

fn check_value(model: &ServiceModel, member: &ShapeRef, value: &Value, path: &Path<'_>, name: &str, out: &mut Vec<Violation>) {
    let shape = model.shape(&member.shape);
    if shape.document {
        return;
    }
    let mut fail = |constraint: String| {
        out.push(Violation {
            path: path.to_string(),
            member: name.to_owned(),
            value: (!shape.sensitive).then(|| render(value)),
            constraint,
            missing: false,
        })
    };
    let length_limits = |length: usize, fail: &mut dyn FnMut(String)| {
        if let Some(max) = shape.max.filter(|max| length as f64 > *max) {
            fail(format!("Member must have length less than or equal to {}", bound(max)));
        }
        if let Some(min) = shape.min.filter(|min| (length as f64) < *min) {
            fail(format!("Member must have length greater than or equal to {}", bound(min)));
        }
    };
    match (shape.kind, value) {
        (ShapeType::String, Value::String(text)) => {
            if let Some(values) = shape.enum_values.as_ref().filter(|values| !values.iter().any(|v| v == text)) {
                fail(format!("Member must satisfy enum value set: [{}]", values.join(", ")));
            }
            length_limits(text.encode_utf16().count(), &mut fail);
            if let Some(pattern) = &shape.pattern {
                if compiled(shape).is_some_and(|regex| !regex.is_match(text)) {
                    fail(format!("Member must satisfy regular expression pattern: {pattern}"));
                }
            }
        }
        (ShapeType::Blob, Value::String(encoded)) => length_limits(decoded_len(encoded), &mut fail),
        (
            ShapeType::Integer | ShapeType::Long | ShapeType::Short | ShapeType::Byte | ShapeType::Float | ShapeType::Double,
            Value::Number(number),
        ) => {
            let number = number.as_f64().unwrap_or_default();
            if let Some(max) = shape.max.filter(|max| number > *max) {
                fail(format!("Member must have value less than or equal to {}", bound(max)));
            }
            if let Some(min) = shape.min.filter(|min| number < *min) {
                fail(format!("Member must have value greater than or equal to {}", bound(min)));
            }
        }
        (ShapeType::List, Value::Array(items)) => {
            length_limits(items.len(), &mut fail);
            let element = shape.member.as_deref().expect("list shapes have a member");
            for (index, item) in items.iter().enumerate().filter(|(_, item)| !item.is_null()) {
                check_value(model, element, item, &Path::Element(path, index + 1), name, out);
            }
        }
        (ShapeType::Map, Value::Object(entries)) => {
            length_limits(entries.len(), &mut fail);
            let key_ref = shape.key.as_deref().expect("map shapes have a key");
            let value_ref = shape.value.as_deref().expect("map shapes have a value");
            for (key, item) in entries {
                let entry_path = Path::Entry(path, key);
                check_value(model, key_ref, &Value::String(key.clone()), &entry_path, name, out);
                if !item.is_null() {
                    check_value(model, value_ref, item, &entry_path, name, out);
                }
            }
        }
        (ShapeType::Structure, Value::Object(fields)) => check_structure(model, shape, fields, path, out),
        _ => {}
    }
}

/// The compiled form of a shape's pattern, compiled once per process. Patterns the regex crate
/// cannot compile (Java lookarounds, surrogate ranges) yield `None` and are not enforced: better
/// to accept what AWS might refuse than to refuse what AWS accepts.
fn compiled(shape: &Shape) -> Option<&Regex> {
    let pattern = shape.pattern.as_deref()?;
    shape.compiled_pattern.get_or_init(|| Regex::new(pattern).ok()).as_ref()
}

/// The length of the bytes a canonical blob (padded standard base64, which every protocol's
/// decoder produces or has checked) stands for, without decoding it again.
fn decoded_len(encoded: &str) -> usize {
    let padding = encoded.bytes().rev().take(2).take_while(|&b| b == b'=').count();
    (encoded.len() / 4 * 3).saturating_sub(padding)
}

#[cfg(test)]
mod tests {
    use base64::Engine;
    use serde_json::json;

    use super::*;

    #[test]
    fn a_blobs_length_is_read_off_its_base64() {
        for len in 0..64 {
            let encoded = base64::engine::general_purpose::STANDARD.encode(vec![7u8; len]);
            assert_eq!(decoded_len(&encoded), len, "{encoded}");
        }
    }

    fn kms_like_model() -> ServiceModel {
        let json = json!({
            "metadata": {"apiVersion": "1", "endpointPrefix": "kms", "protocol": "json"},
            "operations": {
                "Encrypt": {"name": "Encrypt", "http": {"method": "POST", "requestUri": "/"}, "input": {"shape": "EncryptRequest"}}
            },
            "shapes": {
                "EncryptRequest": {"type": "structure", "required": ["KeyId", "Plaintext"], "members": {
                    "KeyId": {"shape": "KeyIdType"},
                    "Plaintext": {"shape": "PlaintextType"},
                    "Algorithm": {"shape": "AlgorithmSpec"},
                    "Limit": {"shape": "LimitType"},
                    "Alias": {"shape": "AliasNameType"},
                    "Tags": {"shape": "TagList"},
                    "Context": {"shape": "ContextMap"}
                }},
                "KeyIdType": {"type": "string", "min": 1, "max": 2048},
                "PlaintextType": {"type": "blob", "min": 1, "max": 4, "sensitive": true},
                "AlgorithmSpec": {"type": "string", "enum": ["SYMMETRIC_DEFAULT", "RSAES_OAEP_SHA_1"]},
                "LimitType": {"type": "integer", "min": 1, "max": 50},
                "AliasNameType": {"type": "string", "pattern": "^[a-zA-Z0-9:/_-]+$"},
                "TagList": {"type": "list", "member": {"shape": "Tag"}, "max": 2},
                "Tag": {"type": "structure", "required": ["TagKey"], "members": {"TagKey": {"shape": "KeyIdType"}}},
                "ContextMap": {"type": "map", "key": {"shape": "KeyIdType"}, "value": {"shape": "KeyIdType"}}
            }
        });
        ServiceModel::parse(json.to_string().as_bytes()).unwrap()
    }

    fn message(input: Value) -> String {
        let model = kms_like_model();
        let operation = model.operation("Encrypt").unwrap();
        let error = validate_input(&model, operation, &input, Protocol::AwsJson11).unwrap_err();
        assert_eq!((error.code.as_ref(), error.status), ("ValidationException", 400));
        error.message
    }

    #[test]
    fn valid_input_passes() {
        let model = kms_like_model();
        let operation = model.operation("Encrypt").unwrap();
        let input = json!({"KeyId": "k", "Plaintext": "AQID", "Algorithm": "SYMMETRIC_DEFAULT", "Limit": 50, "Tags": [{"TagKey": "a"}]});
        assert_eq!(validate_input(&model, operation, &input, Protocol::AwsJson11), Ok(()));
    }

    #[test]
    fn a_missing_required_member_must_not_be_null() {
        assert_eq!(
            message(json!({"Plaintext": "AQID"})),
            "1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null"
        );
    }

    #[test]
    fn several_violations_are_counted_and_joined() {
        assert_eq!(
            message(json!({})),
            "2 validation errors detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null; \
             Value null at 'plaintext' failed to satisfy constraint: Member must not be null"
        );
    }

    #[test]
    fn strings_longer_than_max_are_refused() {
        let long = "x".repeat(2049);
        assert_eq!(
            message(json!({"KeyId": long, "Plaintext": "AQID"})),
            format!("1 validation error detected: Value '{long}' at 'keyId' failed to satisfy constraint: Member must have length less than or equal to 2048")
        );
    }

    #[test]
    fn strings_shorter_than_min_are_refused() {
        assert_eq!(
            message(json!({"KeyId": "", "Plaintext": "AQID"})),
            "1 validation error detected: Value '' at 'keyId' failed to satisfy constraint: Member must have length greater than or equal to 1"
        );
    }

    #[test]
    fn enum_values_outside_the_set_are_refused() {
        assert_eq!(
            message(json!({"KeyId": "k", "Plaintext": "AQID", "Algorithm": "ROT13"})),
            "1 validation error detected: Value 'ROT13' at 'algorithm' failed to satisfy constraint: \
             Member must satisfy enum value set: [SYMMETRIC_DEFAULT, RSAES_OAEP_SHA_1]"
        );
    }

    #[test]
    fn numbers_outside_the_range_are_refused() {
        assert_eq!(
            message(json!({"KeyId": "k", "Plaintext": "AQID", "Limit": 51})),
            "1 validation error detected: Value '51' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 50"
        );
        assert_eq!(
            message(json!({"KeyId": "k", "Plaintext": "AQID", "Limit": 0})),
            "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"
        );
    }

    #[test]
    fn patterns_are_enforced() {
        assert_eq!(
            message(json!({"KeyId": "k", "Plaintext": "AQID", "Alias": "alias/bad name"})),
            "1 validation error detected: Value 'alias/bad name' at 'alias' failed to satisfy constraint: \
             Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$"
        );
    }

    #[test]
    fn patterns_the_regex_crate_cannot_compile_are_skipped() {
        let shape: Shape = serde_json::from_value(json!({"type": "string", "pattern": "^(?!aws/).*$"})).unwrap();
        assert!(compiled(&shape).is_none());
    }

    #[test]
    fn sensitive_values_are_not_echoed_and_blobs_are_measured_decoded() {
        assert_eq!(
            message(json!({"KeyId": "k", "Plaintext": "AQIDBAU="})),
            "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4"
        );
    }

    #[test]
    fn list_sizes_and_nested_members_are_checked_with_aws_paths() {
        assert_eq!(
            message(json!({"KeyId": "k", "Plaintext": "AQID", "Tags": [{"TagKey": "a"}, {}]})),
            "1 validation error detected: Value null at 'tags.2.member.tagKey' failed to satisfy constraint: Member must not be null"
        );
        assert_eq!(
            message(json!({"KeyId": "k", "Plaintext": "AQID", "Tags": [{"TagKey": "a"}, {"TagKey": "b"}, {"TagKey": "c"}]})),
            "1 validation error detected: Value '[{TagKey=a}, {TagKey=b}, {TagKey=c}]' at 'tags' failed to satisfy constraint: \
             Member must have length less than or equal to 2"
        );
    }

    #[test]
    fn map_keys_and_values_are_checked() {
        assert_eq!(
            message(json!({"KeyId": "k", "Plaintext": "AQID", "Context": {"a": ""}})),
            "1 validation error detected: Value '' at 'context.a' failed to satisfy constraint: Member must have length greater than or equal to 1"
        );
    }

    #[test]
    fn each_protocol_answers_with_its_own_code() {
        let model = kms_like_model();
        let operation = model.operation("Encrypt").unwrap();
        let code = |protocol| validate_input(&model, operation, &json!({"Plaintext": "AQID"}), protocol).unwrap_err().code;
        assert_eq!(code(Protocol::RestJson), "ValidationException");
        assert_eq!(code(Protocol::RpcV2Cbor), "ValidationException");
        assert_eq!(code(Protocol::Query), "ValidationError");
        assert_eq!(code(Protocol::RestXml), "InvalidArgument");
        assert_eq!(code(Protocol::Ec2), "MissingParameter");
        let invalid = validate_input(&model, operation, &json!({"KeyId": "", "Plaintext": "AQID"}), Protocol::Ec2).unwrap_err();
        assert_eq!(invalid.code, "InvalidParameterValue");
    }

    #[test]
    fn ec2_names_the_missing_parameter() {
        let model = kms_like_model();
        let operation = model.operation("Encrypt").unwrap();
        let error = validate_input(&model, operation, &json!({"Plaintext": "AQID"}), Protocol::Ec2).unwrap_err();
        assert_eq!(error.message, "The request must contain the parameter KeyId");
    }
}
