//! Session tags and `aws:PrincipalTag` end to end: tags passed to AssumeRole and
//! GetFederationToken, or in a web identity token, become the session's principal tags
//! (attribute-based access control),
//! passing them needs sts:TagSession, transitive tags survive role chaining, and IAM users'
//! own tags are their principal tags.

mod support;

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use support::{error_text, OidcIssuer, Server};

const ACCOUNT_ROOT: &str = "arn:aws:iam::000000000000:root";

/// An IAM user with `policy` as its only inline policy, and its access key.
fn user_with_policy(server: &Server, name: &str, policy: &Value) -> (String, String) {
    server.aws_json(&["iam", "create-user", "--user-name", name]);
    server.aws_json(&["iam", "put-user-policy", "--user-name", name, "--policy-name", "p", "--policy-document", &policy.to_string()]);
    let key = server.aws_json(&["iam", "create-access-key", "--user-name", name]);
    (key["AccessKey"]["AccessKeyId"].as_str().unwrap().to_owned(), key["AccessKey"]["SecretAccessKey"].as_str().unwrap().to_owned())
}

fn allow_everything() -> Value {
    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
}

/// A trust policy letting `principal` perform `actions` on the role.
fn trust(principal: &str, actions: &[&str]) -> String {
    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": principal}, "Action": actions}]}).to_string()
}

/// Reading a secret only when its `team` tag is the caller's `team` principal tag.
fn same_team_reads_secrets() -> Value {
    json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": "*",
        "Condition": {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}
    }]})
}

fn create_role(server: &Server, name: &str, trust_policy: &str, identity_policy: &Value) {
    server.aws_json(&["iam", "create-role", "--role-name", name, "--assume-role-policy-document", trust_policy]);
    server.aws_json(&["iam", "put-role-policy", "--role-name", name, "--policy-name", "p", "--policy-document", &identity_policy.to_string()]);
}

/// The secrets `blue` and `red`, tagged with their team.
fn team_secrets(server: &Server) {
    for team in ["blue", "red"] {
        let tag = format!("Key=team,Value={team}");
        server.aws_json(&["secretsmanager", "create-secret", "--name", team, "--secret-string", team, "--tags", &tag]);
    }
}

fn role_arn(name: &str) -> String {
    format!("arn:aws:iam::000000000000:role/{name}")
}

/// `sts assume-role` of `role` with `extra` arguments, as `run` calls the CLI.
fn assume(run: impl Fn(&[&str]) -> std::process::Output, role: &str, extra: &[&str]) -> std::process::Output {
    let arn = role_arn(role);
    let mut args = vec!["sts", "assume-role", "--role-arn", arn.as_str(), "--role-session-name", "tagged"];
    args.extend_from_slice(extra);
    run(&args)
}

fn credentials(out: &std::process::Output) -> Value {
    let answer: Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    assert!(answer["Credentials"].is_object(), "no credentials: {}", error_text(out));
    answer["Credentials"].clone()
}

fn reads(server: &Server, session: &Value, secret: &str) -> std::process::Output {
    server.aws_session(session, &["secretsmanager", "get-secret-value", "--secret-id", secret])
}

fn assert_denied(out: &std::process::Output, code: &str) {
    assert!(!out.status.success() && error_text(out).contains(code), "expected {code}: {}", error_text(out));
}

#[test]
fn a_session_tagged_team_blue_reads_the_blue_secret_and_not_the_red_one() {
    let server = Server::start(&["--ephemeral"]);
    let key = user_with_policy(&server, "ops", &allow_everything());
    create_role(&server, "abac", &trust(ACCOUNT_ROOT, &["sts:AssumeRole", "sts:TagSession"]), &same_team_reads_secrets());
    team_secrets(&server);

    let out = assume(|args| server.aws_as(&key.0, &key.1, args), "abac", &["--tags", "Key=team,Value=blue"]);
    let answer: Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    assert!(answer["PackedPolicySize"].as_u64().is_some_and(|size| size > 0 && size <= 100), "{answer}");
    let session = credentials(&out);
    let blue = reads(&server, &session, "blue");
    assert!(blue.status.success(), "{}", error_text(&blue));
    assert_denied(&reads(&server, &session, "red"), "AccessDeniedException");

    // Without the tag the policy variable has no value, and nothing matches.
    let untagged = credentials(&assume(|args| server.aws_as(&key.0, &key.1, args), "abac", &[]));
    assert_denied(&reads(&server, &untagged, "blue"), "AccessDeniedException");
}

