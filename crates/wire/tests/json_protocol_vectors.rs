//! botocore's protocol vectors for awsJson 1.0/1.1, restJson1 and Smithy RPC v2 CBOR, read from the
//! server's side.
//!
//! Input vectors: the request botocore sends must decode to the parameters it was given.
//! Output vectors: the result encoded by Palisade must parse back to the vector's result, and the
//! vector's own response must parse to it too (so the parser the round trip relies on is checked
//! against botocore's bytes, not only against the encoder). Parsing a response reuses the request
//! decoder on a mirror operation whose input is the output (or error) shape; error codes are read
//! the way botocore reads them.

use std::path::PathBuf;

use base64::Engine;
use http::{HeaderMap, HeaderName, HeaderValue};
use serde_json::{json, Map, Value};
use wire::{
    protocol::{self, rpc_v2_cbor},
    ApiError, HttpRequest, HttpResponse, Protocol, ServiceModel,
};

fn corpus(file: &str) -> Vec<Value> {
    let path = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpora/protocol-tests")).join(file);
    serde_json::from_slice(&std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))).unwrap()
}

/// Cases whose behaviour lives only in the client, with the reason.
const SKIPPED: &[(&str, &str)] = &[
    ("SDKAppliedContentEncoding_awsJson1_0", "client-side gzip request compression; the vector carries no body"),
    ("SDKAppendsGzipAndIgnoresHttpProvidedEncoding_awsJson1_0", "client-side gzip request compression; the vector carries no body"),
    ("SDKAppliedContentEncoding_awsJson1_1", "client-side gzip request compression; the vector carries no body"),
    ("SDKAppendsGzipAndIgnoresHttpProvidedEncoding_awsJson1_1", "client-side gzip request compression; the vector carries no body"),
    ("SDKAppliedContentEncoding_restJson1", "client-side gzip request compression; the vector carries no body"),
    ("SDKAppendedGzipAfterProvidedEncoding_restJson1", "client-side gzip request compression; the vector carries no body"),
    ("RestJsonHostWithPath", "the client prepends the endpoint's path (/custom) to the URI"),
    ("RestJsonQueryIdempotencyTokenAutoFill", "the client generates the idempotency token, so the parameters lack it"),
    ("RestJsonQueryPrecedence", "the client drops a map entry that collides with a named parameter; the value is not on the wire"),
    (
        "RestJsonQueryParamsStringListMap",
        "the client leaves a named parameter out of the query-params map; servers put every parameter in it (Smithy's RestJsonServersPutAllQueryParamsInMap)",
    ),
];

fn skip_reason(id: &str) -> Option<&'static str> {
    SKIPPED.iter().find(|(skipped, _)| *skipped == id).map(|(_, reason)| *reason)
}

/// A model from the suite's metadata and shapes, the case's operation, and a `Mirror` operation
/// whose input is `mirror_shape` (to parse responses with the request decoder).
fn model_for(suite: &Value, case: &Value, mirror_shape: Option<&str>) -> ServiceModel {
    let mut metadata = suite["metadata"].clone();
    let defaults = [("apiVersion", "2020-01-01"), ("endpointPrefix", "test")];
    for (key, value) in defaults {
        metadata.as_object_mut().unwrap().entry(key).or_insert(json!(value));
    }
    let given = &case["given"];
    let mut operations = Map::new();
    operations.insert(given["name"].as_str().unwrap().to_owned(), given.clone());
    if let Some(shape) = mirror_shape {
        operations.insert("Mirror".into(), json!({"name": "Mirror", "http": given["http"], "input": {"shape": shape}}));
    }
    let json = json!({"metadata": metadata, "operations": operations, "shapes": suite["shapes"]});
    ServiceModel::parse(json.to_string().as_bytes()).unwrap_or_else(|e| panic!("{}: model does not parse: {e}", case["id"]))
}

