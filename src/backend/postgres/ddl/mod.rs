//! Reading PostgreSQL DDL into [`Change`]s: one statement at a time, against the model the
//! earlier statements built.

mod alter;
mod domains;
pub(super) mod functions;
mod objects;
mod sequence;
mod table;
#[cfg(test)]
mod tests;

use super::expr::{folded, parse_error};
use super::types::{is_builtin_type, normalize_type};
use crate::backend::{SchemaContext, StatementError, StatementText};
use crate::model::{Change, Model, QualifiedName};
use sqlparser::ast::{DataType, Expr, ObjectName, ObjectNamePart, Statement, UnaryOperator, Value};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;
use std::ops::Range;

/// Reads one statement into the changes it makes to `model`.
pub fn statement_changes(
    statement: StatementText<'_>,
    model: &Model,
    context: &SchemaContext,
) -> Result<Vec<Change>, StatementError> {
    let words = leading_words(statement.sql, 5);
    let word = |i: usize| words.get(i).map_or("", |(w, _)| w.as_str());
    if !matches!(word(0), "CREATE" | "ALTER" | "DROP" | "COMMENT") {
        return Ok(Vec::new());
    }
    let reader = Reader {
        statement,
        model,
        context,
    };
    let sequence_keyword = match word(1) {
        "TEMP" | "TEMPORARY" => word(2),
        other => other,
    };
    if matches!(word(0), "CREATE" | "ALTER") && sequence_keyword == "SEQUENCE" {
        return sequence::changes(&reader);
    }
    let routine_keyword = match (word(1), word(2)) {
        ("OR", "REPLACE") => word(3),
        _ => word(1),
    };
    match (word(0), routine_keyword) {
        ("CREATE", "FUNCTION" | "PROCEDURE") => return functions::create_function(&reader),
        ("CREATE", "TRIGGER") => return functions::create_trigger(&reader),
        ("CREATE", "CONSTRAINT") if word(2) == "TRIGGER" || word(4) == "TRIGGER" => {
            return functions::create_trigger(&reader);
        }
        ("DROP", "FUNCTION" | "PROCEDURE" | "ROUTINE") => {
            return functions::drop_function(&reader);
        }
        ("DROP", "TRIGGER") => return functions::drop_trigger(&reader),
        ("COMMENT", "ON")
            if matches!(word(2), "FUNCTION" | "PROCEDURE" | "ROUTINE" | "TRIGGER") =>
        {
            return functions::comment(&reader);
        }
        _ => {}
    }
    if word(1) == "DOMAIN" {
        return domains::changes(&reader, word(0));
    }
    if word(0) == "CREATE" && word(1) == "EXTENSION" {
        return objects::create_extension(&reader);
    }
    let mut sql = sequence::reorder_identity_options(statement.sql);
    if word(0) == "ALTER" && word(1) == "TABLE" {
        return alter::alter_table(&reader, &sql).map(|changes| settle(changes, model));
    }
    let mut alter_index_if_exists = false;
    if word(0) == "ALTER" && word(1) == "INDEX" && word(2) == "IF" && word(3) == "EXISTS" {
        // sqlparser does not know ALTER INDEX IF EXISTS; blanking the words keeps offsets.
        for (_, range) in &words[2..4] {
            sql.replace_range(range.clone(), &" ".repeat(range.len()));
        }
        alter_index_if_exists = true;
    }
    if word(0) == "CREATE" && word(1) == "MATERIALIZED" {
        // sqlparser does not know `WITH [NO] DATA`, which says whether the view is filled now
        // and not what it is; blanking the words keeps offsets.
        blank_with_data(&mut sql);
    }
    if word(0) == "DROP" && word(1) == "INDEX" && word(2) == "CONCURRENTLY" {
        // sqlparser does not know DROP INDEX CONCURRENTLY; blanking the word keeps offsets.
        if let Some((_, range)) = words.get(2) {
            sql.replace_range(range.clone(), &" ".repeat(range.len()));
        }
    }
    let parsed = reader.parse(&sql)?;
    let changes = match parsed {
        Statement::AlterIndex { name, operation } => {
            objects::alter_index(&reader, &name, &operation, alter_index_if_exists)
        }
        other => reader.read(&other),
    }?;
    Ok(settle(changes, model))
}

