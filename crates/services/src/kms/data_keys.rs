//! GenerateDataKey(WithoutPlaintext), GenerateDataKeyPair(WithoutPlaintext), GenerateRandom:
//! keys for the caller to use outside KMS, returned encrypted under a symmetric KMS key.

use gateway::{Reply, RequestContext};
use kms_crypto::{DataKeySpec, EncryptionAlgorithm, KeySpec};
use serde::Deserialize;
use serde_json::{json, Value};
use store::Sealer;
use wire::ApiError;

use super::{
    crypto_error, error,
    encryption::{b64, encrypt_with, EncryptionContext},
    key_record::StoredKey,
    key_ref::{self, KeyCache, KeyReads},
};
use crate::input::from_input;

/// Data keys are encrypted only under symmetric encryption keys.
fn require_symmetric(key: &StoredKey, operation: &str) -> Result<(), ApiError> {
    if key.spec() == KeySpec::SymmetricDefault {
        return Ok(());
    }
    Err(error(
        "InvalidKeyUsageException",
        format!("{} key spec is {} which is not valid for {operation}.", key.arn, key.spec()),
    ))
}

async fn usable_key(keys: &KeyCache, ctx: &RequestContext, key_id: &str) -> Result<StoredKey, ApiError> {
    let key = key_ref::find_key(KeyReads::Cache(keys), ctx, key_id).await?;
    key.require_usable()?;
    require_symmetric(&key, ctx.operation)?;
    Ok(key)
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GenerateDataKeyRequest {
    key_id: String,
    #[serde(default)]
    encryption_context: EncryptionContext,
    number_of_bytes: Option<usize>,
    key_spec: Option<String>,
}

pub async fn generate_data_key(
    keys: &KeyCache,
    sealer: &Sealer,
    ctx: &RequestContext,
    input: Value,
    with_plaintext: bool,
) -> Result<Reply, ApiError> {
    let request: GenerateDataKeyRequest = from_input(input)?;
    let spec: Option<DataKeySpec> = request.key_spec.as_deref().map(str::parse).transpose().map_err(crypto_error)?;
    if spec.is_none() && request.number_of_bytes.is_none() {
        return Err(error("ValidationException", "Please specify either number of bytes or key spec."));
    }
    let key = usable_key(keys, ctx, &request.key_id).await?;
    let data_key = kms_crypto::generate_data_key(spec, request.number_of_bytes).map_err(crypto_error)?;
    let encrypted = encrypt_with(
        &key,
        sealer,
        data_key.as_bytes(),
        &request.encryption_context,
        EncryptionAlgorithm::SymmetricDefault,
    )?;
    let mut out = json!({ "CiphertextBlob": b64(&encrypted.blob), "KeyId": key.arn });
    if with_plaintext {
        out["Plaintext"] = json!(b64(data_key.as_bytes()));
    }
    if let Some(id) = encrypted.material_id {
        out["KeyMaterialId"] = json!(id);
    }
    Ok(Reply::new(out).resource("AWS::KMS::Key", key.arn))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GenerateDataKeyPairRequest {
    key_id: String,
    #[serde(default)]
    encryption_context: EncryptionContext,
    key_pair_spec: String,
}

pub async fn generate_data_key_pair(
    keys: &KeyCache,
    sealer: &Sealer,
    ctx: &RequestContext,
    input: Value,
    with_plaintext: bool,
) -> Result<Reply, ApiError> {
    let request: GenerateDataKeyPairRequest = from_input(input)?;
    let spec: KeySpec = request.key_pair_spec.parse().map_err(crypto_error)?;
    let key = usable_key(keys, ctx, &request.key_id).await?;
    let pair = kms_crypto::generate_data_key_pair(spec).map_err(crypto_error)?;
    let encrypted = encrypt_with(
        &key,
        sealer,
        pair.private_key.as_bytes(),
        &request.encryption_context,
        EncryptionAlgorithm::SymmetricDefault,
    )?;
    let mut out = json!({
        "PrivateKeyCiphertextBlob": b64(&encrypted.blob),
        "PublicKey": b64(&pair.public_key),
        "KeyId": key.arn,
        "KeyPairSpec": spec.as_str(),
    });
    if with_plaintext {
        out["PrivateKeyPlaintext"] = json!(b64(pair.private_key.as_bytes()));
    }
    if let Some(id) = encrypted.material_id {
        out["KeyMaterialId"] = json!(id);
    }
    Ok(Reply::new(out).resource("AWS::KMS::Key", key.arn))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GenerateRandomRequest {
    number_of_bytes: Option<usize>,
    custom_key_store_id: Option<String>,
}

pub async fn generate_random(input: Value) -> Result<Reply, ApiError> {
    let request: GenerateRandomRequest = from_input(input)?;
    if request.custom_key_store_id.is_some() {
        return Err(error("UnsupportedOperationException", "Palisade does not support custom key stores."));
    }
    let count = request
        .number_of_bytes
        .ok_or_else(|| error("ValidationException", "NumberOfBytes is required."))?;
    let bytes = kms_crypto::generate_random(count).map_err(crypto_error)?;
    Ok(Reply::new(json!({ "Plaintext": b64(&bytes) })))
}
