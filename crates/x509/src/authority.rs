//! A certificate authority: its own certificate (self-signed, or a CSR for a parent to sign),
//! certificates it issues for a key or a CSR by a profile, and its revocation list.

use rcgen::{
    BasicConstraints, CertificateParams, CertificateRevocationListParams, CrlDistributionPoint, DistinguishedName,
    DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyIdMethod, KeyPair, KeyUsagePurpose, PublicKeyData,
    RevocationReason, RevokedCertParams, SanType, SerialNumber, SubjectPublicKeyInfo,
};
use rustls_pki_types::CertificateDer;
use time::OffsetDateTime;
use x509_parser::certification_request::X509CertificationRequest;
use x509_parser::extensions::{GeneralName, ParsedExtension};
use x509_parser::prelude::FromDer;

use crate::error::internal;
use crate::keys::{PrivateKey, SigningAlgorithm};
use crate::names::Subject;
use crate::reading::key_matches;
use crate::{Validity, X509Error};

/// What an issued certificate may be used for: ACM PCA's certificate templates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertificateProfile {
    /// Digital signature and key encipherment, for TLS servers and clients.
    EndEntity,
    EndEntityServerAuth,
    EndEntityClientAuth,
    CodeSigning,
    OcspSigning,
    /// A CA below the issuer, with at most `path_len` CAs below it (`None`: no limit).
    SubordinateCa { path_len: Option<u8> },
}

impl CertificateProfile {
    fn apply(self, params: &mut CertificateParams) {
        use ExtendedKeyUsagePurpose as Eku;
        use KeyUsagePurpose as Ku;
        let (is_ca, key_usages, extended) = match self {
            CertificateProfile::EndEntity => (
                IsCa::ExplicitNoCa,
                vec![Ku::DigitalSignature, Ku::KeyEncipherment],
                vec![Eku::ServerAuth, Eku::ClientAuth],
            ),
            CertificateProfile::EndEntityServerAuth => {
                (IsCa::ExplicitNoCa, vec![Ku::DigitalSignature, Ku::KeyEncipherment], vec![Eku::ServerAuth])
            }
            CertificateProfile::EndEntityClientAuth => {
                (IsCa::ExplicitNoCa, vec![Ku::DigitalSignature, Ku::KeyAgreement], vec![Eku::ClientAuth])
            }
            CertificateProfile::CodeSigning => (IsCa::ExplicitNoCa, vec![Ku::DigitalSignature], vec![Eku::CodeSigning]),
            CertificateProfile::OcspSigning => {
                (IsCa::ExplicitNoCa, vec![Ku::DigitalSignature, Ku::ContentCommitment], vec![Eku::OcspSigning])
            }
            CertificateProfile::SubordinateCa { path_len } => (
                IsCa::Ca(path_len.map_or(BasicConstraints::Unconstrained, BasicConstraints::Constrained)),
                ca_key_usages(),
                Vec::new(),
            ),
        };
        params.is_ca = is_ca;
        params.key_usages = key_usages;
        params.extended_key_usages = extended;
    }
}

fn ca_key_usages() -> Vec<KeyUsagePurpose> {
    vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature]
}

fn time_of(seconds: i64) -> Result<OffsetDateTime, X509Error> {
    OffsetDateTime::from_unix_timestamp(seconds).map_err(|_| X509Error::Unsupported(format!("time {seconds} is out of range")))
}

fn params_for(subject: DistinguishedName, validity: Validity, serial: &[u8]) -> Result<CertificateParams, X509Error> {
    let mut params = CertificateParams::default();
    params.distinguished_name = subject;
    params.not_before = time_of(validity.not_before)?;
    params.not_after = time_of(validity.not_after)?;
    params.serial_number = Some(SerialNumber::from_slice(serial));
    Ok(params)
}

fn dns_names(names: &[String]) -> Result<Vec<SanType>, X509Error> {
    names
        .iter()
        .map(|name| {
            name.as_str()
                .try_into()
                .map(SanType::DnsName)
                .map_err(|_| X509Error::Malformed(format!("{name} is not a valid DNS name")))
        })
        .collect()
}

