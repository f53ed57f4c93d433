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

    // AllowUsersToChangePassword lets carol change her own password with no policy attached.
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
    let own_policy = server.aws_as(id, secret, &["iam", "get-account-password-policy"]);
    assert!(own_policy.status.success(), "{}", error_text(&own_policy));
    let others = server.aws_as(id, secret, &["iam", "list-users"]);
    assert!(error_text(&others).contains("not authorized to perform: iam:ListUsers"), "{}", error_text(&others));
    server.aws_json(&["iam", "update-account-password-policy", "--minimum-password-length", "12", "--max-password-age", "90"]);
    let not_allowed = server.aws_as(id, secret, &["iam", "change-password", "--old-password", "second-Passw0rd!", "--new-password", "third-Passw0rd!"]);
    assert!(error_text(&not_allowed).contains("not authorized to perform: iam:ChangePassword"), "{}", error_text(&not_allowed));
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

/// The signing certificate of the test IdP: IAM reads the certificates out of the metadata.
fn idp_certificate() -> &'static str {
    let metadata = include_str!("../../saml/tests/fixtures/metadata.xml");
    let start = metadata.find("<ds:X509Certificate>").expect("the fixture has a certificate") + "<ds:X509Certificate>".len();
    let end = start + metadata[start..].find("</ds:X509Certificate>").expect("the certificate ends");
    &metadata[start..end]
}

fn saml_metadata(valid_until: &str) -> String {
    let certificate = idp_certificate();
    format!(
        r#"<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.example.com/saml" validUntil="{valid_until}"><md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>{certificate}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor></md:IDPSSODescriptor></md:EntityDescriptor>"#
    )
}

