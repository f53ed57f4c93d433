//! CreateLoadBalancer, DescribeLoadBalancers, DeleteLoadBalancer, DescribeLoadBalancerAttributes.

use std::collections::BTreeSet;

use gateway::{Reply, RequestContext};
use serde_json::{json, Value};
use store::Store;
use wire::ApiError;

use super::{
    error,
    records::{self, arn_prefix, new_resource_id, ListenerRecord, LoadBalancerRecord},
    store_error, tags, validation_error, Plane,
};
use crate::{ec2::default_vpc::DefaultVpc, input::required};

/// The Route 53 hosted zone of application load balancers' DNS names, per region.
fn canonical_hosted_zone_id(region: &str) -> &'static str {
    match region {
        "us-east-1" => "Z35SXDOTRQ7X7K",
        "us-east-2" => "Z3AADJGX6KTTL2",
        "us-west-1" => "Z368ELLRRE2KJ0",
        "us-west-2" => "Z1H1FL5HABSF5",
        "eu-west-1" => "Z32O12XQLNTSW2",
        "eu-central-1" => "Z215JYRZR1TBD5",
        _ => "Z35SXDOTRQ7X7K",
    }
}

impl LoadBalancerRecord {
    pub fn view(&self, region: &str) -> Value {
        json!({
            "LoadBalancerArn": self.arn,
            "DNSName": self.dns_name,
            "CanonicalHostedZoneId": canonical_hosted_zone_id(region),
            "CreatedTime": self.created_time,
            "LoadBalancerName": self.name,
            "Scheme": self.scheme,
            "VpcId": self.vpc_id,
            "State": { "Code": "active" },
            "Type": "application",
            "AvailabilityZones": self.zones.iter().map(|(zone, subnet)| json!({
                "ZoneName": zone, "SubnetId": subnet, "LoadBalancerAddresses": [],
            })).collect::<Vec<_>>(),
            "SecurityGroups": self.security_groups,
            "IpAddressType": self.ip_address_type,
        })
    }
}

/// A name of at most 32 letters, digits and hyphens, not starting or ending with a hyphen and
/// not starting with `internal-`.
fn check_name(name: &str) -> Result<(), ApiError> {
    if name.len() > 32 {
        return Err(validation_error(format!("The load balancer name '{name}' cannot be longer than '32' characters")));
    }
    if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') || name.is_empty() {
        return Err(validation_error(format!("The load balancer name '{name}' must contain only alphanumeric characters or hyphens")));
    }
    if name.starts_with('-') || name.ends_with('-') {
        return Err(validation_error(format!("Load balancer name '{name}' cannot begin or end with '-' character")));
    }
    if name.starts_with("internal-") {
        return Err(validation_error(format!("Load balancer name '{name}' cannot begin with 'internal-'")));
    }
    Ok(())
}

fn strings(input: &Value, member: &str) -> Vec<String> {
    input.get(member).and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).map(str::to_owned).collect()
}

pub async fn create_load_balancer(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let name = required(&input, "Name")?.to_owned();
    check_name(&name)?;
    match input.get("Type").and_then(Value::as_str) {
        None | Some("application") => {}
        Some(other) => {
            return Err(error("InvalidConfigurationRequestException", format!("Palisade serves application load balancers, not '{other}'")))
        }
    }
    let mut subnet_ids = strings(&input, "Subnets");
    subnet_ids.extend(
        input.get("SubnetMappings").and_then(Value::as_array).into_iter().flatten().filter_map(|m| m.get("SubnetId")?.as_str()).map(str::to_owned),
    );
    let vpc = DefaultVpc::of(ctx.account(), &ctx.region);
    let mut zones = Vec::new();
    for subnet_id in &subnet_ids {
        let subnet = vpc
            .subnet(subnet_id)
            .ok_or_else(|| error("SubnetNotFoundException", format!("The subnet ID '{subnet_id}' is not valid")))?;
        if zones.iter().any(|(zone, _): &(String, String)| *zone == subnet.zone.name) {
            return Err(error("InvalidConfigurationRequestException", "You cannot specify multiple subnets in the same Availability Zone"));
        }
        zones.push((subnet.zone.name, subnet.subnet_id));
    }
    if zones.len() < 2 {
        return Err(validation_error("At least two subnets in two different Availability Zones must be specified"));
    }
    let security_groups = match strings(&input, "SecurityGroups") {
        groups if groups.is_empty() => vec![vpc.security_group_id()],
        groups => {
            if let Some(unknown) = groups.iter().find(|g| **g != vpc.security_group_id()) {
                return Err(error("InvalidSecurityGroupException", format!("One or more security groups are invalid: '{unknown}'")));
            }
            groups
        }
    };
    let tags = tags::tag_map(input.get("Tags"))?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let existing: Vec<LoadBalancerRecord> = records::scan(&mut tx, &arn_prefix(ctx, "loadbalancer/")).await?;
    if let Some(same) = existing.iter().find(|lb| lb.name == name) {
        let same_subnets: BTreeSet<&String> = same.zones.iter().map(|(_, s)| s).collect();
        if same_subnets == zones.iter().map(|(_, s)| s).collect() {
            return Ok(Reply::new(json!({ "LoadBalancers": [same.view(&ctx.region)] })));
        }
        return Err(error("DuplicateLoadBalancerNameException", "A load balancer with the same name exists, but with different settings"));
    }
    let id = new_resource_id();
    let scheme = input.get("Scheme").and_then(Value::as_str).unwrap_or("internet-facing").to_owned();
    let dns_prefix = if scheme == "internal" { "internal-" } else { "" };
    let dns_number = u64::from_str_radix(&id[..8], 16).unwrap_or(0) % 10_000_000_000;
    let record = LoadBalancerRecord {
        arn: arn_prefix(ctx, &format!("loadbalancer/app/{name}/{id}")),
        dns_name: format!("{dns_prefix}{name}-{dns_number}.{}.elb.amazonaws.com", ctx.region),
        name,
        scheme,
        vpc_id: vpc.vpc_id.clone(),
        zones,
        security_groups,
        ip_address_type: input.get("IpAddressType").and_then(Value::as_str).unwrap_or("ipv4").to_owned(),
        created_time: ctx.time,
        attributes: Default::default(),
        tags,
    };
    records::save(&mut tx, &record.arn, &record).await?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({ "LoadBalancers": [record.view(&ctx.region)] })).resource("AWS::ElasticLoadBalancingV2::LoadBalancer", record.arn))
}

