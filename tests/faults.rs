//! Faults during `bfm apply`: two applies at once, a process killed mid-migration, the state
//! database going away mid-run. None of them may leave a migration recorded applied that is not.

#[path = "support/project.rs"]
mod project;
mod support;

use project::{Project, assert_failure, assert_success, status_of, stderr, stdout, tables};
use sqlx::postgres::PgPool;
use std::time::Duration;
use support::postgres::{TestDatabase, fresh_database};

const CORE_YAML: &str = "\
state:
  backend: sqlite
  path: .bfm/state.db
connections:
  core:
    backend: postgresql
    schema: core
";

const QUICK: &str = "core_quick_20250101000001_init";
const SLOW: &str = "core_slow_20250101000002_init";
const AFTER: &str = "core_after_20250101000003_init";

/// Three migrations; the second creates a table and then sleeps `seconds`.
fn project_with_slow_migration(target: &TestDatabase, seconds: u32) -> Project {
    let project = Project::new(CORE_YAML, "core", &target.url);
    project.write_pair(
        "core",
        "quick",
        "20250101000001",
        "CREATE SCHEMA IF NOT EXISTS core;\nCREATE TABLE core.quick (id int);\n",
        "DROP TABLE core.quick;\n",
    );
    project.write_pair(
        "core",
        "slow",
        "20250101000002",
        &format!("CREATE TABLE core.slow (id int);\nSELECT pg_sleep({seconds});\n"),
        "DROP TABLE core.slow;\n",
    );
    project.write_pair(
        "core",
        "after",
        "20250101000003",
        "CREATE TABLE core.after (id int);\n",
        "DROP TABLE core.after;\n",
    );
    project
}

