//! OpenID Connect identity providers: the issuers whose tokens AssumeRoleWithWebIdentity
//! accepts, with the audiences (client ids) and certificate thumbprints IAM trusts for them.

use gateway::{Reply, RequestContext};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use store::{Store, Txn};
use wire::ApiError;

use crate::input::required;

use super::{entities::Tag, error, resource_tags, store_error};

const OIDC_PROVIDERS: &str = "iam.oidc_provider";
/// AWS's quotas: providers per account, client ids and thumbprints per provider.
const PROVIDERS_QUOTA: usize = 100;
const CLIENT_IDS_QUOTA: usize = 100;
const THUMBPRINTS_QUOTA: usize = 5;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OidcProvider {
    pub account: String,
    pub arn: String,
    /// The issuer URL without its `https://` scheme, as IAM returns it and as trust policies
    /// name the provider's condition keys (`token.actions.githubusercontent.com:aud`).
    pub url: String,
    pub client_ids: Vec<String>,
    pub thumbprints: Vec<String>,
    pub create_date: f64,
    #[serde(default)]
    pub tags: Vec<Tag>,
}

fn strings(input: &Value, member: &str) -> Vec<String> {
    input.get(member).and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).map(str::to_owned).collect()
}

fn invalid(message: impl Into<String>) -> ApiError {
    error("InvalidInputException", message)
}

/// The issuer URL, checked as IAM does: `https://`, a host, no query or fragment.
fn issuer_host_and_path(url: &str) -> Result<String, ApiError> {
    let rest = url.strip_prefix("https://").ok_or_else(|| invalid("Invalid OpenID Connect Provider URL: it must begin with https://"))?;
    let rest = rest.trim_end_matches('/');
    if rest.is_empty() || rest.contains(['?', '#', ' ']) {
        return Err(invalid(format!("Invalid OpenID Connect Provider URL: {url}")));
    }
    Ok(rest.to_owned())
}

fn check_thumbprints(thumbprints: &[String]) -> Result<(), ApiError> {
    if thumbprints.len() > THUMBPRINTS_QUOTA {
        return Err(error("LimitExceededException", format!("Cannot exceed quota for ThumbprintsPerOpenIdConnectProvider: {THUMBPRINTS_QUOTA}")));
    }
    if let Some(bad) = thumbprints.iter().find(|t| t.len() != 40 || !t.bytes().all(|b| b.is_ascii_hexdigit())) {
        return Err(invalid(format!("Thumbprint {bad} is not a valid SHA-1 hex digest.")));
    }
    Ok(())
}

fn check_client_ids(client_ids: &[String]) -> Result<(), ApiError> {
    if client_ids.len() > CLIENT_IDS_QUOTA {
        return Err(error("LimitExceededException", format!("Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: {CLIENT_IDS_QUOTA}")));
    }
    Ok(())
}

/// The provider an ARN names, in the caller's account.
pub async fn load(tx: &mut Txn, account: &str, arn: &str) -> Result<OidcProvider, ApiError> {
    if !arn.starts_with("arn:aws:iam::") || !arn.contains(":oidc-provider/") {
        return Err(invalid(format!("ARN {arn} is not valid.")));
    }
    let stored = tx.get(OIDC_PROVIDERS, arn).await.map_err(store_error)?;
    stored
        .and_then(|v| serde_json::from_value::<OidcProvider>(v).ok())
        .filter(|p| p.account == account)
        .ok_or_else(|| error("NoSuchEntityException", format!("OpenIDConnect Provider not found for arn {arn}")))
}

async fn save(tx: &mut Txn, provider: &OidcProvider) -> Result<(), ApiError> {
    let value = serde_json::to_value(provider).map_err(|e| ApiError::internal(e.to_string()))?;
    tx.put(OIDC_PROVIDERS, &provider.arn, &value).await.map_err(store_error)
}

/// Every OIDC provider of the account.
pub async fn all(tx: &mut Txn, account: &str) -> Result<Vec<OidcProvider>, ApiError> {
    let prefix = format!("arn:aws:iam::{account}:oidc-provider/");
    let rows = tx.scan(OIDC_PROVIDERS, &prefix, None, usize::MAX).await.map_err(store_error)?;
    Ok(rows.into_iter().filter_map(|(_, v)| serde_json::from_value(v).ok()).collect())
}

