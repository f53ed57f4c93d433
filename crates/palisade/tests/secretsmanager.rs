//! Secrets Manager end to end with the aws CLI: versions and staging labels, idempotent tokens,
//! lists and filters, scheduled deletion by the server clock, KMS and resource policies judging
//! callers, replicas in another Region, rotation by a Python function, and secret values kept
//! out of CloudTrail, the server log and the data directory.

mod support;

use std::{
    path::Path,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use serde_json::{json, Value};
use support::{error_text, free_port, http, Server, TempDir};

const DAY_SECONDS: u64 = 86_400;

fn stages(server: &Server, secret: &str) -> Value {
    server.aws_json(&["secretsmanager", "describe-secret", "--secret-id", secret])["VersionIdsToStages"].clone()
}

fn secret_string(server: &Server, args: &[&str]) -> String {
    let mut all = vec!["secretsmanager", "get-secret-value"];
    all.extend_from_slice(args);
    server.aws_json(&all)["SecretString"].as_str().unwrap_or_default().to_owned()
}

/// Polls `check` for up to `seconds`.
fn eventually(seconds: u64, mut check: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    while Instant::now() < deadline {
        if check() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    false
}

#[test]
fn versions_move_between_staging_labels_as_in_aws() {
    let server = Server::start(&["--ephemeral"]);
    let token1 = "11111111-1111-1111-1111-111111111111";
    let created = server.aws_json(&[
        "secretsmanager", "create-secret", "--name", "prod/app/db", "--description", "App database",
        "--secret-string", "first", "--client-request-token", token1, "--tags", "Key=team,Value=payments",
    ]);
    assert_eq!(created["VersionId"], token1);
    let arn = created["ARN"].as_str().unwrap().to_owned();
    assert!(arn.starts_with("arn:aws:secretsmanager:us-east-1:000000000000:secret:prod/app/db-"), "{arn}");
    assert_eq!(arn.len(), "arn:aws:secretsmanager:us-east-1:000000000000:secret:prod/app/db-".len() + 6);

    // A retried create with the same token and value succeeds; another value is refused.
    let again = server.aws_json(&[
        "secretsmanager", "create-secret", "--name", "prod/app/db", "--secret-string", "first", "--client-request-token", token1,
    ]);
    assert_eq!(again["ARN"], arn.as_str());
    let clash = server.aws(&["secretsmanager", "create-secret", "--name", "prod/app/db", "--secret-string", "other"]);
    assert!(error_text(&clash).contains("ResourceExistsException"), "{}", error_text(&clash));

    // PutSecretValue moves AWSCURRENT and makes the old current AWSPREVIOUS.
    let token2 = "22222222-2222-2222-2222-222222222222";
    server.aws_json(&["secretsmanager", "put-secret-value", "--secret-id", "prod/app/db", "--secret-string", "second", "--client-request-token", token2]);
    assert_eq!(stages(&server, "prod/app/db"), json!({ token1: ["AWSPREVIOUS"], token2: ["AWSCURRENT"] }));
    let same = server.aws(&["secretsmanager", "put-secret-value", "--secret-id", &arn, "--secret-string", "second", "--client-request-token", token2]);
    assert!(same.status.success(), "the same token and value again is a no-op: {}", error_text(&same));
    let modified = server.aws(&["secretsmanager", "put-secret-value", "--secret-id", &arn, "--secret-string", "changed", "--client-request-token", token2]);
    assert!(error_text(&modified).contains("ResourceExistsException"), "{}", error_text(&modified));

    // A value staged with a custom label leaves AWSCURRENT where it is.
    let token3 = "33333333-3333-3333-3333-333333333333";
    server.aws_json(&[
        "secretsmanager", "put-secret-value", "--secret-id", "prod/app/db", "--secret-string", "third",
        "--client-request-token", token3, "--version-stages", "blue",
    ]);
    assert_eq!(secret_string(&server, &["--secret-id", "prod/app/db"]), "second");
    assert_eq!(secret_string(&server, &["--secret-id", "prod/app/db", "--version-stage", "blue"]), "third");
    assert_eq!(secret_string(&server, &["--secret-id", "prod/app/db", "--version-stage", "AWSPREVIOUS"]), "first");
    assert_eq!(secret_string(&server, &["--secret-id", &arn, "--version-id", token1]), "first");
    let mismatch = server.aws(&["secretsmanager", "get-secret-value", "--secret-id", &arn, "--version-id", token1, "--version-stage", "AWSCURRENT"]);
    assert!(error_text(&mismatch).contains("ResourceNotFoundException"), "{}", error_text(&mismatch));

    // UpdateSecretVersionStage needs the version the label is on before it moves it.
    let refused = server.aws(&["secretsmanager", "update-secret-version-stage", "--secret-id", &arn, "--version-stage", "AWSCURRENT", "--move-to-version-id", token3]);
    assert!(error_text(&refused).contains("InvalidParameterException"), "{}", error_text(&refused));
    server.aws_json(&[
        "secretsmanager", "update-secret-version-stage", "--secret-id", &arn, "--version-stage", "AWSCURRENT",
        "--move-to-version-id", token3, "--remove-from-version-id", token2,
    ]);
    assert_eq!(stages(&server, &arn), json!({ token2: ["AWSPREVIOUS"], token3: ["blue", "AWSCURRENT"] }));

    // token1 lost its last label: deprecated, listed only on request.
    let listed = server.aws_json(&["secretsmanager", "list-secret-version-ids", "--secret-id", &arn]);
    assert_eq!(listed["Versions"].as_array().unwrap().len(), 2);
    let all = server.aws_json(&["secretsmanager", "list-secret-version-ids", "--secret-id", &arn, "--include-deprecated"]);
    assert_eq!(all["Versions"].as_array().unwrap().len(), 3);
    assert_eq!(all["Versions"][0]["KmsKeyIds"], json!(["DefaultEncryptionKey"]));

    let described = server.aws_json(&["secretsmanager", "describe-secret", "--secret-id", &arn]);
    assert_eq!(described["Description"], "App database");
    assert_eq!(described["Tags"], json!([{ "Key": "team", "Value": "payments" }]));
    assert!(described["LastAccessedDate"].is_number() && described["CreatedDate"].is_number());
    assert_eq!(described["PrimaryRegion"], "us-east-1");

    // Missing secrets, filters, sort order, batch reads, tags.
    let missing = server.aws(&["secretsmanager", "get-secret-value", "--secret-id", "no/such"]);
    assert!(error_text(&missing).contains("ResourceNotFoundException"), "{}", error_text(&missing));
    server.aws_json(&["secretsmanager", "create-secret", "--name", "dev/app/key", "--secret-string", "dev"]);
    server.aws_json(&["secretsmanager", "create-secret", "--name", "empty"]);
    let names = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["secretsmanager", "list-secrets"];
        all.extend_from_slice(args);
        server.aws_json(&all)["SecretList"].as_array().unwrap().iter().map(|s| s["Name"].as_str().unwrap().to_owned()).collect()
    };
    assert_eq!(names(&["--filters", "Key=name,Values=prod/"]), ["prod/app/db"]);
    assert_eq!(names(&["--filters", "Key=name,Values=!prod/"]), ["dev/app/key", "empty"]);
    assert_eq!(names(&["--filters", "Key=tag-value,Values=pay"]), ["prod/app/db"]);
    assert_eq!(names(&["--filters", "Key=all,Values=DATABASE"]), ["prod/app/db"]);
    assert_eq!(names(&["--sort-by", "name", "--sort-order", "desc"]), ["prod/app/db", "empty", "dev/app/key"]);
    let batch = server.aws_json(&["secretsmanager", "batch-get-secret-value", "--secret-id-list", "prod/app/db", "dev/app/key", "empty", "nope"]);
    let values: Vec<&str> = batch["SecretValues"].as_array().unwrap().iter().map(|v| v["SecretString"].as_str().unwrap()).collect();
    assert_eq!(values, ["third", "dev"]);
    assert_eq!(batch["Errors"].as_array().unwrap().len(), 2);
    server.aws_json(&["secretsmanager", "tag-resource", "--secret-id", "dev/app/key", "--tags", "Key=env,Value=dev"]);
    server.aws_json(&["secretsmanager", "untag-resource", "--secret-id", "prod/app/db", "--tag-keys", "team"]);
    assert_eq!(names(&["--filters", "Key=tag-key,Values=env"]), ["dev/app/key"]);
    assert!(server.aws_json(&["secretsmanager", "describe-secret", "--secret-id", "prod/app/db"]).get("Tags").is_none());

    let password = server.aws_json(&["secretsmanager", "get-random-password", "--password-length", "40", "--exclude-punctuation"]);
    let password = password["RandomPassword"].as_str().unwrap();
    assert_eq!(password.len(), 40);
    assert!(password.chars().all(|c| c.is_ascii_alphanumeric()), "{password}");
}

#[test]
fn a_deleted_secret_is_removed_when_its_recovery_window_ends() {
    let server = Server::start(&["--ephemeral", "--test-clock"]);
    server.aws_json(&["secretsmanager", "create-secret", "--name", "old", "--secret-string", "v"]);
    let short = server.aws(&["secretsmanager", "delete-secret", "--secret-id", "old", "--recovery-window-in-days", "6"]);
    assert!(error_text(&short).contains("InvalidParameterException"), "{}", error_text(&short));
    let both = server.aws(&["secretsmanager", "delete-secret", "--secret-id", "old", "--recovery-window-in-days", "7", "--force-delete-without-recovery"]);
    assert!(error_text(&both).contains("InvalidParameterException"), "{}", error_text(&both));

    let deleted = server.aws_json(&["secretsmanager", "delete-secret", "--secret-id", "old", "--recovery-window-in-days", "7"]);
    assert!(deleted["DeletionDate"].is_number());
    let read = server.aws(&["secretsmanager", "get-secret-value", "--secret-id", "old"]);
    assert!(error_text(&read).contains("InvalidRequestException"), "{}", error_text(&read));
    let recreate = server.aws(&["secretsmanager", "create-secret", "--name", "old", "--secret-string", "x"]);
    assert!(error_text(&recreate).contains("scheduled for deletion"), "{}", error_text(&recreate));
    assert!(server.aws_json(&["secretsmanager", "describe-secret", "--secret-id", "old"])["DeletedDate"].is_number());
    let hidden = server.aws_json(&["secretsmanager", "list-secrets"]);
    assert_eq!(hidden["SecretList"].as_array().unwrap().len(), 0);
    let planned = server.aws_json(&["secretsmanager", "list-secrets", "--include-planned-deletion"]);
    assert_eq!(planned["SecretList"].as_array().unwrap().len(), 1);

    server.aws_json(&["secretsmanager", "restore-secret", "--secret-id", "old"]);
    assert_eq!(secret_string(&server, &["--secret-id", "old"]), "v");

    server.aws_json(&["secretsmanager", "delete-secret", "--secret-id", "old", "--recovery-window-in-days", "7"]);
    let advance = format!(r#"{{"advance_seconds": {}}}"#, 7 * DAY_SECONDS + 60);
    assert_eq!(http(server.port, "POST", "/_palisade/clock", &[], advance.as_bytes()).unwrap().status, 200);
    let gone = eventually(10, || error_text(&server.aws(&["secretsmanager", "describe-secret", "--secret-id", "old"])).contains("ResourceNotFoundException"));
    assert!(gone, "the secret is gone once its window has passed");
    let restore = server.aws(&["secretsmanager", "restore-secret", "--secret-id", "old"]);
    assert!(error_text(&restore).contains("ResourceNotFoundException"), "{}", error_text(&restore));
    // The name is free again, for a secret with another ARN.
    server.aws_json(&["secretsmanager", "create-secret", "--name", "old", "--secret-string", "new"]);
    server.aws_json(&["secretsmanager", "delete-secret", "--secret-id", "old", "--force-delete-without-recovery"]);
    let forced = server.aws(&["secretsmanager", "get-secret-value", "--secret-id", "old"]);
    assert!(error_text(&forced).contains("ResourceNotFoundException"), "{}", error_text(&forced));
}

/// An IAM user with the given inline policy, and the CLI arguments of its access key.
fn iam_user(server: &Server, name: &str, policy: &Value) -> (String, String) {
    server.aws_json(&["iam", "create-user", "--user-name", name]);
    let document = policy.to_string();
    server.aws_json(&["iam", "put-user-policy", "--user-name", name, "--policy-name", "inline", "--policy-document", &document]);
    let key = server.aws_json(&["iam", "create-access-key", "--user-name", name])["AccessKey"].clone();
    (key["AccessKeyId"].as_str().unwrap().to_owned(), key["SecretAccessKey"].as_str().unwrap().to_owned())
}

#[test]
fn kms_and_resource_policies_judge_who_reads_a_secret() {
    let server = Server::start(&["--ephemeral"]);
    let only_secrets = json!({ "Version": "2012-10-17", "Statement": [{ "Effect": "Allow", "Action": "secretsmanager:*", "Resource": "*" }] });
    let (key_id, secret_key) = iam_user(&server, "app", &only_secrets);
    // IAM keys are usable once created; the CLI signs with them straight away.
    let as_app = |args: &[&str]| server.aws_as(&key_id, &secret_key, args);

    // With the AWS managed key, secretsmanager:* is enough: its key policy lets the account use
    // it through Secrets Manager.
    let own = as_app(&["secretsmanager", "create-secret", "--name", "app/own", "--secret-string", "mine"]);
    assert!(own.status.success(), "{}", error_text(&own));
    assert!(as_app(&["secretsmanager", "get-secret-value", "--secret-id", "app/own"]).status.success());
    let aliases = server.aws_json(&["kms", "list-aliases"]);
    assert!(aliases.to_string().contains("alias/aws/secretsmanager"), "{aliases}");

    // A customer key with the default key policy leaves kms:Decrypt to IAM, which does not grant it.
    let key = server.aws_json(&["kms", "create-key"])["KeyMetadata"]["Arn"].as_str().unwrap().to_owned();
    server.aws_json(&["secretsmanager", "create-secret", "--name", "app/cmk", "--secret-string", "guarded", "--kms-key-id", &key]);
    assert_eq!(secret_string(&server, &["--secret-id", "app/cmk"]), "guarded");
    let denied = as_app(&["secretsmanager", "get-secret-value", "--secret-id", "app/cmk"]);
    let message = error_text(&denied);
    assert!(message.contains("AccessDeniedException") && message.contains("KMS") && message.contains(&key), "{message}");
    assert!(as_app(&["secretsmanager", "describe-secret", "--secret-id", "app/cmk"]).status.success());
    // The KMS call was Secrets Manager's on the user's behalf, and CloudTrail says so.
    let trail = server.aws_json(&["cloudtrail", "lookup-events", "--lookup-attributes", "AttributeKey=EventName,AttributeValue=Decrypt"]);
    assert!(trail.to_string().contains("secretsmanager.amazonaws.com"), "{trail}");

    // A resource policy that denies the user wins over its identity policy.
    let deny = json!({ "Version": "2012-10-17", "Statement": [{
        "Effect": "Deny", "Principal": { "AWS": "arn:aws:iam::000000000000:user/app" },
        "Action": "secretsmanager:GetSecretValue", "Resource": "*" }] });
    server.aws_json(&["secretsmanager", "put-resource-policy", "--secret-id", "app/own", "--resource-policy", &deny.to_string()]);
    let blocked = as_app(&["secretsmanager", "get-secret-value", "--secret-id", "app/own"]);
    assert!(error_text(&blocked).contains("AccessDeniedException"), "{}", error_text(&blocked));
    let policy = server.aws_json(&["secretsmanager", "get-resource-policy", "--secret-id", "app/own"]);
    assert_eq!(serde_json::from_str::<Value>(policy["ResourcePolicy"].as_str().unwrap()).unwrap(), deny);
    server.aws_json(&["secretsmanager", "delete-resource-policy", "--secret-id", "app/own"]);
    assert!(as_app(&["secretsmanager", "get-secret-value", "--secret-id", "app/own"]).status.success());

    // BlockPublicPolicy refuses a policy for everyone; ValidateResourcePolicy reports it.
    let public = json!({ "Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": "*", "Action": "secretsmanager:GetSecretValue", "Resource": "*" }] }).to_string();
    let refused = server.aws(&["secretsmanager", "put-resource-policy", "--secret-id", "app/own", "--resource-policy", &public, "--block-public-policy"]);
    assert!(error_text(&refused).contains("PublicPolicyException"), "{}", error_text(&refused));
    let validated = server.aws_json(&["secretsmanager", "validate-resource-policy", "--resource-policy", &public]);
    assert_eq!(validated["PolicyValidationPassed"], false);
    let malformed = server.aws(&["secretsmanager", "put-resource-policy", "--secret-id", "app/own", "--resource-policy", "{\"Statement\": 3}"]);
    assert!(error_text(&malformed).contains("MalformedPolicyDocumentException"), "{}", error_text(&malformed));

    // Condition keys from the request: this user may create only secrets tagged for its team.
    let tagged_only = json!({ "Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "secretsmanager:CreateSecret", "Resource": "arn:aws:secretsmanager:*:*:secret:t/1-??????",
        "Condition": { "StringEquals": { "aws:RequestTag/team": "payments" } } }] });
    let (team_key, team_secret) = iam_user(&server, "team", &tagged_only);
    let untagged = server.aws_as(&team_key, &team_secret, &["secretsmanager", "create-secret", "--name", "t/1"]);
    assert!(error_text(&untagged).contains("AccessDeniedException"), "{}", error_text(&untagged));
    let tagged = server.aws_as(&team_key, &team_secret, &["secretsmanager", "create-secret", "--name", "t/1", "--tags", "Key=team,Value=payments"]);
    assert!(tagged.status.success(), "{}", error_text(&tagged));
    // ...and read only the secrets its team's tag is on.
    let by_tag = json!({ "Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": "*",
        "Condition": { "StringEquals": { "secretsmanager:ResourceTag/team": "payments" } } }] });
    server.aws_json(&["iam", "put-user-policy", "--user-name", "team", "--policy-name", "read", "--policy-document", &by_tag.to_string()]);
    server.aws_json(&["secretsmanager", "put-secret-value", "--secret-id", "t/1", "--secret-string", "ours"]);
    let ours = server.aws_as(&team_key, &team_secret, &["secretsmanager", "get-secret-value", "--secret-id", "t/1"]);
    assert!(ours.status.success(), "{}", error_text(&ours));
    let theirs = server.aws_as(&team_key, &team_secret, &["secretsmanager", "get-secret-value", "--secret-id", "app/own"]);
    assert!(error_text(&theirs).contains("AccessDeniedException"), "{}", error_text(&theirs));
}

