//! Amazon EC2, the networking a load balancer needs: every account's default VPC in every region
//! with its default subnets and security group, and the region's availability zones.

pub mod default_vpc;

use gateway::{Reply, RequestContext, Service, ServiceFuture};
use serde_json::{json, Value};
use wire::ApiError;

use default_vpc::{availability_zones, DefaultVpc};

pub struct Ec2;

impl Service for Ec2 {
    fn id(&self) -> &'static str {
        "ec2"
    }

    fn call<'a>(&'a self, ctx: &'a RequestContext, input: Value) -> Option<ServiceFuture<'a>> {
        let answer = match ctx.operation {
            "DescribeVpcs" => describe_vpcs(ctx, &input),
            "DescribeSubnets" => describe_subnets(ctx, &input),
            "DescribeAvailabilityZones" => describe_availability_zones(ctx, &input),
            "DescribeSecurityGroups" => describe_security_groups(ctx, &input),
            _ => return None,
        };
        Some(Box::pin(async move { answer }))
    }
}

/// A describe filter: `Name` and the values any of which may match (`*` and `?` are wildcards).
struct Filter {
    name: String,
    values: Vec<String>,
}

fn filters(input: &Value) -> Vec<Filter> {
    let strings = |v: Option<&Value>| -> Vec<String> {
        v.and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).map(str::to_owned).collect()
    };
    input
        .get("Filters")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|f| Filter { name: f.get("Name").and_then(Value::as_str).unwrap_or_default().to_owned(), values: strings(f.get("Values")) })
        .collect()
}

fn string_list(input: &Value, member: &str) -> Vec<String> {
    input.get(member).and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).map(str::to_owned).collect()
}

fn glob_matches(pattern: &[u8], text: &[u8]) -> bool {
    match (pattern.first(), text.first()) {
        (None, None) => true,
        (Some(b'*'), _) => glob_matches(&pattern[1..], text) || (!text.is_empty() && glob_matches(pattern, &text[1..])),
        (Some(b'?'), Some(_)) => glob_matches(&pattern[1..], &text[1..]),
        (Some(p), Some(t)) if p == t => glob_matches(&pattern[1..], &text[1..]),
        _ => false,
    }
}

/// Whether `view` passes every filter; `field` maps a filter name to the view's value for it,
/// and a filter name it does not know is EC2's InvalidParameterValue.
fn passes(view: &Value, filters: &[Filter], field: fn(&str) -> Option<&'static str>) -> Result<bool, ApiError> {
    for filter in filters {
        let member = field(&filter.name)
            .ok_or_else(|| ApiError::new("InvalidParameterValue", 400, format!("The filter '{}' is invalid", filter.name)))?;
        let actual = match view.get(member) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Bool(b)) => b.to_string(),
            Some(other) => other.to_string(),
            None => String::new(),
        };
        if !filter.values.iter().any(|v| glob_matches(v.as_bytes(), actual.as_bytes())) {
            return Ok(false);
        }
    }
    Ok(true)
}

fn not_found(code: &str, kind: &str, id: &str) -> ApiError {
    ApiError::new(code.to_owned(), 400, format!("The {kind} '{id}' does not exist"))
}

fn describe_vpcs(ctx: &RequestContext, input: &Value) -> Result<Reply, ApiError> {
    let vpc = DefaultVpc::of(ctx.account(), &ctx.region);
    let view = vpc.vpc_view();
    let ids = string_list(input, "VpcIds");
    if let Some(unknown) = ids.iter().find(|id| **id != vpc.vpc_id) {
        return Err(not_found("InvalidVpcID.NotFound", "vpc ID", unknown));
    }
    let field = |name: &str| match name {
        "vpc-id" => Some("VpcId"),
        "is-default" => Some("IsDefault"),
        "cidr" | "cidr-block-association.cidr-block" => Some("CidrBlock"),
        "state" => Some("State"),
        "owner-id" => Some("OwnerId"),
        "dhcp-options-id" => Some("DhcpOptionsId"),
        _ => None,
    };
    let vpcs: Vec<Value> = if passes(&view, &filters(input), field)? { vec![view] } else { vec![] };
    Ok(Reply::new(json!({ "Vpcs": vpcs })))
}

