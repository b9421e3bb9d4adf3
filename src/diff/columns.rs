//! Columns of a table present on both sides: dropped, added, altered, commented.
//!
//! Columns are matched by name (declared renames are already applied): PostgreSQL cannot reorder
//! columns, so a column that only moved is no change, and an added one goes last.

use crate::model::{Change, Column, QualifiedName, Table};

/// Drops (in the current order), then adds and alterations in the desired order.
pub(super) fn columns(name: &QualifiedName, from: &Table, to: &Table, out: &mut Vec<Change>) {
    for column in &from.columns {
        if to.column(&column.name).is_none() {
            out.push(Change::DropColumn {
                table: name.clone(),
                column: column.clone(),
            });
        }
    }
    for column in &to.columns {
        match from.column(&column.name) {
            None => out.push(Change::AddColumn {
                table: name.clone(),
                column: column.clone(),
            }),
            Some(existing) if !same_definition(existing, column) => {
                out.push(Change::AlterColumn {
                    table: name.clone(),
                    from: existing.clone(),
                    to: Column {
                        comment: existing.comment.clone(),
                        ..column.clone()
                    },
                });
            }
            Some(_) => {}
        }
    }
}

/// Comment changes of the columns present on both sides, in the desired order.
pub(super) fn comments(name: &QualifiedName, from: &Table, to: &Table, out: &mut Vec<Change>) {
    for column in &to.columns {
        if let Some(existing) = from.column(&column.name)
            && existing.comment != column.comment
        {
            out.push(Change::SetColumnComment {
                table: name.clone(),
                column: column.name.clone(),
                from: existing.comment.clone(),
                to: column.comment.clone(),
            });
        }
    }
}

/// Whether two columns agree on everything an `ALTER COLUMN` changes (the comment aside).
pub(super) fn same_definition(a: &Column, b: &Column) -> bool {
    a.data_type == b.data_type
        && a.nullable == b.nullable
        && a.default == b.default
        && a.identity == b.identity
        && a.generated == b.generated
        && a.collation == b.collation
        && a.mysql == b.mysql
}
