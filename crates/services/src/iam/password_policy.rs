//! The account password policy: the rules console passwords of IAM users must follow, checked
//! when a login profile is created or a password changed. Without a custom policy, AWS's
//! default applies (eight characters, three of the four character classes).

use gateway::{Reply, RequestContext};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use store::{Store, Txn};
use wire::ApiError;

use super::{error, store_error};

const POLICIES: &str = "iam.password_policy";
/// The symbols IAM counts for `RequireSymbols`.
const SYMBOLS: &str = "!@#$%^&*()_+-=[]{}|'";
/// UpdateAccountPasswordPolicy's default minimum length, and the default policy's.
const DEFAULT_MINIMUM_LENGTH: u32 = 6;
const DEFAULT_POLICY_MINIMUM_LENGTH: usize = 8;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PasswordPolicy {
    pub minimum_password_length: u32,
    pub require_symbols: bool,
    pub require_numbers: bool,
    pub require_uppercase_characters: bool,
    pub require_lowercase_characters: bool,
    pub allow_users_to_change_password: bool,
    /// Days a password stays valid; `None` when passwords do not expire.
    pub max_password_age: Option<u32>,
    /// How many previous passwords a user may not reuse.
    pub password_reuse_prevention: Option<u32>,
    pub hard_expiry: bool,
}

impl PasswordPolicy {
    fn view(&self) -> Value {
        let mut out = json!({
            "MinimumPasswordLength": self.minimum_password_length,
            "RequireSymbols": self.require_symbols,
            "RequireNumbers": self.require_numbers,
            "RequireUppercaseCharacters": self.require_uppercase_characters,
            "RequireLowercaseCharacters": self.require_lowercase_characters,
            "AllowUsersToChangePassword": self.allow_users_to_change_password,
            "ExpirePasswords": self.max_password_age.is_some(),
            "HardExpiry": self.hard_expiry,
        });
        if let Some(days) = self.max_password_age {
            out["MaxPasswordAge"] = json!(days);
        }
        if let Some(count) = self.password_reuse_prevention {
            out["PasswordReusePrevention"] = json!(count);
        }
        out
    }
}

struct CharacterClasses {
    symbol: bool,
    number: bool,
    uppercase: bool,
    lowercase: bool,
}

fn classes(password: &str) -> CharacterClasses {
    CharacterClasses {
        symbol: password.chars().any(|c| SYMBOLS.contains(c)),
        number: password.chars().any(|c| c.is_ascii_digit()),
        uppercase: password.chars().any(|c| c.is_ascii_uppercase()),
        lowercase: password.chars().any(|c| c.is_ascii_lowercase()),
    }
}

fn violation(message: impl Into<String>) -> ApiError {
    error("PasswordPolicyViolationException", message)
}

/// Refuses a password the account's policy (or AWS's default policy, when the account has
/// none) does not allow, naming every rule it breaks.
pub fn check(password: &str, policy: Option<&PasswordPolicy>) -> Result<(), ApiError> {
    let found = classes(password);
    let Some(policy) = policy else {
        let class_count = [found.symbol, found.number, found.uppercase, found.lowercase].iter().filter(|c| **c).count();
        if password.chars().count() < DEFAULT_POLICY_MINIMUM_LENGTH || class_count < 3 {
            return Err(violation(
                "Password does not conform to the account password policy: it must have at least 8 characters and three of: uppercase letters, lowercase letters, numbers and symbols.",
            ));
        }
        return Ok(());
    };
    let mut broken = Vec::new();
    if password.chars().count() < policy.minimum_password_length as usize {
        broken.push(format!("Password should have a minimum length of {}", policy.minimum_password_length));
    }
    if policy.require_symbols && !found.symbol {
        broken.push("Password should have at least one symbol".to_owned());
    }
    if policy.require_numbers && !found.number {
        broken.push("Password should have at least one number".to_owned());
    }
    if policy.require_uppercase_characters && !found.uppercase {
        broken.push("Password should have at least one uppercase letter".to_owned());
    }
    if policy.require_lowercase_characters && !found.lowercase {
        broken.push("Password should have at least one lowercase letter".to_owned());
    }
    if broken.is_empty() {
        Ok(())
    } else {
        Err(violation(broken.join("; ")))
    }
}

