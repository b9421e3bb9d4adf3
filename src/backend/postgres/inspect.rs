//! Reads a live PostgreSQL database into a [`Model`].
//!
//! Inspection costs a fixed number of catalog statements whatever the number of tables
//! ([`CATALOG_QUERIES`], today 12): the schemas to read, the views (with `public` as the search
//! path, so their tables are named with their schema as fixed-schema SQL writes them), then one
//! query per object kind — tables, columns, constraints (primary keys, uniques, checks, foreign
//! keys), indexes, enums, domains, sequences, extensions, functions and triggers — each filtered by the schema list with
//! `= ANY($1)`. Every expression is printed with its own schema (then `public`) as the search
//! path, so a schema reads the same whichever other schemas are read with it: several
//! connections on one database are read by one inspection. They run in read-only
//! repeatable-read transactions that share one snapshot (the costliest on sessions of their own,
//! see [`inspect`]), so the model is a consistent snapshot.
//!
//! What the server prints (`int4`, `'x'::text`, `CHECK ((a > 0))`, view definitions) goes
//! through the dialect's normalizers so that a live database and the SQL or YAML that created it
//! give equal models. Server defaults are reported as absent, as the loaders do: identity and
//! sequence options equal to the defaults, the `public` schema's stock comment, an extension in
//! `public`. A `serial` column (an integer column whose default is `nextval` of the sequence it
//! owns) reads back as `serial`/`bigserial`/`smallserial` without default, and its sequence is
//! not listed, since that is how the loaders model `serial`.

mod domains;
mod queries;

use super::{Postgres, expr};
use crate::backend::{Dialect, StatementError};
use crate::model::{
    Check, Column, Enum, Extension, ForeignKey, ForeignKeyAction, Function, Identity, IdentityKind,
    Index, IndexKey, Model, PrimaryKey, QualifiedName, Sequence, Table, Unique, View,
};
use sqlparser::ast::Value;
use sqlx::postgres::{PgConnection, PgPool, PgRow};
use sqlx::{Connection as _, Decode, Row, Type};
use std::collections::BTreeSet;
use std::future::Future;

/// How many catalog statements one inspection issues, whatever the size of the database.
pub const CATALOG_QUERIES: usize = 12;

/// The comment PostgreSQL gives the `public` schema of every new database.
const PUBLIC_SCHEMA_STOCK_COMMENT: &str = "standard public schema";

/// Why a database could not be read into a model.
#[derive(Debug, thiserror::Error)]
pub enum InspectError {
    #[error("cannot start the inspection transaction: {0}")]
    Transaction(#[source] sqlx::Error),
    #[error("cannot read {what} from the database: {source}")]
    Query {
        what: &'static str,
        #[source]
        source: sqlx::Error,
    },
    #[error("cannot decode column `{column}` of the {what} catalog query: {source}")]
    Decode {
        what: &'static str,
        column: &'static str,
        #[source]
        source: sqlx::Error,
    },
    #[error("cannot read {object} ({text}): {source}")]
    Normalize {
        object: String,
        text: String,
        #[source]
        source: StatementError,
    },
}

/// Where catalog queries run. The pool's connection is the real one; the seam lets a test count
/// the statements an inspection issues.
pub trait CatalogSource: Send {
    /// Runs `sql` with the schema list bound as `$1` (a `text[]`) and returns every row.
    fn fetch_rows(
        &mut self,
        sql: &'static str,
        schemas: &[String],
    ) -> impl Future<Output = Result<Vec<PgRow>, sqlx::Error>> + Send;
}

impl CatalogSource for PgConnection {
    fn fetch_rows(
        &mut self,
        sql: &'static str,
        schemas: &[String],
    ) -> impl Future<Output = Result<Vec<PgRow>, sqlx::Error>> + Send {
        sqlx::query(sql).bind(schemas.to_vec()).fetch_all(self)
    }
}

/// Reads `schemas` (or, when empty, every non-system schema) of the database behind `pool`.
///
/// The three costliest catalog queries run at once: columns on a second session, constraints
/// and indexes on a third, the rest on the first, all three in the first session's snapshot
/// (`pg_export_snapshot`, `SET TRANSACTION SNAPSHOT`), so the model is as consistent as when
/// one session reads it. The server executes them in parallel while bfm waits on all three.
/// When the extra sessions cannot be had (too many connections, a server that refuses to
/// export a snapshot), the first session runs every query itself.
pub async fn inspect(
    pool: &PgPool,
    schemas: &[String],
    dialect: &Postgres,
) -> Result<Model, InspectError> {
    let mut transaction = pool
        .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        .await
        .map_err(InspectError::Transaction)?;
    let mut model = Model::default();
    let options = pool.connect_options();
    let (names, helpers) = tokio::join!(
        read_schema_names(&mut *transaction, &mut model, schemas),
        async {
            tokio::join!(
                PgConnection::connect_with(&options),
                PgConnection::connect_with(&options),
            )
        },
    );
    let names = names?;
    let helpers = match helpers {
        (Ok(first), Ok(second)) => share_snapshot(&mut transaction, [first, second]).await.ok(),
        (first, second) => {
            for connection in [first, second].into_iter().flatten() {
                let _ = connection.close().await;
            }
            None
        }
    };
    let rows = match helpers {
        Some([mut first, mut second]) => {
            let (own, columns, keys) = tokio::join!(
                fetch_kinds(&mut *transaction, &names, &FIRST_SESSION_KINDS),
                fetch_kinds(&mut first, &names, &[Kind::Columns]),
                fetch_kinds(&mut second, &names, &[Kind::Constraints, Kind::Indexes]),
            );
            let _ = tokio::join!(first.close(), second.close());
            let mut rows = own?;
            rows.extend(columns?);
            rows.extend(keys?);
            rows
        }
        None => fetch_kinds(&mut *transaction, &names, &Kind::ALL).await?,
    };
    read_kinds(&mut model, rows, dialect)?;
    transaction
        .rollback()
        .await
        .map_err(InspectError::Transaction)?;
    Ok(model)
}

/// The kinds the first session reads when two others read columns, constraints and indexes;
/// views among them, as only the first session has `public` as its search path.
const FIRST_SESSION_KINDS: [Kind; 8] = [
    Kind::Views,
    Kind::Tables,
    Kind::Enums,
    Kind::Domains,
    Kind::Sequences,
    Kind::Extensions,
    Kind::Functions,
    Kind::Triggers,
];

/// Starts on each of `sessions` a read-only transaction in the snapshot of `transaction`.
async fn share_snapshot<const N: usize>(
    transaction: &mut PgConnection,
    mut sessions: [PgConnection; N],
) -> Result<[PgConnection; N], sqlx::Error> {
    let result = async {
        let snapshot: String = sqlx::query_scalar("SELECT pg_export_snapshot()")
            .fetch_one(&mut *transaction)
            .await?;
        let start = format!(
            "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET TRANSACTION SNAPSHOT '{}'",
            snapshot.replace('\'', "''")
        );
        for session in &mut sessions {
            sqlx::raw_sql(sqlx::AssertSqlSafe(start.clone()))
                .execute(&mut *session)
                .await?;
        }
        Ok::<(), sqlx::Error>(())
    }
    .await;
    match result {
        Ok(()) => Ok(sessions),
        Err(error) => {
            for session in sessions {
                let _ = session.close().await;
            }
            Err(error)
        }
    }
}

/// An inspected environment schema (`cli_dev`) renamed to the placeholder schema a
/// per-environment connection's model uses (the connection's name), references to it included,
/// so that it compares with the connection's desired state.
pub fn as_placeholder(mut model: Model, live_schema: &str, placeholder: &str) -> Model {
    if let Some(mut schema) = model.schemas.remove(live_schema) {
        schema.name = placeholder.to_string();
        model.schemas.insert(placeholder.to_string(), schema);
    }
    for schema in model.schemas.values_mut() {
        for table in schema.tables.values_mut() {
            for key in &mut table.foreign_keys {
                if key.ref_schema == live_schema {
                    key.ref_schema = placeholder.to_string();
                }
            }
        }
    }
    for extension in model.extensions.values_mut() {
        if extension.schema.as_deref() == Some(live_schema) {
            extension.schema = Some(placeholder.to_string());
        }
    }
    if let Some(schema) = model.schemas.get_mut(placeholder) {
        for view in schema.views.values_mut() {
            view.definition = unqualified_query(&view.definition, live_schema);
        }
    }
    model
}

/// A view definition with the tables of `schema` named without it, as the unqualified SQL of a
/// per-environment connection names them.
fn unqualified_query(definition: &str, schema: &str) -> String {
    use sqlparser::ast::{ObjectNamePart, visit_relations_mut};
    use std::ops::ControlFlow;
    let Ok(mut query) = expr::parse_query(definition) else {
        return definition.to_string();
    };
    let _ = visit_relations_mut(&mut query, |name| {
        if let [ObjectNamePart::Identifier(qualifier), _] = name.0.as_slice()
            && qualifier.value == schema
        {
            name.0.remove(0);
        }
        ControlFlow::<()>::Continue(())
    });
    expr::canonical_query(query)
}

/// [`inspect`] over any [`CatalogSource`], one query after the other; the caller owns the
/// transaction.
pub async fn inspect_catalog<C: CatalogSource>(
    catalog: &mut C,
    schemas: &[String],
    dialect: &Postgres,
) -> Result<Model, InspectError> {
    let mut model = Model::default();
    let names = read_schema_names(catalog, &mut model, schemas).await?;
    let rows = fetch_kinds(catalog, &names, &Kind::ALL).await?;
    read_kinds(&mut model, rows, dialect)?;
    Ok(model)
}

/// The object kinds read after the schemas, one catalog query each, in the order they are read
/// into the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Views,
    Tables,
    Columns,
    Constraints,
    Indexes,
    Enums,
    Domains,
    Sequences,
    Extensions,
    Functions,
    Triggers,
}

