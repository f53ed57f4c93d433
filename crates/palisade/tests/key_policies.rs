//! KMS key policies judged on every call by the policy engine, end to end.

mod support;

use base64::Engine;
use serde_json::Value;
use support::{error_text, Server};


const TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":"sts:AssumeRole"}]}"#;

struct Fixture {
    server: Server,
    key: String,
    admin_key: (String, String),
}

fn fixture() -> Fixture {
    let server = Server::start(&["--ephemeral"]);
    let key = server.aws_json(&["kms", "create-key"])["KeyMetadata"]["KeyId"].as_str().unwrap().to_owned();
    server.aws_json(&["iam", "create-user", "--user-name", "ops"]);
    server.aws(&["iam", "attach-user-policy", "--user-name", "ops", "--policy-arn", "arn:aws:iam::aws:policy/AdministratorAccess"]);
    let access = server.aws_json(&["iam", "create-access-key", "--user-name", "ops"]);
    let admin_key = (
        access["AccessKey"]["AccessKeyId"].as_str().unwrap().to_owned(),
        access["AccessKey"]["SecretAccessKey"].as_str().unwrap().to_owned(),
    );
    Fixture { server, key, admin_key }
}

impl Fixture {
    fn role_session(&self, role: &str) -> Value {
        self.server.aws_json(&["iam", "create-role", "--role-name", role, "--assume-role-policy-document", TRUST]);
        let arn = format!("arn:aws:iam::000000000000:role/{role}");
        let out = self.server.aws_as(&self.admin_key.0, &self.admin_key.1, &["sts", "assume-role", "--role-arn", &arn, "--role-session-name", "s1"]);
        let assumed: Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
        assert!(assumed["Credentials"].is_object(), "{}", error_text(&out));
        assumed["Credentials"].clone()
    }


    /// Puts a key policy; the root user may lose access to the key, so the lock-out check is
    /// bypassed as AWS lets it be.
    fn put_policy(&self, policy: &str) {
        let out = self.server.aws(&[
            "kms",
            "put-key-policy",
            "--key-id",
            &self.key,
            "--policy-name",
            "default",
            "--bypass-policy-lockout-safety-check",
            "--policy",
            policy,
        ]);
        assert!(out.status.success(), "{}", error_text(&out));
    }
}

#[test]
fn the_courses_key_policy_separates_key_administrators_from_key_users() {
    let f = fixture();
    let admin = f.role_session("KeyAdmin");
    let app = f.role_session("AppRole");
    f.put_policy(r#"{"Version":"2012-10-17","Statement":[
 {"Sid":"Enable IAM policies","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":"kms:*","Resource":"*"},
 {"Sid":"Allow key administration","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:role/KeyAdmin"},"Action":["kms:Create*","kms:Delete*","kms:Disable*","kms:ScheduleKeyDeletion"],"Resource":"*"},
 {"Sid":"Allow key usage","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:role/AppRole"},"Action":["kms:Decrypt","kms:GenerateDataKey"],"Resource":"*"}]}"#);
    let data_key = f.server.aws_session(&app, &["kms", "generate-data-key", "--key-id", &f.key, "--key-spec", "AES_256"]);
    assert!(data_key.status.success(), "AppRole generates data keys: {}", error_text(&data_key));
    let blob: Value = serde_json::from_slice(&data_key.stdout).unwrap();
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD.decode(blob["CiphertextBlob"].as_str().unwrap()).unwrap();
    let path = f.server.data_dir.join("data-key.enc");
    std::fs::write(&path, bytes).unwrap();
    let ciphertext = format!("fileb://{}", path.display());
    let ciphertext = ciphertext.as_str();
    let decrypted = f.server.aws_session(&app, &["kms", "decrypt", "--ciphertext-blob", ciphertext]);
    assert!(decrypted.status.success(), "AppRole decrypts: {}", error_text(&decrypted));
    let deletion = f.server.aws_session(&app, &["kms", "schedule-key-deletion", "--key-id", &f.key]);
    assert!(error_text(&deletion).contains("AccessDeniedException"), "AppRole may not schedule deletion: {}", error_text(&deletion));
    let admin_decrypt = f.server.aws_session(&admin, &["kms", "decrypt", "--ciphertext-blob", ciphertext]);
    assert!(error_text(&admin_decrypt).contains("AccessDeniedException"), "KeyAdmin may not decrypt: {}", error_text(&admin_decrypt));
}

#[test]
fn a_key_whose_policy_does_not_trust_the_account_ignores_iam_policies() {
    let f = fixture();
    f.role_session("Only");
    f.put_policy(r#"{"Version":"2012-10-17","Statement":[
 {"Sid":"Only this role","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:role/Only"},"Action":"kms:*","Resource":"*"}]}"#);
    let out = f.server.aws_as(&f.admin_key.0, &f.admin_key.1, &["kms", "encrypt", "--key-id", &f.key, "--plaintext", "aGk="]);
    assert!(error_text(&out).contains("AccessDeniedException"), "AdministratorAccess is not enough: {}", error_text(&out));
}

