//! IAM's entities, policies and access keys, end to end with the aws CLI.

mod support;

use serde_json::Value;
use support::{error_text, Server};

const TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":"sts:AssumeRole"}]}"#;


#[test]
fn a_role_returns_its_trust_policy_decoded_by_the_cli() {
    let server = Server::start(&["--ephemeral"]);
    server.aws_json(&["iam", "create-role", "--role-name", "app", "--assume-role-policy-document", TRUST]);
    let role = server.aws_json(&["iam", "get-role", "--role-name", "app"]);
    assert_eq!(role["Role"]["Arn"], "arn:aws:iam::000000000000:role/app");
    assert_eq!(role["Role"]["AssumeRolePolicyDocument"]["Statement"][0]["Action"], "sts:AssumeRole");
    assert!(role["Role"]["RoleId"].as_str().unwrap().starts_with("AROA"));
}

#[test]
fn names_are_unique_regardless_of_case() {
    let server = Server::start(&["--ephemeral"]);
    server.aws_json(&["iam", "create-user", "--user-name", "Alice"]);
    let out = server.aws(&["iam", "create-user", "--user-name", "alice"]);
    assert!(error_text(&out).contains("EntityAlreadyExists"), "{}", error_text(&out));
}

#[test]
fn a_missing_user_is_no_such_entity() {
    let server = Server::start(&["--ephemeral"]);
    let out = server.aws(&["iam", "get-user", "--user-name", "nobody"]);
    assert!(error_text(&out).contains("NoSuchEntity"), "{}", error_text(&out));
    assert!(error_text(&out).contains("The user with name nobody cannot be found."));
}

#[test]
fn a_malformed_policy_document_is_refused() {
    let server = Server::start(&["--ephemeral"]);
    let out = server.aws(&["iam", "create-policy", "--policy-name", "bad", "--policy-document", "{not json"]);
    assert!(error_text(&out).contains("MalformedPolicyDocument"), "{}", error_text(&out));
}

#[test]
fn a_managed_policy_keeps_at_most_five_versions() {
    let server = Server::start(&["--ephemeral"]);
    let document = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#;
    let created = server.aws_json(&["iam", "create-policy", "--policy-name", "p", "--policy-document", document]);
    let arn = created["Policy"]["Arn"].as_str().unwrap().to_owned();
    for _ in 0..4 {
        server.aws_json(&["iam", "create-policy-version", "--policy-arn", &arn, "--policy-document", document]);
    }
    let out = server.aws(&["iam", "create-policy-version", "--policy-arn", &arn, "--policy-document", document]);
    assert!(error_text(&out).contains("LimitExceeded"), "{}", error_text(&out));
    let versions = server.aws_json(&["iam", "list-policy-versions", "--policy-arn", &arn]);
    assert_eq!(versions["Versions"].as_array().unwrap().len(), 5);
}

#[test]
fn attachments_are_counted_and_block_deletion() {
    let server = Server::start(&["--ephemeral"]);
    let admin = "arn:aws:iam::aws:policy/AdministratorAccess";
    server.aws_json(&["iam", "create-user", "--user-name", "ops"]);
    server.aws(&["iam", "attach-user-policy", "--user-name", "ops", "--policy-arn", admin]);
    let policy = server.aws_json(&["iam", "get-policy", "--policy-arn", admin]);
    assert_eq!(policy["Policy"]["AttachmentCount"], 1);
    let out = server.aws(&["iam", "delete-user", "--user-name", "ops"]);
    assert!(error_text(&out).contains("DeleteConflict"), "{}", error_text(&out));
}

#[test]
fn a_user_access_key_authenticates_as_that_user() {
    let server = Server::start(&["--ephemeral"]);
    server.aws_json(&["iam", "create-user", "--user-name", "dev"]);
    let key = server.aws_json(&["iam", "create-access-key", "--user-name", "dev"]);
    let id = key["AccessKey"]["AccessKeyId"].as_str().unwrap();
    let secret = key["AccessKey"]["SecretAccessKey"].as_str().unwrap();
    assert!(id.starts_with("AKIA") && id.len() == 20);
    let out = server.aws_as(id, secret, &["sts", "get-caller-identity"]);
    let identity: Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    assert_eq!(identity["Arn"], "arn:aws:iam::000000000000:user/dev", "{}", error_text(&out));
    let wrong = server.aws_as(id, "not-the-secret", &["sts", "get-caller-identity"]);
    assert!(error_text(&wrong).contains("SignatureDoesNotMatch"));
}

