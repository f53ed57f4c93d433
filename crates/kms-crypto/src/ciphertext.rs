//! Encrypt and Decrypt with SYMMETRIC_DEFAULT keys: a self-describing, authenticated blob.
//!
//! Layout (version 1), all integers big-endian:
//!
//! ```text
//! version (1) | key id length (2) | key id (UTF-8) | material version (16) | nonce (12) | AES-256-GCM ciphertext and tag (16)
//! ```
//!
//! The key id lets Decrypt find the key without a KeyId parameter; the material version lets a
//! rotated key pick the material that made the blob. Everything before the ciphertext is
//! authenticated as AAD together with the canonical encryption context, so a changed header,
//! ciphertext or context all fail the same way.

use std::collections::BTreeMap;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::Aes256Gcm;

use crate::random::random_array;
use crate::{CryptoError, KeyMaterial, KeySpec, SecretBytes};

/// Identifies one generation of a key's material; rotation adds a new one.
pub type MaterialVersionId = [u8; 16];

/// The largest plaintext Encrypt accepts, in bytes (KMS's limit).
pub const MAX_PLAINTEXT_LEN: usize = 4096;

/// The longest key id a blob can name: the length of a key ARN is well below this.
pub const MAX_KEY_ID_LEN: usize = 2048;

const FORMAT_VERSION: u8 = 1;
const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;
const MATERIAL_VERSION_LEN: usize = 16;

/// What a ciphertext blob says about itself, readable before decrypting (and unauthenticated
/// until [`decrypt_symmetric`] succeeds).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CiphertextHeader {
    /// The key id or ARN given to [`encrypt_symmetric`].
    pub key_id: String,
    /// The material version that encrypted the blob.
    pub material_version: MaterialVersionId,
}

impl CiphertextHeader {
    /// Refuses a blob made under another key than the one the caller named (Decrypt and
    /// ReEncrypt with a KeyId answer `IncorrectKeyException`).
    pub fn require_key(&self, key_id: &str) -> Result<(), CryptoError> {
        if self.key_id == key_id {
            Ok(())
        } else {
            Err(CryptoError::IncorrectKey)
        }
    }
}

/// Encrypt with a SYMMETRIC_DEFAULT key: AES-256-GCM with a random nonce, binding the header and
/// the encryption context as AAD.
pub fn encrypt_symmetric(
    key_id: &str,
    material_version: &MaterialVersionId,
    material: &KeyMaterial,
    plaintext: &[u8],
    encryption_context: &BTreeMap<String, String>,
) -> Result<Vec<u8>, CryptoError> {
    let cipher = symmetric_cipher(material)?;
    if plaintext.is_empty() || plaintext.len() > MAX_PLAINTEXT_LEN {
        return Err(CryptoError::ValidationFailure(format!(
            "Plaintext must be 1 to {MAX_PLAINTEXT_LEN} bytes, got {}",
            plaintext.len()
        )));
    }
    if key_id.is_empty() || key_id.len() > MAX_KEY_ID_LEN {
        return Err(CryptoError::ValidationFailure(format!(
            "the key id must be 1 to {MAX_KEY_ID_LEN} bytes"
        )));
    }
    let nonce = random_array::<NONCE_LEN>()?;

    let mut blob = Vec::with_capacity(
        1 + 2 + key_id.len() + MATERIAL_VERSION_LEN + NONCE_LEN + plaintext.len() + TAG_LEN,
    );
    blob.push(FORMAT_VERSION);
    blob.extend_from_slice(&(key_id.len() as u16).to_be_bytes());
    blob.extend_from_slice(key_id.as_bytes());
    blob.extend_from_slice(material_version);
    blob.extend_from_slice(&nonce);

    let aad = associated_data(&blob, encryption_context);
    let sealed = cipher
        .encrypt(
            &nonce.into(),
            Payload {
                msg: plaintext,
                aad: &aad,
            },
        )
        .map_err(|_| CryptoError::Internal("AES-GCM encryption failed".to_string()))?;
    blob.extend_from_slice(&sealed);
    Ok(blob)
}

/// Reads the key id and material version of a blob, so the service can load the right key.
/// Anything that is not a well-formed blob is `InvalidCiphertext`.
pub fn parse_ciphertext_header(blob: &[u8]) -> Result<CiphertextHeader, CryptoError> {
    parse_header(blob).map(|(header, _)| header)
}

