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

#[cfg(test)]
mod tests {
    use crate::diff::HazardKind;
    use crate::diff::tests::{assessed, fixture, kinds_of, table};

    #[test]
    fn a_changed_check_is_rebuilt_with_a_warning_not_a_drop() {
        let current = fixture();
        let mut desired = fixture();
        table(&mut desired, "users").checks[0].expression = "length(email) > 3".to_string();
        let found = assessed(&current, &desired);
        assert_eq!(
            kinds_of(&found, "drop check users_email_check from core.users"),
            [HazardKind::LocksTable]
        );
        assert_eq!(
            kinds_of(&found, "add check users_email_check to core.users"),
            []
        );
    }

    #[test]
    fn a_changed_index_is_rebuilt_with_a_warning_not_a_drop() {
        let current = fixture();
        let mut desired = fixture();
        table(&mut desired, "users").indexes[0].unique = false;
        let found = assessed(&current, &desired);
        assert_eq!(
            kinds_of(&found, "drop index users_lower_idx on core.users"),
            [HazardKind::LocksTable]
        );
    }
}
