//! awsJson 1.0 / 1.1: `POST /` with `X-Amz-Target: Prefix.Operation` and a JSON body.
//!
//! The canonical value is the awsJson form, so decoding is a parse plus one model-guided walk
//! that moves members to their model names, turns timestamp strings into epoch seconds, checks
//! types and base64, and drops unknown members and nulls. The same walk (and its inverse,
//! [`write_value`]) serves restJson1 bodies.

use std::io::Write;

use base64::Engine;
use serde_json::{Map, Value};

use super::{
    rest::{epoch_value, float_value, parse_float},
    HttpRequest, HttpResponse,
};
use crate::{
    error::ApiError,
    model::{Operation, ServiceModel, Shape, ShapeRef, ShapeType, TimestampFormat},
    timestamp,
};

/// A JSON value that does not fit its shape: the path to it (outermost first, filled in while
/// unwinding so a well-formed request pays nothing for it) and what was expected.
pub(crate) struct Mismatch {
    path: Vec<String>,
    expected: &'static str,
    found: &'static str,
}

impl Mismatch {
    fn new(expected: &'static str, found: &Value) -> Self {
        let found = match found {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "a list",
            Value::Object(_) => "an object",
        };
        Mismatch { path: Vec::new(), expected, found }
    }

    pub(crate) fn within(mut self, segment: impl Into<String>) -> Self {
        self.path.push(segment.into());
        self
    }

    /// AWS's answer to a body member of the wrong JSON type.
    pub(crate) fn into_error(self) -> ApiError {
        let mut path = String::new();
        for segment in self.path.iter().rev() {
            if !path.is_empty() && !segment.starts_with('[') {
                path.push('.');
            }
            path.push_str(segment);
        }
        serialization_exception(format!("Cannot read member '{path}': expected {}, found {}", self.expected, self.found))
    }
}

fn serialization_exception(message: String) -> ApiError {
    ApiError::new("SerializationException", 400, message)
}

/// Parses a JSON request body; an empty body is an empty object, as AWS accepts it.
pub(crate) fn parse_body(body: &[u8]) -> Result<Value, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Object(Map::new()));
    }
    serde_json::from_slice(body).map_err(|e| serialization_exception(format!("The request body is not valid JSON: {e}")))
}

fn json_name<'a>(name: &'a str, member: &'a ShapeRef) -> &'a str {
    member.location_name.as_deref().unwrap_or(name)
}

fn timestamp_format(member: &ShapeRef, shape: &Shape) -> Option<TimestampFormat> {
    member.timestamp_format.or(shape.timestamp_format)
}

/// Moves the members of a JSON object that `include` accepts into a canonical structure keyed
/// by member name.
pub(crate) fn decode_structure(
    model: &ServiceModel,
    shape: &Shape,
    value: Value,
    include: &dyn Fn(&ShapeRef) -> bool,
) -> Result<Map<String, Value>, Mismatch> {
    let Value::Object(mut object) = value else { return Err(Mismatch::new("an object", &value)) };
    let mut canonical = Map::new();
    for (name, member) in &shape.members {
        if !include(member) {
            continue;
        }
        let Some(raw) = object.remove(json_name(name, member)) else { continue };
        if let Some(converted) = decode_value(model, member, raw).map_err(|m| m.within(name.as_str()))? {
            canonical.insert(name.clone(), converted);
        }
    }
    Ok(canonical)
}

