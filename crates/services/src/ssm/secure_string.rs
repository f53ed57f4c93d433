//! SecureString values: encrypted and decrypted by KMS through the pipeline with the caller's
//! identity (`invokedBy` ssm.amazonaws.com), bound to the parameter's ARN by the encryption
//! context, as AWS does. Parameter Store never keeps the plaintext.

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

/// Encrypts `plaintext` under `key_id` for the parameter `arn`; the base64 ciphertext.
pub async fn encrypt(
    peers: &Peers,
    store: &Store,
    sealer: &Sealer,
    ctx: &RequestContext,
    key_id: &str,
    arn: &str,
    plaintext: &str,
) -> Result<String, ApiError> {
    if key_id == DEFAULT_KEY_ALIAS {
        crate::kms::aws_managed_key_arn(store, sealer, ctx.account(), &ctx.region, "ssm", ctx.time).await?;
    }
    let input = json!({
        "KeyId": key_id,
        "Plaintext": BASE64.encode(plaintext),
        "EncryptionContext": { "PARAMETER_ARN": arn },
    });
    let output = peers.call_for(ctx, INVOKED_BY, "kms", "Encrypt", input).await.map_err(kms_error)?;
    output
        .get("CiphertextBlob")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| ApiError::internal("KMS Encrypt answered without a ciphertext"))
}

/// Decrypts the base64 `ciphertext` of the parameter `arn`.
pub async fn decrypt(peers: &Peers, ctx: &RequestContext, arn: &str, ciphertext: &str) -> Result<String, ApiError> {
    let input = json!({ "CiphertextBlob": ciphertext, "EncryptionContext": { "PARAMETER_ARN": arn } });
    let output = peers.call_for(ctx, INVOKED_BY, "kms", "Decrypt", input).await.map_err(kms_error)?;
    let plaintext = output
        .get("Plaintext")
        .and_then(Value::as_str)
        .and_then(|b64| BASE64.decode(b64).ok())
        .ok_or_else(|| ApiError::internal("KMS Decrypt answered without a plaintext"))?;
    String::from_utf8(plaintext).map_err(|_| ApiError::internal("a SecureString decrypted to bytes that are not UTF-8"))
}
