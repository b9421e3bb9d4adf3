//! `CREATE TABLE`, and the column and constraint definitions `ALTER TABLE` shares with it.

use super::super::expr::{canonical_default, canonical_expression, folded, referenced_columns};
use super::super::names::{check_name, default_name};
use super::{Directives, Reader, integer, unsupported};
use crate::backend::{ConstraintKind, StatementError};
use crate::model::{
    Change, Check, Column, ForeignKey, ForeignKeyAction, Identity, IdentityKind, PrimaryKey,
    QualifiedName, Table, Unique,
};
use sqlparser::ast::{
    CheckConstraint, ColumnDef, ColumnOption, ConstraintCharacteristics, CreateTable,
    DeferrableInitial, Expr, ForeignKeyConstraint, GeneratedAs, Ident, IndexColumn,
    NullsDistinctOption, ReferentialAction, SequenceOptions, TableConstraint, UniqueConstraint,
};
use std::collections::BTreeMap;

/// A constraint read from a column or table definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Constraint {
    PrimaryKey(PrimaryKey),
    Unique(Unique),
    Check(Check),
    /// A check without a name: named after the table and `columns` (those it mentions), and
    /// numbered by [`Constraint::name_unnamed_checks`] when that name is taken.
    UnnamedCheck {
        check: Check,
        columns: Vec<String>,
    },
    ForeignKey(ForeignKey),
}

impl Constraint {
    /// The change that adds this constraint to `table`.
    pub(super) fn into_change(self, table: QualifiedName) -> Change {
        match self {
            Constraint::PrimaryKey(key) => Change::AddPrimaryKey { table, key },
            Constraint::Unique(unique) => Change::AddUnique { table, unique },
            Constraint::Check(check) | Constraint::UnnamedCheck { check, .. } => {
                Change::AddCheck { table, check }
            }
            Constraint::ForeignKey(foreign_key) => Change::AddForeignKey { table, foreign_key },
        }
    }

    fn add_to(self, table: &mut Table) {
        match self {
            Constraint::PrimaryKey(key) => table.primary_key = Some(key),
            Constraint::Unique(unique) => table.uniques.push(unique),
            Constraint::Check(check) | Constraint::UnnamedCheck { check, .. } => {
                table.checks.push(check);
            }
            Constraint::ForeignKey(foreign_key) => table.foreign_keys.push(foreign_key),
        }
    }

    /// Numbers each unnamed check whose name another constraint of the schema (in the model,
    /// or earlier in `constraints`) already has, as the server does: constraint names it
    /// chooses are unique in the schema.
    pub(super) fn name_unnamed_checks(
        constraints: &mut [Constraint],
        table: &QualifiedName,
        model: &crate::model::Model,
    ) {
        // Looked up only for unnamed checks: collecting every name of the schema for each
        // statement would make loading a schema quadratic in its tables.
        let schema = model.schemas.get(&table.schema);
        let in_model = |name: &str| {
            schema.is_some_and(|s| {
                s.tables.values().any(|t| {
                    t.primary_key.iter().any(|k| k.name == name)
                        || t.uniques.iter().any(|u| u.name == name)
                        || t.checks.iter().any(|c| c.name == name)
                        || t.foreign_keys.iter().any(|f| f.name == name)
                })
            })
        };
        let mut used = std::collections::BTreeSet::new();
        for constraint in constraints.iter_mut() {
            if let Constraint::UnnamedCheck { check, columns } = constraint {
                let mut number = 0;
                while used.contains(&check.name) || in_model(&check.name) {
                    number += 1;
                    check.name = check_name(&table.name, columns, number);
                }
            }
            let name = match constraint {
                Constraint::Check(check) | Constraint::UnnamedCheck { check, .. } => &check.name,
                Constraint::PrimaryKey(key) => &key.name,
                Constraint::Unique(unique) => &unique.name,
                Constraint::ForeignKey(foreign_key) => &foreign_key.name,
            };
            used.insert(name.clone());
        }
    }
}

