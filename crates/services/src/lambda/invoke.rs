//! Invoke: runs the function (RequestResponse waits for it, Event runs it in the background,
//! DryRun only checks), writes its output to CloudWatch Logs `/aws/lambda/<name>` with the
//! START/END/REPORT lines Lambda writes, and answers with AWS's payloads for handler errors,
//! crashes and timeouts.

use std::{sync::Arc, time::Duration};

use base64::Engine as _;
use functions::{Completion, Invocation, Outcome};
use gateway::{Reply, RequestContext};
use serde_json::{json, Value};
use wire::ApiError;

use super::{
    builtin, error,
    functions::runtime_kind,
    records::{self, FunctionRef, StoredFunction},
    store_error, Engine,
};
use crate::{
    input::{required, text},
    logs::{self, LogEvent},
};

/// AWS's limit on a synchronous invocation's request payload.
const MAX_REQUEST_BYTES: usize = 6_291_456;
/// `LogType: Tail` returns the last 4 KB of the invocation's log.
const LOG_TAIL_BYTES: usize = 4096;

pub async fn invoke(engine: &Arc<Engine>, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let mut reference = FunctionRef::parse(required(&input, "FunctionName")?, ctx.account(), &ctx.region)?;
    if let Some(qualifier) = text(&input, "Qualifier") {
        reference.qualifier = Some(qualifier.to_owned());
    }
    let function = {
        let mut tx = engine.store.begin().await.map_err(store_error)?;
        records::load(&mut tx, &reference).await?
    };
    let payload = match text(&input, "Payload") {
        Some(encoded) => base64::engine::general_purpose::STANDARD.decode(encoded).map_err(|e| ApiError::internal(e.to_string()))?,
        None => Vec::new(),
    };
    if payload.len() > MAX_REQUEST_BYTES {
        return Err(error("RequestTooLargeException", format!("Request must be smaller than {MAX_REQUEST_BYTES} bytes for the InvokeFunction operation")));
    }
    let payload = if payload.iter().all(u8::is_ascii_whitespace) { b"{}".to_vec() } else { payload };
    if let Err(e) = serde_json::from_slice::<Value>(&payload) {
        return Err(error("InvalidRequestContentException", format!("Could not parse request body into json: Could not parse payload into json: {e}")));
    }
    let arn = function.arn();
    match text(&input, "InvocationType").unwrap_or("RequestResponse") {
        "DryRun" => Ok(Reply::new(json!({ "StatusCode": 204 })).resource("AWS::Lambda::Function", arn)),
        "Event" => {
            let (engine, ctx) = (engine.clone(), ctx.clone());
            tokio::spawn(async move {
                if let Err(e) = run(&engine, &ctx, &function, payload).await {
                    tracing::warn!(function = %function.arn(), error = %e.message, "an Event invocation could not run");
                }
            });
            Ok(Reply::new(json!({ "StatusCode": 202 })).resource("AWS::Lambda::Function", arn))
        }
        _ => {
            let result = run(engine, ctx, &function, payload).await?;
            let mut output = json!({
                "StatusCode": 200,
                "Payload": base64::engine::general_purpose::STANDARD.encode(&result.payload),
                "ExecutedVersion": "$LATEST",
            });
            if result.failed {
                output["FunctionError"] = json!("Unhandled");
            }
            if text(&input, "LogType") == Some("Tail") {
                output["LogResult"] = json!(base64::engine::general_purpose::STANDARD.encode(tail(&result.log)));
            }
            Ok(Reply::new(output).resource("AWS::Lambda::Function", arn))
        }
    }
}

/// What an invocation answered and logged.
struct InvocationResult {
    payload: Vec<u8>,
    failed: bool,
    log: String,
}

