//! The root key and the sealing of secret material under it.

use std::fmt;
use std::io::{Read, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::Aes256Gcm;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::error::StoreError;
use crate::Store;

const ROOT_KEY_LEN: usize = 32;
const NONCE_LEN: usize = 12;
/// The first byte of every sealed blob, so the format can change without guessing.
const SEAL_VERSION: u8 = 1;
const CHECK_META_KEY: &str = "root_key_check";
/// Each use of the root key gets its own derived key, so no two uses can be confused.
const SEAL_PURPOSE: &[u8] = b"palisade/seal/v1";
const CHECK_PURPOSE: &[u8] = b"palisade/root-key-check/v1";

type HmacSha256 = Hmac<Sha256>;

/// The installation's 32-byte root key. It has no way to print its bytes.
#[derive(Clone)]
pub struct RootKey([u8; ROOT_KEY_LEN]);

impl fmt::Debug for RootKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RootKey(<redacted>)")
    }
}

impl RootKey {
    /// A fresh random key, for ephemeral stores.
    pub fn generate() -> RootKey {
        let mut bytes = [0u8; ROOT_KEY_LEN];
        rand::fill(&mut bytes);
        RootKey(bytes)
    }

    /// Reads the key file, or creates it on first start (mode 0600 from the moment it exists).
    /// A file of the wrong length is refused rather than repaired.
    pub fn load_or_create(path: &Path) -> Result<RootKey, StoreError> {
        let created = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path);
        match created {
            Ok(mut file) => {
                let key = RootKey::generate();
                file.write_all(&key.0)
                    .and_then(|()| file.sync_all())
                    .map_err(|error| file_error("cannot write", path, error))?;
                Ok(key)
            }
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
                let mut file = std::fs::File::open(path)
                    .map_err(|error| file_error("cannot read", path, error))?;
                let mode = file
                    .metadata()
                    .map(|metadata| metadata.permissions().mode());
                if mode.is_ok_and(|mode| mode & 0o077 != 0) {
                    tracing::warn!(path = %path.display(), "the root key file is readable by others");
                }
                let mut bytes = Vec::with_capacity(ROOT_KEY_LEN);
                file.read_to_end(&mut bytes)
                    .map_err(|error| file_error("cannot read", path, error))?;
                RootKey::from_bytes(&bytes).map_err(|_| {
                    StoreError::RootKey(format!(
                        "{} holds {} bytes, not {ROOT_KEY_LEN}",
                        path.display(),
                        bytes.len()
                    ))
                })
            }
            Err(error) => Err(file_error("cannot create", path, error)),
        }
    }

    /// Decodes a key given in the environment (standard base64 of 32 bytes).
    pub fn from_base64(text: &str) -> Result<RootKey, StoreError> {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(text.trim())
            .map_err(|_| StoreError::RootKey("the root key is not valid base64".to_owned()))?;
        RootKey::from_bytes(&bytes)
    }

    fn from_bytes(bytes: &[u8]) -> Result<RootKey, StoreError> {
        let bytes = <[u8; ROOT_KEY_LEN]>::try_from(bytes).map_err(|_| {
            StoreError::RootKey(format!(
                "a root key is {ROOT_KEY_LEN} bytes, got {}",
                bytes.len()
            ))
        })?;
        Ok(RootKey(bytes))
    }

    fn derive(&self, purpose: &[u8]) -> HmacSha256 {
        let mut mac = <HmacSha256 as KeyInit>::new_from_slice(&self.0)
            .expect("HMAC accepts keys of any length");
        mac.update(purpose);
        mac
    }
}

fn file_error(what: &str, path: &Path, error: std::io::Error) -> StoreError {
    StoreError::RootKey(format!("{what} {}: {error}", path.display()))
}

impl Store {
    /// Binds the store to a root key: the first call stores a check value (an HMAC, not the
    /// key); later calls with another key fail with [`StoreError::RootKeyMismatch`], so a node
    /// started with the wrong key refuses to start instead of writing unreadable secrets.
    pub async fn check_root_key(&self, key: &RootKey) -> Result<(), StoreError> {
        let check = key.derive(CHECK_PURPOSE).finalize().into_bytes().to_vec();
        let stored = self
            .inner
            .backend
            .meta_update(CHECK_META_KEY, &mut |current| {
                Ok(current.map_or_else(|| check.clone(), <[u8]>::to_vec))
            })
            .await?;
        key.derive(CHECK_PURPOSE)
            .verify_slice(&stored)
            .map_err(|_| StoreError::RootKeyMismatch)
    }
}

/// Seals and unseals secret material under a key derived from the root key.
#[derive(Clone)]
pub struct Sealer {
    cipher: Aes256Gcm,
}

impl fmt::Debug for Sealer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Sealer")
    }
}

impl Sealer {
    /// A sealer for the root key.
    pub fn new(root: &RootKey) -> Sealer {
        let key = root.derive(SEAL_PURPOSE).finalize().into_bytes();
        let cipher = Aes256Gcm::new_from_slice(&key).expect("the derived key is 32 bytes");
        Sealer { cipher }
    }

    /// Encrypts with AES-256-GCM under a random nonce. `context` (say, the key ARN) is
    /// authenticated, so a blob only unseals for the record it was sealed for.
    pub fn seal(&self, context: &str, plaintext: &[u8]) -> Vec<u8> {
        let mut nonce = [0u8; NONCE_LEN];
        rand::fill(&mut nonce);
        let payload = Payload {
            msg: plaintext,
            aad: context.as_bytes(),
        };
        let ciphertext = self
            .cipher
            .encrypt(&nonce.into(), payload)
            .expect("AES-GCM seals any plaintext under 64 GiB");
        let mut blob = Vec::with_capacity(1 + NONCE_LEN + ciphertext.len());
        blob.push(SEAL_VERSION);
        blob.extend_from_slice(&nonce);
        blob.extend_from_slice(&ciphertext);
        blob
    }

    /// Decrypts a blob from [`Sealer::seal`]; any tampering, another key or another
    /// context gives [`StoreError::Unseal`].
    pub fn unseal(&self, context: &str, blob: &[u8]) -> Result<Vec<u8>, StoreError> {
        let (&version, rest) = blob.split_first().ok_or(StoreError::Unseal)?;
        if version != SEAL_VERSION || rest.len() < NONCE_LEN {
            return Err(StoreError::Unseal);
        }
        let (nonce, ciphertext) = rest.split_at(NONCE_LEN);
        let nonce = <[u8; NONCE_LEN]>::try_from(nonce).map_err(|_| StoreError::Unseal)?;
        let payload = Payload {
            msg: ciphertext,
            aad: context.as_bytes(),
        };
        self.cipher
            .decrypt(&nonce.into(), payload)
            .map_err(|_| StoreError::Unseal)
    }
}