/// Decrypt a blob from [`encrypt_symmetric`] with the material its header names. A flipped bit,
/// a truncation, other material or another encryption context all give `InvalidCiphertext`.
pub fn decrypt_symmetric(
    blob: &[u8],
    material: &KeyMaterial,
    encryption_context: &BTreeMap<String, String>,
) -> Result<SecretBytes, CryptoError> {
    let cipher = symmetric_cipher(material)?;
    let (_, header_len) = parse_header(blob)?;
    let (header, sealed) = blob.split_at(header_len);
    if sealed.len() <= TAG_LEN {
        return Err(CryptoError::InvalidCiphertext);
    }
    let nonce: [u8; NONCE_LEN] = header[header_len - NONCE_LEN..]
        .try_into()
        .map_err(|_| CryptoError::InvalidCiphertext)?;
    let aad = associated_data(header, encryption_context);
    cipher
        .decrypt(
            &nonce.into(),
            Payload {
                msg: sealed,
                aad: &aad,
            },
        )
        .map(SecretBytes::new)
        .map_err(|_| CryptoError::InvalidCiphertext)
}

/// The canonical encoding of an encryption context: the pair count, then each key and value
/// length-prefixed, in key order. Length prefixes keep `{"ab": "c"}` and `{"a": "bc"}` apart.
pub fn canonical_encryption_context(encryption_context: &BTreeMap<String, String>) -> Vec<u8> {
    let mut encoded = Vec::new();
    encoded.extend_from_slice(&(encryption_context.len() as u32).to_be_bytes());
    for (key, value) in encryption_context {
        for field in [key, value] {
            encoded.extend_from_slice(&(field.len() as u32).to_be_bytes());
            encoded.extend_from_slice(field.as_bytes());
        }
    }
    encoded
}

fn symmetric_cipher(material: &KeyMaterial) -> Result<Aes256Gcm, CryptoError> {
    if material.spec() != KeySpec::SymmetricDefault {
        return Err(CryptoError::InvalidKeyUsage(format!(
            "{} keys cannot encrypt with SYMMETRIC_DEFAULT",
            material.spec()
        )));
    }
    Aes256Gcm::new_from_slice(material.secret()).map_err(|_| {
        CryptoError::Internal("symmetric key material has the wrong length".to_string())
    })
}

fn associated_data(header: &[u8], encryption_context: &BTreeMap<String, String>) -> Vec<u8> {
    let mut aad = header.to_vec();
    aad.extend_from_slice(&canonical_encryption_context(encryption_context));
    aad
}