async fn run(engine: &Engine, ctx: &RequestContext, function: &StoredFunction, payload: Vec<u8>) -> Result<InvocationResult, ApiError> {
    let request_id = gateway::pipeline::new_request_id();
    let credentials = engine.credentials_for(ctx, function).await?;
    let code_dir = engine.code_dir(function).await?;
    let runtime = runtime_kind(&function.runtime).ok_or_else(|| ApiError::internal(format!("{} has no runnable runtime", function.name)))?;
    let log_stream = log_stream_name(ctx.time, &request_id);
    let mut environment: Vec<(String, String)> = vec![("AWS_ENDPOINT_URL".to_owned(), engine.endpoint.clone())];
    environment.extend(function.environment.iter().map(|(k, v)| (k.clone(), v.clone())));
    environment.extend(
        [
            ("_HANDLER", function.handler.clone()),
            ("AWS_REGION", function.region.clone()),
            ("AWS_DEFAULT_REGION", function.region.clone()),
            ("AWS_EXECUTION_ENV", format!("AWS_Lambda_{}", function.runtime)),
            ("AWS_LAMBDA_FUNCTION_NAME", function.name.clone()),
            ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", function.memory_size.to_string()),
            ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST".to_owned()),
            ("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand".to_owned()),
            ("AWS_LAMBDA_LOG_GROUP_NAME", function.log_group()),
            ("AWS_ACCESS_KEY_ID", credentials.access_key_id.clone()),
            ("AWS_SECRET_ACCESS_KEY", credentials.secret_access_key),
            ("AWS_SESSION_TOKEN", credentials.session_token),
            ("TZ", ":UTC".to_owned()),
            ("LANG", "en_US.UTF-8".to_owned()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v)),
    );
    let outcome = engine
        .runner
        .invoke(Invocation {
            request_id: request_id.clone(),
            function_arn: function.arn(),
            runtime,
            code_dir,
            environment,
            payload,
            timeout: Duration::from_secs(function.timeout),
            // A warm environment serves the same function, configuration, code and session.
            sandbox_key: format!("{}\n{}\n{}\n{}", function.arn(), function.revision_id, function.code_sha256, credentials.access_key_id),
            log_stream,
        })
        .await;
    if let Completion::SpawnFailed(why) = &outcome.completion {
        tracing::error!(function = %function.arn(), "the function could not be started: {why}");
    }
    let (payload, failed) = response_of(&outcome, &request_id, function.timeout);
    let events = log_events(ctx, function, &request_id, &outcome);
    let log: String = events.iter().map(|e| e.message.as_str()).collect();
    write_log(engine, ctx, function, &outcome.log_stream, &events).await?;
    Ok(InvocationResult { payload, failed, log })
}

/// The payload Invoke returns, and whether it is a function error.
fn response_of(outcome: &Outcome, request_id: &str, timeout: u64) -> (Vec<u8>, bool) {
    let error = |error_type: &str, message: String| json!({ "errorType": error_type, "errorMessage": message }).to_string().into_bytes();
    match &outcome.completion {
        Completion::Response(body) => (body.clone(), false),
        Completion::HandlerError(body) | Completion::InitError(body) => (body.clone(), true),
        Completion::TimedOut => (error("Sandbox.Timedout", format!("RequestId: {request_id} Error: Task timed out after {timeout}.00 seconds")), true),
        Completion::Exited(status) => (error("Runtime.ExitError", format!("RequestId: {request_id} Error: Runtime exited with error: {status}")), true),
        Completion::ResponseTooLarge => (
            error(
                "Function.ResponseSizeTooLarge",
                format!("Response payload size exceeded maximum allowed payload size ({} bytes).", functions::MAX_RESPONSE_BYTES),
            ),
            true,
        ),
        Completion::SpawnFailed(why) => (error("Runtime.InvalidEntrypoint", format!("RequestId: {request_id} Error: {why}")), true),
    }
}

