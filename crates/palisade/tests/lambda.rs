//! Lambda end to end with the aws CLI: functions from zip packages run as local processes with
//! their execution role's credentials, their errors and timeouts as AWS reports them, their
//! output in CloudWatch Logs, resource policies, a custom runtime, and the built-in PostgreSQL
//! and MySQL rotation driven by Secrets Manager against the real databases.

mod support;

use std::{
    path::PathBuf,
    process::Command,
    time::{Duration, Instant},
};

use base64::Engine;
use serde_json::{json, Value};
use support::{error_text, Server, TempDir};

const LAMBDA_TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
const EC2_TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;


fn start(extra: &[&str]) -> Server {
    let python = support::function_python();
    let mut args = vec!["--lambda-python", python.as_str()];
    args.extend_from_slice(extra);
    Server::start(&args)
}

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/python/lambda").join(name)
}

/// A zip of `files` (name in the archive, source file, octal mode), as `fileb://` for the CLI.
fn zip(dir: &TempDir, label: &str, files: &[(&str, PathBuf, &str)]) -> String {
    let out = dir.0.join(format!("{label}.zip"));
    let specs: Vec<String> = files.iter().map(|(name, source, mode)| format!("{name}={}:{mode}", source.display())).collect();
    let status = Command::new("python3")
        .arg(fixture("make_zip.py"))
        .arg(&out)
        .args(&specs)
        .status()
        .expect("python3 runs");
    assert!(status.success());
    format!("fileb://{}", out.display())
}

fn create_role(server: &Server, name: &str, trust: &str) -> String {
    let role = server.aws_json(&["iam", "create-role", "--role-name", name, "--assume-role-policy-document", trust]);
    role["Role"]["Arn"].as_str().unwrap().to_owned()
}

/// Invokes `function`; returns the CLI's output (StatusCode, FunctionError, LogResult) and the
/// payload the function answered with.
fn invoke(server: &Server, dir: &TempDir, function: &str, payload: &Value, extra: &[&str]) -> (Value, Value) {
    let request = dir.0.join("request.json");
    std::fs::write(&request, payload.to_string()).unwrap();
    let response = dir.0.join("response.json");
    let payload_arg = format!("fileb://{}", request.display());
    let response_arg = response.display().to_string();
    let mut args = vec!["lambda", "invoke", "--function-name", function, "--payload", &payload_arg];
    args.extend_from_slice(extra);
    args.push(&response_arg);
    let meta = server.aws_json(&args);
    let body = std::fs::read(&response).unwrap_or_default();
    (meta, serde_json::from_slice(&body).unwrap_or(Value::Null))
}

fn running_as_root() -> bool {
    let out = Command::new("id").arg("-u").output().unwrap();
    String::from_utf8_lossy(&out.stdout).trim() == "0"
}

