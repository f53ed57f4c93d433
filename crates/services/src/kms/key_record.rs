//! A KMS key as the store keeps it: its settings, its state, and its sealed material versions.

use std::collections::BTreeMap;

use base64::Engine;
use gateway::RequestContext;
use kms_crypto::{KeyMaterial, KeySpec, KeyUsage, MaterialVersionId};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use store::{Sealer, Txn};
use wire::ApiError;

use super::{crypto_error, error, store_error};

pub const KEYS: &str = "kms.key";

/// How long a new replica stays `Creating` before it is `Enabled`, in server-clock seconds.
/// AWS takes a few seconds too; callers poll DescribeKey until it is done.
const REPLICA_CREATION_SECONDS: f64 = 2.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum KeyState {
    Creating,
    Enabled,
    Disabled,
    PendingDeletion,
    /// A key with Origin EXTERNAL that has no key material: never imported, deleted, or expired.
    PendingImport,
}

impl KeyState {
    pub fn as_str(self) -> &'static str {
        match self {
            KeyState::Creating => "Creating",
            KeyState::Enabled => "Enabled",
            KeyState::Disabled => "Disabled",
            KeyState::PendingDeletion => "PendingDeletion",
            KeyState::PendingImport => "PendingImport",
        }
    }
}

/// One generation of key material, sealed under the root key with the key ARN and the material
/// id as context, so a sealed blob only opens for the key and version it was made for.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SealedMaterial {
    /// 32 hex digits: the material version ciphertext blobs name (`KeyMaterialId`).
    pub id: String,
    pub sealed: String,
    pub created: f64,
}

/// A rotation, as ListKeyRotations reports it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RotationRecord {
    pub material_id: String,
    pub date: f64,
    /// `AUTOMATIC` or `ON_DEMAND`.
    pub kind: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RotationSchedule {
    pub enabled: bool,
    pub period_days: u32,
    pub next_rotation: Option<f64>,
    pub on_demand_started: Option<f64>,
}

/// What a key with Origin EXTERNAL keeps about its imported material.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ImportedMaterial {
    /// The wrapping key GetParametersForImport last issued.
    pub parameters: Option<ImportParameters>,
    /// `KEY_MATERIAL_EXPIRES` or `KEY_MATERIAL_DOES_NOT_EXPIRE`, once material is imported.
    pub expiration_model: Option<String>,
    /// When the imported material expires and is deleted.
    pub valid_to: Option<f64>,
    /// The id of the first material imported: every later import must be the same material.
    pub material_id: Option<String>,
}

/// A wrapping key pair and the token that names it; the private half is sealed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ImportParameters {
    pub token_id: String,
    pub sealed_wrapping_key: String,
    pub wrapping_key_spec: String,
    pub wrapping_algorithm: String,
    pub valid_to: f64,
}

/// The multi-Region family a key belongs to; every member keeps the whole list.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MultiRegionLinks {
    pub primary_region: String,
    pub replica_regions: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredKey {
    pub account: String,
    pub region: String,
    pub key_id: String,
    pub arn: String,
    pub description: String,
    pub key_spec: KeySpecName,
    pub key_usage: KeyUsageName,
    pub state: KeyState,
    pub creation_date: f64,
    /// A `Creating` replica becomes `Enabled` at this time.
    pub ready_at: Option<f64>,
    pub deletion_date: Option<f64>,
    pub pending_window_days: Option<u32>,
    pub policy: String,
    pub tags: BTreeMap<String, String>,
    pub multi_region: Option<MultiRegionLinks>,
    pub rotation: RotationSchedule,
    pub rotations: Vec<RotationRecord>,
    /// Oldest first; the last one is current.
    pub materials: Vec<SealedMaterial>,
    /// Present for keys whose material is imported (Origin EXTERNAL).
    #[serde(default)]
    pub imported: Option<ImportedMaterial>,
    /// An AWS managed key (`alias/aws/<service>`), which KMS reports with KeyManager `AWS`.
    #[serde(default)]
    pub aws_managed: bool,
}

/// A key spec stored by its AWS name, so the record stays readable and stable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct KeySpecName(pub KeySpec);

impl TryFrom<String> for KeySpecName {
    type Error = String;
    fn try_from(text: String) -> Result<Self, String> {
        text.parse().map(KeySpecName).map_err(|e: kms_crypto::CryptoError| e.to_string())
    }
}