impl Kind {
    /// Every query, in the order one session runs them (views first: see [`queries::SCHEMAS`]).
    const ALL: [Kind; 11] = [
        Kind::Views,
        Kind::Tables,
        Kind::Columns,
        Kind::Constraints,
        Kind::Indexes,
        Kind::Enums,
        Kind::Domains,
        Kind::Sequences,
        Kind::Extensions,
        Kind::Functions,
        Kind::Triggers,
    ];

    /// The query and what it reads, for error messages.
    fn query(self) -> (&'static str, &'static str) {
        match self {
            Kind::Views => ("views", queries::VIEWS),
            Kind::Tables => ("tables", queries::TABLES),
            Kind::Columns => ("columns", queries::COLUMNS),
            Kind::Constraints => ("constraints", queries::CONSTRAINTS),
            Kind::Indexes => ("indexes", queries::INDEXES),
            Kind::Enums => ("enums", queries::ENUMS),
            Kind::Domains => ("domains", queries::DOMAINS),
            Kind::Sequences => ("sequences", queries::SEQUENCES),
            Kind::Extensions => ("extensions", queries::EXTENSIONS),
            Kind::Functions => ("functions", queries::FUNCTIONS),
            Kind::Triggers => ("triggers", queries::TRIGGERS),
        }
    }
}

/// Reads the schemas (named, or every non-system one) into `model` and returns their names. Its
/// query also makes `public` the session's search path for the views query.
async fn read_schema_names<C: CatalogSource>(
    catalog: &mut C,
    model: &mut Model,
    schemas: &[String],
) -> Result<Vec<String>, InspectError> {
    let rows = fetch(catalog, "schemas", queries::SCHEMAS, schemas).await?;
    read_schemas(model, &rows)
}

/// Runs the queries of `kinds` on `catalog`, one after the other.
async fn fetch_kinds<C: CatalogSource>(
    catalog: &mut C,
    names: &[String],
    kinds: &[Kind],
) -> Result<Vec<(Kind, Vec<PgRow>)>, InspectError> {
    let mut fetched = Vec::with_capacity(kinds.len());
    for &kind in kinds {
        let (what, sql) = kind.query();
        fetched.push((kind, fetch(catalog, what, sql, names).await?));
    }
    Ok(fetched)
}

/// Reads the fetched rows into `model`, in [`Kind`] order whichever session fetched them
/// (tables before their columns, columns before the sequences they own).
fn read_kinds(
    model: &mut Model,
    mut rows: Vec<(Kind, Vec<PgRow>)>,
    dialect: &Postgres,
) -> Result<(), InspectError> {
    rows.sort_by_key(|(kind, _)| *kind);
    let mut serial_sequences = BTreeSet::new();
    for (kind, rows) in &rows {
        match kind {
            Kind::Views => read_views(model, rows)?,
            Kind::Tables => read_tables(model, rows)?,
            Kind::Columns => serial_sequences = read_columns(model, rows, dialect)?,
            Kind::Constraints => read_constraints(model, rows)?,
            Kind::Indexes => read_indexes(model, rows)?,
            Kind::Enums => read_enums(model, rows)?,
            Kind::Domains => domains::read_domains(model, rows, dialect)?,
            Kind::Sequences => read_sequences(model, rows, &serial_sequences, dialect)?,
            Kind::Extensions => read_extensions(model, rows)?,
            Kind::Functions => read_functions(model, rows)?,
            Kind::Triggers => read_triggers(model, rows)?,
        }
    }
    for schema in model.schemas.values_mut() {
        for table in schema.tables.values_mut() {
            drop_implicit_column_casts(table);
            table.sort_constraints();
        }
    }
    drop_implicit_view_casts(model);
    domains::drop_implicit_value_casts(model);
    Ok(())
}

