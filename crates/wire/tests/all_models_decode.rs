//! Every operation of every vendored awsJson, restJson1 and RPC v2 CBOR model decodes a minimal
//! request without panicking (an error answer is fine), and validation of whatever it decoded
//! does not panic either.

use http::HeaderMap;
use wire::{
    protocol::{self, rest},
    validate::validate_input,
    HttpRequest, Protocol, SERVICES,
};

/// Fills every `{Label}` of a request URI template with a plain value, so REST operations see
/// a path they would route.
fn concrete_path(request_uri: &str) -> (String, String) {
    let (path, query) = request_uri.split_once('?').unwrap_or((request_uri, ""));
    let mut filled = String::new();
    let mut rest_of = path;
    while let Some(open) = rest_of.find('{') {
        filled.push_str(&rest_of[..open]);
        let close = rest_of[open..].find('}').map_or(rest_of.len(), |c| open + c + 1);
        filled.push_str("label");
        rest_of = &rest_of[close..];
    }
    filled.push_str(rest_of);
    (filled, query.to_owned())
}

#[test]
fn minimal_requests_to_every_json_family_operation_never_panic() {
    let headers = HeaderMap::new();
    let mut decoded = 0;
    for service in SERVICES {
        let protocols = [Protocol::AwsJson10, Protocol::AwsJson11, Protocol::RestJson, Protocol::RpcV2Cbor];
        let Some(protocol) = protocols.into_iter().find(|p| service.speaks(*p)) else { continue };
        let model = service.model();
        for operation in model.operations.values() {
            let (path, query) = concrete_path(&operation.http.request_uri);
            let bodies: [&[u8]; 4] = [b"", b"{}", b"\xa0", b"[1,"];
            for body in bodies {
                let request = HttpRequest { method: &operation.http.method, path: &path, query: &query, headers: &headers, body };
                if let Ok(input) = protocol::decode_request(model, protocol, operation, &request) {
                    decoded += 1;
                    let _ = validate_input(model, operation, &input, protocol);
                }
            }
            if protocol == Protocol::RestJson {
                let found = rest::find_operation(model, &operation.http.method, &path, &query);
                assert!(found.is_some(), "{} {} routes somewhere", service.id, operation.name);
            }
        }
    }
    assert!(decoded > 0, "some minimal request decodes");
}
