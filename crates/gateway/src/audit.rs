//! CloudTrail: one event per call, successful or failed, in the current record format, with
//! secret material removed before it is written.

use serde::Serialize;
use serde_json::{json, Value};
use store::AuditRecord;
use wire::{model::ShapeType, ApiError, ServiceModel, ShapeRef};

use crate::{principal::Principal, service::AuditResource};

/// CloudTrail's record format version.
const EVENT_VERSION: &str = "1.11";

/// What replaces a secret in an event.
pub const REDACTED: &str = "HIDDEN_DUE_TO_SECURITY_REASONS";

/// Member names that carry secret material even where a model does not mark them sensitive.
const SECRET_MEMBERS: &[&str] = &[
    "SecretString",
    "SecretBinary",
    "Plaintext",
    "Password",
    "NewPassword",
    "OldPassword",
    "PrivateKey",
    "SessionToken",
    "SecretAccessKey",
    "PrivateKeyPlaintext",
    "Passphrase",
];

/// Operations that read; by AWS's convention their name says so. KMS's cryptographic
/// operations are read-only in CloudTrail too.
const READ_ONLY_PREFIXES: &[&str] = &[
    "Get", "List", "Describe", "Lookup", "Head", "BatchGet", "Search", "Simulate", "Validate", "Check", "Decrypt",
    "Encrypt", "ReEncrypt", "GenerateDataKey", "GenerateMac", "GenerateRandom", "Sign", "Verify", "Query", "Scan",
    "Select", "Filter", "Test", "Preview", "Estimate", "Export",
];

pub fn is_read_only(operation: &str) -> bool {
    READ_ONLY_PREFIXES.iter().any(|p| operation.starts_with(p))
}

/// Who CloudTrail says made the call: the authenticated principal, or only the access key id
/// presented when authentication failed.
pub enum Caller<'a> {
    Authenticated(&'a Principal),
    Unknown { access_key_id: Option<&'a str> },
}

/// One call, as the pipeline saw it.
pub struct CallRecord<'a> {
    pub caller: Caller<'a>,
    pub recipient_account: &'a str,
    pub region: &'a str,
    pub event_time: f64,
    pub event_source: &'a str,
    pub event_name: &'a str,
    pub source_ip: &'a str,
    pub user_agent: &'a str,
    pub request_id: &'a str,
    pub event_id: &'a str,
    pub request_parameters: Option<Value>,
    pub response_elements: Option<Value>,
    pub error: Option<&'a ApiError>,
    /// Under `--iam audit`: the denial the policies would have given.
    pub would_be_denied: Option<&'a ApiError>,
    pub resources: &'a [AuditResource],
    /// The negotiated TLS version when the call arrived over TLS.
    pub tls: Option<&'a str>,
    /// The Host header the client sent.
    pub host: &'a str,
    /// The AWS service that made the call for the caller (`userIdentity.invokedBy`).
    pub invoked_by: Option<&'a str>,
}

/// CloudTrail's `userIdentity`: the authenticated principal, or only the key presented.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct UserIdentity<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    principal_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    arn: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    account_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    access_key_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    user_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    invoked_by: Option<&'a str>,
}

impl<'a> UserIdentity<'a> {
    fn of(caller: &Caller<'a>, invoked_by: Option<&'a str>) -> Self {
        match caller {
            Caller::Authenticated(p) => UserIdentity {
                kind: p.identity_type(),
                principal_id: &p.user_id,
                arn: Some(&p.arn),
                account_id: Some(&p.account),
                access_key_id: Some(&p.access_key_id),
                user_name: match &p.kind {
                    crate::principal::PrincipalKind::IamUser { name } => Some(name),
                    _ => None,
                },
                invoked_by,
            },
            Caller::Unknown { access_key_id } => UserIdentity {
                kind: "Unknown",
                principal_id: "",
                arn: None,
                account_id: None,
                access_key_id: *access_key_id,
                user_name: None,
                invoked_by: None,
            },
        }
    }
}

