//! Orders assessed changes through a dependency graph and splits them into one migration file
//! per table (or other object) touched. Pure and deterministic: the order never depends on the
//! order changes arrive in.
//!
//! Each change states what it creates, drops, needs and frees ([`facts`]); [`graph`] turns
//! that into ordering edges and sorts them; [`files`] groups the sorted changes per subject.

mod facts;
mod files;
mod graph;
mod names;

use crate::diff::AssessedChange;
use crate::model::{ApplyError, Change, Model, QualifiedName};
use thiserror::Error;

/// What one migration file pair will hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedFile {
    /// The table (or enum, view, sequence, extension; schema empty for extensions) whose file
    /// this is: names the file `{schema}_{object}_{version}_{name}`.
    pub object: QualifiedName,
    /// In the order they must run.
    pub changes: Vec<AssessedChange>,
}

/// The whole plan: files in the order their versions must increase.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Plan {
    pub files: Vec<PlannedFile>,
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// Every change in run order.
    pub fn changes(&self) -> impl Iterator<Item = &AssessedChange> {
        self.files.iter().flat_map(|f| f.changes.iter())
    }

    /// For each file, the changes that undo it (inverses, last first), starting from `current`,
    /// the model the plan applies to: undoing an added enum label needs the labels before it.
    /// Errors when the plan does not apply to `current`.
    pub fn inverses(&self, current: &Model) -> Result<Vec<Vec<Change>>, ApplyError> {
        let mut model = current.clone();
        let mut inverses = Vec::with_capacity(self.files.len());
        for file in &self.files {
            let changes: Vec<Change> = file.changes.iter().map(|c| c.change.clone()).collect();
            inverses.push(Change::inverse_all(&changes, &model)?);
            for change in &changes {
                change.apply_to(&mut model)?;
            }
        }
        Ok(inverses)
    }
}

#[derive(Debug, Error)]
pub enum PlanError {
    /// A dependency cycle that deferring foreign keys cannot break.
    #[error("these changes depend on each other in a cycle: {0}")]
    Cycle(String),
}

/// Orders `changes` and groups them into files.
pub fn plan(changes: Vec<AssessedChange>) -> Result<Plan, PlanError> {
    let bare: Vec<&crate::model::Change> = changes.iter().map(|c| &c.change).collect();
    let graph = graph::ChangeGraph::build(&bare);
    let order = graph.order()?;
    let groups = files::group(&graph, &order);
    let mut slots: Vec<Option<AssessedChange>> = changes.into_iter().map(Some).collect();
    let files = groups
        .into_iter()
        .map(|group| PlannedFile {
            object: group.subject,
            changes: group
                .changes
                .iter()
                .filter_map(|node| slots[node.index()].take())
                .collect(),
        })
        .collect();
    Ok(Plan { files })
}

#[cfg(test)]
mod tests;
