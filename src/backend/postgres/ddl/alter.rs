//! `ALTER TABLE`: each operation read against the table as the earlier operations left it.
//!
//! The statement is parsed here operation by operation: sqlparser reads most of them, but not
//! the column operations PostgreSQL has for identity columns (`DROP IDENTITY`, `SET GENERATED`,
//! `SET INCREMENT BY`, `SET START WITH`, `RESTART`) nor `TYPE … COLLATE`, which are read here.

use super::super::expr::{canonical_default, folded, parse_error};
use super::table::{
    Constraint, collation_name, identity, read_column, read_constraint, server_identity,
};
use super::{Reader, integer, last_name, unsupported};
use crate::backend::StatementError;
use crate::model::{Change, Column, Identity, IdentityKind, Model, QualifiedName, Table};
use sqlparser::ast::{
    AlterColumnOperation, AlterTableOperation, DataType, Expr, GeneratedAs, Ident, ObjectName,
    RenameTableNameKind,
};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::keywords::Keyword;
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::Token;
use std::borrow::Cow;

/// An `ALTER TABLE` statement as parsed here.
struct AlterStatement {
    name: ObjectName,
    if_exists: bool,
    operations: Vec<Operation>,
}

enum Operation {
    /// An operation sqlparser reads.
    Parsed(Box<AlterTableOperation>),
    /// `ALTER [COLUMN] name …` with an operation sqlparser does not read.
    Column { name: Ident, change: ColumnChange },
}

enum ColumnChange {
    /// `[SET DATA] TYPE t [COLLATE c] [USING e]`.
    SetType {
        data_type: DataType,
        collation: Option<ObjectName>,
    },
    /// `DROP IDENTITY [IF EXISTS]`.
    DropIdentity { if_exists: bool },
    /// One or more of `SET GENERATED …`, `SET INCREMENT BY n`, `SET START WITH n`, `RESTART`.
    Identity(Vec<IdentityOption>),
}

enum IdentityOption {
    Generated(IdentityKind),
    Increment(Expr),
    Start(Expr),
    /// Restarting changes the sequence's current value, which the model does not hold.
    Restart,
}

