//! DESIGN.md's invariants 1 (no false diffs) and 2 (convergence) against a throwaway PostgreSQL,
//! for every case of `tests/cases/` and for the bundled example.
//!
//! Each test runs every case in a fresh database and fails listing every case that failed with
//! its reason, so one broken behaviour does not hide the others.
//!
//! Every inspected model also goes through `bfm inspect`'s writers: its YAML and its SQL files
//! must load back to the same model.
//!
//! After a down migration columns are compared as a set: PostgreSQL appends a column that is
//! added back, so a dropped column is restored at the end of its table, and no DDL can move it.

mod support;

use bfm::backend::postgres::Postgres;
use bfm::backend::postgres::inspect::inspect;
use bfm::backend::{RenderContext, SchemaContext};
use bfm::model::Model;
use bfm::source::write::{sql_files, yaml_files};
use bfm::source::{LoadOptions, load_path};
use std::collections::BTreeSet;
use std::path::Path;
use support::cases::{
    Case, cases, columns_by_name, creation_sql, down_changes, model_difference, plan_between,
    postgres, quoted, sql_text, up_changes,
};
use support::pglive::{comparable, execute, expect_same, fresh_pool, inspected};

/// The schemas a case manages: those either side names, and its default schema.
fn managed_schemas(case: &Case, models: &[&Model]) -> BTreeSet<String> {
    let mut schemas: BTreeSet<String> = models
        .iter()
        .flat_map(|m| m.schemas.keys().cloned())
        .collect();
    schemas.insert(case.default_schema().to_string());
    schemas
}

/// Invariant 1 for one case: the desired state created and inspected diffs empty against it.
async fn desired_reads_back(case: &Case) -> Result<(), String> {
    let desired = case.load("desired")?;
    let (_database, pool) = fresh_pool().await;
    execute(&pool, "the desired state", &case.creation_sql("desired")?).await?;
    let model = inspected(&pool, &managed_schemas(case, &[&desired])).await?;
    pool.close().await;
    let model = comparable(model, &desired);
    expect_same("inspected != desired", &model, &desired)?;
    written_files_load_back(&model, case.default_schema(), None)
}

/// `bfm inspect`'s files of an inspected model, YAML and SQL, load back to the same model.
fn written_files_load_back(
    model: &Model,
    default_schema: &str,
    unqualified: Option<String>,
) -> Result<(), String> {
    let render = RenderContext::for_models(&[model], unqualified);
    let sql = sql_files(model, postgres(), &render).map_err(|e| format!("writing SQL: {e}"))?;
    for (format, files) in [("YAML", yaml_files(model, default_schema)), ("SQL", sql)] {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        for file in &files {
            std::fs::write(dir.path().join(&file.name), &file.text).map_err(|e| e.to_string())?;
        }
        let context = SchemaContext {
            default_schema: default_schema.to_string(),
        };
        let options = LoadOptions {
            dialect: postgres(),
            context: &context,
        };
        let texts = || {
            files
                .iter()
                .map(|f| format!("# {}\n{}", f.name, f.text))
                .collect::<String>()
        };
        let loaded = load_path(dir.path(), options)
            .map_err(|e| format!("loading the written {format}: {e}\n{}", texts()))?;
        // The YAML format has no form for functions and triggers (SQL only).
        let expected = if format == "YAML" {
            without_routines(model)
        } else {
            model.clone()
        };
        if let Some(difference) = model_difference(
            &format!("written {format} loaded != inspected"),
            &loaded,
            &expected,
        ) {
            return Err(format!("{difference}\n{}", texts()));
        }
    }
    Ok(())
}

/// `model` without its functions, procedures and triggers.
fn without_routines(model: &Model) -> Model {
    let mut model = model.clone();
    for schema in model.schemas.values_mut() {
        schema.functions.clear();
        schema.triggers.clear();
    }
    model
}

