//! The signing keys of an OpenID Connect provider: its discovery document
//! (`/.well-known/openid-configuration`) names its JWKS, both fetched over HTTPS.
//!
//! The TLS connection is trusted the way IAM's thumbprints say: one certificate of the chain the
//! server presents must have a SHA-1 thumbprint registered on the provider, and the server's
//! certificate must chain to that one and name the host. Palisade carries no public CA bundle, so
//! a provider without thumbprints cannot be reached.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use rustls::{
    client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier},
    client::WebPkiServerVerifier,
    crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider},
    pki_types::{CertificateDer, ServerName, UnixTime},
    CertificateError, DigitallySignedStruct, RootCertStore, SignatureScheme,
};
use serde_json::Value;
use sha1::{Digest, Sha1};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_rustls::TlsConnector;

/// How long the provider may take to connect and answer each request.
const FETCH_TIMEOUT: Duration = Duration::from_secs(5);
/// The largest discovery document or JWKS read.
const MAX_DOCUMENT_BYTES: u64 = 1024 * 1024;
/// How long a provider's key set is used before it is fetched again.
const KEYS_LIFETIME: Duration = Duration::from_secs(600);

/// Providers' key sets, by provider URL and thumbprints, with when they were fetched.
#[derive(Default)]
pub struct KeyCache {
    entries: Mutex<HashMap<(String, Vec<String>), (Instant, Value)>>,
}

impl KeyCache {
    /// The provider's JWKS: the one fetched less than ten minutes ago, or a fresh one. `refresh`
    /// fetches anew, for a token the kept keys do not verify (the provider may have rotated them).
    pub async fn jwks(&self, provider_url: &str, thumbprints: &[String], refresh: bool) -> Result<Value, String> {
        let key = (provider_url.to_owned(), thumbprints.to_vec());
        if !refresh {
            let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
            if let Some((fetched, jwks)) = entries.get(&key).filter(|(fetched, _)| fetched.elapsed() < KEYS_LIFETIME) {
                tracing::debug!(provider = provider_url, age = ?fetched.elapsed(), "OIDC keys from the cache");
                return Ok(jwks.clone());
            }
        }
        let jwks = fetch_jwks(provider_url, thumbprints).await?;
        self.entries.lock().unwrap_or_else(|e| e.into_inner()).insert(key, (Instant::now(), jwks.clone()));
        Ok(jwks)
    }
}

/// Trusts a server whose chain holds a certificate with a registered thumbprint, as IAM does.
#[derive(Debug)]
struct ThumbprintVerifier {
    thumbprints: Vec<String>,
    provider: Arc<CryptoProvider>,
}

fn thumbprint(certificate: &CertificateDer<'_>) -> String {
    Sha1::digest(certificate.as_ref()).iter().map(|b| format!("{b:02x}")).collect()
}

impl ServerCertVerifier for ThumbprintVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let pinned = std::iter::once(end_entity)
            .chain(intermediates)
            .find(|c| self.thumbprints.contains(&thumbprint(c)))
            .ok_or(rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer))?;
        let mut roots = RootCertStore::empty();
        roots.add(pinned.clone().into_owned())?;
        let chain_verifier = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), self.provider.clone())
            .build()
            .map_err(|e| rustls::Error::General(e.to_string()))?;
        chain_verifier.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider.signature_verification_algorithms.supported_schemes()
    }
}

/// The body of a chunked HTTP/1.1 response, or `None` when the chunks are malformed.
fn dechunk(mut body: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line_end = body.windows(2).position(|w| w == b"\r\n")?;
        let size_text = std::str::from_utf8(&body[..line_end]).ok()?.split(';').next()?.trim();
        let size = usize::from_str_radix(size_text, 16).ok()?;
        body = &body[line_end + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(body.get(..size)?);
        body = body.get(size + 2..)?;
    }
}

/// Whether `response` holds a whole HTTP response: its headers and the body its
/// `Content-Length` or final chunk delimits.
fn response_complete(response: &[u8]) -> bool {
    let Some(header_end) = response.windows(4).position(|w| w == b"\r\n\r\n") else { return false };
    let head = String::from_utf8_lossy(&response[..header_end]).to_ascii_lowercase();
    let body = &response[header_end + 4..];
    if head.contains("transfer-encoding: chunked") {
        return body.ends_with(b"0\r\n\r\n");
    }
    let length = head.lines().find_map(|line| line.strip_prefix("content-length:")).and_then(|v| v.trim().parse::<usize>().ok());
    length.is_some_and(|length| body.len() >= length)
}

