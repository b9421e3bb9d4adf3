//! GreptimeDB: a change the server cannot ALTER recreates the table, losing its rows; a dropped
//! field column loses its data.

use super::{Context, Hazard};
use crate::diff::HazardKind;
use crate::model::Change;

pub(super) fn check(change: &Change, _context: &Context<'_>) -> Option<Hazard> {
    let subject = change.subject();
    match change {
        Change::RecreateTable { reasons, .. } => Some(Hazard {
            kind: HazardKind::RecreatesTable,
            message: format!(
                "GreptimeDB cannot alter {subject} in place ({}): the table is dropped and created again, losing all its rows (pass --allow-recreate)",
                reasons.join("; ")
            ),
        }),
        Change::DropColumnAt { column, .. } => Some(Hazard {
            kind: HazardKind::DropsColumn,
            message: format!(
                "dropping column {subject}.{} deletes its data in every row",
                column.name
            ),
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Model, Table};

    #[test]
    fn recreating_a_table_is_data_loss_with_its_reasons() {
        let change = Change::RecreateTable {
            schema: "db".into(),
            from: Table::default(),
            to: Table {
                name: "t".into(),
                ..Table::default()
            },
            reasons: vec!["the engine changes from mito to metric".into()],
        };
        let model = Model::default();
        let hazard = check(&change, &Context::new(&[], &model)).unwrap();
        assert_eq!(hazard.kind, HazardKind::RecreatesTable);
        assert!(hazard.message.contains("engine changes"));
        assert_eq!(hazard.kind.severity(), crate::diff::Severity::DataLoss);
    }
}
