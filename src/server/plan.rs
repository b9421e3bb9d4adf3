//! `POST /api/v1/plan`: each connection's plan against its live database when one is
//! configured and answers (as `bfm plan` does), otherwise against the replay of its
//! migrations (as `bfm plan --offline`), and which of the two it compared with. The live
//! state is read here with the library's inspectors; the plan itself is built by the same
//! pure steps as the command line (load, diff, assess, plan).

use super::Service;
use super::ops::{OpError, Selection};
use crate::apply::TargetPool;
use crate::apply::deployment::Deployment;
use crate::backend::etcd::{Etcd, PAGE_SIZE, Prefix};
use crate::backend::{BackendKind, RenderContext, SchemaContext, dialect};
use crate::cli::CliError;
use crate::cli::live::display_url;
use crate::cli::output::{ConnectionReport, Report};
use crate::cli::project::{
    ConnectionPlan, connection_dialect, count, diff_options, plan_connection, relative,
    render_context,
};
use crate::config::{Config, Connection};
use crate::diff::{assess, diff, diff_with};
use crate::model::Model;
use crate::source::{LoadOptions, load_key_files, load_path};
use serde::Serialize;
use std::time::Duration;

/// How long reading a live state may take before the plan falls back to the replay.
const LIVE_TIMEOUT: Duration = Duration::from_secs(60);

/// How long connecting to a live database may take before the plan falls back to the replay.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, Serialize)]
pub struct PlanResponse {
    /// Whether any connection has changes to generate.
    pub pending: bool,
    pub connections: Vec<PlannedConnection>,
}

/// What the plan of a connection was compared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ComparedAgainst {
    /// The connection's database (its schema, or its etcd keys) as it is now.
    LiveDatabase,
    /// The replay of the connection's migrations directory (`generated/…`).
    Replay,
}

impl ComparedAgainst {
    pub fn as_str(self) -> &'static str {
        match self {
            ComparedAgainst::LiveDatabase => "live_database",
            ComparedAgainst::Replay => "replay",
        }
    }
}

#[derive(Debug, Serialize)]
pub struct PlannedConnection {
    #[serde(flatten)]
    pub report: ConnectionReport,
    pub compared_against: ComparedAgainst,
    /// Why a configured database was not compared with (unreachable, no environment given, a
    /// backend whose live schema bfm does not read); absent when it was, or none is configured.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub live_error: Option<String>,
}

/// The live state of one connection, or why there is none.
enum Live {
    /// The current model and the `compared …` sentence.
    Read(Model, String),
    /// No database configured: the replay, silently.
    NotConfigured,
    /// A database is configured but was not read: the replay, and why.
    Failed(String),
}

impl Service {
    /// The plan of the selected connection (or of every one with a dialect).
    pub async fn plan(&self, selection: Selection) -> Result<PlanResponse, OpError> {
        let connections: Vec<Connection> = if selection.connection.is_empty() {
            self.config
                .connections
                .values()
                .filter(|c| dialect(c.backend).is_some())
                .cloned()
                .collect()
        } else {
            let connection = self.connection(&selection.connection, "connection")?;
            super::ops::check_selection(&connection, &selection)?;
            vec![connection]
        };
        let mut lives = Vec::with_capacity(connections.len());
        for connection in &connections {
            lives.push(self.live(connection, &selection).await);
        }
        let config = self.config.clone();
        tokio::task::spawn_blocking(move || plan_all(&config, connections, lives))
            .await
            .map_err(|error| OpError::Internal(format!("the plan stopped: {error}")))?
    }

    /// Reads the connection's live state, if it has a database configured.
    async fn live(&self, connection: &Connection, selection: &Selection) -> Live {
        if !connection.has_host() {
            return Live::NotConfigured;
        }
        let read = async {
            match connection.backend {
                BackendKind::Etcd => self.live_keys(connection).await,
                BackendKind::Postgresql => self.live_schema(connection, selection).await,
                backend => Err(format!(
                    "bfm does not read a {backend} database's live schema yet"
                )),
            }
        };
        match tokio::time::timeout(LIVE_TIMEOUT, read).await {
            Ok(Ok((model, compared_with))) => Live::Read(model, compared_with),
            Ok(Err(reason)) => Live::Failed(reason),
            Err(_) => Live::Failed(format!(
                "the database did not answer within {}s",
                LIVE_TIMEOUT.as_secs()
            )),
        }
    }

