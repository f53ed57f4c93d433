//! The organization, its root, organizational units and member accounts.

use std::collections::BTreeMap;

use gateway::{Reply, RequestContext};
use rand::RngExt;
use serde_json::{json, Value};
use store::Store;
use wire::ApiError;

use crate::input::text;

use super::{
    error, organization_of, random_id, require_management, require_organization, save, store_error, MemberAccount,
    Organization, OrganizationalUnit, OrgPolicy, FULL_AWS_ACCESS, FULL_AWS_ACCESS_ID, MEMBERSHIPS,
};
use crate::iam::{entities, ids, EntityKind};

/// The role CreateAccount makes in a new account, trusted by the management account.
const DEFAULT_ACCESS_ROLE: &str = "OrganizationAccountAccessRole";
const ADMINISTRATOR_ACCESS: &str = "arn:aws:iam::aws:policy/AdministratorAccess";


fn organization_view(org: &Organization) -> Value {
    let mut types = vec![];
    for kind in &org.enabled_policy_types {
        types.push(json!({ "Type": kind, "Status": "ENABLED" }));
    }
    json!({
        "Id": org.id,
        "Arn": org.arn(),
        "FeatureSet": org.feature_set,
        "MasterAccountArn": format!("arn:aws:organizations::{0}:account/{1}/{0}", org.management_account, org.id),
        "MasterAccountId": org.management_account,
        "MasterAccountEmail": org.accounts.get(&org.management_account).map(|a| a.email.clone()).unwrap_or_default(),
        "AvailablePolicyTypes": types,
    })
}

fn account_view(org: &Organization, account: &MemberAccount) -> Value {
    json!({
        "Id": account.id,
        "Arn": format!("arn:aws:organizations::{}:account/{}/{}", org.management_account, org.id, account.id),
        "Email": account.email,
        "Name": account.name,
        "Status": "ACTIVE",
        "State": "ACTIVE",
        "JoinedMethod": account.joined_method,
        "JoinedTimestamp": account.joined,
    })
}

pub async fn create_organization(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let mut tx = store.begin().await.map_err(store_error)?;
    if organization_of(&mut tx, ctx.account()).await?.is_some() {
        return Err(error("AlreadyInOrganizationException", "The AWS account is already a member of an organization."));
    }
    let id = random_id("o-", 10);
    let management = MemberAccount {
        id: ctx.account().to_owned(),
        name: "management".to_owned(),
        email: format!("{}@palisade.localhost", ctx.account()),
        parent: String::new(),
        joined_method: "INVITED".to_owned(),
        joined: ctx.time.floor(),
        create_request_id: None,
    };
    let root_id = random_id("r-", 4);
    let mut org = Organization {
        feature_set: text(&input, "FeatureSet").unwrap_or("ALL").to_owned(),
        management_account: ctx.account().to_owned(),
        enabled_policy_types: Vec::new(),
        accounts: BTreeMap::new(),
        units: BTreeMap::new(),
        policies: BTreeMap::new(),
        attachments: BTreeMap::new(),
        root_id: root_id.clone(),
        id,
    };
    org.accounts.insert(management.id.clone(), MemberAccount { parent: root_id, ..management });
    org.policies.insert(
        FULL_AWS_ACCESS_ID.to_owned(),
        OrgPolicy {
            id: FULL_AWS_ACCESS_ID.to_owned(),
            name: "FullAWSAccess".to_owned(),
            description: "Allows access to every operation".to_owned(),
            kind: "SERVICE_CONTROL_POLICY".to_owned(),
            content: FULL_AWS_ACCESS.to_owned(),
            aws_managed: true,
        },
    );
    save(&mut tx, &org).await?;
    tx.put(MEMBERSHIPS, ctx.account(), &json!(org.id)).await.map_err(store_error)?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({ "Organization": organization_view(&org) })))
}

