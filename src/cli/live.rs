//! The commands that read a live database: `plan` against the configured database, `diff` with
//! database URLs, `inspect` and `check`. Each builds its own tokio runtime; the rest of the CLI
//! stays synchronous.

use super::project::{ConnectionPlan, connection_dialect, relative, render_context};
use super::{CheckArgs, CliError, InspectArgs, InspectFormat, Outcome};
use crate::backend::mysql::Mysql;
use crate::backend::postgres::Postgres;
use crate::backend::postgres::inspect::{as_placeholder, inspect};
use crate::backend::{BackendKind, Dialect, RenderContext, SchemaContext};
use crate::config::{Config, Connection};
use crate::diff::{assess, diff};
use crate::model::Model;
use crate::plan::plan;
use crate::source::write::{routines_file, sql_files, yaml_files};
use crate::source::{LoadOptions, load_path};
use std::collections::BTreeMap;
use std::path::Path;

/// Whether a `diff` side names a database rather than a file.
pub fn is_database_url(source: &str) -> bool {
    source.starts_with("postgres://") || source.starts_with("postgresql://") || is_mysql_url(source)
}

/// Whether a URL names a MySQL/MariaDB database.
pub fn is_mysql_url(source: &str) -> bool {
    source.starts_with("mysql://") || source.starts_with("mariadb://")
}

/// Reads the MySQL/MariaDB database at `url` (its path names the database) into the model
/// schema `schema`; an unreachable database is an error naming it (without its password).
pub fn inspect_mysql_database(url: &str, schema: &str) -> Result<Model, CliError> {
    inspect_mysql(url, None, schema)
}

/// Reads database `database` (the URL's own when `None`) of the MySQL server at `url` into
/// schema `schema` of a model.
fn inspect_mysql(url: &str, database: Option<&str>, schema: &str) -> Result<Model, CliError> {
    let shown = display_url(url);
    let failed = |reason: String| CliError::Database {
        url: shown.clone(),
        reason,
    };
    let url = match url.strip_prefix("mariadb://") {
        Some(rest) => format!("mysql://{rest}"),
        None => url.to_string(),
    };
    let url_database = url
        .split_once("://")
        .and_then(|(_, rest)| rest.split_once('/'))
        .map(|(_, path)| path.split('?').next().unwrap_or("").to_string())
        .filter(|d| !d.is_empty())
        .ok_or_else(|| failed("the URL names no database (mysql://host/database)".into()))?;
    let database = database.map_or(url_database, str::to_string);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| failed(e.to_string()))?;
    runtime.block_on(async {
        let pool = sqlx::mysql::MySqlPoolOptions::new()
            .max_connections(1)
            .acquire_timeout(std::time::Duration::from_secs(10))
            .connect(&url)
            .await
            .map_err(|e| failed(e.to_string()))?;
        let model = crate::backend::mysql::inspect::inspect(&pool, &database, schema)
            .await
            .map_err(|e| failed(e.to_string()));
        pool.close().await;
        model
    })
}

/// A URL with its `?schema=a,b` taken off: the URL to connect to and the schemas named.
pub fn split_schemas(url: &str) -> (String, Vec<String>) {
    let Some((base, query)) = url.split_once('?') else {
        return (url.to_string(), Vec::new());
    };
    let mut kept = Vec::new();
    let mut schemas = Vec::new();
    for pair in query.split('&') {
        match pair.strip_prefix("schema=") {
            Some(list) => schemas.extend(
                list.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string),
            ),
            None => kept.push(pair),
        }
    }
    let url = if kept.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    (url, schemas)
}

/// The URL as it may be shown: scheme, host, port and database, never the user or password.
pub fn display_url(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("postgres", url));
    let rest = rest.split_once('?').map_or(rest, |(r, _)| r);
    let host_part = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
    format!("{scheme}://{host_part}")
}

/// Reads `schemas` of the PostgreSQL database at `url`; an unreachable database is an error
/// naming it (without its password).
pub fn inspect_database(url: &str, schemas: &[String]) -> Result<Model, CliError> {
    let shown = display_url(url);
    let failed = |reason: String| CliError::Database {
        url: shown.clone(),
        reason,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| failed(e.to_string()))?;
    runtime.block_on(async {
        let pool = sqlx::postgres::PgPoolOptions::new()
            .max_connections(1)
            .acquire_timeout(std::time::Duration::from_secs(10))
            .connect(url)
            .await
            .map_err(|e| failed(e.to_string()))?;
        let model = inspect(&pool, schemas, &Postgres)
            .await
            .map_err(|e| failed(e.to_string()));
        pool.close().await;
        model
    })
}

/// The live database of a connection: its URL (a secret), the schema to read (a per-environment
/// connection's for `environment`, by default its first), and the model read from it, with a
/// per-environment schema renamed to the connection's placeholder schema.
pub struct LiveConnection {
    pub url: String,
    pub live_schema: String,
    pub model: Model,
}

/// Inspects a connection's database.
pub fn inspect_connection(
    connection: &Connection,
    environment: Option<&str>,
) -> Result<LiveConnection, CliError> {
    let mut live = inspect_connections(&[connection], environment)?;
    live.pop()
        .ok_or_else(|| CliError::NoHost(connection.name.clone()))
}

