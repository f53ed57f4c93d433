//! Who else may use a CA: PutPolicy, GetPolicy, DeletePolicy (a resource-based policy the
//! authorizer judges cross-account calls with) and CreatePermission, ListPermissions,
//! DeletePermission (what the ACM service principal may do, which managed renewal of private
//! certificates needs).

use gateway::{Reply, RequestContext};
use policy::authorizer::{NamedPolicy, ResourcePolicy, ResourcePolicyKind};
use policy::PolicyType;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use store::{Store, Txn};
use wire::ApiError;

use super::authority_record::{self, StoredAuthority};
use super::{error, store_error, AcmPca};
use crate::input::from_input;

/// The one principal permissions can name.
pub const ACM_PRINCIPAL: &str = "acm.amazonaws.com";
const DEFAULT_LIST_LIMIT: usize = 100;

/// What a service principal may do with the CA.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Permission {
    pub principal: String,
    pub source_account: Option<String>,
    pub actions: Vec<String>,
    pub created_at: f64,
}

/// Whether the CA lets ACM (acting for `account`) issue and fetch certificates by itself.
pub fn acm_may_issue(ca: &StoredAuthority, account: &str) -> bool {
    ca.permissions.iter().any(|p| {
        p.principal == ACM_PRINCIPAL
            && p.source_account.as_deref().is_none_or(|a| a == account)
            && ["IssueCertificate", "GetCertificate"].iter().all(|action| p.actions.iter().any(|a| a == action))
    })
}

/// The account owning the CA an ARN names and its resource policy, for the authorizer.
pub async fn resource_policy(store: &Store, arn: &str) -> Option<(String, Option<ResourcePolicy>)> {
    let mut tx = store.begin().await.ok()?;
    let ca = authority_record::find_by_arn(&mut tx, arn).await.ok()?;
    drop(tx);
    let policy = ca.policy.as_deref().and_then(|text| {
        // A stored policy was parsed when it was put; one that no longer parses grants nothing.
        let document = policy::parse_policy(text, PolicyType::Resource).ok()?;
        Some(ResourcePolicy { policy: NamedPolicy::new(&ca.arn, document), kind: ResourcePolicyKind::Resource })
    });
    Some((ca.account, policy))
}

fn require_live(ca: &StoredAuthority) -> Result<(), ApiError> {
    if ca.status == "DELETED" {
        return Err(error("InvalidStateException", format!("The certificate authority {} is deleted.", ca.arn)));
    }
    Ok(())
}

async fn save(mut tx: Txn, ca: &StoredAuthority) -> Result<Reply, ApiError> {
    authority_record::save(&mut tx, ca).await?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({})).resource("AWS::ACMPCA::CertificateAuthority", ca.arn.clone()))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PutPolicyRequest {
    resource_arn: String,
    policy: String,
}

