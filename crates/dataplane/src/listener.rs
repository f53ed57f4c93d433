//! One listener: a port on the host, its accept loop, and what it does with each request.

use std::{
    collections::HashMap,
    convert::Infallible,
    io,
    net::SocketAddr,
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc, RwLock,
    },
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use bytes::Bytes;
use http::{header, HeaderName, HeaderValue, Request, Response, StatusCode, Version};
use http_body_util::{BodyExt, Full, Limited};
use hyper::{body::Incoming, server::conn::http1, service::service_fn};
use hyper_util::rt::TokioIo;
use tokio::{net::TcpListener, task::JoinHandle};
use tokio_rustls::TlsAcceptor;

use crate::{
    filter::{Decision, Inbound, RequestFilter},
    upstream::{UpstreamError, Upstreams},
    ListenerAction, ListenerConfig,
};

/// The largest request body a listener buffers.
const MAX_REQUEST_BYTES: usize = 64 * 1024 * 1024;
/// How long to wait for a just-closed listener's port to be released.
const REBIND_ATTEMPTS: u32 = 40;
const REBIND_PAUSE: Duration = Duration::from_millis(25);

/// Headers that belong to one connection and are not forwarded.
const HOP_BY_HOP: &[&str] = &["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te", "trailer"];

type Filters = Arc<RwLock<HashMap<String, Arc<dyn RequestFilter>>>>;

/// What every request of a listener shares.
struct Shared {
    config: RwLock<Arc<ListenerConfig>>,
    filters: Filters,
    upstreams: Arc<Upstreams>,
    next_target: AtomicUsize,
}

/// A bound listener; dropping it stops accepting connections.
pub struct RunningListener {
    port: u16,
    shared: Arc<Shared>,
    accept: JoinHandle<()>,
}

impl Drop for RunningListener {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

impl RunningListener {
    pub async fn bind(host: &str, config: ListenerConfig, filters: Filters, upstreams: Arc<Upstreams>) -> io::Result<RunningListener> {
        let port = config.port;
        let listener = bind_port(host, port).await?;
        let shared = Arc::new(Shared { config: RwLock::new(Arc::new(config)), filters, upstreams, next_target: AtomicUsize::new(0) });
        let accept = tokio::spawn(accept_loop(listener, shared.clone()));
        Ok(RunningListener { port, shared, accept })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn reconfigure(&self, config: ListenerConfig) {
        *self.shared.config.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(config);
    }
}

/// Binds the port, waiting briefly when a listener closed just before still holds it.
async fn bind_port(host: &str, port: u16) -> io::Result<TcpListener> {
    let mut attempt = 0;
    loop {
        match TcpListener::bind((host, port)).await {
            Err(e) if e.kind() == io::ErrorKind::AddrInUse && attempt < REBIND_ATTEMPTS => {
                attempt += 1;
                tokio::time::sleep(REBIND_PAUSE).await;
            }
            result => return result,
        }
    }
}

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    loop {
        let (stream, remote) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                tracing::warn!(error = %e, "listener accept failed");
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let shared = shared.clone();
        tokio::spawn(async move {
            let tls = shared.config.read().unwrap_or_else(|e| e.into_inner()).tls.clone();
            let service = {
                let shared = shared.clone();
                service_fn(move |request| {
                    let shared = shared.clone();
                    async move { Ok::<_, Infallible>(handle(&shared, request, remote).await) }
                })
            };
            let result = match tls {
                Some(tls) => match TlsAcceptor::from(tls).accept(stream).await {
                    Ok(stream) => http1::Builder::new().serve_connection(TokioIo::new(stream), service).await,
                    Err(e) => {
                        tracing::debug!(error = %e, "listener TLS handshake failed");
                        return;
                    }
                },
                None => http1::Builder::new().serve_connection(TokioIo::new(stream), service).await,
            };
            if let Err(e) = result {
                tracing::debug!(error = %e, "listener connection ended with an error");
            }
        });
    }
}

async fn handle(shared: &Shared, request: Request<Incoming>, remote: SocketAddr) -> Response<Full<Bytes>> {
    let config = shared.config.read().unwrap_or_else(|e| e.into_inner()).clone();
    let (mut parts, body) = request.into_parts();
    let body = match Limited::new(body, MAX_REQUEST_BYTES).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => return load_balancer_page(StatusCode::PAYLOAD_TOO_LARGE),
    };
    let filter = shared.filters.read().unwrap_or_else(|e| e.into_inner()).get(&config.load_balancer_arn).cloned();
    if let Some(filter) = filter {
        let headers: Vec<(&str, &[u8])> = parts.headers.iter().map(|(n, v)| (n.as_str(), v.as_bytes())).collect();
        let inbound = Inbound {
            method: parts.method.as_str(),
            path: parts.uri.path(),
            query: parts.uri.query().unwrap_or(""),
            http_version: version_name(parts.version),
            headers: &headers,
            body: &body,
            client_ip: remote.ip(),
            listener_port: config.port,
            load_balancer_arn: &config.load_balancer_arn,
        };
        match filter.decide(&inbound) {
            Decision::Forward { inserted_headers } => {
                for (name, value) in inserted_headers {
                    if let (Ok(name), Ok(value)) = (HeaderName::try_from(name), HeaderValue::try_from(value)) {
                        parts.headers.append(name, value);
                    }
                }
            }
            Decision::Block => return load_balancer_page(StatusCode::FORBIDDEN),
            Decision::Respond { status, headers, body } => return custom_response(status, &headers, body),
        }
    }
    match &config.action {
        ListenerAction::FixedResponse { status, content_type, body } => {
            let headers: Vec<(String, String)> = content_type.iter().map(|c| ("content-type".to_owned(), c.clone())).collect();
            custom_response(*status, &headers, body.clone())
        }
        ListenerAction::Forward(targets) => {
            let Some(target) = pick_target(targets, &shared.next_target) else {
                return load_balancer_page(StatusCode::SERVICE_UNAVAILABLE);
            };
            forward(shared, target, parts, body, remote, &config).await
        }
    }
}

