//! The Secrets Manager condition keys a request carries, read from its input (the service
//! authorization reference lists which operations set which).

use serde_json::Value;

/// `(key, values)` pairs for the policy engine's request context.
pub fn condition_keys(input: &Value) -> Vec<(String, Vec<String>)> {
    let mut keys = Vec::new();
    let mut text = |member: &str, key: &str| {
        if let Some(value) = input.get(member).and_then(Value::as_str) {
            keys.push((key.to_owned(), vec![value.to_owned()]));
        }
    };
    text("SecretId", "secretsmanager:SecretId");
    text("Name", "secretsmanager:Name");
    text("Description", "secretsmanager:Description");
    text("KmsKeyId", "secretsmanager:KmsKeyId");
    text("VersionId", "secretsmanager:VersionId");
    text("VersionStage", "secretsmanager:VersionStage");
    text("RotationLambdaARN", "secretsmanager:RotationLambdaARN");
    for (member, key) in [
        ("BlockPublicPolicy", "secretsmanager:BlockPublicPolicy"),
        ("ForceOverwriteReplicaSecret", "secretsmanager:ForceOverwriteReplicaSecret"),
        ("RotateImmediately", "secretsmanager:RotateImmediately"),
    ] {
        if let Some(flag) = input.get(member).and_then(Value::as_bool) {
            keys.push((key.to_owned(), vec![flag.to_string()]));
        }
    }
    if input.get("RotationRules").is_some() {
        keys.push(("secretsmanager:ModifyRotationRules".to_owned(), vec!["true".to_owned()]));
    }
    let regions: Vec<String> = input
        .get("AddReplicaRegions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|r| r.get("Region").and_then(Value::as_str).map(str::to_owned))
        .collect();
    if !regions.is_empty() {
        keys.push(("secretsmanager:AddReplicaRegions".to_owned(), regions));
    }
    let tags: Vec<(String, String)> = input
        .get("Tags")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|t| Some((t.get("Key")?.as_str()?.to_owned(), t.get("Value").and_then(Value::as_str).unwrap_or("").to_owned())))
        .collect();
    let mut tag_keys: Vec<String> = tags.iter().map(|(k, _)| k.clone()).collect();
    for (key, value) in tags {
        keys.push((format!("aws:RequestTag/{key}"), vec![value]));
    }
    if let Some(removed) = input.get("TagKeys").and_then(Value::as_array) {
        tag_keys.extend(removed.iter().filter_map(Value::as_str).map(str::to_owned));
    }
    if !tag_keys.is_empty() {
        keys.push(("aws:TagKeys".to_owned(), tag_keys));
    }
    keys
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn value_of<'k>(keys: &'k [(String, Vec<String>)], key: &str) -> Option<&'k [String]> {
        keys.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_slice())
    }

    #[test]
    fn a_get_names_its_secret_and_stage() {
        let keys = condition_keys(&json!({ "SecretId": "prod/db", "VersionStage": "AWSPREVIOUS" }));
        assert_eq!(value_of(&keys, "secretsmanager:SecretId"), Some(&["prod/db".to_owned()][..]));
        assert_eq!(value_of(&keys, "secretsmanager:VersionStage"), Some(&["AWSPREVIOUS".to_owned()][..]));
    }

    #[test]
    fn a_create_carries_its_tags_and_regions() {
        let input = json!({
            "Name": "a",
            "Tags": [{ "Key": "team", "Value": "pay" }],
            "AddReplicaRegions": [{ "Region": "eu-west-1" }],
        });
        let keys = condition_keys(&input);
        assert_eq!(value_of(&keys, "aws:RequestTag/team"), Some(&["pay".to_owned()][..]));
        assert_eq!(value_of(&keys, "aws:TagKeys"), Some(&["team".to_owned()][..]));
        assert_eq!(value_of(&keys, "secretsmanager:AddReplicaRegions"), Some(&["eu-west-1".to_owned()][..]));
    }
}
