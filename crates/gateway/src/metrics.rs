//! Prometheus metrics for `/_palisade/metrics`: calls by service, operation and outcome, and
//! their latency.

use std::{
    collections::HashMap,
    fmt::Write,
    sync::{
        atomic::{AtomicU64, Ordering},
        Mutex,
    },
};

#[derive(Default)]
struct CallStats {
    count: u64,
    seconds: f64,
}

/// Counters shared by every request.
#[derive(Default)]
pub struct Metrics {
    calls: Mutex<HashMap<(&'static str, &'static str, u16), CallStats>>,
    jobs: Mutex<HashMap<(String, &'static str), u64>>,
    unrouted: AtomicU64,
    authentication_failures: AtomicU64,
}

impl Metrics {
    pub fn record_call(&self, service: &'static str, operation: &'static str, status: u16, seconds: f64) {
        let mut calls = self.calls.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let stats = calls.entry((service, operation, status)).or_default();
        stats.count += 1;
        stats.seconds += seconds;
    }

    /// A job this node ran, by kind and outcome (`ok` or `failed`).
    pub fn record_job(&self, kind: &str, succeeded: bool) {
        let outcome = if succeeded { "ok" } else { "failed" };
        let mut jobs = self.jobs.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        *jobs.entry((kind.to_owned(), outcome)).or_default() += 1;
    }

    pub fn record_unrouted(&self) {
        self.unrouted.fetch_add(1, Ordering::Relaxed);
    }

    pub fn record_authentication_failure(&self) {
        self.authentication_failures.fetch_add(1, Ordering::Relaxed);
    }

    /// The Prometheus text exposition format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        out.push_str("# HELP palisade_requests_total API calls by service, operation and HTTP status.\n");
        out.push_str("# TYPE palisade_requests_total counter\n");
        let calls = self.calls.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut rows: Vec<_> = calls.iter().collect();
        rows.sort_by_key(|(key, _)| *key);
        for ((service, operation, status), stats) in &rows {
            let _ = writeln!(
                out,
                "palisade_requests_total{{service=\"{service}\",operation=\"{operation}\",status=\"{status}\"}} {}",
                stats.count
            );
        }
        out.push_str("# HELP palisade_request_seconds_sum Time spent serving API calls.\n");
        out.push_str("# TYPE palisade_request_seconds_sum counter\n");
        for ((service, operation, status), stats) in &rows {
            let _ = writeln!(
                out,
                "palisade_request_seconds_sum{{service=\"{service}\",operation=\"{operation}\",status=\"{status}\"}} {:.6}",
                stats.seconds
            );
        }
        let _ = writeln!(out, "# HELP palisade_jobs_total Jobs this node ran, by kind and outcome.");
        let _ = writeln!(out, "# TYPE palisade_jobs_total counter");
        let jobs = self.jobs.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut job_rows: Vec<_> = jobs.iter().collect();
        job_rows.sort();
        for ((kind, outcome), count) in job_rows {
            let _ = writeln!(out, "palisade_jobs_total{{kind=\"{kind}\",outcome=\"{outcome}\"}} {count}");
        }
        let _ = writeln!(out, "# TYPE palisade_unrouted_requests_total counter");
        let _ = writeln!(out, "palisade_unrouted_requests_total {}", self.unrouted.load(Ordering::Relaxed));
        let _ = writeln!(out, "# TYPE palisade_authentication_failures_total counter");
        let _ = writeln!(
            out,
            "palisade_authentication_failures_total {}",
            self.authentication_failures.load(Ordering::Relaxed)
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_are_counted_per_operation_and_status() {
        let metrics = Metrics::default();
        metrics.record_call("sts", "GetCallerIdentity", 200, 0.001);
        metrics.record_call("sts", "GetCallerIdentity", 200, 0.001);
        let text = metrics.render();
        assert!(text.contains("palisade_requests_total{service=\"sts\",operation=\"GetCallerIdentity\",status=\"200\"} 2"));
    }
}
