//! Conformance with the real GreptimeDB server's outputs (the sqlness corpus): accepted CREATE
//! TABLEs load, refused ones are refused, CREATE → SHOW CREATE are equivalent both ways, and
//! ALTER replay gives the model of the following SHOW CREATE.
//!
//! The ids that pass are kept in `tests/greptime/passing_*.txt`: a listed id that fails breaks
//! the test. `BFM_UPDATE_PASSING=1` rewrites the lists after an improvement.

use bfm::backend::greptime::inspect::{
    ColumnRow, TableCatalog, check_column_rows, table_from_catalog,
};
use bfm::backend::greptime::{Greptime, show_create_table, table_from_create};
use bfm::backend::{Dialect, SchemaContext, StatementText};
use bfm::model::{Model, QualifiedName, Table};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const CORPUS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/corpus/greptime/sqlness-ddl.jsonl"
);

fn passing_file(category: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/greptime")
        .join(format!("passing_{category}.txt"))
}

#[derive(Default)]
struct Tally {
    /// Per category: (case id, passed).
    results: BTreeMap<&'static str, Vec<(String, bool)>>,
    lenient: Vec<String>,
}

impl Tally {
    fn record(&mut self, category: &'static str, id: &str, passed: bool) {
        if !passed && std::env::var("BFM_CONFORMANCE_VERBOSE").is_ok() {
            eprintln!("FAIL {category} {id}");
        }
        self.results
            .entry(category)
            .or_default()
            .push((id.to_string(), passed));
    }
}

/// The replay of one upstream test file.
struct FileState {
    model: Model,
    /// Tables altered since they were created (their SHOW CREATE checks the ALTER replay).
    altered: BTreeSet<QualifiedName>,
    /// Tables whose loading failed: later statements on them are not judged.
    broken: BTreeSet<QualifiedName>,
    /// The last DESC TABLE rows of a table since its last DDL (with the case id).
    described: BTreeMap<QualifiedName, (String, Vec<ColumnRow>)>,
    /// The last SHOW CREATE TABLE text of a table since its last DDL.
    shown: BTreeMap<QualifiedName, String>,
}

impl FileState {
    fn new() -> FileState {
        FileState {
            model: Model::default(),
            altered: BTreeSet::new(),
            broken: BTreeSet::new(),
            described: BTreeMap::new(),
            shown: BTreeMap::new(),
        }
    }

    /// A DDL statement on `name` (every table when `None`) makes its earlier outputs stale.
    fn forget_outputs(&mut self, name: Option<&QualifiedName>) {
        match name {
            Some(name) => {
                self.described.remove(name);
                self.shown.remove(name);
            }
            None => {
                self.described.clear();
                self.shown.clear();
            }
        }
    }
}

fn context(entry: &Value) -> SchemaContext {
    SchemaContext {
        default_schema: entry["use_db"].as_str().unwrap_or("public").to_lowercase(),
    }
}

fn apply(model: &mut Model, sql: &str, context: &SchemaContext) -> Result<(), String> {
    let changes = Greptime
        .statement_changes(
            StatementText {
                sql,
                directives: &[],
            },
            model,
            context,
        )
        .map_err(|e| e.message)?;
    for change in changes {
        change.apply_to(model).map_err(|e| e.message)?;
    }
    Ok(())
}

/// The table a SHOW CREATE TABLE / ALTER TABLE / CREATE TABLE statement names.
fn named_table(sql: &str, words_before: usize, context: &SchemaContext) -> Option<QualifiedName> {
    let name = sql
        .split_whitespace()
        .nth(words_before)?
        .trim_end_matches(';')
        .trim_end_matches('(');
    let fold = |part: &str| {
        if part.starts_with(['"', '`']) {
            part.trim_matches(['"', '`']).to_string()
        } else {
            part.to_lowercase()
        }
    };
    Some(match name.split_once('.') {
        Some((db, table)) => QualifiedName::new(fold(db), fold(table)),
        None => QualifiedName::new(context.default_schema.clone(), fold(name)),
    })
}

