//! etcd: deleting a key loses its value for whoever reads the configuration.

use super::{Context, Hazard};
use crate::diff::HazardKind;
use crate::model::Change;

pub(super) fn check(change: &Change, _context: &Context<'_>) -> Option<Hazard> {
    match change {
        Change::DeleteKey {
            schema, table, key, ..
        } => Some(Hazard {
            kind: HazardKind::DeletesKey,
            message: format!(
                "deleting key {schema}/{table}/{key} removes a value services may still read (its group says prune: true; the down migration puts it back)"
            ),
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Model;

    #[test]
    fn deleting_a_key_is_destructive() {
        let change = Change::DeleteKey {
            schema: "global".into(),
            table: "settings".into(),
            key: "old".into(),
            previous: "1".into(),
        };
        let hazard = check(&change, &Context::new(&[], &Model::default())).unwrap();
        assert_eq!(hazard.kind, HazardKind::DeletesKey);
        assert_eq!(hazard.kind.severity(), crate::diff::Severity::Destructive);
    }
}
