//! Encrypt and Decrypt with RSA keys (RSAES_OAEP_SHA_1, RSAES_OAEP_SHA_256).
//!
//! Unlike symmetric blobs, these ciphertexts are plain RSA-OAEP, so anyone holding the public key
//! (from GetPublicKey) can encrypt with OpenSSL and KMS decrypts; Decrypt therefore needs a KeyId.

use crate::keys::rsa::{self, OaepDigest};
use crate::{CryptoError, EncryptionAlgorithm, KeyMaterial, KeySpec, SecretBytes};

/// The largest plaintext KMS encrypts for an RSA key spec and OAEP algorithm (214, 190, 342, 318,
/// 470 and 446 bytes), or `None` if the pair does not go together.
pub fn max_rsa_plaintext_len(spec: KeySpec, algorithm: EncryptionAlgorithm) -> Option<usize> {
    let bits = spec.rsa_bits()?;
    Some(rsa::max_oaep_plaintext_len(
        bits / 8,
        oaep_digest(spec, algorithm).ok()?,
    ))
}

/// Encrypt with an RSA key's public half.
pub fn encrypt_asymmetric(
    material: &KeyMaterial,
    algorithm: EncryptionAlgorithm,
    plaintext: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    let digest = oaep_digest(material.spec(), algorithm)?;
    let public_key = material.rsa_private_key()?.to_public_key();
    rsa::oaep_encrypt(&public_key, digest, plaintext)
}

/// Encrypt with a DER SubjectPublicKeyInfo, as a KMS client does offline with GetPublicKey's
/// answer; the counterpart of [`decrypt_asymmetric`].
pub fn encrypt_with_public_key(
    public_key_der: &[u8],
    algorithm: EncryptionAlgorithm,
    plaintext: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    let public_key = rsa::public_key_from_der(public_key_der)?;
    let digest = match algorithm {
        EncryptionAlgorithm::RsaesOaepSha1 => OaepDigest::Sha1,
        EncryptionAlgorithm::RsaesOaepSha256 => OaepDigest::Sha256,
        EncryptionAlgorithm::SymmetricDefault => return Err(incompatible(algorithm, "RSA")),
    };
    rsa::oaep_encrypt(&public_key, digest, plaintext)
}

/// Decrypt an RSA-OAEP ciphertext; any ciphertext that does not decrypt is `InvalidCiphertext`.
pub fn decrypt_asymmetric(
    material: &KeyMaterial,
    algorithm: EncryptionAlgorithm,
    ciphertext: &[u8],
) -> Result<SecretBytes, CryptoError> {
    let digest = oaep_digest(material.spec(), algorithm)?;
    rsa::oaep_decrypt(&material.rsa_private_key()?, digest, ciphertext)
}

fn oaep_digest(spec: KeySpec, algorithm: EncryptionAlgorithm) -> Result<OaepDigest, CryptoError> {
    if spec.rsa_bits().is_none() {
        return Err(incompatible(algorithm, spec.as_str()));
    }
    match algorithm {
        EncryptionAlgorithm::RsaesOaepSha1 => Ok(OaepDigest::Sha1),
        EncryptionAlgorithm::RsaesOaepSha256 => Ok(OaepDigest::Sha256),
        EncryptionAlgorithm::SymmetricDefault => Err(incompatible(algorithm, spec.as_str())),
    }
}

