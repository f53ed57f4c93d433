//! MFA end to end: a virtual MFA device enabled with two consecutive codes, and a policy
//! conditioned on MFA that only sessions from GetSessionToken with a valid code satisfy.

mod support;

use serde_json::Value;
use support::{error_text, python, Server};


fn code(seed: &str, offset: i32) -> String {
    let out = python("totp.py", &[seed, &offset.to_string()]);
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}


#[test]
fn a_policy_conditioned_on_mfa_allows_only_mfa_sessions() {
    let server = Server::start(&["--ephemeral"]);
    server.aws_json(&["iam", "create-user", "--user-name", "careful"]);
    let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"cloudtrail:ListTrails","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]}"#;
    server.aws(&["iam", "put-user-policy", "--user-name", "careful", "--policy-name", "mfa-only", "--policy-document", policy]);
    let key = server.aws_json(&["iam", "create-access-key", "--user-name", "careful"]);
    let (id, secret) = (key["AccessKey"]["AccessKeyId"].as_str().unwrap(), key["AccessKey"]["SecretAccessKey"].as_str().unwrap());

    let long_term = server.aws_as(id, secret, &["cloudtrail", "list-trails"]);
    assert!(error_text(&long_term).contains("AccessDenied"), "long-term keys carry no MFA: {}", error_text(&long_term));

    let seed_file = server.data_dir.join("seed.txt");
    let device = server.aws_json(&[
        "iam",
        "create-virtual-mfa-device",
        "--virtual-mfa-device-name",
        "careful-phone",
        "--outfile",
        seed_file.to_str().unwrap(),
        "--bootstrap-method",
        "Base32StringSeed",
    ]);
    let serial = device["VirtualMFADevice"]["SerialNumber"].as_str().unwrap().to_owned();
    let seed = std::fs::read_to_string(&seed_file).unwrap();
    let wrong = server.aws(&["iam", "enable-mfa-device", "--user-name", "careful", "--serial-number", &serial, "--authentication-code1", "000000", "--authentication-code2", "111111"]);
    assert!(error_text(&wrong).contains("InvalidAuthenticationCode"), "{}", error_text(&wrong));
    let enabled = server.aws(&[
        "iam",
        "enable-mfa-device",
        "--user-name",
        "careful",
        "--serial-number",
        &serial,
        "--authentication-code1",
        &code(&seed, -1),
        "--authentication-code2",
        &code(&seed, 0),
    ]);
    assert!(enabled.status.success(), "{}", error_text(&enabled));

    let with_mfa = server.aws_as(id, secret, &["sts", "get-session-token", "--serial-number", &serial, "--token-code", &code(&seed, 0)]);
    let with_mfa: Value = serde_json::from_slice(&with_mfa.stdout).unwrap();
    let allowed = server.aws_session(&with_mfa["Credentials"], &["cloudtrail", "list-trails"]);
    assert!(allowed.status.success(), "{}", error_text(&allowed));

    let without_mfa = server.aws_as(id, secret, &["sts", "get-session-token"]);
    let without_mfa: Value = serde_json::from_slice(&without_mfa.stdout).unwrap();
    let denied = server.aws_session(&without_mfa["Credentials"], &["cloudtrail", "list-trails"]);
    assert!(error_text(&denied).contains("AccessDenied"), "{}", error_text(&denied));

    let bad_code = server.aws_as(id, secret, &["sts", "get-session-token", "--serial-number", &serial, "--token-code", "123456"]);
    assert!(!bad_code.status.success() || code(&seed, 0) == "123456");
}
