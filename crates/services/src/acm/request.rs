//! RequestCertificate: a public certificate validated by DNS or e-mail and issued by the
//! account's issuing CA once validation completes, or a private one issued at once by ACM PCA.

use std::collections::BTreeMap;

use gateway::{Reply, RequestContext};
use serde::Deserialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use wire::ApiError;

use super::certificate_record::{
    self, CertificateStatus, CertificateType, DomainValidationRecord, StoredCertificate,
};
use super::tags::{tag_map, Tag};
use super::{error, issuing, renewal, store_error, Acm};
use crate::input::from_input;

/// AWS's quota of names per certificate (the domain name and its subject alternative names).
const MAX_NAMES: usize = 100;
/// A repeated request with the same idempotency token within an hour returns the same certificate.
const IDEMPOTENCY_WINDOW_SECONDS: f64 = 3600.0;
const REQUESTABLE_KEY_ALGORITHMS: [&str; 3] = ["RSA_2048", "EC_prime256v1", "EC_secp384r1"];
const EMAIL_MAILBOXES: [&str; 5] = ["admin", "administrator", "hostmaster", "postmaster", "webmaster"];

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct CertificateOptions {
    pub certificate_transparency_logging_preference: Option<String>,
    pub export: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DomainValidationOption {
    domain_name: String,
    validation_domain: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RequestCertificateRequest {
    domain_name: String,
    validation_method: Option<String>,
    subject_alternative_names: Option<Vec<String>>,
    idempotency_token: Option<String>,
    domain_validation_options: Option<Vec<DomainValidationOption>>,
    options: Option<CertificateOptions>,
    certificate_authority_arn: Option<String>,
    tags: Option<Vec<Tag>>,
    key_algorithm: Option<String>,
}

/// A DNS name ACM can certify: labels of letters, digits and hyphens, a wildcard only as the
/// whole leftmost label, at least two labels.
fn check_domain(name: &str) -> Result<(), ApiError> {
    let invalid = |why: &str| error("InvalidParameterException", format!("Domain name {name} is not valid: {why}."));
    let bare = name.strip_prefix("*.").unwrap_or(name);
    if name.len() > 253 {
        return Err(invalid("it is longer than 253 characters"));
    }
    let labels: Vec<&str> = bare.split('.').collect();
    if labels.len() < 2 {
        return Err(invalid("it must have at least two labels"));
    }
    for label in labels {
        if label.is_empty() || label.len() > 63 {
            return Err(invalid("each label must be 1 to 63 characters"));
        }
        if !label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') || label.starts_with('-') || label.ends_with('-') {
            return Err(invalid("labels hold letters, digits and inner hyphens, and only the leftmost label may be *"));
        }
    }
    Ok(())
}

/// The name whose ownership proves `domain`: a wildcard is validated by its parent.
fn validated_name(domain: &str) -> &str {
    domain.strip_prefix("*.").unwrap_or(domain)
}

fn hex_digest(parts: &[&str]) -> String {
    let mut hash = Sha256::new();
    for part in parts {
        hash.update(part.as_bytes());
        hash.update([0]);
    }
    hash.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The CNAME record that proves control of `domain` for `account`: the same for every request
/// of the account for that name, as in AWS, so one record validates renewals and re-requests.
pub fn validation_record(account: &str, domain: &str) -> (String, String) {
    let name = validated_name(domain);
    let label = &hex_digest(&["acm-validation-name", account, name])[..32];
    let target = hex_digest(&["acm-validation-value", account, name]);
    (format!("_{label}.{name}."), format!("_{}.{}.acm-validations.aws.", &target[..32], &target[32..42]))
}

pub fn validation_emails(validation_domain: &str) -> Vec<String> {
    EMAIL_MAILBOXES.iter().map(|m| format!("{m}@{validation_domain}")).collect()
}

/// The names of the certificate: the domain name first, then the other names once each.
fn certificate_names(domain: &str, alternatives: &[String]) -> Result<Vec<String>, ApiError> {
    let mut names = vec![domain.to_ascii_lowercase()];
    for name in alternatives {
        let name = name.to_ascii_lowercase();
        check_domain(&name)?;
        if !names.contains(&name) {
            names.push(name);
        }
    }
    if names.len() > MAX_NAMES {
        return Err(error(
            "LimitExceededException",
            format!("A certificate can have at most {MAX_NAMES} domain names, including the domain name."),
        ));
    }
    Ok(names)
}

pub async fn request_certificate(acm: &Acm, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: RequestCertificateRequest = from_input(input)?;
    check_domain(&request.domain_name)?;
    let names = certificate_names(&request.domain_name, request.subject_alternative_names.as_deref().unwrap_or_default())?;
    let key_algorithm = request.key_algorithm.clone().unwrap_or_else(|| "RSA_2048".to_owned());
    if !REQUESTABLE_KEY_ALGORITHMS.contains(&key_algorithm.as_str()) {
        return Err(error(
            "InvalidParameterException",
            format!("KeyAlgorithm {key_algorithm} is not supported: use one of {}.", REQUESTABLE_KEY_ALGORITHMS.join(", ")),
        ));
    }
    let private = request.certificate_authority_arn.is_some();
    let method = request.validation_method.clone().unwrap_or_else(|| "EMAIL".to_owned());
    if !private && method == "HTTP" {
        return Err(error("InvalidParameterException", "HTTP validation is available only for CloudFront-managed certificates."));
    }
    let overrides: BTreeMap<String, String> = request
        .domain_validation_options
        .unwrap_or_default()
        .into_iter()
        .map(|o| (o.domain_name.to_ascii_lowercase(), o.validation_domain.to_ascii_lowercase()))
        .collect();
    for domain in overrides.keys() {
        if !names.contains(domain) {
            return Err(error(
                "InvalidDomainValidationOptionsException",
                format!("DomainValidationOptions name {domain} is not one of the certificate's domain names."),
            ));
        }
    }
    let tags = tag_map(request.tags.unwrap_or_default())?;
    let options = request.options.unwrap_or_default();

    let mut tx = acm.store.begin().await.map_err(store_error)?;
    if let Some(token) = &request.idempotency_token {
        let existing = certificate_record::list(&mut tx, ctx.account(), &ctx.region).await?.into_iter().find(|c| {
            c.idempotency_token.as_ref() == Some(token)
                && c.subject_alternative_names == names
                && ctx.time - c.created_at < IDEMPOTENCY_WINDOW_SECONDS
        });
        if let Some(existing) = existing {
            return Ok(Reply::new(json!({ "CertificateArn": existing.arn })).resource("AWS::ACM::Certificate", existing.arn));
        }
    }
    drop(tx);

    let id = gateway::pipeline::new_request_id();
    let validations = if private {
        Vec::new()
    } else {
        names
            .iter()
            .map(|name| DomainValidationRecord {
                domain_name: name.clone(),
                validation_domain: overrides.get(name).cloned().unwrap_or_else(|| validated_name(name).to_owned()),
                method: method.clone(),
            })
            .collect()
    };
    let mut cert = StoredCertificate {
        account: ctx.account().to_owned(),
        region: ctx.region.clone(),
        arn: certificate_record::certificate_arn(&ctx.region, ctx.account(), &id),
        id,
        domain_name: names[0].clone(),
        subject_alternative_names: names,
        kind: if private { CertificateType::Private } else { CertificateType::AmazonIssued },
        status: CertificateStatus::PendingValidation,
        key_algorithm,
        validations,
        transparency_logging: options.certificate_transparency_logging_preference.unwrap_or_else(|| "ENABLED".to_owned()),
        export_option: options.export.unwrap_or_else(|| if private { "ENABLED" } else { "DISABLED" }.to_owned()),
        certificate_authority_arn: request.certificate_authority_arn,
        idempotency_token: request.idempotency_token,
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
        tags,
    };
    if private {
        renewal::issue_private_for(acm, ctx, &mut cert).await?;
    }
    let mut tx = acm.store.begin().await.map_err(store_error)?;
    certificate_record::save(&mut tx, &cert).await?;
    tx.commit().await.map_err(store_error)?;
    if private {
        issuing::schedule_renewal(&acm.store, &cert).await?;
    } else {
        issuing::schedule_validation(&acm.store, &cert, ctx.time).await?;
    }
    Ok(Reply::new(json!({ "CertificateArn": cert.arn })).resource("AWS::ACM::Certificate", cert.arn))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_validation_record_is_the_same_for_a_wildcard_and_its_parent() {
        let (name, value) = validation_record("000000000000", "*.example.com");
        assert_eq!((name.clone(), value.clone()), validation_record("000000000000", "example.com"));
        assert!(name.starts_with('_') && name.ends_with(".example.com."));
        assert!(value.ends_with(".acm-validations.aws."));
        assert_ne!(name, validation_record("111111111111", "example.com").0);
    }

    #[test]
    fn wildcards_are_only_the_leftmost_label() {
        assert!(check_domain("*.example.com").is_ok());
        assert!(check_domain("a.*.example.com").is_err());
        assert!(check_domain("localhost").is_err());
        assert!(check_domain("-bad.example.com").is_err());
    }
}
