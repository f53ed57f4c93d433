//! Sign and Verify with asymmetric keys, for every KMS signing algorithm and message type.

use crate::digests::Sha2;
use crate::keys::ml_dsa::{self, Signed, MU_LEN};
use crate::keys::rsa::{self, SignaturePadding};
use crate::keys::{ecc, ed25519};
use crate::material::ml_dsa_set;
use crate::{CryptoError, KeyMaterial, KeySpec, KeyUsage, MessageType, SigningAlgorithm};

/// The largest RAW message Sign and Verify accept, in bytes (KMS's limit).
pub const MAX_RAW_MESSAGE_LEN: usize = 4096;

/// Sign: returns the signature as KMS does (DER `ECDSA-Sig-Value` for ECDSA, raw bytes otherwise).
///
/// RAW messages (1 to 4096 bytes) are hashed with the algorithm's digest; a DIGEST message must
/// already be that digest; EXTERNAL_MU is ML-DSA's 64-byte µ.
pub fn sign(
    material: &KeyMaterial,
    algorithm: SigningAlgorithm,
    message: &[u8],
    message_type: MessageType,
) -> Result<Vec<u8>, CryptoError> {
    let input = SigningInput::prepare(material.spec(), algorithm, message, message_type)?;
    let secret = material.secret();
    match (material.spec(), input) {
        (_, SigningInput::Rsa(padding, sha, digest)) => {
            rsa::sign_digest(&material.rsa_private_key()?, padding, sha, &digest)
        }
        (KeySpec::EccNistP256, SigningInput::Ecdsa(digest)) => ecc::sign_digest(
            &ecc::secret_key::<p256::NistP256>(secret, "ECC_NIST_P256")?,
            &digest,
        ),
        (KeySpec::EccNistP384, SigningInput::Ecdsa(digest)) => ecc::sign_digest(
            &ecc::secret_key::<p384::NistP384>(secret, "ECC_NIST_P384")?,
            &digest,
        ),
        (KeySpec::EccNistP521, SigningInput::Ecdsa(digest)) => ecc::sign_digest(
            &ecc::secret_key::<p521::NistP521>(secret, "ECC_NIST_P521")?,
            &digest,
        ),
        (_, SigningInput::Ecdsa(digest)) => ecc::sign_digest(
            &ecc::secret_key::<k256::Secp256k1>(secret, "ECC_SECG_P256K1")?,
            &digest,
        ),
        (_, SigningInput::Ed25519(message)) => {
            Ok(ed25519::sign(&ed25519::signing_key(secret)?, message))
        }
        (_, SigningInput::Ed25519ph(digest)) => {
            ed25519::sign_prehashed(&ed25519::signing_key(secret)?, &digest)
        }
        (spec, SigningInput::MlDsa(signed)) => ml_dsa::sign(ml_dsa_set(spec), secret, signed),
    }
}

/// Verify: `Ok(false)` when the signature does not match (KMS answers
/// `KMSInvalidSignatureException`), `Err` when the request itself is invalid.
pub fn verify(
    material: &KeyMaterial,
    algorithm: SigningAlgorithm,
    message: &[u8],
    message_type: MessageType,
    signature: &[u8],
) -> Result<bool, CryptoError> {
    let input = SigningInput::prepare(material.spec(), algorithm, message, message_type)?;
    let secret = material.secret();
    let valid = match (material.spec(), input) {
        (_, SigningInput::Rsa(padding, sha, digest)) => rsa::verify_digest(
            material.rsa_private_key()?.as_public_key(),
            padding,
            sha,
            &digest,
            signature,
        ),
        (KeySpec::EccNistP256, SigningInput::Ecdsa(digest)) => ecc::verify_digest(
            &ecc::secret_key::<p256::NistP256>(secret, "ECC_NIST_P256")?,
            &digest,
            signature,
        ),
        (KeySpec::EccNistP384, SigningInput::Ecdsa(digest)) => ecc::verify_digest(
            &ecc::secret_key::<p384::NistP384>(secret, "ECC_NIST_P384")?,
            &digest,
            signature,
        ),
        (KeySpec::EccNistP521, SigningInput::Ecdsa(digest)) => ecc::verify_digest(
            &ecc::secret_key::<p521::NistP521>(secret, "ECC_NIST_P521")?,
            &digest,
            signature,
        ),
        (_, SigningInput::Ecdsa(digest)) => ecc::verify_digest(
            &ecc::secret_key::<k256::Secp256k1>(secret, "ECC_SECG_P256K1")?,
            &digest,
            signature,
        ),
        (_, SigningInput::Ed25519(message)) => {
            ed25519::verify(&ed25519::signing_key(secret)?, message, signature)
        }
        (_, SigningInput::Ed25519ph(digest)) => {
            ed25519::verify_prehashed(&ed25519::signing_key(secret)?, &digest, signature)
        }
        (spec, SigningInput::MlDsa(signed)) => {
            ml_dsa::verify(ml_dsa_set(spec), secret, signed, signature)?
        }
    };
    Ok(valid)
}

