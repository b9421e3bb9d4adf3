//! Schemas, extensions, enum types, indexes, views, comments and `DROP`.

use super::super::expr::{
    canonical_expression, expand_wildcards, folded, index_key_name_part, parse_error,
};
use super::super::names::default_name;
use super::table::collation_name;
use super::{Reader, last_name, name_parts, unsupported};
use crate::backend::{ConstraintKind, StatementError};
use crate::model::{
    Change, CommentTarget, Enum, EnumPosition, Extension, Index, IndexKey, QualifiedName, View,
};
use sqlparser::ast::{
    AlterIndexOperation, AlterType, AlterTypeAddValuePosition, AlterTypeOperation, CommentObject,
    CreateIndex, CreateView, DropExtension, Expr, IndexColumn, ObjectName, ObjectType, OrderBySort,
    SchemaName, UserDefinedTypeRepresentation,
};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::keywords::Keyword;
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::Token;

pub(super) fn create_schema(
    reader: &Reader<'_>,
    schema_name: &SchemaName,
    if_not_exists: bool,
) -> Result<Vec<Change>, StatementError> {
    let name = match schema_name {
        SchemaName::Simple(name) | SchemaName::NamedAuthorization(name, _) => last_name(name)?,
        SchemaName::UnnamedAuthorization(role) => folded(role),
    };
    if reader.model.schemas.contains_key(&name) {
        return if if_not_exists {
            Ok(Vec::new())
        } else {
            Err(StatementError::new(format!("schema {name} already exists")))
        };
    }
    Ok(vec![Change::CreateSchema { name }])
}

/// `CREATE EXTENSION [IF NOT EXISTS] name [WITH] [SCHEMA s] [VERSION v] [CASCADE]`, read by
/// hand because sqlparser insists on `WITH` before `SCHEMA`, which PostgreSQL makes optional.
pub(super) fn create_extension(reader: &Reader<'_>) -> Result<Vec<Change>, StatementError> {
    let sql = reader.statement.sql;
    let dialect = PostgreSqlDialect {};
    let syntax = |e: ParserError| parse_error(sql, &e);
    let mut parser = Parser::new(&dialect).try_with_sql(sql).map_err(syntax)?;
    parser.expect_keyword(Keyword::CREATE).map_err(syntax)?;
    parser.expect_keyword(Keyword::EXTENSION).map_err(syntax)?;
    let if_not_exists = parser.parse_keywords(&[Keyword::IF, Keyword::NOT, Keyword::EXISTS]);
    let name = folded(&parser.parse_identifier().map_err(syntax)?);
    let _ = parser.parse_keyword(Keyword::WITH);
    let mut schema = None;
    loop {
        if parser.parse_keyword(Keyword::SCHEMA) {
            schema = Some(folded(&parser.parse_identifier().map_err(syntax)?));
        } else if parser.parse_keyword(Keyword::VERSION) {
            let _ = parser.parse_identifier().or_else(|_| {
                parser
                    .parse_literal_string()
                    .map(sqlparser::ast::Ident::new)
            });
        } else if parser.parse_keyword(Keyword::CASCADE) {
            continue;
        } else {
            parser.expect_token(&Token::EOF).map_err(syntax)?;
            break;
        }
    }
    // An existing extension is refused when the change is applied (see `table::create_table`).
    if if_not_exists && reader.model.extensions.contains_key(&name) {
        return Ok(Vec::new());
    }
    Ok(vec![Change::CreateExtension {
        extension: Extension { name, schema },
    }])
}

pub(super) fn drop_extension(
    reader: &Reader<'_>,
    drop: &DropExtension,
) -> Result<Vec<Change>, StatementError> {
    let mut changes = Vec::new();
    for name in &drop.names {
        let name = folded(name);
        match reader.model.extensions.get(&name) {
            Some(extension) => changes.push(Change::DropExtension {
                extension: extension.clone(),
            }),
            None if drop.if_exists => {}
            None => {
                return Err(StatementError::new(format!(
                    "extension {name} does not exist"
                )));
            }
        }
    }
    Ok(changes)
}

