//! CreateTrail, GetTrail, DescribeTrails, UpdateTrail, DeleteTrail, ListTrails, and the stored
//! form of a trail the other trail operations share.

use gateway::{Reply, RequestContext};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use store::{Store, Txn};
use wire::ApiError;

use super::{
    error, store_error,
    trail_name::{check_trail_name, trail_arn, TrailRef},
};
use crate::input::from_input;

const TRAILS: &str = "cloudtrail.trail";

/// CloudTrail's quota of trails per region, counting multi-region trails in every region.
const MAX_TRAILS_PER_REGION: usize = 5;

/// What CloudTrail logs until PutEventSelectors says otherwise: every management event.
pub fn default_event_selectors() -> Vec<Value> {
    vec![json!({
        "ReadWriteType": "All",
        "IncludeManagementEvents": true,
        "DataResources": [],
        "ExcludeManagementEventSources": [],
    })]
}

/// A trail as the store keeps it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct StoredTrail {
    pub name: String,
    pub account: String,
    pub home_region: String,
    #[serde(rename = "TrailARN")]
    pub trail_arn: String,
    pub s3_bucket_name: String,
    pub s3_key_prefix: Option<String>,
    pub sns_topic_name: Option<String>,
    pub include_global_service_events: bool,
    pub is_multi_region_trail: bool,
    pub log_file_validation_enabled: bool,
    pub cloud_watch_logs_log_group_arn: Option<String>,
    pub cloud_watch_logs_role_arn: Option<String>,
    pub kms_key_id: Option<String>,
    pub is_organization_trail: bool,
    pub is_logging: bool,
    pub start_logging_time: Option<f64>,
    pub stop_logging_time: Option<f64>,
    pub event_selectors: Option<Vec<Value>>,
    pub advanced_event_selectors: Option<Vec<Value>>,
    pub tags: Vec<Value>,
}

impl StoredTrail {
    pub fn key(&self) -> String {
        trail_key(&self.account, &self.home_region, &self.name)
    }

    fn sns_topic_arn(&self) -> Option<String> {
        self.sns_topic_name.as_ref().map(|topic| {
            if topic.starts_with("arn:") {
                topic.clone()
            } else {
                format!("arn:aws:sns:{}:{}:{topic}", self.home_region, self.account)
            }
        })
    }

    /// The members CreateTrail and UpdateTrail answer with.
    fn settings(&self) -> Map<String, Value> {
        let mut out = Map::new();
        out.insert("Name".into(), json!(self.name));
        out.insert("S3BucketName".into(), json!(self.s3_bucket_name));
        insert_some(&mut out, "S3KeyPrefix", &self.s3_key_prefix);
        insert_some(&mut out, "SnsTopicName", &self.sns_topic_name);
        insert_some(&mut out, "SnsTopicARN", &self.sns_topic_arn());
        out.insert("IncludeGlobalServiceEvents".into(), json!(self.include_global_service_events));
        out.insert("IsMultiRegionTrail".into(), json!(self.is_multi_region_trail));
        out.insert("TrailARN".into(), json!(self.trail_arn));
        out.insert("LogFileValidationEnabled".into(), json!(self.log_file_validation_enabled));
        insert_some(&mut out, "CloudWatchLogsLogGroupArn", &self.cloud_watch_logs_log_group_arn);
        insert_some(&mut out, "CloudWatchLogsRoleArn", &self.cloud_watch_logs_role_arn);
        insert_some(&mut out, "KmsKeyId", &self.kms_key_id);
        out.insert("IsOrganizationTrail".into(), json!(self.is_organization_trail));
        out
    }

    /// The `Trail` shape of GetTrail and DescribeTrails.
    pub fn description(&self) -> Value {
        let mut out = self.settings();
        out.insert("HomeRegion".into(), json!(self.home_region));
        out.insert(
            "HasCustomEventSelectors".into(),
            json!(self.event_selectors.is_some() || self.advanced_event_selectors.is_some()),
        );
        out.insert("HasInsightSelectors".into(), json!(false));
        Value::Object(out)
    }

    /// Whether the trail applies in `region`: its home region, or every region when it is a
    /// multi-region trail.
    fn applies_in(&self, region: &str) -> bool {
        self.home_region == region || self.is_multi_region_trail
    }
}

fn insert_some(out: &mut Map<String, Value>, name: &str, value: &Option<String>) {
    if let Some(v) = value {
        out.insert(name.to_owned(), json!(v));
    }
}

fn trail_key(account: &str, region: &str, name: &str) -> String {
    format!("{account}/{region}/{name}")
}

async fn account_trails(tx: &mut Txn, account: &str) -> Result<Vec<StoredTrail>, ApiError> {
    let rows = tx.scan(TRAILS, &format!("{account}/"), None, usize::MAX).await.map_err(store_error)?;
    Ok(rows.into_iter().filter_map(|(_, v)| serde_json::from_value(v).ok()).collect())
}

