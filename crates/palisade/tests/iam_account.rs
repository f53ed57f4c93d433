//! IAM's account-level resources end to end with the aws CLI: instance profiles, login
//! profiles and the password policy, identity providers, the account alias, the account
//! summary and the authorization details.

mod support;

use serde_json::Value;
use support::{error_text, Server};

const TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;

#[test]
fn an_instance_profile_holds_one_role_which_then_cannot_be_deleted() {
    let server = Server::start(&["--ephemeral"]);
    server.aws_json(&["iam", "create-role", "--role-name", "web", "--assume-role-policy-document", TRUST]);
    server.aws_json(&["iam", "create-role", "--role-name", "other", "--assume-role-policy-document", TRUST]);
    let created = server.aws_json(&[
        "iam", "create-instance-profile", "--instance-profile-name", "web-profile", "--path", "/apps/",
        "--tags", "Key=team,Value=blue",
    ]);
    let profile = &created["InstanceProfile"];
    assert_eq!(profile["Arn"], "arn:aws:iam::000000000000:instance-profile/apps/web-profile");
    assert!(profile["InstanceProfileId"].as_str().unwrap().starts_with("AIPA"));
    assert_eq!(profile["Roles"], serde_json::json!([]));

    let again = server.aws(&["iam", "create-instance-profile", "--instance-profile-name", "web-profile"]);
    assert!(error_text(&again).contains("EntityAlreadyExists"), "{}", error_text(&again));

    server.aws_json(&["iam", "add-role-to-instance-profile", "--instance-profile-name", "web-profile", "--role-name", "web"]);
    let second = server.aws(&["iam", "add-role-to-instance-profile", "--instance-profile-name", "web-profile", "--role-name", "other"]);
    assert!(error_text(&second).contains("LimitExceeded"), "{}", error_text(&second));
    assert!(error_text(&second).contains("InstanceSessionsPerInstanceProfile: 1"), "{}", error_text(&second));

    let got = server.aws_json(&["iam", "get-instance-profile", "--instance-profile-name", "web-profile"]);
    assert_eq!(got["InstanceProfile"]["Roles"][0]["RoleName"], "web");
    assert_eq!(got["InstanceProfile"]["Roles"][0]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]["Service"], "ec2.amazonaws.com");
    assert_eq!(got["InstanceProfile"]["Tags"][0]["Key"], "team");
    let for_role = server.aws_json(&["iam", "list-instance-profiles-for-role", "--role-name", "web"]);
    assert_eq!(for_role["InstanceProfiles"][0]["InstanceProfileName"], "web-profile");
    let none = server.aws_json(&["iam", "list-instance-profiles-for-role", "--role-name", "other"]);
    assert_eq!(none["InstanceProfiles"], serde_json::json!([]));
    let listed = server.aws_json(&["iam", "list-instance-profiles", "--path-prefix", "/apps/"]);
    assert_eq!(listed["InstanceProfiles"].as_array().unwrap().len(), 1);

    let role_delete = server.aws(&["iam", "delete-role", "--role-name", "web"]);
    assert!(error_text(&role_delete).contains("DeleteConflict"), "{}", error_text(&role_delete));
    assert!(error_text(&role_delete).contains("must remove roles from instance profile first"), "{}", error_text(&role_delete));
    let profile_delete = server.aws(&["iam", "delete-instance-profile", "--instance-profile-name", "web-profile"]);
    assert!(error_text(&profile_delete).contains("DeleteConflict"), "{}", error_text(&profile_delete));

    server.aws_json(&["iam", "untag-instance-profile", "--instance-profile-name", "web-profile", "--tag-keys", "team"]);
    let tags = server.aws_json(&["iam", "list-instance-profile-tags", "--instance-profile-name", "web-profile"]);
    assert_eq!(tags["Tags"], serde_json::json!([]));
    let not_in = server.aws(&["iam", "remove-role-from-instance-profile", "--instance-profile-name", "web-profile", "--role-name", "other"]);
    assert!(error_text(&not_in).contains("NoSuchEntity"), "{}", error_text(&not_in));
    server.aws_json(&["iam", "remove-role-from-instance-profile", "--instance-profile-name", "web-profile", "--role-name", "web"]);
    server.aws_json(&["iam", "delete-role", "--role-name", "web"]);
    server.aws_json(&["iam", "delete-instance-profile", "--instance-profile-name", "web-profile"]);
    let gone = server.aws(&["iam", "get-instance-profile", "--instance-profile-name", "web-profile"]);
    assert!(error_text(&gone).contains("Instance Profile web-profile cannot be found."), "{}", error_text(&gone));
    let _: Value = server.aws_json(&["iam", "list-instance-profiles"]);
}
