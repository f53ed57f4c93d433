//! GetParametersForImport, ImportKeyMaterial, DeleteImportedKeyMaterial: keys whose material
//! the customer brings (Origin EXTERNAL). The material arrives wrapped under a public key KMS
//! issued, is sealed like generated material, and must be the same material on every reimport,
//! so old ciphertexts still open.

use base64::Engine;
use gateway::{Reply, RequestContext};
use kms_crypto::{ImportWrappingKey, KeyMaterial, WrappingAlgorithm, WrappingKeySpec};
use serde::Deserialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use store::{Sealer, Store};
use wire::ApiError;

use super::{
    crypto_error, error,
    encryption::{b64, unb64},
    key_record::{self, ImportParameters, KeyState, StoredKey},
    key_ref, store_error,
};
use crate::input::from_input;

/// How long an import token and its public key stay valid.
const PARAMETERS_VALID_SECONDS: f64 = 24.0 * 3600.0;

const EXPIRES: &str = "KEY_MATERIAL_EXPIRES";
const DOES_NOT_EXPIRE: &str = "KEY_MATERIAL_DOES_NOT_EXPIRE";

fn require_external(key: &StoredKey) -> Result<(), ApiError> {
    if key.imported.is_some() {
        return Ok(());
    }
    Err(error("UnsupportedOperationException", format!("{} has Origin AWS_KMS: only keys with Origin EXTERNAL take imported key material.", key.arn)))
}

fn wrapping_key_context(key: &StoredKey, token_id: &str) -> String {
    format!("{}#import#{token_id}", key.arn)
}

