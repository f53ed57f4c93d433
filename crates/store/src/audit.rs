//! The audit log behind CloudTrail: appended in batches off the request path, looked up
//! newest first by the attributes LookupEvents offers, aged out by the caller's schedule.

use tokio::sync::{mpsc, oneshot};

use crate::error::StoreError;
use crate::{Backend, Store};

/// The most records one group commit writes; bounds how long it holds the database.
const MAX_BATCH: usize = 2000;
/// How many times a batch is tried before its events are given up, and the first pause.
const APPEND_ATTEMPTS: u32 = 5;
const APPEND_RETRY_DELAY: std::time::Duration = std::time::Duration::from_millis(100);
/// Rows deleted per purge transaction.
pub(crate) const PURGE_BATCH: i64 = 5000;

/// `audit_resources.kind` of a resource type row.
const RESOURCE_TYPE: i16 = 1;
/// `audit_resources.kind` of a resource name row.
const RESOURCE_NAME: i16 = 2;

/// One CloudTrail event with the fields LookupEvents filters on pulled out of its JSON.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditRecord {
    /// The account whose trail holds the event.
    pub account: String,
    /// The region whose trail holds the event.
    pub region: String,
    /// When it happened, in store-clock epoch seconds.
    pub event_time: f64,
    /// CloudTrail's `eventID`.
    pub event_id: String,
    /// The operation, e.g. `CreateKey`.
    pub event_name: String,
    /// The service, e.g. `kms.amazonaws.com`.
    pub event_source: String,
    /// The caller's user name, when it has one.
    pub username: Option<String>,
    /// The access key the request was signed with, when there was one.
    pub access_key_id: Option<String>,
    /// Whether the operation only reads.
    pub read_only: bool,
    /// The resources the event names, as (type, name), e.g. `("AWS::KMS::Key", arn)`.
    pub resources: Vec<(String, String)>,
    /// The complete event, returned as is by lookups.
    pub event_json: String,
}

impl AuditRecord {
    /// The distinct `audit_resources` rows of this event, so a lookup lists it once.
    pub(crate) fn indexed_resources(&self) -> Vec<(i16, &str)> {
        let mut rows: Vec<(i16, &str)> = self
            .resources
            .iter()
            .flat_map(|(kind, name)| {
                [
                    (RESOURCE_TYPE, kind.as_str()),
                    (RESOURCE_NAME, name.as_str()),
                ]
            })
            .collect();
        rows.sort_unstable();
        rows.dedup();
        rows
    }
}

/// The attributes LookupEvents can filter on; each is an exact match, as in CloudTrail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditAttribute {
    /// CloudTrail's `EventId`.
    EventId,
    /// CloudTrail's `EventName`.
    EventName,
    /// CloudTrail's `ReadOnly`: `"true"` or `"false"`.
    ReadOnly,
    /// CloudTrail's `Username`.
    Username,
    /// CloudTrail's `ResourceType`.
    ResourceType,
    /// CloudTrail's `ResourceName`.
    ResourceName,
    /// CloudTrail's `EventSource`.
    EventSource,
    /// CloudTrail's `AccessKeyId`.
    AccessKeyId,
}

/// A LookupEvents request against one account's trail in one region.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuditQuery {
    /// The account whose events are listed.
    pub account: String,
    /// The region whose events are listed.
    pub region: String,
    /// Only events at or after this time.
    pub start_time: Option<f64>,
    /// Only events at or before this time.
    pub end_time: Option<f64>,
    /// At most one attribute filter, as LookupEvents allows.
    pub attribute: Option<(AuditAttribute, String)>,
    /// The page size.
    pub max_results: usize,
    /// The token a previous page returned.
    pub next_token: Option<String>,
}

/// How a lookup narrows the log, in terms of the tables.
pub(crate) enum AuditFilter {
    All,
    Column { column: &'static str, value: String },
    ReadOnly(bool),
    Resource { kind: i16, value: String },
}

/// A position in the log: events are ordered by (event_time, seq), newest first.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct AuditCursor {
    pub(crate) time: f64,
    pub(crate) seq: i64,
}

impl AuditCursor {
    const START: AuditCursor = AuditCursor {
        time: f64::MAX,
        seq: i64::MAX,
    };

    /// A next token names the last event returned, so appends never shift later pages.
    fn token(self) -> String {
        format!("{:016x}{:016x}", self.time.to_bits(), self.seq as u64)
    }

    fn from_token(token: &str) -> Result<AuditCursor, StoreError> {
        let invalid =
            || StoreError::InvalidToken(format!("{token:?} was not issued by this store"));
        let parse = |hex: Option<&str>| {
            hex.and_then(|hex| u64::from_str_radix(hex, 16).ok())
                .ok_or_else(invalid)
        };
        if token.len() != 32 || !token.is_ascii() {
            return Err(invalid());
        }
        let time = f64::from_bits(parse(token.get(..16))?);
        let seq = parse(token.get(16..))? as i64;
        Ok(AuditCursor { time, seq })
    }
}

/// One event a lookup found.
pub(crate) struct AuditRow {
    pub(crate) event_json: String,
    pub(crate) cursor: AuditCursor,
}

