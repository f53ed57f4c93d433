//! Smithy RPC v2 CBOR: `POST /service/{Service}/operation/{Operation}` with a CBOR body, header
//! `smithy-protocol: rpc-v2-cbor`. Structures are maps keyed by member name, blobs byte strings,
//! timestamps tag 1 around epoch seconds.

use base64::Engine;
use serde_json::{Map, Value};

use super::{
    aws_json,
    cbor::{self, CborValue},
    rest::{epoch_value, float_value, parse_float},
    HttpRequest, HttpResponse,
};
use crate::{
    error::ApiError,
    model::{Operation, ServiceModel, Shape, ShapeRef, ShapeType},
};

const EPOCH_TAG: u64 = 1;

/// The service and operation names of an RPC v2 path (`.../service/Cloudwatch/operation/GetMetricData`),
/// for routing before any model is loaded.
pub fn operation_from_path(path: &str) -> Option<(&str, &str)> {
    let (before, operation) = path.rsplit_once("/operation/")?;
    let (_, service) = before.rsplit_once("/service/")?;
    let valid = |name: &str| !name.is_empty() && !name.contains('/');
    (valid(service) && valid(operation)).then_some((service, operation))
}

fn serialization_exception(message: String) -> ApiError {
    ApiError::new("SerializationException", 400, message)
}

/// A CBOR item that does not fit its shape: path (innermost first) and what was expected.
struct Mismatch {
    path: Vec<String>,
    expected: &'static str,
}

impl Mismatch {
    fn new(expected: &'static str) -> Self {
        Mismatch { path: Vec::new(), expected }
    }

    fn within(mut self, segment: String) -> Self {
        self.path.push(segment);
        self
    }

    fn into_error(self) -> ApiError {
        let path: Vec<&str> = self.path.iter().rev().map(String::as_str).collect();
        serialization_exception(format!("Cannot read member '{}': expected {}", path.join("."), self.expected))
    }
}

fn to_canonical(model: &ServiceModel, member: &ShapeRef, item: CborValue) -> Result<Option<Value>, Mismatch> {
    if matches!(item, CborValue::Null | CborValue::Undefined) {
        return Ok(None);
    }
    let shape = model.shape(&member.shape);
    if shape.document {
        return Ok(Some(item.into_json()));
    }
    let value = match (shape.kind, item) {
        (ShapeType::Structure, CborValue::Map(entries)) => Value::Object(structure_to_canonical(model, shape, entries)?),
        (ShapeType::List, CborValue::Array(items)) => {
            let element = shape.member.as_deref().expect("list shapes have a member");
            let mut list = Vec::with_capacity(items.len());
            for (index, item) in items.into_iter().enumerate() {
                if let Some(value) = to_canonical(model, element, item).map_err(|m| m.within(index.to_string()))? {
                    list.push(value);
                }
            }
            Value::Array(list)
        }
        (ShapeType::Map, CborValue::Map(entries)) => {
            let value_ref = shape.value.as_deref().expect("map shapes have a value");
            let mut map = Map::new();
            for (key, item) in entries {
                let CborValue::Text(key) = key else { return Err(Mismatch::new("text map keys")) };
                if let Some(value) = to_canonical(model, value_ref, item).map_err(|m| m.within(key.clone()))? {
                    map.insert(key, value);
                }
            }
            Value::Object(map)
        }
        (ShapeType::String, CborValue::Text(text)) => Value::String(text),
        (ShapeType::Boolean, CborValue::Bool(b)) => Value::Bool(b),
        (ShapeType::Integer | ShapeType::Long | ShapeType::Short | ShapeType::Byte | ShapeType::Bigint, item) => {
            Value::from(item.as_i64().ok_or(Mismatch::new("an integer"))?)
        }
        (ShapeType::Float | ShapeType::Double | ShapeType::Bigdecimal, item) => float_value(number(&item).ok_or(Mismatch::new("a number"))?),
        (ShapeType::Blob, CborValue::Bytes(bytes)) => Value::String(base64::engine::general_purpose::STANDARD.encode(bytes)),
        (ShapeType::Timestamp, CborValue::Tag(EPOCH_TAG, inner)) => {
            epoch_value(number(&inner).filter(|n| n.is_finite()).ok_or(Mismatch::new("epoch seconds"))?)
        }
        (ShapeType::Timestamp, item) => epoch_value(number(&item).filter(|n| n.is_finite()).ok_or(Mismatch::new("a timestamp (tag 1)"))?),
        (kind, _) => {
            return Err(Mismatch::new(match kind {
                ShapeType::Structure | ShapeType::Map => "a map",
                ShapeType::List => "an array",
                ShapeType::String => "a text string",
                ShapeType::Boolean => "a boolean",
                _ => "a byte string",
            }))
        }
    };
    Ok(Some(value))
}

