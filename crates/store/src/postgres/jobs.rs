//! The job queue on PostgreSQL.

use super::PgStore;
use crate::error::StoreError;
use crate::jobs::{Job, CANCEL_SQL, COMPLETE_SQL, ENQUEUE_SQL, RELEASE_REPLACED_SQL, RETRY_SQL};

/// SKIP LOCKED lets nodes leasing at the same moment take different jobs without waiting.
const LEASE_SQL: &str = "UPDATE jobs
     SET fence = fence + 1, attempts = attempts + 1, leased_by = ?2, lease_until = ?3,
         replaced = FALSE
     WHERE id = (SELECT id FROM jobs
                 WHERE run_at <= ?1 AND (lease_until IS NULL OR lease_until <= ?1)
                 ORDER BY run_at, id LIMIT 1
                 FOR UPDATE SKIP LOCKED)
     RETURNING id, kind, payload, fence, attempts, run_at";

impl PgStore {
    pub(crate) async fn enqueue_job(
        &self,
        kind: &str,
        dedupe_key: Option<&str>,
        payload: &str,
        run_at: f64,
    ) -> Result<i64, StoreError> {
        let mut connection = self.pool.get().await?;
        let rows = connection
            .query(ENQUEUE_SQL, &[&kind, &dedupe_key, &payload, &run_at])
            .await?;
        let row = rows
            .first()
            .ok_or_else(|| StoreError::Database("enqueue returned no id".into()))?;
        Ok(row.try_get(0)?)
    }

    pub(crate) async fn lease_job(
        &self,
        node_id: &str,
        now: f64,
        lease_until: f64,
    ) -> Result<Option<Job>, StoreError> {
        let mut connection = self.pool.get().await?;
        let Some(row) = connection
            .query_opt(LEASE_SQL, &[&now, &node_id, &lease_until])
            .await?
        else {
            return Ok(None);
        };
        let payload: String = row.try_get(2)?;
        Job::from_row(
            row.try_get(0)?,
            row.try_get(1)?,
            &payload,
            row.try_get(3)?,
            row.try_get(4)?,
            row.try_get(5)?,
        )
        .map(Some)
    }

    pub(crate) async fn complete_job(&self, id: i64, fence: i64) -> Result<bool, StoreError> {
        let mut connection = self.pool.get().await?;
        if connection.execute(COMPLETE_SQL, &[&id, &fence]).await? > 0 {
            return Ok(true);
        }
        // Only an enqueue sets `replaced` between the two statements, and the release
        // handles exactly that case; a stale fence fails both.
        Ok(connection
            .execute(RELEASE_REPLACED_SQL, &[&id, &fence])
            .await?
            > 0)
    }

    pub(crate) async fn retry_job(
        &self,
        id: i64,
        fence: i64,
        run_at: f64,
        error: &str,
    ) -> Result<bool, StoreError> {
        let mut connection = self.pool.get().await?;
        if connection
            .execute(RETRY_SQL, &[&id, &fence, &run_at, &error])
            .await?
            > 0
        {
            return Ok(true);
        }
        Ok(connection
            .execute(RELEASE_REPLACED_SQL, &[&id, &fence])
            .await?
            > 0)
    }

    pub(crate) async fn cancel_job(&self, dedupe_key: &str) -> Result<bool, StoreError> {
        let mut connection = self.pool.get().await?;
        Ok(connection.execute(CANCEL_SQL, &[&dedupe_key]).await? > 0)
    }
}
