//! How load balancers, target groups and listeners are kept: one collection keyed by ARN, so a
//! prefix of the ARN lists an account's resources of one kind in a region.

use std::collections::BTreeMap;

use gateway::RequestContext;
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use serde_json::Value;
use store::{Store, Txn};
use wire::ApiError;

use super::store_error;

const RESOURCES: &str = "elbv2.resource";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LoadBalancerRecord {
    pub arn: String,
    pub name: String,
    pub dns_name: String,
    pub scheme: String,
    pub vpc_id: String,
    /// `(zone name, subnet id)` per subnet.
    pub zones: Vec<(String, String)>,
    pub security_groups: Vec<String>,
    pub ip_address_type: String,
    pub created_time: f64,
    /// Attributes set by ModifyLoadBalancerAttributes (the rest keep their defaults).
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RegisteredTarget {
    pub id: String,
    pub port: u16,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TargetGroupRecord {
    pub arn: String,
    pub name: String,
    pub protocol: Option<String>,
    pub port: Option<u16>,
    pub vpc_id: Option<String>,
    pub target_type: String,
    /// The target group's settings as DescribeTargetGroups shows them (health checks, ...).
    pub settings: serde_json::Map<String, Value>,
    pub targets: Vec<RegisteredTarget>,
    /// Attributes set by ModifyTargetGroupAttributes (the rest keep their defaults).
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ListenerRecord {
    pub arn: String,
    pub load_balancer_arn: String,
    pub port: u16,
    pub protocol: String,
    /// `DefaultActions` as the caller gave them, canonical JSON.
    pub default_actions: Vec<Value>,
    /// The ACM certificate an HTTPS listener serves, and its security policy.
    #[serde(default)]
    pub certificate_arn: Option<String>,
    #[serde(default)]
    pub ssl_policy: Option<String>,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
}

/// The ARN prefix of an account's resources of `kind` (`loadbalancer/app/`, `targetgroup/`,
/// `listener/app/`) in the request's region.
pub fn arn_prefix(ctx: &RequestContext, kind: &str) -> String {
    ctx.arn("elasticloadbalancing", kind)
}

/// 16 random hex digits, the id ELBv2 puts at the end of its ARNs.
pub fn new_resource_id() -> String {
    let mut bytes = [0u8; 8];
    rand::fill(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub async fn load<T: DeserializeOwned>(tx: &mut Txn, arn: &str) -> Result<Option<T>, ApiError> {
    let value = tx.get(RESOURCES, arn).await.map_err(store_error)?;
    Ok(value.and_then(|v| serde_json::from_value(v).ok()))
}

pub async fn save<T: Serialize>(tx: &mut Txn, arn: &str, record: &T) -> Result<(), ApiError> {
    let value = serde_json::to_value(record).map_err(|e| ApiError::internal(e.to_string()))?;
    tx.put(RESOURCES, arn, &value).await.map_err(store_error)
}

pub async fn remove(tx: &mut Txn, arn: &str) -> Result<(), ApiError> {
    tx.delete(RESOURCES, arn).await.map_err(store_error).map(drop)
}

/// Every record whose ARN starts with `prefix`, in ARN order.
pub async fn scan<T: DeserializeOwned>(tx: &mut Txn, prefix: &str) -> Result<Vec<T>, ApiError> {
    let rows = tx.scan(RESOURCES, prefix, None, usize::MAX).await.map_err(store_error)?;
    Ok(rows.into_iter().filter_map(|(_, v)| serde_json::from_value(v).ok()).collect())
}

/// The raw record of any kind, for tagging.
pub async fn load_raw(tx: &mut Txn, arn: &str) -> Result<Option<Value>, ApiError> {
    tx.get(RESOURCES, arn).await.map_err(store_error)
}

pub async fn save_raw(tx: &mut Txn, arn: &str, value: &Value) -> Result<(), ApiError> {
    tx.put(RESOURCES, arn, value).await.map_err(store_error)
}

/// Every listener of every account and region (a restart binds them again).
pub async fn all_listeners(store: &Store) -> Result<Vec<ListenerRecord>, ApiError> {
    let mut tx = store.begin().await.map_err(store_error)?;
    let rows = tx.scan(RESOURCES, "arn:", None, usize::MAX).await.map_err(store_error)?;
    Ok(rows.into_iter().filter(|(k, _)| is_listener_arn(k)).filter_map(|(_, v)| serde_json::from_value(v).ok()).collect())
}

fn is_listener_arn(arn: &str) -> bool {
    arn.splitn(6, ':').nth(5).is_some_and(|resource| resource.starts_with("listener/"))
}

/// Whether a load balancer with this ARN exists (AssociateWebACL names one).
pub async fn load_balancer_exists(tx: &mut Txn, arn: &str) -> Result<bool, ApiError> {
    Ok(arn.contains(":loadbalancer/app/") && load::<LoadBalancerRecord>(tx, arn).await?.is_some())
}
