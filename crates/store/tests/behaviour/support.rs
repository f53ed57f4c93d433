//! Opening a fresh store per test on each backend, and cleaning up after it.

use std::path::{Path, PathBuf};

use store::{Store, StoreConfig, StoreError};

const DEFAULT_DATABASE_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

/// A store opened for one test, and what to remove when the test is done.
pub struct TestStore {
    pub store: Store,
    pub config: StoreConfig,
    /// Keeps a SQLite file's directory until the test ends.
    _dir: Option<TempDir>,
}

impl TestStore {
    /// Another handle on the same data, as a second node or a restarted process would open.
    pub async fn reopen(&self) -> Store {
        Store::open(&self.config)
            .await
            .expect("reopening the store")
    }

    /// A handle as another node would have: a new connection to the same data, or for an
    /// in-memory store (which no one else can open) a clone.
    pub async fn second_node(&self) -> Store {
        match self.config {
            StoreConfig::Ephemeral => self.store.clone(),
            _ => self.reopen().await,
        }
    }

    /// Drops a PostgreSQL test schema; a failed test leaves it for inspection.
    pub async fn finish(self) {
        if let StoreConfig::Postgres {
            url,
            schema: Some(schema),
        } = &self.config
        {
            let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
                .await
                .expect("connecting");
            tokio::spawn(connection);
            client
                .batch_execute(&format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"))
                .await
                .expect("dropping the test schema");
        }
    }
}

pub async fn ephemeral() -> Option<TestStore> {
    let config = StoreConfig::Ephemeral;
    let store = Store::open(&config)
        .await
        .expect("opening an in-memory store");
    Some(TestStore {
        store,
        config,
        _dir: None,
    })
}

pub async fn sqlite_file() -> Option<TestStore> {
    let dir = TempDir::new();
    let config = StoreConfig::Sqlite {
        path: dir.path().join("palisade.db"),
    };
    let store = Store::open(&config)
        .await
        .expect("opening a SQLite file store");
    Some(TestStore {
        store,
        config,
        _dir: Some(dir),
    })
}

/// A store in a fresh schema; `None` (the test is skipped) only when PostgreSQL is down
/// and `PALISADE_SKIP_POSTGRES=1` says that is expected.
pub async fn postgres() -> Option<TestStore> {
    let url = std::env::var("PALISADE_TEST_DATABASE_URL")
        .unwrap_or_else(|_| DEFAULT_DATABASE_URL.to_owned());
    let schema = format!("store_test_{:016x}", rand::random::<u64>());
    let config = StoreConfig::Postgres {
        url: url.clone(),
        schema: Some(schema),
    };
    match Store::open(&config).await {
        Ok(store) => Some(TestStore {
            store,
            config,
            _dir: None,
        }),
        Err(StoreError::Unavailable(_))
            if std::env::var("PALISADE_SKIP_POSTGRES").as_deref() == Ok("1") =>
        {
            eprintln!("PostgreSQL unreachable and PALISADE_SKIP_POSTGRES=1: skipped");
            None
        }
        Err(error) => panic!(
            "PostgreSQL at {url} is needed for this test: {error}. Start it with \
             `pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`, point \
             PALISADE_TEST_DATABASE_URL at another server, or set PALISADE_SKIP_POSTGRES=1."
        ),
    }
}

/// A directory removed when dropped.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new() -> TempDir {
        let path =
            std::env::temp_dir().join(format!("palisade-store-{:016x}", rand::random::<u64>()));
        std::fs::create_dir_all(&path).expect("creating a temporary directory");
        TempDir(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs each named `async fn(&TestStore)` once per backend, as `<name>::ephemeral`,
/// `<name>::sqlite_file` and `<name>::postgres`; attributes (`#[ignore]`) carry over.
macro_rules! on_every_backend {
    ($($(#[$attr:meta])* $test:ident),* $(,)?) => {
        $(
            mod $test {
                on_every_backend!(@one $test, ephemeral, $(#[$attr])*);
                on_every_backend!(@one $test, sqlite_file, $(#[$attr])*);
                on_every_backend!(@one $test, postgres, $(#[$attr])*);
            }
        )*
    };
    (@one $test:ident, $backend:ident, $(#[$attr:meta])*) => {
        #[tokio::test]
        $(#[$attr])*
        async fn $backend() {
            if let Some(test_store) = $crate::support::$backend().await {
                super::$test(&test_store).await;
                test_store.finish().await;
            }
        }
    };
}

/// Like `on_every_backend!`, for behaviour that only PostgreSQL has (several nodes).
macro_rules! on_postgres {
    ($($test:ident),* $(,)?) => {
        $(
            mod $test {
                on_every_backend!(@one $test, postgres,);
            }
        )*
    };
}
