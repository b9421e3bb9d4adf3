//! Reading GreptimeDB DDL into model changes: our own grammar on sqlparser's public `Parser`
//! API, because sqlparser's CREATE TABLE has no TIME INDEX and cannot hold ENGINE, WITH and
//! PARTITION together. Each statement is checked the way the server checks it, so a statement
//! the server refuses is refused here too.

use super::alter;
use super::names::{self, Reader};
use super::options::{self, IndexKind};
use super::types;
use crate::backend::{SchemaContext, StatementError, StatementText};
use crate::model::GreptimeDatabase;
use crate::model::{
    Change, Column, ColumnIndexes, GreptimeTable, Model, Partition, PrimaryKey, QualifiedName,
    Table,
};
use sqlparser::ast::{Expr, UnaryOperator, Value};
use sqlparser::tokenizer::Token;
use std::collections::BTreeMap;

/// Statements that change no schema: they give no change.
const NON_DDL: &[&str] = &[
    "INSERT", "SELECT", "UPDATE", "DELETE", "SET", "USE", "SHOW", "DESC", "DESCRIBE", "TRUNCATE",
    "ADMIN", "COPY", "TQL", "EXPLAIN", "WITH", "VALUES",
];

pub fn statement_changes(
    statement: StatementText<'_>,
    model: &Model,
    context: &SchemaContext,
) -> Result<Vec<Change>, StatementError> {
    let mut reader = Reader::new(statement.sql)?;
    let Some(first) = reader.peek_word() else {
        return match reader.at_end() {
            true => Ok(Vec::new()),
            false => Err(reader.error("expected a statement")),
        };
    };
    if NON_DDL.contains(&first.to_ascii_uppercase().as_str()) {
        return Ok(Vec::new());
    }
    let changes = if reader.word("CREATE") {
        create(&mut reader, model, context)?
    } else if reader.word("ALTER") {
        if reader.word("TABLE") {
            alter::alter_table(&mut reader, model, context)?
        } else if reader.word("DATABASE") || reader.word("SCHEMA") {
            alter::alter_database(&mut reader, model)?
        } else {
            return Err(reader.error("expected TABLE or DATABASE after ALTER"));
        }
    } else if reader.word("DROP") {
        drop(&mut reader, model, context)?
    } else if reader.word("COMMENT") {
        alter::comment(&mut reader, model, context)?
    } else {
        return Err(reader.error(format!(
            "bfm does not read this GreptimeDB statement ({first} …)"
        )));
    };
    reader.expect_end()?;
    Ok(changes)
}

fn create(
    reader: &mut Reader<'_>,
    model: &Model,
    context: &SchemaContext,
) -> Result<Vec<Change>, StatementError> {
    if reader.word("DATABASE") || reader.word("SCHEMA") {
        return create_database(reader, model);
    }
    if reader.word("EXTERNAL") {
        return Err(reader.error("external tables are not managed by bfm"));
    }
    if !reader.word("TABLE") {
        return Err(reader.error(
            "bfm reads CREATE TABLE and CREATE DATABASE for GreptimeDB (not views or flows)",
        ));
    }
    let if_not_exists = reader.words(&["IF", "NOT", "EXISTS"]);
    if reader.peek_is("IF") && reader.peek_nth_is(1, "EXISTS") {
        return Err(reader.error("CREATE TABLE IF EXISTS is not valid: use IF NOT EXISTS"));
    }
    let name = reader.object_name(&context.default_schema)?;
    if reader.word("LIKE") {
        let source = reader.object_name(&context.default_schema)?;
        let mut table = model
            .table(&source)
            .cloned()
            .ok_or_else(|| reader.error(format!("table {source} does not exist")))?;
        table.name = name.name.clone();
        return Ok(create_changes(model, name, table, if_not_exists));
    }
    let defaults = database_defaults(model, &name.schema);
    let table = table_definition(reader, &name.name, &defaults)?;
    Ok(create_changes(model, name, table, if_not_exists))
}

fn create_changes(
    model: &Model,
    name: QualifiedName,
    table: Table,
    if_not_exists: bool,
) -> Vec<Change> {
    if if_not_exists && model.table(&name).is_some() {
        return Vec::new();
    }
    vec![Change::CreateTable {
        schema: name.schema,
        table,
    }]
}

