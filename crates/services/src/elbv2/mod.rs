//! Elastic Load Balancing (v2), the application load balancers a web ACL protects: load
//! balancers in the default VPC's subnets, target groups of IP targets, and listeners that are
//! real ports on the host (the `dataplane` crate serves them) with forward and fixed-response
//! actions.
//!
//! Documented deviations: a listener's port is bound on the host, so two load balancers cannot
//! both listen on one port; IP targets may be loopback or host addresses (AWS accepts only VPC
//! addresses).

mod attributes;
mod listeners;
mod load_balancers;
mod records;
mod routing;
mod tags;
mod target_groups;

use std::sync::Arc;

use dataplane::DataPlane;
use gateway::{RequestContext, Service, ServiceFuture};
use serde_json::Value;
use store::{Sealer, Store};
use wire::ApiError;

pub use records::load_balancer_exists;
pub use routing::restore_listeners;

pub struct Elbv2 {
    store: Store,
    /// Opens the keys of ACM certificates that HTTPS listeners serve.
    sealer: Arc<Sealer>,
    dataplane: Arc<DataPlane>,
}

impl Elbv2 {
    pub fn new(store: Store, sealer: Arc<Sealer>, dataplane: Arc<DataPlane>) -> Self {
        Elbv2 { store, sealer, dataplane }
    }
}

impl Service for Elbv2 {
    fn id(&self) -> &'static str {
        "elbv2"
    }

    fn call<'a>(&'a self, ctx: &'a RequestContext, input: Value) -> Option<ServiceFuture<'a>> {
        let store = &self.store;
        let plane = Plane { store, sealer: &self.sealer, dataplane: &self.dataplane };
        Some(match ctx.operation {
            "CreateLoadBalancer" => Box::pin(load_balancers::create_load_balancer(store, ctx, input)),
            "DescribeLoadBalancers" => Box::pin(load_balancers::describe_load_balancers(store, ctx, input)),
            "DeleteLoadBalancer" => Box::pin(load_balancers::delete_load_balancer(plane, ctx, input)),
            "DescribeLoadBalancerAttributes" => Box::pin(attributes::describe_load_balancer_attributes(store, ctx, input)),
            "ModifyLoadBalancerAttributes" => Box::pin(attributes::modify_load_balancer_attributes(store, ctx, input)),
            "CreateTargetGroup" => Box::pin(target_groups::create_target_group(store, ctx, input)),
            "DescribeTargetGroups" => Box::pin(target_groups::describe_target_groups(store, ctx, input)),
            "DeleteTargetGroup" => Box::pin(target_groups::delete_target_group(store, ctx, input)),
            "RegisterTargets" => Box::pin(target_groups::register_targets(plane, ctx, input)),
            "DeregisterTargets" => Box::pin(target_groups::deregister_targets(plane, ctx, input)),
            "DescribeTargetHealth" => Box::pin(target_groups::describe_target_health(store, ctx, input)),
            "DescribeTargetGroupAttributes" => Box::pin(attributes::describe_target_group_attributes(store, ctx, input)),
            "ModifyTargetGroupAttributes" => Box::pin(attributes::modify_target_group_attributes(store, ctx, input)),
            "CreateListener" => Box::pin(listeners::create_listener(plane, ctx, input)),
            "DescribeListeners" => Box::pin(listeners::describe_listeners(store, ctx, input)),
            "ModifyListener" => Box::pin(listeners::modify_listener(plane, ctx, input)),
            "DeleteListener" => Box::pin(listeners::delete_listener(plane, ctx, input)),
            "DescribeRules" => Box::pin(listeners::describe_rules(store, ctx, input)),
            "AddTags" => Box::pin(tags::add_tags(store, ctx, input)),
            "RemoveTags" => Box::pin(tags::remove_tags(store, ctx, input)),
            "DescribeTags" => Box::pin(tags::describe_tags(store, ctx, input)),
            _ => return None,
        })
    }

    fn resources(&self, _ctx: &RequestContext, input: &Value) -> Vec<String> {
        let mut arns: Vec<String> = ["LoadBalancerArn", "TargetGroupArn", "ListenerArn"]
            .iter()
            .filter_map(|m| input.get(*m).and_then(Value::as_str))
            .map(str::to_owned)
            .collect();
        for list in ["ResourceArns", "LoadBalancerArns", "TargetGroupArns", "ListenerArns"] {
            arns.extend(input.get(list).and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).map(str::to_owned));
        }
        if arns.is_empty() {
            arns.push("*".to_owned());
        }
        arns
    }
}

/// What the operations that change listeners work with: the store, the sealer for certificate
/// keys, and the data plane serving the listeners.
#[derive(Clone, Copy)]
struct Plane<'a> {
    store: &'a Store,
    sealer: &'a Sealer,
    dataplane: &'a DataPlane,
}

/// ELBv2's modeled error `shape` with `message`.
fn error(shape: &str, message: impl Into<String>) -> ApiError {
    crate::modeled_error("elbv2", shape, message)
}

/// The awsQuery protocol's generic invalid-input error, which ELBv2 answers for bad values.
fn validation_error(message: impl Into<String>) -> ApiError {
    ApiError::new("ValidationError", 400, message)
}

fn store_error(e: store::StoreError) -> ApiError {
    ApiError::internal(format!("Elastic Load Balancing could not reach its store: {e}"))
}
