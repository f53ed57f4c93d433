//! Parameter Store end to end with the aws CLI: SecureStrings encrypted by KMS with the caller's
//! identity, versions, tiers and naming rules, paths and filters, labels and selectors, tags,
//! parameter policies at the server clock, public parameters, and no plaintext at rest or in logs.

mod support;

use std::process::{Command, Output};

use serde_json::Value;
use support::{error_text, http, Server, TempDir};

fn put(server: &Server, name: &str, kind: &str, value: &str, extra: &[&str]) -> Value {
    let mut args = vec!["ssm", "put-parameter", "--name", name, "--type", kind, "--value", value];
    args.extend_from_slice(extra);
    server.aws_json(&args)
}

fn get(server: &Server, name: &str, extra: &[&str]) -> Value {
    let mut args = vec!["ssm", "get-parameter", "--name", name];
    args.extend_from_slice(extra);
    server.aws_json(&args)["Parameter"].clone()
}

fn fails_with(out: &Output, code: &str) {
    assert!(!out.status.success(), "expected {code}, the call succeeded: {}", String::from_utf8_lossy(&out.stdout));
    let text = error_text(out);
    assert!(text.contains(&format!("({code})")), "expected {code}: {text}");
}

fn names_of(list: &Value) -> Vec<String> {
    let mut names: Vec<String> = list.as_array().unwrap().iter().map(|p| p["Name"].as_str().unwrap().to_owned()).collect();
    names.sort();
    names
}

