//! Applying a [`Change`] to a [`Model`]: how replay and SQL loading build models without a database.
//!
//! Each change does what PostgreSQL does with the same statement, including the knock-on effects
//! the server takes care of by itself: dropping a column drops the keys and indexes over it,
//! renaming a column or table updates whatever refers to it. Dependencies PostgreSQL would refuse
//! to break without `CASCADE` (a view over a dropped table, a type still in use) are not checked:
//! ordering such changes is the planner's job, and a model is only data.

use super::greptime::apply as greptime;
use super::keys::apply as keys;
use super::{
    Change, Column, CommentTarget, EnumPosition, Function, Model, QualifiedName, Schema, Table,
};
use thiserror::Error;

/// A change that does not fit the model it is applied to (the object is missing or already there).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{message}")]
pub struct ApplyError {
    pub message: String,
}

impl ApplyError {
    fn missing(what: impl std::fmt::Display) -> Self {
        ApplyError {
            message: format!("{what} does not exist"),
        }
    }

    fn exists(what: impl std::fmt::Display) -> Self {
        ApplyError {
            message: format!("{what} already exists"),
        }
    }
}

impl Change {
    /// Applies this change to `model`, as the database would. Errors when the change does not fit.
    ///
    /// Objects created in a schema the model does not hold yet create that schema: per-environment
    /// files never say `CREATE SCHEMA`, and SQL sources often leave it implicit.
    pub fn apply_to(&self, model: &mut Model) -> Result<(), ApplyError> {
        match self {
            Change::CreateSchema { name } => create_schema(model, name),
            Change::DropSchema { name } => drop_schema(model, name),
            Change::CreateExtension { extension } => {
                if model.extensions.contains_key(&extension.name) {
                    return Err(ApplyError::exists(format!("extension {}", extension.name)));
                }
                model
                    .extensions
                    .insert(extension.name.clone(), extension.clone());
                Ok(())
            }
            Change::DropExtension { extension } => model
                .extensions
                .remove(&extension.name)
                .map(drop)
                .ok_or_else(|| ApplyError::missing(format!("extension {}", extension.name))),
            Change::CreateEnum { schema, value } => {
                let enums = &mut model.schema_mut(schema).enums;
                insert_new(enums, &value.name, value.clone(), "type", schema)
            }
            Change::DropEnum { schema, value } => {
                remove_existing(model, schema, |s| &mut s.enums, &value.name, "type")
            }
            Change::AddEnumValue {
                schema,
                name,
                label,
                position,
            } => add_enum_value(model, schema, name, label, position),
            Change::RecreateEnum {
                schema, from, to, ..
            } => {
                remove_existing(model, schema, |s| &mut s.enums, &from.name, "type")?;
                let enums = &mut model.schema_mut(schema).enums;
                insert_new(enums, &to.name, to.clone(), "type", schema)
            }
            Change::RenameEnum { schema, from, to } => rename_enum(model, schema, from, to),
            Change::CreateSequence { schema, sequence } => {
                let sequences = &mut model.schema_mut(schema).sequences;
                insert_new(
                    sequences,
                    &sequence.name,
                    sequence.clone(),
                    "sequence",
                    schema,
                )
            }
            Change::DropSequence { schema, sequence } => remove_existing(
                model,
                schema,
                |s| &mut s.sequences,
                &sequence.name,
                "sequence",
            ),
            Change::AlterSequence { schema, from, to } => {
                remove_existing(model, schema, |s| &mut s.sequences, &from.name, "sequence")?;
                let sequences = &mut model.schema_mut(schema).sequences;
                insert_new(sequences, &to.name, to.clone(), "sequence", schema)
            }
            Change::CreateEvent { schema, event } => {
                let events = &mut model.schema_mut(schema).events;
                insert_new(events, &event.name, event.clone(), "event", schema)
            }
            Change::DropEvent { schema, event } => {
                remove_existing(model, schema, |s| &mut s.events, &event.name, "event")
            }
            Change::AlterEvent { schema, from, to } => {
                remove_existing(model, schema, |s| &mut s.events, &from.name, "event")?;
                let events = &mut model.schema_mut(schema).events;
                insert_new(events, &to.name, to.clone(), "event", schema)
            }
            Change::CreateDomain { schema, domain } => {
                let mut domain = domain.clone();
                domain.sort_checks();
                let domains = &mut model.schema_mut(schema).domains;
                insert_new(domains, &domain.name.clone(), domain, "domain", schema)
            }
            Change::DropDomain { schema, domain } => {
                remove_existing(model, schema, |s| &mut s.domains, &domain.name, "domain")
            }
            Change::AlterDomain { schema, from, to } => {
                remove_existing(model, schema, |s| &mut s.domains, &from.name, "domain")?;
                let mut domain = to.clone();
                domain.sort_checks();
                let domains = &mut model.schema_mut(schema).domains;
                insert_new(domains, &domain.name.clone(), domain, "domain", schema)
            }
            Change::CreateTable { schema, table } => {
                let mut table = table.clone();
                table.sort_constraints();
                let tables = &mut model.schema_mut(schema).tables;
                insert_new(tables, &table.name.clone(), table, "table", schema)
            }
            Change::DropTable { schema, table } => {
                remove_existing(model, schema, |s| &mut s.tables, &table.name, "table")?;
                // The server drops a table's triggers with it.
                if let Some(s) = model.schemas.get_mut(schema) {
                    s.triggers.remove(&table.name);
                }
                Ok(())
            }
            Change::RenameTable { schema, from, to } => rename_table(model, schema, from, to),
            Change::AddColumn { table, column } => {
                let target = table_mut(model, table)?;
                if target.column(&column.name).is_some() {
                    return Err(ApplyError::exists(format!(
                        "column {table}.{}",
                        column.name
                    )));
                }
                target.columns.push(column.clone());
                Ok(())
            }
            Change::DropColumn { table, column } => drop_column(model, table, &column.name),
            Change::AddColumnAt {
                table,
                column,
                position,
                tag,
            } => greptime::add_column(model, table, column, position, *tag),
            Change::DropColumnAt { table, column, .. } => {
                greptime::drop_column(model, table, &column.name)
            }
            Change::SetTableOptions { table, to, .. } => {
                greptime::set_table_options(model, table, to)
            }
            Change::SetPartitioning { table, to, .. } => {
                let target = table_mut(model, table)?;
                target
                    .mysql
                    .get_or_insert_with(Default::default)
                    .partitioning = to.clone();
                Ok(())
            }
            Change::SetColumnIndexes {
                table, column, to, ..
            } => greptime::set_column_indexes(model, table, column, to),
            Change::SetDatabaseOptions { schema, to, .. } => {
                greptime::set_database_options(model, schema, to)
            }
            Change::RecreateTable {
                schema, from, to, ..
            } => greptime::recreate_table(model, schema, from, to),
            Change::PutKey {
                schema,
                table,
                key,
                value,
                previous,
            } => keys::put_key(model, (schema, table, key), value, previous.as_ref()),
            Change::DeleteKey {
                schema,
                table,
                key,
                previous,
            } => keys::delete_key(model, (schema, table, key), previous),
            Change::RenameColumn { table, from, to } => rename_column(model, table, from, to),
            Change::AlterColumn { table, from, to } => alter_column(model, table, from, to),
            Change::RenameConstraint { table, from, to } => {
                rename_constraint(table_mut(model, table)?, table, from, to)
            }
            Change::RenameIndex { table, from, to } => {
                let target = table_mut(model, table)?;
                if target.indexes.iter().any(|i| i.name == *to) {
                    return Err(ApplyError::exists(format!("index {to} on {table}")));
                }
                let index = target
                    .indexes
                    .iter_mut()
                    .find(|i| i.name == *from)
                    .ok_or_else(|| ApplyError::missing(format!("index {from} on {table}")))?;
                index.name = to.clone();
                target.sort_constraints();
                Ok(())
            }
            Change::AddPrimaryKey { table, key } => {
                let target = table_mut(model, table)?;
                if let Some(existing) = &target.primary_key {
                    return Err(ApplyError::exists(format!(
                        "primary key {} on {table}",
                        existing.name
                    )));
                }
                for name in &key.columns {
                    column_mut(target, table, name)?.nullable = false;
                }
                target.primary_key = Some(key.clone());
                Ok(())
            }
            Change::DropPrimaryKey { table, key } => {
                let target = table_mut(model, table)?;
                match &target.primary_key {
                    Some(existing) if existing.name == key.name => {
                        target.primary_key = None;
                        Ok(())
                    }
                    _ => Err(ApplyError::missing(format!(
                        "primary key {} on {table}",
                        key.name
                    ))),
                }
            }
            Change::AddUnique { table, unique } => {
                let target = table_mut(model, table)?;
                add_named(
                    &mut target.uniques,
                    unique.clone(),
                    |u| &u.name,
                    table,
                    "unique",
                )
            }
            Change::DropUnique { table, unique } => {
                let target = table_mut(model, table)?;
                drop_named(
                    &mut target.uniques,
                    &unique.name,
                    |u| &u.name,
                    table,
                    "unique",
                )
            }
            Change::AddCheck { table, check } => {
                let target = table_mut(model, table)?;
                add_named(
                    &mut target.checks,
                    check.clone(),
                    |c| &c.name,
                    table,
                    "check",
                )
            }
            Change::DropCheck { table, check } => {
                let target = table_mut(model, table)?;
                drop_named(&mut target.checks, &check.name, |c| &c.name, table, "check")
            }
            Change::AddForeignKey { table, foreign_key } => {
                let target = table_mut(model, table)?;
                add_named(
                    &mut target.foreign_keys,
                    foreign_key.clone(),
                    |f| &f.name,
                    table,
                    "foreign key",
                )
            }
            Change::DropForeignKey { table, foreign_key } => {
                let target = table_mut(model, table)?;
                drop_named(
                    &mut target.foreign_keys,
                    &foreign_key.name,
                    |f| &f.name,
                    table,
                    "foreign key",
                )
            }
            Change::CreateIndex { table, index } => {
                let target = table_mut(model, table)?;
                add_named(
                    &mut target.indexes,
                    index.clone(),
                    |i| &i.name,
                    table,
                    "index",
                )
            }
            Change::DropIndex { table, index } => {
                let target = table_mut(model, table)?;
                drop_named(
                    &mut target.indexes,
                    &index.name,
                    |i| &i.name,
                    table,
                    "index",
                )
            }
            Change::SetTableComment { table, to, .. } => {
                table_mut(model, table)?.comment = to.clone();
                Ok(())
            }
            Change::SetColumnComment {
                table, column, to, ..
            } => {
                let target = table_mut(model, table)?;
                column_mut(target, table, column)?.comment = to.clone();
                Ok(())
            }
            Change::SetComment { target, to, .. } => set_comment(model, target, to.clone()),
            Change::CreateView { schema, view } => {
                let views = &mut model.schema_mut(schema).views;
                insert_new(views, &view.name, view.clone(), "view", schema)
            }
            Change::DropView { schema, view } => {
                remove_existing(model, schema, |s| &mut s.views, &view.name, "view")
            }
            Change::ReplaceView { schema, from, to } => {
                remove_existing(model, schema, |s| &mut s.views, &from.name, "view")?;
                let views = &mut model.schema_mut(schema).views;
                insert_new(views, &to.name, to.clone(), "view", schema)
            }
            Change::CreateFunction { schema, function } => {
                let functions = &mut model.schema_mut(schema).functions;
                let kind = routine_kind(function);
                insert_new(
                    functions,
                    &function.signature(),
                    function.clone(),
                    kind,
                    schema,
                )
            }
            Change::DropFunction { schema, function } => {
                let kind = routine_kind(function);
                let signature = function.signature();
                remove_existing(model, schema, |s| &mut s.functions, &signature, kind)
            }
            Change::ReplaceFunction { schema, from, to } => {
                let kind = routine_kind(from);
                let signature = from.signature();
                remove_existing(model, schema, |s| &mut s.functions, &signature, kind)?;
                let functions = &mut model.schema_mut(schema).functions;
                insert_new(functions, &to.signature(), to.clone(), kind, schema)
            }
            Change::CreateTrigger { table, trigger } => {
                let is_view = model
                    .schemas
                    .get(&table.schema)
                    .is_some_and(|s| s.views.contains_key(&table.name));
                if !is_view {
                    table_mut(model, table)?;
                }
                let triggers = model
                    .schema_mut(&table.schema)
                    .triggers
                    .entry(table.name.clone())
                    .or_default();
                if triggers.contains_key(&trigger.name) {
                    return Err(ApplyError::exists(format!(
                        "trigger {} on {table}",
                        trigger.name
                    )));
                }
                triggers.insert(trigger.name.clone(), trigger.clone());
                Ok(())
            }
            Change::DropTrigger { table, trigger } => {
                let schema = model.schemas.get_mut(&table.schema);
                let triggers = schema.and_then(|s| s.triggers.get_mut(&table.name));
                let Some(triggers) = triggers.filter(|t| t.contains_key(&trigger.name)) else {
                    return Err(ApplyError::missing(format!(
                        "trigger {} on {table}",
                        trigger.name
                    )));
                };
                triggers.remove(&trigger.name);
                if triggers.is_empty()
                    && let Some(s) = model.schemas.get_mut(&table.schema)
                {
                    s.triggers.remove(&table.name);
                }
                Ok(())
            }
        }
    }
}

