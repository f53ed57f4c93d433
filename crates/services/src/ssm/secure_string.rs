//! SecureString values: encrypted and decrypted by KMS through the pipeline with the caller's
//! identity (`invokedBy` ssm.amazonaws.com), bound to the parameter's ARN by the encryption
//! context, as AWS does. A standard parameter's value is encrypted by KMS Encrypt itself; an
//! advanced parameter's value (up to 8 KB, more than Encrypt takes) is sealed under a data key
//! from GenerateDataKey with AES-256-GCM, and only the encrypted data key is kept. Parameter
//! Store never keeps the plaintext.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::Aes256Gcm;
use base64::{engine::general_purpose::STANDARD as BASE64, Engine};
use gateway::{Peers, RequestContext};
use serde_json::{json, Value};
use store::{Sealer, Store};
use wire::ApiError;

use super::error;

/// The key SecureStrings use when PutParameter names none: the account's AWS managed key.
pub const DEFAULT_KEY_ALIAS: &str = "alias/aws/ssm";
const INVOKED_BY: &str = "ssm.amazonaws.com";

/// KMS's answer as Parameter Store gives it: a key that cannot be used is `InvalidKeyId`; a
/// denial stays the denial KMS gave.
fn kms_error(e: ApiError) -> ApiError {
    match e.code.as_ref() {
        "NotFoundException" | "DisabledException" | "KMSInvalidStateException" | "InvalidKeyUsageException" | "IncorrectKeyException"
        | "InvalidCiphertextException" => error("InvalidKeyId", e.message),
        _ => e,
    }
}

const NONCE_LEN: usize = 12;

/// How a version's value is encrypted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encryption {
    /// KMS Encrypt on the value (standard parameters).
    Direct,
    /// AES-256-GCM under a KMS data key (advanced parameters).
    Envelope,
}

impl Encryption {
    pub fn for_tier(tier: &str) -> Encryption {
        if tier == "Advanced" { Encryption::Envelope } else { Encryption::Direct }
    }
}

fn encryption_context(arn: &str) -> Value {
    json!({ "PARAMETER_ARN": arn })
}

fn output_blob(output: &Value, member: &str, operation: &str) -> Result<Vec<u8>, ApiError> {
    output
        .get(member)
        .and_then(Value::as_str)
        .and_then(|b64| BASE64.decode(b64).ok())
        .ok_or_else(|| ApiError::internal(format!("KMS {operation} answered without {member}")))
}

fn data_key_cipher(data_key: &[u8]) -> Result<Aes256Gcm, ApiError> {
    Aes256Gcm::new_from_slice(data_key).map_err(|_| ApiError::internal("KMS returned a data key that is not 256 bits"))
}

/// Creates the account's AWS managed key for Parameter Store the first time `key_id` names it.
pub async fn ensure_key(store: &Store, sealer: &Sealer, ctx: &RequestContext, key_id: &str) -> Result<(), ApiError> {
    if key_id == DEFAULT_KEY_ALIAS {
        crate::kms::aws_managed_key_arn(store, sealer, ctx.account(), &ctx.region, "ssm", ctx.time).await?;
    }
    Ok(())
}

/// Encrypts `plaintext` under `key_id` for the parameter `arn`; the base64 ciphertext. An
/// envelope is the encrypted data key's length (two bytes, big-endian), the encrypted data key,
/// the nonce, and the AES-GCM ciphertext, whose tag also covers the parameter's ARN.
pub async fn encrypt(
    peers: &Peers,
    ctx: &RequestContext,
    key_id: &str,
    arn: &str,
    plaintext: &str,
    encryption: Encryption,
) -> Result<String, ApiError> {
    if encryption == Encryption::Direct {
        let input = json!({ "KeyId": key_id, "Plaintext": BASE64.encode(plaintext), "EncryptionContext": encryption_context(arn) });
        let output = peers.call_for(ctx, INVOKED_BY, "kms", "Encrypt", input).await.map_err(kms_error)?;
        return Ok(BASE64.encode(output_blob(&output, "CiphertextBlob", "Encrypt")?));
    }
    let input = json!({ "KeyId": key_id, "KeySpec": "AES_256", "EncryptionContext": encryption_context(arn) });
    let output = peers.call_for(ctx, INVOKED_BY, "kms", "GenerateDataKey", input).await.map_err(kms_error)?;
    let cipher = data_key_cipher(&output_blob(&output, "Plaintext", "GenerateDataKey")?)?;
    let encrypted_key = output_blob(&output, "CiphertextBlob", "GenerateDataKey")?;
    let key_len = u16::try_from(encrypted_key.len()).map_err(|_| ApiError::internal("KMS returned an oversized data key"))?;
    let mut nonce = [0u8; NONCE_LEN];
    rand::fill(&mut nonce);
    let sealed = cipher
        .encrypt(&nonce.into(), Payload { msg: plaintext.as_bytes(), aad: arn.as_bytes() })
        .map_err(|_| ApiError::internal("AES-GCM could not seal the parameter value"))?;
    let mut envelope = Vec::with_capacity(2 + encrypted_key.len() + NONCE_LEN + sealed.len());
    envelope.extend_from_slice(&key_len.to_be_bytes());
    envelope.extend_from_slice(&encrypted_key);
    envelope.extend_from_slice(&nonce);
    envelope.extend_from_slice(&sealed);
    Ok(BASE64.encode(envelope))
}

/// Decrypts the base64 `ciphertext` of the parameter `arn`.
pub async fn decrypt(peers: &Peers, ctx: &RequestContext, arn: &str, ciphertext: &str, encryption: Encryption) -> Result<String, ApiError> {
    let truncated = || ApiError::internal("a stored SecureString is truncated");
    let blob = BASE64.decode(ciphertext).map_err(|_| ApiError::internal("a stored SecureString is not base64"))?;
    let plaintext = match encryption {
        Encryption::Direct => {
            let input = json!({ "CiphertextBlob": ciphertext, "EncryptionContext": encryption_context(arn) });
            let output = peers.call_for(ctx, INVOKED_BY, "kms", "Decrypt", input).await.map_err(kms_error)?;
            output_blob(&output, "Plaintext", "Decrypt")?
        }
        Encryption::Envelope => {
            let key_len = usize::from(u16::from_be_bytes(blob.get(..2).ok_or_else(truncated)?.try_into().map_err(|_| truncated())?));
            let encrypted_key = blob.get(2..2 + key_len).ok_or_else(truncated)?;
            let nonce: [u8; NONCE_LEN] =
                blob.get(2 + key_len..2 + key_len + NONCE_LEN).ok_or_else(truncated)?.try_into().map_err(|_| truncated())?;
            let sealed = &blob[2 + key_len + NONCE_LEN..];
            let input = json!({ "CiphertextBlob": BASE64.encode(encrypted_key), "EncryptionContext": encryption_context(arn) });
            let output = peers.call_for(ctx, INVOKED_BY, "kms", "Decrypt", input).await.map_err(kms_error)?;
            let cipher = data_key_cipher(&output_blob(&output, "Plaintext", "Decrypt")?)?;
            cipher
                .decrypt(&nonce.into(), Payload { msg: sealed, aad: arn.as_bytes() })
                .map_err(|_| error("InvalidKeyId", "The SecureString value does not open with its data key."))?
        }
    };
    String::from_utf8(plaintext).map_err(|_| ApiError::internal("a SecureString decrypted to bytes that are not UTF-8"))
}
