//! Reading certificates: what they say (names, validity, keys, usages), whether a chain's
//! signatures hold, and whether a private key belongs to a certificate.

use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::GeneralName;
use x509_parser::oid_registry::Oid;
use x509_parser::public_key::PublicKey;

use crate::keys::{KeyAlgorithm, PrivateKey};
use crate::X509Error;

/// A key usage bit, by ACM's names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyUsage {
    DigitalSignature,
    NonRepudiation,
    KeyEncipherment,
    DataEncipherment,
    KeyAgreement,
    CertificateSigning,
    CrlSigning,
    EncipherOnly,
    DecipherOnly,
}

impl KeyUsage {
    pub fn as_str(self) -> &'static str {
        match self {
            KeyUsage::DigitalSignature => "DIGITAL_SIGNATURE",
            KeyUsage::NonRepudiation => "NON_REPUDIATION",
            KeyUsage::KeyEncipherment => "KEY_ENCIPHERMENT",
            KeyUsage::DataEncipherment => "DATA_ENCIPHERMENT",
            KeyUsage::KeyAgreement => "KEY_AGREEMENT",
            KeyUsage::CertificateSigning => "CERTIFICATE_SIGNING",
            KeyUsage::CrlSigning => "CRL_SIGNING",
            KeyUsage::EncipherOnly => "ENCIPHER_ONLY",
            KeyUsage::DecipherOnly => "DECIPHER_ONLY",
        }
    }
}

/// An extended key usage: ACM's name for it (`CUSTOM` for purposes it has no name for) and its OID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtendedKeyUsage {
    pub name: &'static str,
    pub oid: String,
}

const NAMED_EXTENDED_KEY_USAGES: [(&str, &str); 10] = [
    ("TLS_WEB_SERVER_AUTHENTICATION", "1.3.6.1.5.5.7.3.1"),
    ("TLS_WEB_CLIENT_AUTHENTICATION", "1.3.6.1.5.5.7.3.2"),
    ("CODE_SIGNING", "1.3.6.1.5.5.7.3.3"),
    ("EMAIL_PROTECTION", "1.3.6.1.5.5.7.3.4"),
    ("IPSEC_END_SYSTEM", "1.3.6.1.5.5.7.3.5"),
    ("IPSEC_TUNNEL", "1.3.6.1.5.5.7.3.6"),
    ("IPSEC_USER", "1.3.6.1.5.5.7.3.7"),
    ("TIME_STAMPING", "1.3.6.1.5.5.7.3.8"),
    ("OCSP_SIGNING", "1.3.6.1.5.5.7.3.9"),
    ("ANY", "2.5.29.37.0"),
];

impl ExtendedKeyUsage {
    fn of_oid(oid: &str) -> ExtendedKeyUsage {
        let name = NAMED_EXTENDED_KEY_USAGES.iter().find(|(_, o)| *o == oid).map_or("CUSTOM", |(n, _)| n);
        ExtendedKeyUsage { name, oid: oid.to_owned() }
    }
}

/// What a certificate says, as ACM describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateSummary {
    /// Lowercase hex bytes joined by colons, as ACM and OpenSSL print serials.
    pub serial: String,
    pub subject: String,
    pub issuer: String,
    /// The subject's attributes in order, as (dotted OID, value).
    pub subject_attributes: Vec<(String, String)>,
    pub issuer_attributes: Vec<(String, String)>,
    pub common_name: Option<String>,
    pub not_before: i64,
    pub not_after: i64,
    /// The DNS names (and e-mail addresses) of the subject alternative names, in order.
    pub alternative_names: Vec<String>,
    /// `None` for a key type ACM has no name for.
    pub key_algorithm: Option<KeyAlgorithm>,
    /// ACM's name (`SHA256WITHRSA`), or the OID when it has none.
    pub signature_algorithm: String,
    pub key_usages: Vec<KeyUsage>,
    pub extended_key_usages: Vec<ExtendedKeyUsage>,
    pub is_ca: bool,
    pub self_issued: bool,
}

fn name_attributes(name: &x509_parser::x509::X509Name<'_>) -> Vec<(String, String)> {
    name.iter_attributes()
        .filter_map(|attribute| Some((attribute.attr_type().to_id_string(), attribute.as_str().ok()?.to_owned())))
        .collect()
}