/// Inspects the databases of `connections`, in their order: connections on the same database
/// (the same URL) are read by one inspection of all their schemas, whose model is split per
/// connection, so the catalog is scanned once per database, not once per connection.
pub fn inspect_connections(
    connections: &[&Connection],
    environment: Option<&str>,
) -> Result<Vec<LiveConnection>, CliError> {
    let mut targets = Vec::with_capacity(connections.len());
    let mut models_mysql = Vec::new();
    let mut schemas_by_url: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for connection in connections {
        if connection.backend == BackendKind::Mysql {
            let url = connection
                .database_url()
                .ok_or_else(|| CliError::NoHost(connection.name.clone()))?
                .expose()
                .to_string();
            let live_schema = live_schema(connection, environment)?;
            // The connection's database is its schema, whichever database the URL names.
            let model = inspect_mysql(&url, Some(&live_schema), connection.model_schema())?;
            targets.push((connection, url, live_schema));
            models_mysql.push(model);
            continue;
        }
        if connection.backend != BackendKind::Postgresql {
            return Err(CliError::Unsupported {
                connection: connection.name.clone(),
                backend: connection.backend.to_string(),
            });
        }
        let url = connection
            .database_url()
            .ok_or_else(|| CliError::NoHost(connection.name.clone()))?
            .expose()
            .to_string();
        let live_schema = live_schema(connection, environment)?;
        let schemas = schemas_by_url.entry(url.clone()).or_default();
        if !schemas.contains(&live_schema) {
            schemas.push(live_schema.clone());
        }
        targets.push((connection, url, live_schema));
    }
    let mut models = BTreeMap::new();
    for (url, schemas) in &schemas_by_url {
        models.insert(url.clone(), inspect_database(url, schemas)?);
    }
    let mut live = Vec::with_capacity(targets.len());
    let mut models_mysql = models_mysql.into_iter();
    for (connection, url, live_schema) in targets {
        if connection.backend == BackendKind::Mysql {
            let model = models_mysql.next().unwrap_or_default();
            live.push(LiveConnection {
                url,
                live_schema,
                model,
            });
            continue;
        }
        let model = models
            .get(&url)
            .map(|database| schema_of(database, &live_schema))
            .unwrap_or_default();
        let model = if connection.is_per_environment() {
            as_placeholder(model, &live_schema, connection.model_schema())
        } else {
            model
        };
        live.push(LiveConnection {
            url,
            live_schema,
            model,
        });
    }
    Ok(live)
}

/// The part of a database's model one connection sees: its schema and the database-wide
/// extensions.
fn schema_of(database: &Model, schema: &str) -> Model {
    Model {
        schemas: database
            .schemas
            .get(schema)
            .map(|s| BTreeMap::from([(schema.to_string(), s.clone())]))
            .unwrap_or_default(),
        extensions: database.extensions.clone(),
    }
}

/// The schema a connection's database holds: the fixed one, or the environment's.
fn live_schema(connection: &Connection, environment: Option<&str>) -> Result<String, CliError> {
    if !connection.is_per_environment() {
        return Ok(connection.schema.clone());
    }
    let environment = environment
        .map(str::to_string)
        .or_else(|| connection.environments.first().cloned())
        .ok_or_else(|| CliError::NoEnvironment(connection.name.clone()))?;
    Ok(connection.schema_for(&environment))
}

/// A connection's desired state, from its schema directory.
fn desired_state(config: &Config, connection: &Connection) -> Result<Model, CliError> {
    let dialect = connection_dialect(connection)?;
    let context = SchemaContext {
        default_schema: connection.model_schema().to_string(),
    };
    let options = LoadOptions {
        dialect,
        context: &context,
    };
    Ok(load_path(&config.schema_path(connection), options)?)
}