pub async fn create_open_id_connect_provider(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let url = required(&input, "Url")?;
    let host_and_path = issuer_host_and_path(url)?;
    let client_ids = strings(&input, "ClientIDList");
    let thumbprints: Vec<String> = strings(&input, "ThumbprintList").into_iter().map(|t| t.to_lowercase()).collect();
    check_client_ids(&client_ids)?;
    check_thumbprints(&thumbprints)?;
    let account = ctx.account();
    let arn = format!("arn:aws:iam::{account}:oidc-provider/{host_and_path}");
    let mut tx = store.begin().await.map_err(store_error)?;
    if tx.get(OIDC_PROVIDERS, &arn).await.map_err(store_error)?.is_some() {
        return Err(error("EntityAlreadyExistsException", format!("Provider with url https://{host_and_path} already exists.")));
    }
    if all(&mut tx, account).await?.len() >= PROVIDERS_QUOTA {
        return Err(error("LimitExceededException", format!("Cannot exceed quota for OpenIdConnectProvidersPerAccount: {PROVIDERS_QUOTA}")));
    }
    let mut provider = OidcProvider {
        account: account.to_owned(),
        arn,
        url: host_and_path,
        client_ids: Vec::new(),
        thumbprints,
        create_date: ctx.time.floor(),
        tags: Vec::new(),
    };
    for client_id in client_ids {
        if !provider.client_ids.contains(&client_id) {
            provider.client_ids.push(client_id);
        }
    }
    resource_tags::add(&mut provider.tags, &input)?;
    save(&mut tx, &provider).await?;
    tx.commit().await.map_err(store_error)?;
    let mut output = json!({ "OpenIDConnectProviderArn": provider.arn });
    if !provider.tags.is_empty() {
        output["Tags"] = json!(provider.tags);
    }
    Ok(Reply::new(output).resource("AWS::IAM::OIDCProvider", provider.arn))
}

pub async fn get_open_id_connect_provider(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let arn = required(&input, "OpenIDConnectProviderArn")?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let provider = load(&mut tx, ctx.account(), arn).await?;
    let mut output = json!({
        "Url": provider.url,
        "ClientIDList": provider.client_ids,
        "ThumbprintList": provider.thumbprints,
        "CreateDate": provider.create_date,
    });
    if !provider.tags.is_empty() {
        output["Tags"] = json!(provider.tags);
    }
    Ok(Reply::new(output))
}

pub async fn delete_open_id_connect_provider(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let arn = required(&input, "OpenIDConnectProviderArn")?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let provider = load(&mut tx, ctx.account(), arn).await?;
    tx.delete(OIDC_PROVIDERS, &provider.arn).await.map_err(store_error)?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({})).resource("AWS::IAM::OIDCProvider", provider.arn))
}

pub async fn list_open_id_connect_providers(store: &Store, ctx: &RequestContext) -> Result<Reply, ApiError> {
    let mut tx = store.begin().await.map_err(store_error)?;
    let listed: Vec<Value> = all(&mut tx, ctx.account()).await?.iter().map(|p| json!({ "Arn": p.arn })).collect();
    Ok(Reply::new(json!({ "OpenIDConnectProviderList": listed })))
}

/// Runs `change` on the provider the request names and saves it.
async fn modify(
    store: &Store,
    ctx: &RequestContext,
    input: &Value,
    change: impl FnOnce(&mut OidcProvider) -> Result<(), ApiError>,
) -> Result<Reply, ApiError> {
    let arn = required(input, "OpenIDConnectProviderArn")?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let mut provider = load(&mut tx, ctx.account(), arn).await?;
    change(&mut provider)?;
    save(&mut tx, &provider).await?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({})).resource("AWS::IAM::OIDCProvider", provider.arn))
}

/// Adding a client id the provider already has changes nothing, as in IAM.
pub async fn add_client_id(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let client_id = required(&input, "ClientID")?.to_owned();
    modify(store, ctx, &input, |provider| {
        if !provider.client_ids.contains(&client_id) {
            provider.client_ids.push(client_id);
        }
        check_client_ids(&provider.client_ids)
    })
    .await
}

/// Removing a client id the provider does not have is not an error, as in IAM.
pub async fn remove_client_id(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let client_id = required(&input, "ClientID")?.to_owned();
    modify(store, ctx, &input, |provider| {
        provider.client_ids.retain(|c| *c != client_id);
        Ok(())
    })
    .await
}

pub async fn update_thumbprint(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let thumbprints: Vec<String> = strings(&input, "ThumbprintList").into_iter().map(|t| t.to_lowercase()).collect();
    check_thumbprints(&thumbprints)?;
    modify(store, ctx, &input, |provider| {
        provider.thumbprints = thumbprints;
        Ok(())
    })
    .await
}

pub async fn tag(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let tags = input.clone();
    modify(store, ctx, &input, |provider| resource_tags::add(&mut provider.tags, &tags)).await
}

pub async fn untag(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let keys = input.clone();
    modify(store, ctx, &input, |provider| {
        resource_tags::remove(&mut provider.tags, &keys);
        Ok(())
    })
    .await
}

pub async fn list_tags(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let arn = required(&input, "OpenIDConnectProviderArn")?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let provider = load(&mut tx, ctx.account(), arn).await?;
    resource_tags::listed(&provider.tags, &input)
}
