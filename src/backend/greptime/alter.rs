//! ALTER TABLE / ALTER DATABASE / COMMENT ON, read into changes with the server's checks: what
//! the server refuses (dropping a tag, SET of a one-way option, …) is refused here too.

use super::ddl::{self, ColumnSyntax, canonical_default};
use super::names::Reader;
use super::options;
use super::types;
use crate::backend::{SchemaContext, StatementError};
use crate::model::{Change, ColumnPosition, Model, QualifiedName, Table};
use sqlparser::tokenizer::Token;
use std::collections::BTreeMap;

/// Options `ALTER TABLE … SET` accepts (besides the `greptime.semantic.` annotations).
const SETTABLE: &[&str] = &[
    "ttl",
    "compaction.twcs.time_window",
    "compaction.twcs.trigger_file_num",
    "compaction.twcs.max_output_file_size",
    "sst_format",
    "append_mode",
    "write_buffer_size",
    "auto_flush_interval",
    "max_row_group_row_count",
    "skip_wal",
    "repartition.column.hint",
];

/// Options `ALTER TABLE … UNSET` accepts.
const UNSETTABLE: &[&str] = &[
    "ttl",
    "write_buffer_size",
    "compaction.twcs.time_window",
    "compaction.twcs.trigger_file_num",
    "compaction.twcs.max_output_file_size",
    "max_row_group_row_count",
];

pub fn is_settable(key: &str) -> bool {
    SETTABLE.contains(&key) || key.starts_with("greptime.semantic.")
}

pub fn is_unsettable(key: &str) -> bool {
    UNSETTABLE.contains(&key) || key.starts_with("greptime.semantic.")
}

pub fn alter_table(
    reader: &mut Reader<'_>,
    model: &Model,
    context: &SchemaContext,
) -> Result<Vec<Change>, StatementError> {
    let name = reader.object_name(&context.default_schema)?;
    let table = model
        .table(&name)
        .cloned()
        .ok_or_else(|| reader.error(format!("table {name} does not exist")))?;
    if reader.word("ADD") {
        return add_columns(reader, &name, table);
    }
    if reader.word("DROP") {
        reader.word("COLUMN");
        let column = reader.ident()?;
        return drop_column(&table, &name, &column).map_err(|m| reader.error(m));
    }
    if reader.peek_is("MODIFY") {
        return modify_columns(reader, &name, table);
    }
    if reader.word("SET") {
        return set_options(reader, &name, &table);
    }
    if reader.word("UNSET") {
        return unset_options(reader, &name, &table);
    }
    if reader.word("RENAME") {
        reader.word("TO");
        let to = reader.ident()?;
        if model
            .table(&QualifiedName::new(&name.schema, &to))
            .is_some()
        {
            return Err(reader.error(format!("table {to} already exists")));
        }
        return Ok(vec![Change::RenameTable {
            schema: name.schema,
            from: name.name,
            to,
        }]);
    }
    Err(reader.error(
        "bfm reads ALTER TABLE ADD, DROP COLUMN, MODIFY COLUMN, SET, UNSET and RENAME for GreptimeDB",
    ))
}

fn greptime_of<'t>(
    table: &'t Table,
    name: &QualifiedName,
) -> Result<&'t crate::model::GreptimeTable, String> {
    table
        .greptime
        .as_ref()
        .ok_or_else(|| format!("table {name} is not a GreptimeDB table"))
}

