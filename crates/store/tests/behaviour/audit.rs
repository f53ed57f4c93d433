//! The audit log behind CloudTrail's LookupEvents.

use std::time::Instant;

use store::{AuditAttribute, AuditQuery, AuditRecord, StoreError};

use crate::support::TestStore;

on_every_backend!(
    recorded_events_are_visible_after_flush,
    lookup_lists_newest_first,
    lookup_is_scoped_to_account_and_region,
    lookup_by_event_id,
    lookup_by_event_name,
    lookup_by_read_only,
    lookup_by_read_only_matches_only_true_or_false,
    lookup_by_username,
    lookup_by_resource_type,
    lookup_by_resource_name,
    lookup_by_event_source,
    lookup_by_access_key_id,
    event_naming_a_resource_type_twice_is_listed_once,
    lookup_keeps_to_the_time_range,
    next_token_pages_through_every_event_once,
    next_token_is_stable_under_concurrent_appends,
    foreign_next_token_is_refused,
    purge_removes_only_events_before_the_cutoff,
    reset_wipes_the_audit_log,
    pages_merge_events_of_overlapping_group_commits,
    filtered_pages_merge_events_of_overlapping_group_commits,
    purge_across_group_commits_keeps_newer_events_findable,
);

fn event(id: &str, time: f64) -> AuditRecord {
    AuditRecord {
        account: "000000000000".into(),
        region: "us-east-1".into(),
        event_time: time,
        event_id: id.into(),
        event_name: "DescribeKey".into(),
        event_source: "kms.amazonaws.com".into(),
        username: Some("alice".into()),
        access_key_id: Some("AKIAALICE".into()),
        read_only: true,
        resources: vec![(
            "AWS::KMS::Key".into(),
            format!("arn:aws:kms:us-east-1:000000000000:key/{id}"),
        )],
        event_json: format!("{{\"eventID\":\"{id}\"}}"),
    }
}

fn query() -> AuditQuery {
    AuditQuery {
        account: "000000000000".into(),
        region: "us-east-1".into(),
        max_results: 50,
        ..AuditQuery::default()
    }
}

