//! The ways a request names a KMS key: key id, key ARN, alias name or alias ARN.

use gateway::RequestContext;
use store::{DocumentCache, Store, Txn};
use wire::ApiError;

use super::{
    aliases::{self, StoredAlias},
    error,
    key_record::{self, key_arn, StoredKey},
    store_error,
};

/// A key reference, read but not yet looked up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyRef {
    Key { account: String, region: String, key_id: String },
    Alias { account: String, region: String, name: String },
}

impl KeyRef {
    /// Reads `text` as the request's region and account would resolve it.
    pub fn parse(ctx: &RequestContext, text: &str) -> Result<KeyRef, ApiError> {
        Self::parse_in(&ctx.region, ctx.account(), text).ok_or_else(|| invalid_key_id(text))
    }

    /// Reads a key or alias ARN.
    pub fn parse_in_arn(arn: &str) -> Option<KeyRef> {
        arn.starts_with("arn:").then(|| Self::parse_in("", "", arn)).flatten()
    }

    fn parse_in(region: &str, account: &str, text: &str) -> Option<KeyRef> {
        if let Some(rest) = text.strip_prefix("arn:") {
            let parts: Vec<&str> = rest.splitn(5, ':').collect();
            let [_partition, service, region, account, resource] = parts.as_slice() else { return None };
            if *service != "kms" || region.is_empty() || account.is_empty() {
                return None;
            }
            if let Some(key_id) = resource.strip_prefix("key/") {
                return (!key_id.is_empty()).then(|| KeyRef::Key {
                    account: account.to_string(),
                    region: region.to_string(),
                    key_id: key_id.to_owned(),
                });
            }
            if resource.starts_with("alias/") {
                return Some(KeyRef::Alias { account: account.to_string(), region: region.to_string(), name: resource.to_string() });
            }
            return None;
        }
        if text.starts_with("alias/") {
            return Some(KeyRef::Alias { account: account.to_owned(), region: region.to_owned(), name: text.to_owned() });
        }
        if text.is_empty() || text.contains('/') || text.contains(':') {
            return None;
        }
        Some(KeyRef::Key { account: account.to_owned(), region: region.to_owned(), key_id: text.to_owned() })
    }

    /// The ARN policies name: the key's, or the alias's for an alias.
    pub fn arn(&self) -> String {
        match self {
            KeyRef::Key { account, region, key_id } => key_arn(region, account, key_id),
            KeyRef::Alias { account, region, name } => aliases::alias_arn(region, account, name),
        }
    }
}

fn invalid_key_id(text: &str) -> ApiError {
    error("NotFoundException", format!("Invalid keyId '{text}'"))
}

fn key_not_found(arn: &str) -> ApiError {
    error("NotFoundException", format!("Key '{arn}' does not exist"))
}

/// The ARN a request's key reference resolves to for authorization: key references need no
/// lookup; alias references are returned as alias ARNs (see [`super::resolve_key_arn`]).
pub fn policy_arn(ctx: &RequestContext, text: &str) -> String {
    KeyRef::parse_in(&ctx.region, ctx.account(), text).map(|r| r.arn()).unwrap_or_else(|| "*".to_owned())
}

/// Where an operation reads keys and aliases: its transaction, or, for operations that change
/// neither (the cryptographic ones), the [`KeyCache`].
pub enum KeyReads<'a> {
    Txn(&'a mut Txn),
    Cache(&'a KeyCache),
}

impl<'a> From<&'a mut Txn> for KeyReads<'a> {
    fn from(tx: &'a mut Txn) -> Self {
        KeyReads::Txn(tx)
    }
}

impl KeyReads<'_> {
    async fn key(&mut self, account: &str, region: &str, key_id: &str, now: f64) -> Result<Option<StoredKey>, ApiError> {
        match self {
            KeyReads::Txn(tx) => key_record::load(tx, account, region, key_id, now).await,
            KeyReads::Cache(cache) => cache.key(account, region, key_id, now).await,
        }
    }

    async fn alias(&mut self, account: &str, region: &str, name: &str) -> Result<Option<StoredAlias>, ApiError> {
        match self {
            KeyReads::Txn(tx) => aliases::load(tx, account, region, name).await,
            KeyReads::Cache(cache) => cache.alias(account, region, name).await,
        }
    }
}

/// Keys and aliases as last read, for the cryptographic operations every client calls in a
/// loop; see [`DocumentCache`] for how long an entry serves.
pub struct KeyCache {
    store: Store,
    keys: DocumentCache<StoredKey>,
    aliases: DocumentCache<StoredAlias>,
}

