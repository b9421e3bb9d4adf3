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

#[cfg(test)]
mod tests {
    use crate::diff::tests::{assessed, column, fixture, kinds_of, table};
    use crate::diff::{HazardKind, Severity};
    use crate::model::{Column, Model};

    #[test]
    fn a_not_null_column_without_default_on_an_existing_table_is_refused() {
        let current = fixture();
        let mut desired = fixture();
        let users = table(&mut desired, "users");
        users.columns.push(column("locale", "text", false));
        users.allow_destructive = true;
        let found = assessed(&current, &desired);
        let what = "add column core.users.locale";
        assert_eq!(
            kinds_of(&found, what),
            [HazardKind::AddsNotNullWithoutDefault]
        );
        let change = found.iter().find(|a| a.change.describe() == what);
        assert!(change.is_some_and(|a| a.severity() == Some(Severity::Refused)));
        assert!(change.is_some_and(|a| a.hazards[0].message.contains("default")));
        // The table's `allow_destructive` is the explicit permission that lets it through.
        assert!(change.is_some_and(|a| a.permitted_by_schema && !a.refused(false)));

        let mut desired = fixture();
        table(&mut desired, "users")
            .columns
            .push(column("locale", "text", false));
        let found = assessed(&current, &desired);
        let change = found.iter().find(|a| a.change.describe() == what);
        assert!(change.is_some_and(|a| !a.permitted_by_schema && a.refused(false)));
        assert!(change.is_some_and(|a| !a.refused(true)));
    }

    #[test]
    fn a_default_or_a_new_table_makes_it_fine() {
        let current = fixture();
        let mut desired = fixture();
        table(&mut desired, "users").columns.push(Column {
            default: Some("'en'".to_string()),
            ..column("locale", "text", false)
        });
        let found = assessed(&current, &desired);
        assert_eq!(kinds_of(&found, "add column core.users.locale"), []);
        let found = assessed(&Model::default(), &fixture());
        assert!(found.iter().all(|a| a.hazards.is_empty()));
    }
}
