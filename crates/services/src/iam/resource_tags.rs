//! Tags on the IAM resources that are not users or roles (instance profiles, OIDC and SAML
//! providers): the same quota and merge rules as users and roles.

use gateway::Reply;
use serde_json::{json, Value};
use wire::ApiError;

use super::entities::{merge_tags, page, paged_output, parse_tags, Tag};

/// Adds the request's `Tags`, replacing the values of keys already present.
pub fn add(tags: &mut Vec<Tag>, input: &Value) -> Result<(), ApiError> {
    merge_tags(tags, parse_tags(input)?)
}

/// Removes the request's `TagKeys`; keys that are not there are ignored, as in IAM.
pub fn remove(tags: &mut Vec<Tag>, input: &Value) {
    let keys: Vec<&str> = input.get("TagKeys").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect();
    tags.retain(|t| !keys.contains(&t.key.as_str()));
}

/// One page of tags, as the `List*Tags` operations answer.
pub fn listed(tags: &[Tag], input: &Value) -> Result<Reply, ApiError> {
    let keys = tags.iter().map(|t| t.key.clone()).collect();
    let (items, next) = page(tags.iter().map(|t| json!(t)).collect(), keys, input)?;
    Ok(Reply::new(paged_output("Tags", items, next)))
}
