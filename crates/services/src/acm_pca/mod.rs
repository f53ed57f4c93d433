//! AWS Private CA (ACM PCA): root and subordinate CAs with RSA or EC keys sealed at rest, their
//! CSRs and imported certificates, certificates issued from CSRs by AWS's templates,
//! revocation with a signed CRL (served at `/_palisade/crl/<ca-id>.crl`), deletion with a
//! restoration window, and tags.

mod access;
mod authorities;
mod authority_record;
mod issuance;
mod revocation;
mod tags;

pub use access::resource_policy;
pub use issuance::issue_for_acm;
pub use revocation::{run_refresh_job, REFRESH_CRL_JOB};

use std::sync::Arc;

use gateway::{RequestContext, Service, ServiceFuture};
use serde_json::Value;
use store::{Sealer, Store};
use wire::ApiError;

pub struct AcmPca {
    store: Store,
    sealer: Arc<Sealer>,
}

impl AcmPca {
    pub fn new(store: Store, sealer: Arc<Sealer>) -> Self {
        AcmPca { store, sealer }
    }
}

impl Service for AcmPca {
    fn id(&self) -> &'static str {
        "acm-pca"
    }

    fn call<'a>(&'a self, ctx: &'a RequestContext, input: Value) -> Option<ServiceFuture<'a>> {
        Some(match ctx.operation {
            "CreateCertificateAuthority" => Box::pin(authorities::create_certificate_authority(self, ctx, input)),
            "DescribeCertificateAuthority" => Box::pin(authorities::describe_certificate_authority(self, ctx, input)),
            "ListCertificateAuthorities" => Box::pin(authorities::list_certificate_authorities(self, ctx, input)),
            "UpdateCertificateAuthority" => Box::pin(authorities::update_certificate_authority(self, ctx, input)),
            "DeleteCertificateAuthority" => Box::pin(authorities::delete_certificate_authority(self, ctx, input)),
            "RestoreCertificateAuthority" => Box::pin(authorities::restore_certificate_authority(self, ctx, input)),
            "GetCertificateAuthorityCsr" => Box::pin(authorities::get_certificate_authority_csr(self, ctx, input)),
            "ImportCertificateAuthorityCertificate" => {
                Box::pin(authorities::import_certificate_authority_certificate(self, ctx, input))
            }
            "GetCertificateAuthorityCertificate" => {
                Box::pin(authorities::get_certificate_authority_certificate(self, ctx, input))
            }
            "IssueCertificate" => Box::pin(issuance::issue_certificate(self, ctx, input)),
            "GetCertificate" => Box::pin(issuance::get_certificate(self, ctx, input)),
            "RevokeCertificate" => Box::pin(revocation::revoke_certificate(self, ctx, input)),
            "TagCertificateAuthority" => Box::pin(tags::tag_certificate_authority(self, ctx, input)),
            "UntagCertificateAuthority" => Box::pin(tags::untag_certificate_authority(self, ctx, input)),
            "ListTags" => Box::pin(tags::list_tags(self, ctx, input)),
            "PutPolicy" => Box::pin(access::put_policy(self, ctx, input)),
            "GetPolicy" => Box::pin(access::get_policy(self, ctx, input)),
            "DeletePolicy" => Box::pin(access::delete_policy(self, ctx, input)),
            "CreatePermission" => Box::pin(access::create_permission(self, ctx, input)),
            "ListPermissions" => Box::pin(access::list_permissions(self, ctx, input)),
            "DeletePermission" => Box::pin(access::delete_permission(self, ctx, input)),
            _ => return None,
        })
    }

    fn resources(&self, _ctx: &RequestContext, input: &Value) -> Vec<String> {
        let named = input.get("CertificateAuthorityArn").or_else(|| input.get("ResourceArn"));
        match named.and_then(Value::as_str) {
            Some(arn) => vec![arn.to_owned()],
            None => vec!["*".to_owned()],
        }
    }
}

/// ACM PCA's modeled error `shape` with `message`.
fn error(shape: &str, message: impl Into<String>) -> ApiError {
    crate::modeled_error("acm-pca", shape, message)
}

fn store_error(e: store::StoreError) -> ApiError {
    ApiError::internal(format!("ACM PCA could not reach its store: {e}"))
}