pub(super) fn create_table(
    reader: &Reader<'_>,
    create: &CreateTable,
) -> Result<Vec<Change>, StatementError> {
    let name = reader.qualified(&create.name)?;
    refuse_unsupported_table_features(create)?;
    // A table that exists already is refused when the change is applied, where a loader can
    // name both definitions.
    if create.if_not_exists && reader.model.table(&name).is_some() {
        return Ok(Vec::new());
    }
    let directives = reader.directives();
    let column_directives = column_directives(reader.statement.sql);
    let mut table = Table {
        name: name.name.clone(),
        renamed_from: directives.renamed_from,
        allow_destructive: directives.allow_destructive,
        ..Table::default()
    };
    let all_columns: Vec<String> = create.columns.iter().map(|def| folded(&def.name)).collect();
    let mut constraints = Vec::new();
    for def in &create.columns {
        let (mut column, inline) = read_column(reader, def, &name, Some(&table), &all_columns)?;
        if let Some(directives) = column_directives.get(&column.name) {
            column.renamed_from.clone_from(&directives.renamed_from);
            column.allow_destructive = directives.allow_destructive;
        }
        table.columns.push(column);
        constraints.extend(inline);
    }
    for constraint in &create.constraints {
        constraints.push(read_constraint(
            reader,
            constraint,
            &name,
            Some(&table),
            &all_columns,
        )?);
    }
    Constraint::name_unnamed_checks(&mut constraints, &name, reader.model);
    for constraint in constraints {
        constraint.add_to(&mut table);
    }
    make_key_columns_not_null(&mut table);
    table.sort_constraints();
    Ok(vec![Change::CreateTable {
        schema: name.schema,
        table,
    }])
}

fn refuse_unsupported_table_features(create: &CreateTable) -> Result<(), StatementError> {
    if create.query.is_some() {
        return Err(unsupported("CREATE TABLE … AS"));
    }
    if create.like.is_some() {
        return Err(unsupported("CREATE TABLE … LIKE"));
    }
    if create.temporary {
        return Err(unsupported("CREATE TEMPORARY TABLE"));
    }
    if create.partition_by.is_some() {
        return Err(unsupported("CREATE TABLE … PARTITION BY"));
    }
    Ok(())
}

/// Primary-key columns are NOT NULL, as PostgreSQL makes them.
fn make_key_columns_not_null(table: &mut Table) {
    let key_columns = table
        .primary_key
        .as_ref()
        .map(|key| key.columns.clone())
        .unwrap_or_default();
    for column in &mut table.columns {
        if key_columns.contains(&column.name) {
            column.nullable = false;
        }
    }
}

/// A column and the constraints written inside its definition. `creating` is the table being
/// created, whose primary key a self-reference without columns points at; `table_columns` are
/// all the table's columns, which an unnamed check's name depends on.
pub(super) fn read_column(
    reader: &Reader<'_>,
    def: &ColumnDef,
    table: &QualifiedName,
    creating: Option<&Table>,
    table_columns: &[String],
) -> Result<(Column, Vec<Constraint>), StatementError> {
    let name = folded(&def.name);
    let data_type = reader.column_type(&def.data_type, &table.schema)?;
    let mut column = Column {
        name: name.clone(),
        data_type,
        nullable: true,
        ..Column::default()
    };
    let mut constraints = Vec::new();
    let columns = vec![name.clone()];
    for option_def in &def.options {
        let constraint_name = option_def.name.as_ref();
        match &option_def.option {
            ColumnOption::Null => column.nullable = true,
            ColumnOption::NotNull => column.nullable = false,
            ColumnOption::Default(expr) => {
                column.default = Some(canonical_default(expr.clone(), &column.data_type));
            }
            ColumnOption::Collation(collation) => {
                column.collation = Some(collation_name(collation)?);
            }
            ColumnOption::PrimaryKey(key) => {
                column.nullable = false;
                let name = constraint_name.or(key.name.as_ref());
                constraints.push(Constraint::PrimaryKey(primary_key(
                    name,
                    columns.clone(),
                    table,
                )));
            }
            ColumnOption::Unique(unique) => {
                let name = constraint_name.or(unique.name.as_ref());
                constraints.push(Constraint::Unique(read_unique(
                    unique,
                    name,
                    columns.clone(),
                    table,
                )));
            }
            ColumnOption::Check(check) => {
                let name = constraint_name.or(check.name.as_ref());
                constraints.push(check_constraint(read_check(
                    check,
                    name,
                    table,
                    table_columns,
                )));
            }
            ColumnOption::ForeignKey(fk) => {
                let name = constraint_name.or(fk.name.as_ref());
                constraints.push(Constraint::ForeignKey(read_foreign_key(
                    reader,
                    fk,
                    name,
                    columns.clone(),
                    table,
                    creating,
                )?));
            }
            ColumnOption::Generated {
                generated_as,
                sequence_options,
                generation_expr,
                ..
            } => match generation_expr {
                Some(expr) => column.generated = Some(canonical_expression(expr.clone())),
                None => {
                    column.nullable = false;
                    column.identity = Some(identity(generated_as, sequence_options.as_deref())?);
                }
            },
            other => {
                return Err(unsupported(&format!("column option {other} on {name}")));
            }
        }
    }
    // A serial column is NOT NULL, as PostgreSQL makes it (and as the YAML loader has it).
    if matches!(
        column.data_type.as_str(),
        "serial" | "bigserial" | "smallserial"
    ) {
        column.nullable = false;
    }
    Ok((column, constraints))
}

