//! What the fuzz targets share: reading a fuzz input as an HTTP request, picking an operation
//! from a byte, and running a decoded request through validation as the gateway does.
//!
//! Inputs are written like HTTP/1.1 so seeds can be read and edited by hand:
//!
//! ```text
//! PUT /bucket?tagging
//! content-type: application/xml
//!
//! <Tagging>...</Tagging>
//! ```
//!
//! The request line and header lines end with `\n` (a `\r` before it is dropped); everything
//! after the first empty line is the body, byte for byte.

pub mod signed_upload;

use http::{header::HeaderName, HeaderMap, HeaderValue, Method, Uri};
use serde_json::Value;
use wire::{
    protocol::{self, cbor, xml, HttpRequest, Protocol},
    validate, ApiError, Operation, ServiceModel,
};

/// A fuzz input read as a request, with method, URI and headers only as hyper would have
/// handed them to the gateway: inputs no HTTP server would accept are not requests at all.
pub struct RawRequest<'a> {
    pub method: Method,
    pub uri: Uri,
    pub headers: HeaderMap,
    pub body: &'a [u8],
}

impl<'a> RawRequest<'a> {
    /// Reads `METHOD target`, header lines and the body; `None` when the request line is not
    /// one hyper accepts. Header lines that are not valid headers are skipped, as a client
    /// could never have sent them.
    pub fn parse(data: &'a [u8]) -> Option<Self> {
        let (request_line, mut rest) = next_line(data)?;
        let space = request_line.iter().position(|&b| b == b' ')?;
        let method = Method::from_bytes(&request_line[..space]).ok()?;
        let uri = Uri::try_from(&request_line[space + 1..]).ok()?;
        let mut headers = HeaderMap::new();
        loop {
            let Some((line, after)) = next_line(rest) else {
                return Some(RawRequest {
                    method,
                    uri,
                    headers,
                    body: &[],
                });
            };
            rest = after;
            if line.is_empty() {
                return Some(RawRequest {
                    method,
                    uri,
                    headers,
                    body: rest,
                });
            }
            let Some(colon) = line.iter().position(|&b| b == b':') else {
                continue;
            };
            let (name, value) = (&line[..colon], line[colon + 1..].trim_ascii_start());
            if let (Ok(name), Ok(value)) =
                (HeaderName::from_bytes(name), HeaderValue::from_bytes(value))
            {
                headers.append(name, value);
            }
        }
    }

    /// The path as the gateway reads it from the URI (`/` for an authority-only target).
    pub fn path(&self) -> &str {
        self.uri.path()
    }

    pub fn query(&self) -> &str {
        self.uri.query().unwrap_or("")
    }

    pub fn as_http_request(&self) -> HttpRequest<'_> {
        HttpRequest {
            method: self.method.as_str(),
            path: self.path(),
            query: self.query(),
            headers: &self.headers,
            body: self.body,
        }
    }
}

/// The line before the first `\n` (without a trailing `\r`) and what follows it; the whole
/// input when it has no `\n`; `None` when nothing is left.
fn next_line(data: &[u8]) -> Option<(&[u8], &[u8])> {
    if data.is_empty() {
        return None;
    }
    let (line, rest) = match data.iter().position(|&b| b == b'\n') {
        Some(end) => (&data[..end], &data[end + 1..]),
        None => (data, &data[data.len()..]),
    };
    Some((line.strip_suffix(b"\r").unwrap_or(line), rest))
}

/// The first byte of the input, which every target spends on choosing what to exercise, and
/// the rest.
pub fn split_selector(data: &[u8]) -> Option<(u8, &[u8])> {
    data.split_first().map(|(&selector, rest)| (selector, rest))
}

/// The operation named at `selector` (wrapping) among `names`; the names are fixed in the
/// targets, so a missing one is a mistake in the target, not a finding.
pub fn operation<'m>(model: &'m ServiceModel, names: &[&str], selector: u8) -> &'m Operation {
    let name = names[usize::from(selector) % names.len()];
    model
        .operation(name)
        .unwrap_or_else(|| panic!("the vendored model has no operation {name}"))
}

/// Decodes `request` as `operation` and validates the input, as the gateway does before a
/// service sees it. Errors are expected; panics are the findings, and so is an error answer
/// the client could not parse.
pub fn decode_and_validate(
    model: &ServiceModel,
    protocol: Protocol,
    operation: &Operation,
    request: &HttpRequest<'_>,
) {
    let outcome = protocol::decode_request(model, protocol, operation, request)
        .and_then(|input| validate::validate_input(model, operation, &input, protocol));
    if let Err(error) = outcome {
        assert_error_is_well_formed(model, protocol, &error);
    }
}

/// Error answers echo the request (a bad value, a parameter's name), so they are built from
/// attacker-chosen text and must still be documents of the protocol's format.
pub fn assert_error_is_well_formed(model: &ServiceModel, protocol: Protocol, error: &ApiError) {
    let response = protocol::encode_error(Some(model), protocol, error, "fuzz-request-id");
    let well_formed = if protocol.answers_in_xml() {
        xml::parse(&response.body).is_ok()
    } else if protocol == Protocol::RpcV2Cbor {
        cbor::decode(&response.body).is_ok()
    } else {
        serde_json::from_slice::<Value>(&response.body).is_ok()
    };
    assert!(
        well_formed,
        "the {protocol:?} answer to {error:?} is not well-formed: {:?}",
        String::from_utf8_lossy(&response.body)
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_written_request_reads_as_method_uri_headers_and_body() {
        let raw = RawRequest::parse(
            b"PUT /bucket?tagging\r\nContent-Type: application/xml\nx-a:1\n\n<T/>\n",
        )
        .unwrap();
        assert_eq!(
            (raw.method.as_str(), raw.path(), raw.query()),
            ("PUT", "/bucket", "tagging")
        );
        assert_eq!(raw.headers["content-type"], "application/xml");
        assert_eq!(raw.headers["x-a"], "1");
        assert_eq!(raw.body, b"<T/>\n");
    }

    #[test]
    fn a_request_line_hyper_would_refuse_is_no_request() {
        assert!(RawRequest::parse(b"GET /a b\n\n").is_none());
        assert!(RawRequest::parse(b"G(T /\n\n").is_none());
        assert!(RawRequest::parse(b"GET\n\n").is_none());
    }

    #[test]
    fn header_lines_that_are_not_headers_are_skipped() {
        let raw = RawRequest::parse(b"GET /\nno colon\nbad name: x\nok: \x01\nfine: yes").unwrap();
        assert_eq!(raw.headers.len(), 1);
        assert_eq!(raw.headers["fine"], "yes");
        assert!(raw.body.is_empty());
    }
}
