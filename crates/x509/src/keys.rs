//! Key pairs for certificates: generated, or read from the PEM forms OpenSSL writes (PKCS#8,
//! PKCS#1 `RSA PRIVATE KEY`, SEC1 `EC PRIVATE KEY`). A key is kept as PKCS#8 DER.

use std::fmt;
use std::str::FromStr;

use getrandom::SysRng;
use rcgen::{KeyPair, SignatureAlgorithm};
use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPublicKey};
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey};
use rsa::traits::PublicKeyParts;
use rustls_pki_types::PrivatePkcs8KeyDer;
use x509_parser::der_parser::ber::BerObjectContent;
use x509_parser::der_parser::parse_der;

use crate::X509Error;

const OID_RSA_ENCRYPTION: &str = "1.2.840.113549.1.1.1";
const OID_EC_PUBLIC_KEY: &str = "1.2.840.10045.2.1";
pub(crate) const OID_P256: &str = "1.2.840.10045.3.1.7";
pub(crate) const OID_P384: &str = "1.3.132.0.34";
pub(crate) const OID_P521: &str = "1.3.132.0.35";

/// A key type, by the names ACM and ACM PCA give them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyAlgorithm {
    Rsa1024,
    Rsa2048,
    Rsa3072,
    Rsa4096,
    EcPrime256v1,
    EcSecp384r1,
    EcSecp521r1,
}

impl KeyAlgorithm {
    pub fn as_str(self) -> &'static str {
        match self {
            KeyAlgorithm::Rsa1024 => "RSA_1024",
            KeyAlgorithm::Rsa2048 => "RSA_2048",
            KeyAlgorithm::Rsa3072 => "RSA_3072",
            KeyAlgorithm::Rsa4096 => "RSA_4096",
            KeyAlgorithm::EcPrime256v1 => "EC_prime256v1",
            KeyAlgorithm::EcSecp384r1 => "EC_secp384r1",
            KeyAlgorithm::EcSecp521r1 => "EC_secp521r1",
        }
    }

    fn rsa_bits(self) -> Option<usize> {
        match self {
            KeyAlgorithm::Rsa1024 => Some(1024),
            KeyAlgorithm::Rsa2048 => Some(2048),
            KeyAlgorithm::Rsa3072 => Some(3072),
            KeyAlgorithm::Rsa4096 => Some(4096),
            _ => None,
        }
    }

    pub(crate) fn of_rsa_bits(bits: usize) -> Option<KeyAlgorithm> {
        match bits {
            1024 => Some(KeyAlgorithm::Rsa1024),
            2048 => Some(KeyAlgorithm::Rsa2048),
            3072 => Some(KeyAlgorithm::Rsa3072),
            4096 => Some(KeyAlgorithm::Rsa4096),
            _ => None,
        }
    }

    pub(crate) fn of_curve_oid(oid: &str) -> Option<KeyAlgorithm> {
        match oid {
            OID_P256 => Some(KeyAlgorithm::EcPrime256v1),
            OID_P384 => Some(KeyAlgorithm::EcSecp384r1),
            OID_P521 => Some(KeyAlgorithm::EcSecp521r1),
            _ => None,
        }
    }

    pub fn is_rsa(self) -> bool {
        self.rsa_bits().is_some()
    }

    /// The signing algorithm a CA with this key uses unless told otherwise.
    pub fn default_signing_algorithm(self) -> SigningAlgorithm {
        match self {
            KeyAlgorithm::EcPrime256v1 => SigningAlgorithm::Sha256WithEcdsa,
            KeyAlgorithm::EcSecp384r1 => SigningAlgorithm::Sha384WithEcdsa,
            KeyAlgorithm::EcSecp521r1 => SigningAlgorithm::Sha512WithEcdsa,
            _ => SigningAlgorithm::Sha256WithRsa,
        }
    }
}

impl fmt::Display for KeyAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for KeyAlgorithm {
    type Err = X509Error;
    fn from_str(text: &str) -> Result<Self, X509Error> {
        [
            KeyAlgorithm::Rsa1024,
            KeyAlgorithm::Rsa2048,
            KeyAlgorithm::Rsa3072,
            KeyAlgorithm::Rsa4096,
            KeyAlgorithm::EcPrime256v1,
            KeyAlgorithm::EcSecp384r1,
            KeyAlgorithm::EcSecp521r1,
        ]
        .into_iter()
        .find(|a| a.as_str() == text)
        .ok_or_else(|| X509Error::Unsupported(format!("unknown key algorithm {text}")))
    }
}

