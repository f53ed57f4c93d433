//! restJson1: operations bound to HTTP method and URI; members in path, query, headers and a
//! JSON body (or one `payload` member that is the whole body). Body members use their
//! `locationName` as the JSON key, as the model and botocore do.

use base64::Engine;
use serde_json::{Map, Value};

use super::{
    aws_json::{self, Mismatch},
    rest, HttpRequest, HttpResponse,
};
use crate::{
    error::ApiError,
    model::{Operation, ServiceModel, ShapeType},
};

/// Decodes a restJson1 request: HTTP-bound members from path, query and headers, the rest from
/// the JSON body or the payload member.
pub fn decode_request(model: &ServiceModel, operation: &Operation, request: &HttpRequest<'_>) -> Result<Value, ApiError> {
    let Some(input) = &operation.input else { return Ok(Value::Object(Map::new())) };
    let shape = model.shape(&input.shape);
    let mut canonical = match &shape.payload {
        Some(payload) => {
            let mut canonical = Map::new();
            let member = &shape.members[payload];
            let payload_shape = model.shape(&member.shape);
            let value = if request.body.is_empty() {
                None
            } else if payload_shape.kind == ShapeType::Blob {
                Some(Value::String(base64::engine::general_purpose::STANDARD.encode(request.body)))
            } else if payload_shape.kind == ShapeType::String && !payload_shape.document {
                let text = std::str::from_utf8(request.body)
                    .map_err(|_| ApiError::new("SerializationException", 400, "The request body is not valid UTF-8"))?;
                Some(Value::String(text.to_owned()))
            } else {
                let body = aws_json::parse_body(request.body)?;
                // Clients send `{}` for an unset structure payload; only a required one is kept.
                let unset = body.as_object().is_some_and(Map::is_empty) && !payload_shape.document && !shape.is_required(payload);
                if unset {
                    None
                } else {
                    aws_json::decode_value(model, member, body).map_err(|m| m.within(payload.as_str()).into_error())?
                }
            };
            if let Some(value) = value {
                canonical.insert(payload.clone(), value);
            }
            canonical
        }
        None => {
            let body = aws_json::parse_body(request.body)?;
            aws_json::decode_structure(model, shape, body, &|m| !rest::is_http_bound(m)).map_err(Mismatch::into_error)?
        }
    };
    canonical.extend(rest::bind_request(model, operation, shape, request)?);
    Ok(Value::Object(canonical))
}

/// Encodes a canonical output: header and status-code members, then the JSON body or payload.
pub fn encode_response(model: &ServiceModel, operation: &Operation, output: &Value) -> HttpResponse {
    let mut response = HttpResponse { status: operation.http.response_code.unwrap_or(200), headers: Vec::new(), body: Vec::new() };
    let Some(output_ref) = &operation.output else { return response };
    let shape = model.shape(&output_ref.shape);
    let empty = Map::new();
    let fields = output.as_object().unwrap_or(&empty);
    rest::bind_response(model, shape, output, &mut response);
    match &shape.payload {
        Some(payload) => {
            let member = &shape.members[payload];
            let payload_shape = model.shape(&member.shape);
            let Some(value) = fields.get(payload).filter(|v| !v.is_null()) else { return response };
            let content_type = match (payload_shape.kind, value) {
                (ShapeType::Blob, Value::String(encoded)) => {
                    response.body = base64::engine::general_purpose::STANDARD.decode(encoded).unwrap_or_default();
                    "application/octet-stream"
                }
                (ShapeType::String, Value::String(text)) if !payload_shape.document => {
                    response.body = text.clone().into_bytes();
                    "text/plain"
                }
                _ => {
                    aws_json::write_value(&mut response.body, model, member, value);
                    "application/json"
                }
            };
            if response.header("Content-Type").is_none() {
                response.headers.push(("Content-Type".into(), content_type.into()));
            }
        }
        None => {
            let has_body_members = shape.members.values().any(|m| !rest::is_http_bound(m));
            let has_bound_members = shape.members.values().any(rest::is_http_bound);
            if has_body_members || !has_bound_members {
                aws_json::write_structure(&mut response.body, model, shape, fields, &|m| !rest::is_http_bound(m));
                response.headers.push(("Content-Type".into(), "application/json".into()));
            }
        }
    }
    response
}

/// Encodes an error: the code in `x-amzn-ErrorType` (where botocore looks first), message and
/// modeled fields in the JSON body, header-bound fields as headers.
pub fn encode_error(model: Option<&ServiceModel>, error: &ApiError) -> HttpResponse {
    let parts = aws_json::error_parts(model, error);
    let mut response = HttpResponse {
        status: error.status,
        headers: vec![
            ("Content-Type".to_owned(), "application/json".to_owned()),
            ("x-amzn-ErrorType".to_owned(), parts.type_name.clone()),
        ],
        body: Vec::with_capacity(128),
    };
    if let Some(query_error) = &parts.query_error {
        response.headers.push(("x-amzn-query-error".to_owned(), query_error.clone()));
    }
    aws_json::write_error_body(&mut response.body, model, &parts, error, false);
    if let (Some(model), Some(shape)) = (model, parts.shape) {
        rest::bind_response(model, shape, &Value::Object(error.fields.clone()), &mut response);
        response.status = error.status;
    }
    response
}
