//! AWS WAF (v2): web ACLs, rule groups, IP sets and regex pattern sets with lock tokens, the AWS
//! managed rule groups (implemented natively by the `waf` engine), associations with load
//! balancers, logging configurations, sampled requests and capacity checks. The web ACLs that are
//! associated with a load balancer are compiled and put in the data plane's path.

mod associations;
mod definitions;
mod entities;
mod errors;
mod geo;
mod ip_lists;
mod log_policy;
mod logging;
mod managed;
mod permission_policies;
mod protection;
mod rate_keys;
mod sampled;
mod tags;
mod traffic;

use std::{collections::HashMap, path::Path, sync::Arc};

use dataplane::DataPlane;
use gateway::{RequestContext, Service, ServiceFuture};
use serde_json::Value;
use store::Store;

pub use associations::forget_resource;
use entities::Kind;
pub use protection::Protection;
pub use traffic::{MetricKey, Traffic};

pub struct Wafv2 {
    store: Store,
    protection: Arc<Protection>,
}

impl Wafv2 {
    pub fn new(store: Store, protection: Arc<Protection>) -> Self {
        Wafv2 { store, protection }
    }
}

/// The data plane's web ACL protection for this store, with its traffic record started and the
/// managed rule groups' address lists read from `ip_lists_dir` (see [`ip_lists`]).
pub fn protection(
    store: &Store,
    dataplane: &Arc<DataPlane>,
    ip_lists_dir: Option<&Path>,
    geoip_country_db: Option<&Path>,
    geoip_asn_db: Option<&Path>,
) -> Result<Arc<Protection>, String> {
    let ip_lists = match ip_lists_dir {
        Some(dir) => ip_lists::load(dir)?,
        None => HashMap::new(),
    };
    let geo = geo::GeoDatabases::open(geoip_country_db, geoip_asn_db)?;
    Ok(Arc::new(Protection::new(store.clone(), dataplane.clone(), Traffic::start(store.clone()), ip_lists, geo)))
}

/// Operations after which the web ACLs in the data plane's path may have changed.
fn changes_protection(operation: &str) -> bool {
    ["Create", "Update", "Delete", "Associate", "Disassociate", "Put"].iter().any(|verb| operation.starts_with(verb))
}

