//! The audit log on PostgreSQL: a batch is a few array-valued statements, not a row each.

use tokio_postgres::types::ToSql;

use super::PgStore;
use crate::audit::{
    AuditAttribute, AuditCursor, AuditFilter, AuditRecord, AuditRow, RESOURCE_NAME, RESOURCE_TYPE,
};
use crate::error::StoreError;

/// Rows deleted per purge transaction.
const PURGE_BATCH: i64 = 5000;

/// `= ANY(ARRAY(..))` rather than `IN (..)`: PostgreSQL plans `IN` as a hash join over a
/// scan of the whole log, and `ANY` as primary-key lookups of the batch.
const PURGE_RESOURCES_SQL: &str = "DELETE FROM audit_resources WHERE seq = ANY(ARRAY(
     SELECT seq FROM audit_events WHERE event_time < $1 ORDER BY event_time, seq LIMIT $2))";
const PURGE_EVENTS_SQL: &str = "DELETE FROM audit_events WHERE seq = ANY(ARRAY(
     SELECT seq FROM audit_events WHERE event_time < $1 ORDER BY event_time, seq LIMIT $2))";
const ALLOCATE_SEQ_SQL: &str =
    "SELECT nextval('audit_events_seq') FROM generate_series(1, $1::bigint)";
const INSERT_EVENTS_SQL: &str = "INSERT INTO audit_events
     (seq, account, region, event_time, event_id, event_name, event_source,
      username, access_key_id, read_only, event_json)
     SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::float8[], $5::text[],
                          $6::text[], $7::text[], $8::text[], $9::text[], $10::bool[], $11::text[])";
const INSERT_RESOURCES_SQL: &str = "INSERT INTO audit_resources
     (seq, kind, value, account, region, event_time)
     SELECT * FROM unnest($1::bigint[], $2::int2[], $3::text[], $4::text[], $5::text[],
                          $6::float8[])";

impl PgStore {
    /// Appends a batch in one transaction (group commit).
    pub(crate) async fn append_audit(&self, records: &[AuditRecord]) -> Result<(), StoreError> {
        let mut connection = self.pool.get().await?;
        connection.begin("BEGIN").await?;
        let written = async {
            let count = records.len() as i64;
            let mut seqs = connection
                .query(ALLOCATE_SEQ_SQL, &[&count])
                .await?
                .iter()
                .map(|row| row.try_get::<_, i64>(0))
                .collect::<Result<Vec<_>, _>>()?;
            // Within a batch any order is right; ascending keeps seq in arrival order.
            seqs.sort_unstable();
            let column = |field: fn(&AuditRecord) -> &str| -> Vec<&str> {
                records.iter().map(field).collect()
            };
            let times: Vec<f64> = records.iter().map(|record| record.event_time).collect();
            let usernames: Vec<Option<&str>> = records
                .iter()
                .map(|record| record.username.as_deref())
                .collect();
            let access_keys: Vec<Option<&str>> = records
                .iter()
                .map(|record| record.access_key_id.as_deref())
                .collect();
            let read_only: Vec<bool> = records.iter().map(|record| record.read_only).collect();
            let events: [&(dyn ToSql + Sync); 11] = [
                &seqs,
                &column(|record| &record.account),
                &column(|record| &record.region),
                &times,
                &column(|record| &record.event_id),
                &column(|record| &record.event_name),
                &column(|record| &record.event_source),
                &usernames,
                &access_keys,
                &read_only,
                &column(|record| &record.event_json),
            ];
            connection.execute(INSERT_EVENTS_SQL, &events).await?;

            let mut resources = ResourceColumns::default();
            for (record, seq) in records.iter().zip(&seqs) {
                for (kind, value) in record.indexed_resources() {
                    resources.seq.push(*seq);
                    resources.kind.push(kind);
                    resources.value.push(value);
                    resources.account.push(&record.account);
                    resources.region.push(&record.region);
                    resources.event_time.push(record.event_time);
                }
            }
            if !resources.seq.is_empty() {
                let params: [&(dyn ToSql + Sync); 6] = [
                    &resources.seq,
                    &resources.kind,
                    &resources.value,
                    &resources.account,
                    &resources.region,
                    &resources.event_time,
                ];
                connection.execute(INSERT_RESOURCES_SQL, &params).await?;
            }
            Ok(())
        }
        .await;
        connection.finish(written).await
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
        let read_only;
        let resource_kind;
        let mut params: Vec<&(dyn ToSql + Sync)> = vec![
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
            AuditFilter::Attribute {
                attribute: AuditAttribute::ReadOnly,
                value,
            } => {
                read_only = value == "true";
                params.push(&read_only);
            }
            AuditFilter::Attribute {
                attribute: attribute @ (AuditAttribute::ResourceType | AuditAttribute::ResourceName),
                value,
            } => {
                resource_kind = if *attribute == AuditAttribute::ResourceType {
                    RESOURCE_TYPE
                } else {
                    RESOURCE_NAME
                };
                params.push(&resource_kind);
                params.push(value);
            }
            AuditFilter::Attribute { value, .. } => params.push(value),
        }
        let mut connection = self.pool.get().await?;
        let rows = connection.query(&sql, &params).await?;
        rows.iter()
            .map(|row| {
                Ok(AuditRow {
                    event_json: row.try_get(0)?,
                    cursor: AuditCursor {
                        time: row.try_get(1)?,
                        seq: row.try_get(2)?,
                    },
                })
            })
            .collect()
    }

