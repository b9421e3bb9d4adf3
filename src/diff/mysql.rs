//! What MySQL/MariaDB cannot do in place, for tables with a MySQL slot: the generic table diff
//! asks these rules and drops and adds what the server would otherwise lose or refuse.

use super::columns::same_definition;
use crate::model::{Check, Column, Table};

/// Whether checks and foreign keys that only changed name may be renamed: MySQL renames
/// indexes only, so on a MySQL table they are dropped and added under the new name.
pub(super) fn renames_constraints(from: &Table, to: &Table) -> bool {
    from.mysql.is_none() && to.mysql.is_none()
}

/// The unchanged column checks (MariaDB names a column-level check after its column) of the
/// columns that change: `MODIFY COLUMN` restates the column without its check, which the server
/// then forgets, so the check is dropped before and added again after. Sorted by name.
pub(super) fn restated_checks(from: &Table, to: &Table) -> Vec<Check> {
    if from.mysql.is_none() && to.mysql.is_none() {
        return Vec::new();
    }
    let mut checks: Vec<Check> = from
        .checks
        .iter()
        .filter(|check| to.checks.contains(check))
        .filter(
            |check| match (from.column(&check.name), to.column(&check.name)) {
                (Some(old), Some(new)) => !same_definition(old, new),
                _ => false,
            },
        )
        .cloned()
        .collect();
    checks.sort_by(|a, b| a.name.cmp(&b.name));
    checks
}

/// The unchanged columns whose column check goes or changes: MariaDB cannot drop a
/// column-level check by name (`DROP CONSTRAINT IF EXISTS` passes it by), only a `MODIFY COLUMN`
/// that restates the column without it. In the desired order.
pub(super) fn restated_columns(from: &Table, to: &Table) -> Vec<Column> {
    if from.mysql.is_none() && to.mysql.is_none() {
        return Vec::new();
    }
    to.columns
        .iter()
        .filter(|column| {
            let kept = from
                .column(&column.name)
                .is_some_and(|old| same_definition(old, column));
            let check_goes = from
                .checks
                .iter()
                .filter(|check| check.name.eq_ignore_ascii_case(&column.name))
                .any(|check| !to.checks.contains(check));
            kept && check_goes
        })
        .cloned()
        .collect()
}
