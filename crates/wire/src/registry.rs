//! The services Palisade vendors a model for, with the routing facts build.rs extracted, and
//! their models, parsed on first use.

use std::sync::OnceLock;

use crate::{model::ServiceModel, protocol::Protocol};

pub struct ServiceInfo {
    /// botocore's service name (`kms`, `elbv2`, `accessanalyzer`).
    pub id: &'static str,
    /// The SigV4 credential scope service (`kms`, `elasticloadbalancing`, `access-analyzer`).
    pub signing_name: &'static str,
    pub endpoint_prefix: &'static str,
    /// The `X-Amz-Target` prefix of awsJson services.
    pub target_prefix: Option<&'static str>,
    pub api_version: &'static str,
    /// Every protocol the model offers, preferred first.
    pub protocols: &'static [Protocol],
    /// The host name CloudTrail records as `eventSource` (`kms.amazonaws.com`).
    pub event_source: &'static str,
    /// awsQueryCompatible: JSON errors also carry the query error code (`x-amzn-query-error`).
    pub query_compatible: bool,
    model_json: &'static [u8],
}

include!(concat!(env!("OUT_DIR"), "/registry.rs"));

static MODELS: [OnceLock<ServiceModel>; SERVICES.len()] = [const { OnceLock::new() }; SERVICES.len()];

impl ServiceInfo {
    /// The parsed model, loaded on the first request to this service.
    pub fn model(&'static self) -> &'static ServiceModel {
        let index = SERVICES.iter().position(|s| std::ptr::eq(s, self)).expect("registered service");
        MODELS[index].get_or_init(|| {
            ServiceModel::parse(self.model_json).unwrap_or_else(|e| panic!("vendored model {} is invalid: {e}", self.id))
        })
    }

    pub fn speaks(&self, protocol: Protocol) -> bool {
        self.protocols.contains(&protocol)
    }
}

pub fn service_by_id(id: &str) -> Option<&'static ServiceInfo> {
    SERVICES.iter().find(|s| s.id == id)
}

pub fn service_by_signing_name(name: &str) -> Option<&'static ServiceInfo> {
    SERVICES.iter().find(|s| s.signing_name == name || s.endpoint_prefix == name)
}

pub fn service_by_target_prefix(prefix: &str) -> Option<&'static ServiceInfo> {
    SERVICES.iter().find(|s| s.target_prefix == Some(prefix))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_vendored_model_parses() {
        for service in SERVICES {
            let model = service.model();
            assert!(!model.operations.is_empty(), "{} has operations", service.id);
        }
    }

    #[test]
    fn json_services_are_found_by_target_prefix() {
        assert_eq!(service_by_target_prefix("TrentService").unwrap().id, "kms");
        assert_eq!(service_by_signing_name("elasticloadbalancing").unwrap().id, "elbv2");
    }
}