/// A self-signed CA certificate for `key`: the root of a private hierarchy.
pub fn self_signed_ca(
    subject: &Subject,
    key: &PrivateKey,
    signing: SigningAlgorithm,
    validity: Validity,
    serial: &[u8],
) -> Result<Vec<u8>, X509Error> {
    let mut params = params_for(subject.distinguished_name(), validity, serial)?;
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = ca_key_usages();
    let cert = params.self_signed(&key.key_pair(signing)?).map_err(internal("signing the CA certificate"))?;
    Ok(cert.der().to_vec())
}

/// A PEM certificate signing request for `key` with `subject` and the DNS names `names`, as a
/// CA sends its parent or ACM sends ACM PCA.
pub fn certificate_signing_request(
    subject: &Subject,
    names: &[String],
    key: &PrivateKey,
    signing: SigningAlgorithm,
) -> Result<String, X509Error> {
    let mut params = CertificateParams::default();
    params.distinguished_name = subject.distinguished_name();
    params.subject_alt_names = dns_names(names)?;
    let request = params.serialize_request(&key.key_pair(signing)?).map_err(internal("signing the CSR"))?;
    request.pem().map_err(internal("encoding the CSR"))
}

/// What a CSR asks for, once its signature has been checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsrSummary {
    pub subject: String,
    pub alternative_names: Vec<String>,
    subject_dn: DistinguishedName,
    public_key_info: Vec<u8>,
    public_key_bits: Vec<u8>,
}

impl CsrSummary {
    /// The subjectPublicKey bits, to compare with [`PrivateKey::public_key_raw`].
    pub fn public_key_raw(&self) -> &[u8] {
        &self.public_key_bits
    }
}

/// Reads a CSR, PEM (`CERTIFICATE REQUEST`) or DER, and checks that it is signed by its key.
pub fn read_csr(bytes: &[u8]) -> Result<CsrSummary, X509Error> {
    let der = match std::str::from_utf8(bytes).ok().filter(|t| t.trim_start().starts_with("-----BEGIN")) {
        Some(text) => {
            let block = pem::parse(text.trim()).map_err(|e| X509Error::Malformed(format!("the CSR is not PEM: {e}")))?;
            if !block.tag().ends_with("CERTIFICATE REQUEST") {
                return Err(X509Error::Malformed(format!("a PEM block of type {} is not a CSR", block.tag())));
            }
            block.into_contents()
        }
        None => bytes.to_vec(),
    };
    let (_, csr) = X509CertificationRequest::from_der(&der)
        .map_err(|e| X509Error::Malformed(format!("the CSR cannot be read: {e}")))?;
    csr.verify_signature().map_err(|_| X509Error::Invalid("the CSR's signature does not verify".to_owned()))?;
    let info = &csr.certification_request_info;
    let mut alternative_names = Vec::new();
    for extension in csr.requested_extensions().into_iter().flatten() {
        if let ParsedExtension::SubjectAlternativeName(san) = extension {
            for name in &san.general_names {
                if let GeneralName::DNSName(dns) = name {
                    alternative_names.push((*dns).to_owned());
                }
            }
        }
    }
    let mut subject_dn = DistinguishedName::new();
    for attribute in info.subject.iter_attributes() {
        let value = attribute
            .as_str()
            .map_err(|_| X509Error::Unsupported("CSR subject attributes must be strings".to_owned()))?;
        let oid: Vec<u64> = attribute
            .attr_type()
            .iter()
            .map(|arcs| arcs.collect())
            .ok_or_else(|| X509Error::Malformed("a CSR subject attribute has an oversized OID".to_owned()))?;
        subject_dn.push(DnType::from_oid(&oid), value);
    }
    Ok(CsrSummary {
        subject: info.subject.to_string(),
        alternative_names,
        subject_dn,
        public_key_info: info.subject_pki.raw.to_vec(),
        public_key_bits: info.subject_pki.subject_public_key.data.to_vec(),
    })
}

/// How one certificate was revoked, for the CRL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revocation {
    pub serial: Vec<u8>,
    pub revoked_at: i64,
    /// ACM PCA's reason name (`KEY_COMPROMISE`); unknown names are written as unspecified.
    pub reason: String,
}

