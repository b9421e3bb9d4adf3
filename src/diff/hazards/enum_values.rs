//! Recreating an enum without some of its labels.

use super::Context;
use crate::diff::{Hazard, HazardKind};
use crate::model::Change;

/// Converting the columns to the new type fails on rows holding a removed label.
pub(super) fn check(change: &Change, _context: &Context<'_>) -> Option<Hazard> {
    let Change::RecreateEnum { from, to, .. } = change else {
        return None;
    };
    let lost: Vec<String> = from
        .values
        .iter()
        .filter(|label| !to.values.contains(label))
        .map(|label| format!("'{label}'"))
        .collect();
    if lost.is_empty() {
        return None;
    }
    Some(Hazard {
        kind: HazardKind::RemovesEnumValue,
        message: format!(
            "type {} loses {}: rows holding them make the conversion fail, so update them first; \
             to rename a label instead, write `ALTER TYPE … RENAME VALUE` in a hand-written \
             migration (`bfm create`)",
            change.subject(),
            lost.join(", ")
        ),
    })
}
