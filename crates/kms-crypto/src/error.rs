//! The one error type of the engine, shaped after the KMS exceptions the service returns.

use std::fmt;

/// Why a cryptographic operation was refused.
///
/// Each variant corresponds to one KMS exception, so the service maps it to the wire without
/// reinterpreting it ([`CryptoError::aws_error_code`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CryptoError {
    /// The ciphertext was altered, truncated, made under another encryption context or cannot be
    /// decrypted with this material (`InvalidCiphertextException`). Deliberately carries no detail:
    /// telling a caller which check failed would help forge ciphertexts.
    InvalidCiphertext,
    /// The ciphertext names a different KMS key from the one the caller asked for
    /// (`IncorrectKeyException`).
    IncorrectKey,
    /// The key cannot be used for this operation or with this algorithm
    /// (`InvalidKeyUsageException`).
    InvalidKeyUsage(String),
    /// The operation is not supported for this key spec or input (`UnsupportedOperationException`).
    UnsupportedOperation(String),
    /// A parameter breaks a documented constraint: a length, a range, an unknown name
    /// (`ValidationException`).
    ValidationFailure(String),
    /// The machine could not do the work, e.g. the system random source failed
    /// (`KMSInternalException`). Never caused by the caller's input.
    Internal(String),
}

impl CryptoError {
    /// The AWS error code the KMS service answers for this error.
    pub fn aws_error_code(&self) -> &'static str {
        match self {
            CryptoError::InvalidCiphertext => "InvalidCiphertextException",
            CryptoError::IncorrectKey => "IncorrectKeyException",
            CryptoError::InvalidKeyUsage(_) => "InvalidKeyUsageException",
            CryptoError::UnsupportedOperation(_) => "UnsupportedOperationException",
            CryptoError::ValidationFailure(_) => "ValidationException",
            CryptoError::Internal(_) => "KMSInternalException",
        }
    }
}

impl fmt::Display for CryptoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CryptoError::InvalidCiphertext => f.write_str(
                "the ciphertext is invalid, was altered, or was made under a different key or encryption context",
            ),
            CryptoError::IncorrectKey => f.write_str(
                "the key ID in the request does not identify the KMS key that encrypted the ciphertext",
            ),
            CryptoError::InvalidKeyUsage(message)
            | CryptoError::UnsupportedOperation(message)
            | CryptoError::ValidationFailure(message)
            | CryptoError::Internal(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for CryptoError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_names_its_kms_exception() {
        let errors = [
            (CryptoError::InvalidCiphertext, "InvalidCiphertextException"),
            (CryptoError::IncorrectKey, "IncorrectKeyException"),
            (
                CryptoError::InvalidKeyUsage(String::new()),
                "InvalidKeyUsageException",
            ),
            (
                CryptoError::UnsupportedOperation(String::new()),
                "UnsupportedOperationException",
            ),
            (
                CryptoError::ValidationFailure(String::new()),
                "ValidationException",
            ),
            (CryptoError::Internal(String::new()), "KMSInternalException"),
        ];
        for (error, code) in errors {
            assert_eq!(error.aws_error_code(), code);
        }
    }
}