fn revocation_reason(name: &str) -> RevocationReason {
    match name {
        "KEY_COMPROMISE" => RevocationReason::KeyCompromise,
        "CERTIFICATE_AUTHORITY_COMPROMISE" => RevocationReason::CaCompromise,
        "AFFILIATION_CHANGED" => RevocationReason::AffiliationChanged,
        "SUPERSEDED" => RevocationReason::Superseded,
        "CESSATION_OF_OPERATION" => RevocationReason::CessationOfOperation,
        "PRIVILEGE_WITHDRAWN" => RevocationReason::PrivilegeWithdrawn,
        "A_A_COMPROMISE" => RevocationReason::AaCompromise,
        _ => RevocationReason::Unspecified,
    }
}

/// A CA that signs: its certificate and its key.
pub struct CertificateAuthority {
    cert_der: Vec<u8>,
    key: PrivateKey,
    signing: SigningAlgorithm,
}

impl CertificateAuthority {
    /// The CA whose certificate is `cert_der` and whose key is `key`; refuses a key that is
    /// not the certificate's.
    pub fn new(cert_der: Vec<u8>, key: PrivateKey, signing: SigningAlgorithm) -> Result<Self, X509Error> {
        if !key_matches(&cert_der, &key)? {
            return Err(X509Error::Invalid("the CA key does not match the CA certificate".to_owned()));
        }
        signing.for_key(key.algorithm())?;
        Ok(CertificateAuthority { cert_der, key, signing })
    }

    pub fn certificate_der(&self) -> &[u8] {
        &self.cert_der
    }