impl From<KeySpecName> for String {
    fn from(spec: KeySpecName) -> String {
        spec.0.as_str().to_owned()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct KeyUsageName(pub KeyUsage);

impl TryFrom<String> for KeyUsageName {
    type Error = String;
    fn try_from(text: String) -> Result<Self, String> {
        text.parse().map(KeyUsageName).map_err(|e: kms_crypto::CryptoError| e.to_string())
    }
}

impl From<KeyUsageName> for String {
    fn from(usage: KeyUsageName) -> String {
        usage.0.as_str().to_owned()
    }
}

pub fn key_arn(region: &str, account: &str, key_id: &str) -> String {
    format!("arn:aws:kms:{region}:{account}:key/{key_id}")
}

pub fn record_key(account: &str, region: &str, key_id: &str) -> String {
    format!("{account}/{region}/{key_id}")
}

fn seal_context(arn: &str, material_id: &str) -> String {
    format!("{arn}#{material_id}")
}

pub fn material_id_hex(id: &MaterialVersionId) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    id.iter().flat_map(|b| [DIGITS[usize::from(b >> 4)] as char, DIGITS[usize::from(b & 0xf)] as char]).collect()
}

fn material_id_bytes(hex: &str) -> Option<MaterialVersionId> {
    let mut id = [0u8; 16];
    if hex.len() != 32 {
        return None;
    }
    for (i, byte) in id.iter_mut().enumerate() {
        *byte = u8::from_str_radix(hex.get(i * 2..i * 2 + 2)?, 16).ok()?;
    }
    Some(id)
}

impl StoredKey {
    pub fn spec(&self) -> KeySpec {
        self.key_spec.0
    }

    pub fn usage(&self) -> KeyUsage {
        self.key_usage.0
    }

    pub fn record_key(&self) -> String {
        record_key(&self.account, &self.region, &self.key_id)
    }

    pub fn is_multi_region_replica(&self) -> bool {
        self.multi_region.as_ref().is_some_and(|m| m.primary_region != self.region)
    }

    /// A replica whose creation time has passed is `Enabled`; the change is saved with the
    /// next write of the key.
    fn settle(&mut self, now: f64) {
        if self.state == KeyState::Creating && self.ready_at.is_some_and(|at| now >= at) {
            self.state = KeyState::Enabled;
            self.ready_at = None;
        }
        // Imported material past its ValidTo is deleted, as KMS deletes it.
        if let Some(imported) = &mut self.imported {
            if imported.valid_to.is_some_and(|at| now >= at) && matches!(self.state, KeyState::Enabled | KeyState::Disabled) {
                imported.valid_to = None;
                self.materials.clear();
                self.state = KeyState::PendingImport;
            }
        }
    }

    /// `AWS_KMS`, or `EXTERNAL` for a key whose material is imported.
    pub fn origin(&self) -> &'static str {
        if self.imported.is_some() {
            "EXTERNAL"
        } else {
            "AWS_KMS"
        }
    }

    /// Seals fresh material as the key's new current version.
    pub fn add_material(&mut self, sealer: &Sealer, material: &KeyMaterial, now: f64) -> Result<String, ApiError> {
        let mut id: MaterialVersionId = [0u8; 16];
        rand::fill(&mut id);
        let id = material_id_hex(&id);
        self.push_material(sealer, &id, material, now);
        Ok(id)
    }

    /// Seals `material` under this key's ARN as version `id` (a replica shares its primary's ids).
    pub fn push_material(&mut self, sealer: &Sealer, id: &str, material: &KeyMaterial, now: f64) {
        let bytes = material.to_bytes();
        let sealed = sealer.seal(&seal_context(&self.arn, id), bytes.as_bytes());
        self.materials.push(SealedMaterial {
            id: id.to_owned(),
            sealed: base64::engine::general_purpose::STANDARD.encode(sealed),
            created: now,
        });
    }

    pub fn current_material_id(&self) -> Result<&str, ApiError> {
        self.materials
            .last()
            .map(|m| m.id.as_str())
            .ok_or_else(|| ApiError::internal(format!("{} has no key material", self.arn)))
    }

    pub fn has_material(&self, id: &str) -> bool {
        self.materials.iter().any(|m| m.id == id)
    }

