//! XML-DSig verification of an enveloped signature, as SAML uses it (SAML core §5.4): one
//! `Reference` to the ID of the element the `Signature` sits in, the enveloped-signature
//! transform and exclusive canonicalization, checked with an identity provider's signing
//! certificates.
//!
//! The `KeyInfo` a signature carries is never read: a key in the message proves nothing about
//! who signed it, so only the certificates of the provider's metadata are tried.

use base64::{engine::general_purpose::STANDARD, Engine};
use ring::{digest, signature as ring_signature};

use crate::{
    c14n::ExclusiveCanonicalization,
    xml::{Document, NodeId},
    Error,
};

pub const DSIG_NAMESPACE: &str = "http://www.w3.org/2000/09/xmldsig#";
const ENVELOPED_SIGNATURE: &str = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";

fn digest_algorithm(uri: &str) -> Result<&'static digest::Algorithm, Error> {
    Ok(match uri {
        "http://www.w3.org/2000/09/xmldsig#sha1" => &digest::SHA1_FOR_LEGACY_USE_ONLY,
        "http://www.w3.org/2001/04/xmlenc#sha256" => &digest::SHA256,
        "http://www.w3.org/2001/04/xmldsig-more#sha384" => &digest::SHA384,
        "http://www.w3.org/2001/04/xmlenc#sha512" => &digest::SHA512,
        _ => return Err(Error::UnsupportedAlgorithm(uri.to_owned())),
    })
}

/// RSA keys from 1024 bits are accepted because IAM accepts such certificates in metadata.
fn signature_algorithm(uri: &str) -> Result<&'static dyn ring_signature::VerificationAlgorithm, Error> {
    Ok(match uri {
        "http://www.w3.org/2000/09/xmldsig#rsa-sha1" => &ring_signature::RSA_PKCS1_1024_8192_SHA1_FOR_LEGACY_USE_ONLY,
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256" => &ring_signature::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY,
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384" => &ring_signature::RSA_PKCS1_2048_8192_SHA384,
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512" => &ring_signature::RSA_PKCS1_1024_8192_SHA512_FOR_LEGACY_USE_ONLY,
        // XML-DSig's ECDSA SignatureValue is r and s concatenated (RFC 4051 §3.3).
        "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256" => &ring_signature::ECDSA_P256_SHA256_FIXED,
        "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384" => &ring_signature::ECDSA_P384_SHA384_FIXED,
        _ => return Err(Error::UnsupportedAlgorithm(uri.to_owned())),
    })
}

fn algorithm_of(doc: &Document, element: NodeId) -> Result<&str, Error> {
    doc.attribute(element, "Algorithm").ok_or_else(|| Error::Malformed("an algorithm is not named".to_owned()))
}

/// More prefixes on an `InclusiveNamespaces` list are refused: IdPs name a handful (`xs`, `xsi`,
/// `#default`), and canonicalization does work for every listed prefix at every element, so a
/// long list would make a small response costly to digest.
const MAX_INCLUSIVE_PREFIXES: usize = 64;

/// The exclusive canonicalization an element with an `Algorithm` names, with the
/// `PrefixList` of its `InclusiveNamespaces` child.
fn canonicalization_of(doc: &Document, element: NodeId) -> Result<ExclusiveCanonicalization, Error> {
    let algorithm = algorithm_of(doc, element)?;
    let prefix_list = doc
        .children_named(element, crate::c14n::EXCLUSIVE, "InclusiveNamespaces")
        .next()
        .and_then(|list| doc.attribute(list, "PrefixList"));
    if prefix_list.is_some_and(|list| list.split_ascii_whitespace().count() > MAX_INCLUSIVE_PREFIXES) {
        return Err(Error::Malformed(format!("an InclusiveNamespaces PrefixList names more than {MAX_INCLUSIVE_PREFIXES} prefixes")));
    }
    ExclusiveCanonicalization::named(algorithm, prefix_list).ok_or_else(|| Error::UnsupportedAlgorithm(algorithm.to_owned()))
}