fn routine_kind(function: &Function) -> &'static str {
    if function.procedure {
        "procedure"
    } else {
        "function"
    }
}

fn create_schema(model: &mut Model, name: &str) -> Result<(), ApplyError> {
    if model.schemas.contains_key(name) {
        return Err(ApplyError::exists(format!("schema {name}")));
    }
    model.schema_mut(name);
    Ok(())
}

/// `DROP SCHEMA` without `CASCADE`: only an empty schema goes.
fn drop_schema(model: &mut Model, name: &str) -> Result<(), ApplyError> {
    let schema = model
        .schemas
        .get(name)
        .ok_or_else(|| ApplyError::missing(format!("schema {name}")))?;
    let empty = schema.tables.is_empty()
        && schema.enums.is_empty()
        && schema.views.is_empty()
        && schema.sequences.is_empty();
    if !empty {
        return Err(ApplyError {
            message: format!("schema {name} is not empty"),
        });
    }
    model.schemas.remove(name);
    Ok(())
}

fn insert_new<T>(
    map: &mut std::collections::BTreeMap<String, T>,
    name: &str,
    value: T,
    kind: &str,
    schema: &str,
) -> Result<(), ApplyError> {
    if map.contains_key(name) {
        return Err(ApplyError::exists(format!(
            "{kind} {}",
            QualifiedName::new(schema, name)
        )));
    }
    map.insert(name.to_string(), value);
    Ok(())
}

