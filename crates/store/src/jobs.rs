//! The durable job queue: work that outlives a request, leased by one node at a time.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::clock::Clock;
use crate::error::StoreError;
use crate::{Backend, Store};

/// A dedupe key already in the queue is replaced: the newest payload and time win. A job
/// being run keeps its lease, so the new version never runs beside it; `replaced` tells the
/// run's completion to hand the row to the new version instead of deleting it.
pub(crate) const ENQUEUE_SQL: &str = "INSERT INTO jobs (kind, dedupe_key, payload, run_at)
     VALUES (?1, ?2, ?3, ?4)
     ON CONFLICT (dedupe_key) DO UPDATE SET
         kind = excluded.kind, payload = excluded.payload, run_at = excluded.run_at,
         attempts = 0, last_error = NULL, replaced = (jobs.lease_until IS NOT NULL)
     RETURNING id";
pub(crate) const COMPLETE_SQL: &str =
    "DELETE FROM jobs WHERE id = ?1 AND fence = ?2 AND NOT replaced";
pub(crate) const RETRY_SQL: &str = "UPDATE jobs
     SET run_at = ?3, last_error = ?4, leased_by = NULL, lease_until = NULL
     WHERE id = ?1 AND fence = ?2 AND NOT replaced";
/// Ends a run whose job was replaced while it ran: the new version stays, due at its time.
pub(crate) const RELEASE_REPLACED_SQL: &str = "UPDATE jobs
     SET leased_by = NULL, lease_until = NULL, replaced = FALSE
     WHERE id = ?1 AND fence = ?2 AND replaced";
pub(crate) const CANCEL_SQL: &str = "DELETE FROM jobs WHERE dedupe_key = ?1";

/// How long a [`JobWorker`] holds a job: longer than the longest handler (a function's
/// 15-minute timeout), so a live run is never taken over.
const WORKER_LEASE_SECONDS: f64 = 960.0;
const WORKER_POLL: Duration = Duration::from_millis(200);
/// Retries back off exponentially up to an hour.
const MAX_BACKOFF_SECONDS: f64 = 3600.0;

/// A leased job. `fence` proves the lease: completing or retrying with an older fence fails.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    /// The job's identity in the queue.
    pub id: i64,
    /// What to do; the handler dispatches on it.
    pub kind: String,
    /// The handler's input.
    pub payload: Value,
    /// The fencing token of this lease.
    pub fence: i64,
    /// How many times the job has been leased, this lease included.
    pub attempts: u32,
    /// When the job was due, in store-clock seconds.
    pub run_at: f64,
}

impl Job {
    pub(crate) fn from_row(
        id: i64,
        kind: String,
        payload: &str,
        fence: i64,
        attempts: i64,
        run_at: f64,
    ) -> Result<Job, StoreError> {
        let payload = serde_json::from_str(payload)
            .map_err(|error| StoreError::Corrupt(format!("payload of job {id}: {error}")))?;
        let attempts = u32::try_from(attempts).unwrap_or(u32::MAX);
        Ok(Job {
            id,
            kind,
            payload,
            fence,
            attempts,
            run_at,
        })
    }
}

impl Store {
    /// Queues a job due at `run_at` (store-clock seconds) and returns its id. With a
    /// `dedupe_key`, at most one job per key is queued: a second enqueue replaces the first.
    /// If the first is running, the replacement waits for that run to end.
    pub async fn enqueue_job(
        &self,
        kind: &str,
        dedupe_key: Option<&str>,
        payload: Value,
        run_at: f64,
    ) -> Result<i64, StoreError> {
        let payload = payload.to_string();
        match &self.inner.backend {
            Backend::Sqlite(store) => store.enqueue_job(kind, dedupe_key, &payload, run_at).await,
            Backend::Postgres(store) => store.enqueue_job(kind, dedupe_key, &payload, run_at).await,
        }
    }

    /// Takes one due job that no live lease holds, for `lease_seconds`, advancing its fence.
    /// A job whose lease expires (its node died) becomes available again.
    pub async fn lease_job(
        &self,
        node_id: &str,
        now: f64,
        lease_seconds: f64,
    ) -> Result<Option<Job>, StoreError> {
        let until = now + lease_seconds;
        match &self.inner.backend {
            Backend::Sqlite(store) => store.lease_job(node_id, now, until).await,
            Backend::Postgres(store) => store.lease_job(node_id, now, until).await,
        }
    }

