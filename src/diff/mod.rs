//! Model × Model → the list of typed [`Change`]s that turn one into the other, each assessed for
//! hazards. Pure functions: no SQL, no I/O.

use crate::model::{Change, Model};
use serde::{Deserialize, Serialize};

/// How much a hazard matters to `generate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Worth a line in the plan and the file header (a table rewrite, a long lock).
    Warning,
    /// Loses data or can fail on existing rows: written only when permitted
    /// (`--allow-destructive` or a per-object flag).
    Destructive,
    /// Never written: the desired state must change (e.g. a NOT NULL column without a default
    /// added to an existing table).
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
}

impl HazardKind {
    pub fn severity(self) -> Severity {
        match self {
            HazardKind::RewritesTable | HazardKind::LocksTable => Severity::Warning,
            HazardKind::AddsNotNullWithoutDefault => Severity::Refused,
            _ => Severity::Destructive,
        }
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
}

/// The changes that turn `current` into `desired`, in a canonical (not yet dependency) order.
pub fn diff(current: &Model, desired: &Model) -> Vec<Change> {
    let _ = (current, desired);
    Vec::new()
}

/// Each change of `changes` (from `diff(current, desired)`) with its hazards and permission.
pub fn assess(changes: Vec<Change>, current: &Model, desired: &Model) -> Vec<AssessedChange> {
    let _ = (current, desired);
    changes
        .into_iter()
        .map(|change| AssessedChange {
            change,
            hazards: Vec::new(),
            permitted_by_schema: false,
        })
        .collect()
}
