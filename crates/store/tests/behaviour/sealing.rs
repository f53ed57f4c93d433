//! The root key and sealing.

use std::os::unix::fs::PermissionsExt;

use store::{RootKey, Sealer, StoreError};

use crate::support::{TempDir, TestStore};

on_every_backend!(
    store_accepts_the_root_key_it_was_initialised_with,
    store_refuses_a_different_root_key,
);

async fn store_accepts_the_root_key_it_was_initialised_with(t: &TestStore) {
    let key = RootKey::generate();
    t.store.check_root_key(&key).await.unwrap();
    t.store.check_root_key(&key).await.unwrap();
    t.second_node().await.check_root_key(&key).await.unwrap();
}

async fn store_refuses_a_different_root_key(t: &TestStore) {
    t.store.check_root_key(&RootKey::generate()).await.unwrap();
    let refused = t.store.check_root_key(&RootKey::generate()).await;
    assert!(
        matches!(refused, Err(StoreError::RootKeyMismatch)),
        "{refused:?}"
    );
}

#[test]
fn root_key_file_is_created_with_mode_0600() {
    let dir = TempDir::new();
    let path = dir.path().join("root.key");
    RootKey::load_or_create(&path).unwrap();
    let metadata = std::fs::metadata(&path).unwrap();
    assert_eq!(metadata.permissions().mode() & 0o777, 0o600);
    assert_eq!(metadata.len(), 32);
}

#[test]
fn root_key_file_is_reused_on_the_next_start() {
    let dir = TempDir::new();
    let path = dir.path().join("root.key");
    let first = Sealer::new(&RootKey::load_or_create(&path).unwrap());
    let second = Sealer::new(&RootKey::load_or_create(&path).unwrap());
    let blob = first.seal("ctx", b"secret");
    assert_eq!(second.unseal("ctx", &blob).unwrap(), b"secret");
}

#[test]
fn root_key_file_of_the_wrong_length_is_refused() {
    let dir = TempDir::new();
    let path = dir.path().join("root.key");
    std::fs::write(&path, [7u8; 31]).unwrap();
    let refused = RootKey::load_or_create(&path);
    assert!(
        matches!(refused, Err(StoreError::RootKey(_))),
        "{refused:?}"
    );
    assert_eq!(
        std::fs::read(&path).unwrap(),
        [7u8; 31],
        "a refused file is left as it was"
    );
}

#[test]
fn root_key_from_base64_takes_exactly_32_bytes() {
    let key = RootKey::from_base64("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n").unwrap();
    let again = RootKey::from_base64("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=").unwrap();
    let blob = Sealer::new(&key).seal("ctx", b"x");
    assert_eq!(Sealer::new(&again).unseal("ctx", &blob).unwrap(), b"x");
    assert!(RootKey::from_base64("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHg==").is_err());
    assert!(RootKey::from_base64("not base64!").is_err());
}

#[test]
fn root_key_debug_output_hides_the_key() {
    let key = RootKey::from_base64("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=").unwrap();
    assert_eq!(format!("{key:?}"), "RootKey(<redacted>)");
}

#[test]
fn sealed_data_unseals_with_the_same_context() {
    let sealer = Sealer::new(&RootKey::generate());
    let blob = sealer.seal("arn:aws:kms:us-east-1:000000000000:key/1", b"key material");
    assert_ne!(&blob[13..25], b"key material");
    assert_eq!(
        sealer
            .unseal("arn:aws:kms:us-east-1:000000000000:key/1", &blob)
            .unwrap(),
        b"key material"
    );
}

#[test]
fn sealing_twice_gives_different_blobs() {
    let sealer = Sealer::new(&RootKey::generate());
    assert_ne!(sealer.seal("ctx", b"same"), sealer.seal("ctx", b"same"));
}

#[test]
fn unseal_refuses_a_tampered_blob() {
    let sealer = Sealer::new(&RootKey::generate());
    let blob = sealer.seal("ctx", b"secret");
    for index in 0..blob.len() {
        let mut tampered = blob.clone();
        tampered[index] ^= 1;
        assert!(
            matches!(sealer.unseal("ctx", &tampered), Err(StoreError::Unseal)),
            "byte {index}"
        );
    }
    assert!(matches!(
        sealer.unseal("ctx", &blob[..blob.len() - 1]),
        Err(StoreError::Unseal)
    ));
    assert!(matches!(sealer.unseal("ctx", &[]), Err(StoreError::Unseal)));
}

#[test]
fn unseal_refuses_another_context() {
    let sealer = Sealer::new(&RootKey::generate());
    let blob = sealer.seal("secret/a", b"secret");
    assert!(matches!(
        sealer.unseal("secret/b", &blob),
        Err(StoreError::Unseal)
    ));
}

#[test]
fn unseal_refuses_another_root_key() {
    let blob = Sealer::new(&RootKey::generate()).seal("ctx", b"secret");
    let other = Sealer::new(&RootKey::generate());
    assert!(matches!(
        other.unseal("ctx", &blob),
        Err(StoreError::Unseal)
    ));
}
