//! `bfm import migrations`. Not written yet: the helper for this importer replaces this file.

use super::{CliError, Outcome};
use clap::Args;
use std::path::{Path, PathBuf};

#[derive(Debug, Args)]
pub struct MigrationsArgs {
    /// The directory to import.
    pub dir: PathBuf,
}

pub fn run(_config_path: Option<&Path>, _args: &MigrationsArgs) -> Result<Outcome, CliError> {
    Err(CliError::Unsupported {
        connection: String::new(),
        backend: "import migrations".to_string(),
    })
}
