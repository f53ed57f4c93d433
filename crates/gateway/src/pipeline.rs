//! The one request pipeline every API call takes: route → authenticate → decode and validate →
//! authorize → dispatch → audit → encode. No service authenticates, authorizes or audits by
//! itself.

use std::{borrow::Cow, collections::HashMap, net::SocketAddr, sync::Arc, time::Instant};

use http::HeaderMap;
use serde_json::Value;
use store::{AuditWriter, Clock, Store};
use tracing::Instrument;
use wire::{protocol, ApiError, HttpRequest, HttpResponse, Protocol, ServiceInfo};

use crate::{
    audit::{redact, CallRecord, Caller},
    authorize::Authorizer,
    metrics::Metrics,
    principal::{builtin_credentials, CredentialSource, Principal},
    routing::{self, Route},
    service::{AuditResource, RequestContext, Service},
    sigv4::{self, SigningKeyCache},
    tls::InstallationCa,
};

/// `--auth`: how unknown access keys are treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMode {
    /// Unknown keys and bad signatures are refused, as AWS does.
    Strict,
    /// Any unknown key acts as the default account's root without a signature check, for
    /// suites written against other emulators.
    Lenient,
}

/// `--iam`: what the policy engine's decision does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IamMode {
    Enforce,
    /// Allow, but record the would-be denial.
    Audit,
    Off,
}

#[derive(Debug, Clone)]
pub struct GatewayConfig {
    pub auth: AuthMode,
    pub iam: IamMode,
    pub default_account: String,
    /// `/_palisade/clock` may move the server clock.
    pub test_clock: bool,
    pub version: &'static str,
}

/// What the pipeline needs, assembled once at start-up.
pub struct Gateway {
    pub config: GatewayConfig,
    pub store: Store,
    pub clock: Clock,
    pub metrics: Metrics,
    pub ca: InstallationCa,
    audit: AuditWriter,
    services: HashMap<&'static str, Arc<dyn Service>>,
    credentials: Option<Arc<dyn CredentialSource>>,
    authorizer: Arc<dyn Authorizer>,
    signing_keys: SigningKeyCache,
}

/// The connection a request arrived on.
#[derive(Debug, Clone, Copy)]
pub struct Connection {
    pub remote: SocketAddr,
    /// The negotiated TLS version (`TLSv1.3`), or `None` for plain HTTP.
    pub tls: Option<&'static str>,
}

/// Requests larger than this are refused before they are read whole.
pub const MAX_BODY_BYTES: usize = 64 * 1024 * 1024;

const DEFAULT_REGION: &str = "us-east-1";

/// A response ready for the edge to send.
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl From<HttpResponse> for Answer {
    fn from(r: HttpResponse) -> Self {
        Answer { status: r.status, headers: r.headers, body: r.body }
    }
}

/// Why authentication failed, with the access key id presented (CloudTrail records it).
struct AuthFailure {
    error: ApiError,
    access_key_id: Option<String>,
    account: Option<String>,
}

/// A random (version 4) UUID, the form AWS request and event ids take.
pub fn new_request_id() -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let bits: u128 = rand::random::<u128>() & !(0xf << 76) & !(0x3 << 62) | (0x4 << 76) | (0x2 << 62);
    let mut id = String::with_capacity(36);
    for nibble in 0..32 {
        if matches!(nibble, 8 | 12 | 16 | 20) {
            id.push('-');
        }
        id.push(HEX[(bits >> (124 - 4 * nibble) & 0xf) as usize] as char);
    }
    id
}

fn request_host(headers: &HeaderMap) -> &str {
    headers.get("host").and_then(|v| v.to_str().ok()).unwrap_or("")
}

fn wall_clock() -> f64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs_f64()).unwrap_or(0.0)
}

impl Gateway {
    pub fn new(
        config: GatewayConfig,
        store: Store,
        clock: Clock,
        ca: InstallationCa,
        services: Vec<Arc<dyn Service>>,
        authorizer: Arc<dyn Authorizer>,
    ) -> Self {
        let audit = store.audit_writer();
        Gateway {
            config,
            store,
            clock,
            metrics: Metrics::default(),
            ca,
            audit,
            services: services.into_iter().map(|s| (s.id(), s)).collect(),
            credentials: None,
            authorizer,
            signing_keys: SigningKeyCache::default(),
        }
    }