/// The trail a name or ARN refers to, as seen from the caller's region: a trail whose home is
/// this region, or a multi-region trail from another.
pub async fn find_trail(tx: &mut Txn, ctx: &RequestContext, name_or_arn: &str) -> Result<StoredTrail, ApiError> {
    let wanted = TrailRef::parse(ctx, name_or_arn)?;
    let not_found = || {
        let region = wanted.region.as_deref().unwrap_or(&ctx.region);
        error(
            "TrailNotFoundException",
            format!("Unknown trail: {} for the user: {}", trail_arn(region, &wanted.account, &wanted.name), ctx.account()),
        )
    };
    if wanted.account != ctx.account() {
        return Err(not_found());
    }
    let found = account_trails(tx, &wanted.account).await?.into_iter().find(|t| {
        t.name == wanted.name
            && match &wanted.region {
                Some(region) => &t.home_region == region,
                None => t.applies_in(&ctx.region),
            }
    });
    found.ok_or_else(not_found)
}

/// Refuses changes to a trail from outside its home region, as CloudTrail does.
pub fn require_home_region(ctx: &RequestContext, trail: &StoredTrail) -> Result<(), ApiError> {
    if trail.home_region == ctx.region {
        return Ok(());
    }
    Err(error(
        "InvalidHomeRegionException",
        format!(
            "This operation can only be performed in the trail's home region, {}; the request was made in {}.",
            trail.home_region, ctx.region
        ),
    ))
}

pub async fn save_trail(tx: &mut Txn, trail: &StoredTrail) -> Result<(), ApiError> {
    let value = serde_json::to_value(trail).map_err(|e| ApiError::internal(e.to_string()))?;
    tx.put(TRAILS, &trail.key(), &value).await.map_err(store_error)
}

/// A KMS key id given as a bare key id names a key in the trail's region and account.
fn kms_key_arn(ctx: &RequestContext, key: Option<String>) -> Option<String> {
    key.map(|k| if k.starts_with("arn:") || k.starts_with("alias/") { k } else { ctx.arn("kms", &format!("key/{k}")) })
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CreateTrailRequest {
    name: String,
    s3_bucket_name: String,
    s3_key_prefix: Option<String>,
    sns_topic_name: Option<String>,
    include_global_service_events: Option<bool>,
    is_multi_region_trail: Option<bool>,
    enable_log_file_validation: Option<bool>,
    cloud_watch_logs_log_group_arn: Option<String>,
    cloud_watch_logs_role_arn: Option<String>,
    kms_key_id: Option<String>,
    is_organization_trail: Option<bool>,
    #[serde(default)]
    tags_list: Vec<Value>,
}

pub async fn create_trail(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: CreateTrailRequest = from_input(input)?;
    check_trail_name(&request.name)?;
    check_log_group_pair(&request.cloud_watch_logs_log_group_arn, &request.cloud_watch_logs_role_arn)?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let trails = account_trails(&mut tx, ctx.account()).await?;
    let multi_region = request.is_multi_region_trail.unwrap_or(false);
    let clash = trails
        .iter()
        .any(|t| t.name == request.name && (t.applies_in(&ctx.region) || (multi_region && t.is_multi_region_trail)));
    if clash {
        return Err(error(
            "TrailAlreadyExistsException",
            format!("Trail {} already exists for customer: {}", request.name, ctx.account()),
        ));
    }
    if trails.iter().filter(|t| t.applies_in(&ctx.region)).count() >= MAX_TRAILS_PER_REGION {
        return Err(error(
            "MaximumNumberOfTrailsExceededException",
            format!("User: {} already has {MAX_TRAILS_PER_REGION} trails in {}.", ctx.account(), ctx.region),
        ));
    }
    let trail = StoredTrail {
        trail_arn: trail_arn(&ctx.region, ctx.account(), &request.name),
        name: request.name,
        account: ctx.account().to_owned(),
        home_region: ctx.region.clone(),
        s3_bucket_name: request.s3_bucket_name,
        s3_key_prefix: request.s3_key_prefix,
        sns_topic_name: request.sns_topic_name,
        include_global_service_events: request.include_global_service_events.unwrap_or(true),
        is_multi_region_trail: multi_region,
        log_file_validation_enabled: request.enable_log_file_validation.unwrap_or(false),
        cloud_watch_logs_log_group_arn: request.cloud_watch_logs_log_group_arn,
        cloud_watch_logs_role_arn: request.cloud_watch_logs_role_arn,
        kms_key_id: kms_key_arn(ctx, request.kms_key_id),
        is_organization_trail: request.is_organization_trail.unwrap_or(false),
        is_logging: false,
        start_logging_time: None,
        stop_logging_time: None,
        event_selectors: None,
        advanced_event_selectors: None,
        tags: request.tags_list,
    };
    save_trail(&mut tx, &trail).await?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(Value::Object(trail.settings())).resource("AWS::CloudTrail::Trail", trail.trail_arn))
}

