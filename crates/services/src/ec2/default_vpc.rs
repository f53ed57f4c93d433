//! The default VPC every account has in every region: one VPC (172.31.0.0/16), one default subnet
//! per availability zone, its default security group. They are derived from the account and
//! region rather than stored, so they exist from the first look and never change.

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

const VPC_CIDR: &str = "172.31.0.0/16";
/// Addresses a /20 subnet offers: AWS keeps five of each subnet's 4096.
const SUBNET_ADDRESS_COUNT: u32 = 4091;

/// The default VPC of an account in a region.
pub struct DefaultVpc {
    pub account: String,
    pub region: String,
    pub vpc_id: String,
}

/// One default subnet.
pub struct DefaultSubnet {
    pub subnet_id: String,
    pub zone: AvailabilityZone,
    pub cidr_block: String,
}

#[derive(Clone)]
pub struct AvailabilityZone {
    pub name: String,
    pub id: String,
}

/// An id in EC2's form (`vpc-` and 17 hex digits), the same for the same account, region and
/// purpose every time.
fn derived_id(prefix: &str, account: &str, region: &str, purpose: &str) -> String {
    let digest = Sha256::digest(format!("{account}/{region}/{purpose}").as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("{prefix}-{}", &hex[..17])
}

/// A region's short form in availability zone ids: `us-east-1` is `use1`, `ap-southeast-2` is
/// `apse2`.
fn region_short_name(region: &str) -> String {
    let mut parts = region.split('-');
    let area = parts.next().unwrap_or_default();
    let rest: Vec<&str> = parts.collect();
    let (number, directions) = rest.split_last().map_or(("", &[][..]), |(n, d)| (*n, d));
    let direction: String = directions
        .iter()
        .map(|d| match *d {
            "northeast" => "ne",
            "northwest" => "nw",
            "southeast" => "se",
            "southwest" => "sw",
            "north" => "n",
            "south" => "s",
            "east" => "e",
            "west" => "w",
            "central" => "c",
            other => &other[..other.len().min(1)],
        })
        .collect();
    format!("{area}{direction}{number}")
}

/// The availability zones of a region: six in US East (N. Virginia), three elsewhere.
pub fn availability_zones(region: &str) -> Vec<AvailabilityZone> {
    let count = if region == "us-east-1" { 6 } else { 3 };
    let short = region_short_name(region);
    ('a'..='f')
        .take(count)
        .enumerate()
        .map(|(i, letter)| AvailabilityZone { name: format!("{region}{letter}"), id: format!("{short}-az{}", i + 1) })
        .collect()
}

impl DefaultVpc {
    pub fn of(account: &str, region: &str) -> DefaultVpc {
        DefaultVpc { account: account.into(), region: region.into(), vpc_id: derived_id("vpc", account, region, "default-vpc") }
    }

    pub fn subnets(&self) -> Vec<DefaultSubnet> {
        availability_zones(&self.region)
            .into_iter()
            .enumerate()
            .map(|(i, zone)| DefaultSubnet {
                subnet_id: derived_id("subnet", &self.account, &self.region, &zone.name),
                cidr_block: format!("172.31.{}.0/20", i * 16),
                zone,
            })
            .collect()
    }

    pub fn subnet(&self, subnet_id: &str) -> Option<DefaultSubnet> {
        self.subnets().into_iter().find(|s| s.subnet_id == subnet_id)
    }

    pub fn security_group_id(&self) -> String {
        derived_id("sg", &self.account, &self.region, "default-security-group")
    }

    pub fn vpc_view(&self) -> Value {
        json!({
            "VpcId": self.vpc_id,
            "OwnerId": self.account,
            "State": "available",
            "CidrBlock": VPC_CIDR,
            "CidrBlockAssociationSet": [{
                "AssociationId": derived_id("vpc-cidr-assoc", &self.account, &self.region, "default-vpc-cidr"),
                "CidrBlock": VPC_CIDR,
                "CidrBlockState": { "State": "associated" },
            }],
            "DhcpOptionsId": derived_id("dopt", &self.account, &self.region, "default-dhcp-options"),
            "InstanceTenancy": "default",
            "IsDefault": true,
        })
    }

    pub fn subnet_view(&self, subnet: &DefaultSubnet) -> Value {
        json!({
            "SubnetId": subnet.subnet_id,
            "SubnetArn": format!("arn:aws:ec2:{}:{}:subnet/{}", self.region, self.account, subnet.subnet_id),
            "VpcId": self.vpc_id,
            "OwnerId": self.account,
            "State": "available",
            "CidrBlock": subnet.cidr_block,
            "AvailabilityZone": subnet.zone.name,
            "AvailabilityZoneId": subnet.zone.id,
            "AvailableIpAddressCount": SUBNET_ADDRESS_COUNT,
            "DefaultForAz": true,
            "MapPublicIpOnLaunch": true,
            "AssignIpv6AddressOnCreation": false,
            "Ipv6CidrBlockAssociationSet": [],
            "Ipv6Native": false,
            "EnableDns64": false,
            "MapCustomerOwnedIpOnLaunch": false,
        })
    }

    pub fn security_group_view(&self) -> Value {
        let group_id = self.security_group_id();
        json!({
            "GroupId": group_id,
            "GroupName": "default",
            "Description": "default VPC security group",
            "VpcId": self.vpc_id,
            "OwnerId": self.account,
            "SecurityGroupArn": format!("arn:aws:ec2:{}:{}:security-group/{group_id}", self.region, self.account),
            "IpPermissions": [{
                "IpProtocol": "-1",
                "UserIdGroupPairs": [{ "GroupId": group_id, "UserId": self.account }],
                "IpRanges": [], "Ipv6Ranges": [], "PrefixListIds": [],
            }],
            "IpPermissionsEgress": [{
                "IpProtocol": "-1",
                "IpRanges": [{ "CidrIp": "0.0.0.0/0" }],
                "UserIdGroupPairs": [], "Ipv6Ranges": [], "PrefixListIds": [],
            }],
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zone_ids_use_the_region_short_name() {
        assert_eq!(region_short_name("us-east-1"), "use1");
        assert_eq!(region_short_name("ap-southeast-2"), "apse2");
        assert_eq!(region_short_name("eu-central-1"), "euc1");
        assert_eq!(availability_zones("us-east-1").len(), 6);
        assert_eq!(availability_zones("eu-west-1")[2].name, "eu-west-1c");
    }

    #[test]
    fn the_default_vpc_is_the_same_every_time_and_differs_per_account() {
        let vpc = DefaultVpc::of("123456789012", "us-east-1");
        assert_eq!(vpc.vpc_id, DefaultVpc::of("123456789012", "us-east-1").vpc_id);
        assert_ne!(vpc.vpc_id, DefaultVpc::of("210987654321", "us-east-1").vpc_id);
        assert_eq!(vpc.vpc_id.len(), "vpc-".len() + 17);
        let subnets = vpc.subnets();
        assert_eq!(subnets[1].cidr_block, "172.31.16.0/20");
        assert!(vpc.subnet(&subnets[0].subnet_id).is_some());
    }
}
