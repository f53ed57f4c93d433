//! AWS managed policies, end to end: IAM lists and describes them with AWS's ids, default
//! versions and documents, and a principal they are attached to gets exactly what they grant.

mod support;

use serde_json::Value;
use support::{error_text, python, Server};

const READ_ONLY_ACCESS: &str = "arn:aws:iam::aws:policy/ReadOnlyAccess";
const SECURITY_AUDIT: &str = "arn:aws:iam::aws:policy/SecurityAudit";
const VIEW_ONLY_ACCESS: &str = "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess";
const LAMBDA_BASIC_EXECUTION: &str = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole";

/// The document IAM holds for SecurityAudit, byte for byte.
const SECURITY_AUDIT_DOCUMENT: &str = include_str!("../../services/src/iam/aws_managed/SecurityAudit.json");

const LAMBDA_TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;

/// A user with an access key and the given AWS managed policy attached.
fn user_with(server: &Server, name: &str, policy_arn: &str) -> (String, String) {
    server.aws_json(&["iam", "create-user", "--user-name", name]);
    let attached = server.aws(&["iam", "attach-user-policy", "--user-name", name, "--policy-arn", policy_arn]);
    assert!(attached.status.success(), "attach {policy_arn}: {}", error_text(&attached));
    let key = server.aws_json(&["iam", "create-access-key", "--user-name", name]);
    (
        key["AccessKey"]["AccessKeyId"].as_str().unwrap().to_owned(),
        key["AccessKey"]["SecretAccessKey"].as_str().unwrap().to_owned(),
    )
}

fn assert_allowed(server: &Server, (id, secret): &(String, String), args: &[&str]) {
    let out = server.aws_as(id, secret, args);
    assert!(out.status.success(), "{args:?} was refused: {}", error_text(&out));
}

/// The call is refused because no identity-based policy allows `action`.
fn assert_denied(server: &Server, (id, secret): &(String, String), args: &[&str], action: &str) {
    let out = server.aws_as(id, secret, args);
    let text = error_text(&out);
    assert!(!out.status.success(), "{args:?} was allowed");
    assert!(text.contains(&format!("is not authorized to perform: {action}")), "{text}");
}

fn statements(document: &Value) -> &Vec<Value> {
    document["Statement"].as_array().unwrap()
}

