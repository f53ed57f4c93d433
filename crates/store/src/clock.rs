//! The server clock: wall time plus an offset that tests move, shared through the store.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::task::AbortHandle;

use crate::error::StoreError;
use crate::{Backend, Store};

const OFFSET_META_KEY: &str = "clock_offset";
/// How often a PostgreSQL node picks up an offset another node set.
const REFRESH_INTERVAL: Duration = Duration::from_millis(250);

/// The clock lifecycles run on (rotations, expiries, schedules, retention). Cheap to clone;
/// [`Clock::now`] reads an atomic, so it is fine on every request.
#[derive(Clone)]
pub struct Clock {
    shared: Arc<ClockShared>,
}

struct ClockShared {
    offset_bits: Arc<AtomicU64>,
    backend: Backend,
    refresher: Option<AbortHandle>,
}

impl Drop for ClockShared {
    fn drop(&mut self) {
        if let Some(refresher) = &self.refresher {
            refresher.abort();
        }
    }
}

impl Clock {
    /// The store's clock. The first call reads the stored offset and, with PostgreSQL,
    /// starts the task that picks up other nodes' changes every 250 ms; later calls return
    /// the same clock, so every handle in the process sees one offset.
    pub async fn open(store: &Store) -> Result<Clock, StoreError> {
        let backend = &store.inner.backend;
        let shared_by_nodes = matches!(backend, Backend::Postgres(_));
        store
            .inner
            .clock
            .get_or_try_init(|| Clock::start(backend.clone(), shared_by_nodes))
            .await
            .cloned()
    }

    async fn start(backend: Backend, shared_by_nodes: bool) -> Result<Clock, StoreError> {
        let offset = read_offset(&backend).await?;
        let offset_bits = Arc::new(AtomicU64::new(offset.to_bits()));
        let refresher = shared_by_nodes.then(|| {
            let (backend, offset_bits) = (backend.clone(), offset_bits.clone());
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(REFRESH_INTERVAL).await;
                    match read_offset(&backend).await {
                        Ok(offset) => offset_bits.store(offset.to_bits(), Ordering::Relaxed),
                        Err(error) => tracing::warn!(%error, "refreshing the clock offset failed"),
                    }
                }
            })
            .abort_handle()
        });
        Ok(Clock {
            shared: Arc::new(ClockShared {
                offset_bits,
                backend,
                refresher,
            }),
        })
    }

    /// The server time in epoch seconds: wall clock plus offset.
    pub fn now(&self) -> f64 {
        let wall = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        wall.as_secs_f64() + self.offset()
    }

    /// How far the server clock is ahead of the wall clock, in seconds.
    pub fn offset(&self) -> f64 {
        f64::from_bits(self.shared.offset_bits.load(Ordering::Relaxed))
    }

    /// Moves the clock forward (or back, if negative) for every node.
    pub async fn advance(&self, seconds: f64) -> Result<(), StoreError> {
        finite(seconds)?;
        let stored = self
            .shared
            .backend
            .meta_update(OFFSET_META_KEY, &mut |current| {
                let offset = current.map(parse_offset).transpose()?.unwrap_or(0.0);
                Ok(format_offset(offset + seconds))
            })
            .await?;
        let offset = parse_offset(&stored)?;
        self.shared
            .offset_bits
            .store(offset.to_bits(), Ordering::Relaxed);
        Ok(())
    }

    /// Sets the offset outright, for every node (zero returns to wall time).
    pub async fn set_offset(&self, offset: f64) -> Result<(), StoreError> {
        finite(offset)?;
        self.shared
            .backend
            .meta_put(OFFSET_META_KEY, &format_offset(offset))
            .await?;
        self.shared
            .offset_bits
            .store(offset.to_bits(), Ordering::Relaxed);
        Ok(())
    }
}

fn finite(seconds: f64) -> Result<(), StoreError> {
    if seconds.is_finite() {
        Ok(())
    } else {
        Err(StoreError::InvalidInput(format!(
            "clock offset {seconds} is not finite"
        )))
    }
}

async fn read_offset(backend: &Backend) -> Result<f64, StoreError> {
    backend
        .meta_get(OFFSET_META_KEY)
        .await?
        .map_or(Ok(0.0), |value| parse_offset(&value))
}

// Text, so an operator can read it in the database; Display round-trips f64 exactly.
fn format_offset(offset: f64) -> Vec<u8> {
    offset.to_string().into_bytes()
}

fn parse_offset(value: &[u8]) -> Result<f64, StoreError> {
    std::str::from_utf8(value)
        .ok()
        .and_then(|text| text.parse::<f64>().ok())
        .filter(|offset| offset.is_finite())
        .ok_or_else(|| StoreError::Corrupt("the stored clock offset is not a number".to_owned()))
}
