//! Amazon CloudWatch Logs: log groups with retention and tags, log streams, and the events
//! written to them, read back in order (GetLogEvents) or searched with a filter pattern
//! (FilterLogEvents). Lambda writes its functions' output here, WAF its request logs.

mod events;
mod filter_pattern;
mod groups;
mod records;
mod streams;

pub use events::{append, LogEvent};
pub use groups::create_group_if_missing;

use gateway::{RequestContext, Service, ServiceFuture};
use serde_json::Value;
use store::Store;
use wire::ApiError;

pub struct Logs {
    store: Store,
}

impl Logs {
    pub fn new(store: Store) -> Self {
        Logs { store }
    }
}

impl Service for Logs {
    fn id(&self) -> &'static str {
        "logs"
    }

    fn call<'a>(&'a self, ctx: &'a RequestContext, input: Value) -> Option<ServiceFuture<'a>> {
        let store = &self.store;
        Some(match ctx.operation {
            "CreateLogGroup" => Box::pin(groups::create_log_group(store, ctx, input)),
            "DescribeLogGroups" => Box::pin(groups::describe_log_groups(store, ctx, input)),
            "DeleteLogGroup" => Box::pin(groups::delete_log_group(store, ctx, input)),
            "PutRetentionPolicy" => Box::pin(groups::put_retention_policy(store, ctx, input)),
            "DeleteRetentionPolicy" => Box::pin(groups::delete_retention_policy(store, ctx, input)),
            "TagLogGroup" => Box::pin(groups::tag_log_group(store, ctx, input)),
            "UntagLogGroup" => Box::pin(groups::untag_log_group(store, ctx, input)),
            "ListTagsLogGroup" => Box::pin(groups::list_tags_log_group(store, ctx, input)),
            "TagResource" => Box::pin(groups::tag_resource(store, ctx, input)),
            "UntagResource" => Box::pin(groups::untag_resource(store, ctx, input)),
            "ListTagsForResource" => Box::pin(groups::list_tags_for_resource(store, ctx, input)),
            "CreateLogStream" => Box::pin(streams::create_log_stream(store, ctx, input)),
            "DescribeLogStreams" => Box::pin(streams::describe_log_streams(store, ctx, input)),
            "DeleteLogStream" => Box::pin(streams::delete_log_stream(store, ctx, input)),
            "PutLogEvents" => Box::pin(events::put_log_events(store, ctx, input)),
            "GetLogEvents" => Box::pin(events::get_log_events(store, ctx, input)),
            "FilterLogEvents" => Box::pin(events::filter_log_events(store, ctx, input)),
            _ => return None,
        })
    }

    /// The log group a request names (its ARN with the trailing `:*` AWS's policies match), or
    /// the log stream for operations on one stream; `*` for account-wide listings.
    fn resources(&self, ctx: &RequestContext, input: &Value) -> Vec<String> {
        let group = records::group_name_of_input(input);
        let stream = input.get("logStreamName").and_then(Value::as_str);
        let arn = match (group, stream) {
            (Some(group), Some(stream)) => records::stream_arn(&ctx.region, ctx.account(), &group, stream),
            (Some(group), None) => records::group_arn(&ctx.region, ctx.account(), &group),
            (None, _) => input.get("resourceArn").and_then(Value::as_str).unwrap_or("*").to_owned(),
        };
        vec![arn]
    }
}

/// CloudWatch Logs' modeled error `shape` with `message`.
fn error(shape: &str, message: impl Into<String>) -> ApiError {
    crate::modeled_error("logs", shape, message)
}

fn store_error(e: store::StoreError) -> ApiError {
    ApiError::internal(format!("CloudWatch Logs could not reach its store: {e}"))
}
