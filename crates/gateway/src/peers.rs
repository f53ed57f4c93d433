//! Calls one service makes to another: Secrets Manager decrypting a secret with KMS for its
//! caller, or invoking a rotation function as its own service principal. They take the same
//! authorize → dispatch → audit steps as a call over HTTP, so key policies, resource policies
//! and SCPs judge them and CloudTrail records them as AWS does (`invokedBy`, `kms:ViaService`).

use std::sync::{Arc, OnceLock, Weak};

use serde_json::Value;
use wire::ApiError;

use crate::{
    audit::{redact, request_parameters, CallRecord, Caller},
    pipeline::{new_request_id, Gateway},
    principal::Principal,
    service::RequestContext,
};

/// A service's handle on the gateway it is served by, connected once the gateway exists (the
/// gateway owns the services, so they cannot hold it from the start).
#[derive(Clone, Default)]
pub struct Peers(Arc<OnceLock<Weak<Gateway>>>);

impl Peers {
    pub fn connect(&self, gateway: &Arc<Gateway>) {
        // A second connect would mean two gateways share services; the first one keeps them.
        let _ = self.0.set(Arc::downgrade(gateway));
    }

    fn gateway(&self) -> Result<Arc<Gateway>, ApiError> {
        self.0
            .get()
            .and_then(Weak::upgrade)
            .ok_or_else(|| ApiError::internal("the service is not connected to a running gateway"))
    }

    /// Calls `service`'s `operation` with the identity of the request `on_behalf_of`, made by
    /// the AWS service `invoked_by` (`secretsmanager.amazonaws.com`).
    pub async fn call_for(
        &self,
        on_behalf_of: &RequestContext,
        invoked_by: &'static str,
        service: &str,
        operation: &str,
        input: Value,
    ) -> Result<Value, ApiError> {
        let ctx = internal_context(on_behalf_of.principal.clone(), &on_behalf_of.region, on_behalf_of, invoked_by, service, operation)?;
        self.gateway()?.call_internal(ctx, input).await
    }

    /// Calls `service`'s `operation` as the service principal `invoked_by` itself, acting in
    /// `account` (a resource policy must name the service principal).
    pub async fn call_as_service(
        &self,
        on_behalf_of: &RequestContext,
        invoked_by: &'static str,
        service: &str,
        operation: &str,
        input: Value,
    ) -> Result<Value, ApiError> {
        let principal = Principal::service(on_behalf_of.account(), invoked_by);
        let ctx = internal_context(principal, &on_behalf_of.region, on_behalf_of, invoked_by, service, operation)?;
        self.gateway()?.call_internal(ctx, input).await
    }
}

fn internal_context(
    principal: Principal,
    region: &str,
    origin: &RequestContext,
    invoked_by: &'static str,
    service: &str,
    operation: &str,
) -> Result<RequestContext, ApiError> {
    let info = wire::service_by_id(service).ok_or_else(|| ApiError::internal(format!("no service {service}")))?;
    let operation = info
        .model()
        .operation(operation)
        .ok_or_else(|| ApiError::internal(format!("{service} has no operation {operation}")))?;
    Ok(RequestContext {
        request_id: new_request_id(),
        service: info,
        operation: operation.name.as_str(),
        region: region.to_owned(),
        principal,
        source_ip: origin.source_ip,
        user_agent: invoked_by.to_owned(),
        secure_transport: true,
        time: origin.time,
        invoked_by: Some(invoked_by),
    })
}

impl Gateway {
    /// Runs an internal call through the pipeline's shared steps and records it in CloudTrail.
    async fn call_internal(&self, ctx: RequestContext, input: Value) -> Result<Value, ApiError> {
        let started = std::time::Instant::now();
        let model = ctx.service.model();
        let operation = model.operation(ctx.operation).expect("the context names a modeled operation");
        let protocol = ctx.service.protocols[0];
        let audited_input = operation.input.as_ref().map(|i| redact(model, &i.shape, &input));
        let outcome = match wire::validate::validate_input(model, operation, &input, protocol) {
            Ok(()) => self.authorize_and_dispatch(&ctx, input).await,
            Err(error) => Err(error),
        };
        let (output, parameters, resources, would_be_denied, error) = match outcome {
            Ok((reply, denial)) => {
                (Some(reply.output), request_parameters(audited_input, reply.request_parameters), reply.resources, denial, None)
            }
            Err(error) => (None, audited_input, Vec::new(), None, Some(error)),
        };
        let response_elements = match (&output, &operation.output) {
            (Some(output), Some(shape)) if !crate::audit::is_read_only(ctx.operation) => Some(redact(model, &shape.shape, output)),
            _ => None,
        };
        let invoked_by = ctx.invoked_by.unwrap_or_default();
        self.metrics.record_call(ctx.service.id, ctx.operation, error.as_ref().map_or(200, |e| e.status), started.elapsed().as_secs_f64());
        self.record(CallRecord {
            caller: Caller::Authenticated(&ctx.principal),
            recipient_account: ctx.account(),
            region: &ctx.region,
            event_time: ctx.time,
            event_source: ctx.service.event_source,
            event_name: ctx.operation,
            source_ip: invoked_by,
            user_agent: invoked_by,
            request_id: &ctx.request_id,
            event_id: &new_request_id(),
            request_parameters: parameters,
            response_elements,
            error: error.as_ref(),
            would_be_denied: would_be_denied.as_ref(),
            resources: &resources,
            tls: None,
            host: "",
            invoked_by: ctx.invoked_by,
        });
        match error {
            Some(error) => Err(error),
            None => Ok(output.unwrap_or(Value::Null)),
        }
    }
}
