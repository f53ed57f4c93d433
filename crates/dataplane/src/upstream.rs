//! Forwarding to targets over HTTP/1.1, with idle connections kept per target for reuse.

use std::{collections::HashMap, net::SocketAddr, sync::Mutex, time::Duration};

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::{BodyExt, Full, Limited};
use hyper::client::conn::http1::{self, SendRequest};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

/// How long a target may take to accept a connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// An ALB's default idle timeout: how long a target may take to answer.
const RESPONSE_TIMEOUT: Duration = Duration::from_secs(60);
/// Idle connections kept per target.
const MAX_IDLE_PER_TARGET: usize = 64;
/// The largest response body relayed.
const MAX_RESPONSE_BYTES: usize = 64 * 1024 * 1024;

/// Why a target gave no response: the load balancer answers 502 or 504.
#[derive(Debug)]
pub enum UpstreamError {
    Unreachable,
    TimedOut,
    Malformed,
}

#[derive(Default)]
pub struct Upstreams {
    idle: Mutex<HashMap<SocketAddr, Vec<SendRequest<Full<Bytes>>>>>,
}

impl Upstreams {
    /// Sends `request` to `target` and reads the whole response.
    pub async fn send(&self, target: SocketAddr, request: Request<Full<Bytes>>) -> Result<Response<Bytes>, UpstreamError> {
        let mut sender = match self.idle_connection(target) {
            Some(sender) => sender,
            None => connect(target).await?,
        };
        let exchange = async {
            let response = sender.send_request(request).await.map_err(|_| UpstreamError::Unreachable)?;
            let (parts, body) = response.into_parts();
            let body = Limited::new(body, MAX_RESPONSE_BYTES).collect().await.map_err(|_| UpstreamError::Malformed)?.to_bytes();
            Ok::<_, UpstreamError>(Response::from_parts(parts, body))
        };
        let response = tokio::time::timeout(RESPONSE_TIMEOUT, exchange).await.map_err(|_| UpstreamError::TimedOut)??;
        self.keep(target, sender);
        Ok(response)
    }

    fn idle_connection(&self, target: SocketAddr) -> Option<SendRequest<Full<Bytes>>> {
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        let connections = idle.get_mut(&target)?;
        while let Some(sender) = connections.pop() {
            if sender.is_ready() {
                return Some(sender);
            }
        }
        None
    }

    fn keep(&self, target: SocketAddr, sender: SendRequest<Full<Bytes>>) {
        if sender.is_closed() {
            return;
        }
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        let connections = idle.entry(target).or_default();
        if connections.len() < MAX_IDLE_PER_TARGET {
            connections.push(sender);
        }
    }
}

async fn connect(target: SocketAddr) -> Result<SendRequest<Full<Bytes>>, UpstreamError> {
    let stream = tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect(target))
        .await
        .map_err(|_| UpstreamError::TimedOut)?
        .map_err(|_| UpstreamError::Unreachable)?;
    let _ = stream.set_nodelay(true);
    let (sender, connection) = http1::handshake(TokioIo::new(stream)).await.map_err(|_| UpstreamError::Unreachable)?;
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::debug!(error = %e, "target connection ended with an error");
        }
    });
    Ok(sender)
}
