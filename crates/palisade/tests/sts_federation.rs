//! STS federation end to end with the aws CLI: federated users from GetFederationToken, role
//! sessions from OpenID Connect ID tokens, and DecodeAuthorizationMessage.

mod support;

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use serde_json::{json, Value};
use support::{error_text, OidcIssuer, Server};

fn user_with_keys(server: &Server, name: &str, policy: &str) -> (String, String) {
    server.aws_json(&["iam", "create-user", "--user-name", name]);
    server.aws_json(&["iam", "put-user-policy", "--user-name", name, "--policy-name", "p", "--policy-document", policy]);
    let key = server.aws_json(&["iam", "create-access-key", "--user-name", name]);
    (key["AccessKey"]["AccessKeyId"].as_str().unwrap().to_owned(), key["AccessKey"]["SecretAccessKey"].as_str().unwrap().to_owned())
}

fn allow(actions: &[&str]) -> String {
    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]}).to_string()
}

fn federate(server: &Server, key: &(String, String), name: &str, policy: Option<&str>) -> std::process::Output {
    let mut args = vec!["sts", "get-federation-token", "--name", name];
    if let Some(policy) = policy {
        args.extend(["--policy", policy]);
    }
    server.aws_as(&key.0, &key.1, &args)
}

#[test]
fn a_federated_user_has_the_intersection_of_the_users_and_the_session_policies() {
    let server = Server::start(&["--ephemeral"]);
    let key = user_with_keys(&server, "broker", &allow(&["sts:GetFederationToken", "iam:ListUsers", "iam:ListRoles"]));
    let session_policy = allow(&["iam:ListUsers", "cloudtrail:ListTrails"]);
    let out = federate(&server, &key, "fed1", Some(&session_policy));
    let token: Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    assert_eq!(token["FederatedUser"]["Arn"], "arn:aws:sts::000000000000:federated-user/fed1", "{}", error_text(&out));
    assert_eq!(token["FederatedUser"]["FederatedUserId"], "000000000000:fed1");
    let credentials = &token["Credentials"];
    assert!(credentials["SessionToken"].as_str().is_some_and(|t| !t.is_empty()));

    let identity: Value = serde_json::from_slice(&server.aws_session(credentials, &["sts", "get-caller-identity"]).stdout).unwrap();
    assert_eq!(identity["Arn"], "arn:aws:sts::000000000000:federated-user/fed1");
    assert_eq!(identity["UserId"], "000000000000:fed1");

    // Allowed by both the user's policy and the session policy.
    let listed = server.aws_session(credentials, &["iam", "list-users"]);
    assert!(listed.status.success(), "{}", error_text(&listed));
    // Allowed by the session policy only: the user's policies do not allow it.
    let trails = server.aws_session(credentials, &["cloudtrail", "list-trails"]);
    assert!(error_text(&trails).contains("AccessDenied"), "{}", error_text(&trails));
    assert!(error_text(&trails).contains("arn:aws:sts::000000000000:federated-user/fed1"), "{}", error_text(&trails));
    // Allowed by the user's policy only: the session policy does not allow it.
    let roles = server.aws_session(credentials, &["iam", "list-roles"]);
    assert!(error_text(&roles).contains("because no session policy allows the iam:ListRoles action"), "{}", error_text(&roles));

    // Without a session policy, the federated user can do nothing.
    let bare: Value = serde_json::from_slice(&federate(&server, &key, "fed2", None).stdout).unwrap();
    let nothing = server.aws_session(&bare["Credentials"], &["iam", "list-users"]);
    assert!(error_text(&nothing).contains("AccessDenied"), "{}", error_text(&nothing));

    // A session cannot federate again, and the root user here cannot federate.
    let again = server.aws_session(credentials, &["sts", "get-federation-token", "--name", "fed3", "--policy", &session_policy]);
    assert!(error_text(&again).contains("AccessDenied"), "{}", error_text(&again));
    let root = server.aws(&["sts", "get-federation-token", "--name", "fed4"]);
    assert!(error_text(&root).contains("AccessDenied"), "{}", error_text(&root));

    let decoded = server.aws(&["sts", "decode-authorization-message", "--encoded-message", "not-one-of-ours"]);
    assert!(error_text(&decoded).contains("InvalidAuthorizationMessageException"), "{}", error_text(&decoded));
}

fn assume_with(server: &Server, token: &str) -> std::process::Output {
    server.aws(&[
        "sts", "assume-role-with-web-identity", "--role-arn", "arn:aws:iam::000000000000:role/ci",
        "--role-session-name", "build-7", "--web-identity-token", token,
    ])
}

