//! DeriveSharedSecret: ECDH between a KMS key and a peer's public key.

use crate::keys::ecc;
use crate::{CryptoError, KeyAgreementAlgorithm, KeyMaterial, KeySpec, SecretBytes};

/// DeriveSharedSecret: the raw ECDH shared secret (the shared point's x-coordinate, as
/// `openssl pkeyutl -derive` prints it) between the key and a peer public key given as DER
/// SubjectPublicKeyInfo on the same curve.
pub fn derive_shared_secret(
    material: &KeyMaterial,
    algorithm: KeyAgreementAlgorithm,
    peer_public_key_der: &[u8],
) -> Result<SecretBytes, CryptoError> {
    // ECDH is the only algorithm; a new one fails to compile here until it is handled.
    let KeyAgreementAlgorithm::Ecdh = algorithm;
    let secret = material.secret();
    match material.spec() {
        KeySpec::EccNistP256 => ecc::diffie_hellman(
            &ecc::secret_key::<p256::NistP256>(secret, "ECC_NIST_P256")?,
            peer_public_key_der,
        ),
        KeySpec::EccNistP384 => ecc::diffie_hellman(
            &ecc::secret_key::<p384::NistP384>(secret, "ECC_NIST_P384")?,
            peer_public_key_der,
        ),
        KeySpec::EccNistP521 => ecc::diffie_hellman(
            &ecc::secret_key::<p521::NistP521>(secret, "ECC_NIST_P521")?,
            peer_public_key_der,
        ),
        spec => Err(CryptoError::InvalidKeyUsage(format!(
            "{spec} keys cannot be used for key agreement"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_keys::material;

    #[test]
    fn both_parties_derive_the_same_secret_on_each_nist_curve() {
        for (spec, len) in [
            (KeySpec::EccNistP256, 32),
            (KeySpec::EccNistP384, 48),
            (KeySpec::EccNistP521, 66),
        ] {
            let ours = material(spec);
            let theirs = KeyMaterial::generate(spec).unwrap();
            let ours_secret = derive_shared_secret(
                ours,
                KeyAgreementAlgorithm::Ecdh,
                &theirs.public_key_der().unwrap(),
            )
            .unwrap();
            let theirs_secret = derive_shared_secret(
                &theirs,
                KeyAgreementAlgorithm::Ecdh,
                &ours.public_key_der().unwrap(),
            )
            .unwrap();
            assert_eq!(ours_secret, theirs_secret, "{spec}");
            assert_eq!(ours_secret.len(), len, "{spec}");
        }
    }

    #[test]
    fn a_peer_key_on_another_curve_is_refused() {
        let peer = material(KeySpec::EccNistP384).public_key_der().unwrap();
        let result = derive_shared_secret(
            material(KeySpec::EccNistP256),
            KeyAgreementAlgorithm::Ecdh,
            &peer,
        );
        assert!(matches!(result, Err(CryptoError::ValidationFailure(_))));
    }

    #[test]
    fn a_malformed_peer_key_is_refused() {
        let result = derive_shared_secret(
            material(KeySpec::EccNistP256),
            KeyAgreementAlgorithm::Ecdh,
            b"\x30\x03abc",
        );
        assert!(matches!(result, Err(CryptoError::ValidationFailure(_))));
    }

    #[test]
    fn secp256k1_keys_cannot_agree() {
        let peer = material(KeySpec::EccSecgP256k1).public_key_der().unwrap();
        let result = derive_shared_secret(
            material(KeySpec::EccSecgP256k1),
            KeyAgreementAlgorithm::Ecdh,
            &peer,
        );
        assert!(matches!(result, Err(CryptoError::InvalidKeyUsage(_))));
    }
}
