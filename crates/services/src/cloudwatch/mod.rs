//! Amazon CloudWatch metrics: PutMetricData, GetMetricStatistics, GetMetricData, ListMetrics,
//! and the metrics Palisade's own services publish (AWS WAF's request counts from live traffic).

mod series;
mod statistics;

use gateway::{RequestContext, Service, ServiceFuture};
use serde_json::Value;
use store::Store;
use wire::ApiError;

pub use series::record_waf_counts;

pub struct CloudWatch {
    store: Store,
}

impl CloudWatch {
    pub fn new(store: Store) -> Self {
        CloudWatch { store }
    }
}

impl Service for CloudWatch {
    fn id(&self) -> &'static str {
        "cloudwatch"
    }

    fn call<'a>(&'a self, ctx: &'a RequestContext, input: Value) -> Option<ServiceFuture<'a>> {
        let store = &self.store;
        Some(match ctx.operation {
            "PutMetricData" => Box::pin(series::put_metric_data(store, ctx, input)),
            "ListMetrics" => Box::pin(series::list_metrics(store, ctx, input)),
            "GetMetricStatistics" => Box::pin(statistics::get_metric_statistics(store, ctx, input)),
            "GetMetricData" => Box::pin(statistics::get_metric_data(store, ctx, input)),
            _ => return None,
        })
    }
}

fn error(shape: &str, message: impl Into<String>) -> ApiError {
    crate::modeled_error("cloudwatch", shape, message)
}

fn store_error(e: store::StoreError) -> ApiError {
    ApiError::internal(format!("CloudWatch could not reach its store: {e}"))
}