/// The server resolves a database ttl live into a table's SHOW CREATE: take it out again.
fn without_database_ttl(mut shown: Table, loaded: &Table, model: &Model, schema: &str) -> Table {
    let db_ttl = model
        .schemas
        .get(schema)
        .and_then(|s| s.greptime.as_ref())
        .and_then(|g| g.options.get("ttl"));
    let loaded_has_ttl = loaded
        .greptime
        .as_ref()
        .is_some_and(|g| g.options.contains_key("ttl"));
    if let (Some(g), Some(db_ttl), false) = (shown.greptime.as_mut(), db_ttl, loaded_has_ttl)
        && g.options.get("ttl") == Some(db_ttl)
    {
        g.options.remove("ttl");
    }
    shown
}

/// Text comparison that ignores only what depends on the protocol: the identifier quote, and
/// `'comment'` versus `comment` (auto-created tables quote it).
fn same_text(ours: &str, server: &str) -> bool {
    let normalize = |text: &str| {
        text.replace('`', "\"")
            .replace("'comment' = ", "comment = ")
            .trim_end()
            .to_string()
    };
    normalize(ours) == normalize(server)
}

fn run() -> Tally {
    let text = std::fs::read_to_string(CORPUS).unwrap_or_else(|e| {
        panic!("the GreptimeDB corpus is missing at {CORPUS} ({e}): the conformance test needs ../shared/corpus next to the project")
    });
    let mut tally = Tally::default();
    let mut current_file = String::new();
    let mut state = FileState::new();
    for line in text.lines() {
        let entry: Value = serde_json::from_str(line).expect("corpus lines are JSON");
        let file = entry["file"].as_str().unwrap_or_default().to_string();
        if file != current_file {
            current_file = file.clone();
            state = FileState::new();
        }
        let id = format!("{file}:{}", entry["seq"]);
        let sql = entry["statement"].as_str().unwrap_or_default();
        let refused = entry["expects_error"].as_bool().unwrap_or(false);
        let detail = entry["detail"].as_str().unwrap_or_default();
        let context = context(&entry);
        match detail {
            "create_table" => {
                let name = named_table(sql, create_name_index(sql), &context);
                state.forget_outputs(name.as_ref());
                let result = apply(&mut state.model, sql, &context);
                if let Err(message) = &result
                    && !refused
                    && std::env::var("BFM_CONFORMANCE_VERBOSE").is_ok()
                {
                    eprintln!("  {message}\n  {sql}");
                }
                if refused {
                    tally.record("refused_create", &id, result.is_err());
                    if result.is_ok() {
                        tally.lenient.push(id.clone());
                    }
                } else {
                    tally.record("accepted_create", &id, result.is_ok());
                    if let Some(name) = name {
                        state.altered.remove(&name);
                        if result.is_err() {
                            state.broken.insert(name);
                        } else {
                            state.broken.remove(&name);
                        }
                    }
                }
            }
            "alter_table" => {
                let name = named_table(sql, 2, &context);
                state.forget_outputs(None);
                let result = apply(&mut state.model, sql, &context);
                if refused {
                    tally.record("refused_alter", &id, result.is_err());
                    if result.is_ok() {
                        tally.lenient.push(id.clone());
                    }
                } else if let Some(name) = name {
                    if !state.broken.contains(&name) {
                        tally.record("accepted_alter", &id, result.is_ok());
                    }
                    if result.is_err() {
                        state.broken.insert(name.clone());
                    }
                    if let Some(new_name) = renamed_to(sql, &name) {
                        state.altered.insert(new_name);
                    }
                    state.altered.insert(name);
                }
            }
            "show_create_table" if !refused => {
                show_create(&entry, &id, sql, &context, &mut state, &mut tally);
                if let (Some(name), Some(text)) =
                    (named_table(sql, 3, &context), entry["create_sql"].as_str())
                {
                    state.shown.insert(name.clone(), text.to_string());
                    let rows = state
                        .described
                        .get(&name)
                        .map(|(_, rows)| rows.clone())
                        .unwrap_or_default();
                    inspect_case(&id, &name, rows, text, &state, &mut tally);
                }
            }
            "desc_table" if !refused => {
                if let (Some(name), Some(rows)) =
                    (described_table(sql, &context), desc_rows(&entry))
                {
                    state
                        .described
                        .insert(name.clone(), (id.clone(), rows.clone()));
                    columns_case(&id, &name, &rows, &state, &mut tally);
                    if let Some(text) = state.shown.get(&name).cloned() {
                        inspect_case(&id, &name, rows, &text, &state, &mut tally);
                    }
                }
            }
            _ => {
                if !refused {
                    if !matches!(
                        entry["kind"].as_str(),
                        Some("information_schema" | "show_create" | "desc" | "other")
                    ) {
                        state.forget_outputs(None);
                    }
                    let _ = apply(&mut state.model, sql, &context);
                }
            }
        }
    }
    tally
}

