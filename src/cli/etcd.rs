//! The etcd side of the commands: plan and generate from YAML key files and JSON migrations,
//! and the deploy commands (apply, down, status, baseline) over an etcd client and the state
//! store. The SQL commands call in here for connections whose backend is etcd.

use super::apply::{ApplyArgs, BaselineArgs, DeployError, DownArgs, StatusArgs, TargetArgs};
use super::commands::{load_config, print_stdout, single_connection};
use super::project::{ConnectionPlan, count, relative};
use super::{CliError, Outcome};
use crate::apply::etcd::{self as run, KeyTarget};
use crate::apply::{
    ApplyOptions, DownSelection, Execution, Migration, RunReport, checksum_mismatches,
    load_migrations, status_rows,
};
use crate::backend::etcd::{Etcd, PAGE_SIZE, Prefix, connect, inspect};
use crate::backend::{BackendKind, RenderContext};
use crate::config::{Config, Connection};
use crate::diff::{assess, diff, unlisted_keys};
use crate::migrations::operations;
use crate::migrations::sum;
use crate::model::Model;
use crate::plan::plan;
use crate::source::load_key_files;
use crate::state::{AnyStateStore, StateStore, Target};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

/// Whether the connection a deploy command names (or the only one) is an etcd connection.
pub fn is_etcd(config_path: Option<&Path>, targets: &TargetArgs) -> Result<bool, CliError> {
    let config = load_config(config_path)?;
    let connection = single_connection(&config, targets.connection.as_deref())?;
    Ok(connection.backend == BackendKind::Etcd)
}

fn desired(config: &Config, connection: &Connection) -> Result<Model, CliError> {
    Ok(load_key_files(
        &config.schema_path(connection),
        connection.model_schema(),
    )?)
}

fn connection_plan(
    config: &Config,
    connection: &Connection,
    current: Model,
    desired: &Model,
    compared_with: String,
) -> Result<ConnectionPlan, CliError> {
    let unlisted = unlisted_keys(&current, desired);
    if !unlisted.is_empty() {
        eprintln!(
            "note: {}: {} not in the desired state, kept (add prune: true to their group to delete them): {}",
            connection.name,
            count(unlisted.len(), "key"),
            unlisted.join(", ")
        );
    }
    let assessed = assess(diff(&current, desired), &current, desired);
    Ok(ConnectionPlan {
        connection: connection.clone(),
        compared_with,
        migrations_dir: config.migrations_path(connection),
        plan: plan(assessed)?,
        current,
        dialect: &Etcd,
        render: RenderContext::default(),
    })
}

/// Plans an etcd connection against the replay of its JSON migrations.
pub fn plan_connection(
    config: &Config,
    connection: &Connection,
) -> Result<ConnectionPlan, CliError> {
    let schema_dir = config.schema_path(connection);
    let migrations_dir = config.migrations_path(connection);
    let desired = desired(config, connection)?;
    let replayed = crate::backend::etcd::replay(&migrations_dir, &Prefix::of(connection))?;
    let compared_with = format!(
        "compared {} with a replay of {} ({})",
        relative(config, &schema_dir),
        relative(config, &migrations_dir),
        count(replayed.migrations.len(), "migration")
    );
    connection_plan(config, connection, replayed.model, &desired, compared_with)
}

/// Plans an etcd connection against its live keys.
pub fn plan_live(config: &Config, connection: &Connection) -> Result<ConnectionPlan, CliError> {
    let prefix = Prefix::of(connection);
    let live = runtime()?.block_on(async {
        let mut client = connect(connection).await.map_err(etcd_error(connection))?;
        inspect(&mut client, &prefix, PAGE_SIZE)
            .await
            .map_err(etcd_error(connection))
    })?;
    let desired = desired(config, connection)?;
    let compared_with = format!(
        "compared {} with the live keys under {} ({} in {})",
        relative(config, &config.schema_path(connection)),
        prefix.as_str(),
        count(live.revisions.len(), "key"),
        count(live.pages, "range read")
    );
    connection_plan(config, connection, live.model, &desired, compared_with)
}

