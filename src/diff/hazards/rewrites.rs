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
