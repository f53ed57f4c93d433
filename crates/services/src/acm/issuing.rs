//! Issuing public certificates: each account's issuing CA (created under the installation root
//! on first use, its key sealed), the validation job that turns a requested certificate
//! `ISSUED`, and the managed-renewal job that reissues it 60 days before it expires.

use base64::Engine;
use gateway::tls::InstallationCa;
use serde::{Deserialize, Serialize};
use serde_json::json;
use store::{Sealer, Store, Txn};
use wire::ApiError;
use x509::{CertificateAuthority, CertificateProfile, KeyAlgorithm, PrivateKey, Validity};

use super::certificate_record::{self, CertificateStatus, CertificateType, RenewalRecord, StoredCertificate};
use super::store_error;

pub const VALIDATE_JOB: &str = "acm.validate_certificate";
pub const RENEW_JOB: &str = "acm.renew_certificate";

const ISSUING_CAS: &str = "acm.issuing_ca";
const DAY_SECONDS: i64 = 86_400;
/// ACM's public certificates are valid for 395 days.
pub const PUBLIC_VALIDITY_DAYS: i64 = 395;
/// ACM starts managed renewal 60 days before a certificate expires.
pub const RENEWAL_WINDOW_DAYS: i64 = 60;
const ISSUING_CA_VALIDITY_DAYS: i64 = 5 * 365;
/// How long DNS or e-mail validation takes, in server-clock seconds, unless
/// `PALISADE_ACM_VALIDATION_SECONDS` says otherwise. AWS takes minutes; callers poll.
const DEFAULT_VALIDATION_SECONDS: f64 = 1.0;

pub fn validation_delay() -> f64 {
    std::env::var("PALISADE_ACM_VALIDATION_SECONDS")
        .ok()
        .and_then(|v| v.parse::<f64>().ok())
        .filter(|v| v.is_finite() && *v >= 0.0)
        .unwrap_or(DEFAULT_VALIDATION_SECONDS)
}

#[derive(Serialize, Deserialize)]
struct StoredIssuingCa {
    cert_pem: String,
    sealed_key: String,
}

fn seal_context(account: &str) -> String {
    format!("acm-issuing-ca/{account}")
}

/// The account's issuing CA and the chain its leaves carry (the CA, then the root), created on
/// first use inside `tx` so two requests never make two.
async fn issuing_ca(
    tx: &mut Txn,
    sealer: &Sealer,
    root: &InstallationCa,
    account: &str,
    now: i64,
) -> Result<(CertificateAuthority, String), ApiError> {
    let b64 = base64::engine::general_purpose::STANDARD;
    let stored = match tx.get(ISSUING_CAS, account).await.map_err(store_error)? {
        Some(value) => serde_json::from_value::<StoredIssuingCa>(value)
            .map_err(|e| ApiError::internal(format!("the issuing CA of {account}: {e}")))?,
        None => {
            let key = PrivateKey::generate(KeyAlgorithm::EcPrime256v1).map_err(engine_error)?;
            let public_key = key.public_key().map_err(engine_error)?;
            let root_expiry = x509::certificates_from_pem(&root.cert_pem)
                .ok()
                .and_then(|ders| x509::inspect(ders.first()?).ok())
                .map_or(i64::MAX, |root| root.not_after);
            let not_after = (now + ISSUING_CA_VALIDITY_DAYS * DAY_SECONDS).min(root_expiry);
            let cert_pem = root
                .issue_intermediate(
                    &format!("Palisade Issuing CA {account}"),
                    &public_key,
                    &x509::random_serial(),
                    now - DAY_SECONDS,
                    not_after,
                )
                .map_err(|e| ApiError::internal(e.to_string()))?;
            let stored = StoredIssuingCa {
                cert_pem,
                sealed_key: b64.encode(sealer.seal(&seal_context(account), key.pkcs8_der())),
            };
            let value = serde_json::to_value(&stored).map_err(|e| ApiError::internal(e.to_string()))?;
            tx.put(ISSUING_CAS, account, &value).await.map_err(store_error)?;
            stored
        }
    };
    let sealed = b64.decode(&stored.sealed_key).map_err(|e| ApiError::internal(format!("sealed CA key: {e}")))?;
    let der = sealer.unseal(&seal_context(account), &sealed).map_err(|e| ApiError::internal(e.to_string()))?;
    let key = PrivateKey::from_pkcs8_der(&der).map_err(engine_error)?;
    let cert_der = x509::certificates_from_pem(&stored.cert_pem)
        .map_err(engine_error)?
        .into_iter()
        .next()
        .ok_or_else(|| ApiError::internal("the issuing CA certificate is empty"))?;
    let ca = CertificateAuthority::new(cert_der, key, x509::SigningAlgorithm::Sha256WithEcdsa).map_err(engine_error)?;
    let chain = format!("{}{}", stored.cert_pem, root.cert_pem);
    Ok((ca, chain))
}