/// Converts one JSON value to the canonical value of `member`'s shape; `None` for null.
pub(crate) fn decode_value(model: &ServiceModel, member: &ShapeRef, value: Value) -> Result<Option<Value>, Mismatch> {
    if value.is_null() {
        return Ok(None);
    }
    let shape = model.shape(&member.shape);
    if shape.document {
        return Ok(Some(value));
    }
    let converted = match shape.kind {
        ShapeType::Structure => Value::Object(decode_structure(model, shape, value, &|_| true)?),
        ShapeType::List => {
            let Value::Array(items) = value else { return Err(Mismatch::new("a list", &value)) };
            let element = shape.member.as_deref().expect("list shapes have a member");
            let mut list = Vec::with_capacity(items.len());
            for (index, item) in items.into_iter().enumerate() {
                if let Some(converted) = decode_value(model, element, item).map_err(|m| m.within(format!("[{index}]")))? {
                    list.push(converted);
                }
            }
            Value::Array(list)
        }
        ShapeType::Map => {
            let Value::Object(entries) = value else { return Err(Mismatch::new("a map", &value)) };
            let value_ref = shape.value.as_deref().expect("map shapes have a value");
            let mut map = Map::new();
            for (key, item) in entries {
                if let Some(converted) = decode_value(model, value_ref, item).map_err(|m| m.within(key.clone()))? {
                    map.insert(key, converted);
                }
            }
            Value::Object(map)
        }
        ShapeType::String => match value {
            Value::String(_) => value,
            other => return Err(Mismatch::new("a string", &other)),
        },
        ShapeType::Boolean => match value {
            Value::Bool(_) => value,
            other => return Err(Mismatch::new("a boolean", &other)),
        },
        ShapeType::Integer | ShapeType::Long | ShapeType::Short | ShapeType::Byte | ShapeType::Bigint => match &value {
            Value::Number(n) if n.is_i64() || n.is_u64() => value,
            Value::Number(n) if n.as_f64().is_some_and(|f| f.fract() == 0.0) => epoch_value(n.as_f64().unwrap_or_default()),
            other => return Err(Mismatch::new("an integer", other)),
        },
        ShapeType::Float | ShapeType::Double | ShapeType::Bigdecimal => match &value {
            Value::Number(_) => value,
            Value::String(text) => match parse_float(text) {
                Some(number) if !number.is_finite() => float_value(number),
                _ => return Err(Mismatch::new("a number", &value)),
            },
            other => return Err(Mismatch::new("a number", other)),
        },
        ShapeType::Blob => match &value {
            Value::String(text) if base64::engine::general_purpose::STANDARD.decode(text).is_ok() => value,
            Value::String(_) => return Err(Mismatch { path: Vec::new(), expected: "base64-encoded data", found: "other text" }),
            other => return Err(Mismatch::new("base64-encoded data", other)),
        },
        ShapeType::Timestamp => match &value {
            Value::Number(n) => epoch_value(n.as_f64().unwrap_or_default()),
            Value::String(text) => {
                let parsed = match timestamp_format(member, shape) {
                    Some(TimestampFormat::Iso8601) => timestamp::parse_iso8601(text),
                    Some(TimestampFormat::Rfc822) => timestamp::parse_http_date(text),
                    _ => None,
                };
                match parsed.or_else(|| timestamp::parse_any(text)) {
                    Some(seconds) => epoch_value(seconds),
                    None => return Err(Mismatch { path: Vec::new(), expected: "a timestamp", found: "other text" }),
                }
            }
            other => return Err(Mismatch::new("a timestamp", other)),
        },
    };
    Ok(Some(converted))
}

/// Writes the canonical members of a structure that `include` accepts as a JSON object, under
/// their JSON names.
pub(crate) fn write_structure(
    out: &mut Vec<u8>,
    model: &ServiceModel,
    shape: &Shape,
    fields: &Map<String, Value>,
    include: &dyn Fn(&ShapeRef) -> bool,
) {
    out.push(b'{');
    write_members(out, model, shape, fields, include, &mut true);
    out.push(b'}');
}

/// Writes members as `"name":value` pairs, comma-separated after whatever `first` says is
/// already in the object.
fn write_members(
    out: &mut Vec<u8>,
    model: &ServiceModel,
    shape: &Shape,
    fields: &Map<String, Value>,
    include: &dyn Fn(&ShapeRef) -> bool,
    first: &mut bool,
) {
    for (name, member) in &shape.members {
        if !include(member) {
            continue;
        }
        let Some(value) = fields.get(name).filter(|v| !v.is_null()) else { continue };
        if !*first {
            out.push(b',');
        }
        *first = false;
        write_string(out, json_name(name, member));
        out.push(b':');
        write_value(out, model, member, value);
    }
}

