//! `bfm import migrations`: converts another tool's migration directory into the connection's
//! migrations directory, and with `--baseline` records what the old tool had already run.
//!
//! Everything that can refuse (conversion, files in the way, a dirty old state) is checked
//! before the first file is written.

use super::apply::DeployError;
use super::commands::{load_config, print_stdout, single_connection};
use super::project::relative;
use super::{CliError, Outcome};
use crate::apply::deployment::{Deployment, TargetChoice};
use crate::apply::fanout::Operation;
use crate::apply::{Execution, Migration};
use crate::backend::BackendKind;
use crate::import::migrations::state::{self, Ran};
use crate::import::migrations::{Format, ImportError, Imported, Warning, convert, read_directory};
use crate::migrations::{MigrationError, sum};
use sqlx::Connection as _;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(Debug, clap::Args)]
pub struct MigrationsArgs {
    /// The tool the directory was written for.
    #[arg(long, value_parser = parse_format, value_name = "goose|golang-migrate|sql-migrate|flyway|dbmate")]
    pub format: Format,
    /// The directory to import.
    pub dir: PathBuf,
    /// The connection whose migrations directory receives the files (default: the only one).
    #[arg(long)]
    pub connection: Option<String>,
    /// Also record as applied, in bfm's state store, the migrations the old tool's state table
    /// says ran on the connection's database.
    #[arg(long)]
    pub baseline: bool,
    /// With --baseline, for a per-environment connection: the environment whose schema to
    /// record.
    #[arg(long, requires = "baseline")]
    pub environment: Option<String>,
    /// With --baseline: the old tool's state table, when not its default name (may be
    /// `schema.table`).
    #[arg(long, requires = "baseline", value_name = "TABLE")]
    pub state_table: Option<String>,
    /// Overwrite bfm files of the same names.
    #[arg(long)]
    pub force: bool,
}

fn parse_format(text: &str) -> Result<Format, String> {
    Format::parse(text).ok_or_else(|| {
        let names: Vec<&str> = Format::ALL.iter().map(|f| f.as_str()).collect();
        format!("expected one of {}", names.join(", "))
    })
}

impl From<ImportError> for CliError {
    fn from(error: ImportError) -> CliError {
        CliError::ImportMigrations(Box::new(error))
    }
}

pub fn run(config_path: Option<&Path>, args: &MigrationsArgs) -> Result<Outcome, CliError> {
    let config = load_config(config_path)?;
    let connection = single_connection(&config, args.connection.as_deref())?.clone();
    let (files, mut warnings) = read_directory(&args.dir, args.format)?;
    let imported = convert(args.format, &files)?;
    if imported.migrations.is_empty() {
        print_warnings(&warnings);
        print_warnings(&imported.warnings);
        return Err(ImportError::NoMigrations {
            dir: args.dir.clone(),
            format: args.format,
        }
        .into());
    }
    warnings.extend(imported.warnings.iter().cloned());
    let dir = config.migrations_path(&connection);
    check_target(&dir, &imported, args.force)?;
    let mut baseline = None;
    if args.baseline {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(DeployError::Runtime)?;
        let ran = runtime.block_on(read_ran(&connection, &imported, args))?;
        warnings.extend(ran.warnings.iter().cloned());
        baseline = Some((runtime, ran));
    }
    write_files(&dir, &imported)?;
    let mut report = String::new();
    for migration in &imported.migrations {
        let _ = writeln!(
            report,
            "wrote {} (from {})",
            relative(&config, &dir.join(&migration.file_name)),
            migration.sources.join(", ")
        );
    }
    let _ = writeln!(
        report,
        "updated {}",
        relative(&config, &dir.join(sum::SUM_FILE))
    );
    warnings.extend(replay_warning(&connection, &dir));
    print_warnings(&warnings);
    print_stdout(&report)?;
    if let Some((runtime, ran)) = baseline {
        let deployment = Deployment::new(config, connection).map_err(DeployError::from)?;
        let count = imported.migrations.len();
        let text = runtime.block_on(record(deployment, &ran, count, args))?;
        print_stdout(&text)?;
    }
    Ok(Outcome::Done)
}

/// The imported SQL runs as it is, but `bfm status` (drift) and `bfm plan --offline` also read
/// it into bfm's model, which does not cover every statement (functions, triggers, data): say
/// so now rather than at the next status.
fn replay_warning(connection: &crate::config::Connection, dir: &Path) -> Option<Warning> {
    let dialect = super::project::connection_dialect(connection).ok()?;
    let context = crate::backend::SchemaContext {
        default_schema: connection.model_schema().to_string(),
    };
    let options = crate::source::LoadOptions {
        dialect,
        context: &context,
    };
    let error = super::project::replay_dir(dir, options).err()?;
    Some(Warning {
        file: dir.display().to_string(),
        line: None,
        message: format!(
            "the migrations apply as written, but bfm cannot read them into its model, so `bfm \
             status` and `bfm plan --offline` will stop at: {error}"
        ),
    })
}

