//! Sign, Verify, GetPublicKey, GenerateMac, VerifyMac, DeriveSharedSecret: the operations on a key's
//! asymmetric or HMAC material.

use gateway::{Reply, RequestContext};
use kms_crypto::{KeyAgreementAlgorithm, KeyUsage, MacAlgorithm, MessageType, SigningAlgorithm};
use serde::Deserialize;
use serde_json::{json, Value};
use store::Sealer;
use wire::ApiError;

use super::{
    crypto_error, error,
    encryption::{b64, unb64},
    key_record::StoredKey,
    key_ref::{self, KeyCache, KeyReads},
};
use crate::input::from_input;

async fn usable_key(keys: &KeyCache, ctx: &RequestContext, key_id: &str, usage: KeyUsage) -> Result<StoredKey, ApiError> {
    let key = key_ref::find_key(KeyReads::Cache(keys), ctx, key_id).await?;
    key.require_usable()?;
    key.require_usage(usage, ctx.operation)?;
    Ok(key)
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SignRequest {
    key_id: String,
    message: String,
    message_type: Option<String>,
    signing_algorithm: String,
}

fn message_type(name: Option<&str>) -> Result<MessageType, ApiError> {
    name.unwrap_or("RAW").parse().map_err(crypto_error)
}

pub async fn sign(keys: &KeyCache, sealer: &Sealer, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: SignRequest = from_input(input)?;
    let algorithm: SigningAlgorithm = request.signing_algorithm.parse().map_err(crypto_error)?;
    let message_type = message_type(request.message_type.as_deref())?;
    let message = unb64(&request.message)?;
    let key = usable_key(keys, ctx, &request.key_id, KeyUsage::SignVerify).await?;
    let (_, material) = key.current_material(sealer)?;
    let signature = kms_crypto::sign(&material, algorithm, &message, message_type).map_err(crypto_error)?;
    let out = json!({ "KeyId": key.arn, "Signature": b64(&signature), "SigningAlgorithm": algorithm.as_str() });
    Ok(Reply::new(out).resource("AWS::KMS::Key", key.arn))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct VerifyRequest {
    key_id: String,
    message: String,
    message_type: Option<String>,
    signature: String,
    signing_algorithm: String,
}

/// A signature that does not match is `KMSInvalidSignatureException`, not `SignatureValid: false`.
pub async fn verify(keys: &KeyCache, sealer: &Sealer, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: VerifyRequest = from_input(input)?;
    let algorithm: SigningAlgorithm = request.signing_algorithm.parse().map_err(crypto_error)?;
    let message_type = message_type(request.message_type.as_deref())?;
    let message = unb64(&request.message)?;
    let signature = unb64(&request.signature)?;
    let key = usable_key(keys, ctx, &request.key_id, KeyUsage::SignVerify).await?;
    let (_, material) = key.current_material(sealer)?;
    let valid = kms_crypto::verify(&material, algorithm, &message, message_type, &signature).map_err(crypto_error)?;
    if !valid {
        return Err(error("KMSInvalidSignatureException", "The signature is not valid for this message and key."));
    }
    let out = json!({ "KeyId": key.arn, "SignatureValid": true, "SigningAlgorithm": algorithm.as_str() });
    Ok(Reply::new(out).resource("AWS::KMS::Key", key.arn))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GetPublicKeyRequest {
    key_id: String,
}

pub async fn get_public_key(keys: &KeyCache, sealer: &Sealer, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: GetPublicKeyRequest = from_input(input)?;
    let key = key_ref::find_key(KeyReads::Cache(keys), ctx, &request.key_id).await?;
    key.require_usable()?;
    let (_, material) = key.current_material(sealer)?;
    let public_key = material.public_key_der().map_err(crypto_error)?;
    let mut out = json!({
        "KeyId": key.arn,
        "PublicKey": b64(&public_key),
        "CustomerMasterKeySpec": key.spec().as_str(),
        "KeySpec": key.spec().as_str(),
        "KeyUsage": key.usage().as_str(),
    });
    let algorithms = key.spec().algorithms(key.usage()).map_err(crypto_error)?;
    if !algorithms.encryption.is_empty() {
        out["EncryptionAlgorithms"] = json!(algorithms.encryption.iter().map(|a| a.as_str()).collect::<Vec<_>>());
    }
    if !algorithms.signing.is_empty() {
        out["SigningAlgorithms"] = json!(algorithms.signing.iter().map(|a| a.as_str()).collect::<Vec<_>>());
    }
    if !algorithms.key_agreement.is_empty() {
        out["KeyAgreementAlgorithms"] = json!(algorithms.key_agreement.iter().map(|a| a.as_str()).collect::<Vec<_>>());
    }
    Ok(Reply::new(out).resource("AWS::KMS::Key", key.arn))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GenerateMacRequest {
    key_id: String,
    message: String,
    mac_algorithm: String,
}

pub async fn generate_mac(keys: &KeyCache, sealer: &Sealer, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: GenerateMacRequest = from_input(input)?;
    let algorithm: MacAlgorithm = request.mac_algorithm.parse().map_err(crypto_error)?;
    let message = unb64(&request.message)?;
    let key = usable_key(keys, ctx, &request.key_id, KeyUsage::GenerateVerifyMac).await?;
    let (_, material) = key.current_material(sealer)?;
    let mac = kms_crypto::generate_mac(&material, algorithm, &message).map_err(crypto_error)?;
    let out = json!({ "Mac": b64(&mac), "MacAlgorithm": algorithm.as_str(), "KeyId": key.arn });
    Ok(Reply::new(out).resource("AWS::KMS::Key", key.arn))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct VerifyMacRequest {
    key_id: String,
    message: String,
    mac_algorithm: String,
    mac: String,
}

/// A MAC that does not match is `KMSInvalidMacException`.
pub async fn verify_mac(keys: &KeyCache, sealer: &Sealer, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: VerifyMacRequest = from_input(input)?;
    let algorithm: MacAlgorithm = request.mac_algorithm.parse().map_err(crypto_error)?;
    let message = unb64(&request.message)?;
    let mac = unb64(&request.mac)?;
    let key = usable_key(keys, ctx, &request.key_id, KeyUsage::GenerateVerifyMac).await?;
    let (_, material) = key.current_material(sealer)?;
    let valid = kms_crypto::verify_mac(&material, algorithm, &message, &mac).map_err(crypto_error)?;
    if !valid {
        return Err(error("KMSInvalidMacException", "The MAC is not valid for this message and key."));
    }
    let out = json!({ "KeyId": key.arn, "MacValid": true, "MacAlgorithm": algorithm.as_str() });
    Ok(Reply::new(out).resource("AWS::KMS::Key", key.arn))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DeriveSharedSecretRequest {
    key_id: String,
    key_agreement_algorithm: String,
    public_key: String,
    recipient: Option<Value>,
    dry_run: Option<bool>,
}

/// ECDH between the key's private half and the peer's public key.
pub async fn derive_shared_secret(keys: &KeyCache, sealer: &Sealer, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: DeriveSharedSecretRequest = from_input(input)?;
    let algorithm: KeyAgreementAlgorithm = request.key_agreement_algorithm.parse().map_err(crypto_error)?;
    let peer = unb64(&request.public_key)?;
    if request.recipient.is_some() {
        return Err(error("UnsupportedOperationException", "Palisade has no Nitro Enclaves to attest a Recipient."));
    }
    let key = usable_key(keys, ctx, &request.key_id, KeyUsage::KeyAgreement).await?;
    if request.dry_run == Some(true) {
        return Err(error("DryRunOperationException", "The request would have succeeded, but the DryRun option is set."));
    }
    let (_, material) = key.current_material(sealer)?;
    let secret = kms_crypto::derive_shared_secret(&material, algorithm, &peer).map_err(crypto_error)?;
    let out = json!({
        "KeyId": key.arn,
        "SharedSecret": b64(secret.as_bytes()),
        "KeyAgreementAlgorithm": algorithm.as_str(),
        "KeyOrigin": "AWS_KMS",
    });
    Ok(Reply::new(out).resource("AWS::KMS::Key", key.arn))
}