/// The account's custom password policy, if it has one.
pub async fn current(tx: &mut Txn, account: &str) -> Result<Option<PasswordPolicy>, ApiError> {
    let stored = tx.get(POLICIES, account).await.map_err(store_error)?;
    Ok(stored.and_then(|v| serde_json::from_value(v).ok()))
}

fn no_policy(account: &str) -> ApiError {
    error("NoSuchEntityException", format!("The Password Policy with domain name {account} cannot be found."))
}

fn flag(input: &Value, member: &str) -> bool {
    input.get(member).and_then(Value::as_bool).unwrap_or(false)
}

/// Members left out take their defaults, as in IAM: the update replaces the whole policy.
pub async fn update_account_password_policy(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let number = |member: &str| input.get(member).and_then(Value::as_u64).map(|n| n as u32);
    let policy = PasswordPolicy {
        minimum_password_length: number("MinimumPasswordLength").unwrap_or(DEFAULT_MINIMUM_LENGTH),
        require_symbols: flag(&input, "RequireSymbols"),
        require_numbers: flag(&input, "RequireNumbers"),
        require_uppercase_characters: flag(&input, "RequireUppercaseCharacters"),
        require_lowercase_characters: flag(&input, "RequireLowercaseCharacters"),
        allow_users_to_change_password: flag(&input, "AllowUsersToChangePassword"),
        max_password_age: number("MaxPasswordAge").filter(|days| *days > 0),
        password_reuse_prevention: number("PasswordReusePrevention").filter(|count| *count > 0),
        hard_expiry: flag(&input, "HardExpiry"),
    };
    let value = serde_json::to_value(&policy).map_err(|e| ApiError::internal(e.to_string()))?;
    let mut tx = store.begin().await.map_err(store_error)?;
    tx.put(POLICIES, ctx.account(), &value).await.map_err(store_error)?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({})))
}

pub async fn get_account_password_policy(store: &Store, ctx: &RequestContext) -> Result<Reply, ApiError> {
    let mut tx = store.begin().await.map_err(store_error)?;
    let policy = current(&mut tx, ctx.account()).await?.ok_or_else(|| no_policy(ctx.account()))?;
    Ok(Reply::new(json!({ "PasswordPolicy": policy.view() })))
}

pub async fn delete_account_password_policy(store: &Store, ctx: &RequestContext) -> Result<Reply, ApiError> {
    let mut tx = store.begin().await.map_err(store_error)?;
    if current(&mut tx, ctx.account()).await?.is_none() {
        return Err(no_policy(ctx.account()));
    }
    tx.delete(POLICIES, ctx.account()).await.map_err(store_error)?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({})))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strict() -> PasswordPolicy {
        PasswordPolicy {
            minimum_password_length: 14,
            require_symbols: true,
            require_numbers: true,
            require_uppercase_characters: true,
            require_lowercase_characters: true,
            allow_users_to_change_password: true,
            max_password_age: Some(90),
            password_reuse_prevention: Some(24),
            hard_expiry: false,
        }
    }

    #[test]
    fn a_custom_policy_names_every_rule_a_password_breaks() {
        let e = check("short", Some(&strict())).unwrap_err();
        assert_eq!(e.code, "PasswordPolicyViolation");
        assert_eq!(
            e.message,
            "Password should have a minimum length of 14; Password should have at least one symbol; \
Password should have at least one number; Password should have at least one uppercase letter"
        );
        assert!(check("Correct-Horse-9-Battery", Some(&strict())).is_ok());
    }

    #[test]
    fn the_default_policy_wants_eight_characters_of_three_classes() {
        assert!(check("abcdefgh", None).is_err());
        assert!(check("Abcdefg1", None).is_ok());
        assert!(check("Ab1!", None).is_err());
    }

    #[test]
    fn symbols_are_the_ones_iam_lists() {
        let only_symbols = PasswordPolicy { require_symbols: true, minimum_password_length: 6, ..strict() };
        let only_symbols = PasswordPolicy { require_numbers: false, require_uppercase_characters: false, require_lowercase_characters: false, ..only_symbols };
        assert!(check("abcdef'", Some(&only_symbols)).is_ok());
        assert!(check("abcdef~", Some(&only_symbols)).is_err());
    }
}