fn print_warnings(warnings: &[Warning]) {
    for warning in warnings {
        eprintln!("warning: {warning}");
    }
}

/// Refuses files that would be overwritten (without `--force`) and a directory that does not
/// match its `bfm.sum` (the new sum would hide that edit).
fn check_target(dir: &Path, imported: &Imported, force: bool) -> Result<(), CliError> {
    if force {
        return Ok(());
    }
    let existing: Vec<String> = imported
        .migrations
        .iter()
        .map(|m| dir.join(&m.file_name))
        .filter(|path| path.exists())
        .map(|path| path.display().to_string())
        .collect();
    if !existing.is_empty() {
        return Err(ImportError::WouldOverwrite { files: existing }.into());
    }
    sum::verify(dir)?;
    Ok(())
}

fn write_files(dir: &Path, imported: &Imported) -> Result<(), CliError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| MigrationError::Io { path, source }
    };
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    for migration in &imported.migrations {
        let path = dir.join(&migration.file_name);
        std::fs::write(&path, &migration.text).map_err(io(&path))?;
    }
    sum::write(dir)?;
    Ok(())
}

/// The schema `--baseline` records for: the connection's, or its environment's.
fn target_schema(
    connection: &crate::config::Connection,
    args: &MigrationsArgs,
) -> Result<String, CliError> {
    match (&args.environment, connection.is_per_environment()) {
        (Some(environment), true) => Ok(connection.schema_for(environment)),
        (None, true) => Err(CliError::NoEnvironment(connection.name.clone())),
        (Some(_), false) => Err(DeployError::TargetChoice(format!(
            "connection {} always uses schema {}: --environment is for per-environment \
             connections",
            connection.name, connection.schema
        ))
        .into()),
        (None, false) => Ok(connection.schema.clone()),
    }
}

/// Reads the old tool's state table on the connection's database.
async fn read_ran(
    connection: &crate::config::Connection,
    imported: &Imported,
    args: &MigrationsArgs,
) -> Result<Ran, CliError> {
    if connection.backend != BackendKind::Postgresql {
        return Err(CliError::Unsupported {
            connection: connection.name.clone(),
            backend: format!(
                "{} (import --baseline reads PostgreSQL)",
                connection.backend
            ),
        });
    }
    let schema = target_schema(connection, args)?;
    let url = connection
        .database_url()
        .ok_or_else(|| CliError::NoHost(connection.name.clone()))?;
    let mut database = sqlx::PgConnection::connect(url.expose())
        .await
        .map_err(|error| DeployError::Connect {
            connection: connection.name.clone(),
            message: error.to_string(),
        })?;
    let table = args
        .state_table
        .clone()
        .unwrap_or_else(|| state::default_table(args.format).to_string());
    let rows = state::read(&mut database, args.format, &table, &schema).await;
    let _ = database.close().await;
    Ok(state::ran(&imported.migrations, &rows?, &table)?)
}

/// Records `ran` as applied through `bfm baseline`'s own code, given only those migrations.
async fn record(
    deployment: Deployment,
    ran: &Ran,
    imported_count: usize,
    args: &MigrationsArgs,
) -> Result<String, CliError> {
    let chosen: Vec<Migration> = deployment
        .migrations
        .iter()
        .filter(|m| ran.ids.iter().any(|id| id == m.id()))
        .cloned()
        .collect();
    let deployment = Deployment {
        migrations: Arc::new(chosen),
        ..deployment
    };
    let choice = TargetChoice {
        environment: deployment
            .connection
            .is_per_environment()
            .then(|| args.environment.clone())
            .flatten(),
        ..TargetChoice::default()
    };
    let pool = deployment.pool(2).await.map_err(DeployError::from)?;
    let targets = deployment
        .targets(&choice, Some(&pool))
        .await
        .map_err(DeployError::from)?;
    let store = deployment.store().await.map_err(DeployError::from)?;
    let reports = deployment
        .run(
            store,
            &pool,
            targets,
            Operation::Baseline(None),
            Execution::default(),
            1,
        )
        .await;
    pool.close().await;
    let mut text = String::new();
    for report in reports {
        for id in &report.done {
            let _ = writeln!(text, "marked applied {id}");
        }
        if let Some(error) = report.error {
            print_stdout(&text)?;
            return Err(DeployError::Run(error).into());
        }
        let _ = writeln!(
            text,
            "{}: marked applied {} that {} had run ({} imported)",
            report.target,
            super::project::count(report.done.len(), "migration"),
            args.format,
            imported_count,
        );
    }
    Ok(text)
}
