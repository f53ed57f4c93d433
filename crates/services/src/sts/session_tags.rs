//! Session tags: key-value pairs passed when a role is assumed or a user federated. They become
//! the session's principal tags (`aws:PrincipalTag/<key>`), overriding the role's or user's own
//! tags with the same key regardless of case; the transitive ones pass on to every role the
//! session assumes after (role chaining) and cannot be overridden there.

use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use wire::ApiError;

use crate::iam::entities::Tag;

/// "You can pass a maximum of 50 session tags."
const MAX_TAGS: usize = 50;
const MAX_KEY_CHARS: usize = 128;
const MAX_VALUE_CHARS: usize = 256;

/// AWS packs session policies and tags into a compressed binary form whose format it does not
/// publish, and reports how full it is as `PackedPolicySize`, a percentage. Palisade counts plain
/// characters instead, against one allowance for policies (the inline policy without whitespace
/// and the managed policy ARNs: the longest inline policy the model accepts fills it) and a much
/// smaller one for tags (EKS Pod Identity's six tags are reported to take about three quarters of
/// AWS's, which this reproduces).
const POLICY_ALLOWANCE_CHARS: usize = 2048;
const TAG_ALLOWANCE_CHARS: usize = 400;

/// The characters IAM and STS allow in tag keys and values (`tagKeyType` in the model).
static TAG_CHARACTERS: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$").expect("valid pattern"));

/// A session's own tags and which of them are transitive.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SessionTags {
    /// In the order given; keys are unique regardless of case.
    #[serde(default)]
    pub tags: Vec<Tag>,
    /// Keys, as the tags spell them, whose tags pass on to sessions this one assumes.
    #[serde(default)]
    pub transitive_keys: Vec<String>,
}

fn invalid_parameter(message: impl Into<String>) -> ApiError {
    ApiError::new("InvalidParameterValue", 400, message)
}

/// Tag keys are compared regardless of case, though their case is kept.
fn same_key(a: &str, b: &str) -> bool {
    a.to_lowercase() == b.to_lowercase()
}

impl SessionTags {
    /// Tags and transitive keys as a request (or a federation token) passes them, checked
    /// against STS's rules: at most 50 tags, keys of 1 to 128 and values of at most 256
    /// characters from IAM's tag alphabet, no `aws:` prefix, no two keys differing only in case,
    /// and transitive keys naming passed tags.
    pub fn new(tags: Vec<Tag>, transitive_keys: Vec<String>) -> Result<SessionTags, ApiError> {
        if tags.len() > MAX_TAGS {
            return Err(ApiError::new(
                "ValidationError",
                400,
                format!("1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to {MAX_TAGS}"),
            ));
        }
        for tag in &tags {
            let key_chars = tag.key.chars().count();
            if key_chars == 0 || key_chars > MAX_KEY_CHARS || !TAG_CHARACTERS.is_match(&tag.key) {
                return Err(invalid_parameter(format!(
                    "The session tag key '{}' must be 1 to {MAX_KEY_CHARS} characters of letters, digits, spaces and _.:/=+-@",
                    tag.key
                )));
            }
            if tag.value.chars().count() > MAX_VALUE_CHARS || !TAG_CHARACTERS.is_match(&tag.value) {
                return Err(invalid_parameter(format!(
                    "The value of session tag '{}' must be at most {MAX_VALUE_CHARS} characters of letters, digits, spaces and _.:/=+-@",
                    tag.key
                )));
            }
            if tag.key.get(..4).is_some_and(|prefix| prefix.eq_ignore_ascii_case("aws:")) {
                return Err(invalid_parameter(format!("The session tag key '{}' uses the reserved prefix aws:", tag.key)));
            }
        }
        if tags.iter().enumerate().any(|(i, tag)| tags[..i].iter().any(|earlier| same_key(&earlier.key, &tag.key))) {
            return Err(invalid_parameter("Duplicate tag keys found. Please note that Tag keys are case insensitive."));
        }
        let mut canonical_transitive = Vec::new();
        for key in transitive_keys {
            let Some(tag) = tags.iter().find(|tag| same_key(&tag.key, &key)) else {
                return Err(invalid_parameter(format!("The transitive tag key '{key}' is not one of the session tags passed in the request.")));
            };
            if !canonical_transitive.iter().any(|known: &String| same_key(known, &tag.key)) {
                canonical_transitive.push(tag.key.clone());
            }
        }
        Ok(SessionTags { tags, transitive_keys: canonical_transitive })
    }