/// The messages of a log group's events matching `pattern`, polled until one shows up.
fn wait_for_log(server: &Server, group: &str, pattern: &str) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let out = server.aws(&["logs", "filter-log-events", "--log-group-name", group, "--filter-pattern", pattern]);
        if out.status.success() {
            let found: Value = serde_json::from_slice(&out.stdout).unwrap();
            let messages: Vec<String> = found["events"].as_array().unwrap().iter().map(|e| e["message"].as_str().unwrap().to_owned()).collect();
            if !messages.is_empty() {
                return messages;
            }
        }
        assert!(Instant::now() < deadline, "no event matching {pattern} in {group}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn python_functions_run_with_their_role_and_report_like_aws() {
    let server = start(&[]);
    let dir = TempDir::new("lambda");
    let package = zip(&dir, "handlers", &[("handlers.py", fixture("handlers.py"), "644")]);

    let wrong_role = create_role(&server, "ec2-role", EC2_TRUST);
    let refused = server.aws(&[
        "lambda", "create-function", "--function-name", "fn", "--runtime", "python3.12", "--handler", "handlers.whoami",
        "--role", &wrong_role, "--zip-file", &package,
    ]);
    assert!(error_text(&refused).contains("The role defined for the function cannot be assumed by Lambda."), "{}", error_text(&refused));
    let bad_zip = dir.0.join("bad.zip");
    // The CLI refuses files that are not zips at all; this one is a zip with a damaged entry.
    let mut damaged = std::fs::read(package.trim_start_matches("fileb://")).unwrap();
    damaged[30 + "handlers.py".len() + 4] ^= 0xff;
    std::fs::write(&bad_zip, damaged).unwrap();
    let role = create_role(&server, "fn-role", LAMBDA_TRUST);
    let unzippable = server.aws(&[
        "lambda", "create-function", "--function-name", "fn", "--runtime", "python3.12", "--handler", "handlers.whoami",
        "--role", &role, "--zip-file", &format!("fileb://{}", bad_zip.display()),
    ]);
    assert!(error_text(&unzippable).contains("Could not unzip uploaded file"), "{}", error_text(&unzippable));

    let created = server.aws_json(&[
        "lambda", "create-function", "--function-name", "fn", "--runtime", "python3.12", "--handler", "handlers.whoami",
        "--role", &role, "--zip-file", &package, "--environment", "Variables={GREETING=hello}", "--timeout", "20",
    ]);
    assert_eq!(created["FunctionArn"], "arn:aws:lambda:us-east-1:000000000000:function:fn");
    assert_eq!(created["State"], "Active");
    let reserved = server.aws(&["lambda", "update-function-configuration", "--function-name", "fn", "--environment", "Variables={AWS_REGION=eu-west-1}"]);
    assert!(error_text(&reserved).contains("reserved keys"), "{}", error_text(&reserved));

    let started = Instant::now();
    let (meta, answer) = invoke(&server, &dir, "fn", &json!({"name": "world"}), &["--log-type", "Tail"]);
    let cold_start = started.elapsed();
    assert_eq!(meta["StatusCode"], 200);
    assert!(meta.get("FunctionError").is_none(), "{meta}");
    assert_eq!(answer["arn"], "arn:aws:sts::000000000000:assumed-role/fn-role/fn");
    assert_eq!(answer["greeting"], "hello");
    assert_eq!(answer["function"], "fn");
    assert_eq!(answer["region"], "us-east-1");
    assert!(answer["remaining_ms"].as_u64().unwrap() > 10_000, "{answer}");
    let tail = String::from_utf8(base64::engine::general_purpose::STANDARD.decode(meta["LogResult"].as_str().unwrap()).unwrap()).unwrap();
    assert!(tail.contains("START RequestId: ") && tail.contains("END RequestId: ") && tail.contains("REPORT RequestId: "), "{tail}");
    assert!(tail.contains("event {\"name\": \"world\"}"), "{tail}");
    assert!(tail.contains("[INFO]\t") && tail.contains("asking STS who I am"), "{tail}");
    eprintln!("a cold Python invocation calling STS took {cold_start:?} through the aws CLI");

    server.aws_json(&["lambda", "update-function-configuration", "--function-name", "fn", "--handler", "handlers.fail"]);
    let (meta, error) = invoke(&server, &dir, "fn", &json!({}), &[]);
    assert_eq!(meta["FunctionError"], "Unhandled");
    assert_eq!(error["errorType"], "ValueError");
    assert_eq!(error["errorMessage"], "the input is not acceptable");
    assert!(error["stackTrace"][0].as_str().unwrap().contains("in fail"), "{error}");

    server.aws_json(&["lambda", "update-function-configuration", "--function-name", "fn", "--handler", "handlers.slow", "--timeout", "1"]);
    let started = Instant::now();
    let (meta, error) = invoke(&server, &dir, "fn", &json!({}), &[]);
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(meta["FunctionError"], "Unhandled");
    assert_eq!(error["errorType"], "Sandbox.Timedout");
    assert!(error["errorMessage"].as_str().unwrap().ends_with("Task timed out after 1.00 seconds"), "{error}");
    let timed_out = wait_for_log(&server, "/aws/lambda/fn", "\"Task timed out after 1.00 seconds\"");
    assert_eq!(timed_out.len(), 1, "{timed_out:?}");

    server.aws_json(&["lambda", "update-function-configuration", "--function-name", "fn", "--handler", "handlers.read_file", "--timeout", "20"]);
    let root_key = server.data_dir.join("root.key");
    let (_, read) = invoke(&server, &dir, "fn", &json!({ "path": root_key }), &[]);
    if running_as_root() {
        assert_eq!(read, json!({ "error": "PermissionError" }), "a function read the root key");
    } else {
        eprintln!("not root: functions run as this user and can read {} ({read})", root_key.display());
    }

    server.aws_json(&["lambda", "update-function-configuration", "--function-name", "fn", "--handler", "handlers.marker"]);
    let (meta, _) = invoke(&server, &dir, "fn", &json!({ "marker": "asynchronous-42" }), &["--invocation-type", "Event"]);
    assert_eq!(meta["StatusCode"], 202);
    assert_eq!(wait_for_log(&server, "/aws/lambda/fn", "asynchronous-42"), ["marker asynchronous-42\n"]);
    let (meta, _) = invoke(&server, &dir, "fn", &json!({ "marker": "dry" }), &["--invocation-type", "DryRun"]);
    assert_eq!(meta["StatusCode"], 204);

    let streams = server.aws_json(&["logs", "describe-log-streams", "--log-group-name", "/aws/lambda/fn"]);
    let stream = streams["logStreams"][0]["logStreamName"].as_str().unwrap();
    assert!(stream.contains("/[$LATEST]"), "{stream}");

    let not_json = server.aws(&["lambda", "invoke", "--function-name", "fn", "--payload", "fileb:///etc/hostname", &dir.0.join("x").display().to_string()]);
    assert!(error_text(&not_json).contains("InvalidRequestContentException"), "{}", error_text(&not_json));
}