fn add_columns(
    reader: &mut Reader<'_>,
    name: &QualifiedName,
    mut table: Table,
) -> Result<Vec<Change>, StatementError> {
    let mut changes = Vec::new();
    loop {
        reader.word("COLUMN");
        let if_not_exists = reader.words(&["IF", "NOT", "EXISTS"]);
        if reader.peek_is("TIME") && reader.peek_nth_is(1, "INDEX") {
            return Err(reader.error("ALTER TABLE cannot add a TIME INDEX"));
        }
        let definition = ddl::column_definition(reader, ColumnSyntax::Add)?;
        if reader.peek_index_clause() {
            return Err(reader.error(
                "ADD COLUMN takes no index clause: add it with MODIFY COLUMN … SET … INDEX",
            ));
        }
        let position = if reader.word("FIRST") {
            ColumnPosition::First
        } else if reader.word("AFTER") {
            ColumnPosition::After(reader.ident()?)
        } else {
            ColumnPosition::Last
        };
        let mut column = definition.column;
        column.comment = None;
        match table.column(&column.name) {
            Some(existing) if if_not_exists && existing.data_type == column.data_type => {}
            Some(_) => {
                return Err(reader.error(format!("column {} already exists", column.name)));
            }
            None => {
                if !column.nullable && column.default.is_none() {
                    return Err(reader.error(format!(
                        "new column {} must be NULL-able or have a DEFAULT",
                        column.name
                    )));
                }
                if let ColumnPosition::After(anchor) = &position
                    && table.column(anchor).is_none()
                {
                    return Err(reader.error(format!("column {anchor} does not exist")));
                }
                let change = Change::AddColumnAt {
                    table: name.clone(),
                    column,
                    position,
                    tag: definition.primary_key,
                };
                let mut scratch = Model::default();
                scratch
                    .schema_mut(&name.schema)
                    .tables
                    .insert(table.name.clone(), table.clone());
                change
                    .apply_to(&mut scratch)
                    .map_err(|e| reader.error(e.message))?;
                if let Some(updated) = scratch.table(name) {
                    table = updated.clone();
                }
                changes.push(change);
            }
        }
        if !(reader.consume(&Token::Comma) && reader.word("ADD")) {
            break;
        }
    }
    Ok(changes)
}

/// Columns the server will not drop: tags, the time index and partition columns.
pub fn index_column_reason(table: &Table, column: &str) -> Option<&'static str> {
    let greptime = table.greptime.as_ref()?;
    if greptime.time_index == column {
        return Some("it is the time index");
    }
    if table
        .primary_key
        .as_ref()
        .is_some_and(|k| k.columns.iter().any(|c| c == column))
    {
        return Some("it is a tag (part of the primary key)");
    }
    if greptime
        .partition
        .as_ref()
        .is_some_and(|p| p.columns.iter().any(|c| c == column))
    {
        return Some("it is a partition column");
    }
    None
}

fn drop_column(table: &Table, name: &QualifiedName, column: &str) -> Result<Vec<Change>, String> {
    let position = table
        .columns
        .iter()
        .position(|c| c.name == column)
        .ok_or_else(|| format!("column {name}.{column} does not exist"))?;
    if let Some(reason) = index_column_reason(table, column) {
        return Err(format!(
            "Not allowed to remove index column {column}: {reason}"
        ));
    }
    Ok(vec![Change::DropColumnAt {
        table: name.clone(),
        column: table.columns[position].clone(),
        position: match position {
            0 => ColumnPosition::First,
            n => ColumnPosition::After(table.columns[n - 1].name.clone()),
        },
        tag: false,
    }])
}

fn modify_columns(
    reader: &mut Reader<'_>,
    name: &QualifiedName,
    table: Table,
) -> Result<Vec<Change>, StatementError> {
    let mut changes = Vec::new();
    let mut current = table;
    while reader.word("MODIFY") {
        reader.word("COLUMN");
        let column_name = reader.ident()?;
        let column = current
            .column(&column_name)
            .cloned()
            .ok_or_else(|| reader.error(format!("column {name}.{column_name} does not exist")))?;
        let change = modify_column(reader, name, &current, column)?;
        let mut scratch = Model::default();
        scratch
            .schema_mut(&name.schema)
            .tables
            .insert(current.name.clone(), current.clone());
        change
            .apply_to(&mut scratch)
            .map_err(|e| reader.error(e.message))?;
        if let Some(updated) = scratch.table(name) {
            current = updated.clone();
        }
        changes.push(change);
        if !reader.consume(&Token::Comma) {
            break;
        }
    }
    Ok(changes)
}

