//! The sqldef MySQL suite as a round-trip conformance test on MariaDB (see
//! `docs/conformance.md` and `tests/support/conformance.rs`): every case valid on the local
//! server is built twice, planned with bfm from one to the other, applied, inspected, planned
//! again, and undone.

mod support;

use bfm::backend::mysql::inspect::inspect;
use bfm::backend::{BackendKind, Dialect, RenderContext, SchemaContext, dialect};
use bfm::diff::{Severity, assess, diff};
use bfm::model::{Change, Model};
use bfm::plan::plan;
use bfm::source::{LoadError, LoadOptions, load_sql_text};
use sqlx::mysql::{MySqlPool, MySqlPoolOptions};
use std::path::Path;
use support::cases::{down_changes, up_changes};
use support::conformance::checks::{same_schema, second_plan_empty};
use support::conformance::{CorpusCase, Outcome, conclude, run_all, selected_cases};
use support::mariadb::{TestDatabase, fresh_database};

const SUITE: &str = "mysql";
const CORPUS: &str = "../shared/corpus/sqldef/sqldef-mysql.jsonl";
/// The database name the cases are written for; every side is inspected under it.
const SCHEMA: &str = "mysqldef_test";
const CONCURRENCY: usize = 4;

fn mysql() -> &'static dyn Dialect {
    dialect(BackendKind::Mysql).expect("MySQL has a SQL dialect")
}

async fn fresh_pool() -> Result<(TestDatabase, MySqlPool, String), String> {
    let database = fresh_database().await;
    let name = database
        .url
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_string();
    let pool = MySqlPoolOptions::new()
        .max_connections(1)
        .connect(&database.url)
        .await
        .map_err(|e| format!("connecting: {e}"))?;
    Ok((database, pool, name))
}

/// Runs a script (several statements) as the case wrote it.
async fn execute(pool: &MySqlPool, what: &str, sql: &str) -> Result<(), String> {
    if sql.trim().is_empty() {
        return Ok(());
    }
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
        .execute(pool)
        .await
        .map(|_| ())
        .map_err(|e| format!("running {what}: {e}\n{sql}"))
}

/// Runs rendered statements one by one, as `bfm apply` does on MySQL.
async fn execute_each(pool: &MySqlPool, what: &str, statements: &[String]) -> Result<(), String> {
    for statement in statements {
        sqlx::raw_sql(sqlx::AssertSqlSafe(statement.clone()))
            .execute(pool)
            .await
            .map_err(|e| format!("running {what}: {e}\n{}", statements.join(";\n")))?;
    }
    Ok(())
}

/// A case's script for the fresh database `database`: the cases qualify names with their
/// database `mysqldef_test` (views over `mysqldef_test.users`), which does not exist here.
fn in_database(sql: &str, database: &str) -> String {
    sql.replace(&format!("{SCHEMA}."), &format!("{database}."))
        .replace(&format!("`{SCHEMA}`."), &format!("`{database}`."))
}

async fn inspected(pool: &MySqlPool, database: &str) -> Result<Model, String> {
    inspect(pool, database, SCHEMA)
        .await
        .map_err(|e| format!("inspecting: {e}"))
}

fn statements(changes: &[Change], render: &RenderContext) -> Vec<String> {
    changes
        .iter()
        .flat_map(|change| mysql().render(change, render))
        .collect()
}

fn load_desired(case: &CorpusCase) -> Result<Model, Outcome> {
    let context = SchemaContext {
        default_schema: SCHEMA.to_string(),
    };
    let options = LoadOptions {
        dialect: mysql(),
        context: &context,
    };
    let mut model =
        load_sql_text(&case.desired, Path::new("desired.sql"), options).map_err(|e| {
            let message = e.to_string();
            match e {
                LoadError::Invalid { .. } if message.contains("unsupported MySQL DDL") => {
                    Outcome::Refused(format!("loading desired: {message}"))
                }
                _ => Outcome::Failed(format!("loading desired: {message}")),
            }
        })?;
    model.schema_mut(SCHEMA);
    Ok(model)
}

async fn round_trip(case: CorpusCase) -> Result<(), Outcome> {
    let failed = Outcome::Failed;
    let desired = load_desired(&case)?;
    let (_a_database, a, a_name) = fresh_pool().await.map_err(failed)?;
    let (_b_database, b, b_name) = fresh_pool().await.map_err(failed)?;
    execute(&a, "current", &in_database(&case.current, &a_name))
        .await
        .map_err(failed)?;
    execute(&b, "desired", &in_database(&case.desired, &b_name))
        .await
        .map_err(failed)?;

    let start = inspected(&a, &a_name).await.map_err(failed)?;
    let assessed = assess(diff(&start, &desired), &start, &desired);
    // Planned with the permission `--allow-destructive` gives, as for PostgreSQL.
    if let Some(hazard) = assessed
        .iter()
        .filter(|c| c.refused(true))
        .flat_map(|c| &c.hazards)
        .find(|h| h.kind.severity() == Severity::Refused)
    {
        return Err(Outcome::Refused(format!(
            "refused change: {}",
            hazard.message
        )));
    }
    let destructive = assessed
        .iter()
        .any(|c| c.severity() >= Some(Severity::Destructive));
    let plan = plan(assessed).map_err(|e| Outcome::Failed(format!("planning: {e}")))?;
    let render = RenderContext::for_models(&[&start, &desired], Some(SCHEMA.to_string()));
    let up = statements(&up_changes(&plan), &render);
    let up_text = up.join(";\n");
    execute_each(&a, "the up migration", &up)
        .await
        .map_err(failed)?;

    let after_up = inspected(&a, &a_name).await.map_err(failed)?;
    let target = inspected(&b, &b_name).await.map_err(failed)?;
    same_schema("after up, A != B", &after_up, &target, "up SQL", &up_text)?;
    second_plan_empty(&after_up, &desired, &up_text)?;
    if destructive {
        return Ok(());
    }
    let down = down_changes(&plan, &start)
        .map(|changes| statements(&changes, &render))
        .map_err(failed)?;
    execute_each(&a, "the down migration", &down)
        .await
        .map_err(failed)?;
    let after_down = inspected(&a, &a_name).await.map_err(failed)?;
    same_schema(
        "after down, A != current",
        &after_down,
        &start,
        "down SQL",
        &down.join(";\n"),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqldef_mysql_cases_round_trip() {
    let (cases, only) = selected_cases(CORPUS);
    let outcomes = run_all(cases, CONCURRENCY, |case| async move {
        match round_trip(case).await {
            Ok(()) => Outcome::Passed,
            Err(outcome) => outcome,
        }
    })
    .await;
    conclude(SUITE, &outcomes, only);
}