fn describe_subnets(ctx: &RequestContext, input: &Value) -> Result<Reply, ApiError> {
    let vpc = DefaultVpc::of(ctx.account(), &ctx.region);
    let ids = string_list(input, "SubnetIds");
    if let Some(unknown) = ids.iter().find(|id| vpc.subnet(id).is_none()) {
        return Err(not_found("InvalidSubnetID.NotFound", "subnet ID", unknown));
    }
    let field = |name: &str| match name {
        "subnet-id" => Some("SubnetId"),
        "vpc-id" => Some("VpcId"),
        "availability-zone" => Some("AvailabilityZone"),
        "availability-zone-id" => Some("AvailabilityZoneId"),
        "default-for-az" | "defaultForAz" => Some("DefaultForAz"),
        "cidr-block" | "cidr" | "cidrBlock" => Some("CidrBlock"),
        "state" => Some("State"),
        "owner-id" => Some("OwnerId"),
        "subnet-arn" => Some("SubnetArn"),
        "map-public-ip-on-launch" => Some("MapPublicIpOnLaunch"),
        _ => None,
    };
    let filters = filters(input);
    let mut subnets = Vec::new();
    for subnet in vpc.subnets() {
        let view = vpc.subnet_view(&subnet);
        if (ids.is_empty() || ids.contains(&subnet.subnet_id)) && passes(&view, &filters, field)? {
            subnets.push(view);
        }
    }
    Ok(Reply::new(json!({ "Subnets": subnets })))
}

fn describe_availability_zones(ctx: &RequestContext, input: &Value) -> Result<Reply, ApiError> {
    let names = string_list(input, "ZoneNames");
    let zone_ids = string_list(input, "ZoneIds");
    let zones = availability_zones(&ctx.region);
    if let Some(unknown) = names.iter().find(|n| !zones.iter().any(|z| &z.name == *n)) {
        return Err(ApiError::new("InvalidParameterValue", 400, format!("The availability zone '{unknown}' is not valid")));
    }
    let field = |name: &str| match name {
        "zone-name" => Some("ZoneName"),
        "zone-id" => Some("ZoneId"),
        "region-name" => Some("RegionName"),
        "state" => Some("State"),
        "zone-type" => Some("ZoneType"),
        "group-name" => Some("GroupName"),
        "opt-in-status" => Some("OptInStatus"),
        _ => None,
    };
    let filters = filters(input);
    let mut views = Vec::new();
    for zone in zones {
        let view = json!({
            "ZoneName": zone.name,
            "ZoneId": zone.id,
            "RegionName": ctx.region,
            "State": "available",
            "OptInStatus": "opt-in-not-required",
            "Messages": [],
            "GroupName": ctx.region,
            "NetworkBorderGroup": ctx.region,
            "ZoneType": "availability-zone",
        });
        let named = (names.is_empty() || names.contains(&zone.name)) && (zone_ids.is_empty() || zone_ids.contains(&zone.id));
        if named && passes(&view, &filters, field)? {
            views.push(view);
        }
    }
    Ok(Reply::new(json!({ "AvailabilityZones": views })))
}

fn describe_security_groups(ctx: &RequestContext, input: &Value) -> Result<Reply, ApiError> {
    let vpc = DefaultVpc::of(ctx.account(), &ctx.region);
    let group_id = vpc.security_group_id();
    if let Some(unknown) = string_list(input, "GroupIds").iter().find(|id| **id != group_id) {
        return Err(ApiError::new("InvalidGroup.NotFound", 400, format!("The security group '{unknown}' does not exist")));
    }
    if let Some(unknown) = string_list(input, "GroupNames").iter().find(|n| *n != "default") {
        return Err(ApiError::new(
            "InvalidGroup.NotFound",
            400,
            format!("The security group '{unknown}' does not exist in default VPC '{}'", vpc.vpc_id),
        ));
    }
    let field = |name: &str| match name {
        "group-id" => Some("GroupId"),
        "group-name" => Some("GroupName"),
        "vpc-id" => Some("VpcId"),
        "owner-id" => Some("OwnerId"),
        "description" => Some("Description"),
        _ => None,
    };
    let view = vpc.security_group_view();
    let groups: Vec<Value> = if passes(&view, &filters(input), field)? { vec![view] } else { vec![] };
    Ok(Reply::new(json!({ "SecurityGroups": groups })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_values_take_wildcards() {
        assert!(glob_matches(b"us-east-1*", b"us-east-1a"));
        assert!(glob_matches(b"172.31.?.0/20", b"172.31.0.0/20"));
        assert!(!glob_matches(b"us-west-*", b"us-east-1a"));
    }
}