/// The live mod_revisions of the keys `plan` touches, when the connection has a cluster
/// configured: checked against what the plan saw, so a file records a revision only for a key
/// whose live value is the one the plan expects. Empty without a cluster.
pub fn plan_revisions(connection_plan: &ConnectionPlan) -> Result<BTreeMap<String, i64>, CliError> {
    let connection = &connection_plan.connection;
    if !connection.has_host() {
        return Ok(BTreeMap::new());
    }
    let prefix = Prefix::of(connection);
    let live = runtime()?.block_on(async {
        let mut client = connect(connection).await.map_err(etcd_error(connection))?;
        inspect(&mut client, &prefix, PAGE_SIZE)
            .await
            .map_err(etcd_error(connection))
    })?;
    let mut revisions = BTreeMap::new();
    let changes: Vec<_> = connection_plan
        .plan
        .changes()
        .map(|c| c.change.clone())
        .collect();
    for operation in crate::backend::etcd::operations(&changes, &prefix, &BTreeMap::new()) {
        let (schema, table, key) = prefix.split(operation.key()).unwrap_or_default();
        let seen = connection_plan
            .current
            .schemas
            .get(schema)
            .and_then(|s| s.key_groups.get(table))
            .and_then(|g| g.keys.get(key));
        let live_value = live
            .model
            .schemas
            .get(schema)
            .and_then(|s| s.key_groups.get(table))
            .and_then(|g| g.keys.get(key));
        if seen == live_value
            && let Some(revision) = live.revisions.get(operation.key())
        {
            revisions.insert(operation.key().to_string(), *revision);
        }
    }
    Ok(revisions)
}

/// Writes an etcd plan's files; returns the paths written.
pub fn write(
    connection_plan: &ConnectionPlan,
    clock: &mut crate::migrations::VersionClock,
    name: &str,
) -> Result<Vec<std::path::PathBuf>, CliError> {
    let revisions = plan_revisions(connection_plan)?;
    Ok(crate::backend::etcd::write_plan(
        &connection_plan.migrations_dir,
        &connection_plan.plan,
        &Prefix::of(&connection_plan.connection),
        &revisions,
        clock,
        name,
    )?)
}

fn etcd_error(connection: &Connection) -> impl Fn(crate::backend::etcd::EtcdError) -> CliError {
    move |error| {
        DeployError::Connect {
            connection: connection.name.clone(),
            message: error.to_string(),
        }
        .into()
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|error| DeployError::Runtime(error).into())
}

/// An etcd connection ready for a deploy command.
struct KeyDeployment {
    config: Config,
    connection: Connection,
    migrations: Vec<Migration>,
    lock_timeout: Duration,
}

impl KeyDeployment {
    fn load(
        config_path: Option<&Path>,
        targets: &TargetArgs,
        verify_sum: bool,
    ) -> Result<Self, CliError> {
        let config = load_config(config_path)?;
        let connection = single_connection(&config, targets.connection.as_deref())?.clone();
        if targets.schema.is_some() || targets.environment.is_some() || targets.all_environments {
            return Err(DeployError::TargetChoice(format!(
                "connection {} is an etcd key space: --schema, --environment and --all-environments do not apply",
                connection.name
            ))
            .into());
        }
        let dir = config.migrations_path(&connection);
        if verify_sum {
            sum::verify(&dir)?;
        } else if let Err(error) = sum::verify(&dir) {
            eprintln!("warning: {error}");
        }
        let migrations = load_migrations(&dir, connection.model_schema())?;
        Ok(KeyDeployment {
            config,
            connection,
            migrations,
            lock_timeout: Duration::from_secs(targets.lock_timeout),
        })
    }

    /// The state-store target: the connection and its key prefix.
    fn target(&self) -> Target {
        run::target_of(&self.connection)
    }

    async fn store(&self) -> Result<AnyStateStore, CliError> {
        let store = AnyStateStore::connect(&self.config.state, &self.config.root)
            .await
            .map_err(DeployError::from)?;
        store.ensure_tables().await.map_err(DeployError::from)?;
        Ok(store)
    }

    fn key_target(&self) -> KeyTarget<'_> {
        KeyTarget {
            target: self.target(),
            prefix: Prefix::of(&self.connection),
            migrations: &self.migrations,
        }
    }

    fn execution(&self, dry_run: bool) -> Execution {
        Execution {
            lock_timeout: self.lock_timeout,
            dry_run,
            ..Execution::default()
        }
    }
}

/// The command's result: the report's error, if any.
fn outcome(report: RunReport) -> Result<Outcome, CliError> {
    match report.error {
        None => Ok(Outcome::Done),
        Some(error) => Err(DeployError::Run(error).into()),
    }
}

