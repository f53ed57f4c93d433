//! Organizations end to end: member accounts reached through OrganizationAccountAccessRole, and
//! service control policies that cap them.

mod support;

use serde_json::Value;
use support::{error_text, Server};


/// An organization with SCPs enabled and one created member account; returns the member's id.
fn organization_with_member(server: &Server) -> (String, String) {
    server.aws_json(&["organizations", "create-organization", "--feature-set", "ALL"]);
    let roots = server.aws_json(&["organizations", "list-roots"]);
    let root = roots["Roots"][0]["Id"].as_str().unwrap().to_owned();
    server.aws_json(&["organizations", "enable-policy-type", "--root-id", &root, "--policy-type", "SERVICE_CONTROL_POLICY"]);
    let created = server.aws_json(&["organizations", "create-account", "--email", "member@example.com", "--account-name", "member"]);
    let account = created["CreateAccountStatus"]["AccountId"].as_str().unwrap().to_owned();
    (root, account)
}

/// Session credentials in the member account through OrganizationAccountAccessRole, assumed by
/// an administrator of the management account.
fn member_session(server: &Server, member: &str) -> Value {
    server.aws_json(&["iam", "create-user", "--user-name", "admin"]);
    server.aws(&["iam", "attach-user-policy", "--user-name", "admin", "--policy-arn", "arn:aws:iam::aws:policy/AdministratorAccess"]);
    let key = server.aws_json(&["iam", "create-access-key", "--user-name", "admin"]);
    let role = format!("arn:aws:iam::{member}:role/OrganizationAccountAccessRole");
    let out = server.aws_as(
        key["AccessKey"]["AccessKeyId"].as_str().unwrap(),
        key["AccessKey"]["SecretAccessKey"].as_str().unwrap(),
        &["sts", "assume-role", "--role-arn", &role, "--role-session-name", "ops"],
    );
    let assumed: Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    assert!(assumed["Credentials"].is_object(), "{}", error_text(&out));
    assumed["Credentials"].clone()
}


#[test]
fn a_created_account_is_reached_through_its_access_role() {
    let server = Server::start(&["--ephemeral"]);
    let (_, member) = organization_with_member(&server);
    let session = member_session(&server, &member);
    let identity = server.aws_session(&session, &["sts", "get-caller-identity"]);
    let identity: Value = serde_json::from_slice(&identity.stdout).unwrap();
    assert_eq!(identity["Account"], member.as_str());
    let accounts = server.aws_json(&["organizations", "list-accounts"]);
    assert_eq!(accounts["Accounts"].as_array().unwrap().len(), 2);
}

#[test]
fn an_scp_denying_a_service_blocks_it_in_the_member_account_only() {
    let server = Server::start(&["--ephemeral"]);
    let (_, member) = organization_with_member(&server);
    let deny = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"cloudtrail:*","Resource":"*"}]}"#;
    let created = server.aws_json(&["organizations", "create-policy", "--name", "no-trails", "--type", "SERVICE_CONTROL_POLICY", "--description", "d", "--content", deny]);
    let policy = created["Policy"]["PolicySummary"]["Id"].as_str().unwrap().to_owned();
    server.aws_json(&["organizations", "attach-policy", "--policy-id", &policy, "--target-id", &member]);
    let session = member_session(&server, &member);
    let denied = server.aws_session(&session, &["cloudtrail", "list-trails"]);
    let text = error_text(&denied);
    assert!(text.contains("with an explicit deny in a service control policy"), "{text}");
    let other = server.aws_session(&session, &["iam", "list-roles"]);
    assert!(other.status.success(), "{}", error_text(&other));
    assert!(server.aws(&["cloudtrail", "list-trails"]).status.success(), "the management account is exempt");
}

#[test]
fn without_full_aws_access_nothing_is_allowed_in_the_member_account() {
    let server = Server::start(&["--ephemeral"]);
    let (_, member) = organization_with_member(&server);
    let allow_iam = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:*","sts:*"],"Resource":"*"}]}"#;
    let created = server.aws_json(&["organizations", "create-policy", "--name", "iam-only", "--type", "SERVICE_CONTROL_POLICY", "--description", "d", "--content", allow_iam]);
    let policy = created["Policy"]["PolicySummary"]["Id"].as_str().unwrap().to_owned();
    server.aws_json(&["organizations", "attach-policy", "--policy-id", &policy, "--target-id", &member]);
    server.aws_json(&["organizations", "detach-policy", "--policy-id", "p-FullAWSAccess", "--target-id", &member]);
    let session = member_session(&server, &member);
    assert!(server.aws_session(&session, &["iam", "list-roles"]).status.success());
    let denied = server.aws_session(&session, &["cloudtrail", "list-trails"]);
    assert!(error_text(&denied).contains("because no service control policy allows the cloudtrail:ListTrails action"), "{}", error_text(&denied));
}
