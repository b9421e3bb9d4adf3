//! What each change is about: the object whose migration file it goes into, and a short
//! description for error messages.

use crate::model::{Change, QualifiedName};

/// The object a change belongs to: a table-level change → its table; an enum, view or sequence
/// change → that object; an extension or schema → `("", name)`. A rename belongs to the new
/// name, so it shares a file with the changes that follow it.
pub(super) fn subject_of(change: &Change) -> QualifiedName {
    match change {
        Change::CreateSchema { name } | Change::DropSchema { name } => QualifiedName::new("", name),
        Change::CreateExtension { extension } | Change::DropExtension { extension } => {
            QualifiedName::new("", &extension.name)
        }
        Change::CreateEnum { schema, value } | Change::DropEnum { schema, value } => {
            QualifiedName::new(schema, &value.name)
        }
        Change::AddEnumValue { schema, name, .. } => QualifiedName::new(schema, name),
        Change::RecreateEnum { schema, to, .. } => QualifiedName::new(schema, &to.name),
        Change::CreateSequence { schema, sequence } | Change::DropSequence { schema, sequence } => {
            QualifiedName::new(schema, &sequence.name)
        }
        Change::AlterSequence { schema, to, .. } => QualifiedName::new(schema, &to.name),
        Change::CreateTable { schema, table } | Change::DropTable { schema, table } => {
            QualifiedName::new(schema, &table.name)
        }
        Change::RenameTable { schema, to, .. } => QualifiedName::new(schema, to),
        Change::CreateView { schema, view } | Change::DropView { schema, view } => {
            QualifiedName::new(schema, &view.name)
        }
        Change::ReplaceView { schema, to, .. } => QualifiedName::new(schema, &to.name),
        Change::AddColumn { table, .. }
        | Change::DropColumn { table, .. }
        | Change::RenameColumn { table, .. }
        | Change::AlterColumn { table, .. }
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
        | Change::SetColumnComment { table, .. } => table.clone(),
    }
}

/// A short human description, e.g. `add foreign key orders_user_id_fkey on core.orders`.
pub(super) fn describe(change: &Change) -> String {
    let subject = subject_of(change);
    let (action, detail): (&str, Option<&str>) = match change {
        Change::CreateSchema { .. } => ("create schema", None),
        Change::DropSchema { .. } => ("drop schema", None),
        Change::CreateExtension { .. } => ("create extension", None),
        Change::DropExtension { .. } => ("drop extension", None),
        Change::CreateEnum { .. } => ("create enum", None),
        Change::DropEnum { .. } => ("drop enum", None),
        Change::AddEnumValue { label, .. } => ("add enum value", Some(label)),
        Change::RecreateEnum { .. } => ("recreate enum", None),
        Change::CreateSequence { .. } => ("create sequence", None),
        Change::DropSequence { .. } => ("drop sequence", None),
        Change::AlterSequence { .. } => ("alter sequence", None),
        Change::CreateTable { .. } => ("create table", None),
        Change::DropTable { .. } => ("drop table", None),
        Change::RenameTable { from, .. } => ("rename table", Some(from)),
        Change::AddColumn { column, .. } => ("add column", Some(&column.name)),
        Change::DropColumn { column, .. } => ("drop column", Some(&column.name)),
        Change::RenameColumn { from, .. } => ("rename column", Some(from)),
        Change::AlterColumn { to, .. } => ("alter column", Some(&to.name)),
        Change::AddPrimaryKey { key, .. } => ("add primary key", Some(&key.name)),
        Change::DropPrimaryKey { key, .. } => ("drop primary key", Some(&key.name)),
        Change::AddUnique { unique, .. } => ("add unique", Some(&unique.name)),
        Change::DropUnique { unique, .. } => ("drop unique", Some(&unique.name)),
        Change::AddCheck { check, .. } => ("add check", Some(&check.name)),
        Change::DropCheck { check, .. } => ("drop check", Some(&check.name)),
        Change::AddForeignKey { foreign_key, .. } => ("add foreign key", Some(&foreign_key.name)),
        Change::DropForeignKey { foreign_key, .. } => ("drop foreign key", Some(&foreign_key.name)),
        Change::CreateIndex { index, .. } => ("create index", Some(&index.name)),
        Change::DropIndex { index, .. } => ("drop index", Some(&index.name)),
        Change::SetTableComment { .. } => ("set comment on table", None),
        Change::SetColumnComment { column, .. } => ("set comment on column", Some(column)),
        Change::CreateView { .. } => ("create view", None),
        Change::DropView { .. } => ("drop view", None),
        Change::ReplaceView { .. } => ("replace view", None),
    };
    match detail {
        Some(detail) => format!("{action} {detail} on {subject}"),
        None => format!("{action} {subject}"),
    }
}