/// Invariant 2 for one case: current, plus the up plan, inspects as desired; plus the down plan,
/// as current again.
async fn plan_converges(case: &Case) -> Result<(), String> {
    let current = case.load("current")?;
    let desired = case.load("desired")?;
    let plan = plan_between(&current, &desired)?;
    let render = RenderContext::for_models(&[&current, &desired], None);
    let schemas = managed_schemas(case, &[&current, &desired]);
    let (_database, pool) = fresh_pool().await;
    execute(&pool, "the current state", &case.creation_sql("current")?).await?;

    let up = sql_text(&up_changes(&plan), &render);
    execute(&pool, "the up plan", &up).await?;
    let after_up = comparable(inspected(&pool, &schemas).await?, &desired);
    expect_same("after up, inspected != desired", &after_up, &desired)
        .map_err(|e| format!("{e}\nup SQL:\n{up}"))?;

    let down = sql_text(&down_changes(&plan, &current)?, &render);
    execute(&pool, "the down plan", &down).await?;
    let after_down = comparable(inspected(&pool, &schemas).await?, &current);
    pool.close().await;
    expect_same(
        "after down, inspected != current",
        &columns_by_name(&after_down),
        &columns_by_name(&current),
    )
    .map_err(|e| format!("{e}\ndown SQL:\n{down}"))
}

/// Runs `check` on every case and fails listing every case that failed, with its reason.
async fn for_every_case<F, Fut>(what: &str, check: F)
where
    F: Fn(Case) -> Fut,
    Fut: std::future::Future<Output = Result<(), String>>,
{
    let all = cases();
    let total = all.len();
    let mut failures = Vec::new();
    for case in all {
        let name = case.name.clone();
        if let Err(reason) = check(case).await {
            failures.push(format!("{name}: {reason}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{what}: {} of {total} case(s) failed\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

#[tokio::test]
async fn every_desired_state_inspects_as_itself() {
    for_every_case("created desired state inspected", |case| async move {
        desired_reads_back(&case).await
    })
    .await;
}

#[tokio::test]
async fn every_plan_converges_up_and_back_down() {
    for_every_case("up then down on a live database", |case| async move {
        plan_converges(&case).await
    })
    .await;
}

/// One connection of the bundled example: its directory, the schema its names load into, and
/// the schema it is created in (a per-environment connection's `cli_dev`).
struct ExampleConnection {
    dir: &'static str,
    model_schema: &'static str,
    live_schema: &'static str,
}

const EXAMPLE: [ExampleConnection; 3] = [
    ExampleConnection {
        dir: "schema/core",
        model_schema: "core",
        live_schema: "core",
    },
    ExampleConnection {
        dir: "schema/guard",
        model_schema: "guard",
        live_schema: "guard",
    },
    ExampleConnection {
        dir: "schema/organization",
        model_schema: "organization",
        live_schema: "cli_dev",
    },
];

impl ExampleConnection {
    fn load(&self) -> Model {
        let context = SchemaContext {
            default_schema: self.model_schema.to_string(),
        };
        let options = LoadOptions {
            dialect: postgres(),
            context: &context,
        };
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(self.dir);
        load_path(&dir, options).unwrap_or_else(|e| panic!("loading {}: {e}", self.dir))
    }

    fn per_environment(&self) -> bool {
        self.model_schema != self.live_schema
    }

    /// The SQL creating the connection's schema: a per-environment connection's unqualified SQL
    /// runs with the environment's schema as the search path.
    fn creation_sql(&self, model: &Model) -> String {
        let unqualified = self
            .per_environment()
            .then(|| self.model_schema.to_string());
        let body = creation_sql(model, unqualified).expect("the example plans");
        if self.per_environment() {
            let schema = quoted(self.live_schema);
            format!(
                "CREATE SCHEMA {schema};\nSET search_path TO {schema};\n{body}RESET search_path;\n"
            )
        } else {
            body
        }
    }
}

#[tokio::test]
async fn bundled_example_inspects_as_its_schema_files() {
    let (_database, pool) = fresh_pool().await;
    let mut failures = Vec::new();
    for connection in &EXAMPLE {
        let desired = connection.load();
        execute(&pool, connection.dir, &connection.creation_sql(&desired))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }
    for connection in &EXAMPLE {
        let desired = connection.load();
        let live = [connection.live_schema.to_string()];
        let model = inspect(&pool, &live, &Postgres)
            .await
            .unwrap_or_else(|e| panic!("inspecting {}: {e}", connection.live_schema));
        let model = if connection.per_environment() {
            bfm::backend::postgres::inspect::as_placeholder(
                model,
                connection.live_schema,
                connection.model_schema,
            )
        } else {
            model
        };
        let unqualified = connection
            .per_environment()
            .then(|| connection.model_schema.to_string());
        let outcome = expect_same("inspected != schema files", &model, &desired)
            .and_then(|()| written_files_load_back(&model, connection.model_schema, unqualified));
        if let Err(reason) = outcome {
            failures.push(format!("{}: {reason}", connection.dir));
        }
    }
    pool.close().await;
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