fn write_string(out: &mut Vec<u8>, text: &str) {
    serde_json::to_writer(&mut *out, text).expect("writing to a Vec cannot fail");
}

/// Writes one canonical value as JSON for `member`'s shape: timestamps in the member's format
/// (epoch seconds by default), everything else as the canonical form already is.
pub(crate) fn write_value(out: &mut Vec<u8>, model: &ServiceModel, member: &ShapeRef, value: &Value) {
    let shape = model.shape(&member.shape);
    if shape.document {
        serde_json::to_writer(&mut *out, value).expect("writing to a Vec cannot fail");
        return;
    }
    match (shape.kind, value) {
        (ShapeType::Structure, Value::Object(fields)) => write_structure(out, model, shape, fields, &|_| true),
        (ShapeType::List, Value::Array(items)) => {
            let element = shape.member.as_deref().expect("list shapes have a member");
            out.push(b'[');
            for (index, item) in items.iter().filter(|v| !v.is_null()).enumerate() {
                if index > 0 {
                    out.push(b',');
                }
                write_value(out, model, element, item);
            }
            out.push(b']');
        }
        (ShapeType::Map, Value::Object(entries)) => {
            let value_ref = shape.value.as_deref().expect("map shapes have a value");
            out.push(b'{');
            for (index, (key, item)) in entries.iter().filter(|(_, v)| !v.is_null()).enumerate() {
                if index > 0 {
                    out.push(b',');
                }
                write_string(out, key);
                out.push(b':');
                write_value(out, model, value_ref, item);
            }
            out.push(b'}');
        }
        (ShapeType::Timestamp, Value::Number(n)) => {
            let seconds = n.as_f64().unwrap_or_default();
            match timestamp_format(member, shape) {
                Some(TimestampFormat::Iso8601) => write_string(out, &timestamp::format_iso8601(seconds)),
                Some(TimestampFormat::Rfc822) => write_string(out, &timestamp::format_http_date(seconds)),
                _ => write!(out, "{n}").expect("writing to a Vec cannot fail"),
            }
        }
        _ => serde_json::to_writer(&mut *out, value).expect("writing to a Vec cannot fail"),
    }
}

/// Decodes an awsJson request body into the operation's canonical input.
pub fn decode_request(model: &ServiceModel, operation: &Operation, request: &HttpRequest<'_>) -> Result<Value, ApiError> {
    let body = parse_body(request.body)?;
    let Some(input) = &operation.input else { return Ok(Value::Object(Map::new())) };
    let shape = model.shape(&input.shape);
    let canonical = decode_structure(model, shape, body, &|_| true).map_err(Mismatch::into_error)?;
    Ok(Value::Object(canonical))
}

/// Encodes a canonical output as the awsJson response body.
pub fn encode_response(model: &ServiceModel, operation: &Operation, output: &Value, version: &str) -> HttpResponse {
    let mut body = Vec::with_capacity(256);
    match (&operation.output, output.as_object()) {
        (Some(output_ref), Some(fields)) => write_structure(&mut body, model, model.shape(&output_ref.shape), fields, &|_| true),
        _ => body.extend_from_slice(b"{}"),
    }
    HttpResponse { status: 200, headers: vec![("Content-Type".into(), format!("application/x-amz-json-{version}"))], body }
}

/// The modeled error structure for an error code: the shape of that name, or the shape whose
/// `error.code` it is (awsQueryCompatible services raise their query codes).
pub(crate) fn error_shape<'m>(model: &'m ServiceModel, code: &str) -> Option<(&'m str, &'m Shape)> {
    if let Some((name, shape)) = model.shapes.get_key_value(code).filter(|(_, s)| s.exception) {
        return Some((name.as_str(), shape));
    }
    model
        .shapes
        .iter()
        .find(|(_, s)| s.exception && s.error.as_ref().and_then(|e| e.code.as_deref()) == Some(code))
        .map(|(name, shape)| (name.as_str(), shape))
}

