//! SAML 2.0 for AssumeRoleWithSAML, as a pure engine: no I/O.
//!
//! [`metadata::read`] takes an identity provider's metadata apart (its entity id and signing
//! certificates); [`response::verify`] checks a SAML response against it, XML signature
//! included, and returns the one signed [`Assertion`], whose [`Assertion::check`] judges its
//! times and audience. The XML is read by [`xml`] (document type declarations refused),
//! canonicalized by [`c14n`] (exclusive canonicalization) and verified by [`signature`].

pub mod assertion;
pub mod c14n;
mod datetime;
pub mod metadata;
pub mod response;
pub mod signature;
pub mod xml;

pub use assertion::Assertion;
pub use metadata::IdentityProviderMetadata;

use std::fmt;

/// Why a response or metadata document is not accepted.
#[derive(Debug, Clone, PartialEq)]
pub enum Error {
    /// Not well-formed XML, or XML with undeclared prefixes.
    Xml(String),
    /// A `<!DOCTYPE ...>`: refused, so that no entity expands and nothing is declared an ID.
    DocumentTypeDeclaration,
    /// A reference to an entity other than XML's five predefined ones.
    EntityReference(String),
    /// Well-formed XML that is not the SAML document expected.
    Malformed(String),
    /// A canonicalization, transform, digest or signature algorithm this engine does not do.
    UnsupportedAlgorithm(String),
    /// Neither the response nor its assertion is signed.
    Unsigned,
    /// A signature that does not verify: a digest that does not match, a reference to
    /// another element, or no certificate of the provider that verifies it.
    SignatureInvalid(&'static str),
    /// The assertion's issuer is not the provider's entity id.
    IssuerMismatch { issuer: String },
    /// The identity provider answered with a status other than success.
    Rejected { status: String },
    /// The assertion or its subject confirmation has expired.
    Expired { not_on_or_after: f64 },
    NotYetValid { not_before: f64 },
    /// Not for an AWS audience, or not to be presented to AWS's sign-in endpoint.
    WrongAudience(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Xml(reason) => write!(f, "not well-formed XML: {reason}"),
            Error::DocumentTypeDeclaration => write!(f, "document type declarations are not accepted"),
            Error::EntityReference(name) => write!(f, "the entity {name} is not one of XML's predefined entities"),
            Error::Malformed(reason) => write!(f, "{reason}"),
            Error::UnsupportedAlgorithm(algorithm) => write!(f, "the algorithm {algorithm} is not supported"),
            Error::Unsigned => write!(f, "neither the response nor its assertion is signed"),
            Error::SignatureInvalid(reason) => write!(f, "{reason}"),
            Error::IssuerMismatch { issuer } => write!(f, "the issuer {issuer} is not the provider's"),
            Error::Rejected { status } => write!(f, "the identity provider answered {status}"),
            Error::Expired { .. } => write!(f, "the assertion has expired"),
            Error::NotYetValid { .. } => write!(f, "the assertion is not valid yet"),
            Error::WrongAudience(reason) => write!(f, "{reason}"),
        }
    }
}

impl std::error::Error for Error {}
