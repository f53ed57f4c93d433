//! A parameter as the store keeps it: every retained version (value, type, tier, labels,
//! policies) and the parameter's tags. A SecureString version holds only its KMS ciphertext.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use store::{DocumentCache, Store, Txn};
use wire::ApiError;

use super::{names, policies::ParameterPolicy, store_error};

const COLLECTION: &str = "ssm/parameters";
const SCAN_PAGE: usize = 1000;

pub const SECURE_STRING: &str = "SecureString";

/// One version of a parameter.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ParameterVersion {
    pub version: u64,
    #[serde(rename = "type")]
    pub kind: String,
    /// The value; for a SecureString, the base64 KMS ciphertext of it.
    pub value: String,
    pub key_id: Option<String>,
    pub description: Option<String>,
    pub allowed_pattern: Option<String>,
    pub tier: String,
    pub data_type: String,
    pub labels: Vec<String>,
    pub policies: Vec<ParameterPolicy>,
    pub last_modified: f64,
    pub last_modified_user: String,
}

impl ParameterVersion {
    pub fn is_secure(&self) -> bool {
        self.kind == SECURE_STRING
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredParameter {
    pub account: String,
    pub region: String,
    pub name: String,
    /// Oldest first; the last is the current version.
    pub versions: Vec<ParameterVersion>,
    pub tags: BTreeMap<String, String>,
}

impl StoredParameter {
    pub fn arn(&self) -> String {
        names::parameter_arn(&self.region, &self.account, &self.name)
    }

    pub fn current(&self) -> &ParameterVersion {
        self.versions.last().expect("a stored parameter has at least one version")
    }

    pub fn current_mut(&mut self) -> &mut ParameterVersion {
        self.versions.last_mut().expect("a stored parameter has at least one version")
    }

    pub fn version(&self, version: u64) -> Option<&ParameterVersion> {
        self.versions.iter().find(|v| v.version == version)
    }

    pub fn labelled(&self, label: &str) -> Option<&ParameterVersion> {
        self.versions.iter().find(|v| v.labels.iter().any(|l| l == label))
    }

    /// The version a selector names; `None` when no version matches.
    pub fn select(&self, selector: Option<&names::Selector>) -> Option<&ParameterVersion> {
        match selector {
            None => Some(self.current()),
            Some(names::Selector::Version(v)) => self.version(*v),
            Some(names::Selector::Label(l)) => self.labelled(l),
        }
    }

    /// DescribeParameters' view of the current version.
    pub fn metadata(&self) -> Value {
        let current = self.current();
        let mut out = json!({
            "Name": self.name,
            "ARN": self.arn(),
            "Type": current.kind,
            "LastModifiedDate": current.last_modified,
            "LastModifiedUser": current.last_modified_user,
            "Version": current.version,
            "Tier": current.tier,
            "Policies": policy_list(&current.policies),
            "DataType": current.data_type,
        });
        describe_optional(&mut out, current);
        out
    }

    /// GetParameterHistory's view of one version, with `value` as the caller may see it.
    pub fn history_entry(&self, version: &ParameterVersion, value: &str) -> Value {
        let mut out = json!({
            "Name": self.name,
            "Type": version.kind,
            "LastModifiedDate": version.last_modified,
            "LastModifiedUser": version.last_modified_user,
            "Value": value,
            "Version": version.version,
            "Labels": version.labels,
            "Tier": version.tier,
            "Policies": policy_list(&version.policies),
            "DataType": version.data_type,
        });
        describe_optional(&mut out, version);
        out
    }

    /// GetParameter's view of `version`, with `value` as the caller may see it.
    pub fn parameter_output(&self, version: &ParameterVersion, value: &str, selector: Option<&names::Selector>) -> Value {
        let mut out = json!({
            "Name": self.name,
            "Type": version.kind,
            "Value": value,
            "Version": version.version,
            "LastModifiedDate": version.last_modified,
            "ARN": self.arn(),
            "DataType": version.data_type,
        });
        if let Some(selector) = selector {
            out["Selector"] = json!(selector.text());
        }
        out
    }
}

fn describe_optional(out: &mut Value, version: &ParameterVersion) {
    if let Some(key_id) = &version.key_id {
        out["KeyId"] = json!(key_id);
    }
    if let Some(description) = &version.description {
        out["Description"] = json!(description);
    }
    if let Some(pattern) = &version.allowed_pattern {
        out["AllowedPattern"] = json!(pattern);
    }
}

fn policy_list(policies: &[ParameterPolicy]) -> Vec<Value> {
    policies.iter().map(ParameterPolicy::inline).collect()
}

fn key(account: &str, region: &str, name: &str) -> String {
    format!("{account}/{region}/{name}")
}

/// The store prefix of every parameter of an account in a region.
fn region_prefix(account: &str, region: &str) -> String {
    format!("{account}/{region}/")
}

pub async fn load(tx: &mut Txn, account: &str, region: &str, name: &str) -> Result<Option<StoredParameter>, ApiError> {
    match tx.get(COLLECTION, &key(account, region, name)).await.map_err(store_error)? {
        Some(value) => serde_json::from_value(value)
            .map(Some)
            .map_err(|e| ApiError::internal(format!("stored parameter {name} is unreadable: {e}"))),
        None => Ok(None),
    }
}

/// Parameters as last read, for GetParameter and GetParameters, which clients call in a loop;
/// see [`DocumentCache`] for how long an entry serves.
pub struct ParameterCache {
    store: Store,
    parameters: DocumentCache<StoredParameter>,
}

impl ParameterCache {
    pub fn new(store: Store) -> Self {
        ParameterCache { store, parameters: DocumentCache::new(COLLECTION) }
    }

    pub async fn load(&self, account: &str, region: &str, name: &str) -> Result<Option<Arc<StoredParameter>>, ApiError> {
        self.parameters.get(&self.store, &key(account, region, name)).await.map_err(store_error)
    }
}

pub async fn save(tx: &mut Txn, parameter: &StoredParameter) -> Result<(), ApiError> {
    let value = serde_json::to_value(parameter).expect("a parameter serializes");
    tx.put(COLLECTION, &key(&parameter.account, &parameter.region, &parameter.name), &value).await.map_err(store_error)
}

pub async fn delete(tx: &mut Txn, account: &str, region: &str, name: &str) -> Result<bool, ApiError> {
    tx.delete(COLLECTION, &key(account, region, name)).await.map_err(store_error)
}

/// Every parameter of the account in the region whose name starts with `name_prefix`, in name
/// order.
pub async fn scan(tx: &mut Txn, account: &str, region: &str, name_prefix: &str) -> Result<Vec<StoredParameter>, ApiError> {
    let prefix = format!("{}{name_prefix}", region_prefix(account, region));
    let mut parameters = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = tx.scan(COLLECTION, &prefix, after.as_deref(), SCAN_PAGE).await.map_err(store_error)?;
        let full = page.len() == SCAN_PAGE;
        after = page.last().map(|(k, _)| k.clone());
        for (key, value) in page {
            let parameter: StoredParameter = serde_json::from_value(value)
                .map_err(|e| ApiError::internal(format!("stored parameter {key} is unreadable: {e}")))?;
            parameters.push(parameter);
        }
        if !full {
            return Ok(parameters);
        }
    }
}
