//! A SAML `Response` as AssumeRoleWithSAML accepts it: successful, carrying exactly one
//! assertion, signed by the provider (the response, the assertion, or both), and issued by
//! the provider.
//!
//! Against signature wrapping, a signature counts only for the element it is a direct child
//! of, and its reference must name that element: so the assertion read is always the one
//! whose bytes were verified (or the one inside the verified response). A second assertion
//! anywhere in the document, IDs given twice and encrypted assertions are refused outright.

use std::collections::HashSet;

use crate::{
    assertion::{Assertion, ASSERTION_NAMESPACE},
    metadata::IdentityProviderMetadata,
    signature::{self, DSIG_NAMESPACE},
    xml::{Document, NodeId},
    Error,
};

pub const PROTOCOL_NAMESPACE: &str = "urn:oasis:names:tc:SAML:2.0:protocol";
const SUCCESS: &str = "urn:oasis:names:tc:SAML:2.0:status:Success";

/// Verifies a decoded SAML response against the provider's metadata and reads its assertion.
/// Times and audiences are not judged here: see [`Assertion::check`].
pub fn verify(text: &str, provider: &IdentityProviderMetadata) -> Result<Assertion, Error> {
    let doc = Document::parse(text)?;
    let response = doc.root();
    if !doc.is(response, PROTOCOL_NAMESPACE, "Response") {
        return Err(Error::Malformed("the document is not a SAML Response".to_owned()));
    }
    let elements = doc.descendant_elements(response);
    let mut ids = HashSet::new();
    if elements.iter().filter_map(|e| doc.attribute(*e, "ID")).any(|id| !ids.insert(id)) {
        return Err(Error::Malformed("an ID is given to more than one element".to_owned()));
    }
    let status = doc.only_child(response, PROTOCOL_NAMESPACE, "Status")?;
    let status_code = doc.only_child(status, PROTOCOL_NAMESPACE, "StatusCode")?;
    let status_value = doc.attribute(status_code, "Value").unwrap_or_default();
    if status_value != SUCCESS {
        return Err(Error::Rejected { status: status_value.to_owned() });
    }
    if elements.iter().any(|e| doc.is(*e, ASSERTION_NAMESPACE, "EncryptedAssertion")) {
        return Err(Error::Malformed("encrypted assertions are not supported".to_owned()));
    }
    let assertions: Vec<NodeId> = elements.iter().copied().filter(|e| doc.is(*e, ASSERTION_NAMESPACE, "Assertion")).collect();
    let [assertion] = assertions[..] else {
        return Err(Error::Malformed(format!("the response carries {} assertions, not one", assertions.len())));
    };
    if doc.parent(assertion) != Some(response) {
        return Err(Error::Malformed("the assertion is not a child of the response".to_owned()));
    }
    let response_signature = signature_of(&doc, response)?;
    let assertion_signature = signature_of(&doc, assertion)?;
    if response_signature.is_none() && assertion_signature.is_none() {
        return Err(Error::Unsigned);
    }
    for signature in response_signature.into_iter().chain(assertion_signature) {
        signature::verify_enveloped(&doc, signature, &provider.signing_certificates)?;
    }
    let read = Assertion::read(&doc, assertion)?;
    let response_issuer = doc.children_named(response, ASSERTION_NAMESPACE, "Issuer").next().map(|i| doc.text(i));
    if read.issuer != provider.entity_id || response_issuer.is_some_and(|issuer| issuer.trim() != read.issuer) {
        return Err(Error::IssuerMismatch { issuer: read.issuer });
    }
    Ok(read)
}

/// The `ds:Signature` child of `element`, when it has one.
fn signature_of(doc: &Document, element: NodeId) -> Result<Option<NodeId>, Error> {
    let mut signatures = doc.children_named(element, DSIG_NAMESPACE, "Signature");
    match (signatures.next(), signatures.next()) {
        (_, Some(_)) => Err(Error::Malformed("an element carries two signatures".to_owned())),
        (signature, None) => Ok(signature),
    }
}
