//! What the audit trail says about the report's entities: every authenticated attempt one of
//! them made to call a hosted service, folded into the last access per service and action.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use store::{AuditAttribute, AuditQuery, Store};
use wire::ApiError;

use super::services::{self, HostedService};
use crate::iam::{entities::Entity, store_error, EntityKind};

/// The Regions IAM tracks last accessed data in: AWS's commercial Regions. The request's own
/// Region is read as well, so a Region name that is valid only locally is not missed.
const TRACKED_REGIONS: &[&str] = &[
    "us-east-1", "us-east-2", "us-west-1", "us-west-2", "af-south-1", "ap-east-1", "ap-east-2", "ap-south-1",
    "ap-south-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-southeast-1", "ap-southeast-2",
    "ap-southeast-3", "ap-southeast-4", "ap-southeast-5", "ap-southeast-7", "ca-central-1", "ca-west-1",
    "eu-central-1", "eu-central-2", "eu-west-1", "eu-west-2", "eu-west-3", "eu-south-1", "eu-south-2", "eu-north-1",
    "il-central-1", "me-central-1", "me-south-1", "mx-central-1", "sa-east-1",
];

/// Events read per lookup page.
const PAGE_SIZE: usize = 1000;

/// The most recent attempt: when, by which user or role, from which Region.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LastAccess {
    pub time: f64,
    pub entity_arn: String,
    pub region: String,
}

impl LastAccess {
    fn keep_latest(slot: &mut Option<LastAccess>, candidate: &LastAccess) {
        if slot.as_ref().is_none_or(|current| candidate.time > current.time) {
            *slot = Some(candidate.clone());
        }
    }
}

/// One authenticated call of a report entity to a hosted service, from its CloudTrail record.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceAccess {
    pub service: &'static HostedService,
    pub action: String,
    pub access: LastAccess,
}

/// The user or role among `entities` a record's `userIdentity` is: a user by its ARN, a role
/// session by the role that issued it.
fn entity_of<'e>(identity: &Value, entities: &'e [Entity]) -> Option<&'e Entity> {
    let arn = identity["arn"].as_str()?;
    match identity["type"].as_str()? {
        "IAMUser" => entities.iter().find(|e| e.kind == EntityKind::User && e.arn == arn),
        "AssumedRole" => {
            if let Some(issuer) = identity["sessionContext"]["sessionIssuer"]["arn"].as_str() {
                return entities.iter().find(|e| e.kind == EntityKind::Role && e.arn == issuer);
            }
            // arn:aws:sts::<account>:assumed-role/<role name>/<session name>; role names are
            // unique in the account regardless of case and path.
            let (_, session) = arn.split_once(":assumed-role/")?;
            let (role_name, _) = session.split_once('/')?;
            entities.iter().find(|e| e.kind == EntityKind::Role && e.name.eq_ignore_ascii_case(role_name))
        }
        _ => None,
    }
}

/// The access a CloudTrail record shows, if one of `entities` made it to a hosted service.
/// Denied attempts count too: IAM reports every authenticated attempt.
pub fn access_of_record(event: &Value, entities: &[Entity]) -> Option<ServiceAccess> {
    let entity = entity_of(&event["userIdentity"], entities)?;
    let service = services::by_event_source(event["eventSource"].as_str()?)?;
    Some(ServiceAccess {
        service,
        action: event["eventName"].as_str()?.to_owned(),
        access: LastAccess {
            time: wire::timestamp::parse_iso8601(event["eventTime"].as_str()?)?,
            entity_arn: entity.arn.clone(),
            region: event["awsRegion"].as_str().unwrap_or_default().to_owned(),
        },
    })
}

/// Whether IAM tracks the action per action: management actions of the tracked services, not
/// data events (S3 object operations, Lambda invocations).
fn is_tracked_action(service: &HostedService, action: &str) -> bool {
    if !service.tracks_actions {
        return false;
    }
    match service.namespace {
        "s3" => !(action.contains("Object") || action.contains("Multipart") || action.starts_with("UploadPart") || action == "ListParts"),
        "lambda" => !action.starts_with("Invoke"),
        _ => true,
    }
}

/// What a service saw of the report's entities.
#[derive(Debug, Default, PartialEq)]
pub struct ServiceActivity {
    pub last: Option<LastAccess>,
    /// The last attempt of each entity that made one, by entity ARN.
    pub by_entity: BTreeMap<String, f64>,
    /// The last attempt of each tracked action, by action name.
    pub by_action: BTreeMap<String, LastAccess>,
}