    /// The `Tags` and `TransitiveTagKeys` members of an AssumeRole or GetFederationToken input.
    pub fn from_input(input: &Value) -> Result<SessionTags, ApiError> {
        let tags = match input.get("Tags") {
            Some(tags) => serde_json::from_value(tags.clone()).map_err(|e| ApiError::new("ValidationError", 400, format!("Tags: {e}")))?,
            None => Vec::new(),
        };
        let transitive_keys = match input.get("TransitiveTagKeys") {
            Some(keys) => serde_json::from_value(keys.clone())
                .map_err(|e| ApiError::new("ValidationError", 400, format!("TransitiveTagKeys: {e}")))?,
            None => Vec::new(),
        };
        SessionTags::new(tags, transitive_keys)
    }

    pub fn is_empty(&self) -> bool {
        self.tags.is_empty() && self.transitive_keys.is_empty()
    }

    /// The tags that pass on to a session this one assumes.
    pub fn transitive(&self) -> Vec<Tag> {
        self.tags.iter().filter(|tag| self.transitive_keys.iter().any(|key| same_key(key, &tag.key))).cloned().collect()
    }

    /// These tags with the transitive tags of the session that asked for them (role chaining).
    /// The inherited tags stay transitive, and a request may not pass a tag of its own for an
    /// inherited key: "If you pass a session tag with the same key as an inherited tag, the
    /// operation fails."
    pub fn inheriting(mut self, inherited: &[Tag]) -> Result<SessionTags, ApiError> {
        if let Some(clash) = self.tags.iter().find(|tag| inherited.iter().any(|old| same_key(&old.key, &tag.key))) {
            return Err(invalid_parameter(format!(
                "The session tag '{}' cannot be set: the calling session passes it on as a transitive tag.",
                clash.key
            )));
        }
        for tag in inherited {
            self.tags.push(tag.clone());
            self.transitive_keys.push(tag.key.clone());
        }
        Ok(self)
    }
}

/// The tags a request asks STS to put on a new session, for authorizing it: what AssumeRole or
/// GetFederationToken passes and, for AssumeRole, the caller's transitive tags; `None` when it
/// sets none (then no sts:TagSession permission is needed). They are not checked here: the
/// operation refuses bad ones once the request is authorized.
pub fn requested(operation: &str, input: &Value, caller_transitive_tags: &[Tag]) -> Option<SessionTags> {
    if !matches!(operation, "AssumeRole" | "GetFederationToken") {
        return None;
    }
    let passed = |member: &str| input.get(member).and_then(Value::as_array).into_iter().flatten();
    let mut tags = SessionTags {
        tags: passed("Tags").filter_map(|tag| serde_json::from_value(tag.clone()).ok()).collect(),
        transitive_keys: passed("TransitiveTagKeys").filter_map(Value::as_str).map(str::to_owned).collect(),
    };
    if operation == "AssumeRole" {
        tags.tags.extend(caller_transitive_tags.iter().cloned());
        tags.transitive_keys.extend(caller_transitive_tags.iter().map(|tag| tag.key.clone()));
    }
    (!tags.is_empty()).then_some(tags)
}

/// The principal tags of a session: the role's (or federating user's) own tags, each replaced
/// by a session tag with the same key regardless of case.
pub fn principal_tags(entity_tags: &[Tag], session: &SessionTags) -> Vec<Tag> {
    let mut merged: Vec<Tag> =
        entity_tags.iter().filter(|own| !session.tags.iter().any(|passed| same_key(&passed.key, &own.key))).cloned().collect();
    merged.extend(session.tags.iter().cloned());
    merged
}

