//! CreateCertificateAuthority, DescribeCertificateAuthority, ListCertificateAuthorities,
//! UpdateCertificateAuthority, DeleteCertificateAuthority, RestoreCertificateAuthority,
//! GetCertificateAuthorityCsr, ImportCertificateAuthorityCertificate,
//! GetCertificateAuthorityCertificate.

use base64::Engine;
use gateway::{Reply, RequestContext};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use wire::ApiError;
use x509::{KeyAlgorithm, PrivateKey, SigningAlgorithm};

use super::authority_record::{self, subject_of, StoredAuthority};
use super::revocation::{publish_crl, schedule_refresh};
use super::tags::{tag_map, Tag};
use super::{error, store_error, AcmPca};
use crate::input::from_input;

const CREATABLE_KEY_ALGORITHMS: [&str; 5] = ["RSA_2048", "RSA_3072", "RSA_4096", "EC_prime256v1", "EC_secp384r1"];
const DEFAULT_LIST_LIMIT: usize = 100;
const DAY_SECONDS: f64 = 86_400.0;
const DEFAULT_RESTORATION_DAYS: u32 = 30;
/// Repeated CreateCertificateAuthority calls with one idempotency token within five minutes
/// create one CA.
const CREATE_TOKENS: &str = "acm-pca.create_token";
const CREATE_TOKEN_WINDOW_SECONDS: f64 = 300.0;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CreateCertificateAuthorityRequest {
    certificate_authority_configuration: Value,
    revocation_configuration: Option<Value>,
    certificate_authority_type: String,
    idempotency_token: Option<String>,
    key_storage_security_standard: Option<String>,
    tags: Option<Vec<Tag>>,
    usage_mode: Option<String>,
}

fn invalid_args(message: impl Into<String>) -> ApiError {
    error("InvalidArgsException", message)
}

fn check_revocation_configuration(configuration: &Option<Value>) -> Result<(), ApiError> {
    let Some(crl) = configuration.as_ref().map(|c| &c["CrlConfiguration"]) else { return Ok(()) };
    if let Some(days) = crl["ExpirationInDays"].as_i64() {
        if days < 1 {
            return Err(invalid_args("CrlConfiguration.ExpirationInDays must be at least 1."));
        }
    }
    Ok(())
}

pub async fn create_certificate_authority(pca: &AcmPca, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: CreateCertificateAuthorityRequest = from_input(input)?;
    let configuration = request.certificate_authority_configuration;
    let key_name = configuration["KeyAlgorithm"].as_str().unwrap_or_default();
    if !CREATABLE_KEY_ALGORITHMS.contains(&key_name) {
        return Err(invalid_args(format!(
            "KeyAlgorithm {key_name} is not supported by Palisade: use one of {}.",
            CREATABLE_KEY_ALGORITHMS.join(", ")
        )));
    }
    let key_algorithm: KeyAlgorithm = key_name.parse().map_err(|e: x509::X509Error| invalid_args(e.to_string()))?;
    let signing: SigningAlgorithm = configuration["SigningAlgorithm"]
        .as_str()
        .unwrap_or_default()
        .parse()
        .map_err(|e: x509::X509Error| invalid_args(e.to_string()))?;
    let subject = subject_of(&configuration["Subject"]);
    if subject.0.is_empty() {
        return Err(invalid_args("The certificate authority's Subject must have at least one attribute."));
    }
    check_revocation_configuration(&request.revocation_configuration)?;
    let tags = tag_map(request.tags.unwrap_or_default())?;
    let token_key = request.idempotency_token.as_ref().map(|token| format!("{}/{}/{token}", ctx.account(), ctx.region));
    if let Some(key) = &token_key {
        let mut tx = pca.store.begin().await.map_err(store_error)?;
        let earlier = tx.get(CREATE_TOKENS, key).await.map_err(store_error)?;
        if let Some(earlier) = earlier.filter(|e| ctx.time - e["at"].as_f64().unwrap_or(f64::MIN) < CREATE_TOKEN_WINDOW_SECONDS) {
            let arn = earlier["arn"].as_str().unwrap_or_default().to_owned();
            return Ok(Reply::new(json!({ "CertificateAuthorityArn": arn })).resource("AWS::ACMPCA::CertificateAuthority", arn));
        }
    }
    let key = PrivateKey::generate(key_algorithm).map_err(|e| ApiError::internal(e.to_string()))?;
    let csr_pem = x509::certificate_signing_request(&subject, &[], &key, signing).map_err(|e| invalid_args(e.to_string()))?;
    let id = gateway::pipeline::new_request_id();
    let arn = authority_record::authority_arn(&ctx.region, ctx.account(), &id);
    let ca = StoredAuthority {
        account: ctx.account().to_owned(),
        region: ctx.region.clone(),
        sealed_key: StoredAuthority::seal_key(&pca.sealer, &arn, &key),
        arn,
        id,
        kind: request.certificate_authority_type,
        status: "PENDING_CERTIFICATE".to_owned(),
        status_before_deletion: None,
        configuration,
        revocation_configuration: request.revocation_configuration,
        usage_mode: request.usage_mode.unwrap_or_else(|| "GENERAL_PURPOSE".to_owned()),
        key_storage_security_standard: request.key_storage_security_standard.unwrap_or_else(|| "FIPS_140_2_LEVEL_3_OR_HIGHER".to_owned()),
        csr_pem,
        certificate_pem: None,
        chain_pem: None,
        created_at: ctx.time,
        last_state_change_at: ctx.time,
        restorable_until: None,
        tags,
        crl_number: 0,
        revoked: Vec::new(),
        policy: None,
        permissions: Vec::new(),
    };
    let mut tx = pca.store.begin().await.map_err(store_error)?;
    authority_record::save(&mut tx, &ca).await?;
    if let Some(key) = &token_key {
        tx.put(CREATE_TOKENS, key, &json!({ "arn": ca.arn, "at": ctx.time })).await.map_err(store_error)?;
    }
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({ "CertificateAuthorityArn": ca.arn })).resource("AWS::ACMPCA::CertificateAuthority", ca.arn))
}