#[test]
fn identity_providers_alias_summary_and_authorization_details_describe_the_account() {
    let server = Server::start(&["--ephemeral"]);
    let oidc = server.aws_json(&[
        "iam", "create-open-id-connect-provider", "--url", "https://token.actions.example.com", "--client-id-list", "sts.amazonaws.com",
        "--thumbprint-list", "6938fd4d98bab03faadb97b34396831e3780aea1", "--tags", "Key=ci,Value=yes",
    ]);
    let oidc_arn = oidc["OpenIDConnectProviderArn"].as_str().unwrap().to_owned();
    let duplicate = server.aws(&["iam", "create-open-id-connect-provider", "--url", "https://token.actions.example.com"]);
    assert!(error_text(&duplicate).contains("EntityAlreadyExists"), "{}", error_text(&duplicate));
    let not_https = server.aws(&["iam", "create-open-id-connect-provider", "--url", "http://plain.example.com"]);
    assert!(error_text(&not_https).contains("InvalidInput"), "{}", error_text(&not_https));
    server.aws_json(&[
        "iam", "update-open-id-connect-provider-thumbprint", "--open-id-connect-provider-arn", &oidc_arn,
        "--thumbprint-list", "1111111111111111111111111111111111111111",
    ]);
    let got = server.aws_json(&["iam", "get-open-id-connect-provider", "--open-id-connect-provider-arn", &oidc_arn]);
    assert_eq!(got["Url"], "token.actions.example.com");
    assert_eq!(got["ClientIDList"], serde_json::json!(["sts.amazonaws.com"]));
    assert_eq!(got["ThumbprintList"], serde_json::json!(["1111111111111111111111111111111111111111"]));
    assert_eq!(got["Tags"][0]["Key"], "ci");
    let listed = server.aws_json(&["iam", "list-open-id-connect-providers"]);
    assert_eq!(listed["OpenIDConnectProviderList"][0]["Arn"], oidc_arn.as_str());

    let saml = server.aws_json(&["iam", "create-saml-provider", "--name", "corp", "--saml-metadata-document", &saml_metadata("2031-01-01T00:00:00Z")]);
    let saml_arn = saml["SAMLProviderArn"].as_str().unwrap().to_owned();
    assert_eq!(saml_arn, "arn:aws:iam::000000000000:saml-provider/corp");
    let got = server.aws_json(&["iam", "get-saml-provider", "--saml-provider-arn", &saml_arn]);
    assert!(got["ValidUntil"].as_str().unwrap().starts_with("2031-01-01"), "{}", got);
    server.aws_json(&["iam", "update-saml-provider", "--saml-provider-arn", &saml_arn, "--saml-metadata-document", &saml_metadata("2032-01-01T00:00:00Z")]);
    let listed = server.aws_json(&["iam", "list-saml-providers"]);
    assert!(listed["SAMLProviderList"][0]["ValidUntil"].as_str().unwrap().starts_with("2032-01-01"), "{}", listed);
    let not_metadata = server.aws(&["iam", "create-saml-provider", "--name", "bad", "--saml-metadata-document", &"x".repeat(1200)]);
    assert!(error_text(&not_metadata).contains("InvalidInput"), "{}", error_text(&not_metadata));
    let missing = server.aws(&["iam", "get-saml-provider", "--saml-provider-arn", "arn:aws:iam::000000000000:saml-provider/nope"]);
    assert!(error_text(&missing).contains("NoSuchEntity"), "{}", error_text(&missing));

    server.aws_json(&["iam", "create-account-alias", "--account-alias", "acme-prod"]);
    let second = server.aws(&["iam", "create-account-alias", "--account-alias", "acme-dev"]);
    assert!(error_text(&second).contains("LimitExceeded"), "{}", error_text(&second));
    let taken = server.aws_as("111111111111", "test", &["iam", "create-account-alias", "--account-alias", "acme-prod"]);
    assert!(error_text(&taken).contains("EntityAlreadyExists"), "{}", error_text(&taken));
    assert_eq!(server.aws_json(&["iam", "list-account-aliases"])["AccountAliases"], serde_json::json!(["acme-prod"]));
    let wrong = server.aws(&["iam", "delete-account-alias", "--account-alias", "acme-dev"]);
    assert!(error_text(&wrong).contains("NoSuchEntity"), "{}", error_text(&wrong));
    server.aws_json(&["iam", "delete-account-alias", "--account-alias", "acme-prod"]);
    assert_eq!(server.aws_json(&["iam", "list-account-aliases"])["AccountAliases"], serde_json::json!([]));

    let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#;
    let created = server.aws_json(&["iam", "create-policy", "--policy-name", "read-objects", "--policy-document", policy]);
    let policy_arn = created["Policy"]["Arn"].as_str().unwrap().to_owned();
    server.aws_json(&["iam", "create-user", "--user-name", "dora"]);
    server.aws_json(&["iam", "create-group", "--group-name", "readers"]);
    server.aws_json(&["iam", "add-user-to-group", "--group-name", "readers", "--user-name", "dora"]);
    server.aws_json(&["iam", "attach-user-policy", "--user-name", "dora", "--policy-arn", &policy_arn]);
    server.aws_json(&["iam", "attach-group-policy", "--group-name", "readers", "--policy-arn", "arn:aws:iam::aws:policy/IAMReadOnlyAccess"]);
    server.aws_json(&["iam", "put-user-policy", "--user-name", "dora", "--policy-name", "inline", "--policy-document", policy]);
    server.aws_json(&["iam", "create-role", "--role-name", "app", "--assume-role-policy-document", TRUST]);
    server.aws_json(&["iam", "create-instance-profile", "--instance-profile-name", "app-profile"]);
    server.aws_json(&["iam", "add-role-to-instance-profile", "--instance-profile-name", "app-profile", "--role-name", "app"]);
    // The CLI makes its outfile private (mode 0600): never point it at a shared file like /dev/null.
    let seed_dir = support::TempDir::new("mfa-seed");
    let seed_file = seed_dir.0.join("seed.txt");
    server.aws_json(&["iam", "create-virtual-mfa-device", "--virtual-mfa-device-name", "dora-phone", "--outfile", seed_file.to_str().unwrap(), "--bootstrap-method", "Base32StringSeed"]);

    let summary = server.aws_json(&["iam", "get-account-summary"]);
    let map = &summary["SummaryMap"];
    assert_eq!(map["Users"], 1);
    assert_eq!(map["Groups"], 1);
    assert_eq!(map["Roles"], 1);
    assert_eq!(map["Policies"], 1);
    assert_eq!(map["InstanceProfiles"], 1);
    assert_eq!(map["Providers"], 2);
    assert_eq!(map["MFADevices"], 1);
    assert_eq!(map["MFADevicesInUse"], 0);
    assert_eq!(map["AccessKeysPerUserQuota"], 2);
    assert_eq!(map["UsersQuota"], 5000);
    assert_eq!(map["AccountMFAEnabled"], 0);

    let details = server.aws_json(&["iam", "get-account-authorization-details"]);
    let user = &details["UserDetailList"][0];
    assert_eq!(user["UserName"], "dora");
    assert_eq!(user["GroupList"], serde_json::json!(["readers"]));
    assert_eq!(user["UserPolicyList"][0]["PolicyName"], "inline");
    assert_eq!(user["UserPolicyList"][0]["PolicyDocument"]["Statement"][0]["Action"], "s3:GetObject");
    assert_eq!(user["AttachedManagedPolicies"][0]["PolicyArn"], policy_arn.as_str());
    let role = &details["RoleDetailList"][0];
    assert_eq!(role["InstanceProfileList"][0]["InstanceProfileName"], "app-profile");
    assert_eq!(role["AssumeRolePolicyDocument"]["Statement"][0]["Action"], "sts:AssumeRole");
    assert_eq!(details["GroupDetailList"][0]["AttachedManagedPolicies"][0]["PolicyName"], "IAMReadOnlyAccess");
    let policies = details["Policies"].as_array().unwrap();
    let names: Vec<&str> = policies.iter().map(|p| p["PolicyName"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["read-objects", "IAMReadOnlyAccess"]);
    assert_eq!(policies[0]["AttachmentCount"], 1);
    assert_eq!(policies[0]["PolicyVersionList"][0]["Document"]["Statement"][0]["Action"], "s3:GetObject");

    let only_roles = server.aws_json(&["iam", "get-account-authorization-details", "--filter", "Role"]);
    assert_eq!(only_roles["UserDetailList"], serde_json::json!([]));
    assert_eq!(only_roles["RoleDetailList"].as_array().unwrap().len(), 1);
    // The CLI asks for pages of two (MaxItems) and follows the markers across all four lists.
    let paged = server.aws_json(&["iam", "get-account-authorization-details", "--page-size", "2"]);
    let count = |v: &Value| ["UserDetailList", "GroupDetailList", "RoleDetailList", "Policies"].iter().map(|l| v[*l].as_array().map_or(0, Vec::len)).sum::<usize>();
    assert_eq!(count(&paged), 5, "{paged}");
    assert_eq!(count(&details), 5);

    server.aws_json(&["iam", "delete-open-id-connect-provider", "--open-id-connect-provider-arn", &oidc_arn]);
    server.aws_json(&["iam", "delete-saml-provider", "--saml-provider-arn", &saml_arn]);
    let gone = server.aws(&["iam", "get-open-id-connect-provider", "--open-id-connect-provider-arn", &oidc_arn]);
    assert!(error_text(&gone).contains("NoSuchEntity"), "{}", error_text(&gone));
    assert_eq!(server.aws_json(&["iam", "get-account-summary"])["SummaryMap"]["Providers"], 0);
}
