//! The state stores' behaviour, one set of tests run against each store: SQLite in a
//! temporary folder, and PostgreSQL and MariaDB on the throwaway test servers.

mod support;

use bfm::config::{Secret, StateBackend, StateConfig};
use bfm::state::{
    AnyStateStore, LockHolder, MigrationRecord, MigrationStatus, MysqlStateStore,
    PostgresStateStore, StateError, StateLock, StateStore, Target,
};
use sqlx::Connection;
use std::path::PathBuf;
use std::time::Duration;

/// How long a lock attempt that is expected to fail waits.
const SHORT_WAIT: Duration = Duration::from_millis(300);

/// How long a lock attempt that is expected to succeed may wait (a dropped connection is
/// noticed by the server a moment later).
const LONG_WAIT: Duration = Duration::from_secs(30);

/// A store under test and what keeps its backing storage alive.
struct Fixture {
    store: AnyStateStore,
    backing: Backing,
}

enum Backing {
    Sqlite {
        _dir: tempfile::TempDir,
        file: PathBuf,
    },
    Postgres(support::postgres::TestDatabase),
    Mariadb {
        _database: support::mariadb::TestDatabase,
    },
}

/// The PostgreSQL store keeps its tables in this schema rather than the default `public`.
const POSTGRES_STATE_SCHEMA: &str = "bfm_state";

async fn sqlite_fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("temporary folder");
    let config = state_config(StateBackend::Sqlite, PathBuf::from("state/nested/bfm.db"));
    let store = AnyStateStore::connect(&config, dir.path())
        .await
        .expect("open the SQLite store");
    let file = dir.path().join("state/nested/bfm.db");
    assert!(
        file.is_file(),
        "the SQLite file and its folders are created"
    );
    Fixture {
        store,
        backing: Backing::Sqlite { _dir: dir, file },
    }
}

async fn postgres_fixture() -> Fixture {
    let database = support::postgres::fresh_database().await;
    let store = PostgresStateStore::connect(&database.url, POSTGRES_STATE_SCHEMA)
        .await
        .expect("connect to the PostgreSQL store");
    Fixture {
        store: AnyStateStore::Postgres(store),
        backing: Backing::Postgres(database),
    }
}

async fn mariadb_fixture() -> Fixture {
    let database = support::mariadb::fresh_database().await;
    let store = MysqlStateStore::connect(&database.url)
        .await
        .expect("connect to the MariaDB store");
    Fixture {
        store: AnyStateStore::Mysql(store),
        backing: Backing::Mariadb {
            _database: database,
        },
    }
}

fn state_config(backend: StateBackend, path: PathBuf) -> StateConfig {
    StateConfig {
        backend,
        path,
        host: None,
        port: None,
        username: None,
        password: None,
        name: "migration_state".to_string(),
        schema: "public".to_string(),
    }
}

impl Fixture {
    /// Makes `lock`'s holder go away without unlocking: its connection closes (servers), or its
    /// process no longer exists (SQLite, whose row names a pid that has exited).
    async fn abandon(&self, lock: StateLock) {
        match &self.backing {
            Backing::Sqlite { file, .. } => {
                let url = format!("sqlite://{}", file.display());
                let mut connection = sqlx::SqliteConnection::connect(&url)
                    .await
                    .expect("open the SQLite file");
                sqlx::query("UPDATE bfm_locks SET pid = ?")
                    .bind(i64::from(exited_pid()))
                    .execute(&mut connection)
                    .await
                    .expect("rewrite the lock holder");
                drop(lock);
            }
            Backing::Postgres(_) | Backing::Mariadb { .. } => drop(lock),
        }
    }
}

/// The pid of a process that has run and been reaped.
fn exited_pid() -> u32 {
    let mut child = std::process::Command::new("true")
        .spawn()
        .expect("run `true`");
    let pid = child.id();
    child.wait().expect("wait for `true`");
    pid
}

fn target(connection: &str, schema: &str) -> Target {
    Target {
        connection: connection.to_string(),
        schema: schema.to_string(),
    }
}

/// A record with every field set to something a lossy store would change.
fn record(target: &Target, version: &str, status: MigrationStatus, batch: i64) -> MigrationRecord {
    MigrationRecord {
        migration_id: format!("core_users_{version}_create_users"),
        target: target.clone(),
        backend: "postgresql".to_string(),
        table: "Users".to_string(),
        version: version.to_string(),
        name: "create users — ünïcode".to_string(),
        checksum: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08".to_string(),
        status,
        batch,
        applied_at: "2025-01-02T03:04:05Z".to_string(),
        execution_ms: 1234,
        statements_done: 7,
        error: match status {
            MigrationStatus::Failed => Some("relation \"x\" does not exist\nat line 2".to_string()),
            _ => None,
        },
    }
}

async fn ready(fixture: &Fixture) -> &AnyStateStore {
    fixture.store.ensure_tables().await.expect("create tables");
    &fixture.store
}

