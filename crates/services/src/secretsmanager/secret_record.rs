//! A secret as the store keeps it: its settings, its versions (values sealed, see
//! [`super::envelope`]) and their staging labels, its rotation, replicas and resource policy.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use store::{DocumentCache, Store, Txn};
use wire::ApiError;

use super::{envelope::SealedValue, invalid_request, store_error};

pub const SECRETS: &str = "secretsmanager.secret";

pub const CURRENT: &str = "AWSCURRENT";
pub const PREVIOUS: &str = "AWSPREVIOUS";
pub const PENDING: &str = "AWSPENDING";

/// What DescribeSecret and ListSecretVersionIds call the AWS managed key.
pub const DEFAULT_KEY_NAME: &str = "DefaultEncryptionKey";

/// LastAccessedDate is kept to the day, as AWS reports it.
pub const DAY_SECONDS: f64 = 86_400.0;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tag {
    #[serde(rename = "Key")]
    pub key: String,
    #[serde(rename = "Value", default)]
    pub value: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredVersion {
    pub id: String,
    pub stages: Vec<String>,
    pub created: f64,
    pub last_accessed: Option<f64>,
    /// The key the value is sealed under (a key ARN), `None` while the version has no value.
    pub kms_key_arn: Option<String>,
    /// `None` for the version RotateSecret lists with AWSPENDING before the rotation function
    /// has put its value.
    pub value: Option<SealedValue>,
}

impl StoredVersion {
    pub fn has(&self, stage: &str) -> bool {
        self.stages.iter().any(|s| s == stage)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RotationRules {
    #[serde(rename = "AutomaticallyAfterDays", skip_serializing_if = "Option::is_none")]
    pub automatically_after_days: Option<i64>,
    #[serde(rename = "Duration", skip_serializing_if = "Option::is_none")]
    pub duration: Option<String>,
    #[serde(rename = "ScheduleExpression", skip_serializing_if = "Option::is_none")]
    pub schedule_expression: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RotationState {
    pub enabled: bool,
    pub lambda_arn: Option<String>,
    pub rules: Option<RotationRules>,
    pub last_rotated: Option<f64>,
    pub next_rotation: Option<f64>,
    /// The ClientRequestToken of the rotation being run.
    pub in_progress: Option<String>,
    /// Why the last rotation failed, kept until one succeeds.
    pub last_failure: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReplicaStatus {
    pub region: String,
    /// The key the caller named for the replica; `None` for the AWS managed key.
    pub kms_key_id: Option<String>,
    /// `InProgress`, `InSync` or `Failed`.
    pub status: String,
    pub message: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredSecret {
    pub account: String,
    pub region: String,
    pub name: String,
    pub arn: String,
    pub description: Option<String>,
    /// The key the caller named (id, ARN or alias); `None` for `aws/secretsmanager`.
    pub kms_key_id: Option<String>,
    pub secret_type: Option<String>,
    pub created: f64,
    pub last_changed: f64,
    pub last_accessed: Option<f64>,
    /// When DeleteSecret was called, and when the secret is removed.
    pub deleted_date: Option<f64>,
    pub deletion_date: Option<f64>,
    pub tags: Vec<Tag>,
    /// Oldest first.
    pub versions: Vec<StoredVersion>,
    pub rotation: RotationState,
    pub resource_policy: Option<String>,
    /// Set on a replica: the Region of its primary.
    pub primary_region: Option<String>,
    /// Set on a primary: its replicas.
    pub replicas: Vec<ReplicaStatus>,
}

fn access_day(now: f64) -> f64 {
    (now / DAY_SECONDS).floor() * DAY_SECONDS
}

pub fn record_key(account: &str, region: &str, name: &str) -> String {
    format!("{account}/{region}/{name}")
}

/// A secret's ARN: its name and a hyphen and six random characters, so a secret created again
/// under the same name has another ARN.
pub fn new_arn(region: &str, account: &str, name: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let suffix: String = (0..6).map(|_| ALPHABET[rand::random_range(0..ALPHABET.len())] as char).collect();
    format!("arn:aws:secretsmanager:{region}:{account}:secret:{name}-{suffix}")
}

impl StoredSecret {
    /// Past its deletion date: gone, even before the deletion job removes the record.
    pub fn is_gone(&self, now: f64) -> bool {
        self.deletion_date.is_some_and(|date| now >= date)
    }

    pub fn record_key(&self) -> String {
        record_key(&self.account, &self.region, &self.name)
    }

    pub fn is_replica(&self) -> bool {
        self.primary_region.is_some()
    }

    pub fn require_not_deleted(&self) -> Result<(), ApiError> {
        if self.deleted_date.is_some() {
            return Err(invalid_request(
                "You can't perform this operation on the secret because it was marked for deletion.",
            ));
        }
        Ok(())
    }

    /// Changes to a replica are made to its primary, in the primary's Region.
    pub fn require_primary(&self) -> Result<(), ApiError> {
        if self.is_replica() {
            return Err(invalid_request(
                "Operation not permitted on a replica secret. Call must be made in primary secret's region.",
            ));
        }
        Ok(())
    }

    pub fn version(&self, id: &str) -> Option<&StoredVersion> {
        self.versions.iter().find(|v| v.id == id)
    }

    pub fn version_mut(&mut self, id: &str) -> Option<&mut StoredVersion> {
        self.versions.iter_mut().find(|v| v.id == id)
    }

    pub fn version_with_stage(&self, stage: &str) -> Option<&StoredVersion> {
        self.versions.iter().find(|v| v.has(stage))
    }

    /// `{version id: [stages]}` for the versions that have staging labels.
    pub fn versions_to_stages(&self) -> Value {
        let map: Map<String, Value> =
            self.versions.iter().filter(|v| !v.stages.is_empty()).map(|v| (v.id.clone(), json!(v.stages))).collect();
        Value::Object(map)
    }

    /// Whether a read of `version_id` at `now` changes LastAccessedDate (kept to the day).
    pub fn is_first_read_of_the_day(&self, version_id: &str, now: f64) -> bool {
        let day = Some(access_day(now));
        self.last_accessed != day || self.version(version_id).is_some_and(|v| v.last_accessed != day)
    }

    /// Records a read for LastAccessedDate.
    pub fn touch(&mut self, version_id: &str, now: f64) {
        let day = access_day(now);
        self.last_accessed = Some(day);
        if let Some(version) = self.version_mut(version_id) {
            version.last_accessed = Some(day);
        }
    }

    fn tags_value(&self) -> Value {
        json!(self.tags)
    }

    fn replication_status(&self) -> Vec<Value> {
        self.replicas.iter().map(ReplicaStatus::entry).collect()
    }

    /// The fields DescribeSecret and ListSecrets share.
    fn common_fields(&self) -> Map<String, Value> {
        let mut out = Map::new();
        out.insert("ARN".into(), json!(self.arn));
        out.insert("Name".into(), json!(self.name));
        if let Some(kind) = &self.secret_type {
            out.insert("Type".into(), json!(kind));
        }
        if let Some(description) = &self.description {
            out.insert("Description".into(), json!(description));
        }
        if let Some(key) = &self.kms_key_id {
            out.insert("KmsKeyId".into(), json!(key));
        }
        // Present once rotation has been configured, false after CancelRotateSecret.
        if self.rotation.enabled || self.rotation.lambda_arn.is_some() {
            out.insert("RotationEnabled".into(), json!(self.rotation.enabled));
        }
        if let Some(arn) = &self.rotation.lambda_arn {
            out.insert("RotationLambdaARN".into(), json!(arn));
        }
        if let Some(rules) = &self.rotation.rules {
            out.insert("RotationRules".into(), json!(rules));
        }
        if let Some(date) = self.rotation.last_rotated {
            out.insert("LastRotatedDate".into(), json!(date));
        }
        out.insert("LastChangedDate".into(), json!(self.last_changed));
        if let Some(date) = self.last_accessed {
            out.insert("LastAccessedDate".into(), json!(date));
        }
        if let Some(date) = self.deleted_date {
            out.insert("DeletedDate".into(), json!(date));
        }
        if let Some(date) = self.rotation.next_rotation.filter(|_| self.rotation.enabled) {
            out.insert("NextRotationDate".into(), json!(date));
        }
        if !self.tags.is_empty() {
            out.insert("Tags".into(), self.tags_value());
        }
        out.insert("CreatedDate".into(), json!(self.created));
        out.insert("PrimaryRegion".into(), json!(self.primary_region.as_deref().unwrap_or(&self.region)));
        out
    }

    /// DescribeSecret's output.
    pub fn description(&self) -> Value {
        let mut out = self.common_fields();
        out.insert("VersionIdsToStages".into(), self.versions_to_stages());
        if !self.replicas.is_empty() {
            out.insert("ReplicationStatus".into(), json!(self.replication_status()));
        }
        Value::Object(out)
    }

    /// A ListSecrets entry.
    pub fn list_entry(&self) -> Value {
        let mut out = self.common_fields();
        out.insert("SecretVersionsToStages".into(), self.versions_to_stages());
        Value::Object(out)
    }
}

impl ReplicaStatus {
    pub fn entry(&self) -> Value {
        let mut out = json!({ "Region": self.region, "Status": self.status });
        out["KmsKeyId"] = json!(self.kms_key_id.as_deref().unwrap_or("alias/aws/secretsmanager"));
        if let Some(message) = &self.message {
            out["StatusMessage"] = json!(message);
        }
        out
    }
}

/// Loads a secret; one whose deletion date has passed is gone even before the job removes it.
pub async fn load(tx: &mut Txn, account: &str, region: &str, name: &str, now: f64) -> Result<Option<StoredSecret>, ApiError> {
    let Some(value) = tx.get(SECRETS, &record_key(account, region, name)).await.map_err(store_error)? else {
        return Ok(None);
    };
    let secret: StoredSecret =
        serde_json::from_value(value).map_err(|e| ApiError::internal(format!("the record of secret {name} is corrupt: {e}")))?;
    if secret.is_gone(now) {
        return Ok(None);
    }
    Ok(Some(secret))
}

/// Secrets as last read, for GetSecretValue, which clients call in a loop; see
/// [`DocumentCache`] for how long an entry serves.
pub struct SecretCache {
    store: Store,
    secrets: DocumentCache<StoredSecret>,
}

impl SecretCache {
    pub fn new(store: Store) -> Self {
        SecretCache { store, secrets: DocumentCache::new(SECRETS) }
    }

    pub async fn load(&self, account: &str, region: &str, name: &str, now: f64) -> Result<Option<Arc<StoredSecret>>, ApiError> {
        let cached = self.secrets.get(&self.store, &record_key(account, region, name)).await.map_err(store_error)?;
        Ok(cached.filter(|secret| !secret.is_gone(now)))
    }
}

pub async fn save(tx: &mut Txn, secret: &StoredSecret) -> Result<(), ApiError> {
    let value = serde_json::to_value(secret).map_err(|e| ApiError::internal(e.to_string()))?;
    tx.put(SECRETS, &secret.record_key(), &value).await.map_err(store_error)
}

pub async fn remove(tx: &mut Txn, account: &str, region: &str, name: &str) -> Result<(), ApiError> {
    tx.delete(SECRETS, &record_key(account, region, name)).await.map_err(store_error)?;
    Ok(())
}

/// Every secret of an account in a region, in name order (with those past their deletion date
/// left out).
pub async fn list(tx: &mut Txn, account: &str, region: &str, now: f64) -> Result<Vec<StoredSecret>, ApiError> {
    let rows = tx.scan(SECRETS, &format!("{account}/{region}/"), None, usize::MAX).await.map_err(store_error)?;
    Ok(rows
        .into_iter()
        .filter_map(|(_, v)| serde_json::from_value::<StoredSecret>(v).ok())
        .filter(|s| !s.is_gone(now))
        .collect())
}
