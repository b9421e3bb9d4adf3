//! `bfm import gorm` end to end: the binary reads the fixture models of tests/import/gorm/,
//! writes YAML that loads back to the importer's model, refuses to overwrite without --force,
//! and the migrations `bfm generate` writes for it build, on a real PostgreSQL, a database that
//! inspects equal to the imported schema.

mod support;

use bfm::backend::SchemaContext;
use bfm::backend::postgres::Postgres;
use bfm::backend::postgres::inspect::inspect;
use bfm::model::Model;
use bfm::source::{LoadOptions, load_path};
use sqlx::postgres::PgPool;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use support::cases::model_difference;
use support::postgres::fresh_database;

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

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/import/gorm/shop")
}

fn bfm(dir: &Path, args: &[&str], env: &[(&str, String)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_bfm"));
    command.args(args).current_dir(dir).env("NO_COLOR", "1");
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().expect("run bfm")
}

fn expect_exit(output: &Output, code: i32) -> (String, String) {
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(
        output.status.code(),
        Some(code),
        "stdout:\n{stdout}\nstderr:\n{stderr}"
    );
    (stdout, stderr)
}

fn loaded(dir: &Path) -> Model {
    let context = SchemaContext {
        default_schema: "core".into(),
    };
    let options = LoadOptions {
        dialect: &Postgres,
        context: &context,
    };
    load_path(dir, options).expect("the written files load")
}

/// The importer's own model of the fixtures, read as the binary reads them.
fn imported() -> Model {
    let mut files = Vec::new();
    let mut paths: Vec<PathBuf> = std::fs::read_dir(fixtures())
        .expect("fixtures")
        .map(|e| e.expect("entry").path())
        .collect();
    paths.sort();
    for path in paths {
        let text = std::fs::read_to_string(&path).expect("read fixture");
        files.push((path, text));
    }
    bfm::import::gorm::import(&files, "core").model
}

/// `CORE_DB_*` for a database URL `postgres://user@host:port/name`.
fn connection_env(url: &str) -> Vec<(&'static str, String)> {
    let rest = url.split_once('@').map(|(_, r)| r).expect("user in URL");
    let (host_port, name) = rest.split_once('/').expect("database in URL");
    let (host, port) = host_port.split_once(':').expect("port in URL");
    vec![
        ("CORE_DB_HOST", host.to_string()),
        ("CORE_DB_PORT", port.to_string()),
        ("CORE_DB_USERNAME", "postgres".to_string()),
        ("CORE_DB_NAME", name.to_string()),
    ]
}

#[tokio::test]
async fn imported_models_generate_migrations_that_build_the_same_schema() {
    let project = tempfile::tempdir().expect("temporary directory");
    let root = project.path();
    std::fs::write(root.join("bfm.yaml"), BFM_YAML).expect("write bfm.yaml");
    let source = fixtures().display().to_string();

    let output = bfm(
        root,
        &["import", "gorm", &source, "--connection", "core"],
        &[],
    );
    let (stdout, stderr) = expect_exit(&output, 0);
    assert!(stdout.contains("wrote schema/core/users.yaml"), "{stdout}");
    assert!(
        stdout.contains("wrote schema/core/user_languages.yaml"),
        "{stdout}"
    );
    assert!(
        stderr.contains("legacy.go:12:2: field Price has type decimal.Decimal"),
        "{stderr}"
    );
    assert!(
        stderr.contains("imported 11 tables from 3 Go files"),
        "{stderr}"
    );
    let users = std::fs::read_to_string(root.join("schema/core/users.yaml")).expect("users.yaml");
    assert!(
        users.starts_with("# Written by `bfm import gorm`."),
        "{users}"
    );

    let written = loaded(&root.join("schema/core"));
    if let Some(difference) = model_difference("written YAML", &written, &imported()) {
        panic!("{difference}");
    }

    // A second import would overwrite: refused without --force, nothing touched.
    std::fs::write(root.join("schema/core/users.yaml"), "# edited\n").expect("edit");
    let output = bfm(root, &["import", "gorm", &source], &[]);
    let (_, stderr) = expect_exit(&output, 1);
    assert!(stderr.contains("use --force"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(root.join("schema/core/users.yaml")).expect("read"),
        "# edited\n"
    );
    let output = bfm(root, &["import", "gorm", &source, "--force"], &[]);
    expect_exit(&output, 0);
    assert_eq!(loaded(&root.join("schema/core")), written);

    let output = bfm(
        root,
        &["generate", "--name", "init", "--version", "20250101000000"],
        &[],
    );
    expect_exit(&output, 0);

    let database = fresh_database().await;
    let env = connection_env(&database.url);
    let output = bfm(root, &["apply", "--connection", "core"], &env);
    expect_exit(&output, 0);
    let output = bfm(root, &["check", "--connection", "core"], &env);
    let (stdout, _) = expect_exit(&output, 0);
    assert!(stdout.contains("matches the desired state"), "{stdout}");

    let pool = PgPool::connect(&database.url).await.expect("connect");
    let live = inspect(&pool, &["core".to_string()], &Postgres)
        .await
        .expect("inspect");
    pool.close().await;
    if let Some(difference) = model_difference("live database", &live, &written) {
        panic!("{difference}");
    }
}

#[tokio::test]
async fn a_directory_without_models_is_an_error() {
    let project = tempfile::tempdir().expect("temporary directory");
    let root = project.path();
    std::fs::write(root.join("bfm.yaml"), BFM_YAML).expect("write bfm.yaml");
    std::fs::create_dir_all(root.join("go")).expect("go dir");
    std::fs::write(
        root.join("go/main.go"),
        "package main\n\ntype Config struct {\n\tPort int `json:\"port\"`\n}\n",
    )
    .expect("write go");
    let output = bfm(root, &["import", "gorm", "go"], &[]);
    let (_, stderr) = expect_exit(&output, 1);
    assert!(
        stderr.contains("no GORM model found in go (1 Go file read)"),
        "{stderr}"
    );
    assert!(!root.join("schema").exists());
}
