//! The commands themselves, each a few library calls and some printing.

use super::output::{self, Gate, Report};
use super::project::{ConnectionPlan, plan_connection, relative, replay_dir, selected_connections};
use super::{CliError, CreateArgs, DiffArgs, Format, GenerateArgs, HashArgs, Outcome, PlanArgs};
use crate::backend::{BackendKind, RenderContext, SchemaContext, dialect};
use crate::config::{Config, Connection};
use crate::diff::{assess, diff as diff_models};
use crate::migrations::render::{sql_script, statements};
use crate::migrations::write::{GenerateSettings, create_hand_written, write_plan};
use crate::migrations::{
    MigrationError, Version, VersionClock, newest_version, sanitize_name, sum,
};
use crate::model::{Change, Model};
use crate::plan::plan as plan_changes;
use crate::source::{LoadOptions, load_path};
use std::io::Write as _;
use std::path::Path;

pub(super) fn load_config(path: Option<&Path>) -> Result<Config, CliError> {
    Ok(Config::discover(path, &|name| std::env::var(name).ok())?)
}

pub(super) fn print_stdout(text: &str) -> Result<(), CliError> {
    let mut stdout = anstream::stdout();
    stdout.write_all(text.as_bytes())?;
    stdout.flush()?;
    Ok(())
}

/// `bfm plan`.
pub fn plan(config_path: Option<&Path>, args: &PlanArgs) -> Result<Outcome, CliError> {
    let config = load_config(config_path)?;
    let selected = selected_connections(&config, args.connection.as_deref())?;
    let is_live = |connection: &Connection| {
        connection.has_host() && !args.offline && connection.backend != BackendKind::Etcd
    };
    let live: Vec<&Connection> = selected.iter().copied().filter(|c| is_live(c)).collect();
    let mut live_plans =
        super::live::plan_live(&config, &live, args.environment.as_deref())?.into_iter();
    let mut plans = Vec::new();
    for connection in selected {
        if connection.backend == BackendKind::Etcd && connection.has_host() && !args.offline {
            plans.push(super::etcd::plan_live(&config, connection)?);
        } else if is_live(connection) {
            plans.extend(live_plans.next());
        } else {
            plans.push(plan_connection(&config, connection)?);
        }
    }
    let report = Report::new(&plans);
    let text = match args.format {
        Format::Human => output::human(&report),
        Format::Json => output::json(&report)?,
        Format::Markdown => output::markdown(&report),
        Format::Sql => {
            for connection in &report.connections {
                eprintln!("{}: {}", connection.connection, connection.compared_with);
            }
            output::sql(&report)
        }
    };
    print_stdout(&text)?;
    Ok(if args.exit_code && report.pending {
        Outcome::ChangesPending
    } else {
        Outcome::Done
    })
}

/// `bfm generate`: every selected connection is planned and checked before anything is
/// written, so a refusal leaves every directory untouched.
pub fn generate(config_path: Option<&Path>, args: &GenerateArgs) -> Result<Outcome, CliError> {
    let name = sanitize_name(&args.name)?;
    let config = load_config(config_path)?;
    let mut plans = Vec::new();
    for connection in selected_connections(&config, args.connection.as_deref())? {
        plans.push(plan_connection(&config, connection)?);
    }
    let blocked = blocked_changes(&plans, args.allow_destructive, args.allow_recreate);
    if !blocked.is_empty() {
        return Err(CliError::Refused(blocked));
    }
    if plans.iter().all(|p| p.plan.is_empty()) {
        print_stdout("nothing to generate\n")?;
        return Ok(Outcome::Done);
    }
    let mut clock = VersionClock::new(args.version, Version::now());
    let mut report = String::new();
    for connection_plan in &plans {
        if connection_plan.plan.is_empty() {
            report.push_str(&format!(
                "{}: nothing to generate\n",
                connection_plan.connection.name
            ));
            continue;
        }
        let dir = &connection_plan.migrations_dir;
        clock.ensure_after(newest_version(dir)?);
        let per_environment = connection_plan.connection.is_per_environment();
        let settings = GenerateSettings {
            name: &name,
            file_schema: per_environment.then_some(connection_plan.connection.name.as_str()),
            dialect: connection_plan.dialect,
            render: &connection_plan.render,
        };
        let written = if connection_plan.connection.backend == BackendKind::Etcd {
            super::etcd::write(connection_plan, &mut clock, &name)?
        } else {
            write_plan(
                dir,
                &connection_plan.plan,
                &connection_plan.current,
                &mut clock,
                &settings,
            )?
        };
        for path in written {
            report.push_str(&format!("wrote {}\n", relative(&config, &path)));
        }
        report.push_str(&format!(
            "updated {}\n",
            relative(&config, &dir.join(sum::SUM_FILE))
        ));
    }
    print_stdout(&report)?;
    Ok(Outcome::Done)
}