/// Imported material is named by what it is, so reimporting the same material restores the
/// version its ciphertexts name.
fn imported_material_id(key: &StoredKey, material: &KeyMaterial) -> String {
    let digest = Sha256::new()
        .chain_update(b"palisade imported key material\0")
        .chain_update(key.arn.as_bytes())
        .chain_update(material.to_bytes().as_bytes())
        .finalize();
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GetParametersForImportRequest {
    key_id: String,
    wrapping_algorithm: String,
    wrapping_key_spec: String,
}

pub async fn get_parameters_for_import(store: &Store, sealer: &Sealer, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: GetParametersForImportRequest = from_input(input)?;
    let algorithm: WrappingAlgorithm = request.wrapping_algorithm.parse().map_err(crypto_error)?;
    let spec: WrappingKeySpec = request.wrapping_key_spec.parse().map_err(crypto_error)?;
    let wrapping_key = ImportWrappingKey::generate(spec).map_err(crypto_error)?;
    let public_key = wrapping_key.public_key_der().map_err(crypto_error)?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let mut key = key_ref::find_key_by_id(&mut tx, ctx, &request.key_id).await?;
    require_external(&key)?;
    if matches!(key.state, KeyState::PendingDeletion | KeyState::Creating) {
        return Err(key.invalid_state());
    }
    let mut token_id = [0u8; 16];
    rand::fill(&mut token_id);
    let token_id: String = token_id.iter().map(|b| format!("{b:02x}")).collect();
    let sealed = sealer.seal(&wrapping_key_context(&key, &token_id), wrapping_key.to_bytes().as_bytes());
    let valid_to = ctx.time + PARAMETERS_VALID_SECONDS;
    key.imported.get_or_insert_with(Default::default).parameters = Some(ImportParameters {
        token_id: token_id.clone(),
        sealed_wrapping_key: base64::engine::general_purpose::STANDARD.encode(sealed),
        wrapping_key_spec: spec.as_str().to_owned(),
        wrapping_algorithm: algorithm.as_str().to_owned(),
        valid_to,
    });
    key_record::save(&mut tx, &key).await?;
    tx.commit().await.map_err(store_error)?;
    let token = format!("{}:{token_id}", key.key_id);
    let out = json!({
        "KeyId": key.arn,
        "ImportToken": b64(token.as_bytes()),
        "PublicKey": b64(&public_key),
        "ParametersValidTo": valid_to,
    });
    Ok(Reply::new(out).resource("AWS::KMS::Key", key.arn))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ImportKeyMaterialRequest {
    key_id: String,
    import_token: String,
    encrypted_key_material: String,
    valid_to: Option<f64>,
    expiration_model: Option<String>,
}

pub async fn import_key_material(store: &Store, sealer: &Sealer, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: ImportKeyMaterialRequest = from_input(input)?;
    let expiration_model = request.expiration_model.clone().unwrap_or_else(|| EXPIRES.to_owned());
    match (expiration_model.as_str(), request.valid_to) {
        (EXPIRES, None) => {
            return Err(error("ValidationException", "ValidTo is required when ExpirationModel is KEY_MATERIAL_EXPIRES."))
        }
        (EXPIRES, Some(valid_to)) if valid_to <= ctx.time => {
            return Err(error("ValidationException", "ValidTo must be in the future."))
        }
        (DOES_NOT_EXPIRE, Some(_)) => {
            return Err(error("ValidationException", "ValidTo must be omitted when ExpirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE."))
        }
        _ => {}
    }
    let wrapped = unb64(&request.encrypted_key_material)?;
    let token = unb64(&request.import_token)?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let mut key = key_ref::find_key_by_id(&mut tx, ctx, &request.key_id).await?;
    require_external(&key)?;
    if matches!(key.state, KeyState::PendingDeletion | KeyState::Creating) {
        return Err(key.invalid_state());
    }
    let invalid_token = || error("InvalidImportTokenException", "The import token is not valid for this key.");
    let token = String::from_utf8(token).map_err(|_| invalid_token())?;
    let (token_key, token_id) = token.split_once(':').ok_or_else(invalid_token)?;
    let parameters = key.imported.as_ref().and_then(|i| i.parameters.clone()).ok_or_else(invalid_token)?;
    if token_key != key.key_id || token_id != parameters.token_id {
        return Err(invalid_token());
    }
    if ctx.time >= parameters.valid_to {
        return Err(error("ExpiredImportTokenException", "The import token has expired: call GetParametersForImport again."));
    }
    let sealed = base64::engine::general_purpose::STANDARD
        .decode(&parameters.sealed_wrapping_key)
        .map_err(|_| ApiError::internal(format!("the sealed wrapping key of {} is not base64", key.arn)))?;
    let private_key = sealer
        .unseal(&wrapping_key_context(&key, token_id), &sealed)
        .map_err(|_| ApiError::internal(format!("the wrapping key of {} does not unseal with this root key", key.arn)))?;
    let spec: WrappingKeySpec = parameters.wrapping_key_spec.parse().map_err(crypto_error)?;
    let algorithm: WrappingAlgorithm = parameters.wrapping_algorithm.parse().map_err(crypto_error)?;
    let wrapping_key = ImportWrappingKey::from_bytes(spec, &private_key).map_err(crypto_error)?;
    let bytes = wrapping_key.unwrap_key_material(algorithm, &wrapped).map_err(crypto_error)?;
    let material = KeyMaterial::from_bytes(key.spec(), bytes.as_bytes()).map_err(|e| {
        error("IncorrectKeyMaterialException", format!("The key material is not valid for a {} key: {e}", key.spec().as_str()))
    })?;
    let material_id = imported_material_id(&key, &material);
    let first_import = key.imported.as_ref().and_then(|i| i.material_id.clone());
    if first_import.is_some_and(|id| id != material_id) {
        return Err(error("IncorrectKeyMaterialException", format!("The key material is not the material previously imported into {}.", key.arn)));
    }
    if key.materials.is_empty() {
        key.push_material(sealer, &material_id, &material, ctx.time);
    }
    if key.state == KeyState::PendingImport {
        key.state = KeyState::Enabled;
    }
    let imported = key.imported.get_or_insert_with(Default::default);
    imported.material_id = Some(material_id.clone());
    imported.expiration_model = Some(expiration_model);
    imported.valid_to = request.valid_to;
    key_record::save(&mut tx, &key).await?;
    tx.commit().await.map_err(store_error)?;
    let out = json!({ "KeyId": key.arn, "KeyMaterialId": material_id });
    Ok(Reply::new(out).resource("AWS::KMS::Key", key.arn))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DeleteImportedKeyMaterialRequest {
    key_id: String,
}

pub async fn delete_imported_key_material(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: DeleteImportedKeyMaterialRequest = from_input(input)?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let mut key = key_ref::find_key_by_id(&mut tx, ctx, &request.key_id).await?;
    require_external(&key)?;
    if matches!(key.state, KeyState::PendingDeletion | KeyState::Creating) {
        return Err(key.invalid_state());
    }
    let material_id = key.materials.last().map(|m| m.id.clone());
    key.materials.clear();
    if let Some(imported) = &mut key.imported {
        imported.valid_to = None;
        imported.expiration_model = None;
    }
    key.state = KeyState::PendingImport;
    key_record::save(&mut tx, &key).await?;
    tx.commit().await.map_err(store_error)?;
    let mut out = json!({ "KeyId": key.arn });
    if let Some(id) = material_id {
        out["KeyMaterialId"] = json!(id);
    }
    Ok(Reply::new(out).resource("AWS::KMS::Key", key.arn))
}