    /// Removes a finished job; refuses with [`StoreError::StaleFence`] if the lease was lost.
    pub async fn complete_job(&self, id: i64, fence: i64) -> Result<(), StoreError> {
        let done = match &self.inner.backend {
            Backend::Sqlite(store) => store.complete_job(id, fence).await?,
            Backend::Postgres(store) => store.complete_job(id, fence).await?,
        };
        done.then_some(())
            .ok_or(StoreError::StaleFence { job_id: id })
    }

    /// Releases a failed job to run again at `run_at`, keeping the error for operators;
    /// refuses with [`StoreError::StaleFence`] if the lease was lost.
    pub async fn retry_job(
        &self,
        id: i64,
        fence: i64,
        run_at: f64,
        error: &str,
    ) -> Result<(), StoreError> {
        let done = match &self.inner.backend {
            Backend::Sqlite(store) => store.retry_job(id, fence, run_at, error).await?,
            Backend::Postgres(store) => store.retry_job(id, fence, run_at, error).await?,
        };
        done.then_some(())
            .ok_or(StoreError::StaleFence { job_id: id })
    }

    /// Drops the queued job with this dedupe key (a cancelled schedule); tells whether there was one.
    pub async fn cancel_job(&self, dedupe_key: &str) -> Result<bool, StoreError> {
        match &self.inner.backend {
            Backend::Sqlite(store) => store.cancel_job(dedupe_key).await,
            Backend::Postgres(store) => store.cancel_job(dedupe_key).await,
        }
    }
}

/// Runs one job; an `Err` is kept as the job's last error and the job is retried later.
pub type JobHandler =
    Arc<dyn Fn(Job) -> Pin<Box<dyn Future<Output = Result<(), String>> + Send>> + Send + Sync>;

/// A background loop that leases due jobs every 200 ms and runs them one at a time.
/// Dropping it stops the loop at once; [`JobWorker::shutdown`] lets the current job finish.
pub struct JobWorker {
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl JobWorker {
    /// Starts the loop on the current tokio runtime. Due times and leases use `clock`.
    pub fn spawn(
        store: Store,
        clock: Clock,
        node_id: impl Into<String>,
        handler: JobHandler,
    ) -> JobWorker {
        let (stop, stopped) = watch::channel(false);
        let node_id = node_id.into();
        let task = tokio::spawn(run_worker(store, clock, node_id, handler, stopped));
        JobWorker {
            stop,
            task: Some(task),
        }
    }

    /// Stops taking jobs and waits for the one running, if any.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for JobWorker {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

async fn run_worker(
    store: Store,
    clock: Clock,
    node_id: String,
    handler: JobHandler,
    mut stopped: watch::Receiver<bool>,
) {
    loop {
        while !*stopped.borrow() {
            match store
                .lease_job(&node_id, clock.now(), WORKER_LEASE_SECONDS)
                .await
            {
                Ok(Some(job)) => run_job(&store, &clock, &handler, job).await,
                Ok(None) => break,
                Err(error) => {
                    tracing::warn!(%error, "leasing a job failed");
                    break;
                }
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(WORKER_POLL) => {}
            _ = stopped.changed() => {}
        }
        if *stopped.borrow() {
            return;
        }
    }
}

async fn run_job(store: &Store, clock: &Clock, handler: &JobHandler, job: Job) {
    let (id, fence, attempts) = (job.id, job.fence, job.attempts);
    let kind = job.kind.clone();
    // A panicking handler must not take the worker down with it: run it as its own task.
    let outcome = match tokio::spawn(handler(job)).await {
        Ok(outcome) => outcome,
        Err(error) => Err(format!("handler panicked: {error}")),
    };
    let recorded = match &outcome {
        Ok(()) => store.complete_job(id, fence).await,
        Err(message) => {
            tracing::warn!(job = id, %kind, attempts, error = %message, "job failed; will retry");
            let backoff = 2f64.powi(attempts.min(12) as i32).min(MAX_BACKOFF_SECONDS);
            store
                .retry_job(id, fence, clock.now() + backoff, message)
                .await
        }
    };
    match recorded {
        Ok(()) => {}
        Err(StoreError::StaleFence { .. }) => {
            tracing::info!(job = id, %kind, "job was taken over or replaced while it ran")
        }
        Err(error) => tracing::warn!(job = id, %kind, %error, "recording a job's outcome failed"),
    }
}
