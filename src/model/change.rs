//! Typed changes between two models: what changed, never how to say it in SQL.
//!
//! The diff produces them, each dialect renders them, and SQL loaders produce them too: every DDL
//! statement read from a schema or migration file becomes changes applied to a model (see
//! [`Change::apply_to`]), which is how replay works without a database. Every change carries enough
//! of the old state to be inverted exactly, so a down migration is the inverted changes in reverse.

use super::{
    ApplyError, Check, Column, ColumnIndexes, ColumnPosition, Domain, Enum, Event, Extension,
    ForeignKey, Function, Index, Model, MysqlPartitioning, PrimaryKey, QualifiedName, Sequence,
    Table, Trigger, Unique, View,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Where a new enum label goes (`ALTER TYPE … ADD VALUE … BEFORE|AFTER`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EnumPosition {
    Last,
    Before(String),
    After(String),
}

/// A column that uses an enum type, recorded so an enum can be recreated around it: its type
/// (the enum or an array of it) and its default, which must be dropped while the type changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnRef {
    pub table: QualifiedName,
    pub column: String,
    pub data_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
}

/// An object other than a table or column that can carry a comment.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CommentTarget {
    Schema {
        name: String,
    },
    /// An enum (`COMMENT ON TYPE`).
    Type {
        name: QualifiedName,
    },
    View {
        name: QualifiedName,
        materialized: bool,
    },
    /// A function or procedure; `name.name` is its [`Function::signature`].
    Function {
        name: QualifiedName,
        procedure: bool,
    },
    Trigger {
        table: QualifiedName,
        name: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Change {
    CreateSchema {
        name: String,
    },
    DropSchema {
        name: String,
    },
    CreateExtension {
        extension: Extension,
    },
    DropExtension {
        extension: Extension,
    },
    CreateEnum {
        schema: String,
        value: Enum,
    },
    DropEnum {
        schema: String,
        value: Enum,
    },
    /// Adds one label. PostgreSQL cannot remove a label, so the inverse is a [`Change::RecreateEnum`].
    AddEnumValue {
        schema: String,
        name: String,
        label: String,
        position: EnumPosition,
    },
    /// Replaces an enum whose labels were removed or reordered: rename the old type away, create
    /// the new one, convert the columns that use it, drop the old type. Fails on rows that hold a
    /// removed label, which is why it is a hazard.
    RecreateEnum {
        schema: String,
        from: Enum,
        to: Enum,
        columns: Vec<ColumnRef>,
    },
    /// `ALTER TYPE … RENAME TO`: columns that use the type follow it (the server tracks types
    /// by identity, not name). Recreating an enum renames the old one away first.
    RenameEnum {
        schema: String,
        from: String,
        to: String,
    },
    CreateSequence {
        schema: String,
        sequence: Sequence,
    },
    DropSequence {
        schema: String,
        sequence: Sequence,
    },
    AlterSequence {
        schema: String,
        from: Sequence,
        to: Sequence,
    },
    /// Creates a table with everything it holds. The diff takes foreign keys out into
    /// [`Change::AddForeignKey`] so the planner can order them (and break cycles); renderers
    /// still render any the table holds, as well as its indexes and comments.
    CreateTable {
        schema: String,
        table: Table,
    },
    /// Drops a table. `table` is its last state (foreign keys taken out by the diff, as for
    /// [`Change::CreateTable`]), so the inverse can recreate it.
    DropTable {
        schema: String,
        table: Table,
    },
    RenameTable {
        schema: String,
        from: String,
        to: String,
    },
    AddColumn {
        table: QualifiedName,
        column: Column,
    },
    DropColumn {
        table: QualifiedName,
        column: Column,
    },
    RenameColumn {
        table: QualifiedName,
        from: String,
        to: String,
    },
    /// Any difference in type, nullability, default, identity, generation or collation; the
    /// dialect renders one clause per attribute that differs. Comments are [`Change::SetColumnComment`].
    AlterColumn {
        table: QualifiedName,
        from: Column,
        to: Column,
    },
    /// Renames a primary key, unique, check or foreign key constraint (for a primary key or
    /// unique constraint the server renames its index too).
    RenameConstraint {
        table: QualifiedName,
        from: String,
        to: String,
    },
    /// Renames a secondary index.
    RenameIndex {
        table: QualifiedName,
        from: String,
        to: String,
    },
    AddPrimaryKey {
        table: QualifiedName,
        key: PrimaryKey,
    },
    DropPrimaryKey {
        table: QualifiedName,
        key: PrimaryKey,
    },
    AddUnique {
        table: QualifiedName,
        unique: Unique,
    },
    DropUnique {
        table: QualifiedName,
        unique: Unique,
    },
    AddCheck {
        table: QualifiedName,
        check: Check,
    },
    DropCheck {
        table: QualifiedName,
        check: Check,
    },
    AddForeignKey {
        table: QualifiedName,
        foreign_key: ForeignKey,
    },
    DropForeignKey {
        table: QualifiedName,
        foreign_key: ForeignKey,
    },
    CreateIndex {
        table: QualifiedName,
        index: Index,
    },
    DropIndex {
        table: QualifiedName,
        index: Index,
    },
    SetTableComment {
        table: QualifiedName,
        from: Option<String>,
        to: Option<String>,
    },
    SetColumnComment {
        table: QualifiedName,
        column: String,
        from: Option<String>,
        to: Option<String>,
    },
    /// A comment on a schema, enum or view.
    SetComment {
        target: CommentTarget,
        from: Option<String>,
        to: Option<String>,
    },
    CreateView {
        schema: String,
        view: View,
    },
    DropView {
        schema: String,
        view: View,
    },
    /// `CREATE OR REPLACE VIEW`: only when the new query keeps the old output columns as a prefix.
    ReplaceView {
        schema: String,
        from: View,
        to: View,
    },
    CreateFunction {
        schema: String,
        function: Function,
    },
    DropFunction {
        schema: String,
        function: Function,
    },
    /// `CREATE OR REPLACE FUNCTION`: only when [`Function::replaceable_by`] allows it.
    ReplaceFunction {
        schema: String,
        from: Function,
        to: Function,
    },
    CreateTrigger {
        table: QualifiedName,
        trigger: Trigger,
    },
    DropTrigger {
        table: QualifiedName,
        trigger: Trigger,
    },
    /// MySQL: `CREATE EVENT`.
    CreateEvent {
        schema: String,
        event: Event,
    },
    DropEvent {
        schema: String,
        event: Event,
    },
    /// MySQL: `ALTER EVENT` restating the clauses that differ (same name).
    AlterEvent {
        schema: String,
        from: Event,
        to: Event,
    },
    /// GreptimeDB: `ALTER TABLE … ADD COLUMN … [PRIMARY KEY] [FIRST | AFTER c]`. A tag
    /// (`tag: true`) is appended to the end of the primary key.
    AddColumnAt {
        table: QualifiedName,
        column: Column,
        position: ColumnPosition,
        tag: bool,
    },
    /// GreptimeDB: the inverse of [`Change::AddColumnAt`], remembering where the column was so
    /// that its own inverse puts it back there.
    DropColumnAt {
        table: QualifiedName,
        column: Column,
        position: ColumnPosition,
        tag: bool,
    },
    /// GreptimeDB: table options (`ALTER TABLE … SET 'k' = 'v' | UNSET 'k'`, and the `comment`
    /// option through `COMMENT ON TABLE`).
    SetTableOptions {
        table: QualifiedName,
        from: BTreeMap<String, String>,
        to: BTreeMap<String, String>,
    },
    /// MySQL: a table's `PARTITION BY` clause changes — partitions added at the end or dropped
    /// (RANGE, LIST), the table partitioned anew, or its partitioning removed (`to: None`).
    SetPartitioning {
        table: QualifiedName,
        from: Option<MysqlPartitioning>,
        to: Option<MysqlPartitioning>,
    },
    /// GreptimeDB: `ALTER TABLE … MODIFY COLUMN c SET | UNSET … INDEX`.
    SetColumnIndexes {
        table: QualifiedName,
        column: String,
        from: ColumnIndexes,
        to: ColumnIndexes,
    },
    /// GreptimeDB: database options (`ALTER DATABASE d SET … | UNSET …`).
    SetDatabaseOptions {
        schema: String,
        from: BTreeMap<String, String>,
        to: BTreeMap<String, String>,
    },
    /// GreptimeDB: a table whose change the server cannot ALTER is dropped and created again,
    /// losing its rows. `reasons` say which differences forced it.
    RecreateTable {
        schema: String,
        from: Table,
        to: Table,
        reasons: Vec<String>,
    },
    /// `CREATE DOMAIN` with its checks (and its comment).
    CreateDomain {
        schema: String,
        domain: Domain,
    },
    DropDomain {
        schema: String,
        domain: Domain,
    },
    /// `ALTER DOMAIN`: default, NOT NULL, checks and comment. The base type and collation
    /// cannot be altered in place; the diff drops and creates the domain for those.
    AlterDomain {
        schema: String,
        from: Domain,
        to: Domain,
    },
    /// etcd: sets `/{prefix}/{schema}/{table}/{key}` to `value`. `previous` is the value the
    /// key held before (`None`: the key did not exist), so the inverse restores it exactly.
    PutKey {
        schema: String,
        table: String,
        key: String,
        value: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        previous: Option<String>,
    },
    /// etcd: deletes a key, remembering the value it held so the inverse puts it back.
    DeleteKey {
        schema: String,
        table: String,
        key: String,
        previous: String,
    },
}

impl Change {
    /// The change that undoes this one, or `None` for [`Change::AddEnumValue`], whose inverse
    /// needs the labels the enum had before, and for a GreptimeDB tag added with
    /// [`Change::AddColumnAt`], whose inverse recreates the table: use [`Change::inverse_in`].
    ///
    /// Exact for every other change as far as the model goes, with one server-side exception:
    /// dropping a primary key leaves its columns NOT NULL, as PostgreSQL does (the diff emits an
    /// [`Change::AlterColumn`] for nullability, so its inverse restores it).
    pub fn inverse(&self) -> Option<Change> {
        let inverse = match self.clone() {
            Change::CreateSchema { name } => Change::DropSchema { name },
            Change::DropSchema { name } => Change::CreateSchema { name },
            Change::CreateExtension { extension } => Change::DropExtension { extension },
            Change::DropExtension { extension } => Change::CreateExtension { extension },
            Change::CreateEnum { schema, value } => Change::DropEnum { schema, value },
            Change::DropEnum { schema, value } => Change::CreateEnum { schema, value },
            Change::AddEnumValue { .. } => return None,
            Change::RecreateEnum {
                schema,
                from,
                to,
                columns,
            } => Change::RecreateEnum {
                schema,
                from: to,
                to: from,
                columns,
            },
            Change::RenameEnum { schema, from, to } => Change::RenameEnum {
                schema,
                from: to,
                to: from,
            },
            Change::CreateSequence { schema, sequence } => {
                Change::DropSequence { schema, sequence }
            }
            Change::DropSequence { schema, sequence } => {
                Change::CreateSequence { schema, sequence }
            }
            Change::AlterSequence { schema, from, to } => Change::AlterSequence {
                schema,
                from: to,
                to: from,
            },
            Change::CreateTable { schema, table } => Change::DropTable { schema, table },
            Change::DropTable { schema, table } => Change::CreateTable { schema, table },
            Change::RenameTable { schema, from, to } => Change::RenameTable {
                schema,
                from: to,
                to: from,
            },
            Change::AddColumn { table, column } => Change::DropColumn { table, column },
            Change::DropColumn { table, column } => Change::AddColumn { table, column },
            Change::RenameColumn { table, from, to } => Change::RenameColumn {
                table,
                from: to,
                to: from,
            },
            Change::AlterColumn { table, from, to } => Change::AlterColumn {
                table,
                from: to,
                to: from,
            },
            Change::RenameConstraint { table, from, to } => Change::RenameConstraint {
                table,
                from: to,
                to: from,
            },
            Change::RenameIndex { table, from, to } => Change::RenameIndex {
                table,
                from: to,
                to: from,
            },
            Change::AddPrimaryKey { table, key } => Change::DropPrimaryKey { table, key },
            Change::DropPrimaryKey { table, key } => Change::AddPrimaryKey { table, key },
            Change::AddUnique { table, unique } => Change::DropUnique { table, unique },
            Change::DropUnique { table, unique } => Change::AddUnique { table, unique },
            Change::AddCheck { table, check } => Change::DropCheck { table, check },
            Change::DropCheck { table, check } => Change::AddCheck { table, check },
            Change::AddForeignKey { table, foreign_key } => {
                Change::DropForeignKey { table, foreign_key }
            }
            Change::DropForeignKey { table, foreign_key } => {
                Change::AddForeignKey { table, foreign_key }
            }
            Change::CreateIndex { table, index } => Change::DropIndex { table, index },
            Change::DropIndex { table, index } => Change::CreateIndex { table, index },
            Change::SetTableComment { table, from, to } => Change::SetTableComment {
                table,
                from: to,
                to: from,
            },
            Change::SetColumnComment {
                table,
                column,
                from,
                to,
            } => Change::SetColumnComment {
                table,
                column,
                from: to,
                to: from,
            },
            Change::SetComment { target, from, to } => Change::SetComment {
                target,
                from: to,
                to: from,
            },
            Change::CreateView { schema, view } => Change::DropView { schema, view },
            Change::DropView { schema, view } => Change::CreateView { schema, view },
            Change::ReplaceView { schema, from, to } => Change::ReplaceView {
                schema,
                from: to,
                to: from,
            },
            Change::CreateFunction { schema, function } => {
                Change::DropFunction { schema, function }
            }
            Change::DropFunction { schema, function } => {
                Change::CreateFunction { schema, function }
            }
            Change::ReplaceFunction { schema, from, to } => Change::ReplaceFunction {
                schema,
                from: to,
                to: from,
            },
            Change::CreateTrigger { table, trigger } => Change::DropTrigger { table, trigger },
            Change::DropTrigger { table, trigger } => Change::CreateTrigger { table, trigger },
            Change::CreateEvent { schema, event } => Change::DropEvent { schema, event },
            Change::DropEvent { schema, event } => Change::CreateEvent { schema, event },
            Change::AlterEvent { schema, from, to } => Change::AlterEvent {
                schema,
                from: to,
                to: from,
            },
            // GreptimeDB refuses to drop a tag: only the model can say what to recreate.
            Change::AddColumnAt { tag: true, .. } => return None,
            Change::AddColumnAt {
                table,
                column,
                position,
                tag,
            } => Change::DropColumnAt {
                table,
                column,
                position,
                tag,
            },
            Change::DropColumnAt {
                table,
                column,
                position,
                tag,
            } => Change::AddColumnAt {
                table,
                column,
                position,
                tag,
            },
            Change::SetTableOptions { table, from, to } => Change::SetTableOptions {
                table,
                from: to,
                to: from,
            },
            Change::SetPartitioning { table, from, to } => Change::SetPartitioning {
                table,
                from: to,
                to: from,
            },
            Change::SetColumnIndexes {
                table,
                column,
                from,
                to,
            } => Change::SetColumnIndexes {
                table,
                column,
                from: to,
                to: from,
            },
            Change::SetDatabaseOptions { schema, from, to } => Change::SetDatabaseOptions {
                schema,
                from: to,
                to: from,
            },
            Change::RecreateTable {
                schema,
                from,
                to,
                reasons,
            } => Change::RecreateTable {
                schema,
                from: to,
                to: from,
                reasons,
            },
            Change::CreateDomain { schema, domain } => Change::DropDomain { schema, domain },
            Change::DropDomain { schema, domain } => Change::CreateDomain { schema, domain },
            Change::AlterDomain { schema, from, to } => Change::AlterDomain {
                schema,
                from: to,
                to: from,
            },
            Change::PutKey {
                schema,
                table,
                key,
                value,
                previous: Some(old),
            } => Change::PutKey {
                schema,
                table,
                key,
                value: old,
                previous: Some(value),
            },
            Change::PutKey {
                schema,
                table,
                key,
                value,
                previous: None,
            } => Change::DeleteKey {
                schema,
                table,
                key,
                previous: value,
            },
            Change::DeleteKey {
                schema,
                table,
                key,
                previous,
            } => Change::PutKey {
                schema,
                table,
                key,
                value: previous,
                previous: None,
            },
        };
        Some(inverse)
    }

    /// The change that undoes this one, given `before`, the model as it was right before this
    /// change. Only [`Change::AddEnumValue`] needs it: PostgreSQL cannot remove a label, so its
    /// inverse recreates the enum without it, converting the columns that use the type. (When
    /// `before` lacks the enum, the change could not apply; the inverse then recreates an enum
    /// holding just the label as one holding none.)
    pub fn inverse_in(&self, before: &Model) -> Change {
        match self {
            Change::AddEnumValue {
                schema,
                name,
                label,
                position,
            } => {
                let without = before
                    .schemas
                    .get(schema)
                    .and_then(|s| s.enums.get(name))
                    .cloned()
                    .unwrap_or_else(|| Enum {
                        name: name.clone(),
                        values: Vec::new(),
                        comment: None,
                    });
                let mut with = without.clone();
                let at = match position {
                    EnumPosition::Last => None,
                    EnumPosition::Before(anchor) => with.values.iter().position(|v| v == anchor),
                    EnumPosition::After(anchor) => {
                        with.values.iter().position(|v| v == anchor).map(|i| i + 1)
                    }
                };
                with.values
                    .insert(at.unwrap_or(with.values.len()), label.clone());
                Change::RecreateEnum {
                    schema: schema.clone(),
                    from: with,
                    to: without,
                    columns: ColumnRef::using_enum(before, schema, name),
                }
            }
            Change::AddColumnAt {
                table,
                column,
                tag: true,
                ..
            } => {
                let without = before.table(table).cloned().unwrap_or_default();
                let mut after = before.clone();
                let with = match self.apply_to(&mut after) {
                    Ok(()) => after.table(table).cloned().unwrap_or_default(),
                    Err(_) => without.clone(),
                };
                Change::RecreateTable {
                    schema: table.schema.clone(),
                    from: with,
                    to: without,
                    reasons: vec![format!(
                        "tag {} cannot be dropped (GreptimeDB refuses to drop a primary-key column)",
                        column.name
                    )],
                }
            }
            other => other.inverse().unwrap_or_else(|| {
                unreachable!("only AddEnumValue and an added tag lack a plain inverse")
            }),
        }
    }

    /// The changes that undo `changes` (which run in order from `before`): each one's inverse,
    /// last first. Errors when `changes` do not apply to `before`.
    pub fn inverse_all(changes: &[Change], before: &Model) -> Result<Vec<Change>, ApplyError> {
        let mut model = before.clone();
        let mut inverses = Vec::with_capacity(changes.len());
        for change in changes {
            inverses.push(change.inverse_in(&model));
            change.apply_to(&mut model)?;
        }
        inverses.reverse();
        Ok(inverses)
    }

    /// The object whose migration file this change belongs in: the table for table-level
    /// changes, the enum, sequence or view itself, and `("", name)` for schemas and extensions.
    pub fn subject(&self) -> QualifiedName {
        match self {
            Change::CreateSchema { name } | Change::DropSchema { name } => {
                QualifiedName::new("", name.clone())
            }
            Change::SetDatabaseOptions { schema, .. } => QualifiedName::new("", schema.clone()),
            Change::RecreateTable { schema, to, .. } => {
                QualifiedName::new(schema.clone(), to.name.clone())
            }
            Change::PutKey { schema, table, .. } | Change::DeleteKey { schema, table, .. } => {
                QualifiedName::new(schema.clone(), table.clone())
            }
            Change::CreateExtension { extension } | Change::DropExtension { extension } => {
                QualifiedName::new("", extension.name.clone())
            }
            Change::CreateEnum { schema, value } | Change::DropEnum { schema, value } => {
                QualifiedName::new(schema.clone(), value.name.clone())
            }
            Change::AddEnumValue { schema, name, .. } => {
                QualifiedName::new(schema.clone(), name.clone())
            }
            Change::RecreateEnum { schema, to, .. } => {
                QualifiedName::new(schema.clone(), to.name.clone())
            }
            Change::RenameEnum { schema, to, .. } => QualifiedName::new(schema.clone(), to.clone()),
            Change::SetComment { target, .. } => match target {
                CommentTarget::Schema { name } => QualifiedName::new("", name.clone()),
                CommentTarget::Type { name }
                | CommentTarget::View { name, .. }
                | CommentTarget::Function { name, .. } => name.clone(),
                CommentTarget::Trigger { table, .. } => table.clone(),
            },
            Change::CreateFunction { schema, function }
            | Change::DropFunction { schema, function }
            | Change::ReplaceFunction {
                schema,
                to: function,
                ..
            } => QualifiedName::new(schema.clone(), function.signature()),
            Change::CreateTrigger { table, .. } | Change::DropTrigger { table, .. } => {
                table.clone()
            }
            Change::CreateEvent { schema, event }
            | Change::DropEvent { schema, event }
            | Change::AlterEvent {
                schema, to: event, ..
            } => QualifiedName::new(schema.clone(), event.name.clone()),
            Change::CreateDomain { schema, domain }
            | Change::DropDomain { schema, domain }
            | Change::AlterDomain {
                schema, to: domain, ..
            } => QualifiedName::new(schema.clone(), domain.name.clone()),
            Change::CreateSequence { schema, sequence }
            | Change::DropSequence { schema, sequence }
            | Change::AlterSequence {
                schema,
                to: sequence,
                ..
            } => QualifiedName::new(schema.clone(), sequence.name.clone()),
            Change::CreateTable { schema, table } | Change::DropTable { schema, table } => {
                QualifiedName::new(schema.clone(), table.name.clone())
            }
            Change::RenameTable { schema, to, .. } => {
                QualifiedName::new(schema.clone(), to.clone())
            }
            Change::CreateView { schema, view }
            | Change::DropView { schema, view }
            | Change::ReplaceView {
                schema, to: view, ..
            } => QualifiedName::new(schema.clone(), view.name.clone()),
            _ => self
                .table_of_part()
                .cloned()
                .unwrap_or_else(|| unreachable!("every other change alters a part of a table")),
        }
    }

    /// The table whose part (column, key, check, index, comment) this change alters; `None`
    /// for changes to whole objects.
    pub fn table_of_part(&self) -> Option<&QualifiedName> {
        match self {
            Change::AddColumn { table, .. }
            | Change::DropColumn { table, .. }
            | Change::RenameColumn { table, .. }
            | Change::AlterColumn { table, .. }
            | Change::RenameConstraint { table, .. }
            | Change::RenameIndex { table, .. }
            | Change::AddPrimaryKey { table, .. }
            | Change::DropPrimaryKey { table, .. }
            | Change::AddUnique { table, .. }
            | Change::DropUnique { table, .. }
            | Change::AddCheck { table, .. }
            | Change::DropCheck { table, .. }
            | Change::AddForeignKey { table, .. }
            | Change::DropForeignKey { table, .. }
            | Change::CreateIndex { table, .. }
            | Change::DropIndex { table, .. }
            | Change::SetTableComment { table, .. }
            | Change::SetColumnComment { table, .. }
            | Change::AddColumnAt { table, .. }
            | Change::DropColumnAt { table, .. }
            | Change::SetTableOptions { table, .. }
            | Change::SetPartitioning { table, .. }
            | Change::SetColumnIndexes { table, .. } => Some(table),
            _ => None,
        }
    }

    /// A short line for humans: `create table core.users`, `set default on core.users.status`.
    pub fn describe(&self) -> String {
        let subject = self.subject();
        match self {
            Change::CreateSchema { name } => format!("create schema {name}"),
            Change::DropSchema { name } => format!("drop schema {name}"),
            Change::CreateExtension { .. } => format!("create extension {subject}"),
            Change::DropExtension { .. } => format!("drop extension {subject}"),
            Change::CreateEnum { .. } => format!("create enum {subject}"),
            Change::DropEnum { .. } => format!("drop enum {subject}"),
            Change::AddEnumValue { label, .. } => format!("add value '{label}' to enum {subject}"),
            Change::RecreateEnum { .. } => format!("recreate enum {subject}"),
            Change::RenameEnum { schema, from, .. } => format!(
                "rename enum {} to {}",
                QualifiedName::new(schema.clone(), from.clone()),
                subject.name
            ),
            Change::RenameConstraint { from, to, .. } => {
                format!("rename constraint {from} on {subject} to {to}")
            }
            Change::RenameIndex { from, to, .. } => {
                format!("rename index {from} on {subject} to {to}")
            }
            Change::SetComment { target, .. } => match target {
                CommentTarget::Schema { name } => format!("set comment on schema {name}"),
                CommentTarget::Type { .. } => format!("set comment on enum {subject}"),
                CommentTarget::View { materialized, .. } => {
                    let kind = if *materialized {
                        "materialized view"
                    } else {
                        "view"
                    };
                    format!("set comment on {kind} {subject}")
                }
                CommentTarget::Function { procedure, .. } => {
                    format!("set comment on {} {subject}", routine_kind(*procedure))
                }
                CommentTarget::Trigger { name, .. } => {
                    format!("set comment on trigger {name} on {subject}")
                }
            },
            Change::CreateFunction { function, .. } => {
                format!("create {} {subject}", routine_kind(function.procedure))
            }
            Change::DropFunction { function, .. } => {
                format!("drop {} {subject}", routine_kind(function.procedure))
            }
            Change::ReplaceFunction { to, .. } => {
                format!("replace {} {subject}", routine_kind(to.procedure))
            }
            Change::CreateTrigger { trigger, .. } => {
                format!("create trigger {} on {subject}", trigger.name)
            }
            Change::DropTrigger { trigger, .. } => {
                format!("drop trigger {} on {subject}", trigger.name)
            }
            Change::CreateEvent { .. } => format!("create event {subject}"),
            Change::DropEvent { .. } => format!("drop event {subject}"),
            Change::AlterEvent { .. } => format!("alter event {subject}"),
            Change::CreateDomain { .. } => format!("create domain {subject}"),
            Change::DropDomain { .. } => format!("drop domain {subject}"),
            Change::AlterDomain { from, to, .. } => {
                format!("{} on domain {subject}", domain_alterations(from, to))
            }
            Change::CreateSequence { .. } => format!("create sequence {subject}"),
            Change::DropSequence { .. } => format!("drop sequence {subject}"),
            Change::AlterSequence { .. } => format!("alter sequence {subject}"),
            Change::CreateTable { .. } => format!("create table {subject}"),
            Change::DropTable { .. } => format!("drop table {subject}"),
            Change::RenameTable { schema, from, .. } => format!(
                "rename table {} to {}",
                QualifiedName::new(schema.clone(), from.clone()),
                subject.name
            ),
            Change::AddColumn { column, .. } => format!("add column {subject}.{}", column.name),
            Change::DropColumn { column, .. } => format!("drop column {subject}.{}", column.name),
            Change::RenameColumn { from, to, .. } => {
                format!("rename column {subject}.{from} to {to}")
            }
            Change::AlterColumn { from, to, .. } => {
                format!("{} on {subject}.{}", column_alterations(from, to), to.name)
            }
            Change::AddPrimaryKey { key, .. } => {
                format!("add primary key {} to {subject}", key.name)
            }
            Change::DropPrimaryKey { key, .. } => {
                format!("drop primary key {} from {subject}", key.name)
            }
            Change::AddUnique { unique, .. } => format!("add unique {} to {subject}", unique.name),
            Change::DropUnique { unique, .. } => {
                format!("drop unique {} from {subject}", unique.name)
            }
            Change::AddCheck { check, .. } => format!("add check {} to {subject}", check.name),
            Change::DropCheck { check, .. } => format!("drop check {} from {subject}", check.name),
            Change::AddForeignKey { foreign_key, .. } => {
                format!("add foreign key {} to {subject}", foreign_key.name)
            }
            Change::DropForeignKey { foreign_key, .. } => {
                format!("drop foreign key {} from {subject}", foreign_key.name)
            }
            Change::CreateIndex { index, .. } => {
                format!("create index {} on {subject}", index.name)
            }
            Change::DropIndex { index, .. } => format!("drop index {} on {subject}", index.name),
            Change::SetTableComment { .. } => format!("set comment on table {subject}"),
            Change::SetColumnComment { column, .. } => {
                format!("set comment on column {subject}.{column}")
            }
            Change::CreateView { view, .. } => format!("create {} {subject}", view_kind(view)),
            Change::DropView { view, .. } => format!("drop {} {subject}", view_kind(view)),
            Change::ReplaceView { to, .. } => format!("replace {} {subject}", view_kind(to)),
            Change::AddColumnAt { column, tag, .. } => {
                let kind = if *tag { "tag" } else { "column" };
                format!("add {kind} {subject}.{}", column.name)
            }
            Change::DropColumnAt { column, tag, .. } => {
                let kind = if *tag { "tag" } else { "column" };
                format!("drop {kind} {subject}.{}", column.name)
            }
            Change::SetTableOptions { .. } => format!("set options on table {subject}"),
            Change::SetPartitioning { to: None, .. } => {
                format!("remove partitioning from table {subject}")
            }
            Change::SetPartitioning { .. } => format!("set partitioning of table {subject}"),
            Change::SetColumnIndexes { column, .. } => {
                format!("set indexes on column {subject}.{column}")
            }
            Change::SetDatabaseOptions { schema, .. } => {
                format!("set options on database {schema}")
            }
            Change::RecreateTable { reasons, .. } => {
                format!("recreate table {subject} ({})", reasons.join("; "))
            }
            Change::PutKey { key, previous, .. } => {
                let verb = if previous.is_some() { "update" } else { "put" };
                format!("{verb} key {}/{}/{key}", subject.schema, subject.name)
            }
            Change::DeleteKey { key, .. } => {
                format!("delete key {}/{}/{key}", subject.schema, subject.name)
            }
        }
    }
}

fn routine_kind(procedure: bool) -> &'static str {
    if procedure { "procedure" } else { "function" }
}

fn view_kind(view: &View) -> &'static str {
    if view.materialized {
        "materialized view"
    } else {
        "view"
    }
}

