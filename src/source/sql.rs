//! SQL files: each statement is read by the dialect into changes, which are applied to the model.

use super::script::{self, ScriptStatement, Section};
use super::{LoadError, LoadOptions, Location, Origins, invalid_at};
use crate::backend::{StatementError, StatementText};
use crate::model::{Change, Model, QualifiedName};
use std::path::Path;

/// Applies the statements of a SQL file to an existing model, as the database would run them.
///
/// This is how migration files are replayed without a database: start from an empty (or
/// already replayed) model and apply each file in version order. Only statements whose section
/// `section_filter` accepts are applied (`|s| s != Section::Down` for an up migration). Objects
/// may be created, dropped and created again; only changes that do not fit the model are errors,
/// reported at `file`:line:column.
pub fn apply_sql_text(
    model: &mut Model,
    text: &str,
    file: &Path,
    options: LoadOptions<'_>,
    section_filter: impl Fn(Section) -> bool,
) -> Result<(), LoadError> {
    apply(model, text, file, options, None, &section_filter)
}

/// Applies a SQL file; with `origins`, also records each created object to refuse a second
/// definition of it.
pub(super) fn apply(
    model: &mut Model,
    text: &str,
    file: &Path,
    options: LoadOptions<'_>,
    mut origins: Option<&mut Origins>,
    section_filter: &dyn Fn(Section) -> bool,
) -> Result<(), LoadError> {
    let script =
        script::split(text).map_err(|e| invalid_at(text, file, e.line, e.column, e.message))?;
    for statement in script
        .statements
        .iter()
        .filter(|s| section_filter(s.section))
    {
        let changes = options
            .dialect
            .statement_changes(
                StatementText {
                    sql: &statement.sql,
                    directives: &statement.directives,
                },
                model,
                options.context,
            )
            .map_err(|e| statement_error(text, file, statement, &e))?;
        let here = Location {
            file: file.to_path_buf(),
            line: statement.line,
            column: statement.column,
        };
        for change in changes {
            if let Some(origins) = origins.as_deref_mut() {
                track(origins, &change, &here)?;
            }
            change
                .apply_to(model)
                .map_err(|e| invalid_at(text, file, here.line, here.column, e.message))?;
        }
    }
    Ok(())
}

/// A statement error at its place in the file: the statement's start plus the error's offset.
fn statement_error(
    text: &str,
    file: &Path,
    statement: &ScriptStatement,
    error: &StatementError,
) -> LoadError {
    let (line, column) = match error.offset {
        Some(offset) => script::line_column(text, statement.span.start + offset),
        None => (statement.line, statement.column),
    };
    invalid_at(text, file, line, column, error.message.clone())
}

/// Records the object a change creates (refusing one already defined) or forgets one it drops.
fn track(origins: &mut Origins, change: &Change, here: &Location) -> Result<(), LoadError> {
    match created_object(change) {
        Some(object) => origins.record(object, here.clone()),
        None => {
            if let Some(object) = dropped_object(change) {
                origins.forget(&object);
            }
            Ok(())
        }
    }
}

fn created_object(change: &Change) -> Option<String> {
    Some(match change {
        Change::CreateTable { schema, table } => object_key("table", schema, &table.name),
        Change::CreateEnum { schema, value } => object_key("enum", schema, &value.name),
        Change::CreateDomain { schema, domain } => object_key("domain", schema, &domain.name),
        Change::CreateView { schema, view } => object_key("view", schema, &view.name),
        Change::CreateEvent { schema, event } => object_key("event", schema, &event.name),
        Change::CreateSequence { schema, sequence } => {
            object_key("sequence", schema, &sequence.name)
        }
        Change::CreateExtension { extension } => format!("extension {}", extension.name),
        Change::CreateIndex { table, index } => object_key("index", &table.schema, &index.name),
        _ => return None,
    })
}

fn dropped_object(change: &Change) -> Option<String> {
    Some(match change {
        Change::DropTable { schema, table } => object_key("table", schema, &table.name),
        Change::DropEnum { schema, value } => object_key("enum", schema, &value.name),
        Change::DropDomain { schema, domain } => object_key("domain", schema, &domain.name),
        Change::DropView { schema, view } => object_key("view", schema, &view.name),
        Change::DropEvent { schema, event } => object_key("event", schema, &event.name),
        Change::DropSequence { schema, sequence } => object_key("sequence", schema, &sequence.name),
        Change::DropExtension { extension } => format!("extension {}", extension.name),
        Change::DropIndex { table, index } => object_key("index", &table.schema, &index.name),
        _ => return None,
    })
}

/// How an object is named in a duplicate-definition error, e.g. `table core.users`.
pub(super) fn object_key(kind: &str, schema: &str, name: &str) -> String {
    format!("{kind} {}", QualifiedName::new(schema, name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::SchemaContext;
    use crate::backend::postgres::Postgres;
    use crate::source::load_sql_text;

    fn context() -> SchemaContext {
        SchemaContext {
            default_schema: "core".to_string(),
        }
    }

    #[test]
    fn a_statement_error_is_reported_at_its_line_in_the_file() {
        let text = "CREATE TABLE a (id bigint);\n\n-- broken\nCREATE TABLE b (id bigint,, x);\n";
        let options = LoadOptions {
            dialect: &Postgres,
            context: &context(),
        };
        match load_sql_text(text, Path::new("s.sql"), options) {
            Err(LoadError::Invalid {
                location,
                line_text,
                ..
            }) => {
                assert_eq!(location.line, 4);
                assert_eq!(line_text, "CREATE TABLE b (id bigint,, x);");
            }
            other => panic!("expected an invalid-input error, got {other:?}"),
        }
    }

    #[test]
    fn a_table_created_twice_in_one_sql_file_names_both_lines() {
        let text = "CREATE TABLE a (id bigint);\nCREATE TABLE a (id bigint);\n";
        let options = LoadOptions {
            dialect: &Postgres,
            context: &context(),
        };
        match load_sql_text(text, Path::new("s.sql"), options) {
            Err(LoadError::Duplicate {
                object,
                first,
                second,
            }) => {
                assert_eq!(object, "table core.a");
                assert_eq!((first.line, second.line), (1, 2));
            }
            other => panic!("expected a duplicate, got {other:?}"),
        }
    }

    #[test]
    fn replay_applies_only_the_sections_asked_for_and_allows_recreation() {
        let text = "-- +migrate Up\nCREATE TABLE a (id bigint);\nDROP TABLE a;\nCREATE TABLE a (id bigint, x text);\n\
                    -- +migrate Down\nDROP TABLE a;\n";
        let options = LoadOptions {
            dialect: &Postgres,
            context: &context(),
        };
        let mut model = Model::default();
        model.schema_mut("core");
        apply_sql_text(&mut model, text, Path::new("m.sql"), options, |s| {
            s == Section::Up
        })
        .unwrap();
        let table = model
            .table(&QualifiedName::new("core", "a"))
            .expect("table a replayed");
        assert_eq!(table.columns.len(), 2);
    }
}
