//! AssociateWebACL, DisassociateWebACL, GetWebACLForResource, ListResourcesForWebACL: which web
//! ACL stands in front of which application load balancer.

use gateway::{Reply, RequestContext};
use serde_json::{json, Value};
use store::{Store, Txn};
use wire::ApiError;

use super::{
    entities::{self, Kind},
    errors::{invalid_parameter, nonexistent, store_error},
};
use crate::input::required;

const ASSOCIATIONS: &str = "wafv2.association";

fn record_key(account: &str, region: &str, resource_arn: &str) -> String {
    format!("{account}/{region}/{resource_arn}")
}

/// The web ACL associated with a resource, if any.
pub async fn web_acl_of(tx: &mut Txn, account: &str, region: &str, resource_arn: &str) -> Result<Option<String>, ApiError> {
    let value = tx.get(ASSOCIATIONS, &record_key(account, region, resource_arn)).await.map_err(store_error)?;
    Ok(value.and_then(|v| v.get("WebACLArn")?.as_str().map(str::to_owned)))
}

/// Every `(resource ARN, web ACL ARN)` association of an account in a region.
pub async fn all(tx: &mut Txn, account: &str, region: &str) -> Result<Vec<(String, String)>, ApiError> {
    let rows = tx.scan(ASSOCIATIONS, &format!("{account}/{region}/"), None, usize::MAX).await.map_err(store_error)?;
    Ok(rows
        .into_iter()
        .filter_map(|(_, v)| Some((v.get("ResourceArn")?.as_str()?.to_owned(), v.get("WebACLArn")?.as_str()?.to_owned())))
        .collect())
}

/// Every association of every account and region (a restart puts the web ACLs back in place).
pub async fn everywhere(tx: &mut Txn) -> Result<Vec<(String, String)>, ApiError> {
    let rows = tx.scan(ASSOCIATIONS, "", None, usize::MAX).await.map_err(store_error)?;
    Ok(rows
        .into_iter()
        .filter_map(|(_, v)| Some((v.get("ResourceArn")?.as_str()?.to_owned(), v.get("WebACLArn")?.as_str()?.to_owned())))
        .collect())
}

/// The resources a web ACL is associated with.
pub async fn resources_of(tx: &mut Txn, account: &str, region: &str, web_acl_arn: &str) -> Result<Vec<String>, ApiError> {
    Ok(all(tx, account, region).await?.into_iter().filter(|(_, acl)| acl == web_acl_arn).map(|(resource, _)| resource).collect())
}

/// Drops the association of a deleted resource (DeleteLoadBalancer).
pub async fn forget_resource(tx: &mut Txn, account: &str, region: &str, resource_arn: &str) -> Result<(), ApiError> {
    tx.delete(ASSOCIATIONS, &record_key(account, region, resource_arn)).await.map_err(store_error).map(drop)
}

/// A resource web ACLs can protect here: an application load balancer of the caller's.
async fn check_resource(tx: &mut Txn, ctx: &RequestContext, resource_arn: &str) -> Result<(), ApiError> {
    let in_region = resource_arn.starts_with(&ctx.arn("elasticloadbalancing", "loadbalancer/app/"));
    if !in_region {
        return Err(invalid_parameter("RESOURCE_ARN", resource_arn, "The ARN isn’t valid. A valid ARN begins with arn: and includes other information separated by colons or slashes."));
    }
    if !crate::elbv2::load_balancer_exists(tx, resource_arn).await? {
        return Err(nonexistent());
    }
    Ok(())
}

pub async fn associate_web_acl(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let web_acl_arn = required(&input, "WebACLArn")?.to_owned();
    let resource_arn = required(&input, "ResourceArn")?.to_owned();
    let mut tx = store.begin().await.map_err(store_error)?;
    let web_acl = entities::load_by_arn(&mut tx, &web_acl_arn).await?;
    let regional_here = web_acl.as_ref().is_some_and(|w| w.kind == Kind::WebAcl && w.scope == "REGIONAL" && w.account == ctx.account() && w.region == ctx.region);
    if !regional_here {
        return Err(nonexistent());
    }
    check_resource(&mut tx, ctx, &resource_arn).await?;
    let record = json!({ "WebACLArn": web_acl_arn, "ResourceArn": resource_arn });
    tx.put(ASSOCIATIONS, &record_key(ctx.account(), &ctx.region, &resource_arn), &record).await.map_err(store_error)?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({})).resource("AWS::WAFv2::WebACL", web_acl_arn))
}

pub async fn disassociate_web_acl(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let resource_arn = required(&input, "ResourceArn")?.to_owned();
    let mut tx = store.begin().await.map_err(store_error)?;
    check_resource(&mut tx, ctx, &resource_arn).await?;
    forget_resource(&mut tx, ctx.account(), &ctx.region, &resource_arn).await?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({})))
}

pub async fn get_web_acl_for_resource(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let resource_arn = required(&input, "ResourceArn")?;
    let mut tx = store.begin().await.map_err(store_error)?;
    check_resource(&mut tx, ctx, resource_arn).await?;
    let Some(web_acl_arn) = web_acl_of(&mut tx, ctx.account(), &ctx.region, resource_arn).await? else {
        return Ok(Reply::new(json!({})));
    };
    let web_acl = entities::load_by_arn(&mut tx, &web_acl_arn).await?.ok_or_else(nonexistent)?;
    Ok(Reply::new(json!({ "WebACL": web_acl.view() })))
}

pub async fn list_resources_for_web_acl(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let web_acl_arn = required(&input, "WebACLArn")?;
    let resource_type = input.get("ResourceType").and_then(Value::as_str).unwrap_or("APPLICATION_LOAD_BALANCER");
    let mut tx = store.begin().await.map_err(store_error)?;
    let exists = entities::load_by_arn(&mut tx, web_acl_arn).await?.is_some_and(|w| w.kind == Kind::WebAcl && w.account == ctx.account());
    if !exists {
        return Err(nonexistent());
    }
    let resources = if resource_type == "APPLICATION_LOAD_BALANCER" {
        resources_of(&mut tx, ctx.account(), &ctx.region, web_acl_arn).await?
    } else {
        Vec::new()
    };
    Ok(Reply::new(json!({ "ResourceArns": resources })))
}