/// The database options a new table of `schema` copies into its own.
pub fn database_defaults(model: &Model, schema: &str) -> BTreeMap<String, String> {
    model
        .schemas
        .get(schema)
        .and_then(|s| s.greptime.as_ref())
        .map(|db| {
            db.options
                .iter()
                .filter(|(k, _)| options::INHERITED_DATABASE_OPTIONS.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        })
        .unwrap_or_default()
}

/// Everything after `CREATE TABLE name`: elements, PARTITION, ENGINE, WITH.
pub fn table_definition(
    reader: &mut Reader<'_>,
    name: &str,
    inherited: &BTreeMap<String, String>,
) -> Result<Table, StatementError> {
    reader.expect(&Token::LParen)?;
    let mut builder = TableBuilder::default();
    while !reader.peek_token_is(&Token::RParen) {
        table_element(reader, &mut builder)?;
        if !reader.consume(&Token::Comma) {
            break;
        }
    }
    reader.expect(&Token::RParen)?;
    let partition = if reader.word("PARTITION") {
        Some(partition(reader)?)
    } else {
        None
    };
    let engine = if reader.word("ENGINE") {
        reader.consume(&Token::Eq);
        let raw = reader.ident()?;
        engine_name(&raw).map_err(|e| reader.error(e.message))?
    } else {
        "mito".to_string()
    };
    let raw = if reader.word("WITH") {
        reader.options()?
    } else {
        Vec::new()
    };
    let mut table_options = options::table_options(
        raw.into_iter()
            .map(|(k, v)| (k, v.unwrap_or_default()))
            .collect(),
    )
    .map_err(|e| reader.error(e.message))?;
    inherit(&engine, &mut table_options, inherited);
    builder
        .finish(name, engine, table_options, partition)
        .map_err(|message| reader.error(message))
}

/// `mito` or `metric` (lower-cased): the engines bfm manages.
pub fn engine_name(raw: &str) -> Result<String, StatementError> {
    let engine = raw.to_ascii_lowercase();
    if engine != "mito" && engine != "metric" {
        return Err(StatementError::new(format!(
            "engine {engine} is not managed by bfm (mito or metric)"
        )));
    }
    Ok(engine)
}

/// A new mito table copies the database options it inherits into its own, as the server does.
fn inherit(
    engine: &str,
    table_options: &mut BTreeMap<String, String>,
    inherited: &BTreeMap<String, String>,
) {
    if engine == "mito" {
        for (key, value) in inherited {
            table_options
                .entry(key.clone())
                .or_insert_with(|| value.clone());
        }
    }
}

/// A table given as parts (by the YAML loader) rather than as CREATE TABLE text; checked and
/// completed exactly as [`table_definition`] checks and completes a CREATE TABLE.
#[derive(Debug, Clone, Default)]
pub struct TableParts {
    pub name: String,
    /// Columns with canonical types, defaults and index clauses.
    pub columns: Vec<Column>,
    /// Columns declared NULL-able explicitly (refused for the time index).
    pub explicit_null: Vec<String>,
    pub time_index: Option<String>,
    /// The tags in key order.
    pub tags: Vec<String>,
    /// Canonical engine ([`engine_name`]); `None` is mito.
    pub engine: Option<String>,
    /// Options as given; validated here.
    pub options: Vec<(String, String)>,
    pub partition: Option<Partition>,
}

/// Builds the table of `parts` in a database whose table-inherited options are `inherited`.
pub fn table_from_parts(
    parts: TableParts,
    inherited: &BTreeMap<String, String>,
) -> Result<Table, StatementError> {
    let engine = parts.engine.unwrap_or_else(|| "mito".to_string());
    let mut table_options = options::table_options(parts.options)?;
    inherit(&engine, &mut table_options, inherited);
    let builder = TableBuilder {
        columns: parts.columns,
        explicit_null: parts.explicit_null,
        time_index_constraint: parts.time_index,
        key_constraint: (!parts.tags.is_empty()).then_some(parts.tags),
        ..TableBuilder::default()
    };
    builder
        .finish(&parts.name, engine, table_options, parts.partition)
        .map_err(StatementError::new)
}

/// One partition rule in canonical form (`a < 10 AND b = 'x'`).
pub fn partition_rule(raw: &str) -> Result<String, StatementError> {
    let mut reader = Reader::new(raw)?;
    let expr = reader.expr()?;
    reader.expect_end()?;
    Ok(names::canonical_rule(&expr))
}

/// A column DEFAULT in canonical form for a column of `data_type`, checked as the server checks
/// it (`nullable` decides whether `NULL` is allowed).
pub fn column_default(
    raw: &str,
    column: &str,
    data_type: &str,
    nullable: bool,
) -> Result<String, StatementError> {
    let mut reader = Reader::new(raw)?;
    let expr = reader.expr()?;
    reader.expect_end()?;
    let default = canonical_default(&expr, data_type)?;
    let checked = Column {
        name: column.to_string(),
        data_type: data_type.to_string(),
        nullable,
        default: Some(default.clone()),
        ..Column::default()
    };
    check_default(&checked).map_err(StatementError::new)?;
    Ok(default)
}

/// The options of one index clause of a column of `data_type`, checked and expanded to the
/// server's defaults (`INVERTED INDEX` has none).
pub fn index_clause_options(
    kind: IndexKind,
    raw: Vec<(String, String)>,
    data_type: &str,
) -> Result<BTreeMap<String, String>, StatementError> {
    match kind {
        IndexKind::Fulltext if !types::is_string(data_type) => Err(StatementError::new(format!(
            "FULLTEXT INDEX needs a string column, not {data_type}"
        ))),
        IndexKind::Vector if !data_type.starts_with("VECTOR(") => {
            Err(StatementError::new("VECTOR INDEX needs a VECTOR column"))
        }
        _ => options::index_options(kind, raw),
    }
}

#[derive(Default)]
struct TableBuilder {
    columns: Vec<Column>,
    /// Columns written `… NULL` explicitly (refused for the time index).
    explicit_null: Vec<String>,
    inline_time_index: Vec<String>,
    time_index_constraint: Option<String>,
    inline_keys: Vec<String>,
    key_constraint: Option<Vec<String>>,
}

fn table_element(
    reader: &mut Reader<'_>,
    builder: &mut TableBuilder,
) -> Result<(), StatementError> {
    if reader.peek_is("TIME") && reader.peek_nth_is(1, "INDEX") {
        reader.word("TIME");
        reader.word("INDEX");
        let columns = reader.ident_list()?;
        if builder.time_index_constraint.is_some() {
            return Err(reader.error("a table has exactly one TIME INDEX"));
        }
        let [column] = columns.as_slice() else {
            return Err(reader.error("TIME INDEX takes exactly one column"));
        };
        builder.time_index_constraint = Some(column.clone());
        return Ok(());
    }
    if reader.peek_is("PRIMARY") && reader.peek_nth_is(1, "KEY") {
        reader.word("PRIMARY");
        reader.word("KEY");
        if builder.key_constraint.is_some() {
            return Err(reader.error("PRIMARY KEY is declared twice"));
        }
        builder.key_constraint = Some(reader.ident_list()?);
        return Ok(());
    }
    let definition = column_definition(reader, ColumnSyntax::Create)?;
    if definition.explicit_null {
        builder.explicit_null.push(definition.column.name.clone());
    }
    if definition.time_index {
        builder
            .inline_time_index
            .push(definition.column.name.clone());
    }
    if definition.primary_key {
        builder.inline_keys.push(definition.column.name.clone());
    }
    if builder
        .columns
        .iter()
        .any(|c| c.name == definition.column.name)
    {
        return Err(reader.error(format!(
            "column {} is defined twice",
            definition.column.name
        )));
    }
    builder.columns.push(definition.column);
    Ok(())
}

impl TableBuilder {
    fn finish(
        mut self,
        name: &str,
        engine: String,
        table_options: BTreeMap<String, String>,
        partition: Option<Partition>,
    ) -> Result<Table, String> {
        let time_index = match (
            self.inline_time_index.as_slice(),
            self.time_index_constraint,
        ) {
            ([], Some(column)) => column,
            ([column], None) => column.clone(),
            ([], None) => return Err("Missing time index constraint".to_string()),
            _ => return Err("a table has exactly one TIME INDEX".to_string()),
        };
        if self.explicit_null.contains(&time_index) {
            return Err(format!("time index column {time_index} cannot be NULL"));
        }
        let column = self
            .columns
            .iter_mut()
            .find(|c| c.name == time_index)
            .ok_or_else(|| format!("time index column {time_index} is not defined"))?;
        if !types::is_timestamp(&column.data_type) {
            return Err(format!(
                "time index column {time_index} must be a TIMESTAMP, not {}",
                column.data_type
            ));
        }
        column.nullable = false;
        let tags = match (self.inline_keys.len(), self.key_constraint) {
            (0, None) => Vec::new(),
            (0, Some(keys)) => keys,
            (1, None) => self.inline_keys,
            _ => return Err("only one PRIMARY KEY may be declared".to_string()),
        };
        for tag in &tags {
            if self.columns.iter().all(|c| &c.name != tag) {
                return Err(format!("primary key column {tag} is not defined"));
            }
            if tag == &time_index {
                return Err(format!("time index column {tag} cannot be a tag"));
            }
        }
        if let Some(partition) = &partition {
            for column in &partition.columns {
                if self.columns.iter().all(|c| &c.name != column) {
                    return Err(format!("partition column {column} is not defined"));
                }
            }
        }
        let mut greptime = GreptimeTable::new(time_index);
        greptime.engine = engine;
        greptime.options = table_options;
        greptime.partition = partition;
        Ok(Table {
            name: name.to_string(),
            columns: self.columns,
            primary_key: (!tags.is_empty()).then(|| PrimaryKey {
                name: names::PRIMARY_KEY.to_string(),
                columns: tags,
            }),
            greptime: Some(greptime),
            ..Table::default()
        })
    }
}

/// Where a column definition appears: CREATE TABLE allows index clauses and TIME INDEX,
/// ALTER TABLE … ADD COLUMN does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnSyntax {
    Create,
    Add,
}