/// The lookup statement for a filter. Parameters: ?1 account, ?2 region, ?3 start time,
/// ?4 end time, ?5 and ?6 the cursor, ?7 the limit, then the filter's values.
pub(crate) fn lookup_sql(filter: &AuditFilter) -> String {
    let window = |table: &str| {
        format!(
            "{table}.account = ?1 AND {table}.region = ?2
             AND {table}.event_time >= ?3 AND {table}.event_time <= ?4
             AND ({table}.event_time, {table}.seq) < (?5, ?6)"
        )
    };
    let events = |condition: &str| {
        format!(
            "SELECT e.event_json, e.event_time, e.seq FROM audit_events e
             WHERE {} {condition}
             ORDER BY e.event_time DESC, e.seq DESC LIMIT ?7",
            window("e")
        )
    };
    match filter {
        AuditFilter::All => events(""),
        AuditFilter::Column { column, .. } => events(&format!("AND e.{column} = ?8")),
        AuditFilter::ReadOnly(_) => events("AND e.read_only = ?8"),
        AuditFilter::Resource { .. } => format!(
            "SELECT e.event_json, r.event_time, r.seq
             FROM audit_resources r JOIN audit_events e ON e.seq = r.seq
             WHERE {} AND r.kind = ?8 AND r.value = ?9
             ORDER BY r.event_time DESC, r.seq DESC LIMIT ?7",
            window("r")
        ),
    }
}

fn filter_for(attribute: Option<(AuditAttribute, String)>) -> Option<AuditFilter> {
    let column = |column, value| AuditFilter::Column { column, value };
    let filter = match attribute {
        None => AuditFilter::All,
        Some((attribute, value)) => match attribute {
            AuditAttribute::EventId => column("event_id", value),
            AuditAttribute::EventName => column("event_name", value),
            AuditAttribute::EventSource => column("event_source", value),
            AuditAttribute::Username => column("username", value),
            AuditAttribute::AccessKeyId => column("access_key_id", value),
            AuditAttribute::ReadOnly => match value.as_str() {
                "true" => AuditFilter::ReadOnly(true),
                "false" => AuditFilter::ReadOnly(false),
                // CloudTrail matches exactly: any other value matches no event.
                _ => return None,
            },
            AuditAttribute::ResourceType => AuditFilter::Resource {
                kind: RESOURCE_TYPE,
                value,
            },
            AuditAttribute::ResourceName => AuditFilter::Resource {
                kind: RESOURCE_NAME,
                value,
            },
        },
    };
    Some(filter)
}

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

impl Store {
    /// The writer services record CloudTrail events with.
    pub fn audit_writer(&self) -> AuditWriter {
        self.inner.audit.clone()
    }

    /// One page of events, newest first, and the token of the next page if there is one.
    pub async fn lookup_audit(
        &self,
        query: AuditQuery,
    ) -> Result<(Vec<String>, Option<String>), StoreError> {
        let after = match &query.next_token {
            Some(token) => AuditCursor::from_token(token)?,
            None => AuditCursor::START,
        };
        let Some(filter) = filter_for(query.attribute) else {
            return Ok((Vec::new(), None));
        };
        if query.max_results == 0 {
            return Ok((Vec::new(), None));
        }
        let window = (
            query.start_time.unwrap_or(f64::MIN),
            query.end_time.unwrap_or(f64::MAX),
        );
        // One row more than asked tells whether a next page exists.
        let limit = i64::try_from(query.max_results).unwrap_or(i64::MAX - 1) + 1;
        let (account, region) = (query.account.as_str(), query.region.as_str());
        let mut rows = match &self.inner.backend {
            Backend::Sqlite(store) => {
                store
                    .lookup_audit(account, region, window, after, &filter, limit)
                    .await?
            }
            Backend::Postgres(store) => {
                store
                    .lookup_audit(account, region, window, after, &filter, limit)
                    .await?
            }
        };
        let next_token = if rows.len() > query.max_results {
            rows.truncate(query.max_results);
            rows.last().map(|row| row.cursor.token())
        } else {
            None
        };
        Ok((
            rows.into_iter().map(|row| row.event_json).collect(),
            next_token,
        ))
    }

    /// Deletes events older than `time` (90-day retention); returns how many.
    pub async fn purge_audit_before(&self, time: f64) -> Result<u64, StoreError> {
        match &self.inner.backend {
            Backend::Sqlite(store) => store.purge_audit_before(time).await,
            Backend::Postgres(store) => store.purge_audit_before(time).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::AuditCursor;

    #[test]
    fn next_token_round_trips_the_cursor() {
        let cursor = AuditCursor {
            time: 1_700_000_000.123,
            seq: 42,
        };
        assert_eq!(AuditCursor::from_token(&cursor.token()).unwrap(), cursor);
    }

    #[test]
    fn next_token_of_the_wrong_shape_is_refused() {
        assert!(AuditCursor::from_token("").is_err());
        assert!(AuditCursor::from_token(&"g".repeat(32)).is_err());
        assert!(AuditCursor::from_token(&"é".repeat(16)).is_err());
    }
}
