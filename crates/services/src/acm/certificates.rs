//! DescribeCertificate, GetCertificate, DeleteCertificate, ResendValidationEmail,
//! UpdateCertificateOptions, RevokeCertificate.

use gateway::{Reply, RequestContext};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use wire::ApiError;

use super::certificate_record::{self, CertificateStatus, CertificateType, CertificateView, StoredCertificate};
use super::request::{validation_emails, validation_record, CertificateOptions};
use super::{error, issuing, store_error, Acm};
use crate::input::from_input;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CertificateArnRequest {
    certificate_arn: String,
}

fn domain_validation(cert: &StoredCertificate, for_renewal: bool) -> Vec<Value> {
    cert.validations
        .iter()
        .map(|v| {
            let status = if cert.status == CertificateStatus::PendingValidation && !for_renewal { "PENDING_VALIDATION" } else { "SUCCESS" };
            let mut out = json!({
                "DomainName": v.domain_name,
                "ValidationDomain": v.validation_domain,
                "ValidationStatus": status,
                "ValidationMethod": v.method,
            });
            if v.method == "DNS" {
                let (name, value) = validation_record(&cert.account, &v.domain_name);
                out["ResourceRecord"] = json!({ "Name": name, "Type": "CNAME", "Value": value });
            } else {
                out["ValidationEmails"] = json!(validation_emails(&v.validation_domain));
            }
            out
        })
        .collect()
}

/// DescribeCertificate's `Certificate`: every field AWS gives for the certificate's state.
fn certificate_detail(view: &CertificateView) -> Value {
    let cert = &view.cert;
    let mut out = Map::new();
    out.insert("CertificateArn".into(), json!(cert.arn));
    out.insert("DomainName".into(), json!(cert.domain_name));
    out.insert("SubjectAlternativeNames".into(), json!(cert.subject_alternative_names));
    if cert.kind == CertificateType::AmazonIssued {
        out.insert("DomainValidationOptions".into(), json!(domain_validation(cert, false)));
    }
    out.insert("CreatedAt".into(), json!(cert.created_at));
    if let Some(at) = cert.issued_at {
        out.insert("IssuedAt".into(), json!(at));
    }
    if let Some(at) = cert.imported_at {
        out.insert("ImportedAt".into(), json!(at));
    }
    out.insert("Status".into(), json!(view.status.as_str()));
    if let Some(at) = cert.revoked_at {
        out.insert("RevokedAt".into(), json!(at));
        out.insert("RevocationReason".into(), json!(cert.revocation_reason));
    }
    // AWS's DescribeCertificate spells key algorithms with a hyphen (RSA-2048), unlike its enum.
    out.insert("KeyAlgorithm".into(), json!(cert.key_algorithm.replacen('_', "-", 1)));
    if let Some(summary) = &view.summary {
        out.insert("Serial".into(), json!(summary.serial));
        out.insert("Subject".into(), json!(summary.subject));
        out.insert("Issuer".into(), json!(summary.issuer));
        out.insert("NotBefore".into(), json!(summary.not_before));
        out.insert("NotAfter".into(), json!(summary.not_after));
        out.insert("SignatureAlgorithm".into(), json!(summary.signature_algorithm));
        let usages: Vec<Value> = summary.key_usages.iter().map(|u| json!({ "Name": u.as_str() })).collect();
        out.insert("KeyUsages".into(), json!(usages));
        let extended: Vec<Value> =
            summary.extended_key_usages.iter().map(|u| json!({ "Name": u.name, "OID": u.oid })).collect();
        out.insert("ExtendedKeyUsages".into(), json!(extended));
    }
    out.insert("InUseBy".into(), json!(cert.in_use_by));
    if let Some(reason) = &cert.failure_reason {
        out.insert("FailureReason".into(), json!(reason));
    }
    out.insert("Type".into(), json!(cert.kind.as_str()));
    if let Some(renewal) = &cert.renewal {
        let mut summary = json!({
            "RenewalStatus": renewal.status,
            "DomainValidationOptions": domain_validation(cert, true),
            "UpdatedAt": renewal.updated_at,
        });
        if let Some(reason) = &renewal.reason {
            summary["RenewalStatusReason"] = json!(reason);
        }
        out.insert("RenewalSummary".into(), summary);
    }
    if let Some(ca) = &cert.certificate_authority_arn {
        out.insert("CertificateAuthorityArn".into(), json!(ca));
    }
    out.insert("RenewalEligibility".into(), json!(renewal_eligibility(cert)));
    out.insert(
        "Options".into(),
        json!({
            "CertificateTransparencyLoggingPreference": cert.transparency_logging,
            "Export": cert.export_option,
        }),
    );
    Value::Object(out)
}

pub fn renewal_eligibility(cert: &StoredCertificate) -> &'static str {
    if cert.renewal_eligible() {
        "ELIGIBLE"
    } else {
        "INELIGIBLE"
    }
}

pub async fn describe_certificate(acm: &Acm, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: CertificateArnRequest = from_input(input)?;
    let mut tx = acm.store.begin().await.map_err(store_error)?;
    let view = CertificateView::new(certificate_record::find(&mut tx, ctx, &request.certificate_arn).await?, ctx.time);
    Ok(Reply::new(json!({ "Certificate": certificate_detail(&view) })).resource("AWS::ACM::Certificate", view.cert.arn))
}

/// The certificate's PEM and chain, refusing while it is not issued yet.
pub fn issued_pem(cert: &StoredCertificate) -> Result<(String, String), ApiError> {
    match (&cert.certificate_pem, cert.status) {
        (Some(pem), _) if cert.status != CertificateStatus::PendingValidation => {
            Ok((pem.clone(), cert.chain_pem.clone().unwrap_or_default()))
        }
        _ => Err(error(
            "RequestInProgressException",
            format!("Certificate {} is in status {}: it is not issued yet.", cert.arn, cert.status.as_str()),
        )),
    }
}