/// The condition keys of a request that tags a session: `aws:RequestTag/<key>` for each tag it
/// sets (inherited transitive tags included, as the new session gets them), `aws:TagKeys` and
/// `sts:TransitiveTagKeys`.
pub fn condition_keys(tags: &SessionTags) -> Vec<(String, Vec<String>)> {
    let mut keys: Vec<(String, Vec<String>)> =
        tags.tags.iter().map(|tag| (format!("aws:RequestTag/{}", tag.key), vec![tag.value.clone()])).collect();
    if !tags.tags.is_empty() {
        keys.push(("aws:TagKeys".to_owned(), tags.tags.iter().map(|tag| tag.key.clone()).collect()));
    }
    if !tags.transitive_keys.is_empty() {
        keys.push(("sts:TransitiveTagKeys".to_owned(), tags.transitive_keys.clone()));
    }
    keys
}

/// `PackedPolicySize`: how full, in percent, the session's packed policies and tags are; a
/// `PackedPolicyTooLarge` error when more than full, with AWS's messages.
pub fn packed_policy_size(policy: Option<&str>, policy_arns: &[String], tags: &SessionTags) -> Result<u64, ApiError> {
    let percent = |chars: usize, allowance: usize| (chars * 100).div_ceil(allowance) as u64;
    let policy_chars = policy.map_or(0, |document| document.chars().filter(|c| !c.is_whitespace()).count())
        + policy_arns.iter().map(|arn| arn.chars().count()).sum::<usize>();
    let tag_chars: usize = tags.tags.iter().map(|tag| tag.key.chars().count() + tag.value.chars().count()).sum();
    let (policy_percent, tag_percent) = (percent(policy_chars, POLICY_ALLOWANCE_CHARS), percent(tag_chars, TAG_ALLOWANCE_CHARS));
    let combined = policy_percent + tag_percent;
    let too_large = |message: String| Err(crate::modeled_error("sts", "PackedPolicyTooLargeException", message));
    if tag_percent > 100 {
        return too_large(format!("Packed size of session tags consumes {tag_percent}% of allotted space."));
    }
    if combined > 100 {
        return too_large(format!("Packed policy consumes {combined}% of allotted space, please use smaller policy."));
    }
    Ok(combined)
}

