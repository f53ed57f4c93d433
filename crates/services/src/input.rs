//! Reading a canonical input into a service's own request type.

use serde::de::DeserializeOwned;
use serde_json::Value;
use wire::ApiError;

/// The input as `T`. The pipeline has validated it against the model already, so a mismatch
/// here is a member the model allows but the service does not understand.
pub fn from_input<T: DeserializeOwned>(input: Value) -> Result<T, ApiError> {
    serde_json::from_value(input).map_err(|e| ApiError::new("ValidationException", 400, format!("Invalid request: {e}")))
}

/// A string member of the input, if present.
pub fn text<'v>(input: &'v Value, member: &str) -> Option<&'v str> {
    input.get(member).and_then(Value::as_str)
}

/// A string member the model requires; the pipeline has checked it is there, so its absence is
/// a request the model allows but the service cannot serve.
pub fn required<'v>(input: &'v Value, member: &str) -> Result<&'v str, ApiError> {
    text(input, member).ok_or_else(|| ApiError::new("ValidationError", 400, format!("{member} is required")))
}