#[test]
fn permissions_listing_and_a_custom_runtime() {
    let server = start(&["--ephemeral"]);
    let dir = TempDir::new("lambda-provided");
    let bootstrap = dir.0.join("bootstrap");
    std::fs::write(
        &bootstrap,
        "#!/bin/sh\nset -e\napi=\"http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime\"\nheaders=$(mktemp)\n\
         event=$(curl -sS -D \"$headers\" \"$api/invocation/next\")\n\
         id=$(grep -i '^lambda-runtime-aws-request-id:' \"$headers\" | cut -d' ' -f2 | tr -d '\\r')\n\
         echo \"custom runtime handling $id\"\n\
         curl -sS -X POST -d \"{\\\"echo\\\":$event}\" \"$api/invocation/$id/response\" -o \"$headers.posted\"\n",
    )
    .unwrap();
    let package = zip(&dir, "provided", &[("bootstrap", bootstrap, "755")]);
    let role = create_role(&server, "custom-role", LAMBDA_TRUST);
    server.aws_json(&[
        "lambda", "create-function", "--function-name", "custom", "--runtime", "provided.al2023", "--handler", "unused",
        "--role", &role, "--zip-file", &package,
    ]);
    let (meta, answer) = invoke(&server, &dir, "custom", &json!({"n": 1}), &[]);
    assert_eq!(meta["StatusCode"], 200);
    assert_eq!(answer, json!({"echo": {"n": 1}}));
    wait_for_log(&server, "/aws/lambda/custom", "\"custom runtime handling\"");

    // Another account may invoke the function only once its resource policy says so.
    let request = dir.0.join("cross-account.json");
    std::fs::write(&request, "{}").unwrap();
    let (payload, response) = (format!("fileb://{}", request.display()), dir.0.join("cross-account-out.json").display().to_string());
    let arn = "arn:aws:lambda:us-east-1:000000000000:function:custom";
    let cross_account = ["lambda", "invoke", "--function-name", arn, "--payload", payload.as_str(), response.as_str()];
    let denied = server.aws_as("111111111111", "test", &cross_account);
    assert!(error_text(&denied).contains("AccessDeniedException"), "{}", error_text(&denied));
    server.aws_json(&[
        "lambda", "add-permission", "--function-name", "custom", "--statement-id", "partner", "--action", "lambda:InvokeFunction",
        "--principal", "111111111111",
    ]);
    let allowed = server.aws_as("111111111111", "test", &cross_account);
    assert!(allowed.status.success(), "{}", error_text(&allowed));
    server.aws_json(&["lambda", "remove-permission", "--function-name", "custom", "--statement-id", "partner"]);

    let listed = server.aws_json(&["lambda", "list-functions"]);
    let names: Vec<&str> = listed["Functions"].as_array().unwrap().iter().map(|f| f["FunctionName"].as_str().unwrap()).collect();
    assert_eq!(names, ["SecretsManagerRDSMySQLRotationSingleUser", "SecretsManagerRDSPostgreSQLRotationSingleUser", "custom"]);
    let builtin_policy = server.aws_json(&["lambda", "get-policy", "--function-name", "SecretsManagerRDSPostgreSQLRotationSingleUser"]);
    assert!(builtin_policy["Policy"].as_str().unwrap().contains("secretsmanager.amazonaws.com"));

    let missing = server.aws(&["lambda", "get-policy", "--function-name", "custom"]);
    assert!(error_text(&missing).contains("ResourceNotFoundException"), "{}", error_text(&missing));
    let added = server.aws_json(&[
        "lambda", "add-permission", "--function-name", "custom", "--statement-id", "events", "--action", "lambda:InvokeFunction",
        "--principal", "events.amazonaws.com", "--source-arn", "arn:aws:events:us-east-1:000000000000:rule/nightly",
    ]);
    let statement: Value = serde_json::from_str(added["Statement"].as_str().unwrap()).unwrap();
    assert_eq!(statement["Principal"], json!({"Service": "events.amazonaws.com"}));
    assert_eq!(statement["Condition"]["ArnLike"]["AWS:SourceArn"], "arn:aws:events:us-east-1:000000000000:rule/nightly");
    let again = server.aws(&[
        "lambda", "add-permission", "--function-name", "custom", "--statement-id", "events", "--action", "lambda:InvokeFunction",
        "--principal", "events.amazonaws.com",
    ]);
    assert!(error_text(&again).contains("ResourceConflictException"), "{}", error_text(&again));
    server.aws_json(&["lambda", "remove-permission", "--function-name", "custom", "--statement-id", "events"]);
    let gone = server.aws(&["lambda", "get-policy", "--function-name", "custom"]);
    assert!(error_text(&gone).contains("ResourceNotFoundException"), "{}", error_text(&gone));

    server.aws_json(&["lambda", "delete-function", "--function-name", "custom"]);
    let deleted = server.aws(&["lambda", "get-function", "--function-name", "custom"]);
    assert!(error_text(&deleted).contains("Function not found: arn:aws:lambda:us-east-1:000000000000:function:custom"), "{}", error_text(&deleted));
    let builtin = server.aws(&["lambda", "delete-function", "--function-name", "SecretsManagerRDSMySQLRotationSingleUser"]);
    assert!(error_text(&builtin).contains("InvalidParameterValueException"), "{}", error_text(&builtin));
}

