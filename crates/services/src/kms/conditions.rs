//! The KMS condition keys a request carries, read from its input: the encryption context, the
//! algorithms and specs asked for, and what a new grant would allow.

use serde_json::Value;

/// `(key, values)` pairs for the policy engine's request context. `action` is the IAM action
/// being judged, which for ReEncrypt says which side's encryption context counts.
pub fn condition_keys(action: &str, account: &str, input: &Value) -> Vec<(String, Vec<String>)> {
    let mut keys = vec![("kms:CallerAccount".to_owned(), vec![account.to_owned()])];
    let context_member = match action {
        "kms:ReEncryptFrom" => "SourceEncryptionContext",
        "kms:ReEncryptTo" => "DestinationEncryptionContext",
        _ => "EncryptionContext",
    };
    // One pass over the few members a request has, rather than a lookup for every key.
    for (member, value) in input.as_object().into_iter().flatten() {
        if member == context_member {
            if let Some(context) = value.as_object() {
                for (key, value) in context {
                    if let Some(value) = value.as_str() {
                        keys.push((format!("kms:EncryptionContext:{key}"), vec![value.to_owned()]));
                    }
                }
                keys.push(("kms:EncryptionContextKeys".to_owned(), context.keys().cloned().collect()));
            }
            continue;
        }
        let single = |key: &str| value.as_str().map(|text| (key.to_owned(), vec![text.to_owned()]));
        let entry = match member.as_str() {
            "EncryptionAlgorithm" => single("kms:EncryptionAlgorithm"),
            "SigningAlgorithm" => single("kms:SigningAlgorithm"),
            "MacAlgorithm" => single("kms:MacAlgorithm"),
            "KeyAgreementAlgorithm" => single("kms:KeyAgreementAlgorithm"),
            "KeyPairSpec" => single("kms:DataKeyPairSpec"),
            "MessageType" => single("kms:MessageType"),
            "GranteePrincipal" => single("kms:GranteePrincipal"),
            "RetiringPrincipal" => single("kms:RetiringPrincipal"),
            "KeySpec" => single("kms:KeySpec"),
            "KeyUsage" => single("kms:KeyUsage"),
            "Origin" => single("kms:KeyOrigin"),
            "WrappingAlgorithm" => single("kms:WrappingAlgorithm"),
            "WrappingKeySpec" => single("kms:WrappingKeySpec"),
            "ExpirationModel" => single("kms:ExpirationModel"),
            "KeyId" if value.as_str().is_some_and(|key| key.starts_with("alias/")) => single("kms:RequestAlias"),
            "Operations" => value.as_array().map(|operations| {
                ("kms:GrantOperations".to_owned(), operations.iter().filter_map(Value::as_str).map(str::to_owned).collect())
            }),
            "MultiRegion" => value.as_bool().map(|multi_region| ("kms:MultiRegion".to_owned(), vec![multi_region.to_string()])),
            _ => None,
        };
        keys.extend(entry);
    }
    if action == "kms:CreateGrant" {
        keys.push(("kms:GrantIsForAWSResource".to_owned(), vec!["false".to_owned()]));
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
