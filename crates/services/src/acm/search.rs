//! SearchCertificates: certificates matched by a filter statement (And, Or, Not over filters on
//! the ARN, X.509 attributes and ACM metadata), sorted by any of AWS's sort keys, paginated.

use std::cmp::Ordering;

use base64::Engine;
use gateway::{Reply, RequestContext};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use wire::ApiError;

use super::certificate_record::{self, CertificateView};
use super::certificates::renewal_eligibility;
use super::{error, store_error, Acm};
use crate::input::from_input;

const DEFAULT_MAX_RESULTS: usize = 100;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SearchCertificatesRequest {
    filter_statement: Option<Value>,
    max_results: Option<usize>,
    next_token: Option<String>,
    sort_by: Option<String>,
    sort_order: Option<String>,
}

/// AWS's `DistinguishedName` member for an attribute OID.
fn name_member(oid: &str) -> Option<&'static str> {
    Some(match oid {
        "2.5.4.3" => "CommonName",
        "2.5.4.6" => "Country",
        "2.5.4.10" => "Organization",
        "2.5.4.11" => "OrganizationalUnit",
        "2.5.4.8" => "State",
        "2.5.4.7" => "Locality",
        "2.5.4.46" => "DistinguishedNameQualifier",
        "2.5.4.5" => "SerialNumber",
        "2.5.4.12" => "Title",
        "2.5.4.4" => "Surname",
        "2.5.4.42" => "GivenName",
        "2.5.4.43" => "Initials",
        "2.5.4.65" => "Pseudonym",
        "2.5.4.44" => "GenerationQualifier",
        _ => return None,
    })
}

const OID_DOMAIN_COMPONENT: &str = "0.9.2342.19200300.100.1.25";

fn distinguished_name(attributes: &[(String, String)]) -> Value {
    let mut out = Map::new();
    let mut components = Vec::new();
    let mut custom = Vec::new();
    for (oid, value) in attributes {
        match name_member(oid) {
            Some(member) => {
                out.insert(member.to_owned(), json!(value));
            }
            None if oid == OID_DOMAIN_COMPONENT => components.push(json!(value)),
            None => custom.push(json!({ "ObjectIdentifier": oid, "Value": value })),
        }
    }
    if !components.is_empty() {
        out.insert("DomainComponents".into(), Value::Array(components));
    }
    if !custom.is_empty() {
        out.insert("CustomAttributes".into(), Value::Array(custom));
    }
    Value::Object(out)
}

fn text_matches(filter: &Value, candidate: &str) -> bool {
    let wanted = filter["Value"].as_str().unwrap_or_default().to_ascii_lowercase();
    let candidate = candidate.to_ascii_lowercase();
    match filter["ComparisonOperator"].as_str() {
        Some("CONTAINS") => candidate.contains(&wanted),
        _ => candidate == wanted,
    }
}

fn in_range(range: &Value, time: Option<i64>) -> bool {
    let Some(time) = time.map(|t| t as f64) else { return false };
    range["Start"].as_f64().is_none_or(|start| time >= start) && range["End"].as_f64().is_none_or(|end| time <= end)
}

fn serial_digits(serial: &str) -> String {
    serial.chars().filter(|c| *c != ':').collect::<String>().to_ascii_lowercase()
}