pub struct ColumnDefinition {
    pub column: Column,
    pub explicit_null: bool,
    pub time_index: bool,
    pub primary_key: bool,
}

/// Words that end a column's type and start its options.
const COLUMN_OPTION_WORDS: &[&str] = &[
    "NULL", "NOT", "DEFAULT", "COMMENT", "PRIMARY", "TIME", "SKIPPING", "FULLTEXT", "INVERTED",
    "VECTOR", "FIRST", "AFTER",
];

pub fn column_definition(
    reader: &mut Reader<'_>,
    syntax: ColumnSyntax,
) -> Result<ColumnDefinition, StatementError> {
    let name = reader.ident()?;
    let type_text = reader.text_until(COLUMN_OPTION_WORDS);
    if type_text.trim().is_empty() {
        return Err(reader.error(format!("column {name} has no type")));
    }
    let data_type = types::normalize_type(&type_text).map_err(|e| reader.error(e.message))?;
    let mut definition = ColumnDefinition {
        column: Column {
            name,
            data_type,
            nullable: true,
            ..Column::default()
        },
        explicit_null: false,
        time_index: false,
        primary_key: false,
    };
    let mut not_null = false;
    let mut indexes = ColumnIndexes::default();
    loop {
        if reader.word("NULL") {
            definition.explicit_null = true;
        } else if reader.words(&["NOT", "NULL"]) {
            not_null = true;
        } else if reader.word("DEFAULT") {
            let expr = reader.expr()?;
            let default = canonical_default(&expr, &definition.column.data_type)
                .map_err(|e| reader.error(e.message))?;
            definition.column.default = Some(default);
        } else if reader.word("COMMENT") {
            definition.column.comment = Some(reader.string()?);
        } else if reader.words(&["PRIMARY", "KEY"]) {
            definition.primary_key = true;
        } else if syntax == ColumnSyntax::Create && reader.words(&["TIME", "INDEX"]) {
            definition.time_index = true;
        } else if syntax == ColumnSyntax::Create && reader.peek_index_clause() {
            index_clause(reader, &mut indexes, &definition.column.data_type)?;
        } else {
            break;
        }
    }
    if definition.explicit_null && not_null {
        return Err(reader.error("a column cannot be both NULL and NOT NULL"));
    }
    definition.column.nullable = !not_null;
    check_default(&definition.column).map_err(|m| reader.error(m))?;
    definition.column.greptime = (!indexes.is_empty()).then_some(indexes);
    Ok(definition)
}

