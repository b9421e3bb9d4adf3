//! `bfm import migrations` against a throwaway PostgreSQL: for each tool, a database on which
//! the tool ran the first two of three migrations (their SQL run as the tool would, its state
//! table written as the tool writes it), then `import --baseline` records exactly those two,
//! `apply` runs only the third, `status` shows it, and `down` runs the converted down SQL.

#[path = "support/project.rs"]
mod project;
mod support;

use project::{Project, assert_failure, assert_success, status_of, stderr, stdout, tables};
use sqlx::postgres::PgPool;
use std::path::{Path, PathBuf};
use support::postgres::fresh_database;

const BFM_YAML: &str = "\
state:
  backend: sqlite
  path: .bfm/state.db
connections:
  core:
    backend: postgresql
    schema: public
";

fn fixture(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/import/migrations")
        .join(relative)
}

fn read(relative: &str) -> String {
    std::fs::read_to_string(fixture(relative)).unwrap()
}

/// The lines of a one-file migration between its up marker and its down marker: what the tool
/// itself runs on the way up.
fn up_section(relative: &str, up: &str, down: &str) -> String {
    read(relative)
        .lines()
        .skip_while(|line| !line.starts_with(up))
        .skip(1)
        .take_while(|line| !line.starts_with(down))
        .collect::<Vec<_>>()
        .join("\n")
}

async fn execute(pool: &PgPool, sql: &str) {
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
        .execute(pool)
        .await
        .unwrap_or_else(|error| panic!("{error}\n{sql}"));
}

