//! IAM Access Advisor end to end with the aws CLI: service last accessed reports built from
//! the calls CloudTrail recorded.

mod support;

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::Value;
use support::{error_text, Server};

const ACCOUNT: &str = "000000000000";
const CRYPTO_POLICY: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["kms:*","secretsmanager:*"],"Resource":"*"}]}"#;

/// A user `alice` in group `devs`, whose managed policy `crypto` allows KMS and Secrets
/// Manager; alice has called KMS. Answers the policy's ARN.
fn alice_uses_kms(server: &Server) -> String {
    let policy = server.aws_json(&["iam", "create-policy", "--policy-name", "crypto", "--policy-document", CRYPTO_POLICY]);
    let policy_arn = policy["Policy"]["Arn"].as_str().unwrap().to_owned();
    server.aws_json(&["iam", "create-group", "--group-name", "devs"]);
    server.aws_json(&["iam", "attach-group-policy", "--group-name", "devs", "--policy-arn", &policy_arn]);
    server.aws_json(&["iam", "create-user", "--user-name", "alice"]);
    server.aws_json(&["iam", "add-user-to-group", "--group-name", "devs", "--user-name", "alice"]);
    let key = server.aws_json(&["iam", "create-access-key", "--user-name", "alice"]);
    let (id, secret) = (key["AccessKey"]["AccessKeyId"].as_str().unwrap(), key["AccessKey"]["SecretAccessKey"].as_str().unwrap());
    for args in [&["kms", "create-key"][..], &["kms", "list-keys"][..]] {
        let out = server.aws_as(id, secret, args);
        assert!(out.status.success(), "{}", error_text(&out));
    }
    policy_arn
}

/// Generates a report and reads it once its job is COMPLETED.
fn report(server: &Server, arn: &str, granularity: &str) -> (String, Value) {
    let job = server.aws_json(&["iam", "generate-service-last-accessed-details", "--arn", arn, "--granularity", granularity]);
    let job_id = job["JobId"].as_str().unwrap().to_owned();
    assert_eq!(job_id.len(), 36);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let details = server.aws_json(&["iam", "get-service-last-accessed-details", "--job-id", &job_id]);
        if details["JobStatus"] == "COMPLETED" || Instant::now() > deadline {
            assert_eq!(details["JobStatus"], "COMPLETED");
            return (job_id, details);
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// The report once the trail shows an access to `namespace`: CloudTrail makes an event visible
/// within a second, so a report generated at once may not have it yet.
fn report_after_access(server: &Server, arn: &str, granularity: &str, namespace: &str) -> (String, Value) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (job_id, details) = report(server, arn, granularity);
        let accessed = service(&details, namespace).is_some_and(|s| s.get("LastAuthenticated").is_some());
        if accessed || Instant::now() > deadline {
            return (job_id, details);
        }
        std::thread::sleep(Duration::from_millis(300));
    }
}

fn service<'d>(details: &'d Value, namespace: &str) -> Option<&'d Value> {
    details["ServicesLastAccessed"].as_array().unwrap().iter().find(|s| s["ServiceNamespace"] == namespace)
}

fn now() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs_f64()
}

/// The CLI prints timestamps as ISO 8601 with an offset.
fn epoch(timestamp: &Value) -> f64 {
    let text = timestamp.as_str().expect("a timestamp");
    let output = std::process::Command::new("date").args(["-u", "-d", text, "+%s"]).output().expect("date runs");
    String::from_utf8_lossy(&output.stdout).trim().parse().expect("date parses the timestamp")
}

#[test]
fn a_users_report_lists_the_services_its_policies_allow_and_when_it_last_used_them() {
    let server = Server::start(&["--ephemeral"]);
    alice_uses_kms(&server);
    let alice = format!("arn:aws:iam::{ACCOUNT}:user/alice");
    let (_, details) = report_after_access(&server, &alice, "SERVICE_LEVEL", "kms");
    assert_eq!(details["JobType"], "SERVICE_LEVEL");
    let kms = service(&details, "kms").expect("KMS is allowed");
    assert_eq!(kms["ServiceName"], "AWS Key Management Service");
    assert!((epoch(&kms["LastAuthenticated"]) - now()).abs() < 120.0, "{kms}");
    assert_eq!(kms["LastAuthenticatedEntity"], alice.as_str());
    assert_eq!(kms["LastAuthenticatedRegion"], "us-east-1");
    assert_eq!(kms["TotalAuthenticatedEntities"], 1);
    let secrets = service(&details, "secretsmanager").expect("Secrets Manager is allowed");
    assert!(secrets.get("LastAuthenticated").is_none(), "{secrets}");
    assert_eq!(secrets["TotalAuthenticatedEntities"], 0);
    assert_eq!(details["ServicesLastAccessed"].as_array().unwrap().len(), 2, "only allowed services: {details}");
    assert!(service(&details, "s3").is_none());
}