fn check_default(column: &Column) -> Result<(), String> {
    let Some(default) = &column.default else {
        return Ok(());
    };
    if column.data_type.starts_with("JSON") {
        return Err(format!("JSON column {} cannot have a DEFAULT", column.name));
    }
    if default == "NULL" && !column.nullable {
        return Err(format!(
            "NOT NULL column {} cannot default to NULL",
            column.name
        ));
    }
    Ok(())
}

/// `FULLTEXT INDEX [WITH (…)]`, `SKIPPING INDEX [WITH (…)]`, `INVERTED INDEX`,
/// `VECTOR INDEX [WITH (…)]` (the caller saw one of them next).
pub fn index_clause(
    reader: &mut Reader<'_>,
    indexes: &mut ColumnIndexes,
    data_type: &str,
) -> Result<(), StatementError> {
    let kind = reader.ident()?.to_ascii_uppercase();
    if !reader.word("INDEX") {
        return Err(reader.error(format!("expected INDEX after {kind}")));
    }
    let mut with = || -> Result<Vec<(String, String)>, StatementError> {
        Ok(if reader.word("WITH") {
            reader
                .options()?
                .into_iter()
                .map(|(k, v)| (k, v.unwrap_or_default()))
                .collect()
        } else {
            Vec::new()
        })
    };
    let slot = match kind.as_str() {
        "FULLTEXT" => Some((IndexKind::Fulltext, &mut indexes.fulltext)),
        "SKIPPING" => Some((IndexKind::Skipping, &mut indexes.skipping)),
        "VECTOR" => Some((IndexKind::Vector, &mut indexes.vector)),
        _ => None,
    };
    match slot {
        Some((kind, slot)) => {
            let raw = with()?;
            *slot = Some(
                index_clause_options(kind, raw, data_type).map_err(|e| reader.error(e.message))?,
            );
        }
        None => indexes.inverted = true,
    }
    Ok(())
}

