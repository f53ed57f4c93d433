//! CreateGrant, ListGrants, ListRetirableGrants, RetireGrant, RevokeGrant, and what grants
//! allow: each grant is judged as a key-policy statement for its grantee, so the policy engine
//! decides grant access the same way it decides key-policy access.

use std::collections::BTreeMap;

use gateway::{Reply, RequestContext};
use kms_crypto::{KeySpec, KeyUsage};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use store::{Store, Txn};
use wire::ApiError;

use super::{
    error,
    key_record::StoredKey,
    key_ref, store_error,
};
use crate::input::from_input;

const GRANTS: &str = "kms.grant";

/// AWS's quota of grants on one key.
const MAX_GRANTS_PER_KEY: usize = 50_000;

const DEFAULT_LIST_LIMIT: usize = 50;

/// Operations whose requests carry an encryption context, the only ones a grant's constraints
/// restrict.
const CONTEXT_OPERATIONS: &[&str] = &[
    "Decrypt",
    "Encrypt",
    "GenerateDataKey",
    "GenerateDataKeyWithoutPlaintext",
    "GenerateDataKeyPair",
    "GenerateDataKeyPairWithoutPlaintext",
    "ReEncryptFrom",
    "ReEncryptTo",
];

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct GrantConstraints {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    encryption_context_subset: Option<BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    encryption_context_equals: Option<BTreeMap<String, String>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct StoredGrant {
    key_arn: String,
    grant_id: String,
    name: Option<String>,
    creation_date: f64,
    grantee_principal: String,
    retiring_principal: Option<String>,
    issuing_account: String,
    operations: Vec<String>,
    constraints: Option<GrantConstraints>,
    /// The secret half of the grant's token; the token also names the grant's record.
    token_secret: String,
}

impl StoredGrant {
    fn list_entry(&self) -> Value {
        let mut entry = json!({
            "KeyId": self.key_arn,
            "GrantId": self.grant_id,
            "CreationDate": self.creation_date,
            "GranteePrincipal": self.grantee_principal,
            "IssuingAccount": self.issuing_account,
            "Operations": self.operations,
        });
        if let Some(name) = &self.name {
            entry["Name"] = json!(name);
        }
        if let Some(retiring) = &self.retiring_principal {
            entry["RetiringPrincipal"] = json!(retiring);
        }
        if let Some(constraints) = &self.constraints {
            entry["Constraints"] = json!(constraints);
        }
        entry
    }

    /// The grant as key-policy statements: one for the operations its constraints restrict,
    /// one for the rest.
    fn statements(&self) -> Vec<Value> {
        let principal = if self.grantee_principal.ends_with(".amazonaws.com") {
            json!({ "Service": self.grantee_principal })
        } else {
            json!({ "AWS": self.grantee_principal })
        };
        let action = |ops: Vec<&String>| ops.into_iter().map(|op| format!("kms:{op}")).collect::<Vec<_>>();
        let (restricted, free): (Vec<&String>, Vec<&String>) =
            self.operations.iter().partition(|op| CONTEXT_OPERATIONS.contains(&op.as_str()));
        let mut statements = Vec::new();
        let condition = self.constraints.as_ref().map(constraint_condition).filter(|c| !c.as_object().is_some_and(|o| o.is_empty()));
        match condition {
            Some(condition) if !restricted.is_empty() => {
                statements.push(json!({
                    "Sid": format!("Grant {}", self.grant_id),
                    "Effect": "Allow",
                    "Principal": principal,
                    "Action": action(restricted),
                    "Resource": "*",
                    "Condition": condition,
                }));
                if !free.is_empty() {
                    statements.push(json!({
                        "Sid": format!("Grant {} (unconstrained)", self.grant_id),
                        "Effect": "Allow",
                        "Principal": principal,
                        "Action": action(free),
                        "Resource": "*",
                    }));
                }
            }
            _ => statements.push(json!({
                "Sid": format!("Grant {}", self.grant_id),
                "Effect": "Allow",
                "Principal": principal,
                "Action": action(self.operations.iter().collect()),
                "Resource": "*",
            })),
        }
        statements
    }
}

/// Grant constraints as policy conditions. Keys compare case-insensitively (condition keys are
/// case-insensitive), values case-sensitively, as AWS documents for grant constraints.
fn constraint_condition(constraints: &GrantConstraints) -> Value {
    let mut equals = serde_json::Map::new();
    let mut condition = serde_json::Map::new();
    for pairs in [&constraints.encryption_context_subset, &constraints.encryption_context_equals].into_iter().flatten() {
        for (key, value) in pairs {
            equals.insert(format!("kms:EncryptionContext:{key}"), json!(value));
        }
    }
    if !equals.is_empty() {
        condition.insert("StringEquals".into(), Value::Object(equals));
    }
    if let Some(pairs) = &constraints.encryption_context_equals {
        let keys: Vec<&String> = pairs.keys().collect();
        condition.insert("ForAllValues:StringEqualsIgnoreCase".into(), json!({ "kms:EncryptionContextKeys": keys }));
    }
    Value::Object(condition)
}

fn grant_prefix(key: &StoredKey) -> String {
    format!("{}/", key.record_key())
}

fn random_hex(bytes: usize) -> String {
    let mut buffer = vec![0u8; bytes];
    rand::fill(buffer.as_mut_slice());
    buffer.iter().map(|b| format!("{b:02x}")).collect()
}

/// A grant token names the grant's record and carries a secret only the grant's creator saw.
fn grant_token(key: &StoredKey, grant: &StoredGrant) -> String {
    use base64::Engine;
    let text = format!("{}/{}/{}", key.record_key(), grant.grant_id, grant.token_secret);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text)
}

