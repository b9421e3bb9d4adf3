//! `bfm apply`, `down`, `status`, `baseline`, `reset` and `refresh` against a throwaway
//! PostgreSQL server, with the state in SQLite (and, for the core test, PostgreSQL and MySQL).

#[path = "support/project.rs"]
mod project;
mod support;

use bfm::state::StateStore as _;
use project::{Project, assert_failure, assert_success, status_of, stderr, stdout, tables};
use sqlx::postgres::PgPool;
use support::postgres::fresh_database;

const CORE_YAML: &str = "\
state:
  backend: sqlite
  path: .bfm/state.db
connections:
  core:
    backend: postgresql
    schema: core
";

const ORGANIZATION_YAML: &str = "\
state:
  backend: sqlite
  path: .bfm/state.db
connections:
  organization:
    backend: postgresql
    schema: cli_{environment}
    environments: [dev, staging]
";

const V1: &str = "20250101000001";
const V2: &str = "20250101000002";
const V3: &str = "20250101000003";

fn id(table: &str, version: &str) -> String {
    format!("core_{table}_{version}_init")
}

/// Three migrations of schema core: users (v1), orders referencing users (v2), an index on
/// users (v3).
fn core_project(database_url: &str) -> Project {
    let project = Project::new(CORE_YAML, "core", database_url);
    project.write_pair(
        "core",
        "users",
        V1,
        "CREATE SCHEMA IF NOT EXISTS core;\nCREATE TABLE core.users (id bigint PRIMARY KEY, email text);\n",
        "DROP TABLE core.users;\n",
    );
    project.write_pair(
        "core",
        "orders",
        V2,
        "CREATE TABLE core.orders (id bigint PRIMARY KEY, user_id bigint REFERENCES core.users (id));\n",
        "DROP TABLE core.orders;\n",
    );
    project.write_pair(
        "core",
        "accounts",
        V3,
        "CREATE TABLE core.accounts (id bigint PRIMARY KEY);\nCREATE INDEX users_email_idx ON core.users (email);\n",
        "DROP INDEX core.users_email_idx;\nDROP TABLE core.accounts;\n",
    );
    project
}

async fn pool(url: &str) -> PgPool {
    PgPool::connect(url).await.unwrap()
}

async fn index_exists(pool: &PgPool, name: &str) -> bool {
    sqlx::query_scalar("SELECT count(*) > 0 FROM pg_indexes WHERE indexname = $1")
        .bind(name)
        .fetch_one(pool)
        .await
        .unwrap()
}

