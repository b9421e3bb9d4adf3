//! `bfm import gorm | migrations`: the ways in for a team that already has ORM models or a
//! migration directory. Each subcommand lives in its own file.

use super::{CliError, Outcome};
use clap::{Args, Subcommand};
use std::path::Path;

#[derive(Debug, Args)]
pub struct ImportArgs {
    #[command(subcommand)]
    pub command: ImportCommand,
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Write YAML schema files for the GORM models of a Go source directory.
    Gorm(super::import_gorm::GormArgs),
    /// Convert a goose, golang-migrate, sql-migrate, Flyway or dbmate directory into bfm's layout.
    Migrations(super::import_migrations::MigrationsArgs),
}

pub fn import(config_path: Option<&Path>, args: &ImportArgs) -> Result<Outcome, CliError> {
    match &args.command {
        ImportCommand::Gorm(args) => super::import_gorm::run(config_path, args),
        ImportCommand::Migrations(args) => super::import_migrations::run(config_path, args),
    }
}
