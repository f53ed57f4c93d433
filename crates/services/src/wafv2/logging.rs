//! PutLoggingConfiguration, GetLoggingConfiguration, DeleteLoggingConfiguration,
//! ListLoggingConfigurations: where a web ACL's log records go (a CloudWatch Logs log group,
//! S3 bucket or Firehose stream whose name starts with `aws-waf-logs-`).

use gateway::{Reply, RequestContext};
use serde_json::{json, Value};
use store::{Store, Txn};
use wire::ApiError;

use super::{
    entities::{self, Kind},
    errors::{invalid_parameter, nonexistent, store_error},
};
use crate::input::required;

const LOGGING: &str = "wafv2.logging";
const DESTINATION_PREFIX: &str = "aws-waf-logs-";

/// The logging configuration of a web ACL, if it has one.
pub async fn load(tx: &mut Txn, web_acl_arn: &str) -> Result<Option<Value>, ApiError> {
    tx.get(LOGGING, web_acl_arn).await.map_err(store_error)
}

/// Drops the logging configuration of a deleted web ACL.
pub async fn forget(tx: &mut Txn, web_acl_arn: &str) -> Result<(), ApiError> {
    tx.delete(LOGGING, web_acl_arn).await.map_err(store_error).map(drop)
}

/// The name a destination ARN gives its log group, bucket or delivery stream.
fn destination_name(arn: &str) -> Option<&str> {
    let resource = arn.splitn(6, ':').nth(5)?;
    let name = match arn.split(':').nth(2)? {
        "logs" => resource.strip_prefix("log-group:")?.trim_end_matches(":*"),
        "s3" => resource.split('/').next()?,
        "firehose" => resource.strip_prefix("deliverystream/")?,
        _ => return None,
    };
    Some(name)
}

/// The log group a CloudWatch Logs destination names, as `(account, region, group)`.
pub fn log_group_of(destination: &str) -> Option<(&str, &str, &str)> {
    let parts: Vec<&str> = destination.splitn(6, ':').collect();
    if parts.len() != 6 || parts[2] != "logs" {
        return None;
    }
    Some((parts[4], parts[3], destination_name(destination)?))
}

pub async fn put_logging_configuration(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let mut configuration = input.get("LoggingConfiguration").cloned().unwrap_or_default();
    let web_acl_arn = required(&configuration, "ResourceArn")?.to_owned();
    let destinations: Vec<&str> =
        configuration.get("LogDestinationConfigs").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect();
    if destinations.len() != 1 {
        return Err(invalid_parameter("LOG_DESTINATION", "LogDestinationConfigs", "You must provide exactly one log destination."));
    }
    if !destination_name(destinations[0]).is_some_and(|name| name.starts_with(DESTINATION_PREFIX)) {
        return Err(invalid_parameter("LOG_DESTINATION", destinations[0], "The ARN isn't valid. A valid ARN begins with arn: and includes other information separated by colons or slashes."));
    }
    super::log_policy::check(&configuration)?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let web_acl = entities::load_by_arn(&mut tx, &web_acl_arn).await?.filter(|e| e.kind == Kind::WebAcl && e.account == ctx.account());
    if web_acl.is_none() {
        return Err(nonexistent());
    }
    configuration["ManagedByFirewallManager"] = json!(false);
    if configuration.get("LogType").is_none() {
        configuration["LogType"] = json!("WAF_LOGS");
    }
    if configuration.get("LogScope").is_none() {
        configuration["LogScope"] = json!("CUSTOMER");
    }
    tx.put(LOGGING, &web_acl_arn, &configuration).await.map_err(store_error)?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({ "LoggingConfiguration": configuration })))
}

pub async fn get_logging_configuration(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let web_acl_arn = required(&input, "ResourceArn")?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let configuration = load(&mut tx, web_acl_arn).await?.filter(|_| owned_by(web_acl_arn, ctx)).ok_or_else(nonexistent)?;
    Ok(Reply::new(json!({ "LoggingConfiguration": configuration })))
}

pub async fn delete_logging_configuration(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let web_acl_arn = required(&input, "ResourceArn")?;
    let mut tx = store.begin().await.map_err(store_error)?;
    if load(&mut tx, web_acl_arn).await?.filter(|_| owned_by(web_acl_arn, ctx)).is_none() {
        return Err(nonexistent());
    }
    forget(&mut tx, web_acl_arn).await?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({})))
}

pub async fn list_logging_configurations(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let scope = required(&input, "Scope")?.to_owned();
    entities::check_scope(ctx, &scope)?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let mut configurations = Vec::new();
    for web_acl in entities::list_all(&mut tx, ctx.account(), &ctx.region, &scope, Kind::WebAcl).await? {
        configurations.extend(load(&mut tx, &web_acl.arn).await?);
    }
    Ok(Reply::new(json!({ "LoggingConfigurations": configurations })))
}

fn owned_by(web_acl_arn: &str, ctx: &RequestContext) -> bool {
    entities::parse_arn(web_acl_arn).is_some_and(|a| a.account == ctx.account() && a.region == ctx.region)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn destinations_are_named_by_their_arn() {
        assert_eq!(destination_name("arn:aws:logs:us-east-1:123456789012:log-group:aws-waf-logs-app:*"), Some("aws-waf-logs-app"));
        assert_eq!(destination_name("arn:aws:s3:::aws-waf-logs-bucket"), Some("aws-waf-logs-bucket"));
        assert_eq!(destination_name("arn:aws:firehose:us-east-1:123456789012:deliverystream/aws-waf-logs-s"), Some("aws-waf-logs-s"));
        assert_eq!(
            log_group_of("arn:aws:logs:eu-west-1:123456789012:log-group:aws-waf-logs-app"),
            Some(("123456789012", "eu-west-1", "aws-waf-logs-app"))
        );
    }
}