fn parse_grant_token(token: &str) -> Option<(String, String, String)> {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(token).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (record, secret) = text.rsplit_once('/')?;
    let (key_record, grant_id) = record.rsplit_once('/')?;
    Some((key_record.to_owned(), grant_id.to_owned(), secret.to_owned()))
}

async fn load_grants(tx: &mut Txn, key: &StoredKey) -> Result<Vec<StoredGrant>, ApiError> {
    let rows = tx.scan(GRANTS, &grant_prefix(key), None, usize::MAX).await.map_err(store_error)?;
    rows.into_iter()
        .map(|(_, value)| serde_json::from_value(value).map_err(|e| ApiError::internal(format!("a stored grant does not read: {e}"))))
        .collect()
}

async fn save_grant(tx: &mut Txn, key: &StoredKey, grant: &StoredGrant) -> Result<(), ApiError> {
    let value = serde_json::to_value(grant).map_err(|e| ApiError::internal(e.to_string()))?;
    tx.put(GRANTS, &format!("{}{}", grant_prefix(key), grant.grant_id), &value).await.map_err(store_error)
}

/// The key-policy statements the grants on the key at `record` add, for the authorizer.
pub async fn grant_statements(tx: &mut Txn, key: &StoredKey) -> Result<Vec<Value>, ApiError> {
    Ok(load_grants(tx, key).await?.iter().flat_map(StoredGrant::statements).collect())
}

/// The operations a key of this spec and usage supports, as grant operations name them.
fn supported_operations(key: &StoredKey) -> &'static [&'static str] {
    match (key.spec(), key.usage()) {
        (KeySpec::SymmetricDefault, KeyUsage::EncryptDecrypt) => &[
            "CreateGrant", "RetireGrant", "DescribeKey", "Decrypt", "Encrypt", "GenerateDataKey",
            "GenerateDataKeyWithoutPlaintext", "GenerateDataKeyPair", "GenerateDataKeyPairWithoutPlaintext",
            "ReEncryptFrom", "ReEncryptTo",
        ],
        (_, KeyUsage::EncryptDecrypt) => {
            &["CreateGrant", "RetireGrant", "DescribeKey", "Decrypt", "Encrypt", "ReEncryptFrom", "ReEncryptTo", "GetPublicKey"]
        }
        (_, KeyUsage::SignVerify) => &["CreateGrant", "RetireGrant", "DescribeKey", "Sign", "Verify", "GetPublicKey"],
        (_, KeyUsage::GenerateVerifyMac) => &["CreateGrant", "RetireGrant", "DescribeKey", "GenerateMac", "VerifyMac"],
        (_, KeyUsage::KeyAgreement) => &["CreateGrant", "RetireGrant", "DescribeKey", "DeriveSharedSecret", "GetPublicKey"],
    }
}