/// The activity per service namespace; the order of `accesses` does not matter.
pub fn fold(accesses: impl IntoIterator<Item = ServiceAccess>) -> BTreeMap<&'static str, ServiceActivity> {
    let mut activity: BTreeMap<&'static str, ServiceActivity> = BTreeMap::new();
    for ServiceAccess { service, action, access } in accesses {
        let seen = activity.entry(service.namespace).or_default();
        LastAccess::keep_latest(&mut seen.last, &access);
        let entity_time = seen.by_entity.entry(access.entity_arn.clone()).or_insert(access.time);
        *entity_time = entity_time.max(access.time);
        if is_tracked_action(service, &action) {
            let mut last_of_action = seen.by_action.remove(&action);
            LastAccess::keep_latest(&mut last_of_action, &access);
            seen.by_action.extend(last_of_action.map(|last| (action, last)));
        }
    }
    activity
}

/// The lookups that find every event of `entities`: one per user name when all are users, as
/// LookupEvents' `Username` is a user's name; every event when a role is among them, since a
/// role session's user name is its session name.
fn lookup_filters(entities: &[Entity]) -> Vec<Option<(AuditAttribute, String)>> {
    if entities.iter().any(|e| e.kind == EntityKind::Role) {
        return vec![None];
    }
    entities.iter().map(|e| Some((AuditAttribute::Username, e.name.clone()))).collect()
}

