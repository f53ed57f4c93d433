//! GenerateDataKey and GenerateDataKeyPair: keys for the caller to use outside KMS.

use crate::random::{random_bytes, MAX_RANDOM_BYTES};
use crate::{CryptoError, DataKeySpec, KeyMaterial, KeySpec, SecretBytes};

/// The key specs GenerateDataKeyPair offers (`DataKeyPairSpec`, less SM2).
pub const DATA_KEY_PAIR_SPECS: &[KeySpec] = &[
    KeySpec::Rsa2048,
    KeySpec::Rsa3072,
    KeySpec::Rsa4096,
    KeySpec::EccNistP256,
    KeySpec::EccNistP384,
    KeySpec::EccNistP521,
    KeySpec::EccSecgP256k1,
];

/// GenerateDataKey: a random data key of `KeySpec` (AES_128 or AES_256) or `NumberOfBytes`
/// (1 to 1024) length; exactly one of the two must be given, as KMS requires.
pub fn generate_data_key(
    key_spec: Option<DataKeySpec>,
    number_of_bytes: Option<usize>,
) -> Result<SecretBytes, CryptoError> {
    let len = match (key_spec, number_of_bytes) {
        (Some(spec), None) => spec.byte_len(),
        (None, Some(n)) if (1..=MAX_RANDOM_BYTES).contains(&n) => n,
        (None, Some(n)) => {
            return Err(CryptoError::ValidationFailure(format!(
                "NumberOfBytes must be between 1 and {MAX_RANDOM_BYTES}, got {n}"
            )))
        }
        _ => {
            return Err(CryptoError::ValidationFailure(
                "Specify either KeySpec or NumberOfBytes, but not both".to_string(),
            ))
        }
    };
    random_bytes(len).map(SecretBytes::new)
}

/// A data key pair: the private key for the caller (and, encrypted, for storage), the public key
/// in the clear.
#[derive(Debug)]
pub struct DataKeyPair {
    /// The private key as PKCS#8 DER (`PrivateKeyPlaintext`).
    pub private_key: SecretBytes,
    /// The public key as DER SubjectPublicKeyInfo (`PublicKey`).
    pub public_key: Vec<u8>,
}

/// GenerateDataKeyPair: a fresh asymmetric key pair of one of [`DATA_KEY_PAIR_SPECS`].
pub fn generate_data_key_pair(spec: KeySpec) -> Result<DataKeyPair, CryptoError> {
    if !DATA_KEY_PAIR_SPECS.contains(&spec) {
        return Err(CryptoError::ValidationFailure(format!(
            "{spec} is not a valid KeyPairSpec"
        )));
    }
    let material = KeyMaterial::generate(spec)?;
    Ok(DataKeyPair {
        public_key: material.public_key_der()?,
        private_key: material.to_bytes(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aes_256_and_aes_128_data_keys_have_their_lengths() {
        assert_eq!(
            generate_data_key(Some(DataKeySpec::Aes256), None)
                .unwrap()
                .len(),
            32
        );
        assert_eq!(
            generate_data_key(Some(DataKeySpec::Aes128), None)
                .unwrap()
                .len(),
            16
        );
    }

    #[test]
    fn number_of_bytes_ranges_from_1_to_1024() {
        assert_eq!(generate_data_key(None, Some(1)).unwrap().len(), 1);
        assert_eq!(generate_data_key(None, Some(1024)).unwrap().len(), 1024);
        assert!(matches!(
            generate_data_key(None, Some(0)),
            Err(CryptoError::ValidationFailure(_))
        ));
        assert!(matches!(
            generate_data_key(None, Some(1025)),
            Err(CryptoError::ValidationFailure(_))
        ));
    }

    #[test]
    fn key_spec_and_number_of_bytes_are_exclusive() {
        assert!(matches!(
            generate_data_key(None, None),
            Err(CryptoError::ValidationFailure(_))
        ));
        let both = generate_data_key(Some(DataKeySpec::Aes256), Some(32));
        assert!(matches!(both, Err(CryptoError::ValidationFailure(_))));
    }

    #[test]
    fn a_data_key_pairs_private_key_restores_to_its_public_key() {
        for spec in [
            KeySpec::EccNistP256,
            KeySpec::EccSecgP256k1,
            KeySpec::Rsa2048,
        ] {
            let pair = generate_data_key_pair(spec).unwrap();
            let restored = KeyMaterial::from_bytes(spec, pair.private_key.as_bytes()).unwrap();
            assert_eq!(
                restored.public_key_der().unwrap(),
                pair.public_key,
                "{spec}"
            );
        }
    }

    #[test]
    fn hmac_and_ml_dsa_are_not_data_key_pair_specs() {
        for spec in [
            KeySpec::Hmac256,
            KeySpec::MlDsa44,
            KeySpec::SymmetricDefault,
            KeySpec::EccNistEdwards25519,
        ] {
            assert!(
                matches!(
                    generate_data_key_pair(spec),
                    Err(CryptoError::ValidationFailure(_))
                ),
                "{spec}"
            );
        }
    }
}
