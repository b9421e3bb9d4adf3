//! The `bfm` binary on temporary projects: plan, generate, create and diff as a user runs them.

use std::path::PathBuf;
use std::process::{Command, Output};

const VERSION: &str = "20250101120000";

const BFM_YAML: &str = "\
connections:
  core:
    backend: postgresql
    schema: core
";

const CORE_TABLES: &str = "\
schema: core
tables:
  - name: organizations
    columns:
      - name: id
        type: bigint
        primary_key: true
      - name: slug
        type: varchar(63)
        nullable: false
        unique: true
  - name: users
    columns:
      - name: id
        type: bigint
        primary_key: true
      - name: organization_id
        type: bigint
        nullable: false
        references: organizations.id
      - name: email
        type: text
        nullable: false
      - name: nickname
        type: text
    indexes:
      - columns: [email]
";

struct Project {
    dir: tempfile::TempDir,
}

impl Project {
    fn new() -> Project {
        let project = Project {
            dir: tempfile::tempdir().unwrap(),
        };
        project.write("bfm.yaml", BFM_YAML);
        project.write("schema/core/tables.yaml", CORE_TABLES);
        project
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    fn write(&self, relative: &str, text: &str) {
        let path = self.path(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    fn read(&self, relative: &str) -> String {
        std::fs::read_to_string(self.path(relative)).unwrap()
    }

    fn bfm(&self, args: &[&str]) -> Output {
        self.bfm_with_env(args, &[])
    }

    fn bfm_with_env(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut command = Command::new(env!("CARGO_BIN_EXE_bfm"));
        command
            .args(args)
            .current_dir(self.dir.path())
            .env_remove("BFM_VERSION")
            .env_remove("NO_COLOR")
            .env_remove("CLICOLOR_FORCE");
        for (name, value) in env {
            command.env(name, value);
        }
        command.output().unwrap()
    }

    /// `bfm generate --name NAME --version VERSION`, which must succeed.
    fn generate(&self, name: &str) -> Output {
        let output = self.bfm(&["generate", "--name", name, "--version", VERSION]);
        assert_success(&output);
        output
    }

    /// The file names of `generated/postgresql/<connection>/`, sorted.
    fn migration_files(&self, connection: &str) -> Vec<String> {
        let dir = self.path(&format!("generated/postgresql/{connection}"));
        let Ok(entries) = std::fs::read_dir(dir) else {
            return Vec::new();
        };
        let mut names: Vec<String> = entries
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn assert_success(output: &Output) {
    assert_eq!(
        output.status.code(),
        Some(0),
        "stdout:\n{}\nstderr:\n{}",
        stdout(output),
        stderr(output)
    );
}

fn assert_exit(output: &Output, code: i32) {
    assert_eq!(
        output.status.code(),
        Some(code),
        "stdout:\n{}\nstderr:\n{}",
        stdout(output),
        stderr(output)
    );
}

/// The version of a generated up file named `{schema}_{table}_{version}_{name}.sql`.
fn version_of(file: &str, subject: &str) -> Option<u64> {
    let rest = file.strip_prefix(subject)?.strip_prefix('_')?;
    rest.get(..14)?.parse().ok()
}

fn up_files(files: &[String]) -> Vec<&String> {
    files
        .iter()
        .filter(|f| f.ends_with(".sql") && !f.ends_with("_down.sql"))
        .collect()
}

#[test]
fn plan_on_a_new_project_compares_with_an_empty_replay() {
    let project = Project::new();
    let output = project.bfm(&["plan"]);
    assert_success(&output);
    let text = stdout(&output);
    assert!(
        text.contains(
            "compared schema/core with a replay of generated/postgresql/core (0 migrations)"
        ),
        "{text}"
    );
    assert!(
        text.contains("core.users") && text.contains("core.organizations"),
        "{text}"
    );
    assert!(text.contains("+ "), "{text}");
    assert!(
        !text.contains('\u{1b}'),
        "colour written to a pipe: {text:?}"
    );
}

#[test]
fn plan_exit_code_reports_pending_changes_until_they_are_generated() {
    let project = Project::new();
    assert_exit(&project.bfm(&["plan", "--exit-code"]), 2);
    project.generate("init");
    let output = project.bfm(&["plan", "--exit-code"]);
    assert_exit(&output, 0);
    let text = stdout(&output);
    assert!(text.contains("no changes"), "{text}");
    assert!(text.contains("generated/postgresql/core ("), "{text}");
    assert!(!text.contains("(0 migrations)"), "{text}");
}

#[test]
fn generate_writes_one_pair_per_table_in_dependency_order() {
    let project = Project::new();
    project.generate("init");
    let files = project.migration_files("core");
    assert!(files.contains(&"bfm.sum".to_string()), "{files:?}");
    let ups = up_files(&files);
    for up in &ups {
        let down = up.replace(".sql", "_down.sql");
        assert!(files.contains(&down), "{up} has no down file: {files:?}");
        assert!(up.ends_with("_init.sql"), "{up}");
    }
    let organizations = ups
        .iter()
        .find_map(|f| version_of(f, "core_organizations"))
        .unwrap_or_else(|| panic!("no organizations file: {files:?}"));
    let users = ups
        .iter()
        .find_map(|f| version_of(f, "core_users"))
        .unwrap_or_else(|| panic!("no users file: {files:?}"));
    assert!(
        organizations < users,
        "users (with its foreign key) must come after organizations"
    );
    let mut versions: Vec<&str> = ups
        .iter()
        .map(|f| &f[f.len() - 14 - "_init.sql".len()..][..14])
        .collect();
    versions.sort();
    versions.dedup();
    assert_eq!(
        versions.len(),
        ups.len(),
        "each file has its own version: {files:?}"
    );
    assert_eq!(versions[0], VERSION);

    let users_file = ups.iter().find(|f| f.starts_with("core_users_")).unwrap();
    let up = project.read(&format!("generated/postgresql/core/{users_file}"));
    assert!(up.starts_with("-- change: "), "{up}");
    assert!(
        up.to_lowercase().contains("create table core.users"),
        "{up}"
    );
    assert!(up.ends_with(";\n"), "{up}");
    let down = project.read(&format!(
        "generated/postgresql/core/{}",
        users_file.replace(".sql", "_down.sql")
    ));
    assert!(
        down.to_lowercase().contains("drop table core.users"),
        "{down}"
    );
}

#[test]
fn generate_again_right_after_writes_nothing_and_says_so() {
    let project = Project::new();
    project.generate("init");
    let before = project.migration_files("core");
    let sum = project.read("generated/postgresql/core/bfm.sum");
    let output = project.bfm(&["generate", "--name", "again"]);
    assert_success(&output);
    assert!(
        stdout(&output).contains("nothing to generate"),
        "{}",
        stdout(&output)
    );
    assert_eq!(project.migration_files("core"), before);
    assert_eq!(project.read("generated/postgresql/core/bfm.sum"), sum);
}

#[test]
fn generate_is_byte_identical_for_the_same_inputs() {
    let first = Project::new();
    let second = Project::new();
    first.generate("init");
    second.generate("init");
    let files = first.migration_files("core");
    assert_eq!(files, second.migration_files("core"));
    for file in files {
        let path = format!("generated/postgresql/core/{file}");
        assert_eq!(first.read(&path), second.read(&path), "{file} differs");
    }
}

#[test]
fn generate_refuses_destructive_changes_unless_allowed() {
    let project = Project::new();
    project.generate("init");
    project.write(
        "schema/core/tables.yaml",
        &CORE_TABLES.replace("      - name: nickname\n        type: text\n", ""),
    );
    let before = project.migration_files("core");
    let output = project.bfm(&["generate", "--name", "drop_nickname"]);
    assert_exit(&output, 1);
    assert!(
        stderr(&output).contains("--allow-destructive"),
        "{}",
        stderr(&output)
    );
    assert!(stderr(&output).contains("core"), "{}", stderr(&output));
    assert_eq!(
        project.migration_files("core"),
        before,
        "nothing may be written"
    );

    let plan = stdout(&project.bfm(&["plan"]));
    assert!(plan.contains("[destructive]"), "{plan}");

    let output = project.bfm(&["generate", "--name", "drop_nickname", "--allow-destructive"]);
    assert_success(&output);
    let after = project.migration_files("core");
    assert_eq!(after.len(), before.len() + 2, "{after:?}");
    assert!(
        after
            .iter()
            .any(|f| f.starts_with("core_users_") && f.ends_with("_drop_nickname.sql"))
    );
}

#[test]
fn generate_refuses_a_not_null_column_without_default_unless_destructive_is_allowed() {
    let project = Project::new();
    project.generate("init");
    project.write(
        "schema/core/tables.yaml",
        &CORE_TABLES.replace(
            "      - name: nickname\n",
            "      - name: plan\n        type: text\n        nullable: false\n      - name: nickname\n",
        ),
    );
    let before = project.migration_files("core");
    let output = project.bfm(&["generate", "--name", "add_plan"]);
    assert_exit(&output, 1);
    assert!(stderr(&output).contains("refused"), "{}", stderr(&output));
    assert_eq!(project.migration_files("core"), before);

    // The explicit permission lets it through: on a table with rows the migration then fails
    // inside its transaction instead of leaving a half-made column.
    let output = project.bfm(&["generate", "--name", "add_plan", "--allow-destructive"]);
    assert_success(&output);
    let written: Vec<String> = project
        .migration_files("core")
        .into_iter()
        .filter(|f| !before.contains(f) && f.ends_with("_add_plan.sql"))
        .collect();
    assert_eq!(written.len(), 1, "{written:?}");
    let text = project.read(&format!("generated/postgresql/core/{}", written[0]));
    assert!(text.contains("ADD COLUMN plan text NOT NULL"), "{text}");
}

#[test]
fn create_writes_a_hand_written_file_after_the_newest_version() {
    let project = Project::new();
    project.generate("init");
    let newest = up_files(&project.migration_files("core"))
        .iter()
        .filter_map(|f| version_of(f, "core_organizations").or(version_of(f, "core_users")))
        .max()
        .unwrap();
    let output = project.bfm(&["create", "--name", "Backfill Users", "--version", VERSION]);
    assert_success(&output);
    let created: Vec<String> = project
        .migration_files("core")
        .into_iter()
        .filter(|f| f.ends_with("_backfill_users.sql"))
        .collect();
    assert_eq!(created.len(), 1, "{created:?}");
    let version: u64 = created[0][..14].parse().unwrap();
    assert!(version > newest, "{version} must come after {newest}");
    let text = project.read(&format!("generated/postgresql/core/{}", created[0]));
    assert!(
        text.contains("-- +migrate Up") && text.contains("-- +migrate Down"),
        "{text}"
    );
    assert_exit(&project.bfm(&["plan", "--exit-code"]), 0);
}

#[test]
fn edited_hand_written_migration_is_caught_then_rehashed_and_replayed() {
    let project = Project::new();
    project.generate("init");
    assert_success(&project.bfm(&["create", "--name", "add_bio"]));
    let file = project
        .migration_files("core")
        .into_iter()
        .find(|f| f.ends_with("_add_bio.sql"))
        .unwrap();
    project.write(
        &format!("generated/postgresql/core/{file}"),
        "-- +migrate Up\nALTER TABLE core.users ADD COLUMN bio text;\n\
         -- +migrate Down\nALTER TABLE core.users DROP COLUMN bio;\n",
    );
    let output = project.bfm(&["plan"]);
    assert_exit(&output, 1);
    assert!(stderr(&output).contains(&file), "{}", stderr(&output));

    assert_success(&project.bfm(&["hash"]));
    let output = project.bfm(&["plan", "--exit-code"]);
    assert_exit(&output, 2);
    let text = stdout(&output);
    assert!(
        text.contains("bio") && text.contains("[destructive]"),
        "{text}"
    );
}

#[test]
fn tampered_migration_makes_plan_fail_naming_the_file() {
    let project = Project::new();
    project.generate("init");
    let up = up_files(&project.migration_files("core"))[0].clone();
    let path = format!("generated/postgresql/core/{up}");
    let text = project.read(&path);
    project.write(&path, &format!("{text}-- edited\n"));
    let output = project.bfm(&["plan"]);
    assert_exit(&output, 1);
    assert!(stderr(&output).contains(&up), "{}", stderr(&output));
}

#[test]
fn plan_json_is_a_document_with_files_changes_and_sql() {
    let project = Project::new();
    let output = project.bfm(&["plan", "--format", "json"]);
    assert_success(&output);
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(value["pending"], true);
    let connection = &value["connections"][0];
    assert_eq!(connection["connection"], "core");
    let files = connection["files"].as_array().unwrap();
    assert!(files.iter().any(|f| f["object"] == "core.users"), "{value}");
    let change = &files[0]["changes"][0];
    assert!(
        change["action"].is_string() && change["sql"].is_array(),
        "{value}"
    );
}

#[test]
fn plan_sql_prints_only_statements() {
    let project = Project::new();
    let output = project.bfm(&["plan", "--format", "sql"]);
    assert_success(&output);
    let text = stdout(&output);
    assert!(
        text.to_lowercase().contains("create table core.users"),
        "{text}"
    );
    assert!(text.ends_with(";\n"), "{text}");
    assert!(!text.contains("compared"), "{text}");
    assert!(
        stderr(&output).contains("compared schema/core"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn plan_markdown_has_a_heading_and_sql_block() {
    let project = Project::new();
    let output = project.bfm(&["plan", "--format", "markdown"]);
    assert_success(&output);
    let text = stdout(&output);
    assert!(text.starts_with("### core\n"), "{text}");
    assert!(text.contains("```sql\n"), "{text}");
}

#[test]
fn diff_from_empty_prints_create_sql_and_down_prints_drop_sql() {
    let project = Project::new();
    project.write(
        "a.sql",
        "CREATE TABLE accounts (id integer PRIMARY KEY, email text NOT NULL);\n",
    );
    let output = project.bfm(&[
        "diff", "--from", "empty", "--to", "a.sql", "--schema", "app",
    ]);
    assert_success(&output);
    let text = stdout(&output);
    assert!(
        text.to_lowercase().contains("create table app.accounts"),
        "{text}"
    );
    assert!(text.ends_with(";\n") && !text.contains("--"), "{text}");

    let output = project.bfm(&[
        "diff", "--from", "empty", "--to", "a.sql", "--schema", "app", "--down",
    ]);
    assert_success(&output);
    assert!(
        stdout(&output)
            .to_lowercase()
            .contains("drop table app.accounts"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn diff_between_two_files_prints_only_the_difference() {
    let project = Project::new();
    project.write("v1.sql", "CREATE TABLE t (id integer PRIMARY KEY);\n");
    project.write(
        "v2.sql",
        "CREATE TABLE t (id integer PRIMARY KEY, note text);\n",
    );
    let output = project.bfm(&["diff", "--from", "v1.sql", "--to", "v2.sql"]);
    assert_success(&output);
    let text = stdout(&output).to_lowercase();
    assert!(
        text.contains("add column") && text.contains("note"),
        "{text}"
    );
    assert!(!text.contains("create table"), "{text}");
}

#[test]
fn diff_of_the_generated_directory_against_the_schema_is_empty() {
    let project = Project::new();
    project.generate("init");
    let output = project.bfm(&[
        "diff",
        "--from",
        "generated/postgresql/core",
        "--to",
        "schema/core",
        "--schema",
        "core",
    ]);
    assert_success(&output);
    assert_eq!(stdout(&output), "");
}

#[test]
fn diff_rejects_an_unknown_source() {
    let project = Project::new();
    let output = project.bfm(&["diff", "--from", "empty", "--to", "nothing.txt"]);
    assert_exit(&output, 1);
    assert!(
        stderr(&output).contains("nothing.txt"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn per_environment_connection_writes_unqualified_sql_named_after_the_connection() {
    let project = Project::new();
    project.write(
        "bfm.yaml",
        &format!("{BFM_YAML}  organization:\n    backend: postgresql\n    schema: cli_{{environment}}\n    environments: [dev]\n"),
    );
    project.write(
        "schema/organization/alerts.yaml",
        "tables:\n  - name: alerts\n    columns:\n      - name: id\n        type: bigint\n        primary_key: true\n",
    );
    let output = project.bfm(&[
        "generate",
        "--name",
        "init",
        "--connection",
        "organization",
        "--version",
        VERSION,
    ]);
    assert_success(&output);
    let files = project.migration_files("organization");
    let alerts = files
        .iter()
        .find(|f| f.starts_with("organization_alerts_") && f.ends_with("_init.sql"))
        .unwrap_or_else(|| panic!("{files:?}"));
    let up = project.read(&format!("generated/postgresql/organization/{alerts}"));
    let statements: String = up
        .lines()
        .filter(|line| !line.starts_with("--"))
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        statements.to_lowercase().contains("create table alerts"),
        "{up}"
    );
    assert!(
        !statements.contains("organization.") && !statements.contains("cli_"),
        "{up}"
    );
    assert!(
        project.migration_files("core").is_empty(),
        "only the chosen connection"
    );
    assert_exit(
        &project.bfm(&["plan", "--connection", "organization", "--exit-code"]),
        0,
    );
}

#[test]
fn environment_variables_complete_the_configuration() {
    let project = Project::new();
    project.write("bfm.yaml", "connections:\n  core:\n    schema: core\n");
    let output = project.bfm(&["plan"]);
    assert_exit(&output, 1);
    assert!(
        stderr(&output).contains("CORE_BACKEND"),
        "{}",
        stderr(&output)
    );
    assert_success(&project.bfm_with_env(&["plan"], &[("CORE_BACKEND", "postgresql")]));
}

#[test]
fn usage_errors_exit_with_1_not_the_pending_code() {
    let project = Project::new();
    assert_exit(&project.bfm(&["plan", "--format", "yaml"]), 1);
    assert_exit(&project.bfm(&["generate"]), 1);
    assert_exit(&project.bfm(&["--help"]), 0);
}

#[test]
fn unknown_field_in_the_configuration_is_an_error() {
    let project = Project::new();
    project.write("bfm.yaml", &format!("{BFM_YAML}colour: true\n"));
    let output = project.bfm(&["plan"]);
    assert_exit(&output, 1);
    assert!(stderr(&output).contains("bfm.yaml"), "{}", stderr(&output));
}

#[test]
fn config_flag_points_at_a_project_elsewhere() {
    let project = Project::new();
    let elsewhere = tempfile::tempdir().unwrap();
    let config = project.path("bfm.yaml");
    let output = Command::new(env!("CARGO_BIN_EXE_bfm"))
        .args(["plan", "--config", config.to_str().unwrap()])
        .current_dir(elsewhere.path())
        .output()
        .unwrap();
    assert_success(&output);
    assert!(stdout(&output).contains("compared "), "{}", stdout(&output));
    let missing = Command::new(env!("CARGO_BIN_EXE_bfm"))
        .arg("plan")
        .current_dir(elsewhere.path())
        .output()
        .unwrap();
    assert_exit(&missing, 1);
    assert!(
        stderr(&missing).contains("bfm.yaml"),
        "{}",
        stderr(&missing)
    );
}

#[test]
fn pinned_version_can_come_from_the_environment() {
    let project = Project::new();
    let output = project.bfm_with_env(
        &["create", "--name", "x"],
        &[("BFM_VERSION", "20240101000000")],
    );
    assert_success(&output);
    assert_eq!(
        project.migration_files("core"),
        ["20240101000000_x.sql", "bfm.sum"]
    );
}