impl Service for Wafv2 {
    fn id(&self) -> &'static str {
        "wafv2"
    }

    fn call<'a>(&'a self, ctx: &'a RequestContext, input: Value) -> Option<ServiceFuture<'a>> {
        let store = &self.store;
        let operation: ServiceFuture<'a> = match ctx.operation {
            "CreateWebACL" => Box::pin(entities::create(store, ctx, Kind::WebAcl, input)),
            "GetWebACL" => Box::pin(entities::get(store, ctx, Kind::WebAcl, input)),
            "UpdateWebACL" => Box::pin(entities::update(store, ctx, Kind::WebAcl, input)),
            "DeleteWebACL" => Box::pin(entities::delete(store, ctx, Kind::WebAcl, input)),
            "ListWebACLs" => Box::pin(entities::list(store, ctx, Kind::WebAcl, input)),
            "CreateRuleGroup" => Box::pin(entities::create(store, ctx, Kind::RuleGroup, input)),
            "GetRuleGroup" => Box::pin(entities::get(store, ctx, Kind::RuleGroup, input)),
            "UpdateRuleGroup" => Box::pin(entities::update(store, ctx, Kind::RuleGroup, input)),
            "DeleteRuleGroup" => Box::pin(entities::delete(store, ctx, Kind::RuleGroup, input)),
            "ListRuleGroups" => Box::pin(entities::list(store, ctx, Kind::RuleGroup, input)),
            "CreateIPSet" => Box::pin(entities::create(store, ctx, Kind::IpSet, input)),
            "GetIPSet" => Box::pin(entities::get(store, ctx, Kind::IpSet, input)),
            "UpdateIPSet" => Box::pin(entities::update(store, ctx, Kind::IpSet, input)),
            "DeleteIPSet" => Box::pin(entities::delete(store, ctx, Kind::IpSet, input)),
            "ListIPSets" => Box::pin(entities::list(store, ctx, Kind::IpSet, input)),
            "CreateRegexPatternSet" => Box::pin(entities::create(store, ctx, Kind::RegexPatternSet, input)),
            "GetRegexPatternSet" => Box::pin(entities::get(store, ctx, Kind::RegexPatternSet, input)),
            "UpdateRegexPatternSet" => Box::pin(entities::update(store, ctx, Kind::RegexPatternSet, input)),
            "DeleteRegexPatternSet" => Box::pin(entities::delete(store, ctx, Kind::RegexPatternSet, input)),
            "ListRegexPatternSets" => Box::pin(entities::list(store, ctx, Kind::RegexPatternSet, input)),
            "ListAvailableManagedRuleGroups" => Box::pin(managed::list_available_managed_rule_groups(ctx, input)),
            "DescribeManagedRuleGroup" => Box::pin(managed::describe_managed_rule_group(ctx, input)),
            "ListAvailableManagedRuleGroupVersions" => Box::pin(managed::list_available_managed_rule_group_versions(ctx, input)),
            "DescribeAllManagedProducts" => Box::pin(managed::describe_all_managed_products(ctx, input)),
            "DescribeManagedProductsByVendor" => Box::pin(managed::describe_managed_products_by_vendor(ctx, input)),
            "PutPermissionPolicy" => Box::pin(permission_policies::put_permission_policy(store, ctx, input)),
            "GetPermissionPolicy" => Box::pin(permission_policies::get_permission_policy(store, ctx, input)),
            "DeletePermissionPolicy" => Box::pin(permission_policies::delete_permission_policy(store, ctx, input)),
            "AssociateWebACL" => Box::pin(associations::associate_web_acl(store, ctx, input)),
            "DisassociateWebACL" => Box::pin(associations::disassociate_web_acl(store, ctx, input)),
            "GetWebACLForResource" => Box::pin(associations::get_web_acl_for_resource(store, ctx, input)),
            "ListResourcesForWebACL" => Box::pin(associations::list_resources_for_web_acl(store, ctx, input)),
            "PutLoggingConfiguration" => Box::pin(logging::put_logging_configuration(store, ctx, input)),
            "GetLoggingConfiguration" => Box::pin(logging::get_logging_configuration(store, ctx, input)),
            "DeleteLoggingConfiguration" => Box::pin(logging::delete_logging_configuration(store, ctx, input)),
            "ListLoggingConfigurations" => Box::pin(logging::list_logging_configurations(store, ctx, input)),
            "GetSampledRequests" => Box::pin(sampled::get_sampled_requests(store, self.protection.traffic(), ctx, input)),
            "GetRateBasedStatementManagedKeys" => {
                Box::pin(rate_keys::get_rate_based_statement_managed_keys(store, &self.protection, ctx, input))
            }
            "CheckCapacity" => Box::pin(sampled::check_capacity(store, ctx, input)),
            "TagResource" => Box::pin(tags::tag_resource(store, ctx, input)),
            "UntagResource" => Box::pin(tags::untag_resource(store, ctx, input)),
            "ListTagsForResource" => Box::pin(tags::list_tags_for_resource(store, ctx, input)),
            _ => return None,
        };
        if !changes_protection(ctx.operation) {
            return Some(operation);
        }
        Some(Box::pin(async move {
            let reply = operation.await?;
            self.protection.refresh(ctx.account(), &ctx.region).await?;
            Ok(reply)
        }))
    }

    /// The entity a request names: by ARN when it gives one, else from its scope, name and id.
    fn resources(&self, ctx: &RequestContext, input: &Value) -> Vec<String> {
        let text = |name: &str| input.get(name).and_then(Value::as_str);
        let mut arns: Vec<String> =
            ["ResourceARN", "ResourceArn", "WebACLArn", "WebAclArn", "ARN"].iter().filter_map(|m| text(m)).map(str::to_owned).collect();
        if let Some(config) = input.get("LoggingConfiguration").and_then(|c| c.get("ResourceArn")).and_then(Value::as_str) {
            arns.push(config.to_owned());
        }
        if arns.is_empty() {
            if let (Some(kind), Some(scope), Some(name)) = (Kind::of_operation(ctx.operation), text("Scope"), text("Name")) {
                arns.push(entities::arn(ctx, kind, scope, name, text("Id").unwrap_or("*")));
            }
        }
        if arns.is_empty() {
            arns.push("*".to_owned());
        }
        arns
    }
}