#[derive(Serialize)]
struct EventResource<'a> {
    #[serde(rename = "ARN")]
    arn: &'a str,
    #[serde(rename = "accountId")]
    account_id: &'a str,
    #[serde(rename = "type")]
    kind: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TlsDetails<'a> {
    tls_version: &'a str,
    client_provided_host_header: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct IamAuditDenial<'a> {
    palisade_iam_audit: ErrorFields<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ErrorFields<'a> {
    error_code: &'a str,
    error_message: &'a str,
}

/// A CloudTrail record, serialized straight from borrowed fields (the hot path writes one per
/// call).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct EventRecord<'a> {
    event_version: &'a str,
    user_identity: UserIdentity<'a>,
    event_time: String,
    event_source: &'a str,
    event_name: &'a str,
    aws_region: &'a str,
    #[serde(rename = "sourceIPAddress")]
    source_ip_address: &'a str,
    user_agent: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    error_code: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error_message: Option<&'a str>,
    request_parameters: &'a Option<Value>,
    response_elements: &'a Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    additional_event_data: Option<IamAuditDenial<'a>>,
    #[serde(rename = "requestID")]
    request_id: &'a str,
    #[serde(rename = "eventID")]
    event_id: &'a str,
    read_only: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    resources: Vec<EventResource<'a>>,
    event_type: &'a str,
    management_event: bool,
    recipient_account_id: &'a str,
    event_category: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    tls_details: Option<TlsDetails<'a>>,
}

impl CallRecord<'_> {
    /// The event as CloudTrail delivers it, and the columns LookupEvents searches.
    pub fn into_audit_record(self) -> AuditRecord {
        let read_only = is_read_only(self.event_name);
        let (username, access_key_id) = match &self.caller {
            Caller::Authenticated(p) => (Some(p.username().to_owned()), Some(p.access_key_id.clone())),
            Caller::Unknown { access_key_id } => (None, access_key_id.map(str::to_owned)),
        };
        let record = EventRecord {
            event_version: EVENT_VERSION,
            user_identity: UserIdentity::of(&self.caller, self.invoked_by),
            event_time: wire::timestamp::format_iso8601(self.event_time.floor()),
            event_source: self.event_source,
            event_name: self.event_name,
            aws_region: self.region,
            source_ip_address: self.source_ip,
            user_agent: self.user_agent,
            error_code: self.error.map(|e| e.code.as_ref()),
            error_message: self.error.map(|e| e.message.as_str()),
            request_parameters: &self.request_parameters,
            response_elements: &self.response_elements,
            additional_event_data: self.would_be_denied.map(|denial| IamAuditDenial {
                palisade_iam_audit: ErrorFields { error_code: &denial.code, error_message: &denial.message },
            }),
            request_id: self.request_id,
            event_id: self.event_id,
            read_only,
            resources: self
                .resources
                .iter()
                .map(|r| EventResource { arn: &r.name, account_id: self.recipient_account, kind: &r.resource_type })
                .collect(),
            event_type: "AwsApiCall",
            management_event: true,
            recipient_account_id: self.recipient_account,
            event_category: "Management",
            tls_details: self.tls.map(|version| TlsDetails { tls_version: version, client_provided_host_header: self.host }),
        };
        let event_json = serde_json::to_string(&record).expect("an event record always serializes");
        AuditRecord {
            account: self.recipient_account.to_owned(),
            region: self.region.to_owned(),
            event_time: self.event_time,
            event_id: self.event_id.to_owned(),
            event_name: self.event_name.to_owned(),
            event_source: self.event_source.to_owned(),
            username,
            access_key_id,
            read_only,
            resources: self.resources.iter().map(|r| (r.resource_type.clone(), r.name.clone())).collect(),
            event_json,
        }
    }
}

