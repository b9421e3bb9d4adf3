//! Migration files on disk: naming and versions, listing both file forms, `bfm.sum`, rendering a
//! planned file into up/down text, writing new files, and replay (a directory folded into a
//! model without a database).

pub mod files;
pub mod naming;
pub mod operations;
pub mod render;
pub mod replay;
pub mod sum;
pub mod write;

pub use files::{MigrationFile, MigrationForm, MigrationText, list, newest_version};
pub use naming::{NamingError, Version, VersionClock, sanitize_name};
pub use replay::{Replay, SqlApplier, replay};
pub use sum::SumError;

use crate::source::LoadError;
use std::path::PathBuf;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum MigrationError {
    #[error("cannot read or write {}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: not a migration file name (expected {{schema}}_{{table}}_{{version}}_{{name}}.sql or {{version}}_{{name}}.sql)", path.display())]
    UnrecognizedFile { path: PathBuf },
    #[error("{} has no _down file beside it (_down.sql, or _down.json for etcd)", up.display())]
    MissingDown { up: PathBuf },
    #[error("{} has no up file beside it", down.display())]
    MissingUp { down: PathBuf },
    #[error("{}:{line}:{column}: {message}", path.display())]
    Split {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{}: {error}", dir.display())]
    Sum { dir: PathBuf, error: SumError },
    #[error(transparent)]
    Load(#[from] LoadError),
    /// The plan does not apply to the model it was made from: a bug in bfm, not in the input.
    #[error("the plan does not apply to the current state: {0}")]
    Apply(#[from] crate::model::ApplyError),
}