fn modify_column(
    reader: &mut Reader<'_>,
    name: &QualifiedName,
    table: &Table,
    column: crate::model::Column,
) -> Result<Change, StatementError> {
    let mut to = column.clone();
    if reader.words(&["SET", "DEFAULT"]) {
        let expr = reader.expr()?;
        let default =
            canonical_default(&expr, &column.data_type).map_err(|e| reader.error(e.message))?;
        if default == "NULL" && !column.nullable {
            return Err(reader.error(format!(
                "NOT NULL column {} cannot default to NULL",
                column.name
            )));
        }
        to.default = Some(default);
        return Ok(alter_column(name, column, to));
    }
    if reader.words(&["DROP", "DEFAULT"]) {
        if !column.nullable {
            return Err(reader.error(format!(
                "cannot drop the default of NOT NULL column {}",
                column.name
            )));
        }
        to.default = None;
        return Ok(alter_column(name, column, to));
    }
    if reader.word("SET") {
        let mut indexes = column.greptime.clone().unwrap_or_default();
        let before = indexes.clone();
        ddl::index_clause(reader, &mut indexes, &column.data_type)?;
        if let (Some(old), Some(new)) = (&before.fulltext, &indexes.fulltext)
            && (old.get("analyzer") != new.get("analyzer")
                || old.get("case_sensitive") != new.get("case_sensitive"))
        {
            return Err(reader.error(
                "Cannot change analyzer or case_sensitive of an enabled FULLTEXT index: UNSET it first",
            ));
        }
        return Ok(Change::SetColumnIndexes {
            table: name.clone(),
            column: column.name.clone(),
            from: before,
            to: indexes,
        });
    }
    if reader.word("UNSET") {
        let mut indexes = column.greptime.clone().unwrap_or_default();
        let before = indexes.clone();
        let kind = reader.ident()?.to_ascii_uppercase();
        if !reader.word("INDEX") {
            return Err(reader.error(format!("expected INDEX after {kind}")));
        }
        match kind.as_str() {
            "FULLTEXT" => indexes.fulltext = None,
            "SKIPPING" => indexes.skipping = None,
            "INVERTED" => indexes.inverted = false,
            _ => return Err(reader.error(format!("cannot UNSET {kind} INDEX"))),
        }
        return Ok(Change::SetColumnIndexes {
            table: name.clone(),
            column: column.name.clone(),
            from: before,
            to: indexes,
        });
    }
    let type_text = reader.text_until(&[]);
    let data_type = types::normalize_type(&type_text).map_err(|e| reader.error(e.message))?;
    if let Some(reason) = index_column_reason(table, &column.name)
        && reason != "it is a partition column"
    {
        return Err(reader.error(format!(
            "cannot change the type of column {}: {reason}",
            column.name
        )));
    }
    if !column.nullable {
        return Err(reader.error(format!(
            "cannot change the type of NOT NULL column {}",
            column.name
        )));
    }
    to.data_type = data_type;
    Ok(alter_column(name, column, to))
}

fn alter_column(
    name: &QualifiedName,
    from: crate::model::Column,
    to: crate::model::Column,
) -> Change {
    Change::AlterColumn {
        table: name.clone(),
        from,
        to,
    }
}

fn set_options(
    reader: &mut Reader<'_>,
    name: &QualifiedName,
    table: &Table,
) -> Result<Vec<Change>, StatementError> {
    let from = greptime_of(table, name)
        .map_err(|m| reader.error(m))?
        .options
        .clone();
    let mut to = from.clone();
    loop {
        let key = reader.option_key()?.to_ascii_lowercase();
        reader.expect(&Token::Eq)?;
        let value = reader.option_value()?;
        apply_set(&mut to, &key, value).map_err(|m| reader.error(m))?;
        if !reader.consume(&Token::Comma) {
            break;
        }
    }
    Ok(vec![Change::SetTableOptions {
        table: name.clone(),
        from,
        to,
    }])
}

/// One `SET key = value` on table options, with the server's side effects.
pub fn apply_set(
    options: &mut BTreeMap<String, String>,
    key: &str,
    value: Option<String>,
) -> Result<(), String> {
    if !is_settable(key) {
        return Err(format!(
            "Invalid set region option request: {key} cannot be altered"
        ));
    }
    let Some(value) = value else {
        if key != "auto_flush_interval" && !key.starts_with("greptime.semantic.") {
            return Err(format!("{key} cannot be set to NULL"));
        }
        options.remove(key);
        return Ok(());
    };
    let canonical = options::table_option_value(key, &value).map_err(|e| e.message)?;
    match key {
        "append_mode" => {
            let was = options.get(key).is_some_and(|v| v == "true");
            if was && canonical == "false" {
                return Err("append_mode cannot go back from true to false".to_string());
            }
            if canonical == "true" {
                options.remove("merge_mode");
            }
        }
        "skip_wal" if canonical != "true" => {
            return Err("skip_wal can only be set to 'true'".to_string());
        }
        _ => {}
    }
    if key.starts_with("compaction.twcs.") {
        options.insert("compaction.type".to_string(), "twcs".to_string());
        if canonical.is_empty() {
            options.remove(key);
            return Ok(());
        }
    }
    options.insert(key.to_string(), canonical);
    Ok(())
}

