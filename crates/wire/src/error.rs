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
