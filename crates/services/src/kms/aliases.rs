//! CreateAlias, ListAliases, UpdateAlias, DeleteAlias: display names that point at a key in the
//! same account and region.

use gateway::{Reply, RequestContext};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use store::{Store, Txn};
use wire::ApiError;

use super::{error, key_ref, store_error};
use crate::input::from_input;

pub const ALIASES: &str = "kms.alias";
const RESERVED_PREFIX: &str = "alias/aws/";
const DEFAULT_LIST_LIMIT: usize = 50;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredAlias {
    pub name: String,
    pub arn: String,
    pub target_key_id: String,
    pub creation_date: f64,
    pub last_updated_date: f64,
}

impl StoredAlias {
    fn entry(&self) -> Value {
        json!({
            "AliasName": self.name,
            "AliasArn": self.arn,
            "TargetKeyId": self.target_key_id,
            "CreationDate": self.creation_date,
            "LastUpdatedDate": self.last_updated_date,
        })
    }
}

pub fn alias_arn(region: &str, account: &str, name: &str) -> String {
    format!("arn:aws:kms:{region}:{account}:{name}")
}

pub fn record_key(account: &str, region: &str, name: &str) -> String {
    format!("{account}/{region}/{name}")
}

pub async fn load(tx: &mut Txn, account: &str, region: &str, name: &str) -> Result<Option<StoredAlias>, ApiError> {
    let value = tx.get(ALIASES, &record_key(account, region, name)).await.map_err(store_error)?;
    Ok(value.and_then(|v| serde_json::from_value(v).ok()))
}

pub(super) async fn save(tx: &mut Txn, account: &str, region: &str, alias: &StoredAlias) -> Result<(), ApiError> {
    let value = serde_json::to_value(alias).map_err(|e| ApiError::internal(e.to_string()))?;
    tx.put(ALIASES, &record_key(account, region, &alias.name), &value).await.map_err(store_error)
}

/// Every alias of an account in a region, in name order.
pub async fn list(tx: &mut Txn, account: &str, region: &str) -> Result<Vec<StoredAlias>, ApiError> {
    let rows = tx.scan(ALIASES, &format!("{account}/{region}/"), None, usize::MAX).await.map_err(store_error)?;
    Ok(rows.into_iter().filter_map(|(_, v)| serde_json::from_value(v).ok()).collect())
}

/// Removes the aliases of a deleted key.
pub async fn delete_for_key(tx: &mut Txn, account: &str, region: &str, key_id: &str) -> Result<(), ApiError> {
    for alias in list(tx, account, region).await?.into_iter().filter(|a| a.target_key_id == key_id) {
        tx.delete(ALIASES, &record_key(account, region, &alias.name)).await.map_err(store_error)?;
    }
    Ok(())
}

/// `alias/` and then letters, digits, `/`, `_` and `-`; `alias/aws/` belongs to AWS managed keys.
fn check_alias_name(name: &str) -> Result<(), ApiError> {
    let Some(rest) = name.strip_prefix("alias/") else {
        return Err(error("ValidationException", format!("Alias must start with the prefix \"alias/\": {name}")));
    };
    if name.starts_with(RESERVED_PREFIX) {
        return Err(error("NotAuthorizedException", format!("Cannot create alias {name}: the alias/aws/ prefix is reserved for AWS managed keys.")));
    }
    let valid = !rest.is_empty() && rest.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '_' | '-'));
    if !valid {
        return Err(error("InvalidAliasNameException", format!("Alias name {name} is not valid: use letters, digits, '/', '_' and '-' after alias/.")));
    }
    Ok(())
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CreateAliasRequest {
    alias_name: String,
    target_key_id: String,
}

