//! Ed25519 (RFC 8032) pure and pre-hashed (Ed25519ph) signatures.

use digest::consts::U64;
use digest::{FixedOutput, HashMarker, Output, OutputSizeUser, Update};
use ed25519_dalek::pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey, KeypairBytes};
use ed25519_dalek::{Signature, Signer, SigningKey};

use super::{internal, invalid_material};
use crate::random::random_array;
use crate::CryptoError;

pub(crate) fn generate_pkcs8() -> Result<Vec<u8>, CryptoError> {
    let seed = zeroize::Zeroizing::new(random_array::<32>()?);
    // The RFC 8410 v1 form, without the optional public key: OpenSSL 3.0 refuses the v2 form.
    let key = KeypairBytes {
        secret_key: *seed,
        public_key: None,
    };
    let document = key
        .to_pkcs8_der()
        .map_err(|e| internal("encoding an Ed25519 private key", e))?;
    Ok(document.as_bytes().to_vec())
}

pub(crate) fn signing_key(pkcs8: &[u8]) -> Result<SigningKey, CryptoError> {
    SigningKey::from_pkcs8_der(pkcs8).map_err(|_| invalid_material("Ed25519"))
}

pub(crate) fn public_key_der(key: &SigningKey) -> Result<Vec<u8>, CryptoError> {
    let document = key
        .verifying_key()
        .to_public_key_der()
        .map_err(|e| internal("encoding an Ed25519 public key", e))?;
    Ok(document.into_vec())
}

pub(crate) fn sign(key: &SigningKey, message: &[u8]) -> Vec<u8> {
    key.sign(message).to_bytes().to_vec()
}

pub(crate) fn verify(key: &SigningKey, message: &[u8], signature: &[u8]) -> bool {
    let Ok(signature) = Signature::from_slice(signature) else {
        return false;
    };
    key.verifying_key()
        .verify_strict(message, &signature)
        .is_ok()
}

/// Ed25519ph over a SHA-512 digest the caller computed, with the empty context KMS uses.
pub(crate) fn sign_prehashed(
    key: &SigningKey,
    sha512_digest: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    let signature = key
        .sign_prehashed(KnownDigest::of(sha512_digest), None)
        .map_err(|e| internal("Ed25519ph signing", e))?;
    Ok(signature.to_bytes().to_vec())
}

pub(crate) fn verify_prehashed(key: &SigningKey, sha512_digest: &[u8], signature: &[u8]) -> bool {
    let Ok(signature) = Signature::from_slice(signature) else {
        return false;
    };
    key.verifying_key()
        .verify_prehashed_strict(KnownDigest::of(sha512_digest), None, &signature)
        .is_ok()
}

/// A "hasher" whose output is a SHA-512 digest computed elsewhere.
///
/// The Ed25519ph API takes a hash state and finalizes it itself; KMS's DIGEST message type hands
/// us the finished digest, so this state simply replays the bytes it was given (exactly 64, which
/// the caller checks).
struct KnownDigest {
    bytes: [u8; 64],
    filled: usize,
}

impl Default for KnownDigest {
    fn default() -> Self {
        KnownDigest {
            bytes: [0; 64],
            filled: 0,
        }
    }
}

impl KnownDigest {
    fn of(digest: &[u8]) -> Self {
        let mut state = KnownDigest::default();
        Update::update(&mut state, digest);
        state
    }
}

impl HashMarker for KnownDigest {}

impl OutputSizeUser for KnownDigest {
    type OutputSize = U64;
}

impl Update for KnownDigest {
    fn update(&mut self, data: &[u8]) {
        let take = data.len().min(self.bytes.len() - self.filled);
        self.bytes[self.filled..self.filled + take].copy_from_slice(&data[..take]);
        self.filled += take;
    }
}

impl FixedOutput for KnownDigest {
    fn finalize_into(self, out: &mut Output<Self>) {
        out.copy_from_slice(&self.bytes);
    }
}