/// The canonical form of a vector's parameters: blobs base64, nulls dropped. Top-level members
/// bound to the query string or headers that are empty collections are dropped too: on the wire
/// they are indistinguishable from absent ones.
fn canonical(model: &ServiceModel, shape_name: &str, value: &Value, top_level: bool) -> Option<Value> {
    if value.is_null() {
        return None;
    }
    let shape = model.shape(shape_name);
    if shape.document {
        return Some(value.clone());
    }
    Some(match (shape.kind, value) {
        (wire::ShapeType::Structure, Value::Object(fields)) => {
            let mut out = Map::new();
            for (name, item) in fields {
                let member = &shape.members[name];
                let bound = top_level && member.location.is_some();
                let empty = matches!(item, Value::Array(a) if a.is_empty()) || matches!(item, Value::Object(o) if o.is_empty());
                if bound && empty {
                    continue;
                }
                if let Some(converted) = canonical(model, &member.shape, item, false) {
                    out.insert(name.clone(), converted);
                }
            }
            Value::Object(out)
        }
        (wire::ShapeType::List, Value::Array(items)) => {
            let element = &shape.member.as_ref().unwrap().shape;
            Value::Array(items.iter().filter_map(|item| canonical(model, element, item, false)).collect())
        }
        (wire::ShapeType::Map, Value::Object(entries)) => {
            let value_shape = &shape.value.as_ref().unwrap().shape;
            Value::Object(entries.iter().filter_map(|(k, v)| Some((k.clone(), canonical(model, value_shape, v, false)?))).collect())
        }
        (wire::ShapeType::Blob, Value::String(raw)) => Value::String(base64::engine::general_purpose::STANDARD.encode(raw)),
        _ => value.clone(),
    })
}

fn header_map(headers: &Value) -> HeaderMap {
    let mut map = HeaderMap::new();
    if let Some(headers) = headers.as_object() {
        for (name, value) in headers {
            map.append(HeaderName::from_bytes(name.as_bytes()).unwrap(), HeaderValue::from_str(value.as_str().unwrap()).unwrap());
        }
    }
    map
}

fn body_bytes(protocol: Protocol, body: &Value) -> Vec<u8> {
    let text = body.as_str().unwrap_or("");
    if protocol == Protocol::RpcV2Cbor {
        base64::engine::general_purpose::STANDARD.decode(text).unwrap()
    } else {
        text.as_bytes().to_vec()
    }
}

fn protocol_of(suite: &Value) -> Protocol {
    match suite["metadata"]["protocol"].as_str().unwrap() {
        "json" if suite["metadata"]["jsonVersion"] == "1.1" => Protocol::AwsJson11,
        "json" => Protocol::AwsJson10,
        "rest-json" => Protocol::RestJson,
        "smithy-rpc-v2-cbor" => Protocol::RpcV2Cbor,
        other => panic!("not a protocol of this test: {other}"),
    }
}

#[derive(Default)]
struct Tally {
    passed: Vec<String>,
    skipped: Vec<String>,
    failed: Vec<String>,
}

impl Tally {
    fn finish(self, file: &str) {
        println!("{file}: {} passed, {} skipped {:?}", self.passed.len(), self.skipped.len(), self.skipped);
        assert!(self.failed.is_empty(), "{file}: {} failed:\n{}", self.failed.len(), self.failed.join("\n"));
        assert!(!self.passed.is_empty(), "{file}: no case ran");
    }
}

fn run_input_vectors(file: &str) -> Tally {
    let mut tally = Tally::default();
    for suite in corpus(file) {
        let protocol = protocol_of(&suite);
        for case in suite["cases"].as_array().unwrap() {
            let id = case["id"].as_str().unwrap().to_owned();
            if skip_reason(&id).is_some() {
                tally.skipped.push(id);
                continue;
            }
            let model = model_for(&suite, case, None);
            let operation = model.operation(case["given"]["name"].as_str().unwrap()).unwrap();
            let serialized = &case["serialized"];
            let uri = serialized["uri"].as_str().unwrap();
            let (path, query) = uri.split_once('?').unwrap_or((uri, ""));
            let headers = header_map(&serialized["headers"]);
            let body = body_bytes(protocol, &serialized["body"]);
            let request = HttpRequest { method: serialized["method"].as_str().unwrap(), path, query, headers: &headers, body: &body };
            let expected = match &operation.input {
                Some(input) => canonical(&model, &input.shape, &case["params"], true).unwrap(),
                None => json!({}),
            };
            if protocol.is_rest() {
                let found = protocol::rest::find_operation(&model, request.method, path, query).map(|o| o.name.clone());
                if found.as_deref() != Some(operation.name.as_str()) {
                    tally.failed.push(format!("{id}: routed to {found:?}"));
                    continue;
                }
            }
            if protocol == Protocol::RpcV2Cbor {
                let routed = rpc_v2_cbor::operation_from_path(path).map(|(_, op)| op.to_owned());
                if routed.as_deref() != Some(operation.name.as_str()) {
                    tally.failed.push(format!("{id}: routed to {routed:?}"));
                    continue;
                }
            }
            match protocol::decode_request(&model, protocol, operation, &request) {
                Ok(decoded) if decoded == expected => tally.passed.push(id),
                Ok(decoded) => tally.failed.push(format!("{id}: decoded {decoded} expected {expected}")),
                Err(error) => tally.failed.push(format!("{id}: {error}")),
            }
        }
    }
    tally
}