/// How a CA signs, by ACM PCA's names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SigningAlgorithm {
    Sha256WithRsa,
    Sha384WithRsa,
    Sha512WithRsa,
    Sha256WithEcdsa,
    Sha384WithEcdsa,
    Sha512WithEcdsa,
}

impl SigningAlgorithm {
    pub fn as_str(self) -> &'static str {
        match self {
            SigningAlgorithm::Sha256WithRsa => "SHA256WITHRSA",
            SigningAlgorithm::Sha384WithRsa => "SHA384WITHRSA",
            SigningAlgorithm::Sha512WithRsa => "SHA512WITHRSA",
            SigningAlgorithm::Sha256WithEcdsa => "SHA256WITHECDSA",
            SigningAlgorithm::Sha384WithEcdsa => "SHA384WITHECDSA",
            SigningAlgorithm::Sha512WithEcdsa => "SHA512WITHECDSA",
        }
    }

    /// The rcgen algorithm that signs with a key of `key`. ring signs ECDSA only with the
    /// curve's own hash (P-256 with SHA-256, P-384 with SHA-384) and not with P-521 at all.
    pub(crate) fn for_key(self, key: KeyAlgorithm) -> Result<&'static SignatureAlgorithm, X509Error> {
        let algorithm = match (self, key) {
            (SigningAlgorithm::Sha256WithRsa, k) if k.is_rsa() => &rcgen::PKCS_RSA_SHA256,
            (SigningAlgorithm::Sha384WithRsa, k) if k.is_rsa() => &rcgen::PKCS_RSA_SHA384,
            (SigningAlgorithm::Sha512WithRsa, k) if k.is_rsa() => &rcgen::PKCS_RSA_SHA512,
            (SigningAlgorithm::Sha256WithEcdsa, KeyAlgorithm::EcPrime256v1) => &rcgen::PKCS_ECDSA_P256_SHA256,
            (SigningAlgorithm::Sha384WithEcdsa, KeyAlgorithm::EcSecp384r1) => &rcgen::PKCS_ECDSA_P384_SHA384,
            _ => {
                return Err(X509Error::Unsupported(format!(
                    "signing algorithm {} is not supported with a {key} key",
                    self.as_str()
                )))
            }
        };
        Ok(algorithm)
    }
}

impl FromStr for SigningAlgorithm {
    type Err = X509Error;
    fn from_str(text: &str) -> Result<Self, X509Error> {
        [
            SigningAlgorithm::Sha256WithRsa,
            SigningAlgorithm::Sha384WithRsa,
            SigningAlgorithm::Sha512WithRsa,
            SigningAlgorithm::Sha256WithEcdsa,
            SigningAlgorithm::Sha384WithEcdsa,
            SigningAlgorithm::Sha512WithEcdsa,
        ]
        .into_iter()
        .find(|a| a.as_str() == text)
        .ok_or_else(|| X509Error::Unsupported(format!("unknown signing algorithm {text}")))
    }
}

/// A private key, kept as PKCS#8 DER.
#[derive(Clone)]
pub struct PrivateKey {
    algorithm: KeyAlgorithm,
    pkcs8: Vec<u8>,
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PrivateKey({})", self.algorithm)
    }
}

impl PrivateKey {
    /// A fresh key. P-521 keys are not generated: ring cannot sign with them.
    pub fn generate(algorithm: KeyAlgorithm) -> Result<PrivateKey, X509Error> {
        let pkcs8 = match algorithm.rsa_bits() {
            Some(bits) => {
                let key = rsa::PrivateKey::new(&mut SysRng, bits)
                    .map_err(|e| X509Error::Internal(format!("generating an RSA key: {e}")))?;
                key.to_pkcs8_der()
                    .map_err(|e| X509Error::Internal(format!("encoding an RSA key: {e}")))?
                    .as_bytes()
                    .to_vec()
            }
            None => {
                let signing = algorithm.default_signing_algorithm().for_key(algorithm)?;
                KeyPair::generate_for(signing).map_err(crate::error::internal("generating an EC key"))?.serialize_der()
            }
        };
        Ok(PrivateKey { algorithm, pkcs8 })
    }