/// Removes from view definitions the `::text` the server adds to a `character varying` or
/// `character` column (`a.state::text = 'firing'`): a column is looked up by name in the tables
/// the view reads, and its cast dropped when every one of them that has it gives it such a type.
fn drop_implicit_view_casts(model: &mut Model) {
    use sqlparser::ast::{Expr, ObjectNamePart, visit_expressions_mut, visit_relations};
    use std::ops::ControlFlow;
    let mut rewritten = Vec::new();
    for (schema_name, schema) in &model.schemas {
        for (view_name, view) in &schema.views {
            let Ok(mut query) = expr::parse_query(&view.definition) else {
                continue;
            };
            let mut tables = Vec::new();
            let _ = visit_relations(&query, |name| {
                let parts: Vec<String> = name
                    .0
                    .iter()
                    .filter_map(|p| match p {
                        ObjectNamePart::Identifier(ident) => Some(ident.value.clone()),
                        ObjectNamePart::Function(_) => None,
                    })
                    .collect();
                let qualified = match parts.as_slice() {
                    [table] => QualifiedName::new("public", table),
                    [schema, table] => QualifiedName::new(schema, table),
                    _ => return ControlFlow::<()>::Continue(()),
                };
                if let Some(table) = model.table(&qualified) {
                    tables.push(table);
                }
                ControlFlow::<()>::Continue(())
            });
            let character_column = |column: &str| {
                let types: Vec<&str> = tables
                    .iter()
                    .filter_map(|t| t.column(column))
                    .map(|c| c.data_type.as_str())
                    .collect();
                !types.is_empty()
                    && types
                        .iter()
                        .all(|t| t.starts_with("character varying") || t.starts_with("character("))
            };
            let mut changed = false;
            let _ = visit_expressions_mut(&mut query, |e| {
                if let Expr::Cast {
                    expr: inner,
                    data_type,
                    format: None,
                    ..
                } = e
                {
                    let column = match inner.as_ref() {
                        Expr::Identifier(ident) => Some(ident.value.clone()),
                        Expr::CompoundIdentifier(parts) => parts.last().map(|p| p.value.clone()),
                        _ => None,
                    };
                    let to_text = data_type.to_string().eq_ignore_ascii_case("text");
                    if to_text && column.is_some_and(|c| character_column(&c)) {
                        let inner = std::mem::replace(
                            inner.as_mut(),
                            Expr::value(sqlparser::ast::Value::Null),
                        );
                        *e = inner;
                        changed = true;
                    }
                }
                ControlFlow::<()>::Continue(())
            });
            if changed {
                let name = QualifiedName::new(schema_name, view_name);
                rewritten.push((name, expr::canonical_query(query)));
            }
        }
    }
    for (name, definition) in rewritten {
        if let Some(view) = model
            .schemas
            .get_mut(&name.schema)
            .and_then(|s| s.views.get_mut(&name.name))
        {
            view.definition = definition;
        }
    }
}

/// Removes from a table's expressions the casts the server adds to its columns, which it prints
/// like written ones: `name::text` for a `character varying` column (a binary-compatible cast),
/// and an integer column widened to the numeric type of the column it meets in an operator
/// (`price * quantity::numeric`). A cast written in the SQL of the same kind is removed as well,
/// so such a redundant cast compares unequal with its source.
///
/// The DDL reader runs it on the tables, checks and indexes it reads, so both sides match.
pub(super) fn drop_implicit_column_casts(table: &mut Table) {
    let types = column_types(table.columns.iter());
    let rewrite = |text: &mut String| uncast_table_expression(text, &types);
    for column in &mut table.columns {
        if let Some(generated) = &mut column.generated {
            rewrite(generated);
        }
    }
    for check in &mut table.checks {
        rewrite(&mut check.expression);
    }
    for index in &mut table.indexes {
        if let Some(predicate) = &mut index.predicate {
            rewrite(predicate);
        }
        for key in index.keys.iter_mut().filter(|k| k.expression) {
            rewrite(&mut key.target);
        }
    }
}

/// Each column's type by name.
pub(super) fn column_types<'a>(
    columns: impl Iterator<Item = &'a crate::model::Column>,
) -> std::collections::BTreeMap<String, String> {
    columns
        .map(|c| (c.name.clone(), c.data_type.clone()))
        .collect()
}

/// [`drop_implicit_column_casts`] on the canonical text of one expression of a table whose
/// columns have `types`.
pub(super) fn uncast_table_expression(
    text: &mut String,
    types: &std::collections::BTreeMap<String, String>,
) {
    if let Ok(mut parsed) = expr::parse_expression(text)
        && uncast_columns(&mut parsed, types)
    {
        *text = expr::canonical_expression(parsed);
    }
}

/// [`drop_implicit_column_casts`] on one parsed expression; whether anything changed.
fn uncast_columns(
    parsed: &mut sqlparser::ast::Expr,
    types: &std::collections::BTreeMap<String, String>,
) -> bool {
    use sqlparser::ast::{Expr, visit_expressions_mut};
    use std::ops::ControlFlow;
    let base = |t: &str| t.split('(').next().unwrap_or(t).trim().to_string();
    let column_type = |e: &Expr| match e {
        Expr::Identifier(ident) => types.get(&ident.value).map(|t| base(t)),
        _ => None,
    };
    let cast_of_column = |e: &Expr| match e {
        Expr::Cast {
            expr: inner,
            data_type,
            format: None,
            ..
        } => column_type(inner).map(|from| {
            let spelled = data_type.to_string();
            let to = super::types::normalize_type(&spelled).unwrap_or(spelled);
            (from, base(&to))
        }),
        _ => None,
    };
    let unwrap_cast = |e: &mut Expr| {
        if let Expr::Cast { expr: inner, .. } = e {
            let inner = std::mem::replace(inner.as_mut(), Expr::value(sqlparser::ast::Value::Null));
            *e = inner;
        }
    };
    let mut changed = false;
    let _ = visit_expressions_mut(parsed, |e| {
        if let Some((from, to)) = cast_of_column(e)
            && to == "text"
            && matches!(from.as_str(), "character varying" | "character")
        {
            unwrap_cast(e);
            changed = true;
        }
        if let Expr::BinaryOp { left, op, right } = e
            && is_arithmetic(op)
        {
            // `(1)::numeric - discount` → `1 - discount`: the server casts a number to the
            // numeric type of the other operand, which the bare number takes anyway.
            if numeric_literal_cast(left) && is_numeric_operand(right, types) {
                unwrap_cast(left);
                changed = true;
            } else if numeric_literal_cast(right) && is_numeric_operand(left, types) {
                unwrap_cast(right);
                changed = true;
            }
        }
        if let Expr::BinaryOp { left, right, .. } = e {
            let widened = |cast: &Expr, other: &Expr| {
                cast_of_column(cast).is_some_and(|(from, to)| {
                    matches!(from.as_str(), "smallint" | "integer" | "bigint")
                        && column_type(other).is_some_and(|t| t == to)
                })
            };
            if widened(left, right) {
                unwrap_cast(left);
                changed = true;
            } else if widened(right, left) {
                unwrap_cast(right);
                changed = true;
            }
        }
        ControlFlow::<()>::Continue(())
    });
    changed
}