fn unset_options(
    reader: &mut Reader<'_>,
    name: &QualifiedName,
    table: &Table,
) -> Result<Vec<Change>, StatementError> {
    let from = greptime_of(table, name)
        .map_err(|m| reader.error(m))?
        .options
        .clone();
    let mut to = from.clone();
    loop {
        let key = reader.option_key()?.to_ascii_lowercase();
        if !is_unsettable(&key) {
            return Err(reader.error(format!(
                "Invalid unset table option request: {key} cannot be unset"
            )));
        }
        to.remove(&key);
        if !reader.consume(&Token::Comma) {
            break;
        }
    }
    Ok(vec![Change::SetTableOptions {
        table: name.clone(),
        from,
        to,
    }])
}

pub fn alter_database(
    reader: &mut Reader<'_>,
    model: &Model,
) -> Result<Vec<Change>, StatementError> {
    let name = reader.ident()?;
    let schema = model
        .schemas
        .get(&name)
        .ok_or_else(|| reader.error(format!("database {name} does not exist")))?;
    let from = schema
        .greptime
        .as_ref()
        .map(|db| db.options.clone())
        .unwrap_or_default();
    let mut to = from.clone();
    if reader.word("SET") {
        let mut raw = Vec::new();
        loop {
            let key = reader.option_key()?;
            reader.expect(&Token::Eq)?;
            let value = reader.option_value()?.unwrap_or_default();
            raw.push((key, value));
            if !reader.consume(&Token::Comma) {
                break;
            }
        }
        let set = options::database_options(raw).map_err(|e| reader.error(e.message))?;
        to.extend(set);
    } else if reader.word("UNSET") {
        loop {
            let key = reader.option_key()?.to_ascii_lowercase();
            to.remove(&key);
            if !reader.consume(&Token::Comma) {
                break;
            }
        }
    } else {
        return Err(reader.error("expected SET or UNSET after ALTER DATABASE name"));
    }
    Ok(vec![Change::SetDatabaseOptions {
        schema: name,
        from,
        to,
    }])
}

/// `COMMENT ON TABLE t IS 's' | NULL` (the table's `comment` option) and
/// `COMMENT ON COLUMN t.c IS 's' | NULL`.
pub fn comment(
    reader: &mut Reader<'_>,
    model: &Model,
    context: &SchemaContext,
) -> Result<Vec<Change>, StatementError> {
    if !reader.word("ON") {
        return Err(reader.error("expected ON after COMMENT"));
    }
    if reader.word("TABLE") {
        let name = reader.object_name(&context.default_schema)?;
        let text = comment_text(reader)?;
        let table = model
            .table(&name)
            .ok_or_else(|| reader.error(format!("table {name} does not exist")))?;
        let from = greptime_of(table, &name)
            .map_err(|m| reader.error(m))?
            .options
            .clone();
        let mut to = from.clone();
        match text {
            Some(text) => to.insert("comment".to_string(), text),
            None => to.remove("comment"),
        };
        return Ok(vec![Change::SetTableOptions {
            table: name,
            from,
            to,
        }]);
    }
    if reader.word("COLUMN") {
        let first = reader.ident()?;
        reader.expect(&Token::Period)?;
        let second = reader.ident()?;
        let (table_name, column) = if reader.consume(&Token::Period) {
            (QualifiedName::new(first, second), reader.ident()?)
        } else {
            (QualifiedName::new(&context.default_schema, first), second)
        };
        let text = comment_text(reader)?;
        let existing = model
            .table(&table_name)
            .and_then(|t| t.column(&column))
            .ok_or_else(|| reader.error(format!("column {table_name}.{column} does not exist")))?;
        return Ok(vec![Change::SetColumnComment {
            table: table_name,
            column,
            from: existing.comment.clone(),
            to: text,
        }]);
    }
    Err(reader.error("bfm reads COMMENT ON TABLE and COMMENT ON COLUMN for GreptimeDB"))
}

fn comment_text(reader: &mut Reader<'_>) -> Result<Option<String>, StatementError> {
    if !reader.word("IS") {
        return Err(reader.error("expected IS"));
    }
    if reader.word("NULL") {
        return Ok(None);
    }
    Ok(Some(reader.string()?))
}