    /// The material of version `id`, unsealed; `None` when the key has no such version.
    pub fn material(&self, sealer: &Sealer, id: &str) -> Result<Option<KeyMaterial>, ApiError> {
        let Some(stored) = self.materials.iter().find(|m| m.id == id) else { return Ok(None) };
        let sealed = base64::engine::general_purpose::STANDARD
            .decode(&stored.sealed)
            .map_err(|_| ApiError::internal(format!("the sealed material of {} is not base64", self.arn)))?;
        let bytes = sealer
            .unseal(&seal_context(&self.arn, id), &sealed)
            .map_err(|_| ApiError::internal(format!("the material of {} does not unseal with this root key", self.arn)))?;
        KeyMaterial::from_bytes(self.spec(), &bytes).map(Some).map_err(crypto_error)
    }

    /// The current material and its version.
    pub fn current_material(&self, sealer: &Sealer) -> Result<(MaterialVersionId, KeyMaterial), ApiError> {
        let id = self.current_material_id()?.to_owned();
        let material = self
            .material(sealer, &id)?
            .ok_or_else(|| ApiError::internal(format!("{} lost its current material", self.arn)))?;
        let version = material_id_bytes(&id).ok_or_else(|| ApiError::internal("a material id is not 32 hex digits"))?;
        Ok((version, material))
    }

    /// Refuses cryptographic use unless the key is `Enabled`, as AWS's key-state table says.
    pub fn require_usable(&self) -> Result<(), ApiError> {
        match self.state {
            KeyState::Enabled => Ok(()),
            KeyState::Disabled => Err(error("DisabledException", format!("{} is disabled.", self.arn))),
            _ => Err(self.invalid_state()),
        }
    }

    /// Refuses a change to a key that is pending deletion or still being created.
    pub fn require_not_pending(&self) -> Result<(), ApiError> {
        match self.state {
            KeyState::Enabled | KeyState::Disabled => Ok(()),
            _ => Err(self.invalid_state()),
        }
    }

    pub fn invalid_state(&self) -> ApiError {
        let message = match self.state {
            KeyState::PendingDeletion => format!("{} is pending deletion.", self.arn),
            KeyState::Creating => format!("{} is pending creation.", self.arn),
            KeyState::Disabled => format!("{} is disabled.", self.arn),
            KeyState::Enabled => format!("{} is enabled.", self.arn),
            KeyState::PendingImport => format!("{} is pending import.", self.arn),
        };
        error("KMSInvalidStateException", message)
    }

    /// Refuses an operation the key's usage does not allow.
    pub fn require_usage(&self, usage: KeyUsage, operation: &str) -> Result<(), ApiError> {
        if self.usage() == usage {
            return Ok(());
        }
        Err(error(
            "InvalidKeyUsageException",
            format!("{} key usage is {} which is not valid for {operation}.", self.arn, self.usage()),
        ))
    }

    /// The `KeyMetadata` shape of CreateKey, DescribeKey and ReplicateKey.
    pub fn metadata(&self) -> Value {
        let mut out = Map::new();
        out.insert("AWSAccountId".into(), json!(self.account));
        out.insert("KeyId".into(), json!(self.key_id));
        out.insert("Arn".into(), json!(self.arn));
        out.insert("CreationDate".into(), json!(self.creation_date));
        out.insert("Enabled".into(), json!(self.state == KeyState::Enabled));
        out.insert("Description".into(), json!(self.description));
        out.insert("KeyUsage".into(), json!(self.usage().as_str()));
        out.insert("KeyState".into(), json!(self.state.as_str()));
        if let Some(date) = self.deletion_date {
            out.insert("DeletionDate".into(), json!(date));
        }
        out.insert("Origin".into(), json!(self.origin()));
        if let Some(imported) = &self.imported {
            if let Some(model) = &imported.expiration_model {
                out.insert("ExpirationModel".into(), json!(model));
            }
            if let Some(valid_to) = imported.valid_to {
                out.insert("ValidTo".into(), json!(valid_to));
            }
        }
        out.insert("KeyManager".into(), json!(if self.aws_managed { "AWS" } else { "CUSTOMER" }));
        out.insert("CustomerMasterKeySpec".into(), json!(self.spec().as_str()));
        out.insert("KeySpec".into(), json!(self.spec().as_str()));
        if let Ok(algorithms) = self.spec().algorithms(self.usage()) {
            let names = |list: Vec<&'static str>| json!(list);
            if !algorithms.encryption.is_empty() {
                out.insert("EncryptionAlgorithms".into(), names(algorithms.encryption.iter().map(|a| a.as_str()).collect()));
            }
            if !algorithms.signing.is_empty() {
                out.insert("SigningAlgorithms".into(), names(algorithms.signing.iter().map(|a| a.as_str()).collect()));
            }
            if !algorithms.mac.is_empty() {
                out.insert("MacAlgorithms".into(), names(algorithms.mac.iter().map(|a| a.as_str()).collect()));
            }
            if !algorithms.key_agreement.is_empty() {
                out.insert(
                    "KeyAgreementAlgorithms".into(),
                    names(algorithms.key_agreement.iter().map(|a| a.as_str()).collect()),
                );
            }
        }
        out.insert("MultiRegion".into(), json!(self.multi_region.is_some()));
        if let Some(links) = &self.multi_region {
            let member = |region: &str| json!({ "Arn": key_arn(region, &self.account, &self.key_id), "Region": region });
            let replicas: Vec<Value> = links.replica_regions.iter().map(|r| member(r)).collect();
            out.insert(
                "MultiRegionConfiguration".into(),
                json!({
                    "MultiRegionKeyType": if self.is_multi_region_replica() { "REPLICA" } else { "PRIMARY" },
                    "PrimaryKey": member(&links.primary_region),
                    "ReplicaKeys": replicas,
                }),
            );
        }
        if let Some(days) = self.pending_window_days {
            out.insert("PendingDeletionWindowInDays".into(), json!(days));
        }
        if self.spec() == KeySpec::SymmetricDefault {
            if let Some(current) = self.materials.last() {
                out.insert("CurrentKeyMaterialId".into(), json!(current.id));
            }
        }
        Value::Object(out)
    }
}