/// The ids of the migrations the import wrote, in version order.
fn written_ids(project: &Project) -> Vec<String> {
    let mut ids: Vec<String> = std::fs::read_dir(project.migrations_dir("core"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter_map(|name| name.strip_suffix(".sql").map(str::to_string))
        .collect();
    ids.sort();
    ids
}

async fn index_exists(pool: &PgPool) -> bool {
    sqlx::query_scalar::<_, i64>(
        "SELECT count(*) FROM pg_indexes WHERE indexname = 'posts_user_id_idx'",
    )
    .fetch_one(pool)
    .await
    .unwrap()
        == 1
}

/// Runs the whole adoption: the tool's first two migrations and state already in the database,
/// then import with baseline, apply, status and down twice.
async fn adopt(
    format: &str,
    dir: &str,
    ran_sql: &[String],
    state_sql: &str,
) -> (Project, String, String) {
    let database = fresh_database().await;
    let pool = PgPool::connect(&database.url).await.unwrap();
    for sql in ran_sql {
        execute(&pool, sql).await;
    }
    execute(&pool, state_sql).await;
    let project = Project::new(BFM_YAML, "core", &database.url);
    let dir = fixture(dir);
    let import = project.bfm(&[
        "import",
        "migrations",
        "--format",
        format,
        dir.to_str().unwrap(),
        "--baseline",
    ]);
    assert_success(&import);
    let warnings = stderr(&import);
    let ids = written_ids(&project);
    assert_eq!(ids.len(), 3, "{ids:?}");
    let out = stdout(&import);
    let marked: Vec<&str> = out
        .lines()
        .filter_map(|line| line.strip_prefix("marked applied "))
        .collect();
    assert_eq!(
        marked,
        [ids[0].as_str(), ids[1].as_str()],
        "{}",
        stdout(&import)
    );
    let records = project.records("core", "public").await;
    assert_eq!(status_of(&records, &ids[0]), Some("applied"));
    assert_eq!(status_of(&records, &ids[1]), Some("applied"));
    assert_eq!(status_of(&records, &ids[2]), None);

    let status = project.bfm(&["status"]);
    assert_success(&status);
    let rows: Vec<String> = stdout(&status)
        .lines()
        .filter(|line| ids.iter().any(|id| line.contains(id.as_str())))
        .map(str::to_string)
        .collect();
    assert_eq!(rows.len(), 3, "{}", stdout(&status));
    assert!(
        rows[0].contains("applied") && rows[1].contains("applied"),
        "{rows:?}"
    );
    assert!(rows[2].contains("pending"), "{rows:?}");

    assert!(!index_exists(&pool).await);
    let apply = project.bfm(&["apply"]);
    assert_success(&apply);
    assert!(
        stdout(&apply).contains(&format!("applied {}\n", ids[2])),
        "{}",
        stdout(&apply)
    );
    assert!(
        stdout(&apply).contains("applied 1 migration"),
        "{}",
        stdout(&apply)
    );
    assert!(index_exists(&pool).await);

    let down = project.bfm(&["down"]);
    assert_success(&down);
    assert!(!index_exists(&pool).await);
    let down = project.bfm(&["down"]);
    assert_success(&down);
    let left = tables(&pool, "public").await;
    assert!(
        !left.contains(&"users".to_string()) && !left.contains(&"posts".to_string()),
        "the converted down SQL should drop both tables: {left:?}"
    );
    pool.close().await;
    (project, warnings, out)
}

#[tokio::test]
async fn goose_directory_is_adopted_with_its_go_migration_reported() {
    let ran = [
        up_section(
            "goose/00001_create_users.sql",
            "-- +goose Up",
            "-- +goose Down",
        ),
        up_section(
            "goose/00002_create_posts.sql",
            "-- +goose Up",
            "-- +goose Down",
        ),
    ];
    // goose's table as it creates it on PostgreSQL; version 0 is its initial row, version 4 the
    // Go migration that also ran.
    let state = "\
CREATE TABLE goose_db_version (
    id serial NOT NULL,
    version_id bigint NOT NULL,
    is_applied boolean NOT NULL,
    tstamp timestamp NULL DEFAULT now(),
    PRIMARY KEY (id)
);
INSERT INTO goose_db_version (version_id, is_applied) VALUES (0, true), (1, true), (2, true), (4, true);
";
    let (project, warnings, out) = adopt("goose", "goose", &ran, state).await;
    assert!(
        out.contains(
            "wrote generated/postgresql/core/19700101000001_v00001_create_users.sql (from \
             00001_create_users.sql)\n"
        ) && out
            .contains("core/public: marked applied 2 migrations that goose had run (3 imported)\n"),
        "{out}"
    );
    assert!(
        warnings.contains("00004_seed.go: a Go migration"),
        "{warnings}"
    );
    assert!(
        warnings.contains("goose_db_version: version 4 ran, but no imported migration has it"),
        "{warnings}"
    );
    let ids = written_ids(&project);
    assert_eq!(
        ids,
        [
            "19700101000001_v00001_create_users",
            "19700101000002_v00002_create_posts",
            "19700101000003_v00003_index_posts_user"
        ]
    );
    let third = std::fs::read_to_string(
        project
            .migrations_dir("core")
            .join(format!("{}.sql", ids[2])),
    )
    .unwrap();
    assert!(third.contains("-- bfm:no-transaction"), "{third}");
}

#[tokio::test]
async fn golang_migrate_directory_is_adopted_from_its_current_version() {
    let ran = [
        read("golang-migrate/000001_create_users.up.sql"),
        read("golang-migrate/000002_create_posts.up.sql"),
    ];
    let state = "\
CREATE TABLE IF NOT EXISTS schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL);
INSERT INTO schema_migrations (version, dirty) VALUES (2, false);
";
    let (_, warnings, _) = adopt("golang-migrate", "golang-migrate", &ran, state).await;
    assert!(!warnings.contains("warning"), "{warnings}");
}

#[tokio::test]
async fn sql_migrate_directory_is_adopted_from_gorp_migrations() {
    let ran = [
        up_section(
            "sql-migrate/1_create_users.sql",
            "-- +migrate Up",
            "-- +migrate Down",
        ),
        up_section(
            "sql-migrate/2_create_posts.sql",
            "-- +migrate Up",
            "-- +migrate Down",
        ),
    ];
    let state = "\
CREATE TABLE gorp_migrations (id text NOT NULL PRIMARY KEY, applied_at timestamp with time zone NULL);
INSERT INTO gorp_migrations (id, applied_at) VALUES ('1_create_users.sql', now()), ('2_create_posts.sql', now());
";
    adopt("sql-migrate", "sql-migrate", &ran, state).await;
}

#[tokio::test]
async fn flyway_directory_is_adopted_from_its_schema_history() {
    let ran = [
        read("flyway/sql/V1__create_users.sql"),
        read("flyway/sql/V1.1__create_posts.sql"),
    ];
    // Flyway's history table on PostgreSQL, with the rows of two successful migrations.
    let state = "\
CREATE TABLE flyway_schema_history (
    installed_rank integer NOT NULL PRIMARY KEY,
    version varchar(50),
    description varchar(200) NOT NULL,
    type varchar(20) NOT NULL,
    script varchar(1000) NOT NULL,
    checksum integer,
    installed_by varchar(100) NOT NULL,
    installed_on timestamp NOT NULL DEFAULT now(),
    execution_time integer NOT NULL,
    success boolean NOT NULL
);
INSERT INTO flyway_schema_history
    (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success)
VALUES
    (1, '1', 'create users', 'SQL', 'V1__create_users.sql', 1234, 'postgres', 5, true),
    (2, '1.1', 'create posts', 'SQL', 'V1.1__create_posts.sql', 5678, 'postgres', 7, true);
";
    let (project, warnings, _) = adopt("flyway", "flyway", &ran, state).await;
    assert!(
        warnings.contains("R__post_summary.sql: a repeatable migration"),
        "{warnings}"
    );
    assert!(
        warnings.contains("afterMigrate.sql: a Flyway callback"),
        "{warnings}"
    );
    assert_eq!(
        written_ids(&project),
        [
            "19700101000001_v1_create_users",
            "19700101000002_v1_1_create_posts",
            "19700101000003_v2_index_posts_user"
        ]
    );
}

