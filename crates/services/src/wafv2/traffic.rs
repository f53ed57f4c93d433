//! What the data plane's web ACLs observed: sampled requests (kept three hours, as AWS does),
//! request counts per web ACL, rule and action for CloudWatch, and log records on their way to
//! the web ACL's `aws-waf-logs-*` log group.

use std::{
    collections::{HashMap, VecDeque},
    sync::Mutex,
    time::Duration,
};

use serde_json::Value;
use store::Store;
use tokio::sync::mpsc;

use crate::logs::LogEvent;

/// How long samples are kept.
const SAMPLE_RETENTION_MS: u64 = 3 * 3_600_000;
/// Samples kept per web ACL: AWS keeps up to 100 per rule per 3-hour window; more here costs
/// little and keeps tests meaningful.
const MAX_SAMPLES_PER_WEB_ACL: usize = 5000;
/// Samples taken per web ACL per second at most: under load, sampling every request would cost
/// more than evaluating it.
const MAX_SAMPLES_PER_SECOND: u32 = 20;
/// How often counted requests become CloudWatch data points.
const METRICS_FLUSH_INTERVAL: Duration = Duration::from_secs(10);
/// Log records written in one batch at most.
const MAX_LOG_BATCH: usize = 1000;

/// A request as GetSampledRequests shows it.
#[derive(Debug, Clone)]
pub struct Sample {
    pub time_ms: u64,
    /// The metric names of the rules the sample belongs to (the terminating rule's, or the web
    /// ACL's own for the default action, and those of rules that counted it).
    pub metric_names: Vec<String>,
    /// The `SampledHTTPRequest` shape, without `Timestamp` and `Weight`.
    pub shape: Value,
}

/// One count of requests: per web ACL, rule metric (`ALL` for the web ACL itself) and action.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MetricKey {
    pub account: String,
    pub region: String,
    pub web_acl_metric: String,
    pub rule_metric: String,
    /// `AllowedRequests`, `BlockedRequests`, `CountedRequests`, ...
    pub metric_name: &'static str,
}

/// A log record for a log group.
pub struct LogDelivery {
    pub account: String,
    pub region: String,
    pub group: String,
    pub stream: String,
    pub event: LogEvent,
}

pub struct Traffic {
    samples: Mutex<HashMap<String, VecDeque<Sample>>>,
    /// Per web ACL: the second being sampled and how many samples it has.
    sampling: Mutex<HashMap<String, (u64, u32)>>,
    /// Counts per key per minute (epoch minute).
    tallies: Mutex<HashMap<(MetricKey, u64), u64>>,
    logs: mpsc::UnboundedSender<LogDelivery>,
}

impl Traffic {
    /// Starts the tasks that write log records and metrics to the store.
    pub fn start(store: Store) -> std::sync::Arc<Traffic> {
        let (logs, receiver) = mpsc::unbounded_channel();
        let traffic = std::sync::Arc::new(Traffic { samples: Mutex::default(), sampling: Mutex::default(), tallies: Mutex::default(), logs });
        tokio::spawn(deliver_logs(store.clone(), receiver));
        tokio::spawn(flush_metrics(store, std::sync::Arc::downgrade(&traffic)));
        traffic
    }

    /// Whether a request of this web ACL at `now_ms` is to be sampled.
    pub fn takes_sample(&self, web_acl_arn: &str, now_ms: u64) -> bool {
        let second = now_ms / 1000;
        let mut sampling = self.sampling.lock().unwrap_or_else(|e| e.into_inner());
        let Some(entry) = sampling.get_mut(web_acl_arn) else {
            sampling.insert(web_acl_arn.to_owned(), (second, 1));
            return true;
        };
        if entry.0 != second {
            *entry = (second, 0);
        }
        entry.1 += 1;
        entry.1 <= MAX_SAMPLES_PER_SECOND
    }

    pub fn sample(&self, web_acl_arn: &str, sample: Sample) {
        let mut samples = self.samples.lock().unwrap_or_else(|e| e.into_inner());
        let kept = samples.entry(web_acl_arn.to_owned()).or_default();
        while kept.front().is_some_and(|s| s.time_ms + SAMPLE_RETENTION_MS < sample.time_ms) || kept.len() >= MAX_SAMPLES_PER_WEB_ACL {
            kept.pop_front();
        }
        kept.push_back(sample);
    }

    /// The samples of a web ACL for a rule metric in `[start_ms, end_ms]`, and how many
    /// requests that rule saw in the window.
    pub fn samples(&self, web_acl_arn: &str, metric_name: &str, web_acl_metric: &str, start_ms: u64, end_ms: u64) -> Vec<Sample> {
        let samples = self.samples.lock().unwrap_or_else(|e| e.into_inner());
        samples
            .get(web_acl_arn)
            .into_iter()
            .flatten()
            .filter(|s| s.time_ms >= start_ms && s.time_ms <= end_ms)
            .filter(|s| metric_name == web_acl_metric || s.metric_names.iter().any(|m| m == metric_name))
            .cloned()
            .collect()
    }

    pub fn count(&self, key: MetricKey, time_ms: u64) {
        let mut tallies = self.tallies.lock().unwrap_or_else(|e| e.into_inner());
        *tallies.entry((key, time_ms / 60_000)).or_default() += 1;
    }

    pub fn log(&self, delivery: LogDelivery) {
        // The receiver lives as long as the runtime; a send after shutdown has nowhere to go.
        let _ = self.logs.send(delivery);
    }

    fn take_tallies(&self) -> HashMap<(MetricKey, u64), u64> {
        std::mem::take(&mut *self.tallies.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

/// Writes log records as they come, in batches per log group and stream.
async fn deliver_logs(store: Store, mut receiver: mpsc::UnboundedReceiver<LogDelivery>) {
    while let Some(first) = receiver.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_LOG_BATCH {
            match receiver.try_recv() {
                Ok(next) => batch.push(next),
                Err(_) => break,
            }
        }
        let mut by_stream: HashMap<(String, String, String, String), Vec<LogEvent>> = HashMap::new();
        for delivery in batch {
            by_stream.entry((delivery.account, delivery.region, delivery.group, delivery.stream)).or_default().push(delivery.event);
        }
        for ((account, region, group, stream), events) in by_stream {
            let now_ms = events.iter().map(|e| e.timestamp).max().unwrap_or_default();
            if let Err(e) = crate::logs::append(&store, &account, &region, &group, &stream, &events, now_ms).await {
                tracing::warn!(group, error = %e, "WAF log records could not be delivered");
            }
        }
    }
}

/// Turns the counted requests into CloudWatch data points (namespace `AWS/WAFV2`) until the
/// traffic record goes away.
async fn flush_metrics(store: Store, traffic: std::sync::Weak<Traffic>) {
    let mut interval = tokio::time::interval(METRICS_FLUSH_INTERVAL);
    loop {
        interval.tick().await;
        let Some(traffic) = traffic.upgrade() else { return };
        let tallies = traffic.take_tallies();
        drop(traffic);
        if tallies.is_empty() {
            continue;
        }
        if let Err(e) = crate::cloudwatch::record_waf_counts(&store, tallies).await {
            tracing::warn!(error = %e, "WAF metrics could not be recorded");
        }
    }
}