fn remove_existing<T>(
    model: &mut Model,
    schema: &str,
    collection: impl FnOnce(&mut Schema) -> &mut std::collections::BTreeMap<String, T>,
    name: &str,
    kind: &str,
) -> Result<(), ApplyError> {
    let removed = model
        .schemas
        .get_mut(schema)
        .and_then(|s| collection(s).remove(name));
    match removed {
        Some(_) => Ok(()),
        None => Err(ApplyError::missing(format!(
            "{kind} {}",
            QualifiedName::new(schema, name)
        ))),
    }
}

fn table_mut<'m>(model: &'m mut Model, name: &QualifiedName) -> Result<&'m mut Table, ApplyError> {
    model
        .table_mut(name)
        .ok_or_else(|| ApplyError::missing(format!("table {name}")))
}

fn column_mut<'t>(
    table: &'t mut Table,
    table_name: &QualifiedName,
    column: &str,
) -> Result<&'t mut Column, ApplyError> {
    table
        .column_mut(column)
        .ok_or_else(|| ApplyError::missing(format!("column {table_name}.{column}")))
}

fn add_named<T>(
    items: &mut Vec<T>,
    item: T,
    name_of: impl Fn(&T) -> &String,
    table: &QualifiedName,
    kind: &str,
) -> Result<(), ApplyError> {
    let name = name_of(&item).clone();
    if items.iter().any(|existing| *name_of(existing) == name) {
        return Err(ApplyError::exists(format!("{kind} {name} on {table}")));
    }
    let at = items.partition_point(|existing| *name_of(existing) < name);
    items.insert(at, item);
    Ok(())
}

fn drop_named<T>(
    items: &mut Vec<T>,
    name: &str,
    name_of: impl Fn(&T) -> &String,
    table: &QualifiedName,
    kind: &str,
) -> Result<(), ApplyError> {
    let at = items
        .iter()
        .position(|existing| name_of(existing) == name)
        .ok_or_else(|| ApplyError::missing(format!("{kind} {name} on {table}")))?;
    items.remove(at);
    Ok(())
}

