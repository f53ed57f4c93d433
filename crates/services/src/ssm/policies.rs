//! Parameter policies (Expiration, ExpirationNotification, NoChangeNotification) and the job
//! that acts on them at the server clock: an expired parameter is deleted; notifications are
//! recorded as CloudTrail service events until EventBridge delivers them.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use store::{AuditRecord, Store};
use wire::ApiError;

use super::{error, record, store_error};

pub const POLICY_JOB: &str = "ssm.parameter_policies";

/// AWS's quota of policies per parameter.
const MAX_POLICIES: usize = 10;
const HOUR_SECONDS: f64 = 3_600.0;
const DAY_SECONDS: f64 = 86_400.0;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum PolicyRule {
    Expiration { at: f64 },
    ExpirationNotification { before_seconds: f64 },
    NoChangeNotification { after_seconds: f64 },
}

impl PolicyRule {
    fn type_name(&self) -> &'static str {
        match self {
            PolicyRule::Expiration { .. } => "Expiration",
            PolicyRule::ExpirationNotification { .. } => "ExpirationNotification",
            PolicyRule::NoChangeNotification { .. } => "NoChangeNotification",
        }
    }
}

/// One policy of a parameter version: its text as the caller wrote it, what it means, and
/// whether it has been acted on.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ParameterPolicy {
    pub text: String,
    pub rule: PolicyRule,
    pub status: String,
}

impl ParameterPolicy {
    /// The policy as DescribeParameters and GetParameterHistory list it.
    pub fn inline(&self) -> Value {
        json!({ "PolicyText": self.text, "PolicyType": self.rule.type_name(), "PolicyStatus": self.status })
    }

    fn is_pending(&self) -> bool {
        self.status == "Pending"
    }
}

fn attribute_error(message: impl Into<String>) -> ApiError {
    error("InvalidPolicyAttributeException", message)
}

/// A positive whole number of days or hours, as `Before`/`After` with `Unit` give it.
fn duration_seconds(attributes: &Value, member: &str, policy_type: &str) -> Result<f64, ApiError> {
    let amount = match attributes.get(member) {
        Some(Value::String(text)) => text.parse::<u32>().ok(),
        Some(Value::Number(number)) => number.as_u64().and_then(|n| u32::try_from(n).ok()),
        _ => None,
    }
    .filter(|&n| n > 0)
    .ok_or_else(|| attribute_error(format!("{policy_type} needs the attribute {member}, a positive whole number.")))?;
    let unit = match attributes.get("Unit").and_then(Value::as_str) {
        Some("Days") => DAY_SECONDS,
        Some("Hours") => HOUR_SECONDS,
        _ => return Err(attribute_error(format!("{policy_type} needs the attribute Unit, Days or Hours."))),
    };
    Ok(f64::from(amount) * unit)
}

/// Reads PutParameter's `Policies` (a JSON array of policies) into policies pending at `now`.
pub fn parse(text: &str, now: f64) -> Result<Vec<ParameterPolicy>, ApiError> {
    let Ok(Value::Array(items)) = serde_json::from_str::<Value>(text) else {
        return Err(error("ValidationException", "Policies must be a JSON array of parameter policies."));
    };
    if items.len() > MAX_POLICIES {
        return Err(error(
            "PoliciesLimitExceededException",
            format!("A parameter can have at most {MAX_POLICIES} policies; {} were given.", items.len()),
        ));
    }
    let mut policies: Vec<ParameterPolicy> = Vec::new();
    for item in items {
        if !item.is_object() {
            return Err(attribute_error("Each parameter policy is a JSON object with Type, Version and Attributes."));
        }
        let policy_type = item.get("Type").and_then(Value::as_str).unwrap_or_default();
        let attributes = item.get("Attributes").cloned().unwrap_or(Value::Null);
        if item.get("Version").and_then(Value::as_str) != Some("1.0") {
            return Err(attribute_error(format!("The policy {policy_type} needs \"Version\": \"1.0\".")));
        }
        let rule = match policy_type {
            "Expiration" => {
                let at = attributes
                    .get("Timestamp")
                    .and_then(Value::as_str)
                    .and_then(wire::timestamp::parse_iso8601)
                    .ok_or_else(|| attribute_error("Expiration needs the attribute Timestamp, an ISO 8601 date and time."))?;
                if at <= now {
                    return Err(attribute_error("The Expiration policy's Timestamp must be in the future."));
                }
                PolicyRule::Expiration { at }
            }
            "ExpirationNotification" => PolicyRule::ExpirationNotification {
                before_seconds: duration_seconds(&attributes, "Before", policy_type)?,
            },
            "NoChangeNotification" => PolicyRule::NoChangeNotification {
                after_seconds: duration_seconds(&attributes, "After", policy_type)?,
            },
            other => {
                return Err(error(
                    "InvalidPolicyTypeException",
                    format!("The policy type {other:?} isn't supported. Parameter Store supports the following policy types: Expiration, ExpirationNotification, and NoChangeNotification."),
                ))
            }
        };
        if policies.iter().any(|p| p.rule.type_name() == rule.type_name()) {
            return Err(error(
                "IncompatiblePolicyException",
                format!("There is a conflict in the policies specified for this parameter: only one {} policy is allowed.", rule.type_name()),
            ));
        }
        let text = serde_json::to_string(&item).expect("a JSON value serializes");
        policies.push(ParameterPolicy { text, rule, status: "Pending".to_owned() });
    }
    let has_expiration = policies.iter().any(|p| matches!(p.rule, PolicyRule::Expiration { .. }));
    if !has_expiration && policies.iter().any(|p| matches!(p.rule, PolicyRule::ExpirationNotification { .. })) {
        return Err(error(
            "IncompatiblePolicyException",
            "An ExpirationNotification policy needs an Expiration policy on the same parameter.",
        ));
    }
    Ok(policies)
}

