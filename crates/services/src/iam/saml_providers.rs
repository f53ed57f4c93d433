//! SAML 2.0 identity providers: an IdP's metadata document (its entity id, signing
//! certificates and validity), which AssumeRoleWithSAML trusts assertions against.

use gateway::{Reply, RequestContext};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use store::{Store, Txn};
use wire::ApiError;

use crate::input::{required, text};

use super::{entities::Tag, error, ids, resource_tags, store_error};

const SAML_PROVIDERS: &str = "iam.saml_provider";
/// AWS's quota of SAML providers per account.
const PROVIDERS_QUOTA: usize = 100;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SamlProvider {
    pub account: String,
    pub arn: String,
    pub name: String,
    pub uuid: String,
    pub metadata: String,
    pub valid_until: Option<f64>,
    pub create_date: f64,
    pub assertion_encryption_mode: Option<String>,
    #[serde(default)]
    pub tags: Vec<Tag>,
}

fn invalid(message: impl Into<String>) -> ApiError {
    error("InvalidInputException", message)
}

/// The validity of a metadata document IAM accepts: one the `saml` engine reads as
/// AssumeRoleWithSAML will (an `EntityDescriptor` with an `IDPSSODescriptor`, an entity id and
/// an X.509 signing certificate), so no provider is created that no response could be verified
/// against. AWS answers any other document with this one message.
fn read_metadata(document: &str) -> Result<Option<f64>, ApiError> {
    saml::metadata::read(document).map(|metadata| metadata.valid_until).map_err(|_| invalid("Could not parse metadata"))
}

/// The provider an ARN names, in the caller's account.
pub async fn load(tx: &mut Txn, account: &str, arn: &str) -> Result<SamlProvider, ApiError> {
    if !arn.starts_with("arn:aws:iam::") || !arn.contains(":saml-provider/") {
        return Err(invalid(format!("ARN {arn} is not valid.")));
    }
    let stored = tx.get(SAML_PROVIDERS, arn).await.map_err(store_error)?;
    stored
        .and_then(|v| serde_json::from_value::<SamlProvider>(v).ok())
        .filter(|p| p.account == account)
        .ok_or_else(|| error("NoSuchEntityException", format!("Manifest not found for arn {arn}")))
}

async fn save(tx: &mut Txn, provider: &SamlProvider) -> Result<(), ApiError> {
    let value = serde_json::to_value(provider).map_err(|e| ApiError::internal(e.to_string()))?;
    tx.put(SAML_PROVIDERS, &provider.arn, &value).await.map_err(store_error)
}

/// Every SAML provider of the account.
pub async fn all(tx: &mut Txn, account: &str) -> Result<Vec<SamlProvider>, ApiError> {
    let prefix = format!("arn:aws:iam::{account}:saml-provider/");
    let rows = tx.scan(SAML_PROVIDERS, &prefix, None, usize::MAX).await.map_err(store_error)?;
    Ok(rows.into_iter().filter_map(|(_, v)| serde_json::from_value(v).ok()).collect())
}

pub async fn create_saml_provider(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let name = required(&input, "Name")?;
    let metadata = required(&input, "SAMLMetadataDocument")?;
    let valid_until = read_metadata(metadata)?;
    let account = ctx.account();
    let arn = format!("arn:aws:iam::{account}:saml-provider/{name}");
    let mut tx = store.begin().await.map_err(store_error)?;
    if tx.get(SAML_PROVIDERS, &arn).await.map_err(store_error)?.is_some() {
        return Err(error("EntityAlreadyExistsException", format!("SAMLProvider {name} already exists")));
    }
    if all(&mut tx, account).await?.len() >= PROVIDERS_QUOTA {
        return Err(error("LimitExceededException", format!("Cannot exceed quota for SamlProvidersPerAccount: {PROVIDERS_QUOTA}")));
    }
    let mut provider = SamlProvider {
        account: account.to_owned(),
        arn,
        name: name.to_owned(),
        uuid: ids::unique_id("SSPA"),
        metadata: metadata.to_owned(),
        valid_until,
        create_date: ctx.time.floor(),
        assertion_encryption_mode: text(&input, "AssertionEncryptionMode").map(str::to_owned),
        tags: Vec::new(),
    };
    resource_tags::add(&mut provider.tags, &input)?;
    save(&mut tx, &provider).await?;
    tx.commit().await.map_err(store_error)?;
    let mut output = json!({ "SAMLProviderArn": provider.arn });
    if !provider.tags.is_empty() {
        output["Tags"] = json!(provider.tags);
    }
    Ok(Reply::new(output).resource("AWS::IAM::SAMLProvider", provider.arn))
}

