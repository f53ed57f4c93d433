//! AssumeRoleWithSAML end to end with the aws CLI: SAML responses signed by signxml
//! (tests/python/saml_idp.py) traded for role sessions of a provider created from the IdP's
//! metadata, and the responses STS must refuse.

mod support;

use serde_json::{json, Value};
use support::{error_text, Server};

const PROVIDER_ARN: &str = "arn:aws:iam::000000000000:saml-provider/Corp";
const OTHER_PROVIDER_ARN: &str = "arn:aws:iam::000000000000:saml-provider/Other";
const ROLE_ARN: &str = "arn:aws:iam::000000000000:role/saml-dev";
/// A role the responses pair with Corp, whose trust policy trusts only Other.
const OTHER_TRUST_ROLE_ARN: &str = "arn:aws:iam::000000000000:role/saml-other";
/// A role that trusts Corp but does not allow sts:TagSession.
const UNTAGGED_ROLE_ARN: &str = "arn:aws:iam::000000000000:role/saml-untagged";
/// A role that trusts any subject of Corp and whose permissions depend on the session's subject.
const SUBJECT_ROLE_ARN: &str = "arn:aws:iam::000000000000:role/saml-subject";

/// What the IdP prints: its metadata, its signed responses by name, and the name qualifier
/// IAM documents for the provider.
fn identity_provider() -> Value {
    let out = support::python("saml_idp.py", &["responses", PROVIDER_ARN, ROLE_ARN, OTHER_TRUST_ROLE_ARN, UNTAGGED_ROLE_ARN, SUBJECT_ROLE_ARN]);
    assert!(out.status.success(), "{}", error_text(&out));
    serde_json::from_slice(&out.stdout).expect("the IdP prints JSON")
}

fn trust_policy(provider_arn: &str, actions: &[&str], conditions: Value) -> String {
    json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow",
        "Principal": {"Federated": provider_arn},
        "Action": actions,
        "Condition": conditions,
    }]})
    .to_string()
}

const TRUSTED_ACTIONS: &[&str] = &["sts:AssumeRoleWithSAML", "sts:SetSourceIdentity", "sts:TagSession"];

/// A server with the Corp and Other providers (both from the IdP's metadata) and the roles.
fn federation(idp: &Value) -> Server {
    let server = Server::start(&["--ephemeral"]);
    let metadata = idp["metadata"].as_str().unwrap();
    for name in ["Corp", "Other"] {
        server.aws_json(&["iam", "create-saml-provider", "--name", name, "--saml-metadata-document", metadata]);
    }
    let conditions = json!({"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml", "SAML:sub": "alice"}});
    let trust = trust_policy(PROVIDER_ARN, TRUSTED_ACTIONS, conditions);
    server.aws_json(&["iam", "create-role", "--role-name", "saml-dev", "--assume-role-policy-document", &trust]);
    server.aws_json(&["iam", "attach-role-policy", "--role-name", "saml-dev", "--policy-arn", "arn:aws:iam::aws:policy/IAMReadOnlyAccess"]);
    // Only sessions tagged Project=Marketing may list KMS keys.
    let tagged_only = json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "kms:ListKeys", "Resource": "*",
        "Condition": {"StringEquals": {"aws:PrincipalTag/Project": "Marketing"}},
    }]});
    server.aws_json(&["iam", "put-role-policy", "--role-name", "saml-dev", "--policy-name", "abac", "--policy-document", &tagged_only.to_string()]);
    let trust_other = trust_policy(OTHER_PROVIDER_ARN, TRUSTED_ACTIONS, json!({}));
    server.aws_json(&["iam", "create-role", "--role-name", "saml-other", "--assume-role-policy-document", &trust_other]);
    let no_tagging = trust_policy(PROVIDER_ARN, &["sts:AssumeRoleWithSAML", "sts:SetSourceIdentity"], json!({}));
    server.aws_json(&["iam", "create-role", "--role-name", "saml-untagged", "--assume-role-policy-document", &no_tagging]);
    let trust_any_subject = trust_policy(PROVIDER_ARN, TRUSTED_ACTIONS, json!({}));
    server.aws_json(&["iam", "create-role", "--role-name", "saml-subject", "--assume-role-policy-document", &trust_any_subject]);
    let by_subject = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "kms:ListAliases", "Resource": "*", "Condition": {"StringEquals": {"saml:sub": "alice"}}},
        {"Effect": "Allow", "Action": "kms:ListKeys", "Resource": "*", "Condition": {"StringEquals": {
            "saml:sub_type": "persistent", "saml:namequalifier": idp["name_qualifier"],
        }}},
        {"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*", "Condition": {"StringEquals": {"saml:iss": "https://idp.example.com/saml"}}},
    ]});
    server.aws_json(&["iam", "put-role-policy", "--role-name", "saml-subject", "--policy-name", "by-subject", "--policy-document", &by_subject.to_string()]);
    server
}

