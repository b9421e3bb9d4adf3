//! `SET NOT NULL` on a column that already holds rows.

use super::Context;
use crate::diff::{Hazard, HazardKind};
use crate::model::Change;

/// Fails on any row holding NULL, so it is destructive until those rows are backfilled.
pub(super) fn check(change: &Change, _context: &Context<'_>) -> Option<Hazard> {
    let Change::AlterColumn { table, from, to } = change else {
        return None;
    };
    (from.nullable && !to.nullable).then(|| Hazard {
        kind: HazardKind::SetsNotNull,
        message: format!(
            "SET NOT NULL on {table}.{} fails if any row holds NULL: backfill those rows first \
             (a hand-written migration made with `bfm create`)",
            to.name
        ),
    })
}

#[cfg(test)]
mod tests {
    use crate::diff::HazardKind;
    use crate::diff::tests::{assessed, fixture, kinds_of, table};

    #[test]
    fn setting_not_null_on_an_existing_column_asks_for_a_backfill() {
        let current = fixture();
        let mut desired = fixture();
        if let Some(name) = table(&mut desired, "organizations").column_mut("name") {
            name.nullable = false;
        }
        let found = assessed(&current, &desired);
        let what = "set not null on core.organizations.name";
        assert_eq!(kinds_of(&found, what), [HazardKind::SetsNotNull]);
        let change = found.iter().find(|a| a.change.describe() == what);
        assert!(change.is_some_and(|a| a.hazards[0].message.contains("backfill")));
        assert!(change.is_some_and(|a| !a.permitted_by_schema));
    }

    #[test]
    fn the_columns_own_flag_permits_setting_not_null() {
        let current = fixture();
        let mut desired = fixture();
        if let Some(name) = table(&mut desired, "organizations").column_mut("name") {
            name.nullable = false;
            name.allow_destructive = true;
        }
        let found = assessed(&current, &desired);
        assert!(found.iter().all(|a| a.permitted_by_schema));
    }

    #[test]
    fn dropping_not_null_is_harmless() {
        let current = fixture();
        let mut desired = fixture();
        if let Some(slug) = table(&mut desired, "organizations").column_mut("slug") {
            slug.nullable = true;
        }
        let found = assessed(&current, &desired);
        assert_eq!(
            kinds_of(&found, "drop not null on core.organizations.slug"),
            []
        );
    }
}