fn number(item: &CborValue) -> Option<f64> {
    match item {
        CborValue::Float(n) => Some(*n),
        CborValue::Unsigned(n) => Some(*n as f64),
        CborValue::Negative(n) => Some(-1.0 - *n as f64),
        _ => None,
    }
}

fn structure_to_canonical(model: &ServiceModel, shape: &Shape, entries: Vec<(CborValue, CborValue)>) -> Result<Map<String, Value>, Mismatch> {
    let mut canonical = Map::new();
    for (key, item) in entries {
        let CborValue::Text(name) = key else { return Err(Mismatch::new("text member names")) };
        let Some(member) = shape.members.get(&name) else { continue };
        if let Some(value) = to_canonical(model, member, item).map_err(|m| m.within(name.clone()))? {
            canonical.insert(name, value);
        }
    }
    Ok(canonical)
}

/// Decodes an RPC v2 CBOR request body (empty means no members) into the canonical input.
pub fn decode_request(model: &ServiceModel, operation: &Operation, request: &HttpRequest<'_>) -> Result<Value, ApiError> {
    if request.body.is_empty() {
        return Ok(Value::Object(Map::new()));
    }
    let item = cbor::decode(request.body).map_err(|e| serialization_exception(e.to_string()))?;
    let Some(input) = &operation.input else { return Ok(Value::Object(Map::new())) };
    let CborValue::Map(entries) = item else { return Err(serialization_exception("The request body must be a CBOR map".into())) };
    let canonical = structure_to_canonical(model, model.shape(&input.shape), entries).map_err(Mismatch::into_error)?;
    Ok(Value::Object(canonical))
}

fn to_cbor(model: &ServiceModel, member: &ShapeRef, value: &Value) -> CborValue {
    let shape = model.shape(&member.shape);
    if shape.document {
        return CborValue::from_json(value);
    }
    match (shape.kind, value) {
        (ShapeType::Structure, Value::Object(fields)) => structure_to_cbor(model, shape, fields),
        (ShapeType::List, Value::Array(items)) => {
            let element = shape.member.as_deref().expect("list shapes have a member");
            CborValue::Array(items.iter().filter(|v| !v.is_null()).map(|item| to_cbor(model, element, item)).collect())
        }
        (ShapeType::Map, Value::Object(entries)) => {
            let value_ref = shape.value.as_deref().expect("map shapes have a value");
            CborValue::Map(
                entries
                    .iter()
                    .filter(|(_, v)| !v.is_null())
                    .map(|(key, item)| (CborValue::Text(key.clone()), to_cbor(model, value_ref, item)))
                    .collect(),
            )
        }
        (ShapeType::Float | ShapeType::Double | ShapeType::Bigdecimal, Value::String(text)) => {
            CborValue::Float(parse_float(text).unwrap_or(f64::NAN))
        }
        (ShapeType::Float | ShapeType::Double | ShapeType::Bigdecimal, Value::Number(n)) => CborValue::Float(n.as_f64().unwrap_or_default()),
        (ShapeType::Blob, Value::String(encoded)) => {
            CborValue::Bytes(base64::engine::general_purpose::STANDARD.decode(encoded).unwrap_or_default())
        }
        (ShapeType::Timestamp, Value::Number(n)) => {
            let seconds = match n.as_i64() {
                Some(whole) => CborValue::integer(whole),
                None => CborValue::Float(n.as_f64().unwrap_or_default()),
            };
            CborValue::Tag(EPOCH_TAG, Box::new(seconds))
        }
        _ => CborValue::from_json(value),
    }
}