fn check_log_group_pair(group: &Option<String>, role: &Option<String>) -> Result<(), ApiError> {
    if group.is_some() != role.is_some() {
        return Err(error(
            "InvalidCloudWatchLogsLogGroupArnException",
            "CloudWatchLogsLogGroupArn and CloudWatchLogsRoleArn must be specified together.",
        ));
    }
    Ok(())
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GetTrailRequest {
    name: String,
}

pub async fn get_trail(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: GetTrailRequest = from_input(input)?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let trail = find_trail(&mut tx, ctx, &request.name).await?;
    Ok(Reply::new(json!({ "Trail": trail.description() })).resource("AWS::CloudTrail::Trail", trail.trail_arn))
}

#[derive(Deserialize)]
struct DescribeTrailsRequest {
    #[serde(rename = "trailNameList", default)]
    trail_name_list: Vec<String>,
    #[serde(rename = "includeShadowTrails")]
    include_shadow_trails: Option<bool>,
}

/// Unknown names are left out rather than refused, as CloudTrail does.
pub async fn describe_trails(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: DescribeTrailsRequest = from_input(input)?;
    let shadows = request.include_shadow_trails.unwrap_or(true);
    let mut tx = store.begin().await.map_err(store_error)?;
    let visible: Vec<StoredTrail> = account_trails(&mut tx, ctx.account())
        .await?
        .into_iter()
        .filter(|t| t.home_region == ctx.region || (shadows && t.is_multi_region_trail))
        .collect();
    let listed: Vec<Value> = if request.trail_name_list.is_empty() {
        visible.iter().map(StoredTrail::description).collect()
    } else {
        let mut listed = Vec::new();
        for wanted in &request.trail_name_list {
            let wanted = TrailRef::parse(ctx, wanted)?;
            listed.extend(
                visible
                    .iter()
                    .filter(|t| t.name == wanted.name && wanted.region.as_ref().is_none_or(|r| r == &t.home_region))
                    .map(StoredTrail::description),
            );
        }
        listed
    };
    Ok(Reply::new(json!({ "trailList": listed })))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UpdateTrailRequest {
    name: String,
    s3_bucket_name: Option<String>,
    s3_key_prefix: Option<String>,
    sns_topic_name: Option<String>,
    include_global_service_events: Option<bool>,
    is_multi_region_trail: Option<bool>,
    enable_log_file_validation: Option<bool>,
    cloud_watch_logs_log_group_arn: Option<String>,
    cloud_watch_logs_role_arn: Option<String>,
    kms_key_id: Option<String>,
    is_organization_trail: Option<bool>,
}

/// Only the settings the request names change; an empty string clears an optional one, as in
/// CloudTrail.
pub async fn update_trail(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: UpdateTrailRequest = from_input(input)?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let mut trail = find_trail(&mut tx, ctx, &request.name).await?;
    require_home_region(ctx, &trail)?;
    if let Some(bucket) = request.s3_bucket_name {
        trail.s3_bucket_name = bucket;
    }
    let clearable = |current: &mut Option<String>, new: Option<String>| {
        if let Some(v) = new {
            *current = (!v.is_empty()).then_some(v);
        }
    };
    clearable(&mut trail.s3_key_prefix, request.s3_key_prefix);
    clearable(&mut trail.sns_topic_name, request.sns_topic_name);
    clearable(&mut trail.cloud_watch_logs_log_group_arn, request.cloud_watch_logs_log_group_arn);
    clearable(&mut trail.cloud_watch_logs_role_arn, request.cloud_watch_logs_role_arn);
    clearable(&mut trail.kms_key_id, kms_key_arn(ctx, request.kms_key_id));
    check_log_group_pair(&trail.cloud_watch_logs_log_group_arn, &trail.cloud_watch_logs_role_arn)?;
    if let Some(v) = request.include_global_service_events {
        trail.include_global_service_events = v;
    }
    if let Some(v) = request.is_multi_region_trail {
        trail.is_multi_region_trail = v;
    }
    if let Some(v) = request.enable_log_file_validation {
        trail.log_file_validation_enabled = v;
    }
    if let Some(v) = request.is_organization_trail {
        trail.is_organization_trail = v;
    }
    save_trail(&mut tx, &trail).await?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(Value::Object(trail.settings())).resource("AWS::CloudTrail::Trail", trail.trail_arn))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DeleteTrailRequest {
    name: String,
}

pub async fn delete_trail(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: DeleteTrailRequest = from_input(input)?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let trail = find_trail(&mut tx, ctx, &request.name).await?;
    require_home_region(ctx, &trail)?;
    tx.delete(TRAILS, &trail.key()).await.map_err(store_error)?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({})).resource("AWS::CloudTrail::Trail", trail.trail_arn))
}

/// Every trail of the account, in every region.
pub async fn list_trails(store: &Store, ctx: &RequestContext, _input: Value) -> Result<Reply, ApiError> {
    let mut tx = store.begin().await.map_err(store_error)?;
    let trails: Vec<Value> = account_trails(&mut tx, ctx.account())
        .await?
        .iter()
        .map(|t| json!({ "TrailARN": t.trail_arn, "Name": t.name, "HomeRegion": t.home_region }))
        .collect();
    Ok(Reply::new(json!({ "Trails": trails })))
}
