//! A private CA as the store keeps it: its configuration, state, sealed key, CSR, certificate
//! and the certificates it has issued and revoked.

use std::collections::BTreeMap;

use base64::Engine;
use gateway::RequestContext;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use store::{Sealer, Txn};
use wire::ApiError;
use x509::{CertificateAuthority, NameAttribute, PrivateKey, SigningAlgorithm, Subject};

use super::access::Permission;
use super::{error, store_error};

const AUTHORITIES: &str = "acm-pca.authority";
const ISSUED: &str = "acm-pca.certificate";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RevokedCertificate {
    /// Lowercase hex without separators.
    pub serial: String,
    pub revoked_at: f64,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredAuthority {
    pub account: String,
    pub region: String,
    pub id: String,
    pub arn: String,
    /// `ROOT` or `SUBORDINATE`.
    pub kind: String,
    /// `PENDING_CERTIFICATE`, `ACTIVE`, `DISABLED` or `DELETED`.
    pub status: String,
    /// The status a restored CA returns to.
    pub status_before_deletion: Option<String>,
    /// CertificateAuthorityConfiguration as given (canonical JSON), echoed by Describe.
    pub configuration: Value,
    pub revocation_configuration: Option<Value>,
    pub usage_mode: String,
    pub key_storage_security_standard: String,
    pub sealed_key: String,
    pub csr_pem: String,
    pub certificate_pem: Option<String>,
    pub chain_pem: Option<String>,
    pub created_at: f64,
    pub last_state_change_at: f64,
    pub restorable_until: Option<f64>,
    pub tags: BTreeMap<String, String>,
    pub crl_number: u64,
    pub revoked: Vec<RevokedCertificate>,
    /// The resource-based policy (JSON text) PutPolicy stored.
    #[serde(default)]
    pub policy: Option<String>,
    #[serde(default)]
    pub permissions: Vec<Permission>,
}

/// One certificate a CA issued.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IssuedCertificate {
    pub arn: String,
    pub serial: String,
    pub certificate_pem: String,
    pub issued_at: f64,
}

impl StoredAuthority {
    pub fn key_algorithm(&self) -> &str {
        self.configuration["KeyAlgorithm"].as_str().unwrap_or_default()
    }

    pub fn signing_algorithm(&self) -> Result<SigningAlgorithm, ApiError> {
        let name = self.configuration["SigningAlgorithm"].as_str().unwrap_or_default();
        name.parse().map_err(|e: x509::X509Error| ApiError::internal(e.to_string()))
    }

    pub fn seal_key(sealer: &Sealer, arn: &str, key: &PrivateKey) -> String {
        base64::engine::general_purpose::STANDARD.encode(sealer.seal(arn, key.pkcs8_der()))
    }

    pub fn private_key(&self, sealer: &Sealer) -> Result<PrivateKey, ApiError> {
        let sealed = base64::engine::general_purpose::STANDARD
            .decode(&self.sealed_key)
            .map_err(|e| ApiError::internal(format!("the sealed key of {}: {e}", self.arn)))?;
        let der = sealer.unseal(&self.arn, &sealed).map_err(|e| ApiError::internal(e.to_string()))?;
        PrivateKey::from_pkcs8_der(&der).map_err(|e| ApiError::internal(format!("the key of {}: {e}", self.arn)))
    }

    /// The CA as a signer, once it has its certificate.
    pub fn signer(&self, sealer: &Sealer) -> Result<CertificateAuthority, ApiError> {
        let pem = self.certificate_pem.as_deref().ok_or_else(|| {
            error("InvalidStateException", format!("The certificate authority {} has no certificate yet.", self.arn))
        })?;
        let der = x509::certificates_from_pem(pem)
            .map_err(|e| ApiError::internal(e.to_string()))?
            .into_iter()
            .next()
            .ok_or_else(|| ApiError::internal("empty CA certificate"))?;
        CertificateAuthority::new(der, self.private_key(sealer)?, self.signing_algorithm()?)
            .map_err(|e| ApiError::internal(e.to_string()))
    }

