//! AWS Security Token Service. This issue serves GetCallerIdentity; sessions arrive with IAM.

mod get_caller_identity;

use gateway::{RequestContext, Service, ServiceFuture};
use serde_json::Value;

pub struct Sts;

impl Service for Sts {
    fn id(&self) -> &'static str {
        "sts"
    }

    fn call<'a>(&'a self, ctx: &'a RequestContext, _input: Value) -> Option<ServiceFuture<'a>> {
        match ctx.operation {
            "GetCallerIdentity" => Some(Box::pin(std::future::ready(Ok(get_caller_identity::get_caller_identity(ctx))))),
            _ => None,
        }
    }
}
