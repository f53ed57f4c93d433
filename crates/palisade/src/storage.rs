//! Opening the store and the root key the way the flags say.

use std::path::Path;

use store::{RootKey, Store, StoreConfig};

use crate::cli::StorageOptions;

fn create_data_dir(dir: &Path) -> Result<(), String> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| format!("cannot create the data directory {}: {e}", dir.display()))
}

/// The root key: from `PALISADE_ROOT_KEY`, from `--root-key-file`, fresh for an ephemeral
/// server, or `<data-dir>/root.key`, created on first start.
fn root_key(options: &StorageOptions) -> Result<RootKey, String> {
    if let Ok(encoded) = std::env::var("PALISADE_ROOT_KEY") {
        return RootKey::from_base64(encoded.trim()).map_err(|e| format!("PALISADE_ROOT_KEY: {e}"));
    }
    if let Some(path) = &options.root_key_file {
        return RootKey::load_or_create(path).map_err(|e| format!("root key file {}: {e}", path.display()));
    }
    if options.ephemeral && options.database_url.is_none() {
        return Ok(RootKey::generate());
    }
    create_data_dir(&options.data_dir)?;
    let path = options.data_dir.join("root.key");
    RootKey::load_or_create(&path).map_err(|e| format!("root key file {}: {e}", path.display()))
}

/// Opens the store and checks that the root key is the one it was sealed with.
pub async fn open(options: &StorageOptions) -> Result<(Store, RootKey), String> {
    let config = if let Some(url) = &options.database_url {
        StoreConfig::Postgres { url: url.clone(), schema: None }
    } else if options.ephemeral {
        StoreConfig::Ephemeral
    } else {
        create_data_dir(&options.data_dir)?;
        StoreConfig::Sqlite { path: options.data_dir.join("palisade.db") }
    };
    let key = root_key(options)?;
    let store = Store::open(&config).await.map_err(|e| format!("cannot open the store: {e}"))?;
    store.check_root_key(&key).await.map_err(|e| format!("root key check failed: {e}"))?;
    Ok((store, key))
}
