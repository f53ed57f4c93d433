//! Resource tags as ACM and ACM PCA keep them: a map in which a missing value is the empty
//! string, keys under `aws:` reserved to AWS, at most 50 tags on one resource.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{json, Value};
use wire::ApiError;

/// AWS's quota of tags per certificate or certificate authority.
const MAX_TAGS: usize = 50;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Tag {
    pub key: String,
    pub value: Option<String>,
}

/// The tag rules of one service: its model (for the error shapes) and what it calls the
/// resource in messages.
pub struct TagRules {
    pub service: &'static str,
    pub resource: &'static str,
}

impl TagRules {
    pub fn check_key(&self, key: &str) -> Result<(), ApiError> {
        if key.to_ascii_lowercase().starts_with("aws:") {
            return Err(crate::modeled_error(
                self.service,
                "InvalidTagException",
                format!("Tag key {key} is reserved: the aws: prefix belongs to AWS."),
            ));
        }
        Ok(())
    }

    fn check_count(&self, tags: &BTreeMap<String, String>) -> Result<(), ApiError> {
        if tags.len() > MAX_TAGS {
            return Err(crate::modeled_error(
                self.service,
                "TooManyTagsException",
                format!("A {} can have at most {MAX_TAGS} tags.", self.resource),
            ));
        }
        Ok(())
    }

    /// Adds `tags` to `map`, replacing the values of keys it has.
    pub fn add(&self, map: &mut BTreeMap<String, String>, tags: Vec<Tag>) -> Result<(), ApiError> {
        for tag in tags {
            self.check_key(&tag.key)?;
            map.insert(tag.key, tag.value.unwrap_or_default());
        }
        self.check_count(map)
    }

    /// Tags as a map.
    pub fn to_map(&self, tags: Vec<Tag>) -> Result<BTreeMap<String, String>, ApiError> {
        let mut map = BTreeMap::new();
        self.add(&mut map, tags)?;
        Ok(map)
    }
}

/// Removes each named tag; a tag given with a value is removed only if the value matches.
pub fn remove(map: &mut BTreeMap<String, String>, tags: &[Tag]) {
    for tag in tags {
        if tag.value.as_ref().is_none_or(|v| map.get(&tag.key) == Some(v)) {
            map.remove(&tag.key);
        }
    }
}

pub fn tag_list(tags: &BTreeMap<String, String>) -> Vec<Value> {
    tags.iter().map(|(k, v)| json!({ "Key": k, "Value": v })).collect()
}