#[test]
fn an_oidc_token_is_traded_for_a_role_session_when_its_issuer_signature_and_trust_policy_accept_it() {
    let server = Server::start(&["--ephemeral"]);
    let issuer = OidcIssuer::start();
    let thumbprint = issuer.description["thumbprint"].as_str().unwrap();
    let provider = server.aws_json(&[
        "iam", "create-open-id-connect-provider", "--url", issuer.url(), "--client-id-list", "app-1", "--thumbprint-list", thumbprint,
    ]);
    let provider_arn = provider["OpenIDConnectProviderArn"].as_str().unwrap().to_owned();
    let host = issuer.url().trim_start_matches("https://");
    assert_eq!(provider_arn, format!("arn:aws:iam::000000000000:oidc-provider/{host}"));
    let trust = json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Federated": provider_arn}, "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {format!("{host}:aud"): "app-1", format!("{host}:sub"): "repo:main"}}
    }]});
    server.aws_json(&["iam", "create-role", "--role-name", "ci", "--assume-role-policy-document", &trust.to_string()]);
    server.aws_json(&["iam", "attach-role-policy", "--role-name", "ci", "--policy-arn", "arn:aws:iam::aws:policy/IAMReadOnlyAccess"]);

    let out = assume_with(&server, issuer.token("good"));
    let assumed: Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    assert_eq!(assumed["AssumedRoleUser"]["Arn"], "arn:aws:sts::000000000000:assumed-role/ci/build-7", "{}", error_text(&out));
    assert_eq!(assumed["SubjectFromWebIdentityToken"], "repo:main");
    assert_eq!(assumed["Audience"], "app-1");
    assert_eq!(assumed["Provider"], issuer.url());
    assert_eq!(assumed["SourceIdentity"], "alice@example.com");
    let listed = server.aws_session(&assumed["Credentials"], &["iam", "list-roles"]);
    assert!(listed.status.success(), "{}", error_text(&listed));

    let forged = assume_with(&server, issuer.token("forged"));
    assert!(error_text(&forged).contains("InvalidIdentityToken"), "{}", error_text(&forged));
    assert!(error_text(&forged).contains("signature"), "{}", error_text(&forged));
    let other_subject = assume_with(&server, issuer.token("other_subject"));
    assert!(error_text(&other_subject).contains("Not authorized to perform sts:AssumeRoleWithWebIdentity"), "{}", error_text(&other_subject));
    let other_audience = assume_with(&server, issuer.token("other_audience"));
    assert!(error_text(&other_audience).contains("Incorrect token audience"), "{}", error_text(&other_audience));
    let expired = assume_with(&server, issuer.token("expired"));
    assert!(error_text(&expired).contains("ExpiredTokenException"), "{}", error_text(&expired));
    let unsigned = assume_with(&server, issuer.token("unsigned"));
    assert!(error_text(&unsigned).contains("InvalidIdentityToken"), "{}", error_text(&unsigned));
    let garbage = assume_with(&server, "not.a-jwt");
    assert!(error_text(&garbage).contains("InvalidIdentityToken"), "{}", error_text(&garbage));

    // A provider registered for another issuer is not this one.
    server.aws_json(&["iam", "create-open-id-connect-provider", "--url", "https://other.example.com", "--client-id-list", "app-1"]);
    let unknown_claims = json!({"iss": "https://unregistered.example.com", "aud": "app-1", "sub": "repo:main", "exp": 4_000_000_000u64});
    let encode = |v: &Value| URL_SAFE_NO_PAD.encode(v.to_string());
    let unknown = format!("{}.{}.c2ln", encode(&json!({"alg": "RS256"})), encode(&unknown_claims));
    let out = assume_with(&server, &unknown);
    assert!(error_text(&out).contains("No OpenIDConnect provider found in your account for https://unregistered.example.com"), "{}", error_text(&out));

    // The connection is trusted by thumbprint only: with another thumbprint the keys cannot be fetched.
    server.aws_json(&[
        "iam", "update-open-id-connect-provider-thumbprint", "--open-id-connect-provider-arn", &provider_arn,
        "--thumbprint-list", "0000000000000000000000000000000000000000",
    ]);
    let untrusted = assume_with(&server, issuer.token("good"));
    assert!(error_text(&untrusted).contains("IDPCommunicationError"), "{}", error_text(&untrusted));
    server.aws_json(&["iam", "update-open-id-connect-provider-thumbprint", "--open-id-connect-provider-arn", &provider_arn, "--thumbprint-list", thumbprint]);

    // A client id added later is accepted; one removed is not.
    server.aws_json(&["iam", "add-client-id-to-open-id-connect-provider", "--open-id-connect-provider-arn", &provider_arn, "--client-id", "app-2"]);
    server.aws_json(&["iam", "remove-client-id-from-open-id-connect-provider", "--open-id-connect-provider-arn", &provider_arn, "--client-id", "app-1"]);
    let removed = assume_with(&server, issuer.token("good"));
    assert!(error_text(&removed).contains("Incorrect token audience"), "{}", error_text(&removed));
}
