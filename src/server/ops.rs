//! The operations both APIs offer, on plain request and response types: HTTP serializes them
//! as JSON, gRPC converts them to and from its messages. Every operation goes through the same
//! library calls as the command line ([`Deployment`], [`plan_connection`], the state store and
//! its per-target lock).

use super::Service;
use crate::apply::deployment::{Deployment, DeploymentError, TargetChoice};
use crate::apply::fanout::Operation;
use crate::apply::{
    ApplyError, ApplyOptions, DownSelection, Execution, Migration, RunReport, checksum_mismatches,
    status_rows,
};
use crate::backend::BackendKind;
use crate::config::Connection;
use crate::migrations::Version;
use crate::state::{MigrationRecord, MigrationStatus, StateError, StateStore, Target};
use serde::{Deserialize, Serialize};
use std::time::Instant;

/// Why an operation was not carried out; each maps to one HTTP status and one gRPC code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpError {
    /// The request is wrong; `field` is the request field at fault.
    BadRequest { field: String, message: String },
    /// No such connection.
    NotFound(String),
    /// The state store or the connection's database cannot be reached.
    Unavailable(String),
    /// The project on the server is broken (unreadable files, a `bfm.sum` mismatch).
    Internal(String),
}

impl OpError {
    pub fn bad_request(field: &str, message: impl Into<String>) -> OpError {
        OpError::BadRequest {
            field: field.to_string(),
            message: message.into(),
        }
    }

    pub fn message(&self) -> String {
        match self {
            OpError::BadRequest { field, message } => format!("{field}: {message}"),
            OpError::NotFound(message)
            | OpError::Unavailable(message)
            | OpError::Internal(message) => message.clone(),
        }
    }
}

impl From<DeploymentError> for OpError {
    fn from(error: DeploymentError) -> OpError {
        match &error {
            DeploymentError::Unsupported { .. } => {
                OpError::bad_request("connection", error.to_string())
            }
            DeploymentError::TargetChoice(_) => OpError::bad_request("schema", error.to_string()),
            DeploymentError::Connect { .. }
            | DeploymentError::Schemas { .. }
            | DeploymentError::State(_) => OpError::Unavailable(error.to_string()),
            DeploymentError::Config(_)
            | DeploymentError::Migrations(_)
            | DeploymentError::Load(_) => OpError::Internal(error.to_string()),
        }
    }
}

impl From<StateError> for OpError {
    fn from(error: StateError) -> OpError {
        OpError::Unavailable(error.to_string())
    }
}