#[test]
fn an_inactive_access_key_is_refused() {
    let server = Server::start(&["--ephemeral"]);
    server.aws_json(&["iam", "create-user", "--user-name", "dev"]);
    let key = server.aws_json(&["iam", "create-access-key", "--user-name", "dev"]);
    let id = key["AccessKey"]["AccessKeyId"].as_str().unwrap();
    let secret = key["AccessKey"]["SecretAccessKey"].as_str().unwrap();
    server.aws(&["iam", "update-access-key", "--user-name", "dev", "--access-key-id", id, "--status", "Inactive"]);
    let out = server.aws_as(id, secret, &["sts", "get-caller-identity"]);
    assert!(error_text(&out).contains("InvalidClientTokenId"), "{}", error_text(&out));
}

#[test]
fn the_credential_report_has_awss_columns_and_the_root_row_first() {
    let server = Server::start(&["--ephemeral"]);
    server.aws_json(&["iam", "create-user", "--user-name", "alice"]);
    assert_eq!(server.aws_json(&["iam", "generate-credential-report"])["State"], "STARTED");
    assert_eq!(server.aws_json(&["iam", "generate-credential-report"])["State"], "COMPLETE");
    let report = server.aws_json(&["iam", "get-credential-report"]);
    use base64::Engine;
    let csv = base64::engine::general_purpose::STANDARD.decode(report["Content"].as_str().unwrap()).unwrap();
    let csv = String::from_utf8(csv).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].starts_with("user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active"));
    assert_eq!(lines[0].split(',').count(), 22);
    assert!(lines[1].starts_with("<root_account>,arn:aws:iam::000000000000:root,"));
    assert!(lines[2].starts_with("alice,arn:aws:iam::000000000000:user/alice,"));
    assert!(lines.iter().all(|l| l.split(',').count() == 22));
}

/// A user with an access key, and the aws CLI as that user.
fn user_with_key(server: &Server, name: &str) -> (String, String) {
    server.aws_json(&["iam", "create-user", "--user-name", name]);
    let key = server.aws_json(&["iam", "create-access-key", "--user-name", name]);
    (
        key["AccessKey"]["AccessKeyId"].as_str().unwrap().to_owned(),
        key["AccessKey"]["SecretAccessKey"].as_str().unwrap().to_owned(),
    )
}

#[test]
fn a_user_without_policies_is_denied_with_awss_message() {
    let server = Server::start(&["--ephemeral"]);
    let (id, secret) = user_with_key(&server, "nobody");
    let out = server.aws_as(&id, &secret, &["cloudtrail", "list-trails"]);
    let text = error_text(&out);
    assert!(text.contains("AccessDeniedException"), "{text}");
    assert!(
        text.contains("User: arn:aws:iam::000000000000:user/nobody is not authorized to perform: cloudtrail:ListTrails"),
        "{text}"
    );
    assert!(text.contains("because no identity-based policy allows the cloudtrail:ListTrails action"), "{text}");
}

#[test]
fn a_permissions_boundary_caps_an_administrator() {
    let server = Server::start(&["--ephemeral"]);
    let boundary = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["cloudtrail:*","s3:*"],"Resource":"*"}]}"#;
    let created = server.aws_json(&["iam", "create-policy", "--policy-name", "boundary", "--policy-document", boundary]);
    let boundary_arn = created["Policy"]["Arn"].as_str().unwrap().to_owned();
    let (id, secret) = user_with_key(&server, "capped");
    server.aws(&["iam", "attach-user-policy", "--user-name", "capped", "--policy-arn", "arn:aws:iam::aws:policy/AdministratorAccess"]);
    server.aws(&["iam", "put-user-permissions-boundary", "--user-name", "capped", "--permissions-boundary", &boundary_arn]);
    let allowed = server.aws_as(&id, &secret, &["cloudtrail", "list-trails"]);
    assert!(allowed.status.success(), "{}", error_text(&allowed));
    let denied = server.aws_as(&id, &secret, &["iam", "create-user", "--user-name", "other"]);
    let text = error_text(&denied);
    assert!(text.contains("(AccessDenied)"), "{text}");
    assert!(text.contains("because no permissions boundary allows the iam:CreateUser action"), "{text}");
}