fn parse(der: &[u8]) -> Result<X509Certificate<'_>, X509Error> {
    let (rest, cert) = x509_parser::parse_x509_certificate(der)
        .map_err(|e| X509Error::Malformed(format!("the certificate cannot be read: {e}")))?;
    if !rest.is_empty() {
        return Err(X509Error::Malformed("the certificate has trailing bytes".to_owned()));
    }
    Ok(cert)
}

/// Every `CERTIFICATE` block of a PEM text, as DER, in order.
pub fn certificates_from_pem(text: &str) -> Result<Vec<Vec<u8>>, X509Error> {
    let blocks = pem::parse_many(text.as_bytes()).map_err(|e| X509Error::Malformed(format!("not PEM: {e}")))?;
    if blocks.is_empty() {
        return Err(X509Error::Malformed("no PEM certificate found".to_owned()));
    }
    blocks
        .into_iter()
        .map(|block| match block.tag() {
            "CERTIFICATE" => Ok(block.into_contents()),
            other => Err(X509Error::Malformed(format!("a PEM block of type {other} is not a certificate"))),
        })
        .collect()
}

pub fn der_to_pem(der: &[u8]) -> String {
    pem::encode_config(
        &pem::Pem::new("CERTIFICATE", der.to_vec()),
        pem::EncodeConfig::new().set_line_ending(pem::LineEnding::LF),
    )
}

/// A fresh serial number: 16 random bytes, positive and without a leading zero byte.
pub fn random_serial() -> Vec<u8> {
    let mut serial = [0u8; 16];
    getrandom::fill(&mut serial).expect("the operating system's random source works");
    serial[0] = (serial[0] & 0x7f) | 0x10;
    serial.to_vec()
}

fn key_algorithm(cert: &X509Certificate<'_>) -> Option<KeyAlgorithm> {
    let spki = cert.public_key();
    match spki.parsed().ok()? {
        PublicKey::RSA(rsa) => KeyAlgorithm::of_rsa_bits(rsa.key_size()),
        PublicKey::EC(_) => {
            let curve = Oid::try_from(spki.algorithm.parameters.as_ref()?).ok()?;
            KeyAlgorithm::of_curve_oid(&curve.to_id_string())
        }
        _ => None,
    }
}

fn signature_algorithm_name(oid: &str) -> String {
    match oid {
        "1.2.840.113549.1.1.5" => "SHA1WITHRSA",
        "1.2.840.113549.1.1.11" => "SHA256WITHRSA",
        "1.2.840.113549.1.1.12" => "SHA384WITHRSA",
        "1.2.840.113549.1.1.13" => "SHA512WITHRSA",
        "1.2.840.113549.1.1.10" => "RSASSA_PSS",
        "1.2.840.10045.4.3.2" => "SHA256WITHECDSA",
        "1.2.840.10045.4.3.3" => "SHA384WITHECDSA",
        "1.2.840.10045.4.3.4" => "SHA512WITHECDSA",
        other => other,
    }
    .to_owned()
}

