//! Exact sliding-window counters for rate-based rules.
//!
//! AWS WAF counts in the background and acts with up to some seconds of lag; here every
//! request is counted when it is evaluated, so the request over the limit is the one refused,
//! and a client is released as soon as its requests in the window fall back to the limit.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

/// The counters of a web ACL's rate-based rules, shared by every request it evaluates.
#[derive(Debug, Default)]
pub struct RateState {
    inner: Mutex<Counters>,
}

#[derive(Debug, Default)]
struct Counters {
    windows: HashMap<(Arc<str>, Vec<u8>), Window>,
    /// Number of windows when idle ones were last removed; sweeping again when the map has
    /// doubled keeps the work per request constant on average.
    swept_at: usize,
}

/// The requests of one aggregation key in the window: (millisecond, count) in time order.
#[derive(Debug, Default)]
struct Window {
    hits: VecDeque<(u64, u64)>,
    total: u64,
    window_ms: u64,
}

impl Window {
    fn expire(&mut self, now_ms: u64) {
        while let Some(&(at, count)) = self.hits.front() {
            if at + self.window_ms > now_ms {
                break;
            }
            self.hits.pop_front();
            self.total -= count;
        }
    }
}

impl RateState {
    /// A state with no requests counted.
    pub fn new() -> RateState {
        RateState::default()
    }

    /// Counts one request of `key` for the statement `counter_id` and returns the number of its
    /// requests in the last `window_ms`, this one included.
    pub(crate) fn hit(
        &self,
        counter_id: &Arc<str>,
        key: Vec<u8>,
        window_ms: u64,
        now_ms: u64,
    ) -> u64 {
        let mut counters = self
            .inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let window = counters
            .windows
            .entry((counter_id.clone(), key))
            .or_insert_with(|| Window {
                window_ms,
                ..Window::default()
            });
        window.window_ms = window_ms;
        window.expire(now_ms);
        match window.hits.back_mut() {
            Some((at, count)) if *at >= now_ms => *count += 1,
            _ => window.hits.push_back((now_ms, 1)),
        }
        window.total += 1;
        let total = window.total;
        if counters.windows.len() >= 1024 && counters.windows.len() >= counters.swept_at * 2 {
            counters.windows.retain(|_, w| {
                w.expire(now_ms);
                w.total > 0
            });
            counters.swept_at = counters.windows.len();
        }
        total
    }

    /// The aggregation keys of `counter_id` whose count in the window is above `limit`: what
    /// GetRateBasedStatementManagedKeys reports (the keys are the bytes of the aggregation
    /// key; for IP keys, the address text).
    pub fn keys_over_limit(&self, counter_id: &str, limit: u64, now_ms: u64) -> Vec<Vec<u8>> {
        let mut counters = self
            .inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut keys = Vec::new();
        for ((id, key), window) in counters.windows.iter_mut() {
            if &**id == counter_id {
                window.expire(now_ms);
                if window.total > limit {
                    keys.push(key.clone());
                }
            }
        }
        keys
    }
}