#[test]
fn a_session_tag_overrides_the_roles_tag_with_the_same_key_regardless_of_case() {
    let server = Server::start(&["--ephemeral"]);
    let key = user_with_policy(&server, "ops", &allow_everything());
    create_role(&server, "abac", &trust(ACCOUNT_ROOT, &["sts:AssumeRole", "sts:TagSession"]), &same_team_reads_secrets());
    server.aws_json(&["iam", "tag-role", "--role-name", "abac", "--tags", "Key=team,Value=red"]);
    team_secrets(&server);

    let role_tagged = credentials(&assume(|args| server.aws_as(&key.0, &key.1, args), "abac", &[]));
    assert!(reads(&server, &role_tagged, "red").status.success());
    let overridden = credentials(&assume(|args| server.aws_as(&key.0, &key.1, args), "abac", &["--tags", "Key=TEAM,Value=blue"]));
    assert!(reads(&server, &overridden, "blue").status.success());
    assert_denied(&reads(&server, &overridden, "red"), "AccessDeniedException");
}

#[test]
fn passing_tags_needs_sts_tag_session_in_the_trust_policy() {
    let server = Server::start(&["--ephemeral"]);
    let key = user_with_policy(&server, "ops", &allow_everything());
    create_role(&server, "untaggable", &trust(ACCOUNT_ROOT, &["sts:AssumeRole"]), &same_team_reads_secrets());

    let as_ops = |args: &[&str]| server.aws_as(&key.0, &key.1, args);
    let tagged = assume(as_ops, "untaggable", &["--tags", "Key=team,Value=blue"]);
    assert_denied(&tagged, "AccessDenied");
    assert!(error_text(&tagged).contains("sts:TagSession"), "{}", error_text(&tagged));
    assert!(assume(as_ops, "untaggable", &[]).status.success());

    // aws:RequestTag judges the tags a trust policy lets through.
    let only_blue = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": ACCOUNT_ROOT}, "Action": "sts:AssumeRole"},
        {"Effect": "Allow", "Principal": {"AWS": ACCOUNT_ROOT}, "Action": "sts:TagSession",
         "Condition": {"StringEquals": {"aws:RequestTag/team": "blue"}}}
    ]});
    create_role(&server, "blue-only", &only_blue.to_string(), &same_team_reads_secrets());
    assert!(assume(as_ops, "blue-only", &["--tags", "Key=team,Value=blue"]).status.success());
    assert_denied(&assume(as_ops, "blue-only", &["--tags", "Key=team,Value=red"]), "AccessDenied");
}

#[test]
fn an_iam_users_tags_are_its_principal_tags_and_follow_tag_changes() {
    let server = Server::start(&["--ephemeral"]);
    let blue_only = json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": "*",
        "Condition": {"StringEquals": {"aws:PrincipalTag/team": "blue"}}
    }]});
    let key = user_with_policy(&server, "dev", &blue_only);
    team_secrets(&server);
    let read = || server.aws_as(&key.0, &key.1, &["secretsmanager", "get-secret-value", "--secret-id", "red"]);
    assert_denied(&read(), "AccessDeniedException");
    server.aws_json(&["iam", "tag-user", "--user-name", "dev", "--tags", "Key=team,Value=blue"]);
    assert!(read().status.success(), "{}", error_text(&read()));
    server.aws_json(&["iam", "tag-user", "--user-name", "dev", "--tags", "Key=team,Value=red"]);
    assert_denied(&read(), "AccessDeniedException");
}

