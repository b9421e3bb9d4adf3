//! `bfm import gorm`. Not written yet: the helper for this importer replaces this file.

use super::{CliError, Outcome};
use clap::Args;
use std::path::{Path, PathBuf};

#[derive(Debug, Args)]
pub struct GormArgs {
    /// The directory to import.
    pub dir: PathBuf,
}

pub fn run(_config_path: Option<&Path>, _args: &GormArgs) -> Result<Outcome, CliError> {
    Err(CliError::Unsupported {
        connection: String::new(),
        backend: "import gorm".to_string(),
    })
}
