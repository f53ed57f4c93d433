//! ExportCertificate: a private certificate, or a public one requested exportable, with its key
//! encrypted under the caller's passphrase. An exported certificate becomes eligible for
//! managed renewal.

use base64::Engine;
use gateway::{Reply, RequestContext};
use serde::Deserialize;
use serde_json::{json, Value};
use wire::ApiError;

use super::certificate_record::{self, CertificateType};
use super::certificates::issued_pem;
use super::{error, issuing, store_error, Acm};
use crate::input::from_input;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ExportCertificateRequest {
    certificate_arn: String,
    passphrase: String,
}

pub async fn export_certificate(acm: &Acm, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: ExportCertificateRequest = from_input(input)?;
    let passphrase = base64::engine::general_purpose::STANDARD
        .decode(&request.passphrase)
        .map_err(|_| error("ValidationException", "Passphrase is not base64-encoded."))?;
    let mut tx = acm.store.begin().await.map_err(store_error)?;
    let mut cert = certificate_record::find(&mut tx, ctx, &request.certificate_arn).await?;
    let exportable = match cert.kind {
        CertificateType::Private => true,
        CertificateType::AmazonIssued => cert.export_option == "ENABLED",
        CertificateType::Imported => false,
    };
    if !exportable {
        return Err(error(
            "ValidationException",
            format!("Certificate ARN: {} is not a private certificate and was not requested exportable.", cert.arn),
        ));
    }
    let (certificate, chain) = issued_pem(&cert)?;
    let key = cert.private_key(&acm.sealer)?;
    let first_export = !cert.exported;
    cert.exported = true;
    if first_export {
        certificate_record::save(&mut tx, &cert).await?;
        tx.commit().await.map_err(store_error)?;
        issuing::schedule_renewal(&acm.store, &cert).await?;
    }
    Ok(Reply::new(json!({
        "Certificate": certificate,
        "CertificateChain": chain,
        "PrivateKey": key.to_encrypted_pem(&passphrase),
    }))
    .resource("AWS::ACM::Certificate", cert.arn))
}