fn is_arithmetic(op: &sqlparser::ast::BinaryOperator) -> bool {
    use sqlparser::ast::BinaryOperator as Op;
    matches!(op, Op::Plus | Op::Minus | Op::Multiply | Op::Divide)
}

/// `1::numeric` or `(1)::numeric`: a bare number cast to `numeric`.
fn numeric_literal_cast(expr: &sqlparser::ast::Expr) -> bool {
    use sqlparser::ast::{Expr, Value};
    let Expr::Cast {
        expr: inner,
        data_type,
        format: None,
        ..
    } = expr
    else {
        return false;
    };
    let mut inner = inner.as_ref();
    while let Expr::Nested(nested) = inner {
        inner = nested;
    }
    data_type.to_string().eq_ignore_ascii_case("numeric")
        && matches!(inner, Expr::Value(v) if matches!(v.value, Value::Number(..)))
}

/// Whether an operand is of type `numeric` by itself: a `numeric` column, a cast to it, or
/// arithmetic over such an operand.
fn is_numeric_operand(
    expr: &sqlparser::ast::Expr,
    types: &std::collections::BTreeMap<String, String>,
) -> bool {
    use sqlparser::ast::Expr;
    match expr {
        Expr::Nested(inner) => is_numeric_operand(inner, types),
        Expr::Identifier(ident) => types
            .get(&ident.value)
            .is_some_and(|t| t.split('(').next().is_some_and(|b| b.trim() == "numeric")),
        Expr::Cast { data_type, .. } => data_type
            .to_string()
            .to_ascii_lowercase()
            .starts_with("numeric"),
        Expr::BinaryOp { left, op, right } if is_arithmetic(op) => {
            is_numeric_operand(left, types) || is_numeric_operand(right, types)
        }
        _ => false,
    }
}

async fn fetch<C: CatalogSource>(
    catalog: &mut C,
    what: &'static str,
    sql: &'static str,
    schemas: &[String],
) -> Result<Vec<PgRow>, InspectError> {
    catalog
        .fetch_rows(sql, schemas)
        .await
        .map_err(|source| InspectError::Query { what, source })
}

/// One column of one catalog row; `what` names the query for the error message.
fn get<'r, T>(row: &'r PgRow, what: &'static str, column: &'static str) -> Result<T, InspectError>
where
    T: Decode<'r, sqlx::Postgres> + Type<sqlx::Postgres>,
{
    row.try_get(column).map_err(|source| InspectError::Decode {
        what,
        column,
        source,
    })
}

/// Runs one of the dialect's normalizers, naming the object on failure.
fn normalized(
    object: impl FnOnce() -> String,
    text: &str,
    normalize: impl FnOnce(&str) -> Result<String, StatementError>,
) -> Result<String, InspectError> {
    normalize(text).map_err(|source| InspectError::Normalize {
        object: object(),
        text: text.to_string(),
        source,
    })
}

fn read_schemas(model: &mut Model, rows: &[PgRow]) -> Result<Vec<String>, InspectError> {
    let mut names = Vec::with_capacity(rows.len());
    for row in rows {
        let name: String = get(row, "schemas", "name")?;
        let comment: Option<String> = get(row, "schemas", "comment")?;
        let comment =
            comment.filter(|c| !(name == "public" && c.as_str() == PUBLIC_SCHEMA_STOCK_COMMENT));
        model.schema_mut(&name).comment = comment;
        names.push(name);
    }
    Ok(names)
}

fn read_tables(model: &mut Model, rows: &[PgRow]) -> Result<(), InspectError> {
    for row in rows {
        let schema: String = get(row, "tables", "schema")?;
        let name: String = get(row, "tables", "name")?;
        let table = Table {
            name: name.clone(),
            comment: get(row, "tables", "comment")?,
            ..Table::default()
        };
        model.schema_mut(&schema).tables.insert(name, table);
    }
    Ok(())
}

/// Adds each column to its table; returns the sequences behind `serial` columns, which the
/// model does not list on their own.
fn read_columns(
    model: &mut Model,
    rows: &[PgRow],
    dialect: &Postgres,
) -> Result<BTreeSet<QualifiedName>, InspectError> {
    let mut serial_sequences = BTreeSet::new();
    for row in rows {
        let schema: String = get(row, "columns", "schema")?;
        let table_name: String = get(row, "columns", "table_name")?;
        let column = read_column(row, &schema, &table_name, dialect)?;
        if serial_type(row, &table_name)?.is_some() {
            let sequence_schema: Option<String> = get(row, "columns", "owned_sequence_schema")?;
            let sequence_name: Option<String> = get(row, "columns", "owned_sequence_name")?;
            if let (Some(s), Some(n)) = (sequence_schema, sequence_name) {
                serial_sequences.insert(QualifiedName::new(s, n));
            }
        }
        if let Some(table) = model.table_mut(&QualifiedName::new(&schema, &table_name)) {
            table.columns.push(column);
        }
    }
    Ok(serial_sequences)
}

