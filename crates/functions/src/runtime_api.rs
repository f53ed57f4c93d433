//! The Lambda Runtime API of one execution environment, on a loopback port of its own: the
//! function's runtime (Palisade's Python client or a custom `bootstrap`) fetches each event from
//! `/invocation/next` and posts that invocation's response or error.

use std::{
    convert::Infallible,
    net::SocketAddr,
    sync::{Arc, Mutex},
};

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::{body::Incoming, server::conn::http1, service::service_fn, Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::{net::TcpListener, sync::mpsc, task::JoinHandle};

/// AWS's limit on a synchronous invocation's response (and error) payload.
pub const MAX_RESPONSE_BYTES: usize = 6_291_556;

const PREFIX: &str = "/2018-06-01/runtime";

/// What the runtime reported.
#[derive(Debug)]
pub enum RuntimeReport {
    Response(Bytes),
    /// An error the handler raised, AWS's JSON error document.
    Error(Bytes),
    /// The runtime could not start the handler (an import error, a missing handler).
    InitError(Bytes),
    /// The response or error was larger than [`MAX_RESPONSE_BYTES`].
    TooLarge,
}

/// The event the runtime fetches, with the headers the Runtime API sends along.
pub struct Event {
    pub request_id: String,
    pub deadline_ms: u64,
    pub function_arn: String,
    pub payload: Bytes,
}

struct Exchange {
    events: tokio::sync::Mutex<mpsc::UnboundedReceiver<Event>>,
    /// The invocation being run, until its runtime reports.
    current: Mutex<Option<String>>,
    reports: mpsc::UnboundedSender<RuntimeReport>,
}

/// A running Runtime API endpoint; dropping it stops serving.
pub struct RuntimeApi {
    pub address: SocketAddr,
    events: mpsc::UnboundedSender<Event>,
    server: JoinHandle<()>,
}

impl Drop for RuntimeApi {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl RuntimeApi {
    /// Serves events on a fresh loopback port; the receiver gets the runtime's reports.
    pub async fn start() -> std::io::Result<(RuntimeApi, mpsc::UnboundedReceiver<RuntimeReport>)> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let address = listener.local_addr()?;
        let (events, queued) = mpsc::unbounded_channel();
        let (reports, reported) = mpsc::unbounded_channel();
        let exchange = Arc::new(Exchange { events: tokio::sync::Mutex::new(queued), current: Mutex::new(None), reports });
        let server = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let exchange = exchange.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |request| handle(exchange.clone(), request));
                    // A runtime that hangs up mid-request only ends its own connection.
                    let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
                });
            }
        });
        Ok((RuntimeApi { address, events, server }, reported))
    }

    /// Hands `event` to the runtime's next `/invocation/next`.
    pub fn deliver(&self, event: Event) {
        // The server task owns the receiver for as long as `self` lives.
        let _ = self.events.send(event);
    }
}

fn reply(status: StatusCode, body: &str) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body.to_owned())));
    *response.status_mut() = status;
    response.headers_mut().insert("content-type", "application/json".parse().expect("a valid header value"));
    response
}

async fn handle(exchange: Arc<Exchange>, request: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let path = request.uri().path().strip_prefix(PREFIX).unwrap_or("").to_owned();
    let method = request.method().clone();
    if method == Method::GET && path == "/invocation/next" {
        let event = exchange.events.lock().await.recv().await;
        let Some(event) = event else {
            // No more events: the runtime waits until its process is stopped.
            std::future::pending::<()>().await;
            unreachable!("a pending future never completes");
        };
        *exchange.current.lock().expect("the exchange lock is never poisoned") = Some(event.request_id.clone());
        let trace = trace_id(&event.request_id);
        let mut response = Response::new(Full::new(event.payload));
        let headers = response.headers_mut();
        let pairs = [
            ("lambda-runtime-aws-request-id", event.request_id),
            ("lambda-runtime-deadline-ms", event.deadline_ms.to_string()),
            ("lambda-runtime-invoked-function-arn", event.function_arn),
            ("lambda-runtime-trace-id", trace),
            ("content-type", "application/json".to_owned()),
        ];
        for (name, value) in pairs {
            if let Ok(value) = value.parse() {
                headers.insert(name, value);
            }
        }
        return Ok(response);
    }
    if method != Method::POST {
        return Ok(reply(StatusCode::NOT_FOUND, r#"{"errorMessage":"Unknown Runtime API path","errorType":"InvalidPath"}"#));
    }
    let kind = if path == "/init/error" {
        Kind::InitError
    } else if let Some(rest) = path.strip_prefix("/invocation/") {
        let (id, action) = rest.split_once('/').unwrap_or((rest, ""));
        let current = exchange.current.lock().expect("the exchange lock is never poisoned").clone();
        if current.as_deref() != Some(id) {
            return Ok(reply(StatusCode::BAD_REQUEST, r#"{"errorMessage":"Invalid request ID","errorType":"InvalidRequestID"}"#));
        }
        match action {
            "response" => Kind::Response,
            "error" => Kind::Error,
            _ => return Ok(reply(StatusCode::NOT_FOUND, r#"{"errorMessage":"Unknown Runtime API path","errorType":"InvalidPath"}"#)),
        }
    } else {
        return Ok(reply(StatusCode::NOT_FOUND, r#"{"errorMessage":"Unknown Runtime API path","errorType":"InvalidPath"}"#));
    };
    let body = match Limited::new(request.into_body(), MAX_RESPONSE_BYTES).collect().await {
        Ok(collected) => Some(collected.to_bytes()),
        Err(_) => None,
    };
    let report = match (&kind, body) {
        (_, None) => RuntimeReport::TooLarge,
        (Kind::Response, Some(body)) => RuntimeReport::Response(body),
        (Kind::Error, Some(body)) => RuntimeReport::Error(body),
        (Kind::InitError, Some(body)) => RuntimeReport::InitError(body),
    };
    if let Kind::Response | Kind::Error = kind {
        // One report per invocation: a second one for the same request id is refused.
        let answered = exchange.current.lock().expect("the exchange lock is never poisoned").take();
        if answered.is_none() {
            return Ok(reply(
                StatusCode::BAD_REQUEST,
                r#"{"errorMessage":"The invocation has already been answered","errorType":"InvalidStateTransition"}"#,
            ));
        }
    }
    // The invoker may have given up (timeout) already; the report is then moot.
    let _ = exchange.reports.send(report);
    Ok(reply(StatusCode::ACCEPTED, r#"{"status":"OK"}"#))
}

/// An X-Ray style trace id derived from the request id (Palisade does no tracing).
fn trace_id(request_id: &str) -> String {
    let digits: String = request_id.chars().filter(char::is_ascii_hexdigit).take(24).collect();
    format!("Root=1-00000000-{digits:0>24};Sampled=0")
}

enum Kind {
    Response,
    Error,
    InitError,
}