#[test]
fn an_explicit_deny_beats_administrator_access() {
    let server = Server::start(&["--ephemeral"]);
    let (id, secret) = user_with_key(&server, "admin");
    server.aws(&["iam", "attach-user-policy", "--user-name", "admin", "--policy-arn", "arn:aws:iam::aws:policy/AdministratorAccess"]);
    let deny = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"cloudtrail:DeleteTrail","Resource":"*"}]}"#;
    server.aws(&["iam", "put-user-policy", "--user-name", "admin", "--policy-name", "no-delete", "--policy-document", deny]);
    assert!(server.aws_as(&id, &secret, &["cloudtrail", "create-trail", "--name", "keep", "--s3-bucket-name", "b"]).status.success());
    let out = server.aws_as(&id, &secret, &["cloudtrail", "delete-trail", "--name", "keep"]);
    assert!(error_text(&out).contains("with an explicit deny in an identity-based policy"), "{}", error_text(&out));
}

#[test]
fn a_groups_policies_apply_to_its_members() {
    let server = Server::start(&["--ephemeral"]);
    let (id, secret) = user_with_key(&server, "member");
    server.aws_json(&["iam", "create-group", "--group-name", "auditors"]);
    server.aws(&["iam", "attach-group-policy", "--group-name", "auditors", "--policy-arn", "arn:aws:iam::aws:policy/IAMReadOnlyAccess"]);
    assert!(!server.aws_as(&id, &secret, &["iam", "list-users"]).status.success());
    server.aws(&["iam", "add-user-to-group", "--group-name", "auditors", "--user-name", "member"]);
    let out = server.aws_as(&id, &secret, &["iam", "list-users"]);
    assert!(out.status.success(), "{}", error_text(&out));
}

#[test]
fn a_resource_scoped_policy_allows_only_its_resource() {
    let server = Server::start(&["--ephemeral"]);
    server.aws_json(&["cloudtrail", "create-trail", "--name", "mine", "--s3-bucket-name", "b"]);
    server.aws_json(&["cloudtrail", "create-trail", "--name", "theirs", "--s3-bucket-name", "b"]);
    let (id, secret) = user_with_key(&server, "scoped");
    let document = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"cloudtrail:GetTrail","Resource":"arn:aws:cloudtrail:us-east-1:000000000000:trail/mine"}]}"#;
    server.aws(&["iam", "put-user-policy", "--user-name", "scoped", "--policy-name", "one-trail", "--policy-document", document]);
    assert!(server.aws_as(&id, &secret, &["cloudtrail", "get-trail", "--name", "mine"]).status.success());
    assert!(!server.aws_as(&id, &secret, &["cloudtrail", "get-trail", "--name", "theirs"]).status.success());
}

#[test]
fn iam_off_lets_every_authenticated_call_through() {
    let server = Server::start(&["--ephemeral", "--iam", "off"]);
    let (id, secret) = user_with_key(&server, "free");
    assert!(server.aws_as(&id, &secret, &["cloudtrail", "list-trails"]).status.success());
}

#[test]
fn the_context_keys_of_a_users_and_its_groups_policies_are_listed_once() {
    let server = Server::start(&["--ephemeral"]);
    server.aws_json(&["iam", "create-user", "--user-name", "alice"]);
    server.aws_json(&["iam", "create-group", "--group-name", "devs"]);
    server.aws(&["iam", "add-user-to-group", "--user-name", "alice", "--group-name", "devs"]);
    let own = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::home/${aws:username}/*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]}"#;
    let group = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"},"IpAddress":{"AWS:SOURCEIP":"10.0.0.0/8"}}}]}"#;
    server.aws(&["iam", "put-user-policy", "--user-name", "alice", "--policy-name", "home", "--policy-document", own]);
    server.aws(&["iam", "put-group-policy", "--group-name", "devs", "--policy-name", "keys", "--policy-document", group]);
    let extra = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":"eu-west-1"}}}]}"#;
    let keys = server.aws_json(&[
        "iam", "get-context-keys-for-principal-policy", "--policy-source-arn", "arn:aws:iam::000000000000:user/alice",
        "--policy-input-list", extra,
    ]);
    let names: Vec<String> =
        keys["ContextKeyNames"].as_array().unwrap().iter().map(|k| k.as_str().unwrap().to_lowercase()).collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(sorted, ["aws:multifactorauthpresent", "aws:requestedregion", "aws:sourceip", "aws:username"], "{names:?}");
    let custom = server.aws_json(&["iam", "get-context-keys-for-custom-policy", "--policy-input-list", extra]);
    assert_eq!(custom["ContextKeyNames"], serde_json::json!(["aws:RequestedRegion"]));
}