pub async fn get_saml_provider(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let arn = required(&input, "SAMLProviderArn")?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let provider = load(&mut tx, ctx.account(), arn).await?;
    let mut output = json!({
        "SAMLProviderUUID": provider.uuid,
        "SAMLMetadataDocument": provider.metadata,
        "CreateDate": provider.create_date,
    });
    if let Some(valid_until) = provider.valid_until {
        output["ValidUntil"] = json!(valid_until);
    }
    if let Some(mode) = &provider.assertion_encryption_mode {
        output["AssertionEncryptionMode"] = json!(mode);
    }
    if !provider.tags.is_empty() {
        output["Tags"] = json!(provider.tags);
    }
    Ok(Reply::new(output))
}

async fn modify(
    store: &Store,
    ctx: &RequestContext,
    input: &Value,
    change: impl FnOnce(&mut SamlProvider) -> Result<(), ApiError>,
) -> Result<SamlProvider, ApiError> {
    let arn = required(input, "SAMLProviderArn")?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let mut provider = load(&mut tx, ctx.account(), arn).await?;
    change(&mut provider)?;
    save(&mut tx, &provider).await?;
    tx.commit().await.map_err(store_error)?;
    Ok(provider)
}

pub async fn update_saml_provider(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let metadata = text(&input, "SAMLMetadataDocument").map(|m| read_metadata(m).map(|valid_until| (m.to_owned(), valid_until))).transpose()?;
    let mode = text(&input, "AssertionEncryptionMode").map(str::to_owned);
    let provider = modify(store, ctx, &input, |provider| {
        if let Some((document, valid_until)) = metadata {
            provider.metadata = document;
            provider.valid_until = valid_until;
        }
        if mode.is_some() {
            provider.assertion_encryption_mode = mode;
        }
        Ok(())
    })
    .await?;
    Ok(Reply::new(json!({ "SAMLProviderArn": provider.arn })).resource("AWS::IAM::SAMLProvider", provider.arn))
}

pub async fn delete_saml_provider(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let arn = required(&input, "SAMLProviderArn")?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let provider = load(&mut tx, ctx.account(), arn).await?;
    tx.delete(SAML_PROVIDERS, &provider.arn).await.map_err(store_error)?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({})).resource("AWS::IAM::SAMLProvider", provider.arn))
}

pub async fn list_saml_providers(store: &Store, ctx: &RequestContext) -> Result<Reply, ApiError> {
    let mut tx = store.begin().await.map_err(store_error)?;
    let listed: Vec<Value> = all(&mut tx, ctx.account())
        .await?
        .iter()
        .map(|p| {
            let mut entry = json!({ "Arn": p.arn, "CreateDate": p.create_date });
            if let Some(valid_until) = p.valid_until {
                entry["ValidUntil"] = json!(valid_until);
            }
            entry
        })
        .collect();
    Ok(Reply::new(json!({ "SAMLProviderList": listed })))
}

pub async fn tag(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let tags = input.clone();
    modify(store, ctx, &input, |provider| resource_tags::add(&mut provider.tags, &tags)).await?;
    Ok(Reply::new(json!({})))
}

pub async fn untag(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let keys = input.clone();
    modify(store, ctx, &input, |provider| {
        resource_tags::remove(&mut provider.tags, &keys);
        Ok(())
    })
    .await?;
    Ok(Reply::new(json!({})))
}

pub async fn list_tags(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let arn = required(&input, "SAMLProviderArn")?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let provider = load(&mut tx, ctx.account(), arn).await?;
    resource_tags::listed(&provider.tags, &input)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_is_read_as_assume_role_with_saml_reads_it() {
        let valid = r#"validUntil="2030-01-02T03:04:05Z""#;
        let metadata = include_str!("../../../saml/tests/fixtures/metadata.xml").replacen("<md:EntityDescriptor ", &format!("<md:EntityDescriptor {valid} "), 1);
        assert_eq!(read_metadata(&metadata).unwrap(), wire::timestamp::parse_iso8601("2030-01-02T03:04:05Z"));
        // A certificate that is not X.509, as string matching let through.
        let placeholder = r#"<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="https://idp.example.com"><md:IDPSSODescriptor><md:KeyDescriptor><ds:KeyInfo><ds:X509Data><ds:X509Certificate>MIIB</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor></md:IDPSSODescriptor></md:EntityDescriptor>"#;
        for invalid in ["<html>not metadata</html>", placeholder, "<!DOCTYPE x []><x/>"] {
            let error = read_metadata(invalid).unwrap_err();
            assert_eq!((&*error.code, error.message.as_str()), ("InvalidInput", "Could not parse metadata"), "{invalid}");
        }
    }
}
