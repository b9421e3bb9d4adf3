//! A constraint or index whose definition changed is dropped and added again under its name.

use super::{Context, readded};
use crate::diff::{Hazard, HazardKind};
use crate::model::Change;

/// Nothing is lost, but adding it back validates every row (or builds the index) while the
/// table is locked: a warning.
pub(super) fn check(change: &Change, context: &Context<'_>) -> Option<Hazard> {
    let kind = readded(change, context.changes)?;
    Some(Hazard {
        kind: HazardKind::LocksTable,
        message: format!(
            "the changed {kind} is dropped and added again: {} is locked while it is rebuilt \
             over every row",
            change.subject()
        ),
    })
}
