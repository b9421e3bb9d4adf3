//! Type changes that make PostgreSQL rewrite the whole table.

use super::Context;
use super::narrowing::classify;
use crate::diff::{Hazard, HazardKind};
use crate::model::Change;

/// A rewrite holds an exclusive lock for as long as it takes to copy every row: a warning.
pub(super) fn check(change: &Change, _context: &Context<'_>) -> Option<Hazard> {
    let Change::AlterColumn { table, from, to } = change else {
        return None;
    };
    if from.data_type == to.data_type || !classify(&from.data_type, &to.data_type).rewrites {
        return None;
    }
    Some(Hazard {
        kind: HazardKind::RewritesTable,
        message: format!(
            "changing {table}.{} from {} to {} rewrites the table under an exclusive lock",
            to.name, from.data_type, to.data_type
        ),
    })
}

#[cfg(test)]
mod tests {
    use crate::diff::HazardKind;
    use crate::diff::tests::{assessed, fixture, kinds_of, table};

    #[test]
    fn widening_an_integer_rewrites_the_table() {
        let current = fixture();
        let mut desired = fixture();
        if let Some(id) = table(&mut desired, "users").column_mut("org_id") {
            id.data_type = "numeric".to_string();
        }
        let found = assessed(&current, &desired);
        assert_eq!(
            kinds_of(&found, "alter type on core.users.org_id"),
            [HazardKind::RewritesTable]
        );
    }

    #[test]
    fn raising_a_varchar_limit_changes_only_the_catalog() {
        let current = fixture();
        let mut desired = fixture();
        if let Some(email) = table(&mut desired, "users").column_mut("email") {
            email.data_type = "character varying(320)".to_string();
        }
        let found = assessed(&current, &desired);
        assert_eq!(kinds_of(&found, "alter type on core.users.email"), []);
    }
}