fn structure_to_cbor(model: &ServiceModel, shape: &Shape, fields: &Map<String, Value>) -> CborValue {
    CborValue::Map(
        shape
            .members
            .iter()
            .filter_map(|(name, member)| {
                let value = fields.get(name).filter(|v| !v.is_null())?;
                Some((CborValue::Text(name.clone()), to_cbor(model, member, value)))
            })
            .collect(),
    )
}

fn cbor_headers() -> Vec<(String, String)> {
    vec![("smithy-protocol".into(), "rpc-v2-cbor".into()), ("Content-Type".into(), "application/cbor".into())]
}

/// Encodes a canonical output as a CBOR map.
pub fn encode_response(model: &ServiceModel, operation: &Operation, output: &Value) -> HttpResponse {
    let Some(output_ref) = &operation.output else {
        return HttpResponse { status: 200, headers: vec![("smithy-protocol".into(), "rpc-v2-cbor".into())], body: Vec::new() };
    };
    let empty = Map::new();
    let item = structure_to_cbor(model, model.shape(&output_ref.shape), output.as_object().unwrap_or(&empty));
    let mut body = Vec::with_capacity(128);
    cbor::encode(&item, &mut body);
    HttpResponse { status: 200, headers: cbor_headers(), body }
}

/// Encodes an error: a CBOR map with `__type` (the error's shape name; botocore reads what
/// follows any `#`), the message and modeled fields; `x-amzn-query-error` for
/// awsQueryCompatible services.
pub fn encode_error(model: Option<&ServiceModel>, error: &ApiError) -> HttpResponse {
    let parts = aws_json::error_parts(model, error);
    let mut entries = vec![(CborValue::Text("__type".into()), CborValue::Text(parts.type_name.clone()))];
    let message_key = aws_json::message_key(parts.shape, &error.code);
    if !error.message.is_empty() {
        entries.push((CborValue::Text(message_key.into()), CborValue::Text(error.message.clone())));
    }
    if let (Some(model), Some(shape)) = (model, parts.shape) {
        if let CborValue::Map(fields) = structure_to_cbor(model, shape, &error.fields) {
            let message_written = !error.message.is_empty();
            entries.extend(fields.into_iter().filter(|(key, _)| {
                !(message_written && matches!(key, CborValue::Text(name) if name.eq_ignore_ascii_case("message")))
            }));
        }
    } else {
        entries.extend(error.fields.iter().map(|(name, value)| (CborValue::Text(name.clone()), CborValue::from_json(value))));
    }
    let mut body = Vec::with_capacity(128);
    cbor::encode(&CborValue::Map(entries), &mut body);
    let mut headers = cbor_headers();
    if let Some(query_error) = parts.query_error {
        headers.push(("x-amzn-query-error".into(), query_error));
    }
    HttpResponse { status: error.status, headers, body }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_name_service_and_operation() {
        assert_eq!(operation_from_path("/service/GraniteServiceVersion20100801/operation/GetMetricData"), Some(("GraniteServiceVersion20100801", "GetMetricData")));
        assert_eq!(operation_from_path("/prefix/service/S/operation/Op"), Some(("S", "Op")));
    }

    #[test]
    fn other_paths_are_not_rpc_v2() {
        assert_eq!(operation_from_path("/"), None);
        assert_eq!(operation_from_path("/service//operation/Op"), None);
        assert_eq!(operation_from_path("/service/S/operation/"), None);
        assert_eq!(operation_from_path("/service/S/operation/Op/extra"), None);
    }
}