/// What the primitive signs, after the algorithm and message type have been checked.
enum SigningInput<'a> {
    Rsa(SignaturePadding, Sha2, Vec<u8>),
    Ecdsa(Vec<u8>),
    Ed25519(&'a [u8]),
    Ed25519ph(Vec<u8>),
    MlDsa(Signed<'a>),
}

impl<'a> SigningInput<'a> {
    fn prepare(
        spec: KeySpec,
        algorithm: SigningAlgorithm,
        message: &'a [u8],
        message_type: MessageType,
    ) -> Result<Self, CryptoError> {
        use SigningAlgorithm::*;
        let offered = spec.algorithms(KeyUsage::SignVerify).map_err(|_| {
            CryptoError::InvalidKeyUsage(format!("{spec} keys cannot sign or verify"))
        })?;
        if !offered.signing.contains(&algorithm) {
            return Err(CryptoError::InvalidKeyUsage(format!(
                "the signing algorithm {algorithm} is not compatible with {spec} keys"
            )));
        }
        let digest_of = |sha: Sha2| digest_input(sha, message, message_type);
        Ok(match algorithm {
            RsassaPssSha256 => SigningInput::Rsa(
                SignaturePadding::Pss,
                Sha2::Sha256,
                digest_of(Sha2::Sha256)?,
            ),
            RsassaPssSha384 => SigningInput::Rsa(
                SignaturePadding::Pss,
                Sha2::Sha384,
                digest_of(Sha2::Sha384)?,
            ),
            RsassaPssSha512 => SigningInput::Rsa(
                SignaturePadding::Pss,
                Sha2::Sha512,
                digest_of(Sha2::Sha512)?,
            ),
            RsassaPkcs1V15Sha256 => SigningInput::Rsa(
                SignaturePadding::Pkcs1V15,
                Sha2::Sha256,
                digest_of(Sha2::Sha256)?,
            ),
            RsassaPkcs1V15Sha384 => SigningInput::Rsa(
                SignaturePadding::Pkcs1V15,
                Sha2::Sha384,
                digest_of(Sha2::Sha384)?,
            ),
            RsassaPkcs1V15Sha512 => SigningInput::Rsa(
                SignaturePadding::Pkcs1V15,
                Sha2::Sha512,
                digest_of(Sha2::Sha512)?,
            ),
            EcdsaSha256 => SigningInput::Ecdsa(digest_of(Sha2::Sha256)?),
            EcdsaSha384 => SigningInput::Ecdsa(digest_of(Sha2::Sha384)?),
            EcdsaSha512 => SigningInput::Ecdsa(digest_of(Sha2::Sha512)?),
            Ed25519PhSha512 => SigningInput::Ed25519ph(digest_of(Sha2::Sha512)?),
            Ed25519Sha512 => {
                require_message_type(algorithm, message_type, &[MessageType::Raw])?;
                SigningInput::Ed25519(raw_message(message)?)
            }
            MlDsaShake256 => {
                require_message_type(
                    algorithm,
                    message_type,
                    &[MessageType::Raw, MessageType::ExternalMu],
                )?;
                match message_type {
                    MessageType::ExternalMu if message.len() != MU_LEN => {
                        return Err(CryptoError::ValidationFailure(format!(
                            "an EXTERNAL_MU message must be {MU_LEN} bytes, got {}",
                            message.len()
                        )))
                    }
                    MessageType::ExternalMu => SigningInput::MlDsa(Signed::Mu(message)),
                    _ => SigningInput::MlDsa(Signed::Message(raw_message(message)?)),
                }
            }
        })
    }
}

/// The digest to sign: RAW messages are hashed here, DIGEST messages must already be a digest.
fn digest_input(
    sha: Sha2,
    message: &[u8],
    message_type: MessageType,
) -> Result<Vec<u8>, CryptoError> {
    match message_type {
        MessageType::Raw => Ok(sha.digest(raw_message(message)?)),
        MessageType::Digest if message.len() == sha.output_len() => Ok(message.to_vec()),
        MessageType::Digest => Err(CryptoError::ValidationFailure(format!(
            "a DIGEST message for this algorithm must be {} bytes, got {}",
            sha.output_len(),
            message.len()
        ))),
        MessageType::ExternalMu => Err(CryptoError::ValidationFailure(
            "the EXTERNAL_MU message type is only for ML-DSA keys".to_string(),
        )),
    }
}

fn raw_message(message: &[u8]) -> Result<&[u8], CryptoError> {
    if message.is_empty() || message.len() > MAX_RAW_MESSAGE_LEN {
        return Err(CryptoError::ValidationFailure(format!(
            "a RAW message must be 1 to {MAX_RAW_MESSAGE_LEN} bytes, got {}",
            message.len()
        )));
    }
    Ok(message)
}

fn require_message_type(
    algorithm: SigningAlgorithm,
    message_type: MessageType,
    allowed: &[MessageType],
) -> Result<(), CryptoError> {
    if allowed.contains(&message_type) {
        Ok(())
    } else {
        Err(CryptoError::ValidationFailure(format!(
            "the message type {message_type} is not supported with {algorithm}"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_keys::material;

    fn round_trip(spec: KeySpec, algorithm: SigningAlgorithm) {
        let key = material(spec);
        let signature = sign(key, algorithm, b"message to sign", MessageType::Raw).unwrap();
        assert_eq!(
            verify(
                key,
                algorithm,
                b"message to sign",
                MessageType::Raw,
                &signature
            ),
            Ok(true)
        );
        assert_eq!(
            verify(
                key,
                algorithm,
                b"another message",
                MessageType::Raw,
                &signature
            ),
            Ok(false)
        );
    }

    #[test]
    fn every_rsa_algorithm_round_trips_with_rsa_2048() {
        for algorithm in KeySpec::Rsa2048
            .algorithms(KeyUsage::SignVerify)
            .unwrap()
            .signing
        {
            round_trip(KeySpec::Rsa2048, *algorithm);
        }
    }

    #[test]
    fn rsa_pss_sha_512_round_trips_with_rsa_3072_and_4096() {
        round_trip(KeySpec::Rsa3072, SigningAlgorithm::RsassaPssSha512);
        round_trip(KeySpec::Rsa4096, SigningAlgorithm::RsassaPkcs1V15Sha384);
    }

    #[test]
    fn ecdsa_round_trips_on_each_curve_with_its_digest() {
        round_trip(KeySpec::EccNistP256, SigningAlgorithm::EcdsaSha256);
        round_trip(KeySpec::EccNistP384, SigningAlgorithm::EcdsaSha384);
        round_trip(KeySpec::EccNistP521, SigningAlgorithm::EcdsaSha512);
        round_trip(KeySpec::EccSecgP256k1, SigningAlgorithm::EcdsaSha256);
    }

    #[test]
    fn ed25519_round_trips_pure_and_prehashed() {
        round_trip(
            KeySpec::EccNistEdwards25519,
            SigningAlgorithm::Ed25519Sha512,
        );
        round_trip(
            KeySpec::EccNistEdwards25519,
            SigningAlgorithm::Ed25519PhSha512,
        );
    }

    #[test]
    fn ml_dsa_round_trips_at_each_parameter_set() {
        round_trip(KeySpec::MlDsa44, SigningAlgorithm::MlDsaShake256);
        round_trip(KeySpec::MlDsa65, SigningAlgorithm::MlDsaShake256);
        round_trip(KeySpec::MlDsa87, SigningAlgorithm::MlDsaShake256);
    }

    #[test]
    fn a_digest_message_verifies_like_the_raw_message_it_hashes() {
        let cases = [
            (
                KeySpec::EccNistP384,
                SigningAlgorithm::EcdsaSha384,
                Sha2::Sha384,
            ),
            (
                KeySpec::Rsa2048,
                SigningAlgorithm::RsassaPssSha256,
                Sha2::Sha256,
            ),
            (
                KeySpec::EccNistEdwards25519,
                SigningAlgorithm::Ed25519PhSha512,
                Sha2::Sha512,
            ),
        ];
        for (spec, algorithm, sha) in cases {
            let key = material(spec);
            let digest = sha.digest(b"hash me first");
            let signature = sign(key, algorithm, &digest, MessageType::Digest).unwrap();
            assert_eq!(
                verify(
                    key,
                    algorithm,
                    b"hash me first",
                    MessageType::Raw,
                    &signature
                ),
                Ok(true),
                "{spec}"
            );
        }
    }

    #[test]
    fn a_digest_of_the_wrong_length_is_refused() {
        let key = material(KeySpec::EccNistP256);
        let result = sign(
            key,
            SigningAlgorithm::EcdsaSha256,
            &[0; 48],
            MessageType::Digest,
        );
        assert!(matches!(result, Err(CryptoError::ValidationFailure(_))));
    }

    #[test]
    fn raw_messages_over_4096_bytes_are_refused() {
        let key = material(KeySpec::EccNistP256);
        assert!(sign(
            key,
            SigningAlgorithm::EcdsaSha256,
            &[1; 4096],
            MessageType::Raw
        )
        .is_ok());
        let result = sign(
            key,
            SigningAlgorithm::EcdsaSha256,
            &[1; 4097],
            MessageType::Raw,
        );
        assert!(matches!(result, Err(CryptoError::ValidationFailure(_))));
    }

    #[test]
    fn ed25519_sha_512_accepts_only_raw_messages() {
        let key = material(KeySpec::EccNistEdwards25519);
        let result = sign(
            key,
            SigningAlgorithm::Ed25519Sha512,
            &[0; 64],
            MessageType::Digest,
        );
        assert!(matches!(result, Err(CryptoError::ValidationFailure(_))));
    }

    #[test]
    fn ml_dsa_signs_an_external_mu() {
        let key = material(KeySpec::MlDsa65);
        let mu = [0x5a; 64];
        let signature = sign(
            key,
            SigningAlgorithm::MlDsaShake256,
            &mu,
            MessageType::ExternalMu,
        )
        .unwrap();
        let verified = verify(
            key,
            SigningAlgorithm::MlDsaShake256,
            &mu,
            MessageType::ExternalMu,
            &signature,
        );
        assert_eq!(verified, Ok(true));
    }

    #[test]
    fn external_mu_must_be_64_bytes_and_only_for_ml_dsa() {
        let ml_dsa = material(KeySpec::MlDsa44);
        let short = sign(
            ml_dsa,
            SigningAlgorithm::MlDsaShake256,
            &[0; 32],
            MessageType::ExternalMu,
        );
        assert!(matches!(short, Err(CryptoError::ValidationFailure(_))));
        let ecdsa = sign(
            material(KeySpec::EccNistP256),
            SigningAlgorithm::EcdsaSha256,
            &[0; 64],
            MessageType::ExternalMu,
        );
        assert!(matches!(ecdsa, Err(CryptoError::ValidationFailure(_))));
    }

    #[test]
    fn ml_dsa_refuses_digest_messages() {
        let result = sign(
            material(KeySpec::MlDsa44),
            SigningAlgorithm::MlDsaShake256,
            &[0; 64],
            MessageType::Digest,
        );
        assert!(matches!(result, Err(CryptoError::ValidationFailure(_))));
    }

    #[test]
    fn a_curve_refuses_another_curves_digest() {
        let result = sign(
            material(KeySpec::EccNistP256),
            SigningAlgorithm::EcdsaSha384,
            b"m",
            MessageType::Raw,
        );
        assert!(matches!(result, Err(CryptoError::InvalidKeyUsage(_))));
    }

    #[test]
    fn symmetric_and_hmac_keys_cannot_sign() {
        for spec in [KeySpec::SymmetricDefault, KeySpec::Hmac256] {
            let result = sign(
                material(spec),
                SigningAlgorithm::EcdsaSha256,
                b"m",
                MessageType::Raw,
            );
            assert!(
                matches!(result, Err(CryptoError::InvalidKeyUsage(_))),
                "{spec}"
            );
        }
    }

    #[test]
    fn malformed_signatures_do_not_verify() {
        let cases = [
            (KeySpec::Rsa2048, SigningAlgorithm::RsassaPssSha256),
            (KeySpec::EccNistP256, SigningAlgorithm::EcdsaSha256),
            (
                KeySpec::EccNistEdwards25519,
                SigningAlgorithm::Ed25519Sha512,
            ),
            (KeySpec::MlDsa44, SigningAlgorithm::MlDsaShake256),
        ];
        for (spec, algorithm) in cases {
            for signature in [&b""[..], b"\x30\x00", &[0xff; 300]] {
                assert_eq!(
                    verify(material(spec), algorithm, b"m", MessageType::Raw, signature),
                    Ok(false),
                    "{spec}"
                );
            }
        }
    }

    #[test]
    fn a_secp256k1_signature_with_high_s_still_verifies() {
        let key = material(KeySpec::EccSecgP256k1);
        let signature = sign(key, SigningAlgorithm::EcdsaSha256, b"m", MessageType::Raw).unwrap();
        let parsed = ecdsa::Signature::<k256::Secp256k1>::from_der(&signature).unwrap();
        let (r, s) = parsed.split_scalars();
        let high = ecdsa::Signature::<k256::Secp256k1>::from_scalars(r, -*s).unwrap();
        let high_der = high.to_der();
        let verified = verify(
            key,
            SigningAlgorithm::EcdsaSha256,
            b"m",
            MessageType::Raw,
            high_der.as_bytes(),
        );
        assert_eq!(verified, Ok(true));
    }
}
