//! The diff behaviour cases of `tests/cases/<behaviour>/`, loaded and planned as
//! `tests/snapshots.rs` does, for the tests that run them against a live server.

use bfm::backend::{BackendKind, Dialect, RenderContext, SchemaContext, dialect};
use bfm::diff::{assess, diff};
use bfm::model::{Change, Model};
use bfm::plan::{Plan, plan};
use bfm::source::{LoadOptions, load_path};
use serde::Deserialize;
use std::fs;
use std::path::{Path, PathBuf};

/// The flags a case may set in its `case.yaml` (see `tests/cases/README.md`).
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CaseFlags {
    pub allow_destructive: bool,
    pub expect_refused: bool,
    pub expect_destructive: bool,
    /// The schema unqualified names belong to (`public` when not set).
    pub schema: Option<String>,
}

pub struct Case {
    pub name: String,
    pub dir: PathBuf,
    pub flags: CaseFlags,
}

pub fn postgres() -> &'static dyn Dialect {
    dialect(BackendKind::Postgresql).expect("PostgreSQL has a SQL dialect")
}

/// Every case folder, sorted by name.
pub fn cases() -> Vec<Case> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let mut dirs: Vec<PathBuf> = fs::read_dir(root)
        .expect("tests/cases is readable")
        .map(|entry| entry.expect("tests/cases entry is readable").path())
        .filter(|path| path.is_dir())
        .collect();
    dirs.sort();
    assert!(!dirs.is_empty(), "no cases found in tests/cases");
    dirs.into_iter()
        .map(|dir| {
            let name = dir
                .file_name()
                .and_then(|n| n.to_str())
                .expect("case folder names are UTF-8")
                .to_string();
            let flags = read_flags(&dir);
            Case { name, dir, flags }
        })
        .collect()
}

fn read_flags(dir: &Path) -> CaseFlags {
    let path = dir.join("case.yaml");
    match fs::read_to_string(&path) {
        Ok(text) => serde_saphyr::from_str(&text)
            .unwrap_or_else(|e| panic!("{} is not a valid case.yaml: {e}", path.display())),
        Err(_) => CaseFlags::default(),
    }
}

impl Case {
    /// The schema unqualified names belong to.
    pub fn default_schema(&self) -> &str {
        self.flags.schema.as_deref().unwrap_or("public")
    }

    pub fn context(&self) -> SchemaContext {
        SchemaContext {
            default_schema: self.default_schema().to_string(),
        }
    }

    /// `current.sql` or `current.yaml` (likewise for `desired`); exactly one must exist.
    pub fn source(&self, side: &str) -> Result<PathBuf, String> {
        let found: Vec<PathBuf> = ["sql", "yaml"]
            .iter()
            .map(|ext| self.dir.join(format!("{side}.{ext}")))
            .filter(|path| path.is_file())
            .collect();
        match found.as_slice() {
            [one] => Ok(one.clone()),
            [] => Err(format!("no {side}.sql or {side}.yaml")),
            _ => Err(format!("both {side}.sql and {side}.yaml")),
        }
    }

    pub fn load(&self, side: &str) -> Result<Model, String> {
        let path = self.source(side)?;
        let context = self.context();
        let options = LoadOptions {
            dialect: postgres(),
            context: &context,
        };
        load_path(&path, options).map_err(|e| format!("loading {side}: {e}"))
    }

    /// The SQL that builds one side in an empty database: the case's own SQL file as written,
    /// or for a YAML side the rendered creation of its model. Either is preceded by the creation
    /// of the default schema and a search path pointing at it, as the case's names assume.
    pub fn creation_sql(&self, side: &str) -> Result<String, String> {
        let path = self.source(side)?;
        let body = if path.extension().is_some_and(|e| e == "sql") {
            fs::read_to_string(&path).map_err(|e| format!("reading {}: {e}", path.display()))?
        } else {
            let model = self.load(side)?;
            creation_sql(&model, None)?
        };
        let schema = quoted(self.default_schema());
        Ok(format!(
            "CREATE SCHEMA IF NOT EXISTS {schema};\nSET search_path TO {schema};\n{body}"
        ))
    }
}

/// The plan from `current` to `desired`.
pub fn plan_between(current: &Model, desired: &Model) -> Result<Plan, String> {
    let assessed = assess(diff(current, desired), current, desired);
    plan(assessed).map_err(|e| format!("planning: {e}"))
}

/// The rendered SQL that creates `model` in an empty database.
pub fn creation_sql(model: &Model, unqualified_schema: Option<String>) -> Result<String, String> {
    let creation = plan_between(&Model::default(), model)?;
    let render = RenderContext::for_models(&[model], unqualified_schema);
    Ok(sql_text(&up_changes(&creation), &render))
}

/// The statements of `changes`, each terminated by `;`, one per line.
pub fn sql_text<'a>(
    changes: impl IntoIterator<Item = &'a Change>,
    context: &RenderContext,
) -> String {
    changes
        .into_iter()
        .flat_map(|change| postgres().render(change, context))
        .map(|statement| format!("{statement};\n"))
        .collect()
}

pub fn up_changes(plan: &Plan) -> Vec<Change> {
    plan.changes().map(|a| a.change.clone()).collect()
}

/// The down migration of the whole plan: each file's inverse, the last file undone first.
pub fn down_changes(plan: &Plan, current: &Model) -> Result<Vec<Change>, String> {
    let inverses = plan
        .inverses(current)
        .map_err(|e| format!("inverting the plan: {e}"))?;
    Ok(inverses.into_iter().rev().flatten().collect())
}

/// Explains how two models differ, as a unified diff of their debug forms.
pub fn model_difference(label: &str, got: &Model, want: &Model) -> Option<String> {
    let got = got.without_intent();
    let want = want.without_intent();
    if got == want {
        return None;
    }
    let got = format!("{got:#?}");
    let want = format!("{want:#?}");
    let text = similar::TextDiff::from_lines(&want, &got)
        .unified_diff()
        .context_radius(3)
        .header("expected", "got")
        .to_string();
    Some(format!("{label}:\n{text}"))
}

/// The model with every table's columns in name order: PostgreSQL appends a column that is
/// added back, so after a down migration only the set of columns can match, not their order.
pub fn columns_by_name(model: &Model) -> Model {
    let mut model = model.clone();
    for schema in model.schemas.values_mut() {
        for table in schema.tables.values_mut() {
            table.columns.sort_by(|a, b| a.name.cmp(&b.name));
        }
    }
    model
}

/// `name` as a quoted SQL identifier.
pub fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}
