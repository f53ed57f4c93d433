//! The durable job queue.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::json;
use store::{Clock, Job, JobHandler, JobWorker, StoreError};

use crate::support::TestStore;

on_every_backend!(
    job_is_not_leased_before_it_is_due,
    due_job_is_leased_with_its_payload,
    due_job_is_leased_by_exactly_one_of_two_concurrent_leasers,
    live_lease_hides_the_job_from_other_nodes,
    expired_lease_is_leased_again_with_a_new_fence,
    completing_with_a_stale_fence_is_refused,
    retrying_with_a_stale_fence_is_refused,
    completed_job_is_gone,
    retried_job_is_due_again_at_its_new_time,
    dedupe_key_keeps_one_job_with_the_latest_payload,
    cancel_removes_the_job_with_that_dedupe_key,
    replacing_a_running_job_waits_for_the_run_to_end,
    failed_run_of_a_replaced_job_leaves_the_new_version_due,
    worker_runs_a_due_job_and_completes_it,
    worker_retries_a_failed_job_later,
    worker_survives_a_panicking_handler,
);

async fn job_is_not_leased_before_it_is_due(t: &TestStore) {
    t.store
        .enqueue_job("rotate", None, json!({}), 100.0)
        .await
        .unwrap();
    assert_eq!(t.store.lease_job("n1", 99.0, 30.0).await.unwrap(), None);
}

async fn due_job_is_leased_with_its_payload(t: &TestStore) {
    let id = t
        .store
        .enqueue_job("rotate", None, json!({"secret": "s1"}), 100.0)
        .await
        .unwrap();
    let job = t.store.lease_job("n1", 100.0, 30.0).await.unwrap().unwrap();
    assert_eq!(job.id, id);
    assert_eq!(job.kind, "rotate");
    assert_eq!(job.payload, json!({"secret": "s1"}));
    assert_eq!(job.attempts, 1);
    assert_eq!(job.run_at, 100.0);
}

async fn due_job_is_leased_by_exactly_one_of_two_concurrent_leasers(t: &TestStore) {
    let other_node = t.second_node().await;
    for round in 0..10 {
        t.store
            .enqueue_job("rotate", None, json!({"round": round}), 0.0)
            .await
            .unwrap();
        let (a, b) = tokio::join!(
            t.store.lease_job("n1", 1.0, 30.0),
            other_node.lease_job("n2", 1.0, 30.0)
        );
        let leased: Vec<Job> = [a.unwrap(), b.unwrap()].into_iter().flatten().collect();
        assert_eq!(leased.len(), 1, "round {round}: {leased:?}");
        t.store
            .complete_job(leased[0].id, leased[0].fence)
            .await
            .unwrap();
    }
}

async fn live_lease_hides_the_job_from_other_nodes(t: &TestStore) {
    t.store
        .enqueue_job("rotate", None, json!({}), 0.0)
        .await
        .unwrap();
    t.store.lease_job("n1", 10.0, 30.0).await.unwrap().unwrap();
    assert_eq!(t.store.lease_job("n2", 39.0, 30.0).await.unwrap(), None);
}

async fn expired_lease_is_leased_again_with_a_new_fence(t: &TestStore) {
    t.store
        .enqueue_job("rotate", None, json!({}), 0.0)
        .await
        .unwrap();
    let first = t.store.lease_job("n1", 10.0, 30.0).await.unwrap().unwrap();
    let second = t.store.lease_job("n2", 40.0, 30.0).await.unwrap().unwrap();
    assert_eq!(second.id, first.id);
    assert!(second.fence > first.fence);
    assert_eq!(second.attempts, 2);
}

async fn completing_with_a_stale_fence_is_refused(t: &TestStore) {
    t.store
        .enqueue_job("rotate", None, json!({}), 0.0)
        .await
        .unwrap();
    let first = t.store.lease_job("n1", 10.0, 30.0).await.unwrap().unwrap();
    let second = t.store.lease_job("n2", 40.0, 30.0).await.unwrap().unwrap();
    let refused = t.store.complete_job(first.id, first.fence).await;
    assert!(matches!(refused, Err(StoreError::StaleFence { job_id }) if job_id == first.id));
    t.store.complete_job(second.id, second.fence).await.unwrap();
}