fn assume(server: &Server, idp: &Value, response: &str, role_arn: &str, provider_arn: &str, extra: &[&str]) -> std::process::Output {
    let assertion = idp["responses"][response].as_str().unwrap_or_else(|| panic!("no response {response}"));
    let mut args = vec!["sts", "assume-role-with-saml", "--role-arn", role_arn, "--principal-arn", provider_arn, "--saml-assertion", assertion];
    args.extend(extra);
    server.aws(&args)
}

fn assumed(out: &std::process::Output) -> Value {
    assert!(out.status.success(), "{}", error_text(out));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn a_signed_response_is_traded_for_a_session_of_the_role_it_names() {
    let idp = identity_provider();
    let server = federation(&idp);
    let before = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs_f64();
    let session = assumed(&assume(&server, &idp, "good", ROLE_ARN, PROVIDER_ARN, &[]));
    assert_eq!(session["AssumedRoleUser"]["Arn"], "arn:aws:sts::000000000000:assumed-role/saml-dev/alice@example.com");
    assert_eq!(session["Subject"], "alice");
    assert_eq!(session["SubjectType"], "persistent");
    assert_eq!(session["Issuer"], "https://idp.example.com/saml");
    assert_eq!(session["Audience"], "https://signin.aws.amazon.com/saml");
    assert_eq!(session["NameQualifier"], idp["name_qualifier"]);
    assert_eq!(session["SourceIdentity"], "alice");
    // The assertion's SessionDuration (1800 s) shortens the default hour.
    let expiration = wire::timestamp::parse_iso8601(session["Credentials"]["Expiration"].as_str().unwrap()).unwrap();
    assert!((1790.0..=1810.0).contains(&(expiration - before)), "expires {} s after the call", expiration - before);

    let identity: Value = serde_json::from_slice(&server.aws_session(&session["Credentials"], &["sts", "get-caller-identity"]).stdout).unwrap();
    assert_eq!(identity["Arn"], "arn:aws:sts::000000000000:assumed-role/saml-dev/alice@example.com");
    let listed = server.aws_session(&session["Credentials"], &["iam", "list-roles"]);
    assert!(listed.status.success(), "{}", error_text(&listed));
    let denied = server.aws_session(&session["Credentials"], &["iam", "create-user", "--user-name", "x"]);
    assert!(error_text(&denied).contains("AccessDenied"), "{}", error_text(&denied));
}

#[test]
fn principal_tag_attributes_tag_the_session_when_the_trust_policy_allows_tagging() {
    let idp = identity_provider();
    let server = federation(&idp);
    let session = assumed(&assume(&server, &idp, "good", ROLE_ARN, PROVIDER_ARN, &[]));
    assert!(session["PackedPolicySize"].as_u64().is_some_and(|size| size > 0), "{session}");
    let keys = server.aws_session(&session["Credentials"], &["kms", "list-keys"]);
    assert!(keys.status.success(), "the session has aws:PrincipalTag/Project: {}", error_text(&keys));
    let untagged = assume(&server, &idp, "good", UNTAGGED_ROLE_ARN, PROVIDER_ARN, &[]);
    assert!(error_text(&untagged).contains("Not authorized to perform sts:AssumeRoleWithSAML"), "{}", error_text(&untagged));
}

#[test]
fn the_response_or_its_assertion_or_both_may_carry_the_signature() {
    let idp = identity_provider();
    let server = federation(&idp);
    for response in ["response_signed", "both_signed"] {
        let session = assumed(&assume(&server, &idp, response, ROLE_ARN, PROVIDER_ARN, &[]));
        assert_eq!(session["Subject"], "alice", "{response}");
    }
}

#[test]
fn responses_that_are_not_the_providers_signed_word_are_invalid_identity_tokens() {
    let idp = identity_provider();
    let server = federation(&idp);
    for (response, message) in [
        ("tampered", "Response signature invalid"),
        ("other_key", "Response signature invalid"),
        ("unsigned", "Response signature invalid"),
        ("wrapped", "Invalid SAML response"),
        ("other_audience", "not for an AWS audience"),
    ] {
        let out = assume(&server, &idp, response, ROLE_ARN, PROVIDER_ARN, &[]);
        assert!(error_text(&out).contains("InvalidIdentityToken"), "{response}: {}", error_text(&out));
        assert!(error_text(&out).contains(message), "{response}: {}", error_text(&out));
    }
    let garbage = server.aws(&[
        "sts", "assume-role-with-saml", "--role-arn", ROLE_ARN, "--principal-arn", PROVIDER_ARN, "--saml-assertion", "bm90IHhtbA==",
    ]);
    assert!(error_text(&garbage).contains("InvalidIdentityToken"), "{}", error_text(&garbage));
    let unknown = assume(&server, &idp, "good", ROLE_ARN, "arn:aws:iam::000000000000:saml-provider/Nobody", &[]);
    assert!(error_text(&unknown).contains("Specified provider doesn't exist"), "{}", error_text(&unknown));
}

#[test]
fn an_expired_assertion_is_an_expired_token() {
    let idp = identity_provider();
    let server = federation(&idp);
    let out = assume(&server, &idp, "expired", ROLE_ARN, PROVIDER_ARN, &[]);
    assert!(error_text(&out).contains("ExpiredTokenException"), "{}", error_text(&out));
}

#[test]
fn the_trust_policy_decides_with_the_providers_principal_and_the_saml_keys() {
    let idp = identity_provider();
    let server = federation(&idp);
    // The role trusts another provider.
    let other_provider = assume(&server, &idp, "good", OTHER_TRUST_ROLE_ARN, PROVIDER_ARN, &[]);
    assert!(error_text(&other_provider).contains("Not authorized to perform sts:AssumeRoleWithSAML"), "{}", error_text(&other_provider));
    // SAML:sub is alice only.
    let bob = assume(&server, &idp, "other_subject", ROLE_ARN, PROVIDER_ARN, &[]);
    assert!(error_text(&bob).contains("AccessDenied"), "{}", error_text(&bob));
    // SAML:aud is the Recipient, and the trust policy names the global endpoint only.
    let regional = assume(&server, &idp, "regional_recipient", ROLE_ARN, PROVIDER_ARN, &[]);
    assert!(error_text(&regional).contains("AccessDenied"), "{}", error_text(&regional));
    // The response pairs the role with Corp, not with Other.
    let unpaired = assume(&server, &idp, "good", OTHER_TRUST_ROLE_ARN, OTHER_PROVIDER_ARN, &[]);
    assert!(error_text(&unpaired).contains("AccessDenied"), "{}", error_text(&unpaired));
}

#[test]
fn the_sessions_permission_policies_see_its_saml_subject_type_and_name_qualifier() {
    let idp = identity_provider();
    let server = federation(&idp);
    let alice = assumed(&assume(&server, &idp, "good", SUBJECT_ROLE_ARN, PROVIDER_ARN, &[]));
    let bob = assumed(&assume(&server, &idp, "other_subject", SUBJECT_ROLE_ARN, PROVIDER_ARN, &[]));
    let call = |session: &Value, args: &[&str]| server.aws_session(&session["Credentials"], args);

    let aliases = call(&alice, &["kms", "list-aliases"]);
    assert!(aliases.status.success(), "saml:sub is alice: {}", error_text(&aliases));
    let denied = call(&bob, &["kms", "list-aliases"]);
    assert!(error_text(&denied).contains("AccessDenied"), "saml:sub is bob: {}", error_text(&denied));
    for session in [&alice, &bob] {
        let keys = call(session, &["kms", "list-keys"]);
        assert!(keys.status.success(), "saml:sub_type and saml:namequalifier: {}", error_text(&keys));
    }
    // saml:iss judges only the trust policy: the IAM user guide lists sub, sub_type and
    // namequalifier for permission policies.
    let users = call(&alice, &["iam", "list-users"]);
    assert!(error_text(&users).contains("AccessDenied"), "{}", error_text(&users));
}

#[test]
fn duration_seconds_is_bounded_by_the_roles_maximum() {
    let idp = identity_provider();
    let server = federation(&idp);
    let out = assume(&server, &idp, "good", ROLE_ARN, PROVIDER_ARN, &["--duration-seconds", "7200"]);
    assert!(error_text(&out).contains("MaxSessionDuration"), "{}", error_text(&out));
    let policy = assume(&server, &idp, "good", ROLE_ARN, PROVIDER_ARN, &["--policy", r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow"}]}"#]);
    assert!(error_text(&policy).contains("MalformedPolicyDocument"), "{}", error_text(&policy));
}