#[test]
fn a_federated_users_principal_tags_are_its_users_tags_overridden_by_its_session_tags() {
    let server = Server::start(&["--ephemeral"]);
    let broker = user_with_policy(&server, "broker", &allow_everything());
    server.aws_json(&["iam", "tag-user", "--user-name", "broker", "--tags", "Key=team,Value=red"]);
    team_secrets(&server);
    let session_policy = same_team_reads_secrets().to_string();
    let federate = |extra: &[&str]| {
        let mut args = vec!["sts", "get-federation-token", "--name", "visitor", "--policy", session_policy.as_str()];
        args.extend_from_slice(extra);
        credentials(&server.aws_as(&broker.0, &broker.1, &args))
    };
    let untagged = federate(&[]);
    assert!(reads(&server, &untagged, "red").status.success());
    let tagged = federate(&["--tags", "Key=team,Value=blue"]);
    assert!(reads(&server, &tagged, "blue").status.success());
    assert_denied(&reads(&server, &tagged, "red"), "AccessDeniedException");
}

#[test]
fn role_chaining_carries_transitive_tags_which_the_next_request_cannot_change() {
    let server = Server::start(&["--ephemeral"]);
    let key = user_with_policy(&server, "ops", &allow_everything());
    let assume_anything = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["sts:AssumeRole", "sts:TagSession"], "Resource": "*"}]});
    create_role(&server, "first", &trust(ACCOUNT_ROOT, &["sts:AssumeRole", "sts:TagSession"]), &assume_anything);
    create_role(&server, "second", &trust(&role_arn("first"), &["sts:AssumeRole", "sts:TagSession"]), &same_team_reads_secrets());
    create_role(&server, "untaggable", &trust(&role_arn("first"), &["sts:AssumeRole"]), &same_team_reads_secrets());
    team_secrets(&server);

    let first = credentials(&assume(
        |args| server.aws_as(&key.0, &key.1, args),
        "first",
        &["--tags", "Key=team,Value=blue", "Key=project,Value=x", "--transitive-tag-keys", "team"],
    ));
    let as_first = |args: &[&str]| server.aws_session(&first, args);
    let second = credentials(&assume(as_first, "second", &[]));
    assert!(reads(&server, &second, "blue").status.success());
    assert_denied(&reads(&server, &second, "red"), "AccessDeniedException");

    let overriding = assume(as_first, "second", &["--tags", "Key=team,Value=red"]);
    assert_denied(&overriding, "InvalidParameterValue");
    // The inherited tags tag the new session, so its trust policy must allow sts:TagSession.
    let untaggable = assume(as_first, "untaggable", &[]);
    assert_denied(&untaggable, "AccessDenied");
    assert!(error_text(&untaggable).contains("sts:TagSession"), "{}", error_text(&untaggable));

    // CloudTrail records the passed tags and the inherited ones among the request parameters.
    let deadline = Instant::now() + Duration::from_secs(5);
    let chained = loop {
        let events = server.aws_json(&["cloudtrail", "lookup-events", "--lookup-attributes", "AttributeKey=EventName,AttributeValue=AssumeRole"]);
        let parsed: Vec<Value> = events["Events"].as_array().into_iter().flatten()
            .map(|e| serde_json::from_str(e["CloudTrailEvent"].as_str().unwrap()).unwrap())
            .collect();
        let found = parsed.iter().find(|e| e["requestParameters"]["incomingTransitiveTags"].is_object() && e["errorCode"].is_null()).cloned();
        let first_request = parsed.iter().find(|e| e["requestParameters"]["transitiveTagKeys"].is_array()).cloned();
        if let (Some(found), Some(first_request)) = (found, first_request) {
            assert_eq!(first_request["requestParameters"]["tags"][0], json!({"key": "team", "value": "blue"}));
            assert_eq!(first_request["requestParameters"]["transitiveTagKeys"], json!(["team"]));
            break found;
        }
        assert!(Instant::now() < deadline, "no AssumeRole events with session tags: {events}");
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(chained["requestParameters"]["incomingTransitiveTags"], json!({"team": "blue"}));

    // GetCallerIdentity shows no tags.
    let identity = server.aws_session(&second, &["sts", "get-caller-identity"]);
    let identity: Value = serde_json::from_slice(&identity.stdout).unwrap();
    let mut members: Vec<&String> = identity.as_object().unwrap().keys().collect();
    members.sort();
    assert_eq!(members, ["Account", "Arn", "UserId"]);
}

