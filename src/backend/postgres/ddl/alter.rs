//! `ALTER TABLE`: each operation read against the table as the earlier operations left it.

use super::super::expr::{canonical_default, folded, parse_error};
use super::table::{Constraint, identity, read_column, read_constraint};
use super::{Reader, last_name, unsupported};
use crate::backend::StatementError;
use crate::model::{Change, Column, Model, QualifiedName, Table};
use sqlparser::ast::{
    AlterColumnOperation, AlterTable, AlterTableOperation, GeneratedAs, RenameTableNameKind,
};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::keywords::Keyword;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::Token;
use std::borrow::Cow;

pub(super) fn alter_table(
    reader: &Reader<'_>,
    alter: &AlterTable,
) -> Result<Vec<Change>, StatementError> {
    let mut name = reader.qualified(&alter.name)?;
    if reader.model.table(&name).is_none() {
        return if alter.if_exists {
            Ok(Vec::new())
        } else {
            Err(missing_table(&name))
        };
    }
    let mut scratch: Cow<'_, Model> = Cow::Borrowed(reader.model);
    let mut changes = Vec::new();
    for (i, operation) in alter.operations.iter().enumerate() {
        let table = scratch.table(&name).ok_or_else(|| missing_table(&name))?;
        let operation_changes = operation_changes(reader, &name, table, operation)?;
        if i + 1 < alter.operations.len() {
            for change in &operation_changes {
                change
                    .apply_to(scratch.to_mut())
                    .map_err(|e| StatementError::new(e.message))?;
                if let Change::RenameTable { to, .. } = change {
                    name.name.clone_from(to);
                }
            }
        }
        changes.extend(operation_changes);
    }
    Ok(changes)
}

fn missing_table(name: &QualifiedName) -> StatementError {
    StatementError::new(format!("table {name} does not exist"))
}

fn operation_changes(
    reader: &Reader<'_>,
    name: &QualifiedName,
    table: &Table,
    operation: &AlterTableOperation,
) -> Result<Vec<Change>, StatementError> {
    match operation {
        AlterTableOperation::AddColumn {
            if_not_exists,
            column_def,
            ..
        } => {
            if table.column(&folded(&column_def.name)).is_some() && *if_not_exists {
                return Ok(Vec::new());
            }
            let (column, constraints) = read_column(reader, column_def, name, None)?;
            if table.column(&column.name).is_some() {
                return Err(StatementError::new(format!(
                    "column {} of {name} already exists",
                    column.name
                )));
            }
            let mut changes = vec![Change::AddColumn {
                table: name.clone(),
                column,
            }];
            changes.extend(constraints.into_iter().map(|c| c.into_change(name.clone())));
            Ok(changes)
        }
        AlterTableOperation::DropColumn {
            column_names,
            if_exists,
            ..
        } => {
            let mut changes = Vec::new();
            for column_name in column_names {
                match table.column(&folded(column_name)) {
                    Some(column) => changes.push(Change::DropColumn {
                        table: name.clone(),
                        column: column.clone(),
                    }),
                    None if *if_exists => {}
                    None => return Err(missing_column(name, &folded(column_name))),
                }
            }
            Ok(changes)
        }
        AlterTableOperation::AlterColumn { column_name, op } => {
            let column_name = folded(column_name);
            let from = table
                .column(&column_name)
                .ok_or_else(|| missing_column(name, &column_name))?;
            let to = altered_column(reader, name, from, op)?;
            Ok(vec![Change::AlterColumn {
                table: name.clone(),
                from: from.clone(),
                to,
            }])
        }
        AlterTableOperation::AddConstraint { constraint, .. } => {
            let constraint = read_constraint(reader, constraint, name, None)?;
            let mut changes = Vec::new();
            if let Constraint::PrimaryKey(key) = &constraint {
                changes.extend(key_columns_not_null(name, table, &key.columns));
            }
            changes.push(constraint.into_change(name.clone()));
            Ok(changes)
        }
        AlterTableOperation::DropConstraint {
            if_exists,
            name: constraint,
            ..
        } => match drop_constraint(name, table, &folded(constraint)) {
            Some(change) => Ok(vec![change]),
            None if *if_exists => Ok(Vec::new()),
            None => Err(StatementError::new(format!(
                "constraint {} of {name} does not exist",
                folded(constraint)
            ))),
        },
        AlterTableOperation::RenameColumn {
            old_column_name,
            new_column_name,
        } => {
            let from = folded(old_column_name);
            if table.column(&from).is_none() {
                return Err(missing_column(name, &from));
            }
            Ok(vec![Change::RenameColumn {
                table: name.clone(),
                from,
                to: folded(new_column_name),
            }])
        }
        AlterTableOperation::RenameTable { table_name } => {
            let (RenameTableNameKind::To(new_name) | RenameTableNameKind::As(new_name)) =
                table_name;
            Ok(vec![Change::RenameTable {
                schema: name.schema.clone(),
                from: name.name.clone(),
                to: last_name(new_name)?,
            }])
        }
        other => Err(unsupported(&format!("ALTER TABLE … {other}"))),
    }
}

