//! IssueCertificate and GetCertificate: certificates from CSRs by AWS's templates, and the
//! private certificates ACM asks for.

use base64::Engine;
use gateway::{Reply, RequestContext};
use serde::Deserialize;
use serde_json::{json, Value};
use store::{Sealer, Txn};
use wire::ApiError;
use x509::{CertificateProfile, SigningAlgorithm, Validity};

use super::authority_record::{self, normalize_serial, subject_of, IssuedCertificate, StoredAuthority};
use super::{error, store_error, AcmPca};
use crate::input::from_input;

const DAY_SECONDS: i64 = 86_400;
const DEFAULT_TEMPLATE: &str = "arn:aws:acm-pca:::template/EndEntityCertificate/V1";
/// Repeated IssueCertificate calls with one idempotency token within a minute get one certificate.
const IDEMPOTENCY_TOKENS: &str = "acm-pca.issue_token";
const IDEMPOTENCY_WINDOW_SECONDS: f64 = 60.0;

/// What a template makes: a certificate by a profile, or the root CA's own certificate.
enum Template {
    Profile(CertificateProfile),
    RootCa,
}

fn template(arn: &str) -> Result<Template, ApiError> {
    let unknown = || error("InvalidArgsException", format!("The template {arn} does not exist."));
    let name = arn.strip_prefix("arn:aws:acm-pca:::template/").and_then(|t| t.strip_suffix("/V1")).ok_or_else(unknown)?;
    // The passthrough variants copy extra extensions from the request or the CSR; the
    // certificate's usages still come from the template.
    let base = name.trim_end_matches("_APIPassthrough").trim_end_matches("_CSRPassthrough");
    Ok(match base {
        "EndEntityCertificate" | "BlankEndEntityCertificate" => Template::Profile(CertificateProfile::EndEntity),
        "EndEntityServerAuthCertificate" => Template::Profile(CertificateProfile::EndEntityServerAuth),
        "EndEntityClientAuthCertificate" => Template::Profile(CertificateProfile::EndEntityClientAuth),
        "CodeSigningCertificate" => Template::Profile(CertificateProfile::CodeSigning),
        "OCSPSigningCertificate" => Template::Profile(CertificateProfile::OcspSigning),
        "RootCACertificate" | "BlankRootCACertificate" => Template::RootCa,
        other => {
            let path_len = other
                .strip_prefix("SubordinateCACertificate_PathLen")
                .or_else(|| other.strip_prefix("BlankSubordinateCACertificate_PathLen"))
                .and_then(|n| n.parse::<u8>().ok())
                .filter(|n| *n <= 3)
                .ok_or_else(unknown)?;
            Template::Profile(CertificateProfile::SubordinateCa { path_len: Some(path_len) })
        }
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ValidityInput {
    value: i64,
    #[serde(rename = "Type")]
    kind: String,
}

/// `YYYYMMDDHHMMSS` as Unix seconds.
fn end_date(value: i64) -> Option<i64> {
    let digits = format!("{value:014}");
    if digits.len() != 14 {
        return None;
    }
    let iso = format!(
        "{}-{}-{}T{}:{}:{}Z",
        &digits[0..4],
        &digits[4..6],
        &digits[6..8],
        &digits[8..10],
        &digits[10..12],
        &digits[12..14]
    );
    wire::timestamp::parse_iso8601(&iso).map(|t| t as i64)
}

/// The end of a validity period starting at `start`.
fn validity_end(validity: &ValidityInput, start: i64) -> Result<i64, ApiError> {
    let invalid = || error("InvalidArgsException", format!("Validity {} {} is not valid.", validity.value, validity.kind));
    let end = match validity.kind.as_str() {
        "DAYS" => validity.value.checked_mul(DAY_SECONDS).and_then(|d| start.checked_add(d)),
        "MONTHS" => validity.value.checked_mul(30 * DAY_SECONDS).and_then(|d| start.checked_add(d)),
        "YEARS" => validity.value.checked_mul(365 * DAY_SECONDS).and_then(|d| start.checked_add(d)),
        "ABSOLUTE" => Some(validity.value),
        "END_DATE" => end_date(validity.value),
        _ => None,
    };
    end.filter(|end| *end > start).ok_or_else(invalid)
}

fn validity_start(not_before: Option<&ValidityInput>, now: i64) -> Result<i64, ApiError> {
    let Some(input) = not_before else { return Ok(now) };
    let start = match input.kind.as_str() {
        "ABSOLUTE" => Some(input.value),
        "END_DATE" => end_date(input.value),
        _ => None,
    };
    start.ok_or_else(|| error("InvalidArgsException", "ValidityNotBefore must be of type ABSOLUTE or END_DATE."))
}

fn certificate_arn(ca: &StoredAuthority, serial: &str) -> String {
    format!("{}/certificate/{serial}", ca.arn)
}

fn serial_hex(serial: &[u8]) -> String {
    serial.iter().map(|b| format!("{b:02x}")).collect()
}

/// Issues a certificate for `csr` from `ca` by `template`, and records it.
#[allow(clippy::too_many_arguments)]
async fn issue(
    tx: &mut Txn,
    sealer: &Sealer,
    ca: &StoredAuthority,
    csr: &[u8],
    template_arn: &str,
    signing: SigningAlgorithm,
    validity: Validity,
    now: f64,
) -> Result<IssuedCertificate, ApiError> {
    let template = template(template_arn)?;
    let csr = x509::read_csr(csr).map_err(|e| error("MalformedCSRException", format!("The CSR is not valid: {e}.")))?;
    let configured = ca.signing_algorithm()?;
    let key_algorithm = ca.key_algorithm();
    let algorithm_mismatch =
        || error("InvalidArgsException", format!("SigningAlgorithm {} cannot be used with a {key_algorithm} CA key.", signing.as_str()));
    let serial = x509::random_serial();
    let der = match template {
        Template::RootCa => {
            if ca.kind != "ROOT" {
                return Err(error("InvalidArgsException", "Only a ROOT certificate authority issues RootCACertificate/V1."));
            }
            let key = ca.private_key(sealer)?;
            if csr.public_key_raw() != key.public_key_raw().map_err(|e| ApiError::internal(e.to_string()))?.as_slice() {
                return Err(error("InvalidArgsException", "RootCACertificate/V1 certifies the certificate authority's own CSR."));
            }
            x509::self_signed_ca(&subject_of(&ca.configuration["Subject"]), &key, signing, validity, &serial)
                .map_err(|e| error("InvalidArgsException", e.to_string()))?
        }
        Template::Profile(profile) => {
            if ca.status != "ACTIVE" {
                return Err(error(
                    "InvalidStateException",
                    format!("The certificate authority {} is {}, not ACTIVE.", ca.arn, ca.status),
                ));
            }
            let signer = ca.signer(sealer)?;
            let signer = if signing == configured {
                signer
            } else {
                x509::CertificateAuthority::new(signer.certificate_der().to_vec(), ca.private_key(sealer)?, signing)
                    .map_err(|_| algorithm_mismatch())?
            };
            let ca_expiry = x509::inspect(signer.certificate_der()).map_err(|e| ApiError::internal(e.to_string()))?.not_after;
            if validity.not_after > ca_expiry {
                return Err(error(
                    "InvalidArgsException",
                    "The certificate's validity cannot extend past the certificate authority's own.",
                ));
            }
            let crl_urls: Vec<String> = ca.crl_distribution_url().into_iter().collect();
            signer
                .issue_for_csr(&csr, profile, validity, &serial, &crl_urls)
                .map_err(|e| error("MalformedCSRException", format!("The CSR cannot be certified: {e}.")))?
        }
    };
    let serial = serial_hex(&serial);
    let issued = IssuedCertificate {
        arn: certificate_arn(ca, &serial),
        serial,
        certificate_pem: x509::der_to_pem(&der),
        issued_at: now,
    };
    authority_record::save_issued(tx, ca, &issued).await?;
    Ok(issued)
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct IssueCertificateRequest {
    certificate_authority_arn: String,
    csr: String,
    signing_algorithm: String,
    template_arn: Option<String>,
    validity: ValidityInput,
    validity_not_before: Option<ValidityInput>,
    idempotency_token: Option<String>,
}

pub async fn issue_certificate(pca: &AcmPca, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: IssueCertificateRequest = from_input(input)?;
    let csr = base64::engine::general_purpose::STANDARD
        .decode(&request.csr)
        .map_err(|_| error("MalformedCSRException", "The CSR is not base64-encoded."))?;
    let signing: SigningAlgorithm =
        request.signing_algorithm.parse().map_err(|e: x509::X509Error| error("InvalidArgsException", e.to_string()))?;
    let now = ctx.time.floor() as i64;
    let start = validity_start(request.validity_not_before.as_ref(), now)?;
    let validity = Validity { not_before: start, not_after: validity_end(&request.validity, start)? };
    let template_arn = request.template_arn.as_deref().unwrap_or(DEFAULT_TEMPLATE);
    let mut tx = pca.store.begin().await.map_err(store_error)?;
    let ca = authority_record::find(&mut tx, ctx, &request.certificate_authority_arn).await?;
    let token_key = request.idempotency_token.as_ref().map(|token| format!("{}/{token}", ca.arn));
    if let Some(key) = &token_key {
        let earlier = tx.get(IDEMPOTENCY_TOKENS, key).await.map_err(store_error)?;
        if let Some(earlier) = earlier.filter(|e| ctx.time - e["at"].as_f64().unwrap_or(f64::MIN) < IDEMPOTENCY_WINDOW_SECONDS) {
            return Ok(Reply::new(json!({ "CertificateArn": earlier["arn"] })).resource("AWS::ACMPCA::CertificateAuthority", ca.arn));
        }
    }
    let issued = issue(&mut tx, &pca.sealer, &ca, &csr, template_arn, signing, validity, ctx.time).await?;
    if let Some(key) = &token_key {
        tx.put(IDEMPOTENCY_TOKENS, key, &json!({ "arn": issued.arn, "at": ctx.time })).await.map_err(store_error)?;
    }
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({ "CertificateArn": issued.arn })).resource("AWS::ACMPCA::CertificateAuthority", ca.arn))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GetCertificateRequest {
    certificate_authority_arn: String,
    certificate_arn: String,
}

pub async fn get_certificate(pca: &AcmPca, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: GetCertificateRequest = from_input(input)?;
    let mut tx = pca.store.begin().await.map_err(store_error)?;
    let ca = authority_record::find(&mut tx, ctx, &request.certificate_authority_arn).await?;
    let not_found = || error("ResourceNotFoundException", format!("Could not find certificate {}.", request.certificate_arn));
    let serial = request
        .certificate_arn
        .strip_prefix(&format!("{}/certificate/", ca.arn))
        .and_then(normalize_serial)
        .ok_or_else(not_found)?;
    let issued = authority_record::load_issued(&mut tx, &ca, &serial).await?.ok_or_else(not_found)?;
    let mut out = json!({ "Certificate": issued.certificate_pem });
    let chain = ca.issued_chain();
    if !chain.is_empty() {
        out["CertificateChain"] = json!(chain);
    }
    Ok(Reply::new(out).resource("AWS::ACMPCA::CertificateAuthority", ca.arn))
}

/// Issues an end-entity certificate for ACM from the CA `ca_arn`, `validity_days` long from
/// `now` (capped at the CA's own expiry), for the managed renewal of a private certificate of
/// `account`. ACM acts as its service principal, so the CA must have given it a permission
/// (CreatePermission), as in AWS. Returns the certificate and its chain, PEM.
pub async fn issue_for_acm(
    tx: &mut Txn,
    sealer: &Sealer,
    account: &str,
    ca_arn: &str,
    csr: &[u8],
    validity_days: i64,
    now: f64,
) -> Result<(String, String), ApiError> {
    let ca = authority_record::find_by_arn(tx, ca_arn).await?;
    if !super::access::acm_may_issue(&ca, account) {
        return Err(error(
            "AccessDeniedException",
            format!("{} has no permission to issue and get certificates from {ca_arn}.", super::access::ACM_PRINCIPAL),
        ));
    }
    let signing = ca.signing_algorithm()?;
    let start = now.floor() as i64;
    let ca_expiry = ca
        .certificate_pem
        .as_deref()
        .and_then(|pem| x509::inspect(x509::certificates_from_pem(pem).ok()?.first()?).ok())
        .map_or(i64::MAX, |summary| summary.not_after);
    let validity = Validity { not_before: start, not_after: (start + validity_days * DAY_SECONDS).min(ca_expiry) };
    let issued = issue(tx, sealer, &ca, csr, DEFAULT_TEMPLATE, signing, validity, now).await?;
    Ok((issued.certificate_pem, ca.issued_chain()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_name_their_profiles() {
        assert!(matches!(template(DEFAULT_TEMPLATE), Ok(Template::Profile(CertificateProfile::EndEntity))));
        assert!(matches!(
            template("arn:aws:acm-pca:::template/SubordinateCACertificate_PathLen1/V1"),
            Ok(Template::Profile(CertificateProfile::SubordinateCa { path_len: Some(1) }))
        ));
        assert!(matches!(template("arn:aws:acm-pca:::template/RootCACertificate/V1"), Ok(Template::RootCa)));
        assert!(template("arn:aws:acm-pca:::template/Nope/V1").is_err());
    }

    #[test]
    fn end_dates_are_utc_timestamps() {
        assert_eq!(end_date(20300101000000), Some(1_893_456_000));
        assert_eq!(end_date(20301301000000), None);
    }
}