fn x509_filter_matches(filter: &Value, c: &CertificateView) -> bool {
    let Some(summary) = &c.summary else { return false };
    if let Some(subject) = filter.get("Subject") {
        return subject.get("CommonName").is_some_and(|f| summary.common_name.as_deref().is_some_and(|cn| text_matches(f, cn)));
    }
    if let Some(san) = filter.get("SubjectAlternativeName") {
        return san.get("DnsName").is_some_and(|f| summary.alternative_names.iter().any(|n| text_matches(f, n)));
    }
    if let Some(name) = filter.get("ExtendedKeyUsage").and_then(Value::as_str) {
        return match name {
            "NONE" => summary.extended_key_usages.is_empty(),
            name => summary.extended_key_usages.iter().any(|u| u.name == name),
        };
    }
    if let Some(name) = filter.get("KeyUsage").and_then(Value::as_str) {
        return summary.key_usages.iter().any(|u| u.as_str() == name);
    }
    if let Some(algorithm) = filter.get("KeyAlgorithm").and_then(Value::as_str) {
        return c.cert.key_algorithm == algorithm;
    }
    if let Some(serial) = filter.get("SerialNumber").and_then(Value::as_str) {
        return serial_digits(serial) == serial_digits(&summary.serial);
    }
    if let Some(range) = filter.get("NotAfter") {
        return in_range(range, Some(summary.not_after));
    }
    if let Some(range) = filter.get("NotBefore") {
        return in_range(range, Some(summary.not_before));
    }
    false
}

fn metadata_filter_matches(filter: &Value, c: &CertificateView) -> bool {
    let text = |member: &str| filter.get(member).and_then(Value::as_str);
    let flag = |member: &str| filter.get(member).and_then(Value::as_bool);
    if let Some(status) = text("Status") {
        return c.status.as_str() == status;
    }
    if let Some(status) = text("RenewalStatus") {
        return c.renewal_status() == Some(status);
    }
    if let Some(kind) = text("Type") {
        return c.cert.kind.as_str() == kind;
    }
    if let Some(in_use) = flag("InUse") {
        return c.cert.in_use_by.is_empty() != in_use;
    }
    if let Some(exported) = flag("Exported") {
        return c.cert.exported == exported;
    }
    if let Some(option) = text("ExportOption") {
        return c.cert.export_option == option;
    }
    if let Some(method) = text("ValidationMethod") {
        return c.validation_method() == Some(method);
    }
    // No certificate here is managed by CloudFront.
    false
}

fn statement_matches(statement: &Value, c: &CertificateView) -> bool {
    if let Some(all) = statement.get("And").and_then(Value::as_array) {
        return all.iter().all(|s| statement_matches(s, c));
    }
    if let Some(any) = statement.get("Or").and_then(Value::as_array) {
        return any.iter().any(|s| statement_matches(s, c));
    }
    if let Some(not) = statement.get("Not") {
        return !statement_matches(not, c);
    }
    let Some(filter) = statement.get("Filter") else { return true };
    if let Some(arn) = filter.get("CertificateArn").and_then(Value::as_str) {
        return c.cert.arn == arn;
    }
    if let Some(x509_filter) = filter.get("X509AttributeFilter") {
        return x509_filter_matches(x509_filter, c);
    }
    filter.get("AcmCertificateMetadataFilter").is_some_and(|f| metadata_filter_matches(f, c))
}

/// A sort key's value for one certificate; certificates without it sort first.
fn sort_key(c: &CertificateView, by: &str) -> Value {
    let summary = c.summary.as_ref();
    match by {
        "NOT_AFTER" => json!(summary.map(|s| s.not_after)),
        "NOT_BEFORE" => json!(summary.map(|s| s.not_before)),
        "STATUS" => json!(c.status.as_str()),
        "RENEWAL_STATUS" => json!(c.renewal_status()),
        "EXPORTED" => json!(c.cert.exported),
        "IN_USE" => json!(!c.cert.in_use_by.is_empty()),
        "KEY_ALGORITHM" => json!(c.cert.key_algorithm),
        "TYPE" => json!(c.cert.kind.as_str()),
        "CERTIFICATE_ARN" => json!(c.cert.arn),
        "COMMON_NAME" => json!(summary.and_then(|s| s.common_name.clone())),
        "REVOKED_AT" => json!(c.cert.revoked_at),
        "RENEWAL_ELIGIBILITY" => json!(renewal_eligibility(&c.cert)),
        "ISSUED_AT" => json!(c.cert.issued_at),
        "IMPORTED_AT" => json!(c.cert.imported_at),
        "EXPORT_OPTION" => json!(c.cert.export_option),
        "VALIDATION_METHOD" => json!(c.validation_method()),
        _ => json!(c.cert.created_at),
    }
}