    /// Adds the stored credentials (IAM users' keys, STS sessions) to the built-in ones.
    pub fn with_credentials(mut self, source: Arc<dyn CredentialSource>) -> Self {
        self.credentials = Some(source);
        self
    }

    pub fn implements(&self, service_id: &str) -> bool {
        self.services.contains_key(service_id)
    }

    pub fn audit_writer(&self) -> &AuditWriter {
        &self.audit
    }

    /// Serves one API call.
    pub async fn handle(&self, request: HttpRequest<'_>, connection: Connection) -> Answer {
        let started = Instant::now();
        let request_id = new_request_id();
        let signature = sigv4::parse(&request);
        let scope_service = match &signature {
            Ok(Some(sig)) => Some(sig.service.as_str()),
            _ => None,
        };
        let route = match routing::route(&request, scope_service) {
            Ok(route) => route,
            Err(e) => {
                self.metrics.record_unrouted();
                let model = e.service.map(|s| s.model());
                return with_request_id(protocol::encode_error(model, e.protocol, &e.error, &request_id), e.protocol, &request_id);
            }
        };
        let span = tracing::debug_span!(
            "request",
            request_id = %request_id,
            service = route.service.id,
            operation = %route.operation.name,
            principal = tracing::field::Empty,
            status = tracing::field::Empty,
        );
        let answer = self.serve(&route, signature, &request, connection, &request_id).instrument(span.clone()).await;
        span.record("status", answer.status);
        let operation: &'static str = route.operation.name.as_str();
        self.metrics.record_call(route.service.id, operation, answer.status, started.elapsed().as_secs_f64());
        with_request_id(answer, route.protocol, &request_id)
    }

    async fn serve(
        &self,
        route: &Route,
        signature: Result<Option<sigv4::Signature>, sigv4::SigV4Error>,
        request: &HttpRequest<'_>,
        connection: Connection,
        request_id: &str,
    ) -> HttpResponse {
        let region = match &signature {
            Ok(Some(sig)) => sig.region.clone(),
            _ => DEFAULT_REGION.to_owned(),
        };
        let user_agent = request.headers.get("user-agent").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
        let source_ip = connection.remote.ip();
        let model = route.service.model();
        let event_time = self.clock.now();

        let authenticated = self.authenticate(route, request, signature).await;
        let (principal, body) = match authenticated {
            Ok(ok) => ok,
            Err(failure) => {
                self.metrics.record_authentication_failure();
                let account = failure.account.as_deref().unwrap_or(&self.config.default_account);
                self.record(CallRecord {
                    caller: Caller::Unknown { access_key_id: failure.access_key_id.as_deref() },
                    recipient_account: account,
                    region: &region,
                    event_time,
                    event_source: route.service.event_source,
                    event_name: &route.operation.name,
                    source_ip: &source_ip.to_string(),
                    user_agent: &user_agent,
                    request_id,
                    event_id: &new_request_id(),
                    request_parameters: None,
                    response_elements: None,
                    error: Some(&failure.error),
                    would_be_denied: None,
                    resources: &[],
                    tls: connection.tls,
                    host: request_host(request.headers),
                    invoked_by: None,
                });
                return protocol::encode_error(Some(model), route.protocol, &failure.error, request_id);
            }
        };
        tracing::Span::current().record("principal", principal.arn.as_str());

        let ctx = RequestContext {
            request_id: request_id.to_owned(),
            service: route.service,
            operation: route.operation.name.as_str(),
            region,
            principal,
            source_ip,
            user_agent,
            secure_transport: connection.tls.is_some(),
            time: event_time,
            invoked_by: None,
        };
        let http = HttpRequest { body: &body, ..*request };
        let outcome = self.decode_and_dispatch(route, &ctx, &http).await;
        let (response, request_parameters, response_elements, error, resources, would_be_denied) = match outcome {
            Dispatched::Done { output, input, resources, would_be_denied } => {
                let response = protocol::encode_response(model, route.protocol, route.operation, &output, request_id);
                let response_elements = (!crate::audit::is_read_only(ctx.operation))
                    .then(|| route.operation.output.as_ref().map(|o| redact(model, &o.shape, &output)))
                    .flatten();
                (response, input, response_elements, None, resources, would_be_denied)
            }
            Dispatched::Failed { error, input } => {
                let response = protocol::encode_error(Some(model), route.protocol, &error, request_id);
                (response, input, None, Some(error), Vec::new(), None)
            }
        };
        self.record(CallRecord {
            caller: Caller::Authenticated(&ctx.principal),
            recipient_account: ctx.account(),
            region: &ctx.region,
            event_time,
            event_source: route.service.event_source,
            event_name: ctx.operation,
            source_ip: &source_ip.to_string(),
            user_agent: &ctx.user_agent,
            request_id,
            event_id: &new_request_id(),
            request_parameters,
            response_elements,
            error: error.as_ref(),
            would_be_denied: would_be_denied.as_ref(),
            resources: &resources,
            tls: connection.tls,
            host: request_host(request.headers),
            invoked_by: ctx.invoked_by,
        });
        response
    }

