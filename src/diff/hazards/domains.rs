//! Dropping or tightening a domain, which every column of its type feels.

use super::Context;
use crate::diff::{Hazard, HazardKind};
use crate::model::Change;

/// A dropped domain breaks whatever uses it (unless the same changes create it again, for a
/// new base type); a dropped check stops guarding the columns of the domain's type; `SET NOT
/// NULL` and a new check are verified against every such column and fail on a value that
/// breaks them. The worst of these is reported.
pub(super) fn check(change: &Change, context: &Context<'_>) -> Option<Hazard> {
    let subject = change.subject();
    match change {
        Change::DropDomain { schema, domain } => {
            let recreated = context.changes.iter().any(|other| {
                matches!(other, Change::CreateDomain { schema: s, domain: d }
                    if s == schema && d.name == domain.name)
            });
            (!recreated).then(|| Hazard {
                kind: HazardKind::DropsObject,
                message: format!("dropping domain {subject}: whatever uses it will fail"),
            })
        }
        Change::AlterDomain { from, to, .. } => {
            let dropped = from.checks.iter().find(|c| !to.checks.contains(c));
            let added = to.checks.iter().find(|c| !from.checks.contains(c));
            let readded = |name: &str| to.checks.iter().any(|c| c.name == name);
            if let Some(check) = dropped.filter(|c| !readded(&c.name)) {
                return Some(Hazard {
                    kind: HazardKind::DropsConstraint,
                    message: format!(
                        "dropping check {} of domain {subject}: the values it guarded are no \
                         longer checked",
                        check.name
                    ),
                });
            }
            if to.not_null && !from.not_null {
                return Some(Hazard {
                    kind: HazardKind::SetsNotNull,
                    message: format!(
                        "SET NOT NULL on domain {subject} fails if a column of that type holds \
                         NULL: backfill those rows first"
                    ),
                });
            }
            added.map(|check| Hazard {
                kind: HazardKind::LocksTable,
                message: format!(
                    "adding check {} to domain {subject} scans every column of that type under \
                     lock and fails on a value that breaks it",
                    check.name
                ),
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use crate::diff::HazardKind;
    use crate::diff::{assess, diff};
    use crate::model::{Domain, Model};

    fn with_domain(not_null: bool) -> Model {
        let mut model = Model::default();
        model.schema_mut("public").domains.insert(
            "email".to_string(),
            Domain {
                name: "email".to_string(),
                data_type: "text".to_string(),
                default: None,
                not_null,
                collation: None,
                checks: Vec::new(),
                comment: None,
            },
        );
        model
    }

    #[test]
    fn setting_not_null_on_a_domain_asks_for_a_backfill_and_dropping_it_is_destructive() {
        let (nullable, not_null) = (with_domain(false), with_domain(true));
        let found = assess(diff(&nullable, &not_null), &nullable, &not_null);
        let kinds: Vec<HazardKind> = found
            .iter()
            .flat_map(|a| &a.hazards)
            .map(|h| h.kind)
            .collect();
        assert_eq!(kinds, [HazardKind::SetsNotNull]);
        let mut empty = Model::default();
        empty.schema_mut("public");
        let found = assess(diff(&nullable, &empty), &nullable, &empty);
        let kinds: Vec<HazardKind> = found
            .iter()
            .flat_map(|a| &a.hazards)
            .map(|h| h.kind)
            .collect();
        assert_eq!(kinds, [HazardKind::DropsObject]);
    }
}