/// Reads `sql`, an `ALTER TABLE` statement, into the changes it makes.
pub(super) fn alter_table(reader: &Reader<'_>, sql: &str) -> Result<Vec<Change>, StatementError> {
    let alter = parse(sql)?;
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
        let operation_changes = match operation {
            Operation::Parsed(parsed) => parsed_changes(reader, &name, table, parsed)?,
            Operation::Column {
                name: column,
                change,
            } => column_changes(reader, &name, table, column, change)?,
        };
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

fn parse(sql: &str) -> Result<AlterStatement, StatementError> {
    let dialect = PostgreSqlDialect {};
    let syntax = |e: ParserError| parse_error(sql, &e);
    let mut parser = Parser::new(&dialect).try_with_sql(sql).map_err(syntax)?;
    parser
        .expect_keywords(&[Keyword::ALTER, Keyword::TABLE])
        .map_err(syntax)?;
    let if_exists = parser.parse_keywords(&[Keyword::IF, Keyword::EXISTS]);
    let _ = parser.parse_keyword(Keyword::ONLY);
    let name = parser.parse_object_name(false).map_err(syntax)?;
    let mut operations = Vec::new();
    loop {
        let operation = match parser.maybe_parse(column_change).map_err(syntax)? {
            Some((name, change)) => Operation::Column { name, change },
            None => Operation::Parsed(Box::new(
                parser.parse_alter_table_operation().map_err(syntax)?,
            )),
        };
        operations.push(operation);
        if !parser.consume_token(&Token::Comma) {
            break;
        }
    }
    parser.expect_token(&Token::EOF).map_err(syntax)?;
    Ok(AlterStatement {
        name,
        if_exists,
        operations,
    })
}

/// `ALTER [COLUMN] name` and a column operation sqlparser does not read; an error (which
/// rewinds the parser) for any other operation.
fn column_change(parser: &mut Parser<'_>) -> Result<(Ident, ColumnChange), ParserError> {
    parser.expect_keyword(Keyword::ALTER)?;
    let _ = parser.parse_keyword(Keyword::COLUMN);
    let name = parser.parse_identifier()?;
    let change = if parser.parse_keywords(&[Keyword::DROP, Keyword::IDENTITY]) {
        ColumnChange::DropIdentity {
            if_exists: parser.parse_keywords(&[Keyword::IF, Keyword::EXISTS]),
        }
    } else if parser.parse_keywords(&[Keyword::SET, Keyword::DATA, Keyword::TYPE])
        || parser.parse_keyword(Keyword::TYPE)
    {
        let data_type = parser.parse_data_type()?;
        let collation = if parser.parse_keyword(Keyword::COLLATE) {
            Some(parser.parse_object_name(false)?)
        } else {
            None
        };
        if parser.parse_keyword(Keyword::USING) {
            parser.parse_expr()?;
        }
        ColumnChange::SetType {
            data_type,
            collation,
        }
    } else {
        let mut options = Vec::new();
        while let Some(option) = identity_option(parser)? {
            options.push(option);
        }
        if options.is_empty() {
            return parser.expected("an identity option", parser.peek_token());
        }
        ColumnChange::Identity(options)
    };
    Ok((name, change))
}

fn identity_option(parser: &mut Parser<'_>) -> Result<Option<IdentityOption>, ParserError> {
    let option = if parser.parse_keywords(&[Keyword::SET, Keyword::GENERATED]) {
        if parser.parse_keyword(Keyword::ALWAYS) {
            IdentityOption::Generated(IdentityKind::Always)
        } else {
            parser.expect_keywords(&[Keyword::BY, Keyword::DEFAULT])?;
            IdentityOption::Generated(IdentityKind::ByDefault)
        }
    } else if parser.parse_keywords(&[Keyword::SET, Keyword::INCREMENT]) {
        let _ = parser.parse_keyword(Keyword::BY);
        IdentityOption::Increment(parser.parse_expr()?)
    } else if parser.parse_keywords(&[Keyword::SET, Keyword::START]) {
        let _ = parser.parse_keyword(Keyword::WITH);
        IdentityOption::Start(parser.parse_expr()?)
    } else if parser.parse_keyword(Keyword::RESTART) {
        let with = parser.parse_keyword(Keyword::WITH);
        if with || matches!(parser.peek_token().token, Token::Number(..) | Token::Minus) {
            parser.parse_expr()?;
        }
        IdentityOption::Restart
    } else {
        return Ok(None);
    };
    Ok(Some(option))
}

/// The change one of the column operations read here makes; none when the column stays as it is.
fn column_changes(
    reader: &Reader<'_>,
    name: &QualifiedName,
    table: &Table,
    column: &Ident,
    change: &ColumnChange,
) -> Result<Vec<Change>, StatementError> {
    let column_name = folded(column);
    let from = table
        .column(&column_name)
        .ok_or_else(|| missing_column(name, &column_name))?;
    let not_identity = || {
        StatementError::new(format!(
            "column {column_name} of {name} is not an identity column"
        ))
    };
    let to = match change {
        ColumnChange::SetType {
            data_type,
            collation,
        } => Column {
            data_type: reader.column_type(data_type, &name.schema)?,
            // Without COLLATE the column takes the new type's default collation.
            collation: collation.as_ref().map(collation_name).transpose()?,
            ..from.clone()
        },
        ColumnChange::DropIdentity { if_exists } => match &from.identity {
            Some(_) => Column {
                identity: None,
                ..from.clone()
            },
            None if *if_exists => return Ok(Vec::new()),
            None => return Err(not_identity()),
        },
        ColumnChange::Identity(options) => {
            let identity = from.identity.as_ref().ok_or_else(not_identity)?;
            Column {
                identity: Some(altered_identity(identity, options)?),
                ..from.clone()
            }
        }
    };
    if to == *from {
        return Ok(Vec::new());
    }
    Ok(vec![Change::AlterColumn {
        table: name.clone(),
        from: from.clone(),
        to,
    }])
}

/// An identity after `SET GENERATED`, `SET INCREMENT BY` and `SET START WITH`; a new increment
/// leaves the start value as it was.
fn altered_identity(
    from: &Identity,
    options: &[IdentityOption],
) -> Result<Identity, StatementError> {
    let mut kind = from.kind;
    let mut increment = from.increment.unwrap_or(1);
    let mut start = from.start.unwrap_or(if increment > 0 { 1 } else { -1 });
    for option in options {
        match option {
            IdentityOption::Generated(new_kind) => kind = *new_kind,
            IdentityOption::Increment(expr) => increment = integer(expr)?,
            IdentityOption::Start(expr) => start = integer(expr)?,
            IdentityOption::Restart => {}
        }
    }
    Ok(server_identity(kind, Some(start), Some(increment)))
}

fn missing_table(name: &QualifiedName) -> StatementError {
    StatementError::new(format!("table {name} does not exist"))
}

/// The changes an operation sqlparser read makes.
fn parsed_changes(
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
            let mut columns = column_names(table);
            columns.push(folded(&column_def.name));
            let (column, constraints) = read_column(reader, column_def, name, None, &columns)?;
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
            let mut constraint =
                read_constraint(reader, constraint, name, None, &column_names(table))?;
            Constraint::name_unnamed_checks(
                std::slice::from_mut(&mut constraint),
                name,
                reader.model,
            );
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
        AlterTableOperation::RenameConstraint { old_name, new_name } => {
            let from = folded(old_name);
            if !constraint_names(table).any(|n| *n == from) {
                return Err(StatementError::new(format!(
                    "constraint {from} of {name} does not exist"
                )));
            }
            Ok(vec![Change::RenameConstraint {
                table: name.clone(),
                from,
                to: folded(new_name),
            }])
        }
        other => Err(unsupported(&format!("ALTER TABLE … {other}"))),
    }
}

fn column_names(table: &Table) -> Vec<String> {
    table.columns.iter().map(|c| c.name.clone()).collect()
}

fn constraint_names(table: &Table) -> impl Iterator<Item = &String> {
    table
        .primary_key
        .iter()
        .map(|k| &k.name)
        .chain(table.uniques.iter().map(|u| &u.name))
        .chain(table.checks.iter().map(|c| &c.name))
        .chain(table.foreign_keys.iter().map(|f| &f.name))
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
            to.collation = None;
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
