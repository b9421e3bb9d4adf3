//! MySQL partitioning changes: a dropped partition deletes its rows; partitioning a table anew
//! or removing its partitioning copies every row.

use super::Context;
use crate::diff::{Hazard, HazardKind};
use crate::model::{Change, MysqlPartitioning, PartitionEdit};

pub(super) fn check(change: &Change, _context: &Context<'_>) -> Option<Hazard> {
    let Change::SetPartitioning { table, from, to } = change else {
        return None;
    };
    let (kind, message) = match MysqlPartitioning::edit(from.as_ref(), to.as_ref())? {
        PartitionEdit::Partitions { dropped, .. } if !dropped.is_empty() => {
            let names: Vec<&str> = dropped.iter().map(|p| p.name.as_str()).collect();
            (
                HazardKind::DropsPartition,
                format!(
                    "dropping partition {} of {table} deletes the rows it holds",
                    names.join(", ")
                ),
            )
        }
        PartitionEdit::Partitions { .. } => return None,
        PartitionEdit::Repartition(_) | PartitionEdit::Remove => (
            HazardKind::RewritesTable,
            format!("{}: every row of {table} is copied", change.describe()),
        ),
    };
    Some(Hazard { kind, message })
}

#[cfg(test)]
mod tests {
    use crate::diff::HazardKind;
    use crate::diff::tests::{assessed, fixture, kinds_of, table};
    use crate::model::{MysqlPartition, MysqlPartitioning, MysqlTable, Table};

    fn by_year(years: &[u32]) -> MysqlPartitioning {
        MysqlPartitioning {
            method: "RANGE".into(),
            expression: "year(created_at)".into(),
            partitions: years
                .iter()
                .map(|y| MysqlPartition {
                    name: format!("p{y}"),
                    values: vec![(y + 1).to_string()],
                })
                .collect(),
        }
    }

    fn partition(table: &mut Table, partitioning: MysqlPartitioning) {
        table.mysql = Some(MysqlTable {
            partitioning: Some(partitioning),
            ..MysqlTable::default()
        });
    }

    #[test]
    fn dropping_a_partition_is_destructive_and_adding_one_is_not() {
        let mut current = fixture();
        partition(table(&mut current, "users"), by_year(&[2022, 2023]));
        let mut fewer = fixture();
        partition(table(&mut fewer, "users"), by_year(&[2022]));
        let dropped = assessed(&current, &fewer);
        assert_eq!(
            kinds_of(&dropped, "set partitioning of table core.users"),
            [HazardKind::DropsPartition]
        );
        let added = assessed(&fewer, &current);
        assert_eq!(kinds_of(&added, "set partitioning of table core.users"), []);
    }

    #[test]
    fn removing_partitioning_copies_the_table_without_loss() {
        let mut current = fixture();
        partition(table(&mut current, "users"), by_year(&[2022]));
        let found = assessed(&current, &fixture());
        assert_eq!(
            kinds_of(&found, "remove partitioning from table core.users"),
            [HazardKind::RewritesTable]
        );
    }
}
