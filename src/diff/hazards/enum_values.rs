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

#[cfg(test)]
mod tests {
    use crate::diff::HazardKind;
    use crate::diff::tests::{assessed, core, fixture, kinds_of};

    #[test]
    fn removing_a_label_says_how_to_get_out() {
        let current = fixture();
        let mut desired = fixture();
        if let Some(role) = core(&mut desired).enums.get_mut("user_role") {
            role.values = vec!["member".to_string(), "owner".to_string()];
        }
        let found = assessed(&current, &desired);
        let what = "recreate enum core.user_role";
        assert_eq!(kinds_of(&found, what), [HazardKind::RemovesEnumValue]);
        let message = &found[0].hazards[0].message;
        assert!(message.contains("'admin'"), "{message}");
        assert!(message.contains("RENAME VALUE"), "{message}");
        assert!(message.contains("bfm create"), "{message}");
    }

    #[test]
    fn reordering_labels_removes_none() {
        let current = fixture();
        let mut desired = fixture();
        if let Some(role) = core(&mut desired).enums.get_mut("user_role") {
            role.values.reverse();
        }
        let found = assessed(&current, &desired);
        assert_eq!(kinds_of(&found, "recreate enum core.user_role"), []);
    }
}
