//! PostgreSQL migrations; the same tables as `sqlite/schema.rs` in PostgreSQL's types.
//! Keys use the "C" collation so they order by bytes, as in SQLite.

use super::pool::PgConnection;
use crate::error::StoreError;

/// Each migration runs once, in order, recorded in `schema_migrations`.
const MIGRATIONS: &[(i64, &str)] = &[
    (
        1,
        r#"CREATE TABLE meta (key TEXT COLLATE "C" PRIMARY KEY, value BYTEA NOT NULL);

     CREATE TABLE documents (
         collection TEXT COLLATE "C" NOT NULL,
         key TEXT COLLATE "C" NOT NULL,
         value TEXT NOT NULL,
         PRIMARY KEY (collection, key)
     );

     CREATE TABLE jobs (
         id BIGSERIAL PRIMARY KEY,
         kind TEXT NOT NULL,
         dedupe_key TEXT UNIQUE,
         payload TEXT NOT NULL,
         run_at DOUBLE PRECISION NOT NULL,
         attempts BIGINT NOT NULL DEFAULT 0,
         fence BIGINT NOT NULL DEFAULT 0,
         leased_by TEXT,
         lease_until DOUBLE PRECISION,
         last_error TEXT
     );
     CREATE INDEX jobs_due ON jobs (run_at);

     CREATE SEQUENCE audit_events_seq;
     CREATE TABLE audit_events (
         seq BIGINT PRIMARY KEY,
         account TEXT COLLATE "C" NOT NULL,
         region TEXT COLLATE "C" NOT NULL,
         event_time DOUBLE PRECISION NOT NULL,
         event_id TEXT COLLATE "C" NOT NULL,
         event_name TEXT COLLATE "C" NOT NULL,
         event_source TEXT COLLATE "C" NOT NULL,
         username TEXT COLLATE "C",
         access_key_id TEXT COLLATE "C",
         read_only BOOLEAN NOT NULL,
         event_json TEXT NOT NULL
     );
     CREATE INDEX audit_events_by_time ON audit_events (account, region, event_time, seq);
     CREATE INDEX audit_events_by_age ON audit_events (event_time, seq);
     CREATE INDEX audit_events_by_event_id
         ON audit_events (account, region, event_id, event_time, seq);
     CREATE INDEX audit_events_by_event_name
         ON audit_events (account, region, event_name, event_time, seq);
     CREATE INDEX audit_events_by_event_source
         ON audit_events (account, region, event_source, event_time, seq);
     CREATE INDEX audit_events_by_username
         ON audit_events (account, region, username, event_time, seq);
     CREATE INDEX audit_events_by_access_key_id
         ON audit_events (account, region, access_key_id, event_time, seq);
     CREATE INDEX audit_events_by_read_only
         ON audit_events (account, region, read_only, event_time, seq);

     CREATE TABLE audit_resources (
         seq BIGINT NOT NULL,
         kind SMALLINT NOT NULL,
         value TEXT COLLATE "C" NOT NULL,
         account TEXT COLLATE "C" NOT NULL,
         region TEXT COLLATE "C" NOT NULL,
         event_time DOUBLE PRECISION NOT NULL,
         PRIMARY KEY (seq, kind, value)
     );
     CREATE INDEX audit_resources_by_value
         ON audit_resources (account, region, kind, value, event_time, seq);"#,
    ),
    (
        2,
        "ALTER TABLE jobs ADD COLUMN replaced BOOLEAN NOT NULL DEFAULT FALSE;",
    ),
];

/// Any number for the advisory lock that makes concurrently starting nodes migrate once.
const MIGRATION_LOCK: i64 = 0x7061_6c69_7361_6465;

/// Brings the schema up to the latest version.
pub(super) async fn migrate(connection: &mut PgConnection) -> Result<(), StoreError> {
    connection.begin("BEGIN").await?;
    let applied = apply_pending(connection).await;
    connection.finish(applied).await
}

async fn apply_pending(connection: &mut PgConnection) -> Result<(), StoreError> {
    connection
        .execute("SELECT pg_advisory_xact_lock(?1)", &[&MIGRATION_LOCK])
        .await?;
    connection
        .batch("CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY)")
        .await?;
    let current: i64 = connection
        .query(
            "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
            &[],
        )
        .await?
        .first()
        .map(|row| row.try_get(0))
        .transpose()?
        .unwrap_or(0);
    for (version, sql) in MIGRATIONS.iter().filter(|(version, _)| *version > current) {
        connection.batch(sql).await?;
        connection
            .execute(
                "INSERT INTO schema_migrations (version) VALUES (?1)",
                &[version],
            )
            .await?;
    }
    Ok(())
}
