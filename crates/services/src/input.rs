//! Reading a canonical input into a service's own request type.

use serde::de::DeserializeOwned;
use serde_json::Value;
use wire::ApiError;

/// The input as `T`. The pipeline has validated it against the model already, so a mismatch
/// here is a member the model allows but the service does not understand.
pub fn from_input<T: DeserializeOwned>(input: Value) -> Result<T, ApiError> {
    serde_json::from_value(input).map_err(|e| ApiError::new("ValidationException", 400, format!("Invalid request: {e}")))
}
