//! GenerateMac and VerifyMac with HMAC keys.

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Sha224, Sha256, Sha384, Sha512};

use crate::{CryptoError, KeyMaterial, KeyUsage, MacAlgorithm};

/// The largest message GenerateMac and VerifyMac accept, in bytes (KMS's limit).
pub const MAX_MAC_MESSAGE_LEN: usize = 4096;

/// GenerateMac: the HMAC of `message` under the key, with the one algorithm its spec allows.
pub fn generate_mac(
    material: &KeyMaterial,
    algorithm: MacAlgorithm,
    message: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    check(material, algorithm, message)?;
    let key = material.secret();
    let mac = match algorithm {
        MacAlgorithm::HmacSha224 => hmac_of::<Hmac<Sha224>>(key, message)?,
        MacAlgorithm::HmacSha256 => hmac_of::<Hmac<Sha256>>(key, message)?,
        MacAlgorithm::HmacSha384 => hmac_of::<Hmac<Sha384>>(key, message)?,
        MacAlgorithm::HmacSha512 => hmac_of::<Hmac<Sha512>>(key, message)?,
    };
    Ok(mac)
}

/// VerifyMac: whether `mac` is the HMAC of `message`, compared in constant time. `Ok(false)` is
/// KMS's `KMSInvalidMacException`.
pub fn verify_mac(
    material: &KeyMaterial,
    algorithm: MacAlgorithm,
    message: &[u8],
    mac: &[u8],
) -> Result<bool, CryptoError> {
    check(material, algorithm, message)?;
    let key = material.secret();
    match algorithm {
        MacAlgorithm::HmacSha224 => hmac_matches::<Hmac<Sha224>>(key, message, mac),
        MacAlgorithm::HmacSha256 => hmac_matches::<Hmac<Sha256>>(key, message, mac),
        MacAlgorithm::HmacSha384 => hmac_matches::<Hmac<Sha384>>(key, message, mac),
        MacAlgorithm::HmacSha512 => hmac_matches::<Hmac<Sha512>>(key, message, mac),
    }
}

fn check(
    material: &KeyMaterial,
    algorithm: MacAlgorithm,
    message: &[u8],
) -> Result<(), CryptoError> {
    let spec = material.spec();
    let offered = spec.algorithms(KeyUsage::GenerateVerifyMac).map_err(|_| {
        CryptoError::InvalidKeyUsage(format!("{spec} keys cannot generate or verify MACs"))
    })?;
    if !offered.mac.contains(&algorithm) {
        return Err(CryptoError::InvalidKeyUsage(format!(
            "the MAC algorithm {algorithm} is not compatible with {spec} keys"
        )));
    }
    if message.is_empty() || message.len() > MAX_MAC_MESSAGE_LEN {
        return Err(CryptoError::ValidationFailure(format!(
            "Message must be 1 to {MAX_MAC_MESSAGE_LEN} bytes, got {}",
            message.len()
        )));
    }
    Ok(())
}

fn keyed<M: Mac + KeyInit>(key: &[u8]) -> Result<M, CryptoError> {
    <M as KeyInit>::new_from_slice(key)
        .map_err(|_| CryptoError::Internal("HMAC key rejected".to_string()))
}

fn hmac_of<M: Mac + KeyInit>(key: &[u8], message: &[u8]) -> Result<Vec<u8>, CryptoError> {
    let mut mac = keyed::<M>(key)?;
    mac.update(message);
    Ok(mac.finalize().into_bytes().to_vec())
}

