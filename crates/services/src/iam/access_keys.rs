//! Access keys of IAM users: created with a secret shown once, stored sealed under the root
//! key, and looked up by the gateway to authenticate requests signed with them.

use base64::Engine;
use gateway::{
    principal::{Credentials, Principal, PrincipalKind},
    Reply, RequestContext,
};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use store::{Sealer, Store};
use wire::ApiError;

use super::{
    entities::{self, page, paged_output, EntityKind},
    error, ids, store_error,
};

const ACCESS_KEYS: &str = "iam.access_key";
/// IAM allows two access keys per user.
const KEYS_PER_USER: usize = 2;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccessKey {
    pub access_key_id: String,
    pub account: String,
    pub user_name: String,
    pub status: String,
    pub create_date: f64,
    /// The secret, sealed with the access key id as context; base64.
    pub sealed_secret: String,
}

impl AccessKey {
    fn metadata(&self) -> Value {
        json!({
            "UserName": self.user_name,
            "AccessKeyId": self.access_key_id,
            "Status": self.status,
            "CreateDate": self.create_date,
        })
    }
}

fn seal_context(access_key_id: &str) -> String {
    format!("iam-access-key:{access_key_id}")
}

/// The user a key operation is about: the named one, or the caller when it is a user.
fn target_user(ctx: &RequestContext, input: &Value) -> Result<String, ApiError> {
    if let Some(name) = input.get("UserName").and_then(Value::as_str) {
        return Ok(name.to_owned());
    }
    match &ctx.principal.kind {
        PrincipalKind::IamUser { name } => Ok(name.clone()),
        _ => Err(ApiError::new("ValidationError", 400, "Must specify userName when calling with non-User credentials")),
    }
}

pub async fn create_access_key(store: &Store, sealer: &Sealer, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let user_name = target_user(ctx, &input)?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let mut user = entities::load(&mut tx, ctx.account(), EntityKind::User, &user_name).await?;
    if user.access_keys.len() >= KEYS_PER_USER {
        return Err(error("LimitExceededException", format!("Cannot exceed quota for AccessKeysPerUser: {KEYS_PER_USER}")));
    }
    let access_key_id = ids::access_key_id("AKIA");
    let secret = ids::secret_access_key();
    let key = AccessKey {
        account: ctx.account().to_owned(),
        user_name: user.name.clone(),
        status: "Active".to_owned(),
        create_date: ctx.time.floor(),
        sealed_secret: base64::engine::general_purpose::STANDARD.encode(sealer.seal(&seal_context(&access_key_id), secret.as_bytes())),
        access_key_id,
    };
    user.access_keys.push(key.access_key_id.clone());
    entities::save(&mut tx, &user).await?;
    let value = serde_json::to_value(&key).map_err(|e| ApiError::internal(e.to_string()))?;
    tx.put(ACCESS_KEYS, &key.access_key_id, &value).await.map_err(store_error)?;
    tx.commit().await.map_err(store_error)?;
    let mut shown = key.metadata();
    shown["SecretAccessKey"] = json!(secret);
    Ok(Reply::new(json!({ "AccessKey": shown })).resource("AWS::IAM::AccessKey", key.access_key_id))
}

async fn load_key(tx: &mut store::Txn, ctx: &RequestContext, user_name: &str, access_key_id: &str) -> Result<AccessKey, ApiError> {
    let stored = tx.get(ACCESS_KEYS, access_key_id).await.map_err(store_error)?;
    stored
        .and_then(|v| serde_json::from_value::<AccessKey>(v).ok())
        .filter(|k| k.account == ctx.account() && k.user_name.eq_ignore_ascii_case(user_name))
        .ok_or_else(|| error("NoSuchEntityException", format!("The Access Key with id {access_key_id} cannot be found.")))
}

pub async fn list_access_keys(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let user_name = target_user(ctx, &input)?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let user = entities::load(&mut tx, ctx.account(), EntityKind::User, &user_name).await?;
    let mut items = Vec::new();
    for id in &user.access_keys {
        items.push(load_key(&mut tx, ctx, &user.name, id).await?.metadata());
    }
    let (items, next) = page(items, user.access_keys.clone(), &input)?;
    Ok(Reply::new(paged_output("AccessKeyMetadata", items, next)))
}

pub async fn update_access_key(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let user_name = target_user(ctx, &input)?;
    let id = input.get("AccessKeyId").and_then(Value::as_str).unwrap_or_default();
    let status = input.get("Status").and_then(Value::as_str).unwrap_or_default();
    let mut tx = store.begin().await.map_err(store_error)?;
    let mut key = load_key(&mut tx, ctx, &user_name, id).await?;
    key.status = status.to_owned();
    let value = serde_json::to_value(&key).map_err(|e| ApiError::internal(e.to_string()))?;
    tx.put(ACCESS_KEYS, id, &value).await.map_err(store_error)?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({})).resource("AWS::IAM::AccessKey", id))
}

pub async fn delete_access_key(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let user_name = target_user(ctx, &input)?;
    let id = input.get("AccessKeyId").and_then(Value::as_str).unwrap_or_default();
    let mut tx = store.begin().await.map_err(store_error)?;
    let key = load_key(&mut tx, ctx, &user_name, id).await?;
    let mut user = entities::load(&mut tx, ctx.account(), EntityKind::User, &key.user_name).await?;
    user.access_keys.retain(|k| k != id);
    entities::save(&mut tx, &user).await?;
    tx.delete(ACCESS_KEYS, id).await.map_err(store_error)?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({})).resource("AWS::IAM::AccessKey", id))
}

/// Palisade does not yet record when a key was last used; IAM reports such keys as `N/A`.
pub async fn get_access_key_last_used(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let id = input.get("AccessKeyId").and_then(Value::as_str).unwrap_or_default();
    let stored = store.get(ACCESS_KEYS, id).await.map_err(store_error)?;
    let key = stored
        .and_then(|v| serde_json::from_value::<AccessKey>(v).ok())
        .filter(|k| k.account == ctx.account())
        .ok_or_else(|| error("NoSuchEntityException", format!("The Access Key with id {id} cannot be found.")))?;
    Ok(Reply::new(json!({
        "UserName": key.user_name,
        "AccessKeyLastUsed": { "ServiceName": "N/A", "Region": "N/A" },
    })))
}

/// The credentials of an active IAM user access key.
pub async fn lookup(store: &Store, sealer: &Sealer, access_key_id: &str) -> Option<Credentials> {
    let stored = store.get(ACCESS_KEYS, access_key_id).await.ok()??;
    let key: AccessKey = serde_json::from_value(stored).ok()?;
    if key.status != "Active" {
        return None;
    }
    let sealed = base64::engine::general_purpose::STANDARD.decode(&key.sealed_secret).ok()?;
    let secret = sealer.unseal(&seal_context(access_key_id), &sealed).ok()?;
    let mut tx = store.begin().await.ok()?;
    let user = entities::load(&mut tx, &key.account, EntityKind::User, &key.user_name).await.ok()?;
    Some(Credentials {
        secret_access_key: String::from_utf8(secret).ok()?,
        principal: Principal {
            account: key.account,
            kind: PrincipalKind::IamUser { name: user.name },
            arn: user.arn,
            user_id: user.id,
            access_key_id: access_key_id.to_owned(),
            temporary: false,
            mfa_authenticated_at: None,
        },
        expires_at: None,
    })
}
