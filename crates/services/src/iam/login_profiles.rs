//! Login profiles: an IAM user's console password. Only a salted PBKDF2-HMAC-SHA256 hash of it
//! is kept (and of the previous ones, for the policy's reuse rule); the password itself is
//! checked against the account password policy and then forgotten.

use std::num::NonZeroU32;

use base64::{engine::general_purpose::STANDARD, Engine};
use gateway::{principal::PrincipalKind, Reply, RequestContext};
use ring::pbkdf2;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use store::{Store, Txn};
use wire::ApiError;

use crate::input::{required, text};

use super::{
    entities::{self, EntityKind},
    error,
    password_policy::{self, PasswordPolicy},
    store_error,
};

const LOGIN_PROFILES: &str = "iam.login_profile";
/// OWASP's recommended work factor for PBKDF2-HMAC-SHA256 when this was written; each stored
/// hash records its own count, so raising it later keeps old hashes verifiable.
const PBKDF2_ITERATIONS: u32 = 310_000;
const SALT_BYTES: usize = 16;
const HASH_BYTES: usize = 32;
/// The most previous passwords a policy can forbid reusing (PasswordReusePrevention's maximum).
const REMEMBERED_PASSWORDS: usize = 24;

/// A salted slow hash of a password.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PasswordHash {
    pub iterations: u32,
    /// Base64.
    pub salt: String,
    /// Base64.
    pub hash: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LoginProfile {
    pub account: String,
    pub user_name: String,
    pub create_date: f64,
    pub password_reset_required: bool,
    pub password_last_changed: f64,
    pub password: PasswordHash,
    /// Hashes of earlier passwords, newest first.
    #[serde(default)]
    pub previous: Vec<PasswordHash>,
}

impl LoginProfile {
    fn view(&self) -> Value {
        json!({ "UserName": self.user_name, "CreateDate": self.create_date, "PasswordResetRequired": self.password_reset_required })
    }
}

fn derive_hash(password: &str) -> PasswordHash {
    let mut salt = [0u8; SALT_BYTES];
    rand::fill(&mut salt);
    let mut hash = [0u8; HASH_BYTES];
    let iterations = NonZeroU32::new(PBKDF2_ITERATIONS).expect("a positive iteration count");
    pbkdf2::derive(pbkdf2::PBKDF2_HMAC_SHA256, iterations, &salt, password.as_bytes(), &mut hash);
    PasswordHash { iterations: PBKDF2_ITERATIONS, salt: STANDARD.encode(salt), hash: STANDARD.encode(hash) }
}

/// Whether `password` is the one any of `stored` was made from (compared in constant time by
/// ring).
fn verify_any(stored: &[PasswordHash], password: &str) -> bool {
    stored.iter().any(|candidate| {
        let (Ok(salt), Ok(hash), Some(iterations)) =
            (STANDARD.decode(&candidate.salt), STANDARD.decode(&candidate.hash), NonZeroU32::new(candidate.iterations))
        else {
            return false;
        };
        pbkdf2::verify(pbkdf2::PBKDF2_HMAC_SHA256, iterations, &salt, password.as_bytes(), &hash).is_ok()
    })
}

/// Hashing is deliberately slow, so it runs off the request threads.
async fn hash_password(password: String) -> Result<PasswordHash, ApiError> {
    tokio::task::spawn_blocking(move || derive_hash(&password))
        .await
        .map_err(|e| ApiError::internal(format!("password hashing failed: {e}")))
}

async fn matches_any(stored: Vec<PasswordHash>, password: String) -> Result<bool, ApiError> {
    tokio::task::spawn_blocking(move || verify_any(&stored, &password))
        .await
        .map_err(|e| ApiError::internal(format!("password verification failed: {e}")))
}

fn key(account: &str, user_name: &str) -> String {
    format!("{account}/{}", user_name.to_lowercase())
}