#[test]
fn a_replica_follows_its_primary_and_can_be_promoted() {
    let server = Server::start(&["--ephemeral"]);
    server.aws_json(&["secretsmanager", "create-secret", "--name", "shared", "--secret-string", "one"]);
    let replicated = server.aws_json(&["secretsmanager", "replicate-secret-to-regions", "--secret-id", "shared", "--add-replica-regions", "Region=eu-west-1"]);
    assert_eq!(replicated["ReplicationStatus"][0]["Status"], "InProgress");
    let in_sync = eventually(10, || {
        server.aws_json(&["secretsmanager", "describe-secret", "--secret-id", "shared"])["ReplicationStatus"][0]["Status"] == "InSync"
    });
    assert!(in_sync, "the replica becomes InSync");
    let in_replica = |args: &[&str]| {
        let mut all = args.to_vec();
        all.extend_from_slice(&["--region", "eu-west-1"]);
        server.aws(&all)
    };
    let read = in_replica(&["secretsmanager", "get-secret-value", "--secret-id", "shared"]);
    assert!(String::from_utf8_lossy(&read.stdout).contains("\"one\""), "{}", error_text(&read));
    let replica_arn = serde_json::from_slice::<Value>(&read.stdout).unwrap()["ARN"].as_str().unwrap().to_owned();
    assert!(replica_arn.contains(":eu-west-1:"), "{replica_arn}");

    // New values reach the replica; it refuses changes of its own.
    server.aws_json(&["secretsmanager", "put-secret-value", "--secret-id", "shared", "--secret-string", "two"]);
    let read = in_replica(&["secretsmanager", "get-secret-value", "--secret-id", "shared"]);
    assert!(String::from_utf8_lossy(&read.stdout).contains("\"two\""));
    let write = in_replica(&["secretsmanager", "put-secret-value", "--secret-id", "shared", "--secret-string", "x"]);
    assert!(error_text(&write).contains("InvalidRequestException"), "{}", error_text(&write));
    let delete = server.aws(&["secretsmanager", "delete-secret", "--secret-id", "shared"]);
    assert!(error_text(&delete).contains("InvalidRequestException"), "{}", error_text(&delete));

    // Promotion makes the replica a standalone secret the primary forgets.
    in_replica(&["secretsmanager", "stop-replication-to-replica", "--secret-id", "shared"]);
    let primary = server.aws_json(&["secretsmanager", "describe-secret", "--secret-id", "shared"]);
    assert!(primary.get("ReplicationStatus").is_none(), "{primary}");
    let promoted = in_replica(&["secretsmanager", "put-secret-value", "--secret-id", "shared", "--secret-string", "own"]);
    assert!(promoted.status.success(), "{}", error_text(&promoted));

    // RemoveRegionsFromReplication deletes the replica.
    server.aws_json(&["secretsmanager", "replicate-secret-to-regions", "--secret-id", "shared", "--add-replica-regions", "Region=us-west-2"]);
    server.aws_json(&["secretsmanager", "remove-regions-from-replication", "--secret-id", "shared", "--remove-replica-regions", "us-west-2"]);
    let removed = server.aws(&["secretsmanager", "describe-secret", "--secret-id", "shared", "--region", "us-west-2"]);
    assert!(error_text(&removed).contains("ResourceNotFoundException"), "{}", error_text(&removed));
}