/// Tags as CloudTrail's `principalTags` and `incomingTransitiveTags` show them: an object of
/// key to value.
pub fn as_object(tags: &[Tag]) -> Value {
    Value::Object(tags.iter().map(|tag| (tag.key.clone(), Value::String(tag.value.clone()))).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn tag(key: &str, value: &str) -> Tag {
        Tag { key: key.to_owned(), value: value.to_owned() }
    }

    fn keys(tags: &[Tag]) -> Vec<(&str, &str)> {
        tags.iter().map(|t| (t.key.as_str(), t.value.as_str())).collect()
    }

    #[test]
    fn fifty_tags_are_allowed_and_fifty_one_are_not() {
        let many = |n: usize| (0..n).map(|i| tag(&format!("k{i}"), "v")).collect::<Vec<_>>();
        assert!(SessionTags::new(many(50), Vec::new()).is_ok());
        let error = SessionTags::new(many(51), Vec::new()).unwrap_err();
        assert_eq!(error.code, "ValidationError");
    }

    #[test]
    fn keys_longer_than_128_and_values_longer_than_256_characters_are_refused() {
        assert!(SessionTags::new(vec![tag(&"k".repeat(128), &"v".repeat(256))], Vec::new()).is_ok());
        assert_eq!(SessionTags::new(vec![tag(&"k".repeat(129), "v")], Vec::new()).unwrap_err().code, "InvalidParameterValue");
        assert_eq!(SessionTags::new(vec![tag("k", &"v".repeat(257))], Vec::new()).unwrap_err().code, "InvalidParameterValue");
        assert!(SessionTags::new(vec![tag("", "v")], Vec::new()).is_err());
        assert!(SessionTags::new(vec![tag("bad*key", "v")], Vec::new()).is_err());
        assert!(SessionTags::new(vec![tag("AWS:team", "v")], Vec::new()).is_err());
    }

    #[test]
    fn keys_differing_only_in_case_are_duplicates() {
        let error = SessionTags::new(vec![tag("Department", "a"), tag("department", "b")], Vec::new()).unwrap_err();
        assert_eq!(error.code, "InvalidParameterValue");
        assert!(error.message.contains("Duplicate tag keys"), "{}", error.message);
    }

    #[test]
    fn transitive_keys_must_name_passed_tags() {
        let tags = SessionTags::new(vec![tag("Project", "x")], vec!["project".to_owned()]).unwrap();
        assert_eq!(tags.transitive_keys, vec!["Project"]);
        assert_eq!(SessionTags::new(vec![tag("Project", "x")], vec!["Cost".to_owned()]).unwrap_err().code, "InvalidParameterValue");
    }

    #[test]
    fn session_tags_override_the_roles_tags_regardless_of_case() {
        let role = vec![tag("Department", "Marketing"), tag("Star", "3")];
        let session = SessionTags::new(vec![tag("department", "Engineering")], Vec::new()).unwrap();
        assert_eq!(keys(&principal_tags(&role, &session)), vec![("Star", "3"), ("department", "Engineering")]);
    }

    #[test]
    fn transitive_tags_are_carried_into_the_next_session_and_stay_transitive() {
        let first = SessionTags::new(vec![tag("Star", "1"), tag("Heart", "1"), tag("Moon", "1")], vec!["Star".into(), "Heart".into()]).unwrap();
        let second = SessionTags::default().inheriting(&first.transitive()).unwrap();
        assert_eq!(keys(&second.tags), vec![("Star", "1"), ("Heart", "1")]);
        let third = SessionTags::new(vec![tag("Sun", "2")], Vec::new()).unwrap().inheriting(&second.transitive()).unwrap();
        assert_eq!(keys(&third.transitive()), vec![("Star", "1"), ("Heart", "1")]);
        let role3 = vec![tag("Star", "3"), tag("Lightning", "3")];
        assert_eq!(keys(&principal_tags(&role3, &third)), vec![("Lightning", "3"), ("Sun", "2"), ("Star", "1"), ("Heart", "1")]);
    }

    #[test]
    fn an_inherited_transitive_tag_cannot_be_passed_again() {
        let inherited = vec![tag("Heart", "1")];
        let error = SessionTags::new(vec![tag("heart", "3")], Vec::new()).unwrap().inheriting(&inherited).unwrap_err();
        assert_eq!(error.code, "InvalidParameterValue");
    }

    #[test]
    fn tagging_requests_carry_request_tag_keys() {
        let tags = SessionTags::new(vec![tag("team", "blue"), tag("cost", "1")], vec!["team".into()]).unwrap();
        let keys = condition_keys(&tags);
        assert!(keys.contains(&("aws:RequestTag/team".to_owned(), vec!["blue".to_owned()])));
        assert!(keys.contains(&("aws:TagKeys".to_owned(), vec!["team".to_owned(), "cost".to_owned()])));
        assert!(keys.contains(&("sts:TransitiveTagKeys".to_owned(), vec!["team".to_owned()])));
        assert!(condition_keys(&SessionTags::default()).is_empty());
    }

    #[test]
    fn a_request_tags_a_session_when_it_passes_tags_or_its_caller_has_transitive_ones() {
        let input = json!({"RoleArn": "arn:aws:iam::1:role/r", "Tags": [{"Key": "team", "Value": "blue"}]});
        assert_eq!(keys(&requested("AssumeRole", &input, &[]).unwrap().tags), vec![("team", "blue")]);
        let untagged = json!({"RoleArn": "arn:aws:iam::1:role/r"});
        assert_eq!(requested("AssumeRole", &untagged, &[]), None);
        let inherited = requested("AssumeRole", &untagged, &[tag("Heart", "1")]).unwrap();
        assert_eq!(inherited.transitive_keys, vec!["Heart"]);
        assert_eq!(requested("GetCallerIdentity", &input, &[]), None);
    }

    #[test]
    fn packed_size_is_a_percentage_and_too_many_tag_characters_fail() {
        let small = SessionTags::new(vec![tag("team", "blue")], Vec::new()).unwrap();
        assert_eq!(packed_policy_size(None, &[], &small).unwrap(), 2);
        let policy = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}).to_string();
        assert!(packed_policy_size(Some(&policy), &[], &SessionTags::default()).unwrap() > 0);
        let big = SessionTags::new((0..20).map(|i| tag(&format!("key-{i:03}"), &"v".repeat(30))).collect(), Vec::new()).unwrap();
        let error = packed_policy_size(None, &[], &big).unwrap_err();
        assert_eq!(error.code, "PackedPolicyTooLarge");
        assert!(error.message.starts_with("Packed size of session tags consumes 185% of allotted space"), "{}", error.message);
    }
}
