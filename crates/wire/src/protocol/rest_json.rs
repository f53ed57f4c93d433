//! restJson1: operations bound to HTTP method and URI; members in path, query, headers and a JSON body.

use serde_json::Value;

use super::{HttpRequest, HttpResponse};
use crate::{error::ApiError, model::{Operation, ServiceModel}};

pub fn decode_request(_model: &ServiceModel, _operation: &Operation, _request: &HttpRequest<'_>) -> Result<Value, ApiError> {
    Err(ApiError::internal("protocol decoding is not built yet"))
}

pub fn encode_response(_model: &ServiceModel, _operation: &Operation, _output: &Value, ) -> HttpResponse {
    HttpResponse { status: 500, headers: vec![], body: vec![] }
}

pub fn encode_error(_model: Option<&ServiceModel>, _error: &ApiError, ) -> HttpResponse {
    HttpResponse { status: 500, headers: vec![], body: vec![] }
}
