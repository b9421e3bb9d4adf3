//! Hazard rules, one per file: each looks at one change (with the whole change list and both
//! models at hand) and says what can go wrong.

mod deletes_keys;
mod domains;
mod drops;
mod enum_values;
mod narrowing;
mod not_null_without_default;
mod partitions;
mod rebuilds;
mod recreates;
mod rewrites;
mod set_not_null;
mod validates_rows;

use super::Hazard;
use crate::model::{Change, Model, QualifiedName};

/// What every rule may look at besides the change itself.
pub(super) struct Context<'a> {
    pub changes: &'a [Change],
    pub current: &'a Model,
}

impl<'a> Context<'a> {
    pub fn new(changes: &'a [Change], current: &'a Model) -> Self {
        Context { changes, current }
    }
}

type Rule = fn(&Change, &Context<'_>) -> Option<Hazard>;

const RULES: &[Rule] = &[
    drops::check,
    rebuilds::check,
    narrowing::check,
    rewrites::check,
    set_not_null::check,
    enum_values::check,
    not_null_without_default::check,
    validates_rows::check,
    recreates::check,
    deletes_keys::check,
    domains::check,
    partitions::check,
];

/// The hazards of one change, in rule order.
pub(super) fn hazards(change: &Change, context: &Context<'_>) -> Vec<Hazard> {
    RULES
        .iter()
        .filter_map(|rule| rule(change, context))
        .collect()
}

/// Whether a flag of the desired state covers `change`: the schema's `allow_drop` names the
/// object it drops (table, view, enum, sequence, constraint or index), the desired table says
/// `allow_destructive`, or, for a column added or altered in place, the desired column does.
pub(super) fn permitted(change: &Change, desired: &Model) -> bool {
    let subject = change.subject();
    let schema = desired.schemas.get(&subject.schema);
    let allowed_drop = |name: &str| schema.is_some_and(|s| s.allow_drop.iter().any(|n| n == name));
    let table_allows =
        |table: &QualifiedName| desired.table(table).is_some_and(|t| t.allow_destructive);
    match change {
        Change::DropTable { table, .. } => allowed_drop(&table.name),
        Change::DropView { view, .. } => allowed_drop(&view.name),
        Change::DropEnum { value, .. } => allowed_drop(&value.name),
        Change::DropDomain { domain, .. } => allowed_drop(&domain.name),
        Change::RecreateEnum { from, .. } => allowed_drop(&from.name),
        Change::DropSequence { sequence, .. } => allowed_drop(&sequence.name),
        Change::DropFunction { function, .. } => allowed_drop(&function.name),
        Change::DropEvent { event, .. } => allowed_drop(&event.name),
        Change::DropTrigger { table, trigger } => {
            allowed_drop(&trigger.name) || table_allows(table)
        }
        Change::DropColumn { table, .. } | Change::DropColumnAt { table, .. } => {
            table_allows(table)
        }
        Change::AddColumn { table, column }
        | Change::AlterColumn {
            table, to: column, ..
        } => {
            table_allows(table)
                || desired
                    .table(table)
                    .and_then(|t| t.column(&column.name))
                    .is_some_and(|c| c.allow_destructive)
        }
        Change::DropPrimaryKey { table, key } => allowed_drop(&key.name) || table_allows(table),
        Change::DropUnique { table, unique } => allowed_drop(&unique.name) || table_allows(table),
        Change::DropCheck { table, check } => allowed_drop(&check.name) || table_allows(table),
        Change::DropForeignKey { table, foreign_key } => {
            allowed_drop(&foreign_key.name) || table_allows(table)
        }
        Change::DropIndex { table, index } => allowed_drop(&index.name) || table_allows(table),
        Change::SetPartitioning { table, .. } => table_allows(table),
        Change::DeleteKey { table, .. } => schema
            .and_then(|s| s.key_groups.get(table))
            .is_some_and(|group| group.prune),
        _ => false,
    }
}

/// For the drop of a constraint or index that the same change list adds back under the same
/// name (a changed definition), what kind of object it is; `None` for anything else.
pub(super) fn readded(change: &Change, changes: &[Change]) -> Option<&'static str> {
    let (false, kind, table, name) = named_object(change)? else {
        return None;
    };
    changes
        .iter()
        .filter_map(named_object)
        .any(|other| other == (true, kind, table, name))
        .then_some(kind)
}

/// Whether `change` adds a constraint or index that the same change list drops under the same
/// name (a changed definition).
pub(super) fn replaces_dropped(change: &Change, changes: &[Change]) -> bool {
    let Some((true, kind, table, name)) = named_object(change) else {
        return false;
    };
    changes
        .iter()
        .filter_map(named_object)
        .any(|other| other == (false, kind, table, name))
}

/// A change that adds (`true`) or drops a constraint or index: its kind, table and name.
fn named_object(change: &Change) -> Option<(bool, &'static str, &QualifiedName, &str)> {
    let found = match change {
        Change::AddPrimaryKey { table, key } => (true, "primary key", table, &key.name),
        Change::DropPrimaryKey { table, key } => (false, "primary key", table, &key.name),
        Change::AddUnique { table, unique } => (true, "unique constraint", table, &unique.name),
        Change::DropUnique { table, unique } => (false, "unique constraint", table, &unique.name),
        Change::AddCheck { table, check } => (true, "check constraint", table, &check.name),
        Change::DropCheck { table, check } => (false, "check constraint", table, &check.name),
        Change::AddForeignKey { table, foreign_key } => {
            (true, "foreign key", table, &foreign_key.name)
        }
        Change::DropForeignKey { table, foreign_key } => {
            (false, "foreign key", table, &foreign_key.name)
        }
        Change::CreateIndex { table, index } => (true, "index", table, &index.name),
        Change::DropIndex { table, index } => (false, "index", table, &index.name),
        _ => return None,
    };
    Some((found.0, found.1, found.2, found.3.as_str()))
}
