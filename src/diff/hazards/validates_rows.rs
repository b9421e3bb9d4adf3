//! A check or foreign key added to a table that already holds rows.

use super::{Context, replaces_dropped};
use crate::diff::{Hazard, HazardKind};
use crate::model::{Change, QualifiedName};

/// PostgreSQL checks every existing row before the constraint is in place, holding a lock that
/// blocks writes meanwhile: a warning, with the two-step way out. A table created by the same
/// changes is empty, and a constraint re-added after a drop is already warned about there.
pub(super) fn check(change: &Change, context: &Context<'_>) -> Option<Hazard> {
    let (table, kind, name) = match change {
        Change::AddCheck { table, check } => (table, "check constraint", &check.name),
        Change::AddForeignKey { table, foreign_key } => (table, "foreign key", &foreign_key.name),
        _ => return None,
    };
    if created_here(table, context.changes) || replaces_dropped(change, context.changes) {
        return None;
    }
    Some(Hazard {
        kind: HazardKind::LocksTable,
        message: format!(
            "adding {kind} {name} scans every row of {table} under lock; to avoid it, add it \
             NOT VALID and run VALIDATE CONSTRAINT later in a hand-written migration"
        ),
    })
}

/// Whether `changes` create `table`.
fn created_here(table: &QualifiedName, changes: &[Change]) -> bool {
    changes.iter().any(|change| {
        matches!(change, Change::CreateTable { schema, table: created }
            if *schema == table.schema && created.name == table.name)
    })
}

#[cfg(test)]
mod tests {
    use crate::diff::HazardKind;
    use crate::diff::tests::{assessed, fixture, table};
    use crate::model::{Check, Model};

    fn with_check(mut model: Model, table_name: &str) -> Model {
        table(&mut model, table_name).checks.push(Check {
            name: format!("{table_name}_name_check"),
            expression: "name <> ''".to_string(),
            no_inherit: false,
        });
        table(&mut model, table_name).sort_constraints();
        model
    }

    #[test]
    fn adding_a_check_to_an_existing_table_warns_about_the_scan() {
        let current = fixture();
        let desired = with_check(fixture(), "organizations");
        let found = assessed(&current, &desired);
        let add = found
            .iter()
            .find(|a| {
                a.change.describe() == "add check organizations_name_check to core.organizations"
            })
            .map(|a| &a.hazards);
        let hazards = add.unwrap_or_else(|| panic!("no added check in {found:#?}"));
        assert_eq!(hazards.len(), 1);
        assert_eq!(hazards[0].kind, HazardKind::LocksTable);
        assert!(
            hazards[0].message.contains("NOT VALID"),
            "{}",
            hazards[0].message
        );
    }

    #[test]
    fn foreign_keys_of_a_new_table_warn_about_nothing() {
        let mut current = fixture();
        current
            .schema_mut("core")
            .tables
            .retain(|name, _| name == "organizations");
        current.schema_mut("core").views.clear();
        let found = assessed(&current, &fixture());
        let foreign_key = found
            .iter()
            .find(|a| matches!(a.change, crate::model::Change::AddForeignKey { .. }))
            .unwrap_or_else(|| panic!("no foreign key in {found:#?}"));
        assert_eq!(foreign_key.hazards, []);
    }
}
