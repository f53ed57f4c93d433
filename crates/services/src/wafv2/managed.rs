//! ListAvailableManagedRuleGroups, DescribeManagedRuleGroup,
//! ListAvailableManagedRuleGroupVersions, DescribeAllManagedProducts,
//! DescribeManagedProductsByVendor: the AWS managed rule groups the `waf` engine implements.

use gateway::{Reply, RequestContext};
use serde_json::{json, Value};
use waf::{managed, ActionKind};
use wire::ApiError;

use super::{entities::check_scope, errors::nonexistent};
use crate::input::{required, text};

const DEFAULT_LIST_LIMIT: usize = 100;
/// AWS's page describing its managed rule groups.
const PRODUCT_LINK: &str = "https://docs.aws.amazon.com/waf/latest/developerguide/aws-managed-rule-groups-list.html";
/// The managed rule groups AWS prices and documents as advanced (intelligent threat mitigation).
const ADVANCED_GROUPS: &[&str] = &["AWSManagedRulesBotControlRuleSet", "AWSManagedRulesATPRuleSet", "AWSManagedRulesACFPRuleSet"];

/// A rule action in the API's shape (`{"Block": {}}`).
pub fn rule_action(action: ActionKind) -> Value {
    let name = match action {
        ActionKind::Allow => "Allow",
        ActionKind::Block => "Block",
        ActionKind::Count => "Count",
        ActionKind::Captcha => "Captcha",
        ActionKind::Challenge => "Challenge",
    };
    json!({ name: {} })
}

pub async fn list_available_managed_rule_groups(ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    check_scope(ctx, required(&input, "Scope")?)?;
    let limit = input.get("Limit").and_then(Value::as_u64).map_or(DEFAULT_LIST_LIMIT, |l| l as usize);
    let marker = text(&input, "NextMarker");
    let remaining: Vec<&managed::ManagedRuleGroup> = managed::catalog().iter().filter(|g| marker.is_none_or(|m| g.name > m)).collect();
    let page = &remaining[..remaining.len().min(limit)];
    let groups: Vec<Value> = page
        .iter()
        .map(|g| json!({ "VendorName": g.vendor, "Name": g.name, "VersioningSupported": !g.versions.is_empty(), "Description": g.description }))
        .collect();
    let mut out = json!({ "ManagedRuleGroups": groups });
    if remaining.len() > page.len() {
        if let Some(last) = page.last() {
            out["NextMarker"] = json!(last.name);
        }
    }
    Ok(Reply::new(out))
}

fn find(input: &Value) -> Result<&'static managed::ManagedRuleGroup, ApiError> {
    managed::find(required(input, "VendorName")?, required(input, "Name")?).ok_or_else(nonexistent)
}

pub async fn describe_managed_rule_group(ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    check_scope(ctx, required(&input, "Scope")?)?;
    let group = find(&input)?;
    let version = match text(&input, "VersionName") {
        Some(asked) => Some(group.versions.iter().find(|v| v.name == asked).ok_or_else(nonexistent)?.name),
        None => group.default_version(),
    };
    let rules: Vec<Value> = group.rules.iter().map(|r| json!({ "Name": r.name, "Action": rule_action(r.action) })).collect();
    let labels = |names: &[String]| names.iter().map(|n| json!({ "Name": n })).collect::<Vec<_>>();
    let mut out = json!({
        "Capacity": group.capacity,
        "Rules": rules,
        "LabelNamespace": group.label_namespace,
        "AvailableLabels": labels(&group.labels),
        "ConsumedLabels": labels(&group.consumed_labels),
    });
    if let Some(version) = version {
        out["VersionName"] = json!(version);
    }
    Ok(Reply::new(out))
}

pub async fn list_available_managed_rule_group_versions(ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    check_scope(ctx, required(&input, "Scope")?)?;
    let group = find(&input)?;
    let versions: Vec<Value> =
        group.versions.iter().rev().map(|v| json!({ "Name": v.name, "LastUpdateTimestamp": v.last_updated as f64 })).collect();
    let mut out = json!({ "Versions": versions });
    if let Some(default) = group.default_version() {
        out["CurrentDefaultVersion"] = json!(default);
    }
    Ok(Reply::new(out))
}

fn product(group: &managed::ManagedRuleGroup) -> Value {
    json!({
        "VendorName": group.vendor,
        "ManagedRuleSetName": group.name,
        "ProductId": group.name,
        "ProductLink": PRODUCT_LINK,
        "ProductTitle": group.name,
        "ProductDescription": group.description,
        "IsVersioningSupported": !group.versions.is_empty(),
        "IsAdvancedManagedRuleSet": ADVANCED_GROUPS.contains(&group.name),
    })
}

pub async fn describe_all_managed_products(ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    check_scope(ctx, required(&input, "Scope")?)?;
    let products: Vec<Value> = managed::catalog().iter().map(product).collect();
    Ok(Reply::new(json!({ "ManagedProducts": products })))
}

pub async fn describe_managed_products_by_vendor(ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    check_scope(ctx, required(&input, "Scope")?)?;
    let vendor = required(&input, "VendorName")?;
    let products: Vec<Value> = managed::catalog().iter().filter(|g| g.vendor == vendor).map(product).collect();
    Ok(Reply::new(json!({ "ManagedProducts": products })))
}