pub(super) fn create_type(
    reader: &Reader<'_>,
    name: &ObjectName,
    representation: Option<&UserDefinedTypeRepresentation>,
) -> Result<Vec<Change>, StatementError> {
    let Some(UserDefinedTypeRepresentation::Enum { labels }) = representation else {
        return Err(unsupported("CREATE TYPE other than AS ENUM"));
    };
    // An existing type is refused when the change is applied (see `table::create_table`).
    let name = reader.qualified(name)?;
    Ok(vec![Change::CreateEnum {
        schema: name.schema,
        value: Enum {
            name: name.name,
            values: labels.iter().map(|l| l.value.clone()).collect(),
            comment: None,
        },
    }])
}

fn find_enum<'m>(reader: &Reader<'m>, name: &QualifiedName) -> Option<&'m Enum> {
    reader
        .model
        .schemas
        .get(&name.schema)?
        .enums
        .get(&name.name)
}

pub(super) fn alter_type(
    reader: &Reader<'_>,
    alter: &AlterType,
) -> Result<Vec<Change>, StatementError> {
    let name = reader.qualified(&alter.name)?;
    let current = find_enum(reader, &name)
        .ok_or_else(|| StatementError::new(format!("type {name} does not exist")))?;
    let add = match &alter.operation {
        AlterTypeOperation::AddValue(add) => add,
        AlterTypeOperation::Rename(rename) => {
            return Ok(vec![Change::RenameEnum {
                schema: name.schema,
                from: current.name.clone(),
                to: folded(&rename.new_name),
            }]);
        }
        other => return Err(unsupported(&format!("ALTER TYPE … {other}"))),
    };
    let label = add.value.value.clone();
    if current.values.contains(&label) {
        return if add.if_not_exists {
            Ok(Vec::new())
        } else {
            Err(StatementError::new(format!(
                "enum {name} already has label {label}"
            )))
        };
    }
    let position = match &add.position {
        None => EnumPosition::Last,
        Some(AlterTypeAddValuePosition::Before(l)) => EnumPosition::Before(l.value.clone()),
        Some(AlterTypeAddValuePosition::After(l)) => EnumPosition::After(l.value.clone()),
    };
    Ok(vec![Change::AddEnumValue {
        schema: name.schema,
        name: name.name,
        label,
        position,
    }])
}

pub(super) fn create_index(
    reader: &Reader<'_>,
    create: &CreateIndex,
) -> Result<Vec<Change>, StatementError> {
    let table_name = reader.qualified(&create.table_name)?;
    let table = reader
        .model
        .table(&table_name)
        .ok_or_else(|| StatementError::new(format!("table {table_name} does not exist")))?;
    let method = create
        .using
        .as_ref()
        .map_or_else(|| "btree".to_string(), |m| m.to_string().to_lowercase());
    let mut keys = create
        .columns
        .iter()
        .map(index_key)
        .collect::<Result<Vec<_>, _>>()?;
    for key in keys.iter_mut().filter(|k| !k.expression) {
        let column_type = table.column(&key.target).map(|c| c.data_type.as_str());
        if let (Some(opclass), Some(column_type)) = (&key.opclass, column_type)
            && is_default_opclass(opclass, &method, column_type)
        {
            key.opclass = None;
        }
    }
    let include: Vec<String> = create.include.iter().map(folded).collect();
    let name = match &create.name {
        Some(name) => last_name(name)?,
        None => {
            let columns: Vec<String> = keys
                .iter()
                .map(|k| {
                    if k.expression {
                        index_key_name_part(&k.target)
                    } else {
                        k.target.clone()
                    }
                })
                .chain(include.iter().cloned())
                .collect();
            default_name(&table.name, &columns, ConstraintKind::Index)
        }
    };
    if index_exists(reader, &table_name.schema, &name) {
        return if create.if_not_exists {
            Ok(Vec::new())
        } else {
            Err(StatementError::new(format!(
                "index {name} already exists in schema {}",
                table_name.schema
            )))
        };
    }
    Ok(vec![Change::CreateIndex {
        table: table_name,
        index: Index {
            name,
            keys,
            unique: create.unique,
            method,
            predicate: create.predicate.clone().map(canonical_expression),
            include,
            nulls_not_distinct: create.nulls_distinct == Some(false),
        },
    }])
}

