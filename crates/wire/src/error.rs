//! An error as AWS reports it: a code, an HTTP status, a message, and for modeled errors that
//! carry more, their extra members.

use std::borrow::Cow;

use serde_json::{Map, Value};

#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub code: Cow<'static, str>,
    pub status: u16,
    pub message: String,
    /// Client (Sender) or server (Receiver) fault, as query protocols report it.
    pub sender_fault: bool,
    /// Extra members of the modeled error structure, canonical JSON.
    pub fields: Map<String, Value>,
}

impl ApiError {
    pub fn new(code: impl Into<Cow<'static, str>>, status: u16, message: impl Into<String>) -> Self {
        ApiError { code: code.into(), status, message: message.into(), sender_fault: status < 500, fields: Map::new() }
    }

    pub fn with_field(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.fields.insert(name.to_owned(), value.into());
        self
    }

    /// A modeled error of `model`, with the code and HTTP status its error trait gives
    /// (400 for a client fault without one, as AWS answers).
    pub fn modeled(model: &crate::ServiceModel, shape: &str, message: impl Into<String>) -> Self {
        let error = model.shapes.get(shape).and_then(|s| s.error.as_ref());
        let code = error.and_then(|e| e.code.clone()).unwrap_or_else(|| shape.to_owned());
        let status = error.and_then(|e| e.http_status_code).unwrap_or(400);
        ApiError::new(code, status, message)
    }

    /// An operation the model knows that Palisade does not serve yet.
    pub fn not_implemented(service: &str, operation: &str) -> Self {
        ApiError::new(
            "NotImplementedException",
            501,
            format!("Palisade does not implement the {service} operation {operation} yet"),
        )
    }

    /// A request the server could not make sense of before knowing its protocol.
    pub fn unknown_operation(message: impl Into<String>) -> Self {
        ApiError::new("UnknownOperationException", 400, message)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        ApiError::new("InternalFailure", 500, message)
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for ApiError {}