pub async fn describe_organization(store: &Store, ctx: &RequestContext) -> Result<Reply, ApiError> {
    let mut tx = store.begin().await.map_err(store_error)?;
    let org = require_organization(&mut tx, ctx).await?;
    Ok(Reply::new(json!({ "Organization": organization_view(&org) })))
}

pub async fn list_roots(store: &Store, ctx: &RequestContext) -> Result<Reply, ApiError> {
    let mut tx = store.begin().await.map_err(store_error)?;
    let org = require_organization(&mut tx, ctx).await?;
    let types: Vec<Value> = org.enabled_policy_types.iter().map(|t| json!({ "Type": t, "Status": "ENABLED" })).collect();
    Ok(Reply::new(json!({ "Roots": [{ "Id": org.root_id, "Arn": org.root_arn(), "Name": "Root", "PolicyTypes": types }] })))
}

/// CreateAccount makes a real member account at once: its id, and the role through which the
/// management account administers it (trusting the management account, AdministratorAccess).
pub async fn create_account(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let name = text(&input, "AccountName").unwrap_or_default().to_owned();
    let email = text(&input, "Email").unwrap_or_default().to_owned();
    let role_name = text(&input, "RoleName").unwrap_or(DEFAULT_ACCESS_ROLE).to_owned();
    let mut tx = store.begin().await.map_err(store_error)?;
    let mut org = require_organization(&mut tx, ctx).await?;
    require_management(ctx, &org)?;
    let account_id: String = {
        let mut rng = rand::rng();
        (0..12).map(|i| char::from(b'0' + rng.random_range(if i == 0 { 1 } else { 0 }..10))).collect()
    };
    let request_id = random_id("car-", 32);
    let trust = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{}:root"}},"Action":"sts:AssumeRole"}}]}}"#,
        org.management_account
    );
    let role = entities::Entity {
        kind: EntityKind::Role,
        account: account_id.clone(),
        name: role_name.clone(),
        id: ids::unique_id("AROA"),
        path: "/".to_owned(),
        arn: format!("arn:aws:iam::{account_id}:role/{role_name}"),
        create_date: ctx.time.floor(),
        tags: Vec::new(),
        inline_policies: BTreeMap::new(),
        attached_policies: vec![ADMINISTRATOR_ACCESS.to_owned()],
        permissions_boundary: None,
        assume_role_policy: Some(trust),
        description: None,
        max_session_duration: Some(3600),
        members: Vec::new(),
        access_keys: Vec::new(),
    };
    entities::save(&mut tx, &role).await?;
    org.accounts.insert(
        account_id.clone(),
        MemberAccount {
            id: account_id.clone(),
            name: name.clone(),
            email,
            parent: org.root_id.clone(),
            joined_method: "CREATED".to_owned(),
            joined: ctx.time.floor(),
            create_request_id: Some(request_id.clone()),
        },
    );
    if org.enabled_policy_types.iter().any(|t| t == "SERVICE_CONTROL_POLICY") {
        org.attachments.entry(account_id.clone()).or_default().push(FULL_AWS_ACCESS_ID.to_owned());
    }
    save(&mut tx, &org).await?;
    tx.put(MEMBERSHIPS, &account_id, &json!(org.id)).await.map_err(store_error)?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({ "CreateAccountStatus": create_status(&request_id, &name, &account_id, ctx.time.floor()) })))
}

fn create_status(request_id: &str, name: &str, account_id: &str, time: f64) -> Value {
    json!({
        "Id": request_id,
        "AccountName": name,
        "State": "SUCCEEDED",
        "RequestedTimestamp": time,
        "CompletedTimestamp": time,
        "AccountId": account_id,
    })
}

pub async fn describe_create_account_status(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let wanted = text(&input, "CreateAccountRequestId").unwrap_or_default();
    let mut tx = store.begin().await.map_err(store_error)?;
    let org = require_organization(&mut tx, ctx).await?;
    let account = org
        .accounts
        .values()
        .find(|a| a.create_request_id.as_deref() == Some(wanted))
        .ok_or_else(|| error("CreateAccountStatusNotFoundException", format!("We can't find a create account request with the ID {wanted}.")))?;
    Ok(Reply::new(json!({ "CreateAccountStatus": create_status(wanted, &account.name, &account.id, account.joined) })))
}

