//! awsQuery: form-encoded `Action=...&Version=...` requests, XML responses wrapped in `<OpResponse><OpResult>`.

use serde_json::Value;

use super::{HttpRequest, HttpResponse};
use crate::{error::ApiError, model::{Operation, ServiceModel}};

pub fn decode_request(_model: &ServiceModel, _operation: &Operation, _request: &HttpRequest<'_>) -> Result<Value, ApiError> {
    Err(ApiError::internal("protocol decoding is not built yet"))
}

pub fn encode_response(_model: &ServiceModel, _operation: &Operation, _output: &Value, _request_id: &str) -> HttpResponse {
    HttpResponse { status: 500, headers: vec![], body: vec![] }
}

pub fn encode_error(_model: Option<&ServiceModel>, _error: &ApiError, _request_id: &str) -> HttpResponse {
    HttpResponse { status: 500, headers: vec![], body: vec![] }
}