/// Issues `cert` a fresh key and a certificate for its names from the account's issuing CA.
/// As ACM's are, it is valid from the start of the day (UTC) it is issued to the end of the day
/// 395 days later.
pub async fn issue_public(
    tx: &mut Txn,
    sealer: &Sealer,
    root: &InstallationCa,
    cert: &mut StoredCertificate,
    now: f64,
) -> Result<(), ApiError> {
    let start = now.floor() as i64;
    let (ca, chain) = issuing_ca(tx, sealer, root, &cert.account, start).await?;
    let algorithm: KeyAlgorithm = cert.key_algorithm.parse().map_err(engine_error)?;
    let key = PrivateKey::generate(algorithm).map_err(engine_error)?;
    let day_start = start - start.rem_euclid(DAY_SECONDS);
    let validity = Validity { not_before: day_start, not_after: day_start + (PUBLIC_VALIDITY_DAYS + 1) * DAY_SECONDS - 1 };
    let leaf = ca
        .issue_for_key(
            &cert.domain_name,
            &cert.subject_alternative_names,
            &key,
            CertificateProfile::EndEntity,
            validity,
            &x509::random_serial(),
            &[],
        )
        .map_err(engine_error)?;
    cert.certificate_pem = Some(x509::der_to_pem(&leaf));
    cert.chain_pem = Some(chain);
    cert.seal_key(sealer, &key);
    cert.status = CertificateStatus::Issued;
    cert.issued_at = Some(now);
    Ok(())
}

fn engine_error(e: x509::X509Error) -> ApiError {
    ApiError::internal(format!("ACM could not issue the certificate: {e}"))
}

fn job_payload(cert: &StoredCertificate) -> serde_json::Value {
    json!({ "account": cert.account, "region": cert.region, "id": cert.id })
}

/// Queues the validation of a requested certificate, done `validation_delay()` from `now`.
pub async fn schedule_validation(store: &Store, cert: &StoredCertificate, now: f64) -> Result<(), ApiError> {
    let dedupe = format!("{VALIDATE_JOB}:{}", cert.arn);
    store.enqueue_job(VALIDATE_JOB, Some(&dedupe), job_payload(cert), now + validation_delay()).await.map_err(store_error)?;
    Ok(())
}

/// Queues the managed renewal of an issued certificate, 60 days before it expires.
pub async fn schedule_renewal(store: &Store, cert: &StoredCertificate) -> Result<(), ApiError> {
    let dedupe = format!("{RENEW_JOB}:{}", cert.arn);
    let Some(summary) = cert.summary().filter(|_| cert.kind != CertificateType::Imported) else {
        store.cancel_job(&dedupe).await.map_err(store_error)?;
        return Ok(());
    };
    let due = (summary.not_after - RENEWAL_WINDOW_DAYS * DAY_SECONDS) as f64;
    store.enqueue_job(RENEW_JOB, Some(&dedupe), job_payload(cert), due).await.map_err(store_error)?;
    Ok(())
}

#[derive(Deserialize)]
struct CertificateJob {
    account: String,
    region: String,
    id: String,
}

