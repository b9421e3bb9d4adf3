//! `bfm apply | down | status | baseline | reset | refresh`: the deploy commands. Each builds a
//! tokio runtime of its own (the rest of the CLI is synchronous), connects to the connection's
//! database and the state store, and runs the library's decisions on every chosen target.

use super::commands::{load_config, single_connection};
use super::project::relative;
use super::{CliError, Outcome, parse_version};
use crate::apply::deployment::{Deployment, DeploymentError, TargetChoice};
use crate::apply::fanout::Operation;
use crate::apply::{
    ApplyError, ApplyOptions, DownSelection, Execution, Migration, RunReport, StatusRow,
    TargetPool, checksum_mismatches, status_rows,
};
use crate::migrations::Version;
use crate::state::{AnyStateStore, MigrationStatus, StateError, StateStore, Target};
use std::fmt::Write as _;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use thiserror::Error;

/// Which schemas of the connection a command works on.
#[derive(Debug, Clone, clap::Args)]
pub struct TargetArgs {
    /// The connection (default: the only one configured).
    #[arg(long)]
    pub connection: Option<String>,
    /// One schema of a per-environment connection, by name (e.g. cli_dev).
    #[arg(long, conflicts_with_all = ["environment", "all_environments"])]
    pub schema: Option<String>,
    /// One environment of a per-environment connection (its schema, e.g. cli_{environment}).
    #[arg(long, conflicts_with = "all_environments")]
    pub environment: Option<String>,
    /// Every environment: those in bfm.yaml and every existing schema matching the pattern.
    #[arg(long)]
    pub all_environments: bool,
    /// How many schemas run at the same time with --all-environments.
    #[arg(long, default_value_t = 4, value_name = "N")]
    pub jobs: usize,
    /// How long to wait for another apply holding the target's lock.
    #[arg(long, default_value_t = 60, value_name = "SECS")]
    pub lock_timeout: u64,
}

#[derive(Debug, clap::Args)]
pub struct ApplyArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    /// Apply migrations up to and including this version.
    #[arg(long, value_name = "YYYYMMDDHHMMSS", value_parser = parse_version)]
    pub to: Option<Version>,
    /// Only the generated migrations of these tables (comma separated).
    #[arg(long, value_delimiter = ',', value_name = "TABLES")]
    pub tables: Option<Vec<String>>,
    /// Print what would run and run it in a transaction that is rolled back; record nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Run pending migrations older than the newest applied one.
    #[arg(long)]
    pub allow_out_of_order: bool,
    /// Run a migration again whose apply was interrupted (recorded `running`).
    #[arg(long)]
    pub retry_interrupted: bool,
}

#[derive(Debug, clap::Args)]
pub struct DownArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    /// Roll back the newest N applied migrations (default: the last batch).
    #[arg(long, value_name = "N", conflicts_with = "to")]
    pub steps: Option<usize>,
    /// Roll back every migration newer than this version.
    #[arg(long, value_name = "YYYYMMDDHHMMSS", value_parser = parse_version)]
    pub to: Option<Version>,
    /// Print what would be rolled back and run it in a transaction that is rolled back.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, clap::Args)]
pub struct StatusArgs {
    #[command(flatten)]
    pub target: TargetArgs,
}

#[derive(Debug, clap::Args)]
pub struct BaselineArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    /// Mark migrations up to and including this version (default: all).
    #[arg(long, value_name = "YYYYMMDDHHMMSS", value_parser = parse_version)]
    pub to: Option<Version>,
}

