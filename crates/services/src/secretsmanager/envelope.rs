//! Envelope encryption of secret values, as AWS does it: for every new value Secrets Manager asks
//! KMS for a data key (GenerateDataKey, with the secret's ARN and the version id as encryption
//! context), seals the value with it under AES-256-GCM, keeps only the encrypted data key, and
//! asks KMS to decrypt that data key (Decrypt) to read the value. The KMS calls go through the
//! pipeline with the caller's identity, so key policies judge them and CloudTrail records them.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::Aes256Gcm;
use base64::Engine;
use gateway::RequestContext;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use wire::ApiError;

use super::{error, SecretsManager, SERVICE_PRINCIPAL};

const NONCE_LEN: usize = 12;
const MANAGED_KEY_SERVICE: &str = "secretsmanager";

/// A secret value as it is stored: nothing here opens without KMS.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SealedValue {
    /// The data key as KMS encrypted it (its CiphertextBlob), base64.
    pub data_key: String,
    /// The nonce and the AES-256-GCM ciphertext of the value under the data key, base64.
    pub ciphertext: String,
    /// The value is SecretBinary rather than SecretString.
    pub binary: bool,
}

/// A secret value in the clear, for the length of one request.
#[derive(Clone, PartialEq, Eq)]
pub enum SecretValue {
    String(String),
    Binary(Vec<u8>),
}

impl SecretValue {
    /// The value of a request's SecretString or SecretBinary (base64 in canonical input).
    pub fn from_input(input: &Value) -> Result<Option<SecretValue>, ApiError> {
        let string = input.get("SecretString").and_then(Value::as_str);
        let binary = input.get("SecretBinary").and_then(Value::as_str);
        match (string, binary) {
            (Some(_), Some(_)) => Err(super::invalid_parameter(
                "You can't specify both a binary secret value and a string secret value in the same secret.",
            )),
            (Some(text), None) => Ok(Some(SecretValue::String(text.to_owned()))),
            (None, Some(blob)) => base64::engine::general_purpose::STANDARD
                .decode(blob)
                .map(|bytes| Some(SecretValue::Binary(bytes)))
                .map_err(|_| super::invalid_parameter("SecretBinary is not valid base64.")),
            (None, None) => Ok(None),
        }
    }

    fn bytes(&self) -> &[u8] {
        match self {
            SecretValue::String(text) => text.as_bytes(),
            SecretValue::Binary(bytes) => bytes,
        }
    }

    /// The output member that carries the value, with the value in canonical form.
    pub fn output_member(&self) -> (&'static str, Value) {
        match self {
            SecretValue::String(text) => ("SecretString", json!(text)),
            SecretValue::Binary(bytes) => ("SecretBinary", json!(b64(bytes))),
        }
    }
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn unb64(text: &str) -> Result<Vec<u8>, ApiError> {
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .map_err(|_| ApiError::internal("a sealed secret value is not base64"))
}

fn encryption_context(secret_arn: &str, version_id: &str) -> Value {
    json!({ "SecretARN": secret_arn, "SecretVersionId": version_id })
}

/// What the value's AES-GCM tag authenticates besides the value: the secret and version, so a
/// sealed value moved to another record does not open.
fn associated_data(secret_arn: &str, version_id: &str) -> String {
    format!("{secret_arn}#{version_id}")
}

/// KMS refused the caller: AWS answers with AccessDeniedException, and says why.
fn kms_access_denied(kms_error: &ApiError) -> ApiError {
    ApiError::new("AccessDeniedException", 400, format!("Access to KMS is not allowed. {}", kms_error.message))
}

impl SecretsManager {
    /// The key a secret with `kms_key_id` (`None`: the AWS managed key) is sealed under in the
    /// region of `ctx`, as KMS's GenerateDataKey takes it.
    async fn key_for(&self, ctx: &RequestContext, kms_key_id: Option<&str>) -> Result<String, ApiError> {
        match kms_key_id {
            Some(key) => Ok(key.to_owned()),
            None => {
                crate::kms::aws_managed_key_arn(&self.store, &self.sealer, ctx.account(), &ctx.region, MANAGED_KEY_SERVICE, ctx.time)
                    .await
            }
        }
    }