#[test]
fn a_groups_report_lists_the_members_that_used_a_service() {
    let server = Server::start(&["--ephemeral"]);
    alice_uses_kms(&server);
    let group = format!("arn:aws:iam::{ACCOUNT}:group/devs");
    let (job_id, _) = report_after_access(&server, &group, "SERVICE_LEVEL", "kms");
    let entities = server.aws_json(&["iam", "get-service-last-accessed-details-with-entities", "--job-id", &job_id, "--service-namespace", "kms"]);
    assert_eq!(entities["JobStatus"], "COMPLETED");
    let list = entities["EntityDetailsList"].as_array().unwrap();
    assert_eq!(list.len(), 1, "{entities}");
    assert_eq!(list[0]["EntityInfo"]["Arn"], format!("arn:aws:iam::{ACCOUNT}:user/alice"));
    assert_eq!(list[0]["EntityInfo"]["Type"], "USER");
    assert_eq!(list[0]["EntityInfo"]["Name"], "alice");
    assert!(list[0]["EntityInfo"]["Id"].as_str().unwrap().starts_with("AIDA"));
    assert!(list[0].get("LastAuthenticated").is_some(), "{entities}");
}

#[test]
fn a_policys_report_lists_the_entities_that_could_use_it() {
    let server = Server::start(&["--ephemeral"]);
    let policy_arn = alice_uses_kms(&server);
    let (job_id, details) = report(&server, &policy_arn, "SERVICE_LEVEL");
    assert!(service(&details, "secretsmanager").is_some());
    let entities = server.aws_json(&["iam", "get-service-last-accessed-details-with-entities", "--job-id", &job_id, "--service-namespace", "secretsmanager"]);
    let list = entities["EntityDetailsList"].as_array().unwrap();
    assert_eq!(list.len(), 1, "{entities}");
    assert_eq!(list[0]["EntityInfo"]["Name"], "alice");
    assert!(list[0].get("LastAuthenticated").is_none(), "alice never called Secrets Manager: {entities}");
}

#[test]
fn an_action_level_report_tracks_the_iam_actions_a_role_session_used() {
    let server = Server::start(&["--ephemeral"]);
    let trust = format!(r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{ACCOUNT}:root"}},"Action":"sts:AssumeRole"}}]}}"#);
    let readers = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:List*","iam:Get*"],"Resource":"*"}]}"#;
    server.aws_json(&["iam", "create-role", "--role-name", "auditor", "--assume-role-policy-document", &trust]);
    server.aws_json(&["iam", "put-role-policy", "--role-name", "auditor", "--policy-name", "read", "--policy-document", readers]);
    let role = format!("arn:aws:iam::{ACCOUNT}:role/auditor");
    // Root may not assume roles: a user allowed sts:AssumeRole does.
    let assume = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}"#;
    server.aws_json(&["iam", "create-user", "--user-name", "bob"]);
    server.aws_json(&["iam", "put-user-policy", "--user-name", "bob", "--policy-name", "assume", "--policy-document", assume]);
    let key = server.aws_json(&["iam", "create-access-key", "--user-name", "bob"]);
    let (id, secret) = (key["AccessKey"]["AccessKeyId"].as_str().unwrap(), key["AccessKey"]["SecretAccessKey"].as_str().unwrap());
    let out = server.aws_as(id, secret, &["sts", "assume-role", "--role-arn", &role, "--role-session-name", "weekly-review"]);
    assert!(out.status.success(), "{}", error_text(&out));
    let session: Value = serde_json::from_slice(&out.stdout).unwrap();
    let out = server.aws_session(&session["Credentials"], &["iam", "list-users"]);
    assert!(out.status.success(), "{}", error_text(&out));
    let (_, details) = report_after_access(&server, &role, "ACTION_LEVEL", "iam");
    assert_eq!(details["JobType"], "ACTION_LEVEL");
    let iam = service(&details, "iam").expect("IAM is allowed");
    assert_eq!(iam["LastAuthenticatedEntity"], role.as_str(), "{iam}");
    let actions = iam["TrackedActionsLastAccessed"].as_array().expect("tracked actions");
    let list_users = actions.iter().find(|a| a["ActionName"] == "ListUsers").expect("ListUsers is tracked");
    assert_eq!(list_users["LastAccessedEntity"], role.as_str());
    assert_eq!(list_users["LastAccessedRegion"], "us-east-1");
}

#[test]
fn an_unknown_job_id_is_no_such_entity() {
    let server = Server::start(&["--ephemeral"]);
    let out = server.aws(&["iam", "get-service-last-accessed-details", "--job-id", "00000000-0000-0000-0000-000000000000"]);
    assert!(error_text(&out).contains("NoSuchEntity"), "{}", error_text(&out));
}

#[test]
fn a_report_on_an_unknown_entity_is_no_such_entity() {
    let server = Server::start(&["--ephemeral"]);
    let out = server.aws(&["iam", "generate-service-last-accessed-details", "--arn", &format!("arn:aws:iam::{ACCOUNT}:user/nobody")]);
    assert!(error_text(&out).contains("NoSuchEntity"), "{}", error_text(&out));
}

#[test]
fn a_report_on_an_arn_that_is_no_iam_entity_is_invalid_input() {
    let server = Server::start(&["--ephemeral"]);
    let out = server.aws(&["iam", "generate-service-last-accessed-details", "--arn", "arn:aws:s3:::some-bucket-name"]);
    assert!(error_text(&out).contains("InvalidInput"), "{}", error_text(&out));
}