fn add_enum_value(
    model: &mut Model,
    schema: &str,
    name: &str,
    label: &str,
    position: &EnumPosition,
) -> Result<(), ApplyError> {
    let qualified = QualifiedName::new(schema, name);
    let value = model
        .schemas
        .get_mut(schema)
        .and_then(|s| s.enums.get_mut(name))
        .ok_or_else(|| ApplyError::missing(format!("type {qualified}")))?;
    if value.values.iter().any(|v| v == label) {
        return Err(ApplyError::exists(format!(
            "label '{label}' of type {qualified}"
        )));
    }
    let anchor = |anchor: &str| {
        value
            .values
            .iter()
            .position(|v| v == anchor)
            .ok_or_else(|| ApplyError::missing(format!("label '{anchor}' of type {qualified}")))
    };
    let at = match position {
        EnumPosition::Last => value.values.len(),
        EnumPosition::Before(other) => anchor(other)?,
        EnumPosition::After(other) => anchor(other)? + 1,
    };
    value.values.insert(at, label.to_string());
    Ok(())
}

/// Renames a table and every foreign key (in any table) and owned sequence that refers to it.
fn rename_table(model: &mut Model, schema: &str, from: &str, to: &str) -> Result<(), ApplyError> {
    let tables = &mut model
        .schemas
        .get_mut(schema)
        .ok_or_else(|| ApplyError::missing(format!("table {}", QualifiedName::new(schema, from))))?
        .tables;
    if tables.contains_key(to) {
        return Err(ApplyError::exists(format!(
            "table {}",
            QualifiedName::new(schema, to)
        )));
    }
    let mut table = tables.remove(from).ok_or_else(|| {
        ApplyError::missing(format!("table {}", QualifiedName::new(schema, from)))
    })?;
    table.name = to.to_string();
    tables.insert(to.to_string(), table);
    for table in model
        .schemas
        .values_mut()
        .flat_map(|s| s.tables.values_mut())
    {
        for key in &mut table.foreign_keys {
            if key.ref_schema == schema && key.ref_table == from {
                key.ref_table = to.to_string();
            }
        }
    }
    if let Some(schema) = model.schemas.get_mut(schema) {
        for sequence in schema.sequences.values_mut() {
            if let Some(owner) = &sequence.owned_by
                && let Some((owner_table, column)) = owner.split_once('.')
                && owner_table == from
            {
                sequence.owned_by = Some(format!("{to}.{column}"));
            }
        }
        // Triggers follow their table.
        if let Some(triggers) = schema.triggers.remove(from) {
            schema.triggers.insert(to.to_string(), triggers);
        }
    }
    Ok(())
}

/// Renames an enum; columns typed with it (or arrays of it) follow, as the server tracks
/// types by identity.
fn rename_enum(model: &mut Model, schema: &str, from: &str, to: &str) -> Result<(), ApplyError> {
    let enums = &mut model
        .schemas
        .get_mut(schema)
        .ok_or_else(|| ApplyError::missing(format!("type {}", QualifiedName::new(schema, from))))?
        .enums;
    if enums.contains_key(to) {
        return Err(ApplyError::exists(format!(
            "type {}",
            QualifiedName::new(schema, to)
        )));
    }
    let mut value = enums
        .remove(from)
        .ok_or_else(|| ApplyError::missing(format!("type {}", QualifiedName::new(schema, from))))?;
    value.name = to.to_string();
    enums.insert(to.to_string(), value);
    let (qualified_from, qualified_to) = (format!("{schema}.{from}"), format!("{schema}.{to}"));
    for (table_schema, table) in model
        .schemas
        .iter_mut()
        .flat_map(|(name, s)| s.tables.values_mut().map(move |t| (name.as_str(), t)))
    {
        for column in &mut table.columns {
            let base = column.data_type.trim_end_matches("[]");
            let suffix = &column.data_type[base.len()..];
            let renamed = if base == qualified_from {
                Some(format!("{qualified_to}{suffix}"))
            } else if base == from && table_schema == schema {
                Some(format!("{to}{suffix}"))
            } else {
                None
            };
            if let Some(renamed) = renamed {
                column.data_type = renamed;
            }
        }
    }
    Ok(())
}

/// Renames whichever constraint of the table carries the name `from`.
fn rename_constraint(
    table: &mut Table,
    name: &QualifiedName,
    from: &str,
    to: &str,
) -> Result<(), ApplyError> {
    let names = table
        .primary_key
        .iter()
        .map(|k| &k.name)
        .chain(table.uniques.iter().map(|u| &u.name))
        .chain(table.checks.iter().map(|c| &c.name))
        .chain(table.foreign_keys.iter().map(|f| &f.name));
    if names.clone().any(|n| n == to) {
        return Err(ApplyError::exists(format!("constraint {to} on {name}")));
    }
    let slot = table
        .primary_key
        .iter_mut()
        .map(|k| &mut k.name)
        .chain(table.uniques.iter_mut().map(|u| &mut u.name))
        .chain(table.checks.iter_mut().map(|c| &mut c.name))
        .chain(table.foreign_keys.iter_mut().map(|f| &mut f.name))
        .find(|n| n.as_str() == from)
        .ok_or_else(|| ApplyError::missing(format!("constraint {from} on {name}")))?;
    *slot = to.to_string();
    table.sort_constraints();
    Ok(())
}

