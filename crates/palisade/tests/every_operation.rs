//! Every operation of every vendored model answers: its implemented result, a modeled error,
//! or the not-implemented error naming it — never a server error, never a hang.

mod support;

use support::{http, Server};
use wire::{
    model::{Location, Operation},
    Protocol, ServiceInfo,
};

/// A minimal request for `operation`, addressed the way SDKs address the service. The server
/// runs with `--auth lenient`, so unsigned requests act as the default account's root.
fn minimal_request(service: &'static ServiceInfo, operation: &Operation) -> (String, String, Vec<(String, String)>, Vec<u8>) {
    let host = format!("{}.localhost", if service.id == "s3" { "s3" } else { service.signing_name });
    let mut headers = vec![("Host".to_owned(), host)];
    if let (Some(prefix), Some(json)) =
        (service.target_prefix, service.protocols.iter().find(|p| p.is_json_rpc()))
    {
        let version = if *json == Protocol::AwsJson10 { "1.0" } else { "1.1" };
        headers.push(("X-Amz-Target".into(), format!("{prefix}.{}", operation.name)));
        headers.push(("Content-Type".into(), format!("application/x-amz-json-{version}")));
        return ("POST".into(), "/".into(), headers, b"{}".to_vec());
    }
    if service.speaks(Protocol::Query) || service.speaks(Protocol::Ec2) {
        headers.push(("Content-Type".into(), "application/x-www-form-urlencoded".into()));
        let body = format!("Action={}&Version={}", operation.name, service.api_version);
        return ("POST".into(), "/".into(), headers, body.into_bytes());
    }
    let mut uri = String::new();
    let mut in_label = false;
    for c in operation.http.request_uri.chars() {
        match c {
            '{' => in_label = true,
            '}' => {
                in_label = false;
                uri.push('x');
            }
            _ if in_label => {}
            _ => uri.push(c),
        }
    }
    // Operations sharing a URI template differ by their required query and header members.
    if let Some(input) = &operation.input {
        let shape = service.model().shape(&input.shape);
        for name in &shape.required {
            let member = &shape.members[name];
            let wire_name = member.location_name.clone().unwrap_or_else(|| name.clone());
            match member.location {
                Some(Location::Querystring) => {
                    uri.push(if uri.contains('?') { '&' } else { '?' });
                    uri.push_str(&format!("{wire_name}=x"));
                }
                Some(Location::Header) => headers.push((wire_name, "x".into())),
                _ => {}
            }
        }
    }
    let body = if service.speaks(Protocol::RestJson) { b"{}".to_vec() } else { Vec::new() };
    (operation.http.method.clone(), uri, headers, body)
}

#[test]
fn every_operation_of_every_model_answers_without_a_server_error() {
    let server = Server::start(&["--ephemeral", "--auth", "lenient"]);
    let mut walked = 0;
    let mut failures = Vec::new();
    for service in wire::SERVICES {
        let mut names: Vec<_> = service.model().operations.keys().collect();
        names.sort();
        for name in names {
            // S3 Express serves it on its own endpoint; on S3's it is ListBuckets, byte for byte.
            if service.id == "s3" && name == "ListDirectoryBuckets" {
                continue;
            }
            let operation = &service.model().operations[name];
            let (method, uri, headers, body) = minimal_request(service, operation);
            let header_refs: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            walked += 1;
            match http(server.port, &method, &uri, &header_refs, &body) {
                Ok(response) if response.status == 501 => {
                    // A HEAD response has no body to name the operation in.
                    if method != "HEAD" && !response.text().contains(name.as_str()) {
                        failures.push(format!("{}:{name} 501 without naming the operation: {}", service.id, response.text()));
                    }
                }
                Ok(response) if response.status >= 500 => {
                    failures.push(format!("{}:{name} answered {}: {}", service.id, response.status, response.text()))
                }
                Ok(_) => {}
                Err(e) => failures.push(format!("{}:{name} did not answer: {e}", service.id)),
            }
        }
    }
    assert!(walked >= 2400, "walked only {walked} operations");
    assert!(failures.is_empty(), "{} of {walked} operations failed:\n{}", failures.len(), failures.join("\n"));
}
