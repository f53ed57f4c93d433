//! IAM's account-level resources end to end with the aws CLI: instance profiles, login
//! profiles and the password policy, identity providers, the account alias, the account
//! summary and the authorization details.

mod support;

use base64::Engine;
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

#[test]
fn login_profiles_follow_the_account_password_policy_and_keep_no_password() {
    let server = Server::start(&["--ephemeral"]);
    let unset = server.aws(&["iam", "get-account-password-policy"]);
    assert!(error_text(&unset).contains("The Password Policy with domain name 000000000000 cannot be found."), "{}", error_text(&unset));
    server.aws_json(&["iam", "create-user", "--user-name", "carol"]);
    let weak_default = server.aws(&["iam", "create-login-profile", "--user-name", "carol", "--password", "password"]);
    assert!(error_text(&weak_default).contains("PasswordPolicyViolation"), "{}", error_text(&weak_default));

    server.aws_json(&[
        "iam", "update-account-password-policy", "--minimum-password-length", "12", "--require-symbols", "--require-numbers",
        "--allow-users-to-change-password", "--max-password-age", "90", "--password-reuse-prevention", "2",
    ]);
    let policy = server.aws_json(&["iam", "get-account-password-policy"]);
    assert_eq!(policy["PasswordPolicy"]["MinimumPasswordLength"], 12);
    assert_eq!(policy["PasswordPolicy"]["ExpirePasswords"], true);
    assert_eq!(policy["PasswordPolicy"]["PasswordReusePrevention"], 2);
    assert_eq!(policy["PasswordPolicy"]["RequireUppercaseCharacters"], false);

    let short = server.aws(&["iam", "create-login-profile", "--user-name", "carol", "--password", "short1"]);
    assert!(
        error_text(&short).contains("Password should have a minimum length of 12; Password should have at least one symbol"),
        "{}",
        error_text(&short)
    );
    let created = server.aws_json(&["iam", "create-login-profile", "--user-name", "carol", "--password", "first-Passw0rd!", "--password-reset-required"]);
    assert_eq!(created["LoginProfile"]["UserName"], "carol");
    assert_eq!(created["LoginProfile"]["PasswordResetRequired"], true);
    let again = server.aws(&["iam", "create-login-profile", "--user-name", "carol", "--password", "first-Passw0rd!"]);
    assert!(error_text(&again).contains("EntityAlreadyExists"), "{}", error_text(&again));
    let delete_user = server.aws(&["iam", "delete-user", "--user-name", "carol"]);
    assert!(error_text(&delete_user).contains("must delete login profile first"), "{}", error_text(&delete_user));

    // The store keeps a salted hash, never the password.
    let dump = std::process::Command::new("grep").args(["-r", "-l", "first-Passw0rd", server.data_dir.to_str().unwrap()]).output().unwrap();
    assert!(dump.stdout.is_empty(), "the password is stored in clear");

    let change_own = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ChangePassword","Resource":"arn:aws:iam::000000000000:user/${aws:username}"}]}"#;
    server.aws_json(&["iam", "put-user-policy", "--user-name", "carol", "--policy-name", "change-own", "--policy-document", change_own]);
    let key = server.aws_json(&["iam", "create-access-key", "--user-name", "carol"]);
    let (id, secret) = (key["AccessKey"]["AccessKeyId"].as_str().unwrap(), key["AccessKey"]["SecretAccessKey"].as_str().unwrap());
    let wrong = server.aws_as(id, secret, &["iam", "change-password", "--old-password", "not-it-0!", "--new-password", "second-Passw0rd!"]);
    assert!(error_text(&wrong).contains("AccessDenied"), "{}", error_text(&wrong));
    let reused = server.aws_as(id, secret, &["iam", "change-password", "--old-password", "first-Passw0rd!", "--new-password", "first-Passw0rd!"]);
    assert!(error_text(&reused).contains("previous 2 passwords"), "{}", error_text(&reused));
    let changed = server.aws_as(id, secret, &["iam", "change-password", "--old-password", "first-Passw0rd!", "--new-password", "second-Passw0rd!"]);
    assert!(changed.status.success(), "{}", error_text(&changed));
    let profile = server.aws_json(&["iam", "get-login-profile", "--user-name", "carol"]);
    assert_eq!(profile["LoginProfile"]["PasswordResetRequired"], false);
    let root_change = server.aws(&["iam", "change-password", "--old-password", "a", "--new-password", "b"]);
    assert!(error_text(&root_change).contains("InvalidUserType"), "{}", error_text(&root_change));

    server.aws_json(&["iam", "generate-credential-report"]);
    let report = server.aws_json(&["iam", "get-credential-report"]);
    let csv = String::from_utf8(base64::engine::general_purpose::STANDARD.decode(report["Content"].as_str().unwrap()).unwrap()).unwrap();
    let carol: Vec<&str> = csv.lines().find(|l| l.starts_with("carol,")).unwrap().split(',').collect();
    assert_eq!(carol[3], "true", "password_enabled");
    assert_eq!(carol[4], "no_information", "password_last_used");
    assert!(carol[5].ends_with("+00:00"), "password_last_changed {}", carol[5]);
    assert!(carol[6].ends_with("+00:00"), "password_next_rotation {}", carol[6]);

    server.aws_json(&["iam", "delete-login-profile", "--user-name", "carol"]);
    let gone = server.aws(&["iam", "get-login-profile", "--user-name", "carol"]);
    assert!(error_text(&gone).contains("Login Profile for User carol cannot be found."), "{}", error_text(&gone));
    server.aws_json(&["iam", "delete-account-password-policy"]);
    let deleted = server.aws(&["iam", "delete-account-password-policy"]);
    assert!(error_text(&deleted).contains("NoSuchEntity"), "{}", error_text(&deleted));
}
