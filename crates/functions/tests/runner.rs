//! The runner against real processes: a Python handler through Palisade's runtime client and a
//! shell `bootstrap` speaking the Runtime API with curl.

use std::{os::unix::fs::PermissionsExt, path::PathBuf, time::Duration};

use functions::{Completion, Invocation, Runner, RunnerSettings, RuntimeKind};

fn scratch(label: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("palisade-runner-{label}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    dir
}

fn runner(label: &str) -> Runner {
    Runner::new(RunnerSettings { python: PathBuf::from("python3"), work_root: scratch(&format!("{label}-work")), run_as: None })
}

fn invocation(runtime: RuntimeKind, code_dir: PathBuf, handler: &str, timeout: Duration) -> Invocation {
    Invocation {
        request_id: "0f0e0d0c-0b0a-4909-8807-060504030201".to_owned(),
        function_arn: "arn:aws:lambda:us-east-1:000000000000:function:f".to_owned(),
        runtime,
        code_dir,
        environment: vec![("_HANDLER".to_owned(), handler.to_owned()), ("GREETING".to_owned(), "hello".to_owned())],
        payload: br#"{"name":"world"}"#.to_vec(),
        timeout,
        sandbox_key: format!("{handler}-{}", code_dir_label(runtime)),
        log_stream: "2026/01/01/[$LATEST]0123".to_owned(),
    }
}

fn code_dir_label(runtime: RuntimeKind) -> &'static str {
    match runtime {
        RuntimeKind::Python => "python",
        RuntimeKind::Provided => "provided",
    }
}

const HANDLERS: &str = r#"
import os, time
calls = 0
def count(event, context):
    global calls
    calls += 1
    return calls
def greet(event, context):
    print("greeting", event["name"])
    return {"message": os.environ["GREETING"] + " " + event["name"], "remaining": context.get_remaining_time_in_millis() > 0}
def fail(event, context):
    raise ValueError("no such user")
def slow(event, context):
    time.sleep(30)
"#;

#[tokio::test]
async fn python_handlers_answer_fail_and_time_out() {
    let code = scratch("python-code");
    std::fs::write(code.join("app.py"), HANDLERS).unwrap();
    let runner = runner("python");

    let outcome = runner.invoke(invocation(RuntimeKind::Python, code.clone(), "app.greet", Duration::from_secs(10))).await;
    let Completion::Response(body) = &outcome.completion else { panic!("{outcome:?}") };
    let body: serde_json::Value = serde_json::from_slice(body).unwrap();
    assert_eq!(body, serde_json::json!({"message": "hello world", "remaining": true}));
    assert!(outcome.output.iter().any(|line| line.text == "greeting world\n"), "{:?}", outcome.output);

    let first = runner.invoke(invocation(RuntimeKind::Python, code.clone(), "app.count", Duration::from_secs(10))).await;
    let second = runner.invoke(invocation(RuntimeKind::Python, code.clone(), "app.count", Duration::from_secs(10))).await;
    assert!(first.cold && !second.cold, "{first:?} {second:?}");
    assert!(matches!(&second.completion, Completion::Response(body) if body == b"2"), "a warm environment keeps its module state: {second:?}");

    let outcome = runner.invoke(invocation(RuntimeKind::Python, code.clone(), "app.fail", Duration::from_secs(10))).await;
    let Completion::HandlerError(body) = &outcome.completion else { panic!("{outcome:?}") };
    let error: serde_json::Value = serde_json::from_slice(body).unwrap();
    assert_eq!(error["errorType"], "ValueError");
    assert_eq!(error["errorMessage"], "no such user");
    assert!(error["stackTrace"][0].as_str().unwrap().contains("in fail"), "{error}");

    let outcome = runner.invoke(invocation(RuntimeKind::Python, code.clone(), "missing.handler", Duration::from_secs(10))).await;
    let Completion::InitError(body) = &outcome.completion else { panic!("{outcome:?}") };
    assert!(String::from_utf8_lossy(body).contains("Runtime.ImportModuleError"));

    let outcome = runner.invoke(invocation(RuntimeKind::Python, code, "app.slow", Duration::from_secs(1))).await;
    assert!(matches!(outcome.completion, Completion::TimedOut), "{outcome:?}");
    assert!(outcome.duration < Duration::from_secs(3), "{:?}", outcome.duration);
}

#[tokio::test]
async fn a_custom_runtime_bootstrap_speaks_the_runtime_api() {
    let code = scratch("provided-code");
    let bootstrap = code.join("bootstrap");
    std::fs::write(
        &bootstrap,
        r#"#!/bin/sh
set -e
api="http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime"
headers=$(mktemp)
event=$(curl -sS -D "$headers" "$api/invocation/next")
id=$(grep -i '^lambda-runtime-aws-request-id:' "$headers" | cut -d' ' -f2 | tr -d '\r')
echo "handling $id"
curl -sS -X POST -d "{\"echo\":$event}" "$api/invocation/$id/response" >/dev/null
"#,
    )
    .unwrap();
    std::fs::set_permissions(&bootstrap, std::fs::Permissions::from_mode(0o755)).unwrap();
    let runner = runner("provided");
    let outcome = runner.invoke(invocation(RuntimeKind::Provided, code, "unused", Duration::from_secs(10))).await;
    let Completion::Response(body) = &outcome.completion else { panic!("{outcome:?}") };
    assert_eq!(String::from_utf8_lossy(body), r#"{"echo":{"name":"world"}}"#);
    assert!(outcome.output.iter().any(|l| l.text.starts_with("handling 0f0e0d0c")), "{:?}", outcome.output);
}
