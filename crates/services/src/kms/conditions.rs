//! The KMS condition keys a request carries, read from its input: the encryption context, the
//! algorithms and specs asked for, and what a new grant would allow.

use serde_json::Value;

/// `(key, values)` pairs for the policy engine's request context. `action` is the IAM action
/// being judged, which for ReEncrypt says which side's encryption context counts.
pub fn condition_keys(action: &str, account: &str, input: &Value) -> Vec<(String, Vec<String>)> {
    let text = |name: &str| input.get(name).and_then(Value::as_str).map(str::to_owned);
    let mut keys = vec![("kms:CallerAccount".to_owned(), vec![account.to_owned()])];
    let context_member = match action {
        "kms:ReEncryptFrom" => "SourceEncryptionContext",
        "kms:ReEncryptTo" => "DestinationEncryptionContext",
        _ => "EncryptionContext",
    };
    if let Some(context) = input.get(context_member).and_then(Value::as_object) {
        for (key, value) in context {
            if let Some(value) = value.as_str() {
                keys.push((format!("kms:EncryptionContext:{key}"), vec![value.to_owned()]));
            }
        }
        keys.push(("kms:EncryptionContextKeys".to_owned(), context.keys().cloned().collect()));
    }
    let single = [
        ("EncryptionAlgorithm", "kms:EncryptionAlgorithm"),
        ("SigningAlgorithm", "kms:SigningAlgorithm"),
        ("MacAlgorithm", "kms:MacAlgorithm"),
        ("KeyAgreementAlgorithm", "kms:KeyAgreementAlgorithm"),
        ("KeyPairSpec", "kms:DataKeyPairSpec"),
        ("MessageType", "kms:MessageType"),
        ("GranteePrincipal", "kms:GranteePrincipal"),
        ("RetiringPrincipal", "kms:RetiringPrincipal"),
        ("KeySpec", "kms:KeySpec"),
        ("KeyUsage", "kms:KeyUsage"),
        ("Origin", "kms:KeyOrigin"),
        ("WrappingAlgorithm", "kms:WrappingAlgorithm"),
        ("WrappingKeySpec", "kms:WrappingKeySpec"),
        ("ExpirationModel", "kms:ExpirationModel"),
    ];
    for (member, key) in single {
        if let Some(value) = text(member) {
            keys.push((key.to_owned(), vec![value]));
        }
    }
    if let Some(alias) = text("KeyId").filter(|k| k.starts_with("alias/")) {
        keys.push(("kms:RequestAlias".to_owned(), vec![alias]));
    }
    if let Some(operations) = input.get("Operations").and_then(Value::as_array) {
        keys.push(("kms:GrantOperations".to_owned(), operations.iter().filter_map(Value::as_str).map(str::to_owned).collect()));
    }
    if action == "kms:CreateGrant" {
        keys.push(("kms:GrantIsForAWSResource".to_owned(), vec!["false".to_owned()]));
    }
    if let Some(multi_region) = input.get("MultiRegion").and_then(Value::as_bool) {
        keys.push(("kms:MultiRegion".to_owned(), vec![multi_region.to_string()]));
    }
    keys
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn values<'a>(keys: &'a [(String, Vec<String>)], name: &str) -> Option<&'a [String]> {
        keys.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_slice())
    }

    #[test]
    fn the_encryption_context_becomes_keys() {
        let keys = condition_keys("kms:Decrypt", "1", &json!({"EncryptionContext": {"Dept": "IT", "App": "x"}}));
        assert_eq!(values(&keys, "kms:EncryptionContext:Dept"), Some(&["IT".to_owned()][..]));
        assert_eq!(values(&keys, "kms:EncryptionContextKeys").map(|v| v.len()), Some(2));
    }

    #[test]
    fn re_encrypt_judges_each_side_by_its_own_context() {
        let input = json!({"SourceEncryptionContext": {"a": "1"}, "DestinationEncryptionContext": {"b": "2"}});
        assert!(values(&condition_keys("kms:ReEncryptFrom", "1", &input), "kms:EncryptionContext:a").is_some());
        assert!(values(&condition_keys("kms:ReEncryptTo", "1", &input), "kms:EncryptionContext:b").is_some());
        assert!(values(&condition_keys("kms:ReEncryptTo", "1", &input), "kms:EncryptionContext:a").is_none());
    }

    #[test]
    fn an_alias_request_names_its_alias() {
        let keys = condition_keys("kms:Encrypt", "1", &json!({"KeyId": "alias/app"}));
        assert_eq!(values(&keys, "kms:RequestAlias"), Some(&["alias/app".to_owned()][..]));
    }
}