/// Parses a response the way botocore does, through the request decoder of the model's `Mirror`
/// operation.
fn parse_response(model: &ServiceModel, protocol: Protocol, response: &HttpResponse) -> Result<Value, ApiError> {
    let mirror = model.operation("Mirror").unwrap();
    let mut headers = HeaderMap::new();
    for (name, value) in &response.headers {
        headers.append(HeaderName::from_bytes(name.as_bytes()).unwrap(), HeaderValue::from_str(value).unwrap());
    }
    let (method, path) = if protocol.is_rest() {
        (mirror.http.method.as_str(), mirror.http.request_uri.as_str())
    } else {
        ("POST", "/service/Test/operation/Mirror")
    };
    let request = HttpRequest { method, path, query: "", headers: &headers, body: &response.body };
    let mut parsed = protocol::decode_request(model, protocol, mirror, &request)?;
    let shape = model.shape(&mirror.input.as_ref().unwrap().shape);
    for (name, member) in &shape.members {
        if member.location == Some(wire::model::Location::StatusCode) {
            parsed.as_object_mut().unwrap().insert(name.clone(), json!(response.status));
        }
    }
    Ok(parsed)
}

/// The error code botocore reads: `x-amzn-query-error` for query-compatible services, then
/// `x-amzn-ErrorType`, then the body's `code` or `__type`, without namespace or URI suffix.
fn botocore_error_code(query_compatible: bool, response: &HttpResponse) -> Option<String> {
    let body: Value = serde_json::from_slice(&response.body).unwrap_or(Value::Null);
    let cbor_type = if response.header("smithy-protocol").is_some() {
        wire::protocol::cbor::decode(&response.body).ok().and_then(|v| v.into_json().get("__type").and_then(Value::as_str).map(str::to_owned))
    } else {
        None
    };
    let raw = query_compatible
        .then(|| response.header("x-amzn-query-error").map(|h| h.split(';').next().unwrap_or(h).to_owned()))
        .flatten()
        .or_else(|| response.header("x-amzn-ErrorType").map(str::to_owned))
        .or_else(|| body.get("code").and_then(Value::as_str).map(str::to_owned))
        .or_else(|| body.get("__type").and_then(Value::as_str).map(str::to_owned))
        .or(cbor_type)?;
    let without_uri = raw.split(':').next().unwrap_or(&raw);
    Some(without_uri.rsplit('#').next().unwrap_or(without_uri).to_owned())
}

fn botocore_error_message(response: &HttpResponse) -> Option<String> {
    let body = serde_json::from_slice::<Value>(&response.body)
        .ok()
        .or_else(|| wire::protocol::cbor::decode(&response.body).ok().map(|v| v.into_json()))?;
    ["message", "Message", "errorMessage"].iter().find_map(|key| body.get(*key).and_then(Value::as_str).map(str::to_owned))
}

fn run_output_vectors(file: &str) -> Tally {
    let mut tally = Tally::default();
    for suite in corpus(file) {
        let protocol = protocol_of(&suite);
        let query_compatible = suite["metadata"].get("awsQueryCompatible").is_some();
        for case in suite["cases"].as_array().unwrap() {
            let id = case["id"].as_str().unwrap().to_owned();
            if skip_reason(&id).is_some() {
                tally.skipped.push(id);
                continue;
            }
            let vector = &case["response"];
            let vector_response = HttpResponse {
                status: vector["status_code"].as_u64().unwrap() as u16,
                headers: vector["headers"].as_object().map_or_else(Vec::new, |h| {
                    h.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned())).collect()
                }),
                body: body_bytes(protocol, &vector["body"]),
            };
            let outcome = if let Some(code) = case.get("errorCode").and_then(Value::as_str) {
                check_error_case(&suite, case, protocol, query_compatible, code, &vector_response)
            } else {
                check_result_case(&suite, case, protocol, &vector_response)
            };
            match outcome {
                Ok(()) => tally.passed.push(id),
                Err(problem) => tally.failed.push(format!("{id}: {problem}")),
            }
        }
    }
    tally
}

