//! Work that outlives a request, run by the store's job queue on whichever node leases it.

use std::sync::Arc;

use gateway::Peers;
use store::{Clock, Job, Sealer, Store};

use crate::cloudtrail::retention;

/// Schedules the recurring jobs every installation has.
pub async fn schedule_recurring(store: &Store, clock: &Clock) -> Result<(), store::StoreError> {
    retention::schedule(store, clock.now()).await
}

/// Runs one leased job. Jobs that touch secret material (key rotation) unseal it with `sealer`;
/// jobs that call other services (secret rotation invoking Lambda) do so through `peers`.
pub async fn run(store: &Store, clock: &Clock, sealer: &Arc<Sealer>, peers: &Peers, job: Job) -> Result<(), String> {
    match job.kind.as_str() {
        retention::RETENTION_JOB => retention::run(store, clock.now()).await.map_err(|e| e.to_string()),
        crate::kms::rotation::ROTATE_JOB => crate::kms::rotation::run_job(store, sealer, clock.now(), &job.payload).await,
        crate::kms::deletion::DELETE_JOB => crate::kms::deletion::run_job(store, clock.now(), &job.payload).await,
        crate::acm::VALIDATE_JOB => crate::acm::run_validation_job(store, sealer, clock.now(), &job.payload).await,
        crate::acm::RENEW_JOB => crate::acm::run_renewal_job(store, sealer, clock.now(), &job.payload).await,
        crate::acm_pca::REFRESH_CRL_JOB => crate::acm_pca::run_refresh_job(store, sealer, clock.now(), &job.payload).await,
        crate::secretsmanager::DELETE_JOB | crate::secretsmanager::SYNC_JOB | crate::secretsmanager::ROTATE_JOB => {
            crate::secretsmanager::run_job(store, clock, sealer, peers, &job).await
        }
        crate::ssm::policies::POLICY_JOB => crate::ssm::policies::run_job(store, clock.now(), &job.payload).await,
        other => Err(format!("no service runs jobs of kind {other}")),
    }
}