pub async fn put_policy(pca: &AcmPca, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: PutPolicyRequest = from_input(input)?;
    policy::parse_policy(&request.policy, PolicyType::Resource)
        .map_err(|e| error("InvalidPolicyException", format!("The policy is not valid: {e}")))?;
    let mut tx = pca.store.begin().await.map_err(store_error)?;
    let mut ca = authority_record::find(&mut tx, ctx, &request.resource_arn).await?;
    require_live(&ca)?;
    ca.policy = Some(request.policy);
    save(tx, &ca).await
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ResourceArnRequest {
    resource_arn: String,
}

pub async fn get_policy(pca: &AcmPca, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: ResourceArnRequest = from_input(input)?;
    let mut tx = pca.store.begin().await.map_err(store_error)?;
    let ca = authority_record::find(&mut tx, ctx, &request.resource_arn).await?;
    let policy = ca
        .policy
        .clone()
        .ok_or_else(|| error("ResourceNotFoundException", format!("The certificate authority {} has no policy.", ca.arn)))?;
    Ok(Reply::new(json!({ "Policy": policy })).resource("AWS::ACMPCA::CertificateAuthority", ca.arn))
}

pub async fn delete_policy(pca: &AcmPca, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: ResourceArnRequest = from_input(input)?;
    let mut tx = pca.store.begin().await.map_err(store_error)?;
    let mut ca = authority_record::find(&mut tx, ctx, &request.resource_arn).await?;
    require_live(&ca)?;
    if ca.policy.take().is_none() {
        return Err(error("ResourceNotFoundException", format!("The certificate authority {} has no policy.", ca.arn)));
    }
    save(tx, &ca).await
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CreatePermissionRequest {
    certificate_authority_arn: String,
    principal: String,
    source_account: Option<String>,
    actions: Vec<String>,
}

pub async fn create_permission(pca: &AcmPca, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: CreatePermissionRequest = from_input(input)?;
    if request.principal != ACM_PRINCIPAL {
        return Err(error("InvalidArgsException", format!("Permissions can be given only to {ACM_PRINCIPAL}.")));
    }
    let mut tx = pca.store.begin().await.map_err(store_error)?;
    let mut ca = authority_record::find(&mut tx, ctx, &request.certificate_authority_arn).await?;
    require_live(&ca)?;
    if ca.permissions.iter().any(|p| p.principal == request.principal && p.source_account == request.source_account) {
        return Err(error("PermissionAlreadyExistsException", format!("{} already has a permission on {}.", request.principal, ca.arn)));
    }
    let mut actions = request.actions;
    actions.sort();
    actions.dedup();
    ca.permissions.push(Permission {
        principal: request.principal,
        source_account: request.source_account,
        actions,
        created_at: ctx.time,
    });
    save(tx, &ca).await
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DeletePermissionRequest {
    certificate_authority_arn: String,
    principal: String,
    source_account: Option<String>,
}

pub async fn delete_permission(pca: &AcmPca, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: DeletePermissionRequest = from_input(input)?;
    let mut tx = pca.store.begin().await.map_err(store_error)?;
    let mut ca = authority_record::find(&mut tx, ctx, &request.certificate_authority_arn).await?;
    let before = ca.permissions.len();
    ca.permissions.retain(|p| !(p.principal == request.principal && p.source_account == request.source_account));
    if ca.permissions.len() == before {
        return Err(error("ResourceNotFoundException", format!("{} has no permission on {}.", request.principal, ca.arn)));
    }
    save(tx, &ca).await
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListPermissionsRequest {
    certificate_authority_arn: String,
    max_results: Option<usize>,
    next_token: Option<String>,
}

pub async fn list_permissions(pca: &AcmPca, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: ListPermissionsRequest = from_input(input)?;
    let mut tx = pca.store.begin().await.map_err(store_error)?;
    let ca = authority_record::find(&mut tx, ctx, &request.certificate_authority_arn).await?;
    let start = match &request.next_token {
        Some(token) => token
            .parse::<usize>()
            .ok()
            .filter(|i| *i <= ca.permissions.len())
            .ok_or_else(|| error("InvalidNextTokenException", "The token is not valid."))?,
        None => 0,
    };
    let end = (start + request.max_results.unwrap_or(DEFAULT_LIST_LIMIT)).min(ca.permissions.len());
    let permissions: Vec<Value> = ca.permissions[start..end]
        .iter()
        .map(|p| {
            let mut out = json!({
                "CertificateAuthorityArn": ca.arn,
                "CreatedAt": p.created_at,
                "Principal": p.principal,
                "Actions": p.actions,
            });
            if let Some(account) = &p.source_account {
                out["SourceAccount"] = json!(account);
            }
            out
        })
        .collect();
    let mut out = json!({ "Permissions": permissions });
    if end < ca.permissions.len() {
        out["NextToken"] = json!(end.to_string());
    }
    Ok(Reply::new(out).resource("AWS::ACMPCA::CertificateAuthority", ca.arn))
}
