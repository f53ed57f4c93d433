//! RevokeCertificate and the CA's certificate revocation list, published (when the CA's CRL is
//! enabled) for the admin endpoint `/_palisade/crl/<ca-id>.crl` to serve.

use base64::Engine;
use gateway::{Reply, RequestContext};
use serde::Deserialize;
use serde_json::{json, Value};
use store::{Sealer, Txn};
use wire::ApiError;
use x509::Revocation;

use super::authority_record::{self, normalize_serial, serial_bytes, RevokedCertificate, StoredAuthority};
use super::{error, store_error, AcmPca};
use crate::input::from_input;

/// The published CRLs, one document per CA id: `{"der": <base64 DER>}`.
pub const CRLS: &str = "acm-pca.crl";
const DEFAULT_CRL_EXPIRATION_DAYS: i64 = 7;
const DAY_SECONDS: i64 = 86_400;

/// Signs the CA's next CRL and publishes it.
pub async fn publish_crl(tx: &mut Txn, sealer: &Sealer, ca: &mut StoredAuthority, now: f64) -> Result<(), ApiError> {
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
    tx.put(CRLS, &ca.id, &document).await.map_err(store_error)
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
    if ca.crl_enabled() {
        publish_crl(&mut tx, &pca.sealer, &mut ca, ctx.time).await?;
    }
    authority_record::save(&mut tx, &ca).await?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({})).resource("AWS::ACMPCA::CertificateAuthority", ca.arn))
}
