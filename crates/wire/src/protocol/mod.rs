//! Protocol codecs. Each protocol decodes an HTTP request into the operation's canonical input
//! and encodes a canonical output or an error into an HTTP response, guided by the model.

pub mod aws_json;
pub mod cbor;
pub mod ec2_query;
pub mod query;
pub mod rest;
pub mod rest_json;
pub mod rest_xml;
pub mod rpc_v2_cbor;
pub mod xml;

use http::HeaderMap;
use serde_json::Value;

use crate::{error::ApiError, model::{Operation, ServiceModel}};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Protocol {
    AwsJson10,
    AwsJson11,
    RestJson,
    Query,
    Ec2,
    RestXml,
    RpcV2Cbor,
}

impl Protocol {
    pub fn is_json_rpc(self) -> bool {
        matches!(self, Protocol::AwsJson10 | Protocol::AwsJson11)
    }

    pub fn is_rest(self) -> bool {
        matches!(self, Protocol::RestJson | Protocol::RestXml)
    }

    pub fn is_query_family(self) -> bool {
        matches!(self, Protocol::Query | Protocol::Ec2)
    }

    /// Query and XML services name an invalid signature `SignatureDoesNotMatch`; JSON services
    /// `InvalidSignatureException`.
    pub fn answers_in_xml(self) -> bool {
        matches!(self, Protocol::Query | Protocol::Ec2 | Protocol::RestXml)
    }
}

/// An HTTP request as it arrived, borrowed: what routing, SigV4 and the codecs read.
/// Not `Debug`: bodies and headers carry secrets that must not reach the logs.
#[derive(Clone, Copy)]
pub struct HttpRequest<'a> {
    pub method: &'a str,
    /// The raw (percent-encoded) path, without the query string.
    pub path: &'a str,
    /// The raw query string, without `?`.
    pub query: &'a str,
    pub headers: &'a HeaderMap,
    pub body: &'a [u8],
}

#[derive(Debug, Clone, PartialEq)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// Decodes `request` into the canonical input of `operation` (an empty object when the
/// operation has no input). Malformed input answers the protocol's own error
/// (`SerializationException`, `MalformedQueryString`, ...), never a panic.
pub fn decode_request(
    model: &ServiceModel,
    protocol: Protocol,
    operation: &Operation,
    request: &HttpRequest<'_>,
) -> Result<Value, ApiError> {
    match protocol {
        Protocol::AwsJson10 | Protocol::AwsJson11 => aws_json::decode_request(model, operation, request),
        Protocol::RestJson => rest_json::decode_request(model, operation, request),
        Protocol::Query => query::decode_request(model, operation, request),
        Protocol::Ec2 => ec2_query::decode_request(model, operation, request),
        Protocol::RestXml => rest_xml::decode_request(model, operation, request),
        Protocol::RpcV2Cbor => rpc_v2_cbor::decode_request(model, operation, request),
    }
}

/// Encodes the canonical `output` of `operation` as the protocol's successful response.
pub fn encode_response(
    model: &ServiceModel,
    protocol: Protocol,
    operation: &Operation,
    output: &Value,
    request_id: &str,
) -> HttpResponse {
    match protocol {
        Protocol::AwsJson10 => aws_json::encode_response(model, operation, output, "1.0"),
        Protocol::AwsJson11 => aws_json::encode_response(model, operation, output, "1.1"),
        Protocol::RestJson => rest_json::encode_response(model, operation, output),
        Protocol::Query => query::encode_response(model, operation, output, request_id),
        Protocol::Ec2 => ec2_query::encode_response(model, operation, output, request_id),
        Protocol::RestXml => rest_xml::encode_response(model, operation, output, request_id),
        Protocol::RpcV2Cbor => rpc_v2_cbor::encode_response(model, operation, output),
    }
}

/// Encodes `error` as the protocol reports errors. `model` is the service's model when known
/// (for modeled error shapes and awsQueryCompatible codes).
pub fn encode_error(model: Option<&ServiceModel>, protocol: Protocol, error: &ApiError, request_id: &str) -> HttpResponse {
    match protocol {
        Protocol::AwsJson10 => aws_json::encode_error(model, error, "1.0"),
        Protocol::AwsJson11 => aws_json::encode_error(model, error, "1.1"),
        Protocol::RestJson => rest_json::encode_error(model, error),
        Protocol::Query => query::encode_error(model, error, request_id),
        Protocol::Ec2 => ec2_query::encode_error(model, error, request_id),
        Protocol::RestXml => rest_xml::encode_error(model, error, request_id),
        Protocol::RpcV2Cbor => rpc_v2_cbor::encode_error(model, error),
    }
}
