//! A temporary bfm project whose connections point at a throwaway PostgreSQL database, driven
//! through the `bfm` binary as a deploy pipeline runs it. Included by the apply and fault tests
//! with `#[path]`, beside `mod support`; each uses part of it.
#![allow(dead_code)]

use bfm::config::Config;
use bfm::state::{AnyStateStore, MigrationRecord, StateStore, Target};
use sqlx::postgres::PgPool;
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};

/// Host, port, user and database of a `postgres://user@host:port/name` URL.
pub struct UrlParts {
    pub user: String,
    pub host: String,
    pub port: String,
    pub database: String,
}

pub fn url_parts(url: &str) -> UrlParts {
    let rest = url
        .strip_prefix("postgres://")
        .or_else(|| url.strip_prefix("mysql://"))
        .expect("a postgres:// or mysql:// URL");
    let (user, rest) = rest.split_once('@').expect("a user in the URL");
    let (address, database) = rest.split_once('/').expect("a database in the URL");
    let (host, port) = address.split_once(':').expect("a port in the URL");
    UrlParts {
        user: user.split(':').next().unwrap_or(user).to_string(),
        host: host.to_string(),
        port: port.to_string(),
        database: database.to_string(),
    }
}

pub struct Project {
    pub dir: tempfile::TempDir,
    /// Environment variables every `bfm` run gets: the target connection and the state store.
    pub env: Vec<(String, String)>,
}

impl Project {
    /// A project with `bfm_yaml`, whose connection `connection` points at `database_url`.
    pub fn new(bfm_yaml: &str, connection: &str, database_url: &str) -> Project {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("bfm.yaml"), bfm_yaml).unwrap();
        let parts = url_parts(database_url);
        let prefix = connection.to_uppercase();
        let env = vec![
            (format!("{prefix}_DB_HOST"), parts.host),
            (format!("{prefix}_DB_PORT"), parts.port),
            (format!("{prefix}_DB_USERNAME"), parts.user),
            (format!("{prefix}_DB_NAME"), parts.database),
        ];
        Project { dir, env }
    }

    /// Keeps the state in another server-backed store (`postgresql` or `mysql`) at `url`.
    pub fn use_state_store(&mut self, backend: &str, url: &str) {
        let parts = url_parts(url);
        self.env.extend([
            ("BFM_STATE_BACKEND".to_string(), backend.to_string()),
            ("BFM_STATE_DB_HOST".to_string(), parts.host),
            ("BFM_STATE_DB_PORT".to_string(), parts.port),
            ("BFM_STATE_DB_USERNAME".to_string(), parts.user),
            ("BFM_STATE_DB_NAME".to_string(), parts.database),
        ]);
    }

    pub fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    pub fn migrations_dir(&self, connection: &str) -> PathBuf {
        self.path(&format!("generated/postgresql/{connection}"))
    }

    /// Writes a migration file and refreshes `bfm.sum` (as `bfm hash` does after a review).
    pub fn write_migration(&self, connection: &str, name: &str, text: &str) {
        let dir = self.migrations_dir(connection);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(name), text).unwrap();
        bfm::migrations::sum::write(&dir).unwrap();
    }

    /// A generated pair `{connection}_{table}_{version}_{name}.sql` / `_down.sql`.
    pub fn write_pair(&self, connection: &str, table: &str, version: &str, up: &str, down: &str) {
        let stem = format!("{connection}_{table}_{version}_init");
        self.write_migration(connection, &format!("{stem}_down.sql"), down);
        self.write_migration(connection, &format!("{stem}.sql"), up);
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_bfm"));
        command
            .args(args)
            .current_dir(self.dir.path())
            .env_remove("BFM_VERSION")
            .env_remove("BFM_STATE_BACKEND");
        for (name, value) in &self.env {
            command.env(name, value);
        }
        command
    }

    pub fn bfm(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }

    pub fn spawn(&self, args: &[&str]) -> Child {
        self.command(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    }

    /// The state store as `bfm` sees it.
    pub async fn store(&self) -> AnyStateStore {
        let env = |name: &str| {
            self.env
                .iter()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.clone())
        };
        let config = Config::discover(Some(&self.path("bfm.yaml")), &env).unwrap();
        let store = AnyStateStore::connect(&config.state, &config.root)
            .await
            .unwrap();
        store.ensure_tables().await.unwrap();
        store
    }

    pub async fn records(&self, connection: &str, schema: &str) -> Vec<MigrationRecord> {
        self.store()
            .await
            .records(&Target {
                connection: connection.into(),
                schema: schema.into(),
            })
            .await
            .unwrap()
    }
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

pub fn assert_success(output: &Output) {
    assert_eq!(
        output.status.code(),
        Some(0),
        "stdout:\n{}\nstderr:\n{}",
        stdout(output),
        stderr(output)
    );
}

pub fn assert_failure(output: &Output) {
    assert_eq!(
        output.status.code(),
        Some(1),
        "stdout:\n{}\nstderr:\n{}",
        stdout(output),
        stderr(output)
    );
}

/// The tables of `schema`, sorted.
pub async fn tables(pool: &PgPool, schema: &str) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT tablename::text FROM pg_tables WHERE schemaname = $1 ORDER BY tablename",
    )
    .bind(schema)
    .fetch_all(pool)
    .await
    .unwrap()
}

/// The status of `id` among `records`, as text (`applied`, `failed`…); `None` when unrecorded.
pub fn status_of(records: &[MigrationRecord], id: &str) -> Option<&'static str> {
    records
        .iter()
        .find(|record| record.migration_id == id)
        .map(|record| record.status.as_str())
}