/// A server on `data_dir` whose log (at debug level) goes to `log`.
fn start_logged(data_dir: &Path, log: &Path) -> (Child, u16) {
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_palisade"))
        .args(["serve", "--port", &port.to_string(), "--log-level", "debug", "--data-dir"])
        .arg(data_dir)
        .env_remove("PALISADE_ROOT_KEY")
        .stdout(Stdio::from(std::fs::File::create(log).unwrap()))
        .stderr(Stdio::from(std::fs::File::options().append(true).open(log).unwrap()))
        .spawn()
        .unwrap();
    let ready = eventually(20, || http(port, "GET", "/_palisade/health", &[], b"").is_ok_and(|r| r.status == 200));
    assert!(ready, "palisade starts");
    (child, port)
}

fn files_containing(dir: &Path, marker: &[u8]) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(files_containing(&path, marker));
        } else if std::fs::read(&path).unwrap_or_default().windows(marker.len()).any(|w| w == marker) {
            found.push(path.display().to_string());
        }
    }
    found
}

#[test]
fn secret_values_appear_nowhere_in_plaintext() {
    let data = TempDir::new("sm-data");
    let logs = TempDir::new("sm-log");
    let log = logs.0.join("server.log");
    let (mut child, port) = start_logged(&data.0, &log);
    let endpoint = format!("http://127.0.0.1:{port}");
    let aws = |args: &[&str]| support::aws_command(&endpoint, "test", "test").args(args).output().unwrap();
    let marker = format!("MARKER-{}", std::process::id());
    let value = format!("{{\"password\":\"{marker}\"}}");
    assert!(aws(&["secretsmanager", "create-secret", "--name", "hidden", "--secret-string", &value]).status.success());
    assert!(aws(&["secretsmanager", "put-secret-value", "--secret-id", "hidden", "--secret-string", &format!("{marker}-2")]).status.success());
    let read = aws(&["secretsmanager", "get-secret-value", "--secret-id", "hidden", "--version-stage", "AWSPREVIOUS"]);
    assert!(String::from_utf8_lossy(&read.stdout).contains(&marker));
    let trail = eventually(10, || {
        let events = aws(&["cloudtrail", "lookup-events", "--lookup-attributes", "AttributeKey=EventName,AttributeValue=GetSecretValue"]);
        String::from_utf8_lossy(&events.stdout).contains("hidden")
    });
    assert!(trail, "GetSecretValue is audited");
    let events = aws(&["cloudtrail", "lookup-events", "--max-results", "50"]);
    assert!(!String::from_utf8_lossy(&events.stdout).contains(&marker), "a secret value is in CloudTrail");

    // Stop the server (the audit trail is flushed), then search everything it wrote.
    let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
    let _ = child.wait();
    let leaks = files_containing(&data.0, marker.as_bytes());
    assert!(leaks.is_empty(), "the secret value is in plaintext in {leaks:?}");
    let log_text = std::fs::read_to_string(&log).unwrap();
    assert!(!log_text.is_empty() && !log_text.contains(&marker), "the secret value is in the server log");
}


