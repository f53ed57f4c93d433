//! restXml: operations bound to HTTP method and URI, XML bodies (S3). The URI, query string,
//! header and status-code bindings are rest.rs's; this module reads and writes the body: the
//! payload member (a structure as XML, a blob or string raw) or the unbound members under one
//! root element.

use base64::Engine;
use serde_json::{Map, Value};

use super::{
    query, rest,
    xml::{self, XmlWriter},
    HttpRequest, HttpResponse,
};
use crate::{
    error::ApiError,
    model::{Operation, ServiceModel, Shape, ShapeRef, ShapeType, XmlNamespace},
};

fn malformed_xml(detail: impl std::fmt::Display) -> ApiError {
    ApiError::new(
        "MalformedXML",
        400,
        format!("The XML you provided was not well-formed or did not validate against our published schema: {detail}"),
    )
}

/// Decodes a restXml request: HTTP-bound members through rest.rs, the rest from the body.
pub fn decode_request(model: &ServiceModel, operation: &Operation, request: &HttpRequest<'_>) -> Result<Value, ApiError> {
    let Some(input_ref) = &operation.input else { return Ok(Value::Object(Map::new())) };
    let shape = model.shape(&input_ref.shape);
    let mut input = rest::bind_request(model, operation, shape, request)?;
    let body = request.body;
    let body_is_blank = body.iter().all(u8::is_ascii_whitespace);
    match shape.payload.as_deref() {
        Some(payload) => {
            let Some(member) = shape.members.get(payload) else { return Ok(Value::Object(input)) };
            let payload_shape = model.shape(&member.shape);
            match payload_shape.kind {
                ShapeType::Blob if !body.is_empty() => {
                    input.insert(payload.to_owned(), Value::String(base64::engine::general_purpose::STANDARD.encode(body)));
                }
                ShapeType::String if !body.is_empty() => {
                    let text = std::str::from_utf8(body).map_err(|_| ApiError::new("InvalidArgument", 400, "The request body is not UTF-8"))?;
                    input.insert(payload.to_owned(), Value::String(text.to_owned()));
                }
                ShapeType::Structure | ShapeType::List | ShapeType::Map if !body_is_blank => {
                    let root = xml::parse(body).map_err(malformed_xml)?;
                    input.insert(payload.to_owned(), xml::read_value(model, member, &root).map_err(malformed_xml)?);
                }
                _ => {}
            }
        }
        None if !body_is_blank && shape.members.values().any(|m| !rest::is_http_bound(m)) => {
            let root = xml::parse(body).map_err(malformed_xml)?;
            input.extend(xml::read_structure(model, shape, &root).map_err(malformed_xml)?);
        }
        None => {}
    }
    Ok(Value::Object(input))
}

/// The root element of a payload structure: an explicit member name, else the shape's
/// `locationName`, else the shape's name (`<ServerSideEncryptionConfiguration>`).
fn payload_element<'m>(member_name: &str, member: &'m ShapeRef, shape: &'m Shape) -> &'m str {
    member.location_name.as_deref().filter(|name| *name != member_name).or(shape.location_name.as_deref()).unwrap_or(&member.shape)
}

fn write_root(w: &mut XmlWriter, model: &ServiceModel, name: &str, member: &ShapeRef, namespace: Option<&XmlNamespace>, value: &Value) {
    let shape = model.shape(&member.shape);
    if shape.kind != ShapeType::Structure {
        xml::write_element(w, model, name, member, value, xml::QUERY_NAMING);
        return;
    }
    w.start_open(name);
    if let Some((attribute, uri)) = namespace.and_then(xml::namespace_attribute) {
        w.attribute(&attribute, uri);
    }
    xml::write_attributes(w, model, shape, value);
    w.end_open();
    xml::write_members(w, model, shape, value, xml::QUERY_NAMING);
    w.close(name);
}

/// Encodes a restXml response: status and headers through rest.rs, then the payload member
/// or the unbound members under the output shape's `locationName` (else `{Op}Result`).
pub fn encode_response(model: &ServiceModel, operation: &Operation, output: &Value, request_id: &str) -> HttpResponse {
    let mut response = HttpResponse {
        status: operation.http.response_code.unwrap_or(200),
        headers: vec![("x-amz-request-id".to_owned(), request_id.to_owned())],
        body: vec![],
    };
    let Some(output_ref) = &operation.output else { return response };
    let shape = model.shape(&output_ref.shape);
    rest::bind_response(model, shape, output, &mut response);
    let fields = output.as_object();
    match shape.payload.as_deref() {
        Some(payload) => {
            let (Some(member), Some(value)) = (shape.members.get(payload), fields.and_then(|f| f.get(payload)).filter(|v| !v.is_null()))
            else {
                return response;
            };
            let payload_shape = model.shape(&member.shape);
            match (payload_shape.kind, value) {
                (ShapeType::Blob, Value::String(encoded)) => {
                    response.body = base64::engine::general_purpose::STANDARD.decode(encoded).unwrap_or_else(|_| encoded.clone().into_bytes());
                    set_default_content_type(&mut response, "application/octet-stream");
                }
                (ShapeType::String, Value::String(text)) => {
                    response.body = text.clone().into_bytes();
                    set_default_content_type(&mut response, "text/plain");
                }
                _ => {
                    let mut w = XmlWriter::with_capacity(512);
                    let namespace = payload_shape.xml_namespace.as_ref().or(member.xml_namespace.as_ref());
                    write_root(&mut w, model, payload_element(payload, member, payload_shape), member, namespace, value);
                    response.body = w.into_string().into_bytes();
                    set_default_content_type(&mut response, "application/xml");
                }
            }
        }
        None => {
            let has_body = shape
                .members
                .iter()
                .any(|(name, m)| !xml::is_response_bound(m) && fields.and_then(|f| f.get(name)).is_some_and(|v| !v.is_null()));
            if has_body {
                let mut w = XmlWriter::with_capacity(512);
                let root = match &shape.location_name {
                    Some(name) => name.clone(),
                    None => format!("{}Result", operation.name),
                };
                let namespace = shape.xml_namespace.as_ref().or(output_ref.xml_namespace.as_ref());
                let fallback = model.metadata.xml_namespace.as_ref().map(|uri| XmlNamespace { prefix: None, uri: Some(uri.clone()) });
                write_root(&mut w, model, &root, output_ref, namespace.or(fallback.as_ref()), output);
                response.body = w.into_string().into_bytes();
                set_default_content_type(&mut response, "application/xml");
            }
        }
    }
    response
}

fn set_default_content_type(response: &mut HttpResponse, content_type: &str) {
    if response.header("Content-Type").is_none() {
        response.headers.push(("Content-Type".to_owned(), content_type.to_owned()));
    }
}

/// Encodes S3's error form: `<Error><Code/><Message/>fields<RequestId/></Error>`, with the
/// modeled error's header-bound members as headers.
pub fn encode_error(model: Option<&ServiceModel>, error: &ApiError, request_id: &str) -> HttpResponse {
    let mut w = XmlWriter::with_capacity(256);
    w.open("Error");
    query::write_error_body(&mut w, model, error, xml::QUERY_NAMING);
    w.leaf("RequestId", request_id);
    w.close("Error");
    let mut response = query::xml_response(error.status, "application/xml", w);
    response.headers.push(("x-amz-request-id".to_owned(), request_id.to_owned()));
    if let Some((model, shape)) = model.and_then(|m| query::error_shape(m, &error.code).map(|s| (m, s))) {
        let status = response.status;
        rest::bind_response(model, shape, &Value::Object(error.fields.clone()), &mut response);
        response.status = status;
    }
    response
}
