//! CloudWatch Logs end to end with the aws CLI: groups, streams, events in order, filter
//! patterns, retention and tags.

mod support;

use serde_json::{json, Value};
use support::{error_text, Server};

fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64
}

fn put_events(server: &Server, group: &str, stream: &str, events: &[(i64, &str)]) -> Value {
    let events: Vec<Value> = events.iter().map(|(t, m)| json!({ "timestamp": t, "message": m })).collect();
    let events = serde_json::to_string(&events).unwrap();
    server.aws_json(&["logs", "put-log-events", "--log-group-name", group, "--log-stream-name", stream, "--log-events", &events])
}

fn messages(events: &Value) -> Vec<String> {
    events.as_array().unwrap().iter().map(|e| e["message"].as_str().unwrap().to_owned()).collect()
}

#[test]
fn groups_streams_and_events_round_trip() {
    let server = Server::start(&["--ephemeral"]);
    server.aws_json(&["logs", "create-log-group", "--log-group-name", "/app/web", "--tags", "team=core"]);
    let again = server.aws(&["logs", "create-log-group", "--log-group-name", "/app/web"]);
    assert!(error_text(&again).contains("ResourceAlreadyExistsException"), "{}", error_text(&again));
    let groups = server.aws_json(&["logs", "describe-log-groups", "--log-group-name-prefix", "/app"]);
    assert_eq!(groups["logGroups"][0]["arn"], "arn:aws:logs:us-east-1:000000000000:log-group:/app/web:*");

    let missing = server.aws(&["logs", "put-log-events", "--log-group-name", "/app/web", "--log-stream-name", "s1", "--log-events", "timestamp=1,message=x"]);
    assert!(error_text(&missing).contains("The specified log stream does not exist."), "{}", error_text(&missing));
    server.aws_json(&["logs", "create-log-stream", "--log-group-name", "/app/web", "--log-stream-name", "s1"]);
    server.aws_json(&["logs", "create-log-stream", "--log-group-name", "/app/web", "--log-stream-name", "s2"]);
    let t = now_ms() - 10_000;
    put_events(&server, "/app/web", "s1", &[(t, "INFO start"), (t + 1, "ERROR disk full"), (t + 2, "INFO retry later")]);
    put_events(&server, "/app/web", "s2", &[(t + 1, "Task timed out after 3.00 seconds"), (t + 3, r#"{"level":"ERROR","ms":250}"#)]);

    let unordered = server.aws(&["logs", "put-log-events", "--log-group-name", "/app/web", "--log-stream-name", "s1", "--log-events", &format!("timestamp={},message=b", t + 5), &format!("timestamp={t},message=a")]);
    assert!(error_text(&unordered).contains("chronological order"), "{}", error_text(&unordered));
    let too_old = put_events(&server, "/app/web", "s1", &[(t - 15 * 86_400_000, "ancient"), (t - 15 * 86_400_000 + 1, "ancient too")]);
    assert_eq!(too_old["rejectedLogEventsInfo"]["tooOldLogEventEndIndex"], 2);
    let span = server.aws(&["logs", "put-log-events", "--log-group-name", "/app/web", "--log-stream-name", "s1", "--log-events", &format!("timestamp={},message=a", t - 2 * 86_400_000), &format!("timestamp={t},message=b")]);
    assert!(error_text(&span).contains("cannot span more than 24 hours"), "{}", error_text(&span));
    put_events(&server, "/app/web", "s1", &[(t + 4, "INFO fresh")]);

    let all = server.aws_json(&["logs", "get-log-events", "--log-group-name", "/app/web", "--log-stream-name", "s1", "--start-from-head"]);
    assert_eq!(messages(&all["events"]), ["INFO start", "ERROR disk full", "INFO retry later", "INFO fresh"]);
    let first = server.aws_json(&["logs", "get-log-events", "--log-group-name", "/app/web", "--log-stream-name", "s1", "--start-from-head", "--limit", "2"]);
    assert_eq!(messages(&first["events"]), ["INFO start", "ERROR disk full"]);
    let token = first["nextForwardToken"].as_str().unwrap();
    let rest = server.aws_json(&["logs", "get-log-events", "--log-group-name", "/app/web", "--log-stream-name", "s1", "--next-token", token, "--limit", "2"]);
    assert_eq!(messages(&rest["events"]), ["INFO retry later", "INFO fresh"]);
    let latest = server.aws_json(&["logs", "get-log-events", "--log-group-name", "/app/web", "--log-stream-name", "s1", "--limit", "1"]);
    assert_eq!(messages(&latest["events"]), ["INFO fresh"]);

    let errors = server.aws_json(&["logs", "filter-log-events", "--log-group-name", "/app/web", "--filter-pattern", "ERROR"]);
    assert_eq!(messages(&errors["events"]), ["ERROR disk full", r#"{"level":"ERROR","ms":250}"#]);
    assert_eq!(errors["events"][1]["logStreamName"], "s2");
    let phrase = server.aws_json(&["logs", "filter-log-events", "--log-group-name", "/app/web", "--filter-pattern", "\"Task timed out\""]);
    assert_eq!(messages(&phrase["events"]), ["Task timed out after 3.00 seconds"]);
    let json_filter = server.aws_json(&["logs", "filter-log-events", "--log-group-name", "/app/web", "--filter-pattern", "{ $.ms > 200 }"]);
    assert_eq!(json_filter["events"].as_array().unwrap().len(), 1);
    let paged = server.aws_json(&["logs", "filter-log-events", "--log-group-name", "/app/web", "--log-stream-names", "s1", "--start-time", &(t + 1).to_string(), "--max-items", "10"]);
    assert_eq!(messages(&paged["events"]), ["ERROR disk full", "INFO retry later", "INFO fresh"]);

    let streams = server.aws_json(&["logs", "describe-log-streams", "--log-group-name", "/app/web", "--order-by", "LastEventTime", "--descending"]);
    assert_eq!(streams["logStreams"][0]["logStreamName"], "s1");
    assert_eq!(streams["logStreams"][0]["lastEventTimestamp"], t + 4);

    let bad = server.aws(&["logs", "put-retention-policy", "--log-group-name", "/app/web", "--retention-in-days", "4"]);
    assert!(error_text(&bad).contains("InvalidParameterException"), "{}", error_text(&bad));
    server.aws_json(&["logs", "put-retention-policy", "--log-group-name", "/app/web", "--retention-in-days", "1"]);
    let expired = put_events(&server, "/app/web", "s1", &[(now_ms() - 2 * 86_400_000, "expired")]);
    assert_eq!(expired["rejectedLogEventsInfo"]["expiredLogEventEndIndex"], 1);
    let group = &server.aws_json(&["logs", "describe-log-groups", "--log-group-name-prefix", "/app/web"])["logGroups"][0];
    assert_eq!(group["retentionInDays"], 1);

    server.aws_json(&["logs", "tag-resource", "--resource-arn", "arn:aws:logs:us-east-1:000000000000:log-group:/app/web", "--tags", "env=dev"]);
    let tags = server.aws_json(&["logs", "list-tags-for-resource", "--resource-arn", "arn:aws:logs:us-east-1:000000000000:log-group:/app/web"]);
    assert_eq!(tags["tags"], json!({ "team": "core", "env": "dev" }));

    server.aws_json(&["logs", "delete-log-group", "--log-group-name", "/app/web"]);
    let gone = server.aws(&["logs", "get-log-events", "--log-group-name", "/app/web", "--log-stream-name", "s1"]);
    assert!(error_text(&gone).contains("ResourceNotFoundException"), "{}", error_text(&gone));
}
