//! KMS's cryptography as a pure engine: values in, values out, no I/O and no storage.
//!
//! The KMS service keeps key material sealed under the store's root key and calls this crate for
//! every cryptographic step:
//!
//! - [`KeySpec`], [`KeyUsage`] and the algorithm names, with AWS's valid combinations and the
//!   algorithm lists DescribeKey reports ([`KeySpec::algorithms`]);
//! - [`KeyMaterial`]: generation, the bytes to seal, GetPublicKey's DER;
//! - Encrypt / Decrypt: self-describing symmetric blobs ([`encrypt_symmetric`],
//!   [`parse_ciphertext_header`], [`decrypt_symmetric`]) and RSA-OAEP ([`encrypt_asymmetric`],
//!   [`decrypt_asymmetric`]);
//! - Sign / Verify ([`sign`], [`verify`]), GenerateMac / VerifyMac ([`generate_mac`],
//!   [`verify_mac`]), DeriveSharedSecret ([`derive_shared_secret`]);
//! - GenerateDataKey(Pair) and GenerateRandom;
//! - imported key material ([`ImportWrappingKey`], RFC 5649 key wrap).
//!
//! Every failure is a [`CryptoError`] whose variant names the KMS exception to answer; no input
//! makes this crate panic.

#![warn(missing_docs)]

mod ciphertext;
mod data_key;
mod digests;
mod error;
mod import;
mod key_agreement;
mod key_wrap;
mod keys;
mod mac;
mod material;
mod random;
mod rsa_encryption;
mod secret;
mod signing;
mod spec;

#[cfg(test)]
mod openssl_interop;
#[cfg(test)]
mod test_keys;
#[cfg(test)]
mod timing;

pub use ciphertext::{
    canonical_encryption_context, decrypt_symmetric, encrypt_symmetric, parse_ciphertext_header,
    CiphertextHeader, MaterialVersionId, MAX_KEY_ID_LEN, MAX_PLAINTEXT_LEN,
};
pub use data_key::{generate_data_key, generate_data_key_pair, DataKeyPair, DATA_KEY_PAIR_SPECS};
pub use error::CryptoError;
pub use import::ImportWrappingKey;
pub use key_agreement::derive_shared_secret;
pub use key_wrap::{aes_key_unwrap_with_padding, aes_key_wrap_with_padding};
pub use mac::{generate_mac, verify_mac, MAX_MAC_MESSAGE_LEN};
pub use material::{KeyMaterial, SYMMETRIC_KEY_LEN};
pub use random::{generate_random, MAX_RANDOM_BYTES};
pub use rsa_encryption::{
    decrypt_asymmetric, encrypt_asymmetric, encrypt_with_public_key, max_rsa_plaintext_len,
};
pub use secret::SecretBytes;
pub use signing::{sign, verify, MAX_RAW_MESSAGE_LEN};
pub use spec::{
    DataKeySpec, EncryptionAlgorithm, KeyAgreementAlgorithm, KeyAlgorithms, KeySpec, KeyUsage,
    MacAlgorithm, MessageType, SigningAlgorithm, WrappingAlgorithm, WrappingKeySpec,
};
