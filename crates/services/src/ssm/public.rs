//! Public parameters under `/aws/service/`: AWS publishes them in every region and every account
//! may read them. Palisade serves the latest-AMI aliases, with AMI ids that are the same for a
//! region and name on every installation.

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::names;

pub const PREFIX: &str = "/aws/service/";

/// When the catalog's values were published, as LastModifiedDate reports it (2025-01-01).
const PUBLISHED: f64 = 1_735_689_600.0;

const AMI_ALIASES: &[&str] = &[
    "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
    "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64",
    "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-6.1-x86_64",
    "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-6.1-arm64",
    "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-6.12-x86_64",
    "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-6.12-arm64",
    "/aws/service/ami-amazon-linux-latest/al2023-ami-minimal-kernel-default-x86_64",
    "/aws/service/ami-amazon-linux-latest/al2023-ami-minimal-kernel-default-arm64",
    "/aws/service/ami-amazon-linux-latest/amzn2-ami-hvm-x86_64-gp2",
    "/aws/service/ami-amazon-linux-latest/amzn2-ami-hvm-arm64-gp2",
    "/aws/service/ami-amazon-linux-latest/amzn2-ami-kernel-5.10-hvm-x86_64-gp2",
    "/aws/service/ami-amazon-linux-latest/amzn2-ami-kernel-5.10-hvm-arm64-gp2",
    "/aws/service/canonical/ubuntu/server/22.04/stable/current/amd64/hvm/ebs-gp2/ami-id",
    "/aws/service/canonical/ubuntu/server/22.04/stable/current/arm64/hvm/ebs-gp2/ami-id",
    "/aws/service/canonical/ubuntu/server/24.04/stable/current/amd64/hvm/ebs-gp3/ami-id",
    "/aws/service/canonical/ubuntu/server/24.04/stable/current/arm64/hvm/ebs-gp3/ami-id",
    "/aws/service/ami-windows-latest/Windows_Server-2019-English-Full-Base",
    "/aws/service/ami-windows-latest/Windows_Server-2022-English-Full-Base",
];

pub fn is_public(name: &str) -> bool {
    name.starts_with(PREFIX)
}

/// The AMI id a region's alias resolves to: 17 hex digits of a digest of the two.
fn ami_id(region: &str, name: &str) -> String {
    let digest = Sha256::digest(format!("{region}\n{name}").as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("ami-{}", &hex[..17])
}

/// GetParameter's view of a public parameter of `region`.
fn output(region: &str, name: &str) -> Value {
    json!({
        "Name": name,
        "Type": "String",
        "Value": ami_id(region, name),
        "Version": 1,
        "LastModifiedDate": PUBLISHED,
        "ARN": names::parameter_arn(region, "", name),
        "DataType": "text",
    })
}

/// The public parameter `name` of `region`, if AWS publishes one by that name.
pub fn find(region: &str, name: &str) -> Option<Value> {
    AMI_ALIASES.contains(&name).then(|| output(region, name))
}

/// The public parameters under `path`, in name order.
pub fn under(region: &str, path: &str, recursive: bool) -> Vec<Value> {
    let mut found: Vec<&str> = AMI_ALIASES.iter().copied().filter(|name| names::is_under(name, path, recursive)).collect();
    found.sort_unstable();
    found.into_iter().map(|name| output(region, name)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ami_aliases_resolve_to_the_same_id_for_a_region() {
        let name = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64";
        let east = find("us-east-1", name).unwrap();
        assert_eq!(east, find("us-east-1", name).unwrap());
        assert_ne!(east["Value"], find("eu-west-1", name).unwrap()["Value"]);
        let id = east["Value"].as_str().unwrap();
        assert!(id.starts_with("ami-") && id.len() == 21, "{id}");
        assert_eq!(east["ARN"], format!("arn:aws:ssm:us-east-1::parameter{name}"));
    }

    #[test]
    fn public_paths_list_their_aliases() {
        assert_eq!(under("us-east-1", "/aws/service/ami-amazon-linux-latest", false).len(), 12);
        assert_eq!(under("us-east-1", "/aws/service/canonical", false).len(), 0);
        assert_eq!(under("us-east-1", "/aws/service/canonical", true).len(), 4);
    }
}
