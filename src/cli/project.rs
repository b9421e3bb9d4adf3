//! One connection's plan: load its desired state, replay its migrations, diff, assess, plan.

use super::CliError;
use crate::backend::{Dialect, RenderContext, SchemaContext, dialect};
use crate::config::{Config, Connection};
use crate::diff::{DiffOptions, GreptimeVersion, assess, diff_with};
use crate::migrations::{self, replay, sum};
use crate::model::Model;
use crate::plan::{Plan, plan};
use crate::source::{LoadOptions, load_path};
use std::path::{Path, PathBuf};

/// What `plan` and `generate` know about one connection.
pub struct ConnectionPlan {
    pub connection: Connection,
    /// `compared schema/core with a replay of generated/postgresql/core (12 migrations)`.
    pub compared_with: String,
    pub migrations_dir: PathBuf,
    pub plan: Plan,
    /// The model the plan applies to (the replay of the migrations).
    pub current: Model,
    pub dialect: &'static dyn Dialect,
    pub render: RenderContext,
}

/// The dialect of a connection's backend, or an error saying it is not supported yet.
pub fn connection_dialect(connection: &Connection) -> Result<&'static dyn Dialect, CliError> {
    dialect(connection.backend).ok_or_else(|| CliError::Unsupported {
        connection: connection.name.clone(),
        backend: connection.backend.to_string(),
    })
}

/// How a connection's SQL is rendered: a per-environment connection's objects unqualified, and
/// the enums of `models` (its current and desired state) known as user types.
pub fn render_context(connection: &Connection, models: &[&Model]) -> RenderContext {
    // A MySQL connection's schema is the database its SQL runs in: names print unqualified.
    let unqualified = if connection.backend == crate::backend::BackendKind::Mysql {
        Some(connection.model_schema().to_string())
    } else {
        connection
            .is_per_environment()
            .then(|| connection.name.clone())
    };
    RenderContext::for_models(models, unqualified)
}

/// The server facts the diff needs: for GreptimeDB, the connection's `server_version`
/// (`{CONN}_SERVER_VERSION` or bfm.yaml, checked when the configuration is read; default: the
/// current 1.x line).
pub fn diff_options(connection: &Connection) -> DiffOptions {
    let greptime_version = connection
        .server_version
        .as_deref()
        .and_then(GreptimeVersion::parse)
        .unwrap_or(GreptimeVersion::DEFAULT);
    DiffOptions { greptime_version }
}

/// Replays a migrations directory with `options`, after checking its `bfm.sum`.
pub fn replay_dir(dir: &Path, options: LoadOptions<'_>) -> Result<migrations::Replay, CliError> {
    sum::verify(dir)?;
    let mut apply = |model: &mut Model, text: &str, file: &Path, section| {
        crate::source::apply_sql_text(model, text, file, options, |s| s == section)
    };
    Ok(replay(dir, &mut apply)?)
}

/// Plans one connection against the replay of its migrations.
pub fn plan_connection(
    config: &Config,
    connection: &Connection,
) -> Result<ConnectionPlan, CliError> {
    if connection.backend == crate::backend::BackendKind::Etcd {
        return super::etcd::plan_connection(config, connection);
    }
    let dialect = connection_dialect(connection)?;
    let context = SchemaContext {
        default_schema: connection.model_schema().to_string(),
    };
    let options = LoadOptions {
        dialect,
        context: &context,
    };
    let schema_dir = config.schema_path(connection);
    let migrations_dir = config.migrations_path(connection);
    let desired = load_path(&schema_dir, options)?;
    let replayed = replay_dir(&migrations_dir, options)?;
    let changes = diff_with(&replayed.model, &desired, &diff_options(connection));
    let assessed = assess(changes, &replayed.model, &desired);
    let compared_with = format!(
        "compared {} with a replay of {} ({})",
        relative(config, &schema_dir),
        relative(config, &migrations_dir),
        count(replayed.migrations.len(), "migration")
    );
    let render = render_context(connection, &[&replayed.model, &desired]);
    Ok(ConnectionPlan {
        connection: connection.clone(),
        compared_with,
        migrations_dir,
        plan: plan(assessed)?,
        current: replayed.model,
        dialect,
        render,
    })
}

/// `path` as the user sees it: relative to the project root.
pub fn relative(config: &Config, path: &Path) -> String {
    path.strip_prefix(&config.root)
        .unwrap_or(path)
        .display()
        .to_string()
}

/// `1 migration`, `12 migrations`.
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// The connections a command works on: the one named, or every one with a SQL dialect (the
/// others are reported on stderr and skipped).
pub fn selected_connections<'a>(
    config: &'a Config,
    name: Option<&str>,
) -> Result<Vec<&'a Connection>, CliError> {
    if let Some(name) = name {
        return Ok(vec![config.connection(name)?]);
    }
    let mut selected = Vec::new();
    for connection in config.connections.values() {
        if dialect(connection.backend).is_some() {
            selected.push(connection);
        } else {
            eprintln!(
                "note: skipping connection {} ({} is not supported yet)",
                connection.name, connection.backend
            );
        }
    }
    Ok(selected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_pluralized() {
        assert_eq!(count(1, "migration"), "1 migration");
        assert_eq!(count(12, "migration"), "12 migrations");
        assert_eq!(count(0, "migration"), "0 migrations");
    }
}
