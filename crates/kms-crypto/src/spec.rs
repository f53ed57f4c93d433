//! Key specs, key usages and algorithm names, with AWS's rules for which go together.

use std::fmt;
use std::str::FromStr;

use crate::CryptoError;

/// Declares an enum whose values are AWS wire names, with parsing and printing.
///
/// Names listed under `unsupported` are valid in the KMS model but refused here with
/// `UnsupportedOperation`, so a caller learns it is a deliberate gap, not a typo.
macro_rules! aws_names {
    (
        $(#[$meta:meta])*
        $name:ident { $($variant:ident => $text:literal),+ $(,)? }
        unsupported [$($unsupported:literal),* $(,)?]
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $(#[doc = $text] $variant),+
        }

        impl $name {
            /// Every supported value, in the order AWS lists them.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The name AWS uses on the wire.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = CryptoError;

            fn from_str(text: &str) -> Result<Self, CryptoError> {
                match text {
                    $($text => Ok($name::$variant),)+
                    $($unsupported => Err(CryptoError::UnsupportedOperation(format!(
                        "{} {text} is not supported", stringify!($name)
                    ))),)*
                    other => Err(CryptoError::ValidationFailure(format!(
                        "'{other}' is not a valid {}", stringify!($name)
                    ))),
                }
            }
        }
    };
}

aws_names! {
    /// The type of key material a KMS key holds (`KeySpec`).
    KeySpec {
        SymmetricDefault => "SYMMETRIC_DEFAULT",
        Rsa2048 => "RSA_2048",
        Rsa3072 => "RSA_3072",
        Rsa4096 => "RSA_4096",
        EccNistP256 => "ECC_NIST_P256",
        EccNistP384 => "ECC_NIST_P384",
        EccNistP521 => "ECC_NIST_P521",
        EccSecgP256k1 => "ECC_SECG_P256K1",
        EccNistEdwards25519 => "ECC_NIST_EDWARDS25519",
        Hmac224 => "HMAC_224",
        Hmac256 => "HMAC_256",
        Hmac384 => "HMAC_384",
        Hmac512 => "HMAC_512",
        MlDsa44 => "ML_DSA_44",
        MlDsa65 => "ML_DSA_65",
        MlDsa87 => "ML_DSA_87",
    }
    unsupported ["SM2"]
}

aws_names! {
    /// The cryptographic operations a KMS key is for (`KeyUsage`); fixed at creation.
    KeyUsage {
        EncryptDecrypt => "ENCRYPT_DECRYPT",
        SignVerify => "SIGN_VERIFY",
        GenerateVerifyMac => "GENERATE_VERIFY_MAC",
        KeyAgreement => "KEY_AGREEMENT",
    }
    unsupported []
}

aws_names! {
    /// How Encrypt and Decrypt transform the data (`EncryptionAlgorithmSpec`).
    EncryptionAlgorithm {
        SymmetricDefault => "SYMMETRIC_DEFAULT",
        RsaesOaepSha1 => "RSAES_OAEP_SHA_1",
        RsaesOaepSha256 => "RSAES_OAEP_SHA_256",
    }
    unsupported ["SM2PKE"]
}

aws_names! {
    /// How Sign and Verify make signatures (`SigningAlgorithmSpec`).
    SigningAlgorithm {
        RsassaPssSha256 => "RSASSA_PSS_SHA_256",
        RsassaPssSha384 => "RSASSA_PSS_SHA_384",
        RsassaPssSha512 => "RSASSA_PSS_SHA_512",
        RsassaPkcs1V15Sha256 => "RSASSA_PKCS1_V1_5_SHA_256",
        RsassaPkcs1V15Sha384 => "RSASSA_PKCS1_V1_5_SHA_384",
        RsassaPkcs1V15Sha512 => "RSASSA_PKCS1_V1_5_SHA_512",
        EcdsaSha256 => "ECDSA_SHA_256",
        EcdsaSha384 => "ECDSA_SHA_384",
        EcdsaSha512 => "ECDSA_SHA_512",
        Ed25519Sha512 => "ED25519_SHA_512",
        Ed25519PhSha512 => "ED25519_PH_SHA_512",
        MlDsaShake256 => "ML_DSA_SHAKE_256",
    }
    unsupported ["SM2DSA"]
}

aws_names! {
    /// What the `Message` of Sign and Verify holds (`MessageType`).
    MessageType {
        Raw => "RAW",
        Digest => "DIGEST",
        ExternalMu => "EXTERNAL_MU",
    }
    unsupported []
}

aws_names! {
    /// The HMAC of GenerateMac and VerifyMac (`MacAlgorithmSpec`).
    MacAlgorithm {
        HmacSha224 => "HMAC_SHA_224",
        HmacSha256 => "HMAC_SHA_256",
        HmacSha384 => "HMAC_SHA_384",
        HmacSha512 => "HMAC_SHA_512",
    }
    unsupported []
}

aws_names! {
    /// How DeriveSharedSecret agrees on a secret (`KeyAgreementAlgorithmSpec`).
    KeyAgreementAlgorithm {
        Ecdh => "ECDH",
    }
    unsupported []
}

aws_names! {
    /// The length of a symmetric data key from GenerateDataKey (`DataKeySpec`).
    DataKeySpec {
        Aes256 => "AES_256",
        Aes128 => "AES_128",
    }
    unsupported []
}

aws_names! {
    /// The RSA key GetParametersForImport hands out for wrapping (`WrappingKeySpec`).
    WrappingKeySpec {
        Rsa2048 => "RSA_2048",
        Rsa3072 => "RSA_3072",
        Rsa4096 => "RSA_4096",
    }
    unsupported ["SM2"]
}

aws_names! {
    /// How imported key material was wrapped (`AlgorithmSpec` of GetParametersForImport).
    WrappingAlgorithm {
        RsaesOaepSha1 => "RSAES_OAEP_SHA_1",
        RsaesOaepSha256 => "RSAES_OAEP_SHA_256",
        RsaAesKeyWrapSha1 => "RSA_AES_KEY_WRAP_SHA_1",
        RsaAesKeyWrapSha256 => "RSA_AES_KEY_WRAP_SHA_256",
    }
    unsupported ["RSAES_PKCS1_V1_5", "SM2PKE"]
}

/// The algorithm lists DescribeKey reports for a key; only the list matching the key usage is
/// non-empty, as AWS omits the others.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyAlgorithms {
    /// `EncryptionAlgorithms`.
    pub encryption: &'static [EncryptionAlgorithm],
    /// `SigningAlgorithms`.
    pub signing: &'static [SigningAlgorithm],
    /// `MacAlgorithms`.
    pub mac: &'static [MacAlgorithm],
    /// `KeyAgreementAlgorithms`.
    pub key_agreement: &'static [KeyAgreementAlgorithm],
}