/// Runs SQL as PostgreSQL's superuser (trust authentication on 127.0.0.1) and returns the output.
fn postgres_admin(sql: &str) -> String {
    let out = Command::new("psql").args(["-X", "-At", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-c", sql]).output().expect("psql runs");
    assert!(out.status.success(), "psql: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

fn scram_matches(verifier: &str, password: &str) -> bool {
    Command::new("python3").arg(fixture("scram_matches.py")).args([verifier, password]).status().unwrap().success()
}

/// Logs in to MariaDB over TCP, which checks the password.
fn mysql_login(user: &str, password: &str) -> bool {
    Command::new("mysql")
        .args(["--protocol=TCP", "-h", "127.0.0.1", "-P", "3306", "-u", user, "-N", "-e", "SELECT 1"])
        .env("MYSQL_PWD", password)
        .output()
        .expect("mysql runs")
        .status
        .success()
}

/// The secret's current value once a rotation has replaced `old_password`.
fn wait_for_rotation(server: &Server, secret: &str, old_password: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let value = server.aws_json(&["secretsmanager", "get-secret-value", "--secret-id", secret]);
        let current: Value = serde_json::from_str(value["SecretString"].as_str().unwrap()).unwrap();
        if current["password"] != old_password {
            return current;
        }
        assert!(Instant::now() < deadline, "the rotation of {secret} did not finish: {}", server.aws_json(&["secretsmanager", "describe-secret", "--secret-id", secret]));
        std::thread::sleep(Duration::from_millis(250));
    }
}

/// Rotates a new secret holding `value` with `function` (a name in the default account) and
/// returns the rotated value, once AWSPREVIOUS holds the old one.
fn rotate_with(server: &Server, secret: &str, value: &Value, function: &str) -> Value {
    server.aws_json(&["secretsmanager", "create-secret", "--name", secret, "--secret-string", &value.to_string()]);
    let arn = format!("arn:aws:lambda:us-east-1:000000000000:function:{function}");
    server.aws_json(&["secretsmanager", "rotate-secret", "--secret-id", secret, "--rotation-lambda-arn", &arn]);
    let rotated = wait_for_rotation(server, secret, value["password"].as_str().unwrap());
    let previous = server.aws_json(&["secretsmanager", "get-secret-value", "--secret-id", secret, "--version-stage", "AWSPREVIOUS"]);
    assert_eq!(serde_json::from_str::<Value>(previous["SecretString"].as_str().unwrap()).unwrap(), *value);
    rotated
}

#[test]
fn secrets_manager_rotates_through_functions_and_the_database_passwords_change() {
    let server = start(&["--ephemeral"]);
    rotation_with_a_function_written_like_the_template(&server);
    let user = format!("palisade_rotation_{}", std::process::id());
    postgres_admin(&format!("DROP ROLE IF EXISTS {user}"));
    postgres_admin(&format!("CREATE ROLE {user} LOGIN PASSWORD 'first-password-1'"));
    let secret = json!({
        "engine": "postgres", "host": "127.0.0.1", "port": 5432, "username": user,
        "password": "first-password-1", "dbname": "postgres",
    });
    let rotated = rotate_with(&server, "pg-credentials", &secret, "SecretsManagerRDSPostgreSQLRotationSingleUser");
    let new_password = rotated["password"].as_str().unwrap();
    assert_eq!(new_password.len(), 32);
    // This PostgreSQL trusts every connection from 127.0.0.1, so logging in proves nothing
    // here; the verifier it stores is what a password-checking (scram-sha-256) server judges by.
    let verifier = postgres_admin(&format!("SELECT rolpassword FROM pg_authid WHERE rolname = '{user}'"));
    assert!(scram_matches(&verifier, new_password), "the stored verifier is not the new password's");
    assert!(!scram_matches(&verifier, "first-password-1"), "the old password still matches");
    postgres_admin(&format!("DROP ROLE {user}"));
    let log = wait_for_log(&server, "/aws/lambda/SecretsManagerRDSPostgreSQLRotationSingleUser", "finishSecret");
    assert!(log[0].contains("Successfully set AWSCURRENT stage"), "{log:?}");

    let mysql_user = format!("rot{}", std::process::id());
    let admin = |sql: &str| {
        let out = Command::new("mysql").args(["--protocol=TCP", "-h", "127.0.0.1", "-u", "root", "-e", sql]).output().expect("mysql runs");
        assert!(out.status.success(), "mysql: {}", String::from_utf8_lossy(&out.stderr));
    };
    admin(&format!("DROP USER IF EXISTS '{mysql_user}'@'127.0.0.1'; CREATE USER '{mysql_user}'@'127.0.0.1' IDENTIFIED BY 'first-password-2'"));
    assert!(mysql_login(&mysql_user, "first-password-2"));
    let secret = json!({
        "engine": "mysql", "host": "127.0.0.1", "port": 3306, "username": mysql_user, "password": "first-password-2",
    });
    let rotated = rotate_with(&server, "mysql-credentials", &secret, "SecretsManagerRDSMySQLRotationSingleUser");
    let new_password = rotated["password"].as_str().unwrap();
    assert!(mysql_login(&mysql_user, new_password), "the new password does not log in");
    assert!(!mysql_login(&mysql_user, "first-password-2"), "the old password still logs in");
    admin(&format!("DROP USER '{mysql_user}'@'127.0.0.1'"));
}

/// A user's rotation function (the template's four steps, `FAIL_STEP` to make one raise) with a
/// role that may manage the secret: how Secrets Manager's rotation tests create one.
fn rotation_with_a_function_written_like_the_template(server: &Server) {
    let dir = TempDir::new("lambda-template");
    let package = zip(&dir, "template", &[("lambda_function.py", fixture("rotation_template.py"), "644")]);
    let role = create_role(server, "rotation-role", LAMBDA_TRUST);
    let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["secretsmanager:DescribeSecret","secretsmanager:GetSecretValue","secretsmanager:PutSecretValue","secretsmanager:UpdateSecretVersionStage","secretsmanager:GetRandomPassword"],"Resource":"*"}]}"#;
    server.aws_json(&["iam", "put-role-policy", "--role-name", "rotation-role", "--policy-name", "rotate", "--policy-document", policy]);
    for (name, fail_step) in [("rotate-ok", "none"), ("rotate-fails", "testSecret")] {
        server.aws_json(&[
            "lambda", "create-function", "--function-name", name, "--runtime", "python3.12", "--handler", "lambda_function.lambda_handler",
            "--role", &role, "--zip-file", &package, "--timeout", "30", "--environment", &format!("Variables={{FAIL_STEP={fail_step}}}"),
        ]);
        server.aws_json(&[
            "lambda", "add-permission", "--function-name", name, "--statement-id", "secretsmanager", "--action", "lambda:InvokeFunction",
            "--principal", "secretsmanager.amazonaws.com",
        ]);
    }
    let value = json!({ "username": "app", "password": "template-password" });
    rotate_with(server, "template-secret", &value, "rotate-ok");

    server.aws_json(&["secretsmanager", "create-secret", "--name", "failing-secret", "--secret-string", &value.to_string()]);
    let arn = "arn:aws:lambda:us-east-1:000000000000:function:rotate-fails";
    server.aws_json(&["secretsmanager", "rotate-secret", "--secret-id", "failing-secret", "--rotation-lambda-arn", arn]);
    wait_for_log(server, "/aws/lambda/rotate-fails", "\"testSecret failed on purpose\"");
    let current = server.aws_json(&["secretsmanager", "get-secret-value", "--secret-id", "failing-secret"]);
    assert_eq!(serde_json::from_str::<Value>(current["SecretString"].as_str().unwrap()).unwrap(), value);
}