fn holder_of(error: StateError) -> LockHolder {
    match error {
        StateError::LockTimeout { holder, .. } => holder.expect("the holder is named"),
        other => panic!("expected a lock time-out, got {other}"),
    }
}

async fn creates_tables_idempotently(fixture: Fixture) {
    let store = ready(&fixture).await;
    store.ensure_tables().await.expect("create tables again");
    let core = target("core", "public");
    store
        .record(&record(
            &core,
            "20250101120000",
            MigrationStatus::Applied,
            1,
        ))
        .await
        .expect("record");
    store
        .ensure_tables()
        .await
        .expect("create tables with rows");
    assert_eq!(store.records(&core).await.expect("records").len(), 1);
}

async fn records_round_trip_exactly(fixture: Fixture) {
    let store = ready(&fixture).await;
    let core = target("core", "public");
    let later = record(&core, "20250301000000", MigrationStatus::Failed, 2);
    let earlier = record(&core, "20250101120000", MigrationStatus::Applied, 1);
    store.record(&later).await.expect("record later");
    store.record(&earlier).await.expect("record earlier");
    assert_eq!(
        store.records(&core).await.expect("records"),
        vec![earlier, later],
        "every field read back, in version order"
    );
    assert_eq!(
        store
            .records(&target("core", "Public"))
            .await
            .expect("records"),
        vec![],
        "targets are told apart exactly, case included"
    );
}

async fn upsert_replaces_the_row_and_history_keeps_every_attempt(fixture: Fixture) {
    let store = ready(&fixture).await;
    let core = target("core", "public");
    let failed = record(&core, "20250101120000", MigrationStatus::Failed, 1);
    let applied = MigrationRecord {
        checksum: "fixed".to_string(),
        ..record(&core, "20250101120000", MigrationStatus::Applied, 2)
    };
    let rolled_back = record(&core, "20250101120000", MigrationStatus::RolledBack, 3);
    for attempt in [&failed, &applied, &rolled_back] {
        store.record(attempt).await.expect("record");
    }
    assert_eq!(
        store.records(&core).await.expect("records"),
        vec![rolled_back.clone()]
    );
    assert_eq!(
        store.history(&core).await.expect("history"),
        vec![failed, applied, rolled_back]
    );
    assert_eq!(
        store
            .history(&target("core", "other"))
            .await
            .expect("history"),
        vec![]
    );
}

async fn next_batch_increments_per_target(fixture: Fixture) {
    let store = ready(&fixture).await;
    let dev = target("cli", "cli_dev");
    let prod = target("cli", "cli_prod");
    assert_eq!(store.next_batch(&dev).await.expect("batch"), 1);
    store
        .record(&record(&dev, "20250101120000", MigrationStatus::Applied, 1))
        .await
        .expect("record");
    assert_eq!(store.next_batch(&dev).await.expect("batch"), 2);
    store
        .record(&record(&dev, "20250102120000", MigrationStatus::Applied, 2))
        .await
        .expect("record");
    assert_eq!(store.next_batch(&dev).await.expect("batch"), 3);
    assert_eq!(
        store.next_batch(&prod).await.expect("batch"),
        1,
        "another target counts its own batches"
    );
}

async fn lock_excludes_the_same_target_but_not_another(fixture: Fixture) {
    let store = ready(&fixture).await;
    let dev = target("cli", "cli_dev");
    let prod = target("cli", "cli_prod");
    let held = store.lock(&dev, SHORT_WAIT).await.expect("first lock");
    let second = store.lock(&dev, SHORT_WAIT).await;
    assert!(
        matches!(second, Err(StateError::LockTimeout { .. })),
        "a second locker on the same target waits: {second:?}"
    );
    let other = store
        .lock(&prod, SHORT_WAIT)
        .await
        .expect("another target is free");
    store.unlock(other).await.expect("unlock prod");
    store.unlock(held).await.expect("unlock dev");
}

async fn waiting_lock_times_out_naming_the_holder(fixture: Fixture) {
    let store = ready(&fixture).await;
    let core = target("core", "public");
    let held = store.lock(&core, SHORT_WAIT).await.expect("first lock");
    let error = store
        .lock(&core, SHORT_WAIT)
        .await
        .expect_err("the second lock times out");
    let message = error.to_string();
    match &error {
        StateError::LockTimeout { target, waited, .. } => {
            assert_eq!(target, &core);
            assert!(*waited >= SHORT_WAIT, "gave up after {waited:?}");
        }
        other => panic!("expected a lock time-out, got {other}"),
    }
    let holder = holder_of(error);
    assert_eq!(holder.pid, std::process::id());
    assert_eq!(holder.host, bfm::state::host_name());
    assert!(
        message.contains(&format!("pid {}", std::process::id())),
        "{message}"
    );
    store.unlock(held).await.expect("unlock");
}