const NO_ALGORITHMS: KeyAlgorithms = KeyAlgorithms {
    encryption: &[],
    signing: &[],
    mac: &[],
    key_agreement: &[],
};

const RSA_ENCRYPTION: &[EncryptionAlgorithm] = &[
    EncryptionAlgorithm::RsaesOaepSha1,
    EncryptionAlgorithm::RsaesOaepSha256,
];

const RSA_SIGNING: &[SigningAlgorithm] = &[
    SigningAlgorithm::RsassaPkcs1V15Sha256,
    SigningAlgorithm::RsassaPkcs1V15Sha384,
    SigningAlgorithm::RsassaPkcs1V15Sha512,
    SigningAlgorithm::RsassaPssSha256,
    SigningAlgorithm::RsassaPssSha384,
    SigningAlgorithm::RsassaPssSha512,
];

impl KeySpec {
    /// The key usages AWS accepts for this spec in CreateKey.
    pub fn usages(self) -> &'static [KeyUsage] {
        use KeySpec::*;
        match self {
            SymmetricDefault => &[KeyUsage::EncryptDecrypt],
            Rsa2048 | Rsa3072 | Rsa4096 => &[KeyUsage::EncryptDecrypt, KeyUsage::SignVerify],
            EccNistP256 | EccNistP384 | EccNistP521 => {
                &[KeyUsage::SignVerify, KeyUsage::KeyAgreement]
            }
            EccSecgP256k1 | EccNistEdwards25519 | MlDsa44 | MlDsa65 | MlDsa87 => {
                &[KeyUsage::SignVerify]
            }
            Hmac224 | Hmac256 | Hmac384 | Hmac512 => &[KeyUsage::GenerateVerifyMac],
        }
    }

    /// Refuses a key spec and key usage pair that CreateKey would reject.
    pub fn check_usage(self, usage: KeyUsage) -> Result<(), CryptoError> {
        if self.usages().contains(&usage) {
            Ok(())
        } else {
            Err(CryptoError::ValidationFailure(format!(
                "KeyUsage {usage} is not compatible with KeySpec {self}"
            )))
        }
    }

    /// The algorithms a key of this spec and usage offers, as DescribeKey reports them.
    pub fn algorithms(self, usage: KeyUsage) -> Result<KeyAlgorithms, CryptoError> {
        use KeySpec::*;
        self.check_usage(usage)?;
        let algorithms = match (self, usage) {
            (SymmetricDefault, _) => KeyAlgorithms {
                encryption: &[EncryptionAlgorithm::SymmetricDefault],
                ..NO_ALGORITHMS
            },
            (Rsa2048 | Rsa3072 | Rsa4096, KeyUsage::EncryptDecrypt) => KeyAlgorithms {
                encryption: RSA_ENCRYPTION,
                ..NO_ALGORITHMS
            },
            (Rsa2048 | Rsa3072 | Rsa4096, _) => KeyAlgorithms {
                signing: RSA_SIGNING,
                ..NO_ALGORITHMS
            },
            (EccNistP256 | EccNistP384 | EccNistP521, KeyUsage::KeyAgreement) => KeyAlgorithms {
                key_agreement: &[KeyAgreementAlgorithm::Ecdh],
                ..NO_ALGORITHMS
            },
            (EccNistP256 | EccSecgP256k1, _) => KeyAlgorithms {
                signing: &[SigningAlgorithm::EcdsaSha256],
                ..NO_ALGORITHMS
            },
            (EccNistP384, _) => KeyAlgorithms {
                signing: &[SigningAlgorithm::EcdsaSha384],
                ..NO_ALGORITHMS
            },
            (EccNistP521, _) => KeyAlgorithms {
                signing: &[SigningAlgorithm::EcdsaSha512],
                ..NO_ALGORITHMS
            },
            (EccNistEdwards25519, _) => KeyAlgorithms {
                signing: &[
                    SigningAlgorithm::Ed25519Sha512,
                    SigningAlgorithm::Ed25519PhSha512,
                ],
                ..NO_ALGORITHMS
            },
            (MlDsa44 | MlDsa65 | MlDsa87, _) => KeyAlgorithms {
                signing: &[SigningAlgorithm::MlDsaShake256],
                ..NO_ALGORITHMS
            },
            (Hmac224, _) => KeyAlgorithms {
                mac: &[MacAlgorithm::HmacSha224],
                ..NO_ALGORITHMS
            },
            (Hmac256, _) => KeyAlgorithms {
                mac: &[MacAlgorithm::HmacSha256],
                ..NO_ALGORITHMS
            },
            (Hmac384, _) => KeyAlgorithms {
                mac: &[MacAlgorithm::HmacSha384],
                ..NO_ALGORITHMS
            },
            (Hmac512, _) => KeyAlgorithms {
                mac: &[MacAlgorithm::HmacSha512],
                ..NO_ALGORITHMS
            },
        };
        Ok(algorithms)
    }

    /// Whether the key has a public half (GetPublicKey works, the material is PKCS#8 DER).
    pub fn is_asymmetric(self) -> bool {
        !matches!(
            self,
            KeySpec::SymmetricDefault
                | KeySpec::Hmac224
                | KeySpec::Hmac256
                | KeySpec::Hmac384
                | KeySpec::Hmac512
        )
    }

    /// The RSA modulus size in bits, for the RSA specs.
    pub fn rsa_bits(self) -> Option<usize> {
        match self {
            KeySpec::Rsa2048 => Some(2048),
            KeySpec::Rsa3072 => Some(3072),
            KeySpec::Rsa4096 => Some(4096),
            _ => None,
        }
    }
}