#[tokio::test]
async fn dbmate_directory_keeps_its_timestamp_versions() {
    let dir = "dbmate/db/migrations";
    let ran = [
        up_section(
            &format!("{dir}/20240101120000_create_users.sql"),
            "-- migrate:up",
            "-- migrate:down",
        ),
        up_section(
            &format!("{dir}/20240102120000_create_posts.sql"),
            "-- migrate:up",
            "-- migrate:down",
        ),
    ];
    let state = "\
CREATE TABLE IF NOT EXISTS schema_migrations (version varchar(128) PRIMARY KEY);
INSERT INTO schema_migrations (version) VALUES ('20240101120000'), ('20240102120000');
";
    let (project, _, _) = adopt("dbmate", dir, &ran, state).await;
    assert_eq!(
        written_ids(&project),
        [
            "20240101120000_create_users",
            "20240102120000_create_posts",
            "20240103120000_index_posts_user"
        ]
    );
}

#[tokio::test]
async fn a_dirty_golang_migrate_state_is_refused_before_anything_is_written() {
    let database = fresh_database().await;
    let pool = PgPool::connect(&database.url).await.unwrap();
    execute(
        &pool,
        "CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL);
         INSERT INTO schema_migrations VALUES (2, true);",
    )
    .await;
    pool.close().await;
    let project = Project::new(BFM_YAML, "core", &database.url);
    let dir = fixture("golang-migrate");
    let import = project.bfm(&[
        "import",
        "migrations",
        "--format",
        "golang-migrate",
        dir.to_str().unwrap(),
        "--baseline",
    ]);
    assert_failure(&import);
    assert!(
        stderr(&import).contains("version 2 is dirty"),
        "{}",
        stderr(&import)
    );
    assert!(!project.migrations_dir("core").exists());
}

#[test]
fn a_second_import_needs_force_and_the_files_verify_against_bfm_sum() {
    let project = Project::new(BFM_YAML, "core", "postgres://postgres@127.0.0.1:1/unused");
    let dir = fixture("sql-migrate");
    let args = [
        "import",
        "migrations",
        "--format",
        "sql-migrate",
        dir.to_str().unwrap(),
    ];
    assert_success(&project.bfm(&args));
    bfm::migrations::sum::verify(&project.migrations_dir("core")).unwrap();
    let again = project.bfm(&args);
    assert_failure(&again);
    assert!(stderr(&again).contains("--force"), "{}", stderr(&again));
    let mut forced = args.to_vec();
    forced.push("--force");
    assert_success(&project.bfm(&forced));
    let listed = bfm::migrations::list(&project.migrations_dir("core")).unwrap();
    assert_eq!(listed.len(), 3);
    let down = listed[2].read_down().unwrap();
    assert_eq!(
        down.statements,
        ["DROP INDEX CONCURRENTLY posts_user_id_idx"]
    );
    assert!(down.no_transaction);
}

#[test]
fn sql_bfm_cannot_model_is_imported_with_a_warning_about_status() {
    // An aggregate: bfm models functions, procedures and triggers, but not aggregates.
    let project = Project::new(BFM_YAML, "core", "postgres://postgres@127.0.0.1:1/unused");
    let old = tempfile::tempdir().unwrap();
    std::fs::write(
        old.path().join("00001_touch.sql"),
        "-- +goose Up\n-- +goose StatementBegin\nCREATE AGGREGATE touch (integer) (\n    SFUNC = int4pl,\n    STYPE = integer\n);\n-- +goose StatementEnd\n-- +goose Down\nDROP AGGREGATE touch (integer);\n",
    )
    .unwrap();
    let import = project.bfm(&[
        "import",
        "migrations",
        "--format",
        "goose",
        old.path().to_str().unwrap(),
    ]);
    assert_success(&import);
    let warnings = stderr(&import);
    assert!(
        warnings.contains("`bfm status` and `bfm plan --offline` will stop at")
            && warnings.contains("19700101000001_v00001_touch.sql:4:"),
        "{warnings}"
    );
}
