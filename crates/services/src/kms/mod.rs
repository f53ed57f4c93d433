//! AWS Key Management Service: keys with real cryptography (the `kms-crypto` engine), aliases,
//! tags, key policies, rotation, scheduled deletion and multi-Region replicas. Key material is
//! sealed under the root key in the store and never leaves it in the clear except as the caller's
//! own plaintext.

mod aliases;
pub mod conditions;
mod data_keys;
pub mod deletion;
mod encryption;
mod grants;
mod import;
mod key_policies;
mod key_record;
mod key_ref;
mod managed_keys;
mod keys;
mod replication;
pub mod rotation;
mod signing;
mod tags;

pub use managed_keys::aws_managed_key_arn;

use std::sync::Arc;

use gateway::{RequestContext, Service, ServiceFuture};
use kms_crypto::CryptoError;
use serde_json::Value;
use store::{Sealer, Store};
use wire::ApiError;

pub struct Kms {
    store: Store,
    sealer: Arc<Sealer>,
    keys: key_ref::KeyCache,
}

impl Kms {
    pub fn new(store: Store, sealer: Arc<Sealer>) -> Self {
        Kms { keys: key_ref::KeyCache::new(store.clone()), store, sealer }
    }
}

impl Service for Kms {
    fn id(&self) -> &'static str {
        "kms"
    }

    fn call<'a>(&'a self, ctx: &'a RequestContext, input: Value) -> Option<ServiceFuture<'a>> {
        let store = &self.store;
        let sealer = &*self.sealer;
        Some(match ctx.operation {
            "CreateKey" => Box::pin(keys::create_key(store, sealer, ctx, input)),
            "DescribeKey" => Box::pin(keys::describe_key(store, ctx, input)),
            "ListKeys" => Box::pin(keys::list_keys(store, ctx, input)),
            "EnableKey" => Box::pin(keys::enable_key(store, ctx, input)),
            "DisableKey" => Box::pin(keys::disable_key(store, ctx, input)),
            "UpdateKeyDescription" => Box::pin(keys::update_key_description(store, ctx, input)),
            "TagResource" => Box::pin(tags::tag_resource(store, ctx, input)),
            "UntagResource" => Box::pin(tags::untag_resource(store, ctx, input)),
            "ListResourceTags" => Box::pin(tags::list_resource_tags(store, ctx, input)),
            "CreateAlias" => Box::pin(aliases::create_alias(store, ctx, input)),
            "ListAliases" => Box::pin(aliases::list_aliases(store, ctx, input)),
            "UpdateAlias" => Box::pin(aliases::update_alias(store, ctx, input)),
            "DeleteAlias" => Box::pin(aliases::delete_alias(store, ctx, input)),
            "Encrypt" => Box::pin(encryption::encrypt(&self.keys, sealer, ctx, input)),
            "Decrypt" => Box::pin(encryption::decrypt(&self.keys, sealer, ctx, input)),
            "ReEncrypt" => Box::pin(encryption::re_encrypt(&self.keys, sealer, ctx, input)),
            "GenerateDataKey" => Box::pin(data_keys::generate_data_key(&self.keys, sealer, ctx, input, true)),
            "GenerateDataKeyWithoutPlaintext" => Box::pin(data_keys::generate_data_key(&self.keys, sealer, ctx, input, false)),
            "GenerateDataKeyPair" => Box::pin(data_keys::generate_data_key_pair(&self.keys, sealer, ctx, input, true)),
            "GenerateDataKeyPairWithoutPlaintext" => {
                Box::pin(data_keys::generate_data_key_pair(&self.keys, sealer, ctx, input, false))
            }
            "GenerateRandom" => Box::pin(data_keys::generate_random(input)),
            "Sign" => Box::pin(signing::sign(&self.keys, sealer, ctx, input)),
            "Verify" => Box::pin(signing::verify(&self.keys, sealer, ctx, input)),
            "GetPublicKey" => Box::pin(signing::get_public_key(&self.keys, sealer, ctx, input)),
            "GenerateMac" => Box::pin(signing::generate_mac(&self.keys, sealer, ctx, input)),
            "VerifyMac" => Box::pin(signing::verify_mac(&self.keys, sealer, ctx, input)),
            "GetKeyPolicy" => Box::pin(key_policies::get_key_policy(store, ctx, input)),
            "PutKeyPolicy" => Box::pin(key_policies::put_key_policy(store, ctx, input)),
            "ListKeyPolicies" => Box::pin(key_policies::list_key_policies(store, ctx, input)),
            "EnableKeyRotation" => Box::pin(rotation::enable_key_rotation(store, ctx, input)),
            "DisableKeyRotation" => Box::pin(rotation::disable_key_rotation(store, ctx, input)),
            "GetKeyRotationStatus" => Box::pin(rotation::get_key_rotation_status(store, ctx, input)),
            "RotateKeyOnDemand" => Box::pin(rotation::rotate_key_on_demand(store, sealer, ctx, input)),
            "ListKeyRotations" => Box::pin(rotation::list_key_rotations(store, ctx, input)),
            "ScheduleKeyDeletion" => Box::pin(deletion::schedule_key_deletion(store, ctx, input)),
            "CancelKeyDeletion" => Box::pin(deletion::cancel_key_deletion(store, ctx, input)),
            "ReplicateKey" => Box::pin(replication::replicate_key(store, sealer, ctx, input)),
            "UpdatePrimaryRegion" => Box::pin(replication::update_primary_region(store, ctx, input)),
            "DeriveSharedSecret" => Box::pin(signing::derive_shared_secret(&self.keys, sealer, ctx, input)),
            "GetParametersForImport" => Box::pin(import::get_parameters_for_import(store, sealer, ctx, input)),
            "ImportKeyMaterial" => Box::pin(import::import_key_material(store, sealer, ctx, input)),
            "DeleteImportedKeyMaterial" => Box::pin(import::delete_imported_key_material(store, ctx, input)),
            "CreateGrant" => Box::pin(grants::create_grant(store, ctx, input)),
            "ListGrants" => Box::pin(grants::list_grants(store, ctx, input)),
            "ListRetirableGrants" => Box::pin(grants::list_retirable_grants(store, ctx, input)),
            "RetireGrant" => Box::pin(grants::retire_grant(store, ctx, input)),
            "RevokeGrant" => Box::pin(grants::revoke_grant(store, ctx, input)),
            _ => return None,
        })
    }

    /// The key a request names (a key ARN, or an alias ARN the authorizer resolves with
    /// [`resolve_key_arn`]); for Decrypt without a KeyId, the key its ciphertext names; for
    /// alias operations, the alias and its key; `*` for operations on no particular key.
    fn resources(&self, ctx: &RequestContext, input: &Value) -> Vec<String> {
        let text = |name: &str| input.get(name).and_then(Value::as_str);
        match ctx.operation {
            "CreateAlias" | "UpdateAlias" => {
                let mut arns = Vec::new();
                if let Some(alias) = text("AliasName") {
                    arns.push(key_ref::policy_arn(ctx, alias));
                }
                if let Some(key) = text("TargetKeyId") {
                    arns.push(key_ref::policy_arn(ctx, key));
                }
                arns
            }
            "DeleteAlias" => vec![text("AliasName").map_or_else(|| "*".to_owned(), |a| key_ref::policy_arn(ctx, a))],
            "Decrypt" | "ReEncrypt" if text("KeyId").or_else(|| text("SourceKeyId")).is_none() => {
                let mut arns = vec![encryption::blob_key_arn(ctx, input).unwrap_or_else(|| "*".to_owned())];
                if let Some(destination) = text("DestinationKeyId") {
                    arns.push(key_ref::policy_arn(ctx, destination));
                }
                arns
            }
            "ReEncrypt" => {
                let mut arns = Vec::new();
                arns.extend(text("SourceKeyId").map(|k| key_ref::policy_arn(ctx, k)));
                arns.extend(text("DestinationKeyId").map(|k| key_ref::policy_arn(ctx, k)));
                arns
            }
            _ => match text("KeyId") {
                Some(key) => vec![key_ref::policy_arn(ctx, key)],
                None => vec!["*".to_owned()],
            },
        }
    }
}

