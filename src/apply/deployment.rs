//! One PostgreSQL connection made ready to deploy: its configuration, its migrations, how to
//! reach its database and the state store, which schemas a run targets, and the run itself.
//! `bfm apply | down | status …` and `bfm serve` both go through here, so a request to the
//! server does exactly what the same command line does.

use super::decide::Migration;
use super::execute::{Execution, RunReport};
use super::fanout::{FanOut, Operation, environment_schemas};
use super::load_migrations;
use super::target::TargetPool;
use crate::backend::postgres::Postgres;
use crate::backend::postgres::inspect::{as_placeholder, inspect};
use crate::backend::{BackendKind, SchemaContext};
use crate::config::{Config, ConfigError, Connection, env_prefix};
use crate::diff::diff;
use crate::migrations::{MigrationError, sum};
use crate::model::{Change, Model};
use crate::source::{LoadError, LoadOptions, apply_sql_text};
use crate::state::{
    AnyStateStore, MigrationRecord, MigrationStatus, StateError, StateStore, Target,
};
use std::collections::BTreeSet;
use std::sync::Arc;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum DeploymentError {
    #[error("connection {connection}: backend {backend} is not supported yet")]
    Unsupported { connection: String, backend: String },
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Migrations(#[from] MigrationError),
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error("cannot connect to connection {connection}'s database: {message}")]
    Connect { connection: String, message: String },
    #[error("cannot list the schemas of connection {connection}: {message}")]
    Schemas { connection: String, message: String },
    #[error("{0}")]
    TargetChoice(String),
    #[error(transparent)]
    State(#[from] StateError),
}

/// Which schemas of a connection a run works on; for a connection with one fixed schema, all
/// empty.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TargetChoice {
    /// One schema of a per-environment connection, by name (`cli_dev`).
    pub schema: Option<String>,
    /// One environment of a per-environment connection (its schema, `cli_{environment}`).
    pub environment: Option<String>,
    /// Every environment: those configured and every existing schema matching the pattern.
    pub all_environments: bool,
}

/// A PostgreSQL connection with the migrations of its directory.
#[derive(Debug, Clone)]
pub struct Deployment {
    pub config: Config,
    pub connection: Connection,
    pub migrations: Arc<Vec<Migration>>,
}

impl Deployment {
    /// Loads the migrations of `connection`; refuses a backend other than PostgreSQL, GreptimeDB
    /// and MySQL (etcd has its own path, `crate::apply::etcd`).
    pub fn new(config: Config, connection: Connection) -> Result<Deployment, DeploymentError> {
        if !matches!(
            connection.backend,
            BackendKind::Postgresql | BackendKind::Greptimedb | BackendKind::Mysql
        ) {
            return Err(DeploymentError::Unsupported {
                connection: connection.name.clone(),
                backend: connection.backend.to_string(),
            });
        }
        let migrations = load_migrations(
            &config.migrations_path(&connection),
            connection.model_schema(),
        )?;
        Ok(Deployment {
            config,
            connection,
            migrations: Arc::new(migrations),
        })
    }

    /// Checks the migrations directory against its `bfm.sum`.
    pub fn verify_sum(&self) -> Result<(), MigrationError> {
        sum::verify(&self.config.migrations_path(&self.connection))
    }

    /// A pool on the connection's database with room for `max_connections`: PostgreSQL's
    /// protocol, or MySQL's for GreptimeDB.
    pub async fn pool(&self, max_connections: u32) -> Result<TargetPool, DeploymentError> {
        let name = &self.connection.name;
        let url = self
            .connection
            .database_url()
            .ok_or_else(|| ConfigError::Missing {
                variable: format!("{}_DB_HOST", env_prefix(name)),
                setting: format!("connections.{name}.host"),
            })?;
        TargetPool::connect(
            self.connection.backend,
            url.expose(),
            max_connections.max(1),
        )
        .await
        .map_err(|error| DeploymentError::Connect {
            connection: name.clone(),
            message: error.to_string(),
        })
    }

    /// The configured state store, its tables created when missing.
    pub async fn store(&self) -> Result<Arc<AnyStateStore>, DeploymentError> {
        Ok(Arc::new(open_state_store(&self.config).await?))
    }