    fn issuer(&self) -> Result<Issuer<'static, KeyPair>, X509Error> {
        Issuer::from_ca_cert_der(&CertificateDer::from(self.cert_der.as_slice()), self.key.key_pair(self.signing)?)
            .map_err(internal("reading the CA certificate"))
    }

    fn sign(
        &self,
        mut params: CertificateParams,
        profile: CertificateProfile,
        crl_urls: &[String],
        public_key: &impl PublicKeyData,
    ) -> Result<Vec<u8>, X509Error> {
        profile.apply(&mut params);
        params.use_authority_key_identifier_extension = true;
        params.key_identifier_method = KeyIdMethod::Sha256;
        if !crl_urls.is_empty() {
            params.crl_distribution_points = vec![CrlDistributionPoint { uris: crl_urls.to_vec() }];
        }
        let cert = params.signed_by(public_key, &self.issuer()?).map_err(internal("signing the certificate"))?;
        Ok(cert.der().to_vec())
    }

    /// A certificate for `key` naming `common_name` and the DNS names `names`.
    #[allow(clippy::too_many_arguments)]
    pub fn issue_for_key(
        &self,
        common_name: &str,
        names: &[String],
        key: &PrivateKey,
        profile: CertificateProfile,
        validity: Validity,
        serial: &[u8],
        crl_urls: &[String],
    ) -> Result<Vec<u8>, X509Error> {
        let mut params = params_for(Subject::common_name(common_name).distinguished_name(), validity, serial)?;
        params.subject_alt_names = dns_names(names)?;
        self.sign(params, profile, crl_urls, &key.public_key()?)
    }

    /// A certificate for the key and subject of `csr`, with its DNS subject alternative names;
    /// everything else comes from `profile`, as ACM PCA's non-passthrough templates do.
    pub fn issue_for_csr(
        &self,
        csr: &CsrSummary,
        profile: CertificateProfile,
        validity: Validity,
        serial: &[u8],
        crl_urls: &[String],
    ) -> Result<Vec<u8>, X509Error> {
        let mut params = params_for(csr.subject_dn.clone(), validity, serial)?;
        params.subject_alt_names = dns_names(&csr.alternative_names)?;
        let public_key = SubjectPublicKeyInfo::from_der(&csr.public_key_info)
            .map_err(|e| X509Error::Unsupported(format!("the CSR's public key is not supported: {e}")))?;
        self.sign(params, profile, crl_urls, &public_key)
    }

    /// The CA's revocation list, numbered `number`, listing `revoked`.
    pub fn revocation_list(
        &self,
        revoked: &[Revocation],
        number: u64,
        this_update: i64,
        next_update: i64,
    ) -> Result<Vec<u8>, X509Error> {
        let revoked_certs = revoked
            .iter()
            .map(|r| {
                Ok(RevokedCertParams {
                    serial_number: SerialNumber::from_slice(&r.serial),
                    revocation_time: time_of(r.revoked_at)?,
                    reason_code: Some(revocation_reason(&r.reason)),
                    invalidity_date: None,
                })
            })
            .collect::<Result<Vec<_>, X509Error>>()?;
        let params = CertificateRevocationListParams {
            this_update: time_of(this_update)?,
            next_update: time_of(next_update)?,
            crl_number: SerialNumber::from(number),
            issuing_distribution_point: None,
            revoked_certs,
            key_identifier_method: KeyIdMethod::Sha256,
        };
        let crl = params.signed_by(&self.issuer()?).map_err(internal("signing the CRL"))?;
        Ok(crl.der().to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::KeyAlgorithm;
    use crate::reading::{inspect, random_serial, verify_chain};

    const DAY: i64 = 86_400;
    const NOW: i64 = 1_800_000_000;

    fn validity(days: i64) -> Validity {
        Validity { not_before: NOW - 60, not_after: NOW + days * DAY }
    }

    fn root(algorithm: KeyAlgorithm) -> CertificateAuthority {
        let key = PrivateKey::generate(algorithm).unwrap();
        let signing = algorithm.default_signing_algorithm();
        let der = self_signed_ca(&Subject::common_name("Test Root"), &key, signing, validity(3650), &random_serial()).unwrap();
        CertificateAuthority::new(der, key, signing).unwrap()
    }

    #[test]
    fn a_leaf_issued_for_a_key_chains_to_its_ca_and_carries_its_names() {
        let ca = root(KeyAlgorithm::EcPrime256v1);
        let key = PrivateKey::generate(KeyAlgorithm::Rsa2048).unwrap();
        let names = vec!["*.example.com".to_owned(), "example.com".to_owned()];
        let serial = random_serial();
        let leaf = ca.issue_for_key("*.example.com", &names, &key, CertificateProfile::EndEntity, validity(395), &serial, &[]).unwrap();
        verify_chain(&leaf, &[ca.certificate_der().to_vec()]).unwrap();
        let summary = inspect(&leaf).unwrap();
        assert_eq!(summary.alternative_names, names);
        assert_eq!(summary.common_name.as_deref(), Some("*.example.com"));
        assert_eq!(summary.key_algorithm, Some(KeyAlgorithm::Rsa2048));
        assert_eq!(summary.signature_algorithm, "SHA256WITHECDSA");
        assert_eq!(summary.not_after, NOW + 395 * DAY);
        assert!(!summary.is_ca);
        let hex: Vec<String> = serial.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(summary.serial, hex.join(":"));
        assert!(key_matches(&leaf, &key).unwrap());
        assert!(!key_matches(&leaf, &PrivateKey::generate(KeyAlgorithm::Rsa2048).unwrap()).unwrap());
    }

    #[test]
    fn a_chain_with_the_wrong_issuer_is_refused() {
        let ca = root(KeyAlgorithm::EcPrime256v1);
        let other = root(KeyAlgorithm::EcPrime256v1);
        let key = PrivateKey::generate(KeyAlgorithm::EcPrime256v1).unwrap();
        let leaf = ca.issue_for_key("a.example", &["a.example".to_owned()], &key, CertificateProfile::EndEntity, validity(1), &random_serial(), &[]).unwrap();
        assert!(matches!(verify_chain(&leaf, &[other.certificate_der().to_vec()]), Err(X509Error::Invalid(_))));
    }

    #[test]
    fn a_subordinate_signed_from_its_csr_issues_leaves_that_chain_to_the_root() {
        let parent = root(KeyAlgorithm::Rsa2048);
        let sub_key = PrivateKey::generate(KeyAlgorithm::EcSecp384r1).unwrap();
        let subject = Subject(vec![(crate::NameAttribute::Organization, "Acme".to_owned()), (crate::NameAttribute::CommonName, "Acme Issuing".to_owned())]);
        let csr_pem = certificate_signing_request(&subject, &[], &sub_key, SigningAlgorithm::Sha384WithEcdsa).unwrap();
        let csr = read_csr(csr_pem.as_bytes()).unwrap();
        assert_eq!(csr.subject, "O=Acme, CN=Acme Issuing");
        let sub_cert = parent
            .issue_for_csr(&csr, CertificateProfile::SubordinateCa { path_len: Some(0) }, validity(1000), &random_serial(), &[])
            .unwrap();
        let sub = CertificateAuthority::new(sub_cert.clone(), sub_key, SigningAlgorithm::Sha384WithEcdsa).unwrap();
        let leaf_key = PrivateKey::generate(KeyAlgorithm::EcPrime256v1).unwrap();
        let crl_url = vec!["http://127.0.0.1/crl/x.crl".to_owned()];
        let leaf = sub.issue_for_key("svc.internal", &["svc.internal".to_owned()], &leaf_key, CertificateProfile::EndEntityServerAuth, validity(30), &random_serial(), &crl_url).unwrap();
        verify_chain(&leaf, &[sub_cert.clone(), parent.certificate_der().to_vec()]).unwrap();
        assert!(inspect(&sub_cert).unwrap().is_ca);
    }

    #[test]
    fn a_tampered_csr_is_refused() {
        let key = PrivateKey::generate(KeyAlgorithm::EcPrime256v1).unwrap();
        let pem_text = certificate_signing_request(&Subject::common_name("x"), &["x.example".to_owned()], &key, SigningAlgorithm::Sha256WithEcdsa).unwrap();
        let mut der = pem::parse(pem_text).unwrap().into_contents();
        let last = der.len() - 3;
        der[last] ^= 0x01;
        assert!(read_csr(&der).is_err());
    }

    #[test]
    fn the_revocation_list_is_signed_by_the_ca_and_lists_the_serials() {
        let ca = root(KeyAlgorithm::EcPrime256v1);
        let serial = random_serial();
        let revoked = vec![Revocation { serial: serial.clone(), revoked_at: NOW, reason: "KEY_COMPROMISE".to_owned() }];
        let der = ca.revocation_list(&revoked, 7, NOW, NOW + DAY).unwrap();
        let (_, crl) = x509_parser::parse_x509_crl(&der).unwrap();
        let (_, ca_cert) = x509_parser::parse_x509_certificate(ca.certificate_der()).unwrap();
        crl.verify_signature(ca_cert.public_key()).unwrap();
        let listed: Vec<Vec<u8>> = crl.iter_revoked_certificates().map(|r| r.raw_serial().to_vec()).collect();
        assert_eq!(listed, vec![serial]);
    }
}

#[cfg(test)]
mod damaged_input {
    use super::*;
    use crate::keys::KeyAlgorithm;
    use crate::reading::{certificates_from_pem, inspect, random_serial, verify_chain};

    /// Every truncation and single-bit flip of a valid certificate, CSR and key is read
    /// without a panic: these bytes come from callers.
    #[test]
    fn truncated_or_flipped_inputs_are_refused_or_read_without_panicking() {
        let key = PrivateKey::generate(KeyAlgorithm::EcPrime256v1).unwrap();
        let signing = SigningAlgorithm::Sha256WithEcdsa;
        let validity = Validity { not_before: 1_800_000_000, not_after: 1_900_000_000 };
        let cert = self_signed_ca(&Subject::common_name("Fuzz"), &key, signing, validity, &random_serial()).unwrap();
        let csr_pem = certificate_signing_request(&Subject::common_name("f"), &["f.example".to_owned()], &key, signing).unwrap();
        let csr = certificates_from_pem(&csr_pem.replace("CERTIFICATE REQUEST", "CERTIFICATE")).unwrap().remove(0);
        let key_der = key.pkcs8_der().to_vec();
        let rsa_der = PrivateKey::generate(KeyAlgorithm::Rsa2048).unwrap().pkcs8_der().to_vec();
        for original in [&cert, &csr, &key_der, &rsa_der] {
            // About 300 damaged copies of each, whatever its length.
            let step = original.len().div_ceil(150);
            let mut damaged: Vec<Vec<u8>> = (0..original.len()).step_by(step).map(|n| original[..n].to_vec()).collect();
            for bit in (0..original.len() * 8).step_by(8 * step - 1) {
                let mut flipped = original.clone();
                flipped[bit / 8] ^= 1 << (bit % 8);
                damaged.push(flipped);
            }
            for bytes in damaged {
                let _ = inspect(&bytes);
                let _ = verify_chain(&bytes, std::slice::from_ref(&cert));
                let _ = read_csr(&bytes);
                let _ = PrivateKey::from_pkcs8_der(&bytes);
                for tag in ["PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY"] {
                    let _ = PrivateKey::from_pem(&pem::encode(&pem::Pem::new(tag, bytes.clone())));
                }
            }
        }
    }
}