/// Applies the three migrations, checks the catalog and the records, and applies again.
async fn applies_in_order_and_records(project: &Project, database: &PgPool) {
    let output = project.bfm(&["apply"]);
    assert_success(&output);
    let text = stdout(&output);
    let positions: Vec<usize> = [V1, V2, V3]
        .iter()
        .map(|v| {
            text.find(v)
                .unwrap_or_else(|| panic!("{v} missing: {text}"))
        })
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{text}");
    assert!(text.contains("core/core: applied 3 migrations"), "{text}");
    assert_eq!(
        tables(database, "core").await,
        ["accounts", "orders", "users"]
    );
    assert!(index_exists(database, "users_email_idx").await);
    let records = project.records("core", "core").await;
    assert_eq!(records.len(), 3);
    for record in &records {
        assert_eq!(record.status.as_str(), "applied", "{record:?}");
        assert_eq!(record.batch, records[0].batch);
        assert_eq!(record.backend, "postgresql");
        assert!(record.error.is_none());
        assert_eq!(record.checksum.len(), 64);
    }
    assert_eq!(records[1].table, "orders");
    assert_eq!(records[1].statements_done, 1);

    let again = project.bfm(&["apply"]);
    assert_success(&again);
    assert!(
        stdout(&again).contains("core/core: nothing to do"),
        "{}",
        stdout(&again)
    );
    assert_eq!(project.records("core", "core").await.len(), 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn applies_pending_migrations_in_order_and_records_them_in_sqlite() {
    let target = fresh_database().await;
    let project = core_project(&target.url);
    applies_in_order_and_records(&project, &pool(&target.url).await).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn applies_pending_migrations_in_order_and_records_them_in_postgresql() {
    let target = fresh_database().await;
    let state = fresh_database().await;
    let mut project = core_project(&target.url);
    project.use_state_store("postgresql", &state.url);
    applies_in_order_and_records(&project, &pool(&target.url).await).await;
    let state_tables = tables(&pool(&state.url).await, "public").await;
    assert!(
        state_tables.contains(&"bfm_migrations".to_string()),
        "{state_tables:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn applies_pending_migrations_in_order_and_records_them_in_mysql() {
    let target = fresh_database().await;
    let state = support::mariadb::fresh_database().await;
    let mut project = core_project(&target.url);
    project.use_state_store("mysql", &state.url);
    applies_in_order_and_records(&project, &pool(&target.url).await).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn to_applies_up_to_the_version_and_tables_only_those_tables() {
    let target = fresh_database().await;
    let project = core_project(&target.url);
    let database = pool(&target.url).await;
    assert_success(&project.bfm(&["apply", "--to", V1]));
    assert_eq!(tables(&database, "core").await, ["users"]);
    assert_success(&project.bfm(&["apply", "--tables", "accounts"]));
    assert_eq!(tables(&database, "core").await, ["accounts", "users"]);
    let records = project.records("core", "core").await;
    assert_eq!(status_of(&records, &id("orders", V2)), None);
    assert_eq!(status_of(&records, &id("accounts", V3)), Some("applied"));
}

#[tokio::test(flavor = "multi_thread")]
async fn dry_run_prints_what_would_run_and_changes_nothing() {
    let target = fresh_database().await;
    let project = core_project(&target.url);
    let database = pool(&target.url).await;
    let output = project.bfm(&["apply", "--dry-run"]);
    assert_success(&output);
    let text = stdout(&output);
    assert!(
        text.contains(&format!("would apply {}", id("orders", V2))),
        "{text}"
    );
    assert!(text.contains("CREATE TABLE core.orders"), "{text}");
    assert!(tables(&database, "core").await.is_empty());
    let schemas: i64 =
        sqlx::query_scalar("SELECT count(*) FROM pg_namespace WHERE nspname = 'core'")
            .fetch_one(&database)
            .await
            .unwrap();
    assert_eq!(
        schemas, 0,
        "the dry run's CREATE SCHEMA was not rolled back"
    );
    assert!(project.records("core", "core").await.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn dry_run_reports_a_failing_statement() {
    let target = fresh_database().await;
    let project = core_project(&target.url);
    project.write_pair(
        "core",
        "broken",
        "20250101000004",
        "CREATE TABLE core.broken (id bigint);\nALTER TABLE core.broken ADD COLUMN id bigint;\n",
        "DROP TABLE core.broken;\n",
    );
    let output = project.bfm(&["apply", "--dry-run"]);
    assert_failure(&output);
    let error = stderr(&output);
    assert!(
        error.contains("core_broken_20250101000004_init failed at statement 2"),
        "{error}"
    );
    assert!(error.contains("already exists"), "{error}");
    assert!(tables(&pool(&target.url).await, "core").await.is_empty());
    assert!(project.records("core", "core").await.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn per_environment_apply_runs_unqualified_sql_in_the_environment_schema() {
    let target = fresh_database().await;
    let project = Project::new(ORGANIZATION_YAML, "organization", &target.url);
    project.write_pair(
        "organization",
        "members",
        V1,
        "CREATE TABLE members (id bigint PRIMARY KEY);\n",
        "DROP TABLE members;\n",
    );
    let output = project.bfm(&[
        "apply",
        "--connection",
        "organization",
        "--environment",
        "dev",
    ]);
    assert_success(&output);
    let database = pool(&target.url).await;
    assert_eq!(tables(&database, "cli_dev").await, ["members"]);
    assert!(tables(&database, "public").await.is_empty());
    let records = project.records("organization", "cli_dev").await;
    assert_eq!(
        status_of(&records, &format!("organization_members_{V1}_init")),
        Some("applied")
    );
    assert_eq!(records[0].table, "members");
    assert!(
        project
            .records("organization", "cli_staging")
            .await
            .is_empty()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn per_environment_connection_without_a_target_asks_for_one() {
    let target = fresh_database().await;
    let project = Project::new(ORGANIZATION_YAML, "organization", &target.url);
    let output = project.bfm(&["apply"]);
    assert_failure(&output);
    let error = stderr(&output);
    assert!(error.contains("--environment"), "{error}");
    assert!(error.contains("dev, staging"), "{error}");
}

#[tokio::test(flavor = "multi_thread")]
async fn all_environments_applies_every_configured_and_existing_schema() {
    let target = fresh_database().await;
    let database = pool(&target.url).await;
    sqlx::raw_sql("CREATE SCHEMA cli_qa; CREATE SCHEMA other")
        .execute(&database)
        .await
        .unwrap();
    let project = Project::new(ORGANIZATION_YAML, "organization", &target.url);
    project.write_pair(
        "organization",
        "members",
        V1,
        "CREATE TABLE members (id bigint PRIMARY KEY);\n",
        "DROP TABLE members;\n",
    );
    let output = project.bfm(&["apply", "--all-environments", "--jobs", "2"]);
    assert_success(&output);
    let text = stdout(&output);
    for schema in ["cli_dev", "cli_qa", "cli_staging"] {
        assert_eq!(tables(&database, schema).await, ["members"], "{schema}");
        assert!(
            text.contains(&format!("organization/{schema}: applied 1 migration")),
            "{text}"
        );
        assert_eq!(project.records("organization", schema).await.len(), 1);
    }
    assert!(tables(&database, "other").await.is_empty());
    assert_eq!(text.lines().count(), 3, "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn all_environments_exits_non_zero_when_one_environment_fails() {
    let target = fresh_database().await;
    let database = pool(&target.url).await;
    sqlx::raw_sql("CREATE SCHEMA cli_staging; CREATE TABLE cli_staging.members (id int)")
        .execute(&database)
        .await
        .unwrap();
    let project = Project::new(ORGANIZATION_YAML, "organization", &target.url);
    project.write_pair(
        "organization",
        "members",
        V1,
        "CREATE TABLE members (id bigint PRIMARY KEY);\n",
        "DROP TABLE members;\n",
    );
    let output = project.bfm(&["apply", "--all-environments"]);
    assert_failure(&output);
    let text = stdout(&output);
    assert!(
        text.contains("organization/cli_dev: applied 1 migration"),
        "{text}"
    );
    assert!(
        text.contains("organization/cli_staging: applied 0 migrations, then stopped"),
        "{text}"
    );
    assert!(
        stderr(&output).contains("1 of 2 targets failed"),
        "{}",
        stderr(&output)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn failing_migration_leaves_the_database_as_it_was_and_resumes_after_the_fix() {
    let target = fresh_database().await;
    let project = core_project(&target.url);
    let broken = "CREATE TABLE core.orders (id bigint PRIMARY KEY);\nINSERT INTO core.orders VALUES (1);\nALTER TABLE core.orders ADD COLUMN total nonsense_type;\n";
    project.write_migration("core", &format!("{}.sql", id("orders", V2)), broken);
    let database = pool(&target.url).await;

    let output = project.bfm(&["apply"]);
    assert_failure(&output);
    let error = stderr(&output);
    assert!(
        error.contains(&format!("{} failed at statement 3", id("orders", V2))),
        "{error}"
    );
    assert!(error.contains("nonsense_type"), "{error}");
    assert_eq!(tables(&database, "core").await, ["users"]);
    let records = project.records("core", "core").await;
    let failed = records
        .iter()
        .find(|r| r.migration_id == id("orders", V2))
        .unwrap();
    assert_eq!(failed.status.as_str(), "failed");
    let recorded_error = failed.error.as_deref().unwrap_or_default();
    assert!(recorded_error.contains("statement 3"), "{recorded_error}");
    assert!(
        recorded_error.contains("ALTER TABLE core.orders ADD COLUMN total"),
        "{recorded_error}"
    );
    assert_eq!(status_of(&records, &id("accounts", V3)), None);

    // A statement may end in a line comment: bfm sends a migration as one text, and the
    // comment must not swallow the separator after it.
    let fixed = broken
        .replace("nonsense_type", "numeric")
        .replace("VALUES (1);", "VALUES (1) -- the first order\n;");
    project.write_migration("core", &format!("{}.sql", id("orders", V2)), &fixed);
    assert_success(&project.bfm(&["apply"]));
    assert_eq!(
        tables(&database, "core").await,
        ["accounts", "orders", "users"]
    );
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM core.orders")
        .fetch_one(&database)
        .await
        .unwrap();
    assert_eq!(rows, 1);
    let records = project.records("core", "core").await;
    assert!(
        records.iter().all(|r| r.status.as_str() == "applied"),
        "{records:?}"
    );
    let history = project
        .store()
        .await
        .history(&bfm::state::Target {
            connection: "core".into(),
            schema: "core".into(),
        })
        .await
        .unwrap();
    let attempts: Vec<&str> = history
        .iter()
        .filter(|r| r.migration_id == id("orders", V2))
        .map(|r| r.status.as_str())
        .collect();
    assert_eq!(attempts, ["running", "failed", "running", "applied"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn file_outside_a_transaction_records_how_far_it_got_and_resumes_there() {
    let target = fresh_database().await;
    let project = core_project(&target.url);
    assert_success(&project.bfm(&["apply"]));
    let file = "20250101000004_concurrent_index.sql";
    let broken = "-- bfm:no-transaction\n-- +migrate Up\nCREATE INDEX CONCURRENTLY orders_user_idx ON core.orders (user_id);\nCREATE INDEX CONCURRENTLY accounts_bad_idx ON core.accounts (missing);\n-- +migrate Down\nDROP INDEX CONCURRENTLY core.accounts_id_idx;\nDROP INDEX CONCURRENTLY core.orders_user_idx;\n";
    project.write_migration("core", file, broken);
    let output = project.bfm(&["apply"]);
    assert_failure(&output);
    let error = stderr(&output);
    assert!(
        error.contains("outside a transaction: 1 statement(s) before it stay done"),
        "{error}"
    );
    let database = pool(&target.url).await;
    assert!(index_exists(&database, "orders_user_idx").await);
    let records = project.records("core", "core").await;
    let failed = records
        .iter()
        .find(|r| r.migration_id == "20250101000004_concurrent_index")
        .unwrap();
    assert_eq!(failed.status.as_str(), "failed");
    assert_eq!(failed.statements_done, 1);

    project.write_migration(
        "core",
        file,
        &broken.replace(
            "accounts_bad_idx ON core.accounts (missing)",
            "accounts_id_idx ON core.accounts (id)",
        ),
    );
    assert_success(&project.bfm(&["apply"]));
    assert!(index_exists(&database, "accounts_id_idx").await);
    let records = project.records("core", "core").await;
    assert_eq!(
        status_of(&records, "20250101000004_concurrent_index"),
        Some("applied")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn changed_checksum_of_an_applied_file_refuses_to_apply() {
    let target = fresh_database().await;
    let project = core_project(&target.url);
    assert_success(&project.bfm(&["apply", "--to", V1]));
    let edited = "CREATE SCHEMA IF NOT EXISTS core;\nCREATE TABLE core.users (id bigint PRIMARY KEY, email text, name text);\n";
    project.write_migration("core", &format!("{}.sql", id("users", V1)), edited);
    let output = project.bfm(&["apply"]);
    assert_failure(&output);
    let error = stderr(&output);
    assert!(
        error.contains(&id("users", V1)) && error.contains("must not change"),
        "{error}"
    );
    assert_eq!(tables(&pool(&target.url).await, "core").await, ["users"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_directory_that_does_not_match_bfm_sum_refuses_to_apply() {
    let target = fresh_database().await;
    let project = core_project(&target.url);
    let path = project
        .migrations_dir("core")
        .join(format!("{}.sql", id("orders", V2)));
    std::fs::write(&path, "CREATE TABLE core.orders (id int);\n").unwrap();
    let output = project.bfm(&["apply"]);
    assert_failure(&output);
    assert!(stderr(&output).contains("bfm.sum"), "{}", stderr(&output));
    assert!(project.records("core", "core").await.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn pending_file_older_than_the_newest_applied_refuses_unless_allowed() {
    let target = fresh_database().await;
    let project = core_project(&target.url);
    assert_success(&project.bfm(&["apply", "--tables", "users,accounts"]));
    let output = project.bfm(&["apply"]);
    assert_failure(&output);
    let error = stderr(&output);
    assert!(
        error.contains(&id("orders", V2)) && error.contains("--allow-out-of-order"),
        "{error}"
    );
    assert_success(&project.bfm(&["apply", "--allow-out-of-order"]));
    assert_eq!(
        tables(&pool(&target.url).await, "core").await,
        ["accounts", "orders", "users"]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn down_rolls_back_the_last_batch_then_steps_then_to_a_version() {
    let target = fresh_database().await;
    let project = core_project(&target.url);
    let database = pool(&target.url).await;
    assert_success(&project.bfm(&["apply", "--to", V1]));
    assert_success(&project.bfm(&["apply"]));

    let output = project.bfm(&["down"]);
    assert_success(&output);
    let text = stdout(&output);
    let accounts = text.find(&id("accounts", V3)).expect(&text);
    let orders = text.find(&id("orders", V2)).expect(&text);
    assert!(accounts < orders, "newest first: {text}");
    assert_eq!(tables(&database, "core").await, ["users"]);
    assert!(!index_exists(&database, "users_email_idx").await);
    let records = project.records("core", "core").await;
    assert_eq!(status_of(&records, &id("orders", V2)), Some("rolled_back"));
    assert_eq!(status_of(&records, &id("users", V1)), Some("applied"));

    assert_success(&project.bfm(&["apply"]));
    assert_success(&project.bfm(&["down", "--steps", "1"]));
    assert_eq!(tables(&database, "core").await, ["orders", "users"]);

    assert_success(&project.bfm(&["down", "--to", V1]));
    assert_eq!(tables(&database, "core").await, ["users"]);
    let records = project.records("core", "core").await;
    assert_eq!(status_of(&records, &id("users", V1)), Some("applied"));
    assert_eq!(
        status_of(&records, &id("accounts", V3)),
        Some("rolled_back")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn down_dry_run_rolls_nothing_back() {
    let target = fresh_database().await;
    let project = core_project(&target.url);
    assert_success(&project.bfm(&["apply"]));
    let output = project.bfm(&["down", "--steps", "2", "--dry-run"]);
    assert_success(&output);
    assert!(
        stdout(&output).contains("would roll back"),
        "{}",
        stdout(&output)
    );
    assert!(
        stdout(&output).contains("DROP TABLE core.accounts"),
        "{}",
        stdout(&output)
    );
    assert_eq!(
        tables(&pool(&target.url).await, "core").await,
        ["accounts", "orders", "users"]
    );
    let records = project.records("core", "core").await;
    assert!(records.iter().all(|r| r.status.as_str() == "applied"));
}

#[tokio::test(flavor = "multi_thread")]
async fn status_shows_every_migration_and_checksum_mismatches() {
    let target = fresh_database().await;
    let project = core_project(&target.url);
    assert_success(&project.bfm(&["apply", "--to", V2]));
    let before = project.bfm(&["status"]);
    assert_success(&before);
    let text = stdout(&before);
    assert!(
        text.contains("VERSION") && text.contains("EXECUTION TIME"),
        "{text}"
    );
    let line = |version: &str| {
        text.lines()
            .find(|l| l.starts_with(version))
            .unwrap_or_else(|| panic!("{version} missing: {text}"))
            .to_string()
    };
    assert!(
        line(V1).contains("applied") && line(V1).contains(" ms"),
        "{text}"
    );
    assert!(line(V2).contains("applied"), "{text}");
    assert!(line(V3).contains("pending"), "{text}");
    assert!(!text.contains("checksum mismatch"), "{text}");

    // An edit after the apply, recorded in bfm.sum: status names it; apply would refuse.
    project.write_migration("core", &format!("{}.sql", id("orders", V2)), "SELECT 1;\n");
    let after = stdout(&project.bfm(&["status"]));
    assert!(
        after.contains(&format!(
            "checksum mismatch: {} was applied as",
            id("orders", V2)
        )),
        "{after}"
    );
    assert!(after.contains("applied (changed)"), "{after}");
}

#[tokio::test(flavor = "multi_thread")]
async fn status_reports_drift_between_the_database_and_its_applied_migrations() {
    let target = fresh_database().await;
    let project = core_project(&target.url);
    assert_success(&project.bfm(&["apply"]));
    let clean = stdout(&project.bfm(&["status"]));
    assert!(clean.contains("no drift"), "{clean}");

    // Changes made by hand, outside any migration.
    sqlx::raw_sql(
        "ALTER TABLE core.users ADD COLUMN nickname text; DROP INDEX core.users_email_idx",
    )
    .execute(&pool(&target.url).await)
    .await
    .unwrap();
    let drifted = stdout(&project.bfm(&["status"]));
    assert!(
        drifted.contains("drift: the database needs to drop column core.users.nickname"),
        "{drifted}"
    );
    assert!(
        drifted.contains("drift: the database needs to create index users_email_idx on core.users"),
        "{drifted}"
    );
    assert!(!drifted.contains("no drift"), "{drifted}");
}

#[tokio::test(flavor = "multi_thread")]
async fn baseline_records_migrations_as_applied_without_running_them() {
    let target = fresh_database().await;
    let project = core_project(&target.url);
    let database = pool(&target.url).await;
    sqlx::raw_sql(
        "CREATE SCHEMA core; CREATE TABLE core.users (id bigint PRIMARY KEY, email text)",
    )
    .execute(&database)
    .await
    .unwrap();
    let output = project.bfm(&["baseline", "--to", V1]);
    assert_success(&output);
    assert!(stdout(&output).contains(&format!("marked applied {}", id("users", V1))));
    let records = project.records("core", "core").await;
    assert_eq!(records.len(), 1);
    assert_eq!(status_of(&records, &id("users", V1)), Some("applied"));
    assert_success(&project.bfm(&["apply"]));
    assert_eq!(
        tables(&database, "core").await,
        ["accounts", "orders", "users"]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn reset_and_refresh_refuse_without_force() {
    let target = fresh_database().await;
    let project = core_project(&target.url);
    let database = pool(&target.url).await;
    assert_success(&project.bfm(&["apply"]));
    for command in ["reset", "refresh"] {
        let output = project.bfm(&[command]);
        assert_failure(&output);
        assert!(stderr(&output).contains("--force"), "{}", stderr(&output));
    }
    assert_eq!(
        tables(&database, "core").await,
        ["accounts", "orders", "users"]
    );

    sqlx::raw_sql("INSERT INTO core.users VALUES (1, 'a@example.com')")
        .execute(&database)
        .await
        .unwrap();
    assert_success(&project.bfm(&["refresh", "--force"]));
    assert_eq!(
        tables(&database, "core").await,
        ["accounts", "orders", "users"]
    );
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM core.users")
        .fetch_one(&database)
        .await
        .unwrap();
    assert_eq!(rows, 0, "refresh recreated the table");

    assert_success(&project.bfm(&["reset", "--force"]));
    assert!(tables(&database, "core").await.is_empty());
    let records = project.records("core", "core").await;
    assert!(
        records.iter().all(|r| r.status.as_str() == "rolled_back"),
        "{records:?}"
    );
}

#[test]
fn a_missing_host_names_the_variable() {
    let project = Project::new(CORE_YAML, "core", "postgres://postgres@127.0.0.1:1/x");
    let mut command = project.command(&["apply"]);
    command.env_remove("CORE_DB_HOST");
    let output = command.output().unwrap();
    assert_failure(&output);
    let error = stderr(&output);
    assert_eq!(error.lines().count(), 1, "{error}");
    assert!(error.contains("CORE_DB_HOST"), "{error}");
}
