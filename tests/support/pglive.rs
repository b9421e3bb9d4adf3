//! Helpers for tests that build schemas on the throwaway PostgreSQL server, inspect them and
//! compare the inspected models.

use super::cases::model_difference;
use super::postgres::{TestDatabase, fresh_database};
use bfm::backend::postgres::Postgres;
use bfm::backend::postgres::inspect::inspect;
use bfm::diff::diff;
use bfm::model::{Model, Schema};
use sqlx::postgres::{PgPool, PgPoolOptions};
use std::collections::BTreeSet;

/// A fresh database and a one-connection pool on it (one connection, so a `SET search_path`
/// holds for every statement that follows).
pub async fn fresh_pool() -> (TestDatabase, PgPool) {
    let database = fresh_database().await;
    let pool = PgPoolOptions::new()
        .max_connections(1)
        .connect(&database.url)
        .await
        .expect("connect to the fresh database");
    (database, pool)
}

/// Runs `sql` (any number of statements); a failure names `what` and shows the SQL.
///
/// A script with a statement that cannot run in a transaction block (`CREATE INDEX
/// CONCURRENTLY`) runs one statement at a time, as `psql` runs a file: sent at once, the
/// statements would share one implicit transaction.
pub async fn execute(pool: &PgPool, what: &str, sql: &str) -> Result<(), String> {
    let failed = |e: sqlx::Error| format!("running {what}: {e}\n{sql}");
    if !sql.to_ascii_uppercase().contains("CONCURRENTLY") {
        return sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
            .execute(pool)
            .await
            .map(drop)
            .map_err(failed);
    }
    let script = bfm::source::script::split(sql).map_err(|e| format!("splitting {what}: {e}"))?;
    let mut connection = pool.acquire().await.map_err(failed)?;
    for statement in script.statements {
        sqlx::raw_sql(sqlx::AssertSqlSafe(statement.sql))
            .execute(&mut *connection)
            .await
            .map_err(failed)?;
    }
    Ok(())
}

pub async fn inspected(pool: &PgPool, schemas: &BTreeSet<String>) -> Result<Model, String> {
    let schemas: Vec<String> = schemas.iter().cloned().collect();
    inspect(pool, &schemas, &Postgres)
        .await
        .map_err(|e| format!("inspecting: {e}"))
}

/// The schemas of the database that are not PostgreSQL's own.
pub async fn user_schemas(pool: &PgPool) -> Result<BTreeSet<String>, String> {
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT nspname::text FROM pg_namespace \
         WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema'",
    )
    .fetch_all(pool)
    .await
    .map_err(|e| format!("listing schemas: {e}"))?;
    Ok(names.into_iter().collect())
}

/// The inspected model restricted to what a source can describe: a schema the source does not
/// mention, but which exists in every database (`public`), is dropped when empty.
pub fn comparable(mut inspected: Model, source: &Model) -> Model {
    inspected
        .schemas
        .retain(|name, schema| source.schemas.contains_key(name) || *schema != empty_schema(name));
    inspected
}

fn empty_schema(name: &str) -> Schema {
    Schema {
        name: name.to_string(),
        ..Default::default()
    }
}

/// Fails with the changes a diff found and how the models differ.
pub fn expect_same(label: &str, got: &Model, want: &Model) -> Result<(), String> {
    let changes: Vec<String> = diff(want, got).iter().map(|c| c.describe()).collect();
    match (changes.is_empty(), model_difference(label, got, want)) {
        (true, None) => Ok(()),
        (_, difference) => Err(format!(
            "{label}: diff finds [{}]\n{}",
            changes.join(", "),
            difference.unwrap_or_default()
        )),
    }
}
