//! Certificates as a pure engine: key pairs (generated, or read from the PEM forms OpenSSL
//! writes), certificates issued by a CA for a key or a CSR, certificate reading, chain and
//! key-match checks, certificate revocation lists, and passphrase-encrypted PKCS#8 keys.
//!
//! Times are Unix seconds; certificates, CSRs and CRLs go in and out as DER, with PEM helpers.

mod authority;
mod encrypted_key;
mod error;
mod keys;
mod names;
mod reading;

pub use authority::{
    certificate_signing_request, read_csr, self_signed_ca, CertificateAuthority, CertificateProfile, CsrSummary,
    Revocation,
};
pub use error::X509Error;
pub use keys::{KeyAlgorithm, PrivateKey, SigningAlgorithm};
pub use names::{NameAttribute, Subject};
pub use reading::{
    certificates_from_pem, der_to_pem, inspect, key_matches, random_serial, verify_chain, CertificateSummary,
    ExtendedKeyUsage, KeyUsage,
};

/// When a certificate is valid, in Unix seconds, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Validity {
    pub not_before: i64,
    pub not_after: i64,
}