    /// The chain a certificate it issues carries: its certificate, then its own chain.
    pub fn issued_chain(&self) -> String {
        format!("{}{}", self.certificate_pem.as_deref().unwrap_or_default(), self.chain_pem.as_deref().unwrap_or_default())
    }

    pub fn crl_enabled(&self) -> bool {
        self.revocation_configuration
            .as_ref()
            .and_then(|r| r["CrlConfiguration"]["Enabled"].as_bool())
            .unwrap_or(false)
    }

    /// The URL certificates name as their CRL distribution point, as AWS writes it: the custom
    /// CNAME, or the S3 bucket's address; none when the extension is omitted. Palisade itself
    /// serves the CRL at `/_palisade/crl/<ca-id>.crl`.
    pub fn crl_distribution_url(&self) -> Option<String> {
        if !self.crl_enabled() {
            return None;
        }
        let crl = &self.revocation_configuration.as_ref()?["CrlConfiguration"];
        if crl["CrlDistributionPointExtensionConfiguration"]["OmitExtension"].as_bool() == Some(true) {
            return None;
        }
        let path = format!("crl/{}.crl", self.id);
        match (crl["CustomCname"].as_str(), crl["S3BucketName"].as_str()) {
            (Some(cname), _) => Some(format!("http://{cname}/{path}")),
            (None, Some(bucket)) => Some(format!("http://{bucket}.s3.{}.amazonaws.com/{path}", self.region)),
            (None, None) => None,
        }
    }
}

/// The x509 subject of an `ASN1Subject`.
pub fn subject_of(asn1: &Value) -> Subject {
    let fields = [
        ("Country", NameAttribute::Country),
        ("State", NameAttribute::State),
        ("Locality", NameAttribute::Locality),
        ("Organization", NameAttribute::Organization),
        ("OrganizationalUnit", NameAttribute::OrganizationalUnit),
        ("DistinguishedNameQualifier", NameAttribute::DistinguishedNameQualifier),
        ("SerialNumber", NameAttribute::SerialNumber),
        ("Title", NameAttribute::Title),
        ("Surname", NameAttribute::Surname),
        ("GivenName", NameAttribute::GivenName),
        ("Initials", NameAttribute::Initials),
        ("Pseudonym", NameAttribute::Pseudonym),
        ("GenerationQualifier", NameAttribute::GenerationQualifier),
        ("CommonName", NameAttribute::CommonName),
    ];
    Subject(
        fields
            .into_iter()
            .filter_map(|(member, attribute)| asn1[member].as_str().map(|v| (attribute, v.to_owned())))
            .collect(),
    )
}

pub fn authority_arn(region: &str, account: &str, id: &str) -> String {
    format!("arn:aws:acm-pca:{region}:{account}:certificate-authority/{id}")
}

/// The account, region and CA id of a CA ARN (or of a certificate ARN under it).
pub fn parse_arn(arn: &str) -> Option<(String, String, String)> {
    let rest = arn.strip_prefix("arn:aws:acm-pca:")?;
    let mut parts = rest.splitn(3, ':');
    let region = parts.next()?;
    let account = parts.next()?;
    let id = parts.next()?.strip_prefix("certificate-authority/")?.split('/').next()?;
    if region.is_empty() || account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) || id.is_empty() {
        return None;
    }
    Some((account.to_owned(), region.to_owned(), id.to_owned()))
}

fn record_key(account: &str, region: &str, id: &str) -> String {
    format!("{account}/{region}/{id}")
}

pub async fn load(tx: &mut Txn, account: &str, region: &str, id: &str) -> Result<Option<StoredAuthority>, ApiError> {
    let Some(value) = tx.get(AUTHORITIES, &record_key(account, region, id)).await.map_err(store_error)? else {
        return Ok(None);
    };
    serde_json::from_value(value).map(Some).map_err(|e| ApiError::internal(format!("stored CA {id}: {e}")))
}

