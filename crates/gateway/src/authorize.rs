//! The pipeline's authorize step. The policy engine fills it; until it does, the root user may
//! do everything, as in AWS, and nobody else may do anything.

use std::{future::Future, pin::Pin};

use serde_json::Value;
use wire::ApiError;

use crate::{principal::PrincipalKind, service::RequestContext};

pub type AuthorizeFuture<'a> = Pin<Box<dyn Future<Output = Result<(), ApiError>> + Send + 'a>>;

/// Judges whether the principal of `ctx` may perform `ctx.operation` with `input`.
pub trait Authorizer: Send + Sync {
    fn authorize<'a>(&'a self, ctx: &'a RequestContext, input: &'a Value) -> AuthorizeFuture<'a>;
}

/// Root users may do everything in their account; unsigned operations are let through for
/// the service to judge (AssumeRoleWithWebIdentity is authorized by the role's trust policy).
pub struct RootOnly;

impl Authorizer for RootOnly {
    fn authorize<'a>(&'a self, ctx: &'a RequestContext, _input: &'a Value) -> AuthorizeFuture<'a> {
        let decision = match ctx.principal.kind {
            PrincipalKind::Root | PrincipalKind::Anonymous => Ok(()),
            _ => Err(access_denied(ctx, "no identity-based policy allows the action")),
        };
        Box::pin(std::future::ready(decision))
    }
}

/// AWS's current AccessDenied message form.
pub fn access_denied(ctx: &RequestContext, reason: &str) -> ApiError {
    let action = format!("{}:{}", iam_prefix(ctx.service.signing_name), ctx.operation);
    ApiError::new(
        "AccessDeniedException",
        400,
        format!("User: {} is not authorized to perform: {action} because {reason}", ctx.principal.arn),
    )
}

/// The IAM action prefix of a service, which is its signing name except where AWS differs.
fn iam_prefix(signing_name: &str) -> &str {
    match signing_name {
        "monitoring" => "cloudwatch",
        other => other,
    }
}
