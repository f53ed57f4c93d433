//! What a service plugs into the pipeline: a handler per operation, nothing about HTTP,
//! authentication or auditing.

use std::{future::Future, net::IpAddr, pin::Pin};

use serde_json::Value;
use wire::{ApiError, ServiceInfo};

use crate::principal::Principal;

/// Everything the pipeline learned about a request before dispatching it.
#[derive(Clone)]
pub struct RequestContext {
    pub request_id: String,
    pub service: &'static ServiceInfo,
    pub operation: &'static str,
    pub region: String,
    pub principal: Principal,
    pub source_ip: IpAddr,
    pub user_agent: String,
    /// `aws:SecureTransport`: the request arrived over TLS.
    pub secure_transport: bool,
    /// The server clock (injectable) when the request arrived, epoch seconds.
    pub time: f64,
    /// The AWS service that made this call for the principal (`secretsmanager.amazonaws.com`
    /// decrypting a secret with the caller's identity): CloudTrail's `invokedBy`, and what
    /// `kms:ViaService` and `aws:ViaAWSService` say.
    pub invoked_by: Option<&'static str>,
}

impl RequestContext {
    /// The account whose resources the request acts on.
    pub fn account(&self) -> &str {
        &self.principal.account
    }

    /// An ARN in this request's partition, region and account.
    pub fn arn(&self, service: &str, resource: &str) -> String {
        format!("arn:aws:{service}:{}:{}:{resource}", self.region, self.principal.account)
    }
}

/// A resource an operation touched, as CloudTrail lists it (`resources[]`, and LookupEvents'
/// ResourceType/ResourceName attributes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditResource {
    pub resource_type: String,
    pub name: String,
}

/// An operation's canonical output and the resources it touched.
#[derive(Debug, Clone)]
pub struct Reply {
    pub output: Value,
    pub resources: Vec<AuditResource>,
    /// What CloudTrail's `requestParameters` shows besides the input, in its own names: facts
    /// the request carried in another form (the session tags of a federation token).
    pub request_parameters: serde_json::Map<String, Value>,
}

impl Reply {
    pub fn new(output: Value) -> Self {
        Reply { output, resources: Vec::new(), request_parameters: serde_json::Map::new() }
    }

    pub fn request_parameter(mut self, name: &str, value: Value) -> Self {
        self.request_parameters.insert(name.to_owned(), value);
        self
    }

    pub fn resource(mut self, resource_type: &str, name: impl Into<String>) -> Self {
        self.resources.push(AuditResource { resource_type: resource_type.to_owned(), name: name.into() });
        self
    }
}

impl From<Value> for Reply {
    fn from(output: Value) -> Self {
        Reply::new(output)
    }
}

pub type ServiceFuture<'a> = Pin<Box<dyn Future<Output = Result<Reply, ApiError>> + Send + 'a>>;

/// One AWS service. The pipeline has already authenticated, decoded, validated and authorized
/// the request; the service does the operation.
pub trait Service: Send + Sync {
    /// The registry id of the service's model (`sts`, `cloudtrail`).
    fn id(&self) -> &'static str;

    /// The handler for `ctx.operation`, or `None` when Palisade does not implement it yet.
    fn call<'a>(&'a self, ctx: &'a RequestContext, input: Value) -> Option<ServiceFuture<'a>>;

    /// The ARNs of the resources `ctx.operation` acts on, as policies name them; `*` for
    /// operations on no particular resource (ListUsers, CreateTrail before it exists names one).
    /// None declared (the default): the authorizer derives them from the IAM action's resource
    /// types in the Service Authorization Reference.
    fn resources(&self, _ctx: &RequestContext, _input: &Value) -> Vec<String> {
        Vec::new()
    }
}
