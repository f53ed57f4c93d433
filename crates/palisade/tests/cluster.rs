//! Two `palisade serve` processes on one PostgreSQL database serve one cloud.

mod support;

use std::{
    process::Command,
    time::{Duration, Instant},
};

use support::{http, Server, TempDir};

/// A fresh database on the test PostgreSQL server, dropped afterwards.
struct Database {
    admin_url: String,
    name: String,
    url: String,
}

impl Database {
    fn create(label: &str) -> Database {
        let admin_url = std::env::var("PALISADE_TEST_DATABASE_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned());
        let name = format!("palisade_{label}_{}", std::process::id());
        let (server, _) = admin_url.rsplit_once('/').expect("a database URL");
        let url = format!("{server}/{name}");
        let database = Database { admin_url, name, url };
        database.psql(&format!("DROP DATABASE IF EXISTS {}", database.name));
        database.psql(&format!("CREATE DATABASE {}", database.name));
        database
    }

    fn psql(&self, sql: &str) {
        let out = Command::new("psql").arg(&self.admin_url).args(["-v", "ON_ERROR_STOP=1", "-c", sql]).output().unwrap();
        assert!(out.status.success(), "psql {sql}: {}", String::from_utf8_lossy(&out.stderr));
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        let _ = Command::new("psql")
            .arg(&self.admin_url)
            .args(["-c", &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name)])
            .output();
    }
}

fn node(database: &Database, key_file: &std::path::Path) -> Server {
    let key = key_file.to_str().unwrap();
    Server::start(&["--database-url", &database.url, "--root-key-file", key, "--test-clock"])
}

fn poll(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn retention_runs(server: &Server) -> u64 {
    let metrics = http(server.port, "GET", "/_palisade/metrics", &[], b"").unwrap().text();
    metrics
        .lines()
        .filter(|l| l.starts_with(r#"palisade_jobs_total{kind="cloudtrail.retention""#))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
        .sum()
}

#[test]
fn two_nodes_on_one_database_serve_one_cloud() {
    let database = Database::create("one_cloud");
    let keys = TempDir::new("cluster-key");
    let key_file = keys.0.join("root.key");
    let a = node(&database, &key_file);
    let b = node(&database, &key_file);

    a.aws_json(&["cloudtrail", "create-trail", "--name", "shared", "--s3-bucket-name", "logs"]);
    let trails = b.aws_json(&["cloudtrail", "describe-trails"]);
    assert_eq!(trails["trailList"][0]["Name"], "shared", "{trails}");

    poll("node A's CreateTrail event to be visible on node B", || {
        let events = b.aws_json(&[
            "cloudtrail",
            "lookup-events",
            "--lookup-attributes",
            "AttributeKey=EventName,AttributeValue=CreateTrail",
        ]);
        !events["Events"].as_array().unwrap().is_empty()
    });

    let moved = http(a.port, "POST", "/_palisade/clock", &[], br#"{"offset_seconds": 3600}"#).unwrap();
    assert_eq!(moved.status, 200);
    poll("node B to see node A's clock offset", || {
        let clock: serde_json::Value = serde_json::from_slice(&http(b.port, "GET", "/_palisade/clock", &[], b"").unwrap().body).unwrap();
        clock["offset_seconds"] == 3600.0
    });
}

#[test]
fn a_due_job_is_run_by_exactly_one_of_two_nodes() {
    let database = Database::create("jobs");
    let keys = TempDir::new("cluster-jobs-key");
    let key_file = keys.0.join("root.key");
    let a = node(&database, &key_file);
    let b = node(&database, &key_file);
    // Each start schedules a purge for today; let those settle first.
    poll("the start-up purges", || retention_runs(&a) + retention_runs(&b) >= 1);
    std::thread::sleep(Duration::from_secs(2));
    let before = retention_runs(&a) + retention_runs(&b);

    // Tomorrow's purge becomes due: one job, which one node runs.
    let moved = http(a.port, "POST", "/_palisade/clock", &[], br#"{"advance_seconds": 90000}"#).unwrap();
    assert_eq!(moved.status, 200);
    poll("tomorrow's purge", || retention_runs(&a) + retention_runs(&b) > before);
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(retention_runs(&a) + retention_runs(&b), before + 1, "the job ran on more than one node");
}

#[test]
fn a_node_with_another_root_key_refuses_to_join() {
    let database = Database::create("other_key");
    let keys = TempDir::new("cluster-other-key");
    let _a = node(&database, &keys.0.join("root.key"));
    let out = Command::new(env!("CARGO_BIN_EXE_palisade"))
        .args(["serve", "--port", &support::free_port().to_string(), "--database-url", &database.url])
        .arg("--root-key-file")
        .arg(keys.0.join("another.key"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("root key"));
}