/// `serial`, `bigserial` or `smallserial` for a column that is one: an integer column whose
/// default is `nextval` of the sequence it owns — named as `serial` names it (`t_c_seq`), since a
/// sequence created on its own, owned by the column and named otherwise, is how a schema spells
/// it when it lists the sequence itself.
fn serial_type(row: &PgRow, table: &str) -> Result<Option<String>, InspectError> {
    const WHAT: &str = "columns";
    let serial: Option<String> = get(row, WHAT, "serial_type")?;
    let column: String = get(row, WHAT, "name")?;
    let sequence: Option<String> = get(row, WHAT, "owned_sequence_name")?;
    let serial_name = super::names::serial_sequence_name(table, &column);
    Ok(serial.filter(|_| sequence.as_deref() == Some(serial_name.as_str())))
}

fn read_column(
    row: &PgRow,
    schema: &str,
    table: &str,
    dialect: &Postgres,
) -> Result<Column, InspectError> {
    const WHAT: &str = "columns";
    let name: String = get(row, WHAT, "name")?;
    let object = || format!("column {schema}.{table}.{name}");
    let data_type = match serial_type(row, table)? {
        Some(serial) => serial,
        None => column_type(row, schema, dialect, object)?,
    };
    let default = match (
        data_type.ends_with("serial"),
        get(row, WHAT, "default_expr")?,
    ) {
        (false, Some(raw)) => {
            let raw: String = raw;
            Some(normalized(object, &raw, |text| {
                canonical_default(text, &data_type)
            })?)
        }
        _ => None,
    };
    let generated = match get::<Option<String>>(row, WHAT, "generated_expr")? {
        Some(raw) => Some(normalized(object, &raw, canonical_expression)?),
        None => None,
    };
    Ok(Column {
        name: name.clone(),
        data_type,
        nullable: get(row, WHAT, "nullable")?,
        default,
        identity: read_identity(row)?,
        generated,
        collation: get(row, WHAT, "collation")?,
        comment: get(row, WHAT, "comment")?,
        renamed_from: None,
        allow_destructive: false,
        greptime: None,
        mysql: None,
    })
}

/// A user type in the table's own schema is unqualified, one from another schema qualified;
/// built-in (and extension) types take the server's spelling through the type normalizer.
fn column_type(
    row: &PgRow,
    table_schema: &str,
    dialect: &Postgres,
    object: impl FnOnce() -> String,
) -> Result<String, InspectError> {
    const WHAT: &str = "columns";
    let user_type_schema: Option<String> = get(row, WHAT, "user_type_schema")?;
    let Some(type_schema) = user_type_schema else {
        let formatted: String = get(row, WHAT, "formatted_type")?;
        return normalized(object, &formatted, |text| dialect.normalize_type(text));
    };
    let type_name: String = get(row, WHAT, "user_type_name")?;
    let is_array: bool = get(row, WHAT, "is_array")?;
    let mut spelled = if type_schema == table_schema {
        type_name
    } else {
        format!("{}.{type_name}", super::ident::quote(&type_schema))
    };
    if is_array {
        spelled.push_str("[]");
    }
    Ok(spelled)
}

fn read_identity(row: &PgRow) -> Result<Option<Identity>, InspectError> {
    const WHAT: &str = "columns";
    let kind = match get::<String>(row, WHAT, "identity")?.as_str() {
        "a" => IdentityKind::Always,
        "d" => IdentityKind::ByDefault,
        _ => return Ok(None),
    };
    let start: Option<i64> = get(row, WHAT, "identity_start")?;
    let increment: Option<i64> = get(row, WHAT, "identity_increment")?;
    let ascending = increment.unwrap_or(1) > 0;
    let default_start = if ascending { 1 } else { -1 };
    Ok(Some(Identity {
        kind,
        start: start.filter(|&s| s != default_start),
        increment: increment.filter(|&i| i != 1),
    }))
}

/// An expression the server printed (a check, predicate, index key or generated column) as
/// canonical SQL: without the parentheses the server puts around it, and through the same
/// normalization as the loaders', which also drops the casts the server adds to literals.
fn canonical_expression(raw: &str) -> Result<String, StatementError> {
    expr::normalize_expression(strip_enclosing_parens(raw))
}

/// A default as canonical SQL, also without a top-level cast to the column's own type.
fn canonical_default(raw: &str, column_type: &str) -> Result<String, StatementError> {
    let parsed = expr::parse_expression(strip_enclosing_parens(raw))?;
    Ok(expr::canonical_default(parsed, column_type))
}

/// A view definition as canonical SQL, the one form both the server's text and the loaded SQL
/// take ([`Postgres::normalize_query`](crate::backend::Dialect::normalize_query) uses it too):
/// through the expression normalization, without the parentheses the server puts around an
/// operation inside another (`created_at > (now() - '30 days'::interval)`) and, when the query
/// reads a single table, without the table name or alias before every column
/// (`SELECT t.id FROM users t`), which servers before 16 always print and the SQL may or may
/// not write.
pub(super) fn canonical_query(raw: &str) -> Result<String, StatementError> {
    Ok(canonical_view(expr::parse_query(raw)?))
}

/// [`canonical_query`] of a parsed query, as the DDL reader has it.
pub(super) fn canonical_view(mut query: sqlparser::ast::Query) -> String {
    drop_precedence_parentheses(&mut query);
    unqualify_single_table_columns(&mut query);
    expr::canonical_query(query)
}

/// `a > (b - c)` → `a > b - c`: parentheses around an operation that binds tighter than the
/// operation it is an operand of say nothing, and the server adds them to every nested one.
fn drop_precedence_parentheses(query: &mut sqlparser::ast::Query) {
    use sqlparser::ast::{Expr, visit_expressions_mut};
    use std::ops::ControlFlow;
    let _ = visit_expressions_mut(query, |expr| {
        if let Expr::BinaryOp { left, op, right } = expr
            && let Some(outer) = precedence(op)
        {
            for operand in [left, right] {
                let tighter = matches!(operand.as_ref(), Expr::Nested(inner)
                    if matches!(inner.as_ref(), Expr::BinaryOp { op, .. }
                        if precedence(op).is_some_and(|p| p > outer)));
                if tighter && let Expr::Nested(inner) = operand.as_mut() {
                    let inner = std::mem::replace(inner.as_mut(), Expr::value(Value::Null));
                    **operand = inner;
                }
            }
        }
        ControlFlow::<()>::Continue(())
    });
}

/// PostgreSQL's binding strength of the binary operators whose place in its precedence table
/// is known here (higher binds tighter); `None` for the rest, whose parentheses stay.
fn precedence(op: &sqlparser::ast::BinaryOperator) -> Option<u8> {
    use sqlparser::ast::BinaryOperator as Op;
    Some(match op {
        Op::Or => 1,
        Op::And => 2,
        Op::Eq | Op::NotEq | Op::Lt | Op::LtEq | Op::Gt | Op::GtEq => 4,
        Op::StringConcat => 6,
        Op::Plus | Op::Minus => 7,
        Op::Multiply | Op::Divide | Op::Modulo => 8,
        _ => return None,
    })
}