fn set_comment(
    model: &mut Model,
    target: &CommentTarget,
    comment: Option<String>,
) -> Result<(), ApplyError> {
    let slot = match target {
        CommentTarget::Schema { name } => model
            .schemas
            .get_mut(name)
            .map(|s| &mut s.comment)
            .ok_or_else(|| ApplyError::missing(format!("schema {name}")))?,
        CommentTarget::Type { name } => model
            .schemas
            .get_mut(&name.schema)
            .and_then(|s| s.enums.get_mut(&name.name))
            .map(|e| &mut e.comment)
            .ok_or_else(|| ApplyError::missing(format!("type {name}")))?,
        CommentTarget::View { name, .. } => model
            .schemas
            .get_mut(&name.schema)
            .and_then(|s| s.views.get_mut(&name.name))
            .map(|v| &mut v.comment)
            .ok_or_else(|| ApplyError::missing(format!("view {name}")))?,
        CommentTarget::Function { name, .. } => model
            .schemas
            .get_mut(&name.schema)
            .and_then(|s| s.functions.get_mut(&name.name))
            .map(|f| &mut f.comment)
            .ok_or_else(|| ApplyError::missing(format!("function {name}")))?,
        CommentTarget::Trigger { table, name } => model
            .schemas
            .get_mut(&table.schema)
            .and_then(|s| s.triggers.get_mut(&table.name))
            .and_then(|t| t.get_mut(name))
            .map(|t| &mut t.comment)
            .ok_or_else(|| ApplyError::missing(format!("trigger {name} on {table}")))?,
    };
    *slot = comment;
    Ok(())
}

/// Drops a column and, as PostgreSQL does, the keys, checks and indexes of the table that use it.
fn drop_column(model: &mut Model, table: &QualifiedName, column: &str) -> Result<(), ApplyError> {
    let target = table_mut(model, table)?;
    let at = target
        .columns
        .iter()
        .position(|c| c.name == column)
        .ok_or_else(|| ApplyError::missing(format!("column {table}.{column}")))?;
    target.columns.remove(at);
    let uses = |columns: &[String]| columns.iter().any(|c| c == column);
    if target
        .primary_key
        .as_ref()
        .is_some_and(|key| uses(&key.columns))
    {
        target.primary_key = None;
    }
    target.uniques.retain(|u| !uses(&u.columns));
    target.foreign_keys.retain(|f| !uses(&f.columns));
    target
        .checks
        .retain(|c| !identifiers::mentions(&c.expression, column));
    target.indexes.retain(|index| {
        let key_uses = index.keys.iter().any(|key| {
            if key.expression {
                identifiers::mentions(&key.target, column)
            } else {
                key.target == column
            }
        });
        let predicate_uses = index
            .predicate
            .as_deref()
            .is_some_and(|p| identifiers::mentions(p, column));
        !(key_uses || predicate_uses || uses(&index.include))
    });
    Ok(())
}

/// Renames a column and every reference to it: the table's keys, checks and indexes, foreign keys
/// (in any table) that point at it, and a sequence owned by it.
fn rename_column(
    model: &mut Model,
    table: &QualifiedName,
    from: &str,
    to: &str,
) -> Result<(), ApplyError> {
    let target = table_mut(model, table)?;
    if target.column(to).is_some() {
        return Err(ApplyError::exists(format!("column {table}.{to}")));
    }
    column_mut(target, table, from)?.name = to.to_string();
    let rename = |columns: &mut Vec<String>| {
        for column in columns.iter_mut().filter(|c| *c == from) {
            *column = to.to_string();
        }
    };
    if let Some(key) = &mut target.primary_key {
        rename(&mut key.columns);
    }
    for unique in &mut target.uniques {
        rename(&mut unique.columns);
    }
    for key in &mut target.foreign_keys {
        rename(&mut key.columns);
    }
    for check in &mut target.checks {
        check.expression = identifiers::rename(&check.expression, from, to);
    }
    for index in &mut target.indexes {
        for key in &mut index.keys {
            if key.expression {
                key.target = identifiers::rename(&key.target, from, to);
            } else if key.target == from {
                key.target = to.to_string();
            }
        }
        rename(&mut index.include);
        if let Some(predicate) = &mut index.predicate {
            *predicate = identifiers::rename(predicate, from, to);
        }
    }
    for other in model
        .schemas
        .values_mut()
        .flat_map(|s| s.tables.values_mut())
    {
        for key in &mut other.foreign_keys {
            if key.ref_schema == table.schema && key.ref_table == table.name {
                rename(&mut key.ref_columns);
            }
        }
    }
    if let Some(schema) = model.schemas.get_mut(&table.schema) {
        let owner = format!("{}.{from}", table.name);
        for sequence in schema.sequences.values_mut() {
            if sequence.owned_by.as_deref() == Some(owner.as_str()) {
                sequence.owned_by = Some(format!("{}.{to}", table.name));
            }
        }
    }
    Ok(())
}

/// Replaces a column's attributes in place; its comment stays (comments are their own change).
fn alter_column(
    model: &mut Model,
    table: &QualifiedName,
    from: &Column,
    to: &Column,
) -> Result<(), ApplyError> {
    let target = table_mut(model, table)?;
    let column = column_mut(target, table, &from.name)?;
    let comment = column.comment.take();
    *column = Column {
        comment,
        ..to.clone()
    };
    Ok(())
}

/// Identifier scanning over canonical SQL expressions: enough to tell whether an expression
/// mentions a column and to rename one, while leaving string literals alone.
mod identifiers {
    use std::ops::Range;

    /// One identifier token: where it is, and the name it denotes (unquoted ones fold to lower case).
    struct Identifier {
        span: Range<usize>,
        name: String,
    }