/// The rotation function fixture as a Lambda zip package.
fn rotation_package(dir: &TempDir) -> String {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/rotation_template.py");
    let zip = dir.0.join("rotation.zip");
    let script = "import sys, zipfile\nwith zipfile.ZipFile(sys.argv[1], 'w') as z:\n    z.write(sys.argv[2], 'rotation_template.py')";
    let made = Command::new("python3").args(["-c", script]).arg(&zip).arg(&source).status().unwrap();
    assert!(made.success());
    format!("fileb://{}", zip.display())
}

/// A function running the fixture, invocable by Secrets Manager; returns its ARN.
fn rotation_function(server: &Server, name: &str, role: &str, package: &str, environment: &str) -> String {
    let function = server.aws_json(&[
        "lambda", "create-function", "--function-name", name, "--runtime", "python3.12", "--handler",
        "rotation_template.lambda_handler", "--role", role, "--zip-file", package, "--timeout", "60", "--environment", environment,
    ]);
    server.aws_json(&[
        "lambda", "add-permission", "--function-name", name, "--statement-id", "secretsmanager", "--action",
        "lambda:InvokeFunction", "--principal", "secretsmanager.amazonaws.com",
    ]);
    function["FunctionArn"].as_str().unwrap().to_owned()
}

fn current_and_previous(server: &Server, secret: &str) -> (String, String) {
    (
        secret_string(server, &["--secret-id", secret]),
        secret_string(server, &["--secret-id", secret, "--version-stage", "AWSPREVIOUS"]),
    )
}

