//! Admin endpoints: `/_palisade/health` (and `/_localstack/health` for tooling that expects it),
//! `metrics`, `ca.pem`, `crl/<ca-id>.crl`, `clock` (behind `--test-clock`) and `reset`.

use bytes::Bytes;
use http::{HeaderValue, Method, Response, StatusCode};
use http_body_util::Full;
use serde_json::{json, Map, Value};

use crate::{edge::plain, pipeline::{service_states, Gateway}};

pub fn is_admin_path(path: &str) -> bool {
    path.starts_with("/_palisade/") || path.starts_with("/_localstack/")
}

fn json_response(status: StatusCode, body: &Value) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body.to_string())));
    *response.status_mut() = status;
    response.headers_mut().insert("content-type", HeaderValue::from_static("application/json"));
    response
}

pub async fn handle(gateway: &Gateway, method: &Method, path: &str, body: &[u8]) -> Response<Full<Bytes>> {
    match (method, path) {
        (&Method::GET | &Method::HEAD, "/_palisade/health" | "/_localstack/health") => health(gateway),
        (&Method::GET, "/_palisade/metrics") => {
            let mut response = plain(StatusCode::OK, &gateway.metrics.render());
            response
                .headers_mut()
                .insert("content-type", HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"));
            response
        }
        (&Method::GET, "/_palisade/ca.pem") => {
            let mut response = plain(StatusCode::OK, &gateway.ca.cert_pem);
            response.headers_mut().insert("content-type", HeaderValue::from_static("application/x-pem-file"));
            response
        }
        (&Method::GET, crl_path) if crl_path.starts_with("/_palisade/crl/") => crl(gateway, crl_path).await,
        (_, "/_palisade/clock") => clock(gateway, method, body).await,
        (&Method::POST, "/_palisade/reset") => match gateway.store.reset().await {
            Ok(()) => json_response(StatusCode::OK, &json!({ "reset": true })),
            Err(e) => json_response(StatusCode::INTERNAL_SERVER_ERROR, &json!({ "error": e.to_string() })),
        },
        _ => plain(StatusCode::NOT_FOUND, "no such admin endpoint"),
    }
}

/// The store collection where ACM PCA publishes each CA's latest CRL (`{"der": <base64>}` by
/// CA id); served here as the CRL distribution point a client can fetch.
const PUBLISHED_CRLS: &str = "acm-pca.crl";

/// `GET /_palisade/crl/<ca-id>.crl`: a private CA's latest CRL, DER, as AWS publishes it to S3.
async fn crl(gateway: &Gateway, path: &str) -> Response<Full<Bytes>> {
    let Some(ca_id) = path.strip_prefix("/_palisade/crl/").and_then(|p| p.strip_suffix(".crl")) else {
        return plain(StatusCode::NOT_FOUND, "no such CRL");
    };
    let der = match gateway.store.get(PUBLISHED_CRLS, ca_id).await {
        Ok(Some(document)) => document["der"]
            .as_str()
            .and_then(|b64| base64::Engine::decode(&base64::engine::general_purpose::STANDARD, b64).ok()),
        Ok(None) => None,
        Err(e) => return json_response(StatusCode::INTERNAL_SERVER_ERROR, &json!({ "error": e.to_string() })),
    };
    let Some(der) = der else { return plain(StatusCode::NOT_FOUND, "no such CRL") };
    let mut response = Response::new(Full::new(Bytes::from(der)));
    response.headers_mut().insert("content-type", HeaderValue::from_static("application/pkix-crl"));
    response
}

fn health(gateway: &Gateway) -> Response<Full<Bytes>> {
    let services: Map<String, Value> = service_states(gateway)
        .into_iter()
        .map(|(service, implemented)| (service.id.to_owned(), json!(if implemented { "running" } else { "available" })))
        .collect();
    json_response(
        StatusCode::OK,
        &json!({ "services": services, "version": gateway.config.version, "edition": "palisade" }),
    )
}

/// `GET` reports the server clock; `POST {"advance_seconds": N}` moves it forward and
/// `POST {"offset_seconds": N}` sets its offset from the wall clock.
async fn clock(gateway: &Gateway, method: &Method, body: &[u8]) -> Response<Full<Bytes>> {
    if !gateway.config.test_clock {
        return json_response(
            StatusCode::FORBIDDEN,
            &json!({ "error": "the server clock can be moved only when the server runs with --test-clock" }),
        );
    }
    if method == Method::POST {
        let request: Value = match serde_json::from_slice(body) {
            Ok(v) => v,
            Err(e) => return json_response(StatusCode::BAD_REQUEST, &json!({ "error": format!("body is not JSON: {e}") })),
        };
        let result = if let Some(seconds) = request["advance_seconds"].as_f64() {
            gateway.clock.advance(seconds).await
        } else if let Some(offset) = request["offset_seconds"].as_f64() {
            gateway.clock.set_offset(offset).await
        } else {
            return json_response(
                StatusCode::BAD_REQUEST,
                &json!({ "error": "give advance_seconds or offset_seconds" }),
            );
        };
        if let Err(e) = result {
            return json_response(StatusCode::INTERNAL_SERVER_ERROR, &json!({ "error": e.to_string() }));
        }
    } else if method != Method::GET {
        return plain(StatusCode::METHOD_NOT_ALLOWED, "GET or POST");
    }
    let now = gateway.clock.now();
    json_response(
        StatusCode::OK,
        &json!({ "now": wire::timestamp::format_iso8601(now), "epoch_seconds": now, "offset_seconds": gateway.clock.offset() }),
    )
}