fn missing_column(table: &QualifiedName, column: &str) -> StatementError {
    StatementError::new(format!("column {column} of {table} does not exist"))
}

/// The column after one `ALTER COLUMN` operation.
fn altered_column(
    reader: &Reader<'_>,
    table: &QualifiedName,
    from: &Column,
    op: &AlterColumnOperation,
) -> Result<Column, StatementError> {
    let mut to = from.clone();
    match op {
        AlterColumnOperation::SetNotNull => to.nullable = false,
        AlterColumnOperation::DropNotNull => to.nullable = true,
        AlterColumnOperation::SetDefault { value } => {
            to.default = Some(canonical_default(value.clone(), &to.data_type));
        }
        AlterColumnOperation::DropDefault => to.default = None,
        AlterColumnOperation::SetDataType { data_type, .. } => {
            to.data_type = reader.column_type(data_type, &table.schema)?;
        }
        AlterColumnOperation::AddGenerated {
            generated_as,
            sequence_options,
        } => {
            to.nullable = false;
            to.identity = Some(identity(
                generated_as.as_ref().unwrap_or(&GeneratedAs::Always),
                sequence_options.as_deref(),
            )?);
        }
    }
    Ok(to)
}

/// Adding a primary key makes its columns NOT NULL first, as PostgreSQL does.
fn key_columns_not_null(name: &QualifiedName, table: &Table, columns: &[String]) -> Vec<Change> {
    columns
        .iter()
        .filter_map(|c| table.column(c))
        .filter(|column| column.nullable)
        .map(|column| Change::AlterColumn {
            table: name.clone(),
            from: column.clone(),
            to: Column {
                nullable: false,
                ..column.clone()
            },
        })
        .collect()
}

/// The change dropping the constraint of that name, whatever its kind.
fn drop_constraint(name: &QualifiedName, table: &Table, constraint: &str) -> Option<Change> {
    let table_name = name.clone();
    if let Some(key) = table.primary_key.as_ref().filter(|k| k.name == constraint) {
        return Some(Change::DropPrimaryKey {
            table: table_name,
            key: key.clone(),
        });
    }
    if let Some(unique) = table.uniques.iter().find(|u| u.name == constraint) {
        return Some(Change::DropUnique {
            table: table_name,
            unique: unique.clone(),
        });
    }
    if let Some(check) = table.checks.iter().find(|c| c.name == constraint) {
        return Some(Change::DropCheck {
            table: table_name,
            check: check.clone(),
        });
    }
    table
        .foreign_keys
        .iter()
        .find(|f| f.name == constraint)
        .map(|foreign_key| Change::DropForeignKey {
            table: table_name,
            foreign_key: foreign_key.clone(),
        })
}

/// `ALTER TABLE [IF EXISTS] [ONLY] t ALTER [COLUMN] c DROP IDENTITY [IF EXISTS]`, which sqlparser
/// does not read. `None` when the statement is something else.
pub(super) fn drop_identity(reader: &Reader<'_>) -> Result<Option<Vec<Change>>, StatementError> {
    let sql = reader.statement.sql;
    let dialect = PostgreSqlDialect {};
    let mut parser = Parser::new(&dialect)
        .try_with_sql(sql)
        .map_err(|e| parse_error(sql, &e))?;
    if !parser.parse_keywords(&[Keyword::ALTER, Keyword::TABLE]) {
        return Ok(None);
    }
    let if_exists = parser.parse_keywords(&[Keyword::IF, Keyword::EXISTS]);
    let _ = parser.parse_keyword(Keyword::ONLY);
    let Ok(table_name) = parser.parse_object_name(false) else {
        return Ok(None);
    };
    if !parser.parse_keyword(Keyword::ALTER) {
        return Ok(None);
    }
    let _ = parser.parse_keyword(Keyword::COLUMN);
    let Ok(column_name) = parser.parse_identifier() else {
        return Ok(None);
    };
    if !parser.parse_keywords(&[Keyword::DROP, Keyword::IDENTITY]) {
        return Ok(None);
    }
    let column_if_exists = parser.parse_keywords(&[Keyword::IF, Keyword::EXISTS]);
    if parser.peek_token().token != Token::EOF {
        return Ok(None);
    }
    let name = reader.qualified(&table_name)?;
    let Some(table) = reader.model.table(&name) else {
        return if if_exists {
            Ok(Some(Vec::new()))
        } else {
            Err(missing_table(&name))
        };
    };
    let column_name = folded(&column_name);
    let from = table
        .column(&column_name)
        .ok_or_else(|| missing_column(&name, &column_name))?;
    if from.identity.is_none() {
        return if column_if_exists {
            Ok(Some(Vec::new()))
        } else {
            Err(StatementError::new(format!(
                "column {column_name} of {name} is not an identity column"
            )))
        };
    }
    Ok(Some(vec![Change::AlterColumn {
        table: name,
        from: from.clone(),
        to: Column {
            identity: None,
            ..from.clone()
        },
    }]))
}
