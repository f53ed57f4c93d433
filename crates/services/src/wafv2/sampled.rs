//! GetSampledRequests and CheckCapacity.

use gateway::{Reply, RequestContext};
use serde_json::{json, Map, Value};
use store::Store;
use wire::ApiError;

use super::{
    definitions,
    entities::{self, check_scope, Kind},
    errors::{nonexistent, store_error},
    traffic::Traffic,
};
use crate::input::required;

pub async fn get_sampled_requests(store: &Store, traffic: &Traffic, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let web_acl_arn = required(&input, "WebAclArn")?;
    let rule_metric = required(&input, "RuleMetricName")?;
    check_scope(ctx, required(&input, "Scope")?)?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let web_acl = entities::load_by_arn(&mut tx, web_acl_arn).await?.filter(|e| e.kind == Kind::WebAcl && e.account == ctx.account());
    let web_acl = web_acl.ok_or_else(nonexistent)?;
    drop(tx);
    let window = input.get("TimeWindow").cloned().unwrap_or_default();
    let seconds = |member: &str| window.get(member).and_then(Value::as_f64).unwrap_or(0.0);
    let (start_ms, end_ms) = ((seconds("StartTime") * 1000.0) as u64, (seconds("EndTime") * 1000.0) as u64);
    let web_acl_metric = web_acl.definition.get("VisibilityConfig").and_then(|v| v.get("MetricName")).and_then(Value::as_str).unwrap_or_default();
    let samples = traffic.samples(web_acl_arn, rule_metric, web_acl_metric, start_ms, end_ms);
    let max_items = input.get("MaxItems").and_then(Value::as_u64).unwrap_or(100) as usize;
    let population = samples.len();
    let sampled: Vec<Value> = samples
        .into_iter()
        .rev()
        .take(max_items)
        .map(|s| {
            let mut shape = s.shape;
            shape["Weight"] = json!(1);
            shape["Timestamp"] = json!(s.time_ms as f64 / 1000.0);
            shape
        })
        .collect();
    Ok(Reply::new(json!({ "SampledRequests": sampled, "PopulationSize": population, "TimeWindow": window })))
}

pub async fn check_capacity(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let scope = required(&input, "Scope")?.to_owned();
    check_scope(ctx, &scope)?;
    let rules = input.get("Rules").cloned().unwrap_or(json!([]));
    let mut tx = store.begin().await.map_err(store_error)?;
    let namespace = definitions::label_namespace(ctx.account(), Kind::WebAcl, "capacity-check");
    let acl_ctx = definitions::acl_context(&mut tx, ctx.account(), &ctx.region, &scope, namespace, &Map::new()).await?;
    drop(tx);
    waf::WebAcl::from_json(&json!({ "Allow": {} }), &rules, &acl_ctx).map_err(definitions::engine_error)?;
    let capacity = waf::capacity(&rules, &acl_ctx).map_err(definitions::engine_error)?;
    Ok(Reply::new(json!({ "Capacity": capacity })))
}