/// What an [`Change::AlterColumn`] does, attribute by attribute: `alter type, set not null`.
fn column_alterations(from: &Column, to: &Column) -> String {
    let mut parts = Vec::new();
    if from.data_type != to.data_type {
        parts.push("alter type");
    }
    if from.nullable != to.nullable {
        parts.push(if to.nullable {
            "drop not null"
        } else {
            "set not null"
        });
    }
    if from.default != to.default {
        parts.push(if to.default.is_some() {
            "set default"
        } else {
            "drop default"
        });
    }
    if from.identity != to.identity {
        parts.push("alter identity");
    }
    if from.generated != to.generated {
        parts.push("alter generation");
    }
    if from.collation != to.collation {
        parts.push("alter collation");
    }
    if parts.is_empty() {
        parts.push("alter column");
    }
    parts.join(", ")
}

/// What an [`Change::AlterDomain`] does: `set default, add check d_check`.
fn domain_alterations(from: &Domain, to: &Domain) -> String {
    let mut parts = Vec::new();
    if from.default != to.default {
        parts.push(if to.default.is_some() {
            "set default".to_string()
        } else {
            "drop default".to_string()
        });
    }
    if from.not_null != to.not_null {
        parts.push(
            if to.not_null {
                "set not null"
            } else {
                "drop not null"
            }
            .to_string(),
        );
    }
    for check in &from.checks {
        if !to.checks.contains(check) {
            parts.push(format!("drop check {}", check.name));
        }
    }
    for check in &to.checks {
        if !from.checks.contains(check) {
            parts.push(format!("add check {}", check.name));
        }
    }
    if from.comment != to.comment {
        parts.push("set comment".to_string());
    }
    if parts.is_empty() {
        parts.push("alter".to_string());
    }
    parts.join(", ")
}

impl ColumnRef {
    /// The columns of `model` whose type is the enum `schema.name` (or an array of it). An enum of
    /// the table's own schema is spelled unqualified, one from another schema qualified.
    pub fn using_enum(model: &Model, schema: &str, name: &str) -> Vec<ColumnRef> {
        let qualified = format!("{schema}.{name}");
        let mut found = Vec::new();
        for (table_schema, tables) in model.schemas.iter().map(|(s, sch)| (s, &sch.tables)) {
            for table in tables.values() {
                for column in &table.columns {
                    let base = column.data_type.trim_end_matches("[]");
                    if base == qualified || (base == name && table_schema == schema) {
                        found.push(ColumnRef {
                            table: QualifiedName::new(table_schema.clone(), table.name.clone()),
                            column: column.name.clone(),
                            data_type: column.data_type.clone(),
                            default: column.default.clone(),
                        });
                    }
                }
            }
        }
        found
    }
}