fn check_result_case(suite: &Value, case: &Value, protocol: Protocol, vector: &HttpResponse) -> Result<(), String> {
    let output_shape = case["given"]["output"]["shape"].as_str();
    let model = model_for(suite, case, output_shape);
    let operation = model.operation(case["given"]["name"].as_str().unwrap()).unwrap();
    let Some(shape_name) = output_shape else {
        let response = protocol::encode_response(&model, protocol, operation, &json!({}), "req-1");
        return if response.status == 200 { Ok(()) } else { Err(format!("status {}", response.status)) };
    };
    let expected = canonical(&model, shape_name, &case["result"], false).unwrap();
    let response = protocol::encode_response(&model, protocol, operation, &expected, "req-1");
    if response.status != vector.status {
        return Err(format!("status {} expected {}", response.status, vector.status));
    }
    let ours = parse_response(&model, protocol, &response).map_err(|e| format!("our response does not parse: {e}"))?;
    if ours != expected {
        return Err(format!("our response parses to {ours}, expected {expected}"));
    }
    let theirs = parse_response(&model, protocol, vector).map_err(|e| format!("the vector's response does not parse: {e}"))?;
    if theirs != expected {
        return Err(format!("the vector's response parses to {theirs}, expected {expected}"));
    }
    Ok(())
}

fn check_error_case(
    suite: &Value,
    case: &Value,
    protocol: Protocol,
    query_compatible: bool,
    code: &str,
    vector: &HttpResponse,
) -> Result<(), String> {
    let error_shape = case["given"]["errors"][0]["shape"].as_str().unwrap();
    let model = model_for(suite, case, Some(error_shape));
    let expected_fields = canonical(&model, error_shape, &case["error"], false).unwrap();
    let message = case.get("errorMessage").and_then(Value::as_str).unwrap_or_default();
    let mut error = ApiError::new(code.to_owned(), vector.status, message);
    error.fields = expected_fields.as_object().unwrap().clone();
    let response = protocol::encode_error(Some(&model), protocol, &error, "req-1");
    if response.status != vector.status {
        return Err(format!("status {} expected {}", response.status, vector.status));
    }
    let read_code = botocore_error_code(query_compatible, &response);
    if read_code.as_deref() != Some(code) {
        return Err(format!("botocore would read code {read_code:?}, expected {code}"));
    }
    if !message.is_empty() && botocore_error_message(&response).as_deref() != Some(message) {
        return Err(format!("botocore would read message {:?}", botocore_error_message(&response)));
    }
    let fields = parse_response(&model, protocol, &response).map_err(|e| format!("our error does not parse: {e}"))?;
    if fields != expected_fields {
        return Err(format!("our error's fields parse to {fields}, expected {expected_fields}"));
    }
    Ok(())
}

#[test]
fn aws_json_1_1_requests_decode_to_their_parameters() {
    run_input_vectors("input/json.json").finish("input/json.json");
}

#[test]
fn aws_json_1_0_requests_decode_to_their_parameters() {
    run_input_vectors("input/json_1_0.json").finish("input/json_1_0.json");
}

#[test]
fn aws_json_1_0_query_compatible_requests_decode() {
    run_input_vectors("input/json_1_0-query-compatible.json").finish("input/json_1_0-query-compatible.json");
}

#[test]
fn rest_json_requests_route_and_decode_to_their_parameters() {
    run_input_vectors("input/rest-json.json").finish("input/rest-json.json");
}

#[test]
fn rpc_v2_cbor_requests_route_and_decode_to_their_parameters() {
    run_input_vectors("input/smithy-rpc-v2-cbor.json").finish("input/smithy-rpc-v2-cbor.json");
}

#[test]
fn rpc_v2_cbor_query_compatible_requests_decode() {
    run_input_vectors("input/smithy-rpc-v2-cbor-query-compatible.json").finish("input/smithy-rpc-v2-cbor-query-compatible.json");
    run_input_vectors("input/smithy-rpc-v2-cbor-non-query-compatible.json").finish("input/smithy-rpc-v2-cbor-non-query-compatible.json");
}

#[test]
fn aws_json_1_1_responses_parse_back_to_their_results() {
    run_output_vectors("output/json.json").finish("output/json.json");
}

#[test]
fn aws_json_1_0_responses_parse_back_to_their_results() {
    run_output_vectors("output/json_1_0.json").finish("output/json_1_0.json");
}

#[test]
fn aws_json_1_0_query_compatible_errors_carry_the_query_code() {
    run_output_vectors("output/json_1_0-query-compatible.json").finish("output/json_1_0-query-compatible.json");
}

#[test]
fn rest_json_responses_parse_back_to_their_results() {
    run_output_vectors("output/rest-json.json").finish("output/rest-json.json");
}

#[test]
fn rpc_v2_cbor_responses_parse_back_to_their_results() {
    run_output_vectors("output/smithy-rpc-v2-cbor.json").finish("output/smithy-rpc-v2-cbor.json");
}

#[test]
fn rpc_v2_cbor_query_compatible_errors_carry_the_query_code() {
    run_output_vectors("output/smithy-rpc-v2-cbor-query-compatible.json").finish("output/smithy-rpc-v2-cbor-query-compatible.json");
}
