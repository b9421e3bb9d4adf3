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
            format!("{}: queries that use it will fail", change.describe()),
        ),
        Change::DropFunction { schema, function }
            if !recreated_function(schema, function, context.changes) =>
        {
            (
                HazardKind::DropsObject,
                format!("{}: whatever calls it will fail", change.describe()),
            )
        }
        Change::DropTrigger { table, trigger }
            if !recreated_trigger(table, trigger, context.changes) =>
        {
            (
                HazardKind::DropsObject,
                format!("{}: what it did on every write stops", change.describe()),
            )
        }
        Change::DropEvent { .. } => (
            HazardKind::DropsObject,
            format!("{}: what it did on its schedule stops", change.describe()),
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

/// Whether the same change list creates a routine of that name again (its signature changed).
fn recreated_function(schema: &str, function: &crate::model::Function, changes: &[Change]) -> bool {
    changes.iter().any(|other| {
        matches!(other, Change::CreateFunction { schema: s, function: f }
            if s == schema && f.name == function.name)
    })
}

/// Whether the same change list creates a trigger of that name on that table again.
fn recreated_trigger(
    table: &crate::model::QualifiedName,
    trigger: &crate::model::Trigger,
    changes: &[Change],
) -> bool {
    changes.iter().any(|other| {
        matches!(other, Change::CreateTrigger { table: t, trigger: g }
            if t == table && g.name == trigger.name)
    })
}

/// Whether the same change list creates a view of that name again.
fn recreated(view: &crate::model::View, schema: &str, changes: &[Change]) -> bool {
    changes.iter().any(|other| {
        matches!(other, Change::CreateView { schema: s, view: v } if s == schema && v.name == view.name)
    })
}

#[cfg(test)]
mod tests {
    use crate::diff::HazardKind;
    use crate::diff::tests::{assessed, core, fixture, kinds_of, table};

    #[test]
    fn dropping_a_table_is_destructive_unless_allow_drop_names_it() {
        let current = fixture();
        let mut desired = fixture();
        core(&mut desired).tables.remove("organizations");
        table(&mut desired, "users").foreign_keys.clear();
        let found = assessed(&current, &desired);
        assert_eq!(
            kinds_of(&found, "drop table core.organizations"),
            [HazardKind::DropsTable]
        );
        assert!(found.iter().all(|a| !a.permitted_by_schema));

        core(&mut desired).allow_drop = vec!["organizations".to_string()];
        let found = assessed(&current, &desired);
        let drop = found
            .iter()
            .find(|a| a.change.describe() == "drop table core.organizations");
        assert!(drop.is_some_and(|a| a.permitted_by_schema));
    }

    #[test]
    fn dropping_a_column_is_destructive_and_the_tables_flag_permits_it() {
        let current = fixture();
        let mut desired = fixture();
        let users = table(&mut desired, "users");
        users.columns.retain(|c| c.name != "created_at");
        let found = assessed(&current, &desired);
        let what = "drop column core.users.created_at";
        assert_eq!(kinds_of(&found, what), [HazardKind::DropsColumn]);
        table(&mut desired, "users").allow_destructive = true;
        let found = assessed(&current, &desired);
        assert!(
            found
                .iter()
                .any(|a| a.change.describe() == what && a.permitted_by_schema)
        );
    }

    #[test]
    fn dropping_constraints_indexes_and_objects_for_good_is_destructive() {
        let current = fixture();
        let mut desired = fixture();
        let users = table(&mut desired, "users");
        users.checks.clear();
        users.indexes.clear();
        let schema = core(&mut desired);
        schema.views.clear();
        schema.sequences.clear();
        let found = assessed(&current, &desired);
        assert_eq!(
            kinds_of(&found, "drop check users_email_check from core.users"),
            [HazardKind::DropsConstraint]
        );
        assert_eq!(
            kinds_of(&found, "drop index users_lower_idx on core.users"),
            [HazardKind::DropsIndex]
        );
        assert_eq!(
            kinds_of(&found, "drop view core.active_users"),
            [HazardKind::DropsObject]
        );
        assert_eq!(
            kinds_of(&found, "drop sequence core.invoice_numbers"),
            [HazardKind::DropsObject]
        );
    }

    #[test]
    fn a_view_dropped_to_be_created_again_loses_nothing() {
        let current = fixture();
        let mut desired = fixture();
        if let Some(email) = table(&mut desired, "users").column_mut("email") {
            email.data_type = "text".to_string();
        }
        let found = assessed(&current, &desired);
        assert_eq!(kinds_of(&found, "drop view core.active_users"), []);
    }
}
