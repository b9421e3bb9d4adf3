//! The MySQL-protocol apply path (GreptimeDB's, and the future MySQL backend's) live against a
//! throwaway MariaDB, with MySQL-compatible statements: no transactions, statement by statement,
//! the statements done recorded, a failure midway resumed after the statements that succeeded,
//! `USE` of each environment's database, and down.

#[path = "support/project.rs"]
mod project;
mod support;

use project::{Project, assert_failure, assert_success, stderr, stdout};
use sqlx::mysql::MySqlPool;
use support::mariadb::fresh_database;

/// A GreptimeDB connection with one database per environment; the throwaway server speaks the
/// same protocol.
const METRICS_YAML: &str = "\
state:
  backend: sqlite
  path: .bfm/state.db
connections:
  metrics:
    backend: greptimedb
    schema: bfm_protocol_{environment}
    environments: [dev]
";

const DATABASE: &str = "bfm_protocol_dev";
const V1: &str = "metrics_hosts_20260101000001_init";
const V2: &str = "metrics_disks_20260101000002_init";

/// Writes a migration pair under `generated/greptimedb/metrics` and refreshes `bfm.sum`.
fn write_pair(project: &Project, id: &str, up: &str, down: &str) {
    let dir = project.path("generated/greptimedb/metrics");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(format!("{id}.sql")), up).unwrap();
    std::fs::write(dir.join(format!("{id}_down.sql")), down).unwrap();
    bfm::migrations::sum::write(&dir).unwrap();
}

async fn tables(pool: &MySqlPool) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT CAST(table_name AS CHAR) FROM information_schema.tables \
         WHERE table_schema = ? ORDER BY table_name",
    )
    .bind(DATABASE)
    .fetch_all(pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn applies_statement_by_statement_records_progress_resumes_and_rolls_back() {
    let database = fresh_database().await;
    let project = Project::new(METRICS_YAML, "metrics", &database.url);
    write_pair(
        &project,
        V1,
        "CREATE TABLE hosts (id INT);\nCREATE TABLE cpu (ts DATETIME(3), usage_user DOUBLE);\n",
        "DROP TABLE cpu;\nDROP TABLE hosts;\n",
    );
    write_pair(
        &project,
        V2,
        "CREATE TABLE disks (id INT);\nINSERT INTO mounts VALUES (1);\nCREATE TABLE mem (id INT);\n",
        "DROP TABLE mem;\nDROP TABLE disks;\n",
    );
    let admin = MySqlPool::connect(&database.url).await.unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS {DATABASE}"
    )))
    .execute(&admin)
    .await
    .unwrap();

    let failed = project.bfm(&["apply", "--environment", "dev"]);
    assert_failure(&failed);
    let message = stderr(&failed);
    assert!(
        message.contains(&format!(
            "{V2} failed at statement 2 (outside a transaction: 1 statement(s) before it stay done)"
        )),
        "{message}"
    );
    assert!(message.contains("INSERT INTO mounts"), "{message}");
    assert_eq!(tables(&admin).await, ["cpu", "disks", "hosts"]);
    let records = project.records("metrics", DATABASE).await;
    let by_id = |id: &str| records.iter().find(|r| r.migration_id == id).unwrap();
    assert_eq!(by_id(V1).status.as_str(), "applied");
    assert_eq!(by_id(V1).statements_done, 2);
    assert_eq!(by_id(V1).backend, "greptimedb");
    assert_eq!(by_id(V2).status.as_str(), "failed");
    assert_eq!(by_id(V2).statements_done, 1);
    assert!(
        by_id(V2)
            .error
            .as_deref()
            .is_some_and(|e| e.starts_with("statement 2:")),
        "{:?}",
        by_id(V2).error
    );

    // The fix is in the database: the resumed run starts at statement 2, so `disks` (which
    // exists) is not created again.
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "CREATE TABLE {DATABASE}.mounts (id INT)"
    )))
    .execute(&admin)
    .await
    .unwrap();
    let resumed = project.bfm(&["apply", "--environment", "dev"]);
    assert_success(&resumed);
    assert!(
        stdout(&resumed).contains(&format!("metrics/{DATABASE}: applied 1 migration")),
        "{}",
        stdout(&resumed)
    );
    assert_eq!(
        tables(&admin).await,
        ["cpu", "disks", "hosts", "mem", "mounts"]
    );
    let records = project.records("metrics", DATABASE).await;
    let v2 = records.iter().find(|r| r.migration_id == V2).unwrap();
    assert_eq!((v2.status.as_str(), v2.statements_done), ("applied", 3));

    let down = project.bfm(&["down", "--environment", "dev"]);
    assert_success(&down);
    assert_eq!(tables(&admin).await, ["cpu", "hosts", "mounts"]);
    let down_again = project.bfm(&["down", "--environment", "dev", "--steps", "1"]);
    assert_success(&down_again);
    assert_eq!(tables(&admin).await, ["mounts"]);
    let records = project.records("metrics", DATABASE).await;
    assert!(
        records.iter().all(|r| r.status.as_str() == "rolled_back"),
        "{records:?}"
    );
    admin.close().await;
}

#[tokio::test]
async fn dry_run_over_the_mysql_protocol_runs_nothing() {
    let database = fresh_database().await;
    let yaml = METRICS_YAML.replace("bfm_protocol_", "bfm_dry_");
    let project = Project::new(&yaml, "metrics", &database.url);
    write_pair(
        &project,
        V1,
        "CREATE TABLE hosts (id INT);\n",
        "DROP TABLE hosts;\n",
    );
    let output = project.bfm(&["apply", "--environment", "dev", "--dry-run"]);
    assert_success(&output);
    assert!(
        stdout(&output).contains(&format!("would apply {V1}")),
        "{}",
        stdout(&output)
    );
    let admin = MySqlPool::connect(&database.url).await.unwrap();
    let count: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'bfm_dry_dev'",
    )
    .fetch_one(&admin)
    .await
    .unwrap();
    assert_eq!(count, 0);
    assert!(project.records("metrics", "bfm_dry_dev").await.is_empty());
    admin.close().await;
}
