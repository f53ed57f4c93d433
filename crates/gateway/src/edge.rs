//! The one HTTP listener: plain HTTP and TLS on the same port (a TLS handshake is recognised by
//! its first byte), admin endpoints under `/_palisade/`, every other request into the pipeline.

use std::{convert::Infallible, net::SocketAddr, sync::Arc};

use bytes::Bytes;
use http::{HeaderName, HeaderValue, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper::{body::Incoming, server::conn::http1, service::service_fn};
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;

use crate::{
    admin,
    pipeline::{Answer, Connection, Gateway, MAX_BODY_BYTES},
};

/// The first byte of a TLS ClientHello record.
const TLS_HANDSHAKE: u8 = 0x16;

/// Accepts connections until the task is dropped.
pub async fn serve(gateway: Arc<Gateway>, listener: TcpListener, tls: Arc<rustls::ServerConfig>) {
    let acceptor = TlsAcceptor::from(tls);
    loop {
        let (stream, remote) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                tracing::warn!(error = %e, "accept failed");
                continue;
            }
        };
        let gateway = gateway.clone();
        let acceptor = acceptor.clone();
        tokio::spawn(async move { serve_connection(gateway, stream, remote, acceptor).await });
    }
}

async fn serve_connection(gateway: Arc<Gateway>, stream: TcpStream, remote: SocketAddr, acceptor: TlsAcceptor) {
    let _ = stream.set_nodelay(true);
    let mut first = [0u8; 1];
    let is_tls = matches!(stream.peek(&mut first).await, Ok(1) if first[0] == TLS_HANDSHAKE);
    let service = move |connection: Connection| {
        service_fn(move |request| {
            let gateway = gateway.clone();
            async move { Ok::<_, Infallible>(respond(&gateway, request, connection).await) }
        })
    };
    let result = if is_tls {
        match acceptor.accept(stream).await {
            Ok(tls_stream) => {
                let version = tls_stream.get_ref().1.protocol_version().map(tls_version_name);
                let connection = Connection { remote, tls: Some(version.unwrap_or("TLS")) };
                http1::Builder::new().serve_connection(TokioIo::new(tls_stream), service(connection)).await
            }
            Err(e) => {
                tracing::debug!(error = %e, "TLS handshake failed");
                return;
            }
        }
    } else {
        let connection = Connection { remote, tls: None };
        http1::Builder::new().serve_connection(TokioIo::new(stream), service(connection)).await
    };
    if let Err(e) = result {
        tracing::debug!(error = %e, "connection ended with an error");
    }
}

async fn respond(gateway: &Gateway, request: Request<Incoming>, connection: Connection) -> Response<Full<Bytes>> {
    let (parts, body) = request.into_parts();
    let body = match Limited::new(body, MAX_BODY_BYTES).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => return plain(StatusCode::PAYLOAD_TOO_LARGE, "request body too large or interrupted"),
    };
    let path = parts.uri.path();
    if admin::is_admin_path(path) {
        return admin::handle(gateway, &parts.method, path, &body).await;
    }
    let answer = gateway
        .handle(
            wire::HttpRequest {
                method: parts.method.as_str(),
                path,
                query: parts.uri.query().unwrap_or(""),
                headers: &parts.headers,
                body: &body,
            },
            connection,
        )
        .await;
    to_response(answer)
}

/// CloudTrail's names for TLS versions.
fn tls_version_name(version: rustls::ProtocolVersion) -> &'static str {
    match version {
        rustls::ProtocolVersion::TLSv1_3 => "TLSv1.3",
        rustls::ProtocolVersion::TLSv1_2 => "TLSv1.2",
        _ => "TLS",
    }
}

pub fn to_response(answer: Answer) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(answer.body)));
    *response.status_mut() = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let headers = response.headers_mut();
    for (name, value) in answer.headers {
        if let (Ok(name), Ok(value)) = (HeaderName::try_from(name), HeaderValue::try_from(value)) {
            headers.append(name, value);
        }
    }
    response
}

pub fn plain(status: StatusCode, text: &str) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(text.to_owned())));
    *response.status_mut() = status;
    response.headers_mut().insert("content-type", HeaderValue::from_static("text/plain; charset=utf-8"));
    response
}