fn incompatible(algorithm: EncryptionAlgorithm, spec: &str) -> CryptoError {
    CryptoError::InvalidKeyUsage(format!(
        "the encryption algorithm {algorithm} is not compatible with {spec} keys"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_keys::material;

    #[test]
    fn oaep_sha256_round_trips_with_rsa_2048() {
        let key = material(KeySpec::Rsa2048);
        let ciphertext =
            encrypt_asymmetric(key, EncryptionAlgorithm::RsaesOaepSha256, b"hello").unwrap();
        assert_eq!(ciphertext.len(), 256);
        let plaintext =
            decrypt_asymmetric(key, EncryptionAlgorithm::RsaesOaepSha256, &ciphertext).unwrap();
        assert_eq!(plaintext.as_bytes(), b"hello");
    }

    #[test]
    fn oaep_sha1_round_trips_with_rsa_3072() {
        let key = material(KeySpec::Rsa3072);
        let ciphertext =
            encrypt_asymmetric(key, EncryptionAlgorithm::RsaesOaepSha1, b"hello").unwrap();
        let plaintext =
            decrypt_asymmetric(key, EncryptionAlgorithm::RsaesOaepSha1, &ciphertext).unwrap();
        assert_eq!(plaintext.as_bytes(), b"hello");
    }

    #[test]
    fn encrypting_with_the_public_key_decrypts_with_the_key() {
        let key = material(KeySpec::Rsa4096);
        let public_key = key.public_key_der().unwrap();
        let ciphertext = encrypt_with_public_key(
            &public_key,
            EncryptionAlgorithm::RsaesOaepSha256,
            b"offline",
        )
        .unwrap();
        let plaintext =
            decrypt_asymmetric(key, EncryptionAlgorithm::RsaesOaepSha256, &ciphertext).unwrap();
        assert_eq!(plaintext.as_bytes(), b"offline");
    }

    #[test]
    fn plaintext_limits_match_kms_per_key_size_and_padding() {
        let limits = [
            (KeySpec::Rsa2048, 214, 190),
            (KeySpec::Rsa3072, 342, 318),
            (KeySpec::Rsa4096, 470, 446),
        ];
        for (spec, sha1, sha256) in limits {
            assert_eq!(
                max_rsa_plaintext_len(spec, EncryptionAlgorithm::RsaesOaepSha1),
                Some(sha1)
            );
            assert_eq!(
                max_rsa_plaintext_len(spec, EncryptionAlgorithm::RsaesOaepSha256),
                Some(sha256)
            );
        }
        assert_eq!(
            max_rsa_plaintext_len(KeySpec::EccNistP256, EncryptionAlgorithm::RsaesOaepSha256),
            None
        );
    }

    #[test]
    fn plaintext_one_byte_over_the_limit_is_refused() {
        let key = material(KeySpec::Rsa2048);
        assert!(encrypt_asymmetric(key, EncryptionAlgorithm::RsaesOaepSha256, &[7; 190]).is_ok());
        assert!(matches!(
            encrypt_asymmetric(key, EncryptionAlgorithm::RsaesOaepSha256, &[7; 191]),
            Err(CryptoError::ValidationFailure(_))
        ));
        assert!(encrypt_asymmetric(key, EncryptionAlgorithm::RsaesOaepSha1, &[7; 214]).is_ok());
        assert!(encrypt_asymmetric(key, EncryptionAlgorithm::RsaesOaepSha1, &[7; 215]).is_err());
    }

    #[test]
    fn decrypting_with_the_other_oaep_digest_is_an_invalid_ciphertext() {
        let key = material(KeySpec::Rsa2048);
        let ciphertext =
            encrypt_asymmetric(key, EncryptionAlgorithm::RsaesOaepSha256, b"x").unwrap();
        assert!(matches!(
            decrypt_asymmetric(key, EncryptionAlgorithm::RsaesOaepSha1, &ciphertext),
            Err(CryptoError::InvalidCiphertext)
        ));
    }

    #[test]
    fn a_flipped_bit_in_an_rsa_ciphertext_is_an_invalid_ciphertext() {
        let key = material(KeySpec::Rsa2048);
        let mut ciphertext =
            encrypt_asymmetric(key, EncryptionAlgorithm::RsaesOaepSha256, b"x").unwrap();
        ciphertext[100] ^= 0x10;
        assert!(matches!(
            decrypt_asymmetric(key, EncryptionAlgorithm::RsaesOaepSha256, &ciphertext),
            Err(CryptoError::InvalidCiphertext)
        ));
        assert!(matches!(
            decrypt_asymmetric(key, EncryptionAlgorithm::RsaesOaepSha256, &ciphertext[1..]),
            Err(CryptoError::InvalidCiphertext)
        ));
    }

    #[test]
    fn symmetric_default_is_not_an_rsa_algorithm() {
        let key = material(KeySpec::Rsa2048);
        assert!(matches!(
            encrypt_asymmetric(key, EncryptionAlgorithm::SymmetricDefault, b"x"),
            Err(CryptoError::InvalidKeyUsage(_))
        ));
    }

    #[test]
    fn ecc_keys_cannot_encrypt() {
        let key = material(KeySpec::EccNistP256);
        assert!(matches!(
            encrypt_asymmetric(key, EncryptionAlgorithm::RsaesOaepSha256, b"x"),
            Err(CryptoError::InvalidKeyUsage(_))
        ));
    }
}