fn not_found(user_name: &str) -> ApiError {
    error("NoSuchEntityException", format!("Login Profile for User {user_name} cannot be found."))
}

/// The login profile of a user, if it has one.
pub async fn of_user(tx: &mut Txn, account: &str, user_name: &str) -> Result<Option<LoginProfile>, ApiError> {
    let stored = tx.get(LOGIN_PROFILES, &key(account, user_name)).await.map_err(store_error)?;
    Ok(stored.and_then(|v| serde_json::from_value(v).ok()))
}

async fn save(tx: &mut Txn, profile: &LoginProfile) -> Result<(), ApiError> {
    let value = serde_json::to_value(profile).map_err(|e| ApiError::internal(e.to_string()))?;
    tx.put(LOGIN_PROFILES, &key(&profile.account, &profile.user_name), &value).await.map_err(store_error)
}

/// The user a login profile operation is about: the named one, or the calling IAM user.
fn target_user(ctx: &RequestContext, input: &Value) -> Result<String, ApiError> {
    match (text(input, "UserName"), &ctx.principal.kind) {
        (Some(name), _) => Ok(name.to_owned()),
        (None, PrincipalKind::IamUser { name }) => Ok(name.clone()),
        (None, _) => Err(ApiError::new("ValidationError", 400, "Must specify userName when calling with non-User credentials")),
    }
}

/// Refuses a new password the policy forbids, including one of the user's last
/// `PasswordReusePrevention` passwords.
async fn check_new_password(
    password: &str,
    policy: Option<&PasswordPolicy>,
    profile: Option<&LoginProfile>,
) -> Result<(), ApiError> {
    password_policy::check(password, policy)?;
    let (Some(count), Some(profile)) = (policy.and_then(|p| p.password_reuse_prevention), profile) else { return Ok(()) };
    let recent: Vec<PasswordHash> =
        std::iter::once(profile.password.clone()).chain(profile.previous.iter().cloned()).take(count as usize).collect();
    if matches_any(recent, password.to_owned()).await? {
        return Err(error(
            "PasswordPolicyViolationException",
            format!("Password should not be one of your previous {count} passwords"),
        ));
    }
    Ok(())
}

/// A new password replaces the current one, which joins the remembered ones.
fn replace_password(profile: &mut LoginProfile, hash: PasswordHash, now: f64) {
    let old = std::mem::replace(&mut profile.password, hash);
    profile.previous.insert(0, old);
    profile.previous.truncate(REMEMBERED_PASSWORDS);
    profile.password_last_changed = now;
}

pub async fn create_login_profile(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let user_name = target_user(ctx, &input)?;
    let password = required(&input, "Password")?;
    let account = ctx.account();
    let mut tx = store.begin().await.map_err(store_error)?;
    let user = entities::load(&mut tx, account, EntityKind::User, &user_name).await?;
    if of_user(&mut tx, account, &user.name).await?.is_some() {
        return Err(error("EntityAlreadyExistsException", format!("Login Profile for user {} already exists.", user.name)));
    }
    let policy = password_policy::current(&mut tx, account).await?;
    drop(tx);
    check_new_password(password, policy.as_ref(), None).await?;
    let hash = hash_password(password.to_owned()).await?;
    let now = ctx.time.floor();
    let profile = LoginProfile {
        account: account.to_owned(),
        user_name: user.name.clone(),
        create_date: now,
        password_reset_required: input.get("PasswordResetRequired").and_then(Value::as_bool).unwrap_or(false),
        password_last_changed: now,
        password: hash,
        previous: Vec::new(),
    };
    let mut tx = store.begin().await.map_err(store_error)?;
    entities::load(&mut tx, account, EntityKind::User, &user.name).await?;
    if of_user(&mut tx, account, &user.name).await?.is_some() {
        return Err(error("EntityAlreadyExistsException", format!("Login Profile for user {} already exists.", user.name)));
    }
    save(&mut tx, &profile).await?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({ "LoginProfile": profile.view() })).resource("AWS::IAM::User", user.arn))
}

