//! AWS CloudTrail: trails and their settings, and LookupEvents over the audit log the gateway
//! writes for every call.

mod event_selectors;
mod logging;
mod lookup_events;
pub mod retention;
mod trail_name;
mod trails;

use gateway::{RequestContext, Service, ServiceFuture};
use serde_json::Value;
use store::Store;
use wire::ApiError;

pub struct CloudTrail {
    store: Store,
}

impl CloudTrail {
    pub fn new(store: Store) -> Self {
        CloudTrail { store }
    }
}

impl Service for CloudTrail {
    fn id(&self) -> &'static str {
        "cloudtrail"
    }

    fn call<'a>(&'a self, ctx: &'a RequestContext, input: Value) -> Option<ServiceFuture<'a>> {
        let store = &self.store;
        Some(match ctx.operation {
            "CreateTrail" => Box::pin(trails::create_trail(store, ctx, input)),
            "GetTrail" => Box::pin(trails::get_trail(store, ctx, input)),
            "DescribeTrails" => Box::pin(trails::describe_trails(store, ctx, input)),
            "UpdateTrail" => Box::pin(trails::update_trail(store, ctx, input)),
            "DeleteTrail" => Box::pin(trails::delete_trail(store, ctx, input)),
            "ListTrails" => Box::pin(trails::list_trails(store, ctx, input)),
            "StartLogging" => Box::pin(logging::start_logging(store, ctx, input)),
            "StopLogging" => Box::pin(logging::stop_logging(store, ctx, input)),
            "GetTrailStatus" => Box::pin(logging::get_trail_status(store, ctx, input)),
            "PutEventSelectors" => Box::pin(event_selectors::put_event_selectors(store, ctx, input)),
            "GetEventSelectors" => Box::pin(event_selectors::get_event_selectors(store, ctx, input)),
            "LookupEvents" => Box::pin(lookup_events::lookup_events(store, ctx, input)),
            _ => return None,
        })
    }

    /// The trail a request names (`Name` or `TrailName`, a name or an ARN), or `*`.
    fn resources(&self, ctx: &RequestContext, input: &Value) -> Vec<String> {
        let named = input.get("Name").or_else(|| input.get("TrailName")).and_then(Value::as_str);
        let arn = match named {
            Some(arn) if arn.starts_with("arn:") => arn.to_owned(),
            Some(name) => trail_name::trail_arn(&ctx.region, ctx.account(), name),
            None => "*".to_owned(),
        };
        vec![arn]
    }
}

/// CloudTrail's modeled error `shape` with `message`.
fn error(shape: &str, message: impl Into<String>) -> ApiError {
    crate::modeled_error("cloudtrail", shape, message)
}

fn store_error(e: store::StoreError) -> ApiError {
    ApiError::internal(format!("CloudTrail could not reach its store: {e}"))
}