impl WrappingKeySpec {
    /// The RSA modulus size in bits.
    pub fn rsa_bits(self) -> usize {
        match self {
            WrappingKeySpec::Rsa2048 => 2048,
            WrappingKeySpec::Rsa3072 => 3072,
            WrappingKeySpec::Rsa4096 => 4096,
        }
    }
}

impl DataKeySpec {
    /// The data key length in bytes.
    pub fn byte_len(self) -> usize {
        match self {
            DataKeySpec::Aes256 => 32,
            DataKeySpec::Aes128 => 16,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_through_their_wire_form() {
        for spec in KeySpec::ALL {
            assert_eq!(spec.as_str().parse::<KeySpec>(), Ok(*spec));
        }
        for algorithm in SigningAlgorithm::ALL {
            assert_eq!(
                algorithm.as_str().parse::<SigningAlgorithm>(),
                Ok(*algorithm)
            );
        }
        for algorithm in WrappingAlgorithm::ALL {
            assert_eq!(
                algorithm.to_string().parse::<WrappingAlgorithm>(),
                Ok(*algorithm)
            );
        }
    }

    #[test]
    fn sm2_is_refused_as_unsupported_and_unknown_names_as_invalid() {
        assert!(matches!(
            "SM2".parse::<KeySpec>(),
            Err(CryptoError::UnsupportedOperation(_))
        ));
        assert!(matches!(
            "SM2DSA".parse::<SigningAlgorithm>(),
            Err(CryptoError::UnsupportedOperation(_))
        ));
        assert!(matches!(
            "RSA_1024".parse::<KeySpec>(),
            Err(CryptoError::ValidationFailure(_))
        ));
    }

    #[test]
    fn symmetric_default_is_only_for_encryption() {
        assert_eq!(
            KeySpec::SymmetricDefault.usages(),
            &[KeyUsage::EncryptDecrypt]
        );
        assert!(KeySpec::SymmetricDefault
            .check_usage(KeyUsage::SignVerify)
            .is_err());
    }

    #[test]
    fn nist_curves_allow_key_agreement_but_secp256k1_does_not() {
        assert!(KeySpec::EccNistP384
            .check_usage(KeyUsage::KeyAgreement)
            .is_ok());
        assert!(KeySpec::EccSecgP256k1
            .check_usage(KeyUsage::KeyAgreement)
            .is_err());
    }

    #[test]
    fn rsa_encryption_keys_list_both_oaep_algorithms() {
        let algorithms = KeySpec::Rsa3072
            .algorithms(KeyUsage::EncryptDecrypt)
            .unwrap();
        assert_eq!(algorithms.encryption, RSA_ENCRYPTION);
        assert!(algorithms.signing.is_empty());
    }

    #[test]
    fn rsa_signing_keys_list_six_algorithms() {
        let algorithms = KeySpec::Rsa2048.algorithms(KeyUsage::SignVerify).unwrap();
        assert_eq!(algorithms.signing.len(), 6);
        assert!(algorithms.encryption.is_empty());
    }

    #[test]
    fn each_ecc_curve_signs_with_one_digest() {
        let signing = |spec: KeySpec| spec.algorithms(KeyUsage::SignVerify).unwrap().signing;
        assert_eq!(
            signing(KeySpec::EccNistP256),
            &[SigningAlgorithm::EcdsaSha256]
        );
        assert_eq!(
            signing(KeySpec::EccSecgP256k1),
            &[SigningAlgorithm::EcdsaSha256]
        );
        assert_eq!(
            signing(KeySpec::EccNistP384),
            &[SigningAlgorithm::EcdsaSha384]
        );
        assert_eq!(
            signing(KeySpec::EccNistP521),
            &[SigningAlgorithm::EcdsaSha512]
        );
    }

    #[test]
    fn hmac_keys_list_their_one_mac_algorithm() {
        let algorithms = KeySpec::Hmac384
            .algorithms(KeyUsage::GenerateVerifyMac)
            .unwrap();
        assert_eq!(algorithms.mac, &[MacAlgorithm::HmacSha384]);
    }

    #[test]
    fn key_agreement_keys_list_ecdh() {
        let algorithms = KeySpec::EccNistP521
            .algorithms(KeyUsage::KeyAgreement)
            .unwrap();
        assert_eq!(algorithms.key_agreement, &[KeyAgreementAlgorithm::Ecdh]);
        assert!(algorithms.signing.is_empty());
    }
}
