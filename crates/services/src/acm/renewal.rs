//! Private certificates: issued by ACM PCA for a key ACM generates (RequestCertificate with a
//! CertificateAuthorityArn), renewed on demand by RenewCertificate and by the managed-renewal job.

use base64::Engine;
use gateway::{Reply, RequestContext};
use serde::Deserialize;
use serde_json::{json, Value};
use store::{Sealer, Txn};
use wire::ApiError;
use x509::{KeyAlgorithm, PrivateKey, Subject};

use super::certificate_record::{self, CertificateStatus, CertificateType, RenewalRecord, StoredCertificate};
use super::{error, issuing, store_error, Acm, SERVICE_PRINCIPAL};
use crate::input::from_input;

const PRIVATE_VALIDITY_DAYS: i64 = issuing::PUBLIC_VALIDITY_DAYS;

/// A fresh key for `cert` and a CSR for its names.
fn key_and_csr(cert: &StoredCertificate) -> Result<(PrivateKey, String), ApiError> {
    let algorithm: KeyAlgorithm = cert.key_algorithm.parse().map_err(|e: x509::X509Error| ApiError::internal(e.to_string()))?;
    let key = PrivateKey::generate(algorithm).map_err(|e| ApiError::internal(e.to_string()))?;
    let csr = x509::certificate_signing_request(
        &Subject::common_name(&cert.domain_name),
        &cert.subject_alternative_names,
        &key,
        algorithm.default_signing_algorithm(),
    )
    .map_err(|e| ApiError::internal(e.to_string()))?;
    Ok((key, csr))
}

/// ACM's failure reason for an error ACM PCA answered.
pub fn failure_reason(pca_error: &ApiError) -> &'static str {
    match pca_error.code.as_ref() {
        "ResourceNotFoundException" => "PCA_RESOURCE_NOT_FOUND",
        "InvalidStateException" => "PCA_INVALID_STATE",
        "InvalidArnException" => "PCA_INVALID_ARN",
        "InvalidArgsException" => "PCA_INVALID_ARGS",
        "LimitExceededException" => "PCA_LIMIT_EXCEEDED",
        "AccessDeniedException" => "PCA_ACCESS_DENIED",
        _ => "PCA_REQUEST_FAILED",
    }
}

/// Asks ACM PCA, through the pipeline with the caller's identity, for a certificate for
/// `cert`'s names. A refusal leaves the certificate `FAILED` with ACM's reason, as in AWS.
pub async fn issue_private_for(acm: &Acm, ctx: &RequestContext, cert: &mut StoredCertificate) -> Result<(), ApiError> {
    let ca_arn = cert.certificate_authority_arn.clone().unwrap_or_default();
    let (key, csr) = key_and_csr(cert)?;
    match request_from_pca(acm, ctx, &ca_arn, &csr).await {
        Ok((certificate, chain)) => {
            cert.certificate_pem = Some(certificate);
            cert.chain_pem = Some(chain);
            cert.seal_key(&acm.sealer, &key);
            cert.status = CertificateStatus::Issued;
            cert.issued_at = Some(ctx.time);
        }
        Err(e) => {
            tracing::info!(certificate = %cert.arn, error = %e.message, "ACM PCA refused a private certificate");
            cert.status = CertificateStatus::Failed;
            cert.failure_reason = Some(failure_reason(&e).to_owned());
        }
    }
    Ok(())
}

async fn request_from_pca(acm: &Acm, ctx: &RequestContext, ca_arn: &str, csr: &str) -> Result<(String, String), ApiError> {
    let call = |operation: &'static str, input: Value| acm.peers.call_for(ctx, SERVICE_PRINCIPAL, "acm-pca", operation, input);
    let ca = call("DescribeCertificateAuthority", json!({ "CertificateAuthorityArn": ca_arn })).await?;
    let signing = ca["CertificateAuthority"]["CertificateAuthorityConfiguration"]["SigningAlgorithm"].clone();
    let issued = call(
        "IssueCertificate",
        json!({
            "CertificateAuthorityArn": ca_arn,
            "Csr": base64::engine::general_purpose::STANDARD.encode(csr),
            "SigningAlgorithm": signing,
            "Validity": { "Value": PRIVATE_VALIDITY_DAYS, "Type": "DAYS" },
        }),
    )
    .await?;
    let certificate_arn = issued["CertificateArn"].clone();
    let got = call("GetCertificate", json!({ "CertificateAuthorityArn": ca_arn, "CertificateArn": certificate_arn })).await?;
    let text = |field: &str| got[field].as_str().unwrap_or_default().to_owned();
    Ok((text("Certificate"), text("CertificateChain")))
}

/// Reissues a private certificate for the managed-renewal job, which has no caller to act for:
/// ACM PCA issues it to ACM's own service principal, if the CA permits it.
pub async fn reissue_private(tx: &mut Txn, sealer: &Sealer, cert: &mut StoredCertificate, now: f64) -> Result<(), ApiError> {
    let ca_arn = cert.certificate_authority_arn.clone().unwrap_or_default();
    let (key, csr) = key_and_csr(cert)?;
    let (certificate, chain) =
        crate::acm_pca::issue_for_acm(tx, sealer, &cert.account, &ca_arn, csr.as_bytes(), PRIVATE_VALIDITY_DAYS, now).await?;
    cert.certificate_pem = Some(certificate);
    cert.chain_pem = Some(chain);
    cert.seal_key(sealer, &key);
    cert.issued_at = Some(now);
    Ok(())
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RenewCertificateRequest {
    certificate_arn: String,
}

/// Renews a private certificate now (ACM renews public ones only by managed renewal).
pub async fn renew_certificate(acm: &Acm, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: RenewCertificateRequest = from_input(input)?;
    let mut tx = acm.store.begin().await.map_err(store_error)?;
    let mut cert = certificate_record::find(&mut tx, ctx, &request.certificate_arn).await?;
    drop(tx);
    if cert.kind != CertificateType::Private {
        return Err(error(
            "ValidationException",
            format!("Certificate {} is not a private certificate: only private certificates can be renewed on demand.", cert.arn),
        ));
    }
    if cert.status != CertificateStatus::Issued {
        return Err(error(
            "RequestInProgressException",
            format!("Certificate {} is in status {}: only issued certificates renew.", cert.arn, cert.status.as_str()),
        ));
    }
    issue_private_for(acm, ctx, &mut cert).await?;
    let renewed = cert.status == CertificateStatus::Issued;
    cert.renewal = Some(RenewalRecord {
        status: if renewed { "SUCCESS" } else { "FAILED" }.to_owned(),
        reason: (!renewed).then(|| cert.failure_reason.clone().unwrap_or_default()),
        updated_at: ctx.time,
    });
    if !renewed {
        // A refused renewal keeps the certificate it had.
        cert.status = CertificateStatus::Issued;
        cert.failure_reason = None;
    }
    let mut tx = acm.store.begin().await.map_err(store_error)?;
    certificate_record::save(&mut tx, &cert).await?;
    tx.commit().await.map_err(store_error)?;
    issuing::schedule_renewal(&acm.store, &cert).await?;
    Ok(Reply::new(json!({})).resource("AWS::ACM::Certificate", cert.arn))
}