/// The next target in weighted round-robin order.
fn pick_target(targets: &[crate::Target], counter: &AtomicUsize) -> Option<SocketAddr> {
    let total: usize = targets.iter().map(|t| t.weight as usize).sum();
    if total == 0 {
        return targets.first().map(|t| t.address);
    }
    let mut slot = counter.fetch_add(1, Ordering::Relaxed) % total;
    for target in targets {
        if slot < target.weight as usize {
            return Some(target.address);
        }
        slot -= target.weight as usize;
    }
    None
}

async fn forward(
    shared: &Shared,
    target: SocketAddr,
    mut parts: http::request::Parts,
    body: Bytes,
    remote: SocketAddr,
    config: &ListenerConfig,
) -> Response<Full<Bytes>> {
    for name in HOP_BY_HOP {
        parts.headers.remove(*name);
    }
    let forwarded_for = match parts.headers.get("x-forwarded-for").and_then(|v| v.to_str().ok()) {
        Some(earlier) => format!("{earlier}, {}", remote.ip()),
        None => remote.ip().to_string(),
    };
    let headers = &mut parts.headers;
    if let Ok(value) = HeaderValue::try_from(forwarded_for) {
        headers.insert("x-forwarded-for", value);
    }
    headers.insert("x-forwarded-proto", HeaderValue::from_static(if config.tls.is_some() { "https" } else { "http" }));
    headers.insert("x-forwarded-port", HeaderValue::from(config.port));
    if !headers.contains_key("x-amzn-trace-id") {
        if let Ok(value) = HeaderValue::try_from(trace_id()) {
            headers.insert("x-amzn-trace-id", value);
        }
    }
    parts.version = Version::HTTP_11;
    let path_and_query = parts.uri.path_and_query().map_or("/", |p| p.as_str()).to_owned();
    parts.uri = match path_and_query.parse() {
        Ok(uri) => uri,
        Err(_) => return load_balancer_page(StatusCode::BAD_REQUEST),
    };
    let request = Request::from_parts(parts, Full::new(body));
    match shared.upstreams.send(target, request).await {
        Ok(response) => {
            let (mut parts, body) = response.into_parts();
            for name in HOP_BY_HOP {
                parts.headers.remove(*name);
            }
            parts.headers.remove(header::CONTENT_LENGTH);
            Response::from_parts(parts, Full::new(body))
        }
        Err(UpstreamError::TimedOut) => load_balancer_page(StatusCode::GATEWAY_TIMEOUT),
        Err(UpstreamError::Unreachable | UpstreamError::Malformed) => load_balancer_page(StatusCode::BAD_GATEWAY),
    }
}

/// `Root=1-<epoch seconds in hex>-<96 random bits in hex>`, the form ALB gives requests.
fn trace_id() -> String {
    let seconds = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let mut random = [0u8; 12];
    rand::fill(&mut random);
    let hex: String = random.iter().map(|b| format!("{b:02x}")).collect();
    format!("Root=1-{seconds:08x}-{hex}")
}

fn version_name(version: Version) -> &'static str {
    match version {
        Version::HTTP_10 => "HTTP/1.0",
        Version::HTTP_2 => "HTTP/2.0",
        _ => "HTTP/1.1",
    }
}

fn custom_response(status: u16, headers: &[(String, String)], body: String) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    for (name, value) in headers {
        if let (Ok(name), Ok(value)) = (HeaderName::try_from(name.as_str()), HeaderValue::try_from(value.as_str())) {
            response.headers_mut().append(name, value);
        }
    }
    response
}

/// The load balancer's own answer for `status`, the page an ALB sends (`403 Forbidden` when its
/// web ACL blocks a request, `502 Bad Gateway` when a target fails).
fn load_balancer_page(status: StatusCode) -> Response<Full<Bytes>> {
    let title = format!("{} {}", status.as_u16(), status.canonical_reason().unwrap_or(""));
    let body = format!("<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}</h1></center>\r\n</body>\r\n</html>\r\n");
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
    response.headers_mut().insert(header::SERVER, HeaderValue::from_static("awselb/2.0"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Target;

    #[test]
    fn targets_take_turns_by_weight() {
        let a: SocketAddr = "127.0.0.1:1".parse().unwrap();
        let b: SocketAddr = "127.0.0.1:2".parse().unwrap();
        let targets = [Target { address: a, weight: 2 }, Target { address: b, weight: 1 }];
        let counter = AtomicUsize::new(0);
        let picks: Vec<SocketAddr> = (0..6).filter_map(|_| pick_target(&targets, &counter)).collect();
        assert_eq!(picks, vec![a, a, b, a, a, b]);
        assert_eq!(pick_target(&[], &counter), None);
    }
}
