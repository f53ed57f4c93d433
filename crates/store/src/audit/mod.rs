//! The audit log behind CloudTrail: appended in batches off the request path, looked up
//! newest first by the attributes LookupEvents offers, aged out by the caller's schedule.

pub(crate) mod chunk;
mod lookup;
mod writer;

use crate::error::StoreError;
use crate::{Backend, Store};

use lookup::filter_for;
pub(crate) use lookup::{AuditCursor, AuditFilter, AuditRow};
pub use writer::AuditWriter;

/// `audit_resources.kind` of a resource type row (PostgreSQL).
pub(crate) const RESOURCE_TYPE: i16 = 1;
/// `audit_resources.kind` of a resource name row (PostgreSQL).
pub(crate) const RESOURCE_NAME: i16 = 2;

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
    /// The page size (the caller applies CloudTrail's default and cap; zero lists nothing).
    pub max_results: usize,
    /// The token a previous page returned.
    pub next_token: Option<String>,
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