/// `GENERATED … AS IDENTITY [(START WITH n INCREMENT BY n)]`, with server defaults as `None`.
pub(super) fn identity(
    generated_as: &GeneratedAs,
    options: Option<&[SequenceOptions]>,
) -> Result<Identity, StatementError> {
    let kind = match generated_as {
        GeneratedAs::ByDefault => IdentityKind::ByDefault,
        GeneratedAs::Always | GeneratedAs::ExpStored => IdentityKind::Always,
    };
    let mut start = None;
    let mut increment = None;
    for option in options.unwrap_or_default() {
        match option {
            SequenceOptions::StartWith(expr, _) => start = Some(integer(expr)?),
            SequenceOptions::IncrementBy(expr, _) => increment = Some(integer(expr)?),
            other => return Err(unsupported(&format!("identity option{other}"))),
        }
    }
    Ok(server_identity(kind, start, increment))
}

/// An identity with the options equal to the server's defaults as `None` (the start default
/// depends on the increment's sign).
pub(super) fn server_identity(
    kind: IdentityKind,
    start: Option<i64>,
    increment: Option<i64>,
) -> Identity {
    let ascending = increment.is_none_or(|i| i > 0);
    let default_start = if ascending { 1 } else { -1 };
    Identity {
        kind,
        start: start.filter(|&s| s != default_start),
        increment: increment.filter(|&i| i != 1),
    }
}

/// A table constraint (`CONSTRAINT name …`, or unnamed and named as PostgreSQL would, after
/// `table_columns`).
pub(super) fn read_constraint(
    reader: &Reader<'_>,
    constraint: &TableConstraint,
    table: &QualifiedName,
    creating: Option<&Table>,
    table_columns: &[String],
) -> Result<Constraint, StatementError> {
    match constraint {
        TableConstraint::PrimaryKey(key) => {
            let columns = key_columns(&key.columns)?;
            Ok(Constraint::PrimaryKey(primary_key(
                key.name.as_ref(),
                columns,
                table,
            )))
        }
        TableConstraint::Unique(unique) => {
            let columns = key_columns(&unique.columns)?;
            Ok(Constraint::Unique(read_unique(
                unique,
                unique.name.as_ref(),
                columns,
                table,
            )))
        }
        TableConstraint::Check(check) => Ok(check_constraint(read_check(
            check,
            check.name.as_ref(),
            table,
            table_columns,
        ))),
        TableConstraint::ForeignKey(fk) => {
            let columns = fk.columns.iter().map(folded).collect();
            Ok(Constraint::ForeignKey(read_foreign_key(
                reader,
                fk,
                fk.name.as_ref(),
                columns,
                table,
                creating,
            )?))
        }
        other => Err(unsupported(&format!("constraint {other}"))),
    }
}

/// Column names of a key; PostgreSQL allows only plain columns in constraint keys.
fn key_columns(columns: &[IndexColumn]) -> Result<Vec<String>, StatementError> {
    columns
        .iter()
        .map(|key| match &key.column.expr {
            Expr::Identifier(ident) => Ok(folded(ident)),
            other => Err(StatementError::new(format!(
                "a constraint key must be a column, found {other}"
            ))),
        })
        .collect()
}

fn primary_key(name: Option<&Ident>, columns: Vec<String>, table: &QualifiedName) -> PrimaryKey {
    PrimaryKey {
        name: name.map_or_else(
            || default_name(&table.name, &columns, ConstraintKind::PrimaryKey),
            folded,
        ),
        columns,
    }
}

fn read_unique(
    unique: &UniqueConstraint,
    name: Option<&Ident>,
    columns: Vec<String>,
    table: &QualifiedName,
) -> Unique {
    let (deferrable, initially_deferred) = deferral(unique.characteristics.as_ref());
    Unique {
        name: name.map_or_else(
            || default_name(&table.name, &columns, ConstraintKind::Unique),
            folded,
        ),
        columns,
        nulls_not_distinct: unique.nulls_distinct == NullsDistinctOption::NotDistinct,
        deferrable,
        initially_deferred,
    }
}

/// A check, and for an unnamed one the columns of the table it mentions, which it is named
/// after.
fn read_check(
    check: &CheckConstraint,
    name: Option<&Ident>,
    table: &QualifiedName,
    table_columns: &[String],
) -> (Check, Option<Vec<String>>) {
    let (name, columns) = match name {
        Some(name) => (folded(name), None),
        None => {
            let mut columns = referenced_columns(&check.expr);
            columns.retain(|column| table_columns.contains(column));
            let name = default_name(&table.name, &columns, ConstraintKind::Check);
            (name, Some(columns))
        }
    };
    let check = Check {
        name,
        expression: canonical_expression((*check.expr).clone()),
        no_inherit: check.no_inherit,
    };
    (check, columns)
}

