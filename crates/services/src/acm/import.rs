//! ImportCertificate: a certificate made elsewhere, with its key (which must be the
//! certificate's) and chain (whose signatures must hold). Reimporting keeps the ARN.

use base64::Engine;
use gateway::{Reply, RequestContext};
use serde::Deserialize;
use serde_json::{json, Value};
use wire::ApiError;

use super::certificate_record::{self, CertificateStatus, CertificateType, StoredCertificate};
use super::tags::{tag_map, Tag};
use super::{error, store_error, Acm};
use crate::input::from_input;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ImportCertificateRequest {
    certificate_arn: Option<String>,
    certificate: String,
    private_key: String,
    certificate_chain: Option<String>,
    tags: Option<Vec<Tag>>,
}

fn invalid(message: impl Into<String>) -> ApiError {
    error("ValidationException", message)
}

/// A blob member as PEM text.
fn pem_text(member: &str, blob: &str) -> Result<String, ApiError> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(blob)
        .map_err(|_| invalid(format!("{member} is not base64-encoded.")))?;
    String::from_utf8(bytes).map_err(|_| invalid(format!("{member} must be PEM-encoded.")))
}

pub async fn import_certificate(acm: &Acm, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: ImportCertificateRequest = from_input(input)?;
    let certificate_pem = pem_text("Certificate", &request.certificate)?;
    let key_pem = pem_text("PrivateKey", &request.private_key)?;
    let chain_pem = request.certificate_chain.as_deref().map(|c| pem_text("CertificateChain", c)).transpose()?;

    let leaves = x509::certificates_from_pem(&certificate_pem).map_err(|e| invalid(format!("The certificate is not valid: {e}.")))?;
    let [leaf] = leaves.as_slice() else {
        return Err(invalid("The certificate field must contain exactly one certificate."));
    };
    let chain = match &chain_pem {
        Some(text) => x509::certificates_from_pem(text).map_err(|e| invalid(format!("The certificate chain is not valid: {e}.")))?,
        None => Vec::new(),
    };
    let summary = x509::inspect(leaf).map_err(|e| invalid(format!("The certificate is not valid: {e}.")))?;
    let key_algorithm = summary
        .key_algorithm
        .ok_or_else(|| invalid("The certificate's key type is not supported by ACM."))?;
    let key = x509::PrivateKey::from_pem(&key_pem).map_err(|e| invalid(format!("The private key is not supported: {e}.")))?;
    if !x509::key_matches(leaf, &key).map_err(|e| invalid(e.to_string()))? {
        return Err(invalid("The private key does not match the public key in the certificate."));
    }
    x509::verify_chain(leaf, &chain)
        .map_err(|e| invalid(format!("Could not validate the certificate with the certificate chain: {e}.")))?;
    let now = ctx.time.floor() as i64;
    if now < summary.not_before || now > summary.not_after {
        return Err(invalid("The certificate is not valid at this time: it has expired or is not valid yet."));
    }
    let names = if summary.alternative_names.is_empty() {
        summary.common_name.clone().into_iter().collect()
    } else {
        summary.alternative_names.clone()
    };
    let domain_name = summary.common_name.clone().or_else(|| names.first().cloned()).unwrap_or_default();
    let chain_text = chain.iter().map(|der| x509::der_to_pem(der)).collect::<String>();

    let mut tx = acm.store.begin().await.map_err(store_error)?;
    let mut cert = match &request.certificate_arn {
        Some(arn) => {
            if request.tags.is_some() {
                return Err(error("InvalidParameterException", "Tags cannot be applied when a certificate is reimported."));
            }
            let existing = certificate_record::find(&mut tx, ctx, arn).await?;
            if existing.kind != CertificateType::Imported {
                return Err(invalid(format!("Certificate {arn} was not imported: only imported certificates can be reimported.")));
            }
            existing
        }
        None => {
            let id = gateway::pipeline::new_request_id();
            StoredCertificate {
                account: ctx.account().to_owned(),
                region: ctx.region.clone(),
                arn: certificate_record::certificate_arn(&ctx.region, ctx.account(), &id),
                id,
                domain_name: String::new(),
                subject_alternative_names: Vec::new(),
                kind: CertificateType::Imported,
                status: CertificateStatus::Issued,
                key_algorithm: String::new(),
                validations: Vec::new(),
                transparency_logging: "DISABLED".to_owned(),
                export_option: "DISABLED".to_owned(),
                certificate_authority_arn: None,
                idempotency_token: None,
                created_at: ctx.time,
                issued_at: None,
                imported_at: None,
                revoked_at: None,
                revocation_reason: None,
                failure_reason: None,
                certificate_pem: None,
                chain_pem: None,
                sealed_key: None,
                in_use_by: Vec::new(),
                exported: false,
                renewal: None,
                tags: tag_map(request.tags.unwrap_or_default())?,
            }
        }
    };
    cert.domain_name = domain_name;
    cert.subject_alternative_names = names;
    cert.key_algorithm = key_algorithm.as_str().to_owned();
    cert.status = CertificateStatus::Issued;
    cert.imported_at = Some(ctx.time);
    cert.certificate_pem = Some(x509::der_to_pem(leaf));
    cert.chain_pem = (!chain_text.is_empty()).then_some(chain_text);
    cert.seal_key(&acm.sealer, &key);
    certificate_record::save(&mut tx, &cert).await?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({ "CertificateArn": cert.arn })).resource("AWS::ACM::Certificate", cert.arn))
}