fn compare(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Null, Value::Null) => Ordering::Equal,
        (Value::Null, _) => Ordering::Less,
        (_, Value::Null) => Ordering::Greater,
        (Value::Number(x), Value::Number(y)) => x.as_f64().unwrap_or(0.0).total_cmp(&y.as_f64().unwrap_or(0.0)),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        _ => a.as_str().unwrap_or_default().cmp(b.as_str().unwrap_or_default()),
    }
}

fn search_result(c: &CertificateView) -> Value {
    let mut metadata = json!({
        "CreatedAt": c.cert.created_at,
        "Exported": c.cert.exported,
        "InUse": !c.cert.in_use_by.is_empty(),
        "RenewalEligibility": renewal_eligibility(&c.cert),
        "Status": c.status.as_str(),
        "Type": c.cert.kind.as_str(),
        "ExportOption": c.cert.export_option,
    });
    for (field, at) in [("IssuedAt", c.cert.issued_at), ("ImportedAt", c.cert.imported_at), ("RevokedAt", c.cert.revoked_at)] {
        if let Some(at) = at {
            metadata[field] = json!(at);
        }
    }
    if let Some(status) = c.renewal_status() {
        metadata["RenewalStatus"] = json!(status);
    }
    if let Some(method) = c.validation_method() {
        metadata["ValidationMethod"] = json!(method);
    }
    let mut out = json!({ "CertificateArn": c.cert.arn, "CertificateMetadata": { "AcmCertificateMetadata": metadata } });
    if let Some(summary) = &c.summary {
        out["X509Attributes"] = json!({
            "Issuer": distinguished_name(&summary.issuer_attributes),
            "Subject": distinguished_name(&summary.subject_attributes),
            "SubjectAlternativeNames": summary.alternative_names.iter().map(|n| json!({ "DnsName": n })).collect::<Vec<_>>(),
            "ExtendedKeyUsages": summary.extended_key_usages.iter().map(|u| u.name).collect::<Vec<_>>(),
            "KeyAlgorithm": c.cert.key_algorithm,
            "KeyUsages": summary.key_usages.iter().map(|u| u.as_str()).collect::<Vec<_>>(),
            "SerialNumber": summary.serial,
            "NotAfter": summary.not_after,
            "NotBefore": summary.not_before,
        });
    }
    out
}

fn invalid_token() -> ApiError {
    error("ValidationException", "The NextToken is not valid.")
}

pub async fn search_certificates(acm: &Acm, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: SearchCertificatesRequest = from_input(input)?;
    let start = match &request.next_token {
        Some(token) => base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(token)
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .and_then(|text| text.strip_prefix("search:").and_then(|n| n.parse::<usize>().ok()))
            .ok_or_else(invalid_token)?,
        None => 0,
    };
    let mut tx = acm.store.begin().await.map_err(store_error)?;
    let certs = certificate_record::list(&mut tx, ctx.account(), &ctx.region).await?;
    drop(tx);
    let everything = json!({});
    let statement = request.filter_statement.as_ref().unwrap_or(&everything);
    let mut found: Vec<CertificateView> = certs
        .into_iter()
        .map(|cert| CertificateView::new(cert, ctx.time))
        .filter(|c| statement_matches(statement, c))
        .collect();
    let by = request.sort_by.as_deref().unwrap_or("CREATED_AT");
    found.sort_by(|a, b| compare(&sort_key(a, by), &sort_key(b, by)).then_with(|| a.cert.arn.cmp(&b.cert.arn)));
    if request.sort_order.as_deref() == Some("DESCENDING") {
        found.reverse();
    }
    if start > found.len() {
        return Err(invalid_token());
    }
    let end = (start + request.max_results.unwrap_or(DEFAULT_MAX_RESULTS)).min(found.len());
    let mut out = json!({ "Results": found[start..end].iter().map(search_result).collect::<Vec<_>>() });
    if end < found.len() {
        out["NextToken"] = json!(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("search:{end}")));
    }
    Ok(Reply::new(out))
}
