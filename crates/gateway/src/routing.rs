//! Which service and operation a request is for, the way real clients address them:
//! `X-Amz-Target` for JSON protocols, the RPC v2 CBOR path, the SigV4 credential scope's service
//! for query and REST services, and the host for unsigned requests and S3 virtual hosts.

use http::HeaderMap;
use wire::{
    model::Operation,
    protocol::{rest, rpc_v2_cbor},
    ApiError, HttpRequest, Protocol, ServiceInfo,
};

/// A request's destination.
pub struct Route {
    pub service: &'static ServiceInfo,
    pub protocol: Protocol,
    pub operation: &'static Operation,
}

/// Why a request could not be routed, with the protocol to answer in when it is known.
pub struct RouteError {
    pub protocol: Protocol,
    pub service: Option<&'static ServiceInfo>,
    pub error: ApiError,
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

fn unknown(protocol: Protocol, service: Option<&'static ServiceInfo>, message: String) -> RouteError {
    let error = if protocol.is_query_family() {
        ApiError::new("InvalidAction", 400, message)
    } else {
        ApiError::unknown_operation(message)
    };
    RouteError { protocol, service, error }
}

/// Routes `input`; `scope_service` is the SigV4 credential scope's service when it is signed.
pub fn route(input: &HttpRequest<'_>, scope_service: Option<&str>) -> Result<Route, RouteError> {
    if let Some(target) = header(input.headers, "x-amz-target") {
        return route_json_target(target, header(input.headers, "content-type"));
    }
    if let Some((service_name, operation)) = rpc_v2_cbor::operation_from_path(input.path) {
        return route_rpc_v2_cbor(service_name, operation);
    }
    let service = scope_service
        .and_then(wire::service_by_signing_name)
        .or_else(|| host_service(header(input.headers, "host")))
        .or_else(|| unsigned_query_service(input));
    let Some(service) = service else {
        return Err(unknown(
            Protocol::RestJson,
            None,
            "Palisade could not tell which AWS service this request is for (no X-Amz-Target, no SigV4 credential scope, no service host name)".into(),
        ));
    };
    if service.speaks(Protocol::Query) || service.speaks(Protocol::Ec2) {
        let protocol = if service.speaks(Protocol::Ec2) { Protocol::Ec2 } else { Protocol::Query };
        return route_query(service, protocol, input);
    }
    let protocol = if service.speaks(Protocol::RestXml) { Protocol::RestXml } else { Protocol::RestJson };
    let path = s3_virtual_host_path(service, input);
    let request = HttpRequest { path: path.as_deref().unwrap_or(input.path), ..*input };
    match rest::find_operation_for_request(service.model(), &request) {
        Some(operation) => Ok(Route { service, protocol, operation }),
        None => Err(unknown(
            protocol,
            Some(service),
            format!("{} has no operation for {} {}", service.id, input.method, input.path),
        )),
    }
}

fn route_json_target(target: &str, content_type: Option<&str>) -> Result<Route, RouteError> {
    let (prefix, name) = target.rsplit_once('.').unwrap_or(("", target));
    let service = wire::service_by_target_prefix(prefix).ok_or_else(|| {
        unknown(Protocol::AwsJson11, None, format!("No AWS service has the X-Amz-Target prefix '{prefix}'"))
    })?;
    let declared = service.protocols.iter().copied().find(|p| p.is_json_rpc()).unwrap_or(Protocol::AwsJson11);
    let protocol = match content_type {
        Some(ct) if ct.starts_with("application/x-amz-json-1.0") => Protocol::AwsJson10,
        Some(ct) if ct.starts_with("application/x-amz-json-1.1") => Protocol::AwsJson11,
        _ => declared,
    };
    match service.model().operation(name) {
        Some(operation) => Ok(Route { service, protocol, operation }),
        None => Err(unknown(protocol, Some(service), format!("{} has no operation {name}", service.id))),
    }
}

fn route_rpc_v2_cbor(service_name: &str, name: &str) -> Result<Route, RouteError> {
    let service = wire::service_by_target_prefix(service_name)
        .filter(|s| s.speaks(Protocol::RpcV2Cbor))
        .ok_or_else(|| unknown(Protocol::RpcV2Cbor, None, format!("No AWS service {service_name} speaks rpc-v2-cbor")))?;
    match service.model().operation(name) {
        Some(operation) => Ok(Route { service, protocol: Protocol::RpcV2Cbor, operation }),
        None => Err(unknown(Protocol::RpcV2Cbor, Some(service), format!("{} has no operation {name}", service.id))),
    }
}

fn route_query(service: &'static ServiceInfo, protocol: Protocol, input: &HttpRequest<'_>) -> Result<Route, RouteError> {
    let action = form_value(input.query, "Action").or_else(|| {
        let form = header(input.headers, "content-type").is_none_or(|ct| ct.starts_with("application/x-www-form-urlencoded"));
        form.then(|| std::str::from_utf8(input.body).ok().and_then(|body| form_value(body, "Action"))).flatten()
    });
    let Some(action) = action else {
        return Err(RouteError {
            protocol,
            service: Some(service),
            error: ApiError::new("MissingAction", 400, "Missing Action"),
        });
    };
    match service.model().operation(&action) {
        Some(operation) => Ok(Route { service, protocol, operation }),
        None => Err(unknown(protocol, Some(service), format!("The action {action} is not valid for this web service."))),
    }
}

/// `sts.localhost:4566` or `sts.us-east-1.amazonaws.com` name their service in the first label.
fn host_service(host: Option<&str>) -> Option<&'static ServiceInfo> {
    let host = host?.split(':').next()?;
    let mut labels = host.split('.');
    let first = labels.next()?;
    wire::service_by_signing_name(first).or_else(|| {
        // S3 virtual-hosted style: `bucket.s3.localhost`
        labels.next().and_then(wire::service_by_signing_name).filter(|s| s.id == "s3")
    })
}

