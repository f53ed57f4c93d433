//! DescribeLoadBalancerAttributes, ModifyLoadBalancerAttributes, DescribeTargetGroupAttributes,
//! ModifyTargetGroupAttributes: AWS's attributes with their defaults, and the values set.

use std::collections::BTreeMap;

use gateway::{Reply, RequestContext};
use serde_json::{json, Value};
use store::{Store, Txn};
use wire::ApiError;

use super::{
    error,
    records::{self, arn_prefix, LoadBalancerRecord},
    store_error, target_groups, validation_error,
};
use crate::input::required;

/// An application load balancer's attributes and their defaults.
const LOAD_BALANCER_DEFAULTS: &[(&str, &str)] = &[
    ("access_logs.s3.enabled", "false"),
    ("access_logs.s3.bucket", ""),
    ("access_logs.s3.prefix", ""),
    ("client_keep_alive.seconds", "3600"),
    ("deletion_protection.enabled", "false"),
    ("idle_timeout.timeout_seconds", "60"),
    ("routing.http.desync_mitigation_mode", "defensive"),
    ("routing.http.drop_invalid_header_fields.enabled", "false"),
    ("routing.http.preserve_host_header.enabled", "false"),
    ("routing.http.x_amzn_tls_version_and_cipher_suite.enabled", "false"),
    ("routing.http.xff_client_port.enabled", "false"),
    ("routing.http.xff_header_processing.mode", "append"),
    ("routing.http2.enabled", "true"),
    ("waf.fail_open.enabled", "false"),
    ("zonal_shift.config.enabled", "false"),
];

/// A target group's attributes (IP targets, HTTP) and their defaults.
const TARGET_GROUP_DEFAULTS: &[(&str, &str)] = &[
    ("deregistration_delay.timeout_seconds", "300"),
    ("load_balancing.algorithm.type", "round_robin"),
    ("load_balancing.cross_zone.enabled", "use_load_balancer_configuration"),
    ("slow_start.duration_seconds", "0"),
    ("stickiness.enabled", "false"),
    ("stickiness.lb_cookie.duration_seconds", "86400"),
    ("stickiness.type", "lb_cookie"),
];

fn view(defaults: &[(&str, &str)], set: &BTreeMap<String, String>) -> Value {
    let attributes: Vec<Value> = defaults
        .iter()
        .map(|(key, default)| json!({ "Key": key, "Value": set.get(*key).map_or(*default, String::as_str) }))
        .collect();
    json!({ "Attributes": attributes })
}

/// The attributes of a Modify request, each a known key.
fn requested(input: &Value, defaults: &[(&str, &str)], kind: &str) -> Result<BTreeMap<String, String>, ApiError> {
    let mut changes = BTreeMap::new();
    for attribute in input.get("Attributes").and_then(Value::as_array).into_iter().flatten() {
        let key = attribute.get("Key").and_then(Value::as_str).unwrap_or_default();
        if !defaults.iter().any(|(known, _)| *known == key) {
            return Err(validation_error(format!("{kind} attribute key '{key}' is not recognized")));
        }
        let value = attribute.get("Value").and_then(Value::as_str).unwrap_or_default();
        changes.insert(key.to_owned(), value.to_owned());
    }
    Ok(changes)
}

async fn load_balancer(tx: &mut Txn, ctx: &RequestContext, arn: &str) -> Result<LoadBalancerRecord, ApiError> {
    let record = if arn.starts_with(&arn_prefix(ctx, "loadbalancer/")) { records::load(tx, arn).await? } else { None };
    record.ok_or_else(|| error("LoadBalancerNotFoundException", "One or more load balancers not found"))
}

pub async fn describe_load_balancer_attributes(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let mut tx = store.begin().await.map_err(store_error)?;
    let record = load_balancer(&mut tx, ctx, required(&input, "LoadBalancerArn")?).await?;
    Ok(Reply::new(view(LOAD_BALANCER_DEFAULTS, &record.attributes)))
}

pub async fn modify_load_balancer_attributes(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let changes = requested(&input, LOAD_BALANCER_DEFAULTS, "Load balancer")?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let mut record = load_balancer(&mut tx, ctx, required(&input, "LoadBalancerArn")?).await?;
    record.attributes.extend(changes);
    records::save(&mut tx, &record.arn, &record).await?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(view(LOAD_BALANCER_DEFAULTS, &record.attributes)).resource("AWS::ElasticLoadBalancingV2::LoadBalancer", record.arn))
}

pub async fn describe_target_group_attributes(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let mut tx = store.begin().await.map_err(store_error)?;
    let record = target_groups::load_target_group(&mut tx, ctx, required(&input, "TargetGroupArn")?).await?;
    Ok(Reply::new(view(TARGET_GROUP_DEFAULTS, &record.attributes)))
}

pub async fn modify_target_group_attributes(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let changes = requested(&input, TARGET_GROUP_DEFAULTS, "Target group")?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let mut record = target_groups::load_target_group(&mut tx, ctx, required(&input, "TargetGroupArn")?).await?;
    record.attributes.extend(changes);
    records::save(&mut tx, &record.arn, &record).await?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(view(TARGET_GROUP_DEFAULTS, &record.attributes)).resource("AWS::ElasticLoadBalancingV2::TargetGroup", record.arn))
}