async fn unlock_lets_the_next_locker_in(fixture: Fixture) {
    let store = ready(&fixture).await;
    let core = target("core", "public");
    let first = store.lock(&core, SHORT_WAIT).await.expect("first lock");
    store.unlock(first).await.expect("unlock");
    let second = store
        .lock(&core, SHORT_WAIT)
        .await
        .expect("the lock is free again");
    store.unlock(second).await.expect("unlock");
}

async fn lock_is_released_when_its_holder_goes_away(fixture: Fixture) {
    let store = ready(&fixture).await;
    let core = target("core", "public");
    let abandoned = store.lock(&core, SHORT_WAIT).await.expect("first lock");
    assert!(store.lock(&core, SHORT_WAIT).await.is_err(), "still held");
    fixture.abandon(abandoned).await;
    let next = store
        .lock(&core, LONG_WAIT)
        .await
        .expect("the lock of a holder that went away is taken over");
    store.unlock(next).await.expect("unlock");
}

/// A module per behaviour, holding one `#[tokio::test]` per store: `records_round_trip_exactly::sqlite`.
macro_rules! for_every_store {
    ($stores:tt; $($behaviour:ident),* $(,)?) => {
        $( behaviour_tests!($behaviour, $stores); )*
    };
}

macro_rules! behaviour_tests {
    ($behaviour:ident, [$($store:ident => $fixture:ident),*]) => {
        mod $behaviour {
            $(
                #[tokio::test]
                async fn $store() {
                    super::$behaviour(super::$fixture().await).await;
                }
            )*
        }
    };
}

for_every_store!(
    [sqlite => sqlite_fixture, postgresql => postgres_fixture, mariadb => mariadb_fixture];
    creates_tables_idempotently,
    records_round_trip_exactly,
    upsert_replaces_the_row_and_history_keeps_every_attempt,
    next_batch_increments_per_target,
    lock_excludes_the_same_target_but_not_another,
    waiting_lock_times_out_naming_the_holder,
    unlock_lets_the_next_locker_in,
    lock_is_released_when_its_holder_goes_away,
);

#[tokio::test]
async fn unopenable_sqlite_file_is_unreachable() {
    let dir = tempfile::tempdir().expect("temporary folder");
    std::fs::write(dir.path().join("plain-file"), "not a folder").expect("write");
    let config = state_config(StateBackend::Sqlite, PathBuf::from("plain-file/bfm.db"));
    let error = AnyStateStore::connect(&config, dir.path())
        .await
        .expect_err("a file cannot hold a folder");
    assert!(matches!(error, StateError::Unreachable { .. }), "{error:?}");
}

/// A server store on a port nothing listens on fails as unreachable, and neither the message
/// nor the debug form shows the password.
async fn unreachable_server_hides_the_password(backend: StateBackend) {
    let password = "s3cret-Pa55word";
    let port = support::free_port().expect("a free port");
    let config = StateConfig {
        host: Some("127.0.0.1".to_string()),
        port: Some(port),
        username: Some("deployer".to_string()),
        password: Some(Secret::new(password)),
        ..state_config(backend, PathBuf::new())
    };
    let root = tempfile::tempdir().expect("temporary folder");
    let error = AnyStateStore::connect(&config, root.path())
        .await
        .expect_err("nothing listens there");
    assert!(
        matches!(&error, StateError::Unreachable { store, .. } if store.contains(&port.to_string())),
        "{error:?}"
    );
    for shown in [error.to_string(), format!("{error:?}")] {
        assert!(!shown.contains(password), "{shown}");
    }
}

#[tokio::test]
async fn unreachable_postgresql_store_hides_the_password() {
    unreachable_server_hides_the_password(StateBackend::Postgresql).await;
}

#[tokio::test]
async fn unreachable_mysql_store_hides_the_password() {
    unreachable_server_hides_the_password(StateBackend::Mysql).await;
}

#[tokio::test]
async fn postgresql_tables_live_in_the_configured_schema() {
    let fixture = postgres_fixture().await;
    ready(&fixture).await;
    let Backing::Postgres(database) = &fixture.backing else {
        unreachable!("a PostgreSQL fixture");
    };
    let mut connection = sqlx::PgConnection::connect(&database.url)
        .await
        .expect("connect");
    let tables: Vec<(String, String)> = sqlx::query_as(
        "SELECT table_schema::text, table_name::text FROM information_schema.tables \
         WHERE table_name LIKE 'bfm%' ORDER BY 1, 2",
    )
    .fetch_all(&mut connection)
    .await
    .expect("list tables");
    let expected: Vec<(String, String)> = ["bfm_locks", "bfm_migration_history", "bfm_migrations"]
        .iter()
        .map(|table| (POSTGRES_STATE_SCHEMA.to_string(), table.to_string()))
        .collect();
    assert_eq!(tables, expected);
}
