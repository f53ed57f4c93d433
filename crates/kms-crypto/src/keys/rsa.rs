//! RSA key pairs, OAEP encryption and PSS / PKCS#1 v1.5 signatures.

use getrandom::SysRng;
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use rsa::traits::PublicKeyParts;
use rsa::{PrivateKey, PublicKey};
use sha1::Sha1;
use sha2::{Sha256, Sha384, Sha512};

use super::{internal, invalid_material};
use crate::digests::Sha2;
use crate::{CryptoError, SecretBytes};

/// The digest OAEP uses for both the label hash and MGF1, as KMS does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OaepDigest {
    Sha1,
    Sha256,
}

impl OaepDigest {
    fn output_len(self) -> usize {
        match self {
            OaepDigest::Sha1 => 20,
            OaepDigest::Sha256 => 32,
        }
    }
}

/// The RSA signature padding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SignaturePadding {
    /// PSS with a salt as long as the digest, as KMS signs.
    Pss,
    Pkcs1V15,
}

pub(crate) fn generate_pkcs8(bits: usize) -> Result<Vec<u8>, CryptoError> {
    let key =
        PrivateKey::new(&mut SysRng, bits).map_err(|e| internal("generating an RSA key", e))?;
    let document = key
        .to_pkcs8_der()
        .map_err(|e| internal("encoding an RSA private key", e))?;
    Ok(document.as_bytes().to_vec())
}

/// Parses a PKCS#8 RSA private key and checks that its modulus has exactly `bits` bits.
pub(crate) fn private_key(pkcs8: &[u8], bits: usize) -> Result<PrivateKey, CryptoError> {
    let name = format!("RSA {bits}-bit");
    let key = PrivateKey::from_pkcs8_der(pkcs8).map_err(|_| invalid_material(&name))?;
    if key.n().bit_width() as usize != bits {
        return Err(invalid_material(&name));
    }
    Ok(key)
}

pub(crate) fn public_key_der(key: &PublicKey) -> Result<Vec<u8>, CryptoError> {
    let document = key
        .to_public_key_der()
        .map_err(|e| internal("encoding an RSA public key", e))?;
    Ok(document.into_vec())
}

/// Parses a DER SubjectPublicKeyInfo holding an RSA key.
pub(crate) fn public_key_from_der(der: &[u8]) -> Result<PublicKey, CryptoError> {
    PublicKey::from_public_key_der(der).map_err(|_| {
        CryptoError::ValidationFailure(
            "the public key is not a DER-encoded RSA SubjectPublicKeyInfo".to_string(),
        )
    })
}

/// The longest plaintext OAEP can carry under a modulus of `modulus_len` bytes.
pub(crate) fn max_oaep_plaintext_len(modulus_len: usize, digest: OaepDigest) -> usize {
    modulus_len.saturating_sub(2 * digest.output_len() + 2)
}

pub(crate) fn oaep_encrypt(
    key: &PublicKey,
    digest: OaepDigest,
    plaintext: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    let limit = max_oaep_plaintext_len(key.size(), digest);
    if plaintext.is_empty() || plaintext.len() > limit {
        return Err(CryptoError::ValidationFailure(format!(
            "the plaintext must be 1 to {limit} bytes for this key and algorithm, got {}",
            plaintext.len()
        )));
    }
    let ciphertext = match digest {
        OaepDigest::Sha1 => key.oaep_encrypt_with_rng::<Sha1, _>(&mut SysRng, plaintext),
        OaepDigest::Sha256 => key.oaep_encrypt_with_rng::<Sha256, _>(&mut SysRng, plaintext),
    };
    ciphertext.map_err(|e| internal("RSA-OAEP encryption", e))
}

pub(crate) fn oaep_decrypt(
    key: &PrivateKey,
    digest: OaepDigest,
    ciphertext: &[u8],
) -> Result<SecretBytes, CryptoError> {
    if ciphertext.len() != key.size() {
        return Err(CryptoError::InvalidCiphertext);
    }
    let plaintext = match digest {
        OaepDigest::Sha1 => key.oaep_decrypt_with_rng::<Sha1, _>(&mut SysRng, ciphertext),
        OaepDigest::Sha256 => key.oaep_decrypt_with_rng::<Sha256, _>(&mut SysRng, ciphertext),
    };
    plaintext
        .map(SecretBytes::new)
        .map_err(|_| CryptoError::InvalidCiphertext)
}

pub(crate) fn sign_digest(
    key: &PrivateKey,
    padding: SignaturePadding,
    sha: Sha2,
    digest: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    let rng = &mut SysRng;
    let signature = match (padding, sha) {
        (SignaturePadding::Pss, Sha2::Sha256) => {
            key.pss_sign_prehash_with_rng::<Sha256, _>(rng, digest)
        }
        (SignaturePadding::Pss, Sha2::Sha384) => {
            key.pss_sign_prehash_with_rng::<Sha384, _>(rng, digest)
        }
        (SignaturePadding::Pss, Sha2::Sha512) => {
            key.pss_sign_prehash_with_rng::<Sha512, _>(rng, digest)
        }
        (SignaturePadding::Pkcs1V15, Sha2::Sha256) => {
            key.pkcs1v15_sign_prehash_with_rng::<Sha256, _>(rng, digest)
        }
        (SignaturePadding::Pkcs1V15, Sha2::Sha384) => {
            key.pkcs1v15_sign_prehash_with_rng::<Sha384, _>(rng, digest)
        }
        (SignaturePadding::Pkcs1V15, Sha2::Sha512) => {
            key.pkcs1v15_sign_prehash_with_rng::<Sha512, _>(rng, digest)
        }
    };
    signature.map_err(|e| internal("RSA signing", e))
}

pub(crate) fn verify_digest(
    key: &PublicKey,
    padding: SignaturePadding,
    sha: Sha2,
    digest: &[u8],
    signature: &[u8],
) -> bool {
    let outcome = match (padding, sha) {
        (SignaturePadding::Pss, Sha2::Sha256) => {
            key.pss_verify_prehash::<Sha256>(digest, signature)
        }
        (SignaturePadding::Pss, Sha2::Sha384) => {
            key.pss_verify_prehash::<Sha384>(digest, signature)
        }
        (SignaturePadding::Pss, Sha2::Sha512) => {
            key.pss_verify_prehash::<Sha512>(digest, signature)
        }
        (SignaturePadding::Pkcs1V15, Sha2::Sha256) => {
            key.pkcs1v15_verify_prehash::<Sha256>(digest, signature)
        }
        (SignaturePadding::Pkcs1V15, Sha2::Sha384) => {
            key.pkcs1v15_verify_prehash::<Sha384>(digest, signature)
        }
        (SignaturePadding::Pkcs1V15, Sha2::Sha512) => {
            key.pkcs1v15_verify_prehash::<Sha512>(digest, signature)
        }
    };
    outcome.is_ok()
}
