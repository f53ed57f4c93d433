//! AWS Organizations: an organization of accounts under a root and organizational units, and
//! the service control policies that cap what every principal of a member account may do.

mod accounts;
mod policies;
pub mod scp;

use std::collections::BTreeMap;

use gateway::{RequestContext, Service, ServiceFuture};
use rand::RngExt;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use store::{Store, Txn};
use wire::ApiError;

const ORGANIZATIONS: &str = "organizations.organization";
/// Which organization an account belongs to, by account id.
const MEMBERSHIPS: &str = "organizations.membership";

/// The AWS managed SCP attached to every root, OU and account when SCPs are enabled.
pub const FULL_AWS_ACCESS_ID: &str = "p-FullAWSAccess";
const FULL_AWS_ACCESS: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;

pub struct Organizations {
    store: Store,
}

impl Organizations {
    pub fn new(store: Store) -> Self {
        Organizations { store }
    }
}

impl Service for Organizations {
    fn id(&self) -> &'static str {
        "organizations"
    }

    fn call<'a>(&'a self, ctx: &'a RequestContext, input: Value) -> Option<ServiceFuture<'a>> {
        let store = &self.store;
        Some(match ctx.operation {
            "CreateOrganization" => Box::pin(accounts::create_organization(store, ctx, input)),
            "DescribeOrganization" => Box::pin(accounts::describe_organization(store, ctx)),
            "ListRoots" => Box::pin(accounts::list_roots(store, ctx)),
            "CreateAccount" => Box::pin(accounts::create_account(store, ctx, input)),
            "DescribeCreateAccountStatus" => Box::pin(accounts::describe_create_account_status(store, ctx, input)),
            "ListAccounts" => Box::pin(accounts::list_accounts(store, ctx)),
            "DescribeAccount" => Box::pin(accounts::describe_account(store, ctx, input)),
            "MoveAccount" => Box::pin(accounts::move_account(store, ctx, input)),
            "CreateOrganizationalUnit" => Box::pin(accounts::create_organizational_unit(store, ctx, input)),
            "ListOrganizationalUnitsForParent" => Box::pin(accounts::list_organizational_units(store, ctx, input)),
            "CreatePolicy" => Box::pin(policies::create_policy(store, ctx, input)),
            "DescribePolicy" => Box::pin(policies::describe_policy(store, ctx, input)),
            "ListPolicies" => Box::pin(policies::list_policies(store, ctx, input)),
            "DeletePolicy" => Box::pin(policies::delete_policy(store, ctx, input)),
            "AttachPolicy" => Box::pin(policies::attach_policy(store, ctx, input)),
            "DetachPolicy" => Box::pin(policies::detach_policy(store, ctx, input)),
            "ListPoliciesForTarget" => Box::pin(policies::list_policies_for_target(store, ctx, input)),
            "EnablePolicyType" => Box::pin(policies::enable_policy_type(store, ctx, input, true)),
            "DisablePolicyType" => Box::pin(policies::enable_policy_type(store, ctx, input, false)),
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MemberAccount {
    pub id: String,
    pub name: String,
    pub email: String,
    pub parent: String,
    pub joined_method: String,
    pub joined: f64,
    /// The CreateAccount request that made it.
    pub create_request_id: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OrganizationalUnit {
    pub id: String,
    pub name: String,
    pub parent: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OrgPolicy {
    pub id: String,
    pub name: String,
    pub description: String,
    pub kind: String,
    pub content: String,
    pub aws_managed: bool,
}

/// An organization as stored: one document, changed in one transaction.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Organization {
    pub id: String,
    pub management_account: String,
    pub root_id: String,
    pub feature_set: String,
    /// Policy types enabled on the root (`SERVICE_CONTROL_POLICY`, ...).
    pub enabled_policy_types: Vec<String>,
    pub accounts: BTreeMap<String, MemberAccount>,
    pub units: BTreeMap<String, OrganizationalUnit>,
    pub policies: BTreeMap<String, OrgPolicy>,
    /// Policy ids attached to each target (root, OU or account id).
    pub attachments: BTreeMap<String, Vec<String>>,
}

impl Organization {
    pub fn arn(&self) -> String {
        format!("arn:aws:organizations::{}:organization/{}", self.management_account, self.id)
    }

    pub fn root_arn(&self) -> String {
        format!("arn:aws:organizations::{}:root/{}/{}", self.management_account, self.id, self.root_id)
    }

    /// The path of targets from the root down to `target`.
    pub fn path_to(&self, target: &str) -> Vec<String> {
        let mut path = vec![target.to_owned()];
        let mut current = self.accounts.get(target).map(|a| a.parent.clone()).or_else(|| self.units.get(target).map(|u| u.parent.clone()));
        while let Some(parent) = current {
            path.push(parent.clone());
            current = self.units.get(&parent).map(|u| u.parent.clone());
        }
        path.reverse();
        path
    }

    pub fn is_target(&self, id: &str) -> bool {
        id == self.root_id || self.units.contains_key(id) || self.accounts.contains_key(id)
    }
}

/// Organizations' modeled error `shape` with `message`.
fn error(shape: &str, message: impl Into<String>) -> ApiError {
    crate::modeled_error("organizations", shape, message)
}

fn store_error(e: store::StoreError) -> ApiError {
    ApiError::internal(format!("Organizations could not reach its store: {e}"))
}

fn random_id(prefix: &str, len: usize) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::rng();
    let tail: String = (0..len).map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char).collect();
    format!("{prefix}{tail}")
}

/// The organization the account belongs to, if any.
pub async fn organization_of(tx: &mut Txn, account: &str) -> Result<Option<Organization>, ApiError> {
    let Some(membership) = tx.get(MEMBERSHIPS, account).await.map_err(store_error)? else { return Ok(None) };
    let Some(org_id) = membership.as_str() else { return Ok(None) };
    let stored = tx.get(ORGANIZATIONS, org_id).await.map_err(store_error)?;
    Ok(stored.and_then(|v| serde_json::from_value(v).ok()))
}

/// The caller's organization, or AWS's refusal when it has none.
async fn require_organization(tx: &mut Txn, ctx: &RequestContext) -> Result<Organization, ApiError> {
    organization_of(tx, ctx.account()).await?.ok_or_else(|| {
        error(
            "AWSOrganizationsNotInUseException",
            "Your account is not a member of an organization.",
        )
    })
}

/// Only the management account may change the organization.
fn require_management(ctx: &RequestContext, org: &Organization) -> Result<(), ApiError> {
    if org.management_account == ctx.account() {
        return Ok(());
    }
    Err(error("AccessDeniedException", "You don't have permissions to access this resource."))
}

async fn save(tx: &mut Txn, org: &Organization) -> Result<(), ApiError> {
    let value = serde_json::to_value(org).map_err(|e| ApiError::internal(e.to_string()))?;
    tx.put(ORGANIZATIONS, &org.id, &value).await.map_err(store_error)
}
