//! Every diff behaviour in `tests/cases/<behaviour>/` as a snapshot of its hazards, up SQL and
//! down SQL, plus the invariants each case must keep.
//!
//! A case is a folder holding the state before (`current.sql` or `current.yaml`, possibly empty)
//! and the state wanted (`desired.sql` or `desired.yaml`), and optionally a `case.yaml` with
//! flags. Each invariant test runs over all cases and reports every failing case at once, so one
//! broken behaviour does not hide the others.

use bfm::backend::{BackendKind, Dialect, RenderContext, SchemaContext, dialect};
use bfm::diff::{AssessedChange, Severity, assess, diff};
use bfm::model::{Change, Model};
use bfm::plan::{Plan, plan};
use bfm::source::script::Section;
use bfm::source::{LoadOptions, apply_sql_text, load_path, load_sql_text};
use serde::Deserialize;
use std::fs;
use std::path::{Path, PathBuf};

/// The flags a case may set in its `case.yaml`.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct CaseFlags {
    /// Plays `--allow-destructive`: destructive changes may be written.
    allow_destructive: bool,
    /// The plan must hold a refused change; without the flag it must hold none.
    expect_refused: bool,
    /// The plan must hold a destructive change; without the flag it must hold none.
    expect_destructive: bool,
    /// The schema unqualified names belong to (`public` when not set).
    schema: Option<String>,
}

struct Case {
    name: String,
    dir: PathBuf,
    flags: CaseFlags,
}

/// A case loaded and planned.
struct Planned {
    current: Model,
    desired: Model,
    plan: Plan,
}

impl Planned {
    /// How the plan's SQL is rendered: the enums of both sides are the user types.
    fn render_context(&self) -> RenderContext {
        RenderContext::for_models(&[&self.current, &self.desired], None)
    }
}

fn postgres() -> &'static dyn Dialect {
    dialect(BackendKind::Postgresql).expect("PostgreSQL has a SQL dialect")
}

fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases")
}

/// Every case folder, sorted by name.
fn cases() -> Vec<Case> {
    let mut dirs: Vec<PathBuf> = fs::read_dir(cases_dir())
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
    fn context(&self) -> SchemaContext {
        SchemaContext {
            default_schema: self.flags.schema.as_deref().unwrap_or("public").to_string(),
        }
    }

    /// `current.sql` or `current.yaml` (likewise for `desired`); exactly one must exist.
    fn source(&self, side: &str) -> Result<PathBuf, String> {
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

    fn load(&self, side: &str) -> Result<Model, String> {
        let path = self.source(side)?;
        let context = self.context();
        load_path(&path, self.options(&context)).map_err(|e| format!("loading {side}: {e}"))
    }

    fn options<'a>(&self, context: &'a SchemaContext) -> LoadOptions<'a> {
        LoadOptions {
            dialect: postgres(),
            context,
        }
    }

    fn planned(&self) -> Result<Planned, String> {
        let current = self.load("current")?;
        let desired = self.load("desired")?;
        let plan = plan_between(&current, &desired)?;
        Ok(Planned {
            current,
            desired,
            plan,
        })
    }
}

fn plan_between(current: &Model, desired: &Model) -> Result<Plan, String> {
    let assessed = assess(diff(current, desired), current, desired);
    plan(assessed).map_err(|e| format!("planning: {e}"))
}

/// The statements of `changes`, each terminated by `;`, one per line.
fn sql_text<'a>(changes: impl IntoIterator<Item = &'a Change>, context: &RenderContext) -> String {
    changes
        .into_iter()
        .flat_map(|change| postgres().render(change, context))
        .map(|statement| format!("{statement};\n"))
        .collect()
}

fn up_changes(plan: &Plan) -> Vec<Change> {
    plan.changes().map(|a| a.change.clone()).collect()
}

