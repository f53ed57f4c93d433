//! CreateTargetGroup, DescribeTargetGroups, DeleteTargetGroup, RegisterTargets,
//! DeregisterTargets, DescribeTargetHealth, DescribeTargetGroupAttributes.

use std::{net::IpAddr, time::Duration};

use gateway::{Reply, RequestContext};
use serde_json::{json, Map, Value};
use store::Store;
use wire::ApiError;

use super::{
    error,
    records::{self, arn_prefix, new_resource_id, ListenerRecord, RegisteredTarget, TargetGroupRecord},
    routing, store_error, tags, validation_error, Plane,
};
use crate::{ec2::default_vpc::DefaultVpc, input::required};

/// How long a health check waits for a target to accept a connection.
const HEALTH_CHECK_TIMEOUT: Duration = Duration::from_secs(2);

impl TargetGroupRecord {
    pub fn view(&self, load_balancer_arns: &[String]) -> Value {
        let mut view = self.settings.clone();
        view.insert("TargetGroupArn".into(), json!(self.arn));
        view.insert("TargetGroupName".into(), json!(self.name));
        view.insert("TargetType".into(), json!(self.target_type));
        view.insert("LoadBalancerArns".into(), json!(load_balancer_arns));
        if let Some(protocol) = &self.protocol {
            view.insert("Protocol".into(), json!(protocol));
        }
        if let Some(port) = self.port {
            view.insert("Port".into(), json!(port));
        }
        if let Some(vpc) = &self.vpc_id {
            view.insert("VpcId".into(), json!(vpc));
        }
        Value::Object(view)
    }
}

/// The health check settings of a new target group, with AWS's defaults for HTTP targets.
fn health_check_settings(input: &Value, protocol: Option<&str>) -> Map<String, Value> {
    let member = |name: &str| input.get(name).cloned();
    let mut settings = Map::new();
    let defaults = [
        ("HealthCheckProtocol", json!(protocol.unwrap_or("HTTP"))),
        ("HealthCheckPort", json!("traffic-port")),
        ("HealthCheckEnabled", json!(true)),
        ("HealthCheckPath", json!("/")),
        ("HealthCheckIntervalSeconds", json!(30)),
        ("HealthCheckTimeoutSeconds", json!(5)),
        ("HealthyThresholdCount", json!(5)),
        ("UnhealthyThresholdCount", json!(2)),
        ("Matcher", json!({ "HttpCode": "200" })),
        ("ProtocolVersion", json!("HTTP1")),
        ("IpAddressType", json!("ipv4")),
    ];
    for (name, default) in defaults {
        settings.insert(name.into(), member(name).unwrap_or(default));
    }
    settings
}

pub async fn create_target_group(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let name = required(&input, "Name")?.to_owned();
    let target_type = input.get("TargetType").and_then(Value::as_str).unwrap_or("instance").to_owned();
    let protocol = input.get("Protocol").and_then(Value::as_str).map(str::to_owned);
    let port = input.get("Port").and_then(Value::as_u64).and_then(|p| u16::try_from(p).ok());
    let vpc_id = input.get("VpcId").and_then(Value::as_str).map(str::to_owned);
    if target_type != "lambda" && (protocol.is_none() || port.is_none() || vpc_id.is_none()) {
        return Err(validation_error("A protocol, port and VPC ID must be specified for target groups whose target type is not 'lambda'"));
    }
    if let Some(vpc) = &vpc_id {
        if *vpc != DefaultVpc::of(ctx.account(), &ctx.region).vpc_id {
            return Err(validation_error(format!("The VPC ID '{vpc}' is not found")));
        }
    }
    if protocol.as_deref().is_some_and(|p| p != "HTTP" && p != "HTTPS") {
        return Err(error("InvalidConfigurationRequestException", "Palisade's application load balancers forward over HTTP or HTTPS"));
    }
    let tags = tags::tag_map(input.get("Tags"))?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let existing: Vec<TargetGroupRecord> = records::scan(&mut tx, &arn_prefix(ctx, "targetgroup/")).await?;
    if existing.iter().any(|tg| tg.name == name) {
        return Err(error("DuplicateTargetGroupNameException", "A target group with the same name exists, but with different settings"));
    }
    let record = TargetGroupRecord {
        arn: arn_prefix(ctx, &format!("targetgroup/{name}/{}", new_resource_id())),
        settings: health_check_settings(&input, protocol.as_deref()),
        name,
        protocol,
        port,
        vpc_id,
        target_type,
        targets: Vec::new(),
        attributes: Default::default(),
        tags,
    };
    records::save(&mut tx, &record.arn, &record).await?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({ "TargetGroups": [record.view(&[])] })).resource("AWS::ElasticLoadBalancingV2::TargetGroup", record.arn))
}

