//! The pipeline's authorize step: an interface the IAM service fills with the policy engine,
//! and what every decision shares (the action a request is, AWS's AccessDenied error).

use std::{future::Future, pin::Pin};

use serde_json::Value;
use wire::{ApiError, Protocol};

use crate::service::RequestContext;

pub type AuthorizeFuture<'a> = Pin<Box<dyn Future<Output = Result<(), ApiError>> + Send + 'a>>;

/// Judges whether the principal of `ctx` may perform `ctx.operation` on `resources` with
/// `input`; no resources means the service declared none, and the authorizer finds them.
pub trait Authorizer: Send + Sync {
    fn authorize<'a>(&'a self, ctx: &'a RequestContext, resources: &'a [String], input: &'a Value) -> AuthorizeFuture<'a>;

    /// A call that may have changed policies succeeded: whatever the authorizer remembers of
    /// them is stale.
    fn written(&self);
}

/// The IAM action of the request (`kms:Encrypt`): the service's IAM prefix, which is its
/// signing name except where AWS differs, and the operation name (or the action AWS names it by).
pub fn iam_action(ctx: &RequestContext) -> String {
    let prefix = match ctx.service.signing_name {
        "monitoring" => "cloudwatch",
        other => other,
    };
    // A few IAM actions are not named after their operation.
    let action = match (prefix, ctx.operation) {
        ("lambda", "Invoke" | "InvokeWithResponseStream") => "InvokeFunction",
        (_, operation) => operation,
    };
    format!("{prefix}:{action}")
}

/// AccessDenied as the request's protocol family names it: `AccessDenied` (403) for query and
/// XML services, `AccessDeniedException` (400) for JSON services.
pub fn access_denied(ctx: &RequestContext, message: String) -> ApiError {
    let xml = ctx.service.protocols.first().is_some_and(|p| p.answers_in_xml() || *p == Protocol::Query);
    if xml {
        ApiError::new("AccessDenied", 403, message)
    } else {
        ApiError::new("AccessDeniedException", 400, message)
    }
}