/// The down migration of each planned file, files in the order their down files would run
/// (the last up file is undone first), each file's changes already inverted and reversed.
fn down_files(plan: &Plan, current: &Model) -> Result<Vec<(String, Vec<Change>)>, String> {
    let mut model = current.clone();
    let mut files = Vec::new();
    for file in &plan.files {
        let changes: Vec<Change> = file.changes.iter().map(|a| a.change.clone()).collect();
        let inverses = Change::inverse_all(&changes, &model)
            .map_err(|e| format!("inverting {}: {e}", file.object))?;
        apply_all(&mut model, &changes)?;
        files.push((file.object.to_string(), inverses));
    }
    files.reverse();
    Ok(files)
}

fn down_changes(plan: &Plan, current: &Model) -> Result<Vec<Change>, String> {
    Ok(down_files(plan, current)?
        .into_iter()
        .flat_map(|(_, changes)| changes)
        .collect())
}

fn apply_all(model: &mut Model, changes: &[Change]) -> Result<(), String> {
    for change in changes {
        change
            .apply_to(model)
            .map_err(|e| format!("applying {change:?}: {e}"))?;
    }
    Ok(())
}

/// Folds SQL text into `model` through the loader, as replaying a migration file does.
fn replay_sql(case: &Case, model: &mut Model, sql: &str) -> Result<(), String> {
    let context = case.context();
    let file = case.dir.join("rendered.sql");
    apply_sql_text(model, sql, &file, case.options(&context), |_: Section| true)
        .map_err(|e| format!("replaying the rendered SQL: {e}\n{sql}"))
}

/// Explains how two models differ, as a unified diff of their debug forms.
fn model_difference(label: &str, got: &Model, want: &Model) -> Option<String> {
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

/// The model with every table's columns in name order. PostgreSQL appends a column that is
/// added back, so a down migration restores a dropped column at the end of its table: after a
/// down, only the set of columns can match the starting point, not their order.
fn columns_by_name(model: &Model) -> Model {
    let mut model = model.clone();
    for schema in model.schemas.values_mut() {
        for table in schema.tables.values_mut() {
            table.columns.sort_by(|a, b| a.name.cmp(&b.name));
        }
    }
    model
}

/// Like [`model_difference`], for a model that went through a down migration.
fn difference_after_down(label: &str, got: &Model, want: &Model) -> Option<String> {
    model_difference(label, &columns_by_name(got), &columns_by_name(want))
}

fn severity_name(severity: Severity) -> &'static str {
    match severity {
        Severity::Warning => "warning",
        Severity::Destructive => "destructive",
        Severity::DataLoss => "data_loss",
        Severity::Refused => "refused",
    }
}

fn has_severity(plan: &Plan, severity: Severity) -> bool {
    plan.changes()
        .flat_map(|a| &a.hazards)
        .any(|h| h.kind.severity() == severity)
}

/// Whether `generate` would write the plan, and if not, why.
fn verdict(plan: &Plan, flags: &CaseFlags) -> &'static str {
    let blocked = |a: &AssessedChange| {
        a.severity() == Some(Severity::Destructive)
            && !a.permitted_by_schema
            && !flags.allow_destructive
    };
    if plan.changes().any(|a| a.refused(flags.allow_destructive)) {
        "refused"
    } else if plan.changes().any(blocked) {
        "needs --allow-destructive"
    } else {
        "writable"
    }
}