/// When `policy` of a version last modified at `last_modified` comes due.
fn due_time(policy: &ParameterPolicy, all: &[ParameterPolicy], last_modified: f64) -> Option<f64> {
    let expiration = all.iter().find_map(|p| match p.rule {
        PolicyRule::Expiration { at } => Some(at),
        _ => None,
    });
    match policy.rule {
        PolicyRule::Expiration { at } => Some(at),
        PolicyRule::ExpirationNotification { before_seconds } => expiration.map(|at| at - before_seconds),
        PolicyRule::NoChangeNotification { after_seconds } => Some(last_modified + after_seconds),
    }
}

fn dedupe_key(parameter: &record::StoredParameter) -> String {
    format!("{POLICY_JOB}:{}/{}/{}", parameter.account, parameter.region, parameter.name)
}

/// Queues the parameter's next policy action, or drops the queued one when none is pending.
pub async fn schedule(store: &Store, parameter: &record::StoredParameter) -> Result<(), ApiError> {
    let current = parameter.current();
    let next = current
        .policies
        .iter()
        .filter(|p| p.is_pending())
        .filter_map(|p| due_time(p, &current.policies, current.last_modified))
        .fold(None, |earliest: Option<f64>, t| Some(earliest.map_or(t, |e| e.min(t))));
    let key = dedupe_key(parameter);
    match next {
        Some(at) => {
            let payload = json!({ "account": parameter.account, "region": parameter.region, "name": parameter.name });
            store.enqueue_job(POLICY_JOB, Some(&key), payload, at).await.map_err(store_error)?;
        }
        None => {
            store.cancel_job(&key).await.map_err(store_error)?;
        }
    }
    Ok(())
}

/// Drops the queued policy action of a deleted parameter, if it had policies.
pub async fn unschedule(store: &Store, parameter: &record::StoredParameter) -> Result<(), ApiError> {
    if parameter.current().policies.is_empty() {
        return Ok(());
    }
    store.cancel_job(&dedupe_key(parameter)).await.map_err(store_error).map(|_| ())
}

#[derive(Deserialize)]
struct PolicyJob {
    account: String,
    region: String,
    name: String,
}

/// Acts on every policy of the parameter that has come due: notifications are recorded, an
/// expiration deletes the parameter. Then queues the next action.
pub async fn run_job(store: &Store, now: f64, payload: &Value) -> Result<(), String> {
    let job: PolicyJob = serde_json::from_value(payload.clone()).map_err(|e| format!("bad parameter policy job: {e}"))?;
    let mut tx = store.begin().await.map_err(|e| e.to_string())?;
    let Some(mut parameter) = record::load(&mut tx, &job.account, &job.region, &job.name).await.map_err(|e| e.message)? else {
        return Ok(());
    };
    let current = parameter.current().clone();
    let mut acted: Vec<PolicyRule> = Vec::new();
    for policy in parameter.current_mut().policies.iter_mut() {
        let due = due_time(policy, &current.policies, current.last_modified);
        if policy.is_pending() && due.is_some_and(|t| t <= now) {
            policy.status = "Finished".to_owned();
            acted.push(policy.rule.clone());
        }
    }
    // Notifications before the expiration they announce.
    acted.sort_by_key(|rule| matches!(rule, PolicyRule::Expiration { .. }));
    let expired = acted.iter().any(|rule| matches!(rule, PolicyRule::Expiration { .. }));
    if expired {
        record::delete(&mut tx, &job.account, &job.region, &job.name).await.map_err(|e| e.message)?;
    } else {
        record::save(&mut tx, &parameter).await.map_err(|e| e.message)?;
    }
    tx.commit().await.map_err(|e| e.to_string())?;
    for rule in &acted {
        record_policy_action(store, &parameter, rule, now);
    }
    if !expired {
        schedule(store, &parameter).await.map_err(|e| e.message)?;
    }
    Ok(())
}

