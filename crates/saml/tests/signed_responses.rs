//! SAML responses signed by third parties: signxml on lxml (libxml2's canonicalization), and
//! xmlsec1 for RSA-SHA1, written once by crates/palisade/tests/python/saml_idp.py (`fixtures`).
//! The metadata names an RSA and an ECDSA signing certificate; `other-key-signed.xml` is signed
//! by a key it does not name, whose certificate the response carries in its KeyInfo.

use saml::{metadata, response, Error};

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn provider() -> saml::IdentityProviderMetadata {
    metadata::read(&fixture("metadata.xml")).unwrap()
}

fn verify(document: &str) -> Result<saml::Assertion, Error> {
    response::verify(document, &provider())
}

const ROLE: &str = "arn:aws:iam::111122223333:role/Dev";
const PROVIDER: &str = "arn:aws:iam::111122223333:saml-provider/Corp";

#[test]
fn metadata_names_the_entity_and_its_signing_certificates() {
    let provider = provider();
    assert_eq!(provider.entity_id, "https://idp.example.com/saml");
    assert_eq!(provider.signing_certificates.len(), 2);
}

#[test]
fn a_signed_assertion_verifies_and_gives_its_facts() {
    let assertion = verify(&fixture("assertion-signed.xml")).unwrap();
    assert_eq!(assertion.issuer, "https://idp.example.com/saml");
    assert_eq!(assertion.subject, "alice");
    assert_eq!(assertion.subject_type(), "persistent");
    assert_eq!(assertion.recipient, "https://signin.aws.amazon.com/saml");
    assert!(assertion.pairs_role_with_provider(ROLE, PROVIDER));
    assert_eq!(assertion.role_session_name(), Some("alice@example.com"));
}

#[test]
fn a_signed_response_covers_its_unsigned_assertion() {
    assert_eq!(verify(&fixture("response-signed.xml")).unwrap().subject, "alice");
}