fn hazard_lines(plan: &Plan) -> String {
    let mut text = String::new();
    for assessed in plan.changes() {
        for hazard in &assessed.hazards {
            let kind = serde_json::to_value(hazard.kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_else(|| format!("{:?}", hazard.kind));
            let permitted = if assessed.permitted_by_schema {
                " (permitted by the schema)"
            } else {
                ""
            };
            text.push_str(&format!(
                "{} {kind}{permitted}: {}\n",
                severity_name(hazard.kind.severity()),
                hazard.message
            ));
        }
    }
    text
}

/// The snapshot text of a case: hazards and verdict, then the up and down SQL file by file.
fn snapshot_text(case: &Case, planned: &Planned) -> Result<String, String> {
    let mut text = String::from("-- hazards\n");
    text.push_str(&hazard_lines(&planned.plan));
    text.push_str(&format!(
        "-- verdict: {}\n",
        verdict(&planned.plan, &case.flags)
    ));
    let context = planned.render_context();
    text.push_str("-- up\n");
    for file in &planned.plan.files {
        text.push_str(&format!("-- file: {}\n", file.object));
        text.push_str(&sql_text(file.changes.iter().map(|a| &a.change), &context));
    }
    text.push_str("-- down\n");
    for (object, changes) in down_files(&planned.plan, &planned.current)? {
        text.push_str(&format!("-- file: {object}\n"));
        text.push_str(&sql_text(&changes, &context));
    }
    Ok(text)
}

/// Runs `check` on every case and fails listing every case that failed, with its reason.
fn for_every_case(what: &str, check: impl Fn(&Case) -> Result<(), String>) {
    let failures: Vec<String> = cases()
        .iter()
        .filter_map(|case| {
            check(case)
                .err()
                .map(|reason| format!("{}: {reason}", case.name))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{what}: {} case(s) failed\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

#[test]
fn every_case_matches_its_snapshot() {
    let mut failures = Vec::new();
    for case in cases() {
        let text = match case.planned().and_then(|p| snapshot_text(&case, &p)) {
            Ok(text) => text,
            Err(reason) => {
                failures.push(format!("{}: {reason}", case.name));
                continue;
            }
        };
        let name = case.name.clone();
        let outcome = std::panic::catch_unwind(|| {
            insta::with_settings!({
                snapshot_path => "snapshots",
                prepend_module_to_snapshot => false,
                omit_expression => true,
            }, {
                insta::assert_snapshot!(name, text);
            });
        });
        if outcome.is_err() {
            failures.push(format!("{}: snapshot differs", case.name));
        }
    }
    assert!(
        failures.is_empty(),
        "{} snapshot(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn applying_up_changes_to_current_gives_desired() {
    for_every_case("up changes applied to current", |case| {
        let planned = case.planned()?;
        let mut model = planned.current.clone();
        apply_all(&mut model, &up_changes(&planned.plan))?;
        match model_difference("current + up != desired", &model, &planned.desired) {
            Some(difference) => Err(difference),
            None => Ok(()),
        }
    });
}

#[test]
fn applying_down_changes_after_up_restores_current() {
    for_every_case("down changes applied after up", |case| {
        let planned = case.planned()?;
        let mut model = planned.current.clone();
        apply_all(&mut model, &up_changes(&planned.plan))?;
        apply_all(&mut model, &down_changes(&planned.plan, &planned.current)?)?;
        match difference_after_down("current + up + down != current", &model, &planned.current) {
            Some(difference) => Err(difference),
            None => Ok(()),
        }
    });
}

#[test]
fn desired_compared_with_itself_has_no_changes() {
    for_every_case("diff(desired, desired)", |case| {
        let desired = case.load("desired")?;
        let changes = diff(&desired, &desired);
        if changes.is_empty() {
            Ok(())
        } else {
            Err(format!("expected no changes, got {changes:#?}"))
        }
    });
}

#[test]
fn rendered_desired_state_reloads_to_the_same_model() {
    for_every_case("render(desired) then load", |case| {
        let desired = case.load("desired")?;
        let empty = Model::default();
        let creation = plan_between(&empty, &desired)?;
        let render = RenderContext::for_models(&[&desired], None);
        let sql = sql_text(&up_changes(&creation), &render);
        let context = case.context();
        let reloaded = load_sql_text(&sql, &case.dir.join("rendered.sql"), case.options(&context))
            .map_err(|e| format!("reloading the rendered desired state: {e}\n{sql}"))?;
        match model_difference("reloaded render of desired != desired", &reloaded, &desired) {
            Some(difference) => Err(format!("{difference}\nrendered SQL:\n{sql}")),
            None => Ok(()),
        }
    });
}

#[test]
fn replaying_up_sql_on_current_gives_desired() {
    for_every_case("replay(current, up SQL)", |case| {
        let planned = case.planned()?;
        let sql = sql_text(&up_changes(&planned.plan), &planned.render_context());
        let mut model = planned.current.clone();
        replay_sql(case, &mut model, &sql)?;
        match model_difference("replayed up SQL != desired", &model, &planned.desired) {
            Some(difference) => Err(format!("{difference}\nup SQL:\n{sql}")),
            None => Ok(()),
        }
    });
}

#[test]
fn replaying_down_sql_after_up_restores_current() {
    for_every_case("replay(desired, down SQL)", |case| {
        let planned = case.planned()?;
        let sql = sql_text(
            &down_changes(&planned.plan, &planned.current)?,
            &planned.render_context(),
        );
        let mut model = planned.desired.clone();
        replay_sql(case, &mut model, &sql)?;
        match difference_after_down("replayed down SQL != current", &model, &planned.current) {
            Some(difference) => Err(format!("{difference}\ndown SQL:\n{sql}")),
            None => Ok(()),
        }
    });
}

#[test]
fn hazards_match_the_expectations_of_each_case() {
    for_every_case("expected hazards", |case| {
        let planned = case.planned()?;
        let mut problems = Vec::new();
        for (severity, expected) in [
            (Severity::Refused, case.flags.expect_refused),
            (Severity::Destructive, case.flags.expect_destructive),
        ] {
            let found = has_severity(&planned.plan, severity);
            if found != expected {
                let wanted = if expected { "a" } else { "no" };
                let had = if found { "one" } else { "none" };
                problems.push(format!(
                    "expected {wanted} {} change, the plan has {had}",
                    severity_name(severity)
                ));
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join("; "))
        }
    });
}

/// Cases named `…_no_diff` check normalization: the two sides describe the same database, so
/// the plan is empty. Every other case describes a change, so its plan is not.
#[test]
fn only_no_diff_cases_plan_nothing() {
    for_every_case("plan emptiness", |case| {
        let planned = case.planned()?;
        let expect_empty = case.name.ends_with("_no_diff");
        match (expect_empty, planned.plan.is_empty()) {
            (true, false) => Err(format!(
                "expected an empty plan, got:\n{}",
                sql_text(&up_changes(&planned.plan), &planned.render_context())
            )),
            (false, true) => Err("expected changes, the plan is empty".to_string()),
            _ => Ok(()),
        }
    });
}

/// What a plan holds with the order of changes inside each file set aside: the files in order,
/// each with its changes sorted. Inside a file the diff's order is kept on purpose (columns added
/// to one table, labels added to one enum), so only the grouping and the file order must not
/// depend on the order changes arrive in.
fn plan_shape(plan: &Plan) -> Vec<(String, Vec<String>)> {
    plan.files
        .iter()
        .map(|file| {
            let mut changes: Vec<String> = file
                .changes
                .iter()
                .map(|a| format!("{:?}", a.change))
                .collect();
            changes.sort();
            (file.object.to_string(), changes)
        })
        .collect()
}

#[test]
fn plan_files_do_not_depend_on_change_order() {
    for_every_case("plan of reversed changes", |case| {
        let current = case.load("current")?;
        let desired = case.load("desired")?;
        let assessed = assess(diff(&current, &desired), &current, &desired);
        let reversed: Vec<AssessedChange> = assessed.iter().rev().cloned().collect();
        let forward = plan(assessed).map_err(|e| format!("planning: {e}"))?;
        let backward = plan(reversed).map_err(|e| format!("planning reversed: {e}"))?;
        let render = RenderContext::for_models(&[&current, &desired], None);
        if plan_shape(&forward) == plan_shape(&backward) {
            Ok(())
        } else {
            Err(format!(
                "the files differ:\n{}\nversus, from reversed input:\n{}",
                sql_text(&up_changes(&forward), &render),
                sql_text(&up_changes(&backward), &render)
            ))
        }
    });
}
