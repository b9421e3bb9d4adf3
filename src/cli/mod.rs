//! The command line: `bfm plan | diff | generate | create | hash`. A thin shell over the library: each
//! command loads, diffs, plans and renders through the same calls, and [`exit_code`] maps the
//! result to what scripts rely on (0 ok, 1 error, 2 changes pending with `--exit-code`).

mod apply;
mod commands;
mod etcd;
mod import;
mod import_gorm;
mod import_migrations;
pub mod live;
pub mod output;
pub mod project;
mod serve;

use crate::config::ConfigError;
use crate::migrations::{MigrationError, NamingError, Version};
use crate::plan::PlanError;
use crate::source::LoadError;
use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use thiserror::Error;

#[derive(Debug, Parser)]
#[command(
    name = "bfm",
    version,
    about = "Declarative schema diff and migrations"
)]
pub struct Cli {
    /// The project file (default: bfm.yaml in the current directory).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show what would change: the desired state in schema/ against the live database when a
    /// host is configured, otherwise against a replay of generated/.
    Plan(PlanArgs),
    /// Print the SQL that turns one source into another (each `empty`, a directory, a
    /// .sql/.yaml file, or a postgres:// URL).
    Diff(DiffArgs),
    /// Write the plan as migration files and update bfm.sum.
    Generate(GenerateArgs),
    /// Write an empty hand-written migration with `-- +migrate Up` / `Down` sections.
    Create(CreateArgs),
    /// Rewrite bfm.sum after a reviewed edit of a migration file (a hand-written one, usually).
    Hash(HashArgs),
    /// Write a live database out as schema files (YAML or SQL) that load back to the same model.
    Inspect(InspectArgs),
    /// Exit 0 when the live database matches the desired state, 1 listing what differs.
    Check(CheckArgs),
    /// Print the JSON Schema of the YAML format.
    #[command(name = "schema-json", hide = true)]
    SchemaJson,
    /// Run pending migrations against the connection's database, recording each one.
    Apply(apply::ApplyArgs),
    /// Roll back applied migrations: the last batch, `--steps N` or `--to VERSION`.
    Down(apply::DownArgs),
    /// Show every migration's status on the target, and applied files that changed.
    Status(apply::StatusArgs),
    /// Record migrations as applied without running them (a database that already has them).
    Baseline(apply::BaselineArgs),
    /// Roll back every applied migration (needs --force).
    Reset(apply::ForceArgs),
    /// Roll back every applied migration, then apply them all again (needs --force).
    Refresh(apply::ForceArgs),
    /// Serve the HTTP API (BFM_HTTP_PORT, 7070) and the gRPC API (BFM_GRPC_PORT, 9090);
    /// needs BFM_API_TOKEN.
    Serve,
    /// Bring existing GORM models or another tool's migration directory into bfm.
    Import(import::ImportArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
    Sql,
    Markdown,
}

#[derive(Debug, clap::Args)]
pub struct PlanArgs {
    /// Only this connection (default: every connection).
    #[arg(long)]
    pub connection: Option<String>,
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
    /// Exit with 2 when changes are pending.
    #[arg(long)]
    pub exit_code: bool,
    /// Compare with the replay of generated/ even when a database host is configured.
    #[arg(long)]
    pub offline: bool,
    /// The environment whose schema a per-environment connection is compared with (default:
    /// its first).
    #[arg(long)]
    pub environment: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InspectFormat {
    Yaml,
    Sql,
}

#[derive(Debug, clap::Args)]
pub struct InspectArgs {
    /// The configured connection to read (default: the only one).
    #[arg(long, conflicts_with = "url")]
    pub connection: Option<String>,
    /// For a per-environment connection, the environment to read (default: its first).
    #[arg(long, conflicts_with = "url")]
    pub environment: Option<String>,
    /// A database URL to read instead of a connection (`?schema=a,b` limits the schemas).
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// With --url: the schema to read (default: every non-system schema).
    #[arg(long, requires = "url")]
    pub schema: Option<String>,
    #[arg(long, value_enum, default_value = "yaml")]
    pub format: InspectFormat,
    /// Write the files into this directory (default: print them).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Only this connection (default: every connection).
    #[arg(long)]
    pub connection: Option<String>,
    /// For a per-environment connection, the environment to check (default: its first).
    #[arg(long)]
    pub environment: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    #[arg(long, value_name = "SRC")]
    pub from: String,
    #[arg(long, value_name = "DST")]
    pub to: String,
    #[arg(long, default_value = "postgresql")]
    pub dialect: String,
    /// Print the SQL that goes back from DST to SRC.
    #[arg(long)]
    pub down: bool,
    /// The schema unqualified names belong to, and the one a database URL without
    /// `?schema=` is read from.
    #[arg(long, default_value = "public")]
    pub schema: String,
}

#[derive(Debug, clap::Args)]
pub struct GenerateArgs {
    /// The migration name (sanitized to lower-case letters, digits and `_`).
    #[arg(long)]
    pub name: String,
    #[arg(long)]
    pub connection: Option<String>,
    /// Write destructive changes (drops, narrowing types, SET NOT NULL).
    #[arg(long)]
    pub allow_destructive: bool,
    /// Write table recreations (GreptimeDB changes the server cannot ALTER): the rows are lost.
    #[arg(long)]
    pub allow_recreate: bool,
    /// The first file's version, YYYYMMDDHHMMSS (default: now, UTC).
    #[arg(long = "version", env = "BFM_VERSION", value_name = "YYYYMMDDHHMMSS", value_parser = parse_version)]
    pub version: Option<Version>,
}

#[derive(Debug, clap::Args)]
pub struct CreateArgs {
    #[arg(long)]
    pub name: String,
    #[arg(long)]
    pub connection: Option<String>,
    /// The file's version, YYYYMMDDHHMMSS (default: now, UTC).
    #[arg(long = "version", env = "BFM_VERSION", value_name = "YYYYMMDDHHMMSS", value_parser = parse_version)]
    pub version: Option<Version>,
}

#[derive(Debug, clap::Args)]
pub struct HashArgs {
    /// Only this connection (default: every connection).
    #[arg(long)]
    pub connection: Option<String>,
}

fn parse_version(text: &str) -> Result<Version, NamingError> {
    Version::parse(text)
}

/// How a successful command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Done,
    /// `plan --exit-code` found changes.
    ChangesPending,
}

#[derive(Debug, Error)]
pub enum CliError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error(transparent)]
    Migrations(#[from] MigrationError),
    #[error(transparent)]
    Plan(#[from] PlanError),
    #[error(transparent)]
    Naming(#[from] NamingError),
    #[error("connection {connection}: backend {backend} is not supported yet")]
    Unsupported { connection: String, backend: String },
    #[error(
        "bfm inspect writes a MySQL database as SQL only (--format sql): the YAML format has no \
         place for its table options, partitions, events and triggers"
    )]
    InspectMysqlYaml,
    /// `import gorm` could not import anything, or would overwrite files without `--force`.
    #[error("{0}")]
    GormImport(String),
    #[error("unknown dialect {0:?} (supported: postgresql, greptimedb, mysql)")]
    UnknownDialect(String),
    #[error("{0:?} is not a source: use `empty`, a directory, or a .sql/.yaml file")]
    UnknownSource(String),
    #[error("several connections are configured ({0}): choose one with --connection")]
    AmbiguousConnection(String),
    /// `generate` found changes it must not write; nothing was written.
    #[error("nothing was written; these changes are not allowed:\n{}", .0.join("\n"))]
    Refused(Vec<String>),
    #[error("cannot read the database {url}: {reason}")]
    Database { url: String, reason: String },
    #[error("connection {0} has no database host: set its host in bfm.yaml or the environment")]
    NoHost(String),
    #[error("connection {0} is per environment: choose one with --environment")]
    NoEnvironment(String),
    /// `check` found the live database different from the desired state.
    #[error("the live database differs from the desired state:\n{}", .0.join("\n"))]
    Drift(Vec<String>),
    #[error("cannot write output: {0}")]
    Output(#[from] std::io::Error),
    #[error("cannot serialize: {0}")]
    Json(#[from] serde_json::Error),
    #[error(transparent)]
    Deploy(Box<apply::DeployError>),
    #[error(transparent)]
    Serve(Box<crate::server::ServeError>),
    #[error(transparent)]
    ImportMigrations(Box<crate::import::migrations::ImportError>),
}

/// The process exit code for a command's result.
pub fn exit_code(result: &Result<Outcome, CliError>) -> u8 {
    match result {
        Ok(Outcome::Done) => 0,
        Ok(Outcome::ChangesPending) => 2,
        Err(_) => 1,
    }
}

/// The exit code for a command line clap could not parse: 0 for `--help` / `--version`, 1 for a
/// usage error (clap's own 2 would read as "changes pending").
pub fn usage_exit_code(error: &clap::Error) -> u8 {
    if error.use_stderr() { 1 } else { 0 }
}

/// The error as shown on stderr: the message, and for a load error the offending line.
pub fn error_report(error: &CliError) -> String {
    match error {
        CliError::Load(LoadError::Invalid { line_text, .. })
        | CliError::Migrations(MigrationError::Load(LoadError::Invalid { line_text, .. }))
            if !line_text.is_empty() =>
        {
            format!("error: {error}\n  | {line_text}")
        }
        _ => format!("error: {error}"),
    }
}

/// Runs one parsed command line.
pub fn run(cli: Cli) -> Result<Outcome, CliError> {
    let config_path = cli.config;
    match cli.command {
        Command::Plan(args) => commands::plan(config_path.as_deref(), &args),
        Command::Diff(args) => commands::diff(&args),
        Command::Generate(args) => commands::generate(config_path.as_deref(), &args),
        Command::Create(args) => commands::create(config_path.as_deref(), &args),
        Command::Hash(args) => commands::hash(config_path.as_deref(), &args),
        Command::Inspect(args) => live::inspect_command(config_path.as_deref(), &args),
        Command::Check(args) => commands::check(config_path.as_deref(), &args),
        Command::SchemaJson => commands::schema_json(),
        Command::Apply(args) => apply::apply(config_path.as_deref(), &args),
        Command::Down(args) => apply::down(config_path.as_deref(), &args),
        Command::Status(args) => apply::status(config_path.as_deref(), &args),
        Command::Baseline(args) => apply::baseline(config_path.as_deref(), &args),
        Command::Reset(args) => apply::reset(config_path.as_deref(), &args),
        Command::Refresh(args) => apply::refresh(config_path.as_deref(), &args),
        Command::Serve => serve::serve_command(config_path.as_deref()),
        Command::Import(args) => import::import(config_path.as_deref(), &args),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn exit_codes_separate_success_pending_and_errors() {
        assert_eq!(exit_code(&Ok(Outcome::Done)), 0);
        assert_eq!(exit_code(&Ok(Outcome::ChangesPending)), 2);
        assert_eq!(exit_code(&Err(CliError::Refused(vec!["x".into()]))), 1);
    }

    #[test]
    fn usage_errors_map_to_1_and_help_to_0() {
        let usage = Cli::try_parse_from(["bfm", "plan", "--format", "yaml"]).unwrap_err();
        assert_eq!(usage_exit_code(&usage), 1);
        let help = Cli::try_parse_from(["bfm", "--help"]).unwrap_err();
        assert_eq!(usage_exit_code(&help), 0);
    }

    #[test]
    fn generate_reads_a_pinned_version() {
        let cli = Cli::try_parse_from([
            "bfm",
            "generate",
            "--name",
            "init",
            "--version",
            "20250101120000",
        ])
        .unwrap();
        let Command::Generate(args) = cli.command else {
            panic!("not generate");
        };
        assert_eq!(
            args.version.map(|v| v.to_string()).as_deref(),
            Some("20250101120000")
        );
    }

    #[test]
    fn malformed_version_is_rejected_by_the_parser() {
        assert!(
            Cli::try_parse_from(["bfm", "create", "--name", "x", "--version", "2025"]).is_err()
        );
    }

    #[test]
    fn load_errors_show_the_offending_line() {
        let error = CliError::Load(LoadError::Invalid {
            location: crate::source::Location {
                file: "schema/core/t.sql".into(),
                line: 3,
                column: 7,
            },
            message: "unexpected token".into(),
            line_text: "CREATE TABEL t ();".into(),
        });
        assert_eq!(
            error_report(&error),
            "error: schema/core/t.sql:3:7: unexpected token\n  | CREATE TABEL t ();"
        );
    }
}
