//! An identity provider's SAML metadata (SAML metadata §2.4.3): its entity id and the
//! certificates it signs with.

use crate::{
    datetime,
    signature::DSIG_NAMESPACE,
    xml::{Document, NodeId},
    Error,
};

pub const METADATA_NAMESPACE: &str = "urn:oasis:names:tc:SAML:2.0:metadata";

/// What AssumeRoleWithSAML trusts a provider for.
#[derive(Debug, Clone, PartialEq)]
pub struct IdentityProviderMetadata {
    /// The `entityID`, which the `Issuer` of its responses must be.
    pub entity_id: String,
    /// DER X.509 certificates of the IdP's `KeyDescriptor`s for signing (those with
    /// `use="signing"` or no `use`).
    pub signing_certificates: Vec<Vec<u8>>,
    /// The earliest `validUntil` of the `EntityDescriptor` and the `EntitiesDescriptor`s around
    /// it (seconds since the epoch): a group's validity bounds every entity in it.
    pub valid_until: Option<f64>,
}

/// Reads the first `EntityDescriptor` with an `IDPSSODescriptor` (the document's root, or one
/// inside an `EntitiesDescriptor`).
pub fn read(text: &str) -> Result<IdentityProviderMetadata, Error> {
    let doc = Document::parse(text)?;
    let descriptor = doc
        .descendant_elements(doc.root())
        .into_iter()
        .filter(|e| doc.is(*e, METADATA_NAMESPACE, "EntityDescriptor"))
        .find(|e| doc.children_named(*e, METADATA_NAMESPACE, "IDPSSODescriptor").next().is_some())
        .ok_or_else(|| Error::Malformed("no EntityDescriptor with an IDPSSODescriptor".to_owned()))?;
    let entity_id = doc
        .attribute(descriptor, "entityID")
        .filter(|id| !id.is_empty())
        .ok_or_else(|| Error::Malformed("the EntityDescriptor has no entityID".to_owned()))?
        .to_owned();
    let mut signing_certificates = Vec::new();
    for sso in doc.children_named(descriptor, METADATA_NAMESPACE, "IDPSSODescriptor") {
        for key in doc.children_named(sso, METADATA_NAMESPACE, "KeyDescriptor") {
            if doc.attribute(key, "use").is_some_and(|usage| usage != "signing") {
                continue;
            }
            for certificate in certificates_of(&doc, key) {
                signing_certificates.push(certificate?);
            }
        }
    }
    if signing_certificates.is_empty() {
        return Err(Error::Malformed("no signing certificate".to_owned()));
    }
    let mut valid_until: Option<f64> = None;
    let mut at = Some(descriptor);
    while let Some(element) = at {
        if let Some(text) = doc.attribute(element, "validUntil") {
            let time = datetime::parse(text).ok_or_else(|| Error::Malformed(format!("validUntil {text} is not a time")))?;
            valid_until = Some(valid_until.map_or(time, |earlier| earlier.min(time)));
        }
        at = doc.parent(element);
    }
    Ok(IdentityProviderMetadata { entity_id, signing_certificates, valid_until })
}

fn certificates_of(doc: &Document, key_descriptor: NodeId) -> Vec<Result<Vec<u8>, Error>> {
    use base64::{engine::general_purpose::STANDARD, Engine};
    let key_infos = doc.children_named(key_descriptor, DSIG_NAMESPACE, "KeyInfo");
    let data = key_infos.flat_map(|info| doc.children_named(info, DSIG_NAMESPACE, "X509Data"));
    data.flat_map(|data| doc.children_named(data, DSIG_NAMESPACE, "X509Certificate"))
        .map(|certificate| {
            let text: String = doc.text(certificate).split_ascii_whitespace().collect();
            let der = STANDARD.decode(text).map_err(|_| Error::Malformed("a certificate is not base64".to_owned()))?;
            x509_parser::parse_x509_certificate(&der).map_err(|_| Error::Malformed("a certificate is not X.509".to_owned()))?;
            Ok(der)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn document(key_descriptors: &str) -> String {
        format!(
            r#"<md:EntitiesDescriptor xmlns:md="{METADATA_NAMESPACE}" xmlns:ds="{DSIG_NAMESPACE}"><md:EntityDescriptor entityID="https://sp.example.com"><md:SPSSODescriptor/></md:EntityDescriptor><md:EntityDescriptor entityID="https://idp.example.com"><md:IDPSSODescriptor>{key_descriptors}</md:IDPSSODescriptor></md:EntityDescriptor></md:EntitiesDescriptor>"#
        )
    }

    fn key_descriptor(usage: &str, certificate: &str) -> String {
        format!(r#"<md:KeyDescriptor {usage}><ds:KeyInfo><ds:X509Data><ds:X509Certificate>{certificate}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"#)
    }

    #[test]
    fn encryption_keys_are_not_signing_keys() {
        let only_encryption = document(&key_descriptor(r#"use="encryption""#, "not even base64"));
        assert_eq!(read(&only_encryption), Err(Error::Malformed("no signing certificate".to_owned())));
    }

    #[test]
    fn the_earliest_valid_until_of_the_entity_and_its_groups_bounds_the_metadata() {
        let entity = include_str!("../tests/fixtures/metadata.xml");
        assert_eq!(read(entity).unwrap().valid_until, None);
        let entity = entity.replacen("<md:EntityDescriptor ", r#"<md:EntityDescriptor validUntil="2031-01-01T00:00:00Z" "#, 1);
        let grouped = format!(r#"<md:EntitiesDescriptor xmlns:md="{METADATA_NAMESPACE}" validUntil="2030-01-02T00:00:00Z">{entity}</md:EntitiesDescriptor>"#);
        assert_eq!(read(&entity).unwrap().valid_until, datetime::parse("2031-01-01T00:00:00Z"));
        assert_eq!(read(&grouped).unwrap().valid_until, datetime::parse("2030-01-02T00:00:00Z"));
        let unreadable = grouped.replacen("2030-01-02T00:00:00Z", "soon", 1);
        assert_eq!(read(&unreadable), Err(Error::Malformed("validUntil soon is not a time".to_owned())));
    }

    #[test]
    fn the_identity_provider_is_found_among_several_entities_and_its_certificates_must_be_x509() {
        let not_x509 = document(&key_descriptor("", "AAAA"));
        assert_eq!(read(&not_x509), Err(Error::Malformed("a certificate is not X.509".to_owned())));
        assert!(matches!(read("<md:EntityDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\"/>"), Err(Error::Malformed(_))));
    }
}