#[test]
fn session_tags_that_break_sts_limits_are_refused() {
    let server = Server::start(&["--ephemeral"]);
    let key = user_with_policy(&server, "ops", &allow_everything());
    create_role(&server, "abac", &trust(ACCOUNT_ROOT, &["sts:AssumeRole", "sts:TagSession"]), &same_team_reads_secrets());
    let as_ops = |args: &[&str]| server.aws_as(&key.0, &key.1, args);
    let tags = |count: usize| (0..count).map(|i| format!("Key=k{i},Value=v")).collect::<Vec<_>>();
    let with_tags = |tags: &[String]| {
        let mut extra = vec!["--tags"];
        extra.extend(tags.iter().map(String::as_str));
        assume(as_ops, "abac", &extra)
    };

    assert!(with_tags(&tags(50)).status.success(), "{}", error_text(&with_tags(&tags(50))));
    let fifty_one = with_tags(&tags(51));
    assert_denied(&fifty_one, "ValidationError");
    assert!(error_text(&fifty_one).contains("less than or equal to 50"), "{}", error_text(&fifty_one));

    let duplicate = assume(as_ops, "abac", &["--tags", "Key=Team,Value=a", "Key=team,Value=b"]);
    assert_denied(&duplicate, "InvalidParameterValue");
    let not_passed = assume(as_ops, "abac", &["--tags", "Key=team,Value=a", "--transitive-tag-keys", "project"]);
    assert_denied(&not_passed, "InvalidParameterValue");

    let long_value = "v".repeat(250);
    let large: Vec<String> = (0..3).map(|i| format!("Key=key{i},Value={long_value}")).collect();
    let too_large = with_tags(&large);
    assert_denied(&too_large, "PackedPolicyTooLarge");
    assert!(error_text(&too_large).contains("Packed size of session tags consumes"), "{}", error_text(&too_large));
}

#[test]
fn a_web_identity_tokens_tags_claim_tags_the_session_when_the_trust_policy_allows_tag_session() {
    let server = Server::start(&["--ephemeral"]);
    let issuer = OidcIssuer::start();
    let thumbprint = issuer.description["thumbprint"].as_str().unwrap();
    let provider = server.aws_json(&[
        "iam", "create-open-id-connect-provider", "--url", issuer.url(), "--client-id-list", "app-1", "--thumbprint-list", thumbprint,
    ]);
    let provider_arn = provider["OpenIDConnectProviderArn"].as_str().unwrap();
    let federated_trust = |actions: &[&str]| {
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Federated": provider_arn}, "Action": actions}]})
            .to_string()
    };
    create_role(&server, "ci", &federated_trust(&["sts:AssumeRoleWithWebIdentity", "sts:TagSession"]), &same_team_reads_secrets());
    create_role(&server, "ci-untaggable", &federated_trust(&["sts:AssumeRoleWithWebIdentity"]), &same_team_reads_secrets());
    team_secrets(&server);
    let trade = |role: &str, token: &str| {
        let arn = role_arn(role);
        server.aws(&["sts", "assume-role-with-web-identity", "--role-arn", &arn, "--role-session-name", "build", "--web-identity-token", token])
    };

    let session = credentials(&trade("ci", issuer.token("tagged")));
    assert!(reads(&server, &session, "blue").status.success());
    assert_denied(&reads(&server, &session, "red"), "AccessDeniedException");
    assert_denied(&trade("ci-untaggable", issuer.token("tagged")), "AccessDenied");
    assert!(trade("ci-untaggable", issuer.token("good")).status.success());
}