async fn load_for_job(tx: &mut Txn, payload: &serde_json::Value) -> Result<Option<StoredCertificate>, String> {
    let job: CertificateJob = serde_json::from_value(payload.clone()).map_err(|e| format!("bad ACM job: {e}"))?;
    certificate_record::load(tx, &job.account, &job.region, &job.id).await.map_err(|e| e.message)
}

/// Completes the validation of a requested public certificate: every name is validated and the
/// certificate is issued.
pub async fn run_validation_job(store: &Store, sealer: &Sealer, now: f64, payload: &serde_json::Value) -> Result<(), String> {
    let root = super::load_root(store, sealer).await.map_err(|e| e.message)?;
    let mut tx = store.begin().await.map_err(|e| e.to_string())?;
    let Some(mut cert) = load_for_job(&mut tx, payload).await? else { return Ok(()) };
    if cert.status != CertificateStatus::PendingValidation {
        return Ok(());
    }
    issue_public(&mut tx, sealer, &root, &mut cert, now).await.map_err(|e| e.message)?;
    certificate_record::save(&mut tx, &cert).await.map_err(|e| e.message)?;
    tx.commit().await.map_err(|e| e.to_string())?;
    schedule_renewal(store, &cert).await.map_err(|e| e.message)
}

/// Renews a certificate whose renewal window has opened, if it is eligible (in use or
/// exported); an ineligible one (or a failed renewal) is looked at again daily, and an
/// ineligible one is marked `EXPIRED` once it has expired.
pub async fn run_renewal_job(store: &Store, sealer: &Sealer, now: f64, payload: &serde_json::Value) -> Result<(), String> {
    let root = super::load_root(store, sealer).await.map_err(|e| e.message)?;
    let mut tx = store.begin().await.map_err(|e| e.to_string())?;
    let Some(mut cert) = load_for_job(&mut tx, payload).await? else { return Ok(()) };
    let Some(summary) = cert.summary() else { return Ok(()) };
    if cert.status != CertificateStatus::Issued || (summary.not_after - RENEWAL_WINDOW_DAYS * DAY_SECONDS) as f64 > now {
        return Ok(());
    }
    if cert.renewal_eligible() {
        let outcome = match cert.kind {
            CertificateType::AmazonIssued => issue_public(&mut tx, sealer, &root, &mut cert, now).await,
            CertificateType::Private => super::renewal::reissue_private(&mut tx, sealer, &mut cert, now).await,
            CertificateType::Imported => return Ok(()),
        };
        let renewed = outcome.is_ok();
        cert.renewal = Some(match outcome {
            Ok(()) => RenewalRecord { status: "SUCCESS".to_owned(), reason: None, updated_at: now },
            Err(e) => {
                tracing::warn!(certificate = %cert.arn, error = %e.message, "managed renewal failed");
                let reason = match cert.kind {
                    CertificateType::Private => super::renewal::failure_reason(&e),
                    _ => "OTHER",
                };
                RenewalRecord { status: "FAILED".to_owned(), reason: Some(reason.to_owned()), updated_at: now }
            }
        });
        certificate_record::save(&mut tx, &cert).await.map_err(|e| e.message)?;
        tx.commit().await.map_err(|e| e.to_string())?;
        if renewed {
            return schedule_renewal(store, &cert).await.map_err(|e| e.message);
        }
    } else if summary.not_after as f64 <= now {
        cert.status = CertificateStatus::Expired;
        certificate_record::save(&mut tx, &cert).await.map_err(|e| e.message)?;
        tx.commit().await.map_err(|e| e.to_string())?;
        return Ok(());
    } else {
        drop(tx);
    }
    let dedupe = format!("{RENEW_JOB}:{}", cert.arn);
    store
        .enqueue_job(RENEW_JOB, Some(&dedupe), job_payload(&cert), now + DAY_SECONDS as f64)
        .await
        .map_err(|e| e.to_string())?;
    Ok(())
}
