//! AWS Identity and Access Management: users, groups, roles, managed and inline policies,
//! permissions boundaries and access keys. IAM is global: its entities live in the account,
//! not in a region.

mod access_advisor;
pub mod access_keys;
mod account;
pub mod authorization_reference;
mod authorizer;
mod aws_managed;
mod condition_context;
mod credential_report;
pub mod entities;
pub mod ids;
mod inline_policies;
mod instance_profiles;
mod login_profiles;
mod managed_policies;
pub mod mfa;
pub mod oidc_providers;
mod password_policy;
mod policy_cache;
mod policy_document;
mod principal_policies;
mod request_tags;
mod resource_tags;
mod resources;
pub mod saml_providers;
mod simulator;

pub use authorizer::PolicyAuthorizer;
pub use entities::EntityKind;

use std::sync::Arc;

use gateway::{RequestContext, Service, ServiceFuture};
use serde_json::Value;
use store::{Sealer, Store};
use wire::ApiError;

pub struct Iam {
    store: Store,
    sealer: Arc<Sealer>,
}

impl Iam {
    pub fn new(store: Store, sealer: Arc<Sealer>) -> Self {
        Iam { store, sealer }
    }
}

impl Service for Iam {
    fn id(&self) -> &'static str {
        "iam"
    }

    fn call<'a>(&'a self, ctx: &'a RequestContext, input: Value) -> Option<ServiceFuture<'a>> {
        use entities::EntityKind::{Group, Role, User};
        let store = &self.store;
        Some(match ctx.operation {
            "CreateUser" => Box::pin(entities::create(store, ctx, User, input)),
            "CreateRole" => Box::pin(entities::create(store, ctx, Role, input)),
            "CreateGroup" => Box::pin(entities::create(store, ctx, Group, input)),
            "GetUser" => Box::pin(entities::get(store, ctx, User, input)),
            "GetRole" => Box::pin(entities::get(store, ctx, Role, input)),
            "GetGroup" => Box::pin(entities::get_group(store, ctx, input)),
            "ListUsers" => Box::pin(entities::list(store, ctx, User, input)),
            "ListRoles" => Box::pin(entities::list(store, ctx, Role, input)),
            "ListGroups" => Box::pin(entities::list(store, ctx, Group, input)),
            "DeleteUser" => Box::pin(entities::delete(store, ctx, User, input)),
            "DeleteRole" => Box::pin(entities::delete(store, ctx, Role, input)),
            "DeleteGroup" => Box::pin(entities::delete(store, ctx, Group, input)),
            "UpdateRole" => Box::pin(entities::update_role(store, ctx, input)),
            "UpdateAssumeRolePolicy" => Box::pin(entities::update_assume_role_policy(store, ctx, input)),
            "AddUserToGroup" => Box::pin(entities::add_user_to_group(store, ctx, input)),
            "RemoveUserFromGroup" => Box::pin(entities::remove_user_from_group(store, ctx, input)),
            "ListGroupsForUser" => Box::pin(entities::list_groups_for_user(store, ctx, input)),
            "TagUser" => Box::pin(entities::tag(store, ctx, User, input)),
            "TagRole" => Box::pin(entities::tag(store, ctx, Role, input)),
            "UntagUser" => Box::pin(entities::untag(store, ctx, User, input)),
            "UntagRole" => Box::pin(entities::untag(store, ctx, Role, input)),
            "ListUserTags" => Box::pin(entities::list_tags(store, ctx, User, input)),
            "ListRoleTags" => Box::pin(entities::list_tags(store, ctx, Role, input)),
            "PutUserPermissionsBoundary" => Box::pin(entities::put_boundary(store, ctx, User, input)),
            "PutRolePermissionsBoundary" => Box::pin(entities::put_boundary(store, ctx, Role, input)),
            "DeleteUserPermissionsBoundary" => Box::pin(entities::delete_boundary(store, ctx, User, input)),
            "DeleteRolePermissionsBoundary" => Box::pin(entities::delete_boundary(store, ctx, Role, input)),
            "AttachUserPolicy" => Box::pin(entities::attach(store, ctx, User, input)),
            "AttachRolePolicy" => Box::pin(entities::attach(store, ctx, Role, input)),
            "AttachGroupPolicy" => Box::pin(entities::attach(store, ctx, Group, input)),
            "DetachUserPolicy" => Box::pin(entities::detach(store, ctx, User, input)),
            "DetachRolePolicy" => Box::pin(entities::detach(store, ctx, Role, input)),
            "DetachGroupPolicy" => Box::pin(entities::detach(store, ctx, Group, input)),
            "ListAttachedUserPolicies" => Box::pin(entities::list_attached(store, ctx, User, input)),
            "ListAttachedRolePolicies" => Box::pin(entities::list_attached(store, ctx, Role, input)),
            "ListAttachedGroupPolicies" => Box::pin(entities::list_attached(store, ctx, Group, input)),
            "PutUserPolicy" => Box::pin(inline_policies::put(store, ctx, User, input)),
            "PutRolePolicy" => Box::pin(inline_policies::put(store, ctx, Role, input)),
            "PutGroupPolicy" => Box::pin(inline_policies::put(store, ctx, Group, input)),
            "GetUserPolicy" => Box::pin(inline_policies::get(store, ctx, User, input)),
            "GetRolePolicy" => Box::pin(inline_policies::get(store, ctx, Role, input)),
            "GetGroupPolicy" => Box::pin(inline_policies::get(store, ctx, Group, input)),
            "DeleteUserPolicy" => Box::pin(inline_policies::delete(store, ctx, User, input)),
            "DeleteRolePolicy" => Box::pin(inline_policies::delete(store, ctx, Role, input)),
            "DeleteGroupPolicy" => Box::pin(inline_policies::delete(store, ctx, Group, input)),
            "ListUserPolicies" => Box::pin(inline_policies::list(store, ctx, User, input)),
            "ListRolePolicies" => Box::pin(inline_policies::list(store, ctx, Role, input)),
            "ListGroupPolicies" => Box::pin(inline_policies::list(store, ctx, Group, input)),
            "CreatePolicy" => Box::pin(managed_policies::create_policy(store, ctx, input)),
            "GetPolicy" => Box::pin(managed_policies::get_policy(store, ctx, input)),
            "ListPolicies" => Box::pin(managed_policies::list_policies(store, ctx, input)),
            "DeletePolicy" => Box::pin(managed_policies::delete_policy(store, ctx, input)),
            "CreatePolicyVersion" => Box::pin(managed_policies::create_policy_version(store, ctx, input)),
            "GetPolicyVersion" => Box::pin(managed_policies::get_policy_version(store, ctx, input)),
            "ListPolicyVersions" => Box::pin(managed_policies::list_policy_versions(store, ctx, input)),
            "DeletePolicyVersion" => Box::pin(managed_policies::delete_policy_version(store, ctx, input)),
            "SetDefaultPolicyVersion" => Box::pin(managed_policies::set_default_policy_version(store, ctx, input)),
            "ListEntitiesForPolicy" => Box::pin(managed_policies::list_entities_for_policy(store, ctx, input)),
            "CreateAccessKey" => Box::pin(access_keys::create_access_key(store, &self.sealer, ctx, input)),
            "ListAccessKeys" => Box::pin(access_keys::list_access_keys(store, ctx, input)),
            "UpdateAccessKey" => Box::pin(access_keys::update_access_key(store, ctx, input)),
            "DeleteAccessKey" => Box::pin(access_keys::delete_access_key(store, ctx, input)),
            "GetAccessKeyLastUsed" => Box::pin(access_keys::get_access_key_last_used(store, ctx, input)),
            "SimulatePrincipalPolicy" => Box::pin(simulator::simulate_principal_policy(store, ctx, input)),
            "SimulateCustomPolicy" => Box::pin(simulator::simulate_custom_policy(ctx, input)),
            "GetContextKeysForPrincipalPolicy" => Box::pin(simulator::get_context_keys_for_principal_policy(store, ctx, input)),
            "GetContextKeysForCustomPolicy" => Box::pin(simulator::get_context_keys_for_custom_policy(input)),
            "CreateVirtualMFADevice" => Box::pin(mfa::create_virtual_mfa_device(store, &self.sealer, ctx, input)),
            "EnableMFADevice" => Box::pin(mfa::enable_mfa_device(store, &self.sealer, ctx, input)),
            "DeactivateMFADevice" => Box::pin(mfa::deactivate_mfa_device(store, ctx, input)),
            "DeleteVirtualMFADevice" => Box::pin(mfa::delete_virtual_mfa_device(store, ctx, input)),
            "ListMFADevices" => Box::pin(mfa::list_mfa_devices(store, ctx, input)),
            "GenerateCredentialReport" => Box::pin(credential_report::generate(store, ctx)),
            "GetCredentialReport" => Box::pin(credential_report::get(store, ctx)),
            "GenerateServiceLastAccessedDetails" => Box::pin(access_advisor::generate_service_last_accessed_details(store, ctx, input)),
            "GetServiceLastAccessedDetails" => Box::pin(access_advisor::get_service_last_accessed_details(store, ctx, input)),
            "GetServiceLastAccessedDetailsWithEntities" => Box::pin(access_advisor::get_service_last_accessed_details_with_entities(store, ctx, input)),
            "CreateInstanceProfile" => Box::pin(instance_profiles::create_instance_profile(store, ctx, input)),
            "GetInstanceProfile" => Box::pin(instance_profiles::get_instance_profile(store, ctx, input)),
            "DeleteInstanceProfile" => Box::pin(instance_profiles::delete_instance_profile(store, ctx, input)),
            "AddRoleToInstanceProfile" => Box::pin(instance_profiles::add_role_to_instance_profile(store, ctx, input)),
            "RemoveRoleFromInstanceProfile" => Box::pin(instance_profiles::remove_role_from_instance_profile(store, ctx, input)),
            "ListInstanceProfiles" => Box::pin(instance_profiles::list_instance_profiles(store, ctx, input)),
            "ListInstanceProfilesForRole" => Box::pin(instance_profiles::list_instance_profiles_for_role(store, ctx, input)),
            "TagInstanceProfile" => Box::pin(instance_profiles::tag_instance_profile(store, ctx, input)),
            "UntagInstanceProfile" => Box::pin(instance_profiles::untag_instance_profile(store, ctx, input)),
            "ListInstanceProfileTags" => Box::pin(instance_profiles::list_instance_profile_tags(store, ctx, input)),
            "CreateLoginProfile" => Box::pin(login_profiles::create_login_profile(store, ctx, input)),
            "GetLoginProfile" => Box::pin(login_profiles::get_login_profile(store, ctx, input)),
            "UpdateLoginProfile" => Box::pin(login_profiles::update_login_profile(store, ctx, input)),
            "DeleteLoginProfile" => Box::pin(login_profiles::delete_login_profile(store, ctx, input)),
            "ChangePassword" => Box::pin(login_profiles::change_password(store, ctx, input)),
            "UpdateAccountPasswordPolicy" => Box::pin(password_policy::update_account_password_policy(store, ctx, input)),
            "GetAccountPasswordPolicy" => Box::pin(password_policy::get_account_password_policy(store, ctx)),
            "DeleteAccountPasswordPolicy" => Box::pin(password_policy::delete_account_password_policy(store, ctx)),
            "CreateOpenIDConnectProvider" => Box::pin(oidc_providers::create_open_id_connect_provider(store, ctx, input)),
            "GetOpenIDConnectProvider" => Box::pin(oidc_providers::get_open_id_connect_provider(store, ctx, input)),
            "DeleteOpenIDConnectProvider" => Box::pin(oidc_providers::delete_open_id_connect_provider(store, ctx, input)),
            "ListOpenIDConnectProviders" => Box::pin(oidc_providers::list_open_id_connect_providers(store, ctx)),
            "AddClientIDToOpenIDConnectProvider" => Box::pin(oidc_providers::add_client_id(store, ctx, input)),
            "RemoveClientIDFromOpenIDConnectProvider" => Box::pin(oidc_providers::remove_client_id(store, ctx, input)),
            "UpdateOpenIDConnectProviderThumbprint" => Box::pin(oidc_providers::update_thumbprint(store, ctx, input)),
            "TagOpenIDConnectProvider" => Box::pin(oidc_providers::tag(store, ctx, input)),
            "UntagOpenIDConnectProvider" => Box::pin(oidc_providers::untag(store, ctx, input)),
            "ListOpenIDConnectProviderTags" => Box::pin(oidc_providers::list_tags(store, ctx, input)),
            "CreateSAMLProvider" => Box::pin(saml_providers::create_saml_provider(store, ctx, input)),
            "GetSAMLProvider" => Box::pin(saml_providers::get_saml_provider(store, ctx, input)),
            "UpdateSAMLProvider" => Box::pin(saml_providers::update_saml_provider(store, ctx, input)),
            "DeleteSAMLProvider" => Box::pin(saml_providers::delete_saml_provider(store, ctx, input)),
            "ListSAMLProviders" => Box::pin(saml_providers::list_saml_providers(store, ctx)),
            "TagSAMLProvider" => Box::pin(saml_providers::tag(store, ctx, input)),
            "UntagSAMLProvider" => Box::pin(saml_providers::untag(store, ctx, input)),
            "ListSAMLProviderTags" => Box::pin(saml_providers::list_tags(store, ctx, input)),
            "CreateAccountAlias" => Box::pin(account::create_account_alias(store, ctx, input)),
            "DeleteAccountAlias" => Box::pin(account::delete_account_alias(store, ctx, input)),
            "ListAccountAliases" => Box::pin(account::list_account_aliases(store, ctx)),
            "GetAccountSummary" => Box::pin(account::get_account_summary(store, ctx)),
            "GetAccountAuthorizationDetails" => Box::pin(account::get_account_authorization_details(store, ctx, input)),
            _ => return None,
        })
    }

    fn resources(&self, ctx: &RequestContext, input: &Value) -> Vec<String> {
        resources::of_request(ctx, input)
    }
}

/// IAM's modeled error `shape` with `message`.
fn error(shape: &str, message: impl Into<String>) -> ApiError {
    crate::modeled_error("iam", shape, message)
}

pub fn store_error(e: store::StoreError) -> ApiError {
    ApiError::internal(format!("IAM could not reach its store: {e}"))
}