/// The policy action as a CloudTrail service event of the parameter's account, with the
/// detail EventBridge's "Parameter Store Policy Action" event carries.
fn record_policy_action(store: &Store, parameter: &record::StoredParameter, rule: &PolicyRule, now: f64) {
    let arn = parameter.arn();
    let event_id = gateway::pipeline::new_request_id();
    let detail = json!({
        "parameter-name": parameter.name,
        "parameter-type": parameter.current().kind,
        "policy-type": rule.type_name(),
        "action-status": "Finished",
        "action": match rule {
            PolicyRule::Expiration { .. } => "Deleted",
            _ => "Notified",
        },
    });
    tracing::info!(parameter = %arn, policy = rule.type_name(), "parameter policy acted on");
    let event = json!({
        "eventVersion": "1.08",
        "userIdentity": { "accountId": parameter.account, "invokedBy": "ssm.amazonaws.com" },
        "eventTime": wire::timestamp::format_iso8601(now.floor()),
        "eventSource": "ssm.amazonaws.com",
        "eventName": "ParameterStorePolicyAction",
        "awsRegion": parameter.region,
        "sourceIPAddress": "ssm.amazonaws.com",
        "userAgent": "ssm.amazonaws.com",
        "requestParameters": null,
        "responseElements": null,
        "eventID": event_id,
        "readOnly": false,
        "resources": [{ "ARN": arn, "accountId": parameter.account, "type": "AWS::SSM::Parameter" }],
        "eventType": "AwsServiceEvent",
        "managementEvent": true,
        "recipientAccountId": parameter.account,
        "serviceEventDetails": detail,
        "eventCategory": "Management",
    });
    store.audit_writer().record(AuditRecord {
        account: parameter.account.clone(),
        region: parameter.region.clone(),
        event_time: now,
        event_id,
        event_name: "ParameterStorePolicyAction".to_owned(),
        event_source: "ssm.amazonaws.com".to_owned(),
        username: None,
        access_key_id: None,
        read_only: false,
        resources: vec![("AWS::SSM::Parameter".to_owned(), arn)],
        event_json: event.to_string(),
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: f64 = 1_700_000_000.0;

    #[test]
    fn the_three_policy_types_parse() {
        let text = r#"[{"Type":"Expiration","Version":"1.0","Attributes":{"Timestamp":"2030-01-01T00:00:00.000Z"}},
            {"Type":"ExpirationNotification","Version":"1.0","Attributes":{"Before":"15","Unit":"Days"}},
            {"Type":"NoChangeNotification","Version":"1.0","Attributes":{"After":"20","Unit":"Hours"}}]"#;
        let policies = parse(text, NOW).unwrap();
        assert_eq!(policies.len(), 3);
        assert_eq!(policies[1].rule, PolicyRule::ExpirationNotification { before_seconds: 15.0 * DAY_SECONDS });
        assert_eq!(policies[2].rule, PolicyRule::NoChangeNotification { after_seconds: 20.0 * HOUR_SECONDS });
        let expiration = due_time(&policies[0], &policies, NOW).unwrap();
        assert_eq!(due_time(&policies[1], &policies, NOW), Some(expiration - 15.0 * DAY_SECONDS));
        assert_eq!(policies[0].inline()["PolicyStatus"], "Pending");
    }

    #[test]
    fn bad_policies_are_refused_with_aws_errors() {
        let code = |text: &str| parse(text, NOW).unwrap_err().code.into_owned();
        assert_eq!(code(r#"[{"Type":"Rotation","Version":"1.0","Attributes":{}}]"#), "InvalidPolicyTypeException");
        assert_eq!(
            code(r#"[{"Type":"Expiration","Version":"1.0","Attributes":{"Timestamp":"2001-01-01T00:00:00Z"}}]"#),
            "InvalidPolicyAttributeException"
        );
        assert_eq!(
            code(r#"[{"Type":"NoChangeNotification","Version":"1.0","Attributes":{"After":"x","Unit":"Days"}}]"#),
            "InvalidPolicyAttributeException"
        );
        let twice = r#"[{"Type":"NoChangeNotification","Version":"1.0","Attributes":{"After":"1","Unit":"Days"}},
            {"Type":"NoChangeNotification","Version":"1.0","Attributes":{"After":"2","Unit":"Days"}}]"#;
        assert_eq!(code(twice), "IncompatiblePolicyException");
        assert_eq!(
            code(r#"[{"Type":"ExpirationNotification","Version":"1.0","Attributes":{"Before":"1","Unit":"Days"}}]"#),
            "IncompatiblePolicyException"
        );
        assert_eq!(code("{}"), "ValidationException");
        assert_eq!(code("[1]"), "InvalidPolicyAttributeException");
    }
}