    async fn decode_and_dispatch(&self, route: &Route, ctx: &RequestContext, http: &HttpRequest<'_>) -> Dispatched {
        let model = route.service.model();
        let input = match protocol::decode_request(model, route.protocol, route.operation, http) {
            Ok(input) => input,
            Err(error) => return Dispatched::Failed { error, input: None },
        };
        let audited_input = route.operation.input.as_ref().map(|i| redact(model, &i.shape, &input));
        if let Err(error) = wire::validate::validate_input(model, route.operation, &input, route.protocol) {
            return Dispatched::Failed { error, input: audited_input };
        }
        match self.authorize_and_dispatch(ctx, input).await {
            Ok((reply, would_be_denied)) => Dispatched::Done {
                output: reply.output,
                input: crate::audit::request_parameters(audited_input, reply.request_parameters),
                resources: reply.resources,
                would_be_denied,
            },
            Err(error) => Dispatched::Failed { error, input: audited_input },
        }
    }

    /// The steps every call shares once its input is known, whether it came over HTTP or from
    /// another service: authorize, then run the operation. Under `--iam audit` a denial is
    /// returned beside the reply instead of failing the call.
    pub(crate) async fn authorize_and_dispatch(
        &self,
        ctx: &RequestContext,
        input: Value,
    ) -> Result<(crate::service::Reply, Option<ApiError>), ApiError> {
        let service = self.services.get(ctx.service.id);
        let mut would_be_denied = None;
        if self.config.iam != IamMode::Off && !needs_no_permission(ctx.service.id, ctx.operation) {
            let resources = match service {
                Some(service) => service.resources(ctx, &input),
                None => Vec::new(),
            };
            if let Err(error) = self.authorizer.authorize(ctx, &resources, &input).await {
                if self.config.iam == IamMode::Enforce {
                    return Err(error);
                }
                tracing::warn!(principal = %ctx.principal.arn, operation = ctx.operation, "--iam audit: allowed a call policies deny: {}", error.message);
                would_be_denied = Some(error);
            }
        }
        let not_implemented = || ApiError::not_implemented(ctx.service.id, ctx.operation);
        let future = service.ok_or_else(not_implemented)?.call(ctx, input).ok_or_else(not_implemented)?;
        let reply = future.await?;
        if !crate::audit::is_read_only(ctx.operation) {
            self.authorizer.written();
        }
        Ok((reply, would_be_denied))
    }

    async fn authenticate<'b>(
        &self,
        route: &Route,
        signed: &HttpRequest<'b>,
        signature: Result<Option<sigv4::Signature>, sigv4::SigV4Error>,
    ) -> Result<(Principal, Cow<'b, [u8]>), AuthFailure> {
        let xml = route.protocol.answers_in_xml();
        let signature = signature.map_err(|e| AuthFailure { error: sigv4_error(&e, xml), access_key_id: None, account: None })?;
        let Some(signature) = signature else {
            if route.operation.is_unsigned() {
                return Ok((Principal::anonymous(&self.config.default_account), Cow::Borrowed(signed.body)));
            }
            if self.config.auth == AuthMode::Lenient {
                return Ok((Principal::root(&self.config.default_account, "test"), Cow::Borrowed(signed.body)));
            }
            return Err(AuthFailure { error: missing_authentication(route.protocol), access_key_id: None, account: None });
        };
        let key = signature.access_key_id.as_str();
        let credentials = match builtin_credentials(key, &self.config.default_account) {
            Some(c) => Some(c),
            None => match &self.credentials {
                Some(source) => source.lookup(key, signature.session_token.as_deref()).await,
                None => None,
            },
        };
        let Some(credentials) = credentials else {
            if self.config.auth == AuthMode::Lenient {
                return Ok((Principal::root(&self.config.default_account, key), Cow::Borrowed(signed.body)));
            }
            return Err(AuthFailure { error: unknown_access_key(route.protocol), access_key_id: Some(key.to_owned()), account: None });
        };
        if credentials.expires_at.is_some_and(|expiry| self.clock.now() >= expiry) {
            return Err(AuthFailure {
                error: expired_token(route.protocol),
                access_key_id: Some(key.to_owned()),
                account: Some(credentials.principal.account),
            });
        }
        match sigv4::verify(&signature, signed, &credentials.secret_access_key, wall_clock(), &self.signing_keys) {
            Ok(verified) => Ok((credentials.principal, verified.body)),
            Err(e) => Err(AuthFailure {
                error: sigv4_error(&e, xml),
                access_key_id: Some(key.to_owned()),
                account: Some(credentials.principal.account),
            }),
        }
    }

    pub(crate) fn record(&self, call: CallRecord<'_>) {
        self.audit.record(call.into_audit_record());
    }
}

