//! Encrypt, Decrypt, ReEncrypt, and the encryption steps GenerateDataKey shares.
//!
//! Symmetric ciphertexts name their key and material version (the engine's blob header), so
//! Decrypt needs no KeyId for them and a rotated key still opens its old ciphertexts. RSA
//! ciphertexts are plain RSA-OAEP and need the KeyId.

use std::collections::BTreeMap;

use base64::Engine;
use gateway::{Reply, RequestContext};
use kms_crypto::{EncryptionAlgorithm, KeyUsage, SecretBytes};
use serde::Deserialize;
use serde_json::{json, Value};
use store::Sealer;
use wire::ApiError;

use super::{
    crypto_error, error,
    key_record::{material_id_hex, StoredKey},
    key_ref::{self, KeyCache, KeyReads, KeyRef},
};
use crate::input::from_input;

pub type EncryptionContext = BTreeMap<String, String>;

pub fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A blob member of the input; the pipeline has checked it is base64.
pub fn unb64(text: &str) -> Result<Vec<u8>, ApiError> {
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .map_err(|_| error("ValidationException", "A blob member is not valid base64."))
}

fn invalid_ciphertext() -> ApiError {
    crypto_error(kms_crypto::CryptoError::InvalidCiphertext)
}

fn algorithm(name: Option<&str>) -> Result<EncryptionAlgorithm, ApiError> {
    name.unwrap_or("SYMMETRIC_DEFAULT").parse().map_err(crypto_error)
}

/// Refuses an algorithm the key does not offer.
fn require_algorithm(key: &StoredKey, algorithm: EncryptionAlgorithm) -> Result<(), ApiError> {
    let offered = key.spec().algorithms(key.usage()).map_err(crypto_error)?.encryption;
    if offered.contains(&algorithm) {
        return Ok(());
    }
    Err(error(
        "InvalidKeyUsageException",
        format!("{} does not support the encryption algorithm {algorithm}.", key.arn),
    ))
}

/// What encrypting produced: the blob and, for symmetric keys, the material version used.
pub struct Encrypted {
    pub blob: Vec<u8>,
    pub material_id: Option<String>,
}

/// Encrypts `plaintext` with `key`, which the caller has checked is usable.
pub fn encrypt_with(
    key: &StoredKey,
    sealer: &Sealer,
    plaintext: &[u8],
    context: &EncryptionContext,
    algorithm: EncryptionAlgorithm,
) -> Result<Encrypted, ApiError> {
    key.require_usage(KeyUsage::EncryptDecrypt, "Encrypt")?;
    require_algorithm(key, algorithm)?;
    if algorithm == EncryptionAlgorithm::SymmetricDefault {
        let (version, material) = key.current_material(sealer)?;
        let blob = kms_crypto::encrypt_symmetric(&key.arn, &version, &material, plaintext, context).map_err(crypto_error)?;
        return Ok(Encrypted { blob, material_id: Some(material_id_hex(&version)) });
    }
    let (_, material) = key.current_material(sealer)?;
    let blob = kms_crypto::encrypt_asymmetric(&material, algorithm, plaintext).map_err(crypto_error)?;
    Ok(Encrypted { blob, material_id: None })
}

/// What decrypting found: the key, the plaintext and the material version.
pub struct Decrypted {
    pub key: StoredKey,
    pub plaintext: SecretBytes,
    pub material_id: Option<String>,
    pub algorithm: EncryptionAlgorithm,
}

/// Decrypts a blob. With a `named_key`, the blob must have been made under that key.
pub async fn decrypt_blob(
    keys: &KeyCache,
    sealer: &Sealer,
    ctx: &RequestContext,
    blob: &[u8],
    named_key: Option<&str>,
    context: &EncryptionContext,
    algorithm: EncryptionAlgorithm,
) -> Result<Decrypted, ApiError> {
    let named = match named_key {
        Some(text) => Some(key_ref::find_key(KeyReads::Cache(keys), ctx, text).await?),
        None => None,
    };
    if let Some(key) = named.as_ref().filter(|k| k.spec().is_asymmetric()) {
        key.require_usable()?;
        key.require_usage(KeyUsage::EncryptDecrypt, "Decrypt")?;
        require_algorithm(key, algorithm)?;
        let (_, material) = key.current_material(sealer)?;
        let plaintext = kms_crypto::decrypt_asymmetric(&material, algorithm, blob).map_err(crypto_error)?;
        return Ok(Decrypted { key: key.clone(), plaintext, material_id: None, algorithm });
    }
    if algorithm != EncryptionAlgorithm::SymmetricDefault {
        return Err(invalid_ciphertext());
    }
    let header = kms_crypto::parse_ciphertext_header(blob).map_err(crypto_error)?;
    let Some(KeyRef::Key { account, region, key_id }) = key_ref::blob_key(ctx, &header.key_id) else {
        return Err(invalid_ciphertext());
    };
    if region != ctx.region {
        return Err(invalid_ciphertext());
    }
    let mut key = key_ref::load_from(&mut KeyReads::Cache(keys), &account, &region, &key_id, ctx.time)
        .await
        .map_err(|_| invalid_ciphertext())?;
    if named.as_ref().is_some_and(|n| n.arn != key.arn) {
        return Err(crypto_error(kms_crypto::CryptoError::IncorrectKey));
    }
    let material_id = material_id_hex(&header.material_version);
    if !key.has_material(&material_id) {
        key = keys.fresh_key(&account, &region, &key_id, ctx.time).await.map_err(|_| invalid_ciphertext())?;
    }
    key.require_usable()?;
    key.require_usage(KeyUsage::EncryptDecrypt, "Decrypt")?;
    let material = key.material(sealer, &material_id)?.ok_or_else(invalid_ciphertext)?;
    let plaintext = kms_crypto::decrypt_symmetric(blob, &material, context).map_err(crypto_error)?;
    Ok(Decrypted { key, plaintext, material_id: Some(material_id), algorithm })
}