/// `target` of a migrate request, as DESIGN.md shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct MigrateTarget {
    /// Must match the connection's backend when given.
    pub backend: String,
    pub schema: String,
    /// Only the generated migrations of these tables; empty: every migration.
    pub tables: Vec<String>,
    /// Up to and including this version (`YYYYMMDDHHMMSS`); empty: every migration.
    pub version: String,
    pub connection: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct MigrateRequest {
    pub target: MigrateTarget,
    pub connection: String,
    pub schema: String,
    /// For a per-environment connection: the environment whose schema is migrated.
    pub environment: String,
    pub dry_run: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct MigrateResponse {
    pub success: bool,
    /// The migrations applied (for a dry run: that would be applied), in order.
    pub applied: Vec<String>,
    /// The migrations in the request's scope that were already applied.
    pub skipped: Vec<String>,
    pub errors: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct RollbackRequest {
    pub connection: String,
    pub schema: String,
    pub environment: String,
    /// The newest N applied migrations; with neither `steps` nor `to`: the last batch.
    pub steps: Option<usize>,
    /// Every migration newer than this version (`YYYYMMDDHHMMSS`).
    pub to: Option<String>,
    pub dry_run: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct RollbackResponse {
    pub success: bool,
    pub rolled_back: Vec<String>,
    pub errors: Vec<String>,
}

/// Which connection and schemas a read-only request is about; all optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Selection {
    pub connection: String,
    pub schema: String,
    pub environment: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MigrationState {
    pub id: String,
    pub version: String,
    /// `pending`, `applied`, `failed`, `rolled_back` or `running`.
    pub status: String,
    pub applied_at: Option<String>,
    pub execution_ms: Option<i64>,
    pub checksum_changed: bool,
    pub file_missing: bool,
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TargetStatus {
    pub connection: String,
    pub schema: String,
    pub migrations: Vec<MigrationState>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusResponse {
    pub targets: Vec<TargetStatus>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MigrationFileInfo {
    pub id: String,
    pub version: String,
    pub name: String,
    /// The table a generated migration is about; empty for a hand-written one.
    pub table: String,
    pub checksum: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConnectionMigrations {
    pub connection: String,
    /// `postgresql`, `greptimedb` or `etcd`.
    pub backend: String,
    pub migrations: Vec<MigrationFileInfo>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MigrationsResponse {
    pub connections: Vec<ConnectionMigrations>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reachability {
    pub reachable: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConnectionHealth {
    pub name: String,
    pub backend: String,
    #[serde(flatten)]
    pub reachability: Reachability,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HealthResponse {
    pub healthy: bool,
    pub state_store: Reachability,
    pub connections: Vec<ConnectionHealth>,
}

impl Service {
    pub(super) fn connection(&self, name: &str, field: &str) -> Result<Connection, OpError> {
        if name.is_empty() {
            return Err(OpError::bad_request(field, "a connection is required"));
        }
        self.config
            .connection(name)
            .cloned()
            .map_err(|error| OpError::NotFound(error.to_string()))
    }

    /// The connection's migrations, checked against `bfm.sum` as `bfm apply` checks them.
    fn deployment(&self, connection: Connection) -> Result<Deployment, OpError> {
        let deployment = Deployment::new(self.config.clone(), connection)?;
        deployment
            .verify_sum()
            .map_err(|error| OpError::Internal(error.to_string()))?;
        Ok(deployment)
    }

    /// `POST /api/v1/migrate`: the pending migrations of one target, under its lock.
    pub async fn migrate(&self, request: MigrateRequest) -> Result<MigrateResponse, OpError> {
        let name = one_of(
            &request.connection,
            &request.target.connection,
            "target.connection",
        )?;
        let connection = self.connection(name, "connection")?;
        let backend = &request.target.backend;
        if !backend.is_empty() && backend != &connection.backend.to_string() {
            return Err(OpError::bad_request(
                "target.backend",
                format!(
                    "connection {} is {}, not {backend}",
                    connection.name, connection.backend
                ),
            ));
        }
        let schema = one_of(&request.schema, &request.target.schema, "target.schema")?;
        let options = ApplyOptions {
            to: parse_version(&request.target.version, "target.version")?,
            tables: (!request.target.tables.is_empty()).then(|| request.target.tables.clone()),
            ..ApplyOptions::default()
        };
        if connection.backend == BackendKind::Etcd {
            let field = if request.schema.is_empty() {
                "target.schema"
            } else {
                "schema"
            };
            key_space_only(&connection, schema, &request.environment, field)?;
            return self
                .migrate_keys(connection, options, request.dry_run)
                .await;
        }
        let choice = single_target(&connection, schema, &request.environment)?;
        let deployment = self.deployment(connection)?;
        let store = self.store().await?;
        let pool = self.pool(&deployment).await?;
        let targets = deployment.targets(&choice, Some(&pool)).await?;
        let mut skipped = Vec::new();
        for target in &targets {
            let records = store.records(target).await?;
            skipped.extend(already_applied(&deployment.migrations, &records, &options));
        }
        let started = Instant::now();
        let dry_run = request.dry_run;
        let reports = self
            .run(
                deployment,
                store,
                pool,
                targets,
                Operation::Apply(options),
                dry_run,
            )
            .await?;
        Ok(self.migrate_response(reports, skipped, started, dry_run))
    }

    /// The answer to a migrate request, its run counted in the metrics unless a dry run.
    pub(super) fn migrate_response(
        &self,
        reports: Vec<RunReport>,
        skipped: Vec<String>,
        started: Instant,
        dry_run: bool,
    ) -> MigrateResponse {
        if !dry_run {
            let applied = reports.iter().map(|r| r.done.len()).sum();
            let failed = reports
                .iter()
                .any(|r| matches!(r.error, Some(ApplyError::Failed { .. })));
            self.metrics.apply_run(applied, failed, started.elapsed());
        }
        let (applied, errors) = outcome(reports);
        MigrateResponse {
            success: errors.is_empty(),
            applied,
            skipped,
            errors,
        }
    }

    /// `POST /api/v1/rollback`: the last batch, the newest `steps`, or down to `to`.
    pub async fn rollback(&self, request: RollbackRequest) -> Result<RollbackResponse, OpError> {
        let connection = self.connection(&request.connection, "connection")?;
        if connection.backend == BackendKind::Etcd {
            key_space_only(&connection, &request.schema, &request.environment, "schema")?;
        }
        let selection = match (request.steps, request.to.as_deref()) {
            (Some(_), Some(_)) => {
                return Err(OpError::bad_request("steps", "give steps or to, not both"));
            }
            (Some(steps), None) => DownSelection::Steps(steps),
            (None, Some(to)) => match parse_version(to, "to")? {
                Some(version) => DownSelection::To(version),
                None => DownSelection::LastBatch,
            },
            (None, None) => DownSelection::LastBatch,
        };
        if connection.backend == BackendKind::Etcd {
            let reports = self
                .rollback_keys(connection, selection, request.dry_run)
                .await?;
            return Ok(rollback_response(reports));
        }
        let choice = single_target(&connection, &request.schema, &request.environment)?;
        let deployment = self.deployment(connection)?;
        let store = self.store().await?;
        let pool = self.pool(&deployment).await?;
        let targets = deployment.targets(&choice, Some(&pool)).await?;
        let reports = self
            .run(
                deployment,
                store,
                pool,
                targets,
                Operation::Down(selection),
                request.dry_run,
            )
            .await?;
        Ok(rollback_response(reports))
    }

    /// Runs `operation` on `targets` through [`Service::spawn_run`].
    async fn run(
        &self,
        deployment: Deployment,
        store: std::sync::Arc<crate::state::AnyStateStore>,
        pool: crate::apply::TargetPool,
        targets: Vec<Target>,
        operation: Operation,
        dry_run: bool,
    ) -> Result<Vec<RunReport>, OpError> {
        let execution = self.execution(dry_run);
        self.spawn_run(async move {
            deployment
                .run(store, &pool, targets, operation, execution, 1)
                .await
        })
        .await
    }

    /// How a run started by a request runs: the server's lock timeout and stop flag.
    pub(super) fn execution(&self, dry_run: bool) -> Execution {
        Execution {
            lock_timeout: self.settings.lock_timeout,
            dry_run,
            stop: self.stop,
        }
    }

    /// Runs `work` in a task of its own, so a request that times out or a client that goes
    /// away never cuts a migration short; shutdown waits for it.
    pub(super) async fn spawn_run<T: Send + 'static>(
        &self,
        work: impl std::future::Future<Output = T> + Send + 'static,
    ) -> Result<T, OpError> {
        let Some(running) = self.runs.clone().try_read_owned().ok() else {
            return Err(OpError::Unavailable("the server is shutting down".into()));
        };
        let task = tokio::spawn(async move {
            let done = work.await;
            drop(running);
            done
        });
        task.await
            .map_err(|error| OpError::Internal(format!("the run stopped: {error}")))
    }

    /// `GET /api/v1/status`: every migration's state per target of the selected connections
    /// (a per-environment connection without a schema or environment: every environment).
    pub async fn status(&self, selection: Selection) -> Result<StatusResponse, OpError> {
        let store = self.store().await?;
        let mut targets = Vec::new();
        for connection in self.selected(&selection.connection)? {
            if connection.backend == BackendKind::Etcd {
                key_space_only(
                    &connection,
                    &selection.schema,
                    &selection.environment,
                    "schema",
                )?;
                let space = self.key_space(connection, false)?;
                let target = space.target();
                let records = store.records(&target).await?;
                targets.push(target_status(target, &space.migrations, &records));
                continue;
            }
            let choice = if connection.is_per_environment() {
                let mut choice =
                    single_target(&connection, &selection.schema, &selection.environment)
                        .unwrap_or_default();
                choice.all_environments = choice.schema.is_none() && choice.environment.is_none();
                choice
            } else {
                single_target(&connection, &selection.schema, &selection.environment)?
            };
            let deployment = Deployment::new(self.config.clone(), connection)?;
            let pool = if choice.all_environments {
                Some(self.pool(&deployment).await?)
            } else {
                None
            };
            for target in deployment.targets(&choice, pool.as_ref()).await? {
                let records = store.records(&target).await?;
                targets.push(target_status(target, &deployment.migrations, &records));
            }
        }
        Ok(StatusResponse { targets })
    }

    /// `GET /api/v1/migrations`: the migration files of the selected connections.
    pub fn migrations(&self, selection: &Selection) -> Result<MigrationsResponse, OpError> {
        let mut connections = Vec::new();
        for connection in self.selected(&selection.connection)? {
            let name = connection.name.clone();
            let backend_name = connection.backend.to_string();
            let migrations = if connection.backend == BackendKind::Etcd {
                self.key_space(connection, false)?.migrations
            } else {
                Deployment::new(self.config.clone(), connection)?
                    .migrations
                    .to_vec()
            };
            connections.push(ConnectionMigrations {
                connection: name,
                backend: backend_name,
                migrations: migrations
                    .iter()
                    .map(|m| MigrationFileInfo {
                        id: m.id().to_string(),
                        version: m.version(),
                        name: m.file.name.clone(),
                        table: m.table.clone(),
                        checksum: m.checksum.clone(),
                    })
                    .collect(),
            });
        }
        Ok(MigrationsResponse { connections })
    }

    /// `GET /health`: whether the state store and each connection with a host answer.
    pub async fn health(&self) -> HealthResponse {
        let state_store = match self.store().await {
            Ok(_) => reachable(),
            Err(error) => unreachable(error.message()),
        };
        let mut connections = Vec::new();
        for connection in self.config.connections.values().filter(|c| c.has_host()) {
            let reachability = match self.ping(connection).await {
                Ok(()) => reachable(),
                Err(message) => unreachable(message),
            };
            connections.push(ConnectionHealth {
                name: connection.name.clone(),
                backend: connection.backend.to_string(),
                reachability,
            });
        }
        HealthResponse {
            healthy: state_store.reachable && connections.iter().all(|c| c.reachability.reachable),
            state_store,
            connections,
        }
    }

    /// The named connection, or every one the server deploys (PostgreSQL, GreptimeDB, etcd)
    /// when `name` is empty.
    pub(super) fn selected(&self, name: &str) -> Result<Vec<Connection>, OpError> {
        if !name.is_empty() {
            return Ok(vec![self.connection(name, "connection")?]);
        }
        Ok(self
            .config
            .connections
            .values()
            .filter(|c| {
                matches!(
                    c.backend,
                    BackendKind::Postgresql | BackendKind::Greptimedb | BackendKind::Etcd
                )
            })
            .cloned()
            .collect())
    }
}

fn reachable() -> Reachability {
    Reachability {
        reachable: true,
        error: None,
    }
}

fn unreachable(message: String) -> Reachability {
    Reachability {
        reachable: false,
        error: Some(message),
    }
}

/// An etcd connection is one key space: a schema or an environment in the request is an error
/// on that field (`schema_field` names where the schema was given).
fn key_space_only(
    connection: &Connection,
    schema: &str,
    environment: &str,
    schema_field: &str,
) -> Result<(), OpError> {
    let field = if !schema.is_empty() {
        schema_field
    } else if !environment.is_empty() {
        "environment"
    } else {
        return Ok(());
    };
    Err(OpError::bad_request(
        field,
        format!(
            "connection {} is an etcd key space (prefix {}): schemas and environments do not apply",
            connection.name,
            crate::backend::etcd::Prefix::of(connection).as_str()
        ),
    ))
}

/// Whether a read-only request's schema and environment fit its connection: an etcd key space
/// takes neither, a fixed-schema connection only its own schema, a per-environment one either
/// or none.
pub(super) fn check_selection(
    connection: &Connection,
    selection: &Selection,
) -> Result<(), OpError> {
    if connection.backend == BackendKind::Etcd {
        return key_space_only(
            connection,
            &selection.schema,
            &selection.environment,
            "schema",
        );
    }
    if connection.is_per_environment()
        && selection.schema.is_empty()
        && selection.environment.is_empty()
    {
        return Ok(());
    }
    single_target(connection, &selection.schema, &selection.environment).map(drop)
}

/// The migrations within `options` that `records` show applied, in file order.
pub(super) fn already_applied(
    migrations: &[Migration],
    records: &[MigrationRecord],
    options: &ApplyOptions,
) -> Vec<String> {
    migrations
        .iter()
        .filter(|m| in_scope(options, &m.table, &m.file.version))
        .filter(|m| {
            records
                .iter()
                .any(|r| r.migration_id == m.id() && r.status == MigrationStatus::Applied)
        })
        .map(|m| m.id().to_string())
        .collect()
}

/// Every migration's state on one target, from its files and its records.
fn target_status(
    target: Target,
    migrations: &[Migration],
    records: &[MigrationRecord],
) -> TargetStatus {
    let changed: Vec<String> = checksum_mismatches(migrations, records)
        .into_iter()
        .map(|m| m.id)
        .collect();
    let migrations = status_rows(migrations, records)
        .into_iter()
        .map(|row| MigrationState {
            checksum_changed: row.checksum_changed || changed.contains(&row.id),
            status: row.status.map_or("pending", MigrationStatus::as_str).into(),
            id: row.id,
            version: row.version,
            applied_at: row.applied_at,
            execution_ms: row.execution_ms,
            file_missing: row.file_missing,
            error: row.error,
        })
        .collect();
    TargetStatus {
        connection: target.connection,
        schema: target.schema,
        migrations,
    }
}

fn rollback_response(reports: Vec<RunReport>) -> RollbackResponse {
    let (rolled_back, errors) = outcome(reports);
    RollbackResponse {
        success: errors.is_empty(),
        rolled_back,
        errors,
    }
}

/// The one value of a field that may be given at two places (`connection` and
/// `target.connection`); both given and different is an error on `field`.
fn one_of<'a>(outer: &'a str, inner: &'a str, field: &str) -> Result<&'a str, OpError> {
    match (outer.is_empty(), inner.is_empty()) {
        (false, false) if outer != inner => Err(OpError::bad_request(
            field,
            format!("{inner:?} differs from {outer:?} given outside target"),
        )),
        (true, _) => Ok(inner),
        _ => Ok(outer),
    }
}

/// The one schema a request names: the fixed schema of a connection, or one environment's.
fn single_target(
    connection: &Connection,
    schema: &str,
    environment: &str,
) -> Result<TargetChoice, OpError> {
    if !connection.is_per_environment() {
        if !environment.is_empty() {
            return Err(OpError::bad_request(
                "environment",
                format!(
                    "connection {} always uses schema {}: it has no environments",
                    connection.name, connection.schema
                ),
            ));
        }
        if !schema.is_empty() && schema != connection.schema {
            return Err(OpError::bad_request(
                "schema",
                format!(
                    "connection {} uses schema {}, not {schema}",
                    connection.name, connection.schema
                ),
            ));
        }
        return Ok(TargetChoice::default());
    }
    match (schema.is_empty(), environment.is_empty()) {
        (true, true) => Err(OpError::bad_request(
            "environment",
            format!(
                "connection {} has one schema per environment ({}): give environment or schema",
                connection.name, connection.schema
            ),
        )),
        (true, false) => Ok(TargetChoice {
            environment: Some(environment.to_string()),
            ..TargetChoice::default()
        }),
        (false, false) if connection.schema_for(environment) != schema => {
            Err(OpError::bad_request(
                "schema",
                format!("schema {schema} is not the schema of environment {environment}"),
            ))
        }
        (false, _) => Ok(TargetChoice {
            schema: Some(schema.to_string()),
            ..TargetChoice::default()
        }),
    }
}

fn parse_version(text: &str, field: &str) -> Result<Option<Version>, OpError> {
    if text.is_empty() {
        return Ok(None);
    }
    Version::parse(text)
        .map(Some)
        .map_err(|error| OpError::bad_request(field, error.to_string()))
}

/// Whether a migration is within an apply's `tables` and `to`.
fn in_scope(options: &ApplyOptions, table: &str, version: &Version) -> bool {
    options.to.is_none_or(|to| *version <= to)
        && options
            .tables
            .as_ref()
            .is_none_or(|tables| tables.iter().any(|t| t == table))
}

/// The migrations done and the errors of every report.
fn outcome(reports: Vec<RunReport>) -> (Vec<String>, Vec<String>) {
    let mut done = Vec::new();
    let mut errors = Vec::new();
    for report in reports {
        done.extend(report.done);
        if let Some(error) = report.error {
            errors.push(error.to_string());
        }
    }
    (done, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_given_twice_must_agree() {
        assert_eq!(one_of("core", "", "target.connection"), Ok("core"));
        assert_eq!(one_of("", "core", "target.connection"), Ok("core"));
        assert_eq!(one_of("core", "core", "target.connection"), Ok("core"));
        let error = one_of("core", "other", "target.connection").unwrap_err();
        assert!(matches!(error, OpError::BadRequest { field, .. } if field == "target.connection"));
    }

    #[test]
    fn a_malformed_version_is_a_bad_request_on_its_field() {
        assert_eq!(parse_version("", "target.version"), Ok(None));
        assert!(
            parse_version("20250101120000", "target.version")
                .unwrap()
                .is_some()
        );
        let error = parse_version("2025", "target.version").unwrap_err();
        assert!(matches!(error, OpError::BadRequest { field, .. } if field == "target.version"));
    }
}