/// Waits until a session of `database` runs `pg_sleep`; returns its pid. bfm sends a
/// migration as one query text, so the sleep is somewhere inside it.
async fn wait_for_sleeping_session(admin: &PgPool, database: &str) -> i32 {
    for _ in 0..600 {
        let pid: Option<i32> = sqlx::query_scalar(
            "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND query LIKE '%SELECT pg_sleep(%' \
             AND state = 'active' AND pid <> pg_backend_pid()",
        )
        .bind(database)
        .fetch_optional(admin)
        .await
        .unwrap();
        if let Some(pid) = pid {
            return pid;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the slow migration never started");
}

fn database_name(url: &str) -> String {
    project::url_parts(url).database
}

/// Two `bfm apply` processes started together on one target: the lock serializes them.
async fn concurrent_applies_run_each_migration_once(target: &TestDatabase, project: &Project) {
    project.write_pair(
        "core",
        "log",
        "20250101000001",
        "CREATE SCHEMA IF NOT EXISTS core;\nCREATE TABLE core.log (entry text);\n\
         INSERT INTO core.log VALUES ('first');\nSELECT pg_sleep(1);\n",
        "DROP TABLE core.log;\n",
    );
    for (version, entry) in [("20250101000002", "second"), ("20250101000003", "third")] {
        project.write_migration(
            "core",
            &format!("{version}_{entry}.sql"),
            &format!(
                "-- +migrate Up\nINSERT INTO core.log VALUES ('{entry}');\n\
                 -- +migrate Down\nDELETE FROM core.log WHERE entry = '{entry}';\n"
            ),
        );
    }
    let first = project.spawn(&["apply"]);
    let second = project.spawn(&["apply"]);
    let outputs = [
        first.wait_with_output().unwrap(),
        second.wait_with_output().unwrap(),
    ];
    let mut applied_lines = 0;
    for output in &outputs {
        assert_success(output);
        applied_lines += stdout(output)
            .lines()
            .filter(|line| line.starts_with("applied "))
            .count();
    }
    assert_eq!(applied_lines, 3, "{:?}", outputs.each_ref().map(stdout));
    let database = PgPool::connect(&target.url).await.unwrap();
    let entries: Vec<String> = sqlx::query_scalar("SELECT entry FROM core.log ORDER BY entry")
        .fetch_all(&database)
        .await
        .unwrap();
    assert_eq!(entries, ["first", "second", "third"]);
    let records = project.records("core", "core").await;
    assert_eq!(records.len(), 3);
    assert!(records.iter().all(|r| r.status.as_str() == "applied"));
}

#[tokio::test(flavor = "multi_thread")]
async fn two_concurrent_applies_run_each_migration_exactly_once_with_a_sqlite_lock_row() {
    let target = fresh_database().await;
    let project = Project::new(CORE_YAML, "core", &target.url);
    concurrent_applies_run_each_migration_once(&target, &project).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn two_concurrent_applies_run_each_migration_exactly_once_with_an_advisory_lock() {
    let target = fresh_database().await;
    let state = fresh_database().await;
    let mut project = Project::new(CORE_YAML, "core", &target.url);
    project.use_state_store("postgresql", &state.url);
    concurrent_applies_run_each_migration_once(&target, &project).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn two_concurrent_applies_run_each_migration_exactly_once_with_get_lock() {
    let target = fresh_database().await;
    let state = support::mariadb::fresh_database().await;
    let mut project = Project::new(CORE_YAML, "core", &target.url);
    project.use_state_store("mysql", &state.url);
    concurrent_applies_run_each_migration_once(&target, &project).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn killing_apply_during_a_migration_never_records_it_applied() {
    let target = fresh_database().await;
    let project = project_with_slow_migration(&target, 5);
    let admin = PgPool::connect(&target.url).await.unwrap();
    let mut child = project.spawn(&["apply"]);
    let backend = wait_for_sleeping_session(&admin, &database_name(&target.url)).await;
    child.kill().unwrap();
    child.wait().unwrap();
    // The orphaned session would abort on its own once it notices; end it now.
    sqlx::query("SELECT pg_terminate_backend($1)")
        .bind(backend)
        .execute(&admin)
        .await
        .unwrap();

    let records = project.records("core", "core").await;
    assert_eq!(status_of(&records, QUICK), Some("applied"));
    let slow = status_of(&records, SLOW);
    assert!(matches!(slow, None | Some("running")), "{slow:?}");
    assert_eq!(status_of(&records, AFTER), None);
    assert_eq!(tables(&admin, "core").await, ["quick"]);

    let refused = project.bfm(&["apply"]);
    assert_failure(&refused);
    let error = stderr(&refused);
    assert!(
        error.contains(SLOW) && error.contains("interrupted"),
        "{error}"
    );
    assert!(error.contains("--retry-interrupted"), "{error}");

    let retried = project.bfm(&["apply", "--retry-interrupted"]);
    assert_success(&retried);
    assert_eq!(tables(&admin, "core").await, ["after", "quick", "slow"]);
    let records = project.records("core", "core").await;
    assert!(
        records.iter().all(|r| r.status.as_str() == "applied"),
        "{records:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn state_database_going_away_mid_run_is_a_clear_error_and_no_false_record() {
    let target = fresh_database().await;
    let state = fresh_database().await;
    let mut project = project_with_slow_migration(&target, 2);
    project.use_state_store("postgresql", &state.url);
    let admin = PgPool::connect(&target.url).await.unwrap();
    let state_name = database_name(&state.url);

    let child = project.spawn(&["apply"]);
    wait_for_sleeping_session(&admin, &database_name(&target.url)).await;
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "ALTER DATABASE \"{state_name}\" ALLOW_CONNECTIONS false"
    )))
    .execute(&admin)
    .await
    .unwrap();
    sqlx::query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1")
        .bind(&state_name)
        .execute(&admin)
        .await
        .unwrap();
    let output = child.wait_with_output().unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "ALTER DATABASE \"{state_name}\" ALLOW_CONNECTIONS true"
    )))
    .execute(&admin)
    .await
    .unwrap();

    assert_failure(&output);
    let error = stderr(&output);
    assert!(error.contains(SLOW), "{error}");
    assert!(error.contains("state store could not record it"), "{error}");
    let records = project.records("core", "core").await;
    assert_eq!(status_of(&records, QUICK), Some("applied"));
    assert_eq!(status_of(&records, SLOW), Some("running"));
    assert_eq!(status_of(&records, AFTER), None);
    assert_eq!(tables(&admin, "core").await, ["quick", "slow"]);
    let refused = project.bfm(&["apply"]);
    assert_failure(&refused);
    assert!(
        stderr(&refused).contains("interrupted"),
        "{}",
        stderr(&refused)
    );
}