pub async fn get_certificate(acm: &Acm, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: CertificateArnRequest = from_input(input)?;
    let mut tx = acm.store.begin().await.map_err(store_error)?;
    let cert = certificate_record::find(&mut tx, ctx, &request.certificate_arn).await?;
    let (certificate, chain) = issued_pem(&cert)?;
    let mut out = json!({ "Certificate": certificate });
    if !chain.is_empty() {
        out["CertificateChain"] = json!(chain);
    }
    Ok(Reply::new(out).resource("AWS::ACM::Certificate", cert.arn))
}

pub async fn delete_certificate(acm: &Acm, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: CertificateArnRequest = from_input(input)?;
    let mut tx = acm.store.begin().await.map_err(store_error)?;
    let cert = certificate_record::find(&mut tx, ctx, &request.certificate_arn).await?;
    if !cert.in_use_by.is_empty() {
        return Err(error(
            "ResourceInUseException",
            format!("Certificate {} is in use by {}.", cert.arn, cert.in_use_by.join(", ")),
        ));
    }
    certificate_record::delete(&mut tx, &cert).await?;
    tx.commit().await.map_err(store_error)?;
    for job in [issuing::VALIDATE_JOB, issuing::RENEW_JOB] {
        acm.store.cancel_job(&format!("{job}:{}", cert.arn)).await.map_err(store_error)?;
    }
    Ok(Reply::new(json!({})).resource("AWS::ACM::Certificate", cert.arn))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ResendValidationEmailRequest {
    certificate_arn: String,
    domain: String,
    validation_domain: String,
}

/// Resending is accepted while e-mail validation of the domain is pending; Palisade sends no
/// mail, and validation completes on its schedule either way.
pub async fn resend_validation_email(acm: &Acm, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: ResendValidationEmailRequest = from_input(input)?;
    let mut tx = acm.store.begin().await.map_err(store_error)?;
    let cert = certificate_record::find(&mut tx, ctx, &request.certificate_arn).await?;
    if cert.status != CertificateStatus::PendingValidation {
        return Err(error(
            "InvalidStateException",
            format!("Certificate {} is in status {}, not PENDING_VALIDATION.", cert.arn, cert.status.as_str()),
        ));
    }
    let validation = cert
        .validations
        .iter()
        .find(|v| v.domain_name == request.domain.to_ascii_lowercase() && v.method == "EMAIL")
        .ok_or_else(|| {
            error(
                "InvalidDomainValidationOptionsException",
                format!("{} is not a name of certificate {} validated by e-mail.", request.domain, cert.arn),
            )
        })?;
    if validation.validation_domain != request.validation_domain.to_ascii_lowercase() {
        return Err(error(
            "InvalidDomainValidationOptionsException",
            format!("The validation domain of {} is {}.", request.domain, validation.validation_domain),
        ));
    }
    Ok(Reply::new(json!({})).resource("AWS::ACM::Certificate", cert.arn))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UpdateCertificateOptionsRequest {
    certificate_arn: String,
    options: CertificateOptions,
}

/// The transparency-logging preference may change; whether a certificate is exportable is
/// fixed when it is requested.
pub async fn update_certificate_options(acm: &Acm, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: UpdateCertificateOptionsRequest = from_input(input)?;
    let mut tx = acm.store.begin().await.map_err(store_error)?;
    let mut cert = certificate_record::find(&mut tx, ctx, &request.certificate_arn).await?;
    if cert.kind == CertificateType::Imported {
        return Err(error("InvalidStateException", format!("Certificate {} is imported: it has no options to update.", cert.arn)));
    }
    if request.options.export.as_ref().is_some_and(|e| *e != cert.export_option) {
        return Err(error("InvalidStateException", format!("The export option of certificate {} cannot be changed.", cert.arn)));
    }
    if let Some(preference) = request.options.certificate_transparency_logging_preference {
        cert.transparency_logging = preference;
    }
    certificate_record::save(&mut tx, &cert).await?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({})).resource("AWS::ACM::Certificate", cert.arn))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RevokeCertificateRequest {
    certificate_arn: String,
    revocation_reason: String,
}

/// Revokes an exportable public certificate (the only kind ACM revokes itself).
pub async fn revoke_certificate(acm: &Acm, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: RevokeCertificateRequest = from_input(input)?;
    let mut tx = acm.store.begin().await.map_err(store_error)?;
    let mut cert = certificate_record::find(&mut tx, ctx, &request.certificate_arn).await?;
    if !cert.in_use_by.is_empty() {
        return Err(error("ResourceInUseException", format!("Certificate {} is in use by {}.", cert.arn, cert.in_use_by.join(", "))));
    }
    if cert.kind != CertificateType::AmazonIssued || cert.export_option != "ENABLED" {
        return Err(error(
            "ConflictException",
            format!("Certificate {} cannot be revoked by ACM: only exportable public certificates can.", cert.arn),
        ));
    }
    if cert.status != CertificateStatus::Issued {
        return Err(error("ConflictException", format!("Certificate {} is in status {}.", cert.arn, cert.status.as_str())));
    }
    cert.status = CertificateStatus::Revoked;
    cert.revoked_at = Some(ctx.time);
    cert.revocation_reason = Some(request.revocation_reason);
    certificate_record::save(&mut tx, &cert).await?;
    tx.commit().await.map_err(store_error)?;
    acm.store.cancel_job(&format!("{}:{}", issuing::RENEW_JOB, cert.arn)).await.map_err(store_error)?;
    Ok(Reply::new(json!({ "CertificateArn": cert.arn })).resource("AWS::ACM::Certificate", cert.arn))
}