/// An event for work a service did on its own schedule (KMS rotating or deleting a key), which
/// CloudTrail records as `AwsServiceEvent` with the service as the only identity.
pub struct ServiceEvent<'a> {
    pub account: &'a str,
    pub region: &'a str,
    pub event_time: f64,
    /// The service, e.g. `kms.amazonaws.com`.
    pub event_source: &'a str,
    pub event_name: &'a str,
    pub resources: &'a [AuditResource],
    pub details: Option<Value>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ServiceIdentity<'a> {
    account_id: &'a str,
    invoked_by: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ServiceEventRecord<'a> {
    event_version: &'a str,
    user_identity: ServiceIdentity<'a>,
    event_time: String,
    event_source: &'a str,
    event_name: &'a str,
    aws_region: &'a str,
    #[serde(rename = "sourceIPAddress")]
    source_ip_address: &'a str,
    user_agent: &'a str,
    request_parameters: Option<Value>,
    response_elements: Option<Value>,
    #[serde(rename = "eventID")]
    event_id: &'a str,
    read_only: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    resources: Vec<EventResource<'a>>,
    event_type: &'a str,
    management_event: bool,
    recipient_account_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    service_event_details: Option<Value>,
    event_category: &'a str,
}

impl ServiceEvent<'_> {
    pub fn into_audit_record(self) -> AuditRecord {
        let event_id = crate::pipeline::new_request_id();
        let record = ServiceEventRecord {
            event_version: EVENT_VERSION,
            user_identity: ServiceIdentity { account_id: self.account, invoked_by: self.event_source },
            event_time: wire::timestamp::format_iso8601(self.event_time.floor()),
            event_source: self.event_source,
            event_name: self.event_name,
            aws_region: self.region,
            source_ip_address: self.event_source,
            user_agent: self.event_source,
            request_parameters: None,
            response_elements: None,
            event_id: &event_id,
            read_only: false,
            resources: self
                .resources
                .iter()
                .map(|r| EventResource { arn: &r.name, account_id: self.account, kind: &r.resource_type })
                .collect(),
            event_type: "AwsServiceEvent",
            management_event: true,
            recipient_account_id: self.account,
            service_event_details: self.details,
            event_category: "Management",
        };
        let event_json = serde_json::to_string(&record).expect("an event record always serializes");
        AuditRecord {
            account: self.account.to_owned(),
            region: self.region.to_owned(),
            event_time: self.event_time,
            event_id,
            event_name: self.event_name.to_owned(),
            event_source: self.event_source.to_owned(),
            username: None,
            access_key_id: None,
            read_only: false,
            resources: self.resources.iter().map(|r| (r.resource_type.clone(), r.name.clone())).collect(),
            event_json,
        }
    }
}

/// A copy of a canonical value with every sensitive member replaced, guided by the shape:
/// members whose shape or reference the model marks `sensitive`, and the well-known secret
/// member names.
pub fn redact(model: &ServiceModel, shape_name: &str, value: &Value) -> Value {
    redact_shape(model, shape_name, value, 0)
}

fn redact_member(model: &ServiceModel, member_name: &str, member: &ShapeRef, value: &Value, depth: usize) -> Value {
    let sensitive = model.shapes.get(&member.shape).is_some_and(|s| s.sensitive) || SECRET_MEMBERS.contains(&member_name);
    if sensitive {
        return json!(REDACTED);
    }
    redact_shape(model, &member.shape, value, depth + 1)
}

fn redact_shape(model: &ServiceModel, shape_name: &str, value: &Value, depth: usize) -> Value {
    let Some(shape) = model.shapes.get(shape_name) else { return value.clone() };
    if shape.sensitive {
        return json!(REDACTED);
    }
    if depth > 64 {
        return json!(REDACTED);
    }
    match (shape.kind, value) {
        (ShapeType::Structure, Value::Object(fields)) => Value::Object(
            fields
                .iter()
                .filter(|(name, _)| !shape.members.get(*name).is_some_and(|member| omitted(model, member)))
                .map(|(name, v)| {
                    let redacted = match shape.members.get(name) {
                        Some(member) => redact_member(model, name, member, v, depth),
                        None => v.clone(),
                    };
                    (lower_first(name), redacted)
                })
                .collect(),
        ),
        (ShapeType::List, Value::Array(items)) => match &shape.member {
            Some(member) => Value::Array(items.iter().map(|v| redact_member(model, "", member, v, depth)).collect()),
            None => value.clone(),
        },
        (ShapeType::Map, Value::Object(entries)) => match &shape.value {
            Some(member) => Value::Object(
                entries.iter().map(|(k, v)| (k.clone(), redact_member(model, "", member, v, depth))).collect(),
            ),
            None => value.clone(),
        },
        _ => value.clone(),
    }
}