/// Unsigned query requests (AssumeRoleWithWebIdentity, AssumeRoleWithSAML) carry no credential
/// scope; the Action names an operation that only one query service serves unsigned.
fn unsigned_query_service(input: &HttpRequest<'_>) -> Option<&'static ServiceInfo> {
    let action = form_value(input.query, "Action")
        .or_else(|| std::str::from_utf8(input.body).ok().and_then(|body| form_value(body, "Action")))?;
    wire::SERVICES
        .iter()
        .filter(|s| s.speaks(Protocol::Query))
        .find(|s| s.model().operation(&action).is_some_and(Operation::is_unsigned))
}

/// Virtual-hosted S3 requests (`bucket.s3.localhost/key`) are matched as the path-style
/// `/bucket/key`.
fn s3_virtual_host_path(service: &ServiceInfo, input: &HttpRequest<'_>) -> Option<String> {
    if service.id != "s3" {
        return None;
    }
    let host = header(input.headers, "host")?.split(':').next()?;
    let (bucket, rest) = host.split_once('.')?;
    let is_s3_host = rest.starts_with("s3.") || rest == "s3" || rest == "localhost";
    (is_s3_host && bucket != "s3" && !bucket.is_empty()).then(|| format!("/{bucket}{}", input.path))
}

/// The decoded value of `name` in a form-encoded string.
pub fn form_value(form: &str, name: &str) -> Option<String> {
    form.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        (key == name).then(|| percent_decode(value))
    })
}

/// Decodes `%XX` escapes and `+` (form encoding); invalid escapes are kept as they are.
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                    (Some(h), Some(l)) => {
                        out.push(h << 4 | l);
                        i += 2;
                    }
                    _ => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_values_are_percent_decoded() {
        assert_eq!(form_value("Action=GetCallerIdentity&Version=2011-06-15", "Action").as_deref(), Some("GetCallerIdentity"));
        assert_eq!(form_value("a=b%20c+d", "a").as_deref(), Some("b c d"));
        assert_eq!(form_value("a=%zz%4", "a").as_deref(), Some("%zz%4"));
        assert_eq!(form_value("a=b", "c"), None);
    }

    #[test]
    fn service_host_names_route() {
        assert_eq!(host_service(Some("sts.localhost:4566")).unwrap().id, "sts");
        assert_eq!(host_service(Some("mybucket.s3.localhost")).unwrap().id, "s3");
        assert!(host_service(Some("127.0.0.1:4566")).is_none());
    }
}
