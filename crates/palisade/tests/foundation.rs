//! The foundation, end to end: the real binary driven by the real aws CLI and botocore.

mod support;

use std::time::{Duration, Instant};

use serde_json::Value;
use support::{error_text, http, python, Server, TempDir};


fn send_signed(server: &Server, service: &str, extra: &[&str]) -> Value {
    let endpoint = server.endpoint();
    let mut args = vec![endpoint.as_str(), service];
    args.extend_from_slice(extra);
    let out = python("send_signed.py", &args);
    assert!(out.status.success(), "send_signed.py failed: {}", error_text(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn sts_get_caller_identity(server: &Server, extra: &[&str]) -> Value {
    let mut args = vec![
        "POST",
        "/",
        "--header",
        "Content-Type:application/x-www-form-urlencoded; charset=utf-8",
        "--body",
        "Action=GetCallerIdentity&Version=2011-06-15",
    ];
    args.extend_from_slice(extra);
    send_signed(server, "sts", &args)
}

/// Polls LookupEvents until `accept` holds for the events found (events are visible within a
/// second).
fn lookup_events_until(server: &Server, args: &[&str], accept: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let mut full = vec!["cloudtrail", "lookup-events"];
        full.extend_from_slice(args);
        let events = server.aws_json(&full)["Events"].as_array().cloned().unwrap_or_default();
        if accept(&events) || Instant::now() > deadline {
            return events;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn cloudtrail_events(events: &[Value]) -> Vec<Value> {
    events.iter().map(|e| serde_json::from_str(e["CloudTrailEvent"].as_str().unwrap()).unwrap()).collect()
}

#[test]
fn get_caller_identity_names_the_default_accounts_root() {
    let server = Server::start(&["--ephemeral"]);
    let identity = server.aws_json(&["sts", "get-caller-identity"]);
    assert_eq!(identity["Account"], "000000000000");
    assert_eq!(identity["Arn"], "arn:aws:iam::000000000000:root");
    assert_eq!(identity["UserId"], "000000000000");
}

#[test]
fn a_twelve_digit_access_key_is_the_root_of_that_account() {
    let server = Server::start(&["--ephemeral"]);
    let out = server.aws_as("123456789012", "test", &["sts", "get-caller-identity"]);
    let identity: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(identity["Arn"], "arn:aws:iam::123456789012:root");
}

#[test]
fn a_wrong_secret_key_is_refused_by_sts_as_signature_does_not_match() {
    let server = Server::start(&["--ephemeral"]);
    let out = server.aws_as("test", "wrong", &["sts", "get-caller-identity"]);
    assert!(!out.status.success());
    assert!(error_text(&out).contains("SignatureDoesNotMatch"), "{}", error_text(&out));
}

#[test]
fn a_wrong_secret_key_is_refused_by_kms_as_invalid_signature() {
    let server = Server::start(&["--ephemeral"]);
    let out = server.aws_as("test", "wrong", &["kms", "list-keys"]);
    assert!(!out.status.success());
    assert!(error_text(&out).contains("InvalidSignatureException"), "{}", error_text(&out));
}

#[test]
fn an_unknown_access_key_is_refused_with_a_hint_about_test_keys() {
    let server = Server::start(&["--ephemeral"]);
    let out = server.aws_as("AKIAIOSFODNN7EXAMPLE", "secret", &["sts", "get-caller-identity"]);
    assert!(!out.status.success());
    let text = error_text(&out);
    assert!(text.contains("InvalidClientTokenId"), "{text}");
    assert!(text.contains("--auth lenient"), "{text}");
}

#[test]
fn lenient_auth_lets_an_unknown_key_act_as_the_default_root() {
    let server = Server::start(&["--ephemeral", "--auth", "lenient"]);
    let out = server.aws_as("AKIAIOSFODNN7EXAMPLE", "secret", &["sts", "get-caller-identity"]);
    let identity: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(identity["Arn"], "arn:aws:iam::000000000000:root");
}

#[test]
fn a_request_signed_twenty_minutes_ago_is_refused() {
    let server = Server::start(&["--ephemeral"]);
    let response = sts_get_caller_identity(&server, &["--skew-seconds", "1200"]);
    assert_eq!(response["status"], 403);
    assert!(response["body"].as_str().unwrap().contains("RequestTimeTooSkewed"), "{response}");
}

#[test]
fn a_request_signed_ten_minutes_ago_is_accepted() {
    let server = Server::start(&["--ephemeral"]);
    let response = sts_get_caller_identity(&server, &["--skew-seconds", "600"]);
    assert_eq!(response["status"], 200, "{response}");
}

#[test]
fn advancing_the_server_clock_does_not_break_signing() {
    let server = Server::start(&["--ephemeral", "--test-clock"]);
    let moved = http(server.port, "POST", "/_palisade/clock", &[], br#"{"advance_seconds": 86400}"#).unwrap();
    assert_eq!(moved.status, 200, "{}", moved.text());
    let identity = server.aws_json(&["sts", "get-caller-identity"]);
    assert_eq!(identity["Account"], "000000000000");
}

#[test]
fn calls_over_tls_succeed_with_the_exported_root() {
    let server = Server::start(&[]);
    let export = std::process::Command::new(env!("CARGO_BIN_EXE_palisade"))
        .args(["ca", "export", "--data-dir"])
        .arg(&server.data_dir)
        .output()
        .unwrap();
    assert!(export.status.success(), "{}", error_text(&export));
    let pem = String::from_utf8(export.stdout).unwrap();
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"));
    let served = http(server.port, "GET", "/_palisade/ca.pem", &[], b"").unwrap();
    assert_eq!(served.text(), pem);
    let ca_file = server.data_dir.join("exported-root.pem");
    std::fs::write(&ca_file, &pem).unwrap();
    let endpoint = format!("https://localhost:{}", server.port);
    for args in [["sts", "get-caller-identity"], ["cloudtrail", "describe-trails"]] {
        let out = support::aws_command(&endpoint, "test", "test")
            .arg("--ca-bundle")
            .arg(&ca_file)
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?} over TLS: {}", error_text(&out));
    }
    let args = ["--lookup-attributes", "AttributeKey=EventName,AttributeValue=GetCallerIdentity"];
    let events = cloudtrail_events(&lookup_events_until(&server, &args, |e| !e.is_empty()));
    assert_eq!(events[0]["tlsDetails"]["tlsVersion"], "TLSv1.3", "{}", events[0]);
    assert_eq!(events[0]["tlsDetails"]["clientProvidedHostHeader"], format!("localhost:{}", server.port));
}

#[test]
fn lookup_events_returns_successful_and_failed_calls() {
    let server = Server::start(&["--ephemeral"]);
    server.aws_json(&["sts", "get-caller-identity"]);
    assert!(!server.aws_as("test", "wrong", &["sts", "get-caller-identity"]).status.success());
    let args = ["--lookup-attributes", "AttributeKey=EventName,AttributeValue=GetCallerIdentity"];
    let events = lookup_events_until(&server, &args, |e| e.len() >= 2);
    let records = cloudtrail_events(&events);
    let ok = records.iter().find(|r| r.get("errorCode").is_none()).expect("the successful call is recorded");
    assert_eq!(ok["userIdentity"]["type"], "Root");
    assert_eq!(ok["eventSource"], "sts.amazonaws.com");
    assert_eq!(ok["recipientAccountId"], "000000000000");
    let failed = records.iter().find(|r| r.get("errorCode").is_some()).expect("the failed call is recorded");
    assert_eq!(failed["errorCode"], "SignatureDoesNotMatch");
    assert_eq!(failed["userIdentity"]["type"], "Unknown");
    assert_eq!(failed["userIdentity"]["accessKeyId"], "test");
    for record in &records {
        for field in ["eventVersion", "eventTime", "awsRegion", "sourceIPAddress", "userAgent", "requestID", "eventID", "readOnly", "eventType", "managementEvent", "eventCategory"] {
            assert!(record.get(field).is_some(), "{field} missing from {record}");
        }
    }
}

#[test]
fn lookup_events_filters_by_username_and_time() {
    let server = Server::start(&["--ephemeral"]);
    server.aws_json(&["cloudtrail", "describe-trails"]);
    let by_user = lookup_events_until(&server, &["--lookup-attributes", "AttributeKey=Username,AttributeValue=root"], |e| !e.is_empty());
    assert!(by_user.iter().any(|e| e["EventName"] == "DescribeTrails"));
    let none = server.aws_json(&[
        "cloudtrail",
        "lookup-events",
        "--start-time",
        "2001-01-01T00:00:00Z",
        "--end-time",
        "2001-01-02T00:00:00Z",
    ]);
    assert_eq!(none["Events"].as_array().unwrap().len(), 0);
}

#[test]
fn lookup_events_pages_with_next_token() {
    let server = Server::start(&["--ephemeral"]);
    for _ in 0..3 {
        server.aws_json(&["cloudtrail", "list-trails"]);
    }
    let args = ["--lookup-attributes", "AttributeKey=EventName,AttributeValue=ListTrails"];
    lookup_events_until(&server, &args, |e| e.len() >= 3);
    let first = server.aws_json(&["cloudtrail", "lookup-events", args[0], args[1], "--max-items", "2"]);
    assert_eq!(first["Events"].as_array().unwrap().len(), 2);
    let token = first["NextToken"].as_str().expect("a next token");
    let rest = server.aws_json(&["cloudtrail", "lookup-events", args[0], args[1], "--starting-token", token]);
    assert_eq!(rest["Events"].as_array().unwrap().len(), 1);
}

#[test]
fn secret_values_never_reach_cloudtrail() {
    let server = Server::start(&["--ephemeral"]);
    let out = server.aws(&["secretsmanager", "create-secret", "--name", "db", "--secret-string", "S3cur3P@ss"]);
    assert!(out.status.success(), "{}", error_text(&out));
    let args = ["--lookup-attributes", "AttributeKey=EventName,AttributeValue=CreateSecret"];
    let events = lookup_events_until(&server, &args, |e| !e.is_empty());
    assert_eq!(events.len(), 1);
    let raw = events[0]["CloudTrailEvent"].as_str().unwrap();
    assert!(!raw.contains("S3cur3P@ss"), "{raw}");
    assert!(raw.contains("HIDDEN_DUE_TO_SECURITY_REASONS"), "{raw}");
}

#[test]
fn a_trail_survives_kill_dash_nine() {
    let mut server = Server::start(&[]);
    server.aws_json(&["cloudtrail", "create-trail", "--name", "audit", "--s3-bucket-name", "logs"]);
    server.kill();
    server.restart();
    let trail = server.aws_json(&["cloudtrail", "get-trail", "--name", "audit"]);
    assert_eq!(trail["Trail"]["TrailARN"], "arn:aws:cloudtrail:us-east-1:000000000000:trail/audit");
}

#[test]
fn an_operation_palisade_does_not_serve_yet_answers_501_naming_it() {
    let server = Server::start(&["--ephemeral"]);
    let out = server.aws(&["guardduty", "list-detectors"]);
    assert!(!out.status.success());
    let text = error_text(&out);
    assert!(text.contains("NotImplemented"), "{text}");
    assert!(text.contains("ListDetectors"), "{text}");
}

#[test]
fn validation_errors_name_the_offending_member() {
    let server = Server::start(&["--ephemeral"]);
    let response = send_signed(
        &server,
        "cloudtrail",
        &[
            "POST",
            "/",
            "--header",
            "Content-Type:application/x-amz-json-1.1",
            "--header",
            "X-Amz-Target:com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.GetTrail",
            "--body",
            r#"{}"#,
        ],
    );
    assert_eq!(response["status"], 400, "{response}");
    let text = response["body"].as_str().unwrap();
    assert!(text.contains("ValidationException"), "{text}");
    assert!(text.contains("Value null at 'name' failed to satisfy constraint: Member must not be null"), "{text}");
}

#[test]
fn health_reports_services_and_version_on_both_paths() {
    let server = Server::start(&["--ephemeral"]);
    for path in ["/_palisade/health", "/_localstack/health"] {
        let response = http(server.port, "GET", path, &[], b"").unwrap();
        let health: Value = serde_json::from_slice(&response.body).unwrap();
        assert_eq!(health["services"]["sts"], "running", "{path}");
        assert_eq!(health["services"]["guardduty"], "available", "{path}");
        assert_eq!(health["version"], env!("CARGO_PKG_VERSION"));
    }
}

#[test]
fn metrics_count_calls_in_prometheus_format() {
    let server = Server::start(&["--ephemeral"]);
    server.aws_json(&["sts", "get-caller-identity"]);
    let metrics = http(server.port, "GET", "/_palisade/metrics", &[], b"").unwrap().text();
    assert!(
        metrics.contains(r#"palisade_requests_total{service="sts",operation="GetCallerIdentity",status="200"} 1"#),
        "{metrics}"
    );
}

#[test]
fn the_clock_endpoint_needs_the_test_clock_flag() {
    let server = Server::start(&["--ephemeral"]);
    let response = http(server.port, "POST", "/_palisade/clock", &[], br#"{"advance_seconds": 60}"#).unwrap();
    assert_eq!(response.status, 403);
}

#[test]
fn reset_forgets_trails() {
    let server = Server::start(&["--ephemeral"]);
    server.aws_json(&["cloudtrail", "create-trail", "--name", "gone", "--s3-bucket-name", "logs"]);
    assert_eq!(http(server.port, "POST", "/_palisade/reset", &[], b"").unwrap().status, 200);
    let trails = server.aws_json(&["cloudtrail", "list-trails"]);
    assert_eq!(trails["Trails"].as_array().unwrap().len(), 0);
}

#[test]
fn a_node_with_another_root_key_refuses_to_start() {
    let dir = TempDir::new("rootkey");
    {
        let _first = Server::start_in(&dir.0, &[]);
    }
    std::fs::write(dir.0.join("root.key"), [7u8; 32]).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_palisade"))
        .args(["serve", "--port", &support::free_port().to_string(), "--data-dir"])
        .arg(&dir.0)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(error_text(&out).contains("root key"), "{}", error_text(&out));
}
