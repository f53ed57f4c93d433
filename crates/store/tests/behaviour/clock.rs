//! The server clock.

use std::time::Duration;

use store::Clock;

use crate::support::TestStore;

on_every_backend!(
    clock_starts_at_wall_time,
    advance_moves_now_forward,
    set_offset_replaces_the_offset,
    offset_is_kept_in_the_store,
);
on_postgres!(another_nodes_advance_is_seen_within_a_second);

fn wall_now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
}

async fn clock_starts_at_wall_time(t: &TestStore) {
    let clock = Clock::open(&t.store).await.unwrap();
    assert_eq!(clock.offset(), 0.0);
    assert!((clock.now() - wall_now()).abs() < 1.0);
}

async fn advance_moves_now_forward(t: &TestStore) {
    let clock = Clock::open(&t.store).await.unwrap();
    clock.advance(86_400.0).await.unwrap();
    clock.advance(3_600.0).await.unwrap();
    assert_eq!(clock.offset(), 90_000.0);
    assert!((clock.now() - wall_now() - 90_000.0).abs() < 1.0);
    assert_eq!(
        Clock::open(&t.store).await.unwrap().offset(),
        90_000.0,
        "one clock per store"
    );
}

async fn set_offset_replaces_the_offset(t: &TestStore) {
    let clock = Clock::open(&t.store).await.unwrap();
    clock.advance(100.0).await.unwrap();
    clock.set_offset(-5.5).await.unwrap();
    assert_eq!(clock.offset(), -5.5);
    assert!(clock.set_offset(f64::NAN).await.is_err());
    assert_eq!(clock.offset(), -5.5);
}

async fn offset_is_kept_in_the_store(t: &TestStore) {
    Clock::open(&t.store)
        .await
        .unwrap()
        .advance(42.25)
        .await
        .unwrap();
    t.store.reset().await.unwrap();
    assert_eq!(
        Clock::open(&t.store).await.unwrap().offset(),
        42.25,
        "reset keeps the offset"
    );
    if !matches!(t.config, store::StoreConfig::Ephemeral) {
        assert_eq!(
            Clock::open(&t.reopen().await).await.unwrap().offset(),
            42.25
        );
    }
}

async fn another_nodes_advance_is_seen_within_a_second(t: &TestStore) {
    let other_node = t.reopen().await;
    let here = Clock::open(&t.store).await.unwrap();
    let there = Clock::open(&other_node).await.unwrap();
    there.advance(3_600.0).await.unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(1);
    while here.offset() != 3_600.0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "offset not shared within a second"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
