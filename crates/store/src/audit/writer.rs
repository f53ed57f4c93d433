//! Group commit: one task per store drains the queue of events into one transaction.

use tokio::sync::{mpsc, oneshot};

use super::AuditRecord;
use crate::error::StoreError;
use crate::postgres::PgStore;
use crate::sqlite::{ChunkAppender, SqliteStore};
use crate::Backend;

/// The most records one group commit writes; bounds how long it holds the database.
const MAX_BATCH: usize = 2000;
/// After each group commit the writer lets events gather this long before the next: under
/// load a commit then carries hundreds of events instead of a few, so the fixed cost of a
/// commit (the pages it writes, the thread wake-ups) is shared. Events stay visible well
/// within CloudTrail's second.
const GATHER_WINDOW: std::time::Duration = std::time::Duration::from_millis(20);
/// How many times a batch is tried before its events are given up, and the first pause.
const APPEND_ATTEMPTS: u32 = 5;
const APPEND_RETRY_DELAY: std::time::Duration = std::time::Duration::from_millis(100);

// Records are nearly every command, so boxing them would only add an allocation each.
#[allow(clippy::large_enum_variant)]
enum AuditCommand {
    Record(AuditRecord),
    Flush(oneshot::Sender<Result<(), StoreError>>),
}

/// Hands events to the store's one audit-writing task. Cheap to clone; never blocks.
#[derive(Clone)]
pub struct AuditWriter {
    commands: mpsc::UnboundedSender<AuditCommand>,
}

impl AuditWriter {
    /// Starts the writing task for a backend; it ends when every writer is dropped. SQLite
    /// is written from a thread of its own, so a batch never occupies a runtime worker.
    pub(crate) fn spawn(backend: Backend) -> Result<AuditWriter, StoreError> {
        let (commands, receiver) = mpsc::unbounded_channel();
        match backend {
            Backend::Sqlite(store) => {
                std::thread::Builder::new()
                    .name("audit-writer".into())
                    .spawn(move || write_sqlite_batches(store, receiver))
                    .map_err(|error| {
                        StoreError::Unavailable(format!("cannot start the audit writer: {error}"))
                    })?;
            }
            Backend::Postgres(store) => {
                tokio::spawn(write_postgres_batches(store, receiver));
            }
        }
        Ok(AuditWriter { commands })
    }

    /// Queues an event. It is written with whatever else is queued (group commit), well
    /// within a second; a write failure is logged and reported by the next [`flush`](Self::flush).
    pub fn record(&self, record: AuditRecord) {
        if self.commands.send(AuditCommand::Record(record)).is_err() {
            tracing::error!("audit writer has stopped; event dropped");
        }
    }

    /// Waits until every event recorded before this call is written, for shutdown and tests.
    pub async fn flush(&self) -> Result<(), StoreError> {
        let (done, written) = oneshot::channel();
        self.commands
            .send(AuditCommand::Flush(done))
            .map_err(|_| StoreError::Closed)?;
        written.await.map_err(|_| StoreError::Closed)?
    }
}

/// What the writer took from the queue in one turn, and the failure flushes must hear of.
/// Under load the queue fills while a batch is written, so batches grow with the load.
#[derive(Default)]
struct GroupCommit {
    batch: Vec<AuditRecord>,
    flushes: Vec<oneshot::Sender<Result<(), StoreError>>>,
    failure: Option<StoreError>,
}

impl GroupCommit {
    /// Takes `first` and everything queued behind it, up to a batch of records.
    fn gather(
        &mut self,
        first: AuditCommand,
        commands: &mut mpsc::UnboundedReceiver<AuditCommand>,
    ) {
        let mut next = Some(first);
        while let Some(command) = next.take() {
            match command {
                AuditCommand::Record(record) => self.batch.push(record),
                AuditCommand::Flush(done) => self.flushes.push(done),
            }
            if self.batch.len() < MAX_BATCH {
                next = commands.try_recv().ok();
            }
        }
    }

    /// Notes how writing the batch went, then answers the flushes gathered with it.
    fn settle(&mut self, written: Result<(), StoreError>) {
        if let Err(error) = written {
            tracing::error!(%error, events = self.batch.len(), "audit events lost");
            self.failure = Some(error);
        }
        self.batch.clear();
        if !self.flushes.is_empty() {
            let outcome = self.failure.take().map_or(Ok(()), Err);
            for done in self.flushes.drain(..) {
                let _ = done.send(outcome.clone());
            }
        }
    }
}

/// How long to wait before trying a failed batch again, or `None` to give it up. A batch
/// is one transaction, so writing it again cannot duplicate events; a database that is
/// briefly unreachable (a PostgreSQL restart) costs no events.
fn retry_delay(attempt: u32, error: &StoreError) -> Option<std::time::Duration> {
    if attempt >= APPEND_ATTEMPTS {
        return None;
    }
    tracing::warn!(%error, attempt, "writing audit events failed; retrying");
    Some(APPEND_RETRY_DELAY * attempt)
}

fn write_sqlite_batches(store: SqliteStore, mut commands: mpsc::UnboundedReceiver<AuditCommand>) {
    let mut appender = ChunkAppender::new(store);
    let mut commit = GroupCommit::default();
    while let Some(command) = commands.blocking_recv() {
        commit.gather(command, &mut commands);
        let mut written = Ok(());
        let mut attempt = 1;
        while !commit.batch.is_empty() {
            written = appender.append(&commit.batch);
            match &written {
                Err(error) => match retry_delay(attempt, error) {
                    Some(delay) => std::thread::sleep(delay),
                    None => break,
                },
                Ok(()) => break,
            }
            attempt += 1;
        }
        commit.settle(written);
        std::thread::sleep(GATHER_WINDOW);
    }
}

async fn write_postgres_batches(
    store: PgStore,
    mut commands: mpsc::UnboundedReceiver<AuditCommand>,
) {
    let mut commit = GroupCommit::default();
    while let Some(command) = commands.recv().await {
        commit.gather(command, &mut commands);
        let mut written = Ok(());
        let mut attempt = 1;
        while !commit.batch.is_empty() {
            written = store.append_audit(&commit.batch).await;
            match &written {
                Err(error) => match retry_delay(attempt, error) {
                    Some(delay) => tokio::time::sleep(delay).await,
                    None => break,
                },
                Ok(()) => break,
            }
            attempt += 1;
        }
        commit.settle(written);
        tokio::time::sleep(GATHER_WINDOW).await;
    }
}
