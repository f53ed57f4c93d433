//! The AWS services, one module each. A service is a thin adapter: it validates what the model
//! cannot, changes state in the store and calls engines; the gateway's pipeline does the rest.

pub mod acm;
pub mod acm_pca;
pub mod cloudtrail;
pub mod cloudwatch;
pub mod credentials;
pub mod ec2;
pub mod elbv2;
pub mod iam;
pub mod organizations;
pub mod secretsmanager;
mod input;
pub mod jobs;
pub mod kms;
pub mod lambda;
pub mod logs;
pub mod ssm;
pub mod sts;
mod tags;
pub mod wafv2;

use std::sync::Arc;

use gateway::{Peers, Service};
use store::{Sealer, Store};

/// A service's modeled error, with the code and HTTP status its vendored model gives.
fn modeled_error(service: &str, shape: &str, message: impl Into<String>) -> wire::ApiError {
    let model = wire::service_by_id(service).expect("every served service has a vendored model").model();
    wire::ApiError::modeled(model, shape, message)
}

/// Every service Palisade implements. Services that call other services (Secrets Manager
/// decrypting with KMS) do so through `peers`, the pipeline's handle for internal calls.
pub fn all(store: &Store, sealer: &Arc<Sealer>, peers: &Peers, functions: &lambda::FunctionSettings) -> Vec<Arc<dyn Service>> {
    vec![
        Arc::new(sts::Sts::new(store.clone(), sealer.clone())),
        Arc::new(cloudtrail::CloudTrail::new(store.clone())),
        Arc::new(iam::Iam::new(store.clone(), sealer.clone())),
        Arc::new(kms::Kms::new(store.clone(), sealer.clone())),
        Arc::new(organizations::Organizations::new(store.clone())),
        Arc::new(acm::Acm::new(store.clone(), sealer.clone(), peers.clone())),
        Arc::new(acm_pca::AcmPca::new(store.clone(), sealer.clone())),
        Arc::new(ec2::Ec2),
        Arc::new(cloudwatch::CloudWatch::new(store.clone())),
        Arc::new(logs::Logs::new(store.clone())),
        Arc::new(lambda::Lambda::new(store.clone(), peers.clone(), functions)),
        Arc::new(ssm::Ssm::new(store.clone(), sealer.clone(), peers.clone())),
        Arc::new(secretsmanager::SecretsManager::new(store.clone(), sealer.clone(), peers.clone())),
    ]
}

/// The services that configure the data plane's listeners and the web ACLs in their path.
pub fn load_balancing(
    store: &Store,
    sealer: &Arc<Sealer>,
    dataplane: &Arc<dataplane::DataPlane>,
    protection: &Arc<wafv2::Protection>,
) -> Vec<Arc<dyn Service>> {
    vec![
        Arc::new(elbv2::Elbv2::new(store.clone(), sealer.clone(), dataplane.clone())),
        Arc::new(wafv2::Wafv2::new(store.clone(), protection.clone())),
    ]
}

/// Binds the stored listeners again and puts their web ACLs back in their path (at start-up);
/// answers how many listeners are served.
pub async fn restore_load_balancing(
    store: &Store,
    sealer: &Sealer,
    dataplane: &dataplane::DataPlane,
    protection: &wafv2::Protection,
) -> Result<usize, String> {
    let listeners = elbv2::restore_listeners(store, sealer, dataplane).await?;
    protection.restore().await.map_err(|e| e.to_string())?;
    Ok(listeners)
}
