//! Errors in building a request.

use std::fmt;

/// Why a request or one of its context values was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContextError {
    /// The action is not of the form `service:Operation`.
    InvalidAction(String),
    /// A typed context value (the simulator's `ContextEntries`) does not parse as its type.
    InvalidContextValue {
        /// The context key.
        key: String,
        /// The declared type, in the simulator's spelling (`ip`, `numeric`, ...).
        key_type: &'static str,
        /// The offending value.
        value: String,
    },
}

impl fmt::Display for ContextError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ContextError::InvalidAction(action) => {
                write!(f, "Action {action} must be of the form service:action")
            }
            ContextError::InvalidContextValue {
                key,
                key_type,
                value,
            } => {
                write!(
                    f,
                    "Invalid value {value} for context key {key} of type {key_type}"
                )
            }
        }
    }
}

impl std::error::Error for ContextError {}