pub async fn describe_load_balancers(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let arns = strings(&input, "LoadBalancerArns");
    let names = strings(&input, "Names");
    let mut tx = store.begin().await.map_err(store_error)?;
    let all: Vec<LoadBalancerRecord> = records::scan(&mut tx, &arn_prefix(ctx, "loadbalancer/")).await?;
    let chosen: Vec<&LoadBalancerRecord> =
        all.iter().filter(|lb| (arns.is_empty() || arns.contains(&lb.arn)) && (names.is_empty() || names.contains(&lb.name))).collect();
    let found_all_arns = arns.iter().all(|a| chosen.iter().any(|lb| lb.arn == *a));
    let found_all_names = names.iter().all(|n| chosen.iter().any(|lb| lb.name == *n));
    if !found_all_arns {
        return Err(error("LoadBalancerNotFoundException", "One or more load balancers not found"));
    }
    if !found_all_names {
        let missing: Vec<&String> = names.iter().filter(|n| !chosen.iter().any(|lb| lb.name == **n)).collect();
        return Err(error("LoadBalancerNotFoundException", format!("Load balancers '{missing:?}' not found")));
    }
    Ok(Reply::new(json!({ "LoadBalancers": chosen.iter().map(|lb| lb.view(&ctx.region)).collect::<Vec<_>>() })))
}

/// Deleting a load balancer closes its listeners' ports and takes its web ACL away, as AWS does.
pub async fn delete_load_balancer(plane: Plane<'_>, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let arn = required(&input, "LoadBalancerArn")?.to_owned();
    let mut tx = plane.store.begin().await.map_err(store_error)?;
    let record = if arn.starts_with(&arn_prefix(ctx, "loadbalancer/")) { records::load::<LoadBalancerRecord>(&mut tx, &arn).await? } else { None };
    // Deleting a load balancer that does not exist succeeds, as in AWS.
    let Some(record) = record else { return Ok(Reply::new(json!({}))) };
    if record.attributes.get("deletion_protection.enabled").is_some_and(|v| v == "true") {
        return Err(error("OperationNotPermittedException", format!("Load balancer '{arn}' cannot be deleted because deletion protection is enabled")));
    }
    let listeners: Vec<ListenerRecord> = records::scan(&mut tx, &super::listeners::listener_prefix(&arn)).await?;
    for listener in &listeners {
        records::remove(&mut tx, &listener.arn).await?;
    }
    records::remove(&mut tx, &arn).await?;
    crate::wafv2::forget_resource(&mut tx, ctx.account(), &ctx.region, &arn).await?;
    tx.commit().await.map_err(store_error)?;
    for listener in &listeners {
        plane.dataplane.close(&listener.arn);
        if let Some(certificate_arn) = &listener.certificate_arn {
            crate::acm::set_in_use(plane.store, certificate_arn, &arn, false).await?;
        }
    }
    plane.dataplane.set_filter(&arn, None);
    Ok(Reply::new(json!({})).resource("AWS::ElasticLoadBalancingV2::LoadBalancer", arn))
}
