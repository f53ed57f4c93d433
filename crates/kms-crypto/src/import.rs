//! GetParametersForImport and ImportKeyMaterial: the RSA wrapping key and unwrapping.

use std::fmt;

use crate::key_wrap::aes_key_unwrap_with_padding;
use crate::keys::rsa::{self, OaepDigest};
use crate::{CryptoError, SecretBytes, WrappingAlgorithm, WrappingKeySpec};

/// The RSA key pair GetParametersForImport issues; its public half wraps the key material the
/// caller then imports. The service keeps it (sealed) until the import token expires.
#[derive(Clone)]
pub struct ImportWrappingKey {
    spec: WrappingKeySpec,
    private_key: SecretBytes,
}

impl ImportWrappingKey {
    /// Generates a fresh wrapping key pair.
    pub fn generate(spec: WrappingKeySpec) -> Result<Self, CryptoError> {
        let private_key = SecretBytes::new(rsa::generate_pkcs8(spec.rsa_bits())?);
        Ok(ImportWrappingKey { spec, private_key })
    }

    /// Restores a wrapping key from its PKCS#8 DER private key (after unsealing).
    pub fn from_bytes(spec: WrappingKeySpec, pkcs8: &[u8]) -> Result<Self, CryptoError> {
        rsa::private_key(pkcs8, spec.rsa_bits())?;
        Ok(ImportWrappingKey {
            spec,
            private_key: SecretBytes::new(pkcs8.to_vec()),
        })
    }

    /// The wrapping key's spec.
    pub fn spec(&self) -> WrappingKeySpec {
        self.spec
    }

    /// The private key as PKCS#8 DER, for the store to seal.
    pub fn to_bytes(&self) -> SecretBytes {
        self.private_key.clone()
    }

    /// The public key as DER SubjectPublicKeyInfo (GetParametersForImport's `PublicKey`).
    pub fn public_key_der(&self) -> Result<Vec<u8>, CryptoError> {
        rsa::public_key_der(self.rsa_key()?.as_public_key())
    }

    /// Recovers the key material from `EncryptedKeyMaterial`. RSAES_OAEP_* is RSA-OAEP of the
    /// material itself; RSA_AES_KEY_WRAP_* is RSA-OAEP of an ephemeral AES key followed by the
    /// material wrapped under that key with RFC 5649. Anything that does not unwrap is
    /// `InvalidCiphertext`.
    pub fn unwrap_key_material(
        &self,
        algorithm: WrappingAlgorithm,
        encrypted_key_material: &[u8],
    ) -> Result<SecretBytes, CryptoError> {
        let key = self.rsa_key()?;
        match algorithm {
            WrappingAlgorithm::RsaesOaepSha1 => {
                rsa::oaep_decrypt(&key, OaepDigest::Sha1, encrypted_key_material)
            }
            WrappingAlgorithm::RsaesOaepSha256 => {
                rsa::oaep_decrypt(&key, OaepDigest::Sha256, encrypted_key_material)
            }
            WrappingAlgorithm::RsaAesKeyWrapSha1 => {
                unwrap_two_layers(&key, OaepDigest::Sha1, encrypted_key_material)
            }
            WrappingAlgorithm::RsaAesKeyWrapSha256 => {
                unwrap_two_layers(&key, OaepDigest::Sha256, encrypted_key_material)
            }
        }
    }

    fn rsa_key(&self) -> Result<::rsa::PrivateKey, CryptoError> {
        rsa::private_key(self.private_key.as_bytes(), self.spec.rsa_bits())
    }
}

impl fmt::Debug for ImportWrappingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ImportWrappingKey")
            .field("spec", &self.spec)
            .finish_non_exhaustive()
    }
}