/// The pieces every JSON-family error response shares: the type name clients read as the code,
/// the structure it is (when modeled) and the awsQueryCompatible header.
pub(crate) struct ErrorParts<'m> {
    pub type_name: String,
    pub shape: Option<&'m Shape>,
    pub query_error: Option<String>,
}

pub(crate) fn error_parts<'m>(model: Option<&'m ServiceModel>, error: &ApiError) -> ErrorParts<'m> {
    let found = model.and_then(|m| error_shape(m, &error.code));
    let type_name = found.map_or_else(|| error.code.to_string(), |(name, _)| name.to_owned());
    let query_error = model.filter(|m| m.metadata.aws_query_compatible.is_some()).map(|_| {
        let code = found.and_then(|(_, s)| s.error.as_ref()?.code.as_deref()).unwrap_or(&error.code);
        format!("{code};{}", if error.sender_fault { "Sender" } else { "Receiver" })
    });
    ErrorParts { type_name, shape: found.map(|(_, s)| s), query_error }
}

/// The body key of the error message: the modeled member's spelling (`Message` or `message`);
/// for errors the model does not define, `message`, except the framework's
/// `SerializationException`, which AWS answers with `Message`.
pub(crate) fn message_key(shape: Option<&Shape>, code: &str) -> &'static str {
    match shape {
        Some(shape) if shape.members.contains_key("Message") => "Message",
        Some(_) => "message",
        None if code == "SerializationException" => "Message",
        None => "message",
    }
}

/// Writes an error body: `{"__type"?: ..., "<message>": ..., ...modeled fields}`; header-bound
/// fields are left to the caller.
pub(crate) fn write_error_body(out: &mut Vec<u8>, model: Option<&ServiceModel>, parts: &ErrorParts<'_>, error: &ApiError, with_type: bool) {
    let key = message_key(parts.shape, &error.code);
    out.push(b'{');
    let mut first = true;
    if with_type {
        write_string(out, "__type");
        out.push(b':');
        write_string(out, &parts.type_name);
        first = false;
    }
    if !error.message.is_empty() {
        if !first {
            out.push(b',');
        }
        write_string(out, key);
        out.push(b':');
        write_string(out, &error.message);
        first = false;
    }
    match (model, parts.shape) {
        (Some(model), Some(shape)) => {
            let message_written = !error.message.is_empty();
            let fields: Map<String, Value> = error
                .fields
                .iter()
                .filter(|(name, _)| !(message_written && name.eq_ignore_ascii_case("message")))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            write_members(out, model, shape, &fields, &|m| m.location.is_none(), &mut first);
        }
        _ => {
            for (name, value) in &error.fields {
                if !first {
                    out.push(b',');
                }
                first = false;
                write_string(out, name);
                out.push(b':');
                serde_json::to_writer(&mut *out, value).expect("writing to a Vec cannot fail");
            }
        }
    }
    out.push(b'}');
}

/// Encodes an error as awsJson does: `__type` and message in the body, `x-amzn-ErrorType`
/// header, and for awsQueryCompatible services `x-amzn-query-error: Code;Sender`.
pub fn encode_error(model: Option<&ServiceModel>, error: &ApiError, version: &str) -> HttpResponse {
    let parts = error_parts(model, error);
    let mut body = Vec::with_capacity(128);
    write_error_body(&mut body, model, &parts, error, true);
    let mut headers = vec![
        ("Content-Type".to_owned(), format!("application/x-amz-json-{version}")),
        ("x-amzn-ErrorType".to_owned(), parts.type_name.clone()),
    ];
    if let Some(query_error) = parts.query_error {
        headers.push(("x-amzn-query-error".to_owned(), query_error));
    }
    HttpResponse { status: error.status, headers, body }
}

