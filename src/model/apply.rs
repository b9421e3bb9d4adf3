//! Applying a [`Change`] to a [`Model`]: how replay and SQL loading build models without a database.

use super::{Change, Model};
use thiserror::Error;

/// A change that does not fit the model it is applied to (the object is missing or already there).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{message}")]
pub struct ApplyError {
    pub message: String,
}

impl Change {
    /// Applies this change to `model`, as the database would. Errors when the change does not fit.
    pub fn apply_to(&self, model: &mut Model) -> Result<(), ApplyError> {
        let _ = model;
        Err(ApplyError {
            message: format!("not applied yet: {self:?}"),
        })
    }
}