pub async fn get_login_profile(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let user_name = target_user(ctx, &input)?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let user = entities::load(&mut tx, ctx.account(), EntityKind::User, &user_name).await?;
    let profile = of_user(&mut tx, ctx.account(), &user.name).await?.ok_or_else(|| not_found(&user.name))?;
    Ok(Reply::new(json!({ "LoginProfile": profile.view() })))
}

pub async fn update_login_profile(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let user_name = required(&input, "UserName")?;
    let account = ctx.account();
    let mut tx = store.begin().await.map_err(store_error)?;
    let user = entities::load(&mut tx, account, EntityKind::User, user_name).await?;
    let mut profile = of_user(&mut tx, account, &user.name).await?.ok_or_else(|| not_found(&user.name))?;
    let policy = password_policy::current(&mut tx, account).await?;
    drop(tx);
    if let Some(password) = text(&input, "Password") {
        check_new_password(password, policy.as_ref(), Some(&profile)).await?;
        replace_password(&mut profile, hash_password(password.to_owned()).await?, ctx.time.floor());
    }
    if let Some(reset) = input.get("PasswordResetRequired").and_then(Value::as_bool) {
        profile.password_reset_required = reset;
    }
    let mut tx = store.begin().await.map_err(store_error)?;
    of_user(&mut tx, account, &user.name).await?.ok_or_else(|| not_found(&user.name))?;
    save(&mut tx, &profile).await?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({})).resource("AWS::IAM::User", user.arn))
}

pub async fn delete_login_profile(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let user_name = target_user(ctx, &input)?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let user = entities::load(&mut tx, ctx.account(), EntityKind::User, &user_name).await?;
    of_user(&mut tx, ctx.account(), &user.name).await?.ok_or_else(|| not_found(&user.name))?;
    tx.delete(LOGIN_PROFILES, &key(ctx.account(), &user.name)).await.map_err(store_error)?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({})).resource("AWS::IAM::User", user.arn))
}

/// An IAM user changing its own password: the old one must match, the new one must follow the
/// policy. The root user and role sessions have no login profile to change.
pub async fn change_password(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let PrincipalKind::IamUser { name } = &ctx.principal.kind else {
        return Err(error("InvalidUserTypeException", "Only IAM users can change their own password."));
    };
    let old_password = required(&input, "OldPassword")?;
    let new_password = required(&input, "NewPassword")?;
    let account = ctx.account();
    let mut tx = store.begin().await.map_err(store_error)?;
    let mut profile = of_user(&mut tx, account, name).await?.ok_or_else(|| not_found(name))?;
    let policy = password_policy::current(&mut tx, account).await?;
    drop(tx);
    if !matches_any(vec![profile.password.clone()], old_password.to_owned()).await? {
        return Err(ApiError::new("AccessDenied", 403, "The old password you provided is incorrect."));
    }
    check_new_password(new_password, policy.as_ref(), Some(&profile)).await?;
    replace_password(&mut profile, hash_password(new_password.to_owned()).await?, ctx.time.floor());
    profile.password_reset_required = false;
    let mut tx = store.begin().await.map_err(store_error)?;
    of_user(&mut tx, account, name).await?.ok_or_else(|| not_found(name))?;
    save(&mut tx, &profile).await?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({})))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_only() {
        let hash = derive_hash("Correct-Horse-9");
        assert!(verify_any(std::slice::from_ref(&hash), "Correct-Horse-9"));
        assert!(!verify_any(&[hash], "Correct-Horse-8"));
    }

    #[test]
    fn the_same_password_hashes_differently_each_time() {
        let (a, b) = (derive_hash("same"), derive_hash("same"));
        assert_ne!(a.salt, b.salt);
        assert_ne!(a.hash, b.hash);
    }
}