async fn retrying_with_a_stale_fence_is_refused(t: &TestStore) {
    t.store
        .enqueue_job("rotate", None, json!({}), 0.0)
        .await
        .unwrap();
    let first = t.store.lease_job("n1", 10.0, 30.0).await.unwrap().unwrap();
    t.store.lease_job("n2", 40.0, 30.0).await.unwrap().unwrap();
    let refused = t.store.retry_job(first.id, first.fence, 50.0, "boom").await;
    assert!(
        matches!(refused, Err(StoreError::StaleFence { .. })),
        "{refused:?}"
    );
}

async fn completed_job_is_gone(t: &TestStore) {
    t.store
        .enqueue_job("rotate", None, json!({}), 0.0)
        .await
        .unwrap();
    let job = t.store.lease_job("n1", 10.0, 30.0).await.unwrap().unwrap();
    t.store.complete_job(job.id, job.fence).await.unwrap();
    assert_eq!(t.store.lease_job("n1", 1_000.0, 30.0).await.unwrap(), None);
}

async fn retried_job_is_due_again_at_its_new_time(t: &TestStore) {
    t.store
        .enqueue_job("rotate", None, json!({}), 0.0)
        .await
        .unwrap();
    let job = t.store.lease_job("n1", 10.0, 30.0).await.unwrap().unwrap();
    t.store
        .retry_job(job.id, job.fence, 20.0, "throttled")
        .await
        .unwrap();
    assert_eq!(t.store.lease_job("n1", 19.0, 30.0).await.unwrap(), None);
    let again = t.store.lease_job("n1", 20.0, 30.0).await.unwrap().unwrap();
    assert_eq!((again.id, again.attempts, again.run_at), (job.id, 2, 20.0));
}

async fn dedupe_key_keeps_one_job_with_the_latest_payload(t: &TestStore) {
    let first = t
        .store
        .enqueue_job("delete-key", Some("key/1"), json!({"v": 1}), 5.0)
        .await
        .unwrap();
    let second = t
        .store
        .enqueue_job("delete-key", Some("key/1"), json!({"v": 2}), 7.0)
        .await
        .unwrap();
    assert_eq!(first, second);
    t.store
        .enqueue_job("delete-key", Some("key/2"), json!({"v": 3}), 8.0)
        .await
        .unwrap();

    assert_eq!(t.store.lease_job("n1", 6.0, 30.0).await.unwrap(), None);
    let job = t.store.lease_job("n1", 7.5, 30.0).await.unwrap().unwrap();
    assert_eq!((job.payload, job.run_at), (json!({"v": 2}), 7.0));
    let other = t.store.lease_job("n1", 8.0, 30.0).await.unwrap().unwrap();
    assert_eq!(other.payload, json!({"v": 3}));
    assert_eq!(t.store.lease_job("n1", 9.0, 30.0).await.unwrap(), None);
}

async fn cancel_removes_the_job_with_that_dedupe_key(t: &TestStore) {
    t.store
        .enqueue_job("delete-key", Some("key/1"), json!({}), 5.0)
        .await
        .unwrap();
    assert!(t.store.cancel_job("key/1").await.unwrap());
    assert!(!t.store.cancel_job("key/1").await.unwrap());
    assert_eq!(t.store.lease_job("n1", 10.0, 30.0).await.unwrap(), None);
}

fn recording_handler(outcome: Result<(), String>) -> (JobHandler, Arc<Mutex<Vec<Job>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let handler_seen = seen.clone();
    let handler: JobHandler = Arc::new(move |job| {
        handler_seen.lock().unwrap().push(job);
        let outcome = outcome.clone();
        Box::pin(async move { outcome })
    });
    (handler, seen)
}

async fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while !done() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn worker_runs_a_due_job_and_completes_it(t: &TestStore) {
    let clock = Clock::open(&t.store).await.unwrap();
    let (handler, seen) = recording_handler(Ok(()));
    let worker = JobWorker::spawn(t.store.clone(), clock.clone(), "n1", handler);
    t.store
        .enqueue_job("rotate", None, json!({"n": 1}), clock.now() - 1.0)
        .await
        .unwrap();

    wait_for("the job to run", || !seen.lock().unwrap().is_empty()).await;
    worker.shutdown().await;

    assert_eq!(seen.lock().unwrap()[0].payload, json!({"n": 1}));
    let far_future = clock.now() + 1e9;
    assert_eq!(
        t.store.lease_job("n2", far_future, 30.0).await.unwrap(),
        None,
        "completed"
    );
}

async fn worker_retries_a_failed_job_later(t: &TestStore) {
    let clock = Clock::open(&t.store).await.unwrap();
    let (handler, seen) = recording_handler(Err("upstream unavailable".to_owned()));
    let worker = JobWorker::spawn(t.store.clone(), clock.clone(), "n1", handler);
    t.store
        .enqueue_job("rotate", None, json!({}), clock.now() - 1.0)
        .await
        .unwrap();

    wait_for("the job to run", || !seen.lock().unwrap().is_empty()).await;
    worker.shutdown().await;

    assert_eq!(seen.lock().unwrap().len(), 1);
    assert_eq!(
        t.store.lease_job("n2", clock.now(), 30.0).await.unwrap(),
        None,
        "backing off"
    );
    let retried = t
        .store
        .lease_job("n2", clock.now() + 3.0, 30.0)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(retried.attempts, 2);
}

async fn worker_survives_a_panicking_handler(t: &TestStore) {
    let clock = Clock::open(&t.store).await.unwrap();
    let runs = Arc::new(Mutex::new(0));
    let handler_runs = runs.clone();
    let handler: JobHandler = Arc::new(move |job| {
        *handler_runs.lock().unwrap() += 1;
        Box::pin(async move {
            if job.kind == "explode" {
                panic!("handler bug");
            }
            Ok(())
        })
    });
    let worker = JobWorker::spawn(t.store.clone(), clock.clone(), "n1", handler);
    t.store
        .enqueue_job("explode", None, json!({}), clock.now() - 2.0)
        .await
        .unwrap();
    t.store
        .enqueue_job("rotate", None, json!({}), clock.now() - 1.0)
        .await
        .unwrap();

    wait_for("both jobs to run", || *runs.lock().unwrap() == 2).await;
    worker.shutdown().await;

    let retried = t
        .store
        .lease_job("n2", clock.now() + 3.0, 30.0)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(retried.kind, "explode");
}

async fn replacing_a_running_job_waits_for_the_run_to_end(t: &TestStore) {
    t.store
        .enqueue_job("rotate", Some("secret/1"), json!({"v": 1}), 0.0)
        .await
        .unwrap();
    let running = t.store.lease_job("n1", 10.0, 30.0).await.unwrap().unwrap();
    t.store
        .enqueue_job("rotate", Some("secret/1"), json!({"v": 2}), 0.0)
        .await
        .unwrap();

    assert_eq!(
        t.store.lease_job("n2", 11.0, 30.0).await.unwrap(),
        None,
        "not beside the run"
    );
    t.store
        .complete_job(running.id, running.fence)
        .await
        .unwrap();

    let next = t.store.lease_job("n2", 12.0, 30.0).await.unwrap().unwrap();
    assert_eq!((next.payload, next.attempts), (json!({"v": 2}), 1));
}

async fn failed_run_of_a_replaced_job_leaves_the_new_version_due(t: &TestStore) {
    t.store
        .enqueue_job("rotate", Some("secret/1"), json!({"v": 1}), 0.0)
        .await
        .unwrap();
    let running = t.store.lease_job("n1", 10.0, 30.0).await.unwrap().unwrap();
    t.store
        .enqueue_job("rotate", Some("secret/1"), json!({"v": 2}), 15.0)
        .await
        .unwrap();

    t.store
        .retry_job(running.id, running.fence, 1_000.0, "boom")
        .await
        .unwrap();

    let next = t.store.lease_job("n2", 15.0, 30.0).await.unwrap().unwrap();
    assert_eq!(next.payload, json!({"v": 2}));
}
