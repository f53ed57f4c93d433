//! The service control policies that apply to an account, level by level from the root, for
//! the policy engine.

use policy::{
    authorizer::{NamedPolicy, OrganizationPolicies},
    PolicyType,
};
use store::Txn;
use wire::ApiError;

use super::organization_of;

/// The SCPs along the account's path (root, each OU, the account), or `None` when the account
/// is in no organization or SCPs are not enabled. The management account is exempt.
pub async fn for_account(tx: &mut Txn, account: &str) -> Result<Option<OrganizationPolicies>, ApiError> {
    let Some(org) = organization_of(tx, account).await? else { return Ok(None) };
    if !org.enabled_policy_types.iter().any(|t| t == "SERVICE_CONTROL_POLICY") {
        return Ok(None);
    }
    let levels = org
        .path_to(account)
        .iter()
        .map(|target| {
            org.attachments
                .get(target)
                .into_iter()
                .flatten()
                .filter_map(|id| org.policies.get(id))
                .filter(|p| p.kind == "SERVICE_CONTROL_POLICY")
                .filter_map(|p| policy::parse_policy(&p.content, PolicyType::ServiceControl).ok().map(|doc| NamedPolicy::new(&p.id, doc)))
                .collect()
        })
        .collect();
    Ok(Some(OrganizationPolicies { levels, management_account: org.management_account == account }))
}