/// Whether `opclass` is the operator class an index of `method` uses by default for a column of
/// `column_type` (`text_ops` for a `text` column in a B-tree, `array_ops` for an array in a GIN
/// index): the server does not print it, so written out it must compare equal to its absence.
fn is_default_opclass(opclass: &str, method: &str, column_type: &str) -> bool {
    let opclass = opclass.rsplit('.').next().unwrap_or(opclass);
    if column_type.ends_with("[]") {
        return opclass == "array_ops" && matches!(method, "btree" | "hash" | "gin");
    }
    let base = column_type.split('(').next().unwrap_or(column_type).trim();
    let internal = match base {
        "integer" => "int4",
        "bigint" => "int8",
        "smallint" => "int2",
        "boolean" => "bool",
        "character varying" | "text" => "text",
        "character" => "bpchar",
        "double precision" => "float8",
        "real" => "float4",
        "timestamp with time zone" => "timestamptz",
        "timestamp without time zone" => "timestamp",
        "time with time zone" => "timetz",
        "time without time zone" => "time",
        "bit varying" => "varbit",
        "bit" | "bytea" | "date" | "interval" | "numeric" | "uuid" | "inet" | "macaddr"
        | "macaddr8" | "money" | "jsonb" | "tsvector" | "tsquery" | "oid" | "pg_lsn" => base,
        _ => return false,
    };
    match method {
        "btree" | "hash" => opclass == format!("{internal}_ops"),
        "gin" => matches!(internal, "jsonb" | "tsvector") && opclass == format!("{internal}_ops"),
        "gist" => {
            matches!(internal, "tsvector" | "tsquery") && opclass == format!("{internal}_ops")
        }
        "spgist" => matches!(internal, "text" | "inet") && opclass == format!("{internal}_ops"),
        "brin" => opclass == format!("{internal}_minmax_ops"),
        _ => false,
    }
}

fn index_exists(reader: &Reader<'_>, schema: &str, name: &str) -> bool {
    reader.model.schemas.get(schema).is_some_and(|s| {
        s.tables.values().any(|t| {
            t.indexes.iter().any(|i| i.name == name)
                || t.uniques.iter().any(|u| u.name == name)
                || t.primary_key.as_ref().is_some_and(|k| k.name == name)
        })
    })
}

/// `ALTER INDEX [IF EXISTS] name RENAME TO new`. The index of a primary key or unique
/// constraint is renamed with its constraint, as the server does.
pub(super) fn alter_index(
    reader: &Reader<'_>,
    name: &ObjectName,
    operation: &AlterIndexOperation,
    if_exists: bool,
) -> Result<Vec<Change>, StatementError> {
    let AlterIndexOperation::RenameIndex { index_name } = operation;
    let name = reader.qualified(name)?;
    let to = last_name(index_name)?;
    let tables = reader
        .model
        .schemas
        .get(&name.schema)
        .into_iter()
        .flat_map(|s| s.tables.values());
    for table in tables {
        let table_name = QualifiedName::new(&name.schema, &table.name);
        if table.indexes.iter().any(|i| i.name == name.name) {
            return Ok(vec![Change::RenameIndex {
                table: table_name,
                from: name.name,
                to,
            }]);
        }
        let backs_constraint = table.primary_key.iter().any(|k| k.name == name.name)
            || table.uniques.iter().any(|u| u.name == name.name);
        if backs_constraint {
            return Ok(vec![Change::RenameConstraint {
                table: table_name,
                from: name.name,
                to,
            }]);
        }
    }
    if if_exists {
        Ok(Vec::new())
    } else {
        Err(StatementError::new(format!("index {name} does not exist")))
    }
}