/// `ON COLUMNS (a, b) (rule, …)` after PARTITION.
fn partition(reader: &mut Reader<'_>) -> Result<Partition, StatementError> {
    if !reader.words(&["ON", "COLUMNS"]) {
        return Err(reader.error("expected ON COLUMNS after PARTITION"));
    }
    let columns = reader.ident_list()?;
    reader.expect(&Token::LParen)?;
    let mut rules = Vec::new();
    while !reader.peek_token_is(&Token::RParen) {
        let expr = reader.expr()?;
        rules.push(names::canonical_rule(&expr));
        if !reader.consume(&Token::Comma) {
            break;
        }
    }
    reader.expect(&Token::RParen)?;
    Ok(Partition { columns, rules })
}

/// A DEFAULT as SHOW CREATE TABLE prints it: numbers bare, strings quoted, timestamps with
/// their zone, `current_timestamp()` / `now()` lower-case (timestamp columns only).
pub fn canonical_default(expr: &Expr, data_type: &str) -> Result<String, StatementError> {
    let unsupported = || {
        StatementError::new(format!(
            "unsupported DEFAULT {expr}: use a literal, current_timestamp() or now()"
        ))
    };
    match expr {
        Expr::Value(value) => match &value.value {
            Value::Number(n, _) => Ok(n.clone()),
            Value::SingleQuotedString(s) | Value::DoubleQuotedString(s) => {
                if types::is_timestamp(data_type) {
                    Ok(names::quote_string(&timestamp_literal(s)))
                } else {
                    Ok(names::quote_string(s))
                }
            }
            Value::Boolean(b) => Ok(b.to_string()),
            Value::Null => Ok("NULL".to_string()),
            _ => Err(unsupported()),
        },
        Expr::UnaryOp {
            op: UnaryOperator::Minus,
            expr: inner,
        } => match inner.as_ref() {
            Expr::Value(value) if matches!(value.value, Value::Number(..)) => {
                Ok(format!("-{}", value.value))
            }
            _ => Err(unsupported()),
        },
        Expr::Nested(inner) => canonical_default(inner, data_type),
        Expr::Function(function) => {
            let name = function.name.to_string().to_ascii_lowercase();
            let empty_args = match &function.args {
                sqlparser::ast::FunctionArguments::None => true,
                sqlparser::ast::FunctionArguments::List(list) => list.args.is_empty(),
                sqlparser::ast::FunctionArguments::Subquery(_) => false,
            };
            if !matches!(name.as_str(), "current_timestamp" | "now") || !empty_args {
                return Err(unsupported());
            }
            if !types::is_timestamp(data_type) {
                return Err(StatementError::new(format!(
                    "DEFAULT {name}() needs a timestamp column, not {data_type}"
                )));
            }
            Ok(format!("{name}()"))
        }
        _ => Err(unsupported()),
    }
}