/// The changes `generate` must not write, one line each.
fn blocked_changes(
    plans: &[ConnectionPlan],
    allow_destructive: bool,
    allow_recreate: bool,
) -> Vec<String> {
    let mut lines = Vec::new();
    for connection_plan in plans {
        for assessed in connection_plan.plan.changes() {
            let reason = match Gate::of(assessed) {
                Gate::Refused if assessed.refused(allow_destructive) => {
                    "refused: change the desired state"
                }
                Gate::NeedsPermission if !allow_destructive => {
                    "destructive: pass --allow-destructive or allow it in the schema"
                }
                Gate::NeedsRecreate if !allow_recreate => {
                    "recreates the table and loses its rows: pass --allow-recreate"
                }
                _ => continue,
            };
            let hazards: Vec<&str> = assessed
                .hazards
                .iter()
                .map(|h| h.message.as_str())
                .collect();
            lines.push(format!(
                "  {}: {} ({reason}): {}",
                connection_plan.connection.name,
                assessed.change.describe(),
                hazards.join("; ")
            ));
        }
    }
    lines
}

/// `bfm create`.
pub fn create(config_path: Option<&Path>, args: &CreateArgs) -> Result<Outcome, CliError> {
    let name = sanitize_name(&args.name)?;
    let config = load_config(config_path)?;
    let connection = single_connection(&config, args.connection.as_deref())?;
    let dir = config.migrations_path(connection);
    sum::verify(&dir)?;
    let mut clock = VersionClock::new(args.version, Version::now());
    clock.ensure_after(newest_version(&dir)?);
    let path = create_hand_written(&dir, &name, &mut clock)?;
    print_stdout(&format!("wrote {}\n", relative(&config, &path)))?;
    Ok(Outcome::Done)
}

pub(super) fn single_connection<'a>(
    config: &'a Config,
    name: Option<&str>,
) -> Result<&'a Connection, CliError> {
    if let Some(name) = name {
        return Ok(config.connection(name)?);
    }
    let mut connections = config.connections.values();
    match (connections.next(), connections.next()) {
        (Some(only), None) => Ok(only),
        _ => Err(CliError::AmbiguousConnection(config.connection_names())),
    }
}

/// `bfm hash`: the checksums of every selected connection's directory recorded anew.
pub fn hash(config_path: Option<&Path>, args: &HashArgs) -> Result<Outcome, CliError> {
    let config = load_config(config_path)?;
    let mut report = String::new();
    for connection in selected_connections(&config, args.connection.as_deref())? {
        let dir = config.migrations_path(connection);
        if dir.is_dir() {
            sum::write(&dir)?;
            report.push_str(&format!(
                "updated {}\n",
                relative(&config, &dir.join(sum::SUM_FILE))
            ));
        }
    }
    print_stdout(&report)?;
    Ok(Outcome::Done)
}

/// `bfm diff`: only SQL on stdout.
pub fn diff(args: &DiffArgs) -> Result<Outcome, CliError> {
    let kind = BackendKind::parse(&args.dialect)
        .ok_or_else(|| CliError::UnknownDialect(args.dialect.clone()))?;
    let dialect = dialect(kind)
        .filter(|_| kind != BackendKind::Etcd)
        .ok_or_else(|| CliError::UnknownDialect(args.dialect.clone()))?;
    let context = SchemaContext {
        default_schema: args.schema.clone(),
    };
    let options = LoadOptions {
        dialect,
        context: &context,
    };
    let from = load_source(&args.from, options)?;
    let to = load_source(&args.to, options)?;

    let assessed = assess(diff_models(&from, &to), &from, &to);
    let plan = plan_changes(assessed)?;
    let changes: Vec<Change> = if args.down {
        let inverses = plan.inverses(&from).map_err(MigrationError::from)?;
        inverses.into_iter().rev().flatten().collect()
    } else {
        plan.changes().map(|c| c.change.clone()).collect()
    };
    // A MySQL schema is the database the SQL runs in: its names print unqualified.
    let unqualified = (kind == BackendKind::Mysql).then(|| args.schema.clone());
    let render = RenderContext::for_models(&[&from, &to], unqualified);
    print_stdout(&sql_script(&statements(&changes, dialect, &render)))?;
    Ok(Outcome::Done)
}