fn create_name_index(sql: &str) -> usize {
    let upper = sql.to_uppercase();
    if upper
        .split_whitespace()
        .take(5)
        .collect::<Vec<_>>()
        .join(" ")
        .starts_with("CREATE TABLE IF NOT EXISTS")
    {
        5
    } else {
        2
    }
}

fn renamed_to(sql: &str, name: &QualifiedName) -> Option<QualifiedName> {
    let words: Vec<&str> = sql.split_whitespace().collect();
    let at = words
        .iter()
        .position(|w| w.eq_ignore_ascii_case("RENAME"))?;
    let target = words.get(at + 1)?.trim_end_matches(';');
    Some(QualifiedName::new(
        name.schema.clone(),
        target.trim_matches(['"', '`']).to_lowercase(),
    ))
}

fn show_create(
    entry: &Value,
    id: &str,
    sql: &str,
    context: &SchemaContext,
    state: &mut FileState,
    tally: &mut Tally,
) {
    let Some(name) = named_table(sql, 3, context) else {
        return;
    };
    let Some(server_text) = entry["create_sql"].as_str() else {
        return;
    };
    if state.broken.contains(&name) {
        return;
    }
    let Some(loaded) = state.model.table(&name).cloned() else {
        return;
    };
    let shown = match table_from_create(server_text, &name.schema) {
        Ok(table) => table,
        Err(_) => {
            tally.record("show_create_loads", id, false);
            return;
        }
    };
    tally.record("show_create_loads", id, true);
    let shown = without_database_ttl(shown, &loaded, &state.model, &name.schema);
    let mut loaded_named = loaded.clone();
    loaded_named.name = shown.name.clone();
    if state.altered.contains(&name) {
        tally.record("alter_replay", id, loaded_named == shown);
        return;
    }
    tally.record("create_model_equals_show_create", id, loaded_named == shown);
    if loaded_named != shown && std::env::var("BFM_CONFORMANCE_VERBOSE").is_ok() {
        eprintln!("  loaded {loaded_named:?}\n  shown  {shown:?}");
    }
    let quote = if entry["protocol"] == "mysql" {
        '`'
    } else {
        '"'
    };
    let ours = show_create_table(&loaded, quote);
    tally.record(
        "create_render_equals_show_create_text",
        id,
        same_text(&ours, server_text),
    );
    let reloaded = table_from_create(&ours, &name.schema).ok();
    tally.record(
        "render_reloads_to_same_model",
        id,
        reloaded.as_ref() == Some(&loaded),
    );
}

/// The table of `DESC [TABLE] t`.
fn described_table(sql: &str, context: &SchemaContext) -> Option<QualifiedName> {
    let words: Vec<&str> = sql.split_whitespace().collect();
    let at = if words.get(1)?.eq_ignore_ascii_case("TABLE") {
        2
    } else {
        1
    };
    named_table(sql, at, context)
}

/// DESC TABLE's rows as the `information_schema.columns` rows they mirror (DESC shows the
/// same native type, nullability, default and semantic type, but no comment).
fn desc_rows(entry: &Value) -> Option<Vec<ColumnRow>> {
    let table = &entry["table"];
    let header: Vec<&str> = table["columns"]
        .as_array()?
        .iter()
        .filter_map(Value::as_str)
        .collect();
    if header != ["Column", "Type", "Key", "Null", "Default", "Semantic Type"] {
        return None;
    }
    let mut rows = Vec::new();
    for (at, line) in table["lines"].as_array()?.iter().enumerate() {
        let cells: Vec<&str> = line.as_array()?.iter().filter_map(Value::as_str).collect();
        let [name, native, _key, null, default, semantic] = cells.as_slice() else {
            return None;
        };
        rows.push(ColumnRow {
            column_name: name.to_string(),
            ordinal_position: at as i64 + 1,
            greptime_data_type: native.to_string(),
            semantic_type: semantic.to_string(),
            column_default: (!default.is_empty()).then(|| default.to_string()),
            is_nullable: null.to_string(),
            column_comment: None,
        });
    }
    Some(rows)
}

