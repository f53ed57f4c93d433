//! HTTPS listeners: the certificate and key a listener serves, from PEM.

use std::{fmt, sync::Arc};

use rustls::pki_types::{pem::PemObject, CertificateDer, PrivateKeyDer};

/// A certificate or key that cannot be served.
#[derive(Debug)]
pub struct TlsError(String);

impl fmt::Display for TlsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TlsError {}

/// A TLS server configuration for a certificate, its chain and its private key (all PEM).
pub fn server_config(certificate_pem: &str, chain_pem: &str, private_key_pem: &str) -> Result<Arc<rustls::ServerConfig>, TlsError> {
    let mut chain: Vec<CertificateDer<'static>> = Vec::new();
    for pem in [certificate_pem, chain_pem] {
        for certificate in CertificateDer::pem_slice_iter(pem.as_bytes()) {
            chain.push(certificate.map_err(|e| TlsError(format!("the certificate is not PEM: {e}")))?);
        }
    }
    let key = PrivateKeyDer::from_pem_slice(private_key_pem.as_bytes()).map_err(|e| TlsError(format!("the private key is not PEM: {e}")))?;
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
