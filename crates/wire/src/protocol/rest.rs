//! HTTP bindings shared by restJson1 and restXml: finding the operation from method and URI
//! template, and binding members to the path, query string, headers and status code.

use serde_json::{Map, Value};

use super::{HttpRequest, HttpResponse};
use crate::{error::ApiError, model::{Operation, ServiceModel, Shape}};

/// The operation whose HTTP method and request URI template (`/keys/{KeyId}`, greedy
/// `{Key+}`, literal query parts such as `?tagging`) match the request; the most specific
/// template wins when several match.
pub fn find_operation<'m>(_model: &'m ServiceModel, _method: &str, _path: &str, _query: &str) -> Option<&'m Operation> {
    None
}

/// Reads the members of `input` bound to the URI, query string and headers into canonical
/// values. Body members are left to the protocol.
pub fn bind_request(
    _model: &ServiceModel,
    _operation: &Operation,
    _input: &Shape,
    _request: &HttpRequest<'_>,
) -> Result<Map<String, Value>, ApiError> {
    Ok(Map::new())
}

/// Writes the members of `output` bound to headers and the status code into `response`.
pub fn bind_response(_model: &ServiceModel, _output_shape: &Shape, _output: &Value, _response: &mut HttpResponse) {}

/// True when the member is carried outside the body (uri, querystring, header(s), statusCode).
pub fn is_http_bound(member: &crate::model::ShapeRef) -> bool {
    member.location.is_some()
}