    pub(crate) async fn purge_audit_before(&self, time: f64) -> Result<u64, StoreError> {
        let mut purged = 0;
        loop {
            // Small batches, each its own transaction, so no transaction grows without bound.
            let mut connection = self.pool.get().await?;
            connection.begin("BEGIN").await?;
            let deleted = async {
                connection
                    .execute(PURGE_RESOURCES_SQL, &[&time, &PURGE_BATCH])
                    .await?;
                connection
                    .execute(PURGE_EVENTS_SQL, &[&time, &PURGE_BATCH])
                    .await
            }
            .await;
            let deleted = connection.finish(deleted).await?;
            purged += deleted;
            if deleted < PURGE_BATCH as u64 {
                return Ok(purged);
            }
        }
    }
}

/// The resource rows of a batch, column by column, for `unnest`.
#[derive(Default)]
struct ResourceColumns<'a> {
    seq: Vec<i64>,
    kind: Vec<i16>,
    value: Vec<&'a str>,
    account: Vec<&'a str>,
    region: Vec<&'a str>,
    event_time: Vec<f64>,
}

/// The lookup statement for a filter. Parameters: $1 account, $2 region, $3 start time,
/// $4 end time, $5 and $6 the cursor, $7 the limit, then the filter's values.
fn lookup_sql(filter: &AuditFilter) -> String {
    let window = |table: &str| {
        format!(
            "{table}.account = $1 AND {table}.region = $2
             AND {table}.event_time >= $3 AND {table}.event_time <= $4
             AND ({table}.event_time, {table}.seq) < ($5, $6)"
        )
    };
    let events = |condition: &str| {
        format!(
            "SELECT e.event_json, e.event_time, e.seq FROM audit_events e
             WHERE {} {condition}
             ORDER BY e.event_time DESC, e.seq DESC LIMIT $7",
            window("e")
        )
    };
    let column = |column: &str| events(&format!("AND e.{column} = $8"));
    match filter {
        AuditFilter::All => events(""),
        AuditFilter::Attribute { attribute, .. } => match attribute {
            AuditAttribute::EventId => column("event_id"),
            AuditAttribute::EventName => column("event_name"),
            AuditAttribute::EventSource => column("event_source"),
            AuditAttribute::Username => column("username"),
            AuditAttribute::AccessKeyId => column("access_key_id"),
            AuditAttribute::ReadOnly => column("read_only"),
            AuditAttribute::ResourceType | AuditAttribute::ResourceName => format!(
                "SELECT e.event_json, r.event_time, r.seq
                 FROM audit_resources r JOIN audit_events e ON e.seq = r.seq
                 WHERE {} AND r.kind = $8 AND r.value = $9
                 ORDER BY r.event_time DESC, r.seq DESC LIMIT $7",
                window("r")
            ),
        },
    }
}
