//! One module per key family: generation, PKCS#8 parsing, public keys and the raw primitives
//! the operation modules dispatch to.

pub(crate) mod ecc;
pub(crate) mod ed25519;
pub(crate) mod ml_dsa;
pub(crate) mod rsa;

use crate::CryptoError;

/// The error for stored or imported material that does not parse as the key spec says.
pub(crate) fn invalid_material(what: &str) -> CryptoError {
    CryptoError::ValidationFailure(format!(
        "the key material is not a valid {what} private key"
    ))
}

/// The error for a library failure that input cannot cause (encoding a key we just made).
pub(crate) fn internal(what: &str, error: impl std::fmt::Display) -> CryptoError {
    CryptoError::Internal(format!("{what}: {error}"))
}