pub async fn save(tx: &mut Txn, ca: &StoredAuthority) -> Result<(), ApiError> {
    let value = serde_json::to_value(ca).map_err(|e| ApiError::internal(e.to_string()))?;
    tx.put(AUTHORITIES, &record_key(&ca.account, &ca.region, &ca.id), &value).await.map_err(store_error)
}

pub async fn list(tx: &mut Txn, account: &str, region: &str) -> Result<Vec<StoredAuthority>, ApiError> {
    let rows = tx.scan(AUTHORITIES, &format!("{account}/{region}/"), None, usize::MAX).await.map_err(store_error)?;
    rows.into_iter()
        .map(|(key, value)| serde_json::from_value(value).map_err(|e| ApiError::internal(format!("stored CA {key}: {e}"))))
        .collect()
}

/// The CA an ARN names, whatever its state, for whoever holds a `tx`.
pub async fn find_by_arn(tx: &mut Txn, arn: &str) -> Result<StoredAuthority, ApiError> {
    let (account, region, id) = parse_arn(arn).ok_or_else(|| {
        error("InvalidArnException", format!("The ARN {arn} is not a valid certificate authority ARN."))
    })?;
    load(tx, &account, &region, &id)
        .await?
        .ok_or_else(|| error("ResourceNotFoundException", format!("Could not find certificate authority {arn}.")))
}

/// The operations a CA's resource policy can open to other accounts, as in AWS.
const SHAREABLE_OPERATIONS: [&str; 6] = [
    "IssueCertificate",
    "GetCertificate",
    "GetCertificateAuthorityCertificate",
    "DescribeCertificateAuthority",
    "ListPermissions",
    "ListTags",
];

/// The CA an input's ARN names, in the caller's region; in the caller's account, or in another
/// for the operations a resource policy can share (the authorizer has judged that policy
/// already). A CA deleted past its restoration window no longer exists.
pub async fn find(tx: &mut Txn, ctx: &RequestContext, arn: &str) -> Result<StoredAuthority, ApiError> {
    let ca = find_by_arn(tx, arn).await?;
    let gone = ca.restorable_until.is_some_and(|until| ctx.time > until);
    let reachable = ca.account == ctx.account() || SHAREABLE_OPERATIONS.contains(&ctx.operation);
    if !reachable || ca.region != ctx.region || gone {
        return Err(error("ResourceNotFoundException", format!("Could not find certificate authority {arn}.")));
    }
    Ok(ca)
}

fn issued_key(ca: &StoredAuthority, serial: &str) -> String {
    format!("{}/{}", record_key(&ca.account, &ca.region, &ca.id), serial)
}

pub async fn save_issued(tx: &mut Txn, ca: &StoredAuthority, cert: &IssuedCertificate) -> Result<(), ApiError> {
    let value = serde_json::to_value(cert).map_err(|e| ApiError::internal(e.to_string()))?;
    tx.put(ISSUED, &issued_key(ca, &cert.serial), &value).await.map_err(store_error)
}

pub async fn load_issued(tx: &mut Txn, ca: &StoredAuthority, serial: &str) -> Result<Option<IssuedCertificate>, ApiError> {
    let Some(value) = tx.get(ISSUED, &issued_key(ca, serial)).await.map_err(store_error)? else { return Ok(None) };
    serde_json::from_value(value).map(Some).map_err(|e| ApiError::internal(format!("stored certificate {serial}: {e}")))
}

/// A serial as given (`4c:1f:...`, any case, with or without colons) in the stored form.
pub fn normalize_serial(serial: &str) -> Option<String> {
    let hex: String = serial.chars().filter(|c| *c != ':').collect::<String>().to_ascii_lowercase();
    (!hex.is_empty() && hex.len().is_multiple_of(2) && hex.bytes().all(|b| b.is_ascii_hexdigit())).then_some(hex)
}

pub fn serial_bytes(hex: &str) -> Vec<u8> {
    (0..hex.len()).step_by(2).filter_map(|i| u8::from_str_radix(&hex[i..i + 2], 16).ok()).collect()
}