/// The load balancers whose listeners forward to a target group.
fn load_balancers_using(listeners: &[ListenerRecord], target_group_arn: &str) -> Vec<String> {
    let mut arns: Vec<String> = listeners
        .iter()
        .filter(|l| routing::target_group_arns(&l.default_actions).iter().any(|a| a == target_group_arn))
        .map(|l| l.load_balancer_arn.clone())
        .collect();
    arns.dedup();
    arns
}

pub async fn describe_target_groups(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let strings = |member: &str| -> Vec<String> {
        input.get(member).and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).map(str::to_owned).collect()
    };
    let (arns, names) = (strings("TargetGroupArns"), strings("Names"));
    let load_balancer = input.get("LoadBalancerArn").and_then(Value::as_str);
    let mut tx = store.begin().await.map_err(store_error)?;
    let all: Vec<TargetGroupRecord> = records::scan(&mut tx, &arn_prefix(ctx, "targetgroup/")).await?;
    let listeners: Vec<ListenerRecord> = records::scan(&mut tx, &arn_prefix(ctx, "listener/")).await?;
    let mut views = Vec::new();
    for tg in &all {
        let users = load_balancers_using(&listeners, &tg.arn);
        let named = (arns.is_empty() || arns.contains(&tg.arn)) && (names.is_empty() || names.contains(&tg.name));
        if named && load_balancer.is_none_or(|lb| users.iter().any(|u| u == lb)) {
            views.push(tg.view(&users));
        }
    }
    let missing = arns.iter().any(|a| !all.iter().any(|tg| tg.arn == *a)) || names.iter().any(|n| !all.iter().any(|tg| tg.name == *n));
    if missing {
        return Err(error("TargetGroupNotFoundException", "One or more target groups not found"));
    }
    Ok(Reply::new(json!({ "TargetGroups": views })))
}

pub async fn load_target_group(tx: &mut store::Txn, ctx: &RequestContext, arn: &str) -> Result<TargetGroupRecord, ApiError> {
    let record = if arn.starts_with(&arn_prefix(ctx, "targetgroup/")) { records::load(tx, arn).await? } else { None };
    record.ok_or_else(|| error("TargetGroupNotFoundException", format!("Target groups '{arn}' not found")))
}

pub async fn delete_target_group(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let arn = required(&input, "TargetGroupArn")?.to_owned();
    let mut tx = store.begin().await.map_err(store_error)?;
    if records::load::<TargetGroupRecord>(&mut tx, &arn).await?.is_none() {
        return Ok(Reply::new(json!({})));
    }
    let listeners: Vec<ListenerRecord> = records::scan(&mut tx, &arn_prefix(ctx, "listener/")).await?;
    if !load_balancers_using(&listeners, &arn).is_empty() {
        return Err(error("ResourceInUseException", format!("Target group '{arn}' is currently in use by a listener or a rule")));
    }
    records::remove(&mut tx, &arn).await?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({})).resource("AWS::ElasticLoadBalancingV2::TargetGroup", arn))
}

