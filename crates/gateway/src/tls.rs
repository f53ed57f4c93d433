//! The installation root CA, created on first start with its key sealed in the store, and the
//! TLS configuration it issues for port 4566 (`localhost`, `*.localhost`).

use std::sync::Arc;

use base64::Engine;
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, SanType,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use serde_json::json;
use store::{Sealer, Store};
use time::{Duration, OffsetDateTime};

const CA_META_KEY: &str = "installation_ca";
const CA_SEAL_CONTEXT: &str = "installation-ca-key";
const CA_NAME: &str = "Palisade Installation Root CA";

/// The root every certificate Palisade issues chains to.
pub struct InstallationCa {
    pub cert_pem: String,
    key: KeyPair,
}

#[derive(Debug)]
pub struct TlsError(pub String);

impl std::fmt::Display for TlsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TlsError {}

fn err(context: &str) -> impl Fn(rcgen::Error) -> TlsError + '_ {
    move |e| TlsError(format!("{context}: {e}"))
}

fn ca_params() -> CertificateParams {
    let mut params = CertificateParams::default();
    let mut name = DistinguishedName::new();
    name.push(DnType::OrganizationName, "Palisade");
    name.push(DnType::CommonName, CA_NAME);
    params.distinguished_name = name;
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    params
}

impl InstallationCa {
    /// Loads the CA from the store, or creates and stores it on first start.
    pub async fn load_or_create(store: &Store, sealer: &Sealer) -> Result<Self, TlsError> {
        let stored = store.meta_get(CA_META_KEY).await.map_err(|e| TlsError(e.to_string()))?;
        if let Some(stored) = stored {
            let stored: serde_json::Value =
                serde_json::from_slice(&stored).map_err(|e| TlsError(format!("stored CA is not JSON: {e}")))?;
            let cert_pem = stored["cert_pem"].as_str().unwrap_or_default().to_owned();
            let sealed = base64::engine::general_purpose::STANDARD
                .decode(stored["key_sealed"].as_str().unwrap_or_default())
                .map_err(|e| TlsError(format!("stored CA key is not base64: {e}")))?;
            let der = sealer.unseal(CA_SEAL_CONTEXT, &sealed).map_err(|e| TlsError(e.to_string()))?;
            let key = KeyPair::try_from(der.as_slice()).map_err(err("stored CA key"))?;
            return Ok(InstallationCa { cert_pem, key });
        }
        let key = KeyPair::generate().map_err(err("generating the CA key"))?;
        let mut params = ca_params();
        let now = OffsetDateTime::now_utc();
        params.not_before = now - Duration::days(1);
        params.not_after = now + Duration::days(3650);
        let cert = params.self_signed(&key).map_err(err("signing the CA"))?;
        let sealed = sealer.seal(CA_SEAL_CONTEXT, &key.serialize_der());
        let record = json!({
            "cert_pem": cert.pem(),
            "key_sealed": base64::engine::general_purpose::STANDARD.encode(sealed),
        });
        store.meta_put(CA_META_KEY, record.to_string().as_bytes()).await.map_err(|e| TlsError(e.to_string()))?;
        Ok(InstallationCa { cert_pem: cert.pem(), key })
    }

    /// A CA certificate (PEM) under this root for `public_key`, valid between the Unix times
    /// `not_before` and `not_after`, that may issue only end-entity certificates: the issuing
    /// CAs of services (ACM's per-account CA) chain to the root through it.
    pub fn issue_intermediate(
        &self,
        common_name: &str,
        public_key: &impl rcgen::PublicKeyData,
        serial: &[u8],
        not_before: i64,
        not_after: i64,
    ) -> Result<String, TlsError> {
        let time = |seconds| OffsetDateTime::from_unix_timestamp(seconds).map_err(|e| TlsError(e.to_string()));
        let mut params = CertificateParams::default();
        params.distinguished_name.push(DnType::OrganizationName, "Palisade");
        params.distinguished_name.push(DnType::CommonName, common_name);
        params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
        params.use_authority_key_identifier_extension = true;
        params.serial_number = Some(rcgen::SerialNumber::from_slice(serial));
        params.not_before = time(not_before)?;
        params.not_after = time(not_after)?;
        let issuer = Issuer::new(ca_params(), &self.key);
        let cert = params.signed_by(public_key, &issuer).map_err(err("signing the intermediate CA"))?;
        Ok(cert.pem())
    }

    /// A server configuration for `localhost`, `*.localhost` and the loopback addresses, with a
    /// fresh leaf certificate issued by this CA.
    pub fn server_config(&self) -> Result<Arc<rustls::ServerConfig>, TlsError> {
        let leaf_key = KeyPair::generate().map_err(err("generating the TLS key"))?;
        let mut params = CertificateParams::new(vec!["localhost".to_owned(), "*.localhost".to_owned()])
            .map_err(err("TLS names"))?;
        params.subject_alt_names.push(SanType::IpAddress([127, 0, 0, 1].into()));
        params.subject_alt_names.push(SanType::IpAddress(std::net::Ipv6Addr::LOCALHOST.into()));
        params.distinguished_name.push(DnType::CommonName, "localhost");
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        let now = OffsetDateTime::now_utc();
        params.not_before = now - Duration::days(1);
        params.not_after = now + Duration::days(365);
        let issuer = Issuer::new(ca_params(), &self.key);
        let leaf = params.signed_by(&leaf_key, &issuer).map_err(err("signing the TLS certificate"))?;
        let ca_der = pem_to_der(&self.cert_pem)?;
        let chain = vec![leaf.der().clone(), CertificateDer::from(ca_der)];
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| TlsError(e.to_string()))?
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .map_err(|e| TlsError(e.to_string()))?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Arc::new(config))
    }
}

fn pem_to_der(pem: &str) -> Result<Vec<u8>, TlsError> {
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    base64::engine::general_purpose::STANDARD.decode(body).map_err(|e| TlsError(format!("CA certificate PEM: {e}")))
}