/// A grantee or retiring principal: an IAM or STS ARN, or an AWS service principal.
fn check_principal(member: &str, principal: &str) -> Result<(), ApiError> {
    let is_arn = (principal.starts_with("arn:aws:iam::") || principal.starts_with("arn:aws:sts::")) && principal.split(':').count() >= 6;
    if is_arn || principal.ends_with(".amazonaws.com") {
        return Ok(());
    }
    Err(error("InvalidArnException", format!("{member} '{principal}' is not a valid principal ARN or service principal.")))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CreateGrantRequest {
    key_id: String,
    grantee_principal: String,
    retiring_principal: Option<String>,
    operations: Vec<String>,
    constraints: Option<GrantConstraints>,
    name: Option<String>,
    dry_run: Option<bool>,
}

pub async fn create_grant(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: CreateGrantRequest = from_input(input)?;
    check_principal("GranteePrincipal", &request.grantee_principal)?;
    if let Some(retiring) = &request.retiring_principal {
        check_principal("RetiringPrincipal", retiring)?;
    }
    let mut tx = store.begin().await.map_err(store_error)?;
    let key = key_ref::find_key_by_id(&mut tx, ctx, &request.key_id).await?;
    key.require_not_pending()?;
    let supported = supported_operations(&key);
    if let Some(op) = request.operations.iter().find(|op| !supported.contains(&op.as_str())) {
        return Err(error(
            "ValidationException",
            format!("Grant operation {op} is not supported for {} with key usage {}.", key.arn, key.usage().as_str()),
        ));
    }
    let constraints = request.constraints.filter(|c| *c != GrantConstraints::default());
    if constraints.is_some() && key.spec() != KeySpec::SymmetricDefault {
        return Err(error(
            "ValidationException",
            "Grant constraints are supported only for symmetric encryption KMS keys.",
        ));
    }
    if request.dry_run == Some(true) {
        return Err(error("DryRunOperationException", "The request would have succeeded, but the DryRun option is set."));
    }
    let grants = load_grants(&mut tx, &key).await?;
    let same = |g: &&StoredGrant| {
        g.name == request.name
            && g.grantee_principal == request.grantee_principal
            && g.retiring_principal == request.retiring_principal
            && g.operations == request.operations
            && g.constraints == constraints
    };
    // A repeated CreateGrant with the same name and settings returns the existing grant.
    if let Some(existing) = request.name.is_some().then(|| grants.iter().find(same)).flatten() {
        let token = grant_token(&key, existing);
        return Ok(Reply::new(json!({ "GrantToken": token, "GrantId": existing.grant_id })).resource("AWS::KMS::Key", key.arn));
    }
    if grants.len() >= MAX_GRANTS_PER_KEY {
        return Err(error("LimitExceededException", format!("The key {} has reached its limit of {MAX_GRANTS_PER_KEY} grants.", key.arn)));
    }
    let grant = StoredGrant {
        key_arn: key.arn.clone(),
        grant_id: random_hex(32),
        name: request.name,
        creation_date: ctx.time,
        grantee_principal: request.grantee_principal,
        retiring_principal: request.retiring_principal,
        issuing_account: format!("arn:aws:iam::{}:root", ctx.account()),
        operations: request.operations,
        constraints,
        token_secret: random_hex(24),
    };
    save_grant(&mut tx, &key, &grant).await?;
    tx.commit().await.map_err(store_error)?;
    let token = grant_token(&key, &grant);
    Ok(Reply::new(json!({ "GrantToken": token, "GrantId": grant.grant_id })).resource("AWS::KMS::Key", key.arn))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListGrantsRequest {
    key_id: String,
    grant_id: Option<String>,
    grantee_principal: Option<String>,
    limit: Option<usize>,
    marker: Option<String>,
}

/// One page of grants, after `marker` (the last grant id of the previous page).
fn page(grants: Vec<StoredGrant>, limit: Option<usize>, marker: Option<&str>) -> Result<Value, ApiError> {
    let start = match marker {
        None => 0,
        Some(marker) => {
            grants.iter().position(|g| g.grant_id == marker).map(|i| i + 1).ok_or_else(|| error("InvalidMarkerException", "The marker is not valid."))?
        }
    };
    let limit = limit.unwrap_or(DEFAULT_LIST_LIMIT);
    let rest = &grants[start..];
    let shown = &rest[..rest.len().min(limit)];
    let mut out = json!({ "Grants": shown.iter().map(StoredGrant::list_entry).collect::<Vec<_>>(), "Truncated": rest.len() > limit });
    if rest.len() > limit {
        if let Some(last) = shown.last() {
            out["NextMarker"] = json!(last.grant_id);
        }
    }
    Ok(out)
}

pub async fn list_grants(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: ListGrantsRequest = from_input(input)?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let key = key_ref::find_key(&mut tx, ctx, &request.key_id).await?;
    let grants: Vec<StoredGrant> = load_grants(&mut tx, &key)
        .await?
        .into_iter()
        .filter(|g| request.grant_id.as_ref().is_none_or(|id| &g.grant_id == id))
        .filter(|g| request.grantee_principal.as_ref().is_none_or(|p| &g.grantee_principal == p))
        .collect();
    if let Some(id) = &request.grant_id {
        if grants.is_empty() {
            return Err(error("InvalidGrantIdException", format!("Grant ID {id} is not valid for {}.", key.arn)));
        }
    }
    Ok(Reply::new(page(grants, request.limit, request.marker.as_deref())?).resource("AWS::KMS::Key", key.arn))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListRetirableGrantsRequest {
    retiring_principal: String,
    limit: Option<usize>,
    marker: Option<String>,
}

pub async fn list_retirable_grants(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: ListRetirableGrantsRequest = from_input(input)?;
    check_principal("RetiringPrincipal", &request.retiring_principal)?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let rows = tx.scan(GRANTS, &format!("{}/{}/", ctx.account(), ctx.region), None, usize::MAX).await.map_err(store_error)?;
    let grants: Vec<StoredGrant> = rows
        .into_iter()
        .filter_map(|(_, value)| serde_json::from_value::<StoredGrant>(value).ok())
        .filter(|g| g.retiring_principal.as_deref() == Some(request.retiring_principal.as_str()))
        .collect();
    Ok(Reply::new(page(grants, request.limit, request.marker.as_deref())?))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RetireGrantRequest {
    grant_token: Option<String>,
    key_id: Option<String>,
    grant_id: Option<String>,
    dry_run: Option<bool>,
}

/// Whether the caller may retire `grant`: its retiring principal, its grantee when the grant
/// allows RetireGrant, or the account that owns the key. Permission to retire comes from the
/// grant, not from policies.
fn may_retire(ctx: &RequestContext, key: &StoredKey, grant: &StoredGrant) -> bool {
    let principal = &ctx.principal;
    let names_caller = |arn: &str| {
        arn == principal.arn || arn == format!("arn:aws:iam::{}:root", principal.account) || session_of_role(&principal.arn, arn)
    };
    grant.retiring_principal.as_deref().is_some_and(names_caller)
        || (grant.operations.iter().any(|op| op == "RetireGrant") && names_caller(&grant.grantee_principal))
        || principal.account == key.account && matches!(principal.kind, gateway::principal::PrincipalKind::Root)
}

/// Whether `session_arn` is a session of the role `role_arn`.
fn session_of_role(session_arn: &str, role_arn: &str) -> bool {
    let Some((account, role)) = role_arn.strip_prefix("arn:aws:iam::").and_then(|r| r.split_once(":role/")) else { return false };
    let role_name = role.rsplit('/').next().unwrap_or(role);
    session_arn.starts_with(&format!("arn:aws:sts::{account}:assumed-role/{role_name}/"))
}

pub async fn retire_grant(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: RetireGrantRequest = from_input(input)?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let (key, grant) = match (&request.grant_token, &request.key_id, &request.grant_id) {
        (Some(token), _, _) => {
            let invalid = || error("InvalidGrantTokenException", "The grant token is not valid.");
            let (record, grant_id, secret) = parse_grant_token(token).ok_or_else(invalid)?;
            let mut parts = record.splitn(3, '/');
            let (Some(account), Some(region), Some(key_id)) = (parts.next(), parts.next(), parts.next()) else { return Err(invalid()) };
            let key = key_ref::load_key(&mut tx, account, region, key_id, ctx.time).await.map_err(|_| invalid())?;
            let grant = load_grants(&mut tx, &key).await?.into_iter().find(|g| g.grant_id == grant_id).ok_or_else(|| {
                error("NotFoundException", format!("Grant {grant_id} does not exist on {}.", key.arn))
            })?;
            if !constant_time_eq(grant.token_secret.as_bytes(), secret.as_bytes()) {
                return Err(invalid());
            }
            (key, grant)
        }
        (None, Some(key_id), Some(grant_id)) => {
            let key = key_ref::find_key_by_id(&mut tx, ctx, key_id).await?;
            let grant = load_grants(&mut tx, &key).await?.into_iter().find(|g| &g.grant_id == grant_id).ok_or_else(|| {
                error("InvalidGrantIdException", format!("Grant ID {grant_id} is not valid for {}.", key.arn))
            })?;
            (key, grant)
        }
        _ => return Err(error("ValidationException", "Either GrantToken or both KeyId and GrantId must be specified.")),
    };
    if !may_retire(ctx, &key, &grant) {
        return Err(gateway::authorize::access_denied(
            ctx,
            format!("User: {} is not authorized to perform: kms:RetireGrant on resource: {} because the grant does not allow it", ctx.principal.arn, key.arn),
        ));
    }
    if request.dry_run == Some(true) {
        return Err(error("DryRunOperationException", "The request would have succeeded, but the DryRun option is set."));
    }
    tx.delete(GRANTS, &format!("{}{}", grant_prefix(&key), grant.grant_id)).await.map_err(store_error)?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({})).resource("AWS::KMS::Key", key.arn))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RevokeGrantRequest {
    key_id: String,
    grant_id: String,
    dry_run: Option<bool>,
}

pub async fn revoke_grant(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: RevokeGrantRequest = from_input(input)?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let key = key_ref::find_key_by_id(&mut tx, ctx, &request.key_id).await?;
    let record = format!("{}{}", grant_prefix(&key), request.grant_id);
    if tx.get(GRANTS, &record).await.map_err(store_error)?.is_none() {
        return Err(error("InvalidGrantIdException", format!("Grant ID {} is not valid for {}.", request.grant_id, key.arn)));
    }
    if request.dry_run == Some(true) {
        return Err(error("DryRunOperationException", "The request would have succeeded, but the DryRun option is set."));
    }
    tx.delete(GRANTS, &record).await.map_err(store_error)?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({})).resource("AWS::KMS::Key", key.arn))
}

/// Removes every grant on a key that no longer exists.
pub async fn delete_all(tx: &mut Txn, key: &StoredKey) -> Result<(), ApiError> {
    for grant in load_grants(tx, key).await? {
        tx.delete(GRANTS, &format!("{}{}", grant_prefix(key), grant.grant_id)).await.map_err(store_error)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(operations: &[&str], constraints: Option<GrantConstraints>) -> StoredGrant {
        StoredGrant {
            key_arn: "arn:aws:kms:us-east-1:111111111111:key/k".into(),
            grant_id: "g".into(),
            name: None,
            creation_date: 0.0,
            grantee_principal: "arn:aws:iam::111111111111:role/app".into(),
            retiring_principal: None,
            issuing_account: "arn:aws:iam::111111111111:root".into(),
            operations: operations.iter().map(|s| s.to_string()).collect(),
            constraints,
            token_secret: "s".into(),
        }
    }

    #[test]
    fn an_unconstrained_grant_is_one_statement() {
        let statements = grant(&["Decrypt", "DescribeKey"], None).statements();
        assert_eq!(statements.len(), 1);
        assert_eq!(statements[0]["Action"], json!(["kms:Decrypt", "kms:DescribeKey"]));
        assert_eq!(statements[0]["Principal"]["AWS"], "arn:aws:iam::111111111111:role/app");
    }

    #[test]
    fn constraints_restrict_only_operations_with_an_encryption_context() {
        let constraints = GrantConstraints {
            encryption_context_equals: Some(BTreeMap::from([("Dept".to_owned(), "IT".to_owned())])),
            encryption_context_subset: None,
        };
        let statements = grant(&["Decrypt", "DescribeKey"], Some(constraints)).statements();
        assert_eq!(statements.len(), 2);
        assert_eq!(statements[0]["Action"], json!(["kms:Decrypt"]));
        assert_eq!(statements[0]["Condition"]["StringEquals"]["kms:EncryptionContext:Dept"], "IT");
        assert_eq!(statements[0]["Condition"]["ForAllValues:StringEqualsIgnoreCase"]["kms:EncryptionContextKeys"], json!(["Dept"]));
        assert!(statements[1].get("Condition").is_none());
    }

    #[test]
    fn grant_tokens_name_their_grant() {
        let token = base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, "1/us-east-1/k/g/secret");
        assert_eq!(parse_grant_token(&token), Some(("1/us-east-1/k".into(), "g".into(), "secret".into())));
        assert_eq!(parse_grant_token("not base64!"), None);
    }

    #[test]
    fn a_role_session_is_named_by_its_role() {
        assert!(session_of_role("arn:aws:sts::1:assumed-role/app/s", "arn:aws:iam::1:role/app"));
        assert!(!session_of_role("arn:aws:sts::1:assumed-role/other/s", "arn:aws:iam::1:role/app"));
    }
}
