//! A certificate as the store keeps it: what was asked for, its state, the PEM ACM hands out,
//! and its private key sealed under the root key.

use std::collections::BTreeMap;

use base64::Engine;
use gateway::RequestContext;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use store::{Sealer, Txn};
use wire::ApiError;

use super::{error, store_error};

pub const CERTIFICATES: &str = "acm.certificate";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CertificateType {
    AmazonIssued,
    Imported,
    Private,
}

impl CertificateType {
    pub fn as_str(self) -> &'static str {
        match self {
            CertificateType::AmazonIssued => "AMAZON_ISSUED",
            CertificateType::Imported => "IMPORTED",
            CertificateType::Private => "PRIVATE",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CertificateStatus {
    PendingValidation,
    Issued,
    Expired,
    Revoked,
    Failed,
}

impl CertificateStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CertificateStatus::PendingValidation => "PENDING_VALIDATION",
            CertificateStatus::Issued => "ISSUED",
            CertificateStatus::Expired => "EXPIRED",
            CertificateStatus::Revoked => "REVOKED",
            CertificateStatus::Failed => "FAILED",
        }
    }
}

/// How ownership of one name is proven.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DomainValidationRecord {
    pub domain_name: String,
    pub validation_domain: String,
    /// `DNS` or `EMAIL`.
    pub method: String,
}

/// The last managed renewal, as RenewalSummary reports it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RenewalRecord {
    /// `PENDING_AUTO_RENEWAL`, `SUCCESS` or `FAILED`.
    pub status: String,
    pub reason: Option<String>,
    pub updated_at: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredCertificate {
    pub account: String,
    pub region: String,
    pub id: String,
    pub arn: String,
    pub domain_name: String,
    /// Includes the domain name first, as AWS lists them.
    pub subject_alternative_names: Vec<String>,
    pub kind: CertificateType,
    pub status: CertificateStatus,
    pub key_algorithm: String,
    pub validations: Vec<DomainValidationRecord>,
    /// `ENABLED` or `DISABLED`.
    pub transparency_logging: String,
    /// `ENABLED` or `DISABLED`: whether ExportCertificate may hand out the key.
    pub export_option: String,
    pub certificate_authority_arn: Option<String>,
    pub idempotency_token: Option<String>,
    pub created_at: f64,
    pub issued_at: Option<f64>,
    pub imported_at: Option<f64>,
    pub revoked_at: Option<f64>,
    pub revocation_reason: Option<String>,
    pub failure_reason: Option<String>,
    /// The leaf and its chain (leaf's issuer first), once there is a certificate.
    pub certificate_pem: Option<String>,
    pub chain_pem: Option<String>,
    /// The leaf's PKCS#8 key, sealed with the certificate ARN as context.
    pub sealed_key: Option<String>,
    pub in_use_by: Vec<String>,
    pub exported: bool,
    pub renewal: Option<RenewalRecord>,
    pub tags: BTreeMap<String, String>,
}

impl StoredCertificate {
    pub fn seal_key(&mut self, sealer: &Sealer, key: &x509::PrivateKey) {
        let sealed = sealer.seal(&self.arn, key.pkcs8_der());
        self.sealed_key = Some(base64::engine::general_purpose::STANDARD.encode(sealed));
    }

    pub fn private_key(&self, sealer: &Sealer) -> Result<x509::PrivateKey, ApiError> {
        let sealed = self
            .sealed_key
            .as_deref()
            .ok_or_else(|| ApiError::internal(format!("{} has no private key", self.arn)))?;
        let sealed = base64::engine::general_purpose::STANDARD
            .decode(sealed)
            .map_err(|e| ApiError::internal(format!("the sealed key of {} is not base64: {e}", self.arn)))?;
        let der = sealer.unseal(&self.arn, &sealed).map_err(|e| ApiError::internal(e.to_string()))?;
        x509::PrivateKey::from_pkcs8_der(&der).map_err(|e| ApiError::internal(format!("the key of {}: {e}", self.arn)))
    }

    /// What the leaf certificate says, when there is one.
    pub fn summary(&self) -> Option<x509::CertificateSummary> {
        let pem = self.certificate_pem.as_deref()?;
        let der = x509::certificates_from_pem(pem).ok()?.into_iter().next()?;
        x509::inspect(&der).ok()
    }

