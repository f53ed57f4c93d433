//! Group commit: one task per store drains the queue of events into one transaction.

use tokio::sync::{mpsc, oneshot};

use super::AuditRecord;
use crate::error::StoreError;
use crate::Backend;

/// The most records one group commit writes; bounds how long it holds the database.
const MAX_BATCH: usize = 2000;
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
    /// Starts the writing task for a backend; it ends when every writer is dropped.
    pub(crate) fn spawn(backend: Backend) -> AuditWriter {
        let (commands, receiver) = mpsc::unbounded_channel();
        tokio::spawn(write_batches(backend, receiver));
        AuditWriter { commands }
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

/// Takes everything queued, writes it as one transaction, answers flushes, and repeats.
/// Under load the queue fills while a batch is written, so batches grow with the load.
async fn write_batches(backend: Backend, mut commands: mpsc::UnboundedReceiver<AuditCommand>) {
    let mut batch = Vec::new();
    let mut flushes = Vec::new();
    let mut failure: Option<StoreError> = None;
    while let Some(command) = commands.recv().await {
        let mut next = Some(command);
        while let Some(command) = next.take() {
            match command {
                AuditCommand::Record(record) => batch.push(record),
                AuditCommand::Flush(done) => flushes.push(done),
            }
            if batch.len() < MAX_BATCH {
                next = commands.try_recv().ok();
            }
        }
        if !batch.is_empty() {
            if let Err(error) = append_with_retries(&backend, &batch).await {
                tracing::error!(%error, events = batch.len(), "audit events lost");
                failure = Some(error);
            }
            batch.clear();
        }
        if !flushes.is_empty() {
            let outcome = failure.take().map_or(Ok(()), Err);
            for done in flushes.drain(..) {
                let _ = done.send(outcome.clone());
            }
        }
    }
}

/// A batch is one transaction, so writing it again after a failure cannot duplicate events;
/// a database that is briefly unreachable (a PostgreSQL restart) costs no events.
async fn append_with_retries(backend: &Backend, batch: &[AuditRecord]) -> Result<(), StoreError> {
    let mut attempt = 1;
    loop {
        match backend.append_audit(batch).await {
            Err(error) if attempt < APPEND_ATTEMPTS => {
                tracing::warn!(%error, attempt, "writing audit events failed; retrying");
                tokio::time::sleep(APPEND_RETRY_DELAY * attempt).await;
                attempt += 1;
            }
            outcome => return outcome,
        }
    }
}

impl Backend {
    async fn append_audit(&self, records: &[AuditRecord]) -> Result<(), StoreError> {
        match self {
            Backend::Sqlite(store) => store.append_audit(records).await,
            Backend::Postgres(store) => store.append_audit(records).await,
        }
    }
}