impl KeyCache {
    pub fn new(store: Store) -> Self {
        KeyCache { store, keys: DocumentCache::new(key_record::KEYS), aliases: DocumentCache::new(aliases::ALIASES) }
    }

    async fn key(&self, account: &str, region: &str, key_id: &str, now: f64) -> Result<Option<StoredKey>, ApiError> {
        let cached = self.keys.get(&self.store, &key_record::record_key(account, region, key_id)).await.map_err(store_error)?;
        Ok(cached.and_then(|key| key_record::live((*key).clone(), now)))
    }

    async fn alias(&self, account: &str, region: &str, name: &str) -> Result<Option<StoredAlias>, ApiError> {
        let cached = self.aliases.get(&self.store, &aliases::record_key(account, region, name)).await.map_err(store_error)?;
        Ok(cached.map(|alias| (*alias).clone()))
    }

    /// The key as stored now, for a ciphertext whose material the cached record lacks: another
    /// node may have rotated the key within the cache's age.
    pub async fn fresh_key(&self, account: &str, region: &str, key_id: &str, now: f64) -> Result<StoredKey, ApiError> {
        let mut tx = self.store.begin().await.map_err(store_error)?;
        load_key(&mut tx, account, region, key_id, now).await
    }
}

/// The key a reference names, following an alias; operations that take no alias use
/// [`find_key_by_id`].
pub async fn find_key(reads: impl Into<KeyReads<'_>>, ctx: &RequestContext, text: &str) -> Result<StoredKey, ApiError> {
    let mut reads = reads.into();
    match KeyRef::parse(ctx, text)? {
        KeyRef::Key { account, region, key_id } => load_from(&mut reads, &account, &region, &key_id, ctx.time).await,
        KeyRef::Alias { account, region, name } => {
            let alias = reads.alias(&account, &region, &name).await?.ok_or_else(|| {
                error("NotFoundException", format!("Alias '{}' is not found.", aliases::alias_arn(&region, &account, &name)))
            })?;
            load_from(&mut reads, &account, &region, &alias.target_key_id, ctx.time).await
        }
    }
}

/// The key a key id or key ARN names; an alias is refused, as AWS refuses it for management
/// operations.
pub async fn find_key_by_id(tx: &mut Txn, ctx: &RequestContext, text: &str) -> Result<StoredKey, ApiError> {
    match KeyRef::parse(ctx, text)? {
        KeyRef::Key { account, region, key_id } => load_key(tx, &account, &region, &key_id, ctx.time).await,
        KeyRef::Alias { .. } => Err(invalid_key_id(text)),
    }
}

pub async fn load_key(tx: &mut Txn, account: &str, region: &str, key_id: &str, now: f64) -> Result<StoredKey, ApiError> {
    load_from(&mut KeyReads::Txn(tx), account, region, key_id, now).await
}

pub async fn load_from(reads: &mut KeyReads<'_>, account: &str, region: &str, key_id: &str, now: f64) -> Result<StoredKey, ApiError> {
    reads.key(account, region, key_id, now).await?.ok_or_else(|| key_not_found(&key_arn(region, account, key_id)))
}

/// The key a ciphertext blob names. A multi-Region key's blob decrypts with any related key, so
/// an `mrk-` key is looked up in the request's region.
pub fn blob_key(ctx: &RequestContext, named: &str) -> Option<KeyRef> {
    match KeyRef::parse_in(&ctx.region, ctx.account(), named)? {
        KeyRef::Key { account, key_id, .. } if key_id.starts_with("mrk-") => {
            Some(KeyRef::Key { account, region: ctx.region.clone(), key_id })
        }
        other => Some(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_arn_names_its_own_region_and_account() {
        let parsed = KeyRef::parse_in("us-east-1", "111111111111", "arn:aws:kms:eu-west-1:222222222222:key/abc");
        assert_eq!(
            parsed,
            Some(KeyRef::Key { account: "222222222222".into(), region: "eu-west-1".into(), key_id: "abc".into() })
        );
    }

    #[test]
    fn an_alias_name_is_in_the_callers_region() {
        let parsed = KeyRef::parse_in("us-east-1", "111111111111", "alias/app");
        assert_eq!(
            parsed,
            Some(KeyRef::Alias { account: "111111111111".into(), region: "us-east-1".into(), name: "alias/app".into() })
        );
    }

    #[test]
    fn other_services_arns_are_not_keys() {
        assert_eq!(KeyRef::parse_in("us-east-1", "1", "arn:aws:s3:::bucket/key"), None);
        assert_eq!(KeyRef::parse_in("us-east-1", "1", "key/abc"), None);
    }
}