    /// A key from PKCS#8 DER.
    pub fn from_pkcs8_der(der: &[u8]) -> Result<PrivateKey, X509Error> {
        let malformed = || X509Error::Malformed("the private key is not a PKCS#8 structure".to_owned());
        let (_, info) = parse_der(der).map_err(|_| malformed())?;
        let fields = info.as_sequence().map_err(|_| malformed())?;
        let algorithm_id = fields.get(1).and_then(|a| a.as_sequence().ok()).ok_or_else(malformed)?;
        let oid = algorithm_id.first().and_then(|o| o.as_oid().ok()).ok_or_else(malformed)?.to_id_string();
        let algorithm = match oid.as_str() {
            OID_RSA_ENCRYPTION => {
                let key = rsa::PrivateKey::from_pkcs8_der(der)
                    .map_err(|e| X509Error::Malformed(format!("the RSA private key cannot be read: {e}")))?;
                let bits = key.n().bit_width() as usize;
                KeyAlgorithm::of_rsa_bits(bits)
                    .ok_or_else(|| X509Error::Unsupported(format!("RSA keys of {bits} bits are not supported")))?
            }
            OID_EC_PUBLIC_KEY => {
                let curve = match algorithm_id.get(1).map(|p| &p.content) {
                    Some(BerObjectContent::OID(curve)) => curve.to_id_string(),
                    _ => return Err(X509Error::Unsupported("EC keys must name their curve".to_owned())),
                };
                let algorithm = KeyAlgorithm::of_curve_oid(&curve)
                    .ok_or_else(|| X509Error::Unsupported(format!("the EC curve {curve} is not supported")))?;
                let signing = algorithm.default_signing_algorithm().for_key(algorithm)?;
                KeyPair::from_pkcs8_der_and_sign_algo(&PrivatePkcs8KeyDer::from(der), signing)
                    .map_err(|e| X509Error::Malformed(format!("the EC private key cannot be read: {e}")))?;
                algorithm
            }
            other => return Err(X509Error::Unsupported(format!("private keys of algorithm {other} are not supported"))),
        };
        Ok(PrivateKey { algorithm, pkcs8: der.to_vec() })
    }

    /// A key from PEM: `PRIVATE KEY` (PKCS#8), `RSA PRIVATE KEY` (PKCS#1) or `EC PRIVATE KEY`
    /// (SEC1). Encrypted keys are refused: the caller must give the key in the clear.
    pub fn from_pem(text: &str) -> Result<PrivateKey, X509Error> {
        let block = pem::parse(text.trim()).map_err(|e| X509Error::Malformed(format!("the private key is not PEM: {e}")))?;
        match block.tag() {
            "PRIVATE KEY" => PrivateKey::from_pkcs8_der(block.contents()),
            "RSA PRIVATE KEY" => {
                let key = rsa::PrivateKey::from_pkcs1_der(block.contents())
                    .map_err(|e| X509Error::Malformed(format!("the RSA private key cannot be read: {e}")))?;
                let pkcs8 = key
                    .to_pkcs8_der()
                    .map_err(|e| X509Error::Internal(format!("re-encoding an RSA key: {e}")))?;
                PrivateKey::from_pkcs8_der(pkcs8.as_bytes())
            }
            "EC PRIVATE KEY" => PrivateKey::from_pkcs8_der(&sec1_to_pkcs8(block.contents())?),
            "ENCRYPTED PRIVATE KEY" => Err(X509Error::Unsupported("the private key must not be encrypted".to_owned())),
            other => Err(X509Error::Malformed(format!("a PEM block of type {other} is not a private key"))),
        }
    }

    pub fn algorithm(&self) -> KeyAlgorithm {
        self.algorithm
    }

    pub fn pkcs8_der(&self) -> &[u8] {
        &self.pkcs8
    }

    /// The key as a `PRIVATE KEY` PEM block.
    pub fn to_pem(&self) -> String {
        pem::encode(&pem::Pem::new("PRIVATE KEY", self.pkcs8.clone()))
    }

    /// The subjectPublicKey bits of the key's SubjectPublicKeyInfo (RSAPublicKey DER, or the
    /// uncompressed EC point), to compare with a certificate's.
    pub fn public_key_raw(&self) -> Result<Vec<u8>, X509Error> {
        if self.algorithm.is_rsa() {
            let key = rsa::PrivateKey::from_pkcs8_der(&self.pkcs8)
                .map_err(|e| X509Error::Internal(format!("reading a stored RSA key: {e}")))?;
            let public = key
                .to_public_key()
                .to_pkcs1_der()
                .map_err(|e| X509Error::Internal(format!("encoding an RSA public key: {e}")))?;
            return Ok(public.as_bytes().to_vec());
        }
        Ok(self.key_pair(self.algorithm.default_signing_algorithm())?.public_key_raw().to_vec())
    }