    /// AWS renews only certificates it issued (public or private) that are in use or exported.
    pub fn renewal_eligible(&self) -> bool {
        self.kind != CertificateType::Imported && (!self.in_use_by.is_empty() || self.exported)
    }
}

/// A certificate with what its leaf says, read once for describing, filtering and listing.
pub struct CertificateView {
    pub cert: StoredCertificate,
    pub summary: Option<x509::CertificateSummary>,
    /// The status as of the request: an issued certificate past its NotAfter has expired.
    pub status: CertificateStatus,
}

impl CertificateView {
    pub fn new(cert: StoredCertificate, now: f64) -> CertificateView {
        let summary = cert.summary();
        let expired = cert.status == CertificateStatus::Issued && summary.as_ref().is_some_and(|s| s.not_after as f64 <= now);
        let status = if expired { CertificateStatus::Expired } else { cert.status };
        CertificateView { cert, summary, status }
    }

    /// The status of the last managed renewal, if there was one.
    pub fn renewal_status(&self) -> Option<&str> {
        self.cert.renewal.as_ref().map(|r| r.status.as_str())
    }

    /// How the certificate's names were validated (public certificates only).
    pub fn validation_method(&self) -> Option<&str> {
        self.cert.validations.first().map(|v| v.method.as_str())
    }
}

pub fn certificate_arn(region: &str, account: &str, id: &str) -> String {
    format!("arn:aws:acm:{region}:{account}:certificate/{id}")
}

fn record_key(account: &str, region: &str, id: &str) -> String {
    format!("{account}/{region}/{id}")
}

pub fn account_prefix(account: &str, region: &str) -> String {
    format!("{account}/{region}/")
}

/// The account, region and id an ACM certificate ARN names.
pub fn parse_arn(arn: &str) -> Option<(String, String, String)> {
    let rest = arn.strip_prefix("arn:aws:acm:")?;
    let mut parts = rest.splitn(3, ':');
    let region = parts.next()?;
    let account = parts.next()?;
    let id = parts.next()?.strip_prefix("certificate/")?;
    if region.is_empty() || account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) || id.is_empty() {
        return None;
    }
    Some((account.to_owned(), region.to_owned(), id.to_owned()))
}

pub async fn load(tx: &mut Txn, account: &str, region: &str, id: &str) -> Result<Option<StoredCertificate>, ApiError> {
    let Some(value) = tx.get(CERTIFICATES, &record_key(account, region, id)).await.map_err(store_error)? else {
        return Ok(None);
    };
    serde_json::from_value(value).map(Some).map_err(|e| ApiError::internal(format!("stored certificate {id}: {e}")))
}

pub async fn save(tx: &mut Txn, cert: &StoredCertificate) -> Result<(), ApiError> {
    let value = serde_json::to_value(cert).map_err(|e| ApiError::internal(e.to_string()))?;
    tx.put(CERTIFICATES, &record_key(&cert.account, &cert.region, &cert.id), &value).await.map_err(store_error)
}

pub async fn delete(tx: &mut Txn, cert: &StoredCertificate) -> Result<(), ApiError> {
    tx.delete(CERTIFICATES, &record_key(&cert.account, &cert.region, &cert.id)).await.map_err(store_error)?;
    Ok(())
}

/// Every certificate of the account in the region.
pub async fn list(tx: &mut Txn, account: &str, region: &str) -> Result<Vec<StoredCertificate>, ApiError> {
    let rows = tx.scan(CERTIFICATES, &account_prefix(account, region), None, usize::MAX).await.map_err(store_error)?;
    rows.into_iter()
        .map(|(key, value): (String, Value)| {
            serde_json::from_value(value).map_err(|e| ApiError::internal(format!("stored certificate {key}: {e}")))
        })
        .collect()
}

/// The certificate an input's ARN names, in the caller's account and region.
pub async fn find(tx: &mut Txn, ctx: &RequestContext, arn: &str) -> Result<StoredCertificate, ApiError> {
    let (account, region, id) = parse_arn(arn)
        .ok_or_else(|| error("InvalidArnException", format!("The ARN {arn} is not a valid certificate ARN.")))?;
    let not_found = || error("ResourceNotFoundException", format!("Could not find certificate {arn}."));
    if account != ctx.account() || region != ctx.region {
        return Err(not_found());
    }
    load(tx, &account, &region, &id).await?.ok_or_else(not_found)
}