fn actions(document: &Value) -> Vec<&str> {
    statements(document)
        .iter()
        .flat_map(|s| match &s["Action"] {
            Value::Array(list) => list.iter().filter_map(Value::as_str).collect(),
            Value::String(one) => vec![one.as_str()],
            _ => vec![],
        })
        .collect()
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            out.push(u8::from_str_radix(&text[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

#[test]
fn list_policies_with_the_aws_scope_lists_aws_managed_policies_only() {
    let server = Server::start(&["--ephemeral"]);
    let mine = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:ListKeys","Resource":"*"}]}"#;
    server.aws_json(&["iam", "create-policy", "--policy-name", "mine", "--policy-document", mine]);
    let listed = server.aws_json(&["iam", "list-policies", "--scope", "AWS"]);
    let policies = listed["Policies"].as_array().unwrap();
    assert!(policies.iter().all(|p| p["Arn"].as_str().unwrap().starts_with("arn:aws:iam::aws:policy/")));
    let read_only = policies.iter().find(|p| p["PolicyName"] == "ReadOnlyAccess").unwrap();
    assert_eq!(read_only["Arn"], READ_ONLY_ACCESS);
    assert_eq!(read_only["PolicyId"], "ANPAILL3HVNFSB6DCOWYQ");
    assert_eq!(read_only["DefaultVersionId"], "v190");
    assert_eq!(read_only["Path"], "/");
    assert_eq!(read_only["IsAttachable"], true);
    for name in ["AdministratorAccess", "PowerUserAccess", "SecurityAudit", "AWSKeyManagementServicePowerUser", "AWSSecurityHubFullAccess"] {
        assert!(policies.iter().any(|p| p["PolicyName"] == name), "{name} is not listed");
    }
}

#[test]
fn list_policies_filters_aws_managed_policies_by_path_prefix() {
    let server = Server::start(&["--ephemeral"]);
    let listed = server.aws_json(&["iam", "list-policies", "--scope", "AWS", "--path-prefix", "/job-function/"]);
    let names: Vec<&str> = listed["Policies"].as_array().unwrap().iter().map(|p| p["PolicyName"].as_str().unwrap()).collect();
    assert_eq!(names, ["ViewOnlyAccess"]);
    assert_eq!(listed["Policies"][0]["Arn"], VIEW_ONLY_ACCESS);
}

#[test]
fn get_policy_returns_awss_policy_id_default_version_and_description() {
    let server = Server::start(&["--ephemeral"]);
    let policy = &server.aws_json(&["iam", "get-policy", "--policy-arn", SECURITY_AUDIT])["Policy"];
    assert_eq!(policy["PolicyName"], "SecurityAudit");
    assert_eq!(policy["PolicyId"], "ANPAIX2T3QCXHR2OGGCTO");
    assert_eq!(policy["DefaultVersionId"], "v94");
    assert_eq!(
        policy["Description"],
        "The security audit template grants access to read security configuration metadata. It is useful for software that audits the configuration of an AWS account."
    );
    assert_eq!(policy["CreateDate"], "2015-02-06T18:41:01Z");
    assert_eq!(policy["AttachmentCount"], 0);
}

#[test]
fn get_policy_version_returns_the_whole_default_document() {
    let server = Server::start(&["--ephemeral"]);
    let version = &server.aws_json(&["iam", "get-policy-version", "--policy-arn", READ_ONLY_ACCESS, "--version-id", "v190"])["PolicyVersion"];
    assert_eq!(version["VersionId"], "v190");
    assert_eq!(version["IsDefaultVersion"], true);
    let document = &version["Document"];
    assert_eq!(document["Version"], "2012-10-17");
    let sids: Vec<&str> = statements(document).iter().map(|s| s["Sid"].as_str().unwrap()).collect();
    assert_eq!(sids, ["ReadOnlyActionsGroup1", "ReadOnlyActionsGroup2", "S3ExpressReadOnlySessionObjectAccess"]);
    let actions = actions(document);
    assert!(actions.len() > 3000, "only {} actions", actions.len());
    assert_eq!(actions.first(), Some(&"a4b:Get*"));
    assert!(actions.contains(&"kms:List*") && actions.contains(&"wafv2:Get*"));
}

#[test]
fn get_policy_version_sends_the_document_url_encoded() {
    let server = Server::start(&["--ephemeral"]);
    let endpoint = server.endpoint();
    let body = "Action=GetPolicyVersion&Version=2010-05-08&PolicyArn=arn%3Aaws%3Aiam%3A%3Aaws%3Apolicy%2FSecurityAudit&VersionId=v94";
    let out = python(
        "send_signed.py",
        &[&endpoint, "iam", "POST", "/", "--header", "Content-Type:application/x-www-form-urlencoded; charset=utf-8", "--body", body],
    );
    assert!(out.status.success(), "send_signed.py failed: {}", error_text(&out));
    let response: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(response["status"], 200, "{}", response["body"]);
    let xml = response["body"].as_str().unwrap();
    let encoded = xml.split("<Document>").nth(1).and_then(|rest| rest.split("</Document>").next()).unwrap();
    assert!(encoded.starts_with("%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Sid%22%3A%22BaseSecurityAuditStatement%22"));
    assert!(!encoded.contains(['{', '"', ':', '*']));
    assert_eq!(percent_decode(encoded), SECURITY_AUDIT_DOCUMENT);
}

#[test]
fn a_service_role_policy_is_attached_by_its_service_role_path() {
    let server = Server::start(&["--ephemeral"]);
    server.aws_json(&["iam", "create-role", "--role-name", "fn", "--assume-role-policy-document", LAMBDA_TRUST]);
    let attached = server.aws(&["iam", "attach-role-policy", "--role-name", "fn", "--policy-arn", LAMBDA_BASIC_EXECUTION]);
    assert!(attached.status.success(), "{}", error_text(&attached));
    let listed = server.aws_json(&["iam", "list-attached-role-policies", "--role-name", "fn"]);
    assert_eq!(listed["AttachedPolicies"][0]["PolicyArn"], LAMBDA_BASIC_EXECUTION);
    let wrong_path = server.aws(&["iam", "attach-role-policy", "--role-name", "fn", "--policy-arn", "arn:aws:iam::aws:policy/AWSLambdaBasicExecutionRole"]);
    assert!(error_text(&wrong_path).contains("NoSuchEntity"), "{}", error_text(&wrong_path));
}

#[test]
fn read_only_access_lists_keys_but_cannot_create_one() {
    let server = Server::start(&["--ephemeral"]);
    let reader = user_with(&server, "reader", READ_ONLY_ACCESS);
    assert_allowed(&server, &reader, &["kms", "list-keys"]);
    assert_allowed(&server, &reader, &["iam", "list-users"]);
    assert_denied(&server, &reader, &["kms", "create-key"], "kms:CreateKey");
}

#[test]
fn security_audit_reads_the_account_authorization_details_but_changes_nothing() {
    let server = Server::start(&["--ephemeral"]);
    let auditor = user_with(&server, "auditor", SECURITY_AUDIT);
    let out = server.aws_as(&auditor.0, &auditor.1, &["iam", "get-account-authorization-details"]);
    assert!(out.status.success(), "{}", error_text(&out));
    let details: Value = serde_json::from_slice(&out.stdout).unwrap();
    let audit = details["Policies"].as_array().unwrap().iter().find(|p| p["Arn"] == SECURITY_AUDIT).unwrap();
    assert_eq!(audit["PolicyId"], "ANPAIX2T3QCXHR2OGGCTO");
    assert_eq!(audit["DefaultVersionId"], "v94");
    assert_eq!(audit["AttachmentCount"], 1);
    let version = &audit["PolicyVersionList"][0];
    assert_eq!(version["VersionId"], "v94");
    assert_eq!(version["Document"]["Statement"][0]["Sid"], "BaseSecurityAuditStatement");
    assert_denied(&server, &auditor, &["iam", "create-user", "--user-name", "intruder"], "iam:CreateUser");
}

#[test]
fn view_only_access_lists_keys_but_cannot_describe_them() {
    let server = Server::start(&["--ephemeral"]);
    let key_id = server.aws_json(&["kms", "create-key"])["KeyMetadata"]["KeyId"].as_str().unwrap().to_owned();
    let viewer = user_with(&server, "viewer", VIEW_ONLY_ACCESS);
    assert_allowed(&server, &viewer, &["kms", "list-keys"]);
    assert_denied(&server, &viewer, &["kms", "describe-key", "--key-id", &key_id], "kms:DescribeKey");
}

#[test]
fn power_user_access_allows_everything_but_managing_iam() {
    let server = Server::start(&["--ephemeral"]);
    let power = user_with(&server, "power", "arn:aws:iam::aws:policy/PowerUserAccess");
    assert_allowed(&server, &power, &["kms", "create-key"]);
    assert_allowed(&server, &power, &["iam", "list-roles"]);
    assert_denied(&server, &power, &["iam", "create-user", "--user-name", "another"], "iam:CreateUser");
}

#[test]
fn the_kms_power_user_creates_keys_but_cannot_schedule_their_deletion() {
    let server = Server::start(&["--ephemeral"]);
    let keeper = user_with(&server, "keeper", "arn:aws:iam::aws:policy/AWSKeyManagementServicePowerUser");
    let out = server.aws_as(&keeper.0, &keeper.1, &["kms", "create-key"]);
    assert!(out.status.success(), "{}", error_text(&out));
    let key: Value = serde_json::from_slice(&out.stdout).unwrap();
    let key_id = key["KeyMetadata"]["KeyId"].as_str().unwrap();
    assert_allowed(&server, &keeper, &["kms", "create-alias", "--alias-name", "alias/kept", "--target-key-id", key_id]);
    assert_denied(&server, &keeper, &["kms", "schedule-key-deletion", "--key-id", key_id], "kms:ScheduleKeyDeletion");
}

#[test]
fn secrets_manager_read_write_manages_secrets_but_not_keys() {
    let server = Server::start(&["--ephemeral"]);
    let writer = user_with(&server, "writer", "arn:aws:iam::aws:policy/SecretsManagerReadWrite");
    assert_allowed(&server, &writer, &["secretsmanager", "create-secret", "--name", "db", "--secret-string", "hunter2"]);
    assert_allowed(&server, &writer, &["secretsmanager", "get-secret-value", "--secret-id", "db"]);
    assert_denied(&server, &writer, &["kms", "create-key"], "kms:CreateKey");
}

#[test]
fn ssm_read_only_access_reads_parameters_but_cannot_write_them() {
    let server = Server::start(&["--ephemeral"]);
    server.aws_json(&["ssm", "put-parameter", "--name", "/app/mode", "--value", "strict", "--type", "String"]);
    let reader = user_with(&server, "ssm-reader", "arn:aws:iam::aws:policy/AmazonSSMReadOnlyAccess");
    assert_allowed(&server, &reader, &["ssm", "get-parameter", "--name", "/app/mode"]);
    assert_denied(
        &server,
        &reader,
        &["ssm", "put-parameter", "--name", "/app/mode", "--value", "lax", "--type", "String", "--overwrite"],
        "ssm:PutParameter",
    );
}

#[test]
fn waf_full_access_manages_waf_entities_and_nothing_else() {
    let server = Server::start(&["--ephemeral"]);
    let waf = user_with(&server, "waf-admin", "arn:aws:iam::aws:policy/AWSWAFFullAccess");
    let create = ["wafv2", "create-ip-set", "--name", "blocked", "--scope", "REGIONAL", "--ip-address-version", "IPV4", "--addresses", "192.0.2.0/24"];
    assert_allowed(&server, &waf, &create);
    assert_denied(&server, &waf, &["kms", "list-keys"], "kms:ListKeys");
}