/// Puts the expressions of read tables, checks and indexes in the form inspection gives them,
/// which depends on the types of the columns they mention (see
/// [`drop_implicit_column_casts`](super::inspect::drop_implicit_column_casts)).
fn settle(mut changes: Vec<Change>, model: &Model) -> Vec<Change> {
    use super::inspect::{column_types, drop_implicit_column_casts, uncast_table_expression};
    let added: Vec<(QualifiedName, crate::model::Column)> = changes
        .iter()
        .filter_map(|c| match c {
            Change::AddColumn { table, column } => Some((table.clone(), column.clone())),
            _ => None,
        })
        .collect();
    let types_of = |name: &QualifiedName| {
        let existing = model.table(name).into_iter().flat_map(|t| t.columns.iter());
        let new = added.iter().filter(|(t, _)| t == name).map(|(_, c)| c);
        column_types(existing.chain(new))
    };
    for change in &mut changes {
        match change {
            Change::CreateTable { table, .. } => drop_implicit_column_casts(table),
            Change::AddCheck { table, check } => {
                uncast_table_expression(&mut check.expression, &types_of(table));
            }
            Change::CreateIndex { table, index } => {
                let types = types_of(table);
                if let Some(predicate) = &mut index.predicate {
                    uncast_table_expression(predicate, &types);
                }
                for key in index.keys.iter_mut().filter(|k| k.expression) {
                    uncast_table_expression(&mut key.target, &types);
                }
            }
            _ => {}
        }
    }
    changes
}

/// What every part of the reader needs: the statement, the model before it, the default schema.
struct Reader<'a> {
    statement: StatementText<'a>,
    model: &'a Model,
    context: &'a SchemaContext,
}

impl Reader<'_> {
    fn parse(&self, sql: &str) -> Result<Statement, StatementError> {
        let dialect = PostgreSqlDialect {};
        let mut statements = Parser::new(&dialect)
            .try_with_sql(sql)
            .and_then(|mut p| p.parse_statements())
            .map_err(|e| parse_error(sql, &e))?;
        match statements.len() {
            1 => Ok(statements.remove(0)),
            n => Err(StatementError::new(format!(
                "expected one statement, found {n}"
            ))),
        }
    }

    fn read(&self, statement: &Statement) -> Result<Vec<Change>, StatementError> {
        match statement {
            Statement::CreateTable(create) => table::create_table(self, create),
            Statement::CreateIndex(create) => objects::create_index(self, create),
            Statement::CreateView(create) => objects::create_view(self, create),
            Statement::CreateSchema {
                schema_name,
                if_not_exists,
                ..
            } => objects::create_schema(self, schema_name, *if_not_exists),
            Statement::DropExtension(drop) => objects::drop_extension(self, drop),
            Statement::CreateType {
                name,
                representation,
            } => objects::create_type(self, name, representation.as_ref()),
            Statement::AlterType(alter) => objects::alter_type(self, alter),
            Statement::Drop {
                object_type,
                if_exists,
                names,
                ..
            } => objects::drop(self, *object_type, *if_exists, names),
            Statement::Comment {
                object_type,
                object_name,
                comment,
                ..
            } => objects::comment(self, *object_type, object_name, comment.as_deref()),
            Statement::Insert(_)
            | Statement::Update(_)
            | Statement::Delete(_)
            | Statement::Query(_)
            | Statement::Truncate(_) => Ok(Vec::new()),
            other => Err(unsupported(&format!(
                "statement {}",
                first_words(&other.to_string())
            ))),
        }
    }

    /// A schema-qualified object name; unqualified names belong to the default schema.
    fn qualified(&self, name: &ObjectName) -> Result<QualifiedName, StatementError> {
        match name_parts(name)?.as_slice() {
            [name] => Ok(QualifiedName::new(&self.context.default_schema, name)),
            [schema, name] => Ok(QualifiedName::new(schema, name)),
            _ => Err(StatementError::new(format!("unexpected name {name}"))),
        }
    }

    /// The canonical type of a column of a table in `table_schema`: a user type of that schema
    /// is stored unqualified, one of another schema qualified.
    fn column_type(
        &self,
        data_type: &DataType,
        table_schema: &str,
    ) -> Result<String, StatementError> {
        let canonical = normalize_type(&data_type.to_string())?;
        if is_builtin_type(&canonical) {
            return Ok(canonical);
        }
        let (schema, rest) = match split_type_schema(&canonical) {
            Some((schema, rest)) => (schema.to_string(), rest.to_string()),
            None => (self.context.default_schema.clone(), canonical.clone()),
        };
        if schema == table_schema {
            Ok(rest)
        } else {
            Ok(format!("{schema}.{rest}"))
        }
    }

    /// `renamed_from` and `allow_destructive` directives written above the statement.
    fn directives(&self) -> Directives {
        Directives::read(self.statement.directives.iter().map(String::as_str))
    }
}

