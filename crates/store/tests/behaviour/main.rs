//! The store's behaviour, run against every backend: in-memory SQLite, a SQLite file and
//! PostgreSQL (`PALISADE_TEST_DATABASE_URL`, each test in a schema of its own).

#[macro_use]
mod support;

mod audit;
mod clock;
mod documents;
mod durability;
mod jobs;
mod sealing;
mod spawning;
