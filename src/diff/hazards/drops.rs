//! Dropping anything that holds data or that other code relies on.

use super::{Context, readded};
use crate::diff::{Hazard, HazardKind};
use crate::model::Change;

/// Drops of tables, columns, constraints, indexes, views, enums, sequences, extensions and
/// schemas. A constraint or index dropped only to be added back changed, and a view dropped only
/// to be created again, lose nothing (see the rebuild rule for the former).
pub(super) fn check(change: &Change, context: &Context<'_>) -> Option<Hazard> {
    let subject = change.subject();
    let (kind, message) = match change {
        Change::DropTable { .. } => (
            HazardKind::DropsTable,
            format!("dropping table {subject} deletes all its rows"),
        ),
        Change::DropColumn { column, .. } => (
            HazardKind::DropsColumn,
            format!(
                "dropping column {subject}.{} deletes its data in every row",
                column.name
            ),
        ),
        Change::DropIndex { index, .. } if readded(change, context.changes).is_none() => (
            HazardKind::DropsIndex,
            format!(
                "dropping index {} on {subject} can slow the queries that use it",
                index.name
            ),
        ),
        Change::DropPrimaryKey { .. }
        | Change::DropUnique { .. }
        | Change::DropCheck { .. }
        | Change::DropForeignKey { .. }
            if readded(change, context.changes).is_none() =>
        {
            (
                HazardKind::DropsConstraint,
                format!(
                    "{}: the rows it guarded are no longer checked",
                    change.describe()
                ),
            )
        }
        Change::DropView { view, schema } if !recreated(view, schema, context.changes) => (
            HazardKind::DropsObject,
            format!(
                "{}: queries that use it will fail",
                change.describe()
            ),
        ),
        Change::DropEnum { .. }
        | Change::DropSequence { .. }
        | Change::DropExtension { .. }
        | Change::DropSchema { .. } => (
            HazardKind::DropsObject,
            format!("{}: whatever uses it will fail", change.describe()),
        ),
        _ => return None,
    };
    Some(Hazard { kind, message })
}

/// Whether the same change list creates a view of that name again.
fn recreated(view: &crate::model::View, schema: &str, changes: &[Change]) -> bool {
    changes.iter().any(|other| {
        matches!(other, Change::CreateView { schema: s, view: v } if s == schema && v.name == view.name)
    })
}