#[derive(Debug, clap::Args)]
pub struct ForceArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    /// Confirm: this rolls back every applied migration.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Error)]
pub enum DeployError {
    #[error("cannot start the async runtime: {0}")]
    Runtime(std::io::Error),
    #[error("cannot connect to connection {connection}'s database: {message}")]
    Connect { connection: String, message: String },
    #[error("{0}")]
    TargetChoice(String),
    #[error(transparent)]
    Deployment(#[from] DeploymentError),
    #[error(transparent)]
    State(#[from] StateError),
    #[error(transparent)]
    Run(#[from] ApplyError),
    #[error("{failed} of {total} targets failed")]
    Failed { failed: usize, total: usize },
    #[error("`bfm {command}` rolls back every applied migration: pass --force to confirm")]
    NotForced { command: &'static str },
}

impl From<DeployError> for CliError {
    fn from(error: DeployError) -> CliError {
        CliError::Deploy(Box::new(error))
    }
}

/// A deploy command's connection (the library's [`Deployment`]) and its target flags.
struct Deploy {
    lib: Deployment,
    targets: TargetArgs,
}

impl std::ops::Deref for Deploy {
    type Target = Deployment;
    fn deref(&self) -> &Deployment {
        &self.lib
    }
}

impl Deploy {
    /// Loads the configuration and the connection's migrations; `verify_sum` refuses a
    /// directory that does not match its `bfm.sum`.
    fn load(
        config_path: Option<&Path>,
        targets: &TargetArgs,
        verify_sum: bool,
    ) -> Result<Deploy, CliError> {
        let config = load_config(config_path)?;
        let connection = single_connection(&config, targets.connection.as_deref())?.clone();
        let lib = Deployment::new(config, connection).map_err(DeployError::from)?;
        if verify_sum {
            lib.verify_sum()?;
        } else if let Err(error) = lib.verify_sum() {
            eprintln!("warning: {error}");
        }
        Ok(Deploy {
            lib,
            targets: targets.clone(),
        })
    }

    fn execution(&self, dry_run: bool) -> Execution {
        Execution {
            lock_timeout: Duration::from_secs(self.targets.lock_timeout),
            dry_run,
            ..Execution::default()
        }
    }

    async fn pool(&self) -> Result<TargetPool, CliError> {
        let connections = u32::try_from(self.targets.jobs.max(1) + 1).unwrap_or(u32::MAX);
        Ok(self
            .lib
            .pool(connections)
            .await
            .map_err(DeployError::from)?)
    }

    async fn store(&self) -> Result<Arc<AnyStateStore>, CliError> {
        Ok(self.lib.store().await.map_err(DeployError::from)?)
    }

    /// The schemas chosen by `--schema`, `--environment` or `--all-environments`.
    async fn target_list(&self, pool: Option<&TargetPool>) -> Result<Vec<Target>, CliError> {
        let choice = TargetChoice {
            schema: self.targets.schema.clone(),
            environment: self.targets.environment.clone(),
            all_environments: self.targets.all_environments,
        };
        Ok(self
            .lib
            .targets(&choice, pool)
            .await
            .map_err(DeployError::from)?)
    }

    /// Runs `operation` on every chosen target and reports one line per target.
    async fn run(&self, operation: Operation, dry_run: bool) -> Result<Vec<RunReport>, CliError> {
        let pool = self.pool().await?;
        let targets = self.target_list(Some(&pool)).await?;
        let store = self.store().await?;
        let reports = self
            .lib
            .run(
                store,
                &pool,
                targets,
                operation.clone(),
                self.execution(dry_run),
                self.targets.jobs,
            )
            .await;
        pool.close().await;
        print_reports(&reports, &operation, dry_run, &self.migrations)?;
        Ok(reports)
    }
}

/// One thread: a run waits on the database almost all the time, and handing each reply from a
/// worker thread to another costs more than it gains (`--jobs` targets still run concurrently).
fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| DeployError::Runtime(error).into())
}

/// The command's result from its reports: the only failure's own error, or how many failed.
fn outcome(reports: Vec<RunReport>) -> Result<Outcome, CliError> {
    let total = reports.len();
    let mut errors: Vec<ApplyError> = reports.into_iter().filter_map(|r| r.error).collect();
    match errors.len() {
        0 => Ok(Outcome::Done),
        1 if total == 1 => Err(DeployError::Run(errors.remove(0)).into()),
        failed => Err(DeployError::Failed { failed, total }.into()),
    }
}

/// Per target: what was done (every migration when there is one target; with many, the count)
/// and, for a dry run, the SQL that would run.
fn print_reports(
    reports: &[RunReport],
    operation: &Operation,
    dry_run: bool,
    migrations: &[Migration],
) -> Result<(), CliError> {
    let verb = operation.verb(dry_run);
    let mut text = String::new();
    let single = reports.len() == 1;
    for report in reports {
        if single {
            for id in &report.done {
                let _ = writeln!(text, "{verb} {id}");
                if dry_run {
                    text.push_str(&dry_run_sql(id, operation, migrations));
                }
            }
        }
        text.push_str(&summary_line(report, verb, single));
    }
    super::commands::print_stdout(&text)
}

/// `organization/cli_dev: applied 3 migrations`, or where it stopped.
fn summary_line(report: &RunReport, verb: &str, single: bool) -> String {
    let done = super::project::count(report.done.len(), "migration");
    match &report.error {
        None if report.done.is_empty() => format!("{}: nothing to do\n", report.target),
        None => format!("{}: {verb} {done}\n", report.target),
        Some(_) if single => format!("{}: {verb} {done}, then stopped\n", report.target),
        Some(error) => format!(
            "{}: {verb} {done}, then stopped: {}\n",
            report.target,
            error.to_string().replace('\n', " ")
        ),
    }
}

/// The statements a dry run executed for one migration, indented.
fn dry_run_sql(id: &str, operation: &Operation, migrations: &[Migration]) -> String {
    let Some(migration) = migrations.iter().find(|m| m.id() == id) else {
        return String::new();
    };
    let text = match operation {
        Operation::Down(_) => migration.file.read_down(),
        _ => migration.file.read_up(),
    };
    let Ok(text) = text else {
        return String::new();
    };
    let mut out = String::new();
    if text.no_transaction {
        out.push_str("    -- runs outside a transaction: not executed by --dry-run\n");
    }
    for statement in &text.statements {
        let _ = writeln!(out, "    {};", statement.replace('\n', "\n    "));
    }
    out
}

/// `bfm apply`.
pub fn apply(config_path: Option<&Path>, args: &ApplyArgs) -> Result<Outcome, CliError> {
    if super::etcd::is_etcd(config_path, &args.target)? {
        return super::etcd::apply(config_path, args);
    }
    let deployment = Deploy::load(config_path, &args.target, true)?;
    let options = ApplyOptions {
        to: args.to,
        tables: args.tables.clone(),
        allow_out_of_order: args.allow_out_of_order,
        retry_interrupted: args.retry_interrupted,
    };
    let reports = runtime()?.block_on(deployment.run(Operation::Apply(options), args.dry_run))?;
    outcome(reports)
}

/// `bfm down`.
pub fn down(config_path: Option<&Path>, args: &DownArgs) -> Result<Outcome, CliError> {
    if super::etcd::is_etcd(config_path, &args.target)? {
        return super::etcd::down(config_path, args);
    }
    let deployment = Deploy::load(config_path, &args.target, true)?;
    let selection = match (args.steps, args.to) {
        (Some(steps), _) => DownSelection::Steps(steps),
        (None, Some(to)) => DownSelection::To(to),
        (None, None) => DownSelection::LastBatch,
    };
    let reports = runtime()?.block_on(deployment.run(Operation::Down(selection), args.dry_run))?;
    outcome(reports)
}

/// `bfm baseline`.
pub fn baseline(config_path: Option<&Path>, args: &BaselineArgs) -> Result<Outcome, CliError> {
    if super::etcd::is_etcd(config_path, &args.target)? {
        return super::etcd::baseline(config_path, args);
    }
    let deployment = Deploy::load(config_path, &args.target, true)?;
    let reports = runtime()?.block_on(deployment.run(Operation::Baseline(args.to), false))?;
    outcome(reports)
}

/// `bfm reset --force`: every applied migration rolled back.
pub fn reset(config_path: Option<&Path>, args: &ForceArgs) -> Result<Outcome, CliError> {
    if !args.force {
        return Err(DeployError::NotForced { command: "reset" }.into());
    }
    let deployment = Deploy::load(config_path, &args.target, true)?;
    let everything = Operation::Down(DownSelection::Steps(usize::MAX));
    let reports = runtime()?.block_on(deployment.run(everything, false))?;
    outcome(reports)
}

/// `bfm refresh --force`: reset, then apply everything again.
pub fn refresh(config_path: Option<&Path>, args: &ForceArgs) -> Result<Outcome, CliError> {
    if !args.force {
        return Err(DeployError::NotForced { command: "refresh" }.into());
    }
    let deployment = Deploy::load(config_path, &args.target, true)?;
    let runtime = runtime()?;
    let everything = Operation::Down(DownSelection::Steps(usize::MAX));
    outcome(runtime.block_on(deployment.run(everything, false))?)?;
    let apply = Operation::Apply(ApplyOptions::default());
    outcome(runtime.block_on(deployment.run(apply, false))?)
}

/// `bfm status`: per target, a table of every migration and the applied files that changed.
pub fn status(config_path: Option<&Path>, args: &StatusArgs) -> Result<Outcome, CliError> {
    if super::etcd::is_etcd(config_path, &args.target)? {
        return super::etcd::status(config_path, args);
    }
    let deployment = Deploy::load(config_path, &args.target, false)?;
    let text = runtime()?.block_on(async {
        let targets = deployment.target_list(None).await?;
        let store = deployment.store().await?;
        let pool = deployment.pool().await?;
        let mut text = format!(
            "state: {}, migrations: {}\n",
            store.describe(),
            relative(
                &deployment.config,
                &deployment.config.migrations_path(&deployment.connection)
            )
        );
        for target in targets {
            let records = store.records(&target).await.map_err(DeployError::from)?;
            let rows = status_rows(&deployment.migrations, &records);
            let _ = writeln!(text, "\n{target}");
            text.push_str(&status_table(&rows));
            for mismatch in checksum_mismatches(&deployment.migrations, &records) {
                let _ = writeln!(
                    text,
                    "checksum mismatch: {} was applied as {} but the file is now {}",
                    mismatch.id, mismatch.recorded, mismatch.actual
                );
            }
            let Some(drift) = deployment
                .drift(&pool, &target, &records)
                .await
                .map_err(DeployError::from)?
            else {
                let _ = writeln!(text, "drift: checked for PostgreSQL connections only");
                continue;
            };
            if drift.is_empty() {
                let _ = writeln!(
                    text,
                    "no drift: the database matches its applied migrations"
                );
            }
            for change in drift {
                let _ = writeln!(
                    text,
                    "drift: the database needs to {change} to match its applied migrations"
                );
            }
        }
        pool.close().await;
        Ok::<String, CliError>(text)
    })?;
    super::commands::print_stdout(&text)?;
    Ok(Outcome::Done)
}

/// The status rows as aligned columns; failed rows are followed by their error.
pub(super) fn status_table(rows: &[StatusRow]) -> String {
    if rows.is_empty() {
        return "no migrations\n".to_string();
    }
    let header = [
        "VERSION",
        "STATUS",
        "MIGRATION",
        "APPLIED AT",
        "EXECUTION TIME",
    ]
    .map(str::to_string);
    let mut lines: Vec<[String; 5]> = vec![header];
    for row in rows {
        let mut status = row.label().to_string();
        if row.file_missing {
            status.push_str(" (file missing)");
        }
        if row.checksum_changed {
            status.push_str(" (changed)");
        }
        lines.push([
            row.version.clone(),
            status,
            row.id.clone(),
            row.applied_at.clone().unwrap_or_else(|| "-".into()),
            row.execution_ms
                .map_or_else(|| "-".into(), |ms| format!("{ms} ms")),
        ]);
    }
    let widths: Vec<usize> = (0..5)
        .map(|column| {
            lines
                .iter()
                .map(|line| line[column].len())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let render = |line: &[String; 5]| {
        let cells: Vec<String> = line
            .iter()
            .zip(&widths)
            .map(|(cell, width)| format!("{cell:width$}"))
            .collect();
        format!("{}\n", cells.join("  ").trim_end())
    };
    let mut text = render(&lines[0]);
    for (row, line) in rows.iter().zip(&lines[1..]) {
        text.push_str(&render(line));
        if let (Some(MigrationStatus::Failed), Some(error)) = (row.status, &row.error) {
            let _ = writeln!(text, "    error: {}", error.replace('\n', "\n    "));
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(version: &str, status: Option<MigrationStatus>) -> StatusRow {
        StatusRow {
            version: version.into(),
            id: format!("core_t_{version}_init"),
            name: "init".into(),
            status,
            file_missing: false,
            applied_at: status.map(|_| "2025-01-01T00:00:00Z".into()),
            execution_ms: status.map(|_| 12),
            checksum_changed: false,
            error: None,
        }
    }

    #[test]
    fn status_table_aligns_columns_and_shows_errors_under_failed_rows() {
        let mut failed = row("20250101000002", Some(MigrationStatus::Failed));
        failed.error = Some("statement 1: boom\nSELECT boom".into());
        let table = status_table(&[
            row("20250101000001", Some(MigrationStatus::Applied)),
            failed,
            row("20250101000003", None),
        ]);
        let lines: Vec<&str> = table.lines().collect();
        assert!(lines[0].starts_with("VERSION         STATUS"), "{table}");
        assert!(
            lines[1].contains("applied") && lines[1].contains("12 ms"),
            "{table}"
        );
        assert!(lines[2].contains("failed"), "{table}");
        assert_eq!(lines[3], "    error: statement 1: boom");
        assert_eq!(lines[4], "    SELECT boom");
        assert!(
            lines[5].contains("pending") && lines[5].ends_with('-'),
            "{table}"
        );
    }

    #[test]
    fn a_single_target_summary_leaves_the_error_to_stderr() {
        let report = RunReport {
            target: Target {
                connection: "core".into(),
                schema: "core".into(),
            },
            done: vec!["a".into()],
            error: Some(ApplyError::Schema {
                schema: "core".into(),
                message: "denied".into(),
            }),
        };
        assert_eq!(
            summary_line(&report, "applied", true),
            "core/core: applied 1 migration, then stopped\n"
        );
        assert!(summary_line(&report, "applied", false).contains("denied"));
    }
}
