//! AWS Certificate Manager: public certificates issued after DNS or e-mail validation by a
//! per-account issuing CA that chains to the installation root, private certificates issued by
//! ACM PCA, imported certificates (chain and key checked), export with a passphrase-encrypted
//! key, and managed renewal by the job queue. Private keys are sealed under the root key and
//! leave only through ExportCertificate (and, for load balancers, [`listener_certificate`]).

mod account_configuration;
mod certificate_record;
mod certificates;
mod export;
mod import;
mod issuing;
mod listing;
mod renewal;
mod request;
mod search;
mod tags;

pub use issuing::{run_renewal_job, run_validation_job, RENEW_JOB, VALIDATE_JOB};

use std::sync::Arc;

use gateway::tls::InstallationCa;
use gateway::{Peers, RequestContext, Service, ServiceFuture};
use serde_json::Value;
use store::{Sealer, Store};
use wire::ApiError;

/// The service principal ACM acts as when it asks ACM PCA for private certificates.
const SERVICE_PRINCIPAL: &str = "acm.amazonaws.com";

pub struct Acm {
    store: Store,
    sealer: Arc<Sealer>,
    peers: Peers,
}

impl Acm {
    pub fn new(store: Store, sealer: Arc<Sealer>, peers: Peers) -> Self {
        Acm { store, sealer, peers }
    }
}

/// The installation root CA, which the server created at start.
async fn load_root(store: &Store, sealer: &Sealer) -> Result<InstallationCa, ApiError> {
    InstallationCa::load_or_create(store, sealer)
        .await
        .map_err(|e| ApiError::internal(format!("ACM could not load the installation root CA: {e}")))
}

impl Service for Acm {
    fn id(&self) -> &'static str {
        "acm"
    }

    fn call<'a>(&'a self, ctx: &'a RequestContext, input: Value) -> Option<ServiceFuture<'a>> {
        Some(match ctx.operation {
            "RequestCertificate" => Box::pin(request::request_certificate(self, ctx, input)),
            "DescribeCertificate" => Box::pin(certificates::describe_certificate(self, ctx, input)),
            "GetCertificate" => Box::pin(certificates::get_certificate(self, ctx, input)),
            "DeleteCertificate" => Box::pin(certificates::delete_certificate(self, ctx, input)),
            "ResendValidationEmail" => Box::pin(certificates::resend_validation_email(self, ctx, input)),
            "UpdateCertificateOptions" => Box::pin(certificates::update_certificate_options(self, ctx, input)),
            "RevokeCertificate" => Box::pin(certificates::revoke_certificate(self, ctx, input)),
            "ListCertificates" => Box::pin(listing::list_certificates(self, ctx, input)),
            "SearchCertificates" => Box::pin(search::search_certificates(self, ctx, input)),
            "ImportCertificate" => Box::pin(import::import_certificate(self, ctx, input)),
            "ExportCertificate" => Box::pin(export::export_certificate(self, ctx, input)),
            "RenewCertificate" => Box::pin(renewal::renew_certificate(self, ctx, input)),
            "AddTagsToCertificate" => Box::pin(tags::add_tags_to_certificate(self, ctx, input)),
            "RemoveTagsFromCertificate" => Box::pin(tags::remove_tags_from_certificate(self, ctx, input)),
            "ListTagsForCertificate" => Box::pin(tags::list_tags_for_certificate(self, ctx, input)),
            "PutAccountConfiguration" => Box::pin(account_configuration::put_account_configuration(self, ctx, input)),
            "GetAccountConfiguration" => Box::pin(account_configuration::get_account_configuration(self, ctx)),
            _ => return None,
        })
    }

    fn resources(&self, _ctx: &RequestContext, input: &Value) -> Vec<String> {
        match input.get("CertificateArn").and_then(Value::as_str) {
            Some(arn) => vec![arn.to_owned()],
            None => vec!["*".to_owned()],
        }
    }
}

/// A certificate an HTTPS listener serves: the leaf, its chain and its private key, all PEM.
pub struct ListenerCertificate {
    pub certificate_pem: String,
    pub chain_pem: String,
    pub private_key_pem: String,
}

/// The issued certificate `certificate_arn` names, with its key, for an HTTPS listener to
/// serve; `CertificateNotFound`-style absence is `None` (missing, other account, not issued).
pub async fn listener_certificate(
    store: &Store,
    sealer: &Sealer,
    certificate_arn: &str,
) -> Result<Option<ListenerCertificate>, ApiError> {
    let Some((account, region, id)) = certificate_record::parse_arn(certificate_arn) else { return Ok(None) };
    let mut tx = store.begin().await.map_err(store_error)?;
    let Some(cert) = certificate_record::load(&mut tx, &account, &region, &id).await? else { return Ok(None) };
    drop(tx);
    let (Some(certificate_pem), certificate_record::CertificateStatus::Issued) = (cert.certificate_pem.clone(), cert.status)
    else {
        return Ok(None);
    };
    Ok(Some(ListenerCertificate {
        certificate_pem,
        chain_pem: cert.chain_pem.clone().unwrap_or_default(),
        private_key_pem: cert.private_key(sealer)?.to_pem(),
    }))
}

/// Records that `resource_arn` (a load balancer) uses the certificate, or no longer does:
/// DescribeCertificate lists it in `InUseBy`, DeleteCertificate refuses while it is there, and
/// an in-use certificate is eligible for managed renewal. Unknown certificates are ignored.
pub async fn set_in_use(store: &Store, certificate_arn: &str, resource_arn: &str, in_use: bool) -> Result<(), ApiError> {
    let Some((account, region, id)) = certificate_record::parse_arn(certificate_arn) else { return Ok(()) };
    let mut tx = store.begin().await.map_err(store_error)?;
    let Some(mut cert) = certificate_record::load(&mut tx, &account, &region, &id).await? else { return Ok(()) };
    cert.in_use_by.retain(|r| r != resource_arn);
    if in_use {
        cert.in_use_by.push(resource_arn.to_owned());
        cert.in_use_by.sort();
    }
    certificate_record::save(&mut tx, &cert).await?;
    tx.commit().await.map_err(store_error)
}

/// ACM's modeled error `shape` with `message`.
fn error(shape: &str, message: impl Into<String>) -> ApiError {
    crate::modeled_error("acm", shape, message)
}

fn store_error(e: store::StoreError) -> ApiError {
    ApiError::internal(format!("ACM could not reach its store: {e}"))
}