fn unwrap_two_layers(
    key: &::rsa::PrivateKey,
    digest: OaepDigest,
    encrypted: &[u8],
) -> Result<SecretBytes, CryptoError> {
    use ::rsa::traits::PublicKeyParts;
    let modulus_len = key.size();
    if encrypted.len() <= modulus_len {
        return Err(CryptoError::InvalidCiphertext);
    }
    let (wrapped_aes_key, wrapped_material) = encrypted.split_at(modulus_len);
    let aes_key = rsa::oaep_decrypt(key, digest, wrapped_aes_key)?;
    if ![16, 24, 32].contains(&aes_key.len()) {
        return Err(CryptoError::InvalidCiphertext);
    }
    aes_key_unwrap_with_padding(aes_key.as_bytes(), wrapped_material)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::key_wrap::aes_key_wrap_with_padding;
    use crate::{EncryptionAlgorithm, KeyMaterial, KeySpec};
    use std::sync::OnceLock;

    fn wrapping_key() -> &'static ImportWrappingKey {
        static KEY: OnceLock<ImportWrappingKey> = OnceLock::new();
        KEY.get_or_init(|| ImportWrappingKey::generate(WrappingKeySpec::Rsa2048).unwrap())
    }

    /// What a KMS client does for RSA_AES_KEY_WRAP: OAEP-encrypt a fresh AES key, then wrap.
    fn client_wraps(public_key: &[u8], algorithm: EncryptionAlgorithm, material: &[u8]) -> Vec<u8> {
        let aes_key = [0x42u8; 32];
        let mut wrapped = crate::encrypt_with_public_key(public_key, algorithm, &aes_key).unwrap();
        wrapped.extend(aes_key_wrap_with_padding(&aes_key, material).unwrap());
        wrapped
    }

    #[test]
    fn rsaes_oaep_sha_256_unwraps_symmetric_material() {
        let key = wrapping_key();
        let material = [7u8; 32];
        let public_key = key.public_key_der().unwrap();
        let wrapped = crate::encrypt_with_public_key(
            &public_key,
            EncryptionAlgorithm::RsaesOaepSha256,
            &material,
        )
        .unwrap();
        let unwrapped = key
            .unwrap_key_material(WrappingAlgorithm::RsaesOaepSha256, &wrapped)
            .unwrap();
        assert_eq!(unwrapped.as_bytes(), material);
    }

    #[test]
    fn rsaes_oaep_sha_1_unwraps_symmetric_material() {
        let key = wrapping_key();
        let public_key = key.public_key_der().unwrap();
        let wrapped = crate::encrypt_with_public_key(
            &public_key,
            EncryptionAlgorithm::RsaesOaepSha1,
            &[9; 32],
        )
        .unwrap();
        let unwrapped = key
            .unwrap_key_material(WrappingAlgorithm::RsaesOaepSha1, &wrapped)
            .unwrap();
        assert_eq!(unwrapped.as_bytes(), [9; 32]);
    }

    #[test]
    fn rsa_aes_key_wrap_sha_256_unwraps_an_asymmetric_private_key() {
        let key = wrapping_key();
        let private_key = KeyMaterial::generate(KeySpec::EccNistP384)
            .unwrap()
            .to_bytes();
        let wrapped = client_wraps(
            &key.public_key_der().unwrap(),
            EncryptionAlgorithm::RsaesOaepSha256,
            private_key.as_bytes(),
        );
        let unwrapped = key
            .unwrap_key_material(WrappingAlgorithm::RsaAesKeyWrapSha256, &wrapped)
            .unwrap();
        assert_eq!(unwrapped, private_key);
        assert!(KeyMaterial::from_bytes(KeySpec::EccNistP384, unwrapped.as_bytes()).is_ok());
    }

    #[test]
    fn rsa_aes_key_wrap_sha_1_unwraps_hmac_material() {
        let key = wrapping_key();
        let wrapped = client_wraps(
            &key.public_key_der().unwrap(),
            EncryptionAlgorithm::RsaesOaepSha1,
            &[3; 64],
        );
        let unwrapped = key
            .unwrap_key_material(WrappingAlgorithm::RsaAesKeyWrapSha1, &wrapped)
            .unwrap();
        assert_eq!(unwrapped.as_bytes(), [3; 64]);
    }

    #[test]
    fn the_wrong_wrapping_algorithm_is_an_invalid_ciphertext() {
        let key = wrapping_key();
        let wrapped = client_wraps(
            &key.public_key_der().unwrap(),
            EncryptionAlgorithm::RsaesOaepSha256,
            &[3; 32],
        );
        for algorithm in [
            WrappingAlgorithm::RsaAesKeyWrapSha1,
            WrappingAlgorithm::RsaesOaepSha256,
        ] {
            assert_eq!(
                key.unwrap_key_material(algorithm, &wrapped),
                Err(CryptoError::InvalidCiphertext)
            );
        }
    }

    #[test]
    fn truncated_wrapped_material_is_an_invalid_ciphertext() {
        let key = wrapping_key();
        let wrapped = client_wraps(
            &key.public_key_der().unwrap(),
            EncryptionAlgorithm::RsaesOaepSha256,
            &[3; 32],
        );
        for len in [0, 255, 256, 257, wrapped.len() - 1] {
            let result =
                key.unwrap_key_material(WrappingAlgorithm::RsaAesKeyWrapSha256, &wrapped[..len]);
            assert_eq!(result, Err(CryptoError::InvalidCiphertext), "{len} bytes");
        }
    }

    #[test]
    fn a_wrapping_key_survives_sealing() {
        let key = wrapping_key();
        let restored =
            ImportWrappingKey::from_bytes(WrappingKeySpec::Rsa2048, key.to_bytes().as_bytes())
                .unwrap();
        assert_eq!(
            restored.public_key_der().unwrap(),
            key.public_key_der().unwrap()
        );
        assert!(
            ImportWrappingKey::from_bytes(WrappingKeySpec::Rsa3072, key.to_bytes().as_bytes())
                .is_err()
        );
    }
}