/// Blanks a trailing `WITH DATA` or `WITH NO DATA`.
fn blank_with_data(sql: &mut String) {
    let trimmed = sql.trim_end().len();
    let upper = sql[..trimmed].to_ascii_uppercase();
    let words: Vec<&str> = upper.split_whitespace().rev().take(3).collect();
    let count = match words.as_slice() {
        ["DATA", "NO", "WITH", ..] => 3,
        ["DATA", "WITH", ..] => 2,
        _ => return,
    };
    let mut start = trimmed;
    for _ in 0..count {
        start = upper[..start]
            .trim_end()
            .rfind(char::is_whitespace)
            .map_or(0, |i| i + 1);
    }
    let blank = " ".repeat(trimmed - start);
    sql.replace_range(start..trimmed, &blank);
}

/// The `bfm:` directives that apply to one table or column.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct Directives {
    renamed_from: Option<String>,
    allow_destructive: bool,
}

impl Directives {
    fn read<'a>(lines: impl Iterator<Item = &'a str>) -> Directives {
        let mut directives = Directives::default();
        for line in lines {
            let mut words = line.split_whitespace();
            match words.next() {
                Some("renamed_from") => {
                    directives.renamed_from = words.next().map(directive_name);
                }
                Some("allow_destructive") => directives.allow_destructive = true,
                _ => {}
            }
        }
        directives
    }
}

/// A name in a directive, folded like an identifier unless quoted.
fn directive_name(word: &str) -> String {
    match word.strip_prefix('"').and_then(|w| w.strip_suffix('"')) {
        Some(quoted) => quoted.to_string(),
        None => word.to_lowercase(),
    }
}

/// Splits `schema.rest` of a canonical type, minding quotes.
fn split_type_schema(canonical: &str) -> Option<(&str, &str)> {
    let mut quoted = false;
    for (i, c) in canonical.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '.' if !quoted => return Some((&canonical[..i], &canonical[i + 1..])),
            '(' | '[' if !quoted => return None,
            _ => {}
        }
    }
    None
}

/// The folded parts of an object name.
fn name_parts(name: &ObjectName) -> Result<Vec<String>, StatementError> {
    name.0
        .iter()
        .map(|part| match part {
            ObjectNamePart::Identifier(ident) => Ok(folded(ident)),
            ObjectNamePart::Function(_) => {
                Err(StatementError::new(format!("unexpected name {name}")))
            }
        })
        .collect()
}

/// The last part of an object name, folded.
fn last_name(name: &ObjectName) -> Result<String, StatementError> {
    name_parts(name)?
        .pop()
        .ok_or_else(|| StatementError::new("empty name"))
}

fn unsupported(what: &str) -> StatementError {
    StatementError::new(format!("unsupported PostgreSQL DDL: {what}"))
}

/// The first few words of a statement, for error messages.
fn first_words(sql: &str) -> String {
    sql.split_whitespace().take(4).collect::<Vec<_>>().join(" ")
}

/// An integer literal, possibly negative.
fn integer(expr: &Expr) -> Result<i64, StatementError> {
    let not_integer = || StatementError::new(format!("expected an integer, found {expr}"));
    match expr {
        Expr::Value(v) => match &v.value {
            Value::Number(n, _) => n.parse().map_err(|_| not_integer()),
            _ => Err(not_integer()),
        },
        Expr::UnaryOp {
            op: UnaryOperator::Minus,
            expr,
        } => Ok(-integer(expr)?),
        Expr::UnaryOp {
            op: UnaryOperator::Plus,
            expr,
        } => integer(expr),
        _ => Err(not_integer()),
    }
}

/// Up to `limit` leading words in upper case with their byte ranges, skipping comments; stops at
/// the first character that is not part of a word.
fn leading_words(sql: &str, limit: usize) -> Vec<(String, Range<usize>)> {
    let bytes = sql.as_bytes();
    let mut words = Vec::new();
    let mut i = 0;
    while i < bytes.len() && words.len() < limit {
        let rest = &sql[i..];
        if bytes[i].is_ascii_whitespace() {
            i += 1;
        } else if rest.starts_with("--") {
            i += rest.find('\n').unwrap_or(rest.len());
        } else if rest.starts_with("/*") {
            i += rest.find("*/").map_or(rest.len(), |end| end + 2);
        } else if bytes[i].is_ascii_alphabetic() || bytes[i] == b'_' {
            let len = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            words.push((rest[..len].to_ascii_uppercase(), i..i + len));
            i += len;
        } else {
            break;
        }
    }
    words
}