/// One index key: a plain column stays a column, anything else is a canonical expression.
fn index_key(key: &IndexColumn) -> Result<IndexKey, StatementError> {
    let (expr, collation) = match &key.column.expr {
        Expr::Collate { expr, collation } => (expr.as_ref(), Some(collation_name(collation)?)),
        expr => (expr, None),
    };
    let mut index_key = match expr {
        Expr::Identifier(ident) => IndexKey::column(folded(ident)),
        Expr::Nested(inner) if matches!(inner.as_ref(), Expr::Identifier(_)) => {
            IndexKey::column(canonical_expression(expr.clone()))
        }
        other => IndexKey {
            expression: true,
            ..IndexKey::column(canonical_expression(other.clone()))
        },
    };
    index_key.collation = collation;
    index_key.opclass = key
        .operator_class
        .as_ref()
        .map(|c| name_parts(c).map(|parts| parts.join(".")))
        .transpose()?;
    index_key.descending = match &key.column.options.sort {
        None | Some(OrderBySort::Asc) => false,
        Some(OrderBySort::Desc) => true,
        Some(OrderBySort::Using(_)) => return Err(unsupported("index key ordered USING")),
    };
    // NULLS FIRST is the default for DESC, NULLS LAST for ASC.
    index_key.nulls_first = key
        .column
        .options
        .nulls_first
        .filter(|&first| first != index_key.descending);
    Ok(index_key)
}

pub(super) fn create_view(
    reader: &Reader<'_>,
    create: &CreateView,
) -> Result<Vec<Change>, StatementError> {
    if !create.columns.is_empty() {
        return Err(unsupported("a column list on CREATE VIEW"));
    }
    let name = reader.qualified(&create.name)?;
    let mut query = (*create.query).clone();
    let columns_of = |table: &ObjectName| {
        let table = reader.qualified(table).ok()?;
        let table = reader.model.table(&table)?;
        Some(table.columns.iter().map(|c| c.name.clone()).collect())
    };
    expand_wildcards(&mut query, &columns_of);
    let view = View {
        name: name.name.clone(),
        definition: super::super::inspect::canonical_view(query),
        materialized: create.materialized,
        comment: None,
        mysql: None,
    };
    let current = reader
        .model
        .schemas
        .get(&name.schema)
        .and_then(|s| s.views.get(&name.name));
    match current {
        None => Ok(vec![Change::CreateView {
            schema: name.schema,
            view,
        }]),
        Some(_) if create.if_not_exists => Ok(Vec::new()),
        Some(from) if create.or_replace => Ok(vec![Change::ReplaceView {
            schema: name.schema,
            from: from.clone(),
            to: View {
                comment: from.comment.clone(),
                ..view
            },
        }]),
        // Refused when the change is applied (see `table::create_table`).
        Some(_) => Ok(vec![Change::CreateView {
            schema: name.schema,
            view,
        }]),
    }
}