#[test]
fn an_administrator_uses_a_key_whose_policy_delegates_to_iam() {
    let f = fixture();
    let out = f.server.aws_as(&f.admin_key.0, &f.admin_key.1, &["kms", "encrypt", "--key-id", &f.key, "--plaintext", "aGk="]);
    assert!(out.status.success(), "{}", error_text(&out));
}

#[test]
fn a_grant_lets_its_grantee_use_the_key_within_its_constraints_until_it_is_retired() {
    let f = fixture();
    let session = f.role_session("App");
    let encrypt = |context: &str| {
        f.server.aws_session(&session, &["kms", "encrypt", "--key-id", &f.key, "--plaintext", "aGk=", "--encryption-context", context])
    };
    assert!(error_text(&encrypt("Dept=IT")).contains("AccessDeniedException"), "no policy names the role yet");

    let grant = f.server.aws_json(&[
        "kms", "create-grant", "--key-id", &f.key, "--grantee-principal", "arn:aws:iam::000000000000:role/App",
        "--operations", "Encrypt", "Decrypt", "DescribeKey", "RetireGrant", "--constraints", "EncryptionContextSubset={Dept=IT}", "--name", "app",
    ]);
    let grant_id = grant["GrantId"].as_str().unwrap().to_owned();
    assert_eq!(grant_id.len(), 64);
    let again = f.server.aws_json(&[
        "kms", "create-grant", "--key-id", &f.key, "--grantee-principal", "arn:aws:iam::000000000000:role/App",
        "--operations", "Encrypt", "Decrypt", "DescribeKey", "RetireGrant", "--constraints", "EncryptionContextSubset={Dept=IT}", "--name", "app",
    ]);
    assert_eq!(again["GrantId"], grant["GrantId"], "a repeated named grant is the same grant");

    let out = encrypt("Dept=IT");
    assert!(out.status.success(), "the grant allows Encrypt with its context: {}", error_text(&out));
    let ciphertext: Value = serde_json::from_slice(&out.stdout).unwrap();
    let scratch = support::TempDir::new("grant");
    let blob = scratch.0.join("ciphertext");
    std::fs::write(&blob, base64::engine::general_purpose::STANDARD.decode(ciphertext["CiphertextBlob"].as_str().unwrap()).unwrap()).unwrap();
    let blob_arg = format!("fileb://{}", blob.display());
    let decrypt = || f.server.aws_session(&session, &["kms", "decrypt", "--ciphertext-blob", &blob_arg, "--encryption-context", "Dept=IT"]);
    let out = decrypt();
    assert!(out.status.success(), "the grant allows Decrypt with its context: {}", error_text(&out));
    assert!(error_text(&encrypt("Dept=HR")).contains("AccessDeniedException"), "the constraint holds");
    let out = f.server.aws_session(&session, &["kms", "describe-key", "--key-id", &f.key]);
    assert!(out.status.success(), "constraints do not restrict DescribeKey: {}", error_text(&out));
    let out = f.server.aws_session(&session, &["kms", "decrypt", "--ciphertext-blob", "AAAA"]);
    assert!(!out.status.success());

    let listed = f.server.aws_json(&["kms", "list-grants", "--key-id", &f.key]);
    assert_eq!(listed["Grants"].as_array().unwrap().len(), 1);
    assert_eq!(listed["Grants"][0]["Constraints"]["EncryptionContextSubset"]["Dept"], "IT");
    assert_eq!(listed["Grants"][0]["IssuingAccount"], "arn:aws:iam::000000000000:root");

    let bad = f.server.aws(&["kms", "create-grant", "--key-id", &f.key, "--grantee-principal", "arn:aws:iam::000000000000:role/App", "--operations", "Sign"]);
    assert!(error_text(&bad).contains("ValidationException"), "{}", error_text(&bad));

    let out = f.server.aws_session(&session, &["kms", "retire-grant", "--key-id", &f.key, "--grant-id", &grant_id]);
    assert!(out.status.success(), "the grantee retires a grant that allows RetireGrant: {}", error_text(&out));
    assert!(error_text(&encrypt("Dept=IT")).contains("AccessDeniedException"), "a retired grant allows nothing");
    assert!(error_text(&decrypt()).contains("AccessDeniedException"), "a retired grant no longer lets the grantee decrypt");
    assert_eq!(f.server.aws_json(&["kms", "list-grants", "--key-id", &f.key])["Grants"].as_array().unwrap().len(), 0);
}