/// The key policy of the key `key_arn` names (a key ARN or an alias ARN), with the key's grants
/// added as statements, for the authorizer to judge KMS calls with; `None` when there is no
/// such key.
pub async fn key_policy(store: &Store, key_arn: &str) -> Option<String> {
    let mut tx = store.begin().await.ok()?;
    let key = stored_key_in(&mut tx, key_arn).await?;
    let grants = grants::grant_statements(&mut tx, &key).await.ok()?;
    if grants.is_empty() {
        return Some(key.policy);
    }
    let mut document: Value = serde_json::from_str(&key.policy).ok()?;
    let statements = match document.get_mut("Statement")?.take() {
        Value::Array(list) => list,
        single => vec![single],
    };
    document["Statement"] = Value::Array(statements.into_iter().chain(grants).collect());
    Some(document.to_string())
}

/// The key ARN an alias ARN points to (a key ARN is returned as it is, if the key exists).
pub async fn resolve_key_arn(store: &Store, arn: &str) -> Option<String> {
    Some(stored_key_of_arn(store, arn).await?.arn)
}

async fn stored_key_of_arn(store: &Store, arn: &str) -> Option<key_record::StoredKey> {
    let mut tx = store.begin().await.ok()?;
    stored_key_in(&mut tx, arn).await
}

async fn stored_key_in(tx: &mut store::Txn, arn: &str) -> Option<key_record::StoredKey> {
    let (account, region, key_id) = match key_ref::KeyRef::parse_in_arn(arn)? {
        key_ref::KeyRef::Key { account, region, key_id } => (account, region, key_id),
        key_ref::KeyRef::Alias { account, region, name } => {
            let alias = aliases::load(tx, &account, &region, &name).await.ok()??;
            (account, region, alias.target_key_id)
        }
    };
    // The authorizer has no request time: a key past its deletion window keeps its policy here,
    // and the operation itself answers that the key does not exist.
    key_record::load(tx, &account, &region, &key_id, f64::MIN).await.ok()?
}

/// Records what KMS did to `key` on its own schedule (`RotateKey`, `DeleteKey`) in the account's
/// trail, as AWS does.
fn record_service_event(store: &Store, key: &key_record::StoredKey, event_name: &str, now: f64) {
    let resources = [gateway::service::AuditResource { resource_type: "AWS::KMS::Key".to_owned(), name: key.arn.clone() }];
    let event = gateway::audit::ServiceEvent {
        account: &key.account,
        region: &key.region,
        event_time: now,
        event_source: "kms.amazonaws.com",
        event_name,
        resources: &resources,
        details: None,
    };
    store.audit_writer().record(event.into_audit_record());
}

/// KMS's modeled error `shape` with `message`.
fn error(shape: &str, message: impl Into<String>) -> ApiError {
    crate::modeled_error("kms", shape, message)
}

/// The KMS exception the engine's error names.
fn crypto_error(e: CryptoError) -> ApiError {
    error(e.aws_error_code(), e.to_string())
}

fn store_error(e: store::StoreError) -> ApiError {
    ApiError::internal(format!("KMS could not reach its store: {e}"))
}