/// The DESC rows of a table (what `information_schema.columns` holds) agree with the replay of
/// its DDL: native types, nullability, semantic types, defaults.
fn columns_case(
    id: &str,
    name: &QualifiedName,
    rows: &[ColumnRow],
    state: &FileState,
    tally: &mut Tally,
) {
    if state.broken.contains(name) {
        return;
    }
    let Some(loaded) = state.model.table(name) else {
        return;
    };
    let result = check_column_rows(loaded, rows);
    if let Err(error) = &result
        && std::env::var("BFM_CONFORMANCE_VERBOSE").is_ok()
    {
        eprintln!("  {error}");
    }
    tally.record("inspect_column_rows_agree", id, result.is_ok());
}

/// Inspection from the server's own outputs: SHOW CREATE TABLE of one table, with its DESC
/// rows when the file shows both, read through `table_from_catalog` gives the model the replay
/// of the CREATE/ALTERs before it gives (`inspect_equals_replay`; `inspect_with_column_rows`
/// for the cases that had column rows).
fn inspect_case(
    id: &str,
    name: &QualifiedName,
    rows: Vec<ColumnRow>,
    show_create: &str,
    state: &FileState,
    tally: &mut Tally,
) {
    if state.broken.contains(name) {
        return;
    }
    let Some(mut loaded) = state.model.table(name).cloned() else {
        return;
    };
    let database_ttl = state
        .model
        .schemas
        .get(&name.schema)
        .and_then(|s| s.greptime.as_ref())
        .and_then(|g| g.options.get("ttl"))
        .cloned();
    let catalog = TableCatalog {
        table: name.clone(),
        columns: rows,
        key_columns: Vec::new(),
        create_options: None,
        show_create: show_create.to_string(),
    };
    let with_rows = !catalog.columns.is_empty();
    let inspected = table_from_catalog(&catalog, database_ttl.as_deref());
    loaded.renamed_from = None;
    let passed = inspected.as_ref().is_ok_and(|t| *t == loaded);
    if !passed && std::env::var("BFM_CONFORMANCE_VERBOSE").is_ok() {
        eprintln!("  inspected {inspected:?}\n  replayed  {loaded:?}");
    }
    tally.record("inspect_equals_replay", id, passed);
    if with_rows {
        tally.record("inspect_with_column_rows", id, passed);
    }
}

#[test]
fn greptime_corpus_conformance() {
    let tally = run();
    let update = std::env::var("BFM_UPDATE_PASSING").is_ok_and(|v| v == "1");
    let mut regressions = Vec::new();
    println!("GreptimeDB sqlness conformance:");
    for (category, results) in &tally.results {
        let passed: BTreeSet<&str> = results
            .iter()
            .filter(|(_, ok)| *ok)
            .map(|(id, _)| id.as_str())
            .collect();
        println!("  {category}: {}/{} pass", passed.len(), results.len());
        let path = passing_file(category);
        if update {
            let mut text: String = passed.iter().map(|id| format!("{id}\n")).collect();
            if text.is_empty() {
                text.push('\n');
            }
            std::fs::write(&path, text).expect("write the passing list");
            continue;
        }
        let listed = std::fs::read_to_string(&path).unwrap_or_default();
        for id in listed.lines().filter(|l| !l.is_empty()) {
            if !passed.contains(id) {
                regressions.push(format!("{category}: {id}"));
            }
        }
    }
    println!(
        "  lenient (server refused, bfm accepted): {}",
        tally.lenient.len()
    );
    for id in &tally.lenient {
        println!("    {id}");
    }
    assert!(
        regressions.is_empty(),
        "cases that passed before now fail:\n{}",
        regressions.join("\n")
    );
    assert!(
        tally
            .results
            .get("accepted_create")
            .is_some_and(|r| r.len() > 800),
        "the corpus should hold the accepted CREATE TABLEs"
    );
}