    /// A PostgreSQL connection's schema: the fixed one, or the requested environment's (by
    /// default its first configured environment, as `bfm plan` does).
    async fn live_schema(
        &self,
        connection: &Connection,
        selection: &Selection,
    ) -> Result<(Model, String), String> {
        let schema = if !connection.is_per_environment() {
            connection.schema.clone()
        } else if !selection.schema.is_empty() {
            selection.schema.clone()
        } else if let Some(environment) = (!selection.environment.is_empty())
            .then_some(selection.environment.as_str())
            .or(connection.environments.first().map(String::as_str))
        {
            connection.schema_for(environment)
        } else {
            return Err(format!(
                "connection {} has one schema per environment and none configured: give \
                 environment or schema to compare with a live one",
                connection.name
            ));
        };
        let deployment = Deployment::new(self.config.clone(), connection.clone())
            .map_err(|error| error.to_string())?;
        let pool = tokio::time::timeout(CONNECT_TIMEOUT, self.pool(&deployment))
            .await
            .map_err(|_| {
                format!(
                    "connection {}: no connection within {}s",
                    connection.name,
                    CONNECT_TIMEOUT.as_secs()
                )
            })?
            .map_err(|error| error.message())?;
        let TargetPool::Postgres(pool) = pool else {
            return Err("not a PostgreSQL pool".into());
        };
        let model = deployment
            .live_model(&pool, &schema)
            .await
            .map_err(|error| error.to_string())?;
        let url = connection
            .database_url()
            .map(|url| display_url(url.expose()))
            .unwrap_or_default();
        let compared_with = format!(
            "compared {} with the live database {url} (schema {schema})",
            relative(&self.config, &self.config.schema_path(connection)),
        );
        Ok((model, compared_with))
    }

    /// An etcd connection's keys under its prefix.
    async fn live_keys(&self, connection: &Connection) -> Result<(Model, String), String> {
        let mut client = self
            .etcd_client(connection)
            .await
            .map_err(|error| error.message())?;
        let prefix = Prefix::of(connection);
        let live = crate::backend::etcd::inspect(&mut client, &prefix, PAGE_SIZE)
            .await
            .map_err(|error| format!("connection {}: {error}", connection.name))?;
        let compared_with = format!(
            "compared {} with the live keys under {} ({} in {})",
            relative(&self.config, &self.config.schema_path(connection)),
            prefix.as_str(),
            count(live.revisions.len(), "key"),
            count(live.pages, "range read")
        );
        Ok((live.model, compared_with))
    }
}

/// Every connection's plan, in order: against its live state when read, else the replay.
fn plan_all(
    config: &Config,
    connections: Vec<Connection>,
    lives: Vec<Live>,
) -> Result<PlanResponse, OpError> {
    let mut plans = Vec::with_capacity(connections.len());
    let mut sources = Vec::with_capacity(connections.len());
    for (connection, live) in connections.iter().zip(lives) {
        let (plan, source) = match live {
            Live::Read(current, compared_with) => (
                plan_live(config, connection, current, compared_with),
                (ComparedAgainst::LiveDatabase, None),
            ),
            Live::NotConfigured => (
                plan_connection(config, connection),
                (ComparedAgainst::Replay, None),
            ),
            Live::Failed(reason) => (
                plan_connection(config, connection),
                (ComparedAgainst::Replay, Some(reason)),
            ),
        };
        plans.push(plan.map_err(|error| OpError::Internal(error.to_string()))?);
        sources.push(source);
    }
    let report = Report::new(&plans);
    Ok(PlanResponse {
        pending: report.pending,
        connections: report
            .connections
            .into_iter()
            .zip(sources)
            .map(
                |(report, (compared_against, live_error))| PlannedConnection {
                    report,
                    compared_against,
                    live_error,
                },
            )
            .collect(),
    })
}

/// One connection's plan from `current` (its live state) to its desired state: the steps of
/// `bfm plan` against a live database.
fn plan_live(
    config: &Config,
    connection: &Connection,
    current: Model,
    compared_with: String,
) -> Result<ConnectionPlan, CliError> {
    let schema_dir = config.schema_path(connection);
    let (changes, desired, dialect, render) = if connection.backend == BackendKind::Etcd {
        let desired = load_key_files(&schema_dir, connection.model_schema())?;
        let changes = diff(&current, &desired);
        (changes, desired, &Etcd as _, RenderContext::default())
    } else {
        let dialect = connection_dialect(connection)?;
        let context = SchemaContext {
            default_schema: connection.model_schema().to_string(),
        };
        let options = LoadOptions {
            dialect,
            context: &context,
        };
        let desired = load_path(&schema_dir, options)?;
        let changes = diff_with(&current, &desired, &diff_options(connection));
        let render = render_context(connection, &[&current, &desired]);
        (changes, desired, dialect, render)
    };
    let assessed = assess(changes, &current, &desired);
    Ok(ConnectionPlan {
        connection: connection.clone(),
        compared_with,
        migrations_dir: config.migrations_path(connection),
        plan: crate::plan::plan(assessed)?,
        current,
        dialect,
        render,
    })
}