/// What the certificate `der` says.
pub fn inspect(der: &[u8]) -> Result<CertificateSummary, X509Error> {
    let cert = parse(der)?;
    let malformed = |what: &str| X509Error::Malformed(format!("the certificate's {what} extension cannot be read"));
    let mut alternative_names = Vec::new();
    if let Some(san) = cert.subject_alternative_name().map_err(|_| malformed("subject alternative name"))? {
        for name in &san.value.general_names {
            match name {
                GeneralName::DNSName(dns) | GeneralName::RFC822Name(dns) => alternative_names.push((*dns).to_owned()),
                _ => {}
            }
        }
    }
    let mut key_usages = Vec::new();
    if let Some(usage) = cert.key_usage().map_err(|_| malformed("key usage"))? {
        let bits = &usage.value;
        let flags = [
            (bits.digital_signature(), KeyUsage::DigitalSignature),
            (bits.non_repudiation(), KeyUsage::NonRepudiation),
            (bits.key_encipherment(), KeyUsage::KeyEncipherment),
            (bits.data_encipherment(), KeyUsage::DataEncipherment),
            (bits.key_agreement(), KeyUsage::KeyAgreement),
            (bits.key_cert_sign(), KeyUsage::CertificateSigning),
            (bits.crl_sign(), KeyUsage::CrlSigning),
            (bits.encipher_only(), KeyUsage::EncipherOnly),
            (bits.decipher_only(), KeyUsage::DecipherOnly),
        ];
        key_usages = flags.into_iter().filter(|(set, _)| *set).map(|(_, usage)| usage).collect();
    }
    let mut extended_key_usages = Vec::new();
    if let Some(eku) = cert.extended_key_usage().map_err(|_| malformed("extended key usage"))? {
        let eku = &eku.value;
        let named = [
            (eku.server_auth, "1.3.6.1.5.5.7.3.1"),
            (eku.client_auth, "1.3.6.1.5.5.7.3.2"),
            (eku.code_signing, "1.3.6.1.5.5.7.3.3"),
            (eku.email_protection, "1.3.6.1.5.5.7.3.4"),
            (eku.time_stamping, "1.3.6.1.5.5.7.3.8"),
            (eku.ocsp_signing, "1.3.6.1.5.5.7.3.9"),
            (eku.any, "2.5.29.37.0"),
        ];
        extended_key_usages.extend(named.into_iter().filter(|(set, _)| *set).map(|(_, oid)| ExtendedKeyUsage::of_oid(oid)));
        extended_key_usages.extend(eku.other.iter().map(|oid| ExtendedKeyUsage::of_oid(&oid.to_id_string())));
    }
    let common_name = cert.subject().iter_common_name().next().and_then(|cn| cn.as_str().ok()).map(str::to_owned);
    let is_ca = cert.basic_constraints().map_err(|_| malformed("basic constraints"))?.is_some_and(|bc| bc.value.ca);
    Ok(CertificateSummary {
        serial: cert.raw_serial_as_string(),
        subject: cert.subject().to_string(),
        issuer: cert.issuer().to_string(),
        subject_attributes: name_attributes(cert.subject()),
        issuer_attributes: name_attributes(cert.issuer()),
        common_name,
        not_before: cert.validity().not_before.timestamp(),
        not_after: cert.validity().not_after.timestamp(),
        alternative_names,
        key_algorithm: key_algorithm(&cert),
        signature_algorithm: signature_algorithm_name(&cert.signature_algorithm.algorithm.to_id_string()),
        key_usages,
        extended_key_usages,
        is_ca,
        self_issued: cert.subject().as_raw() == cert.issuer().as_raw(),
    })
}

/// Checks that each certificate of `[leaf, chain...]` names the next as its issuer and carries
/// its valid signature; a self-issued last certificate must carry its own.
pub fn verify_chain(leaf: &[u8], chain: &[Vec<u8>]) -> Result<(), X509Error> {
    let mut certs = vec![parse(leaf)?];
    for der in chain {
        certs.push(parse(der)?);
    }
    for pair in certs.windows(2) {
        let (child, parent) = (&pair[0], &pair[1]);
        if child.issuer().as_raw() != parent.subject().as_raw() {
            return Err(X509Error::Invalid(format!(
                "the certificate for {} was not issued by {}",
                child.subject(),
                parent.subject()
            )));
        }
        child.verify_signature(Some(parent.public_key())).map_err(|_| {
            X509Error::Invalid(format!("the signature on the certificate for {} does not verify", child.subject()))
        })?;
    }
    let last = certs.last().expect("the leaf is there");
    if last.subject().as_raw() == last.issuer().as_raw() {
        last.verify_signature(None)
            .map_err(|_| X509Error::Invalid(format!("the self-signed certificate {} does not verify", last.subject())))?;
    }
    Ok(())
}

/// Whether `key` is the private half of the certificate's public key.
pub fn key_matches(cert_der: &[u8], key: &PrivateKey) -> Result<bool, X509Error> {
    let cert = parse(cert_der)?;
    if key_algorithm(&cert) != Some(key.algorithm()) {
        return Ok(false);
    }
    Ok(cert.public_key().subject_public_key.data.as_ref() == key.public_key_raw()?.as_slice())
}