/// Every attempt `entities` made since `since`, read from the account's trail in each tracked
/// Region through the lookup LookupEvents uses.
pub async fn read_trail(
    store: &Store,
    account: &str,
    request_region: &str,
    since: f64,
    entities: &[Entity],
) -> Result<Vec<ServiceAccess>, ApiError> {
    let mut regions: Vec<&str> = TRACKED_REGIONS.to_vec();
    if !regions.contains(&request_region) {
        regions.push(request_region);
    }
    let mut accesses = Vec::new();
    for region in regions {
        for attribute in lookup_filters(entities) {
            let mut next_token = None;
            loop {
                let query = AuditQuery {
                    account: account.to_owned(),
                    region: region.to_owned(),
                    start_time: Some(since),
                    end_time: None,
                    attribute: attribute.clone(),
                    max_results: PAGE_SIZE,
                    next_token,
                };
                let (events, token) = store.lookup_audit(query).await.map_err(store_error)?;
                for raw in &events {
                    let Ok(event) = serde_json::from_str::<Value>(raw) else { continue };
                    accesses.extend(access_of_record(&event, entities));
                }
                match token {
                    Some(token) => next_token = Some(token),
                    None => break,
                }
            }
        }
    }
    Ok(accesses)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::json;

    use super::*;

    fn entity(kind: EntityKind, name: &str, arn: &str) -> Entity {
        Entity {
            kind,
            account: "000000000000".to_owned(),
            name: name.to_owned(),
            id: "AIDAEXAMPLEEXAMPLE1".to_owned(),
            path: "/".to_owned(),
            arn: arn.to_owned(),
            create_date: 0.0,
            tags: Vec::new(),
            inline_policies: BTreeMap::new(),
            attached_policies: Vec::new(),
            permissions_boundary: None,
            assume_role_policy: None,
            description: None,
            max_session_duration: None,
            members: Vec::new(),
            access_keys: Vec::new(),
        }
    }

    fn alice() -> Entity {
        entity(EntityKind::User, "alice", "arn:aws:iam::000000000000:user/alice")
    }

    fn deployer() -> Entity {
        entity(EntityKind::Role, "Deployer", "arn:aws:iam::000000000000:role/ci/Deployer")
    }

    fn record(identity: Value, source: &str, name: &str, time: &str, region: &str) -> Value {
        json!({ "userIdentity": identity, "eventSource": source, "eventName": name, "eventTime": time, "awsRegion": region })
    }

    fn user_identity(arn: &str) -> Value {
        json!({ "type": "IAMUser", "arn": arn })
    }

    fn access(namespace: &str, action: &str, time: f64, entity_arn: &str) -> ServiceAccess {
        ServiceAccess {
            service: services::HOSTED_SERVICES.iter().find(|s| s.namespace == namespace).unwrap(),
            action: action.to_owned(),
            access: LastAccess { time, entity_arn: entity_arn.to_owned(), region: "us-east-1".to_owned() },
        }
    }

    #[test]
    fn a_users_call_is_an_access_to_the_events_service() {
        let event = record(user_identity("arn:aws:iam::000000000000:user/alice"), "kms.amazonaws.com", "Encrypt", "2024-05-01T10:00:00Z", "eu-west-1");
        let access = access_of_record(&event, &[alice()]).unwrap();
        assert_eq!(access.service.namespace, "kms");
        assert_eq!(access.action, "Encrypt");
        assert_eq!(access.access.entity_arn, "arn:aws:iam::000000000000:user/alice");
        assert_eq!(access.access.region, "eu-west-1");
        assert_eq!(access.access.time, wire::timestamp::parse_iso8601("2024-05-01T10:00:00Z").unwrap());
    }

    #[test]
    fn a_role_sessions_call_is_the_roles_access() {
        let session = json!({ "type": "AssumedRole", "arn": "arn:aws:sts::000000000000:assumed-role/Deployer/build-42" });
        let event = record(session, "s3.amazonaws.com", "CreateBucket", "2024-05-01T10:00:00Z", "us-east-1");
        let access = access_of_record(&event, &[alice(), deployer()]).unwrap();
        assert_eq!(access.access.entity_arn, "arn:aws:iam::000000000000:role/ci/Deployer");
    }

    #[test]
    fn calls_of_other_principals_are_not_the_reports() {
        let bob = record(user_identity("arn:aws:iam::000000000000:user/bob"), "kms.amazonaws.com", "Encrypt", "2024-05-01T10:00:00Z", "us-east-1");
        let root = record(json!({ "type": "Root", "arn": "arn:aws:iam::000000000000:root" }), "kms.amazonaws.com", "Encrypt", "2024-05-01T10:00:00Z", "us-east-1");
        let unsigned = record(json!({ "type": "Unknown", "accessKeyId": "AKIA" }), "kms.amazonaws.com", "Encrypt", "2024-05-01T10:00:00Z", "us-east-1");
        for event in [bob, root, unsigned] {
            assert!(access_of_record(&event, &[alice()]).is_none());
        }
    }

    #[test]
    fn the_last_access_to_a_service_is_its_latest_whatever_the_order() {
        let alice = "arn:aws:iam::000000000000:user/alice";
        let bob = "arn:aws:iam::000000000000:user/bob";
        let activity = fold([access("kms", "Encrypt", 100.0, alice), access("kms", "Decrypt", 300.0, bob), access("kms", "Encrypt", 200.0, alice)]);
        let kms = &activity["kms"];
        assert_eq!(kms.last.as_ref().unwrap().time, 300.0);
        assert_eq!(kms.last.as_ref().unwrap().entity_arn, bob);
        assert_eq!(kms.by_entity, BTreeMap::from([(alice.to_owned(), 200.0), (bob.to_owned(), 300.0)]));
    }

    #[test]
    fn actions_are_tracked_only_for_the_services_iam_tracks() {
        let alice = "arn:aws:iam::000000000000:user/alice";
        let activity = fold([access("kms", "Encrypt", 100.0, alice), access("iam", "CreateUser", 50.0, alice), access("iam", "CreateUser", 80.0, alice)]);
        assert!(activity["kms"].by_action.is_empty());
        assert_eq!(activity["iam"].by_action["CreateUser"].time, 80.0);
    }

    #[test]
    fn data_events_are_not_tracked_actions() {
        let alice = "arn:aws:iam::000000000000:user/alice";
        let activity = fold([access("s3", "GetObject", 100.0, alice), access("s3", "CreateBucket", 90.0, alice), access("lambda", "Invoke", 100.0, alice)]);
        assert_eq!(activity["s3"].by_action.keys().collect::<Vec<_>>(), ["CreateBucket"]);
        assert!(activity["lambda"].by_action.is_empty());
        assert_eq!(activity["s3"].last.as_ref().unwrap().time, 100.0);
    }

    #[test]
    fn users_alone_are_looked_up_by_name() {
        assert_eq!(lookup_filters(&[alice()]), vec![Some((AuditAttribute::Username, "alice".to_owned()))]);
        assert_eq!(lookup_filters(&[alice(), deployer()]), vec![None]);
    }
}