/// A `diff` side: `empty`; a migrations directory (one holding `bfm.sum`), replayed; any other
/// directory or a .sql/.yaml/.yml file, loaded as desired state.
fn load_source(source: &str, options: LoadOptions<'_>) -> Result<Model, CliError> {
    if source == "empty" {
        return Ok(Model::default());
    }
    if super::live::is_mysql_url(source) {
        return super::live::inspect_mysql_database(source, &options.context.default_schema);
    }
    if super::live::is_database_url(source) {
        let (url, mut schemas) = super::live::split_schemas(source);
        if schemas.is_empty() {
            schemas.push(options.context.default_schema.clone());
        }
        return super::live::inspect_database(&url, &schemas);
    }
    let path = Path::new(source);
    if path.is_dir() {
        if path.join(sum::SUM_FILE).is_file() {
            return Ok(replay_dir(path, options)?.model);
        }
        return Ok(load_path(path, options)?);
    }
    let loadable = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| matches!(e, "sql" | "yaml" | "yml"));
    if path.is_file() && loadable {
        Ok(load_path(path, options)?)
    } else {
        Err(CliError::UnknownSource(source.to_string()))
    }
}

/// `bfm check`.
pub fn check(config_path: Option<&Path>, args: &super::CheckArgs) -> Result<Outcome, CliError> {
    let config = load_config(config_path)?;
    super::live::check(&config, args)
}

/// `bfm schema-json`.
pub fn schema_json() -> Result<Outcome, CliError> {
    print_stdout(&crate::source::json_schema())?;
    Ok(Outcome::Done)
}

#[cfg(test)]
mod tests {
    use super::super::project::{connection_dialect, render_context};
    use super::*;
    use crate::diff::{AssessedChange, Hazard, HazardKind};
    use crate::model::QualifiedName;
    use crate::plan::{Plan, PlannedFile};

    fn connection_plan(hazard: HazardKind, permitted: bool) -> ConnectionPlan {
        let connection = Connection {
            name: "core".into(),
            backend: BackendKind::Postgresql,
            schema: "core".into(),
            host: None,
            port: None,
            username: None,
            password: None,
            database: None,
            environments: Vec::new(),
            etcd: Default::default(),
            server_version: None,
        };
        ConnectionPlan {
            render: render_context(&connection, &[]),
            dialect: connection_dialect(&connection).unwrap(),
            connection,
            compared_with: String::new(),
            migrations_dir: "generated/postgresql/core".into(),
            current: Model::default(),
            plan: Plan {
                files: vec![PlannedFile {
                    object: QualifiedName::new("core", "users"),
                    changes: vec![AssessedChange {
                        change: Change::DropSchema {
                            name: "core".into(),
                        },
                        hazards: vec![Hazard {
                            kind: hazard,
                            message: "Says why.".into(),
                        }],
                        permitted_by_schema: permitted,
                    }],
                }],
            },
        }
    }

    #[test]
    fn destructive_changes_are_blocked_unless_allowed() {
        let plans = [connection_plan(HazardKind::DropsTable, false)];
        let blocked = blocked_changes(&plans, false, false);
        assert_eq!(blocked.len(), 1);
        assert!(blocked[0].contains("--allow-destructive") && blocked[0].contains("Says why."));
        assert!(blocked_changes(&plans, true, false).is_empty());
        assert!(
            blocked_changes(
                &[connection_plan(HazardKind::DropsTable, true)],
                false,
                false
            )
            .is_empty()
        );
    }

    #[test]
    fn a_not_null_column_without_default_is_refused_unless_explicitly_permitted() {
        let plans = [connection_plan(
            HazardKind::AddsNotNullWithoutDefault,
            false,
        )];
        let blocked = blocked_changes(&plans, false, false);
        assert_eq!(blocked.len(), 1);
        assert!(
            blocked[0].contains("refused: change the desired state"),
            "{}",
            blocked[0]
        );
        assert!(blocked_changes(&plans, true, false).is_empty());
        let permitted = [connection_plan(HazardKind::AddsNotNullWithoutDefault, true)];
        assert!(blocked_changes(&permitted, false, false).is_empty());
    }

    #[test]
    fn warnings_do_not_block() {
        assert!(
            blocked_changes(
                &[connection_plan(HazardKind::RewritesTable, false)],
                false,
                false
            )
            .is_empty()
        );
    }
}