/// `SELECT t.a FROM t WHERE t.b` → `SELECT a FROM t WHERE t.b`, for a plain select of one table
/// with no subquery (where a qualifier may be needed to reach the outer table).
fn unqualify_single_table_columns(query: &mut sqlparser::ast::Query) {
    use sqlparser::ast::{
        Expr, ObjectNamePart, SetExpr, TableFactor, visit_expressions, visit_expressions_mut,
    };
    use std::ops::ControlFlow;
    let SetExpr::Select(select) = query.body.as_ref() else {
        return;
    };
    let [from] = select.from.as_slice() else {
        return;
    };
    let TableFactor::Table { name, alias, .. } = &from.relation else {
        return;
    };
    if !from.joins.is_empty() {
        return;
    }
    let qualifier = match (alias, name.0.last()) {
        (Some(alias), _) => expr::folded(&alias.name),
        (None, Some(ObjectNamePart::Identifier(ident))) => expr::folded(ident),
        _ => return,
    };
    let has_subquery = visit_expressions(&*query, |expr| match expr {
        Expr::Subquery(_) | Expr::Exists { .. } | Expr::InSubquery { .. } => ControlFlow::Break(()),
        _ => ControlFlow::Continue(()),
    })
    .is_break();
    if has_subquery {
        return;
    }
    let _ = visit_expressions_mut(query, |expr| {
        if let Expr::CompoundIdentifier(parts) = expr
            && let [table, column] = parts.as_slice()
            && expr::folded(table) == qualifier
        {
            *expr = Expr::Identifier(column.clone());
        }
        ControlFlow::<()>::Continue(())
    });
}

/// Removes parentheses that enclose the whole text (`((a > 0))` → `a > 0`), as the server adds
/// them around check expressions, index expressions and generated columns.
fn strip_enclosing_parens(text: &str) -> &str {
    let mut current = text.trim();
    while current.starts_with('(') && closing_paren(current) == Some(current.len() - 1) {
        current = current[1..current.len() - 1].trim();
    }
    current
}

/// The byte offset of the parenthesis closing the one at offset 0, skipping quoted text.
fn closing_paren(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    for (offset, c) in text.char_indices() {
        match (quote, c) {
            (Some(open), c) if c == open => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '(') => depth += 1,
            (None, ')') => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(offset);
                }
            }
            (None, _) => {}
        }
    }
    None
}

fn read_constraints(model: &mut Model, rows: &[PgRow]) -> Result<(), InspectError> {
    const WHAT: &str = "constraints";
    for row in rows {
        let schema: String = get(row, WHAT, "schema")?;
        let table_name: String = get(row, WHAT, "table_name")?;
        let Some(table) = model.table_mut(&QualifiedName::new(&schema, &table_name)) else {
            continue;
        };
        let name: String = get(row, WHAT, "name")?;
        let columns: Vec<String> = get(row, WHAT, "columns")?;
        let deferrable: bool = get(row, WHAT, "deferrable")?;
        let initially_deferred: bool = get(row, WHAT, "initially_deferred")?;
        match get::<String>(row, WHAT, "kind")?.as_str() {
            "p" => table.primary_key = Some(PrimaryKey { name, columns }),
            "u" => table.uniques.push(Unique {
                name,
                columns,
                nulls_not_distinct: get(row, WHAT, "nulls_not_distinct")?,
                deferrable,
                initially_deferred,
            }),
            "c" => {
                let raw: String =
                    get::<Option<String>>(row, WHAT, "check_expr")?.unwrap_or_default();
                let object = || format!("check {name} on {schema}.{table_name}");
                let expression = normalized(object, &raw, canonical_expression)?;
                table.checks.push(Check {
                    name,
                    expression,
                    no_inherit: get(row, WHAT, "no_inherit")?,
                });
            }
            "f" => table.foreign_keys.push(ForeignKey {
                name,
                columns,
                ref_schema: get::<Option<String>>(row, WHAT, "ref_schema")?.unwrap_or_default(),
                ref_table: get::<Option<String>>(row, WHAT, "ref_table")?.unwrap_or_default(),
                ref_columns: get(row, WHAT, "ref_columns")?,
                on_delete: foreign_key_action(&get::<String>(row, WHAT, "on_delete")?),
                on_update: foreign_key_action(&get::<String>(row, WHAT, "on_update")?),
                deferrable,
                initially_deferred,
            }),
            _ => {}
        }
    }
    Ok(())
}

/// `pg_constraint.confdeltype` / `confupdtype` codes.
fn foreign_key_action(code: &str) -> ForeignKeyAction {
    match code {
        "r" => ForeignKeyAction::Restrict,
        "c" => ForeignKeyAction::Cascade,
        "n" => ForeignKeyAction::SetNull,
        "d" => ForeignKeyAction::SetDefault,
        _ => ForeignKeyAction::NoAction,
    }
}

/// Folds the per-column index rows (ordered by table, index, position) into indexes.
fn read_indexes(model: &mut Model, rows: &[PgRow]) -> Result<(), InspectError> {
    const WHAT: &str = "indexes";
    for row in rows {
        let schema: String = get(row, WHAT, "schema")?;
        let table_name: String = get(row, WHAT, "table_name")?;
        let name: String = get(row, WHAT, "name")?;
        let Some(table) = model.table_mut(&QualifiedName::new(&schema, &table_name)) else {
            continue;
        };
        let object = || format!("index {schema}.{name}");
        if table.indexes.last().is_none_or(|index| index.name != name) {
            let predicate = match get::<Option<String>>(row, WHAT, "predicate")? {
                Some(raw) => Some(normalized(object, &raw, canonical_expression)?),
                None => None,
            };
            table.indexes.push(Index {
                name: name.clone(),
                keys: Vec::new(),
                unique: get(row, WHAT, "is_unique")?,
                method: get(row, WHAT, "method")?,
                predicate,
                include: Vec::new(),
                nulls_not_distinct: get(row, WHAT, "nulls_not_distinct")?,
            });
        }
        let Some(index) = table.indexes.last_mut() else {
            continue;
        };
        if get(row, WHAT, "is_key")? {
            index.keys.push(read_index_key(row, object)?);
        } else if let Some(column) = get::<Option<String>>(row, WHAT, "column_name")? {
            index.include.push(column);
        }
    }
    Ok(())
}