fn describe(ca: &StoredAuthority) -> Value {
    let mut out = Map::new();
    out.insert("Arn".into(), json!(ca.arn));
    out.insert("OwnerAccount".into(), json!(ca.account));
    out.insert("CreatedAt".into(), json!(ca.created_at));
    out.insert("LastStateChangeAt".into(), json!(ca.last_state_change_at));
    out.insert("Type".into(), json!(ca.kind));
    out.insert("Status".into(), json!(ca.status));
    if let Some(summary) = ca.certificate_pem.as_deref().and_then(|pem| {
        let der = x509::certificates_from_pem(pem).ok()?.into_iter().next()?;
        x509::inspect(&der).ok()
    }) {
        out.insert("Serial".into(), json!(summary.serial));
        out.insert("NotBefore".into(), json!(summary.not_before));
        out.insert("NotAfter".into(), json!(summary.not_after));
    }
    out.insert("CertificateAuthorityConfiguration".into(), ca.configuration.clone());
    if let Some(revocation) = &ca.revocation_configuration {
        out.insert("RevocationConfiguration".into(), revocation.clone());
    }
    if let Some(until) = ca.restorable_until {
        out.insert("RestorableUntil".into(), json!(until));
    }
    out.insert("KeyStorageSecurityStandard".into(), json!(ca.key_storage_security_standard));
    out.insert("UsageMode".into(), json!(ca.usage_mode));
    Value::Object(out)
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AuthorityArnRequest {
    certificate_authority_arn: String,
}

pub async fn describe_certificate_authority(pca: &AcmPca, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: AuthorityArnRequest = from_input(input)?;
    let mut tx = pca.store.begin().await.map_err(store_error)?;
    let ca = authority_record::find(&mut tx, ctx, &request.certificate_authority_arn).await?;
    Ok(Reply::new(json!({ "CertificateAuthority": describe(&ca) })).resource("AWS::ACMPCA::CertificateAuthority", ca.arn))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListCertificateAuthoritiesRequest {
    max_results: Option<usize>,
    next_token: Option<String>,
    resource_owner: Option<String>,
}

pub async fn list_certificate_authorities(pca: &AcmPca, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: ListCertificateAuthoritiesRequest = from_input(input)?;
    // Sharing CAs through RAM is not modelled: no account sees another's CAs.
    if request.resource_owner.as_deref() == Some("OTHER_ACCOUNTS") {
        return Ok(Reply::new(json!({ "CertificateAuthorities": [] })));
    }
    let mut tx = pca.store.begin().await.map_err(store_error)?;
    let mut cas: Vec<StoredAuthority> = authority_record::list(&mut tx, ctx.account(), &ctx.region)
        .await?
        .into_iter()
        .filter(|ca| ca.restorable_until.is_none_or(|until| ctx.time <= until))
        .collect();
    drop(tx);
    cas.sort_by(|a, b| a.created_at.total_cmp(&b.created_at).then_with(|| a.arn.cmp(&b.arn)));
    let start = match &request.next_token {
        Some(token) => cas
            .iter()
            .position(|ca| &ca.arn == token)
            .ok_or_else(|| error("InvalidNextTokenException", "The token is not valid."))?,
        None => 0,
    };
    let end = (start + request.max_results.unwrap_or(DEFAULT_LIST_LIMIT)).min(cas.len());
    let mut out = json!({ "CertificateAuthorities": cas[start..end].iter().map(describe).collect::<Vec<_>>() });
    if end < cas.len() {
        out["NextToken"] = json!(cas[end].arn);
    }
    Ok(Reply::new(out))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UpdateCertificateAuthorityRequest {
    certificate_authority_arn: String,
    revocation_configuration: Option<Value>,
    status: Option<String>,
}

/// Enables or disables a CA that has its certificate, and changes its revocation settings.
pub async fn update_certificate_authority(pca: &AcmPca, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: UpdateCertificateAuthorityRequest = from_input(input)?;
    check_revocation_configuration(&request.revocation_configuration)?;
    let mut tx = pca.store.begin().await.map_err(store_error)?;
    let mut ca = authority_record::find(&mut tx, ctx, &request.certificate_authority_arn).await?;
    if ca.status == "DELETED" {
        return Err(error("InvalidStateException", format!("The certificate authority {} is deleted.", ca.arn)));
    }
    if let Some(status) = request.status {
        if status != "ACTIVE" && status != "DISABLED" {
            return Err(invalid_args(format!("Status can be set to ACTIVE or DISABLED, not {status}.")));
        }
        if ca.certificate_pem.is_none() {
            return Err(error(
                "InvalidStateException",
                format!("The certificate authority {} is in state {}: import its certificate first.", ca.arn, ca.status),
            ));
        }
        if status != ca.status {
            ca.status = status;
            ca.last_state_change_at = ctx.time;
        }
    }
    let crl_now_enabled = request.revocation_configuration.is_some();
    if let Some(revocation) = request.revocation_configuration {
        ca.revocation_configuration = Some(revocation);
    }
    let refresh = if crl_now_enabled && ca.crl_enabled() && ca.certificate_pem.is_some() {
        Some(publish_crl(&mut tx, &pca.sealer, &mut ca, ctx.time).await?)
    } else {
        None
    };
    authority_record::save(&mut tx, &ca).await?;
    tx.commit().await.map_err(store_error)?;
    if let Some(at) = refresh {
        schedule_refresh(&pca.store, &ca, at).await?;
    }
    Ok(Reply::new(json!({})).resource("AWS::ACMPCA::CertificateAuthority", ca.arn))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DeleteCertificateAuthorityRequest {
    certificate_authority_arn: String,
    permanent_deletion_time_in_days: Option<u32>,
}

/// An active CA must be disabled first. A CA that never had a certificate is gone at once;
/// one that did can be restored for 7 to 30 days.
pub async fn delete_certificate_authority(pca: &AcmPca, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: DeleteCertificateAuthorityRequest = from_input(input)?;
    let days = request.permanent_deletion_time_in_days.unwrap_or(DEFAULT_RESTORATION_DAYS);
    let mut tx = pca.store.begin().await.map_err(store_error)?;
    let mut ca = authority_record::find(&mut tx, ctx, &request.certificate_authority_arn).await?;
    match ca.status.as_str() {
        "ACTIVE" => {
            return Err(error(
                "InvalidStateException",
                format!("The certificate authority {} is ACTIVE: disable it before deleting it.", ca.arn),
            ))
        }
        "DELETED" => {
            return Err(error("InvalidStateException", format!("The certificate authority {} is already deleted.", ca.arn)))
        }
        _ => {}
    }
    ca.status_before_deletion = Some(ca.status.clone());
    ca.status = "DELETED".to_owned();
    ca.last_state_change_at = ctx.time;
    ca.restorable_until = Some(if ca.certificate_pem.is_some() { ctx.time + f64::from(days) * DAY_SECONDS } else { ctx.time });
    authority_record::save(&mut tx, &ca).await?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({})).resource("AWS::ACMPCA::CertificateAuthority", ca.arn))
}

/// A restored CA returns disabled (or pending its certificate), as in AWS.
pub async fn restore_certificate_authority(pca: &AcmPca, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: AuthorityArnRequest = from_input(input)?;
    let mut tx = pca.store.begin().await.map_err(store_error)?;
    let mut ca = authority_record::find(&mut tx, ctx, &request.certificate_authority_arn).await?;
    if ca.status != "DELETED" {
        return Err(error("InvalidStateException", format!("The certificate authority {} is not deleted.", ca.arn)));
    }
    ca.status = match ca.status_before_deletion.take().as_deref() {
        Some("PENDING_CERTIFICATE") => "PENDING_CERTIFICATE",
        _ => "DISABLED",
    }
    .to_owned();
    ca.restorable_until = None;
    ca.last_state_change_at = ctx.time;
    authority_record::save(&mut tx, &ca).await?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({})).resource("AWS::ACMPCA::CertificateAuthority", ca.arn))
}

