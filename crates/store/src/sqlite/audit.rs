//! The audit log on SQLite.

use rusqlite::ToSql;

use super::SqliteStore;
use crate::audit::{lookup_sql, AuditCursor, AuditFilter, AuditRecord, AuditRow, PURGE_BATCH};
use crate::error::StoreError;

const INSERT_EVENT_SQL: &str = "INSERT INTO audit_events
     (account, region, event_time, event_id, event_name, event_source,
      username, access_key_id, read_only, event_json)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
/// The oldest events first, a batch at a time, found through `audit_events_by_age`.
const PURGE_RESOURCES_SQL: &str = "DELETE FROM audit_resources WHERE seq IN
     (SELECT seq FROM audit_events WHERE event_time < ?1 ORDER BY event_time, seq LIMIT ?2)";
const PURGE_EVENTS_SQL: &str = "DELETE FROM audit_events WHERE seq IN
     (SELECT seq FROM audit_events WHERE event_time < ?1 ORDER BY event_time, seq LIMIT ?2)";
const INSERT_RESOURCE_SQL: &str = "INSERT INTO audit_resources
     (seq, kind, value, account, region, event_time) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";

impl SqliteStore {
    /// Appends a batch in one transaction (group commit).
    pub(crate) async fn append_audit(&self, records: &[AuditRecord]) -> Result<(), StoreError> {
        let connection = self.connection.lock().await;
        connection.execute_batch("BEGIN IMMEDIATE")?;
        let written = (|| -> Result<(), StoreError> {
            let mut events = connection.prepare_cached(INSERT_EVENT_SQL)?;
            let mut resources = connection.prepare_cached(INSERT_RESOURCE_SQL)?;
            for record in records {
                events.execute(rusqlite::params![
                    record.account,
                    record.region,
                    record.event_time,
                    record.event_id,
                    record.event_name,
                    record.event_source,
                    record.username,
                    record.access_key_id,
                    record.read_only,
                    record.event_json,
                ])?;
                let seq = connection.last_insert_rowid();
                for (kind, value) in record.indexed_resources() {
                    resources.execute(rusqlite::params![
                        seq,
                        kind,
                        value,
                        record.account,
                        record.region,
                        record.event_time
                    ])?;
                }
            }
            Ok(())
        })();
        match written {
            Ok(()) => Ok(connection.execute_batch("COMMIT")?),
            Err(error) => {
                let _ = connection.execute_batch("ROLLBACK");
                Err(error)
            }
        }
    }

    pub(crate) async fn lookup_audit(
        &self,
        account: &str,
        region: &str,
        (start, end): (f64, f64),
        after: AuditCursor,
        filter: &AuditFilter,
        limit: i64,
    ) -> Result<Vec<AuditRow>, StoreError> {
        let sql = lookup_sql(filter);
        // Taken before the parameters exist: they are not Send and must not live across an await.
        let connection = self.connection.lock().await;
        let mut params: Vec<&dyn ToSql> = vec![
            &account,
            &region,
            &start,
            &end,
            &after.time,
            &after.seq,
            &limit,
        ];
        match filter {
            AuditFilter::All => {}
            AuditFilter::Column { value, .. } => params.push(value),
            AuditFilter::ReadOnly(value) => params.push(value),
            AuditFilter::Resource { kind, value } => {
                params.push(kind);
                params.push(value);
            }
        }
        let mut statement = connection.prepare_cached(&sql)?;
        let rows = statement
            .query_map(params.as_slice(), |row| {
                Ok(AuditRow {
                    event_json: row.get(0)?,
                    cursor: AuditCursor {
                        time: row.get(1)?,
                        seq: row.get(2)?,
                    },
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    pub(crate) async fn purge_audit_before(&self, time: f64) -> Result<u64, StoreError> {
        let mut purged = 0;
        loop {
            // Small batches, each its own transaction, so requests are not held up for long.
            let connection = self.connection.lock().await;
            connection.execute_batch("BEGIN IMMEDIATE")?;
            let deleted = (|| -> Result<usize, StoreError> {
                connection
                    .prepare_cached(PURGE_RESOURCES_SQL)?
                    .execute(rusqlite::params![time, PURGE_BATCH])?;
                Ok(connection
                    .prepare_cached(PURGE_EVENTS_SQL)?
                    .execute(rusqlite::params![time, PURGE_BATCH])?)
            })();
            let deleted = match deleted {
                Ok(deleted) => {
                    connection.execute_batch("COMMIT")?;
                    deleted
                }
                Err(error) => {
                    let _ = connection.execute_batch("ROLLBACK");
                    return Err(error);
                }
            };
            purged += deleted as u64;
            if (deleted as i64) < PURGE_BATCH {
                return Ok(purged);
            }
        }
    }
}