/// A timestamp literal with its zone, as the server prints it (`2024-01-30 00:00:00+0000`).
fn timestamp_literal(text: &str) -> String {
    let trimmed = text.trim();
    let bytes = trimmed.as_bytes();
    let looks_like_datetime = bytes.len() >= 19
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && (bytes[10] == b' ' || bytes[10] == b'T')
        && bytes[13] == b':';
    if !looks_like_datetime {
        return trimmed.to_string();
    }
    let mut value = trimmed.replacen('T', " ", 1);
    if let Some(without) = value.strip_suffix('Z') {
        value = format!("{without}+0000");
    } else if !value[19..].contains(['+', '-']) {
        value.push_str("+0000");
    }
    value
}

fn create_database(reader: &mut Reader<'_>, model: &Model) -> Result<Vec<Change>, StatementError> {
    let if_not_exists = reader.words(&["IF", "NOT", "EXISTS"]);
    let name = reader.ident()?;
    let raw = if reader.word("WITH") {
        reader.options()?
    } else {
        Vec::new()
    };
    let db_options = options::database_options(
        raw.into_iter()
            .map(|(k, v)| (k, v.unwrap_or_default()))
            .collect(),
    )
    .map_err(|e| reader.error(e.message))?;
    if model.schemas.contains_key(&name) {
        return if if_not_exists {
            Ok(Vec::new())
        } else {
            Err(reader.error(format!("database {name} already exists")))
        };
    }
    let mut changes = vec![Change::CreateSchema { name: name.clone() }];
    if !db_options.is_empty() {
        changes.push(Change::SetDatabaseOptions {
            schema: name,
            from: BTreeMap::new(),
            to: db_options,
        });
    }
    Ok(changes)
}

fn drop(
    reader: &mut Reader<'_>,
    model: &Model,
    context: &SchemaContext,
) -> Result<Vec<Change>, StatementError> {
    if reader.word("TABLE") {
        let if_exists = reader.words(&["IF", "EXISTS"]);
        let mut changes = Vec::new();
        loop {
            let name = reader.object_name(&context.default_schema)?;
            match model.table(&name) {
                Some(table) => changes.push(Change::DropTable {
                    schema: name.schema.clone(),
                    table: table.clone(),
                }),
                None if if_exists => {}
                None => return Err(reader.error(format!("table {name} does not exist"))),
            }
            if !reader.consume(&Token::Comma) {
                break;
            }
        }
        return Ok(changes);
    }
    if reader.word("DATABASE") || reader.word("SCHEMA") {
        let if_exists = reader.words(&["IF", "EXISTS"]);
        let name = reader.ident()?;
        let Some(schema) = model.schemas.get(&name) else {
            return if if_exists {
                Ok(Vec::new())
            } else {
                Err(reader.error(format!("database {name} does not exist")))
            };
        };
        let mut changes: Vec<Change> = schema
            .tables
            .values()
            .map(|table| Change::DropTable {
                schema: name.clone(),
                table: table.clone(),
            })
            .collect();
        if let Some(GreptimeDatabase { options }) = &schema.greptime {
            changes.push(Change::SetDatabaseOptions {
                schema: name.clone(),
                from: options.clone(),
                to: BTreeMap::new(),
            });
        }
        changes.push(Change::DropSchema { name });
        return Ok(changes);
    }
    Err(reader.error("bfm reads DROP TABLE and DROP DATABASE for GreptimeDB"))
}