    /// The key as rcgen signs with it, with `signing`'s hash.
    pub(crate) fn key_pair(&self, signing: SigningAlgorithm) -> Result<KeyPair, X509Error> {
        let algorithm = signing.for_key(self.algorithm)?;
        KeyPair::from_pkcs8_der_and_sign_algo(&PrivatePkcs8KeyDer::from(self.pkcs8.as_slice()), algorithm)
            .map_err(|e| X509Error::Unsupported(format!("a {} key cannot sign here: {e}", self.algorithm)))
    }

    /// The public half, in the form rcgen puts into certificates.
    pub fn public_key(&self) -> Result<impl rcgen::PublicKeyData, X509Error> {
        self.key_pair(self.algorithm.default_signing_algorithm())
    }
}

/// Wraps a SEC1 `ECPrivateKey` into PKCS#8, naming the curve its parameters give.
fn sec1_to_pkcs8(sec1: &[u8]) -> Result<Vec<u8>, X509Error> {
    let malformed = || X509Error::Malformed("the EC private key is not a SEC1 structure".to_owned());
    let (_, key) = parse_der(sec1).map_err(|_| malformed())?;
    let fields = key.as_sequence().map_err(|_| malformed())?;
    let curve = fields
        .iter()
        .find_map(|field| match &field.content {
            BerObjectContent::Tagged(_, tag, inner) if tag.0 == 0 => inner.as_oid().ok().map(|o| o.to_id_string()),
            BerObjectContent::Unknown(any) if any.tag().0 == 0 => {
                parse_der(any.data).ok().and_then(|(_, o)| o.as_oid().ok().map(|o| o.to_id_string()))
            }
            _ => None,
        })
        .ok_or_else(|| X509Error::Unsupported("EC keys must name their curve".to_owned()))?;
    let curve_components = oid_components(&curve).ok_or_else(malformed)?;
    Ok(yasna::construct_der(|writer| {
        writer.write_sequence(|writer| {
            writer.next().write_u8(0);
            writer.next().write_sequence(|writer| {
                writer.next().write_oid(&yasna::models::ObjectIdentifier::from_slice(&[1, 2, 840, 10045, 2, 1]));
                writer.next().write_oid(&yasna::models::ObjectIdentifier::from_slice(&curve_components));
            });
            writer.next().write_bytes(sec1);
        })
    }))
}

fn oid_components(dotted: &str) -> Option<Vec<u64>> {
    dotted.split('.').map(|c| c.parse().ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_read_back_with_their_algorithm() {
        for algorithm in [KeyAlgorithm::Rsa2048, KeyAlgorithm::EcPrime256v1, KeyAlgorithm::EcSecp384r1] {
            let key = PrivateKey::generate(algorithm).unwrap();
            let again = PrivateKey::from_pem(&key.to_pem()).unwrap();
            assert_eq!(again.algorithm(), algorithm);
            assert_eq!(again.public_key_raw().unwrap(), key.public_key_raw().unwrap());
        }
    }

    #[test]
    fn a_pkcs1_rsa_key_reads_as_pkcs8() {
        use rsa::pkcs1::EncodeRsaPrivateKey;
        let key = PrivateKey::generate(KeyAlgorithm::Rsa2048).unwrap();
        let rsa_key = rsa::PrivateKey::from_pkcs8_der(key.pkcs8_der()).unwrap();
        let pkcs1 = rsa_key.to_pkcs1_der().unwrap();
        let pem_text = pem::encode(&pem::Pem::new("RSA PRIVATE KEY", pkcs1.as_bytes().to_vec()));
        let again = PrivateKey::from_pem(&pem_text).unwrap();
        assert_eq!(again.algorithm(), KeyAlgorithm::Rsa2048);
        assert_eq!(again.public_key_raw().unwrap(), key.public_key_raw().unwrap());
    }

    #[test]
    fn an_encrypted_key_is_refused() {
        let text = pem::encode(&pem::Pem::new("ENCRYPTED PRIVATE KEY", vec![0x30, 0x00]));
        assert!(matches!(PrivateKey::from_pem(&text), Err(X509Error::Unsupported(_))));
    }

    #[test]
    fn ecdsa_signs_only_with_the_curve_hash() {
        assert!(SigningAlgorithm::Sha256WithEcdsa.for_key(KeyAlgorithm::EcPrime256v1).is_ok());
        assert!(SigningAlgorithm::Sha512WithEcdsa.for_key(KeyAlgorithm::EcPrime256v1).is_err());
        assert!(SigningAlgorithm::Sha256WithRsa.for_key(KeyAlgorithm::EcPrime256v1).is_err());
    }
}
