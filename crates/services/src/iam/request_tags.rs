//! `aws:RequestTag/<key>` and `aws:TagKeys` from the tags a request carries, for the actions
//! AWS's authorization reference gives those keys. Services spell tags three ways: a list of
//! `{Key, Value}` (IAM, Secrets Manager, WAF; KMS says `TagKey`/`TagValue`), a map of key to
//! value (GuardDuty, Lambda, Security Hub), and, to remove tags, a `TagKeys` list.

use serde_json::Value;

use super::authorization_reference::AuthorizationReference;

pub fn condition_keys(action: &str, input: &Value) -> Vec<(String, Vec<String>)> {
    let Some(reference) = AuthorizationReference::get().action(action) else { return Vec::new() };
    let takes = |key: &str| reference.condition_keys.iter().any(|k| k.eq_ignore_ascii_case(key));
    let (with_values, without_values) = (takes("aws:RequestTag/${TagKey}"), takes("aws:TagKeys"));
    if !with_values && !without_values {
        return Vec::new();
    }
    let tags = request_tags(input);
    let mut keys = Vec::new();
    if with_values {
        keys.extend(tags.iter().map(|(key, value)| (format!("aws:RequestTag/{key}"), vec![value.clone()])));
    }
    if without_values {
        let mut tag_keys: Vec<String> = tags.into_iter().map(|(key, _)| key).collect();
        if let Some(Value::Array(removed)) = input.get("TagKeys") {
            tag_keys.extend(removed.iter().filter_map(Value::as_str).map(str::to_owned));
        }
        if !tag_keys.is_empty() {
            keys.push(("aws:TagKeys".to_owned(), tag_keys));
        }
    }
    keys
}

fn request_tags(input: &Value) -> Vec<(String, String)> {
    match input.get("Tags") {
        Some(Value::Array(tags)) => tags
            .iter()
            .filter_map(|tag| {
                let key = tag.get("Key").or_else(|| tag.get("TagKey"))?.as_str()?;
                let value = tag.get("Value").or_else(|| tag.get("TagValue")).and_then(Value::as_str).unwrap_or("");
                Some((key.to_owned(), value.to_owned()))
            })
            .collect(),
        Some(Value::Object(tags)) => {
            tags.iter().map(|(key, value)| (key.clone(), value.as_str().unwrap_or("").to_owned())).collect()
        }
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn value_of<'a>(keys: &'a [(String, Vec<String>)], key: &str) -> Option<&'a [String]> {
        keys.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_slice())
    }

    #[test]
    fn kms_tags_are_request_tags_of_create_key() {
        let input = json!({ "Tags": [{ "TagKey": "team", "TagValue": "blue" }] });
        let keys = condition_keys("kms:CreateKey", &input);
        assert_eq!(value_of(&keys, "aws:RequestTag/team"), Some(&["blue".to_owned()][..]));
        assert_eq!(value_of(&keys, "aws:TagKeys"), Some(&["team".to_owned()][..]));
    }

    #[test]
    fn a_tag_map_gives_request_tags() {
        let input = json!({ "Tags": { "env": "prod", "team": "red" } });
        let keys = condition_keys("guardduty:CreateDetector", &input);
        assert_eq!(value_of(&keys, "aws:RequestTag/env"), Some(&["prod".to_owned()][..]));
        assert_eq!(value_of(&keys, "aws:TagKeys").map(<[String]>::len), Some(2));
    }

    #[test]
    fn removing_tags_names_their_keys() {
        let keys = condition_keys("kms:UntagResource", &json!({ "KeyId": "k", "TagKeys": ["team", "env"] }));
        assert_eq!(value_of(&keys, "aws:TagKeys"), Some(&["team".to_owned(), "env".to_owned()][..]));
        assert!(keys.iter().all(|(k, _)| !k.starts_with("aws:RequestTag/")));
    }

    #[test]
    fn actions_that_take_no_tags_get_no_tag_keys() {
        assert!(condition_keys("kms:Encrypt", &json!({ "Tags": [{ "TagKey": "a", "TagValue": "b" }] })).is_empty());
    }
}