#[test]
fn both_signatures_must_verify_when_both_are_there() {
    let document = fixture("both-signed.xml");
    assert!(verify(&document).is_ok());
    // Changing the response outside the assertion breaks only the response's signature.
    let changed = document.replacen(r#"Destination="https://signin.aws.amazon.com/saml""#, r#"Destination="https://x""#, 1);
    assert!(matches!(verify(&changed), Err(Error::SignatureInvalid(_))));
}

#[test]
fn an_ecdsa_sha256_signature_verifies() {
    assert!(verify(&fixture("ecdsa-signed.xml")).is_ok());
}

#[test]
fn an_rsa_sha1_signature_with_a_sha1_digest_verifies() {
    // xmlsec1 leaves line breaks in SignedInfo and wraps the base64 of SignatureValue.
    assert_eq!(verify(&fixture("xmlsec1-rsa-sha1.xml")).unwrap().subject, "alice");
}

#[test]
fn signed_info_is_canonicalized_with_its_inclusive_namespace_prefixes() {
    assert!(verify(&fixture("inclusive-prefixes.xml")).is_ok());
}

#[test]
fn a_changed_attribute_breaks_the_digest() {
    let tampered = fixture("assertion-signed.xml").replace("alice@example.com", "admin@example.com");
    assert_eq!(verify(&tampered).unwrap_err(), Error::SignatureInvalid("the digest of the signed element does not match"));
}

#[test]
fn a_changed_signature_value_does_not_verify() {
    let document = fixture("assertion-signed.xml");
    let start = document.find("<ds:SignatureValue>").unwrap() + "<ds:SignatureValue>".len();
    let flipped = if &document[start..start + 1] == "A" { "B" } else { "A" };
    let forged = format!("{}{flipped}{}", &document[..start], &document[start + 1..]);
    assert_eq!(verify(&forged).unwrap_err(), Error::SignatureInvalid("no signing certificate of the provider verifies the signature"));
}

#[test]
fn a_key_the_metadata_does_not_name_is_not_trusted_even_with_its_certificate_in_key_info() {
    assert_eq!(
        verify(&fixture("other-key-signed.xml")).unwrap_err(),
        Error::SignatureInvalid("no signing certificate of the provider verifies the signature")
    );
}

#[test]
fn comments_inside_a_value_neither_break_the_signature_nor_cut_the_value() {
    // Comments are not part of a bare-name reference's node-set, so the signature still
    // verifies, and the subject read is the whole text, not what precedes the comment.
    let commented = fixture("assertion-signed.xml").replacen(">alice</saml:NameID>", ">alice<!-- .evil -->.example</saml:NameID>", 1);
    assert!(matches!(verify(&commented), Err(Error::SignatureInvalid(_))), "the text changed, so the digest does");
    let comment_only = fixture("assertion-signed.xml").replacen(">alice</saml:NameID>", ">ali<!-- c -->ce</saml:NameID>", 1);
    assert_eq!(verify(&comment_only).unwrap().subject, "alice");
}

#[test]
fn a_second_unsigned_assertion_is_refused() {
    let document = fixture("assertion-signed.xml");
    let start = document.find("<saml:Assertion ").unwrap();
    let end = document.find("</saml:Assertion>").unwrap() + "</saml:Assertion>".len();
    let forged = document[start..end].replacen(r#"ID="_assertion1""#, r#"ID="_forged""#, 1).replace(">alice<", ">mallory<");
    let appended = format!("{}{forged}{}", &document[..end], &document[end..]);
    assert!(matches!(verify(&appended), Err(Error::Malformed(_))));
}

#[test]
fn a_signed_assertion_moved_aside_for_a_forged_one_is_refused() {
    // The classic wrapping: the signed assertion kept inside Extensions, where a verifier
    // that looks IDs up still finds it, and a forged one in its place.
    let document = fixture("assertion-signed.xml");
    let start = document.find("<saml:Assertion ").unwrap();
    let end = document.find("</saml:Assertion>").unwrap() + "</saml:Assertion>".len();
    let signed = &document[start..end];
    let signature_start = signed.find("<ds:Signature ").unwrap();
    let signature_end = signed.find("</ds:Signature>").unwrap() + "</ds:Signature>".len();
    let forged = format!("{}{}", &signed[..signature_start], &signed[signature_end..]).replace(">alice<", ">mallory<");
    let wrapped = format!("{}<samlp:Extensions>{signed}</samlp:Extensions>{forged}{}", &document[..start], &document[end..]);
    assert!(verify(&wrapped).is_err());
    // Even with the IDs swapped so that the forged assertion holds the signed ID.
    let swapped = wrapped.replacen(r#"ID="_assertion1""#, r#"ID="_moved""#, 1);
    assert!(verify(&swapped).is_err());
}

#[test]
fn an_unsigned_response_is_refused() {
    let document = fixture("assertion-signed.xml");
    let start = document.find("<ds:Signature ").unwrap();
    let end = document.find("</ds:Signature>").unwrap() + "</ds:Signature>".len();
    let unsigned = format!("{}{}", &document[..start], &document[end..]);
    assert_eq!(verify(&unsigned).unwrap_err(), Error::Unsigned);
}

#[test]
fn a_signature_for_another_element_does_not_count() {
    let moved = fixture("assertion-signed.xml").replacen(r##"URI="#_assertion1""##, r##"URI="#_response1""##, 1);
    assert_eq!(verify(&moved).unwrap_err(), Error::SignatureInvalid("the signature does not reference the element it is in"));
}

#[test]
fn another_issuer_is_not_the_provider() {
    let mut other = provider();
    other.entity_id = "https://other.example.com".to_owned();
    assert!(matches!(response::verify(&fixture("assertion-signed.xml"), &other), Err(Error::IssuerMismatch { .. })));
}

#[test]
fn a_document_type_declaration_is_refused_before_anything_is_read() {
    let with_doctype = format!("<!DOCTYPE r [<!ENTITY e \"x\">]>{}", fixture("assertion-signed.xml"));
    assert_eq!(verify(&with_doctype).unwrap_err(), Error::DocumentTypeDeclaration);
}

#[test]
fn a_failed_status_is_the_providers_rejection() {
    let failed = fixture("assertion-signed.xml").replace("status:Success", "status:Responder");
    assert_eq!(verify(&failed).unwrap_err(), Error::Rejected { status: "urn:oasis:names:tc:SAML:2.0:status:Responder".to_owned() });
}

#[test]
fn a_long_inclusive_namespaces_list_is_refused_before_anything_is_canonicalized() {
    let prefixes: Vec<String> = (0..65).map(|i| format!("p{i}")).collect();
    let document = fixture("inclusive-prefixes.xml").replacen(r#"PrefixList="xs xsi""#, &format!(r#"PrefixList="{}""#, prefixes.join(" ")), 1);
    assert_eq!(verify(&document).unwrap_err(), Error::Malformed("an InclusiveNamespaces PrefixList names more than 64 prefixes".to_owned()));
}