fn ids(events: &[String]) -> Vec<String> {
    events
        .iter()
        .map(|json| {
            serde_json::from_str::<serde_json::Value>(json).unwrap()["eventID"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect()
}

async fn record_all(t: &TestStore, records: Vec<AuditRecord>) {
    let writer = t.store.audit_writer();
    for record in records {
        writer.record(record);
    }
    writer.flush().await.unwrap();
}

async fn lookup_ids(t: &TestStore, query: AuditQuery) -> Vec<String> {
    let (events, _) = t.store.lookup_audit(query).await.unwrap();
    ids(&events)
}

async fn filtered(t: &TestStore, attribute: AuditAttribute, value: &str) -> Vec<String> {
    lookup_ids(
        t,
        AuditQuery {
            attribute: Some((attribute, value.into())),
            ..query()
        },
    )
    .await
}

async fn recorded_events_are_visible_after_flush(t: &TestStore) {
    record_all(t, vec![event("e1", 100.0)]).await;
    let (events, next_token) = t.store.lookup_audit(query()).await.unwrap();
    assert_eq!(events, vec!["{\"eventID\":\"e1\"}".to_owned()]);
    assert_eq!(next_token, None);
}

async fn lookup_lists_newest_first(t: &TestStore) {
    record_all(
        t,
        vec![
            event("middle", 200.0),
            event("oldest", 100.0),
            event("newest", 300.0),
        ],
    )
    .await;
    assert_eq!(lookup_ids(t, query()).await, ["newest", "middle", "oldest"]);
}

async fn lookup_is_scoped_to_account_and_region(t: &TestStore) {
    let other_account = AuditRecord {
        account: "111111111111".into(),
        ..event("other-account", 1.0)
    };
    let other_region = AuditRecord {
        region: "eu-west-1".into(),
        ..event("other-region", 1.0)
    };
    record_all(t, vec![event("mine", 1.0), other_account, other_region]).await;
    assert_eq!(lookup_ids(t, query()).await, ["mine"]);
}

async fn lookup_by_event_id(t: &TestStore) {
    record_all(t, vec![event("e1", 1.0), event("e2", 2.0)]).await;
    assert_eq!(filtered(t, AuditAttribute::EventId, "e1").await, ["e1"]);
}

async fn lookup_by_event_name(t: &TestStore) {
    let create = AuditRecord {
        event_name: "CreateKey".into(),
        ..event("create", 1.0)
    };
    record_all(t, vec![create, event("describe", 2.0)]).await;
    assert_eq!(
        filtered(t, AuditAttribute::EventName, "CreateKey").await,
        ["create"]
    );
    assert!(
        filtered(t, AuditAttribute::EventName, "createkey")
            .await
            .is_empty(),
        "exact match"
    );
}

async fn lookup_by_read_only(t: &TestStore) {
    let write = AuditRecord {
        read_only: false,
        ..event("write", 1.0)
    };
    record_all(t, vec![write, event("read", 2.0)]).await;
    assert_eq!(
        filtered(t, AuditAttribute::ReadOnly, "false").await,
        ["write"]
    );
    assert_eq!(
        filtered(t, AuditAttribute::ReadOnly, "true").await,
        ["read"]
    );
}

async fn lookup_by_read_only_matches_only_true_or_false(t: &TestStore) {
    record_all(t, vec![event("read", 2.0)]).await;
    assert!(filtered(t, AuditAttribute::ReadOnly, "TRUE")
        .await
        .is_empty());
}

async fn lookup_by_username(t: &TestStore) {
    let bob = AuditRecord {
        username: Some("bob".into()),
        ..event("bob", 1.0)
    };
    let anonymous = AuditRecord {
        username: None,
        ..event("anonymous", 2.0)
    };
    record_all(t, vec![bob, anonymous, event("alice", 3.0)]).await;
    assert_eq!(filtered(t, AuditAttribute::Username, "bob").await, ["bob"]);
}

async fn lookup_by_resource_type(t: &TestStore) {
    let secret = AuditRecord {
        resources: vec![("AWS::SecretsManager::Secret".into(), "s1".into())],
        ..event("secret", 1.0)
    };
    let none = AuditRecord {
        resources: vec![],
        ..event("none", 2.0)
    };
    record_all(t, vec![secret, none, event("key", 3.0)]).await;
    assert_eq!(
        filtered(t, AuditAttribute::ResourceType, "AWS::KMS::Key").await,
        ["key"]
    );
    assert_eq!(
        filtered(
            t,
            AuditAttribute::ResourceType,
            "AWS::SecretsManager::Secret"
        )
        .await,
        ["secret"]
    );
}

async fn lookup_by_resource_name(t: &TestStore) {
    let two = AuditRecord {
        resources: vec![
            ("AWS::KMS::Key".into(), "k1".into()),
            ("AWS::KMS::Alias".into(), "alias/a".into()),
        ],
        ..event("two", 1.0)
    };
    record_all(t, vec![two, event("other", 2.0)]).await;
    assert_eq!(
        filtered(t, AuditAttribute::ResourceName, "alias/a").await,
        ["two"]
    );
    assert_eq!(
        filtered(t, AuditAttribute::ResourceName, "k1").await,
        ["two"]
    );
}

async fn lookup_by_event_source(t: &TestStore) {
    let iam = AuditRecord {
        event_source: "iam.amazonaws.com".into(),
        ..event("iam", 1.0)
    };
    record_all(t, vec![iam, event("kms", 2.0)]).await;
    assert_eq!(
        filtered(t, AuditAttribute::EventSource, "iam.amazonaws.com").await,
        ["iam"]
    );
}

async fn lookup_by_access_key_id(t: &TestStore) {
    let bob = AuditRecord {
        access_key_id: Some("AKIABOB".into()),
        ..event("bob", 1.0)
    };
    record_all(t, vec![bob, event("alice", 2.0)]).await;
    assert_eq!(
        filtered(t, AuditAttribute::AccessKeyId, "AKIABOB").await,
        ["bob"]
    );
}

async fn event_naming_a_resource_type_twice_is_listed_once(t: &TestStore) {
    let two_keys = AuditRecord {
        resources: vec![
            ("AWS::KMS::Key".into(), "k1".into()),
            ("AWS::KMS::Key".into(), "k2".into()),
        ],
        ..event("two-keys", 1.0)
    };
    record_all(t, vec![two_keys]).await;
    assert_eq!(
        filtered(t, AuditAttribute::ResourceType, "AWS::KMS::Key").await,
        ["two-keys"]
    );
}

async fn lookup_keeps_to_the_time_range(t: &TestStore) {
    record_all(
        t,
        (1..=5)
            .map(|i| event(&format!("e{i}"), f64::from(i) * 10.0))
            .collect(),
    )
    .await;
    let window = AuditQuery {
        start_time: Some(20.0),
        end_time: Some(40.0),
        ..query()
    };
    assert_eq!(lookup_ids(t, window).await, ["e4", "e3", "e2"]);
    let since = AuditQuery {
        start_time: Some(45.0),
        ..query()
    };
    assert_eq!(lookup_ids(t, since).await, ["e5"]);
}

async fn next_token_pages_through_every_event_once(t: &TestStore) {
    // Equal times too: the token must tell events of the same second apart.
    record_all(
        t,
        (0..7)
            .map(|i| event(&format!("e{i}"), f64::from(i / 2)))
            .collect(),
    )
    .await;
    let mut seen = Vec::new();
    let mut token = None;
    loop {
        let page = AuditQuery {
            max_results: 3,
            next_token: token.take(),
            ..query()
        };
        let (events, next) = t.store.lookup_audit(page).await.unwrap();
        assert!(events.len() <= 3);
        seen.extend(ids(&events));
        match next {
            Some(next) => token = Some(next),
            None => break,
        }
    }
    assert_eq!(seen, ["e6", "e5", "e4", "e3", "e2", "e1", "e0"]);
}

async fn next_token_is_stable_under_concurrent_appends(t: &TestStore) {
    record_all(
        t,
        (0..4)
            .map(|i| event(&format!("old{i}"), f64::from(i)))
            .collect(),
    )
    .await;
    let (first, token) = t
        .store
        .lookup_audit(AuditQuery {
            max_results: 2,
            ..query()
        })
        .await
        .unwrap();
    assert_eq!(ids(&first), ["old3", "old2"]);

    record_all(t, vec![event("new", 100.0)]).await;

    let rest = AuditQuery {
        max_results: 2,
        next_token: token,
        ..query()
    };
    let (second, token) = t.store.lookup_audit(rest).await.unwrap();
    assert_eq!(ids(&second), ["old1", "old0"]);
    assert_eq!(token, None);
}

async fn foreign_next_token_is_refused(t: &TestStore) {
    let forged = AuditQuery {
        next_token: Some("not-a-token".into()),
        ..query()
    };
    assert!(matches!(
        t.store.lookup_audit(forged).await,
        Err(StoreError::InvalidToken(_))
    ));
}

async fn purge_removes_only_events_before_the_cutoff(t: &TestStore) {
    record_all(
        t,
        (1..=4)
            .map(|i| event(&format!("e{i}"), f64::from(i) * 10.0))
            .collect(),
    )
    .await;
    assert_eq!(t.store.purge_audit_before(30.0).await.unwrap(), 2);
    assert_eq!(lookup_ids(t, query()).await, ["e4", "e3"]);
    assert!(filtered(
        t,
        AuditAttribute::ResourceName,
        "arn:aws:kms:us-east-1:000000000000:key/e1"
    )
    .await
    .is_empty());
}

async fn reset_wipes_the_audit_log(t: &TestStore) {
    record_all(t, vec![event("e1", 1.0)]).await;
    t.store.audit_writer().record(event("queued", 2.0));
    t.store.reset().await.unwrap();
    assert!(lookup_ids(t, query()).await.is_empty());
}

/// Records each group as its own group commit, so their time ranges overlap in the log.
async fn record_in_commits(t: &TestStore, commits: &[&[(&str, f64)]]) {
    for commit in commits {
        record_all(
            t,
            commit.iter().map(|(id, time)| event(id, *time)).collect(),
        )
        .await;
    }
}

async fn all_pages(t: &TestStore, query: AuditQuery) -> Vec<String> {
    let mut seen = Vec::new();
    let mut token = None;
    loop {
        let page = AuditQuery {
            next_token: token.take(),
            ..query.clone()
        };
        let (events, next) = t.store.lookup_audit(page).await.unwrap();
        seen.extend(ids(&events));
        match next {
            Some(next) => token = Some(next),
            None => return seen,
        }
    }
}

async fn pages_merge_events_of_overlapping_group_commits(t: &TestStore) {
    record_in_commits(
        t,
        &[
            &[("a1", 1.0), ("a5", 5.0), ("a9", 9.0)],
            &[("b2", 2.0), ("b5", 5.0), ("b10", 10.0)],
            &[("c3", 3.0), ("c4", 4.0), ("c7", 7.0), ("c8", 8.0)],
        ],
    )
    .await;
    let page = AuditQuery {
        max_results: 2,
        ..query()
    };
    // Of two events of the same time, the one recorded later is listed first.
    assert_eq!(
        all_pages(t, page).await,
        ["b10", "a9", "c8", "c7", "b5", "a5", "c4", "c3", "b2", "a1"]
    );
}

async fn filtered_pages_merge_events_of_overlapping_group_commits(t: &TestStore) {
    let by = |id: &str, time: f64, username: &str| AuditRecord {
        username: Some(username.into()),
        ..event(id, time)
    };
    record_all(
        t,
        vec![
            by("a1", 1.0, "bob"),
            by("a4", 4.0, "carol"),
            by("a6", 6.0, "bob"),
        ],
    )
    .await;
    record_all(t, vec![by("b2", 2.0, "carol"), by("b5", 5.0, "bob")]).await;
    record_all(t, vec![by("c3", 3.0, "bob"), by("c7", 7.0, "carol")]).await;
    let page = AuditQuery {
        max_results: 1,
        attribute: Some((AuditAttribute::Username, "bob".into())),
        ..query()
    };
    assert_eq!(all_pages(t, page).await, ["a6", "b5", "c3", "a1"]);
}

async fn purge_across_group_commits_keeps_newer_events_findable(t: &TestStore) {
    record_in_commits(
        t,
        &[
            &[("old1", 10.0), ("old2", 20.0)],
            &[("old3", 15.0), ("new1", 40.0)],
            &[("new2", 50.0)],
        ],
    )
    .await;
    assert_eq!(t.store.purge_audit_before(30.0).await.unwrap(), 3);
    assert_eq!(lookup_ids(t, query()).await, ["new2", "new1"]);
    assert_eq!(filtered(t, AuditAttribute::EventId, "new1").await, ["new1"]);
    assert!(filtered(t, AuditAttribute::EventId, "old3")
        .await
        .is_empty());
    assert_eq!(t.store.purge_audit_before(30.0).await.unwrap(), 0);
}

on_every_backend!(
    #[ignore = "a measurement: run with --ignored --nocapture"]
    audit_append_rate
);

/// Prints the sustained append rate; it only fails if events go missing.
async fn audit_append_rate(t: &TestStore) {
    const EVENTS: usize = 100_000;
    let writer = t.store.audit_writer();
    let json = format!(
        "{{\"eventVersion\":\"1.08\",\"padding\":\"{}\"}}",
        "x".repeat(900)
    );
    let started = Instant::now();
    for i in 0..EVENTS {
        let mut record = event(
            &format!("{i:08x}-0000-4000-8000-000000000000"),
            1e9 + i as f64 / 1e3,
        );
        record.event_name = ["Encrypt", "Decrypt", "DescribeKey", "GetSecretValue"][i % 4].into();
        record.username = Some(format!("user{}", i % 50));
        record.event_json = json.clone();
        writer.record(record);
    }
    writer.flush().await.unwrap();
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "{:?}: {EVENTS} audit events in {elapsed:.2} s = {:.0} events/s",
        t.config,
        EVENTS as f64 / elapsed
    );
    let (page, _) = t
        .store
        .lookup_audit(AuditQuery {
            max_results: 1,
            ..query()
        })
        .await
        .unwrap();
    assert_eq!(page.len(), 1);
}