/// The desired states of `connections`, in their order, each loaded on a thread of its own:
/// parsing the schema files is the costly part of a plan, and connections are independent.
fn desired_states(config: &Config, connections: &[&Connection]) -> Result<Vec<Model>, CliError> {
    std::thread::scope(|scope| {
        let loads: Vec<_> = connections
            .iter()
            .map(|connection| scope.spawn(move || desired_state(config, connection)))
            .collect();
        loads
            .into_iter()
            .map(|load| {
                load.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    })
}

/// Plans connections against their live databases, in their order. The desired states are
/// loaded from the files on other threads while the databases are read, since the two are
/// independent and one waits on the server.
pub fn plan_live(
    config: &Config,
    connections: &[&Connection],
    environment: Option<&str>,
) -> Result<Vec<ConnectionPlan>, CliError> {
    let (desired, live) = std::thread::scope(|scope| {
        let loading = scope.spawn(|| desired_states(config, connections));
        let live = inspect_connections(connections, environment);
        let desired = loading
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (desired, live)
    });
    let (desired, live) = (desired?, live?);
    connections
        .iter()
        .zip(desired.into_iter().zip(live))
        .map(|(connection, (desired, live))| plan_against(config, connection, &desired, live))
        .collect()
}

/// One connection's plan from its desired state to its live database.
fn plan_against(
    config: &Config,
    connection: &Connection,
    desired: &Model,
    live: LiveConnection,
) -> Result<ConnectionPlan, CliError> {
    let dialect = connection_dialect(connection)?;
    let assessed = assess(diff(&live.model, desired), &live.model, desired);
    let compared_with = format!(
        "compared {} with the live database {} (schema {})",
        relative(config, &config.schema_path(connection)),
        display_url(&live.url),
        live.live_schema
    );
    let render = render_context(connection, &[&live.model, desired]);
    Ok(ConnectionPlan {
        connection: connection.clone(),
        compared_with,
        migrations_dir: config.migrations_path(connection),
        plan: plan(assessed)?,
        current: live.model,
        dialect,
        render,
    })
}

/// `bfm check`: the changes that would make the live database match the desired state, one
/// line each; none means it matches.
pub fn check(config: &Config, args: &CheckArgs) -> Result<Outcome, CliError> {
    let connections = super::project::selected_connections(config, args.connection.as_deref())?;
    let mut lines = Vec::new();
    for connection in connections {
        let desired = desired_state(config, connection)?;
        let live = inspect_connection(connection, args.environment.as_deref())?;
        let changes = diff(&live.model, &desired);
        let place = format!(
            "{} (schema {} at {})",
            connection.name,
            live.live_schema,
            display_url(&live.url)
        );
        if changes.is_empty() {
            super::commands::print_stdout(&format!("{place}: matches the desired state\n"))?;
        } else {
            lines.push(format!("{place}: {} to change", changes.len()));
            lines.extend(changes.iter().map(|c| format!("  {}", c.describe())));
        }
    }
    if lines.is_empty() {
        Ok(Outcome::Done)
    } else {
        Err(CliError::Drift(lines))
    }
}

/// `bfm inspect`: the live database as schema files, on stdout or into `--out`.
pub fn inspect_command(
    config_path: Option<&Path>,
    args: &InspectArgs,
) -> Result<Outcome, CliError> {
    let (model, model_schema, render, dialect): (_, _, _, &dyn Dialect) = match &args.url {
        Some(url) if is_mysql_url(url) => {
            let schema = args.schema.clone().unwrap_or_else(|| "public".into());
            let model = inspect_mysql_database(url, &schema)?;
            // The files run in the database they are loaded for: names print unqualified.
            let render = RenderContext::for_models(&[&model], Some(schema.clone()));
            (model, schema, render, &Mysql)
        }
        Some(url) => {
            let (url, mut schemas) = split_schemas(url);
            if let Some(schema) = &args.schema {
                schemas.push(schema.clone());
            }
            let model = inspect_database(&url, &schemas)?;
            let default = schemas.first().cloned().unwrap_or_else(|| "public".into());
            let render = RenderContext::for_models(&[&model], None);
            (model, default, render, &Postgres)
        }
        None => {
            let config = super::commands::load_config(config_path)?;
            let connection =
                super::commands::single_connection(&config, args.connection.as_deref())?;
            let live = inspect_connection(connection, args.environment.as_deref())?;
            let render = render_context(connection, &[&live.model]);
            let schema = connection.model_schema().to_string();
            (live.model, schema, render, connection_dialect(connection)?)
        }
    };
    let files = match args.format {
        // The YAML format has no place for MySQL's table options, partitions, events or
        // triggers: a YAML file would load back to another model.
        InspectFormat::Yaml if dialect.kind() == BackendKind::Mysql => {
            return Err(CliError::InspectMysqlYaml);
        }
        InspectFormat::Yaml => {
            let mut files = yaml_files(&model, &model_schema);
            files.extend(routines_file(&model, dialect, &render)?);
            files
        }
        InspectFormat::Sql => sql_files(&model, dialect, &render)?,
    };
    match &args.out {
        Some(dir) => {
            std::fs::create_dir_all(dir)?;
            let mut report = String::new();
            for file in &files {
                let path = dir.join(&file.name);
                std::fs::write(&path, &file.text)?;
                report.push_str(&format!("wrote {}\n", path.display()));
            }
            super::commands::print_stdout(&report)?;
        }
        None => {
            let text: String = files
                .iter()
                .map(|f| format!("# file: {}\n{}", f.name, f.text))
                .collect();
            super::commands::print_stdout(&text)?;
        }
    }
    Ok(Outcome::Done)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemas_are_taken_off_the_url() {
        assert_eq!(
            split_schemas("postgres://u:p@h:5432/db?schema=a,b&sslmode=disable"),
            (
                "postgres://u:p@h:5432/db?sslmode=disable".to_string(),
                vec!["a".to_string(), "b".to_string()]
            )
        );
        assert_eq!(
            split_schemas("postgres://h/db"),
            ("postgres://h/db".to_string(), vec![])
        );
    }

    #[test]
    fn shown_urls_never_carry_credentials() {
        assert_eq!(
            display_url("postgres://app:s3cret@db.internal:5432/core?sslmode=require"),
            "postgres://db.internal:5432/core"
        );
        assert_eq!(display_url("postgres://h/db"), "postgres://h/db");
    }
}
