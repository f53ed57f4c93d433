//! What a logging configuration keeps and hides: its LoggingFilter (keep or drop records by
//! action and label) and its RedactedFields (header values, query string, URI path, method).

use serde_json::{json, Value};
use wire::ApiError;

use super::errors::invalid_parameter;

/// The fields a logging configuration may redact.
const REDACTABLE: &[&str] = &["SingleHeader", "UriPath", "QueryString", "Method"];

#[derive(Debug, Clone, Default)]
pub struct LogPolicy {
    /// Lowercase names of the headers whose values are redacted.
    headers: Vec<String>,
    uri_path: bool,
    query_string: bool,
    method: bool,
    filters: Vec<Filter>,
    keep_by_default: bool,
}

#[derive(Debug, Clone)]
struct Filter {
    keep: bool,
    all_conditions: bool,
    conditions: Vec<Condition>,
}

#[derive(Debug, Clone)]
enum Condition {
    Action(String),
    Label(String),
}

/// Checks RedactedFields: AWS redacts only single headers, the URI path, the query string and
/// the method in logs.
pub fn check(configuration: &Value) -> Result<(), ApiError> {
    for field in configuration.get("RedactedFields").and_then(Value::as_array).into_iter().flatten() {
        let kind = field.as_object().and_then(|f| f.keys().next()).map(String::as_str).unwrap_or_default();
        if !REDACTABLE.contains(&kind) {
            return Err(invalid_parameter("FIELD_TO_MATCH", kind, "The value of the parameter is not valid."));
        }
    }
    Ok(())
}

impl LogPolicy {
    pub fn of(configuration: &Value) -> LogPolicy {
        let mut policy = LogPolicy { keep_by_default: true, ..LogPolicy::default() };
        for field in configuration.get("RedactedFields").and_then(Value::as_array).into_iter().flatten() {
            if let Some(name) = field.pointer("/SingleHeader/Name").and_then(Value::as_str) {
                policy.headers.push(name.to_ascii_lowercase());
            }
            policy.uri_path |= field.get("UriPath").is_some();
            policy.query_string |= field.get("QueryString").is_some();
            policy.method |= field.get("Method").is_some();
        }
        if let Some(filter) = configuration.get("LoggingFilter") {
            policy.keep_by_default = filter.get("DefaultBehavior").and_then(Value::as_str) != Some("DROP");
            for each in filter.get("Filters").and_then(Value::as_array).into_iter().flatten() {
                let conditions = each
                    .get("Conditions")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(|c| {
                        if let Some(action) = c.pointer("/ActionCondition/Action").and_then(Value::as_str) {
                            return Some(Condition::Action(action.to_owned()));
                        }
                        c.pointer("/LabelNameCondition/LabelName").and_then(Value::as_str).map(|l| Condition::Label(l.to_owned()))
                    })
                    .collect();
                policy.filters.push(Filter {
                    keep: each.get("Behavior").and_then(Value::as_str) != Some("DROP"),
                    all_conditions: each.get("Requirement").and_then(Value::as_str) == Some("MEETS_ALL"),
                    conditions,
                });
            }
        }
        policy
    }

    /// Whether a request's record is logged: the first filter whose conditions it meets decides,
    /// else the default behaviour. `actions` are the terminating action and those of rules that
    /// counted the request.
    pub fn keeps(&self, actions: &[&str], labels: &[String]) -> bool {
        let meets = |condition: &Condition| match condition {
            Condition::Action(action) => actions.contains(&action.as_str()),
            Condition::Label(label) => labels.iter().any(|l| l == label),
        };
        for filter in &self.filters {
            let met = if filter.all_conditions { filter.conditions.iter().all(meets) } else { filter.conditions.iter().any(meets) };
            if met {
                return filter.keep;
            }
        }
        self.keep_by_default
    }

    /// Replaces the redacted fields of a log record with `REDACTED`, as AWS WAF does.
    pub fn redact(&self, record: &mut Value) {
        let request = &mut record["httpRequest"];
        if self.uri_path {
            request["uri"] = json!("REDACTED");
        }
        if self.query_string {
            request["args"] = json!("REDACTED");
        }
        if self.method {
            request["httpMethod"] = json!("REDACTED");
        }
        if let Some(headers) = request.get_mut("headers").and_then(Value::as_array_mut) {
            for header in headers {
                let name = header.get("name").and_then(Value::as_str).unwrap_or_default().to_ascii_lowercase();
                if self.headers.contains(&name) {
                    header["value"] = json!("REDACTED");
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_filter_met_decides_and_the_default_covers_the_rest() {
        let policy = LogPolicy::of(&json!({ "LoggingFilter": {
            "DefaultBehavior": "DROP",
            "Filters": [
                { "Behavior": "DROP", "Requirement": "MEETS_ALL", "Conditions": [
                    { "ActionCondition": { "Action": "BLOCK" } },
                    { "LabelNameCondition": { "LabelName": "awswaf:managed:aws:core-rule-set:NoUserAgent_Header" } },
                ] },
                { "Behavior": "KEEP", "Requirement": "MEETS_ANY", "Conditions": [{ "ActionCondition": { "Action": "BLOCK" } }] },
            ],
        } }));
        let no_user_agent = vec!["awswaf:managed:aws:core-rule-set:NoUserAgent_Header".to_owned()];
        assert!(!policy.keeps(&["BLOCK"], &no_user_agent));
        assert!(policy.keeps(&["BLOCK"], &[]));
        assert!(!policy.keeps(&["ALLOW"], &[]));
        assert!(LogPolicy::of(&json!({})).keeps(&["ALLOW"], &[]));
    }

    #[test]
    fn redacted_fields_read_redacted() {
        let policy = LogPolicy::of(&json!({ "RedactedFields": [{ "SingleHeader": { "Name": "Authorization" } }, { "QueryString": {} }] }));
        let mut record = json!({ "httpRequest": { "uri": "/a", "args": "token=1", "headers": [{ "name": "authorization", "value": "secret" }, { "name": "host", "value": "h" }] } });
        policy.redact(&mut record);
        assert_eq!(record["httpRequest"]["args"], "REDACTED");
        assert_eq!(record["httpRequest"]["headers"][0]["value"], "REDACTED");
        assert_eq!(record["httpRequest"]["headers"][1]["value"], "h");
        assert_eq!(record["httpRequest"]["uri"], "/a");
        assert!(check(&json!({ "RedactedFields": [{ "Body": {} }] })).is_err());
    }
}
