//! Model × Model → the list of typed [`Change`]s that turn one into the other, each assessed for
//! hazards. Pure functions: no SQL, no I/O.

mod columns;
mod domains;
mod events;
mod functions;
mod greptime;
mod hazards;
mod keys;
mod mysql;
mod objects;
mod tables;
#[cfg(test)]
pub(crate) mod tests;
mod views;

use crate::model::{Change, Model};
use serde::{Deserialize, Serialize};

pub use greptime::GreptimeVersion;
pub use keys::unlisted_keys;
pub use views::replaceable_in_place;

/// How much a hazard matters to `generate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Worth a line in the plan and the file header (a table rewrite, a long lock).
    Warning,
    /// Loses data or can fail on existing rows: written only when permitted
    /// (`--allow-destructive` or a per-object flag).
    Destructive,
    /// Recreates a table, losing its rows (GreptimeDB cannot ALTER the change): written only
    /// with `--allow-recreate`.
    DataLoss,
    /// Never written: the desired state must change (e.g. a NOT NULL column without a default
    /// added to an existing table), unless the hazard is one an explicit permission may
    /// override (see [`HazardKind::overridable`]).
    Refused,
}

/// Why a change is risky.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HazardKind {
    DropsTable,
    DropsColumn,
    DropsConstraint,
    DropsIndex,
    DropsObject,
    NarrowsType,
    SetsNotNull,
    RemovesEnumValue,
    AddsNotNullWithoutDefault,
    RewritesTable,
    LocksTable,
    /// The server cannot make the change in place: the table is dropped and created again.
    RecreatesTable,
    /// An etcd key the desired state no longer lists is deleted (its group says `prune: true`).
    DeletesKey,
    /// MySQL: a dropped RANGE or LIST partition takes its rows with it.
    DropsPartition,
}

impl HazardKind {
    pub fn severity(self) -> Severity {
        match self {
            HazardKind::RewritesTable | HazardKind::LocksTable => Severity::Warning,
            HazardKind::AddsNotNullWithoutDefault => Severity::Refused,
            HazardKind::RecreatesTable => Severity::DataLoss,
            _ => Severity::Destructive,
        }
    }

    /// Whether the permission destructive changes take (`--allow-destructive`, a table's or
    /// column's `allow_destructive`) also lets this refused hazard through: a NOT NULL column
    /// without a default only fails on a table with rows, and then inside the migration's
    /// transaction, leaving the database as it was.
    pub fn overridable(self) -> bool {
        matches!(self, HazardKind::AddsNotNullWithoutDefault)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hazard {
    pub kind: HazardKind,
    /// One sentence for a human: what can go wrong, and the way out where there is one.
    pub message: String,
}

/// A change with its hazards, and whether the desired state itself permits it (a per-object
/// `allow_destructive` / `allow_drop` flag).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssessedChange {
    pub change: Change,
    pub hazards: Vec<Hazard>,
    pub permitted_by_schema: bool,
}

impl AssessedChange {
    /// The worst severity among the hazards, if any.
    pub fn severity(&self) -> Option<Severity> {
        self.hazards.iter().map(|h| h.kind.severity()).max()
    }

    /// Whether the change must not be written: a refused hazard that no permission overrides,
    /// or an overridable one without `allow_destructive` nor a flag of the desired state.
    pub fn refused(&self, allow_destructive: bool) -> bool {
        let permitted = allow_destructive || self.permitted_by_schema;
        self.hazards
            .iter()
            .any(|h| h.kind.severity() == Severity::Refused && !(h.kind.overridable() && permitted))
    }
}

/// The changes that turn `current` into `desired`, in a canonical (not yet dependency) order:
/// schemas created (and their comments), extensions, enums (and their comments), sequences,
/// tables by schema and name, views (a comment-only change is a `SetComment`), schemas dropped.
/// Within a table: declared renames, then constraints and indexes that differ only by name
/// (renamed, never dropped and added), then the constraints and indexes that go (or change),
/// then columns (drops, then adds and alterations in the desired order), then the constraints and
/// indexes that come (primary key, uniques, checks, foreign keys, indexes, each by name), then
/// comments. Applying them in this order to `current` gives `desired.without_intent()`.
///
/// Both models are compared without intent, except for the declared renames (`renamed_from`).
pub fn diff(current: &Model, desired: &Model) -> Vec<Change> {
    diff_with(current, desired, &DiffOptions::default())
}

/// What the diff needs to know about the server besides the two models.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DiffOptions {
    /// Which ALTERs a GreptimeDB server can do (tables with a GreptimeDB slot only).
    pub greptime_version: GreptimeVersion,
}

/// [`diff`] for a given server: GreptimeDB tables follow what `options.greptime_version` can
/// ALTER, and recreate the table otherwise.
pub fn diff_with(current: &Model, desired: &Model, options: &DiffOptions) -> Vec<Change> {
    let target = keys::without_key_spaces(desired.without_intent());
    let original = keys::without_key_spaces(current.without_intent());
    let mut renamed = original.clone();
    let renames = tables::declared_renames(&mut renamed, desired);

    let mut changes = Vec::new();
    objects::create_schemas(&renamed, &target, &mut changes);
    objects::extensions(&renamed, &target, &mut changes);
    objects::enums(&original, &renamed, &target, &mut changes);
    domains::domains(&renamed, &target, &mut changes);
    objects::sequences(&renamed, &target, &mut changes);
    let recreated_functions = functions::functions(&renamed, &target, &mut changes);
    let table_start = changes.len();
    greptime::databases(&renamed, &target, &mut changes);
    tables::tables(&renamed, &target, renames, options, &mut changes);
    let affected = views::tables_views_depend_on(&changes[table_start..]);
    views::views(&renamed, &target, &affected, &mut changes);
    functions::triggers(&renamed, &target, &recreated_functions, &mut changes);
    events::events(&renamed, &target, &mut changes);
    keys::key_groups(current, desired, &mut changes);
    objects::drop_schemas(&renamed, &target, &mut changes);
    changes
}

/// Each change of `changes` (from `diff(current, desired)`) with its hazards and permission.
///
/// `permitted_by_schema` says whether a flag of the desired state covers the change (`allow_drop`
/// on the schema naming the dropped object, `allow_destructive` on the table or column), whatever
/// its hazards; a refused change is never permitted, unless its refusal is
/// [overridable](HazardKind::overridable).
pub fn assess(changes: Vec<Change>, current: &Model, desired: &Model) -> Vec<AssessedChange> {
    let context = hazards::Context::new(&changes, current);
    changes
        .iter()
        .map(|change| {
            let hazards = hazards::hazards(change, &context);
            let refused = hazards
                .iter()
                .any(|h| h.kind.severity() == Severity::Refused && !h.kind.overridable());
            AssessedChange {
                change: change.clone(),
                permitted_by_schema: !refused && hazards::permitted(change, desired),
                hazards,
            }
        })
        .collect()
}