pub(super) fn comment(
    reader: &Reader<'_>,
    object_type: CommentObject,
    object_name: &ObjectName,
    comment: Option<&str>,
) -> Result<Vec<Change>, StatementError> {
    let to = comment.map(str::to_string);
    match object_type {
        CommentObject::Table => {
            let table = reader.qualified(object_name)?;
            let current = reader
                .model
                .table(&table)
                .ok_or_else(|| StatementError::new(format!("table {table} does not exist")))?;
            Ok(vec![Change::SetTableComment {
                from: current.comment.clone(),
                to,
                table,
            }])
        }
        CommentObject::Column => {
            let mut parts = name_parts(object_name)?;
            let column = parts
                .pop()
                .ok_or_else(|| StatementError::new("COMMENT ON COLUMN needs table.column"))?;
            let table = match parts.as_slice() {
                [table] => QualifiedName::new(&reader.context.default_schema, table),
                [schema, table] => QualifiedName::new(schema, table),
                _ => {
                    return Err(StatementError::new(format!(
                        "COMMENT ON COLUMN needs [schema.]table.column, found {object_name}"
                    )));
                }
            };
            let current = reader
                .model
                .table(&table)
                .and_then(|t| t.column(&column))
                .ok_or_else(|| {
                    StatementError::new(format!("column {column} of {table} does not exist"))
                })?;
            Ok(vec![Change::SetColumnComment {
                from: current.comment.clone(),
                to,
                table,
                column,
            }])
        }
        CommentObject::Schema => {
            let name = last_name(object_name)?;
            let from = reader
                .model
                .schemas
                .get(&name)
                .ok_or_else(|| StatementError::new(format!("schema {name} does not exist")))?
                .comment
                .clone();
            Ok(vec![Change::SetComment {
                target: CommentTarget::Schema { name },
                from,
                to,
            }])
        }
        CommentObject::Type => {
            let name = reader.qualified(object_name)?;
            let from = find_enum(reader, &name)
                .ok_or_else(|| StatementError::new(format!("type {name} does not exist")))?
                .comment
                .clone();
            Ok(vec![Change::SetComment {
                target: CommentTarget::Type { name },
                from,
                to,
            }])
        }
        CommentObject::View | CommentObject::MaterializedView => {
            let name = reader.qualified(object_name)?;
            let materialized = object_type == CommentObject::MaterializedView;
            let kind = if materialized {
                "materialized view"
            } else {
                "view"
            };
            let from = reader
                .model
                .schemas
                .get(&name.schema)
                .and_then(|s| s.views.get(&name.name))
                .filter(|v| v.materialized == materialized)
                .ok_or_else(|| StatementError::new(format!("{kind} {name} does not exist")))?
                .comment
                .clone();
            Ok(vec![Change::SetComment {
                target: CommentTarget::View { name, materialized },
                from,
                to,
            }])
        }
        CommentObject::Domain => {
            let name = reader.qualified(object_name)?;
            let from = reader
                .model
                .schemas
                .get(&name.schema)
                .and_then(|s| s.domains.get(&name.name))
                .ok_or_else(|| StatementError::new(format!("domain {name} does not exist")))?;
            let to_domain = crate::model::Domain {
                comment: to,
                ..from.clone()
            };
            if to_domain == *from {
                return Ok(Vec::new());
            }
            Ok(vec![Change::AlterDomain {
                schema: name.schema,
                from: from.clone(),
                to: to_domain,
            }])
        }
        other => Err(unsupported(&format!(
            "COMMENT ON {other}: bfm has no change that carries it"
        ))),
    }
}

pub(super) fn drop(
    reader: &Reader<'_>,
    object_type: ObjectType,
    if_exists: bool,
    names: &[ObjectName],
) -> Result<Vec<Change>, StatementError> {
    let mut changes = Vec::new();
    for name in names {
        match drop_one(reader, object_type, name)? {
            Some(change) => changes.push(change),
            None if if_exists => {}
            None => {
                return Err(StatementError::new(format!(
                    "{object_type} {name} does not exist"
                )));
            }
        }
    }
    Ok(changes)
}

/// The change dropping one object, `None` when the model has no such object.
fn drop_one(
    reader: &Reader<'_>,
    object_type: ObjectType,
    name: &ObjectName,
) -> Result<Option<Change>, StatementError> {
    if object_type == ObjectType::Schema {
        let name = last_name(name)?;
        return Ok(reader
            .model
            .schemas
            .contains_key(&name)
            .then_some(Change::DropSchema { name }));
    }
    let name = reader.qualified(name)?;
    let Some(schema) = reader.model.schemas.get(&name.schema) else {
        return Ok(None);
    };
    let schema_name = name.schema.clone();
    let change = match object_type {
        ObjectType::Table => schema.tables.get(&name.name).map(|t| Change::DropTable {
            schema: schema_name,
            table: t.clone(),
        }),
        ObjectType::View | ObjectType::MaterializedView => schema
            .views
            .get(&name.name)
            .filter(|v| v.materialized == (object_type == ObjectType::MaterializedView))
            .map(|v| Change::DropView {
                schema: schema_name,
                view: v.clone(),
            }),
        ObjectType::Type => schema.enums.get(&name.name).map(|e| Change::DropEnum {
            schema: schema_name,
            value: e.clone(),
        }),
        ObjectType::Sequence => schema
            .sequences
            .get(&name.name)
            .map(|s| Change::DropSequence {
                schema: schema_name,
                sequence: s.clone(),
            }),
        ObjectType::Index => schema.tables.values().find_map(|t| {
            t.indexes
                .iter()
                .find(|i| i.name == name.name)
                .map(|i| Change::DropIndex {
                    table: QualifiedName::new(&name.schema, &t.name),
                    index: i.clone(),
                })
        }),
        other => return Err(unsupported(&format!("DROP {other}"))),
    };
    Ok(change)
}