fn lookup_events(server: &Server, event_name: &str) -> Vec<Value> {
    let attribute = format!("AttributeKey=EventName,AttributeValue={event_name}");
    let out = server.aws_json(&["cloudtrail", "lookup-events", "--lookup-attributes", &attribute]);
    out["Events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| serde_json::from_str(e["CloudTrailEvent"].as_str().unwrap()).unwrap())
        .collect()
}

/// Retries `check` for up to ten seconds: audit events and jobs land asynchronously.
fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !check() {
        assert!(std::time::Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
}

#[test]
fn secure_strings_are_encrypted_by_kms_with_the_callers_identity() {
    let server = Server::start(&["--ephemeral"]);
    put(&server, "/app/db-host", "String", "db.internal", &[]);
    let created = put(&server, "/app/db-pass", "SecureString", "S3cur3P@ss", &[]);
    assert_eq!(created["Version"], 1);
    assert_eq!(created["Tier"], "Standard");

    let hidden = get(&server, "/app/db-pass", &[]);
    assert_ne!(hidden["Value"], "S3cur3P@ss", "without decryption the value is the ciphertext");
    assert_eq!(hidden["Type"], "SecureString");
    assert_eq!(hidden["ARN"], "arn:aws:ssm:us-east-1:000000000000:parameter/app/db-pass");
    assert_eq!(get(&server, "/app/db-pass", &["--with-decryption"])["Value"], "S3cur3P@ss");
    assert_eq!(get(&server, "/app/db-host", &[])["Value"], "db.internal");

    let described = server.aws_json(&["ssm", "describe-parameters", "--parameter-filters", "Key=Name,Values=/app/db-pass"]);
    assert_eq!(described["Parameters"][0]["KeyId"], "alias/aws/ssm");
    let aliases = server.aws_json(&["kms", "list-aliases"]);
    assert!(aliases["Aliases"].as_array().unwrap().iter().any(|a| a["AliasName"] == "alias/aws/ssm"), "{aliases}");

    // A customer key: the parameter names it, and KMS judges each use by its key policy.
    let key = server.aws_json(&["kms", "create-key"])["KeyMetadata"]["KeyId"].as_str().unwrap().to_owned();
    put(&server, "/app/api-token", "SecureString", "tok-123", &["--key-id", &key]);
    assert_eq!(get(&server, "/app/api-token", &["--with-decryption"])["Value"], "tok-123");
    let described = server.aws_json(&["ssm", "describe-parameters", "--parameter-filters", &format!("Key=KeyId,Values={key}")]);
    assert_eq!(names_of(&described["Parameters"]), ["/app/api-token"]);
    server.aws_json(&["kms", "disable-key", "--key-id", &key]);
    fails_with(&server.aws(&["ssm", "get-parameter", "--name", "/app/api-token", "--with-decryption"]), "InvalidKeyId");
    server.aws_json(&["kms", "enable-key", "--key-id", &key]);

    // An advanced parameter holds up to 8 KB, more than KMS Encrypt takes: it is sealed under a
    // data key from GenerateDataKey.
    let long_secret = "k".repeat(8000);
    let created = put(&server, "/app/certificate", "SecureString", &long_secret, &["--tier", "Advanced"]);
    assert_eq!(created["Tier"], "Advanced");
    assert_ne!(get(&server, "/app/certificate", &[])["Value"], long_secret.as_str());
    assert_eq!(get(&server, "/app/certificate", &["--with-decryption"])["Value"], long_secret.as_str());
    eventually("KMS GenerateDataKey invoked by ssm.amazonaws.com", || {
        lookup_events(&server, "GenerateDataKey").iter().any(|e| e["userIdentity"]["invokedBy"] == "ssm.amazonaws.com")
    });

    // KMS records the calls Parameter Store made for the caller; no event holds the plaintext.
    eventually("KMS Encrypt invoked by ssm.amazonaws.com", || {
        lookup_events(&server, "Encrypt").iter().any(|e| e["userIdentity"]["invokedBy"] == "ssm.amazonaws.com")
    });
    let decrypts = lookup_events(&server, "Decrypt");
    let db_pass = "arn:aws:ssm:us-east-1:000000000000:parameter/app/db-pass";
    let via_ssm = decrypts
        .iter()
        .find(|e| e["requestParameters"]["encryptionContext"]["PARAMETER_ARN"] == db_pass)
        .expect("a Decrypt bound to the parameter's ARN");
    assert_eq!(via_ssm["userIdentity"]["invokedBy"], "ssm.amazonaws.com");
    assert_eq!(via_ssm["userIdentity"]["arn"], "arn:aws:iam::000000000000:root");
    // As in AWS, the event names the key and the algorithm the blob implied, and leaves the
    // ciphertext out.
    assert_eq!(via_ssm["requestParameters"]["encryptionAlgorithm"], "SYMMETRIC_DEFAULT");
    assert!(via_ssm["requestParameters"]["keyId"].as_str().unwrap().starts_with("arn:aws:kms:us-east-1:000000000000:key/"));
    assert!(via_ssm["requestParameters"].get("ciphertextBlob").is_none(), "{via_ssm}");
    let trail = server.aws(&["cloudtrail", "lookup-events", "--max-results", "50"]);
    let trail = String::from_utf8_lossy(&trail.stdout);
    assert!(trail.contains("PutParameter") && trail.contains("GetParameter"), "{trail}");
    assert!(!trail.contains("S3cur3P@ss") && !trail.contains("tok-123"), "a SecureString value in CloudTrail: {trail}");

    // IAM judges parameters by their ARN, and KMS judges the caller's use of the key.
    server.aws_json(&["iam", "create-user", "--user-name", "reader"]);
    let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ssm:GetParameter","Resource":"arn:aws:ssm:us-east-1:000000000000:parameter/app/*"}]}"#;
    server.aws_json(&["iam", "put-user-policy", "--user-name", "reader", "--policy-name", "read-app", "--policy-document", policy]);
    let access = server.aws_json(&["iam", "create-access-key", "--user-name", "reader"]);
    let (id, secret) = (access["AccessKey"]["AccessKeyId"].as_str().unwrap(), access["AccessKey"]["SecretAccessKey"].as_str().unwrap());
    let as_reader = |args: &[&str]| server.aws_as(id, secret, args);
    let out = as_reader(&["ssm", "get-parameter", "--name", "/app/db-pass", "--with-decryption"]);
    assert!(out.status.success(), "the AWS managed key serves every principal of the account through SSM: {}", error_text(&out));
    put(&server, "/other/secret", "String", "x", &[]);
    fails_with(&as_reader(&["ssm", "get-parameter", "--name", "/other/secret"]), "AccessDeniedException");
    let denied = as_reader(&["ssm", "get-parameter", "--name", "/app/api-token", "--with-decryption"]);
    fails_with(&denied, "AccessDeniedException");
    assert!(error_text(&denied).contains("kms:Decrypt"), "{}", error_text(&denied));
    assert!(as_reader(&["ssm", "get-parameter", "--name", "/app/api-token"]).status.success(), "the ciphertext needs no key");

    // Parameter Store's condition keys: this writer may create parameters but not overwrite them.
    server.aws_json(&["iam", "create-user", "--user-name", "writer"]);
    let policy = r#"{"Version":"2012-10-17","Statement":[
        {"Effect":"Allow","Action":"ssm:PutParameter","Resource":"arn:aws:ssm:us-east-1:000000000000:parameter/app/*"},
        {"Effect":"Deny","Action":"ssm:PutParameter","Resource":"*","Condition":{"StringEquals":{"ssm:Overwrite":"true"}}}]}"#;
    server.aws_json(&["iam", "put-user-policy", "--user-name", "writer", "--policy-name", "create-only", "--policy-document", policy]);
    let access = server.aws_json(&["iam", "create-access-key", "--user-name", "writer"]);
    let (id, secret) = (access["AccessKey"]["AccessKeyId"].as_str().unwrap(), access["AccessKey"]["SecretAccessKey"].as_str().unwrap());
    let create = server.aws_as(id, secret, &["ssm", "put-parameter", "--name", "/app/new", "--type", "String", "--value", "a"]);
    assert!(create.status.success(), "{}", error_text(&create));
    let overwrite = ["ssm", "put-parameter", "--name", "/app/new", "--type", "String", "--value", "b", "--overwrite"];
    fails_with(&server.aws_as(id, secret, &overwrite), "AccessDeniedException");

    // aws:ResourceTag judges a parameter by its tags.
    server.aws_json(&["iam", "create-user", "--user-name", "blue-team"]);
    let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ssm:GetParameter","Resource":"*",
        "Condition":{"StringEquals":{"aws:ResourceTag/team":"blue"}}}]}"#;
    server.aws_json(&["iam", "put-user-policy", "--user-name", "blue-team", "--policy-name", "blue", "--policy-document", policy]);
    let access = server.aws_json(&["iam", "create-access-key", "--user-name", "blue-team"]);
    let (id, secret) = (access["AccessKey"]["AccessKeyId"].as_str().unwrap(), access["AccessKey"]["SecretAccessKey"].as_str().unwrap());
    fails_with(&server.aws_as(id, secret, &["ssm", "get-parameter", "--name", "/app/db-host"]), "AccessDeniedException");
    server.aws_json(&["ssm", "add-tags-to-resource", "--resource-type", "Parameter", "--resource-id", "/app/db-host", "--tags", "Key=team,Value=blue"]);
    let tagged = server.aws_as(id, secret, &["ssm", "get-parameter", "--name", "/app/db-host"]);
    assert!(tagged.status.success(), "a blue parameter is readable: {}", error_text(&tagged));
}

#[test]
fn parameters_have_versions_tiers_data_types_and_naming_rules() {
    let server = Server::start(&["--ephemeral"]);
    assert_eq!(put(&server, "/t/a", "String", "one", &[])["Version"], 1);
    fails_with(&server.aws(&["ssm", "put-parameter", "--name", "/t/a", "--type", "String", "--value", "x"]), "ParameterAlreadyExists");
    assert_eq!(put(&server, "/t/a", "String", "two", &["--overwrite", "--description", "second"])["Version"], 2);
    let out = server.aws(&["ssm", "put-parameter", "--name", "/t/a", "--value", "three", "--overwrite", "--type", "SecureString"]);
    fails_with(&out, "HierarchyTypeMismatchException");
    let updated = server.aws_json(&["ssm", "put-parameter", "--name", "/t/a", "--value", "three", "--overwrite"]);
    assert_eq!(updated["Version"], 3, "the type may be left out on update");
    let history = server.aws_json(&["ssm", "get-parameter-history", "--name", "/t/a"])["Parameters"].clone();
    let values: Vec<&str> = history.as_array().unwrap().iter().map(|h| h["Value"].as_str().unwrap()).collect();
    assert_eq!(values, ["one", "two", "three"]);
    assert_eq!(history[2]["Description"], "second", "the description carries over");
    assert_eq!(history[0]["LastModifiedUser"], "arn:aws:iam::000000000000:root");
    fails_with(&server.aws(&["ssm", "put-parameter", "--name", "/t/new", "--value", "x"]), "ValidationException");

    for bad in ["awsKey", "/ssm/x", "t/a", "/t//a", "/t/a b"] {
        fails_with(&server.aws(&["ssm", "put-parameter", "--name", bad, "--type", "String", "--value", "x"]), "ValidationException");
    }
    let deep = "/l".repeat(16);
    fails_with(&server.aws(&["ssm", "put-parameter", "--name", &deep, "--type", "String", "--value", "x"]), "HierarchyLevelLimitExceededException");

    let big = "v".repeat(5000);
    fails_with(&server.aws(&["ssm", "put-parameter", "--name", "/t/big", "--type", "String", "--value", &big]), "ValidationException");
    assert_eq!(put(&server, "/t/big", "String", &big, &["--tier", "Advanced"])["Tier"], "Advanced");
    let out = server.aws(&["ssm", "put-parameter", "--name", "/t/big", "--type", "String", "--value", "small", "--tier", "Standard", "--overwrite"]);
    fails_with(&out, "ValidationException");
    assert_eq!(put(&server, "/t/small", "String", "s", &["--tier", "Intelligent-Tiering"])["Tier"], "Standard");
    assert_eq!(put(&server, "/t/smart", "String", &big, &["--tier", "Intelligent-Tiering"])["Tier"], "Advanced");

    // The account's default tier applies when a request names none.
    let setting = "/ssm/parameter-store/default-parameter-tier";
    let current = server.aws_json(&["ssm", "get-service-setting", "--setting-id", setting])["ServiceSetting"].clone();
    assert_eq!((current["SettingValue"].as_str(), current["Status"].as_str()), (Some("Standard"), Some("Default")));
    server.aws_json(&["ssm", "update-service-setting", "--setting-id", setting, "--setting-value", "Intelligent-Tiering"]);
    assert_eq!(put(&server, "/t/auto-big", "String", &big, &[])["Tier"], "Advanced");
    assert_eq!(put(&server, "/t/auto-small", "String", "s", &[])["Tier"], "Standard");
    let arn = "arn:aws:ssm:us-east-1:000000000000:servicesetting/ssm/parameter-store/default-parameter-tier";
    let current = server.aws_json(&["ssm", "get-service-setting", "--setting-id", arn])["ServiceSetting"].clone();
    assert_eq!((current["SettingValue"].as_str(), current["Status"].as_str()), (Some("Intelligent-Tiering"), Some("Customized")));
    let reset = server.aws_json(&["ssm", "reset-service-setting", "--setting-id", setting]);
    assert_eq!(reset["ServiceSetting"]["SettingValue"], "Standard");
    fails_with(&server.aws(&["ssm", "update-service-setting", "--setting-id", setting, "--setting-value", "Gold"]), "ValidationException");
    fails_with(&server.aws(&["ssm", "get-service-setting", "--setting-id", "/ssm/no/such-setting"]), "ServiceSettingNotFound");

    put(&server, "/t/list", "StringList", "a,b,c", &[]);
    assert_eq!(get(&server, "/t/list", &[])["Value"], "a,b,c");
    put(&server, "/t/ami", "String", "ami-0123456789abcdef0", &["--data-type", "aws:ec2:image"]);
    assert_eq!(get(&server, "/t/ami", &[])["DataType"], "aws:ec2:image");
    let out = server.aws(&["ssm", "put-parameter", "--name", "/t/ami2", "--type", "String", "--value", "not-an-ami", "--data-type", "aws:ec2:image"]);
    fails_with(&out, "ValidationException");
    let out = server.aws(&["ssm", "put-parameter", "--name", "/t/num", "--type", "String", "--value", "12a", "--allowed-pattern", r"^\d+$"]);
    fails_with(&out, "ValidationException");
    put(&server, "/t/num", "String", "12", &["--allowed-pattern", r"^\d+$"]);
    let out = server.aws(&["ssm", "put-parameter", "--name", "/t/num", "--value", "x", "--overwrite"]);
    fails_with(&out, "ValidationException");

    let tagged = ["ssm", "put-parameter", "--name", "/t/a", "--value", "x", "--overwrite", "--tags", "Key=team,Value=blue"];
    fails_with(&server.aws(&tagged), "ValidationException");
    fails_with(&server.aws(&["ssm", "get-parameter", "--name", "/t/missing"]), "ParameterNotFound");
    fails_with(&server.aws(&["ssm", "delete-parameter", "--name", "/t/missing"]), "ParameterNotFound");
    server.aws_json(&["ssm", "delete-parameter", "--name", "/t/a"]);
    fails_with(&server.aws(&["ssm", "get-parameter-history", "--name", "/t/a"]), "ParameterNotFound");
}

#[test]
fn paths_filters_pagination_and_batch_calls() {
    let server = Server::start(&["--ephemeral"]);
    for name in ["/p/a", "/p/b", "/p/c/d", "/q/x"] {
        put(&server, name, "String", "v", &[]);
    }
    put(&server, "/p/s", "SecureString", "hush", &[]);
    let by_path = |extra: &[&str]| {
        let mut args = vec!["ssm", "get-parameters-by-path", "--path", "/p"];
        args.extend_from_slice(extra);
        server.aws_json(&args)
    };
    assert_eq!(names_of(&by_path(&[])["Parameters"]), ["/p/a", "/p/b", "/p/s"]);
    assert_eq!(names_of(&by_path(&["--recursive"])["Parameters"]), ["/p/a", "/p/b", "/p/c/d", "/p/s"]);
    let secure = by_path(&["--parameter-filters", "Key=Type,Values=SecureString", "--with-decryption"]);
    assert_eq!(secure["Parameters"][0]["Value"], "hush");
    assert_eq!(names_of(&secure["Parameters"]), ["/p/s"]);
    let first_page = by_path(&["--recursive", "--max-results", "1", "--no-paginate"]);
    assert_eq!(names_of(&first_page["Parameters"]), ["/p/a"]);
    let token = first_page["NextToken"].as_str().expect("a next token").to_owned();
    let rest = by_path(&["--recursive", "--page-size", "2", "--starting-token", &token]);
    assert_eq!(names_of(&rest["Parameters"]), ["/p/b", "/p/c/d", "/p/s"]);
    assert_eq!(names_of(&by_path(&["--recursive", "--page-size", "1"])["Parameters"]).len(), 4, "the CLI follows every page");
    fails_with(&server.aws(&["ssm", "get-parameters-by-path", "--path", "/p", "--parameter-filters", "Key=Name,Values=x"]), "InvalidFilterKey");
    fails_with(&server.aws(&["ssm", "get-parameters-by-path", "--path", "p"]), "ValidationException");
    let root = server.aws_json(&["ssm", "get-parameters-by-path", "--path", "/", "--recursive"]);
    assert_eq!(root["Parameters"].as_array().unwrap().len(), 5);

    let describe = |filters: &[&str]| {
        let mut args = vec!["ssm", "describe-parameters"];
        args.extend_from_slice(filters);
        server.aws_json(&args)["Parameters"].clone()
    };
    assert_eq!(names_of(&describe(&["--parameter-filters", "Key=Path,Option=Recursive,Values=/p"])).len(), 4);
    assert_eq!(names_of(&describe(&["--parameter-filters", "Key=Path,Values=/p"])).len(), 3);
    assert_eq!(names_of(&describe(&["--parameter-filters", "Key=Name,Option=Contains,Values=c/d"])), ["/p/c/d"]);
    assert_eq!(names_of(&describe(&["--parameter-filters", "Key=Name,Option=BeginsWith,Values=/q"])), ["/q/x"]);
    assert_eq!(names_of(&describe(&["--filters", "Key=Type,Values=SecureString"])), ["/p/s"]);
    let metadata = describe(&["--parameter-filters", "Key=Type,Values=SecureString"]);
    assert!(metadata[0].get("Value").is_none(), "DescribeParameters never answers values");
    let both = ["ssm", "describe-parameters", "--filters", "Key=Type,Values=String", "--parameter-filters", "Key=Type,Values=String"];
    fails_with(&server.aws(&both), "ValidationException");
    fails_with(&server.aws(&["ssm", "describe-parameters", "--parameter-filters", "Key=Type,Option=Contains,Values=String"]), "InvalidFilterOption");
    fails_with(&server.aws(&["ssm", "describe-parameters", "--parameter-filters", "Key=Label,Values=x"]), "InvalidFilterKey");
    fails_with(&server.aws(&["ssm", "describe-parameters", "--parameter-filters", "Key=Tier,Values=Gold"]), "InvalidFilterValue");

    server.aws_json(&["ssm", "add-tags-to-resource", "--resource-type", "Parameter", "--resource-id", "/p/a", "--tags", "Key=team,Value=blue"]);
    assert_eq!(names_of(&describe(&["--parameter-filters", "Key=tag:team,Values=blue"])), ["/p/a"]);
    assert_eq!(names_of(&describe(&["--parameter-filters", "Key=tag:team"])), ["/p/a"]);
    let tags = server.aws_json(&["ssm", "list-tags-for-resource", "--resource-type", "Parameter", "--resource-id", "/p/a"]);
    assert_eq!(tags["TagList"], serde_json::json!([{ "Key": "team", "Value": "blue" }]));
    server.aws_json(&["ssm", "remove-tags-from-resource", "--resource-type", "Parameter", "--resource-id", "/p/a", "--tag-keys", "team"]);
    let tags = server.aws_json(&["ssm", "list-tags-for-resource", "--resource-type", "Parameter", "--resource-id", "/p/a"]);
    assert_eq!(tags["TagList"], serde_json::json!([]));
    fails_with(&server.aws(&["ssm", "list-tags-for-resource", "--resource-type", "Parameter", "--resource-id", "/nope"]), "InvalidResourceId");

    let got = server.aws_json(&["ssm", "get-parameters", "--names", "/p/a", "/nope", "/p/a:9", "/p/s", "--with-decryption"]);
    assert_eq!(names_of(&got["Parameters"]), ["/p/a", "/p/s"]);
    assert_eq!(got["InvalidParameters"], serde_json::json!(["/nope", "/p/a:9"]));
    let deleted = server.aws_json(&["ssm", "delete-parameters", "--names", "/p/a", "/nope"]);
    assert_eq!(deleted["DeletedParameters"], serde_json::json!(["/p/a"]));
    assert_eq!(deleted["InvalidParameters"], serde_json::json!(["/nope"]));
}

#[test]
fn a_parameter_keeps_its_hundred_latest_versions_unless_the_oldest_is_labelled() {
    let server = Server::start(&["--ephemeral"]);
    let out = support::python("ssm_version_limit.py", &[&server.endpoint()]);
    assert!(out.status.success(), "{}", error_text(&out));
    let outcome: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(outcome["labelled_oldest"], "ParameterMaxVersionLimitExceeded");
    assert_eq!(outcome["version"], 101);
    assert_eq!(outcome["kept"], serde_json::json!([2, 101, 100]));
}

#[test]
fn labels_name_one_version_and_selectors_read_it() {
    let server = Server::start(&["--ephemeral"]);
    for value in ["v1", "v2", "v3"] {
        put(&server, "/l/x", "String", value, &["--overwrite"]);
    }
    let label = |version: &str, labels: &[&str]| {
        let mut args = vec!["ssm", "label-parameter-version", "--name", "/l/x", "--parameter-version", version, "--labels"];
        args.extend_from_slice(labels);
        server.aws(&args)
    };
    let labelled: Value = serde_json::from_slice(&label("1", &["prod", "qa"]).stdout).unwrap();
    assert_eq!(labelled["ParameterVersion"], 1);
    let moved: Value = serde_json::from_slice(&label("2", &["prod", "1bad", "awsLabel"]).stdout).unwrap();
    assert_eq!(moved["InvalidLabels"], serde_json::json!(["1bad", "awsLabel"]));

    let prod = get(&server, "/l/x:prod", &[]);
    assert_eq!((prod["Version"].as_u64(), prod["Value"].as_str(), prod["Selector"].as_str()), (Some(2), Some("v2"), Some(":prod")));
    assert_eq!(prod["Name"], "/l/x");
    assert_eq!(get(&server, "/l/x:qa", &[])["Value"], "v1");
    assert_eq!(get(&server, "/l/x:1", &[])["Value"], "v1");
    assert_eq!(get(&server, "/l/x", &[])["Value"], "v3");
    fails_with(&server.aws(&["ssm", "get-parameter", "--name", "/l/x:7"]), "ParameterVersionNotFound");
    fails_with(&label("9", &["x"]), "ParameterVersionNotFound");
    let eleven: Vec<String> = (0..11).map(|i| format!("l{i}")).collect();
    let eleven: Vec<&str> = eleven.iter().map(String::as_str).collect();
    assert!(label("3", &eleven[..10]).status.success(), "a version holds ten labels");
    fails_with(&label("3", &eleven[10..]), "ParameterVersionLabelLimitExceeded");

    let history = server.aws_json(&["ssm", "get-parameter-history", "--name", "/l/x"])["Parameters"].clone();
    assert_eq!(history[0]["Labels"], serde_json::json!(["qa"]));
    assert_eq!(history[1]["Labels"], serde_json::json!(["prod"]));
    let by_label = server.aws_json(&["ssm", "get-parameters-by-path", "--path", "/l", "--parameter-filters", "Key=Label,Values=qa"]);
    assert_eq!(by_label["Parameters"][0]["Value"], "v1");

    let unlabel = ["ssm", "unlabel-parameter-version", "--name", "/l/x", "--parameter-version", "2", "--labels", "prod", "qa"];
    let unlabelled = server.aws_json(&unlabel);
    assert_eq!(unlabelled["RemovedLabels"], serde_json::json!(["prod"]));
    assert_eq!(unlabelled["InvalidLabels"], serde_json::json!(["qa"]));
    fails_with(&server.aws(&["ssm", "get-parameter", "--name", "/l/x:prod"]), "ParameterVersionNotFound");
}

fn advance_clock(server: &Server, seconds: u64) {
    let body = format!(r#"{{"advance_seconds": {seconds}}}"#);
    let moved = http(server.port, "POST", "/_palisade/clock", &[], body.as_bytes()).unwrap();
    assert_eq!(moved.status, 200, "{}", moved.text());
}

/// An ISO 8601 time `seconds` after the wall clock (the server clock starts there).
fn iso8601_from_now(seconds: u64) -> String {
    let at = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() + seconds;
    let out = Command::new("date").args(["-u", "-d", &format!("@{at}"), "+%Y-%m-%dT%H:%M:%SZ"]).output().unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

fn policy_actions(server: &Server) -> Vec<String> {
    lookup_events(server, "ParameterStorePolicyAction")
        .iter()
        .map(|e| e["serviceEventDetails"]["policy-type"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn parameter_policies_act_at_the_server_clock() {
    let server = Server::start(&["--ephemeral", "--test-clock"]);
    let policies = format!(
        r#"[{{"Type":"Expiration","Version":"1.0","Attributes":{{"Timestamp":"{}"}}}},
            {{"Type":"ExpirationNotification","Version":"1.0","Attributes":{{"Before":"1","Unit":"Days"}}}},
            {{"Type":"NoChangeNotification","Version":"1.0","Attributes":{{"After":"2","Unit":"Hours"}}}}]"#,
        iso8601_from_now(3 * 86_400)
    );
    let standard = server.aws(&["ssm", "put-parameter", "--name", "/exp/p", "--type", "String", "--value", "v", "--policies", &policies]);
    fails_with(&standard, "ValidationException");
    let created = put(&server, "/exp/p", "String", "v", &["--policies", &policies, "--tier", "Intelligent-Tiering"]);
    assert_eq!(created["Tier"], "Advanced", "policies need the advanced tier");
    let bad = r#"[{"Type":"Rotation","Version":"1.0","Attributes":{}}]"#;
    let out = server.aws(&["ssm", "put-parameter", "--name", "/exp/q", "--type", "String", "--value", "v", "--tier", "Advanced", "--policies", bad]);
    fails_with(&out, "InvalidPolicyTypeException");

    let statuses = || {
        let described = server.aws_json(&["ssm", "describe-parameters", "--parameter-filters", "Key=Name,Values=/exp/p"]);
        described["Parameters"][0]["Policies"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (p["PolicyType"].as_str().unwrap().to_owned(), p["PolicyStatus"].as_str().unwrap().to_owned()))
            .collect::<Vec<_>>()
    };
    assert!(statuses().iter().all(|(_, status)| status == "Pending"), "{:?}", statuses());

    advance_clock(&server, 3 * 3_600);
    eventually("the no-change notification", || policy_actions(&server) == ["NoChangeNotification"]);
    assert!(statuses().contains(&("NoChangeNotification".to_owned(), "Finished".to_owned())));

    advance_clock(&server, 2 * 86_400);
    eventually("the expiration notification", || policy_actions(&server).len() == 2);
    assert_eq!(get(&server, "/exp/p", &[])["Value"], "v", "not expired yet");

    advance_clock(&server, 86_400);
    eventually("the expiration", || !server.aws(&["ssm", "get-parameter", "--name", "/exp/p"]).status.success());
    fails_with(&server.aws(&["ssm", "get-parameter", "--name", "/exp/p"]), "ParameterNotFound");
    let mut actions = policy_actions(&server);
    actions.sort();
    assert_eq!(actions, ["Expiration", "ExpirationNotification", "NoChangeNotification"]);
}

#[test]
fn secrets_manager_secrets_are_read_through_their_reference_parameter() {
    let server = Server::start(&["--ephemeral"]);
    server.aws_json(&["secretsmanager", "create-secret", "--name", "prod/db", "--secret-string", r#"{"password":"hunter2"}"#]);
    let name = "/aws/reference/secretsmanager/prod/db";
    let parameter = get(&server, name, &["--with-decryption"]);
    assert_eq!(parameter["Value"], r#"{"password":"hunter2"}"#);
    assert_eq!(parameter["Type"], "SecureString");
    assert!(parameter["ARN"].as_str().unwrap().starts_with("arn:aws:secretsmanager:us-east-1:000000000000:secret:prod/db-"));
    assert!(!parameter["SourceResult"].as_str().unwrap().contains("hunter2"), "only Value holds the secret");
    fails_with(&server.aws(&["ssm", "get-parameter", "--name", name]), "ValidationException");
    fails_with(&server.aws(&["ssm", "get-parameter", "--name", "/aws/reference/secretsmanager/nope", "--with-decryption"]), "ParameterNotFound");
    let both = server.aws_json(&["ssm", "get-parameters", "--names", name, "/aws/reference/secretsmanager/nope", "--with-decryption"]);
    assert_eq!(both["Parameters"].as_array().unwrap().len(), 1);
    assert_eq!(both["InvalidParameters"], serde_json::json!(["/aws/reference/secretsmanager/nope"]));
    eventually("GetSecretValue invoked by ssm.amazonaws.com", || {
        lookup_events(&server, "GetSecretValue").iter().any(|e| e["userIdentity"]["invokedBy"] == "ssm.amazonaws.com")
    });
}

#[test]
fn public_parameters_are_readable_from_every_account() {
    let server = Server::start(&["--ephemeral"]);
    let name = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64";
    let mine = get(&server, name, &[]);
    let ami = mine["Value"].as_str().unwrap().to_owned();
    assert!(ami.starts_with("ami-") && ami.len() == 21, "{ami}");
    let other = server.aws_as("111111111111", "test", &["ssm", "get-parameter", "--name", name]);
    let other: Value = serde_json::from_slice(&other.stdout).unwrap();
    assert_eq!(other["Parameter"]["Value"], ami.as_str());
    let listed = server.aws_json(&["ssm", "get-parameters-by-path", "--path", "/aws/service/ami-amazon-linux-latest"]);
    assert!(names_of(&listed["Parameters"]).contains(&name.to_owned()));
    fails_with(&server.aws(&["ssm", "get-parameter", "--name", "/aws/service/no-such-thing"]), "ParameterNotFound");
    fails_with(&server.aws(&["ssm", "put-parameter", "--name", "/aws/service/mine", "--type", "String", "--value", "x"]), "ValidationException");
}

#[test]
fn secure_string_values_reach_no_file_and_no_log() {
    let data = TempDir::new("ssm-at-rest");
    let log_path = data.0.join("server.log");
    let log = std::fs::File::create(&log_path).unwrap();
    let port = support::free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_palisade"))
        .args(["serve", "--port", &port.to_string(), "--log-level", "trace", "--data-dir"])
        .arg(data.0.join("state"))
        .env_remove("PALISADE_ROOT_KEY")
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .unwrap();
    let endpoint = format!("http://127.0.0.1:{port}");
    let aws = |args: &[&str]| support::aws_command(&endpoint, "test", "test").args(args).output().unwrap();
    eventually("the server to start", || http(port, "GET", "/_palisade/health", &[], b"").is_ok_and(|r| r.status == 200));

    let secret = "Pl41nT3xt-marker-7d1e";
    for (name, tier) in [("/rest/standard", "Standard"), ("/rest/advanced", "Advanced")] {
        let out = aws(&["ssm", "put-parameter", "--name", name, "--type", "SecureString", "--value", secret, "--tier", tier]);
        assert!(out.status.success(), "{}", error_text(&out));
        let out = aws(&["ssm", "get-parameter", "--name", name, "--with-decryption"]);
        assert!(String::from_utf8_lossy(&out.stdout).contains(secret));
    }
    let out = aws(&["ssm", "get-parameters-by-path", "--path", "/rest", "--with-decryption"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains(secret));
    let out = aws(&["ssm", "get-parameter-history", "--name", "/rest/standard", "--with-decryption"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains(secret));
    eventually("the audit trail to be written", || {
        let out = aws(&["cloudtrail", "lookup-events", "--lookup-attributes", "AttributeKey=EventName,AttributeValue=GetParameterHistory"]);
        String::from_utf8_lossy(&out.stdout).contains("GetParameterHistory")
    });
    let _ = child.kill();
    let _ = child.wait();

    let mut files = vec![data.0.clone()];
    let mut searched = 0;
    while let Some(path) = files.pop() {
        if path.is_dir() {
            files.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        searched += 1;
        assert!(
            !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
            "the SecureString value is in plaintext in {}",
            path.display()
        );
    }
    assert!(searched >= 2, "the database and the log were searched");
    assert!(std::fs::metadata(&log_path).unwrap().len() > 0, "the server logged at trace level");
}