fn base64_content(doc: &Document, element: NodeId) -> Result<Vec<u8>, Error> {
    let text: String = doc.text(element).split_ascii_whitespace().collect();
    STANDARD.decode(text).map_err(|_| Error::Malformed("a value is not base64".to_owned()))
}

/// Verifies `signature`, a `ds:Signature` element, as the enveloped signature of the element
/// it is a child of, with one of `certificates` (DER X.509).
pub fn verify_enveloped(doc: &Document, signature: NodeId, certificates: &[Vec<u8>]) -> Result<(), Error> {
    let signed = doc.parent(signature).ok_or_else(|| Error::Malformed("the signature is the whole document".to_owned()))?;
    let signed_info = doc.only_child(signature, DSIG_NAMESPACE, "SignedInfo")?;
    let signature_value = base64_content(doc, doc.only_child(signature, DSIG_NAMESPACE, "SignatureValue")?)?;
    let signed_info_canonicalization =
        canonicalization_of(doc, doc.only_child(signed_info, DSIG_NAMESPACE, "CanonicalizationMethod")?)?;
    let signature_algorithm = signature_algorithm(algorithm_of(doc, doc.only_child(signed_info, DSIG_NAMESPACE, "SignatureMethod")?)?)?;
    let reference = doc.only_child(signed_info, DSIG_NAMESPACE, "Reference")?;

    // A same-document reference by bare name, to this very element: the signature signs what
    // it is in, so no other element with the same ID can be substituted for it.
    let signed_id = doc.attribute(signed, "ID").filter(|id| !id.is_empty());
    let uri = doc.attribute(reference, "URI");
    if signed_id.is_none() || uri.and_then(|u| u.strip_prefix('#')) != signed_id {
        return Err(Error::SignatureInvalid("the signature does not reference the element it is in"));
    }
    let transforms: Vec<NodeId> = match doc.children_named(reference, DSIG_NAMESPACE, "Transforms").next() {
        Some(list) => doc.children_named(list, DSIG_NAMESPACE, "Transform").collect(),
        None => Vec::new(),
    };
    let [enveloped, canonicalization] = transforms[..] else {
        return Err(Error::UnsupportedAlgorithm("transforms other than enveloped-signature and exclusive c14n".to_owned()));
    };
    if algorithm_of(doc, enveloped)? != ENVELOPED_SIGNATURE {
        return Err(Error::UnsupportedAlgorithm(algorithm_of(doc, enveloped)?.to_owned()));
    }
    let mut reference_canonicalization = canonicalization_of(doc, canonicalization)?;
    // A bare-name reference (`#id`) selects the element without its comments (XML-DSig
    // §4.4.3.3), so even the WithComments algorithm finds none to render.
    reference_canonicalization.with_comments = false;
    let digest_algorithm = digest_algorithm(algorithm_of(doc, doc.only_child(reference, DSIG_NAMESPACE, "DigestMethod")?)?)?;
    let digest_value = base64_content(doc, doc.only_child(reference, DSIG_NAMESPACE, "DigestValue")?)?;

    let signed_bytes = reference_canonicalization.canonicalize(doc, signed, Some(signature));
    if digest::digest(digest_algorithm, &signed_bytes).as_ref() != digest_value.as_slice() {
        return Err(Error::SignatureInvalid("the digest of the signed element does not match"));
    }
    let signed_info_bytes = signed_info_canonicalization.canonicalize(doc, signed_info, None);
    let verifies = certificates.iter().any(|certificate| {
        public_key(certificate).is_some_and(|key| {
            ring_signature::UnparsedPublicKey::new(signature_algorithm, key).verify(&signed_info_bytes, &signature_value).is_ok()
        })
    });
    if verifies {
        Ok(())
    } else {
        Err(Error::SignatureInvalid("no signing certificate of the provider verifies the signature"))
    }
}

/// The subject public key of a DER certificate: a PKCS#1 RSA key or an uncompressed EC
/// point, as ring reads them.
fn public_key(certificate: &[u8]) -> Option<Vec<u8>> {
    let (_, parsed) = x509_parser::parse_x509_certificate(certificate).ok()?;
    Some(parsed.public_key().subject_public_key.data.to_vec())
}