    /// Seals `value` as version `version_id` of the secret `secret_arn` under `kms_key_id`, with
    /// the identity of the request `ctx` (in its region); returns it and the key ARN KMS used.
    pub(super) async fn seal(
        &self,
        ctx: &RequestContext,
        kms_key_id: Option<&str>,
        secret_arn: &str,
        version_id: &str,
        value: &SecretValue,
    ) -> Result<(SealedValue, String), ApiError> {
        let key = self.key_for(ctx, kms_key_id).await?;
        let request = json!({
            "KeyId": key,
            "KeySpec": "AES_256",
            "EncryptionContext": encryption_context(secret_arn, version_id),
        });
        let output = self
            .peers
            .call_for(ctx, SERVICE_PRINCIPAL, "kms", "GenerateDataKey", request)
            .await
            .map_err(|e| match e.code.as_ref() {
                "AccessDeniedException" => kms_access_denied(&e),
                _ => error("EncryptionFailure", format!("Secrets Manager can't encrypt the secret value with the KMS key: {}", e.message)),
            })?;
        let field = |name: &str| output.get(name).and_then(Value::as_str).ok_or_else(|| ApiError::internal(format!("KMS GenerateDataKey returned no {name}")));
        let data_key = unb64(field("Plaintext")?)?;
        let cipher = Aes256Gcm::new_from_slice(&data_key).map_err(|_| ApiError::internal("KMS returned a data key that is not 256 bits"))?;
        let mut nonce = [0u8; NONCE_LEN];
        rand::fill(&mut nonce);
        let aad = associated_data(secret_arn, version_id);
        let sealed = cipher
            .encrypt(&nonce.into(), Payload { msg: value.bytes(), aad: aad.as_bytes() })
            .map_err(|_| ApiError::internal("AES-GCM could not seal the secret value"))?;
        let mut blob = nonce.to_vec();
        blob.extend_from_slice(&sealed);
        let sealed_value = SealedValue {
            data_key: field("CiphertextBlob")?.to_owned(),
            ciphertext: b64(&blob),
            binary: matches!(value, SecretValue::Binary(_)),
        };
        Ok((sealed_value, field("KeyId")?.to_owned()))
    }

    /// Opens a sealed value with the identity of the request `ctx`: KMS decrypts the data key if
    /// the caller may use the key.
    pub(super) async fn open(
        &self,
        ctx: &RequestContext,
        secret_arn: &str,
        version_id: &str,
        sealed: &SealedValue,
    ) -> Result<SecretValue, ApiError> {
        let request = json!({
            "CiphertextBlob": sealed.data_key,
            "EncryptionContext": encryption_context(secret_arn, version_id),
        });
        let output = self
            .peers
            .call_for(ctx, SERVICE_PRINCIPAL, "kms", "Decrypt", request)
            .await
            .map_err(|e| match e.code.as_ref() {
                "AccessDeniedException" => kms_access_denied(&e),
                _ => error("DecryptionFailure", format!("Secrets Manager can't decrypt the protected secret text using the provided KMS key: {}", e.message)),
            })?;
        let data_key = unb64(output.get("Plaintext").and_then(Value::as_str).unwrap_or_default())?;
        let cipher = Aes256Gcm::new_from_slice(&data_key).map_err(|_| ApiError::internal("KMS returned a data key that is not 256 bits"))?;
        let blob = unb64(&sealed.ciphertext)?;
        if blob.len() < NONCE_LEN {
            return Err(ApiError::internal("a sealed secret value is truncated"));
        }
        let (nonce, ciphertext) = blob.split_at(NONCE_LEN);
        let nonce = <[u8; NONCE_LEN]>::try_from(nonce).map_err(|_| ApiError::internal("a sealed secret value is truncated"))?;
        let aad = associated_data(secret_arn, version_id);
        let bytes = cipher
            .decrypt(&nonce.into(), Payload { msg: ciphertext, aad: aad.as_bytes() })
            .map_err(|_| error("DecryptionFailure", "Secrets Manager can't decrypt the protected secret text using the provided KMS key."))?;
        if sealed.binary {
            return Ok(SecretValue::Binary(bytes));
        }
        String::from_utf8(bytes)
            .map(SecretValue::String)
            .map_err(|_| error("DecryptionFailure", "The decrypted secret string is not UTF-8."))
    }
}