/// The key a Decrypt or ReEncrypt blob names, for authorization.
pub fn blob_key_arn(ctx: &RequestContext, input: &Value) -> Option<String> {
    let blob = unb64(input.get("CiphertextBlob")?.as_str()?).ok()?;
    let header = kms_crypto::parse_ciphertext_header(&blob).ok()?;
    Some(key_ref::blob_key(ctx, &header.key_id)?.arn())
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct EncryptRequest {
    key_id: String,
    plaintext: String,
    #[serde(default)]
    encryption_context: EncryptionContext,
    encryption_algorithm: Option<String>,
}

pub async fn encrypt(keys: &KeyCache, sealer: &Sealer, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: EncryptRequest = from_input(input)?;
    let plaintext = SecretBytes::new(unb64(&request.plaintext)?);
    let algorithm = algorithm(request.encryption_algorithm.as_deref())?;
    let key = key_ref::find_key(KeyReads::Cache(keys), ctx, &request.key_id).await?;
    key.require_usable()?;
    let encrypted = encrypt_with(&key, sealer, plaintext.as_bytes(), &request.encryption_context, algorithm)?;
    let mut out = json!({
        "CiphertextBlob": b64(&encrypted.blob),
        "KeyId": key.arn,
        "EncryptionAlgorithm": algorithm.as_str(),
    });
    if let Some(id) = encrypted.material_id {
        out["KeyMaterialId"] = json!(id);
    }
    Ok(Reply::new(out).resource("AWS::KMS::Key", key.arn).request_parameter("encryptionAlgorithm", json!(algorithm.as_str())))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DecryptRequest {
    ciphertext_blob: String,
    key_id: Option<String>,
    #[serde(default)]
    encryption_context: EncryptionContext,
    encryption_algorithm: Option<String>,
}

pub async fn decrypt(keys: &KeyCache, sealer: &Sealer, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: DecryptRequest = from_input(input)?;
    let blob = unb64(&request.ciphertext_blob)?;
    let algorithm = algorithm(request.encryption_algorithm.as_deref())?;
    let decrypted = decrypt_blob(
        keys,
        sealer,
        ctx,
        &blob,
        request.key_id.as_deref(),
        &request.encryption_context,
        algorithm,
    )
    .await?;
    let mut out = json!({
        "KeyId": decrypted.key.arn,
        "Plaintext": b64(decrypted.plaintext.as_bytes()),
        "EncryptionAlgorithm": decrypted.algorithm.as_str(),
    });
    if let Some(id) = decrypted.material_id {
        out["KeyMaterialId"] = json!(id);
    }
    // CloudTrail names the key and the algorithm even when the request left them to the blob.
    let mut reply = Reply::new(out).request_parameter("encryptionAlgorithm", json!(decrypted.algorithm.as_str()));
    if request.key_id.is_none() {
        reply = reply.request_parameter("keyId", json!(decrypted.key.arn));
    }
    Ok(reply.resource("AWS::KMS::Key", decrypted.key.arn))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ReEncryptRequest {
    ciphertext_blob: String,
    source_key_id: Option<String>,
    #[serde(default)]
    source_encryption_context: EncryptionContext,
    source_encryption_algorithm: Option<String>,
    destination_key_id: String,
    #[serde(default)]
    destination_encryption_context: EncryptionContext,
    destination_encryption_algorithm: Option<String>,
}

pub async fn re_encrypt(keys: &KeyCache, sealer: &Sealer, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: ReEncryptRequest = from_input(input)?;
    let blob = unb64(&request.ciphertext_blob)?;
    let source_algorithm = algorithm(request.source_encryption_algorithm.as_deref())?;
    let destination_algorithm = algorithm(request.destination_encryption_algorithm.as_deref())?;
    let decrypted = decrypt_blob(
        keys,
        sealer,
        ctx,
        &blob,
        request.source_key_id.as_deref(),
        &request.source_encryption_context,
        source_algorithm,
    )
    .await?;
    let destination = key_ref::find_key(KeyReads::Cache(keys), ctx, &request.destination_key_id).await?;
    destination.require_usable()?;
    let encrypted = encrypt_with(
        &destination,
        sealer,
        decrypted.plaintext.as_bytes(),
        &request.destination_encryption_context,
        destination_algorithm,
    )?;
    let mut out = json!({
        "CiphertextBlob": b64(&encrypted.blob),
        "SourceKeyId": decrypted.key.arn,
        "KeyId": destination.arn,
        "SourceEncryptionAlgorithm": source_algorithm.as_str(),
        "DestinationEncryptionAlgorithm": destination_algorithm.as_str(),
    });
    if let Some(id) = decrypted.material_id {
        out["SourceKeyMaterialId"] = json!(id);
    }
    if let Some(id) = encrypted.material_id {
        out["DestinationKeyMaterialId"] = json!(id);
    }
    Ok(Reply::new(out)
        .resource("AWS::KMS::Key", decrypted.key.arn)
        .resource("AWS::KMS::Key", destination.arn)
        .request_parameter("sourceEncryptionAlgorithm", json!(source_algorithm.as_str()))
        .request_parameter("destinationEncryptionAlgorithm", json!(destination_algorithm.as_str())))
}