fn require_not_deleted(ca: &StoredAuthority) -> Result<(), ApiError> {
    if ca.status == "DELETED" {
        return Err(error("InvalidStateException", format!("The certificate authority {} is deleted.", ca.arn)));
    }
    Ok(())
}

pub async fn get_certificate_authority_csr(pca: &AcmPca, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: AuthorityArnRequest = from_input(input)?;
    let mut tx = pca.store.begin().await.map_err(store_error)?;
    let ca = authority_record::find(&mut tx, ctx, &request.certificate_authority_arn).await?;
    require_not_deleted(&ca)?;
    Ok(Reply::new(json!({ "Csr": ca.csr_pem })).resource("AWS::ACMPCA::CertificateAuthority", ca.arn))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ImportCertificateAuthorityCertificateRequest {
    certificate_authority_arn: String,
    certificate: String,
    certificate_chain: Option<String>,
}

fn pem_blob(member: &str, blob: &str) -> Result<Vec<Vec<u8>>, ApiError> {
    let malformed = |why: String| error("MalformedCertificateException", format!("{member} is not valid: {why}."));
    let bytes = base64::engine::general_purpose::STANDARD.decode(blob).map_err(|e| malformed(e.to_string()))?;
    let text = String::from_utf8(bytes).map_err(|_| malformed("it must be PEM".to_owned()))?;
    x509::certificates_from_pem(&text).map_err(|e| malformed(e.to_string()))
}

/// Installs the CA's certificate: its key must be the CA's, a root's must be self-signed and a
/// subordinate's must chain through `CertificateChain`. The CA becomes ACTIVE.
pub async fn import_certificate_authority_certificate(pca: &AcmPca, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: ImportCertificateAuthorityCertificateRequest = from_input(input)?;
    let certs = pem_blob("Certificate", &request.certificate)?;
    let [cert] = certs.as_slice() else {
        return Err(error("MalformedCertificateException", "Certificate must hold exactly one certificate."));
    };
    let chain = request.certificate_chain.as_deref().map(|c| pem_blob("CertificateChain", c)).transpose()?.unwrap_or_default();
    let mut tx = pca.store.begin().await.map_err(store_error)?;
    let mut ca = authority_record::find(&mut tx, ctx, &request.certificate_authority_arn).await?;
    require_not_deleted(&ca)?;
    let key = ca.private_key(&pca.sealer)?;
    if !x509::key_matches(cert, &key).map_err(|e| error("MalformedCertificateException", e.to_string()))? {
        return Err(error("CertificateMismatchException", "The certificate's public key is not the certificate authority's."));
    }
    let summary = x509::inspect(cert).map_err(|e| error("MalformedCertificateException", e.to_string()))?;
    if !summary.is_ca {
        return Err(error("InvalidRequestException", "The certificate is not a CA certificate (basic constraints CA:TRUE)."));
    }
    if ca.kind == "ROOT" && !summary.self_issued {
        return Err(error("InvalidRequestException", "A root CA's certificate must be self-signed."));
    }
    if ca.kind == "SUBORDINATE" && chain.is_empty() {
        return Err(error("InvalidRequestException", "A subordinate CA's certificate needs its CertificateChain."));
    }
    x509::verify_chain(cert, &chain).map_err(|e| error("InvalidRequestException", format!("The certificate chain does not verify: {e}.")))?;
    ca.certificate_pem = Some(x509::der_to_pem(cert));
    ca.chain_pem = (!chain.is_empty()).then(|| chain.iter().map(|der| x509::der_to_pem(der)).collect());
    if ca.status == "PENDING_CERTIFICATE" {
        ca.status = "ACTIVE".to_owned();
        ca.last_state_change_at = ctx.time;
    }
    let refresh = if ca.crl_enabled() { Some(publish_crl(&mut tx, &pca.sealer, &mut ca, ctx.time).await?) } else { None };
    authority_record::save(&mut tx, &ca).await?;
    tx.commit().await.map_err(store_error)?;
    if let Some(at) = refresh {
        schedule_refresh(&pca.store, &ca, at).await?;
    }
    Ok(Reply::new(json!({})).resource("AWS::ACMPCA::CertificateAuthority", ca.arn))
}

pub async fn get_certificate_authority_certificate(pca: &AcmPca, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: AuthorityArnRequest = from_input(input)?;
    let mut tx = pca.store.begin().await.map_err(store_error)?;
    let ca = authority_record::find(&mut tx, ctx, &request.certificate_authority_arn).await?;
    let certificate = ca.certificate_pem.clone().ok_or_else(|| {
        error("InvalidStateException", format!("The certificate authority {} has no certificate yet.", ca.arn))
    })?;
    let mut out = json!({ "Certificate": certificate });
    if let Some(chain) = &ca.chain_pem {
        out["CertificateChain"] = json!(chain);
    }
    Ok(Reply::new(out).resource("AWS::ACMPCA::CertificateAuthority", ca.arn))
}