fn read_index_key(row: &PgRow, object: impl FnOnce() -> String) -> Result<IndexKey, InspectError> {
    const WHAT: &str = "indexes";
    let column: Option<String> = get(row, WHAT, "column_name")?;
    let (target, expression) = match column {
        Some(column) => (column, false),
        None => {
            let raw: String = get::<Option<String>>(row, WHAT, "expression")?.unwrap_or_default();
            let canonical = normalized(object, &raw, canonical_expression)?;
            (canonical, true)
        }
    };
    let descending: bool = get(row, WHAT, "descending")?;
    let nulls_first: bool = get(row, WHAT, "nulls_first")?;
    // NULLS LAST is the default going up, NULLS FIRST going down: only the other one is stated.
    let nulls_first = match (descending, nulls_first) {
        (false, true) => Some(true),
        (true, false) => Some(false),
        _ => None,
    };
    Ok(IndexKey {
        target,
        expression,
        collation: get(row, WHAT, "collation")?,
        opclass: get(row, WHAT, "opclass")?,
        descending,
        nulls_first,
    })
}

fn read_enums(model: &mut Model, rows: &[PgRow]) -> Result<(), InspectError> {
    const WHAT: &str = "enums";
    for row in rows {
        let schema: String = get(row, WHAT, "schema")?;
        let name: String = get(row, WHAT, "name")?;
        let enumeration = Enum {
            name: name.clone(),
            values: get(row, WHAT, "labels")?,
            comment: get(row, WHAT, "comment")?,
        };
        model.schema_mut(&schema).enums.insert(name, enumeration);
    }
    Ok(())
}

fn read_views(model: &mut Model, rows: &[PgRow]) -> Result<(), InspectError> {
    const WHAT: &str = "views";
    for row in rows {
        let schema: String = get(row, WHAT, "schema")?;
        let name: String = get(row, WHAT, "name")?;
        let raw: String = get::<Option<String>>(row, WHAT, "definition")?.unwrap_or_default();
        let query = raw.trim().trim_end_matches(';').trim_end();
        let definition = normalized(|| format!("view {schema}.{name}"), query, canonical_query)?;
        let view = View {
            name: name.clone(),
            definition,
            materialized: get(row, WHAT, "materialized")?,
            comment: get(row, WHAT, "comment")?,
            mysql: None,
        };
        model.schema_mut(&schema).views.insert(name, view);
    }
    Ok(())
}

fn read_sequences(
    model: &mut Model,
    rows: &[PgRow],
    serial_sequences: &BTreeSet<QualifiedName>,
    dialect: &Postgres,
) -> Result<(), InspectError> {
    const WHAT: &str = "sequences";
    for row in rows {
        let schema: String = get(row, WHAT, "schema")?;
        let name: String = get(row, WHAT, "name")?;
        if serial_sequences.contains(&QualifiedName::new(&schema, &name)) {
            continue;
        }
        let formatted: String = get(row, WHAT, "data_type")?;
        let data_type = normalized(
            || format!("sequence {schema}.{name}"),
            &formatted,
            |text| dialect.normalize_type(text),
        )?;
        let owner_table: Option<String> = get(row, WHAT, "owner_table")?;
        let owner_column: Option<String> = get(row, WHAT, "owner_column")?;
        let mut sequence = Sequence {
            name: name.clone(),
            data_type,
            start: get(row, WHAT, "start")?,
            increment: get(row, WHAT, "increment")?,
            min_value: get(row, WHAT, "min_value")?,
            max_value: get(row, WHAT, "max_value")?,
            cache: get(row, WHAT, "cache")?,
            cycle: get(row, WHAT, "cycle")?,
            owned_by: owner_table
                .zip(owner_column)
                .map(|(t, c)| format!("{t}.{c}")),
        };
        drop_default_sequence_options(&mut sequence);
        model.schema_mut(&schema).sequences.insert(name, sequence);
    }
    Ok(())
}

/// Sets every option equal to what `CREATE SEQUENCE` would choose by itself to `None`.
fn drop_default_sequence_options(sequence: &mut Sequence) {
    let (type_min, type_max) = match sequence.data_type.as_str() {
        "smallint" => (i64::from(i16::MIN), i64::from(i16::MAX)),
        "integer" => (i64::from(i32::MIN), i64::from(i32::MAX)),
        _ => (i64::MIN, i64::MAX),
    };
    let increment = sequence.increment.unwrap_or(1);
    let ascending = increment > 0;
    let (default_min, default_max) = if ascending {
        (1, type_max)
    } else {
        (type_min, -1)
    };
    let min = sequence.min_value.unwrap_or(default_min);
    let max = sequence.max_value.unwrap_or(default_max);
    let default_start = if ascending { min } else { max };
    sequence.start = sequence.start.filter(|&s| s != default_start);
    sequence.increment = sequence.increment.filter(|&i| i != 1);
    sequence.min_value = sequence.min_value.filter(|&m| m != default_min);
    sequence.max_value = sequence.max_value.filter(|&m| m != default_max);
    sequence.cache = sequence.cache.filter(|&c| c != 1);
}

fn read_extensions(model: &mut Model, rows: &[PgRow]) -> Result<(), InspectError> {
    const WHAT: &str = "extensions";
    for row in rows {
        let name: String = get(row, WHAT, "name")?;
        let schema: String = get(row, WHAT, "schema")?;
        let extension = Extension {
            name: name.clone(),
            schema: (schema != "public").then_some(schema),
        };
        model.extensions.insert(name, extension);
    }
    Ok(())
}

