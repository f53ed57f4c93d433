//! The one error type of the engine.

use std::fmt;

/// Why a certificate, key, CSR or CRL could not be read, checked or made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum X509Error {
    /// The input is not the PEM or DER structure it should be.
    Malformed(String),
    /// The input is well formed but uses something this engine does not support.
    Unsupported(String),
    /// A signature or a key does not check out.
    Invalid(String),
    /// Building or signing failed inside the cryptography (not the caller's input).
    Internal(String),
}

impl X509Error {
    pub fn message(&self) -> &str {
        match self {
            X509Error::Malformed(m) | X509Error::Unsupported(m) | X509Error::Invalid(m) | X509Error::Internal(m) => m,
        }
    }
}

impl fmt::Display for X509Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for X509Error {}

pub(crate) fn internal(context: &str) -> impl Fn(rcgen::Error) -> X509Error + '_ {
    move |e| X509Error::Internal(format!("{context}: {e}"))
}