    /// Where the live schema of `target` differs from the replay of the migrations recorded as
    /// applied there, as the changes that would bring the database back in line; `None` for a
    /// backend whose live schema bfm does not read yet (GreptimeDB).
    pub async fn drift(
        &self,
        pool: &TargetPool,
        target: &Target,
        records: &[MigrationRecord],
    ) -> Result<Option<Vec<String>>, DeploymentError> {
        let TargetPool::Postgres(pool) = pool else {
            return Ok(None);
        };
        let applied: BTreeSet<&str> = records
            .iter()
            .filter(|r| r.status == MigrationStatus::Applied)
            .map(|r| r.migration_id.as_str())
            .collect();
        let context = SchemaContext {
            default_schema: self.connection.model_schema().to_string(),
        };
        let options = LoadOptions {
            dialect: &Postgres,
            context: &context,
        };
        let mut expected = Model::default();
        for migration in self.migrations.iter().filter(|m| applied.contains(m.id())) {
            let path = migration.file.up_path();
            let text = std::fs::read_to_string(path).map_err(|source| MigrationError::Io {
                path: path.to_path_buf(),
                source,
            })?;
            let section = migration.file.up_section();
            apply_sql_text(&mut expected, &text, path, options, |s| s == section)?;
        }
        let live = self.live_model(pool, &target.schema).await?;
        Ok(Some(
            diff(&live, &expected)
                .iter()
                .map(Change::describe)
                .collect(),
        ))
    }

    /// The live model of one schema of the connection's PostgreSQL database, a per-environment
    /// schema renamed to the connection's placeholder schema (as the desired state names it).
    pub async fn live_model(
        &self,
        pool: &sqlx::PgPool,
        schema: &str,
    ) -> Result<Model, DeploymentError> {
        let live = inspect(pool, &[schema.to_string()], &Postgres)
            .await
            .map_err(|error| DeploymentError::Connect {
                connection: self.connection.name.clone(),
                message: error.to_string(),
            })?;
        Ok(if self.connection.is_per_environment() {
            as_placeholder(live, schema, self.connection.model_schema())
        } else {
            live
        })
    }

    /// The schemas `choice` names; `pool` lists existing environments for `all_environments`
    /// (a new pool is opened when none is given).
    pub async fn targets(
        &self,
        choice: &TargetChoice,
        pool: Option<&TargetPool>,
    ) -> Result<Vec<Target>, DeploymentError> {
        let connection = &self.connection;
        let schemas = if !connection.is_per_environment() {
            if choice.schema.is_some() || choice.environment.is_some() || choice.all_environments {
                return Err(DeploymentError::TargetChoice(format!(
                    "connection {} always uses schema {}: --schema, --environment and \
                     --all-environments are for per-environment connections",
                    connection.name, connection.schema
                )));
            }
            vec![connection.schema.clone()]
        } else if let Some(schema) = &choice.schema {
            vec![schema.clone()]
        } else if let Some(environment) = &choice.environment {
            vec![connection.schema_for(environment)]
        } else if choice.all_environments {
            let connected;
            let pool = match pool {
                Some(pool) => pool,
                None => {
                    connected = self.pool(1).await?;
                    &connected
                }
            };
            environment_schemas(pool, connection)
                .await
                .map_err(|error| DeploymentError::Schemas {
                    connection: connection.name.clone(),
                    message: error.to_string(),
                })?
        } else {
            return Err(DeploymentError::TargetChoice(format!(
                "connection {} has one schema per environment ({}): choose --environment, \
                 --schema or --all-environments (configured environments: {})",
                connection.name,
                connection.schema,
                if connection.environments.is_empty() {
                    "none".to_string()
                } else {
                    connection.environments.join(", ")
                }
            )));
        };
        Ok(schemas
            .into_iter()
            .map(|schema| Target {
                connection: connection.name.clone(),
                schema,
            })
            .collect())
    }

    /// Runs `operation` on every target, at most `jobs` at a time, each under the state store's
    /// lock of its target; one report per target, in target order.
    pub async fn run<S: StateStore + 'static>(
        &self,
        store: Arc<S>,
        pool: &TargetPool,
        targets: Vec<Target>,
        operation: Operation,
        execution: Execution,
        jobs: usize,
    ) -> Vec<RunReport> {
        let fan_out = FanOut {
            store,
            pool: pool.clone(),
            migrations: self.migrations.clone(),
            // A MySQL connection's schema is its database: its SQL is unqualified, so every
            // session `USE`s it (created when missing).
            set_search_path: self.connection.is_per_environment()
                || self.connection.backend == BackendKind::Mysql,
            execution,
            jobs,
        };
        fan_out.run(targets, operation).await
    }
}

/// Connects to the state store `config` names and creates its tables when missing.
pub async fn open_state_store(config: &Config) -> Result<AnyStateStore, StateError> {
    let store = AnyStateStore::connect(&config.state, &config.root).await?;
    store.ensure_tables().await?;
    Ok(store)
}