/// `2024/01/31/[$LATEST]` and 32 hex digits: the stream of a new execution environment.
fn log_stream_name(time: f64, request_id: &str) -> String {
    let date = wire::timestamp::format_iso8601(time.floor());
    let id: String = request_id.chars().filter(char::is_ascii_hexdigit).collect();
    format!("{}/{}/{}/[$LATEST]{id}", &date[0..4], &date[5..7], &date[8..10])
}

fn log_events(ctx: &RequestContext, function: &StoredFunction, request_id: &str, outcome: &Outcome) -> Vec<LogEvent> {
    let start = logs_millis(ctx.time);
    let end = start + outcome.duration.as_millis() as i64;
    let mut events = vec![LogEvent { timestamp: start, message: format!("START RequestId: {request_id} Version: $LATEST\n") }];
    for line in &outcome.output {
        let mut message = line.text.clone();
        if !message.ends_with('\n') {
            message.push('\n');
        }
        events.push(LogEvent { timestamp: start + line.elapsed.as_millis() as i64, message });
    }
    let mut status = String::new();
    match &outcome.completion {
        Completion::TimedOut => {
            let at = wire::timestamp::format_iso8601_millis(end as f64 / 1000.0);
            events.push(LogEvent { timestamp: end, message: format!("{at} {request_id} Task timed out after {}.00 seconds\n", function.timeout) });
            status = "\tStatus: timeout".to_owned();
        }
        Completion::Exited(_) | Completion::SpawnFailed(_) => status = "\tStatus: error\tError Type: Runtime.ExitError".to_owned(),
        _ => {}
    }
    let duration_ms = outcome.duration.as_secs_f64() * 1000.0;
    let used_mb = outcome.max_memory_kib.map_or(0, |kib| kib.div_ceil(1024));
    events.push(LogEvent { timestamp: end, message: format!("END RequestId: {request_id}\n") });
    events.push(LogEvent {
        timestamp: end,
        message: format!(
            "REPORT RequestId: {request_id}\tDuration: {duration_ms:.2} ms\tBilled Duration: {} ms\tMemory Size: {} MB\tMax Memory Used: {used_mb} MB{status}\t\n",
            duration_ms.ceil() as u64,
            function.memory_size,
        ),
    });
    events
}

fn logs_millis(time: f64) -> i64 {
    (time * 1000.0).floor() as i64
}

async fn write_log(engine: &Engine, ctx: &RequestContext, function: &StoredFunction, stream: &str, events: &[LogEvent]) -> Result<(), ApiError> {
    let group = function.log_group();
    let now = logs_millis(ctx.time);
    let mut tx = engine.store.begin().await.map_err(store_error)?;
    logs::create_group_if_missing(&mut tx, &function.account, &function.region, &group, now).await?;
    tx.commit().await.map_err(store_error)?;
    logs::append(&engine.store, &function.account, &function.region, &group, stream, events, now).await
}

/// The last 4 KB of the log, starting at a character boundary.
fn tail(log: &str) -> &str {
    let mut start = log.len().saturating_sub(LOG_TAIL_BYTES);
    while !log.is_char_boundary(start) {
        start += 1;
    }
    &log[start..]
}

impl Engine {
    /// The unpacked code of `function`, unpacking it from the store on first use.
    async fn code_dir(&self, function: &StoredFunction) -> Result<std::path::PathBuf, ApiError> {
        if function.builtin {
            let files: [(&str, &[u8]); 1] = [(builtin::ROTATION_MODULE, builtin::ROTATION_SOURCE.as_bytes())];
            return self.runner.install_files(&function.code_sha256, &files).map_err(|e| ApiError::internal(format!("cannot write the built-in function's code: {e}")));
        }
        if let Some(dir) = self.runner.code_dir(&function.code_sha256) {
            return Ok(dir);
        }
        let zip = {
            let mut tx = self.store.begin().await.map_err(store_error)?;
            records::load_code(&mut tx, function).await?
        };
        self.runner.install_code(&function.code_sha256, &zip).map_err(|e| ApiError::internal(format!("cannot unpack the code of {}: {e}", function.name)))
    }
}