/// A new key record in the request's account and region, with no material yet.
pub fn new_key(ctx: &RequestContext, key_id: String, spec: KeySpec, usage: KeyUsage) -> StoredKey {
    StoredKey {
        account: ctx.account().to_owned(),
        region: ctx.region.clone(),
        arn: key_arn(&ctx.region, ctx.account(), &key_id),
        key_id,
        description: String::new(),
        key_spec: KeySpecName(spec),
        key_usage: KeyUsageName(usage),
        state: KeyState::Enabled,
        creation_date: ctx.time,
        ready_at: None,
        deletion_date: None,
        pending_window_days: None,
        policy: String::new(),
        tags: BTreeMap::new(),
        multi_region: None,
        rotation: RotationSchedule::default(),
        rotations: Vec::new(),
        materials: Vec::new(),
        imported: None,
        aws_managed: false,
    }
}

/// A replica of `primary` in `region`: `Creating` for a moment, then `Enabled`.
pub fn new_replica(primary: &StoredKey, region: &str, now: f64) -> StoredKey {
    let mut replica = primary.clone();
    replica.region = region.to_owned();
    replica.arn = key_arn(region, &primary.account, &primary.key_id);
    replica.state = KeyState::Creating;
    replica.ready_at = Some(now + REPLICA_CREATION_SECONDS);
    replica.creation_date = now;
    replica.rotation = RotationSchedule::default();
    replica.materials = Vec::new();
    replica
}

/// Loads a key record; a key whose deletion date has passed is gone even before the deletion job
/// removes it.
pub async fn load(tx: &mut Txn, account: &str, region: &str, key_id: &str, now: f64) -> Result<Option<StoredKey>, ApiError> {
    let Some(value) = tx.get(KEYS, &record_key(account, region, key_id)).await.map_err(store_error)? else {
        return Ok(None);
    };
    let key: StoredKey = serde_json::from_value(value)
        .map_err(|e| ApiError::internal(format!("the record of KMS key {key_id} is corrupt: {e}")))?;
    Ok(live(key, now))
}

/// The key as of `now`, or `None` once its deletion date has passed.
pub fn live(mut key: StoredKey, now: f64) -> Option<StoredKey> {
    if key.state == KeyState::PendingDeletion && key.deletion_date.is_some_and(|date| now >= date) {
        return None;
    }
    key.settle(now);
    Some(key)
}

pub async fn save(tx: &mut Txn, key: &StoredKey) -> Result<(), ApiError> {
    let value = serde_json::to_value(key).map_err(|e| ApiError::internal(e.to_string()))?;
    tx.put(KEYS, &key.record_key(), &value).await.map_err(store_error)
}

/// Every key of an account in a region, in key id order.
pub async fn list(tx: &mut Txn, account: &str, region: &str, now: f64) -> Result<Vec<StoredKey>, ApiError> {
    let rows = tx.scan(KEYS, &format!("{account}/{region}/"), None, usize::MAX).await.map_err(store_error)?;
    Ok(rows
        .into_iter()
        .filter_map(|(_, v)| serde_json::from_value::<StoredKey>(v).ok())
        .filter_map(|k| live(k, now))
        .collect())
}
