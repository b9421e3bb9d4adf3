//! Stand-ins for `Change::describe` and `Change::inverse`, which the diff helper adds to
//! `src/model/change.rs` in parallel. Once those inherent methods exist they take precedence over
//! this trait at every call site, so the merge deletes this file, its `mod` line and the
//! `use ...::pending_api::ChangeText` imports, and nothing else changes.

use crate::model::Change;

pub(crate) trait ChangeText {
    /// One line for a human, e.g. `create table core.users`.
    fn describe(&self) -> String;
    /// The change that undoes this one.
    fn inverse(&self) -> Change;
}

impl ChangeText for Change {
    fn describe(&self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|value| {
                value
                    .get("kind")?
                    .as_str()
                    .map(|kind| kind.replace('_', " "))
            })
            .unwrap_or_default()
    }

    fn inverse(&self) -> Change {
        self.clone()
    }
}