/// Parses the header and returns it with its length in bytes (up to and including the nonce).
fn parse_header(blob: &[u8]) -> Result<(CiphertextHeader, usize), CryptoError> {
    let (&version, rest) = blob.split_first().ok_or(CryptoError::InvalidCiphertext)?;
    if version != FORMAT_VERSION {
        return Err(CryptoError::InvalidCiphertext);
    }
    let (length, rest) = rest
        .split_first_chunk::<2>()
        .ok_or(CryptoError::InvalidCiphertext)?;
    let key_id_len = u16::from_be_bytes(*length) as usize;
    if key_id_len == 0 || key_id_len > MAX_KEY_ID_LEN || rest.len() < key_id_len {
        return Err(CryptoError::InvalidCiphertext);
    }
    let (key_id, rest) = rest.split_at(key_id_len);
    let key_id = std::str::from_utf8(key_id).map_err(|_| CryptoError::InvalidCiphertext)?;
    let (material_version, rest) = rest
        .split_first_chunk::<MATERIAL_VERSION_LEN>()
        .ok_or(CryptoError::InvalidCiphertext)?;
    if rest.len() < NONCE_LEN {
        return Err(CryptoError::InvalidCiphertext);
    }
    let header_len = 1 + 2 + key_id_len + MATERIAL_VERSION_LEN + NONCE_LEN;
    Ok((
        CiphertextHeader {
            key_id: key_id.to_string(),
            material_version: *material_version,
        },
        header_len,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY_ARN: &str =
        "arn:aws:kms:us-east-1:000000000000:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    const VERSION_1: MaterialVersionId = [1; 16];

    fn key() -> KeyMaterial {
        KeyMaterial::generate(KeySpec::SymmetricDefault).unwrap()
    }

    fn context(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn decrypt_returns_what_encrypt_was_given() {
        let key = key();
        let ctx = context(&[("purpose", "test"), ("tenant", "a")]);
        let blob = encrypt_symmetric(KEY_ARN, &VERSION_1, &key, b"attack at dawn", &ctx).unwrap();
        assert_eq!(
            decrypt_symmetric(&blob, &key, &ctx).unwrap().as_bytes(),
            b"attack at dawn"
        );
    }

    #[test]
    fn the_header_names_the_key_and_material_version() {
        let blob = encrypt_symmetric(KEY_ARN, &VERSION_1, &key(), b"x", &BTreeMap::new()).unwrap();
        let header = parse_ciphertext_header(&blob).unwrap();
        assert_eq!(
            header,
            CiphertextHeader {
                key_id: KEY_ARN.to_string(),
                material_version: VERSION_1
            }
        );
    }

    #[test]
    fn the_same_plaintext_encrypts_differently_each_time() {
        let key = key();
        let first =
            encrypt_symmetric(KEY_ARN, &VERSION_1, &key, b"same", &BTreeMap::new()).unwrap();
        let second =
            encrypt_symmetric(KEY_ARN, &VERSION_1, &key, b"same", &BTreeMap::new()).unwrap();
        assert_ne!(first, second);
    }

    #[test]
    fn every_flipped_bit_is_an_invalid_ciphertext() {
        let key = key();
        let ctx = context(&[("a", "b")]);
        let blob = encrypt_symmetric("k", &VERSION_1, &key, b"secret data", &ctx).unwrap();
        for byte in 0..blob.len() {
            for bit in 0..8 {
                let mut tampered = blob.clone();
                tampered[byte] ^= 1 << bit;
                assert_eq!(
                    decrypt_symmetric(&tampered, &key, &ctx),
                    Err(CryptoError::InvalidCiphertext),
                    "bit {bit} of byte {byte}"
                );
            }
        }
    }

    #[test]
    fn every_truncation_is_an_invalid_ciphertext() {
        let key = key();
        let blob =
            encrypt_symmetric(KEY_ARN, &VERSION_1, &key, b"secret", &BTreeMap::new()).unwrap();
        for len in 0..blob.len() {
            assert_eq!(
                decrypt_symmetric(&blob[..len], &key, &BTreeMap::new()),
                Err(CryptoError::InvalidCiphertext),
                "truncated to {len} bytes"
            );
        }
    }

    #[test]
    fn a_different_encryption_context_is_an_invalid_ciphertext() {
        let key = key();
        let blob =
            encrypt_symmetric(KEY_ARN, &VERSION_1, &key, b"x", &context(&[("ab", "c")])).unwrap();
        for wrong in [
            context(&[("a", "bc")]),
            context(&[]),
            context(&[("ab", "c"), ("d", "e")]),
        ] {
            assert_eq!(
                decrypt_symmetric(&blob, &key, &wrong),
                Err(CryptoError::InvalidCiphertext)
            );
        }
    }

    #[test]
    fn other_key_material_is_an_invalid_ciphertext() {
        let blob = encrypt_symmetric(KEY_ARN, &VERSION_1, &key(), b"x", &BTreeMap::new()).unwrap();
        assert_eq!(
            decrypt_symmetric(&blob, &key(), &BTreeMap::new()),
            Err(CryptoError::InvalidCiphertext)
        );
    }

    #[test]
    fn garbage_has_no_header() {
        for garbage in [
            &b""[..],
            b"\x01",
            b"\x02\x00\x01k",
            b"\x01\x00\x00",
            b"\x01\xff\xffabc",
        ] {
            assert_eq!(
                parse_ciphertext_header(garbage),
                Err(CryptoError::InvalidCiphertext)
            );
        }
    }

    #[test]
    fn plaintext_over_4096_bytes_is_refused() {
        let key = key();
        assert!(encrypt_symmetric("k", &VERSION_1, &key, &[0; 4096], &BTreeMap::new()).is_ok());
        assert!(matches!(
            encrypt_symmetric("k", &VERSION_1, &key, &[0; 4097], &BTreeMap::new()),
            Err(CryptoError::ValidationFailure(_))
        ));
    }

    #[test]
    fn empty_plaintext_is_refused() {
        assert!(matches!(
            encrypt_symmetric("k", &VERSION_1, &key(), b"", &BTreeMap::new()),
            Err(CryptoError::ValidationFailure(_))
        ));
    }

    #[test]
    fn asymmetric_keys_cannot_make_symmetric_blobs() {
        let hmac = KeyMaterial::generate(KeySpec::Hmac256).unwrap();
        assert!(matches!(
            encrypt_symmetric("k", &VERSION_1, &hmac, b"x", &BTreeMap::new()),
            Err(CryptoError::InvalidKeyUsage(_))
        ));
    }

    #[test]
    fn require_key_refuses_a_blob_for_another_key() {
        let blob = encrypt_symmetric(KEY_ARN, &VERSION_1, &key(), b"x", &BTreeMap::new()).unwrap();
        let header = parse_ciphertext_header(&blob).unwrap();
        assert_eq!(header.require_key(KEY_ARN), Ok(()));
        assert_eq!(
            header.require_key("another"),
            Err(CryptoError::IncorrectKey)
        );
    }

    #[test]
    fn canonical_context_separates_keys_from_values() {
        assert_ne!(
            canonical_encryption_context(&context(&[("ab", "c")])),
            canonical_encryption_context(&context(&[("a", "bc")]))
        );
    }
}