fn check_constraint((check, columns): (Check, Option<Vec<String>>)) -> Constraint {
    match columns {
        Some(columns) => Constraint::UnnamedCheck { check, columns },
        None => Constraint::Check(check),
    }
}

fn read_foreign_key(
    reader: &Reader<'_>,
    fk: &ForeignKeyConstraint,
    name: Option<&Ident>,
    columns: Vec<String>,
    table: &QualifiedName,
    creating: Option<&Table>,
) -> Result<ForeignKey, StatementError> {
    let referenced = reader.qualified(&fk.foreign_table)?;
    let ref_columns = if fk.referred_columns.is_empty() {
        referenced_primary_key(reader, &referenced, table, creating)?
    } else {
        fk.referred_columns.iter().map(folded).collect()
    };
    let (deferrable, initially_deferred) = deferral(fk.characteristics.as_ref());
    Ok(ForeignKey {
        name: name.map_or_else(
            || default_name(&table.name, &columns, ConstraintKind::ForeignKey),
            folded,
        ),
        columns,
        ref_schema: referenced.schema,
        ref_table: referenced.name,
        ref_columns,
        on_delete: action(fk.on_delete),
        on_update: action(fk.on_update),
        deferrable,
        initially_deferred,
    })
}

/// `REFERENCES t` without columns means t's primary key.
fn referenced_primary_key(
    reader: &Reader<'_>,
    referenced: &QualifiedName,
    table: &QualifiedName,
    creating: Option<&Table>,
) -> Result<Vec<String>, StatementError> {
    let target = if referenced == table {
        creating.or_else(|| reader.model.table(referenced))
    } else {
        reader.model.table(referenced)
    };
    target
        .and_then(|t| t.primary_key.as_ref())
        .map(|key| key.columns.clone())
        .ok_or_else(|| {
            StatementError::new(format!(
                "REFERENCES {referenced} without columns needs {referenced}'s primary key to be known"
            ))
        })
}

fn action(action: Option<ReferentialAction>) -> ForeignKeyAction {
    match action {
        None | Some(ReferentialAction::NoAction) => ForeignKeyAction::NoAction,
        Some(ReferentialAction::Restrict) => ForeignKeyAction::Restrict,
        Some(ReferentialAction::Cascade) => ForeignKeyAction::Cascade,
        Some(ReferentialAction::SetNull) => ForeignKeyAction::SetNull,
        Some(ReferentialAction::SetDefault) => ForeignKeyAction::SetDefault,
    }
}

/// `(deferrable, initially_deferred)`; INITIALLY DEFERRED implies DEFERRABLE.
fn deferral(characteristics: Option<&ConstraintCharacteristics>) -> (bool, bool) {
    let Some(c) = characteristics else {
        return (false, false);
    };
    let initially_deferred = c.initially == Some(DeferrableInitial::Deferred);
    (
        c.deferrable.unwrap_or(false) || initially_deferred,
        initially_deferred,
    )
}

/// A collation name as stored: folded unless quoted, schema kept when written.
pub(super) fn collation_name(
    collation: &sqlparser::ast::ObjectName,
) -> Result<String, StatementError> {
    Ok(super::name_parts(collation)?.join("."))
}

/// Directives written on comment lines inside a CREATE TABLE body, by the name of the column
/// defined on the next line (`-- bfm:renamed_from old` above `new_name text`).
fn column_directives(sql: &str) -> BTreeMap<String, Directives> {
    let mut result = BTreeMap::new();
    let mut pending: Vec<&str> = Vec::new();
    for line in sql.lines().skip(1) {
        let line = line.trim();
        if let Some(comment) = line.strip_prefix("--") {
            if let Some(directive) = comment.trim().strip_prefix("bfm:") {
                pending.push(directive.trim());
            }
            continue;
        }
        if line.is_empty() {
            continue;
        }
        if !pending.is_empty()
            && let Some(name) = first_identifier(line)
        {
            result.insert(name, Directives::read(pending.drain(..)));
        }
        pending.clear();
    }
    result
}

/// The identifier a line starts with, folded unless quoted.
fn first_identifier(line: &str) -> Option<String> {
    if let Some(rest) = line.strip_prefix('"') {
        return rest.find('"').map(|end| rest[..end].to_string());
    }
    let end = line
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
        .unwrap_or(line.len());
    (end > 0).then(|| line[..end].to_lowercase())
}