pub async fn list_accounts(store: &Store, ctx: &RequestContext) -> Result<Reply, ApiError> {
    let mut tx = store.begin().await.map_err(store_error)?;
    let org = require_organization(&mut tx, ctx).await?;
    let accounts: Vec<Value> = org.accounts.values().map(|a| account_view(&org, a)).collect();
    Ok(Reply::new(json!({ "Accounts": accounts })))
}

pub async fn describe_account(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let id = text(&input, "AccountId").unwrap_or_default();
    let mut tx = store.begin().await.map_err(store_error)?;
    let org = require_organization(&mut tx, ctx).await?;
    let account = org
        .accounts
        .get(id)
        .ok_or_else(|| error("AccountNotFoundException", format!("You specified an account that doesn't exist: {id}")))?;
    Ok(Reply::new(json!({ "Account": account_view(&org, account) })))
}

pub async fn move_account(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let id = text(&input, "AccountId").unwrap_or_default();
    let source = text(&input, "SourceParentId").unwrap_or_default();
    let destination = text(&input, "DestinationParentId").unwrap_or_default();
    let mut tx = store.begin().await.map_err(store_error)?;
    let mut org = require_organization(&mut tx, ctx).await?;
    require_management(ctx, &org)?;
    if destination != org.root_id && !org.units.contains_key(destination) {
        return Err(error("DestinationParentNotFoundException", format!("We can't find the destination parent {destination}.")));
    }
    let account = org
        .accounts
        .get_mut(id)
        .ok_or_else(|| error("AccountNotFoundException", format!("You specified an account that doesn't exist: {id}")))?;
    if account.parent != source {
        return Err(error("SourceParentNotFoundException", format!("The account {id} is not in the parent {source}.")));
    }
    account.parent = destination.to_owned();
    save(&mut tx, &org).await?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({})))
}

fn unit_view(org: &Organization, unit: &OrganizationalUnit) -> Value {
    json!({
        "Id": unit.id,
        "Arn": format!("arn:aws:organizations::{}:ou/{}/{}", org.management_account, org.id, unit.id),
        "Name": unit.name,
    })
}

pub async fn create_organizational_unit(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let parent = text(&input, "ParentId").unwrap_or_default().to_owned();
    let name = text(&input, "Name").unwrap_or_default().to_owned();
    let mut tx = store.begin().await.map_err(store_error)?;
    let mut org = require_organization(&mut tx, ctx).await?;
    require_management(ctx, &org)?;
    if parent != org.root_id && !org.units.contains_key(&parent) {
        return Err(error("ParentNotFoundException", format!("We can't find a root or OU with the ParentId {parent}.")));
    }
    if org.units.values().any(|u| u.parent == parent && u.name == name) {
        return Err(error("DuplicateOrganizationalUnitException", "An OU with the same name already exists."));
    }
    let id = format!("ou-{}-{}", org.root_id.trim_start_matches("r-"), random_id("", 8));
    let unit = OrganizationalUnit { id: id.clone(), name, parent };
    let view = unit_view(&org, &unit);
    org.units.insert(id.clone(), unit);
    if org.enabled_policy_types.iter().any(|t| t == "SERVICE_CONTROL_POLICY") {
        org.attachments.entry(id).or_default().push(FULL_AWS_ACCESS_ID.to_owned());
    }
    save(&mut tx, &org).await?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({ "OrganizationalUnit": view })))
}

pub async fn list_organizational_units(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let parent = text(&input, "ParentId").unwrap_or_default();
    let mut tx = store.begin().await.map_err(store_error)?;
    let org = require_organization(&mut tx, ctx).await?;
    let units: Vec<Value> = org.units.values().filter(|u| u.parent == parent).map(|u| unit_view(&org, u)).collect();
    Ok(Reply::new(json!({ "OrganizationalUnits": units })))
}