/// One line per migration done (and for a dry run its operations), then a summary.
fn print_report(
    report: &RunReport,
    verb: &str,
    dry_run: bool,
    migrations: &[Migration],
    down: bool,
) -> Result<(), CliError> {
    let mut text = String::new();
    for id in &report.done {
        let _ = writeln!(text, "{verb} {id}");
        if !dry_run {
            continue;
        }
        let Some(migration) = migrations.iter().find(|m| m.id() == id) else {
            continue;
        };
        let path = if down {
            migration.file.down_path()
        } else {
            migration.file.up_path()
        };
        if let Ok(operations) = operations::read(path) {
            for operation in operations {
                let _ = writeln!(text, "    {}", operation.describe());
            }
        }
    }
    let done = count(report.done.len(), "migration");
    let _ = match (&report.error, report.done.is_empty()) {
        (None, true) => writeln!(text, "{}: nothing to do", report.target),
        (None, false) => writeln!(text, "{}: {verb} {done}", report.target),
        (Some(_), _) => writeln!(text, "{}: {verb} {done}, then stopped", report.target),
    };
    print_stdout(&text)
}

fn verb(base: &'static str, dry_run: bool) -> &'static str {
    match (base, dry_run) {
        ("applied", true) => "would apply",
        ("rolled back", true) => "would roll back",
        (base, _) => base,
    }
}

/// `bfm apply` for an etcd connection.
pub fn apply(config_path: Option<&Path>, args: &ApplyArgs) -> Result<Outcome, CliError> {
    let deployment = KeyDeployment::load(config_path, &args.target, true)?;
    let options = ApplyOptions {
        to: args.to,
        tables: args.tables.clone(),
        allow_out_of_order: args.allow_out_of_order,
        retry_interrupted: args.retry_interrupted,
    };
    let report = runtime()?.block_on(async {
        let store = deployment.store().await?;
        let client = connect(&deployment.connection)
            .await
            .map_err(etcd_error(&deployment.connection))?;
        let target = deployment.key_target();
        let execution = deployment.execution(args.dry_run);
        Ok::<RunReport, CliError>(run::apply(&store, &client, &target, &options, &execution).await)
    })?;
    print_report(
        &report,
        verb("applied", args.dry_run),
        args.dry_run,
        &deployment.migrations,
        false,
    )?;
    outcome(report)
}

/// `bfm down` for an etcd connection.
pub fn down(config_path: Option<&Path>, args: &DownArgs) -> Result<Outcome, CliError> {
    let deployment = KeyDeployment::load(config_path, &args.target, true)?;
    let selection = match (args.steps, args.to) {
        (Some(steps), _) => DownSelection::Steps(steps),
        (None, Some(to)) => DownSelection::To(to),
        (None, None) => DownSelection::LastBatch,
    };
    let report = runtime()?.block_on(async {
        let store = deployment.store().await?;
        let client = connect(&deployment.connection)
            .await
            .map_err(etcd_error(&deployment.connection))?;
        let target = deployment.key_target();
        let execution = deployment.execution(args.dry_run);
        Ok::<RunReport, CliError>(run::down(&store, &client, &target, selection, &execution).await)
    })?;
    print_report(
        &report,
        verb("rolled back", args.dry_run),
        args.dry_run,
        &deployment.migrations,
        true,
    )?;
    outcome(report)
}

/// `bfm baseline` for an etcd connection: marks migrations applied, under the etcd lock.
pub fn baseline(config_path: Option<&Path>, args: &BaselineArgs) -> Result<Outcome, CliError> {
    let deployment = KeyDeployment::load(config_path, &args.target, true)?;
    let report = runtime()?.block_on(async {
        let store = deployment.store().await?;
        let client = connect(&deployment.connection)
            .await
            .map_err(etcd_error(&deployment.connection))?;
        let target = deployment.key_target();
        Ok::<RunReport, CliError>(
            run::baseline(&store, &client, &target, args.to, deployment.lock_timeout).await,
        )
    })?;
    print_report(
        &report,
        "marked applied",
        false,
        &deployment.migrations,
        false,
    )?;
    outcome(report)
}

/// `bfm status` for an etcd connection.
pub fn status(config_path: Option<&Path>, args: &StatusArgs) -> Result<Outcome, CliError> {
    let deployment = KeyDeployment::load(config_path, &args.target, false)?;
    let text = runtime()?.block_on(async {
        let store = deployment.store().await?;
        let target = deployment.target();
        let records = store.records(&target).await.map_err(DeployError::from)?;
        let mut text = format!(
            "state: {}, migrations: {}\n\n{target}\n",
            store.describe(),
            relative(
                &deployment.config,
                &deployment.config.migrations_path(&deployment.connection)
            )
        );
        text.push_str(&super::apply::status_table(&status_rows(
            &deployment.migrations,
            &records,
        )));
        for mismatch in checksum_mismatches(&deployment.migrations, &records) {
            let _ = writeln!(
                text,
                "checksum mismatch: {} was applied as {} but the file is now {}",
                mismatch.id, mismatch.recorded, mismatch.actual
            );
        }
        Ok::<String, CliError>(text)
    })?;
    print_stdout(&text)?;
    Ok(Outcome::Done)
}
