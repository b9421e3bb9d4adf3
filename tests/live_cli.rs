//! The binary against a throwaway PostgreSQL: `plan` with a configured host, `diff` with
//! database URLs, `inspect` in both formats and `check`, matching and not.

mod support;

use bfm::backend::SchemaContext;
use bfm::backend::postgres::Postgres;
use bfm::backend::postgres::inspect::inspect;
use bfm::source::{LoadOptions, load_path};
use sqlx::postgres::PgPool;
use std::path::Path;
use std::process::{Command, Output};
use support::postgres::{TestDatabase, fresh_database};

const BFM_YAML: &str = "\
schema_dir: schema
generated_dir: generated
state:
  backend: sqlite
  path: .bfm/state.db
connections:
  core:
    backend: postgresql
    schema: core
";

/// The desired state of the test project's `core` connection.
const DESIRED: &str = "\
CREATE TABLE core.users (
    id bigint PRIMARY KEY,
    email varchar(200) NOT NULL CHECK (email LIKE '%@%'),
    status text NOT NULL DEFAULT 'active'
);
CREATE INDEX users_email_idx ON core.users (lower(email));
";

/// The database before: the table without `status` and without the index.
const OLDER: &str = "\
CREATE SCHEMA core;
CREATE TABLE core.users (
    id bigint PRIMARY KEY,
    email varchar(200) NOT NULL CHECK (email LIKE '%@%')
);
";

/// A password the server ignores (trust authentication) and no output may show.
const PASSWORD: &str = "not-to-be-printed";

struct Project {
    dir: tempfile::TempDir,
    database: TestDatabase,
}

impl Project {
    /// A project whose `core` connection points at a fresh database holding `sql`.
    async fn with_database(sql: &str) -> Project {
        let database = fresh_database().await;
        let pool = PgPool::connect(&database.url).await.expect("connect");
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
            .execute(&pool)
            .await
            .expect("create the database state");
        pool.close().await;
        let dir = tempfile::tempdir().expect("temporary directory");
        std::fs::write(dir.path().join("bfm.yaml"), BFM_YAML).expect("write bfm.yaml");
        std::fs::create_dir_all(dir.path().join("schema/core")).expect("schema dir");
        std::fs::write(dir.path().join("schema/core/users.sql"), DESIRED).expect("write schema");
        Project { dir, database }
    }

    /// `127.0.0.1`, the port and the database name of the test database.
    fn address(&self) -> (String, String, String) {
        let rest = self
            .database
            .url
            .split_once('@')
            .map(|(_, rest)| rest)
            .expect("the URL names a user");
        let (host_port, name) = rest.split_once('/').expect("the URL names a database");
        let (host, port) = host_port.split_once(':').expect("the URL names a port");
        (host.into(), port.into(), name.into())
    }

    fn bfm(&self, args: &[&str]) -> Output {
        let (host, port, name) = self.address();
        Command::new(env!("CARGO_BIN_EXE_bfm"))
            .args(args)
            .current_dir(self.dir.path())
            .env("CORE_DB_HOST", host)
            .env("CORE_DB_PORT", port)
            .env("CORE_DB_USERNAME", "postgres")
            .env("CORE_DB_PASSWORD", PASSWORD)
            .env("CORE_DB_NAME", name)
            .env("NO_COLOR", "1")
            .output()
            .expect("run bfm")
    }

    fn shown_url(&self) -> String {
        let (host, port, name) = self.address();
        format!("postgres://{host}:{port}/{name}")
    }
}