    fn scan(sql: &str) -> Vec<Identifier> {
        let bytes = sql.as_bytes();
        let mut found = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\'' => i = skip_quoted(bytes, i, b'\''),
                b'"' => {
                    let end = skip_quoted(bytes, i, b'"');
                    let closed = end > i + 1 && bytes[end - 1] == b'"';
                    let inner = &sql[i + 1..if closed { end - 1 } else { end }];
                    found.push(Identifier {
                        span: i..end,
                        name: inner.replace("\"\"", "\""),
                    });
                    i = end;
                }
                b if b.is_ascii_alphabetic() || b == b'_' || b >= 0x80 => {
                    let start = i;
                    while i < bytes.len()
                        && (bytes[i].is_ascii_alphanumeric()
                            || bytes[i] == b'_'
                            || bytes[i] == b'$'
                            || bytes[i] >= 0x80)
                    {
                        i += 1;
                    }
                    found.push(Identifier {
                        span: start..i,
                        name: sql[start..i].to_lowercase(),
                    });
                }
                b if b.is_ascii_digit() => {
                    while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'.')
                    {
                        i += 1;
                    }
                }
                _ => i += 1,
            }
        }
        found
    }

    /// The index just past the closing quote (a doubled quote is an escaped one).
    fn skip_quoted(bytes: &[u8], start: usize, quote: u8) -> usize {
        let mut i = start + 1;
        while i < bytes.len() {
            if bytes[i] == quote {
                if bytes.get(i + 1) == Some(&quote) {
                    i += 2;
                    continue;
                }
                return i + 1;
            }
            i += 1;
        }
        bytes.len()
    }

    /// Whether `sql` mentions the identifier `name` (as stored: case-sensitive).
    pub(super) fn mentions(sql: &str, name: &str) -> bool {
        scan(sql).iter().any(|ident| ident.name == name)
    }

    /// `sql` with every mention of identifier `from` replaced by `to`, quoted when it must be.
    pub(super) fn rename(sql: &str, from: &str, to: &str) -> String {
        let mut out = String::with_capacity(sql.len());
        let mut last = 0;
        for ident in scan(sql).into_iter().filter(|ident| ident.name == from) {
            out.push_str(&sql[last..ident.span.start]);
            out.push_str(&quote(to));
            last = ident.span.end;
        }
        out.push_str(&sql[last..]);
        out
    }

    /// An identifier as SQL: bare when it reads back as itself, double-quoted otherwise.
    pub(super) fn quote(name: &str) -> String {
        let mut chars = name.chars();
        let bare = chars
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
            && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if bare {
            name.to_string()
        } else {
            format!("\"{}\"", name.replace('"', "\"\""))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::identifiers;
    use crate::diff::tests::{column, fixture, table, view};
    use crate::model::{
        Change, Check, ColumnRef, Enum, EnumPosition, Extension, Index, IndexKey, Model,
        PrimaryKey, QualifiedName, Sequence, Table, Unique,
    };

    fn users() -> QualifiedName {
        QualifiedName::new("core", "users")
    }

    fn applied(model: &Model, change: &Change) -> Model {
        let mut model = model.clone();
        change
            .apply_to(&mut model)
            .unwrap_or_else(|e| panic!("{}: {e}", change.describe()));
        model
    }

    fn error_of(model: &Model, change: &Change) -> String {
        let mut model = model.clone();
        match change.apply_to(&mut model) {
            Ok(()) => panic!("{} should not apply", change.describe()),
            Err(error) => error.message,
        }
    }

    #[test]
    fn errors_name_the_object_missing_or_already_there() {
        let model = fixture();
        let create = Change::CreateTable {
            schema: "core".to_string(),
            table: Table {
                name: "users".to_string(),
                ..Table::default()
            },
        };
        assert_eq!(error_of(&model, &create), "table core.users already exists");
        let drop = Change::DropColumn {
            table: users(),
            column: column("nickname", "text", true),
        };
        assert_eq!(
            error_of(&model, &drop),
            "column core.users.nickname does not exist"
        );
        let drop_index = Change::DropIndex {
            table: QualifiedName::new("core", "ghosts"),
            index: Index {
                name: "x".to_string(),
                keys: Vec::new(),
                unique: false,
                method: "btree".to_string(),
                predicate: None,
                include: Vec::new(),
                nulls_not_distinct: false,
            },
        };
        assert_eq!(
            error_of(&model, &drop_index),
            "table core.ghosts does not exist"
        );
        let schema = Change::DropSchema {
            name: "core".to_string(),
        };
        assert_eq!(error_of(&model, &schema), "schema core is not empty");
    }

    #[test]
    fn dropping_a_column_drops_the_keys_checks_and_indexes_over_it() {
        let mut model = fixture();
        table(&mut model, "users").uniques.push(Unique {
            name: "users_org_id_email_key".to_string(),
            columns: vec!["org_id".to_string(), "email".to_string()],
            nulls_not_distinct: false,
            deferrable: false,
            initially_deferred: false,
        });
        let drop = Change::DropColumn {
            table: users(),
            column: column("email", "character varying(255)", false),
        };
        let mut after = applied(&model, &drop);
        let users = table(&mut after, "users");
        assert!(users.column("email").is_none());
        assert!(users.uniques.is_empty());
        assert!(users.checks.is_empty());
        assert!(users.indexes.is_empty());
        assert_eq!(users.foreign_keys.len(), 1);
        assert!(users.primary_key.is_some());
    }

    #[test]
    fn renaming_a_column_updates_what_refers_to_it() {
        let model = fixture();
        let rename = Change::RenameColumn {
            table: QualifiedName::new("core", "organizations"),
            from: "id".to_string(),
            to: "org_id".to_string(),
        };
        let mut after = applied(&model, &rename);
        let key = table(&mut after, "organizations").primary_key.clone();
        assert_eq!(key.map(|k| k.columns), Some(vec!["org_id".to_string()]));
        assert_eq!(
            table(&mut after, "users").foreign_keys[0].ref_columns,
            ["org_id"]
        );

        let rename = Change::RenameColumn {
            table: users(),
            from: "email".to_string(),
            to: "Mail".to_string(),
        };
        let mut after = applied(&model, &rename);
        let users = table(&mut after, "users");
        assert_eq!(users.checks[0].expression, "\"Mail\" <> ''");
        assert_eq!(users.indexes[0].keys[0].target, "lower(\"Mail\")");
    }

    #[test]
    fn renaming_a_table_updates_foreign_keys_and_owned_sequences() {
        let mut model = fixture();
        if let Some(sequence) = model
            .schema_mut("core")
            .sequences
            .get_mut("invoice_numbers")
        {
            sequence.owned_by = Some("organizations.id".to_string());
        }
        let rename = Change::RenameTable {
            schema: "core".to_string(),
            from: "organizations".to_string(),
            to: "tenants".to_string(),
        };
        let mut after = applied(&model, &rename);
        assert_eq!(
            table(&mut after, "users").foreign_keys[0].ref_table,
            "tenants"
        );
        assert_eq!(table(&mut after, "tenants").name, "tenants");
        let owner = &after.schema_mut("core").sequences["invoice_numbers"].owned_by;
        assert_eq!(owner.as_deref(), Some("tenants.id"));
    }

    #[test]
    fn adding_a_primary_key_makes_its_columns_not_null() {
        let mut model = fixture();
        table(&mut model, "organizations").primary_key = None;
        let add = Change::AddPrimaryKey {
            table: QualifiedName::new("core", "organizations"),
            key: PrimaryKey {
                name: "organizations_pkey".to_string(),
                columns: vec!["name".to_string()],
            },
        };
        let mut after = applied(&model, &add);
        let name = table(&mut after, "organizations").column("name").cloned();
        assert_eq!(name.map(|c| c.nullable), Some(false));
    }

    #[test]
    fn enum_labels_go_where_the_position_says() {
        let model = fixture();
        let add = |label: &str, position: EnumPosition| Change::AddEnumValue {
            schema: "core".to_string(),
            name: "user_role".to_string(),
            label: label.to_string(),
            position,
        };
        let mut after = model.clone();
        for change in [
            add("owner", EnumPosition::Before("admin".to_string())),
            add("guest", EnumPosition::After("admin".to_string())),
            add("viewer", EnumPosition::Last),
        ] {
            after = applied(&after, &change);
        }
        let values = &after.schema_mut("core").enums["user_role"].values;
        assert_eq!(values, &["owner", "admin", "guest", "member", "viewer"]);
        assert_eq!(
            error_of(&model, &add("admin", EnumPosition::Last)),
            "label 'admin' of type core.user_role already exists"
        );
        assert_eq!(
            error_of(&model, &add("x", EnumPosition::Before("nope".to_string()))),
            "label 'nope' of type core.user_role does not exist"
        );
    }

    #[test]
    fn altering_a_column_keeps_its_comment() {
        let model = fixture();
        let organizations = QualifiedName::new("core", "organizations");
        let from = model
            .table(&organizations)
            .and_then(|t| t.column("name"))
            .cloned();
        let from = from.unwrap_or_default();
        let alter = Change::AlterColumn {
            table: organizations,
            from: from.clone(),
            to: column("name", "character varying(100)", true),
        };
        let mut after = applied(&model, &alter);
        let name = table(&mut after, "organizations").column("name").cloned();
        assert_eq!(
            name.as_ref().map(|c| c.data_type.as_str()),
            Some("character varying(100)")
        );
        assert_eq!(name.and_then(|c| c.comment), from.comment);
    }

    #[test]
    fn added_constraints_stay_sorted_by_name() {
        let model = fixture();
        let check = |name: &str| Change::AddCheck {
            table: users(),
            check: Check {
                name: name.to_string(),
                expression: "true".to_string(),
                no_inherit: false,
            },
        };
        let after = applied(
            &applied(&model, &check("users_a_check")),
            &check("users_z_check"),
        );
        let names: Vec<String> = after
            .table(&users())
            .map(|t| t.checks.iter().map(|c| c.name.clone()).collect())
            .unwrap_or_default();
        assert_eq!(
            names,
            ["users_a_check", "users_email_check", "users_z_check"]
        );
    }

    /// One change of every kind that fits the fixture. The dropped column is the last one, and
    /// the dropped constraints are not over it, so that each inverse restores the model exactly.
    fn one_of_each(model: &Model) -> Vec<Change> {
        let users_table = model.table(&users()).cloned().unwrap_or_default();
        let email = users_table.column("email").cloned().unwrap_or_default();
        let role = Enum {
            name: "user_role".to_string(),
            values: vec!["admin".to_string(), "member".to_string()],
            comment: None,
        };
        let sequence = model.schemas["core"].sequences["invoice_numbers"].clone();
        let active = model.schemas["core"].views["active_users"].clone();
        let extension = Extension {
            name: "pgcrypto".to_string(),
            schema: None,
        };
        let index = Index {
            name: "users_created_at_idx".to_string(),
            keys: vec![IndexKey::column("created_at")],
            unique: false,
            method: "btree".to_string(),
            predicate: None,
            include: Vec::new(),
            nulls_not_distinct: false,
        };
        let schema = || "core".to_string();
        vec![
            Change::CreateSchema {
                name: "audit".to_string(),
            },
            Change::DropExtension {
                extension: extension.clone(),
            },
            Change::CreateExtension {
                extension: Extension {
                    name: "citext".to_string(),
                    schema: None,
                },
            },
            Change::CreateEnum {
                schema: schema(),
                value: Enum {
                    name: "plan".to_string(),
                    values: vec!["free".to_string()],
                    comment: None,
                },
            },
            Change::AddEnumValue {
                schema: schema(),
                name: "user_role".to_string(),
                label: "owner".to_string(),
                position: EnumPosition::Before("member".to_string()),
            },
            Change::RecreateEnum {
                schema: schema(),
                from: role.clone(),
                to: Enum {
                    values: vec!["member".to_string()],
                    ..role
                },
                columns: vec![ColumnRef {
                    table: users(),
                    column: "role".to_string(),
                    data_type: "role".to_string(),
                    default: None,
                }],
            },
            Change::CreateSequence {
                schema: schema(),
                sequence: Sequence {
                    name: "tickets".to_string(),
                    ..sequence.clone()
                },
            },
            Change::DropSequence {
                schema: schema(),
                sequence: sequence.clone(),
            },
            Change::AlterSequence {
                schema: schema(),
                from: sequence.clone(),
                to: Sequence {
                    cycle: true,
                    ..sequence
                },
            },
            Change::CreateTable {
                schema: schema(),
                table: Table {
                    name: "notes".to_string(),
                    columns: vec![column("body", "text", true)],
                    ..Table::default()
                },
            },
            Change::DropTable {
                schema: schema(),
                table: users_table.clone(),
            },
            Change::RenameTable {
                schema: schema(),
                from: "organizations".to_string(),
                to: "tenants".to_string(),
            },
            Change::AddColumn {
                table: users(),
                column: column("bio", "text", true),
            },
            Change::DropColumn {
                table: users(),
                column: users_table.columns[4].clone(),
            },
            Change::RenameColumn {
                table: users(),
                from: "email".to_string(),
                to: "mail".to_string(),
            },
            Change::AlterColumn {
                table: users(),
                from: email.clone(),
                to: crate::model::Column {
                    nullable: true,
                    ..email
                },
            },
            Change::DropPrimaryKey {
                table: users(),
                key: users_table
                    .primary_key
                    .clone()
                    .unwrap_or_else(|| PrimaryKey {
                        name: String::new(),
                        columns: Vec::new(),
                    }),
            },
            Change::AddUnique {
                table: users(),
                unique: Unique {
                    name: "users_email_key".to_string(),
                    columns: vec!["email".to_string()],
                    nulls_not_distinct: false,
                    deferrable: false,
                    initially_deferred: false,
                },
            },
            Change::DropCheck {
                table: users(),
                check: users_table.checks[0].clone(),
            },
            Change::DropForeignKey {
                table: users(),
                foreign_key: users_table.foreign_keys[0].clone(),
            },
            Change::CreateIndex {
                table: users(),
                index: index.clone(),
            },
            Change::DropIndex {
                table: users(),
                index: users_table.indexes[0].clone(),
            },
            Change::SetTableComment {
                table: users(),
                from: None,
                to: Some("People".to_string()),
            },
            Change::SetColumnComment {
                table: users(),
                column: "email".to_string(),
                from: None,
                to: Some("Login".to_string()),
            },
            Change::CreateView {
                schema: schema(),
                view: view("v", "SELECT 1"),
            },
            Change::DropView {
                schema: schema(),
                view: active.clone(),
            },
            Change::ReplaceView {
                schema: schema(),
                from: active.clone(),
                to: view("active_users", "SELECT id, email, role FROM core.users"),
            },
        ]
    }

    #[test]
    fn every_change_then_its_inverse_gives_the_model_back() {
        let model = fixture();
        for change in one_of_each(&model) {
            let after = applied(&model, &change);
            let inverse = change.inverse_in(&model);
            let back = applied(&after, &inverse);
            assert_eq!(
                back,
                model,
                "{} then {}",
                change.describe(),
                inverse.describe()
            );
        }
    }

    #[test]
    fn only_adding_an_enum_value_needs_the_model_to_invert() {
        let model = fixture();
        for change in one_of_each(&model) {
            let needs_model = matches!(change, Change::AddEnumValue { .. });
            assert_eq!(
                change.inverse().is_none(),
                needs_model,
                "{}",
                change.describe()
            );
        }
    }

    #[test]
    fn describes_and_subjects_name_the_object() {
        let model = fixture();
        let described: Vec<(String, String)> = one_of_each(&model)
            .iter()
            .map(|c| (c.describe(), c.subject().to_string()))
            .collect();
        let expect = |text: &str, subject: &str| (text.to_string(), subject.to_string());
        assert!(described.contains(&expect("create schema audit", "audit")));
        assert!(described.contains(&expect("drop extension pgcrypto", "pgcrypto")));
        assert!(described.contains(&expect(
            "add value 'owner' to enum core.user_role",
            "core.user_role"
        )));
        assert!(described.contains(&expect(
            "rename table core.organizations to tenants",
            "core.tenants"
        )));
        assert!(described.contains(&expect("add column core.users.bio", "core.users")));
        assert!(described.contains(&expect("drop not null on core.users.email", "core.users")));
        assert!(described.contains(&expect(
            "create index users_created_at_idx on core.users",
            "core.users"
        )));
        assert!(described.contains(&expect("drop view core.active_users", "core.active_users")));
    }

    #[test]
    fn identifiers_are_renamed_outside_string_literals_only() {
        let sql = "email <> 'email' AND \"email\" IS NOT NULL AND emails > 0";
        assert_eq!(
            identifiers::rename(sql, "email", "mail"),
            "mail <> 'email' AND mail IS NOT NULL AND emails > 0"
        );
        assert!(identifiers::mentions("lower(EMAIL)", "email"));
        assert!(!identifiers::mentions("'email' = x", "email"));
        assert!(!identifiers::mentions("\"Email\" = x", "email"));
        assert!(identifiers::mentions("x = \"é", "é"));
    }
}