/// The targets of a request, each an IP address (documented deviation: loopback and host
/// addresses are allowed) with the group's port unless it gives its own.
fn requested_targets(input: &Value, group: &TargetGroupRecord) -> Result<Vec<RegisteredTarget>, ApiError> {
    let mut targets = Vec::new();
    for target in input.get("Targets").and_then(Value::as_array).into_iter().flatten() {
        let id = target.get("Id").and_then(Value::as_str).unwrap_or_default().to_owned();
        if group.target_type != "ip" {
            return Err(error(
                "InvalidTargetException",
                format!("Palisade registers IP targets only: target group '{}' has target type '{}'", group.name, group.target_type),
            ));
        }
        if id.parse::<IpAddr>().is_err() {
            return Err(error("InvalidTargetException", format!("The IP address '{id}' is not a valid IPv4 address")));
        }
        let port = target.get("Port").and_then(Value::as_u64).and_then(|p| u16::try_from(p).ok()).or(group.port);
        let port = port.ok_or_else(|| validation_error("A port must be specified for each target"))?;
        targets.push(RegisteredTarget { id, port });
    }
    Ok(targets)
}

pub async fn register_targets(plane: Plane<'_>, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let arn = required(&input, "TargetGroupArn")?.to_owned();
    let mut tx = plane.store.begin().await.map_err(store_error)?;
    let mut group = load_target_group(&mut tx, ctx, &arn).await?;
    for target in requested_targets(&input, &group)? {
        if !group.targets.iter().any(|t| t.id == target.id && t.port == target.port) {
            group.targets.push(target);
        }
    }
    records::save(&mut tx, &arn, &group).await?;
    let listeners = routing::listeners_using_target_group(&mut tx, ctx, &arn).await?;
    tx.commit().await.map_err(store_error)?;
    let configs = routing::configs(plane.store, plane.sealer, &listeners).await?;
    routing::apply(plane.dataplane, configs).await?;
    Ok(Reply::new(json!({})).resource("AWS::ElasticLoadBalancingV2::TargetGroup", arn))
}

pub async fn deregister_targets(plane: Plane<'_>, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let arn = required(&input, "TargetGroupArn")?.to_owned();
    let mut tx = plane.store.begin().await.map_err(store_error)?;
    let mut group = load_target_group(&mut tx, ctx, &arn).await?;
    for target in requested_targets(&input, &group)? {
        group.targets.retain(|t| !(t.id == target.id && t.port == target.port));
    }
    records::save(&mut tx, &arn, &group).await?;
    let listeners = routing::listeners_using_target_group(&mut tx, ctx, &arn).await?;
    tx.commit().await.map_err(store_error)?;
    let configs = routing::configs(plane.store, plane.sealer, &listeners).await?;
    routing::apply(plane.dataplane, configs).await?;
    Ok(Reply::new(json!({})).resource("AWS::ElasticLoadBalancingV2::TargetGroup", arn))
}

/// Health is checked when asked: a target that accepts a TCP connection on its port is healthy.
pub async fn describe_target_health(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let arn = required(&input, "TargetGroupArn")?.to_owned();
    let mut tx = store.begin().await.map_err(store_error)?;
    let group = load_target_group(&mut tx, ctx, &arn).await?;
    let listeners: Vec<ListenerRecord> = records::scan(&mut tx, &arn_prefix(ctx, "listener/")).await?;
    drop(tx);
    let in_use = !load_balancers_using(&listeners, &arn).is_empty();
    let mut descriptions = Vec::new();
    for target in &group.targets {
        let health = if !in_use {
            json!({ "State": "unused", "Reason": "Target.NotInUse", "Description": "Target group is not configured to receive traffic from the load balancer" })
        } else if accepts_connections(&target.id, target.port).await {
            json!({ "State": "healthy" })
        } else {
            json!({ "State": "unhealthy", "Reason": "Target.FailedHealthChecks", "Description": "Health checks failed" })
        };
        descriptions.push(json!({
            "Target": { "Id": target.id, "Port": target.port },
            "HealthCheckPort": target.port.to_string(),
            "TargetHealth": health,
        }));
    }
    Ok(Reply::new(json!({ "TargetHealthDescriptions": descriptions })))
}

async fn accepts_connections(ip: &str, port: u16) -> bool {
    let Ok(ip) = ip.parse::<IpAddr>() else { return false };
    matches!(tokio::time::timeout(HEALTH_CHECK_TIMEOUT, tokio::net::TcpStream::connect((ip, port))).await, Ok(Ok(_)))
}
