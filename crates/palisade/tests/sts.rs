//! STS sessions end to end: roles assumed through their trust policies, session credentials
//! that expire by the server clock.

mod support;

use serde_json::Value;
use support::{error_text, http, Server};


/// An IAM user with AdministratorAccess and its keys.
fn admin_user(server: &Server, name: &str) -> (String, String) {
    server.aws_json(&["iam", "create-user", "--user-name", name]);
    server.aws(&["iam", "attach-user-policy", "--user-name", name, "--policy-arn", "arn:aws:iam::aws:policy/AdministratorAccess"]);
    let key = server.aws_json(&["iam", "create-access-key", "--user-name", name]);
    (key["AccessKey"]["AccessKeyId"].as_str().unwrap().to_owned(), key["AccessKey"]["SecretAccessKey"].as_str().unwrap().to_owned())
}

fn trust(principal: &str) -> String {
    format!(r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"{principal}"}},"Action":"sts:AssumeRole"}}]}}"#)
}

fn assume(server: &Server, key: &(String, String), role: &str, extra: &[&str]) -> std::process::Output {
    let arn = format!("arn:aws:iam::000000000000:role/{role}");
    let mut args = vec!["sts", "assume-role", "--role-arn", arn.as_str(), "--role-session-name", "s1"];
    args.extend_from_slice(extra);
    server.aws_as(&key.0, &key.1, &args)
}


#[test]
fn the_root_user_may_not_assume_roles() {
    let server = Server::start(&["--ephemeral"]);
    server.aws_json(&["iam", "create-role", "--role-name", "r", "--assume-role-policy-document", &trust("arn:aws:iam::000000000000:root")]);
    let out = server.aws(&["sts", "assume-role", "--role-arn", "arn:aws:iam::000000000000:role/r", "--role-session-name", "s0"]);
    assert!(error_text(&out).contains("Roles may not be assumed by root accounts."), "{}", error_text(&out));
}

#[test]
fn an_assumed_role_session_is_who_the_caller_is() {
    let server = Server::start(&["--ephemeral"]);
    let key = admin_user(&server, "ops");
    server.aws_json(&["iam", "create-role", "--role-name", "app", "--assume-role-policy-document", &trust("arn:aws:iam::000000000000:root")]);
    let out = assume(&server, &key, "app", &[]);
    let assumed: Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    assert_eq!(assumed["AssumedRoleUser"]["Arn"], "arn:aws:sts::000000000000:assumed-role/app/s1", "{}", error_text(&out));
    let identity = server.aws_session(&assumed["Credentials"], &["sts", "get-caller-identity"]);
    let identity: Value = serde_json::from_slice(&identity.stdout).unwrap();
    assert_eq!(identity["Arn"], "arn:aws:sts::000000000000:assumed-role/app/s1");
    assert!(identity["UserId"].as_str().unwrap().ends_with(":s1"));
}

#[test]
fn a_role_whose_trust_policy_does_not_trust_the_caller_cannot_be_assumed() {
    let server = Server::start(&["--ephemeral"]);
    let key = admin_user(&server, "outsider");
    server.aws_json(&["iam", "create-role", "--role-name", "private", "--assume-role-policy-document", &trust("arn:aws:iam::000000000000:user/someone-else")]);
    server.aws_json(&["iam", "create-user", "--user-name", "someone-else"]);
    let out = assume(&server, &key, "private", &[]);
    assert!(error_text(&out).contains("AccessDenied"), "{}", error_text(&out));
}

#[test]
fn a_session_policy_narrows_the_roles_permissions() {
    let server = Server::start(&["--ephemeral"]);
    let key = admin_user(&server, "ops");
    server.aws_json(&["iam", "create-role", "--role-name", "wide", "--assume-role-policy-document", &trust("arn:aws:iam::000000000000:root")]);
    server.aws(&["iam", "attach-role-policy", "--role-name", "wide", "--policy-arn", "arn:aws:iam::aws:policy/AdministratorAccess"]);
    let narrow = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"cloudtrail:ListTrails","Resource":"*"}]}"#;
    let out = assume(&server, &key, "wide", &["--policy", narrow]);
    let assumed: Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    let credentials = &assumed["Credentials"];
    assert!(server.aws_session(credentials, &["cloudtrail", "list-trails"]).status.success());
    let denied = server.aws_session(credentials, &["iam", "list-users"]);
    assert!(error_text(&denied).contains("because no session policy allows the iam:ListUsers action"), "{}", error_text(&denied));
}

#[test]
fn session_credentials_stop_working_after_their_expiry() {
    let server = Server::start(&["--ephemeral", "--test-clock"]);
    let key = admin_user(&server, "ops");
    server.aws_json(&["iam", "create-role", "--role-name", "brief", "--assume-role-policy-document", &trust("arn:aws:iam::000000000000:root")]);
    server.aws(&["iam", "attach-role-policy", "--role-name", "brief", "--policy-arn", "arn:aws:iam::aws:policy/AdministratorAccess"]);
    let out = assume(&server, &key, "brief", &["--duration-seconds", "900"]);
    let assumed: Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    let credentials = &assumed["Credentials"];
    assert!(server.aws_session(credentials, &["sts", "get-caller-identity"]).status.success());
    let moved = http(server.port, "POST", "/_palisade/clock", &[], br#"{"advance_seconds": 901}"#).unwrap();
    assert_eq!(moved.status, 200);
    let expired = server.aws_session(credentials, &["sts", "get-caller-identity"]);
    assert!(error_text(&expired).contains("ExpiredToken"), "{}", error_text(&expired));
}

#[test]
fn a_session_longer_than_the_roles_maximum_is_refused() {
    let server = Server::start(&["--ephemeral"]);
    let key = admin_user(&server, "ops");
    server.aws_json(&["iam", "create-role", "--role-name", "short", "--assume-role-policy-document", &trust("arn:aws:iam::000000000000:root")]);
    let out = assume(&server, &key, "short", &["--duration-seconds", "7200"]);
    assert!(error_text(&out).contains("MaxSessionDuration"), "{}", error_text(&out));
}