enum Dispatched {
    Done { output: Value, input: Option<Value>, resources: Vec<AuditResource>, would_be_denied: Option<ApiError> },
    Failed { error: ApiError, input: Option<Value> },
}

/// Operations AWS serves to any authenticated caller without consulting policies.
fn needs_no_permission(service: &str, operation: &str) -> bool {
    service == "sts" && matches!(operation, "GetCallerIdentity" | "GetSessionToken")
}

fn sigv4_error(e: &sigv4::SigV4Error, xml: bool) -> ApiError {
    ApiError::new(e.code(xml), e.status(xml), e.message(xml))
}

const KEY_HINT: &str = "Palisade knows the access key 'test' (secret 'test', the root of the default account) and any 12-digit access key id with the secret 'test' (the root of that account); start the server with --auth lenient to accept any key.";

fn unknown_access_key(protocol: Protocol) -> ApiError {
    let message = format!("The security token included in the request is invalid. {KEY_HINT}");
    match protocol {
        Protocol::RestXml => ApiError::new(
            "InvalidAccessKeyId",
            403,
            format!("The AWS Access Key Id you provided does not exist in our records. {KEY_HINT}"),
        ),
        p if p.answers_in_xml() => ApiError::new("InvalidClientTokenId", 403, message),
        _ => ApiError::new("UnrecognizedClientException", 403, message),
    }
}

/// Temporary credentials past their expiry, by the server clock.
fn expired_token(protocol: Protocol) -> ApiError {
    let message = "The security token included in the request is expired";
    if protocol.answers_in_xml() {
        ApiError::new("ExpiredToken", 403, message)
    } else {
        ApiError::new("ExpiredTokenException", 400, message)
    }
}

fn missing_authentication(protocol: Protocol) -> ApiError {
    match protocol {
        Protocol::RestXml => ApiError::new("AccessDenied", 403, "Access Denied"),
        p if p.answers_in_xml() => {
            ApiError::new("MissingAuthenticationToken", 403, "Request is missing Authentication Token")
        }
        _ => ApiError::new("MissingAuthenticationTokenException", 403, "Missing Authentication Token"),
    }
}

fn with_request_id(response: impl Into<Answer>, protocol: Protocol, request_id: &str) -> Answer {
    let mut answer = response.into();
    let name = if protocol == Protocol::RestXml { "x-amz-request-id" } else { "x-amzn-RequestId" };
    answer.headers.push((name.to_owned(), request_id.to_owned()));
    answer
}

/// The services an installation serves, as the health endpoint reports them.
pub fn service_states(gateway: &Gateway) -> Vec<(&'static ServiceInfo, bool)> {
    wire::SERVICES.iter().map(|s| (s, gateway.implements(s.id))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_are_version_4_uuids() {
        let id = new_request_id();
        assert_eq!(id.len(), 36);
        let groups: Vec<&str> = id.split('-').collect();
        assert_eq!(groups.iter().map(|g| g.len()).collect::<Vec<_>>(), [8, 4, 4, 4, 12]);
        assert!(groups[2].starts_with('4'), "{id}");
        assert!(matches!(groups[3].as_bytes()[0], b'8' | b'9' | b'a' | b'b'), "{id}");
        assert_ne!(new_request_id(), id);
    }
}
