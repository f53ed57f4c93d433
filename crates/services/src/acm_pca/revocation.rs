//! RevokeCertificate and the CA's certificate revocation list, published (when the CA's CRL is
//! enabled) for the admin endpoint `/_palisade/crl/<ca-id>.crl` to serve, and published again
//! by the job queue halfway through each CRL's validity so it never goes stale.

use base64::Engine;
use gateway::{Reply, RequestContext};
use serde::Deserialize;
use serde_json::{json, Value};
use store::{Sealer, Store, Txn};
use wire::ApiError;
use x509::Revocation;

use super::authority_record::{self, normalize_serial, serial_bytes, RevokedCertificate, StoredAuthority};
use super::{error, store_error, AcmPca};
use crate::input::from_input;

/// The published CRLs, one document per CA id: `{"der": <base64 DER>}`.
pub const CRLS: &str = "acm-pca.crl";
pub const REFRESH_CRL_JOB: &str = "acm-pca.refresh_crl";
const DEFAULT_CRL_EXPIRATION_DAYS: i64 = 7;
const DAY_SECONDS: i64 = 86_400;

/// Signs the CA's next CRL and publishes it; answers when to publish the one after it, for
/// [`schedule_refresh`] once the transaction has committed.
pub async fn publish_crl(tx: &mut Txn, sealer: &Sealer, ca: &mut StoredAuthority, now: f64) -> Result<f64, ApiError> {
    let signer = ca.signer(sealer)?;
    let expiration_days = ca
        .revocation_configuration
        .as_ref()
        .and_then(|r| r["CrlConfiguration"]["ExpirationInDays"].as_i64())
        .unwrap_or(DEFAULT_CRL_EXPIRATION_DAYS);
    let revoked: Vec<Revocation> = ca
        .revoked
        .iter()
        .map(|r| Revocation { serial: serial_bytes(&r.serial), revoked_at: r.revoked_at.floor() as i64, reason: r.reason.clone() })
        .collect();
    ca.crl_number += 1;
    let this_update = now.floor() as i64;
    let der = signer
        .revocation_list(&revoked, ca.crl_number, this_update, this_update + expiration_days * DAY_SECONDS)
        .map_err(|e| ApiError::internal(format!("signing the CRL of {}: {e}", ca.arn)))?;
    let document = json!({ "der": base64::engine::general_purpose::STANDARD.encode(der), "ca_arn": ca.arn });
    tx.put(CRLS, &ca.id, &document).await.map_err(store_error)?;
    Ok((this_update + expiration_days * DAY_SECONDS / 2) as f64)
}

/// Queues the CA's next CRL for `at`.
pub async fn schedule_refresh(store: &Store, ca: &StoredAuthority, at: f64) -> Result<(), ApiError> {
    let payload = json!({ "account": ca.account, "region": ca.region, "id": ca.id });
    let dedupe = format!("{REFRESH_CRL_JOB}:{}", ca.arn);
    store.enqueue_job(REFRESH_CRL_JOB, Some(&dedupe), payload, at).await.map_err(store_error)?;
    Ok(())
}

#[derive(Deserialize)]
struct RefreshJob {
    account: String,
    region: String,
    id: String,
}

/// Publishes a CA's next CRL, while its CRL is enabled and it still signs (active or disabled).
pub async fn run_refresh_job(store: &Store, sealer: &Sealer, now: f64, payload: &Value) -> Result<(), String> {
    let job: RefreshJob = serde_json::from_value(payload.clone()).map_err(|e| format!("bad CRL job: {e}"))?;
    let mut tx = store.begin().await.map_err(|e| e.to_string())?;
    let Some(mut ca) = authority_record::load(&mut tx, &job.account, &job.region, &job.id).await.map_err(|e| e.message)? else {
        return Ok(());
    };
    let signs = ca.status == "ACTIVE" || ca.status == "DISABLED";
    if !signs || !ca.crl_enabled() || ca.certificate_pem.is_none() {
        return Ok(());
    }
    let next = publish_crl(&mut tx, sealer, &mut ca, now).await.map_err(|e| e.message)?;
    authority_record::save(&mut tx, &ca).await.map_err(|e| e.message)?;
    tx.commit().await.map_err(|e| e.to_string())?;
    schedule_refresh(store, &ca, next).await.map_err(|e| e.message)
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RevokeCertificateRequest {
    certificate_authority_arn: String,
    certificate_serial: String,
    revocation_reason: String,
}

pub async fn revoke_certificate(pca: &AcmPca, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: RevokeCertificateRequest = from_input(input)?;
    let serial = normalize_serial(&request.certificate_serial).ok_or_else(|| {
        error("InvalidRequestException", format!("CertificateSerial {} is not a hexadecimal serial.", request.certificate_serial))
    })?;
    let mut tx = pca.store.begin().await.map_err(store_error)?;
    let mut ca = authority_record::find(&mut tx, ctx, &request.certificate_authority_arn).await?;
    if ca.status != "ACTIVE" && ca.status != "DISABLED" {
        return Err(error("InvalidStateException", format!("The certificate authority {} is {}.", ca.arn, ca.status)));
    }
    if authority_record::load_issued(&mut tx, &ca, &serial).await?.is_none() {
        return Err(error(
            "ResourceNotFoundException",
            format!("The certificate authority {} has issued no certificate with serial {}.", ca.arn, request.certificate_serial),
        ));
    }
    if ca.revoked.iter().any(|r| r.serial == serial) {
        return Err(error("RequestAlreadyProcessedException", format!("Certificate {} is already revoked.", request.certificate_serial)));
    }
    ca.revoked.push(RevokedCertificate { serial, revoked_at: ctx.time, reason: request.revocation_reason });
    let refresh = if ca.crl_enabled() { Some(publish_crl(&mut tx, &pca.sealer, &mut ca, ctx.time).await?) } else { None };
    authority_record::save(&mut tx, &ca).await?;
    tx.commit().await.map_err(store_error)?;
    if let Some(at) = refresh {
        schedule_refresh(&pca.store, &ca, at).await?;
    }
    Ok(Reply::new(json!({})).resource("AWS::ACMPCA::CertificateAuthority", ca.arn))
}