fn hmac_matches<M: Mac + KeyInit>(
    key: &[u8],
    message: &[u8],
    expected: &[u8],
) -> Result<bool, CryptoError> {
    let mut mac = keyed::<M>(key)?;
    mac.update(message);
    Ok(mac.verify_slice(expected).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_keys::hex;
    use crate::KeySpec;

    #[test]
    fn each_hmac_spec_makes_a_mac_of_its_digest_length() {
        let cases = [
            (KeySpec::Hmac224, MacAlgorithm::HmacSha224, 28),
            (KeySpec::Hmac256, MacAlgorithm::HmacSha256, 32),
            (KeySpec::Hmac384, MacAlgorithm::HmacSha384, 48),
            (KeySpec::Hmac512, MacAlgorithm::HmacSha512, 64),
        ];
        for (spec, algorithm, len) in cases {
            let key = KeyMaterial::generate(spec).unwrap();
            let mac = generate_mac(&key, algorithm, b"message").unwrap();
            assert_eq!(mac.len(), len, "{spec}");
            assert_eq!(
                verify_mac(&key, algorithm, b"message", &mac),
                Ok(true),
                "{spec}"
            );
        }
    }

    #[test]
    fn hmac_sha_256_and_224_match_python_hmac() {
        let key = KeyMaterial::from_bytes(KeySpec::Hmac256, &[0x0b; 32]).unwrap();
        let mac = generate_mac(&key, MacAlgorithm::HmacSha256, b"Hi There").unwrap();
        assert_eq!(
            mac,
            hex("198a607eb44bfbc69903a0f1cf2bbdc5ba0aa3f3d9ae3c1c7a3b1696a0b68cf7")
        );
        let key = KeyMaterial::from_bytes(KeySpec::Hmac224, &[0x0b; 28]).unwrap();
        let mac = generate_mac(&key, MacAlgorithm::HmacSha224, b"Hi There").unwrap();
        assert_eq!(
            mac,
            hex("1abbc7c42cf4ca9f9d7b624564cb72d7b0945ea0a615095904a0fd34")
        );
    }

    #[test]
    fn imported_hmac_keys_must_fit_the_specs_length_range() {
        assert!(KeyMaterial::from_bytes(KeySpec::Hmac256, &[1; 31]).is_err());
        assert!(KeyMaterial::from_bytes(KeySpec::Hmac256, &[1; 64]).is_ok());
        assert!(KeyMaterial::from_bytes(KeySpec::Hmac256, &[1; 65]).is_err());
        assert!(KeyMaterial::from_bytes(KeySpec::Hmac512, &[1; 128]).is_ok());
    }

    #[test]
    fn a_changed_message_or_mac_does_not_verify() {
        let key = KeyMaterial::generate(KeySpec::Hmac256).unwrap();
        let mut mac = generate_mac(&key, MacAlgorithm::HmacSha256, b"message").unwrap();
        assert_eq!(
            verify_mac(&key, MacAlgorithm::HmacSha256, b"messagE", &mac),
            Ok(false)
        );
        mac[0] ^= 1;
        assert_eq!(
            verify_mac(&key, MacAlgorithm::HmacSha256, b"message", &mac),
            Ok(false)
        );
        assert_eq!(
            verify_mac(&key, MacAlgorithm::HmacSha256, b"message", &mac[..16]),
            Ok(false)
        );
    }

    #[test]
    fn an_hmac_key_refuses_another_digest() {
        let key = KeyMaterial::generate(KeySpec::Hmac256).unwrap();
        let result = generate_mac(&key, MacAlgorithm::HmacSha512, b"message");
        assert!(matches!(result, Err(CryptoError::InvalidKeyUsage(_))));
    }

    #[test]
    fn symmetric_keys_cannot_make_macs() {
        let key = KeyMaterial::generate(KeySpec::SymmetricDefault).unwrap();
        let result = generate_mac(&key, MacAlgorithm::HmacSha256, b"message");
        assert!(matches!(result, Err(CryptoError::InvalidKeyUsage(_))));
    }

    #[test]
    fn mac_messages_over_4096_bytes_are_refused() {
        let key = KeyMaterial::generate(KeySpec::Hmac224).unwrap();
        assert!(generate_mac(&key, MacAlgorithm::HmacSha224, &[0; 4096]).is_ok());
        let result = generate_mac(&key, MacAlgorithm::HmacSha224, &[0; 4097]);
        assert!(matches!(result, Err(CryptoError::ValidationFailure(_))));
    }
}
