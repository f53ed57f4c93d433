//! ListCertificates: filters on status, key type (by default only RSA_1024 and RSA_2048, as in
//! AWS), key usage, extended key usage, export option; sorting by creation; pagination.

use base64::Engine;
use gateway::{Reply, RequestContext};
use serde::Deserialize;
use serde_json::{json, Value};
use wire::ApiError;

use super::certificate_record::{self, CertificateView};
use super::certificates::renewal_eligibility;
use super::{error, store_error, Acm};
use crate::input::from_input;

const DEFAULT_KEY_TYPES: [&str; 2] = ["RSA_1024", "RSA_2048"];
const DEFAULT_MAX_ITEMS: usize = 1000;
/// ListCertificates summarizes at most this many subject alternative names.
const SUMMARY_NAMES: usize = 100;

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Filters {
    extended_key_usage: Option<Vec<String>>,
    key_usage: Option<Vec<String>>,
    key_types: Option<Vec<String>>,
    export_option: Option<String>,
    managed_by: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListCertificatesRequest {
    certificate_statuses: Option<Vec<String>>,
    includes: Option<Filters>,
    next_token: Option<String>,
    max_items: Option<usize>,
    sort_by: Option<String>,
    sort_order: Option<String>,
}

/// Whether the certificate's usages satisfy a filter list: `ANY` matches every certificate,
/// `NONE` one without the extension, and named usages must all be present.
fn usages_match(wanted: &[String], present: &[&str]) -> bool {
    wanted.iter().all(|w| match w.as_str() {
        "ANY" => true,
        "NONE" => present.is_empty(),
        name => present.contains(&name),
    })
}

fn matches(view: &CertificateView, statuses: &[String], filters: &Filters) -> bool {
    let cert = &view.cert;
    if !statuses.is_empty() && !statuses.iter().any(|s| s == view.status.as_str()) {
        return false;
    }
    let key_types: Vec<&str> = match &filters.key_types {
        Some(types) => types.iter().map(String::as_str).collect(),
        None => DEFAULT_KEY_TYPES.to_vec(),
    };
    if !key_types.contains(&cert.key_algorithm.as_str()) {
        return false;
    }
    if filters.export_option.as_ref().is_some_and(|e| *e != cert.export_option) {
        return false;
    }
    if filters.managed_by.is_some() {
        return false;
    }
    let summary = view.summary.as_ref();
    if let Some(wanted) = &filters.key_usage {
        let present: Vec<&str> = summary.iter().flat_map(|s| s.key_usages.iter().map(|u| u.as_str())).collect();
        if !usages_match(wanted, &present) {
            return false;
        }
    }
    if let Some(wanted) = &filters.extended_key_usage {
        let present: Vec<&str> = summary.iter().flat_map(|s| s.extended_key_usages.iter().map(|u| u.name)).collect();
        if !usages_match(wanted, &present) {
            return false;
        }
    }
    true
}

fn certificate_summary(view: &CertificateView) -> Value {
    let cert = &view.cert;
    let names: Vec<&String> = cert.subject_alternative_names.iter().take(SUMMARY_NAMES).collect();
    let mut out = json!({
        "CertificateArn": cert.arn,
        "DomainName": cert.domain_name,
        "SubjectAlternativeNameSummaries": names,
        "HasAdditionalSubjectAlternativeNames": cert.subject_alternative_names.len() > SUMMARY_NAMES,
        "Status": view.status.as_str(),
        "Type": cert.kind.as_str(),
        "KeyAlgorithm": cert.key_algorithm,
        "ExportOption": cert.export_option,
        "InUse": !cert.in_use_by.is_empty(),
        "Exported": cert.exported,
        "RenewalEligibility": renewal_eligibility(cert),
        "CreatedAt": cert.created_at,
    });
    if let Some(summary) = &view.summary {
        out["KeyUsages"] = json!(summary.key_usages.iter().map(|u| u.as_str()).collect::<Vec<_>>());
        out["ExtendedKeyUsages"] = json!(summary.extended_key_usages.iter().map(|u| u.name).collect::<Vec<_>>());
        out["NotBefore"] = json!(summary.not_before);
        out["NotAfter"] = json!(summary.not_after);
    }
    for (field, at) in [("IssuedAt", cert.issued_at), ("ImportedAt", cert.imported_at), ("RevokedAt", cert.revoked_at)] {
        if let Some(at) = at {
            out[field] = json!(at);
        }
    }
    out
}

fn invalid_token() -> ApiError {
    error("InvalidArgsException", "The NextToken is not valid.")
}

pub async fn list_certificates(acm: &Acm, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: ListCertificatesRequest = from_input(input)?;
    if request.sort_by.is_some() != request.sort_order.is_some() {
        return Err(error("ValidationException", "SortBy and SortOrder must be given together."));
    }
    let descending = request.sort_order.as_deref() == Some("DESCENDING");
    let filters = request.includes.unwrap_or_default();
    let statuses = request.certificate_statuses.unwrap_or_default();
    let start = match &request.next_token {
        Some(token) => base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(token)
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .and_then(|text| text.strip_prefix("offset:").and_then(|n| n.parse::<usize>().ok()))
            .ok_or_else(invalid_token)?,
        None => 0,
    };
    let mut tx = acm.store.begin().await.map_err(store_error)?;
    let mut certs: Vec<CertificateView> = certificate_record::list(&mut tx, ctx.account(), &ctx.region)
        .await?
        .into_iter()
        .map(|cert| CertificateView::new(cert, ctx.time))
        .filter(|view| matches(view, &statuses, &filters))
        .collect();
    drop(tx);
    certs.sort_by(|a, b| a.cert.created_at.total_cmp(&b.cert.created_at).then_with(|| a.cert.arn.cmp(&b.cert.arn)));
    if descending {
        certs.reverse();
    }
    if start > certs.len() {
        return Err(invalid_token());
    }
    let limit = request.max_items.unwrap_or(DEFAULT_MAX_ITEMS);
    let end = (start + limit).min(certs.len());
    let page: Vec<Value> = certs[start..end].iter().map(certificate_summary).collect();
    let mut out = json!({ "CertificateSummaryList": page });
    if end < certs.len() {
        out["NextToken"] = json!(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("offset:{end}")));
    }
    Ok(Reply::new(out))
}