/// CloudTrail's `requestParameters`: the redacted input with what the service added to it
/// ([`Reply::request_parameters`](crate::service::Reply)).
pub fn request_parameters(redacted_input: Option<Value>, added: serde_json::Map<String, Value>) -> Option<Value> {
    redacted_input.map(|mut input| {
        if let Value::Object(parameters) = &mut input {
            parameters.extend(added);
        }
        input
    })
}

/// KMS leaves its binary members out of its events altogether: ciphertexts, plaintexts,
/// messages, signatures, key material.
fn omitted(model: &ServiceModel, member: &ShapeRef) -> bool {
    model.metadata.endpoint_prefix == "kms" && model.shapes.get(&member.shape).is_some_and(|shape| shape.kind == ShapeType::Blob)
}

/// CloudTrail writes parameters in lower camel case (`keyId`, `secretId`).
fn lower_first(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) if first.is_ascii_uppercase() => first.to_ascii_lowercase().to_string() + chars.as_str(),
        _ => name.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_only_follows_the_operation_name() {
        assert!(is_read_only("GetCallerIdentity"));
        assert!(is_read_only("LookupEvents"));
        assert!(!is_read_only("CreateTrail"));
        assert!(!is_read_only("PutSecretValue"));
    }

    #[test]
    fn secret_values_are_redacted() {
        let model = wire::service_by_id("secretsmanager").unwrap().model();
        let input = json!({"SecretId": "db", "SecretString": "S3cur3P@ss", "ClientRequestToken": "t"});
        let redacted = redact(model, "PutSecretValueRequest", &input);
        assert_eq!(redacted["secretId"], "db");
        assert_eq!(redacted["secretString"], REDACTED);
        assert!(!redacted.to_string().contains("S3cur3P@ss"));
    }

    #[test]
    fn kms_leaves_its_blobs_out() {
        let model = wire::service_by_id("kms").unwrap().model();
        let encrypt = redact(model, "EncryptRequest", &json!({"KeyId": "k", "Plaintext": "c2VjcmV0"}));
        assert_eq!(encrypt, json!({"keyId": "k"}));
        let decrypt = redact(model, "DecryptRequest", &json!({"CiphertextBlob": "AQID", "EncryptionContext": {"a": "b"}}));
        assert_eq!(decrypt, json!({"encryptionContext": {"a": "b"}}));
    }

    #[test]
    fn failed_authentication_claims_no_identity() {
        let record = CallRecord {
            caller: Caller::Unknown { access_key_id: Some("AKIDEXAMPLE") },
            recipient_account: "000000000000",
            region: "us-east-1",
            event_time: 1_700_000_000.0,
            event_source: "sts.amazonaws.com",
            event_name: "GetCallerIdentity",
            source_ip: "127.0.0.1",
            user_agent: "test",
            request_id: "r",
            event_id: "e",
            request_parameters: None,
            response_elements: None,
            error: Some(&ApiError::new("SignatureDoesNotMatch", 403, "bad")),
            would_be_denied: None,
            resources: &[],
            tls: None,
            host: "sts.amazonaws.com",
            invoked_by: None,
        }
        .into_audit_record();
        let event: Value = serde_json::from_str(&record.event_json).unwrap();
        assert_eq!(event["userIdentity"]["type"], "Unknown");
        assert_eq!(event["userIdentity"]["accessKeyId"], "AKIDEXAMPLE");
        assert_eq!(event["errorCode"], "SignatureDoesNotMatch");
        assert!(record.username.is_none());
    }
}