#[cfg(test)]
mod tests {
    use http::HeaderMap;
    use serde_json::json;

    use super::*;

    fn model() -> ServiceModel {
        let json = json!({
            "metadata": {"apiVersion": "1", "endpointPrefix": "kms", "protocol": "json", "jsonVersion": "1.1"},
            "operations": {"ListKeys": {"name": "ListKeys", "http": {}, "input": {"shape": "ListKeysRequest"}}},
            "shapes": {
                "ListKeysRequest": {"type": "structure", "members": {
                    "Limit": {"shape": "Limit"},
                    "Filters": {"shape": "Filters"}
                }},
                "Limit": {"type": "integer"},
                "Filters": {"type": "list", "member": {"shape": "Filter"}},
                "Filter": {"type": "structure", "members": {"Since": {"shape": "Time"}, "Data": {"shape": "Data"}}},
                "Time": {"type": "timestamp"},
                "Data": {"type": "blob"},
                "NotFoundException": {"type": "structure", "members": {"message": {"shape": "Text"}}, "exception": true},
                "Text": {"type": "string"}
            }
        });
        ServiceModel::parse(json.to_string().as_bytes()).unwrap()
    }

    fn decode(body: &str) -> Result<Value, ApiError> {
        let model = model();
        let headers = HeaderMap::new();
        let request = HttpRequest { method: "POST", path: "/", query: "", headers: &headers, body: body.as_bytes() };
        decode_request(&model, model.operation("ListKeys").unwrap(), &request)
    }

    #[test]
    fn an_empty_body_is_an_empty_input() {
        assert_eq!(decode(""), Ok(json!({})));
    }

    #[test]
    fn a_body_that_is_not_json_is_a_serialization_exception() {
        let error = decode("{\"Limit\":").unwrap_err();
        assert_eq!((error.code.as_ref(), error.status), ("SerializationException", 400));
    }

    #[test]
    fn a_member_of_the_wrong_type_is_named_in_the_error() {
        let error = decode(r#"{"Filters":[{"Since":true}]}"#).unwrap_err();
        assert_eq!(error.code, "SerializationException");
        assert_eq!(error.message, "Cannot read member 'Filters[0].Since': expected a timestamp, found a boolean");
    }

    #[test]
    fn blobs_must_be_base64() {
        let error = decode(r#"{"Filters":[{"Data":"not base64!"}]}"#).unwrap_err();
        assert!(error.message.contains("'Filters[0].Data'"), "{}", error.message);
    }

    #[test]
    fn unknown_members_and_nulls_are_dropped() {
        assert_eq!(decode(r#"{"Limit":5,"Marker":null,"Unknown":1}"#), Ok(json!({"Limit": 5})));
    }

    #[test]
    fn timestamp_strings_become_epoch_seconds() {
        assert_eq!(decode(r#"{"Filters":[{"Since":"2019-12-16T23:48:18Z"}]}"#), Ok(json!({"Filters": [{"Since": 1576540098}]})));
    }

    #[test]
    fn errors_carry_type_header_and_modeled_message_key() {
        let model = model();
        let response = encode_error(Some(&model), &ApiError::new("NotFoundException", 400, "Key 'k' does not exist"), "1.1");
        assert_eq!(response.header("x-amzn-ErrorType"), Some("NotFoundException"));
        assert_eq!(response.header("Content-Type"), Some("application/x-amz-json-1.1"));
        assert_eq!(response.header("x-amzn-query-error"), None);
        let body: Value = serde_json::from_slice(&response.body).unwrap();
        assert_eq!(body, json!({"__type": "NotFoundException", "message": "Key 'k' does not exist"}));
    }

    #[test]
    fn framework_serialization_errors_use_a_capitalised_message() {
        let response = encode_error(None, &serialization_exception("bad".into()), "1.0");
        let body: Value = serde_json::from_slice(&response.body).unwrap();
        assert_eq!(body, json!({"__type": "SerializationException", "Message": "bad"}));
    }
}