/// GETs an `https://` URL and parses its JSON body.
async fn get_json(url: &str, connector: &TlsConnector) -> Result<Value, String> {
    let rest = url.strip_prefix("https://").ok_or_else(|| format!("{url} is not an https URL"))?;
    let (authority, path) = rest.split_once('/').map_or((rest, "/".to_owned()), |(a, p)| (a, format!("/{p}")));
    let host = authority.rsplit_once(':').map_or(authority, |(host, _)| host);
    let address = if authority.contains(':') { authority.to_owned() } else { format!("{authority}:443") };
    let server_name = ServerName::try_from(host.to_owned()).map_err(|e| format!("{host}: {e}"))?;
    let exchange = async {
        let tcp = tokio::net::TcpStream::connect(&address).await.map_err(|e| format!("{address}: {e}"))?;
        let mut tls = connector.connect(server_name, tcp).await.map_err(|e| format!("TLS with {authority}: {e}"))?;
        let request = format!("GET {path} HTTP/1.1\r\nHost: {authority}\r\nAccept: application/json\r\nConnection: close\r\n\r\n");
        tls.write_all(request.as_bytes()).await.map_err(|e| e.to_string())?;
        let mut response = Vec::new();
        let mut buffer = [0u8; 16 * 1024];
        // Read until the response is complete (a server may keep the connection open despite
        // `Connection: close`) or the server closes it; one that closes without TLS close_notify
        // has still sent what it sent.
        while !response_complete(&response) && (response.len() as u64) < MAX_DOCUMENT_BYTES {
            match tls.read(&mut buffer).await {
                Ok(0) => break,
                Ok(n) => response.extend_from_slice(&buffer[..n]),
                Err(_) if !response.is_empty() => break,
                Err(e) => return Err(e.to_string()),
            }
        }
        Ok::<_, String>(response)
    };
    let response = tokio::time::timeout(FETCH_TIMEOUT, exchange).await.map_err(|_| format!("{url} did not answer in time"))??;
    let header_end = response.windows(4).position(|w| w == b"\r\n\r\n").ok_or_else(|| format!("{url}: not an HTTP response"))?;
    let head = String::from_utf8_lossy(&response[..header_end]).to_ascii_lowercase();
    if head.split_whitespace().nth(1) != Some("200") {
        return Err(format!("{url} answered {}", head.lines().next().unwrap_or_default()));
    }
    let body = &response[header_end + 4..];
    let body = if head.contains("transfer-encoding: chunked") { dechunk(body).ok_or_else(|| format!("{url}: bad chunked body"))? } else { body.to_vec() };
    serde_json::from_slice(&body).map_err(|e| format!("{url}: {e}"))
}

/// The JWKS of the provider at `https://{provider_url}`, reached through a connection trusted
/// by `thumbprints`.
async fn fetch_jwks(provider_url: &str, thumbprints: &[String]) -> Result<Value, String> {
    if thumbprints.is_empty() {
        return Err(format!("the provider {provider_url} has no thumbprint to trust its certificate by"));
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = ThumbprintVerifier { thumbprints: thumbprints.to_vec(), provider: provider.clone() };
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    let connector = TlsConnector::from(Arc::new(config));
    let discovery = get_json(&format!("https://{provider_url}/.well-known/openid-configuration"), &connector).await?;
    let jwks_uri = discovery.get("jwks_uri").and_then(Value::as_str).ok_or("the discovery document names no jwks_uri")?;
    get_json(jwks_uri, &connector).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_response_is_complete_when_its_declared_body_has_arrived() {
        assert!(!response_complete(b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n"));
        assert!(!response_complete(b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n{}"));
        assert!(response_complete(b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n{\"\"}"));
        assert!(response_complete(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"));
        assert!(!response_complete(b"HTTP/1.0 200 OK\r\n\r\n{}"));
    }

    #[test]
    fn chunked_bodies_are_joined() {
        assert_eq!(dechunk(b"4\r\n{\"a\"\r\n3\r\n:1}\r\n0\r\n\r\n").unwrap(), b"{\"a\":1}");
        assert!(dechunk(b"zz\r\n").is_none());
    }
}
