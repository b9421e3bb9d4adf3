//! Adding a NOT NULL column without a value for the rows already there.

use super::Context;
use crate::diff::{Hazard, HazardKind};
use crate::model::{Change, Column};

/// Refused: on a table with rows PostgreSQL has nothing to put in the new column. A table that
/// does not exist yet (created by the same change list) is empty, so it is fine there.
pub(super) fn check(change: &Change, context: &Context<'_>) -> Option<Hazard> {
    let Change::AddColumn { table, column } = change else {
        return None;
    };
    let renamed_here = context.changes.iter().any(|other| {
        matches!(other, Change::RenameTable { schema, to, .. }
            if *schema == table.schema && *to == table.name)
    });
    let existing = context.current.table(table).is_some() || renamed_here;
    if !existing || column.nullable || fills_itself(column) {
        return None;
    }
    Some(Hazard {
        kind: HazardKind::AddsNotNullWithoutDefault,
        message: format!(
            "column {table}.{} is NOT NULL without a default, which fails on existing rows: give \
             it a default, or add it nullable, backfill it, and then make it NOT NULL",
            column.name
        ),
    })
}

/// Whether the server fills the column of existing rows by itself.
fn fills_itself(column: &Column) -> bool {
    column.default.is_some()
        || column.identity.is_some()
        || column.generated.is_some()
        || matches!(
            column.data_type.as_str(),
            "serial" | "bigserial" | "smallserial"
        )
}
