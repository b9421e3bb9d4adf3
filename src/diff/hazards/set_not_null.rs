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