fn read_functions(model: &mut Model, rows: &[PgRow]) -> Result<(), InspectError> {
    use super::ddl::functions::{
        Names, catalog_arguments, catalog_number, catalog_result, drop_default_costs,
    };
    const WHAT: &str = "functions";
    for row in rows {
        let schema: String = get(row, WHAT, "schema")?;
        let name: String = get(row, WHAT, "name")?;
        let names = Names {
            schema: &schema,
            default_schema: &schema,
        };
        let object = || format!("function {schema}.{name}");
        let raw_arguments: String = get(row, WHAT, "arguments")?;
        let arguments =
            catalog_arguments(&raw_arguments, names).map_err(|source| InspectError::Normalize {
                object: object(),
                text: raw_arguments.clone(),
                source,
            })?;
        let raw_result: Option<String> = get(row, WHAT, "result")?;
        let returns = raw_result
            .map(|text| normalized(object, &text, |t| catalog_result(t, names)))
            .transpose()?;
        let volatility: String = get(row, WHAT, "volatility")?;
        let parallel: String = get(row, WHAT, "parallel")?;
        let kind: String = get(row, WHAT, "kind")?;
        let config: Option<Vec<String>> = get(row, WHAT, "config")?;
        let mut function = Function {
            name: name.clone(),
            procedure: kind == "p",
            arguments,
            returns,
            language: get(row, WHAT, "language")?,
            body: get::<Option<String>>(row, WHAT, "body")?.unwrap_or_default(),
            volatility: match volatility.as_str() {
                "i" => Some("immutable".to_string()),
                "s" => Some("stable".to_string()),
                _ => None,
            },
            strict: get(row, WHAT, "strict")?,
            security_definer: get(row, WHAT, "security_definer")?,
            leakproof: get(row, WHAT, "leakproof")?,
            parallel: match parallel.as_str() {
                "s" => Some("safe".to_string()),
                "r" => Some("restricted".to_string()),
                _ => None,
            },
            cost: Some(catalog_number(get(row, WHAT, "cost")?)),
            rows: Some(catalog_number(get(row, WHAT, "rows")?)),
            config: config
                .unwrap_or_default()
                .iter()
                .filter_map(|entry| entry.split_once('='))
                .map(|(k, v)| (k.to_lowercase(), v.to_string()))
                .collect(),
            comment: get(row, WHAT, "comment")?,
        };
        drop_default_costs(&mut function);
        model
            .schema_mut(&schema)
            .functions
            .insert(function.signature(), function);
    }
    Ok(())
}

fn read_triggers(model: &mut Model, rows: &[PgRow]) -> Result<(), InspectError> {
    const WHAT: &str = "triggers";
    for row in rows {
        let schema: String = get(row, WHAT, "schema")?;
        let table: String = get(row, WHAT, "table_name")?;
        let name: String = get(row, WHAT, "name")?;
        let definition: String = get(row, WHAT, "definition")?;
        let (_, mut trigger, _) = super::ddl::functions::parse_trigger(&definition, &schema)
            .map_err(|source| InspectError::Normalize {
                object: format!("trigger {name} on {schema}.{table}"),
                text: definition.clone(),
                source,
            })?;
        trigger.comment = get(row, WHAT, "comment")?;
        model
            .schema_mut(&schema)
            .triggers
            .entry(table)
            .or_default()
            .insert(name, trigger);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_parentheses_that_enclose_the_whole_expression() {
        assert_eq!(strip_enclosing_parens("((price > 0))"), "price > 0");
        assert_eq!(strip_enclosing_parens("(a) + (b)"), "(a) + (b)");
        assert_eq!(strip_enclosing_parens("(')' = x)"), "')' = x");
        assert_eq!(strip_enclosing_parens("lower(email)"), "lower(email)");
    }

    #[test]
    fn drops_a_cast_to_the_column_type_from_a_default() {
        let dialect = Postgres;
        let default = |raw: &str, column_type: &str| canonical_default(raw, column_type).ok();
        let expected = |sql: &str| dialect.normalize_expression(sql).ok();
        assert_eq!(default("(now())::date", "date"), expected("(now())"));
        assert_eq!(default("'-1'::integer", "integer"), expected("-1"));
        assert_eq!(default("(x)::core.status", "status"), expected("(x)"));
        assert_eq!(default("(x)::text", "integer"), expected("(x)::TEXT"));
    }

    #[test]
    fn drops_the_casts_the_server_adds_to_literals() {
        let dialect = Postgres;
        let canonical = |raw: &str| canonical_expression(raw).ok();
        let expected = |sql: &str| dialect.normalize_expression(sql).ok();
        assert_eq!(canonical("((price > 0::numeric))"), expected("price > 0"));
        assert_eq!(
            canonical("(status = ANY (ARRAY['a'::text, 'b'::text]))"),
            expected("status = ANY(ARRAY['a', 'b'])")
        );
        assert_eq!(canonical("'-1'::integer"), expected("-1"));
        assert_eq!(canonical("x::text"), expected("x::TEXT"));
        assert_eq!(canonical("'1'::integer::text"), expected("1::TEXT"));
    }

    #[test]
    fn drops_the_table_name_before_columns_of_a_single_table_view() {
        let dialect = Postgres;
        let canonical = |raw: &str| canonical_query(raw).ok();
        let expected = |sql: &str| dialect.normalize_query(sql).ok();
        assert_eq!(
            canonical(
                " SELECT users.id,\n    users.name\n   FROM users\n  WHERE users.kind = 'a'::text"
            ),
            expected("SELECT id, name FROM users WHERE kind = 'a'")
        );
        assert_eq!(
            canonical("SELECT u.id FROM users u JOIN teams t ON t.id = u.team"),
            expected("SELECT u.id FROM users u JOIN teams t ON t.id = u.team")
        );
    }

    #[test]
    fn a_view_the_server_printed_equals_the_sql_that_made_it() {
        let dialect = Postgres;
        let server = canonical_query(
            " SELECT t.id,\n    t.name\n   FROM approvals t\n  \
             WHERE t.created_at > (now() - '30 days'::interval)",
        );
        let written = dialect.normalize_query(
            "SELECT t.id, t.name FROM approvals t WHERE t.created_at > now() - interval '30 days'",
        );
        assert_eq!(server.ok(), written.ok());
        assert_eq!(
            canonical_query("SELECT a FROM t WHERE (a - (b - c)) > 0 AND (b OR c)").ok(),
            Some("SELECT a FROM t WHERE a - (b - c) > 0 AND (b OR c)".to_string())
        );
    }

    #[test]
    fn drops_sequence_options_equal_to_the_defaults() {
        let mut ascending = Sequence {
            name: "s".into(),
            data_type: "integer".into(),
            start: Some(1),
            increment: Some(1),
            min_value: Some(1),
            max_value: Some(i64::from(i32::MAX)),
            cache: Some(1),
            cycle: false,
            owned_by: None,
        };
        drop_default_sequence_options(&mut ascending);
        assert_eq!(
            (ascending.start, ascending.increment, ascending.min_value),
            (None, None, None)
        );
        assert_eq!((ascending.max_value, ascending.cache), (None, None));

        let mut descending = Sequence {
            data_type: "bigint".into(),
            start: Some(-1),
            increment: Some(-2),
            min_value: Some(i64::MIN),
            max_value: Some(-1),
            cache: Some(20),
            ..ascending
        };
        drop_default_sequence_options(&mut descending);
        assert_eq!(
            (descending.start, descending.increment, descending.min_value),
            (None, Some(-2), None)
        );
        assert_eq!((descending.max_value, descending.cache), (None, Some(20)));
    }
}
