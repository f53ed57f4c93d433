//! MFA end to end: a virtual MFA device enabled with two consecutive codes, and a policy
//! conditioned on MFA that only sessions from GetSessionToken with a valid code satisfy.

mod support;

use serde_json::Value;
use support::{error_text, python, Server};


/// The codes of the steps `offsets` away from now, read from one clock reading, so consecutive
/// codes stay consecutive across a 30-second boundary.
fn codes(seed: &str, offsets: &[i32]) -> Vec<String> {
    let offsets: Vec<String> = offsets.iter().map(i32::to_string).collect();
    let mut args = vec![seed];
    args.extend(offsets.iter().map(String::as_str));
    let out = python("totp.py", &args);
    String::from_utf8(out.stdout).unwrap().lines().map(str::to_owned).collect()
}

fn code(seed: &str, offset: i32) -> String {
    codes(seed, &[offset]).remove(0)
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
    let pair = codes(&seed, &[-1, 0]);
    let enabled = server.aws(&[
        "iam",
        "enable-mfa-device",
        "--user-name",
        "careful",
        "--serial-number",
        &serial,
        "--authentication-code1",
        &pair[0],
        "--authentication-code2",
        &pair[1],
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