fn text(output: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn assert_exit(output: &Output, code: i32) {
    let (stdout, stderr) = text(output);
    assert_eq!(
        output.status.code(),
        Some(code),
        "stdout:\n{stdout}\nstderr:\n{stderr}"
    );
    assert!(
        !stdout.contains(PASSWORD) && !stderr.contains(PASSWORD),
        "the password was printed"
    );
}

#[tokio::test]
async fn plan_compares_with_the_configured_live_database() {
    let project = Project::with_database(OLDER).await;
    let output = project.bfm(&["plan", "--format", "sql"]);
    assert_exit(&output, 0);
    let (stdout, stderr) = text(&output);
    assert!(
        stderr.contains(&format!(
            "compared schema/core with the live database {} (schema core)",
            project.shown_url()
        )),
        "{stderr}"
    );
    assert!(stdout.contains("ADD COLUMN status text"), "{stdout}");
    assert!(stdout.contains("CREATE INDEX users_email_idx"), "{stdout}");
    assert!(!stdout.contains("CREATE TABLE"), "{stdout}");
}

#[tokio::test]
async fn plan_with_offline_uses_the_replay() {
    let project = Project::with_database(OLDER).await;
    let output = project.bfm(&["plan", "--offline", "--format", "sql"]);
    assert_exit(&output, 0);
    let (stdout, stderr) = text(&output);
    assert!(stderr.contains("with a replay of"), "{stderr}");
    assert!(stdout.contains("CREATE TABLE core.users"), "{stdout}");
}

#[tokio::test]
async fn plan_against_an_unreachable_database_is_an_error() {
    let project = Project::with_database(OLDER).await;
    let output = Command::new(env!("CARGO_BIN_EXE_bfm"))
        .args(["plan"])
        .current_dir(project.dir.path())
        .env("CORE_DB_HOST", "127.0.0.1")
        .env("CORE_DB_PORT", "1")
        .env("CORE_DB_PASSWORD", PASSWORD)
        .output()
        .expect("run bfm");
    assert_exit(&output, 1);
    let (_, stderr) = text(&output);
    assert!(
        stderr.contains("cannot read the database postgres://127.0.0.1:1/"),
        "{stderr}"
    );
}

#[tokio::test]
async fn diff_reads_database_urls_limited_to_a_schema() {
    let project = Project::with_database(OLDER).await;
    let from = format!("{}?schema=core", project.database.url);
    let output = project.bfm(&["diff", "--from", &from, "--to", "schema/core"]);
    assert_exit(&output, 0);
    let (stdout, _) = text(&output);
    assert!(stdout.contains("ADD COLUMN status text"), "{stdout}");
    assert!(!stdout.contains("CREATE TABLE"), "{stdout}");

    let url = project.database.url.clone();
    let output = project.bfm(&["diff", "--from", "empty", "--to", &url, "--schema", "core"]);
    assert_exit(&output, 0);
    let (stdout, _) = text(&output);
    assert!(stdout.contains("CREATE TABLE core.users"), "{stdout}");
}

/// A function and a trigger: objects the YAML format has no form for.
const ROUTINES: &str = "\
CREATE FUNCTION core.lower_email() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.email := lower(NEW.email);
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION core.lower_email() IS 'keeps emails comparable';
CREATE TRIGGER users_lower_email BEFORE INSERT OR UPDATE ON core.users
    FOR EACH ROW EXECUTE FUNCTION core.lower_email();
";

/// `bfm inspect --format FORMAT --out DIR` writes files that load back to the inspected model,
/// functions and triggers included (in YAML output they go to `routines.sql`).
async fn inspect_writes_loadable_files(format: &str) {
    let project =
        Project::with_database(&format!("CREATE SCHEMA core;\n{DESIRED}{ROUTINES}")).await;
    std::fs::write(
        project.dir.path().join("schema/core/users_routines.sql"),
        ROUTINES,
    )
    .expect("write routines");
    let out = project.dir.path().join("adopted");
    let out_text = out.display().to_string();
    let output = project.bfm(&["inspect", "--format", format, "--out", &out_text]);
    assert_exit(&output, 0);
    let (stdout, _) = text(&output);
    assert!(stdout.contains("wrote "), "{stdout}");

    let pool = PgPool::connect(&project.database.url)
        .await
        .expect("connect");
    let live = inspect(&pool, &["core".to_string()], &Postgres)
        .await
        .expect("inspect");
    pool.close().await;
    assert_eq!(live.schemas["core"].functions.len(), 1);
    assert_eq!(live.schemas["core"].triggers.len(), 1);
    assert_eq!(loaded(&out, "core"), live);
    assert_eq!(
        loaded(&project.dir.path().join("schema/core"), "core"),
        live
    );
}

fn loaded(dir: &Path, schema: &str) -> bfm::model::Model {
    let context = SchemaContext {
        default_schema: schema.to_string(),
    };
    let options = LoadOptions {
        dialect: &Postgres,
        context: &context,
    };
    load_path(dir, options).expect("the written files load")
}

#[tokio::test]
async fn inspect_writes_yaml_that_loads_back_to_the_database() {
    inspect_writes_loadable_files("yaml").await;
}

#[tokio::test]
async fn inspect_writes_sql_that_loads_back_to_the_database() {
    inspect_writes_loadable_files("sql").await;
}

#[tokio::test]
async fn inspect_of_a_url_prints_the_files() {
    let project = Project::with_database(&format!("CREATE SCHEMA core;\n{DESIRED}")).await;
    let url = project.database.url.clone();
    let output = project.bfm(&["inspect", "--url", &url, "--schema", "core"]);
    assert_exit(&output, 0);
    let (stdout, _) = text(&output);
    assert!(stdout.contains("# file: users.yaml"), "{stdout}");
    assert!(stdout.contains("name: users_email_idx"), "{stdout}");
}

#[tokio::test]
async fn check_passes_when_the_database_matches() {
    let project = Project::with_database(&format!("CREATE SCHEMA core;\n{DESIRED}")).await;
    let output = project.bfm(&["check"]);
    assert_exit(&output, 0);
    let (stdout, _) = text(&output);
    assert!(stdout.contains("matches the desired state"), "{stdout}");
}

#[tokio::test]
async fn check_fails_listing_what_differs() {
    let project = Project::with_database(OLDER).await;
    let output = project.bfm(&["check", "--connection", "core"]);
    assert_exit(&output, 1);
    let (_, stderr) = text(&output);
    assert!(stderr.contains("2 to change"), "{stderr}");
    assert!(stderr.contains("add column core.users.status"), "{stderr}");
    assert!(stderr.contains("users_email_idx"), "{stderr}");
}
