//! The job queue on SQLite.

use rusqlite::OptionalExtension;

use super::SqliteStore;
use crate::error::StoreError;
use crate::jobs::{Job, CANCEL_SQL, COMPLETE_SQL, ENQUEUE_SQL, RELEASE_REPLACED_SQL, RETRY_SQL};

/// One connection serialises every lease, so no row lock is needed to hand a job to one node.
const LEASE_SQL: &str = "UPDATE jobs
     SET fence = fence + 1, attempts = attempts + 1, leased_by = ?2, lease_until = ?3,
         replaced = FALSE
     WHERE id = (SELECT id FROM jobs
                 WHERE run_at <= ?1 AND (lease_until IS NULL OR lease_until <= ?1)
                 ORDER BY run_at, id LIMIT 1)
     RETURNING id, kind, payload, fence, attempts, run_at";

impl SqliteStore {
    pub(crate) async fn enqueue_job(
        &self,
        kind: &str,
        dedupe_key: Option<&str>,
        payload: &str,
        run_at: f64,
    ) -> Result<i64, StoreError> {
        let connection = self.connection.lock().await;
        let mut statement = connection.prepare_cached(ENQUEUE_SQL)?;
        let id = statement.query_row(
            rusqlite::params![kind, dedupe_key, payload, run_at],
            |row| row.get(0),
        )?;
        Ok(id)
    }

    pub(crate) async fn lease_job(
        &self,
        node_id: &str,
        now: f64,
        lease_until: f64,
    ) -> Result<Option<Job>, StoreError> {
        let connection = self.connection.lock().await;
        let mut statement = connection.prepare_cached(LEASE_SQL)?;
        let row = statement
            .query_row(rusqlite::params![now, node_id, lease_until], |row| {
                Ok((
                    row.get::<_, i64>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, i64>(3)?,
                    row.get::<_, i64>(4)?,
                    row.get::<_, f64>(5)?,
                ))
            })
            .optional()?;
        row.map(|(id, kind, payload, fence, attempts, run_at)| {
            Job::from_row(id, kind, &payload, fence, attempts, run_at)
        })
        .transpose()
    }

    pub(crate) async fn complete_job(&self, id: i64, fence: i64) -> Result<bool, StoreError> {
        let connection = self.connection.lock().await;
        let mut statement = connection.prepare_cached(COMPLETE_SQL)?;
        if statement.execute(rusqlite::params![id, fence])? > 0 {
            return Ok(true);
        }
        let mut release = connection.prepare_cached(RELEASE_REPLACED_SQL)?;
        Ok(release.execute(rusqlite::params![id, fence])? > 0)
    }

    pub(crate) async fn retry_job(
        &self,
        id: i64,
        fence: i64,
        run_at: f64,
        error: &str,
    ) -> Result<bool, StoreError> {
        let connection = self.connection.lock().await;
        let mut statement = connection.prepare_cached(RETRY_SQL)?;
        if statement.execute(rusqlite::params![id, fence, run_at, error])? > 0 {
            return Ok(true);
        }
        let mut release = connection.prepare_cached(RELEASE_REPLACED_SQL)?;
        Ok(release.execute(rusqlite::params![id, fence])? > 0)
    }

    pub(crate) async fn cancel_job(&self, dedupe_key: &str) -> Result<bool, StoreError> {
        let connection = self.connection.lock().await;
        let mut statement = connection.prepare_cached(CANCEL_SQL)?;
        Ok(statement.execute([dedupe_key])? > 0)
    }
}