#[test]
fn a_rotation_function_like_aws_template_rotates_the_secret() {
    let python = support::function_python();
    let server = Server::start(&["--ephemeral", "--test-clock", "--lambda-python", &python]);
    let trust = json!({ "Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": { "Service": "lambda.amazonaws.com" }, "Action": "sts:AssumeRole" }] });
    let role = server.aws_json(&["iam", "create-role", "--role-name", "rotation", "--assume-role-policy-document", &trust.to_string()]);
    let role = role["Role"]["Arn"].as_str().unwrap().to_owned();
    let access = json!({ "Version": "2012-10-17", "Statement": [{ "Effect": "Allow", "Action": "secretsmanager:*", "Resource": "*" }] });
    server.aws_json(&["iam", "put-role-policy", "--role-name", "rotation", "--policy-name", "secrets", "--policy-document", &access.to_string()]);
    let dir = TempDir::new("sm-rotation");
    let package = rotation_package(&dir);
    let rotator = rotation_function(&server, "rotator", &role, &package, "Variables={}");

    server.aws_json(&["secretsmanager", "create-secret", "--name", "db", "--secret-string", "original"]);
    let rotated = server.aws_json(&[
        "secretsmanager", "rotate-secret", "--secret-id", "db", "--rotation-lambda-arn", &rotator,
        "--rotation-rules", "AutomaticallyAfterDays=30",
    ]);
    let token = rotated["VersionId"].as_str().unwrap().to_owned();
    let done = eventually(60, || server.aws_json(&["secretsmanager", "describe-secret", "--secret-id", "db"]).get("LastRotatedDate").is_some());
    assert!(done, "the rotation finishes");
    let (current, previous) = current_and_previous(&server, "db");
    assert_eq!(previous, "original");
    assert_eq!(current.len(), 32, "a password from GetRandomPassword: {current}");
    let described = server.aws_json(&["secretsmanager", "describe-secret", "--secret-id", "db"]);
    assert_eq!(described["RotationEnabled"], true);
    assert_eq!(described["RotationRules"]["AutomaticallyAfterDays"], 30);
    assert!(described["NextRotationDate"].is_number());
    assert_eq!(described["VersionIdsToStages"][&token], json!(["AWSCURRENT"]));

    // The schedule runs from the job queue by the server clock.
    let advance = format!(r#"{{"advance_seconds": {}}}"#, 31 * DAY_SECONDS);
    assert_eq!(http(server.port, "POST", "/_palisade/clock", &[], advance.as_bytes()).unwrap().status, 200);
    let scheduled = eventually(60, || current_and_previous(&server, "db").1 == current);
    assert!(scheduled, "the scheduled rotation makes the last value AWSPREVIOUS");

    // A function that raises in testSecret leaves AWSCURRENT as it was.
    let broken = rotation_function(&server, "broken", &role, &package, "Variables={FAIL_STEP=testSecret}");
    server.aws_json(&["secretsmanager", "create-secret", "--name", "stuck", "--secret-string", "keep"]);
    server.aws_json(&["secretsmanager", "rotate-secret", "--secret-id", "stuck", "--rotation-lambda-arn", &broken]);
    // A new rotation is refused while the first runs, and accepted once it has failed.
    let failed = eventually(60, || {
        server.aws(&["secretsmanager", "rotate-secret", "--secret-id", "stuck", "--no-rotate-immediately", "--rotation-rules", "AutomaticallyAfterDays=7"]).status.success()
    });
    assert!(failed, "the failed rotation ends");
    assert_eq!(secret_string(&server, &["--secret-id", "stuck"]), "keep");
    let described = server.aws_json(&["secretsmanager", "describe-secret", "--secret-id", "stuck"]);
    assert!(described.get("LastRotatedDate").is_none(), "{described}");
    let pending = described["VersionIdsToStages"].as_object().unwrap().values().filter(|s| s.to_string().contains("AWSPENDING")).count();
    assert_eq!(pending, 1, "the failed version keeps AWSPENDING, as in AWS: {described}");
    let recorded = eventually(10, || {
        let events = server.aws_json(&["cloudtrail", "lookup-events", "--lookup-attributes", "AttributeKey=EventName,AttributeValue=RotationFailed"]);
        events.to_string().contains("testSecret")
    });
    assert!(recorded, "the failure is an AwsServiceEvent in CloudTrail");

    // Without a permission for Secrets Manager, the function is not invoked at all.
    let package_name = "unpermitted";
    server.aws_json(&[
        "lambda", "create-function", "--function-name", package_name, "--runtime", "python3.12", "--handler",
        "rotation_template.lambda_handler", "--role", &role, "--zip-file", &package,
    ]);
    server.aws_json(&["secretsmanager", "create-secret", "--name", "closed", "--secret-string", "same"]);
    let unpermitted = format!("{}:function:{package_name}", rotator.rsplit_once(":function:").unwrap().0);
    server.aws_json(&["secretsmanager", "rotate-secret", "--secret-id", "closed", "--rotation-lambda-arn", &unpermitted]);
    let ended = eventually(30, || {
        server.aws(&["secretsmanager", "rotate-secret", "--secret-id", "closed", "--no-rotate-immediately", "--rotation-rules", "AutomaticallyAfterDays=7"]).status.success()
    });
    assert!(ended);
    assert_eq!(secret_string(&server, &["--secret-id", "closed"]), "same");
    let invokes = server.aws_json(&["cloudtrail", "lookup-events", "--lookup-attributes", "AttributeKey=EventName,AttributeValue=Invoke"]);
    assert!(invokes.to_string().contains("AccessDenied"), "the denied Invoke is audited: {invokes}");
}