pub async fn create_alias(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: CreateAliasRequest = from_input(input)?;
    check_alias_name(&request.alias_name)?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let key = key_ref::find_key_by_id(&mut tx, ctx, &request.target_key_id).await?;
    key.require_not_pending()?;
    let arn = alias_arn(&ctx.region, ctx.account(), &request.alias_name);
    if load(&mut tx, ctx.account(), &ctx.region, &request.alias_name).await?.is_some() {
        return Err(error("AlreadyExistsException", format!("An alias with the name {arn} already exists")));
    }
    let alias = StoredAlias {
        name: request.alias_name,
        arn: arn.clone(),
        target_key_id: key.key_id.clone(),
        creation_date: ctx.time,
        last_updated_date: ctx.time,
    };
    save(&mut tx, ctx.account(), &ctx.region, &alias).await?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({})).resource("AWS::KMS::Alias", arn).resource("AWS::KMS::Key", key.arn))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListAliasesRequest {
    key_id: Option<String>,
    limit: Option<usize>,
    marker: Option<String>,
}

pub async fn list_aliases(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: ListAliasesRequest = from_input(input)?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let target = match &request.key_id {
        Some(key) => Some(key_ref::find_key_by_id(&mut tx, ctx, key).await?.key_id),
        None => None,
    };
    let aliases: Vec<StoredAlias> = list(&mut tx, ctx.account(), &ctx.region)
        .await?
        .into_iter()
        .filter(|a| target.as_ref().is_none_or(|t| &a.target_key_id == t))
        .filter(|a| request.marker.as_ref().is_none_or(|m| &a.name > m))
        .collect();
    let limit = request.limit.unwrap_or(DEFAULT_LIST_LIMIT);
    let truncated = aliases.len() > limit;
    let page = &aliases[..aliases.len().min(limit)];
    let mut out = json!({
        "Aliases": page.iter().map(StoredAlias::entry).collect::<Vec<_>>(),
        "Truncated": truncated,
    });
    if truncated {
        if let Some(last) = page.last() {
            out["NextMarker"] = json!(last.name);
        }
    }
    Ok(Reply::new(out))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UpdateAliasRequest {
    alias_name: String,
    target_key_id: String,
}

/// The new key must be of the same type and usage as the old one, so the alias keeps working
/// for whatever uses it.
pub async fn update_alias(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: UpdateAliasRequest = from_input(input)?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let arn = alias_arn(&ctx.region, ctx.account(), &request.alias_name);
    let mut alias = load(&mut tx, ctx.account(), &ctx.region, &request.alias_name)
        .await?
        .ok_or_else(|| error("NotFoundException", format!("Alias {arn} is not found.")))?;
    let new_key = key_ref::find_key_by_id(&mut tx, ctx, &request.target_key_id).await?;
    new_key.require_not_pending()?;
    if let Ok(old_key) = key_ref::load_key(&mut tx, ctx.account(), &ctx.region, &alias.target_key_id, ctx.time).await {
        if old_key.spec() != new_key.spec() || old_key.usage() != new_key.usage() {
            return Err(error(
                "ValidationException",
                format!(
                    "{} is not the same key type and key usage as the key {} points to.",
                    new_key.arn, request.alias_name
                ),
            ));
        }
    }
    alias.target_key_id = new_key.key_id.clone();
    alias.last_updated_date = ctx.time;
    save(&mut tx, ctx.account(), &ctx.region, &alias).await?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({})).resource("AWS::KMS::Alias", arn).resource("AWS::KMS::Key", new_key.arn))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DeleteAliasRequest {
    alias_name: String,
}

pub async fn delete_alias(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: DeleteAliasRequest = from_input(input)?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let arn = alias_arn(&ctx.region, ctx.account(), &request.alias_name);
    if !tx.delete(ALIASES, &record_key(ctx.account(), &ctx.region, &request.alias_name)).await.map_err(store_error)? {
        return Err(error("NotFoundException", format!("Alias {arn} is not found.")));
    }
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({})).resource("AWS::KMS::Alias", arn))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alias_names_start_with_alias_and_avoid_the_aws_prefix() {
        assert!(check_alias_name("alias/app/prod_key-1").is_ok());
        assert_eq!(check_alias_name("app").unwrap_err().code, "ValidationException");
        assert_eq!(check_alias_name("alias/aws/ebs").unwrap_err().code, "NotAuthorizedException");
        assert_eq!(check_alias_name("alias/").unwrap_err().code, "InvalidAliasNameException");
        assert_eq!(check_alias_name("alias/a:b").unwrap_err().code, "InvalidAliasNameException");
    }
}
